/**
 * Whether a working tree holds exactly the OCL files of a commit. Local commands read the working
 * tree by default; when it is the commit (always in CI), reading the commit instead keeps results
 * cacheable by commit and blob id. Only OCL files (oclhub.ocl, project folders, policies and
 * templates) and lock files (`oclhub.lock.json`) matter to lint, so only they are compared: each
 * working-tree `*.ocl` file is hashed the way Git hashes a blob and looked up in the commit's tree. A
 * few hundred files take milliseconds, where a full status would hash or stat everything.
 *
 * Conservative: a file Git would filter (line-ending conversion) or ignore counts as a difference, so
 * the answer "differs" is sometimes wrong, "same" never is.
 *
 * A first check (no remembered state: a CI checkout, a first run) takes Git's index as `git status`
 * does: a file whose stat data its entry records, and that was not modified in the instant the index
 * was written, is the entry's blob without being read (index-file.ts `indexedBlobs`). Not where Git
 * might convert content between files and blobs, whose index ids are then not those of the files'
 * bytes (content-conversion.ts, and any `.gitattributes` the walk lists), nor with an index it cannot
 * read whole; then every file is hashed.
 *
 * With a state folder, a verified answer is remembered as Git's index remembers one: each file's
 * size, modification and change times, inode and blob id, and each folder's modification time and
 * inode (the names in it that matter, sub-folders and OCL/lock files, are the remembered paths one
 * level below it), in a binary file the re-run reads without parsing. A file whose stat is unchanged
 * keeps its blob id without being read — also after a new commit, whose tree is then listed and
 * compared — and a folder whose stat is unchanged holds the same names. A file or folder that changed
 * so close to the verification that its time cannot tell (Git's "racily clean" rule) is read again.
 *
 * `worktreeStateHolds` is the same check done from the state alone, with no Git
 * layer (the re-run fast path, fast-rerun.ts): it stats every remembered folder and file, lists only
 * the folders whose stat moved and hashes only the files whose stat moved. This module imports
 * nothing but Node's (the Git layer is loaded on demand, to list a commit's trees and cache the blobs it read). A file edited
 * in place leaves its folder's stat as it was, so no folder-level shortcut stands in for a file's stat.
 */
import type { GitStore } from '../git/index.js';
import type { TreeNode } from '../git/repo.js';
import { tempPath } from '../git/durable.js';
import { makeCacheDirSync } from './cache-folder.js';
import { nodeCrypto } from './node-crypto.js';
import { PathKind, STAT, statNumbers } from './stat-numbers.js';

// Node's own modules as they are, not through the ES-module facades an `import` of them builds (a few
// milliseconds at start-up, which the re-run fast path pays before anything else). Older Node: the facades.
const fs: typeof import('node:fs') = process.getBuiltinModule?.('node:fs') ?? (await import('node:fs'));
const path: typeof import('node:path') = process.getBuiltinModule?.('node:path') ?? (await import('node:path'));

/** Folders never holding files a lint reads. */
const SKIPPED = new Set(['.git', 'node_modules', '.oclhub-cache']);

/**
 * A stat taken this close (ms) before a verification cannot vouch for the content: file-system
 * clocks are coarse (a tick of several ms) and may lag the system clock.
 */
export const RACY_MS = 2000;

/** The files a lint reads from a working tree. */
function relevant(name: string): boolean {
  return name.toLowerCase().endsWith('.ocl') || name === 'oclhub.lock.json';
}

function sha1(): import('node:crypto').Hash {
  return nodeCrypto().createHash('sha1');
}

function blobId(bytes: Uint8Array): string {
  return sha1().update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
}

/** A file as verified: [size, mtimeMs, blob id, ctimeMs, inode]. */
type FileEntry = [number, number, string, number, number];
/** A folder as verified: [mtimeMs, inode]. */
type DirEntry = [number, number];

/**
 * A verified working tree as stored, in columns: the re-run's stat pass walks it with no object per
 * entry. The names a folder held (the sub-folders and OCL/lock files that matter) are not stored: they
 * are the paths one level below it, every folder and file found by the walk being listed.
 */
interface WorktreeState {
  commit: string;
  /** When the files were verified (ms since the epoch), taken before any of them was looked at. */
  verifiedAt: number;
  /** Folders ('' for the root), '/'-separated and relative to the working tree, as walked. */
  dirPaths: string[];
  filePaths: string[];
  /** Each file's blob id. */
  oids: string[];
  /** Each folder's [mtimeMs, inode], then each file's [size, mtimeMs, ctimeMs, inode]. */
  stats: Float64Array;
  /** The state file as read, and where its text and table start (see `patchedState`). */
  bytes?: Buffer;
  textAt?: number;
  textEnd?: number;
  tableAt?: number;
}

