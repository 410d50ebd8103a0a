/**
 * `oclhub lint` at hub scale, from a cold CLI start: a generated hub of 1,000 projects × 4 environments
 * × 25 policies (100,000 policy evaluations), linted by spawning `node bin/oclhub.js lint` (after
 * `npm run build`). Prints the cold time (empty cache) and evaluations per second, then the time of a
 * second run on the unchanged repository (cached results) and the ratio; then, as a baseline measured
 * in the same run, a CLI start that does nothing (`oclhub --version`), and a run after one project
 * changed (per-project cache: one project re-evaluated).
 *   npx tsx bench/lint.ts [projects] [environments] [policies]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { generateHub } from './generate-hub.js';

const projects = Number(process.argv[2] ?? 1000);
const environments = Number(process.argv[3] ?? 4);
const policies = Number(process.argv[4] ?? 25);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin/oclhub.js');

function cli(cwd: string, args: string[], env: NodeJS.ProcessEnv): { ms: number; status: number | null; stderr: string } {
  const start = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, env: { ...process.env, ...env, CI: '1' }, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  return { ms: performance.now() - start, status: r.status, stderr: r.stderr };
}

const work = mkdtempSync(path.join(tmpdir(), 'oclhub-bench-lint-'));
try {
  process.stdout.write('building (npm run build)…\n');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  const hub = path.join(work, 'hub');
  let t = performance.now();
  await generateHub(hub, projects, environments, policies);
  process.stdout.write(`generated ${projects} projects × ${environments} environments × ${policies} policies in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  const cache = path.join(work, 'cache');
  const env = { OCLHUB_CACHE_DIR: cache };
  const out = path.join(work, 'report.json');
  const lintArgs = ['lint', '--format', 'json', '--output', out];

  const baseline = cli(hub, ['--version'], env);
  const cold = cli(hub, lintArgs, env);
  if (cold.status !== 0 && cold.status !== 1) throw new Error(`lint failed (${cold.status}): ${cold.stderr}`);
  const coldText = readFileSync(out, 'utf8');
  const report = JSON.parse(coldText) as { evaluations: { decisions: unknown[] }[] };
  const evaluations = report.evaluations.reduce((n, e) => n + e.decisions.length, 0);
  const warm = cli(hub, lintArgs, env);
  const sameReport = readFileSync(out, 'utf8') === coldText;

  // One project changes: the whole-run cache misses, the per-project cache re-evaluates only that project.
  const changed = path.join(hub, 'projects/app-0001/.octopus/deployment_process.ocl');
  writeFileSync(changed, readFileSync(changed, 'utf8').replace('echo prepare', 'echo prepared'));
  execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-qam', 'change one project'], { cwd: hub });
  const oneChanged = cli(hub, lintArgs, env);

  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  process.stdout.write(`\nCLI start baseline (oclhub --version):     ${s(baseline.ms)}\n`);
  process.stdout.write(`cold lint (empty cache):                    ${s(cold.ms)}  — ${evaluations.toLocaleString('en')} evaluations, ${Math.round(evaluations / (cold.ms / 1000)).toLocaleString('en')} evaluations/s (exit ${cold.status})\n`);
  process.stdout.write(`second run, unchanged repository (cached):  ${s(warm.ms)}  — ${(cold.ms / warm.ms).toFixed(1)}x faster than cold (target ≥ 5x)${sameReport ? ', identical report' : ', REPORT DIFFERS'}\n`);
  process.stdout.write(`after one project changed (per-project):    ${s(oneChanged.ms)}  — ${(cold.ms / oneChanged.ms).toFixed(1)}x faster than cold\n`);
  process.stdout.write(`cold lint minus CLI start:                  ${s(cold.ms - baseline.ms)}  (target: total under 10 s)\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
