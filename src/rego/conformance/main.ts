/** `npm run conformance:rego -- <dir>...`: runs the YAML cases and prints failures, skips, expected rejections and a JSON summary. */
import { formatOutcome, runConformance } from './runner.js';

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  process.stderr.write('usage: conformance:rego -- <dir-or-file>...\n');
  process.exit(2);
}
const summary = runConformance(dirs);
for (const o of summary.outcomes) if (o.status !== 'passed') process.stdout.write(formatOutcome(o) + '\n');
const { total, passed, failed, skipped, rejected } = summary;
process.stdout.write(JSON.stringify({ total, passed, failed, skipped, rejected }) + '\n');
process.exitCode = failed > 0 ? 1 : 0;
