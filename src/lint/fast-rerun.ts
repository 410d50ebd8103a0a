/**
 * `oclhub lint` on a hub that has not changed since the last run, answered before the CLI loads:
 * bin/oclhub.js calls `rerunFromCache` first, and only when it declines (undefined) loads the bundle.
 * Like Git's index, it trusts file-system stats, not content: the full lint path leaves a record
 * (`lint-rerun.json` in the lint cache folder) beside the report it rendered (`lint-output.txt` and
 * `lint-output.body`, cache.ts), saying under which invocation, hub commit, tag listing and time
 * window that report is the answer; the working tree's OCL files are vouched for by the worktree
 * state (worktree.ts). A re-run checks all of that with a few dozen reads and a stat per project file
 * and folder, then
 * prints the stored report or makes `--output` a second name of it (a hard link; a kernel copy on
 * another file system: started before the checks, and renamed into place only if they all hold), and
 * exits with the stored exit code. An
 * `--output` that already holds the report — the full path's report file, of which the stored report is
 * a second name, or a copy a re-run left there — is left as it is while its stat vouches for it.
 *
 * It declines — and the full path decides, with its own messages — on anything it does not fully
 * understand or cannot vouch for: an option outside the few it parses (or given twice, or with a value
 * that starts with `-`), `--no-cache`, `--ref`, `--project`, extra report files, a remote hub, a hub
 * other than the folder it runs in; a missing, torn or foreign record or report; another tool version;
 * a new commit or tag; a working-tree file or folder whose stat moved and whose content or names
 * differ; a time outside the window in which every `expires = "…"` of oclhub.ocl keeps its state;
 * an output file it cannot write. Its output is byte for byte the full path's (tests compare them).
 *
 * Records are written only by the full path (`rerunRecorder`), from observations made before the
 * report's key was computed: a change racing a run leaves a record that no longer matches.
 *
 * Imports nothing but Node's modules, worktree.ts and git/durable.ts (both Node-only when loaded):
 * loading it costs next to nothing, and less as the one CommonJS module bin/oclhub.js requires
 * (dist/bundle/fast-rerun.cjs, scripts/bundle-cli.mjs).
 */
import { worktreeStateHolds, worktreeStateName } from './worktree.js';
import { nodeCrypto } from './node-crypto.js';
import { isJobsText } from './workers/jobs-text.js';
import { makeCacheDirSync } from './cache-folder.js';
import { renameOverRegularSync, replaceFileSync, syncFolderSync, tempPath } from '../git/durable.js';

// Node's own modules as they are, not through the ES-module facades an `import` of them builds: a few
// milliseconds of the re-run's start-up (see worktree.ts). Older Node: the facades. Callbacks, not
// `fs.promises`: its first use loads Node's promise-based file system (with its readline, watcher and
// stream modules), ~1 ms before the copy to --output can start.
const { appendFileSync, closeSync, copyFile, fstatSync, fsync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, unlink, unlinkSync } =
  process.getBuiltinModule?.('node:fs') ?? (await import('node:fs'));
const path: typeof import('node:path') = process.getBuiltinModule?.('node:path') ?? (await import('node:path'));

/** Bumped when cached results change shape or meaning. */
export const ENGINE_VERSION = '7';

/** sha-256 of the parts, each as `<length>:<part>` (one hashing call: the same bytes as one call per piece, at a third of the calls). */
export function sha(parts: readonly string[]): string {
  let text = '';
  for (const part of parts) text += `${part.length}:${part}`;
  const crypto = nodeCrypto();
  // The one-shot `crypto.hash` where Node has it (20.12+): about 2.5× faster than a Hash object for
  // short texts, of which a 1,000-project lint hashes thousands (result keys, file-list digests).
  return typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (crypto as unknown as { hash(algorithm: string, data: string, encoding: 'hex'): string }).hash('sha256', text, 'hex')
    : crypto.createHash('sha256').update(text).digest('hex');
}

const RECORD = 'lint-rerun.json';
const RECORD_FORMAT = 'oclhub-rerun/2';
/**
 * The rendered report is two files (written by cache.ts, read there and here). The head,
 * `lint-output.txt`: a header line `format key exitCode summaryBytes bodySize bodyMtimeMs bodyInode`,
 * then the job summary (summaryBytes of it; -1: none). The body, `lint-output.body`: the report's bytes
 * alone, so that a re-run copies it to `--output` inside the kernel (copy_file_range, or a reflink
 * where the file system has them) without reading it into memory. The body is written and renamed into
 * place first and named by its identity in the head written after it: a head and a body of two
 * different runs never pass for one report.
 */
