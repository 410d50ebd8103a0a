/**
 * The Rego engine a bench times: the build in REGO_ENGINE_DIR (the directory holding index.js, e.g.
 * another checkout's dist/rego, to compare two engines in the same period), or else this working copy's
 * private build (bench/_build.ts, as bench/lint.ts and bench/rego-limits.ts use; removed when the bench
 * exits). Nothing is built into the project's dist/: a bench has no side effects on the working copy.
 * Returns the directory holding index.js.
 */
import { join, resolve } from 'node:path';
import { buildForBench } from './_build.js';

export function compiledEngine(): string {
  if (process.env.REGO_ENGINE_DIR) return resolve(process.env.REGO_ENGINE_DIR);
  const build = buildForBench();
  process.on('exit', () => build.remove());
  return join(build.root, 'src', 'rego');
}