/**
 * The state file: one header line `format commit verifiedAt folders files textBytes`, then the paths
 * of the folders, the paths of the files and the files' blob ids, NUL-separated (UTF-8, textBytes
 * long), then zeros to a multiple of 8 bytes, then the stats as 64-bit floats (Node's own stat
 * numbers, exactly) after a marker that a reader of another byte order does not read back. A file of
 * another length, layout or marker is no state.
 */
const STATE_FORMAT = 'oclhub-worktree/5';
const BYTE_ORDER_MARK = 1.5;
const HEADER_MAX = 256;

/** The name of the state file of the working tree in `dir`, in the state folder. */
export function worktreeStateName(dir: string): string {
  return `worktree-${sha1().update(path.resolve(dir)).digest('hex').slice(0, 16)}.bin`;
}

/** What `worktreeStateName` returns: a plain name in the state folder. */
const STATE_NAME = /^worktree-[0-9a-f]{16}\.bin$/;

function encodeState(commit: string, verifiedAt: number, dirs: Map<string, DirEntry>, files: Map<string, FileEntry>): Buffer {
  const parts: string[] = [...dirs.keys(), ...files.keys()];
  for (const entry of files.values()) parts.push(entry[2]);
  const text = Buffer.from(parts.join('\0'), 'utf8');
  const head = Buffer.from(`${STATE_FORMAT} ${commit} ${verifiedAt} ${dirs.size} ${files.size} ${text.length}\n`, 'latin1');
  const tableAt = (head.length + text.length + 7) & ~7;
  const table = new Float64Array(1 + 2 * dirs.size + 4 * files.size);
  let at = 0;
  table[at++] = BYTE_ORDER_MARK;
  for (const [mtimeMs, ino] of dirs.values()) {
    table[at++] = mtimeMs;
    table[at++] = ino;
  }
  for (const [size, mtimeMs, , ctimeMs, ino] of files.values()) {
    table[at++] = size;
    table[at++] = mtimeMs;
    table[at++] = ctimeMs;
    table[at++] = ino;
  }
  const out = Buffer.alloc(tableAt + table.byteLength);
  head.copy(out, 0);
  text.copy(out, head.length);
  out.set(new Uint8Array(table.buffer), tableAt);
  return out;
}

function decodeState(bytes: Buffer): WorktreeState | undefined {
  const newline = bytes.indexOf(10);
  if (newline < 0 || newline > HEADER_MAX) return undefined;
  const [format, commit, verifiedAt, dirCount, fileCount, textBytes, ...rest] = bytes.toString('latin1', 0, newline).split(' ');
  if (format !== STATE_FORMAT || rest.length > 0 || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit ?? '')) return undefined;
  if (![verifiedAt, dirCount, fileCount, textBytes].every((field) => /^\d{1,15}$/.test(field ?? ''))) return undefined;
  const dirs = Number(dirCount);
  const files = Number(fileCount);
  const textAt = newline + 1;
  const textEnd = textAt + Number(textBytes);
  const tableAt = (textEnd + 7) & ~7;
  const count = 1 + 2 * dirs + 4 * files;
  if (bytes.length !== tableAt + 8 * count) return undefined;
  const parts = dirs + files === 0 ? [] : bytes.toString('utf8', textAt, textEnd).split('\0');
  if (parts.length !== dirs + 2 * files) return undefined;
  const offset = bytes.byteOffset + tableAt;
  const table = offset % 8 === 0 ? new Float64Array(bytes.buffer, offset, count) : new Float64Array(bytes.buffer.slice(offset, offset + 8 * count));
  if (table[0] !== BYTE_ORDER_MARK) return undefined;
  return {
    commit: commit!,
    verifiedAt: Number(verifiedAt),
    dirPaths: parts.slice(0, dirs),
    filePaths: parts.slice(dirs, dirs + files),
    oids: parts.slice(dirs + files),
    stats: table.subarray(1),
    bytes,
    textAt,
    textEnd,
    tableAt,
  };
}

/**
 * The bytes `encodeState` would give `state` verified again at `commit` and `verifiedAt`, with the
 * files `changes` names (by index) holding their new entries — made from the state's own bytes, which
 * have the same layout when the header keeps its length and each new blob id that of the one it
 * replaces (always, within one repository): the header, those blob ids and those stats rewritten in a
 * copy. Undefined when the layout would differ (then the state is encoded afresh).
 */