export const RENDERED = 'lint-output.txt';
export const RENDERED_BODY = 'lint-output.body';
/** The header's first word; a file of another layout (or none) is a miss. */
export const RENDERED_FORMAT = 'oclhub-rendered/3';
/** A header is one short line: the format, a sha-256 key, the exit code and four numbers. */
export const HEADER_MAX = 256;

/**
 * A stored file's [size, mtimeMs, inode]. The cache's files are replaced (renamed over), never
 * rewritten in place, so while a path shows the identity a record holds it holds the bytes recorded.
 */
export type FileIdentity = [number, number, number];

export function identityOf(info: { size: number; mtimeMs: number; ino: number }): FileIdentity {
  return [info.size, info.mtimeMs, info.ino];
}

export function hasIdentity(info: { size: number; mtimeMs: number; ino: number } | undefined, identity: readonly number[]): boolean {
  return info !== undefined && identity.length === 3 && info.size === identity[0] && info.mtimeMs === identity[1] && info.ino === identity[2];
}

/** The header line of a stored report of `key` (without its newline); undefined for any other line. */
export function renderedHeader(line: string, key: string): { exitCode: number; summaryBytes: number; body: FileIdentity } | undefined {
  const [format, storedKey, code, summaryField, size, mtimeMs, ino, ...rest] = line.split(' ');
  if (format !== RENDERED_FORMAT || storedKey !== key || rest.length > 0 || !/^\d+$/.test(code ?? '') || !/^-?\d+$/.test(summaryField ?? '')) return undefined;
  const body = [Number(size), Number(mtimeMs), Number(ino)] as FileIdentity;
  if (!/^\d+$/.test(size ?? '') || !/^\d+$/.test(ino ?? '') || !Number.isFinite(body[1]) || !/^\d+(\.\d+)?$/.test(mtimeMs ?? '')) return undefined;
  return { exitCode: Number(code), summaryBytes: Number(summaryField), body };
}

/** The head line of a stored report (see `renderedHeader`). */
export function renderedHeaderLine(key: string, exitCode: number, summaryBytes: number, body: FileIdentity): string {
  return `${RENDERED_FORMAT} ${key} ${exitCode} ${summaryBytes} ${body[0]} ${body[1]} ${body[2]}\n`;
}

/**
 * A report file as a re-run left it: [dev, inode, size, mtimeMs, ctimeMs]. While the path shows exactly
 * these, it holds the bytes written (see `writtenIdentity`).
 */
export type WrittenIdentity = [number, number, number, number, number];

type StatLike = { dev: number; ino: number; size: number; mtimeMs: number; ctimeMs: number };

/**
 * The identity of a report file just renamed into place, when its stat can vouch for its bytes from now
 * on — Git's index rule for a "racily clean" entry: `written` is the temporary file's stat after the
 * last write to it, `published` the file's stat after the rename. Every write after the rename sets
 * the modification time to a clock tick at or after the rename's, which set the change time; so when
 * the last write of ours was in an earlier tick than the rename (mtime < ctime) and nothing wrote in
 * between (same inode, size and mtime), a later write always moves the mtime. Undefined — doubt —
 * otherwise (also on a file system whose rename leaves the change time alone).
 */
export function writtenIdentity(written: StatLike, published: StatLike | undefined): WrittenIdentity | undefined {
  if (published === undefined || published.dev !== written.dev || published.ino !== written.ino || published.size !== written.size || published.mtimeMs !== written.mtimeMs) return undefined;
  if (!(published.mtimeMs < published.ctimeMs)) return undefined;
  return [published.dev, published.ino, published.size, published.mtimeMs, published.ctimeMs];
}

/** Whether a stat shows exactly the identity recorded (see `writtenIdentity`). */
export function showsWrittenIdentity(info: StatLike | undefined, identity: unknown): boolean {
  if (info === undefined || !Array.isArray(identity) || identity.length !== 5) return false;
  return info.dev === identity[0] && info.ino === identity[1] && info.size === identity[2] && info.mtimeMs === identity[3] && info.ctimeMs === identity[4];
}

/** A copy of a stored file on its way to a report file (see `startStoredCopy`). */
export interface StoredCopy {
  /**
   * Waits for the copy and its flush, checks that it is of the file named and renames it into place
   * (the folder flushed after); false — nothing written — when the stored file was replaced meanwhile.
   * When written: the report file's identity if its stat can vouch for its bytes (`writtenIdentity`),
   * else true. Write errors are thrown, the temporary file removed.
   */
  finish(): Promise<WrittenIdentity | boolean>;
  /** Drops the copy (the temporary file removed); never throws. */
  discard(): Promise<void>;
}

