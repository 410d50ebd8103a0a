#!/usr/bin/env node
// The CLI is written in TypeScript; `npm ci` (the `prepare` script) compiles it to dist/ and bundles
// it into dist/bundle/, which starts several times faster than the ~900 modules it is made of.
// CommonJS (bin/package.json), and so is the re-run fast path's bundle it requires: a lint re-run on an
// unchanged hub is answered without Node's ES-module loader (~5 ms of its start-up: the loader's own
// modules, fs/promises to read sources, package scope look-ups); the CLI's ES modules are imported after.
'use strict';
const { existsSync, fstatSync, readFileSync } = require('node:fs');
const path = require('node:path');

const argv = process.argv.slice(2);

// Once nothing is left to do ('beforeExit' comes only when the event loop is empty: every write is
// done), the process exits without tearing V8's heap down: unmapping it page by page took a cold lint
// of 1,000 projects 35-45 ms of CPU after its last write, for memory that goes with the process anyway.
process.once('beforeExit', () => process.exit());

if (argv.length === 1 && ['--version', '-V', '-v', 'version'].includes(argv[0])) {
  // Asked in every CI log: answered without loading any command.
  process.stdout.write(`${packageVersion()}\n`);
} else {
  run().catch((error) => {
    process.stderr.write(`oclhub: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 2;
  });
}

async function run() {
  // Whether the lint cache holds this invocation's last report (a re-run: its own code cache, see loadCli).
  let rerun = false;
  const served = argv[0] === 'lint' ? await rerunFromCache(argv.slice(1), () => void (rerun = true)) : undefined;
  if (served !== undefined) {
    process.exitCode = served;
    return;
  }
  const { main, done } = await loadCli(rerun);
  main(argv).then(
    (code) => {
      process.exitCode = code;
      done?.();
    },
    (error) => {
      process.stderr.write(`oclhub: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}

/** A file of the package, from this folder (bin/). */
function packageFile(relative) {
  return path.join(__dirname, relative);
}

function packageVersion() {
  return JSON.parse(readFileSync(packageFile('../package.json'), 'utf8')).version;
}

/**
 * `process.stdout.isTTY` without creating `process.stdout` when fd 1 is not a character device (every
 * terminal is one): for a pipe or a file, that stream loads Node's stream modules (and for a pipe its
 * net module), 2-4 ms that a re-run writing its report to `--output` never needs. Windows: asks Node.
 */
function stdoutIsTTY() {
  if (process.platform !== 'win32') {
    try {
      if (!fstatSync(1).isCharacterDevice()) return false;
    } catch {
      // fd 1 closed or unusual: Node's own answer
    }
  }
  return Boolean(process.stdout.isTTY);
}

/**
 * `oclhub lint` re-run on a hub that has not changed: the stored report, before the CLI loads (see
 * src/lint/fast-rerun.ts, which loads Node's modules and three small Node-only modules of ours: one
 * CommonJS module in the bundle, dist/bundle/fast-rerun.cjs; the ES modules of dist/lint/ without it).
 * Undefined: run the CLI.
 */
async function rerunFromCache(args, rerun) {
  const bundle = packageFile('../dist/bundle/fast-rerun.cjs');
  const modules = packageFile('../dist/lint/fast-rerun.js');
  const load = !process.env.OCLHUB_UNBUNDLED && existsSync(bundle) ? () => require(bundle) : existsSync(modules) ? () => import(require('node:url').pathToFileURL(modules).href) : undefined;
  if (load === undefined) return undefined;
  try {
    const fast = await load();
    return await fast.rerunFromCache({
      args,
      cwd: process.cwd(),
      env: process.env,
      stdoutIsTTY: stdoutIsTTY(),
      toolVersion: packageVersion(),
      stdout: (bytes) => {
        // A reader that stopped reading (`| head`) is not an error of ours, as for the CLI's own output.
        if (process.stdout.listenerCount('error') === 0) process.stdout.on('error', (error) => void (error.code === 'EPIPE' || Promise.reject(error)));
        if (!process.stdout.destroyed) process.stdout.write(bytes);
      },
      stderr: (text) => process.stderr.write(text),
      rerun,
    });
  } catch {
    return undefined;
  }
}

/**
 * The bundle when it was built: for `lint`, its one-file script with the V8 code cache
 * (src/startup/code-cache.ts, bundled as dist/bundle/code-cache.cjs; `done` writes the cache after the run; a re-run has a cache of its own), else its ES modules; the plain
 * compiled modules otherwise (`tsc` alone, or a debugger). Only lint takes the script: compiling it
 * whole costs a run without a cache 60-90 ms of CPU more than the few modules a short command loads,
 * which a lint of any size earns back once the cache exists, and a short command would not.
 */
async function loadCli(rerun) {
  const { pathToFileURL } = require('node:url');
  const importFile = (relative) => import(pathToFileURL(packageFile(relative)).href);
  if (process.env.OCLHUB_UNBUNDLED) return importFile('../dist/cli/main.js');
  const script = packageFile('../dist/bundle/oclhub.cjs');
  // The loader's CommonJS bundle: with it, a lint runs without Node's ES-module loader (about 5 ms).
  const loader = packageFile('../dist/bundle/code-cache.cjs');
  if (argv.find((arg) => !arg.startsWith('-')) === 'lint' && existsSync(script) && existsSync(loader)) {
    const { loadCliBundle } = require(loader);
    return loadCliBundle(script, argv, process.env, process.cwd(), rerun);
  }
  return importFile(existsSync(packageFile('../dist/bundle/oclhub.js')) ? '../dist/bundle/oclhub.js' : '../dist/cli/main.js');
}