function patchedState(state: WorktreeState, commit: string, verifiedAt: number, changes: ReadonlyMap<number, FileEntry>): Buffer | undefined {
  const { bytes, textAt, textEnd, tableAt, dirPaths, filePaths, oids } = state;
  if (bytes === undefined || textAt === undefined || textEnd === undefined || tableAt === undefined) return undefined;
  const head = Buffer.from(`${STATE_FORMAT} ${commit} ${verifiedAt} ${dirPaths.length} ${filePaths.length} ${textEnd - textAt}\n`, 'latin1');
  if (head.length !== textAt) return undefined;
  const out = Buffer.from(bytes);
  head.copy(out, 0);
  // The blob ids are the text's last part, NUL-separated.
  let idAt = textEnd + 1;
  for (const id of oids) idAt -= id.length + 1;
  for (let i = 0; i < oids.length; idAt += oids[i]!.length + 1, i++) {
    const id = changes.get(i)?.[2];
    if (id === undefined) continue;
    if (id.length !== oids[i]!.length || !/^[0-9a-f]+$/.test(id)) return undefined;
    out.write(id, idAt, 'latin1');
  }
  const filesAt = tableAt + 8 * (1 + 2 * dirPaths.length);
  const entry = new Float64Array(4);
  for (const [i, [size, mtimeMs, , ctimeMs, ino]] of changes) {
    entry.set([size, mtimeMs, ctimeMs, ino]);
    out.set(new Uint8Array(entry.buffer), filesAt + 32 * i);
  }
  return out;
}

function readState(file: string): WorktreeState | undefined {
  try {
    return decodeState(fs.readFileSync(file));
  } catch {
    return undefined;
  }
}

function writeState(stateDir: string, file: string, commit: string, verifiedAt: number, dirs: Map<string, DirEntry>, files: Map<string, FileEntry>): void {
  writeStateBytes(stateDir, file, encodeState(commit, verifiedAt, dirs, files));
}

/**
 * State files being renamed into place by this process, by path: a check reads its state only after
 * them (see `writeStateBytes`).
 */
const pendingStates = new Map<string, Promise<void>>();

/** Resolves once every state file this process wrote is in place (tests, and anyone reading them as files). */
export async function worktreeStatesWritten(): Promise<void> {
  while (pendingStates.size > 0) await Promise.all(pendingStates.values());
}

/**
 * Replaces the state file `file` with `bytes` atomically (a new temporary file renamed over it), the
 * rename made on libuv's thread pool: a rename that replaces a file waits for the file system to start
 * writing the new one back (ext4 does), which at the end of a re-run shares the disk with the report's
 * flush, and no answer waits for the state. The process stays up until it is done (Node exits when no
 * work is pending); checks in this process wait for it before reading the state, and writes of one
 * state file land in the order made.
 */
function writeStateBytes(stateDir: string, file: string, bytes: Buffer): void {
  try {
    makeCacheDirSync(stateDir);
    const temp = tempPath(stateDir, `.${path.basename(file)}.tmp-`);
    try {
      fs.writeFileSync(temp, bytes, { flag: 'wx' });
    } catch (error) {
      // A write that failed part-way created the file (only EEXIST means it did not: that one is not ours).
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') fs.unlink(temp, () => undefined);
      throw error;
    }
    const before = pendingStates.get(file);
    const renamed = new Promise<void>((resolve) => {
      const rename = () => fs.rename(temp, file, (error) => (error ? fs.unlink(temp, () => resolve()) : resolve()));
      if (before) void before.then(rename);
      else rename();
    });
    pendingStates.set(file, renamed);
    void renamed.then(() => {
      if (pendingStates.get(file) === renamed) pendingStates.delete(file);
    });
    // The JSON state of oclhub-worktree/4 and before, under the same name: garbage now. (unlink, not
    // rmSync: Node loads its rimraf module for rmSync, ~15 ms of a re-run's start-up.)
    try {
      fs.unlinkSync(file.replace(/\.bin$/, '.json'));
    } catch {
      // Absent, as it is after the first run.
    }
  } catch {
    // Only costs speed.
  }
}

/** A state's folders (path → [mtimeMs, inode]) and files (path → entry), as maps. */
function stateEntries(state: WorktreeState): { dirs: Map<string, DirEntry>; files: Map<string, FileEntry> } {
  const { dirPaths, filePaths, oids, stats } = state;
  const dirs = new Map<string, DirEntry>();
  let at = 0;
  for (const relative of dirPaths) {
    dirs.set(relative, [stats[at]!, stats[at + 1]!]);
    at += 2;
  }
  const files = new Map<string, FileEntry>();
  for (let i = 0; i < filePaths.length; i++, at += 4) files.set(filePaths[i]!, [stats[at]!, stats[at + 1]!, oids[i]!, stats[at + 2]!, stats[at + 3]!]);
  return { dirs, files };
}

