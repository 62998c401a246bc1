-- wrk script of `make bench`, the mod_fcgid cases (A1). done() prints two
-- lines that scripts/bench parses:
--   slow: N of M requests took 1 s or more
--   real: p50 X p99 Y ms
-- mod_fcgid makes a request that finds every process of its class busy sleep
-- a whole second before it looks again: the slow requests are those that
-- waited for a process. "real" gives the percentiles of the latencies wrk
-- measured, before its correction (below).
--
-- wrk 4 corrects its latency histogram for coordinated omission before
-- reporting (stats_correct in its stats.c): with e = duration / (requests /
-- connections), the mean time between two requests of one connection, every
-- sample n > 2e gets copies at n - e, n - 2e, ... down to just above e. One
-- real 1 s wait thus adds about 1 s / e samples between e and 1 s, which moves
-- wrk's p90 and p99 far more than the few real waits do. The real figures
-- come back exactly from the corrected histogram H:
--   * H is unchanged at or below e, and H(<= 2e) = M (each real sample above
--     2e has exactly one copy in (e, 2e]);
--   * for T > e, H holds in [T, T + e) exactly one sample (real or copy) per
--     real sample >= T, so real(>= T) = H(< T + e) - H(< T).
-- H(<= v) is read through latency:percentile(p), whose rank is
-- round(p / 100 * K + 0.5) for the corrected count K (not exposed): the
-- largest p with percentile(p) <= v is 100 * H(<= v) / K, so
-- H(<= v) = M * b(v) / b(2e) with b found by bisection.
--
-- Needs the connection count in the environment: BENCH_CONNECTIONS.

local SECOND = 1000000   -- wrk's latencies are in microseconds

-- The largest p in [0, 100) with latency:percentile(p) <= v (0 if none).
local function boundary(latency, v)
   local lo, hi = 0.0, 100.0
   if latency:percentile(0) > v then return 0.0 end
   for _ = 1, 44 do   -- to 100 / 2^44: far below one sample in 100 / K
      local mid = (lo + hi) / 2
      local x = latency:percentile(mid)
      if x ~= 0 and x <= v then lo = mid else hi = mid end   -- 0: rank beyond K
   end
   return lo
end

function done(summary, latency, requests)
   local m = summary.requests
   local conns = tonumber(os.getenv("BENCH_CONNECTIONS") or "")
   if conns == nil or conns < 1 or m < conns then
      io.write("slow: no result (BENCH_CONNECTIONS unset, or too few requests)\n")
      return
   end
   local e = math.floor(summary.duration / math.floor(m / conns))   -- as wrk computes it
   local b2e = boundary(latency, 2 * e)
   local memo = {}
   local function corrected_le(v)   -- H(<= v)
      if memo[v] == nil then
         memo[v] = math.floor(m * boundary(latency, v) / b2e + 0.5)
      end
      return memo[v]
   end
   local function real_le(v)        -- real samples <= v
      if v <= e then return corrected_le(v) end
      -- real(>= v + 1) = H(< v + 1 + e) - H(< v + 1) = H(<= v + e) - H(<= v)
      return m - (corrected_le(v + e) - corrected_le(v))
   end
   local function real_percentile(q)   -- smallest v with real_le(v) >= q * m
      local lo, hi = latency.min, latency.max
      local want = q * m
      while lo < hi do
         local mid = math.floor((lo + hi) / 2)
         if real_le(mid) >= want then hi = mid else lo = mid + 1 end
      end
      return lo
   end
   local slow = m - real_le(SECOND - 1)
   io.write(string.format("slow: %d of %d requests took 1 s or more\n", slow, m))
   io.write(string.format("real: p50 %.3f p99 %.3f ms\n",
      real_percentile(0.50) / 1000, real_percentile(0.99) / 1000))
end
