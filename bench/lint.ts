/**
 * `oclhub lint` at hub scale, as CI runs it: a whole CLI process (start-up and module loading included)
 * on a generated hub (bench/generate-hub.ts: 1,000 projects × 4 environments × 25 policies = 100,000
 * decisions), packed as a clone is, against baselines measured in the same run:
 *
 * - cold (empty lint cache) against the hand-written floor (bench/_lint-floor.ts: one Node process parsing
 *   every deployment_process.ocl with oclhub's parser and running the 25 policies as JavaScript), whose
 *   decisions must equal lint's one by one. Issue 16's goal: ≤ 1.5× the floor. Lint runs as users run
 *   it (`--jobs auto`: worker threads when there are enough projects and idle cores) and with `--jobs 1`
 *   (one thread), so the worker pool's gain (wall) and cost (CPU) are measured in the same run.
 *   The CLI keeps V8's compiled code between runs (src/startup/code-cache.ts): every lint here runs
 *   with the code cache an untimed lint of the same hub wrote (as on a machine that ran oclhub
 *   before; re-runs after a commit have their own, written by an untimed one), and each round also
 *   times a lint with an empty code-cache folder (the first run ever, as on a CI runner that keeps no
 *   cache), reported beside the cold figure.
 * - peak memory (RSS) of the same runs. Goal: ≤ 500 MB at 5,000 projects.
 * - re-run, nothing changed, against cold. Goal: ≥ 20× faster. Bare Node (`node -e 0`) is measured beside
 *   each re-run: the floor of any process on the machine. Where NODE_EXTRA_CA_CERTS is set (Node 20 parses
 *   that file before any JavaScript runs, tens of milliseconds of every process), the row is also measured
 *   without it, re-runs and cold lints alternating, as on GitHub's and GitLab's hosted runners, which do
 *   not set it; the row's verdict stays the environment's as given.
 * - re-run after one project changed (a new commit), against a cold lint of a hub holding one project
 *   with the same environments and policies: start-up plus one project's cost, the goal. The two
 *   alternate, as many times as the re-runs on an unchanged hub.
 * - with --scaling: 10, 100, 1,000, 5,000 projects (time, CPU, peak RSS, floor); linear is the goal,
 *   judged on the marginal CPU cost per project (wall time swings with the machine's load). The
 *   floor's marginal cost is printed beside lint's: its fixed cost (Node, the parser's modules) is most
 *   of its time at 1,000 projects, so its total hardly grows while its per-project cost is real.
 * - with --jobs-curve: 100, 200 and 400 projects with --jobs 1 and --jobs 2, to place the number of
 *   projects from which a worker thread pays for its start (src/lint/workers/jobs.ts).
 * - with --profile: one more cold lint under `node --cpu-prof`, summarised by layer (bench/_profile.ts).
 * - with --perf [--perf-runs 2]: cold lints (`--jobs 1`, code cache present) of the bundle under
 *   `perf record` (on-CPU samples only), summarised by phase, layer and kind of code, with V8's
 *   background threads (bench/_perf-profile.ts); where `perf` is missing or not allowed, says so.
 *
 * Every figure is the median of --runs runs (default 3; lint and floor alternate so drift hits both).
 * Both run from a private esbuild transpile of this working copy (bench/_build.ts): nothing is built in
 * the repository, and no loader hook is timed. Lint runs from that build's CLI bundle, as users run it:
 * bin/oclhub.js itself, laid out beside the build as the package is (bench/_build.ts `binForBench`),
 * loading dist/bundle/; the profile alone runs the separate modules, so that its time
 * can be told by source folder.
 *
 *   npx tsx bench/lint.ts [projects=1000] [environments=4] [policies=25] [--runs 3] [--scaling]
 *       [--sizes 10,100,1000,5000] [--jobs-curve [--curve 100,200,400]] [--loose] [--profile] [--perf [--perf-runs 2]] [--keep]
 * --loose keeps the generated hub's objects loose (as `git commit` leaves them) instead of packing.
 * --keep leaves the temporary folder (hubs, reports, profile) in place and prints where it is.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { binForBench, buildForBench, bundleForBench } from './_build.js';
import { decisionLine } from './_lint-floor.js';
import { formatPerfSummary, perfAvailable, PERF_NODE_ARGS, recordNode, summariseRecording } from './_perf-profile.js';
import { formatProfile, summariseProfile } from './_profile.js';
import {
  countOption,
  describeRuns,
  flag,
  machineLine,
  median,
  megabytes,
  millis,
  option,
  positionals,
  reportRow,
  runNode,
  seconds,
  times,
  type ChildRun,
} from './_report.js';
import { generateHub, git } from './generate-hub.js';
import { threadsFor } from '../src/lint/workers/jobs.js';

const argv = process.argv.slice(2);
const [projectsArg, environmentsArg, policiesArg] = positionals(argv, ['runs', 'sizes', 'curve', 'perf-runs']);
const PROJECTS = Number(projectsArg ?? 1000);
const ENVIRONMENTS = Number(environmentsArg ?? 4);
const POLICIES = Number(policiesArg ?? 25);
const RUNS = countOption(argv, 'runs', 3);
/** Re-runs take a fraction of a second: three times as many samples for their median. */
const RERUNS = RUNS * 3;
const SCALING = flag(argv, 'scaling') || process.env.OCLHUB_BENCH_SCALING === '1';
const SIZES = (option(argv, 'sizes') ?? '10,100,1000,5000').split(',').map(Number);
const PACKED = !flag(argv, 'loose');
const PROFILE = flag(argv, 'profile');
const PERF = flag(argv, 'perf');
const PERF_RUNS = countOption(argv, 'perf-runs', 2);
const KEEP = flag(argv, 'keep');
const JOBS_CURVE = flag(argv, 'jobs-curve');
const CURVE = (option(argv, 'curve') ?? '100,200,400').split(',').map(Number);

