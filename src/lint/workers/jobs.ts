/**
 * How many threads a lint uses (`oclhub lint --jobs N`, `$OCLHUB_JOBS`), and when worker threads are
 * worth starting. Like `jest --maxWorkers` or `eslint --concurrency`: a count, or `auto`; 1 keeps every
 * project on the main thread. Kept apart from pool.ts so the CLI can read the option without loading
 * the pool.
 */
import { availableParallelism, loadavg } from 'node:os';
import { isJobsText } from './jobs-text.js';

/**
 * Decisions to make (contexts × policies of the projects not cached) per worker thread below which
 * it is not started. A worker's start (loading the bundle, opening the hub, loading and compiling the
 * policies) cost about 0.4–0.5 s of CPU, and one thread makes a decision in about 27 µs (bench/lint.ts,
 * 100 → 1,000 projects × 4 environments × 25 policies): 20,000 decisions were about one worker start's
 * worth. With less, the thread already running is done, or nearly, by the time the worker is ready.
 *
 * Since then (December 2026, the bench hub, --jobs 2): the worker runs the code-cached script and, in a
 * cold lint of a whole hub, starts while the CLI opens the hub (early.ts), ready when the projects are
 * scheduled; its start is ~0.15 s of its thread's CPU (~0.19 s with its first project, plus V8's
 * compiler threads). What it still costs is per project: the main thread spends ~0.2 ms of its CPU
 * taking a worker's result (receiving, decoding, caching it: 188–193 ms for 1,000 results in a run
 * where it evaluated none, /proc/thread-self/schedstat) where evaluating the project itself costs it
 * ~0.7 ms; and each thread's isolate warms up its own compiled code (a thread's first 50 projects took
 * 1.6–2 ms each, later ones ~0.4 ms), so --jobs 2 uses 1.3–1.45× the CPU of one thread. The threshold
 * is kept: whether fewer decisions pay for a worker in wall time needs `bench/lint.ts --jobs-curve` on
 * an idle machine.
 */
export const DECISIONS_PER_WORKER = 20_000;

/** `--jobs` / `$OCLHUB_JOBS`: a positive count, or `auto` (see `defaultJobs`). */
export function parseJobs(text: string): number | { error: string } {
  if (!isJobsText(text)) return { error: `--jobs must be a positive number or "auto", got "${text}"` };
  const value = text.trim().toLowerCase();
  return value === 'auto' ? defaultJobs() : Number(value);
}


/**
 * Cores one lint thread keeps busy: its JavaScript, and V8's compiler (TurboFan) and garbage-collector
 * threads beside it, for each thread's isolate. Measured on the bench hub (1,000 projects, December
 * 2026, a quiet 2-core machine): a --jobs 1 lint used 1.55 s of CPU in 1.20 s.
 */
const CORES_PER_THREAD = 1.3;

/**
 * `auto`: as many threads as fit the cores other processes are not already using (the 1-minute load
 * average, as `make -l` and GNU parallel's `--load` do), each taking the cores a lint thread keeps busy.
 * Measured with bench/lint.ts on a shared 2-core machine (load 5–12), a worker thread made a 1,000-project
 * lint 1.2–1.4× slower and cost 35–55% more CPU: when the cores are busy, a process's second thread gets
 * no more of them (and with the kernel's autogroup scheduling, not even a larger share), so it only adds
 * its start and the results' copying. Measured again with the worker started early (December 2026):
 * on the same machine quiet (load 1–1.7, most of it the bench's own), --jobs 2 took 1.31 s against
 * 1.20 s for --jobs 1 (3 rounds; 6 pairs: 1.10×, 0.97–1.21×) with 1.33× the CPU: one thread already
 * keeps 1.3 of the 2 cores busy, and the main thread ran only 0.90× as long on a CPU, since taking a
 * worker's result costs it a third of evaluating the project while it waited 0.24 s more for a core.
 * Measured again (12–16 alternating pairs each, --jobs 2 against --jobs 1): wall 0.95× at load ~2.3
 * (IQR 0.90–1.00); with the lint cache's writes gathered (cache.ts CORKED_BYTES, --jobs 2 CPU 0.93×),
 * 0.97× at ~3.8 (IQR 0.86–1.65) and 1.29× at ~5.3; CPU 1.30–1.34× throughout: short of the 10% that
 * would justify a second thread's CPU. Quiet (load ~1), its main thread still waited 0.12–0.24 s for a
 * core (~0.01 s with --jobs 1, /proc schedstat): the worker and V8's compiler and collector threads of
 * two isolates want more than two cores. Lowering the worker thread's priority did not change that
 * (12 pairs against --jobs 2: nice 19 wall 0.985×, IQR 0.96–1.01; SCHED_IDLE 1.00×), nor did 3 or 24
 * projects in flight instead of 8 (pool.ts IN_FLIGHT; 12 pairs each: 1.00×, 0.96×, IQR 0.85–1.05).
 * So two cores get one thread, even idle; a machine with more cores gets a thread per 1.3 idle cores.
 */
export function defaultJobs(): number {
  return threadsFor(availableParallelism(), loadavg()[0]!);
}

/** `auto`'s threads on `cpus` cores with a 1-minute load average of `load`. */
export function threadsFor(cpus: number, load: number): number {
  const cores = Math.max(1, cpus);
  return Math.max(1, Math.min(cores, Math.floor((cores - load) / CORES_PER_THREAD)));
}

/** How many worker threads a run of `jobs` threads with `decisions` to make starts (the main thread is one of the `jobs`). */
export function workerCount(jobs: number, decisions: number, perWorker = DECISIONS_PER_WORKER): number {
  return Math.max(0, Math.min(jobs - 1, Math.floor(decisions / Math.max(1, perWorker))));
}
