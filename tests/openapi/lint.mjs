// Lints an OpenAPI description with Redocly CLI: the recommended ruleset
// (redocly.yaml here), less the problems .redocly.lint-ignore.yaml ignores one
// by one, each with its reason.
//
//   node lint.mjs SPEC
//
// Every error and every warning is a failure: each is printed with its rule and
// place, then "N passed, N failed" (1 passed when there is none).
import { spawnSync } from 'node:child_process';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const spec = resolve(process.argv[2] ?? '');
// Run from here, where the ignore file is; it names the document relative to itself.
const run = spawnSync(join(here, 'node_modules', '.bin', 'redocly'),
  ['lint', '--config', 'redocly.yaml', '--format=json', relative(here, spec)],
  { cwd: here, encoding: 'utf8', maxBuffer: 64 << 20 });
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  console.log(`redocly lint gave no report (exit ${run.status}): ${run.error ?? ''}`);
  console.log((run.stderr ?? '').split('\n').filter((l) => !/[║╔╚]/.test(l)).join('\n').slice(-2000));
  console.log('0 passed, 1 failed');
  process.exit(1);
}
for (const p of report.problems) {
  console.log(`${p.severity.toUpperCase()} ${p.ruleId}: ${p.message} (at ${p.location?.[0]?.pointer ?? '?'})`);
}
const { errors, warnings, ignored } = report.totals;
console.log(`${relative(process.cwd(), spec)}: ${errors} errors, ${warnings} warnings of Redocly's ` +
  `recommended rules (${ignored} ignored by tests/openapi/.redocly.lint-ignore.yaml)`);
console.log(`${errors + warnings === 0 ? 1 : 0} passed, ${errors + warnings} failed`);
process.exit(errors + warnings === 0 ? 0 : 1);
