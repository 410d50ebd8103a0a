/**
 * What every bench shares: medians, child processes timed with their peak memory, and the row format
 * of issue 16's table (figure, its baseline from the same run, the ratio, the goal, met or not).
 *
 * The machine the benches run on is small and shared: figures are medians of several runs, and a
 * figure is judged by its ratio to a baseline measured in the same run, never by its absolute value.
 * A bench run by `npm run bench` (bench/run.ts) also appends its rows to $OCLHUB_BENCH_ROWS, so that
 * run.ts can print the whole table at the end.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(BENCH_DIR, '..');
/** The tsx loader, by URL: `--import tsx` would be resolved from the child's working folder. */
export const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const USAGE_PRELOAD = fileURLToPath(new URL('./_resource-usage.cjs', import.meta.url));

/** The median (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `median (n runs: a, b, c)` for a row's figure. */
export function describeRuns(values: readonly number[], format: (v: number) => string): string {
  if (values.length === 1) return `${format(values[0]!)} (1 run)`;
  return `${format(median(values))} (median of ${values.length}: ${values.map(format).join(', ')})`;
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
export const millis = (ms: number): string => `${ms < 10 ? ms.toFixed(2) : ms.toFixed(0)} ms`;
export const megabytes = (mb: number): string => `${mb.toFixed(0)} MB`;
export const times = (ratio: number): string => `${ratio >= 100 ? ratio.toFixed(0) : ratio.toFixed(2)}×`;
export const percent = (ratio: number): string => `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)}%`;

/** A line saying what the figures were measured on (the load average says how shared it was). */
export function machineLine(): string {
  const [one, five] = loadavg();
  return `machine: ${cpus().length} cores, load average ${one!.toFixed(2)} (1 min) ${five!.toFixed(2)} (5 min), Node ${process.version}: judge ratios, not absolute times`;
}

export interface ChildRun {
  ms: number;
  status: number | null;
  stdout: string;
  stderr: string;
  /** Peak resident set size of the child (MB, 2^20 bytes). */
  peakRssMb: number;
  /** CPU time of the child (user + system, ms): steadier than wall time on a shared machine. */
  cpuMs: number;
}

export interface ChildOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Load the script through tsx (default true: benches run the source, never a build). */
  tsx?: boolean;
  /** More Node options (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
}

/** This process's environment with `overrides` applied; an undefined override removes the variable. */
export function childEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/**
 * Runs `node <script> <args>` and times it from spawn to exit: wall time including Node's start-up and
 * module loading, as a user sees it. Peak RSS and CPU time come from the child itself (bench/_resource-usage.cjs).
 */
export async function runNode(script: string, args: readonly string[], options: ChildOptions = {}): Promise<ChildRun> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'oclhub-bench-usage-'));
  const usageFile = path.join(scratch, 'usage.json');
  const nodeArgs = [...(options.nodeArgs ?? []), ...(options.tsx === false ? [] : ['--import', TSX_LOADER]), '--require', USAGE_PRELOAD];
  try {
    const start = performance.now();
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: childEnv({ ...options.env, OCLHUB_BENCH_USAGE_FILE: usageFile }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const status = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code));
    });
    const ms = performance.now() - start;
    let peakRssMb = NaN;
    let cpuMs = NaN;
    try {
      const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { maxRSS: number; userCPUTime: number; systemCPUTime: number };
      peakRssMb = usage.maxRSS / 1024;
      cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
    } catch {
      // The child died before its exit handler ran: no figure rather than a wrong one.
    }
    return { ms, status, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), peakRssMb, cpuMs };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** One row of issue 16's table as measured today. */
export interface IssueRow {
  /** Which row of the table (see ISSUE_16_ROWS). */
  id: IssueRowId;
  figure: string;
  /** The same-run baseline (or `—` when the goal is absolute). */
  baseline: string;
  /** The figure against the baseline, in the goal's terms. */
  ratio: string;
  /** Whether the goal is met; undefined when the row has no goal or this run cannot judge it. */
  met?: boolean;
  note?: string;
}

