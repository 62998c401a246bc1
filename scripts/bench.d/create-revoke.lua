-- wrk script of `make bench`, case 4: POST /v1/api-keys, then DELETE of the key
-- that POST created, alternately, on every connection of the thread.
--
--   wrk ... -H "Authorization: Bearer sk_..." -s create-revoke.lua http://HOST:PORT
--
-- Each 201 response's "id" is queued; the next request of the thread revokes
-- the oldest queued id, or creates a key when the queue is empty. So with
-- N connections a thread keeps about N/2 creations and N/2 revocations in
-- flight. done() prints one summary line that scripts/bench parses:
--   create-revoke: created C revoked R other O
-- ("other" counts responses that were neither 201 nor 200: a failure).

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

local post_body = '{"name": "bench key"}'
local post_headers, delete_headers
local queue, head, tail = {}, 1, 0

function init(args)
   -- wrk.format() adds Host and Content-Length to the table it is given, and
   -- does not merge it with wrk.headers (the -H options): build our own.
   post_headers, delete_headers = {}, {}
   for k, v in pairs(wrk.headers) do
      post_headers[k] = v
      delete_headers[k] = v
   end
   post_headers["Content-Type"] = "application/json"
   created, revoked, other = 0, 0, 0
end

function request()
   if head <= tail then
      local id = queue[head]
      queue[head] = nil
      head = head + 1
      return wrk.format("DELETE", "/v1/api-keys/" .. id, delete_headers, nil)
   end
   return wrk.format("POST", "/v1/api-keys", post_headers, post_body)
end

function response(status, headers, body)
   if status == 201 then
      local id = body:match('"id"%s*:%s*"([0-9a-fA-F%-]+)"')
      if id then
         created = created + 1
         tail = tail + 1
         queue[tail] = id
      else
         other = other + 1
      end
   elseif status == 200 then
      revoked = revoked + 1
   else
      other = other + 1
   end
end

function done(summary, latency, requests)
   local c, r, o = 0, 0, 0
   for _, t in ipairs(threads) do
      c = c + t:get("created")
      r = r + t:get("revoked")
      o = o + t:get("other")
   end
   io.write(string.format("create-revoke: created %d revoked %d other %d\n", c, r, o))
end
