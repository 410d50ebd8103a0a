/**
 * How many threads a lint uses (`oclhub lint --jobs N`, `$OCLHUB_JOBS`), and when worker threads are
 * worth starting. Like `jest --maxWorkers` or `eslint --concurrency`: a count, or `auto` for one per
 * CPU the process may use; 1 keeps every project on the main thread. Kept apart from pool.ts so the
 * CLI can read the option without loading the pool.
 */
import { availableParallelism } from 'node:os';

/**
 * Projects to evaluate per worker thread below which it is not started: a worker's start (loading
 * the code, opening the hub, compiling the policies) costs about as much as evaluating this many
 * projects (measured with bench/lint.ts --jobs-curve; see bench/README.md).
 */
export const PROJECTS_PER_WORKER = 100;

/** `--jobs` / `$OCLHUB_JOBS`: a positive count, or `auto` (one per CPU the process may use). */
export function parseJobs(text: string): number | { error: string } {
  const value = text.trim().toLowerCase();
  if (value === 'auto') return defaultJobs();
  if (!/^\d+$/.test(value) || Number(value) < 1) return { error: `--jobs must be a positive number or "auto", got "${text}"` };
  return Number(value);
}

/** One thread per CPU the process may use. */
export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** How many worker threads a run of `jobs` threads with `pending` projects to evaluate starts (the main thread is one of the `jobs`). */
export function workerCount(jobs: number, pending: number, perWorker = PROJECTS_PER_WORKER): number {
  return Math.max(0, Math.min(jobs - 1, Math.floor(pending / Math.max(1, perWorker))));
}