const work = mkdtempSync(path.join(tmpdir(), 'oclhub-bench-lint-'));
const build = buildForBench();
// With --perf, source maps beside the bundle (its bytes, and so its code cache, are the same).
const bundleMs = await bundleForBench(build, { sourcemap: PERF });
// bin/oclhub.js itself, in the package's layout over the build (dist/ is the build's src/).
const CLI = binForBench(build);
const FLOOR = build.file('bench/_lint-floor.ts');
let counter = 0;
/** The code cache (V8's compiled code of the CLI bundle) every lint runs with, written by an untimed lint. */
const CODE_CACHE = path.join(work, 'code-cache');

function checkLint(run: ChildRun, what: string): void {
  // 1: findings at the fail level (the generated hub has blocking violations); anything else is a failure.
  if (run.status !== 0 && run.status !== 1) throw new Error(`${what}: oclhub lint exited ${run.status}\n${run.stderr}`);
}

/** `oclhub lint --format json` from the hub's folder, with its cache in `cacheDir`; `jobs` 'auto' is the default users get. */
async function lint(hub: string, cacheDir: string, nodeArgs: string[] = [], jobs: number | 'auto' = 'auto', env: NodeJS.ProcessEnv = {}): Promise<{ run: ChildRun; report: string }> {
  const report = path.join(work, `report-${++counter}.json`);
  const run = await runNode(CLI, ['lint', '--format', 'json', '--output', report, ...(jobs === 'auto' ? [] : ['--jobs', String(jobs)])], {
    cwd: hub,
    tsx: false,
    nodeArgs,
    env: { OCLHUB_CACHE_DIR: cacheDir, OCLHUB_CODE_CACHE_DIR: CODE_CACHE, OCLHUB_CODE_CACHE: undefined, OCLHUB_HUB: undefined, OCLHUB_JOBS: undefined, OCLHUB_UNBUNDLED: undefined, CI: '1', ...env },
  });
  checkLint(run, hub);
  return { run, report };
}

async function floor(hub: string, decisions?: string): Promise<ChildRun> {
  const run = await runNode(FLOOR, [hub, ...(decisions ? [decisions] : [])], { tsx: false });
  if (run.status !== 0) throw new Error(`floor failed (${run.status}): ${run.stderr}`);
  return run;
}

/** The code-cache folder's files with their sizes and modification times. */
function codeCacheFiles(): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(CODE_CACHE).filter((name) => name.endsWith('.v8cache'));
  } catch {
    return [];
  }
  return names.sort().map((name) => {
    const stat = statSync(path.join(CODE_CACHE, name));
    return `${name.slice(0, 8)}… ${(stat.size / 1048576).toFixed(1)} MB @${stat.mtimeMs.toFixed(0)}`;
  });
}

function freshCache(): string {
  const dir = path.join(work, `cache-${++counter}`);
  mkdirSync(dir);
  return dir;
}

async function hubOf(projects: number): Promise<string> {
  const dir = path.join(work, `hub-${projects}`);
  const start = performance.now();
  await generateHub(dir, projects, ENVIRONMENTS, POLICIES, { packed: PACKED });
  process.stdout.write(`generated ${projects} projects × ${ENVIRONMENTS} environments × ${POLICIES} policies (${PACKED ? 'packed' : 'loose objects'}) in ${seconds(performance.now() - start)}\n`);
  return dir;
}