/**
 * Starts copying the stored file `source` to `target` the way every report file is written — a new
 * temporary file in the target's folder, flushed, renamed into place — so that it runs while the caller
 * checks whether the copy is wanted at all. Where it can, the "copy" is a second name for the stored
 * file (a hard link: no bytes written, 10-20 ms of a re-run that writes a 30 MB report; see
 * `linkStoredFile`); else the kernel copies it on libuv's thread pool (`copyFile`: copy_file_range, or a
 * reflink where the file system has them) instead of JavaScript. The copy is of the file `identity`
 * names: `source` shows that identity before and after the copy (a stored file is replaced, never
 * rewritten, and a replaced file does not come back). Undefined — nothing started — when `source` is
 * not that file now, or when `target`'s folder does not exist and `createFolder` is false (a re-run that
 * may yet decline creates no folder).
 *
 * The temporary file is created and opened here, and flushed through that descriptor as soon as the
 * copy is done: the copy and its flush are two steps on the thread pool with one turn of the event
 * loop between them (the caller's stat pass turns it only every few hundred stats, so each turn a step
 * waits for costs milliseconds).
 */
export function startStoredCopy(source: string, identity: FileIdentity, target: string, createFolder: boolean): StoredCopy | undefined {
  if (!hasIdentity(statSync(source, { throwIfNoEntry: false }), identity)) return undefined;
  // A link is written through and a FIFO or device in place (cli/output-file.ts): the full path's work, not a rename's.
  const there = lstatSync(target, { throwIfNoEntry: false });
  if (there !== undefined && !there.isFile()) return undefined;
  const folder = path.dirname(target);
  if (createFolder) mkdirSync(folder, { recursive: true });
  else if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) return undefined;
  const temp = tempPath(folder, `.${path.basename(target)}.tmp-`);
  const linkedFd = linkStoredFile(source, identity, temp);
  const linked = linkedFd !== undefined;
  // Created exclusively (a name another process took is not ours); copyFile then writes into it,
  // truncating it and giving it the stored file's mode, as it gives a file it creates.
  const fd = linkedFd ?? openSync(temp, 'wx');
  let descriptorOpen = true;
  const close = () => {
    if (descriptorOpen) closeSync(fd);
    descriptorOpen = false;
  };
  // Copied, then flushed (as the full path writes a report, git/durable.ts: on disk before the name is;
  // a linked file too: a body stored from standard output was renamed into the cache unflushed).
  // Resolves with the failure, if any.
  const flush = (resolve: (failure: Error | undefined) => void) => fsync(fd, (syncError) => resolve(syncError ?? undefined));
  const copied = new Promise<Error | undefined>((resolve) =>
    linked ? flush(resolve) : copyFile(source, temp, (copyError) => (copyError ? resolve(copyError) : flush(resolve))),
  );
  const removeTemp = () => new Promise<void>((resolve) => unlink(temp, () => resolve()));
  const discard = async () => {
    await copied;
    close();
    await removeTemp();
  };
  return {
    discard,
    async finish() {
      let written: StatLike;
      try {
        const failure = await copied;
        if (failure !== undefined) throw failure;
        // Its stat after its last write (see `writtenIdentity`); the file at the temporary name is the
        // one opened here, holding the whole copy (not one that took the name meanwhile).
        written = fstatSync(fd);
        close();
        const named = lstatSync(temp, { throwIfNoEntry: false });
        if (!hasIdentity(statSync(source, { throwIfNoEntry: false }), identity) || written.size !== identity[0] || named?.ino !== written.ino || named.dev !== written.dev) {
          await discard();
          return false;
        }
        // Not over a FIFO, device or link that took the name since the copy began (`renameOverRegular`).
        if (!renameOverRegularSync(temp, target)) {
          await discard();
          return false;
        }
      } catch (error) {
        close();
        await removeTemp();
        throw error;
      }
      const published = statSync(target, { throwIfNoEntry: false });
      syncFolderSync(folder);
      // A linked report file is the stored body itself, which the next re-run recognises (`isStoredReport`).
      return linked ? true : (writtenIdentity(written, published) ?? true);
    },
  };
}

/**
 * Makes `temp` a second name (a hard link) of the stored file `source`, as the full path makes the
 * report file it wrote the stored body (cache.ts `stageRenderedCopy`): a descriptor of it, open for
 * writing (Windows flushes a file only through such a descriptor; nothing is written), when `temp` is
 * then the file `identity` names. Sound for the same reason: the stored file's last write came in an
 * earlier clock tick than this link (it was published by an earlier run, and a write since would have
 * moved its mtime off the identity), so any later write to the report file — which is the stored body
 * too — moves the body's mtime and the next re-run declines; the cache only ever replaces its body
 * (renamed aside, unlinked), which leaves the report file as it is. Undefined, with nothing left at
 * `temp`, where no link can be made (another file system, one without hard links), `source` was
 * replaced meanwhile, or the file cannot be opened so.
 */
