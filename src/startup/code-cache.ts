/**
 * Runs the CLI's one-file CommonJS bundle (dist/bundle/oclhub.cjs, see scripts/bundle-cli.mjs; what
 * bin/oclhub.js runs for `lint`) with a V8 code cache, which is what Node 22's `module.enableCompileCache()` does and Node 20 lacks: the
 * bytecode of every function the previous run of the same command compiled is handed back to V8
 * (`vm.Script` `cachedData`), so this run neither parses the bundle nor compiles those functions again.
 *
 * A cache file belongs to one bundle (its SHA-256: V8's own check compares only the source's length),
 * one Node/V8 build and platform, one set of V8 flags (`execArgv` and `NODE_OPTIONS`) and one command
 * (for lint, one kind of run: see `loadCliBundle`): anything else is another file. Its payload carries
 * a SHA-256 of its own (V8 verifies its checksum only in debug builds), so a torn, truncated or damaged
 * file is never handed to V8. A cache that is
 * missing, damaged, foreign or rejected by V8 is ignored: the bundle is compiled from its source, as
 * without a cache, and a new cache is written after the run. Writes are a temporary file renamed into
 * place; failing to write one (read-only home, full disk) changes nothing else. The cache holds only
 * what V8 would compile from the bundle anyway, never data a command reads.
 *
 * Imported by bin/oclhub.js before the bundle: Node's modules only, and git/durable.js for the atomic
 * write.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { homedir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import { replaceFileSync } from '../git/durable.js';

/** First line of a cache file; a new format gets a new name. */
const MAGIC = 'oclhub-code-cache/1';
/** A run that used this many times the CPU of the run that wrote the cache (and at least REFRESH_MS) writes it again: it compiled more. */
const REFRESH_FACTOR = 2;
const REFRESH_MS = 200;
/** Cache files kept in the folder (one per command and bundle); the least recently written go first. */
const KEEP_FILES = 16;
/** A temporary file this old is a leftover of a process that died between writing and renaming it. */
const LEFTOVER_MS = 60 * 60 * 1000;
const SUFFIX = '.v8cache';

export type CodeCacheStatus =
  /** No cache file, or no cache folder (`OCLHUB_CODE_CACHE=off`). */
  | 'none'
  /** V8 used the cached code. */
  | 'accepted'
  /** A cache file whose key or checksum did not match, or that could not be read as one: not given to V8. */
  | 'damaged'
  /** V8 refused the cached code (another V8 build or flags): compiled from source. */
  | 'rejected';

export interface CodeCacheOptions {
  /** The CommonJS file to run. */
  file: string;
  /** Where cache files live; undefined: no code cache. */
  dir: string | undefined;
  /** What else the compiled code depends on beyond the bundle, Node and V8 flags: the command (a cache holds the functions its run compiled). */
  label: string;
  /** `process.env` (NODE_OPTIONS sets V8 flags too). */
  env?: NodeJS.ProcessEnv;
}

export interface LoadedBundle {
  /** The bundle's `module.exports`. */
  exports: unknown;
  status: CodeCacheStatus;
  /** The cache file this run read or will write (undefined without a cache folder). */
  cacheFile: string | undefined;
  /**
   * Call when the command is done: writes the cache when there was none usable, or when this run
   * compiled much more than the one that wrote it. Never throws. Returns whether a cache was written.
   */
  save(): boolean;
}

/**
 * The code-cache folder: `$OCLHUB_CODE_CACHE_DIR`, else `code/` in oclhub's cache folder
 * (`$OCLHUB_CACHE_DIR`, else `~/.cache/oclhub`); undefined when `OCLHUB_CODE_CACHE` is `off` (or `0`).
 */