interface LintReportJson {
  evaluations: { project: string; environment: string; tenant?: string; decisions: { policy: string; outcome: string; action: string; reason?: string }[] }[];
  summary: { passed: number; skipped: number; inconclusive: number; violations: { block: number; warn: number }; errors: number; diagnostics: { error: number; warning: number } };
}

/** Lint's decisions and the floor's, decision by decision: they must be the same, or the floor is not a floor. */
function compareDecisions(reportFile: string, floorFile: string): { decisions: number; counts: string } {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as LintReportJson;
  const lintLines: string[] = [];
  for (const e of report.evaluations) {
    for (const d of e.decisions) lintLines.push(decisionLine(e.project, e.environment, d.policy, d.outcome, d.action, d.reason ?? ''));
  }
  const floorLines = readFileSync(floorFile, 'utf8').split('\n').filter((l) => l !== '');
  lintLines.sort();
  floorLines.sort();
  const differences: string[] = [];
  for (let i = 0; i < Math.max(lintLines.length, floorLines.length) && differences.length < 5; i++) {
    if (lintLines[i] !== floorLines[i]) differences.push(`  lint:  ${lintLines[i] ?? '(none)'}\n  floor: ${floorLines[i] ?? '(none)'}`);
  }
  if (differences.length > 0) throw new Error(`the floor's decisions differ from lint's (${lintLines.length} vs ${floorLines.length}):\n${differences.join('\n')}`);
  const s = report.summary;
  if (s.errors > 0 || s.diagnostics.error > 0) throw new Error(`lint reported ${s.errors} error decisions and ${s.diagnostics.error} error diagnostics on the generated hub`);
  return { decisions: lintLines.length, counts: `${s.passed} pass, ${s.violations.block} block, ${s.violations.warn} warn, ${s.inconclusive} inconclusive, ${s.skipped} skipped` };
}

interface ColdFigures {
  projects: number;
  lint: ChildRun[];
  /** The same cold lint with `--jobs 1` (one thread). */
  single: ChildRun[];
  /**
   * The same cold lint with `--jobs 2` (a worker thread whatever the load: `auto` resolves to one thread
   * once the load average is 0.5 on two cores), alternating with `--jobs 1` (only with `firstEver`).
   */
  double: ChildRun[];
  /** The same cold lint (`--jobs auto`) with an empty code-cache folder: the first run ever (only with `firstEver`). */
  firstEver: ChildRun[];
  floor: ChildRun[];
  /** The cache folder and report of the last cold run (for the re-runs). */
  lastCache: string;
  lastReport: string;
  decisions: number;
  counts: string;
}

/**
 * Cold lint (`--jobs auto`, `--jobs 1` and, with `firstEver`, `--jobs 2`) and floor, alternating, RUNS times each; the first lint's
 * decisions checked against the floor's, and every run's report against the first (one thread or
 * several, the same bytes).
 */