function linkStoredFile(source: string, identity: FileIdentity, temp: string): number | undefined {
  try {
    linkSync(source, temp);
  } catch {
    return undefined;
  }
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'r+');
    const info = fstatSync(fd);
    if (info.isFile() && hasIdentity(info, identity) && info.mtimeMs < info.ctimeMs) return fd;
  } catch {
    // Removed below.
  }
  try {
    if (fd !== undefined) closeSync(fd);
    unlinkSync(temp);
  } catch {
    // Gone already.
  }
  return undefined;
}

/** The options of `oclhub lint` a re-run may carry, as the full path parses them (defaults applied). */
export interface RerunOptions {
  format: string;
  output?: string;
  failOn: string;
  onError: string;
  environment: string[];
  tenant: string[];
  releaseVersion?: string;
  gitRef?: string;
  shard?: string;
  hub?: string;
}

const VALUED = new Map<string, 'format' | 'output' | 'failOn' | 'onError' | 'releaseVersion' | 'gitRef' | 'shard' | 'hub'>([
  ['--format', 'format'],
  ['--output', 'output'],
  ['--fail-on', 'failOn'],
  ['--on-error', 'onError'],
  ['--release-version', 'releaseVersion'],
  ['--git-ref', 'gitRef'],
  ['--shard', 'shard'],
  ['--hub', 'hub'],
]);
const REPEATED = new Map<string, 'environment' | 'tenant'>([
  ['--environment', 'environment'],
  ['--tenant', 'tenant'],
]);
const CHOICES: Partial<Record<keyof RerunOptions, readonly string[]>> = {
  format: ['text', 'json', 'sarif', 'junit', 'github', 'gitlab'],
  failOn: ['block', 'warn', 'error'],
  onError: ['block', 'warn'],
};

/** The arguments after `lint`, when every one of them is understood; undefined otherwise. */
export function parseRerunArgs(args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): RerunOptions | undefined {
  const out: RerunOptions = { format: 'text', failOn: 'block', onError: 'block', environment: [], tenant: [] };
  const seen = new Set<string>();
  let jobs: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (name === '--jobs') {
      // How many threads evaluate changes no byte of the report; a value the CLI refuses is its to report.
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined || jobs !== undefined || !isJobsText(value)) return undefined;
      jobs = value;
      continue;
    }
    const key = VALUED.get(name) ?? REPEATED.get(name);
    if (key === undefined) return undefined;
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '' || value.startsWith('-')) return undefined;
    const choices = CHOICES[key];
    if (choices && !choices.includes(value)) return undefined;
    if (key === 'environment' || key === 'tenant') {
      out[key].push(value);
    } else {
      if (seen.has(key)) return undefined;
      seen.add(key);
      out[key] = value;
    }
  }
  // `$OCLHUB_JOBS` is read only without --jobs (as the CLI reads it): set to what it refuses, the CLI says so.
  if (jobs === undefined && env.OCLHUB_JOBS && !isJobsText(env.OCLHUB_JOBS)) return undefined;
  return out;
}

/** What a run's output depends on besides the hub: the options, where it runs, the environment, the tool. */
export interface RerunContext {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether the report is rendered with colours (see `rerunColors`). */
  colors: boolean;
  toolVersion: string;
}

/** io.ts's colour rule (FORCE_COLOR, NO_COLOR, else a terminal outside CI), repeated here to stay light. */
export function rerunColors(env: Readonly<Record<string, string | undefined>>, stdoutIsTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR) return false;
  return stdoutIsTTY && !env.CI;
}

/**
 * The invocation as one string: equal strings, equal reports (given an equal hub). Where the report
 * goes (`--output` or stdout) is not part of it: the report's bytes are the same.
 */
export function invocationKey(options: RerunOptions, context: RerunContext): string {
  return JSON.stringify([
    RECORD_FORMAT,
    ENGINE_VERSION,
    context.toolVersion,
    path.resolve(context.cwd),
    options.format,
    options.failOn,
    options.onError,
    options.environment,
    options.tenant,
    options.releaseVersion ?? null,
    options.gitRef ?? null,
    options.shard ?? null,
    options.hub ?? null,
    context.env.OCLHUB_HUB ?? null,
    context.env.OCLHUB_CACHE_DIR ?? null,
    context.colors,
  ]);
}

