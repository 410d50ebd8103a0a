/**
 * Projects evaluated on worker threads (src/lint/workers, `oclhub lint --jobs N`): the report is the
 * single-threaded run's byte for byte in every output format, on a generated hub (packed, read lazily
 * at its commit: workers read the files themselves) and on the demo hub (tenants, templates,
 * exceptions, diagnostics; no cache: files sent from the main thread); the lint cache's per-project
 * entries are written by a run with workers and reused; `--shard` runs are unchanged; a project whose
 * evaluation throws or whose worker dies on it is reported undecided (fail closed), never lost, and
 * the projects a dying worker held but had not started are evaluated on the main thread. Threads
 * started before the run (as the CLI starts them) are taken by it, ended when it needs none, and fail
 * closed like the others.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateHub } from '../../bench/generate-hub.js';
import { lintWorkerEntry, openHub, type Hub } from '../../src/hub/index.js';
import { lintHub, type LintOptions, type LintRun } from '../../src/lint/engine.js';
import type { LintHub } from '../../src/lint/hub-view.js';
import { lintJsonChunks } from '../../src/report/lint-json-stream.js';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { DECISIONS_PER_WORKER, parseJobs, threadsFor, workerCount } from '../../src/lint/workers/jobs.js';
import { earlyWorkerCount, estimatedDecisions } from '../../src/lint/workers/early.js';
import { IN_FLIGHT, LintWorkerThread, StartedWorkers } from '../../src/lint/workers/pool.js';
import { LINT_FORMATS, renderLint } from '../../src/report/lint-formats.js';
import { evaluationSegments, isDeferred } from '../../src/report/lint-pieces.js';
import { checkDeferredReads, releaseDeferredReads } from '../../src/lint/cache.js';
import { demoHub } from '../e2e/demo-hub.js';

const NOW = new Date('2026-06-01T00:00:00Z');
/** A worker, started for any number of decisions, evaluating every project (this thread only merges, and takes over if it dies). */
const POOLED: LintOptions = { jobs: 2, decisionsPerWorker: 1, evaluateHere: false };

async function open(dir: string): Promise<Hub> {
  const { hub, diagnostics } = await openHub({ dir });
  if (!hub) throw new Error(JSON.stringify(diagnostics));
  return hub;
}

/** Every format as the CLI renders it, and the JSON report as the CLI streams it. */
function rendered(run: LintRun): Record<string, string> {
  const out: Record<string, string> = { 'json-stream': [...lintJsonChunks(run.report)].join('') };
  for (const format of LINT_FORMATS) out[format] = renderLint(run.report, format, { sarif: { repositoryRoot: () => 'file:///hub/' } });
  return out;
}