async function measureCold(hub: string, projects: number, runs = RUNS, firstEver = false): Promise<ColdFigures> {
  // Untimed: the floor's decisions for the check (this also brings the build and the hub into the page cache).
  const floorDecisions = path.join(work, `floor-${projects}.tsv`);
  await floor(hub, floorDecisions);
  // Untimed: a lint that leaves its code cache, as any earlier run of oclhub lint on the machine would.
  const warm = freshCache();
  rmSync((await lint(hub, warm)).report, { force: true });
  rmSync(warm, { recursive: true, force: true });
  const codeCacheBefore = codeCacheFiles();
  const lints: ChildRun[] = [];
  const singles: ChildRun[] = [];
  const doubles: ChildRun[] = [];
  const firsts: ChildRun[] = [];
  const floors: ChildRun[] = [];
  let lastCache = '';
  let lastReport = '';
  let checked: { decisions: number; counts: string } | undefined;
  let firstText: string | undefined;
  const sameReport = (report: string, what: string) => {
    const text = readFileSync(report, 'utf8');
    firstText ??= text;
    if (text !== firstText) throw new Error(`${what} printed another report than the first cold run`);
  };
  for (let round = 0; round < runs; round++) {
    const lintFirst = round % 2 === 1;
    if (!lintFirst) floors.push(await floor(hub));
    const cache = freshCache();
    const { run, report } = await lint(hub, cache);
    lints.push(run);
    if (!checked) checked = compareDecisions(report, floorDecisions);
    sameReport(report, 'a cold lint');
    if (lastReport) rmSync(lastReport, { force: true });
    if (lastCache) rmSync(lastCache, { recursive: true, force: true });
    lastCache = cache;
    lastReport = report;
    // --jobs 1, and with firstEver --jobs 2, in turn first.
    for (const jobs of (firstEver ? (round % 2 === 0 ? [1, 2] : [2, 1]) : [1]) as (1 | 2)[]) {
      const jobsCache = freshCache();
      const jobsRun = await lint(hub, jobsCache, [], jobs);
      (jobs === 1 ? singles : doubles).push(jobsRun.run);
      sameReport(jobsRun.report, `a cold lint with --jobs ${jobs}`);
      rmSync(jobsRun.report, { force: true });
      rmSync(jobsCache, { recursive: true, force: true });
    }
    const single = { run: singles.at(-1)! };
    if (firstEver) {
      const [firstCache, emptyCodeCache] = [freshCache(), freshCache()];
      const first = await lint(hub, firstCache, [], 'auto', { OCLHUB_CODE_CACHE_DIR: emptyCodeCache });
      firsts.push(first.run);
      sameReport(first.report, 'a first-ever cold lint');
      for (const done of [first.report, firstCache, emptyCodeCache]) rmSync(done, { recursive: true, force: true });
    }
    if (lintFirst) floors.push(await floor(hub));
    const f = floors.at(-1)!;
    process.stdout.write(
      `  ${projects} projects, round ${round + 1}/${runs} (load ${loadavg()[0]!.toFixed(1)}): lint ${seconds(run.ms)} (CPU ${seconds(run.cpuMs)}) ${megabytes(run.peakRssMb)}, --jobs 1 ${seconds(single.run.ms)} (CPU ${seconds(single.run.cpuMs)}) ${megabytes(single.run.peakRssMb)}, ${firstEver ? `--jobs 2 ${seconds(doubles.at(-1)!.ms)} (CPU ${seconds(doubles.at(-1)!.cpuMs)}), ` : ''}${firstEver ? `no code cache ${seconds(firsts.at(-1)!.ms)} (CPU ${seconds(firsts.at(-1)!.cpuMs)}), ` : ''}floor ${seconds(f.ms)} (CPU ${seconds(f.cpuMs)}) ${megabytes(f.peakRssMb)}\n`,
    );
  }
  // A cache that is used is never written again (src/startup/code-cache.ts): unchanged files mean every timed lint ran with it.
  const codeCacheAfter = codeCacheFiles().join(', ');
  process.stdout.write(
    codeCacheBefore.length > 0 && codeCacheAfter === codeCacheBefore.join(', ')
      ? `  code cache: ${codeCacheBefore.length} file(s) written by the untimed lint, used unchanged by every timed lint\n`
      : `  code cache: ${codeCacheBefore.length === 0 ? 'none written by the untimed lint' : 'written again during the timed lints'} (before: ${codeCacheBefore.join(', ') || 'none'}; after: ${codeCacheAfter || 'none'})\n`,
  );
  return { projects, lint: lints, single: singles, double: doubles, firstEver: firsts, floor: floors, lastCache, lastReport, decisions: checked!.decisions, counts: checked!.counts };
}

const ms = (runs: readonly ChildRun[]) => runs.map((r) => r.ms);
const cpu = (runs: readonly ChildRun[]) => median(runs.map((r) => r.cpuMs));
const rss = (runs: readonly ChildRun[]) => runs.map((r) => r.peakRssMb);
/** Wall time (the figure the goals are about), with the median CPU time beside it (steadier when the machine is busy). */
const timed = (runs: readonly ChildRun[]) => `${describeRuns(ms(runs), seconds)}, CPU ${seconds(cpu(runs))}`;
/** The same in milliseconds, for the figures of a fraction of a second (the re-run, bare Node). */
const timedMs = (runs: readonly ChildRun[]) => `${describeRuns(ms(runs), millis)}, CPU ${millis(cpu(runs))}`;

