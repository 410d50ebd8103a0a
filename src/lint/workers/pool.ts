/**
 * Projects evaluated on several threads (`oclhub lint --jobs N`, `$OCLHUB_JOBS`). The thread running
 * the lint is one lane and each worker thread another; every lane takes the next project not yet
 * taken, so a worker still starting (or a slow project) never holds the others up, and the starting
 * thread, which also reads the projects' files and merges the results, takes fewer when it is busy.
 * Results are consumed in the projects' order, whatever lane computed them, so the report is the
 * single-threaded run's; a lane may run at most `window` projects ahead of the one consumed, which
 * bounds the results held out of order.
 *
 * A worker that cannot start (the hub cannot be opened there, it reads other policies) takes no
 * project; one that dies fails the project it was evaluating (reported as undecided by the engine: fail
 * closed) and takes no more. The projects it held but had not started are handed back (`NotStarted`):
 * the engine evaluates them on the starting thread, whose lane never fails, so every project is evaluated.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { LintWorkerEntry } from '../hub-view.js';
import type { LintWorkerInit, LintWorkerRequest, ProjectOutcome, WireTarget, WorkerMessage } from './protocol.js';

/** Projects a lane may run ahead of the one the engine is waiting for. */
const WINDOW = 64;

/**
 * Requests a worker holds at once: the next ones are there when it finishes one. The starting thread
 * sends more only between two of its own projects (about a millisecond each), so with 2 a worker sat
 * idle after its second project until then, and took 460 of 1,000 projects; with 8 it takes ~640 (bench
 * hub, --jobs 2). A worker that dies fails only the one it was evaluating (see `NotStarted`).
 */
export const IN_FLIGHT = 8;

/**
 * A project a worker lane took but never started evaluating: sent to a worker that died while it
 * evaluated an earlier one (a worker evaluates its requests one at a time, in the order sent: serve.ts),
 * or not sent at all because the worker had died. Its result was never computed, so it is not undecided:
 * the engine evaluates it on the starting thread. Before, these failed with the worker (up to
 * `IN_FLIGHT` projects reported undecided for one project's crash).
 */
export class NotStarted extends Error {}


/** A lane: takes a project (by its position among those scheduled) and computes its result. */
export interface Lane<R> {
  /** Resolves when the lane can take projects; false when it never will. */
  ready: Promise<boolean>;
  /** Projects it runs at once. */
  concurrency: number;
  run(position: number): Promise<R>;
  /** True once it takes no more projects (a dead worker). */
  readonly stopped?: boolean;
}

interface Settled<R> {
  promise: Promise<R>;
  resolve(value: R): void;
  reject(error: unknown): void;
}

function settled<R>(): Settled<R> {
  let resolve!: (value: R) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<R>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  promise.catch(() => undefined); // consumed (and reported) in order by `result`
  return { promise, resolve, reject };
}

/** `count` projects spread over lanes; `result(position)` in order gives each one's result. */
export class ProjectSchedule<R> {
  private next = 0;
  private consumed = 0;
  /** Each project's result until it is consumed (then dropped: a lane's results are not held to the end of the run). */
  private readonly results: (Settled<R> | undefined)[];
  private waiting: (() => void)[] = [];

  constructor(
    private readonly count: number,
    lanes: readonly Lane<R>[],
    private readonly window = WINDOW,
  ) {
    this.results = Array.from({ length: count }, () => settled<R>());
    for (const lane of lanes) for (let i = 0; i < lane.concurrency; i++) void this.drive(lane);
  }

  /** The result of the project at `position`; call in order (it moves the window on). */
  async result(position: number): Promise<R> {
    const result = this.results[position];
    if (!result) throw new Error(`the result of project ${position} was already taken`);
    try {
      return await result.promise;
    } finally {
      // Settled (its lane is done with it) and consumed: dropped. Held here, every result (a worker's is
      // its cache entry, sources and all) stayed in memory to the end of the run: ~100 MB at 5,000 projects.
      this.results[position] = undefined;
      this.consumed = Math.max(this.consumed, position + 1);
      const waiting = this.waiting;
      this.waiting = [];
      for (const wake of waiting) wake();
    }
  }