/** A hub view whose workers start from another entry module, with `test` settings for it. */
function withWorkerEntry(hub: Hub, entry: URL, test: object): LintHub {
  const source = hub.lintWorker()!;
  return new Proxy(hub, {
    get(target, property) {
      if (property === 'lintWorker') return () => ({ entry, hub: { ...(source.hub as object), test } });
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('lint on worker threads', () => {
  let work: string;
  let generated: string;
  let demo: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'oclhub-lint-workers-'));
    generated = path.join(work, 'hub');
    await generateHub(generated, 24, 3, 8, { packed: true });
    demo = await demoHub();
  }, 120_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(demo, { recursive: true, force: true });
  });

  it('reports what one thread reports, byte for byte in every format (generated hub read at its commit, cache on)', async () => {
    const one = await lintHub(await open(generated), { now: NOW, jobs: 1, cacheDir: path.join(work, 'cache-one'), wholeRunCache: false });
    const pooled = await lintHub(await open(generated), { now: NOW, ...POOLED, cacheDir: path.join(work, 'cache-pooled'), wholeRunCache: false });
    expect(one.onWorkers).toBe(0);
    expect(pooled.onWorkers).toBeGreaterThan(0);
    expect(pooled.evaluated).toBe(one.evaluated);
    expect(pooled.report.evaluations.length).toBe(24 * 3);
    expect(rendered(pooled)).toEqual(rendered(one));
    // The cache the pooled run wrote: every project comes from it next time, with the same report.
    const again = await lintHub(await open(generated), { now: NOW, ...POOLED, cacheDir: path.join(work, 'cache-pooled'), wholeRunCache: false });
    expect(again.cached).toBe(24);
    expect(again.onWorkers).toBe(0);
    expect(rendered(again)).toEqual(rendered(one));
    // Without sources (the CLI's JSON report): workers send their projects as stored report pieces, written as they came.
    const quiet: LintOptions = { now: NOW, wholeRunCache: false, keepSources: false, jsonPieces: true };
    const pieced = await lintHub(await open(generated), { ...quiet, ...POOLED, cacheDir: path.join(work, 'cache-pieces') });
    expect(pieced.onWorkers).toBeGreaterThan(0);
    expect(evaluationSegments(pieced.report)!.filter((s) => 'piece' in s).length).toBe(24);
    expect([...lintJsonChunks(pieced.report)].join('')).toBe(rendered(one)['json-stream']);
    const piecedAgain = await lintHub(await open(generated), { ...quiet, ...POOLED, cacheDir: path.join(work, 'cache-pieces') });
    expect(piecedAgain.cached).toBe(24);
    expect([...lintJsonChunks(piecedAgain.report)].join('')).toBe(rendered(one)['json-stream']);
    // The findings' outlines a SARIF report reads are made only when asked for, on workers and on one thread alike.
    const sarifOf = (run: LintRun) => renderLint(run.report, 'sarif', { sarif: { repositoryRoot: () => 'file:///hub/' } });
    const outlines = (run: LintRun) => evaluationSegments(run.report)!.map((s) => ('piece' in s ? s.tally.outline : undefined));
    expect(outlines(pieced).every((outline) => outline === 0)).toBe(true);
    for (const threads of [POOLED, { jobs: 1 }]) {
      const outlined = await lintHub(await open(generated), { ...quiet, ...threads, findingsOutlines: true, cacheDir: path.join(work, `cache-outlined-${threads.jobs}`) });
      expect(outlines(outlined).every((outline) => typeof outline === 'string' && outline !== '')).toBe(true);
      // Without sources (`quiet`), as the pieces decoded for want of outlines write it.
      expect(sarifOf(outlined)).toBe(sarifOf(pieced));
    }
    // Deferred (the CLI's JSON report to a file): the workers' pieces are read back from the shards this run wrote.
    try {
      const deferred = await lintHub(await open(generated), { ...quiet, ...POOLED, deferStoredPieces: true, cacheDir: path.join(work, 'cache-deferred') });
      expect(deferred.onWorkers).toBe(24);
      const segments = evaluationSegments(deferred.report)!;
      expect(segments.filter((s) => 'piece' in s && isDeferred(s.piece.bytes)).length).toBe(24);
      expect([...lintJsonChunks(deferred.report)].join('')).toBe(rendered(one)['json-stream']);
      expect(() => checkDeferredReads()).not.toThrow();
    } finally {
      releaseDeferredReads();
    }
  }, 120_000);

  it('reports what one thread reports on the demo hub (tenants, templates, exceptions, findings; no cache)', async () => {
    const one = await lintHub(await open(demo), { now: NOW, jobs: 1, cacheDir: false });
    const pooled = await lintHub(await open(demo), { now: NOW, ...POOLED, cacheDir: false });
    expect(pooled.onWorkers).toBeGreaterThan(0);
    expect(one.report.diagnostics.length).toBeGreaterThan(0);
    expect(one.report.evaluations.some((e) => e.tenant !== undefined)).toBe(true);
    expect(rendered(pooled)).toEqual(rendered(one));
    // Findings keep where they came from: repository, commit, file and range.
    const located = pooled.report.evaluations.flatMap((e) => e.decisions).filter((d) => d.location?.range !== undefined);
    expect(located.length).toBeGreaterThan(0);
    for (const d of located) expect(d.location!.repository?.commit).toMatch(/^[0-9a-f]{40}$/);
  }, 120_000);

  it('lints each shard as one thread does', async () => {
    for (const index of [1, 2]) {
      const shard = { index, count: 2 };
      const one = await lintHub(await open(generated), { now: NOW, jobs: 1, shard, cacheDir: false });
      const pooled = await lintHub(await open(generated), { now: NOW, ...POOLED, shard, cacheDir: false });
      expect(pooled.onWorkers).toBeGreaterThan(0);
      expect(rendered(pooled)).toEqual(rendered(one));
    }
  }, 120_000);

  it('reports a project whose evaluation throws on a worker as undecided, and the others as one thread does', async () => {
    const failing = 'app-0003';
    const entry = new URL('./fixtures/failing-lint-worker.js', import.meta.url);
    const one = await lintHub(await open(generated), { now: NOW, jobs: 1, cacheDir: false });
    const hub = withWorkerEntry(await open(generated), entry, { failIn: `projects/${failing}/` });
    const cacheDir = path.join(work, 'cache-failing');
    const pooled = await lintHub(hub, { now: NOW, ...POOLED, cacheDir, wholeRunCache: false });
    const failed = new Set(pooled.report.diagnostics.filter((d) => d.code === 'HUB006').map((d) => d.project));
    const others = (run: LintRun) => run.report.evaluations.filter((e) => !failed.has(e.project));
    expect(others(pooled)).toEqual(others(one));
    expect([...failed]).toEqual([failing]);
    const diagnostic = pooled.report.diagnostics.find((d) => d.code === 'HUB006')!;
    expect(diagnostic).toMatchObject({ severity: 'error', file: 'oclhub.ocl', project: failing, repository: { id: 'hub' } });
    expect(diagnostic.summary).toContain(`resolving projects/${failing}/ failed`);
    expect(diagnostic.range).toBeDefined();
    const evaluations = pooled.report.evaluations.filter((e) => e.project === failing);
    expect(evaluations.length).toBe(3);
    for (const e of evaluations) {
      expect(e.decisions.length).toBe(8);
      for (const d of e.decisions) expect(d).toMatchObject({ outcome: 'error', action: 'block' });
    }
    // An undecided project is not cached: the next run evaluates it again.
    const next = await lintHub(await open(generated), { now: NOW, jobs: 1, cacheDir, wholeRunCache: false });
    expect(next.cached).toBe(23);
    expect(next.report.evaluations).toEqual(one.report.evaluations);
  }, 120_000);

  it('reports the project a dying worker was evaluating as undecided, and this thread lints the rest, those the worker held included', async () => {
    const failing = 'svc-0010';
    const entry = new URL('./fixtures/failing-lint-worker.js', import.meta.url);
    const one = await lintHub(await open(generated), { now: NOW, jobs: 1, cacheDir: false });
    const hub = withWorkerEntry(await open(generated), entry, { failIn: `projects/${failing}/`, exit: true });
    const pooled = await lintHub(hub, { now: NOW, ...POOLED, cacheDir: false });
    expect(pooled.report.evaluations.length).toBe(one.report.evaluations.length);
    // Only the project the worker died on: the IN_FLIGHT - 1 requests queued behind it never started and
    // are evaluated on this thread (POOLED keeps this thread from taking projects of its own until then).
    const failed = pooled.report.diagnostics.filter((d) => d.code === 'HUB006').map((d) => d.project);
    expect(failed).toEqual([failing]);
    for (const e of pooled.report.evaluations) {
      if (e.project === failing) for (const d of e.decisions) expect(d.outcome).toBe('error');
    }
    const others = (run: LintRun) => run.report.evaluations.filter((e) => e.project !== failing);
    expect(others(pooled)).toEqual(others(one));
    expect(pooled.report.diagnostics.find((d) => d.code === 'HUB006')!.summary).toMatch(/exited \(code 3\)/);
    // The worker evaluated the projects before the failing one (in the run's order, the report's); this thread the ones after it.
    const order = [...new Set(one.report.evaluations.map((e) => e.project))];
    expect(order.indexOf(failing)).toBeLessThan(order.length - IN_FLIGHT);
    expect(pooled.onWorkers).toBe(order.indexOf(failing));
  }, 120_000);

  it('lints everything on this thread when no worker can open the hub', async () => {
    const one = await lintHub(await open(demo), { now: NOW, jobs: 1, cacheDir: false });
    const hub = withWorkerEntry(await open(demo), new URL('./fixtures/no-such-worker.js', import.meta.url), {});
    const pooled = await lintHub(hub, { now: NOW, ...POOLED, cacheDir: false });
    expect(pooled.onWorkers).toBe(0);
    expect(rendered(pooled)).toEqual(rendered(one));
  }, 120_000);

  it('takes the worker threads started before the run (the CLI starts them while it opens the hub)', async () => {
    const one = await lintHub(await open(generated), { now: NOW, jobs: 1, cacheDir: false });
    const early = new StartedWorkers();
    early.start(lintWorkerEntry(), 1);
    expect(early.size).toBe(1);
    const take = vi.spyOn(early, 'take');
    const pooled = await lintHub(await open(generated), { now: NOW, ...POOLED, startedWorkers: early, cacheDir: false });
    expect(take.mock.results.map((r) => (r.value as LintWorkerThread[]).length)).toEqual([1]);
    expect(early.size).toBe(0);
    expect(pooled.onWorkers).toBe(24);
    expect(rendered(pooled)).toEqual(rendered(one));
  }, 120_000);

  it('ends the threads started before the run when it turns out to need none, and lints as one thread', async () => {
    const one = await lintHub(await open(generated), { now: NOW, jobs: 1, cacheDir: false });
    const terminate = vi.spyOn(LintWorkerThread.prototype, 'terminate');
    try {
      const early = new StartedWorkers();
      early.start(lintWorkerEntry(), 1);
      // 24 projects × 3 environments × 8 policies: far fewer decisions than a worker is started for.
      const run = await lintHub(await open(generated), { now: NOW, jobs: 2, startedWorkers: early, cacheDir: false });
      expect(early.size).toBe(0);
      expect(terminate).toHaveBeenCalledTimes(1);
      expect(run.onWorkers).toBe(0);
      expect(rendered(run)).toEqual(rendered(one));
    } finally {
      terminate.mockRestore();
    }
  }, 120_000);

  it('reports the project an early-started worker died on as undecided, and this thread lints the rest, those the worker held included', async () => {
    const failing = 'svc-0010';
    const entry = new URL('./fixtures/failing-lint-worker.js', import.meta.url);
    const one = await lintHub(await open(generated), { now: NOW, jobs: 1, cacheDir: false });
    const early = new StartedWorkers();
    early.start({ entry }, 1);
    const hub = withWorkerEntry(await open(generated), entry, { failIn: `projects/${failing}/`, exit: true });
    const pooled = await lintHub(hub, { now: NOW, ...POOLED, startedWorkers: early, cacheDir: false });
    expect(early.size).toBe(0);
    const failed = new Set(pooled.report.diagnostics.filter((d) => d.code === 'HUB006').map((d) => d.project));
    expect([...failed]).toEqual([failing]);
    for (const e of pooled.report.evaluations) {
      if (failed.has(e.project)) for (const d of e.decisions) expect(d).toMatchObject({ outcome: 'error', action: 'block' });
    }
    const others = (run: LintRun) => run.report.evaluations.filter((e) => !failed.has(e.project));
    expect(others(pooled)).toEqual(others(one));
    expect(pooled.report.evaluations.length).toBe(one.report.evaluations.length);
  }, 120_000);

  it('gives no project to a worker that loaded other policies than this thread, and lints them here', async () => {
    const entry = new URL('./fixtures/failing-lint-worker.js', import.meta.url);
    const one = await lintHub(await open(generated), { now: NOW, jobs: 1, cacheDir: false });
    const hub = withWorkerEntry(await open(generated), entry, { dropPolicy: true });
    const pooled = await lintHub(hub, { now: NOW, ...POOLED, cacheDir: false });
    expect(pooled.onWorkers).toBe(0);
    expect(rendered(pooled)).toEqual(rendered(one));
  }, 120_000);

  it('estimates the decisions of a hub from its oclhub.ocl to start workers early, and never keeps the process alive with one nobody took', () => {
    const config = readFileSync(path.join(generated, 'oclhub.ocl'), 'utf8');
    expect(estimatedDecisions(config)).toBe(24 * 3 * 8);
    expect(earlyWorkerCount(2, config)).toBe(0);
    const block = (kind: string, count: number) => Array.from({ length: count }, (_, i) => `${kind} "${kind}-${i}" {\n    name = "x"\n}\n`).join('\n');
    const large = [block('environment', 4), block('project', 200), block('policy', 25)].join('\n');
    expect(estimatedDecisions(large)).toBe(200 * 4 * 25);
    expect(earlyWorkerCount(1, large)).toBe(0);
    expect(earlyWorkerCount(2, large)).toBe(1);
    expect(earlyWorkerCount(8, large)).toBe(1);
    expect(earlyWorkerCount(2, large, { shards: 2 })).toBe(0);
    // --environment production: a quarter of the decisions.
    expect(estimatedDecisions(large, 1)).toBe(200 * 25);
    expect(earlyWorkerCount(2, large, { environments: 1 })).toBe(0);
    // A thread started and never taken nor closed (a command that returned early): the process still ends.
    const script = `import { StartedWorkers } from ${JSON.stringify(new URL('../../src/lint/workers/pool.ts', import.meta.url).href)};
import { lintWorkerEntry } from ${JSON.stringify(new URL('../../src/hub/hub.ts', import.meta.url).href)};
const early = new StartedWorkers();
early.start(lintWorkerEntry(), 1);
process.stdout.write(String(early.size));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(run.signal).toBeNull();
    expect(run.stdout).toBe('1');
    expect(run.status).toBe(0);
  }, 120_000);

  it('takes --jobs and $OCLHUB_JOBS (a count or auto) and starts workers only for enough decisions', async () => {
    expect(parseJobs('3')).toBe(3);
    expect(parseJobs('auto')).toBeGreaterThanOrEqual(1);
    // auto: a thread per 1.3 idle cores (one lint thread keeps that many busy), at least one.
    expect(threadsFor(2, 0)).toBe(1);
    expect(threadsFor(2, 6)).toBe(1);
    expect(threadsFor(1, 0)).toBe(1);
    expect(threadsFor(4, 0)).toBe(3);
    expect(threadsFor(8, 2)).toBe(4);
    expect(threadsFor(64, 0)).toBe(49);
    for (const bad of ['0', '-1', 'x', '1.5', '']) expect(parseJobs(bad)).toHaveProperty('error');
    expect(workerCount(1, 10 * DECISIONS_PER_WORKER)).toBe(0);
    expect(workerCount(4, DECISIONS_PER_WORKER - 1)).toBe(0);
    expect(workerCount(4, 2 * DECISIONS_PER_WORKER)).toBe(2);
    expect(workerCount(4, 100 * DECISIONS_PER_WORKER)).toBe(3);
    const cli = async (argv: string[], env: Record<string, string> = {}) => {
      const io = { ...memoryIo(demo), env };
      return { code: await main(argv, io), out: io.out.join(''), err: io.err.join('') };
    };
    expect(await cli(['lint', '--no-cache', '--jobs', '0'])).toMatchObject({ code: 2, err: expect.stringContaining('--jobs must be a positive number or "auto", got "0"') as unknown });
    expect(await cli(['lint', '--no-cache'], { OCLHUB_JOBS: 'many' })).toMatchObject({ code: 2, err: expect.stringContaining('$OCLHUB_JOBS: --jobs must be') as unknown });
    const one = await cli(['lint', '--no-cache', '--format', 'json', '--jobs', '1']);
    const auto = await cli(['lint', '--no-cache', '--format', 'json'], { OCLHUB_JOBS: 'auto' });
    expect(auto.code).toBe(one.code);
    expect(auto.out).toBe(one.out);
  }, 120_000);
});
