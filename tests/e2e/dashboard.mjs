// End-to-end tests of the dashboard (docs/dashboard.md) in a real browser:
// Debian's Chromium driven by playwright-core, against a running stack.
// Run by scripts/e2e, which installs Chromium and node_modules and sets:
//   E2E_BASE_URL   http://127.0.0.1:PORT
//   E2E_STATE      the stack's state directory (scripts/admin's PS_STATE)
//   E2E_ARTIFACTS  where the screenshots go
//   E2E_CHROMIUM   the browser (default /usr/bin/chromium)
//   PS_ROOT        the checkout (scripts/admin)
// Every check prints PASS/FAIL (or SKIP with the reason); the last line is
// "N passed, N failed" and the exit status is 1 on any failure.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';

const BASE = (process.env.E2E_BASE_URL || '').replace(/\/$/, '');
const STATE = process.env.E2E_STATE;
const ARTIFACTS = process.env.E2E_ARTIFACTS;
const ROOT = process.env.PS_ROOT || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
if (!BASE || !STATE || !ARTIFACTS) {
	console.error('usage: E2E_BASE_URL=… E2E_STATE=… E2E_ARTIFACTS=… node dashboard.mjs (see scripts/e2e)');
	console.log('0 passed, 1 failed');
	process.exit(1);
}
mkdirSync(ARTIFACTS, { recursive: true });

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const KEY_RE = /^sk_[0-9A-Za-z]{46}$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

// ---------------------------------------------------------------- harness

let passed = 0, failed = 0, skipped = 0;
const sensitive = new Set();   // passwords and secrets: recorded, never printed

function record(secret) {      // scripts/test looks for these in logs and the dump
	if (typeof secret !== 'string' || secret.length < 8 || sensitive.has(secret))
		return secret;
	sensitive.add(secret);
	appendFileSync(path.join(STATE, 'issued-secrets'), secret + '\n');
	return secret;
}

function redact(text) {
	let s = String(text);
	for (const v of sensitive)
		s = s.split(v).join(v.startsWith('sk_') ? v.slice(0, 12) + '…(secret)' : '…(password)');
	return s;
}

class Skip extends Error {}

async function test(name, fn) {
	const t0 = Date.now();
	try {
		await fn();
		passed++;
		console.log(`PASS ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
	} catch (e) {
		if (e instanceof Skip) {
			skipped++;
			console.log(`SKIP ${name}: ${redact(e.message)}`);
			return;
		}
		failed++;
		console.log(`FAIL ${name}: ${redact((e && e.message ? e.message : String(e)).split('\n')[0])}`);
	}
}

function assert(cond, message) {
	if (!cond)
		throw new Error(message);
}

function eq(actual, expected, what) {
	if (actual !== expected)
		throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

function need(value, what) {   // a value an earlier test was to produce
	if (value === undefined || value === null)
		throw new Error(`no ${what} (an earlier test failed)`);
	return value;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(cond, ms = 3000) {   // polls cond() until it holds or ms pass
	for (const end = Date.now() + ms; ; await sleep(50)) {
		const v = await cond();
		if (v || Date.now() > end)
			return v;
	}
}

// ---------------------------------------------------------------- fixtures

const run = Date.now().toString(36) + '-' + randomBytes(3).toString('hex');

function admin(args, input) {
	const out = execFileSync(path.join(ROOT, 'scripts/admin'), args, {
		cwd: ROOT,
		env: { ...process.env, PS_STATE: STATE },
		input: input === undefined ? '' : input,
		stdio: ['pipe', 'pipe', 'pipe'],
		timeout: 20000,
	});
	const text = out.toString().trim();
	return text ? JSON.parse(text) : {};
}

function newAccount(who, name) {
	const email = `e2e-${who}-${run}@example.test`;
	const acc = admin(['account', 'create', '--email', email, '--name', name]);
	const password = record(randomBytes(18).toString('base64url'));   // 24 characters
	admin(['account', 'set-password', acc.id], password + '\n');
	return { id: acc.id, email, name, password };
}

function adminKey(account, org, name) {
	const args = ['key', 'create', '--account', account.id, '--name', name];
	if (org)
		args.push('--org', org.id);
	const k = admin(args);
	record(k.secret);
	return k;
}

// The key format of docs/api.md: sk_ + 40 base62 + the CRC-32 of the rest in base62.
const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function crc32(str) {
	let c = 0xffffffff;
	for (const byte of Buffer.from(str, 'ascii')) {
		c ^= byte;
		for (let k = 0; k < 8; k++)
			c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
	}
	return (c ^ 0xffffffff) >>> 0;
}
function checksumOk(key) {
	let n = crc32(key.slice(0, 43)), s = '';
	for (let i = 0; i < 6; i++) {
		s = B62[n % 62] + s;
		n = Math.floor(n / 62);
	}
	return key.slice(43) === s;
}

// ---------------------------------------------------------------- browser

const problems = [];   // CSP violations, console errors, page errors, failed assets
const dialogs = [];    // any alert/confirm/prompt: none may ever open
let pagesSeen = 0;
let browser;

// Every *.test name goes to 127.0.0.1. PLAIN_HOST is the dashboard under a
// name that is not a secure context (plain HTTP, not localhost), as on a LAN
// host: app.js has no navigator.clipboard there. ATTACKER_HOST is another
// site, served by this script (a loopback server, so that Chromium's local
// network rules do not get in the way of what the dashboard's headers do).
const PLAIN_HOST = 'dashboard-on-plain-http.test';
const ATTACKER_HOST = 'attacker.test';
const LAUNCH_ARGS = ['--host-resolver-rules=MAP *.test 127.0.0.1', '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Watches a page: what the browser reports is kept in `sink` (the run's lists
// unless a self-test passes its own).
function watch(page, label, sink = { problems, dialogs }) {
	page.on('console', (m) => {
		const text = m.text();
		// The browser logs every 4xx document or fetch as "Failed to load
		// resource"; those the tests ask for are expected, and any other
		// failed resource is caught by the 'response' handler below.
		if (/^Failed to load resource: the server responded with a status of/.test(text))
			return;
		if (m.type() === 'error' || /Content.Security.Policy|Refused to/i.test(text))
			sink.problems.push(`${label}: console ${m.type()}: ${text} (${m.location().url || page.url()})`);
	});
	page.on('pageerror', (e) => sink.problems.push(`${label}: page error: ${e.message} (${page.url()})`));
	page.on('dialog', (d) => {
		sink.dialogs.push(`${label}: ${d.type()} "${d.message()}" on ${page.url()}`);
		d.dismiss().catch(() => {});
	});
	page.on('response', (r) => {
		const type = r.request().resourceType();
		if (type === 'document') {
			if (r.url().startsWith(BASE + '/dashboard'))
				pagesSeen++;
			return;
		}
		if (type !== 'fetch' && type !== 'xhr' && r.status() >= 400)
			sink.problems.push(`${label}: ${type} ${r.url()} answered ${r.status()}`);
	});
	page.on('requestfailed', (r) => {
		const err = r.failure() ? r.failure().errorText : '?';
		if (err !== 'net::ERR_ABORTED')   // a navigation replaced by the next one
			sink.problems.push(`${label}: request failed: ${r.url()} ${err}`);
	});
}

async function newSession(label, sink, options = {}) {
	const context = await browser.newContext({ viewport: { width: 1200, height: 700 }, ...options });
	// CSP violations also reach the page as an event: report them on the console.
	await context.addInitScript(() => {
		document.addEventListener('securitypolicyviolation', (e) => {
			console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} ` +
				`in ${e.sourceFile || document.URL}:${e.lineNumber}`);
		});
	});
	const page = await context.newPage();
	page.setDefaultTimeout(5000);
	page.setDefaultNavigationTimeout(10000);
	watch(page, label, sink);
	return { context, page };
}

