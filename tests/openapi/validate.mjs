// Validates recorded HTTP exchanges against docs/openapi.yaml.
//
//   node validate.mjs SPEC RECORDING
//
// RECORDING is the JSON-lines file the integration client writes when PS_RECORD
// is set (tests/integration/http.c): one exchange a line, with the method, the
// raw request path, the response's status, headers and (JSON) body. Each
// response must be described by the document:
//
// - the operation is found the way the service routes: the path percent-decoded
//   per segment, one trailing slash tolerated, `//` or a bad escape matching
//   nothing; a request that matches no operation (unknown path, or a method its
//   path does not have) is checked against `x-unrouted-dashboard-responses` when
//   its first segment, decoded, is `dashboard` (as the service decides), else
//   against `x-unrouted-responses`;
// - its status must be listed (exactly, as NXX, or as default);
// - every required header must be there, every header present must be described
//   (but for the transport's own, TRANSPORT below) and match its schema, and
//   none but Set-Cookie may come twice;
// - its Content-Type must be one of the response's media types with
//   charset=utf-8 (a response without content must have no body), and a JSON
//   body must be JSON and match the schema (JSON Schema 2020-12, ajv).
//
// Prints the first failures, the most frequent reasons, and ends with
// "N passed, N failed" (one per exchange). Exchanges that got no response at
// all (the client's status 0) have nothing to validate: counted apart.
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const TRANSPORT = new Set(['content-type', 'content-length', 'date', 'server', 'connection',
  'transfer-encoding', 'accept-ranges', 'keep-alive']);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const SHOW_FAILURES = 10;

if (process.argv.length !== 4) {
  console.error('usage: node validate.mjs SPEC RECORDING');
  console.log('0 passed, 1 failed');
  process.exit(2);
}
const [specPath, recordingPath] = process.argv.slice(2);
const spec = parse(readFileSync(specPath, 'utf8'));

// The whole document is one schema resource, so that every $ref of its
// schemas resolves against it; OpenAPI's own members are unknown keywords.
const ajv = new Ajv2020({ strict: false, validateSchema: false, allErrors: false });
addFormats(ajv);
ajv.addFormat('password', true);
ajv.addSchema(spec, 'openapi.json');
const compiled = new Map();
function validator(pointer) {
  if (!compiled.has(pointer)) compiled.set(pointer, ajv.compile({ $ref: `openapi.json#${pointer}` }));
  return compiled.get(pointer);
}
// Header values are text: a header whose schema wants a number is compared as one.
const headerAjv = new Ajv2020({ strict: false, validateSchema: false, coerceTypes: true });
addFormats(headerAjv);
const headerSchemas = new Map();
function headerValidator(schema) {
  const key = JSON.stringify(schema);
  if (!headerSchemas.has(key)) {
    headerSchemas.set(key, headerAjv.compile({
      type: 'object', properties: { v: resolveDeep(schema) }, required: ['v'],
    }));
  }
  return headerSchemas.get(key);
}

const escape = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');
function at(pointer) {
  return pointer.split('/').slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((node, key) => node?.[key], spec);
}
// A Reference Object followed to what it names: [object, its pointer].
function follow(node, pointer) {
  while (node && typeof node.$ref === 'string') {
    pointer = node.$ref.slice(1);
    node = at(pointer);
  }
  return [node, pointer];
}
// Header schemas are small: inlined whole for the coercing validator.
function resolveDeep(node) {
  if (Array.isArray(node)) return node.map(resolveDeep);
  if (node === null || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') return resolveDeep(follow(node, '')[0]);
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolveDeep(v)]));
}

// ---- routing, as the service does it ----------------------------------------------

const routes = Object.entries(spec.paths).map(([template, item]) => ({
  template,
  segments: template.split('/').slice(1),
  item,
  pointer: `/paths/${escape(template)}`,
}));