  private async take(): Promise<number | undefined> {
    for (;;) {
      if (this.next >= this.count) return undefined;
      if (this.next < this.consumed + this.window) return this.next++;
      await new Promise<void>((wake) => this.waiting.push(wake));
    }
  }

  private async drive(lane: Lane<R>): Promise<void> {
    if (!(await lane.ready.catch(() => false))) return;
    for (;;) {
      if (lane.stopped) return;
      const position = await this.take();
      if (position === undefined) return;
      try {
        this.results[position]!.resolve(await lane.run(position));
      } catch (error) {
        this.results[position]!.reject(error);
      }
    }
  }
}

/** What a worker thread reports, held until a lane listens. */
type ThreadEvent = { message: WorkerMessage } | { error: unknown } | { exit: number };

/**
 * A worker thread running a lint worker entry, perhaps started before the hub is open (see
 * `StartedWorkers`): what it reports before a lane takes it (its start failing, its exit) is held for
 * that lane. Unreferenced until a lane takes it, so that a thread nobody took never keeps the process
 * alive.
 */
export class LintWorkerThread {
  private readonly worker: Worker;
  private held: ThreadEvent[] = [];
  private listener: ((event: ThreadEvent) => void) | undefined;
  private opened = false;

  /** Throws when there is no entry module to start (see `startWorker`). */
  constructor(readonly from: LintWorkerEntry) {
    this.worker = startWorker(from);
    const deliver = (event: ThreadEvent) => (this.listener ? this.listener(event) : this.held.push(event));
    this.worker.on('message', (message: WorkerMessage) => deliver({ message }));
    this.worker.on('error', (error) => deliver({ error }));
    this.worker.on('exit', (exit) => deliver({ exit }));
    // After the listeners: listening for messages references the thread again.
    this.worker.unref();
  }

  /** Whether the thread runs what `from` would start (another entry is another worker: a test's, say). */
  runs(from: LintWorkerEntry): boolean {
    return from.entry.href === this.from.entry.href && JSON.stringify(from.workerData) === JSON.stringify(this.from.workerData);
  }

  /** Hands the thread's reports (those held first) to `listener`; from now on the thread keeps the process alive. */
  listen(listener: (event: ThreadEvent) => void): void {
    this.worker.ref();
    this.listener = listener;
    for (const event of this.held.splice(0)) listener(event);
  }

  /** Tells the thread what to open, unless it was told already (by `StartedWorkers.open`, for the same run). */
  open(init: LintWorkerInit): void {
    if (this.opened) return;
    this.opened = true;
    this.post({ type: 'open', init });
  }

