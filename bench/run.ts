/**
 * Runs every benchmark in bench/ (or the ones named on the command line) one after another, then
 * prints issue 16's table: for each row the figure, its baseline from the same run, the ratio and the
 * goal (a row no selected bench measured says which bench does).
 * Each bench prints its own figures, measured against a baseline in the same run.
 *   npm run bench [-- [names...] [--runs N] [--scaling]]
 * --runs N sets every bench's runs per figure ($OCLHUB_BENCH_RUNS); --scaling adds bench/lint.ts's
 * 10 / 100 / 1,000 / 5,000-project table ($OCLHUB_BENCH_SCALING=1), which takes several minutes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countOption, flag, issueTable, machineLine, positionals, readRows } from './_report.js';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const wanted = positionals(argv, ['runs']);
/** Files in bench/ that are not benchmarks: helpers start with `_`; the hub generator is lint's and api's. */
const NOT_BENCHES = new Set(['run.ts', 'generate-hub.ts']);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !NOT_BENCHES.has(f) && !f.startsWith('_'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

const scratch = mkdtempSync(join(tmpdir(), 'oclhub-bench-rows-'));
const rows = join(scratch, 'rows.jsonl');
const env: NodeJS.ProcessEnv = { ...process.env, OCLHUB_BENCH_ROWS: rows };
if (argv.includes('--runs')) env.OCLHUB_BENCH_RUNS = String(countOption(argv, 'runs', 3));
if (flag(argv, 'scaling')) env.OCLHUB_BENCH_SCALING = '1';

let failed = 0;
try {
  process.stdout.write(`${machineLine()}\n`);
  for (const file of benches) {
    process.stdout.write(`\n=== bench/${file}\n`);
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, file)], { stdio: 'inherit', env });
    if (result.status !== 0) {
      failed++;
      process.stdout.write(`bench/${file} FAILED (exit ${result.status ?? result.signal})\n`);
    }
  }
  process.stdout.write(`\n=== issue 16: speed at fleet scale (figures from this run)\n\n${issueTable(readRows(rows))}\n`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