async function main(): Promise<void> {
  process.stdout.write(`${machineLine()}\n`);
  process.stdout.write(`private build of the working copy (esbuild, ${build.root}) in ${seconds(build.ms)}, its CLI bundle in ${seconds(bundleMs)}; ${RUNS} runs per figure\n`);
  // Loads every command once, so that the first timed run does not pay for a cold page cache.
  await runNode(CLI, ['--version'], { tsx: false });

  const hub = await hubOf(PROJECTS);
  const cold = await measureCold(hub, PROJECTS, RUNS, true);
  process.stdout.write(`lint and floor agree on all ${cold.decisions.toLocaleString('en')} decisions (${cold.counts})\n`);

  // Re-runs on the unchanged hub, with the cache the last cold run left; they are short, so there are
  // more of them. Beside each, bare Node through the same harness (the floor of any process here), with
  // the environment as given and without NODE_EXTRA_CA_CERTS when it is set (Node 20 parses that file
  // before any JavaScript runs: a cost of the machine, not of oclhub).
  const coldText = readFileSync(cold.lastReport, 'utf8');
  const unchanged: ChildRun[] = [];
  const bareNode: ChildRun[] = [];
  const bareNodeNoCerts: ChildRun[] = [];
  const extraCerts = process.env.NODE_EXTRA_CA_CERTS;
  for (let round = 0; round < RERUNS; round++) {
    const { run, report } = await lint(hub, cold.lastCache);
    if (readFileSync(report, 'utf8') !== coldText) throw new Error('the re-run on an unchanged hub printed a different report');
    rmSync(report);
    unchanged.push(run);
    bareNode.push(await runNode('-e', ['0'], { tsx: false }));
    if (extraCerts) bareNodeNoCerts.push(await runNode('-e', ['0'], { tsx: false, env: { NODE_EXTRA_CA_CERTS: undefined } }));
  }
  // The same row without NODE_EXTRA_CA_CERTS (only when it is set): a cold lint (its own lint cache,
  // removed after) and RERUNS / RUNS re-runs on the last cold run's cache per round, in turn first.
  const unchangedNoCerts: ChildRun[] = [];
  const coldNoCerts: ChildRun[] = [];
  if (extraCerts) {
    const noCerts = { NODE_EXTRA_CA_CERTS: undefined };
    const coldRun = async () => {
      const cache = freshCache();
      const { run, report } = await lint(hub, cache, [], 'auto', noCerts);
      if (readFileSync(report, 'utf8') !== coldText) throw new Error('a cold lint without NODE_EXTRA_CA_CERTS printed another report');
      rmSync(report);
      rmSync(cache, { recursive: true, force: true });
      coldNoCerts.push(run);
    };
    const reruns = async () => {
      for (let i = 0; i < RERUNS / RUNS; i++) {
        const { run, report } = await lint(hub, cold.lastCache, [], 'auto', noCerts);
        if (readFileSync(report, 'utf8') !== coldText) throw new Error('a re-run without NODE_EXTRA_CA_CERTS printed a different report');
        rmSync(report);
        unchangedNoCerts.push(run);
      }
    };
    for (let round = 0; round < RUNS; round++) {
      for (const step of round % 2 === 0 ? [coldRun, reruns] : [reruns, coldRun]) await step();
    }
  }

  // The baseline for "one project changed": a cold lint of a hub with one project (start-up plus one
  // project), alternating with the re-runs after one change (both are short: as many samples as the
  // re-runs above). One project changes per round (a new commit each time); the cache holds the
  // previous round's results.
  const single = await hubOf(1);
  const oneProject: ChildRun[] = [];
  const changedFile = path.join(hub, 'projects/app-0001/.octopus/deployment_process.ocl');
  const oneChanged: ChildRun[] = [];
  let lastChangedText = '';
  const lintOneProject = async () => {
    const cache = freshCache();
    const { run, report } = await lint(single, cache);
    oneProject.push(run);
    rmSync(report);
    rmSync(cache, { recursive: true, force: true });
  };
  const lintOneChanged = async (round: number, timed = true) => {
    writeFileSync(changedFile, readFileSync(changedFile, 'utf8').replace(/echo prepare[^"]*"/, `echo prepare ${round}"`));
    git(hub, ['commit', '-qam', `change one project (${round})`]);
    const { run, report } = await lint(hub, cold.lastCache);
    lastChangedText = readFileSync(report, 'utf8');
    const parsed = JSON.parse(lastChangedText) as LintReportJson;
    if (parsed.evaluations.length !== PROJECTS * ENVIRONMENTS) throw new Error(`the re-run after one change reported ${parsed.evaluations.length} evaluations`);
    rmSync(report);
    if (timed) oneChanged.push(run);
  };
  // Untimed: a re-run after a commit leaves the code cache re-runs use (src/startup/code-cache.ts
  // `loadCliBundle`), as an earlier re-run on the machine would; the cold lints' cache is not theirs.
  await lintOneChanged(-1, false);
  for (let round = 0; round < RERUNS; round++) {
    if (round % 2 === 0) {
      await lintOneProject();
      await lintOneChanged(round);
    } else {
      await lintOneChanged(round);
      await lintOneProject();
    }
  }
  // The re-runs take most projects from the previous run (the cache, the last stored report): the last
  // one must print what a cold lint of the same commit prints, byte for byte (untimed).
  {
    const cache = freshCache();
    const { report } = await lint(hub, cache);
    if (readFileSync(report, 'utf8') !== lastChangedText) throw new Error('the re-run after one change printed a different report than a cold lint of the same commit');
    rmSync(report);
    rmSync(cache, { recursive: true, force: true });
  }

  const coldMs = median(ms(cold.lint));
  const floorMs = median(ms(cold.floor));
  process.stdout.write('\n');
  const singleMs = median(ms(cold.single));
  reportRow({
    id: 'lint-cold',
    figure: `${timed(cold.lint)} (--jobs auto: up to ${availableParallelism()} threads, fewer while other processes use the cores; no lint cache, the code cache of an earlier run present); ${cold.decisions.toLocaleString('en')} decisions`,
    baseline: `hand-written floor ${timed(cold.floor)}`,
    ratio: `${times(coldMs / floorMs)} the floor (CPU: ${times(cpu(cold.lint) / cpu(cold.floor))})`,
    met: coldMs / floorMs <= 1.5,
    note:
      `one thread (--jobs 1): ${timed(cold.single)}, ${times(singleMs / floorMs)} the floor; ` +
      `a worker thread (--jobs 2, alternating with --jobs 1): ${timed(cold.double)}, wall ${times(singleMs / median(ms(cold.double)))} faster than one thread, CPU ${times(cpu(cold.double) / cpu(cold.single))} ` +
      `(a worker gains less while other processes use the cores; at the load average now, ${loadavg()[0]!.toFixed(1)}, --jobs auto runs ${threadsFor(availableParallelism(), loadavg()[0]!)} thread(s); auto against --jobs 1: wall ${times(singleMs / coldMs)}); ` +
      `first run ever (no code cache either, as on a CI runner that keeps no cache): ${timed(cold.firstEver)}, ${times(median(ms(cold.firstEver)) / floorMs)} the floor (CPU: ${times(cpu(cold.firstEver) / cpu(cold.floor))})` +
      `${PROJECTS !== 1000 ? `; measured at ${PROJECTS} projects` : ''}`,
  });
  const lintRss = median(rss(cold.lint));
  reportRow({
    id: 'lint-memory',
    figure: `peak RSS ${describeRuns(rss(cold.lint), megabytes)} at ${PROJECTS.toLocaleString('en')} projects`,
    baseline: `floor ${describeRuns(rss(cold.floor), megabytes)}`,
    ratio: `${times(lintRss / median(rss(cold.floor)))} the floor's`,
    ...(PROJECTS >= 5000 ? { met: lintRss <= 500 } : { note: 'the goal applies at 5,000 projects: see the --scaling table' }),
  });
  const unchangedMs = median(ms(unchanged));
  reportRow({
    id: 'lint-unchanged',
    figure: timedMs(unchanged),
    baseline: `cold ${seconds(coldMs)}, CPU ${seconds(cpu(cold.lint))}`,
    ratio: `${times(coldMs / unchangedMs)} faster than cold (CPU: ${times(cpu(cold.lint) / cpu(unchanged))})`,
    met: coldMs / unchangedMs >= 20,
    note:
      `bare Node (node -e 0, same harness) ${timedMs(bareNode)}: the re-run's own share is ${millis(unchangedMs - median(ms(bareNode)))} wall, CPU ${millis(cpu(unchanged) - cpu(bareNode))} (its CPU includes the kernel's copy of the report to --output)` +
      (extraCerts ? `; NODE_EXTRA_CA_CERTS is set, and without it bare Node takes ${timedMs(bareNodeNoCerts)} (Node parses the file before any JavaScript runs)` : '') +
      (extraCerts ? `; ${noCertsNote(unchangedNoCerts, coldNoCerts, extraCerts)}` : ''),
  });
  const oneChangedMs = median(ms(oneChanged));
  const oneProjectMs = median(ms(oneProject));
  reportRow({
    id: 'lint-one-changed',
    figure: `${timed(oneChanged)}; ${times(coldMs / oneChangedMs)} faster than cold`,
    baseline: `cold lint of a one-project hub (start-up + one project) ${timed(oneProject)}`,
    ratio: `${times(oneChangedMs / oneProjectMs)} that (CPU: ${times(cpu(oneChanged) / cpu(oneProject))})`,
    met: oneChangedMs / oneProjectMs <= 1.5,
    note: '"≈" read as ≤ 1.5×',
  });

  if (SCALING) await scaling(cold);
  if (JOBS_CURVE) await jobsCurve();
  if (PROFILE) await profile(hub);
  if (PERF) perfProfile(hub);
}

/**
 * The nothing-changed row measured without NODE_EXTRA_CA_CERTS, for the row's note: its figure, baseline,
 * ratio and whether that would meet the goal, said apart from the row's own verdict (measured as given).
 */
function noCertsNote(reruns: readonly ChildRun[], colds: readonly ChildRun[], extraCerts: string): string {
  const rerunMs = median(ms(reruns));
  const coldMs = median(ms(colds));
  const ratio = coldMs / rerunMs;
  return (
    `the row without NODE_EXTRA_CA_CERTS (as on GitHub's and GitLab's hosted runners, which do not set it; ${colds.length} cold lint(s) and ${reruns.length} re-runs, alternating): ` +
    `re-run ${timedMs(reruns)}; cold ${describeRuns(ms(colds), seconds)}, CPU ${seconds(cpu(colds))}; ${times(ratio)} faster than cold (CPU: ${times(cpu(colds) / cpu(reruns))}): ` +
    `goal ${ratio >= 20 ? 'met' : 'NOT met'} without it. The verdict above is measured with the environment as given (NODE_EXTRA_CA_CERTS=${extraCerts})`
  );
}

/** Cold lints under `perf record`, summarised (bench/_perf-profile.ts). */
function perfProfile(hub: string): void {
  if (!perfAvailable()) {
    process.stdout.write('\n--perf: `perf record` is not available here (not installed, or perf_event_paranoid forbids it): no on-CPU profile\n');
    return;
  }
  const env = { ...process.env, OCLHUB_CODE_CACHE_DIR: CODE_CACHE, OCLHUB_HUB: '', OCLHUB_JOBS: '', OCLHUB_UNBUNDLED: '', CI: '1' };
  const run = (i: number) => {
    const cache = freshCache();
    const report = path.join(work, `perf-report-${i}.json`);
    const text = recordNode([CLI, 'lint', '--format', 'json', '--output', report, '--jobs', '1'], hub, { ...env, OCLHUB_CACHE_DIR: cache }, path.join(work, `perf-${i}.data`));
    for (const done of [cache, report, path.join(work, `perf-${i}.data`)]) rmSync(done, { recursive: true, force: true });
    return text;
  };
  // Untimed: the code cache for the profiler's Node flags (a cache belongs to one set of flags).
  run(0);
  const recordings = Array.from({ length: PERF_RUNS }, (_, i) => summariseRecording(run(i + 1)));
  process.stdout.write(
    `\non-CPU profile of a cold lint (perf record -e task-clock at 2 kHz; node ${PERF_NODE_ARGS.join(' ')}; --jobs 1, no lint cache, code cache present; ${PROJECTS} projects; load ${loadavg()[0]!.toFixed(1)}):\n`,
  );
  process.stdout.write(`${formatPerfSummary(recordings)}\n`);
}

/** Time and peak memory at several hub sizes, each against its floor. */
async function scaling(main: ColdFigures): Promise<void> {
  const figures: ColdFigures[] = [];
  for (const size of SIZES) {
    if (size === main.projects) {
      figures.push(main);
      continue;
    }
    const hub = await hubOf(size);
    const measured = await measureCold(hub, size);
    figures.push(measured);
    rmSync(hub, { recursive: true, force: true });
    rmSync(measured.lastCache, { recursive: true, force: true });
    rmSync(measured.lastReport, { force: true });
  }
  figures.sort((a, b) => a.projects - b.projects);
  // Linearity is judged on CPU time: lint is one thread today, and on a shared machine the wall time of
  // a minutes-long run swings with the load more than with the hub's size.
  process.stdout.write(`\nscaling (cold lint, ${ENVIRONMENTS} environments × ${POLICIES} policies, median of ${RUNS}; marginal cost = extra CPU per extra project):\n`);
  process.stdout.write(
    '  projects   lint wall   lint CPU   --jobs 1 wall   --jobs 1 CPU   floor wall   floor CPU   lint/floor (CPU)   marginal CPU ms/project: --jobs 1, floor   lint peak RSS   --jobs 1 RSS   floor peak RSS\n',
  );
  let previous: ColdFigures | undefined;
  const marginal = new Map<number, number>();
  for (const f of figures) {
    let step = '';
    if (previous) {
      // Judged on one thread's CPU: worker threads add a fixed start-up cost per worker, not per project.
      const perProject = (cpu(f.single) - cpu(previous.single)) / (f.projects - previous.projects);
      const floorPerProject = (cpu(f.floor) - cpu(previous.floor)) / (f.projects - previous.projects);
      marginal.set(f.projects, perProject);
      step = `${perProject.toFixed(2)}, ${floorPerProject.toFixed(2)} (${previous.projects}→${f.projects})`;
    }
    process.stdout.write(
      `  ${String(f.projects).padStart(8)}   ${seconds(median(ms(f.lint))).padEnd(10)}  ${seconds(cpu(f.lint)).padEnd(9)}  ${seconds(median(ms(f.single))).padEnd(14)}  ${seconds(cpu(f.single)).padEnd(13)}  ${seconds(median(ms(f.floor))).padEnd(11)}  ${seconds(cpu(f.floor)).padEnd(10)}  ${`${times(median(ms(f.lint)) / median(ms(f.floor)))} (${times(cpu(f.lint) / cpu(f.floor))})`.padEnd(17)}  ${step.padEnd(39)}  ${megabytes(median(rss(f.lint))).padEnd(14)}  ${megabytes(median(rss(f.single))).padEnd(13)}  ${megabytes(median(rss(f.floor)))}\n`,
    );
    previous = f;
  }
  const big = figures.find((f) => f.projects === 5000);
  const mid = figures.find((f) => f.projects === 1000);
  if (big && mid && marginal.has(5000) && marginal.has(1000)) {
    const growth = marginal.get(5000)! / marginal.get(1000)!;
    const bigRss = median(rss(big.lint));
    reportRow({
      id: 'lint-5000',
      figure: `${timed(big.lint)}, peak RSS ${megabytes(bigRss)}`,
      baseline: `floor ${timed(big.floor)}, ${megabytes(median(rss(big.floor)))}; marginal CPU (--jobs 1) ${marginal.get(5000)!.toFixed(2)} ms/project (1,000→5,000) vs ${marginal.get(1000)!.toFixed(2)} (100→1,000)`,
      ratio: `marginal cost ${times(growth)} (linear: ≈ 1×); ${times(median(ms(big.lint)) / median(ms(big.floor)))} the floor (CPU: ${times(cpu(big.lint) / cpu(big.floor))})`,
      met: growth <= 1.25 && bigRss <= 500,
      note: '"stays linear" read as the marginal CPU cost per project growing ≤ 1.25×',
    });
    reportRow({
      id: 'lint-memory',
      figure: `peak RSS ${describeRuns(rss(big.lint), megabytes)} at 5,000 projects`,
      baseline: `floor ${describeRuns(rss(big.floor), megabytes)}`,
      ratio: `${times(bigRss / median(rss(big.floor)))} the floor's`,
      met: bigRss <= 500,
    });
  }
}

/**
 * Where a worker thread starts to pay: cold lints of small hubs with one thread and with two (the
 * threshold in src/lint/workers/jobs.ts starts one from 20,000 decisions: 200 projects × 4 × 25).
 */
async function jobsCurve(): Promise<void> {
  process.stdout.write(`\nworker threads against one thread (cold lint, median of ${RUNS}; wall and CPU; load average ${loadavg()[0]!.toFixed(1)} at the start):\n`);
  process.stdout.write('  projects   --jobs 1 wall   --jobs 1 CPU   --jobs 2 wall   --jobs 2 CPU   wall gain   extra CPU\n');
  for (const size of CURVE) {
    const hub = await hubOf(size);
    const one: ChildRun[] = [];
    const two: ChildRun[] = [];
    for (let round = 0; round < RUNS; round++) {
      for (const [jobs, runs] of round % 2 === 0 ? ([[1, one], [2, two]] as const) : ([[2, two], [1, one]] as const)) {
        const cache = freshCache();
        const { run, report } = await lint(hub, cache, [], jobs);
        runs.push(run);
        rmSync(report, { force: true });
        rmSync(cache, { recursive: true, force: true });
      }
    }
    const gain = median(ms(one)) / median(ms(two));
    process.stdout.write(
      `  ${String(size).padStart(8)}   ${seconds(median(ms(one))).padEnd(14)}  ${seconds(cpu(one)).padEnd(13)}  ${seconds(median(ms(two))).padEnd(14)}  ${seconds(cpu(two)).padEnd(13)}  ${times(gain).padEnd(10)}  ${seconds(cpu(two) - cpu(one))} (load ${loadavg()[0]!.toFixed(1)})\n`,
    );
    rmSync(hub, { recursive: true, force: true });
  }
}

/** One more cold lint under the CPU profiler (one thread: worker threads would write profiles of their own), summarised by layer. */
async function profile(hub: string): Promise<void> {
  const dir = path.join(work, 'profile');
  const { run } = await lint(hub, freshCache(), ['--cpu-prof', '--cpu-prof-dir', dir], 1, { OCLHUB_UNBUNDLED: '1' });
  const file = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!);
  process.stdout.write(`\nCPU profile of a cold lint (${seconds(run.ms)} wall under the profiler, ${PROJECTS} projects${KEEP ? `; ${file}` : ''}):\n`);
  process.stdout.write(`${formatProfile(summariseProfile(file, build.root))}\n`);
}

try {
  await main();
} finally {
  build.remove();
  if (KEEP) process.stdout.write(`kept ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
}