  post(request: LintWorkerRequest): void {
    this.worker.postMessage(request);
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * Worker threads started before the run knows how many it needs: the CLI starts them while it keys
 * the report and opens the hub, so that their start (Node's, the bundle's, about 0.1 s of CPU each) is
 * over when the projects are scheduled. The engine takes those it needs (`take`); `close` ends the
 * others.
 */
export class StartedWorkers {
  private threads: LintWorkerThread[] = [];

  /** Starts `count` threads running `from` (as many as can be started). */
  start(from: LintWorkerEntry, count: number): void {
    for (let i = 0; i < count; i++) {
      try {
        this.threads.push(new LintWorkerThread(from));
      } catch {
        return; // no entry to start: the engine starts none either
      }
    }
  }

  get size(): number {
    return this.threads.length;
  }

  /**
   * Tells the threads running `from` what to open: the engine does as soon as a run starts, so that
   * they open the hub and load the policies while it lists and keys the projects.
   */
  open(from: LintWorkerEntry, init: LintWorkerInit): void {
    for (const thread of this.threads) if (thread.runs(from)) thread.open(init);
  }

  /** Up to `count` of the threads running `from`, no longer this holder's. */
  take(from: LintWorkerEntry, count: number): LintWorkerThread[] {
    const taken: LintWorkerThread[] = [];
    this.threads = this.threads.filter((thread) => (taken.length < count && thread.runs(from) ? (taken.push(thread), false) : true));
    return taken;
  }

  /** Ends the threads nobody took. */
  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = [];
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
}

/** A worker thread as a lane, told to open `init.hub`: `send(position)` gives the project to send for a position. */
export class WorkerLane implements Lane<ProjectOutcome> {
  readonly concurrency = IN_FLIGHT;
  readonly ready: Promise<boolean>;
  private readonly pending = new Map<number, Settled<ProjectOutcome>>();
  private dead: string | undefined;
  private closing = false;
  private ids = 0;
  private markStopped!: () => void;
  /** Resolves when the lane stops taking projects (failed to start, died, or closed). */
  readonly stoppedOrDone = new Promise<void>((resolve) => (this.markStopped = resolve));

  /** `policies`: the starting thread's (`policyKey`), which the worker must have loaded too. */
  constructor(
    private readonly thread: LintWorkerThread,
    init: LintWorkerInit,
    policies: readonly string[],
    private readonly send: (position: number) => Promise<WireTarget>,
  ) {
    let ready!: (ok: boolean) => void;
    this.ready = new Promise<boolean>((resolve) => (ready = resolve));
    thread.listen((event) => {
      if ('error' in event) {
        ready(false);
        this.stop(`the worker thread failed: ${event.error instanceof Error ? event.error.message : String(event.error)}`);
        return;
      }
      if ('exit' in event) {
        ready(false);
        if (!this.closing) this.stop(`the worker thread exited (code ${event.exit})`);
        return;
      }
      const message = event.message;
      if (message.type === 'ready') {
        const same = message.policies.join('\n') === policies.join('\n');
        ready(same);
        if (!same) this.stop('the worker read other policies than the thread that started it');
      } else if (message.type === 'failed') {
        ready(false);
        this.stop(message.error);
      } else {
        const waiting = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.type === 'error') waiting?.reject(new Error(message.error));
        else {
          const { type: _type, id: _id, ...outcome } = message;
          waiting?.resolve(outcome as ProjectOutcome);
        }
      }
    });
    thread.open(init);
  }

  get stopped(): boolean {
    return this.dead !== undefined;
  }

  async run(position: number): Promise<ProjectOutcome> {
    const target = await this.send(position);
    if (this.dead !== undefined) throw new NotStarted(this.dead);
    const id = this.ids++;
    const waiting = settled<ProjectOutcome>();
    this.pending.set(id, waiting);
    this.thread.post({ type: 'project', id, target });
    return waiting.promise;
  }

  private stop(why: string): void {
    this.dead ??= why;
    this.markStopped();
    // The oldest request still waiting is the one the worker was evaluating (its answers come in the
    // order of the requests, and those it posted before it ended arrive before its 'exit'): it fails,
    // closed. The ones after it never started.
    let first = true;
    for (const waiting of this.pending.values()) {
      waiting.reject(first ? new Error(why) : new NotStarted(why));
      first = false;
    }
    this.pending.clear();
  }

  async close(): Promise<void> {
    this.closing = true;
    this.markStopped();
    await this.thread.terminate();
  }
}

/**
 * Starts an entry module in a worker thread. Run from the TypeScript sources (tsx, vitest), the entry
 * is a .ts file next to where its .js would be: the worker loads it through tsx, as its parent does.
 */
function startWorker(from: LintWorkerEntry): Worker {
  // Loaded by the first worker, not with the module: every lint loads this module, most never start a
  // worker (a re-run, a small hub, a busy machine), and node:worker_threads costs ~2 ms to load.
  const { Worker } = (process.getBuiltinModule?.('node:worker_threads') ?? createRequire(import.meta.url)('node:worker_threads')) as typeof import('node:worker_threads');
  const file = fileURLToPath(from.entry);
  const workerData = from.workerData;
  if (existsSync(file)) return new Worker(from.entry, { workerData });
  const source = file.replace(/\.js$/, '.ts');
  if (!existsSync(source)) throw new Error(`no lint worker at ${file}`);
  const load = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(pathToFileURL(source).href)}); })`;
  return new Worker(load, { eval: true, workerData });
}