export function codeCacheDir(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const setting = env.OCLHUB_CODE_CACHE?.toLowerCase();
  if (setting === 'off' || setting === '0' || setting === 'false') return undefined;
  if (env.OCLHUB_CODE_CACHE_DIR) return path.resolve(cwd, env.OCLHUB_CODE_CACHE_DIR);
  return path.join(path.resolve(cwd, env.OCLHUB_CACHE_DIR || path.join(env.HOME ?? homedir(), '.cache', 'oclhub')), 'code');
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Everything the cached code depends on, as one line. */
function cacheKey(sourceHash: string, label: string, env: NodeJS.ProcessEnv): string {
  return [MAGIC, sourceHash, process.version, process.versions.v8, process.platform, process.arch, JSON.stringify(process.execArgv), env.NODE_OPTIONS ?? '', label].join('\n');
}

interface CacheFile {
  data: Buffer;
  /** CPU time (ms) of the run that wrote it. */
  cpuMs: number;
}

/** The payload of `file` when it is a cache file for `keyHash` and its checksum holds; undefined otherwise. */
export function readCacheFile(file: string, keyHash: string): CacheFile | 'missing' | 'damaged' {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return 'missing';
  }
  // `<magic> <key hash> <payload sha256> <cpu ms>\n<payload>`
  const newline = bytes.indexOf(10);
  if (newline < 0 || newline > 256) return 'damaged';
  const [magic, key, payloadHash, cpu, ...rest] = bytes.subarray(0, newline).toString('latin1').split(' ');
  if (magic !== MAGIC || key !== keyHash || payloadHash === undefined || rest.length > 0 || !/^\d+$/.test(cpu ?? '')) return 'damaged';
  const data = bytes.subarray(newline + 1);
  if (data.length === 0 || sha256(data) !== payloadHash) return 'damaged';
  return { data, cpuMs: Number(cpu) };
}

function writeCacheFile(file: string, keyHash: string, data: Buffer, cpuMs: number): void {
  const folder = path.dirname(file);
  mkdirSync(folder, { recursive: true });
  replaceFileSync(file, Buffer.concat([Buffer.from(`${MAGIC} ${keyHash} ${sha256(data)} ${Math.round(cpuMs)}\n`, 'latin1'), data]));
  prune(folder);
}

/** Keeps the folder bounded: every new oclhub version or command adds a file. */
function prune(folder: string): void {
  const now = Date.now();
  const caches: { file: string; mtimeMs: number }[] = [];
  for (const name of readdirSync(folder)) {
    const file = path.join(folder, name);
    const mtimeMs = statSync(file, { throwIfNoEntry: false })?.mtimeMs;
    if (mtimeMs === undefined) continue;
    if (name.endsWith(SUFFIX)) caches.push({ file, mtimeMs });
    else if (name.includes(`${SUFFIX}.tmp-`) && now - mtimeMs > LEFTOVER_MS) rmSync(file, { force: true });
  }
  caches.sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { file } of caches.slice(KEEP_FILES)) rmSync(file, { force: true });
}

const cpuMsNow = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** Runs `options.file` as a CommonJS module, with cached code when a usable cache exists. */
export function loadBundle(options: CodeCacheOptions): LoadedBundle {
  const bytes = readFileSync(options.file);
  const source = bytes.toString('utf8');
  let status: CodeCacheStatus = 'none';
  let cacheFile: string | undefined;
  let keyHash = '';
  let cached: CacheFile | undefined;
  if (options.dir !== undefined) {
    keyHash = sha256(cacheKey(sha256(bytes), options.label, options.env ?? process.env));
    cacheFile = path.join(options.dir, `${keyHash.slice(0, 40)}${SUFFIX}`);
    const read = readCacheFile(cacheFile, keyHash);
    if (read === 'damaged') status = 'damaged';
    else if (read !== 'missing') cached = read;
  }
  // No importModuleDynamically: with cached data, Node 20 loses the callback (the bundle has no
  // dynamic import; scripts/bundle-cli.mjs checks).
  const script = new Script(Module.wrap(source), { filename: options.file, ...(cached ? { cachedData: cached.data } : {}) });
  if (cached) status = script.cachedDataRejected === true ? 'rejected' : 'accepted';
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;
  run.call(module.exports, module.exports, createRequire(options.file), module, options.file, path.dirname(options.file));
  return {
    exports: module.exports,
    status,
    cacheFile,
    save: () => {
      if (cacheFile === undefined) return false;
      const cpuMs = cpuMsNow();
      const stale = status !== 'accepted' || (cached !== undefined && cpuMs >= Math.max(REFRESH_MS, REFRESH_FACTOR * cached.cpuMs));
      if (!stale) return false;
      try {
        writeCacheFile(cacheFile, keyHash, script.createCachedData(), cpuMs);
        return true;
      } catch {
        return false; // a cache is an optimisation: a folder we cannot write to is not an error
      }
    },
  };
}