/** Issue 16's table, in its order: the workload, its goal and the bench that measures it. */
export const ISSUE_16_ROWS = {
  'lint-cold': { workload: 'cold lint, 1,000 projects × 4 environments × 25 policies (100,000 decisions)', goal: '≤ 1.5× the hand-written floor', bench: 'lint' },
  'lint-memory': { workload: 'cold lint, peak memory', goal: '≤ 500 MB at 5,000 projects', bench: 'lint' },
  'lint-5000': { workload: 'cold lint, 5,000 projects', goal: 'stays linear (marginal CPU ms/project 1,000→5,000 ≈ 100→1,000), ≤ 500 MB', bench: 'lint --scaling' },
  'lint-unchanged': { workload: 're-run, nothing changed', goal: '≥ 20× faster than cold', bench: 'lint' },
  'lint-one-changed': { workload: 're-run, one project changed', goal: '≈ one project\'s cost plus start-up', bench: 'lint' },
  'api-gate-miss': { workload: 'POST /api/evaluations, a new release version each call (demo hub)', goal: '≥ 25% of the trivial route, p99 ≤ 25 ms', bench: 'api' },
  'api-gate-hit': { workload: 'POST /api/evaluations, same request repeated (cache hit), demo hub', goal: '≥ 50% of the trivial route, p99 ≤ 2× the trivial route\'s', bench: 'api' },
  'api-gate-hit-packed': { workload: 'cache hit, 1,000-project hub after git gc (packed refs)', goal: '≥ 50% of the trivial route, p99 ≤ 2× the trivial route\'s', bench: 'api' },
  'api-compliance-cold': { workload: 'GET /api/compliance, 1,000 projects, cold', goal: 'none in issue 16 (reported)', bench: 'api' },
  'api-compliance-warm': { workload: 'GET /api/compliance, 1,000 projects, warm', goal: '≤ 10 ms (serve the cached bytes)', bench: 'api' },
  'git-cold': { workload: 'Git reads at a ref, cold (4,000 small files)', goal: '≤ 2× git cat-file --batch', bench: 'git' },
  'git-cold-lint-pattern': { workload: 'Git reads at a ref, cold, lint\'s read pattern (2,000 blobs of ~9 KB)', goal: '≤ 2× git cat-file --batch', bench: 'git' },
} as const;

export type IssueRowId = keyof typeof ISSUE_16_ROWS;

export function verdict(met: boolean | undefined): string {
  return met === undefined ? '—' : met ? 'met' : 'NOT met';
}

/** Prints the row under its workload and goal, and records it for bench/run.ts's closing table. */
export function reportRow(row: IssueRow): void {
  const spec = ISSUE_16_ROWS[row.id];
  process.stdout.write(
    `▸ ${spec.workload}\n` +
      `    figure:   ${row.figure}\n` +
      `    baseline: ${row.baseline}\n` +
      `    ratio:    ${row.ratio}   goal: ${spec.goal}   ${verdict(row.met)}\n` +
      (row.note ? `    note:     ${row.note}\n` : ''),
  );
  const file = process.env.OCLHUB_BENCH_ROWS;
  if (file) appendFileSync(file, `${JSON.stringify(row)}\n`);
}

/** Reads the rows recorded under $OCLHUB_BENCH_ROWS (one JSON object a line). */
export function readRows(file: string): IssueRow[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as IssueRow);
  } catch {
    return [];
  }
}

/** Issue 16's table as markdown: every row, measured or not (a missing row says which bench measures it). */
export function issueTable(rows: readonly IssueRow[]): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const lines = ['| workload | figure | same-run baseline | ratio | goal | verdict |', '|---|---|---|---|---|---|'];
  for (const [id, spec] of Object.entries(ISSUE_16_ROWS) as [IssueRowId, (typeof ISSUE_16_ROWS)[IssueRowId]][]) {
    const row = rows.filter((r) => r.id === id).at(-1);
    if (!row) {
      lines.push(`| ${escape(spec.workload)} | not measured: \`npx tsx bench/${spec.bench.replace(/^(\S+)/, '$1.ts')}\` | | | ${escape(spec.goal)} | — |`);
      continue;
    }
    lines.push(`| ${escape(spec.workload)} | ${escape(row.figure)} | ${escape(row.baseline)} | ${escape(row.ratio)} | ${escape(spec.goal)} | ${verdict(row.met)} |`);
  }
  return lines.join('\n');
}

/** `--name value` or `--name=value` from argv, else the default. */
export function option(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === `--${name}`) return argv[i + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

export function flag(argv: readonly string[], name: string): boolean {
  return argv.includes(`--${name}`);
}

/** A positive integer option (`--runs 5`; also $OCLHUB_BENCH_RUNS for `--runs`), with a clear message for anything else. */
export function countOption(argv: readonly string[], name: string, fallback: number): number {
  const text = option(argv, name) ?? (name === 'runs' ? process.env.OCLHUB_BENCH_RUNS : undefined);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got "${text}"`);
  return value;
}

/** The arguments that are neither `--flags` nor the values of the options named in `valued`. */
export function positionals(argv: readonly string[], valued: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--')) {
      if (valued.includes(arg.slice(2))) i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}