/** The nearest folder at or above `start` holding `.git` (as git/find-root.ts, synchronously). */
function repositoryRoot(start: string): string | undefined {
  for (let dir = path.resolve(start); ; ) {
    if (statSync(path.join(dir, '.git'), { throwIfNoEntry: false })) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The hub folder and the lint cache folder of a re-run, when they are the simple case: the hub is the
 * repository the command runs in (no hub named, or one naming that same repository).
 */
export function rerunPlaces(options: RerunOptions, cwd: string, env: Readonly<Record<string, string | undefined>>): { root: string; cacheDir: string } | undefined {
  const root = repositoryRoot(cwd);
  if (root === undefined) return undefined;
  const hub = options.hub ?? env.OCLHUB_HUB;
  if (hub !== undefined && (/^https?:\/\//i.test(hub) || repositoryRoot(path.resolve(cwd, hub)) !== root)) return undefined;
  const cacheDir = env.OCLHUB_CACHE_DIR ? path.join(path.resolve(cwd, env.OCLHUB_CACHE_DIR), 'lint') : path.join(root, '.oclhub-cache');
  return { root, cacheDir };
}

/** What a hub's repository says now: HEAD's commit and the tag listing (names; the packed refs as written). */
export interface HubObservation {
  commit: string;
  /** The loose tags' names and the packed refs as written (see `tagsDigest`). */
  tags: string;
}

/**
 * A tag listing as a record keeps it: the listing itself while it is small (compared as it is: no
 * hashing, so a re-run loads no crypto), its sha-256 beyond that. The two forms never equal each other.
 */
export function tagsDigest(listing: string): string {
  return listing.length <= TAGS_KEPT_AS_TEXT ? `=${listing}` : `sha256:${sha([listing])}`;
}

/** Up to this many characters a tag listing is kept in the record as it is. */
const TAGS_KEPT_AS_TEXT = 64 * 1024;

function gitDirs(root: string): { gitDir: string; commonDir: string } {
  const dotGit = path.join(root, '.git');
  let gitDir = dotGit;
  if (statSync(dotGit).isFile()) {
    const line = /^gitdir: (.*)$/m.exec(readFileSync(dotGit, 'utf8'));
    if (!line) throw new Error('not a gitfile');
    gitDir = path.resolve(root, line[1]!.trim());
  }
  let commonDir = gitDir;
  try {
    commonDir = path.resolve(gitDir, readFileSync(path.join(gitDir, 'commondir'), 'utf8').trim());
  } catch {
    // A main working tree: refs are in its own Git folder.
  }
  return { gitDir, commonDir };
}

function looseTags(folder: string, prefix: string, out: string[]): void {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isDirectory()) looseTags(path.join(folder, entry.name), `${prefix}${entry.name}/`, out);
    else out.push(`${prefix}${entry.name}`);
  }
}

/** HEAD's commit and the tags, read from the Git folder's files; throws on anything unusual. */
export function observeHub(root: string): HubObservation {
  const { gitDir, commonDir } = gitDirs(root);
  let packed: string | undefined;
  const packedRefs = () => (packed ??= readFileSync(path.join(commonDir, 'packed-refs'), { encoding: 'utf8', flag: 'r' }));
  let head = readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
  for (let depth = 0; head.startsWith('ref: '); depth++) {
    if (depth > 5) throw new Error('symbolic ref loop');
    const name = head.slice(5).trim();
    if (!/^refs\/[^\0\s]+$/.test(name) || name.includes('..')) throw new Error('unusual ref');
    const loose = statSync(path.join(commonDir, name), { throwIfNoEntry: false });
    if (loose?.isFile()) {
      head = readFileSync(path.join(commonDir, name), 'utf8').trim();
    } else {
      const line = packedRefs()
        .split('\n')
        .find((l) => l.endsWith(` ${name}`));
      if (!line) throw new Error('unborn branch');
      head = line.slice(0, line.indexOf(' '));
    }
  }
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(head)) throw new Error('no commit');
  const names: string[] = [];
  if (statSync(path.join(commonDir, 'refs', 'tags'), { throwIfNoEntry: false })?.isDirectory()) looseTags(path.join(commonDir, 'refs', 'tags'), '', names);
  let packedText = '';
  try {
    packedText = packedRefs();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return { commit: head, tags: `${names.sort().join('\n')}\0${packedText}` };
}

interface RerunRecord {
  format: typeof RECORD_FORMAT;
  invocation: string;
  root: string;
  commit: string;
  tags: string;
  /** The report is the answer from `from` (when the record was made) until `until` (ms since the epoch). */
  from: number;
  until: number;
  /** The key in the rendered report's header, and the head file's identity when recorded (a torn or rewritten file is not it). */
  key: string;
  report: FileIdentity;
  /** The name of the working tree's state file in the cache folder (worktree.ts `worktreeStateName` of `root`). */
  worktree: string;
  /**
   * The report file a re-run last wrote (`--output`, as an absolute path), when its stat can vouch for
   * its bytes (`writtenIdentity`): while it shows that identity, a re-run with that output leaves it as
   * it is. Set by the re-run that wrote it, for this record's report only.
   */
  output?: { file: string; identity: WrittenIdentity };
}

/**
 * For the full path: observes the hub now (before the report's key is computed) and returns the
 * function that records the report once it is stored under `key`. Undefined when the hub cannot be
 * observed. Never throws.
 */
export function rerunRecorder(options: RerunOptions, context: RerunContext): ((key: string, until: number) => void) | undefined {
  try {
    const places = rerunPlaces(options, context.cwd, context.env);
    if (!places || places.root !== path.resolve(context.cwd)) return undefined;
    const observed = observeHub(places.root);
    const invocation = invocationKey(options, context);
    return (key, until) => {
      try {
        const report = statSync(path.join(places.cacheDir, RENDERED));
        // From now (the key was computed before this) until the time-dependent part of the key moves.
        const record: RerunRecord = {
          format: RECORD_FORMAT,
          invocation,
          root: places.root,
          commit: observed.commit,
          tags: tagsDigest(observed.tags),
          from: Date.now(),
          until: Math.min(until, Number.MAX_SAFE_INTEGER),
          key,
          report: identityOf(report),
          worktree: worktreeStateName(places.root),
        };
        makeCacheDirSync(places.cacheDir);
        replaceFileSync(path.join(places.cacheDir, RECORD), JSON.stringify(record));
      } catch {
        // Only costs speed.
      }
    };
  } catch {
    return undefined;
  }
}

/**
 * Runs `work` with V8's optimizing compiler (TurboFan) off, then turns it back on. The stat pass calls
 * Node's `statSync` a few thousand times, once each per process: enough for V8 to compile
 * `statSync`, `getStatsFromBinding` and `Stats` with TurboFan (about 25 ms of compiling on a thread of
 * its own, measured with --trace-opt) for a loop that is over before the optimised code pays that
 * back; the re-run's CPU time drops by a fifth without it. Nothing changes when the process was started
 * with any flag about V8's tiers (its owner chose them: they are left as they are), on a V8 whose flag
 * names are not the ones known here, or when Node cannot give its `v8` module without an import.
 * The compiler is back on before this returns, so a declining re-run lints at full speed.
 */
async function withoutOptimizingCompiler<T>(env: Readonly<Record<string, string | undefined>>, work: () => Promise<T>): Promise<T> {
  const v8 = optimizerSwitchable(env) ? process.getBuiltinModule?.('node:v8') : undefined;
  if (v8 === undefined) return work();
  v8.setFlagsFromString('--no-turbofan');
  try {
    return await work();
  } finally {
    v8.setFlagsFromString('--turbofan');
  }
}

/**
 * Whether `withoutOptimizingCompiler` may switch TurboFan off and on: a V8 that has the `--turbofan`
 * flag (11 to 13: Node 20 to 24; V8 prints an error for a flag it does not know) and no tier flag
 * among Node's options or NODE_OPTIONS (`--jitless`, `--no-opt`, `--max-opt`, `--maglev`…).
 */
export function optimizerSwitchable(env: Readonly<Record<string, string | undefined>>, execArgv: readonly string[] = process.execArgv, v8Version = process.versions.v8): boolean {
  return v8FlagsOurs(/jitless|turbofan|(^|[-_])opt($|[-_=])|maglev|sparkplug|v8-options/i, env, execArgv, v8Version);
}

/**
 * Whether V8 flags may be set at run time: a V8 whose flag names are the ones known here (11 to 13:
 * Node 20 to 24; V8 prints an error for a flag it does not know), and none of Node's options or
 * NODE_OPTIONS matching `theirs` (flags of that kind are their owner's choice, left as they are).
 */
function v8FlagsOurs(theirs: RegExp, env: Readonly<Record<string, string | undefined>>, execArgv: readonly string[], v8Version: string): boolean {
  const major = Number(v8Version.split('.')[0]);
  if (!(major >= 11 && major <= 13)) return false;
  const options = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)];
  return !options.some((option) => theirs.test(option));
}