/** The cache's label for a command line: the command's name (what decides which functions run), or `other`. */
export function commandLabel(argv: readonly string[]): string {
  const name = argv.find((arg) => !arg.startsWith('-'));
  return name !== undefined && /^[a-z][a-z-]{0,31}$/.test(name) ? name : 'other';
}

/**
 * How much code a function runs (V8's profiler ticks, weighted by bytecode size) before V8 hands it to
 * TurboFan, its optimising compiler, for a lint: 8× V8 11's default (66 KB; Node 20). A cold lint of a
 * 1,000-project hub ran ~300 functions through TurboFan, about a third of its CPU (on V8's background
 * threads), most of them warm for a few hundred milliseconds only (a project's orchestration, the
 * resolution, the report), and deoptimised some of them again; optimised later, fewer are optimised and
 * with more type feedback. Measured on that hub (December 2026, 2 shared cores, `--jobs 1`, 8 pairs):
 * 4× took 15% less CPU than the default (1.93 → 1.69 s: TurboFan's threads 1.0 → 0.55 s, the main
 * thread 0.18 s more in unoptimised code); 2× saved half of that. Once the rest of the lint had become
 * cheaper (about 75 functions optimised at 4×, still ~0.33 s of TurboFan), 8× took another 5–8% less
 * CPU than 4× at 1,000 projects (pair-ratio medians 0.922, 0.951 over 21 pairs each, 0.948 over 11;
 * wall 0.92), and was even at 100 projects (1.000, 11 pairs) and at 5,000 (1.002, 12 pairs: the later
 * tier-up costs there what it saves); 16× saved no more CPU than 8× and took longer (wall 1.10×).
 */
const LINT_INTERRUPT_BUDGET = 528_000;

/**
 * Sets lint's tier-up budget (see LINT_INTERRUPT_BUDGET) unless the user gave V8 one: before the bundle
 * is compiled, so that the code cache is written and read under the same V8 flags.
 */
function setLintTierUp(env: NodeJS.ProcessEnv): void {
  const given = `${process.execArgv.join(' ')} ${env.NODE_OPTIONS ?? ''}`;
  if (/--interrupt[-_]budget\b/.test(given)) return;
  setFlagsFromString(`--interrupt-budget=${LINT_INTERRUPT_BUDGET}`);
}

/**
 * The CLI's one-file bundle run with the code cache (bin/oclhub.js, for `lint`): its `main` and what to
 * call when it is done. `rerun`: the lint cache holds this invocation's last report (lint/fast-rerun.ts
 * `RerunIo.rerun`), so the run takes most projects from it — other functions than a lint that
 * evaluates them, which get a cache file of their own. A cache is written once, by the first run of
 * its kind (and again only by a run of much more CPU), so with one file for both, a re-run after a
 * commit compiled on every run whatever the cold lint that wrote it had not run, or had run too long
 * ago for V8 to keep (it drops the bytecode of functions unused over several garbage collections).
 */
export function loadCliBundle(
  file: string,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
  rerun = false,
): { main: (argv: string[]) => Promise<number>; done: () => void } {
  setLintTierUp(env);
  const label = commandLabel(argv);
  const loaded = loadBundle({ file, dir: codeCacheDir(env, cwd), label: rerun ? `${label} rerun` : label, env });
  return { main: (loaded.exports as { main: (argv: string[]) => Promise<number> }).main, done: () => void loaded.save() };
}