/** The names each folder of a state held when verified (sub-folders ending in '/', and files), sorted as `namesIn` sorts them. */
function stateNames(state: WorktreeState): Map<string, string[]> {
  const names = new Map<string, string[]>();
  for (const relative of state.dirPaths) names.set(relative, []);
  const add = (relative: string, suffix: string) => {
    const slash = relative.lastIndexOf('/');
    names.get(slash < 0 ? '' : relative.slice(0, slash))?.push(relative.slice(slash + 1) + suffix);
  };
  for (const relative of state.dirPaths) if (relative !== '') add(relative, '/');
  for (const relative of state.filePaths) add(relative, '');
  for (const list of names.values()) list.sort();
  return names;
}

/**
 * The names folder `relative` of a state held when verified, as `stateNames` gives them, found by a
 * pass over the state's paths instead of a list per folder: after a commit, the few folders whose stat
 * moved are checked this way (building every folder's list costs a thousand-project hub a few
 * milliseconds and megabytes).
 */
function stateNamesOf(state: WorktreeState, relative: string): string[] {
  const prefix = relative === '' ? '' : `${relative}/`;
  const names: string[] = [];
  const add = (path: string, suffix: string) => {
    if (path.length > prefix.length && path.startsWith(prefix) && path.indexOf('/', prefix.length) < 0) names.push(path.slice(prefix.length) + suffix);
  };
  for (const path of state.dirPaths) if (path !== '') add(path, '/');
  for (const path of state.filePaths) add(path, '');
  return names.sort();
}

/** Folders whose names `stateChanges` looks up one by one (`stateNamesOf`) before it lists every folder's at once (`stateNames`). */
const NAMES_ONE_BY_ONE = 4;

/**
 * The names in a folder that matter (sub-folders other than skipped ones, marked with a '/', and OCL and
 * lock files), sorted. `seen.attributes` is set when the folder holds a `.gitattributes` file.
 */
function namesIn(full: string, seen?: WalkSeen): string[] {
  const names: string[] = [];
  for (const entry of fs.readdirSync(full, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED.has(entry.name)) names.push(`${entry.name}/`);
    } else if (entry.isFile() && relevant(entry.name)) {
      names.push(entry.name);
    } else if (seen !== undefined && entry.name.toLowerCase() === '.gitattributes') {
      seen.attributes = true;
    }
  }
  return names.sort();
}