/**
 * Whether `growYoungGenerationFaster` may set V8's young-generation growth: see `v8FlagsOurs`, with
 * no option about the young generation or the garbage collector (`--max-semi-space-size`,
 * `--trace-gc`, `--expose-gc`…).
 */
export function youngGenerationSwitchable(env: Readonly<Record<string, string | undefined>>, execArgv: readonly string[] = process.execArgv, v8Version = process.versions.v8): boolean {
  return v8FlagsOurs(/semi[-_]space|new[-_]space|young|(^|[-_])gc($|[-_=])/i, env, execArgv, v8Version);
}

/**
 * Has V8 grow its young generation 8 times at a time instead of twice (`--semi-space-growth-factor`,
 * which V8 reads each time it grows it; its largest size stays V8's). A re-run after a commit keeps
 * a thousand projects' results, records and report pieces (tens of megabytes of short-lived objects)
 * while it lints the changed few: in a young generation grown from 1 MB by doubling, they were copied
 * by eight scavenges and promoted, and the old generation passed V8's first limit (30 MB) near the
 * end, starting a full collection — ~45 ms of the 1,000-project re-run's main thread in GC (--trace-gc;
 * with the growth at 8: three to five scavenges, no full collection, ~15 ms). Called once this
 * invocation's last report is known to be in the lint cache (a re-run): a cold lint's young
 * generation reaches its largest size either way. Not done when `youngGenerationSwitchable` says no.
 */
