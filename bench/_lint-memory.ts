/**
 * Peak memory (RSS of the whole process, worker threads included: bench/_resource-usage.cjs) of a cold
 * `oclhub lint` in every report format, with `--jobs 1` and `--jobs 2`, on a generated hub: issue 16's
 * "a lint of 5,000 projects holds ≤ 500 MB" for each way a user may ask for the report. Not run by
 * `npm run bench` (each 5,000-project run takes half a gigabyte and several seconds):
 *
 *   npx tsx bench/_lint-memory.ts [projects=5000] [--runs 1] [--jobs 1,2] [--formats json,sarif,...]
 *       [--hub DIR] [--builds NAME=ROOT,...] [--keep]
 *
 * --hub reuses a hub generated before (bench/generate-hub.ts, 4 environments × 25 policies); --builds
 * measures other private builds (bench/_build.ts roots, e.g. of an earlier commit) beside this working
 * copy's, alternating run by run, and checks that every build writes the same bytes for each format.
 * Every run has a fresh lint cache and the code cache of an earlier untimed lint (as bench/lint.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { binForBench, buildForBench, bundleForBench } from './_build.js';
import { countOption, flag, machineLine, median, megabytes, option, positionals, runNode, seconds, type ChildRun } from './_report.js';
import { generateHub } from './generate-hub.js';

const argv = process.argv.slice(2);
const [projectsArg] = positionals(argv, ['runs', 'jobs', 'formats', 'hub', 'builds']);
const PROJECTS = Number(projectsArg ?? 5000);
const RUNS = countOption(argv, 'runs', 1);
const JOBS = (option(argv, 'jobs') ?? '1,2').split(',').map(Number);
const KEEP = flag(argv, 'keep');

/** Each way of asking for the report: the arguments, and the files it writes (compared across builds). */
const FORMATS: Record<string, { args: (dir: string) => string[]; files: (dir: string) => string[] }> = {
  json: { args: (d) => ['--format', 'json', '--output', path.join(d, 'report.json')], files: (d) => [path.join(d, 'report.json')] },
  sarif: { args: (d) => ['--format', 'sarif', '--output', path.join(d, 'report.sarif')], files: (d) => [path.join(d, 'report.sarif')] },
  junit: { args: (d) => ['--format', 'junit', '--output', path.join(d, 'report.xml')], files: (d) => [path.join(d, 'report.xml')] },
  text: { args: (d) => ['--format', 'text', '--output', path.join(d, 'report.txt')], files: (d) => [path.join(d, 'report.txt')] },
  github: { args: (d) => ['--format', 'github', '--output', path.join(d, 'report.github.txt')], files: (d) => [path.join(d, 'report.github.txt')] },
  gitlab: { args: (d) => ['--format', 'gitlab', '--output', path.join(d, 'report.gitlab.json')], files: (d) => [path.join(d, 'report.gitlab.json')] },
  'text+json+sarif': {
    args: (d) => ['--format', 'text', '--output', path.join(d, 'report.txt'), '--output-json', path.join(d, 'side.json'), '--output-sarif', path.join(d, 'side.sarif')],
    files: (d) => ['report.txt', 'side.json', 'side.sarif'].map((f) => path.join(d, f)),
  },
};
const FORMAT_NAMES = (option(argv, 'formats') ?? 'json,sarif,junit,text,text+json+sarif').split(',');
for (const name of FORMAT_NAMES) if (!FORMATS[name]) throw new Error(`unknown format ${name} (${Object.keys(FORMATS).join(', ')})`);

const work = mkdtempSync(path.join(tmpdir(), 'oclhub-bench-memory-'));
let counter = 0;

const builds: { name: string; cli: string }[] = [];
const own = buildForBench();
await bundleForBench(own);
// bin/oclhub.js itself over the build, as bench/lint.ts runs it.
builds.push({ name: 'this', cli: binForBench(own) });
for (const entry of (option(argv, 'builds') ?? '').split(',').filter(Boolean)) {
  const [name, root] = entry.split('=');
  // A build laid out by binForBench, or one of a commit from before it (bench/_cli.ts, built beside the sources).
  const cli = [path.join(root!, 'bin', 'oclhub.js'), path.join(root!, 'bench', '_cli.js')].find((file) => existsSync(file));
  if (cli === undefined) throw new Error(`no ${path.join(root!, 'bin', 'oclhub.js')}: build it with bench/_build.ts (buildForBench, bundleForBench, binForBench)`);
  builds.push({ name: name!, cli });
}

