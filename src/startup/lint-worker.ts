/**
 * A lint worker thread's entry when the lint runs from the CLI's one-file script with the V8 code
 * cache (code-cache.ts; see src/hub/hub.ts): the worker runs that same script (its URL in
 * `workerData.bundle`) with the same cache file the lint's last run wrote, so it compiles none of the
 * functions that run compiled (module loading and the first projects' lazy compilation were about a
 * fifth of a worker's start), then serves as src/hub/lint-worker.ts does. It reads the cache and never
 * writes it: the thread that started it writes it after the run.
 */
import { fileURLToPath } from 'node:url';
import { workerData } from 'node:worker_threads';
import { codeCacheDir, commandLabel, loadBundle } from './code-cache.js';

const { bundle } = workerData as { bundle: string };
// Worker threads share the process's environment and working folder: the same cache folder as the thread that started it, and lint's cache file.
const { exports } = loadBundle({ file: fileURLToPath(bundle), dir: codeCacheDir(process.env, process.cwd()), label: commandLabel(['lint']) });
await (exports as { lintWorkerThread(): Promise<void> }).lintWorkerThread();