export function growYoungGenerationFaster(env: Readonly<Record<string, string | undefined>>): void {
  if (!youngGenerationSwitchable(env)) return;
  process.getBuiltinModule?.('node:v8')?.setFlagsFromString('--semi-space-growth-factor=8');
}

export interface RerunIo {
  /** The arguments after `lint`. */
  args: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stdoutIsTTY: boolean;
  toolVersion: string;
  stdout(bytes: Uint8Array): void;
  stderr(text: string): void;
  /** "Now" (ms since the epoch; tests). */
  now?: number;
  /**
   * Called when the lint cache holds the report of this very invocation, whether or not it is still
   * the answer: the run is a re-run (after a commit, most often), which bin/oclhub.js loads the CLI
   * for with a code cache of its own (startup/code-cache.ts `loadCliBundle`).
   */
  rerun?: () => void;
}

/** The stored report when it is this run's answer: its exit code, job summary and body's identity (the head file is the one recorded). */
function storedReport(cacheDir: string, key: string, head: RerunRecord['report']): { exitCode: number; summary?: string; body: FileIdentity } | undefined {
  const fd = openSync(path.join(cacheDir, RENDERED), 'r');
  try {
    if (!hasIdentity(fstatSync(fd), head)) return undefined;
    const bytes = Buffer.allocUnsafe(head[0]);
    for (let at = 0; at < bytes.length; ) {
      const n = readSync(fd, bytes, at, bytes.length - at, at);
      if (n === 0) return undefined; // torn
      at += n;
    }
    const newline = bytes.indexOf(10);
    if (newline < 0 || newline > HEADER_MAX) return undefined;
    const header = renderedHeader(bytes.toString('utf8', 0, newline), key);
    if (!header || newline + 1 + Math.max(0, header.summaryBytes) !== bytes.length) return undefined;
    return {
      exitCode: header.exitCode,
      ...(header.summaryBytes >= 0 ? { summary: bytes.toString('utf8', newline + 1) } : {}),
      body: header.body,
    };
  } finally {
    closeSync(fd);
  }
}

/**
 * Records (best effort) the report file a re-run wrote for `record`'s report: the record as read, with
 * `output` — unless the record file changed since it was read as `text` (another run's record is left
 * as it is).
 */
function rememberOutput(cacheDir: string, text: string, record: RerunRecord, output: NonNullable<RerunRecord['output']>): void {
  try {
    if (readFileSync(path.join(cacheDir, RECORD), 'utf8') !== text) return;
    replaceFileSync(path.join(cacheDir, RECORD), JSON.stringify({ ...record, output }));
  } catch {
    // Only costs speed: the next re-run copies again.
  }
}

/**
 * Whether the report file `output` is the stored report's body under another name, untouched since it
 * was stored: the full path stores a report it wrote to a file as a second name of that file (a hard
 * link, cache.ts `stageRenderedCopy`) when the file's stat vouches for its bytes from then on, so while
 * the body shows the identity the head names, that file holds the report, flushed before it was linked.
 * A re-run of the same command then has nothing to write. Not through a symbolic link (the full path
 * writes through it; a re-run declines, see `startStoredCopy`).
 */
export function isStoredReport(output: string, body: string, identity: FileIdentity): boolean {
  const file = lstatSync(output, { throwIfNoEntry: false });
  const stored = lstatSync(body, { throwIfNoEntry: false });
  return file !== undefined && stored !== undefined && file.isFile() && stored.isFile() && file.dev === stored.dev && file.ino === stored.ino && hasIdentity(stored, identity);
}