async function lint(cli: string, hub: string, args: string[], jobs: number, codeCache: string): Promise<ChildRun> {
  const cache = path.join(work, `cache-${++counter}`);
  mkdirSync(cache);
  try {
    const run = await runNode(cli, ['lint', ...args, '--jobs', String(jobs)], {
      cwd: hub,
      tsx: false,
      env: { OCLHUB_CACHE_DIR: cache, OCLHUB_CODE_CACHE_DIR: codeCache, OCLHUB_CODE_CACHE: undefined, OCLHUB_HUB: undefined, OCLHUB_JOBS: undefined, OCLHUB_UNBUNDLED: undefined, CI: '1' },
    });
    if (run.status !== 0 && run.status !== 1) throw new Error(`oclhub lint ${args.join(' ')} exited ${run.status}\n${run.stderr}`);
    return run;
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  process.stdout.write(`${machineLine()}\n`);
  let hub = option(argv, 'hub');
  if (hub === undefined) {
    hub = path.join(work, 'hub');
    const start = performance.now();
    await generateHub(hub, PROJECTS, 4, 25, { packed: true });
    process.stdout.write(`generated ${PROJECTS} projects in ${seconds(performance.now() - start)} (${hub})\n`);
  }
  const codeCaches = builds.map((b, i) => {
    const dir = path.join(work, `code-cache-${i}`);
    mkdirSync(dir);
    return dir;
  });
  // Untimed: each build's code cache, and the hub in the page cache.
  for (const [i, b] of builds.entries()) await lint(b.cli, hub, FORMATS.json!.args(path.join(work, 'warm')), 1, codeCaches[i]!);
  const results = new Map<string, ChildRun[]>();
  for (const format of FORMAT_NAMES) {
    for (const jobs of JOBS) {
      const reference = new Map<string, string>();
      for (let round = 0; round < RUNS; round++) {
        const order = round % 2 === 0 ? builds.map((_, i) => i) : builds.map((_, i) => builds.length - 1 - i);
        for (const i of order) {
          const b = builds[i]!;
          const out = path.join(work, `out-${++counter}`);
          mkdirSync(out);
          const run = await lint(b.cli, hub, FORMATS[format]!.args(out), jobs, codeCaches[i]!);
          const key = `${format}\t${jobs}\t${b.name}`;
          results.set(key, [...(results.get(key) ?? []), run]);
          for (const file of FORMATS[format]!.files(out)) {
            const text = readFileSync(file, 'utf8');
            const name = path.basename(file);
            const first = reference.get(name);
            if (first === undefined) reference.set(name, text);
            else if (first !== text) throw new Error(`${b.name} ${format} --jobs ${jobs}: ${name} differs from the first run's`);
          }
          rmSync(out, { recursive: true, force: true });
          process.stdout.write(`  ${format} --jobs ${jobs} ${b.name} (load ${loadavg()[0]!.toFixed(1)}): ${seconds(run.ms)}, CPU ${seconds(run.cpuMs)}, peak ${megabytes(run.peakRssMb)}\n`);
        }
      }
    }
  }
  process.stdout.write(`\n| format | --jobs | ${builds.map((b) => `${b.name} peak RSS (median of ${RUNS}) | ${b.name} CPU`).join(' | ')} |\n|---|---|${builds.map(() => '---|---|').join('')}\n`);
  for (const format of FORMAT_NAMES) {
    for (const jobs of JOBS) {
      const cells = builds.map((b) => {
        const runs = results.get(`${format}\t${jobs}\t${b.name}`)!;
        return `${megabytes(median(runs.map((r) => r.peakRssMb)))} (${runs.map((r) => r.peakRssMb.toFixed(0)).join(', ')}) | ${seconds(median(runs.map((r) => r.cpuMs)))}`;
      });
      process.stdout.write(`| ${format} | ${jobs} | ${cells.join(' | ')} |\n`);
    }
  }
}

try {
  await main();
} finally {
  if (KEEP) process.stdout.write(`kept ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
  own.remove();
}