// Another site: GET /PATH answers the HTML that pages[PATH] returns.
async function attackerSite(pages) {
	const server = http.createServer((req, res) => {
		const make = pages[new URL(req.url, 'http://x').pathname];
		res.writeHead(make ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
		res.end(make ? make() : 'not found');
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { base: `http://${ATTACKER_HOST}:${server.address().port}`, close: () => server.close() };
}

// Clicks what submits a form or follows a link; the final document's response.
async function navigate(page, action) {
	const [response] = await Promise.all([page.waitForNavigation(), action()]);
	return response;
}
const click = (page, selector) => navigate(page, () => page.click(selector));

async function redirectStatus(response) {   // the status of the answer before the last redirect
	const prev = response && response.request().redirectedFrom();
	if (!prev)
		return null;
	const r = await prev.response();
	return r ? r.status() : null;
}

function pathOf(page) {
	const u = new URL(page.url());
	return u.pathname + u.search;
}

const text = async (page, selector) => ((await page.textContent(selector)) || '').trim();

async function cookie(context, name) {   // every cookie: ours have Path=/dashboard
	return (await context.cookies()).find((c) => c.name === name);
}

async function login(page, account) {
	for (let attempt = 0; ; attempt++) {
		await page.goto(`${BASE}/dashboard/login`);
		await page.fill('form#login input[name=email]', account.email);
		await page.fill('form#login input[name=password]', account.password);
		const r = await click(page, 'form#login button[type=submit]');
		// Other suites of the same run may have used up the address's budget of
		// failed log-ins (REMOTE_ADDR is 127.0.0.1 for everyone): wait it out once.
		if (r.status() === 429 && attempt === 0) {
			const wait = Math.min(Number(r.headers()['retry-after']) || 60, 65);
			console.log(`NOTE log-in throttled (429), waiting ${wait} s as Retry-After says`);
			await sleep(wait * 1000 + 500);
			continue;
		}
		return r;
	}
}

// fetch from the page itself: the CSP's connect-src 'self' must allow it.
async function apiFromPage(page, apiPath, secret, times = 1) {
	return page.evaluate(async ({ apiPath, secret, times }) => {
		let last;
		for (let i = 0; i < times; i++) {
			const r = await fetch(apiPath, { headers: { Authorization: `Bearer ${secret}` } });
			last = { status: r.status, body: await r.json(), wwwAuth: r.headers.get('www-authenticate') };
		}
		return last;
	}, { apiPath, secret, times });
}

// The rows of table#keys as the page shows them.
async function rows(page) {
	return page.$$eval('table#keys tr.key', (trs) => trs.map((tr) => {
		const cell = (c) => tr.querySelector(`td.${c}`);
		const time = (c) => cell(c) && cell(c).querySelector('time');
		return {
			id: tr.dataset.keyId,
			prefix: tr.dataset.prefix,
			active: tr.classList.contains('key-active'),
			revoked: tr.classList.contains('key-revoked'),
			name: cell('name') ? cell('name').textContent : null,
			nameElements: cell('name') ? cell('name').querySelectorAll('*').length : null,
			prefixText: cell('prefix') ? cell('prefix').textContent.trim() : null,
			created: time('created') ? time('created').getAttribute('datetime') : null,
			lastUsedText: cell('last-used') ? cell('last-used').textContent.trim() : null,
			lastUsed: time('last-used') ? time('last-used').getAttribute('datetime') : null,
			lastUsedTitle: time('last-used') ? time('last-used').getAttribute('title') : null,
			requests: cell('requests') ? cell('requests').textContent.trim() : null,
			status: cell('status') ? cell('status').textContent.trim() : null,
			charts: cell('usage') ? cell('usage').querySelectorAll('svg.usage-chart').length : 0,
			bars: cell('usage') ? cell('usage').querySelectorAll('svg.usage-chart rect.bar').length : 0,
			barTitles: cell('usage') ? [...cell('usage').querySelectorAll('svg.usage-chart rect.bar')]
				.filter((b) => b.querySelector('title') && b.querySelector('title').textContent.trim()).length : 0,
			revokeHref: tr.querySelector('td.actions a.revoke') ? tr.querySelector('td.actions a.revoke').getAttribute('href') : null,
		};
	}));
}

// Reloads the list until the row of `prefix` counts `count` requests (docs/api.md:
// counts are visible within 2 seconds).
async function waitForCount(page, url, prefix, count) {
	let row;
	for (let i = 0; i < 12; i++) {
		await page.goto(url);
		row = (await rows(page)).find((r) => r.prefix === prefix);
		if (row && row.requests === String(count))
			return row;
		await sleep(300);
	}
	throw new Error(`the row of ${prefix} shows ${row ? JSON.stringify(row.requests) : 'nothing'} requests, expected ${count}`);
}

async function createKey(page, name) {   // on a keys page: fills and submits form#create-key
	await page.fill('form#create-key input[name=name]', name);
	return click(page, 'form#create-key button[type=submit], form#create-key input[type=submit]');
}

// Changes one character of a form's CSRF token (the rest stays valid).
async function forgeCsrf(page, form) {
	const [before, after] = await page.$eval(`${form} input[name=csrf]`, (i) => {
		const v = i.value;
		i.value = (v[0] === 'A' ? 'B' : 'A') + v.slice(1);
		return [v, i.value];
	});
	assert(before && before !== after, `could not change the token of ${form}`);
}

async function readSecret(page) {
	const s = (await text(page, 'code#secret'));
	if (KEY_RE.test(s))
		record(s);
	return s;
}

const CONTEXT_SUBMIT = 'form#context button:not([type]), form#context button[type=submit], form#context input[type=submit]';

// Picks an organization in the switcher. app.js may submit the form on
// change; without it (or without JavaScript) the submit button does.
async function switchContext(page, orgId) {
	const auto = page.waitForNavigation({ timeout: 2000 }).catch(() => null);
	await page.selectOption('form#context select[name=org]', orgId);
	const r = await auto;
	if (r && new URL(page.url()).searchParams.get('org') === orgId)
		return r;
	return click(page, CONTEXT_SUBMIT);
}

// docs/dashboard.md: every signed-in page has the log-out form and the switcher.
async function signedInFrame(page, what) {
	assert(await page.$('form#logout input[name=csrf]'), `no form#logout on ${what}`);
	assert(await page.$('form#context select[name=org]'), `no form#context on ${what}`);
}

async function contextOptions(page) {
	return page.$$eval('form#context select[name=org] option', (os) =>
		os.map((o) => ({ value: o.value, text: o.textContent.trim(), selected: o.selected })));
}

// ---------------------------------------------------------------- the tests

const started = Date.now();
// A hung browser or server must not hang make test: give up after 3 minutes.
const watchdog = setTimeout(() => {
	console.log('FAIL the run: still going after 180 s, stopped');
	console.log(`${passed} passed, ${failed + 1} failed`);
	process.exit(1);
}, 180000);

const fx = {};     // accounts, organization, keys made with scripts/admin
const st = {};     // what the tests learn on the way (secrets, ids)

try {
	await test('fixture: accounts, an organization with an owner, an admin and a member (scripts/admin)', async () => {
		fx.alice = newAccount('alice', 'Alice Martin');
		fx.bob = newAccount('bob', 'Bob <img src=x onerror=alert(4)> Admin');
		fx.olivia = newAccount('olivia', 'Olivia Owner');
		fx.dave = newAccount('dave', 'Dave Gone');
		admin(['account', 'deactivate', fx.dave.id]);
		fx.org = admin(['org', 'create', '--name', `Acme E2E ${run}`, '--owner', fx.olivia.id]);
		admin(['org', 'add-member', fx.org.id, fx.alice.id, '--role', 'member']);
		admin(['org', 'add-member', fx.org.id, fx.bob.id, '--role', 'admin']);
		fx.org2 = admin(['org', 'create', '--name', `Beta <i>E2E</i> & "Co" ${run}`, '--owner', fx.olivia.id]);
		admin(['org', 'add-member', fx.org2.id, fx.alice.id, '--role', 'member']);
		fx.oliviaKey = adminKey(fx.olivia, fx.org, "Owner's deploy key");
		fx.bobKey = adminKey(fx.bob, fx.org, "Admin's nightly job");
		assert(UUID_RE.test(fx.org.id) && UUID_RE.test(fx.oliviaKey.id), 'scripts/admin did not print ids');
	});

	browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
	const { context, page } = await newSession('alice');

	await test('without a session, /dashboard/keys answers 303 to the log-in page', async () => {
		const r = await page.goto(`${BASE}/dashboard/keys`);
		eq(await redirectStatus(r), 303, 'status of GET /dashboard/keys');
		eq(pathOf(page), '/dashboard/login', 'page');
		eq(r.status(), 200, 'status of the log-in page');
		for (const sel of ['form#login input[name=email]', 'form#login input[name=password]',
			'form#login input[name=csrf]', 'form#login button[type=submit]'])
			assert(await page.$(sel), `no ${sel} on the log-in page`);
		assert(await cookie(context, 'ps_login'), 'no pre-login cookie ps_login');
	});

	await test('a wrong password and an unknown e-mail: 403, the same message, no session', async () => {
		const wrong = record(randomBytes(18).toString('base64url'));
		for (const email of [fx.alice.email, `e2e-nobody-${run}@example.test`]) {
			const r = await login(page, { email, password: wrong });
			eq(r.status(), 403, `status for ${email.includes('nobody') ? 'an unknown e-mail' : 'a wrong password'}`);
			eq(await text(page, 'p.error'), 'Incorrect e-mail or password.', 'the error');
			assert(await page.$('form#login'), 'the form is not shown again');
			assert(!(await cookie(context, 'ps_session')), 'a ps_session cookie was set');
		}
	});

	await test('an e-mail with markup echoed back by the log-in form stays text', async () => {
		const email = `"><img src=x onerror=alert(5)>${run}@example.test`;
		await page.goto(`${BASE}/dashboard/login`);
		await page.$eval('form#login', (f) => { f.noValidate = true; });   // type=email would refuse it
		await page.fill('form#login input[name=email]', email);
		await page.fill('form#login input[name=password]', record(randomBytes(18).toString('base64url')));
		const r = await click(page, 'form#login button[type=submit]');
		assert(r.status() === 403 || r.status() === 400, `status ${r.status()}`);
		const value = await page.inputValue('form#login input[name=email]');
		assert(value === '' || value === email, `the e-mail field holds ${JSON.stringify(value)}`);
		eq(await page.evaluate(() => document.querySelectorAll('img[src="x"], [onerror]').length), 0, 'injected elements');
	});

	await test('a deactivated account cannot log in: "This account is deactivated."', async () => {
		const r = await login(page, fx.dave);
		eq(r.status(), 403, 'status');
		const error = await text(page, 'p.error');
		assert(error.startsWith('This account is deactivated.'), `the error is ${JSON.stringify(error)}`);
		assert(!(await cookie(context, 'ps_session')), 'a ps_session cookie was set');
	});

	await test('a forged log-in token: 403 "Your log-in form expired…", even with the right password', async () => {
		await page.goto(`${BASE}/dashboard/login`);
		await forgeCsrf(page, 'form#login');
		await page.fill('form#login input[name=email]', fx.alice.email);
		await page.fill('form#login input[name=password]', fx.alice.password);
		const r = await click(page, 'form#login button[type=submit]');
		eq(r.status(), 403, 'status');
		const error = await text(page, 'p.error');
		assert(error.startsWith('Your log-in form expired'), `the error is ${JSON.stringify(error)}`);
		assert(!(await cookie(context, 'ps_session')), 'a ps_session cookie was set');
	});

	await test('log in: 303 to /dashboard/keys, an HttpOnly SameSite=Strict session cookie', async () => {
		// A session id planted before the log-in (fixation) must not be the one used after it.
		const planted = randomBytes(32).toString('base64url');
		await context.addCookies([{ name: 'ps_session', value: planted, domain: new URL(BASE).hostname,
			path: '/dashboard', httpOnly: true, sameSite: 'Strict' }]);
		const r = await login(page, fx.alice);
		eq(await redirectStatus(r), 303, 'status of POST /dashboard/login');
		eq(pathOf(page), '/dashboard/keys', 'page after log-in');
		eq(r.status(), 200, 'status of the keys page');
		const c = await cookie(context, 'ps_session');
		assert(c, 'no ps_session cookie');
		assert(/^[A-Za-z0-9_-]{43}$/.test(c.value), `ps_session is not 43 base64url characters (${c.value.length})`);
		record(c.value);
		eq(c.httpOnly, true, 'HttpOnly');
		eq(c.sameSite, 'Strict', 'SameSite');
		eq(c.path, '/dashboard', 'Path');
		eq(c.expires, -1, 'expires (a session cookie has none)');
		eq(c.secure, false, 'Secure over plain HTTP');
		assert(c.value !== planted, 'the session id planted before the log-in is kept (session fixation)');
		const visible = await page.evaluate(() => document.cookie);
		assert(!visible.includes('ps_session'), 'document.cookie shows ps_session');
		st.sessionCookie = c;
	});

	await test('signed-in page: log-out form and context switcher (Personal + "NAME (member)")', async () => {
		assert(await page.$('form#logout input[name=csrf]'), 'no form#logout with csrf');
		assert(await page.$('form#logout button, form#logout input[type=submit]'), 'no log-out button');
		eq(await text(page, 'form#logout button, form#logout input[type=submit]'), 'Log out', 'the log-out button');
		eq((await page.getAttribute('form#context', 'method') || 'get').toLowerCase(), 'get', 'form#context method');
		const action = new URL(await page.getAttribute('form#context', 'action') || page.url(), page.url());
		eq(action.pathname, '/dashboard/keys', 'form#context action');
		const opts = await contextOptions(page);
		eq(JSON.stringify(opts[0]), JSON.stringify({ value: '', text: 'Personal', selected: true }), 'the first option');
		const byId = (a, b) => (a.value < b.value ? -1 : 1);
		eq(JSON.stringify(opts.slice(1).sort(byId)), JSON.stringify([
			{ value: fx.org.id, text: `${fx.org.name} (member)`, selected: false },
			{ value: fx.org2.id, text: `${fx.org2.name} (member)`, selected: false },
		].sort(byId)), 'the organizations in select[name=org]');
	});

	await test('response headers of a dashboard page and of the assets', async () => {
		const r = await page.goto(`${BASE}/dashboard/keys`);
		const h = r.headers();
		eq(h['content-type'], 'text/html; charset=utf-8', 'Content-Type');
		eq(h['cache-control'], 'no-store', 'Cache-Control');
		eq(h['x-content-type-options'], 'nosniff', 'X-Content-Type-Options');
		eq(h['x-frame-options'], 'DENY', 'X-Frame-Options');
		eq(h['referrer-policy'], 'same-origin', 'Referrer-Policy');
		eq(h['content-security-policy'], CSP, 'Content-Security-Policy');
		assert(h['x-request-id'], 'no X-Request-Id');
		const assets = await page.evaluate(() => ({
			css: [...document.querySelectorAll('link[rel=stylesheet]')].map((l) => l.href),
			js: [...document.querySelectorAll('script')].map((s) => s.src || '(inline)'),
			rules: [...document.styleSheets].reduce((n, s) => n + s.cssRules.length, 0),
		}));
		assert(assets.css.includes(`${BASE}/dashboard/assets/app.css`), `the page does not link app.css (${assets.css})`);
		assert(assets.rules > 0, 'the stylesheet has no rules applied');
		eq(await page.evaluate(() => document.compatMode), 'CSS1Compat', 'rendering mode (a doctype)');
		eq(await page.evaluate(() => document.characterSet), 'UTF-8', 'character set');
		for (const [asset, type] of [['app.css', 'text/css'], ['app.js', 'text/javascript']]) {
			const a = await context.request.get(`${BASE}/dashboard/assets/${asset}`);
			eq(a.status(), 200, `status of ${asset}`);
			eq(a.headers()['content-type'].split(';')[0], type, `Content-Type of ${asset}`);
			eq(a.headers()['cache-control'], 'max-age=3600', `Cache-Control of ${asset}`);
		}
	});

	await test('an empty personal list shows p.empty and "Show revoked keys"', async () => {
		await page.goto(`${BASE}/dashboard/keys`);
		assert(await page.$('p.empty'), 'no p.empty');
		eq((await rows(page)).length, 0, 'rows');
		eq(await text(page, 'a#toggle-revoked'), 'Show revoked keys', 'the toggle');
		eq(await page.getAttribute('form#create-key input[name=org]', 'value'), '', 'hidden org of the create form');
		assert(await page.$('form#create-key input[name=csrf]'), 'no csrf in form#create-key');
		eq(await text(page, 'form#create-key button[type=submit], form#create-key input[type=submit]'), 'Create Key', 'the create button');
	});

	await test('create a key: 303 to the created page, the secret shown once with a warning', async () => {
		await page.goto(`${BASE}/dashboard/keys`);
		st.name1 = 'Production API Key';
		const r = await createKey(page, st.name1);
		eq(await redirectStatus(r), 303, 'status of POST /dashboard/keys');
		eq(pathOf(page), '/dashboard/keys/created', 'page');
		eq(r.status(), 200, 'status of the created page');
		eq(r.headers()['cache-control'], 'no-store', 'Cache-Control of the created page');
		const secret = await readSecret(page);
		assert(KEY_RE.test(secret), `code#secret does not hold a key: ${JSON.stringify(secret.slice(0, 12))}…`);
		assert(!(await page.title()).includes(secret.slice(3, 20)), 'the secret is in the title (kept in the history)');
		assert(checksumOk(secret), 'the checksum of the key is wrong');
		st.secret1 = secret;
		assert((await text(page, 'p.warning')).includes('will not be shown again'), 'no p.warning "…will not be shown again…"');
		assert(await page.$('button#copy-secret'), 'no button#copy-secret');
		await signedInFrame(page, 'the created page');
		assert(await page.$('a[href^="/dashboard/keys"]'), 'no link back to the keys page');
		await page.screenshot({ path: path.join(ARTIFACTS, 'secret-page.png') });
	});

	await test('the copy button puts the secret in the clipboard', async () => {
		const secret = need(st.secret1, 'secret');
		try {
			await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
			await page.bringToFront();
			await page.evaluate(() => navigator.clipboard.writeText('e2e clipboard sentinel'));
			eq(await page.evaluate(() => navigator.clipboard.readText()), 'e2e clipboard sentinel', 'probe');
		} catch (e) {
			throw new Skip(`headless Chromium gives no clipboard here (${e.message.split('\n')[0]})`);
		}
		await page.click('button#copy-secret');
		let got;
		for (let i = 0; i < 20 && got !== secret; i++) {
			got = await page.evaluate(() => navigator.clipboard.readText());
			if (got !== secret)
				await sleep(50);
		}
		assert(got === secret, `the clipboard holds ${got === 'e2e clipboard sentinel' ? 'what it held before the click' : 'something else'}`);
	});

	await test('the secret works against the API: fetch /v1/me from the page', async () => {
		const secret = need(st.secret1, 'secret');
		const r = await apiFromPage(page, '/v1/me', secret);
		eq(r.status, 200, 'status of GET /v1/me');
		eq(r.body.account && r.body.account.email, fx.alice.email, 'account.email');
		eq(r.body.organization, null, 'organization');
		eq(r.body.api_key && r.body.api_key.name, st.name1, 'api_key.name');
		eq(r.body.api_key.key_prefix, secret.slice(0, 12), 'api_key.key_prefix');
		st.id1 = r.body.api_key.id;
	});

	await test('reload the created page: 410, the secret is gone', async () => {
		const secret = need(st.secret1, 'secret');
		const r = await page.reload();
		eq(r.status(), 410, 'status after a reload');
		assert(await page.$('p.error'), 'no p.error');
		await signedInFrame(page, 'the 410 page');
		assert(!(await page.$('code#secret')), 'code#secret is still there');
		const html = await page.content();
		assert(!html.includes(secret.slice(12)) && !html.includes(secret.slice(3, 43)), 'the page still holds the secret');
	});

	await test('the key list shows the key: prefix, name, status, last use, count, 30-day chart', async () => {
		const secret = need(st.secret1, 'secret');
		const row = await waitForCount(page, `${BASE}/dashboard/keys`, secret.slice(0, 12), 1);
		eq(row.id, need(st.id1, 'key id'), 'data-key-id');
		eq(row.active && !row.revoked, true, 'class key-active');
		eq(row.name, st.name1, 'td.name');
		assert(row.prefixText.includes(secret.slice(0, 12)), `td.prefix is ${JSON.stringify(row.prefixText)}`);
		eq(row.status, 'Active', 'td.status');
		assert(RFC3339_RE.test(row.created || ''), `td.created <time datetime> is ${JSON.stringify(row.created)}`);
		assert(RFC3339_RE.test(row.lastUsed || ''), `td.last-used <time datetime> is ${JSON.stringify(row.lastUsed)}`);
		assert(Math.abs(Date.parse(row.lastUsed) - Date.now()) < 5 * 60e3, `last use ${row.lastUsed} is not now`);
		assert(row.lastUsedTitle, 'td.last-used <time> has no title');
		assert(row.lastUsedText !== 'Never', 'td.last-used says Never');
		eq(row.charts, 1, 'svg.usage-chart in td.usage');
		eq(row.bars, 30, 'rect.bar in the chart');
		eq(row.barTitles, 30, 'bars with a <title>');
		eq(row.revokeHref && new URL(row.revokeHref, BASE).pathname, `/dashboard/keys/${st.id1}/revoke`, 'a.revoke');
		const html = await page.content();
		assert(!html.includes(secret.slice(12)), 'the list holds the secret');
	});

	await test('the back button to the created page: 410, no secret', async () => {
		await page.goto(`${BASE}/dashboard/keys`);
		st.name2 = 'CI pipeline';
		await createKey(page, st.name2);
		eq(pathOf(page), '/dashboard/keys/created', 'page after create');
		st.secret2 = await readSecret(page);
		assert(KEY_RE.test(st.secret2), 'no secret on the created page');
		await click(page, 'a[href^="/dashboard/keys"]');
		assert(pathOf(page).startsWith('/dashboard/keys'), `the link back went to ${pathOf(page)}`);
		const r = await page.goBack();
		eq(pathOf(page), '/dashboard/keys/created', 'page after back');
		eq(r && r.status(), 410, 'status after the back button');
		assert(!(await page.$('code#secret')), 'code#secret is shown again');
		assert(!(await page.content()).includes(st.secret2.slice(12)), 'the page holds the secret');
	});

	await test('a list of keys with usage (screenshot keys-page.png)', async () => {
		await page.goto(`${BASE}/dashboard/keys`);
		st.name3 = 'Staging worker';
		await createKey(page, st.name3);
		st.secret3 = await readSecret(page);
		assert(KEY_RE.test(st.secret3), 'no secret on the created page');
		eq((await apiFromPage(page, '/v1/me', need(st.secret2, 'second secret'), 7)).status, 200, 'the second key');
		eq((await apiFromPage(page, '/v1/api-keys', st.secret3, 12)).status, 200, 'the third key');
		await waitForCount(page, `${BASE}/dashboard/keys`, st.secret2.slice(0, 12), 7);
		await waitForCount(page, `${BASE}/dashboard/keys`, st.secret3.slice(0, 12), 12);
		const list = await rows(page);
		eq(JSON.stringify(list.map((r) => r.name)), JSON.stringify([st.name3, st.name2, st.name1]), 'the list, newest first');
		// Each bar's <title> gives its day's count: today's bar holds all of them.
		const today = new Date().toISOString().slice(0, 10);
		for (const row of list) {
			const titles = await page.$$eval(`tr.key[data-key-id="${row.id}"] svg.usage-chart rect.bar title`,
				(ts) => ts.map((t) => t.textContent));
			const count = (t) => Number((t.match(/(\d+)\D*$/) || [])[1]);
			const total = titles.reduce((n, t) => n + count(t), 0);
			eq(total, Number(row.requests), `requests in the bars' titles of ${row.name}`);
			const todays = titles.filter((t) => t.includes(today));
			eq(todays.length === 1 && count(todays[0]), Number(row.requests), `today's (${today}) bar of ${row.name}`);
		}
		await page.screenshot({ path: path.join(ARTIFACTS, 'keys-page.png') });
	});

	await test('a key named <script>alert(1)</script> shows as text; markup in names stays text', async () => {
		const names = ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>', "x' onmouseover='alert(3)"];
		for (const name of names) {
			await page.goto(`${BASE}/dashboard/keys`);
			const r = await createKey(page, name);
			eq(r.status(), 200, `status of the created page for ${name}`);
			record(await readSecret(page));
			assert((await text(page, 'main, body')).includes(name), `the created page does not show ${name} as text`);
			eq(await page.evaluate(() => document.querySelectorAll('img[src="x"], [onerror], [onmouseover]').length),
				0, `injected elements on the created page of ${name}`);
		}
		await page.goto(`${BASE}/dashboard/keys`);
		const list = await rows(page);
		for (const name of names) {
			const row = list.find((r) => r.name === name);
			assert(row, `no row whose td.name text is ${JSON.stringify(name)} (names: ${JSON.stringify(list.map((r) => r.name))})`);
			eq(row.nameElements, 0, `elements inside td.name of ${name}`);
			eq(row.lastUsedText, 'Never', `td.last-used of an unused key`);
			eq(row.requests, '0', 'td.requests of an unused key');
			st.xssRow = st.xssRow || row;
		}
		const injected = await page.evaluate(() => ({
			scripts: [...document.scripts].filter((s) => !s.src).length,
			imgs: document.querySelectorAll('img[src="x"], [onerror], [onmouseover]').length,
		}));
		eq(injected.scripts, 0, 'inline <script> elements in the page');
		eq(injected.imgs, 0, 'injected elements or handlers');
		// The confirmation page shows the name too.
		await page.goto(new URL(st.xssRow.revokeHref, BASE).href);
		eq(await page.evaluate(() => [...document.scripts].filter((s) => !s.src).length), 0, 'inline scripts on the revoke page');
		await sleep(200);
		eq(dialogs.length, 0, `dialogs opened: ${dialogs.join('; ')}`);
	});

	await test('an invalid name echoed back into the form stays text (markup + a control character)', async () => {
		await page.goto(`${BASE}/dashboard/keys`);
		const before = (await rows(page)).length;
		const name = '"><img src=x onerror=alert(6)><b>bold</b>\u0007';
		const r = await createKey(page, name);
		eq(r.status(), 400, 'status');
		assert((await text(page, 'p.error')).length > 0, 'no p.error');
		const value = await page.inputValue('form#create-key input[name=name]');
		assert(value === '' || value === name, `the name field holds ${JSON.stringify(value)}`);
		eq(await page.evaluate(() => document.querySelectorAll('img[src="x"], [onerror], main b, form b').length),
			0, 'injected elements');
		await page.goto(`${BASE}/dashboard/keys`);
		eq((await rows(page)).length, before, 'rows after the invalid create');
	});

	await test('an invalid name (only white space): 400, the keys page with p.error, no key', async () => {
		await page.goto(`${BASE}/dashboard/keys`);
		const before = (await rows(page)).length;
		const r = await createKey(page, '   \t  ');
		eq(r.status(), 400, 'status');
		assert((await text(page, 'p.error')).length > 0, 'no p.error');
		assert(await page.$('form#create-key'), 'not the keys page');
		await page.goto(`${BASE}/dashboard/keys`);
		eq((await rows(page)).length, before, 'rows after the invalid create');
	});

	await test('names: trimmed of white space, Unicode and form-encoding characters shown as typed', async () => {
		for (const name of ['Clé de déploiement — 東京 🔑', 'a+b & c%20d=e;f?g#h']) {
			await page.goto(`${BASE}/dashboard/keys`);
			const r = await createKey(page, `  ${name}\t `);
			eq(r.status(), 200, 'status of the created page');
			const secret = await readSecret(page);
			assert(KEY_RE.test(secret), 'no secret');
			assert((await text(page, 'main, body')).includes(name), `the created page does not show ${name}`);
			await page.goto(`${BASE}/dashboard/keys`);
			const row = (await rows(page)).find((x) => x.prefix === secret.slice(0, 12));
			eq(row && row.name, name, 'td.name');
		}
	});

	await test('a valid name of 60 code points outside the BMP can be typed whole (docs/api.md: up to 100 code points)', async () => {
		const name = '🔑'.repeat(60);   // 60 code points, 120 UTF-16 units
		await page.goto(`${BASE}/dashboard/keys`);
		await page.fill('form#create-key input[name=name]', '');
		await page.focus('form#create-key input[name=name]');
		await page.keyboard.insertText(name);   // as typing or pasting does
		const typed = await page.inputValue('form#create-key input[name=name]');
		eq([...typed].length, 60, 'code points the name field kept (maxlength counts UTF-16 units, not code points)');
		await click(page, 'form#create-key button[type=submit]');
		const secret = await readSecret(page);
		assert(KEY_RE.test(secret), 'no secret');
		await page.goto(`${BASE}/dashboard/keys`);
		const row = (await rows(page)).find((x) => x.prefix === secret.slice(0, 12));
		eq(row && row.name, name, 'td.name');
	});

	await test('a forged CSRF token: create refused, no key', async () => {
		await page.goto(`${BASE}/dashboard/keys`);
		const before = (await rows(page)).length;
		await forgeCsrf(page, 'form#create-key');
		const r = await createKey(page, 'forged');
		assert(r.status() >= 400 && r.status() < 500, `status ${r.status()} for a forged token (a 4xx expected)`);
		assert(!(await page.$('code#secret')), 'a secret was shown');
		await page.goto(`${BASE}/dashboard/keys`);
		eq((await rows(page)).length, before, 'rows after the forged create');
	});

	await test('revoke asks for confirmation; Cancel keeps the key', async () => {
		const prefix = need(st.secret1, 'secret').slice(0, 12);
		await page.goto(`${BASE}/dashboard/keys`);
		await click(page, `tr.key[data-prefix="${prefix}"] td.actions a.revoke`);
		eq(pathOf(page), `/dashboard/keys/${st.id1}/revoke`, 'the confirmation page');
		assert(await page.$('form#revoke input[name=csrf]'), 'no csrf in form#revoke');
		eq(await page.getAttribute('form#revoke input[name=org]', 'value'), '', 'org of form#revoke');
		eq((await page.getAttribute('form#revoke', 'method') || '').toLowerCase(), 'post', 'form#revoke method');
		assert(await page.$('button#confirm-revoke'), 'no button#confirm-revoke');
		await signedInFrame(page, 'the confirmation page');
		const cancel = page.getByRole('link', { name: /cancel/i });
		eq(await cancel.count(), 1, 'cancel links');
		await navigate(page, () => cancel.click());
		assert(pathOf(page).startsWith('/dashboard/keys'), `Cancel went to ${pathOf(page)}`);
		await page.goto(`${BASE}/dashboard/keys`);
		const row = (await rows(page)).find((r) => r.prefix === prefix);
		assert(row && row.active && row.status === 'Active', 'the key is no longer active after Cancel');
	});

	await test('revoke: 303 to ?revoked=1, the row "Revoked" without a revoke link', async () => {
		const prefix = need(st.secret1, 'secret').slice(0, 12);
		await page.goto(`${BASE}/dashboard/keys`);
		await click(page, `tr.key[data-prefix="${prefix}"] td.actions a.revoke`);
		const r = await click(page, 'button#confirm-revoke');
		eq(await redirectStatus(r), 303, 'status of POST …/revoke');
		eq(pathOf(page), '/dashboard/keys?revoked=1', 'page after revoking');
		const row = (await rows(page)).find((x) => x.prefix === prefix);
		assert(row, 'the revoked key is not listed with revoked=1');
		eq(row.revoked && !row.active, true, 'class key-revoked');
		eq(row.status, 'Revoked', 'td.status');
		eq(row.revokeHref, null, 'a.revoke of a revoked key');
		eq(await text(page, 'a#toggle-revoked'), 'Hide revoked keys', 'the toggle');
	});

	await test('the revoked key: the API answers 401 api_key_revoked', async () => {
		const r = await apiFromPage(page, '/v1/me', need(st.secret1, 'secret'));
		eq(r.status, 401, 'status of GET /v1/me');
		eq(r.body.error_code, 'api_key_revoked', 'error_code');
		assert((r.wwwAuth || '').startsWith('Bearer'), `WWW-Authenticate is ${r.wwwAuth}`);
	});

	await test('"Hide revoked keys" hides it again', async () => {
		const prefix = need(st.secret1, 'secret').slice(0, 12);
		await page.goto(`${BASE}/dashboard/keys?revoked=1`);
		await click(page, 'a#toggle-revoked');
		eq(new URL(page.url()).searchParams.get('revoked'), null, 'revoked= after the toggle');
		assert(!(await rows(page)).some((r) => r.prefix === prefix), 'the revoked key is still listed');
		eq(await text(page, 'a#toggle-revoked'), 'Show revoked keys', 'the toggle');
	});

	await test('an unknown page under /dashboard/: an HTML 404 with the same headers', async () => {
		const r = await page.goto(`${BASE}/dashboard/no-such-page`);
		eq(r.status(), 404, 'status');
		eq(r.headers()['content-type'], 'text/html; charset=utf-8', 'Content-Type');
		eq(r.headers()['content-security-policy'], CSP, 'Content-Security-Policy');
		assert(await page.$('body'), 'no HTML body');
	});

	await test('revoke page of an unknown key: 404; a wrong method: 405 with Allow', async () => {
		const r = await page.goto(`${BASE}/dashboard/keys/${randomUUID()}/revoke`);
		eq(r.status(), 404, 'status');
		await signedInFrame(page, 'the 404 page');
		const p = await context.request.fetch(`${BASE}/dashboard/keys/created`, { method: 'DELETE', maxRedirects: 0 });
		eq(p.status(), 405, 'status of DELETE /dashboard/keys/created');
		assert(p.headers()['allow'], 'no Allow header');
	});

	await test('/dashboard and the log-in page, with a live session, lead to /dashboard/keys', async () => {
		for (const p of ['/dashboard', '/dashboard/', '/dashboard/login']) {
			const r = await page.goto(`${BASE}${p}`);
			eq(await redirectStatus(r), 303, `status of GET ${p}`);
			eq(pathOf(page), '/dashboard/keys', `page after GET ${p}`);
		}
	});

	await test('switch to the organization: ?org=ID, the option selected, no personal keys', async () => {
		await page.goto(`${BASE}/dashboard/keys`);
		const r = await switchContext(page, fx.org.id);
		eq(r.status(), 200, 'status');
		eq(pathOf(page), `/dashboard/keys?org=${fx.org.id}`, 'page');
		const sel = (await contextOptions(page)).find((o) => o.selected);
		eq(sel && sel.value, fx.org.id, 'the selected option');
		eq(await page.getAttribute('form#create-key input[name=org]', 'value'), fx.org.id, 'hidden org of the create form');
		const list = await rows(page);
		assert(!list.some((x) => x.prefix === need(st.secret2, 'secret').slice(0, 12)), 'a personal key is listed in the org');
	});

	await test("as 'member': only the org keys you created (not the owner's or the admin's)", async () => {
		const before = await rows(page);
		assert(!before.some((x) => x.id === fx.oliviaKey.id || x.id === fx.bobKey.id), "the owner's or the admin's key is listed");
		eq(before.length, 0, 'org keys listed before creating one');
		assert(await page.$('p.empty'), 'no p.empty');
		st.orgName = 'Member build key';
		const r = await createKey(page, st.orgName);
		eq(pathOf(page), `/dashboard/keys/created?org=${fx.org.id}`, 'the created page');
		eq(r.status(), 200, 'status');
		st.orgSecret = await readSecret(page);
		assert(KEY_RE.test(st.orgSecret), 'no secret');
		const me = await apiFromPage(page, '/v1/me', st.orgSecret);
		eq(me.status, 200, 'GET /v1/me with the org key');
		eq(me.body.api_key.organization_id, fx.org.id, 'api_key.organization_id');
		eq(me.body.organization && me.body.organization.role, 'member', 'organization.role');
		st.orgKeyId = me.body.api_key.id;
		const again = await page.reload();
		eq(again.status(), 410, 'status of the created page (org) after a reload');
		assert(!(await page.$('code#secret')), 'the secret is shown again');
		await page.goto(`${BASE}/dashboard/keys?org=${fx.org.id}`);
		const after = await rows(page);
		eq(JSON.stringify(after.map((x) => x.id)), JSON.stringify([st.orgKeyId]), 'org keys listed');
		await page.goto(`${BASE}/dashboard/keys`);
		assert(!(await rows(page)).some((x) => x.id === st.orgKeyId), 'the org key is listed in the personal context');
	});

	await test("as 'member': the revoke page of another member's org key is 404", async () => {
		const r = await page.goto(`${BASE}/dashboard/keys/${fx.oliviaKey.id}/revoke?org=${fx.org.id}`);
		eq(r.status(), 404, "status for the owner's key");
		assert(!(await page.$('form#revoke')), 'a revoke form is shown');
		const own = await page.goto(`${BASE}/dashboard/keys/${need(st.orgKeyId, 'org key')}/revoke?org=${fx.org.id}`);
		eq(own.status(), 200, 'status for your own org key');
		eq(await page.getAttribute('form#revoke input[name=org]', 'value'), fx.org.id, 'org of form#revoke');
	});

	await test("a role change shows at the next page: promoted to 'admin', every org key", async () => {
		admin(['org', 'add-member', fx.org.id, fx.alice.id, '--role', 'admin']);
		try {
			await page.goto(`${BASE}/dashboard/keys?org=${fx.org.id}`);
			const opt = (await contextOptions(page)).find((o) => o.value === fx.org.id);
			eq(opt && opt.text, `${fx.org.name} (admin)`, 'the option');
			const ids = (await rows(page)).map((x) => x.id);
			assert(ids.includes(fx.oliviaKey.id) && ids.includes(fx.bobKey.id), "the owner's and the admin's keys are not listed");
		} finally {
			admin(['org', 'add-member', fx.org.id, fx.alice.id, '--role', 'member']);
		}
		await page.goto(`${BASE}/dashboard/keys?org=${fx.org.id}`);
		assert(!(await rows(page)).some((x) => x.id === fx.oliviaKey.id), "as 'member' again, the owner's key is listed");
	});

	await test('a deactivated organization leaves the switcher and answers 403', async () => {
		await page.goto(`${BASE}/dashboard/keys?org=${fx.org2.id}`);
		eq(pathOf(page), `/dashboard/keys?org=${fx.org2.id}`, 'page before');
		admin(['org', 'deactivate', fx.org2.id]);
		const r = await page.goto(`${BASE}/dashboard/keys?org=${fx.org2.id}`);
		eq(r.status(), 403, 'status');
		await page.goto(`${BASE}/dashboard/keys`);
		assert(!(await contextOptions(page)).some((o) => o.value === fx.org2.id), 'the organization is still offered');
	});

	await test('org that is not an id: 400; an organization you are not in: 403', async () => {
		eq((await page.goto(`${BASE}/dashboard/keys?org=acme`)).status(), 400, 'status for org=acme');
		eq((await page.goto(`${BASE}/dashboard/keys?org=${randomUUID()}`)).status(), 403, 'status for an unknown org');
	});

	await test('the 400 and 403 pages of a bad org are signed-in pages: log-out form and switcher', async () => {
		await page.goto(`${BASE}/dashboard/keys?org=acme`);
		await signedInFrame(page, 'the 400 page (org=acme)');
		await page.goto(`${BASE}/dashboard/keys?org=${randomUUID()}`);
		await signedInFrame(page, 'the 403 page (an organization you are not in)');
	});

	await test('a cross-site form posting to /dashboard/keys creates no key', async () => {
		const site = await attackerSite({ '/csrf': () =>
			`<form id="f" method="post" action="${BASE}/dashboard/keys"><input name="name" value="cross-site ${run}">` +
			'<input name="org" value=""><input name="csrf" value="guess"></form>' });
		const tab = await context.newPage();
		watch(tab, 'attacker tab', { problems: [], dialogs: [] });
		try {
			await tab.goto(`${site.base}/csrf`);
			await navigate(tab, () => tab.evaluate(() => document.getElementById('f').submit()));
			assert(!(await tab.$('code#secret')), 'a secret was shown');
			const at = new URL(tab.url());
			assert(at.origin === BASE && at.pathname.startsWith('/dashboard'), `the post did not reach the dashboard (${tab.url()})`);
			await page.goto(`${BASE}/dashboard/keys?revoked=1`);
			assert(!(await rows(page)).some((x) => x.name === `cross-site ${run}`), 'the cross-site post created a key');
		} finally {
			await tab.close();
			site.close();
		}
	});

	await test('another site cannot frame the dashboard (frame-ancestors, X-Frame-Options)', async () => {
		const site = await attackerSite({
			'/frame': () => `<iframe id="own" src="/own"></iframe><iframe id="dash" src="${BASE}/dashboard/login"></iframe>`,
			'/own': () => '<p id="own-content">a frame of the same site</p>',
		});
		const tab = await context.newPage();
		watch(tab, 'framer tab', { problems: [], dialogs: [] });
		let answered = null;
		// (SameSite=Strict: a frame of another site has no session, so the log-in page.)
		tab.on('response', (r) => { if (r.url().startsWith(`${BASE}/dashboard/login`)) answered = r.status(); });
		try {
			await tab.goto(`${site.base}/frame`);   // 'load' waits for both frames
			const own = tab.frames().find((f) => f.url().endsWith('/own'));
			assert(own && (await until(() => own.$('#own-content'))), 'frames do not work at all on this page');
			await until(() => answered !== null);
			const frames = tab.frames().filter((f) => f !== tab.mainFrame());
			eq(answered, 200, 'status of the framed /dashboard/login (the request went through)');
			const dash = frames.find((f) => f !== own);
			assert(dash, 'no dashboard frame');
			const shown = await dash.$('form#login').catch(() => null);
			assert(!shown, 'the log-in page was rendered inside a frame of another site');
		} finally {
			await tab.close();
			site.close();
		}
	});

	await test('a forged CSRF token on log-out: 403, still signed in', async () => {
		await page.goto(`${BASE}/dashboard/keys`);
		await forgeCsrf(page, 'form#logout');
		const r = await click(page, 'form#logout button, form#logout input[type=submit]');
		eq(r.status(), 403, 'status');
		const back = await page.goto(`${BASE}/dashboard/keys`);
		eq(pathOf(page), '/dashboard/keys', 'page after the refused log-out');
		eq(back.status(), 200, 'status');
	});

	await test('log out: 303 to the log-in page; /dashboard/keys then leads there; the old cookie is dead', async () => {
		const old = need(st.sessionCookie, 'session cookie');
		await page.goto(`${BASE}/dashboard/keys`);
		const r = await click(page, 'form#logout button, form#logout input[type=submit]');
		eq(await redirectStatus(r), 303, 'status of POST /dashboard/logout');
		eq(pathOf(page), '/dashboard/login', 'page after log-out');
		assert(!(await cookie(context, 'ps_session')), 'ps_session is still set');
		await page.goto(`${BASE}/dashboard/keys`);
		eq(pathOf(page), '/dashboard/login', 'page for /dashboard/keys after log-out');
		// The server deleted the session: the old cookie, put back, gets nowhere.
		await context.addCookies([{ name: old.name, value: old.value, domain: old.domain, path: old.path,
			httpOnly: true, sameSite: 'Strict', secure: false }]);
		await page.goto(`${BASE}/dashboard/keys`);
		eq(pathOf(page), '/dashboard/login', 'page for /dashboard/keys with the old cookie');
		await context.clearCookies();
	});

	await test('after log-out, the back button shows no key list', async () => {
		await login(page, fx.alice);
		eq(pathOf(page), '/dashboard/keys', 'signed in again');
		await click(page, 'form#logout button, form#logout input[type=submit]');
		eq(pathOf(page), '/dashboard/login', 'page after log-out');
		await page.goBack();
		eq(pathOf(page), '/dashboard/login', 'page after the back button');
		assert(!(await page.$('table#keys, form#create-key')), 'the key list is shown');
	});

	await test('a form left open in another tab after log-out leads to the log-in page', async () => {
		await login(page, fx.alice);
		const other = await context.newPage();
		watch(other, 'alice tab 2');
		try {
			await other.goto(`${BASE}/dashboard/keys`);
			eq(pathOf(other), '/dashboard/keys', 'the second tab');
			await click(page, 'form#logout button, form#logout input[type=submit]');
			eq(pathOf(page), '/dashboard/login', 'the first tab after log-out');
			await createKey(other, 'after log-out');
			eq(pathOf(other), '/dashboard/login', 'the second tab after submitting');
			assert(!(await other.$('code#secret')), 'a secret was shown');
		} finally {
			await other.close();
		}
	});

	const bobSession = await newSession('bob');
	await test("as 'admin': every key of the organization", async () => {
		const { page: p } = bobSession;
		const r = await login(p, fx.bob);
		eq(pathOf(p), '/dashboard/keys', 'page after log-in');
		eq(r.status(), 200, 'status');
		eq((await contextOptions(p)).find((o) => o.value === fx.org.id)?.text, `${fx.org.name} (admin)`, 'the option');
		assert((await p.innerText('body')).includes(fx.bob.name), "the account's name (with markup) is not shown as text");
		eq(await p.evaluate(() => document.querySelectorAll('img[src="x"], [onerror]').length), 0, 'injected elements');
		await switchContext(p, fx.org.id);
		const ids = (await rows(p)).map((x) => x.id);
		for (const [what, id] of [["the owner's key", fx.oliviaKey.id], ["the admin's key", fx.bobKey.id],
			["the member's key", need(st.orgKeyId, 'org key')]])
			assert(ids.includes(id), `${what} is not listed`);
		eq(ids.length, 3, 'keys listed');
		const rv = await p.goto(`${BASE}/dashboard/keys/${st.orgKeyId}/revoke?org=${fx.org.id}`);
		eq(rv.status(), 200, "status of the revoke page of the member's key");
	});

	await test("as 'admin': revoke the member's key: 303 to ?revoked=1&org=ID, the API answers 401", async () => {
		const { page: p } = bobSession;
		await p.goto(`${BASE}/dashboard/keys/${need(st.orgKeyId, 'org key')}/revoke?org=${fx.org.id}`);
		const r = await click(p, 'button#confirm-revoke');
		eq(await redirectStatus(r), 303, 'status of POST …/revoke');
		const at = new URL(p.url());
		eq(at.pathname, '/dashboard/keys', 'page after revoking');
		eq(JSON.stringify([...at.searchParams].sort()), JSON.stringify([['org', fx.org.id], ['revoked', '1']]), 'its query');
		const row = (await rows(p)).find((x) => x.id === st.orgKeyId);
		eq(row && row.status, 'Revoked', 'td.status');
		const api = await apiFromPage(p, '/v1/me', need(st.orgSecret, 'org secret'));
		eq(api.status, 401, 'status of GET /v1/me with the revoked org key');
		eq(api.body.error_code, 'api_key_revoked', 'error_code');
	});

	await test('deactivating an account ends its dashboard session', async () => {
		const { page: p } = bobSession;
		await p.goto(`${BASE}/dashboard/keys?org=${fx.org.id}`);
		eq(pathOf(p), `/dashboard/keys?org=${fx.org.id}`, 'signed in before');
		admin(['account', 'deactivate', fx.bob.id]);
		await p.goto(`${BASE}/dashboard/keys?org=${fx.org.id}`);
		eq(pathOf(p), '/dashboard/login', 'page after the deactivation');
	});
	await bobSession.context.close();

	await test('without JavaScript: log in, create, read the secret, switch context, revoke', async () => {
		const s = await newSession('olivia (no JavaScript)', undefined, { javaScriptEnabled: false });
		try {
			const p = s.page;
			await login(p, fx.olivia);
			eq(pathOf(p), '/dashboard/keys', 'page after log-in');
			await createKey(p, 'made without JavaScript');
			eq(pathOf(p), '/dashboard/keys/created', 'the created page');
			const secret = await readSecret(p);
			assert(KEY_RE.test(secret), 'no secret');
			await p.selectOption('form#context select[name=org]', fx.org.id);
			await click(p, CONTEXT_SUBMIT);
			eq(pathOf(p), `/dashboard/keys?org=${fx.org.id}`, 'page after switching');
			await click(p, `tr.key[data-key-id="${fx.oliviaKey.id}"] td.actions a.revoke`);
			await click(p, 'button#confirm-revoke');
			const row = (await rows(p)).find((x) => x.id === fx.oliviaKey.id);
			eq(row && row.status, 'Revoked', "the owner's org key after revoking");
		} finally {
			await s.context.close();
		}
	});

	await test('the copy button on a plain-HTTP host name (no navigator.clipboard) falls back to a selection copy', async () => {
		const plainBase = BASE.replace('127.0.0.1', PLAIN_HOST);
		assert(plainBase !== BASE, `E2E_BASE_URL ${BASE} does not name 127.0.0.1`);
		const s = await newSession('olivia (plain HTTP host)');
		const reader = await newSession('clipboard reader');
		try {
			await reader.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
			await reader.page.goto(`${BASE}/dashboard/login`);
			const readClipboard = () => reader.page.evaluate(() => navigator.clipboard.readText());
			const p = s.page;
			await p.goto(`${plainBase}/dashboard/login`);
			eq(await p.evaluate(() => window.isSecureContext), false, 'isSecureContext on the plain host');
			await p.fill('form#login input[name=email]', fx.olivia.email);
			await p.fill('form#login input[name=password]', fx.olivia.password);
			await click(p, 'form#login button[type=submit]');
			eq(pathOf(p), '/dashboard/keys', 'page after log-in on the plain host');
			await createKey(p, 'copied on plain HTTP');
			const secret = await readSecret(p);
			assert(KEY_RE.test(secret), 'no secret');
			// Can this headless browser copy a selection at all?
			try {
				await reader.page.evaluate(() => navigator.clipboard.writeText('e2e clipboard sentinel'));
				const probe = await p.evaluate(() => {
					const t = document.createElement('span');
					t.textContent = 'e2e selection probe';
					document.body.appendChild(t);
					const r = document.createRange();
					r.selectNodeContents(t);
					getSelection().removeAllRanges();
					getSelection().addRange(r);
					const ok = document.execCommand('copy');
					getSelection().removeAllRanges();
					t.remove();
					return ok;
				});
				assert(probe && (await readClipboard()) === 'e2e selection probe', 'no selection copy');
			} catch (e) {
				throw new Skip(`headless Chromium cannot copy a selection here (${e.message.split('\n')[0]})`);
			}
			await p.click('button#copy-secret');
			let got;
			for (let i = 0; i < 20 && got !== secret; i++) {
				got = await readClipboard();
				if (got !== secret)
					await sleep(50);
			}
			assert(got === secret, 'the clipboard does not hold the secret after the click');
		} finally {
			await s.context.close();
			await reader.context.close();
		}
	});

	await test('53 keys: 50 on the first page, a link to the older ones, then the last 3', async () => {
		const paula = newAccount('paula', 'Paula Pages');
		const made = [];
		for (let i = 1; i <= 53; i++)
			made.push(adminKey(paula, null, `bulk ${String(i).padStart(2, '0')}`).id);
		const s = await newSession('paula');
		try {
			await login(s.page, paula);
			eq(pathOf(s.page), '/dashboard/keys', 'page after log-in');
			const first = await rows(s.page);
			eq(first.length, 50, 'rows on the first page');
			eq(first[0].name + ' … ' + first[49].name, 'bulk 53 … bulk 04', 'first page');
			const older = s.page.locator('a[href*="after="]');
			eq(await older.count(), 1, 'links to older keys');
			await navigate(s.page, () => older.click());
			eq(new URL(s.page.url()).searchParams.get('after'), first[49].id, 'after= of the link');
			const second = await rows(s.page);
			eq(JSON.stringify(second.map((x) => x.name)), JSON.stringify(['bulk 03', 'bulk 02', 'bulk 01']), 'second page');
			eq(await s.page.locator('a[href*="after="]').count(), 0, 'links to older keys on the last page');
			const seen = new Set([...first, ...second].map((x) => x.id));
			eq(seen.size, 53, 'distinct keys over both pages');
			assert(made.every((id) => seen.has(id)), 'a key is missing from the pages');
			// The same with revoked keys shown: the link keeps revoked=1.
			await s.page.goto(`${BASE}/dashboard/keys?revoked=1`);
			eq((await rows(s.page)).length, 50, 'rows on the first page with revoked=1');
			await navigate(s.page, () => s.page.locator('a[href*="after="]').click());
			eq(new URL(s.page.url()).searchParams.get('revoked'), '1', 'revoked= on the second page');
			eq((await rows(s.page)).length, 3, 'rows on the second page with revoked=1');
			eq(await text(s.page, 'a#toggle-revoked'), 'Hide revoked keys', 'the toggle on the second page');
		} finally {
			await s.context.close();
		}
	});

	await test('the monitors work: an injected inline script is reported as a CSP violation, alert() as a dialog', async () => {
		const sink = { problems: [], dialogs: [] };
		const probe = await newSession('probe', sink);
		await probe.page.goto(`${BASE}/dashboard/login`);
		await probe.page.evaluate(() => {
			const s = document.createElement('script');
			s.textContent = 'window.e2eInline = 1';
			document.body.appendChild(s);
			const st = document.createElement('div');
			st.setAttribute('style', 'color: red');
			document.body.appendChild(st);
		});
		await probe.page.evaluate(() => alert('probe'));
		await until(() => sink.problems.some((p) => /script-src/.test(p)) && sink.problems.some((p) => /style-src/.test(p)));
		await probe.context.close();
		assert(sink.problems.some((p) => /CSP violation: script-src/.test(p)), `inline script not reported (${sink.problems.length} reports)`);
		assert(sink.problems.some((p) => /CSP violation: style-src/.test(p)), 'inline style not reported');
		eq(sink.dialogs.length, 1, 'dialogs seen');
	});

	await test('no CSP violation, console error, page error or failed asset on any page', async () => {
		assert(pagesSeen >= 20, `only ${pagesSeen} dashboard pages were watched`);
		assert(problems.length === 0, `${problems.length}: ${problems.slice(0, 3).join(' | ')}`);
	});

	await test('no dialog ever opened', async () => {
		assert(dialogs.length === 0, dialogs.join('; '));
	});
	await context.close();
} catch (e) {
	failed++;
	console.log(`FAIL the run stopped: ${redact(e && e.stack ? e.stack.split('\n').slice(0, 3).join(' ') : e)}`);
} finally {
	if (browser)
		await browser.close().catch(() => {});
	clearTimeout(watchdog);
}

console.log(`e2e: ${pagesSeen} dashboard pages in ${((Date.now() - started) / 1000).toFixed(1)} s` +
	(skipped ? `, ${skipped} skipped` : '') + `; screenshots in ${ARTIFACTS}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