/** The bytes of the stored file `file` when it is the one `identity` names. */
function readStoredFile(file: string, identity: FileIdentity): Buffer | undefined {
  const fd = openSync(file, 'r');
  try {
    if (!hasIdentity(fstatSync(fd), identity)) return undefined;
    const bytes = Buffer.allocUnsafe(identity[0]);
    for (let at = 0; at < bytes.length; ) {
      const n = readSync(fd, bytes, at, bytes.length - at, at);
      if (n === 0) return undefined;
      at += n;
    }
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/**
 * Answers `oclhub lint <args>` from the stored report when nothing it depends on changed (see the
 * file comment): returns the exit code after printing or writing the report, or undefined — having
 * written nothing — for the full path to run. Never rejects.
 *
 * With `--output`, the stored report's copy to that file starts as soon as the record names it, and
 * runs on the thread pool while this thread checks the hub; it is renamed into place only when every
 * check holds, and removed otherwise.
 */
export async function rerunFromCache(io: RerunIo): Promise<number | undefined> {
  let served: { exitCode: number; summary?: string };
  let stdout: Buffer | undefined;
  let copy: StoredCopy | undefined;
  try {
    const options = parseRerunArgs(io.args, io.env);
    if (!options) return undefined;
    const places = rerunPlaces(options, io.cwd, io.env);
    if (!places) return undefined;
    const recordText = readFileSync(path.join(places.cacheDir, RECORD), 'utf8');
    const record = JSON.parse(recordText) as RerunRecord;
    const context: RerunContext = { cwd: io.cwd, env: io.env, colors: rerunColors(io.env, io.stdoutIsTTY), toolVersion: io.toolVersion };
    if (record.format !== RECORD_FORMAT || record.invocation !== invocationKey(options, context) || record.root !== places.root) return undefined;
    io.rerun?.();
    growYoungGenerationFaster(io.env);
    const now = io.now ?? Date.now();
    if (!(now >= record.from && now < record.until)) return undefined;
    if (!Array.isArray(record.report) || record.report.length !== 3) return undefined;
    const stored = storedReport(places.cacheDir, record.key, record.report);
    if (!stored) return undefined;
    // A new commit or tag (the usual reason to decline) is seen before any copy starts: a run that goes
    // on to lint does not first copy and flush the last report for nothing.
    const observed = observeHub(places.root);
    if (observed.commit !== record.commit || typeof record.tags !== 'string' || tagsDigest(observed.tags) !== record.tags) return undefined;
    const body = path.join(places.cacheDir, RENDERED_BODY);
    const output = options.output !== undefined ? path.resolve(io.cwd, options.output) : undefined;
    // The report file this record's report was last copied to, still as it was left, or the stored report
    // itself (the report file the full path wrote, see `isStoredReport`): not written again.
    const left = output !== undefined && record.output?.file === output ? record.output.identity : undefined;
    const stillThere = () => output !== undefined && ((left !== undefined && showsWrittenIdentity(statSync(output, { throwIfNoEntry: false }), left)) || isStoredReport(output, body, stored.body));
    if (output !== undefined && !stillThere()) copy = startStoredCopy(body, stored.body, output, false);
    const holds = await withoutOptimizingCompiler(io.env, () => worktreeStateHolds(places.cacheDir, places.root, record.commit, record.worktree));
    if (!holds) throw new Error('another working tree');
    if (output !== undefined && !(copy === undefined && stillThere())) {
      copy ??= startStoredCopy(body, stored.body, output, true);
      const written = copy !== undefined && (await copy.finish());
      copy = undefined;
      if (!written) return undefined;
      if (written !== true) rememberOutput(places.cacheDir, recordText, record, { file: output, identity: written });
    } else if (output === undefined) {
      stdout = readStoredFile(body, stored.body);
      if (stdout === undefined) return undefined;
    }
    served = stored;
  } catch {
    await copy?.discard();
    return undefined;
  }
  if (stdout !== undefined) {
    io.stdout(stdout);
    if (stdout.length === 0 || stdout[stdout.length - 1] !== 10) io.stdout(Buffer.from('\n'));
  }
  // GitHub Actions: findings that are not annotations (other repositories) are in the job summary.
  const summaryFile = io.env.GITHUB_STEP_SUMMARY;
  if (served.summary !== undefined && summaryFile) {
    try {
      appendFileSync(summaryFile, served.summary.endsWith('\n') ? served.summary : `${served.summary}\n`);
    } catch (error) {
      io.stderr(`oclhub lint: cannot write the job summary to ${summaryFile}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  return served.exitCode;
}
