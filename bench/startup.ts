/**
 * Start-up of the `oclhub` command, against bare Node (`node -e 0`) measured in the same run.
 * Goals (issue 14): `oclhub --version` ≤ 2× bare Node; `oclhub validate <one file>` ≤ 0.35 s wall.
 *
 * Each command runs RUNS times, the commands interleaved so that they share the machine's load;
 * medians are printed: wall clock (what the goals name) and, where /usr/bin/time exists, CPU time
 * (user + system), which a loaded machine inflates less. The levers are measured too: the compiled modules without the bundle
 * (OCLHUB_UNBUNDLED=1), and every command loaded (`--help`), which is what `--version` cost before
 * it was answered without loading commands.
 *
 *   npx tsx bench/startup.ts [runs] [--compare DIR]
 *
 * `--compare DIR` adds the same commands run from another built checkout (e.g. an older commit
 * extracted with `git archive` and built with `tsc`), for before/after figures in one run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const compareAt = args.indexOf('--compare');
const compare = compareAt >= 0 ? path.resolve(args[compareAt + 1]!) : undefined;
const runs = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--compare') ?? 15);
const bin = path.join(root, 'bin/oclhub.js');
const oneFile = path.join(root, 'templates/demo/projects/payments-api/.octopus/deployment_process.ocl');

if (!existsSync(path.join(root, 'dist/bundle/oclhub.js')) || !existsSync(path.join(root, 'dist/cli/main.js'))) {
  process.stdout.write('building dist/ first (npm run build)\n');
  const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(1);
}

interface Case {
  label: string;
  args: string[];
  env?: Record<string, string>;
  /** Exit code the command is expected to end with. */
  code?: number;
}

const cases: Case[] = [
  { label: 'node -e 0', args: ['-e', '0'] },
  { label: 'oclhub --version', args: [bin, '--version'] },
  { label: 'oclhub validate <file>', args: [bin, 'validate', oneFile] },
  { label: 'oclhub validate <file> (unbundled)', args: [bin, 'validate', oneFile], env: { OCLHUB_UNBUNDLED: '1' } },
  { label: 'oclhub --help (every command)', args: [bin, '--help'] },
  { label: 'oclhub --help (every command, unbundled)', args: [bin, '--help'], env: { OCLHUB_UNBUNDLED: '1' } },
  ...(compare
    ? [
        { label: 'compared: oclhub --version', args: [path.join(compare, 'bin/oclhub.js'), '--version'] },
        { label: 'compared: oclhub validate <file>', args: [path.join(compare, 'bin/oclhub.js'), 'validate', oneFile] },
      ]
    : []),
];

const TIME = '/usr/bin/time';
const timed = existsSync(TIME);
const scratch = mkdtempSync(path.join(tmpdir(), 'oclhub-startup-'));
const cpuFile = path.join(scratch, 'cpu');
const times = new Map<string, number[]>(cases.map((c) => [c.label, []]));
const cpu = new Map<string, number[]>(cases.map((c) => [c.label, []]));
const load = loadavg()[0]!;
for (let i = 0; i < runs; i++) {
  for (const c of cases) {
    const [command, args] = timed ? [TIME, ['-f', '%U %S', '-o', cpuFile, process.execPath, ...c.args]] : [process.execPath, c.args];
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: root, env: { ...process.env, ...c.env }, stdio: ['ignore', 'ignore', 'pipe'] });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== (c.code ?? 0)) throw new Error(`${c.label} exited ${result.status}: ${result.stderr}`);
    times.get(c.label)!.push(elapsed);
    if (timed) {
      const [user, system] = readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
      cpu.get(c.label)!.push((user! + system!) * 1000);
    }
  }
}
rmSync(scratch, { recursive: true, force: true });

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const baseline = median(times.get('node -e 0')!);
const cpuBaseline = timed ? median(cpu.get('node -e 0')!) : NaN;
process.stdout.write(`start-up, median of ${runs} runs each, interleaved (load average ${load.toFixed(1)} at the start)${compare ? `; compared: ${compare}` : ''}\n`);
process.stdout.write(`  ${''.padEnd(42)} ${'wall'.padStart(8)} ${'ratio'.padStart(7)}${timed ? `${'cpu'.padStart(9)} ${'ratio'.padStart(7)}` : ''}\n`);
for (const c of cases) {
  const m = median(times.get(c.label)!);
  const cpuPart = timed ? `${median(cpu.get(c.label)!).toFixed(0).padStart(6)} ms ${(median(cpu.get(c.label)!) / cpuBaseline).toFixed(2).padStart(6)}×` : '';
  process.stdout.write(`  ${c.label.padEnd(42)} ${m.toFixed(0).padStart(5)} ms ${(m / baseline).toFixed(2).padStart(6)}×${cpuPart}\n`);
}
const version = median(times.get('oclhub --version')!);
const validate = median(times.get('oclhub validate <file>')!);
process.stdout.write(`goal: --version ≤ 2.00× node -e 0: ${(version / baseline).toFixed(2)}× ${version / baseline <= 2 ? 'met' : 'NOT met'}\n`);
const validateCpu = timed ? `; cpu ${median(cpu.get('oclhub validate <file>')!).toFixed(0)} ms` : '';
process.stdout.write(`goal: validate of one file ≤ 350 ms wall: ${validate.toFixed(0)} ms ${validate <= 350 ? 'met' : 'NOT met'} (${(validate / baseline).toFixed(2)}× node -e 0${validateCpu})\n`);
if (validate > 350 && baseline > 150) process.stdout.write(`  (bare node itself took ${baseline.toFixed(0)} ms wall here: the machine is loaded; compare the ratios)\n`);