function decodedSegments(rawPath) {
  const path = rawPath.split('?')[0];
  if (!path.startsWith('/')) return null;
  let segs = path.slice(1).split('/');
  if (segs.length === 1 && segs[0] === '') segs = [];
  else if (segs.length > 1 && segs[segs.length - 1] === '') segs.pop();
  try {
    segs = segs.map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
  return segs.some((s) => s === '' || s.includes('\0')) ? null : segs;
}

// The service hands a request to the dashboard on its first raw segment, decoded.
function underDashboard(rawPath) {
  const head = rawPath.split('?')[0].split('/')[1] ?? '';
  try {
    const d = decodeURIComponent(head);
    return !d.includes('\0') && (d === 'dashboard' || d.startsWith('dashboard/'));
  } catch {
    return false;
  }
}

function operationOf(method, rawPath) {
  const segs = decodedSegments(rawPath);
  const m = method.toLowerCase();
  if (segs === null || !METHODS.includes(m)) return null;
  const matches = routes.filter((r) => r.segments.length === segs.length &&
    r.segments.every((t, i) => /^\{.*\}$/.test(t) || t === segs[i]));
  // Concrete paths win over templated ones (OpenAPI, "Paths Object").
  matches.sort((a, b) => (a.template.match(/\{/g) || []).length -
    (b.template.match(/\{/g) || []).length);
  const route = matches[0];
  if (route === undefined || route.item[m] === undefined) return null;
  return { name: `${method} ${route.template}`, responses: route.item[m].responses,
    pointer: `${route.pointer}/${m}/responses` };
}

// ---- one exchange ---------------------------------------------------------------

function ajvReason(errors) {
  const e = errors?.[0];
  if (!e) return 'does not match';
  const extra = e.params?.additionalProperty ?? e.params?.unevaluatedProperty ??
    e.params?.allowedValues ?? e.params?.allowedValue;
  return `${e.instancePath || '(body)'} ${e.message}${extra !== undefined ? ` (${JSON.stringify(extra)})` : ''}`;
}

function checkHeaders(ex, response, problems) {
  const described = new Map();
  for (const [name, h] of Object.entries(response.headers || {})) {
    described.set(name.toLowerCase(), follow(h, '')[0]);
  }
  const seen = new Map();
  for (const [name, value] of ex.headers) {
    const key = name.toLowerCase();
    seen.set(key, (seen.get(key) || 0) + 1);
    if (TRANSPORT.has(key)) continue;
    const h = described.get(key);
    if (h === undefined) {
      problems.push(`header ${name} is not described`);
      continue;
    }
    const v = headerValidator(h.schema);
    if (!v({ v: value })) {
      problems.push(`header ${name} ${ajvReason(v.errors).replace(/^\/v /, '')} (value "${value}")`);
    }
  }
  for (const [key, h] of described) {
    if (h.required && !seen.has(key)) problems.push(`required header ${key} is missing`);
  }
  for (const [key, n] of seen) {
    if (n > 1 && key !== 'set-cookie') problems.push(`header ${key} sent ${n} times`);
  }
}

function checkBody(ex, response, pointer, problems) {
  const ctHeader = ex.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1];
  if (!response.content) {
    if (ex.body_bytes > 0) problems.push('a body where the response has no content');
    return;
  }
  if (ctHeader === undefined) {
    problems.push('no Content-Type');
    return;
  }
  const [essence, ...params] = ctHeader.toLowerCase().split(';').map((s) => s.trim());
  if (!Object.hasOwn(response.content, essence)) {
    problems.push(`Content-Type ${ctHeader} is not one of ${Object.keys(response.content).join(', ')}`);
    return;
  }
  if (!params.includes('charset=utf-8')) problems.push(`Content-Type ${ctHeader} without charset=utf-8`);
  if (!/^application\/(.+\+)?json$/.test(essence)) return;   // text: any string
  if (!ex.body_is_json) {
    problems.push('the body is not JSON');
    return;
  }
  const v = validator(`${pointer}/content/${escape(essence)}/schema`);
  if (!v(ex.body)) problems.push(`body: ${ajvReason(v.errors)}`);
}

function check(ex) {
  const op = operationOf(ex.method, ex.path);
  const unrouted = underDashboard(ex.path) ? 'x-unrouted-dashboard-responses' : 'x-unrouted-responses';
  const responses = op ? op.responses : spec[unrouted];
  const base = op ? op.pointer : `/${unrouted}`;
  const name = op ? op.name : `${ex.method} (${unrouted})`;
  const status = String(ex.status);
  const key = [status, `${status[0]}XX`, 'default'].find((k) => Object.hasOwn(responses, k));
  if (key === undefined) return { name, key: status, problems: [`status ${status} is not described`] };
  const [response, pointer] = follow(responses[key], `${base}/${key}`);
  const problems = [];
  checkHeaders(ex, response, problems);
  checkBody(ex, response, pointer, problems);
  return { name, key, problems };
}

// ---- the run --------------------------------------------------------------------------

let passed = 0, failed = 0, noAnswer = 0;
const shown = [], reasons = new Map(), covered = new Set();
const lines = createInterface({ input: createReadStream(recordingPath), crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim() === '') continue;
  let ex;
  try {
    ex = JSON.parse(line);
  } catch {
    failed++;
    if (shown.length < SHOW_FAILURES) shown.push(`FAIL a recorded line is not JSON: ${line.slice(0, 120)}`);
    continue;
  }
  if (ex.status === 0) {
    noAnswer++;
    continue;
  }
  const { name, key, problems } = check(ex);
  if (!name.includes('(')) covered.add(`${name} ${key}`);
  if (problems.length === 0) {
    passed++;
    continue;
  }
  failed++;
  if (shown.length < SHOW_FAILURES) {
    shown.push(`FAIL ${ex.method} ${ex.path.slice(0, 100)} -> ${ex.status} [${name}]: ${problems.join('; ')}`);
  }
  for (const p of problems) {
    const r = `${name} ${ex.status}: ${p.replace(/ \(value ".*"\)$/, '')}`;
    reasons.set(r, (reasons.get(r) || 0) + 1);
  }
}

for (const s of shown) console.log(s);
if (failed > 0) {
  console.log('most frequent reasons:');
  [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 10)
    .forEach(([r, n]) => console.log(`  ${n} x ${r}`));
}
let documented = 0;
for (const r of routes) {
  for (const m of METHODS) documented += Object.keys(r.item[m]?.responses || {}).length;
}
const n = passed + failed;
console.log(`${n} response${n === 1 ? '' : 's'} validated against ${specPath} (${covered.size} distinct ` +
  `operation/response pairs of ${documented} documented); ${noAnswer} requests ` +
  'without an answer skipped');
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
