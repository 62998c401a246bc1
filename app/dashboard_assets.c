/*
 * The dashboard's stylesheet and script, served from the binary: no external
 * assets, and the Content-Security-Policy allows only these ('self').
 */
#include "dash.h"

#include <string.h>

static const char css[] =
	":root{--fg:#1c2330;--muted:#5b6575;--line:#dfe3ea;--accent:#2456d6;--bad:#b3261e;"
	"--ok:#1a7f37;font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--fg)}\n"
	"body{margin:0;background:#f6f7f9}\n"
	"header{display:flex;gap:1rem;align-items:center;padding:.6rem 1.5rem;background:#fff;"
	"border-bottom:1px solid var(--line)}\n"
	"header .brand{font-weight:700;color:var(--fg);text-decoration:none;margin-right:auto}\n"
	"header form{margin:0}\n"
	"header select{max-width:18rem}\n"
	".account{color:var(--muted)}\n"
	"main{max-width:72rem;margin:1.5rem auto;padding:0 1.5rem}\n"
	"h1 small{font-weight:400;color:var(--muted);font-size:.6em;margin-left:.5rem}\n"
	"form#login{display:grid;gap:.8rem;max-width:22rem}\n"
	"form#login label{display:grid;gap:.3rem}\n"
	"form#create-key{display:flex;gap:.6rem;align-items:end;margin:1rem 0}\n"
	"input,select,button{font:inherit;padding:.35rem .6rem;border:1px solid var(--line);"
	"border-radius:6px;background:#fff}\n"
	"button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer}\n"
	"header button{background:#fff;color:var(--fg);border-color:var(--line)}\n"
	"button.danger{background:var(--bad);border-color:var(--bad)}\n"
	"table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line)}\n"
	"th,td{text-align:left;padding:.5rem .7rem;border-bottom:1px solid var(--line);"
	"vertical-align:middle}\n"
	"th{font-size:.85rem;color:var(--muted);font-weight:600}\n"
	"td.requests{font-variant-numeric:tabular-nums}\n"
	"tr.key-revoked{color:var(--muted)}\n"
	"tr.key-revoked td.status{color:var(--bad)}\n"
	"td.status a.leak-url{color:inherit;word-break:break-all}\n"
	"tr.key-active td.status{color:var(--ok)}\n"
	"time[title]{text-decoration:underline dotted;cursor:help}\n"
	".usage-chart rect.bar{fill:var(--accent)}\n"
	".usage-chart rect.bar.idle{fill:var(--line)}\n"
	".usage-chart rect.refused{fill:#c0392b}\n"
	"p.error{color:var(--bad)}\n"
	"p.warning{background:#fff4e5;border:1px solid #f0c36d;padding:.6rem .8rem;"
	"border-radius:6px}\n"
	"p.hint,p.empty{color:var(--muted)}\n"
	".secret{display:flex;gap:.6rem;align-items:center;margin:1rem 0}\n"
	"code#secret{font-size:1.05rem;background:#fff;border:1px solid var(--line);"
	"padding:.5rem .7rem;border-radius:6px;user-select:all;word-break:break-all}\n"
	"nav.pages{margin:1rem 0;display:flex;gap:1rem}\n";

/*
 * The copy button (the page works without it: the secret can be selected),
 * and the context switcher submitting on change.
 */
static const char js[] =
	"'use strict';\n"
	"document.addEventListener('DOMContentLoaded', function () {\n"
	"  var sel = document.getElementById('context-org');\n"
	"  if (sel) sel.addEventListener('change', function () { sel.form.submit(); });\n"
	"  var btn = document.getElementById('copy-secret');\n"
	"  if (!btn) return;\n"
	"  btn.addEventListener('click', function () {\n"
	"    var code = document.getElementById(btn.getAttribute('data-copy'));\n"
	"    var done = function () { btn.textContent = 'Copied'; };\n"
	"    var select = function () {\n"
	"      var range = document.createRange();\n"
	"      range.selectNodeContents(code);\n"
	"      var s = window.getSelection();\n"
	"      s.removeAllRanges();\n"
	"      s.addRange(range);\n"
	"      try { if (document.execCommand('copy')) done(); } catch (e) { }\n"
	"    };\n"
	"    if (navigator.clipboard && window.isSecureContext)\n"
	"      navigator.clipboard.writeText(code.textContent).then(done, select);\n"
	"    else\n"
	"      select();\n"
	"  });\n"
	"});\n";

static const struct dash_asset assets[] = {
	{"app.css", "text/css; charset=utf-8", css},
	{"app.js", "text/javascript; charset=utf-8", js},
};

const struct dash_asset *
dash_asset(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(assets) / sizeof(assets[0]); i++)
		if (strlen(assets[i].name) == len && memcmp(assets[i].name, name, len) == 0)
			return &assets[i];
	return NULL;
}

void
dash_asset_page(struct dash *d)
{
	const struct request_str *seg = &d->req->seg[2];
	const struct dash_asset *a = dash_asset(seg->s, seg->len);

	if (a == NULL) {
		dash_send_message(d, 404, "Not found", "There is no such page.");
		return;
	}
	response_bytes(d->resp, 200, a->content_type, "max-age=3600", (char *)a->body,
	               strlen(a->body), false);
}