/** What a walk saw besides the names that matter: whether any folder it listed held a `.gitattributes` file. */
interface WalkSeen {
  attributes: boolean;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

/** `dir` ending in a separator: a path below it is this and a '/'-separated relative path (path.join, for thousands of files, costs a cold check milliseconds). */
function rootPrefix(dir: string): string {
  return dir.endsWith(path.sep) ? dir : dir + path.sep;
}

/**
 * What the stat pass puts before a '/'-separated relative path to name it (see `stateChanges`): nothing
 * when `dir` is the process's working directory — the kernel then resolves each path from the folder
 * the process is in instead of walking `dir`'s own path again, a third of a re-run's path lookups in a
 * checkout two folders below the root, more in deeper ones (a CI runner's) — else `rootPrefix(dir)`.
 * Only when the folder the process is in is `dir` itself, same device and inode: a working directory
 * named by a cached path (Node caches `process.cwd()`) may since have been moved, and another folder
 * put at that path.
 */
export function statPrefix(dir: string): string {
  try {
    if (dir === process.cwd()) {
      const here = fs.statSync('.');
      const there = fs.statSync(dir);
      if (here.dev === there.dev && here.ino === there.ino) return '';
    }
  } catch {
    // No working directory any more, or no `dir`: absolute paths, and whatever they find.
  }
  return rootPrefix(dir);
}

/** What the walk knows of a state: each folder's stat and names, and when it was verified. */
interface KnownDirs {
  verifiedAt: number;
  dirs: Map<string, DirEntry>;
  names: Map<string, string[]>;
}

/**
 * Every folder and every OCL/lock file under `root`. A folder's stat is taken before it is listed; a
 * folder whose stat is what `known` remembers (and not racily so) is not listed again. Paths are joined
 * by hand, `prefix` (`rootPrefix`, or `statPrefix` as in `stateChanges`) and `relative`, made of names
 * as listed, '/'-separated.
 */
function walk(root: string, relative: string, dirs: Map<string, DirEntry>, files: string[], known: KnownDirs | undefined, prefix = rootPrefix(root), seen?: WalkSeen): void {
  const full = relative === '' ? root : prefix + relative;
  let mtimeMs: number;
  let ino: number;
  let names: string[];
  try {
    // Vanished, or no longer a folder, while walking: the files it held are missing, which the comparison sees.
    if (statNumbers(full, root) !== PathKind.Folder) return;
    mtimeMs = STAT[1]!;
    ino = STAT[3]!;
    const before = known?.dirs.get(relative);
    const remembered = known?.names.get(relative);
    names = before && remembered && before[0] === mtimeMs && before[1] === ino && mtimeMs < known!.verifiedAt - RACY_MS ? remembered : namesIn(full, seen);
  } catch {
    return; // the same
  }
  dirs.set(relative, [mtimeMs, ino]);
  for (const name of names) {
    const child = relative === '' ? name : `${relative}/${name}`;
    if (name.endsWith('/')) walk(root, child.slice(0, -1), dirs, files, known, prefix, seen);
    else files.push(child);
  }
}

/**
 * What changed in the working tree since `state` was verified, judged from stats (see
 * `worktreeStateHolds`): the remembered files whose content is not what was verified, by index in
 * `state.filePaths`, each with its new entry; undefined when a remembered folder or file is gone or a
 * folder's names changed (a file added or removed). A stat per remembered folder and file, most of
 * this check's time: paths are joined by hand (the state's are already normalised, '/'-separated),
 * not by path.join, and the stats are read from the state's columns. Every `YIELD_EVERY` stats it
 * lets the event loop run, so that work the caller started on the thread pool (the re-run's copy of
 * its report, then its flush) moves on to its next step meanwhile.
 */
async function stateChanges(state: WorktreeState, dir: string, stopAtFirst: boolean, refreshed?: Map<number, FileEntry>): Promise<Map<number, FileEntry> | undefined> {
  const racy = state.verifiedAt - RACY_MS;
  const prefix = statPrefix(dir);
  const { dirPaths, filePaths, oids, stats } = state;
  const changed = new Map<number, FileEntry>();
  let names: Map<string, string[]> | undefined;
  /** Folders whose stat moved so far. */
  let moved = 0;
  let at = 0;
  for (let i = 0; i < dirPaths.length; i++, at += 2) {
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise(setImmediate);
    const relative = dirPaths[i]!;
    const full = relative === '' ? dir : prefix + relative;
    if (statNumbers(full, dir) !== PathKind.Folder) return undefined;
    const mtimeMs = stats[at]!;
    if (STAT[1] === mtimeMs && STAT[3] === stats[at + 1] && mtimeMs < racy) continue;
    if (++moved > NAMES_ONE_BY_ONE) names ??= stateNames(state);
    if (!sameNames(namesIn(full), names?.get(relative) ?? stateNamesOf(state, relative))) return undefined;
  }
  for (let i = 0; i < filePaths.length; i++, at += 4) {
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise(setImmediate);
    const full = prefix + filePaths[i]!;
    if (statNumbers(full, dir) !== PathKind.File) return undefined;
    const size = STAT[0]!;
    const mtimeMs = STAT[1]!;
    const ctimeMs = STAT[2]!;
    const ino = STAT[3]!;
    // Unchanged since a verification that came after its last write (Git's "racily clean" rule: a
    // write in the same clock tick as the verification leaves the stat as it was, so that is not enough).
    if (size === stats[at] && mtimeMs === stats[at + 1] && ctimeMs === stats[at + 2] && ino === stats[at + 3] && mtimeMs < racy) continue;
    // The stat is taken before the content is read: a write after it moves the stat again.
    const id = size === stats[at] || !stopAtFirst ? blobId(fs.readFileSync(full)) : '';
    if (id === oids[i]) {
      // The same content under a newer stat (touched, or racy when verified): read now, vouched for by this stat from here on.
      refreshed?.set(i, [size, mtimeMs, id, ctimeMs, ino]);
      continue;
    }
    changed.set(i, [size, mtimeMs, id, ctimeMs, ino]);
    if (stopAtFirst) return changed;
  }
  return changed;
}

/**
 * Whether the working tree still holds what `state` verified (see `worktreeStateHolds`). When it does
 * and files had to be read for it (their stat moved, or was racy when verified), the state is written
 * again with their stats and a new verification time, so that the next check trusts their stats
 * instead of reading them again (a file edited and committed, then linted again and again).
 * Re-stamping is sound for every entry: a file or folder whose stat is as remembered was last changed
 * before the old verification (it was not racy), so also before the new one; a folder whose stat
 * moved keeps its old stat, so it is listed again next time.
 */
async function stateHolds(state: WorktreeState, dir: string, file?: { stateDir: string; path: string }): Promise<boolean> {
  // Taken before any stat, as a verification's time is.
  const verifiedAt = Date.now();
  const refreshed = new Map<number, FileEntry>();
  const holds = (await stateChanges(state, dir, true, refreshed))?.size === 0;
  if (holds && refreshed.size > 0 && file !== undefined) {
    const { dirs, files } = stateEntries(state);
    for (const [i, entry] of refreshed) files.set(state.filePaths[i]!, entry);
    writeState(file.stateDir, file.path, state.commit, verifiedAt, dirs, files);
  }
  return holds;
}

/** Stats between two turns of the event loop in `stateHolds` (a few milliseconds' worth). */
const YIELD_EVERY = 400;

/** `isFile` of a stat known to be a file's (`PathKind.File`). */
const isAFile = () => true;

/** Whether a file's stat (size, times, inode) still vouches for what was verified at `verifiedAt`. */
function unchanged(known: FileEntry, size: number, mtimeMs: number, ctimeMs: number, ino: number, verifiedAt: number): boolean {
  return known[0] === size && known[1] === mtimeMs && known[3] === ctimeMs && known[4] === ino && mtimeMs < verifiedAt - RACY_MS;
}

/**
 * The OCL and lock files of `commit` (path → blob id), as `listFiles(commit, '', { recursive: true })`
 * filtered by `relevant` would list them. With the state of another commit (whose files it holds
 * exactly), only the folders whose tree differs between the two commits are read: a folder with the
 * same tree id holds the same files, which the state already lists. After a commit that changed one
 * project of a thousand, that is a few trees instead of every folder of the hub.
 */
async function committedFiles(store: GitStore, commit: string, previous: WorktreeState | undefined): Promise<Map<string, string | null>> {
  // Loaded here, not at the top: the re-run fast path imports this module and must stay Node-only.
  const { readObjectNow, readingPath, readTree } = await import('../git/repo.js');
  const repo = store.context;
  /**
   * A tree read without waiting when it can be (cached, or in a pack already loaded), as `listFiles`
   * reads them: handing a thousand project folders' reads down the async path took a cold check of a
   * 1,000-project hub 25-30 ms more than listing the same trees so. Anything else (not loaded yet, not
   * a tree, unreadable) goes the async way, which reads it or says why.
   */
  const treeNow = (oid: string) => {
    const object = readObjectNow(repo, oid);
    return object?.type === 'tree' ? object.tree : undefined;
  };
  const out = new Map<string, string | null>();
  const root = await store.stat(commit, '');
  if (root === null || root.type !== 'folder' || root.oid === null) return out;
  const before = previous ? await store.stat(previous.commit, '').catch(() => null) : null;
  /** Folders ('' for the root) whose tree is the same at both commits: their files are the state's. */
  const same = new Set<string>();
  const at = commit.slice(0, 12);
  /**
   * Lists folder `prefix` (tree `treeOid`; `oldOid` its tree at the previous commit). Synchronous while
   * every tree it needs is read without waiting; else a promise of the rest.
   */
  const visit = (treeOid: string, oldOid: string | undefined, prefix: string): Promise<void> | undefined => {
    if (oldOid === treeOid) {
      same.add(prefix);
      return undefined;
    }
    const tree = treeNow(treeOid);
    const old = oldOid !== undefined ? treeNow(oldOid) : undefined;
    if (tree !== undefined && (oldOid === undefined || old !== undefined)) return visitEntries(tree, old, prefix);
    return Promise.all([
      tree ?? readingPath(repo, prefix, at, () => readTree(repo, treeOid)),
      old ?? (oldOid !== undefined ? readTree(repo, oldOid).catch(() => undefined) : undefined),
    ]).then(([tree, old]) => visitEntries(tree, old, prefix));
  };
  const visitEntries = (tree: TreeNode, old: TreeNode | undefined, prefix: string): Promise<void> | undefined => {
    let folders: Promise<void>[] | undefined;
    for (const entry of tree.entries) {
      const path = prefix === '' ? entry.path : `${prefix}/${entry.path}`;
      if (entry.type === 'blob') {
        if (relevant(entry.path)) out.set(path, entry.oid);
      } else if (entry.type === 'tree') {
        const was = old?.byName.get(entry.path);
        // The same tree at both commits (a thousand untouched project folders): no call of its own.
        if (was?.type === 'tree' && was.oid === entry.oid) same.add(path);
        else {
          const waiting = visit(entry.oid, was?.type === 'tree' ? was.oid : undefined, path);
          if (waiting !== undefined) (folders ??= []).push(waiting);
        }
      }
    }
    return folders && Promise.all(folders).then(() => undefined);
  };
  await visit(root.oid, before?.type === 'folder' && before.oid !== null ? before.oid : undefined, '');
  if (previous && same.size > 0) {
    previous.filePaths.forEach((path, i) => {
      // The nearest folder of `path` that is unchanged, if any.
      for (let slash = path.lastIndexOf('/'); ; slash = path.lastIndexOf('/', slash - 1)) {
        if (same.has(slash < 0 ? '' : path.slice(0, slash))) {
          out.set(path, previous.oids[i]!);
          break;
        }
        if (slash <= 0) break;
      }
    });
  }
  return out;
}

/**
 * What Git's index says of the working tree's files (`indexedBlobs`), for a cold check: a file whose
 * stat data its entry vouches for is that entry's blob without being read, as `git status` knows it.
 * Undefined (every file hashed) when Git might convert content between files and blobs (the blob id
 * would not be that of the file's bytes: `mayConvertContent`, and `.gitattributes` files the walk saw),
 * when there is no index or it cannot be read whole, and when Node does not give this index's
 * modification time as the index-file reader computes times (it then could not tell racy entries).
 */
async function worktreeIndex(gitdir: string, seen: WalkSeen): Promise<import('../git/index-file.js').IndexedBlobs | undefined> {
  if (seen.attributes) return undefined;
  try {
    const [{ indexedBlobs, statTimeMs }, { mayConvertContent }] = await Promise.all([import('../git/index-file.js'), import('../git/content-conversion.js')]);
    if (mayConvertContent(gitdir)) return undefined;
    const file = `${gitdir}/index`;
    const before = fs.statSync(file);
    const data = fs.readFileSync(file);
    // The same file throughout (Git replaces its index by a rename), and its time read the way entries' are.
    const after = fs.statSync(file, { bigint: true });
    if (Number(after.ino) !== before.ino || Number(after.size) !== before.size || Number(after.size) !== data.length) return undefined;
    if (statTimeMs(Number(after.mtimeNs / 1_000_000_000n), Number(after.mtimeNs % 1_000_000_000n)) !== before.mtimeMs) return undefined;
    if (statTimeMs(Number(after.ctimeNs / 1_000_000_000n), Number(after.ctimeNs % 1_000_000_000n)) !== before.ctimeMs) return undefined;
    return indexedBlobs(data, before.mtimeMs);
  } catch {
    return undefined;
  }
}

/**
 * Whether the `*.ocl` and `oclhub.lock.json` files of the working tree in `dir` are exactly those of
 * `commit`; `stateDir` remembers a verified answer (see the file comment). Never throws.
 */
export async function oclWorktreeMatches(store: GitStore, commit: string, dir: string, stateDir?: string): Promise<boolean> {
  try {
    const file = stateDir !== undefined ? path.join(stateDir, worktreeStateName(dir)) : undefined;
    if (file !== undefined) await pendingStates.get(file);
    const state = file !== undefined ? readState(file) : undefined;
    // Verified at this commit: the stats alone say whether it still holds (a second check in one run, a re-run).
    if (state && state.commit === commit && (await stateHolds(state, dir, stateDir !== undefined && file !== undefined ? { stateDir, path: file } : undefined))) return true;
    // Verified at another commit (the last run's), with no file added or removed since: the remembered
    // files, with the changed ones' new blob ids, are compared with the new commit's, which lists only the
    // folders whose tree changed. A commit of a few edited files costs a stat pass and a few tree reads,
    // and the state is written again as a copy of its bytes with those files' entries rewritten.
    if (state && state.commit !== commit && stateDir !== undefined && file !== undefined) {
      // Taken before any stat (see `stateHolds` for why entries verified before stay sound under it).
      const verifiedAt = Date.now();
      const changes = await stateChanges(state, dir, false);
      if (changes !== undefined) {
        const committed = await committedFiles(store, commit, state);
        const { filePaths, oids } = state;
        // Every file of the commit, each once (a state naming a path twice is no state).
        if (filePaths.length !== committed.size || new Set(filePaths).size !== committed.size) return false;
        for (let i = 0; i < filePaths.length; i++) if (committed.get(filePaths[i]!) !== (changes.get(i)?.[2] ?? oids[i])) return false;
        // Every blob id is now one of the commit's (hex): the state's text keeps its layout when patched.
        const patched = patchedState(state, commit, verifiedAt, changes);
        if (patched !== undefined) {
          writeStateBytes(stateDir, file, patched);
        } else {
          const { dirs, files } = stateEntries(state);
          for (const [i, entry] of changes) files.set(filePaths[i]!, entry);
          writeState(stateDir, file, commit, verifiedAt, dirs, files);
        }
        return true;
      }
    }
    const known = state ? stateEntries(state) : undefined;
    const verifiedAt = Date.now();
    const dirs = new Map<string, DirEntry>();
    const present: string[] = [];
    const seen: WalkSeen = { attributes: false };
    // Paths as the stat pass names them (`statPrefix`: from the working directory when it is `dir`, fewer lookups per path).
    const prefix = statPrefix(dir);
    walk(dir, '', dirs, present, state && known ? { verifiedAt: state.verifiedAt, dirs: known.dirs, names: stateNames(state) } : undefined, prefix, seen);
    let committed: Map<string, string | null>;
    if (state && known && state.commit === commit) {
      committed = new Map([...known.files].map(([p, entry]) => [p, entry[2]]));
    } else {
      committed = await committedFiles(store, commit, state);
    }
    if (present.length !== committed.size) return false;
    // A file read here is the commit's blob once its id matches: cached as that blob, so that the lint's
    // read of it at the commit (right after, through the same object cache) neither looks it up in a
    // pack nor inflates it.
    const { rememberBlob } = await import('../git/repo.js');
    // With no state (a first run, a CI checkout), the index saves reading and hashing the files it vouches
    // for: the lint then reads their blobs from the pack, which costs less than reading and hashing the
    // files did. (With a state, the walk reused remembered folder listings and may not have seen every
    // .gitattributes file.)
    const index = state === undefined ? await worktreeIndex(store.gitdir, seen) : undefined;
    const files = new Map<string, FileEntry>();
    /**
     * A file hashed even when the index vouches for it: content the index records as converted by settings
     * left nowhere to read (`git -c core.autocrlf=true clone`) is seen in it as a difference. oclhub.ocl,
     * the file every lint reads, has many lines (line-ending conversion changes every text file with a
     * line break); else the first file the index vouches for.
     */
    let spotCheck = present.includes('oclhub.ocl') ? 'oclhub.ocl' : undefined;
    for (const relative of present) {
      const oid = committed.get(relative);
      if (oid === undefined || oid === null) return false;
      const full = prefix + relative;
      // No longer a file (the walk listed it as one): a difference.
      if (statNumbers(full, dir) !== PathKind.File) return false;
      // Indexed, not destructured: destructuring a typed array steps its iterator, a cost per file.
      const size = STAT[0]!;
      const mtimeMs = STAT[1]!;
      const ctimeMs = STAT[2]!;
      const ino = STAT[3]!;
      const before = known?.files.get(relative);
      // Unchanged since a verification that came after its last write: the same content (whatever the commit).
      let id: string;
      const vouched = index?.blobOf(relative, { size, mtimeMs, ctimeMs, ino, uid: STAT[4]!, gid: STAT[5]!, isFile: isAFile }) === oid;
      if (vouched) spotCheck ??= relative;
      if (before !== undefined && unchanged(before, size, mtimeMs, ctimeMs, ino, state!.verifiedAt)) {
        id = before[2];
      } else if (vouched && relative !== spotCheck) {
        // The commit's blob, as the index vouches; an entry naming another blob is checked by hashing.
        id = oid;
      } else {
        const bytes = fs.readFileSync(full);
        id = blobId(bytes);
        if (id === oid) rememberBlob(store.context, oid, bytes);
      }
      if (id !== oid) return false;
      files.set(relative, [size, mtimeMs, oid, ctimeMs, ino]);
    }
    if (stateDir !== undefined && file !== undefined) writeState(stateDir, file, commit, verifiedAt, dirs, files);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the working tree in `dir` still holds what the state in `stateDir` verified against
 * `commit`, judged from the state alone (see the file comment): no Git. False whenever
 * it cannot tell.
 */
export async function worktreeStateHolds(stateDir: string, dir: string, commit: string, name?: string): Promise<boolean> {
  try {
    // A name recorded by the full path (fast-rerun.ts) saves hashing the folder's path (and loading crypto).
    const file = path.join(stateDir, name !== undefined && STATE_NAME.test(name) ? name : worktreeStateName(dir));
    await pendingStates.get(file);
    const state = readState(file);
    return state !== undefined && state.commit === commit && (await stateHolds(state, dir, { stateDir, path: file }));
  } catch {
    return false;
  }
}
