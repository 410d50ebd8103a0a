/**
 * A lint worker thread's entry when the lint runs from the CLI's one-file script with the V8 code
 * cache (code-cache.ts; see src/hub/hub.ts): the worker runs that same script (its URL in
 * `workerData.bundle`) with the same cache file the lint's last run wrote, so it compiles none of the
 * functions that run compiled (module loading and the first projects' lazy compilation were about a
 * fifth of a worker's start), then serves as src/hub/lint-worker.ts does. It reads the cache and never
 * writes it: the thread that started it writes it after the run. scripts/bundle-cli.mjs bundles it, with
 * code-cache.ts, as one CommonJS file (a worker started from an ES module pays Node's ES-module loader,
 * ~6 ms of CPU).
 */
import { fileURLToPath } from 'node:url';
import { workerData } from 'node:worker_threads';
import { codeCacheDir, commandLabel, loadBundle } from './code-cache.js';

const { bundle } = workerData as { bundle: string };
// Worker threads share the process's environment and working folder: the same cache folder as the thread that started it, and lint's cache file.
const { exports } = loadBundle({ file: fileURLToPath(bundle), dir: codeCacheDir(process.env, process.cwd()), label: commandLabel(['lint']) });
// Not awaited at the top: the module is bundled as CommonJS (dist/bundle/lint-worker.cjs, which the thread
// starts without Node's ES-module loader). A rejection is an unhandled one, which ends the thread with
// an 'error' event, as a failed top-level await did.
void (exports as { lintWorkerThread(): Promise<void> }).lintWorkerThread();
