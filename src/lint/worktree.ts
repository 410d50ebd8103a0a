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
 * With a state folder, a verified answer is remembered as Git's index remembers one: each file's
 * size, modification and change times, inode and blob id, and each folder's modification time, inode
 * and the names in it that matter (sub-folders and OCL/lock files). A file whose stat is unchanged
 * keeps its blob id without being read — also after a new commit, whose tree is then listed and
 * compared — and a folder whose stat is unchanged holds the same names. A file or folder that changed
 * so close to the verification that its time cannot tell (Git's "racily clean" rule) is read again.
 *
 * `worktreeStateHolds` is the same check done from the state alone, with no Git
 * layer (the re-run fast path, fast-rerun.ts): it stats every remembered folder and file, lists only
 * the folders whose stat moved and hashes only the files whose stat moved. This module imports
 * nothing but Node's (the Git layer is loaded on demand, only to list a commit's trees).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { GitStore } from '../git/index.js';

/** Folders never holding files a lint reads. */
const SKIPPED = new Set(['.git', 'node_modules', '.oclhub-cache']);

/**
 * A stat taken this close (ms) before a verification cannot vouch for the content: file-system
 * clocks are coarse (a tick of several ms) and may lag the system clock.
 */
const RACY_MS = 2000;

/** The files a lint reads from a working tree. */
function relevant(name: string): boolean {
  return name.toLowerCase().endsWith('.ocl') || name === 'oclhub.lock.json';
}

function blobId(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
}

/** Path → [size, mtimeMs, blob id, ctimeMs, inode]. */
type FileEntry = [number, number, string, number, number];
/** Path ('' for the root) → [mtimeMs, inode, the names that matter, sorted, sub-folders' ending in '/']. */
type DirEntry = [number, number, string[]];

interface WorktreeState {
  format: typeof STATE_FORMAT;
  commit: string;
  /** When the files were verified (ms since the epoch), taken before any of them was looked at. */
  verifiedAt: number;
  files: Record<string, FileEntry>;
  dirs: Record<string, DirEntry>;
}

const STATE_FORMAT = 'oclhub-worktree/4';

/** The name of the state file of the working tree in `dir`, in the state folder. */
export function worktreeStateName(dir: string): string {
  return `worktree-${createHash('sha1').update(path.resolve(dir)).digest('hex').slice(0, 16)}.json`;
}

function readState(file: string): WorktreeState | undefined {
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as WorktreeState;
    return state.format === STATE_FORMAT && typeof state.commit === 'string' && state.files && state.dirs ? state : undefined;
  } catch {
    return undefined;
  }
}

function writeState(stateDir: string, file: string, state: WorktreeState): void {
  try {
    mkdirSync(stateDir, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(state));
    renameSync(temp, file);
  } catch {
    // Only costs speed.
  }
}

/** The names in a folder that matter (sub-folders other than skipped ones, marked with a '/', and OCL and lock files), sorted. */
function namesIn(full: string): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(full, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED.has(entry.name)) names.push(`${entry.name}/`);
    } else if (entry.isFile() && relevant(entry.name)) {
      names.push(entry.name);
    }
  }
  return names.sort();
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

/**
 * Every folder and every OCL/lock file under `root`. A folder's stat is taken before it is listed; a
 * folder whose stat is what `known` remembers (and not racily so) is not listed again.
 */
function walk(root: string, relative: string, dirs: Record<string, DirEntry>, files: string[], known: WorktreeState | undefined): void {
  const full = relative === '' ? root : path.join(root, relative);
  let info: Stats;
  let names: string[];
  try {
    info = statSync(full);
    const before = known?.dirs[relative];
    names = before && before[0] === info.mtimeMs && before[1] === info.ino && info.mtimeMs < known!.verifiedAt - RACY_MS ? before[2] : namesIn(full);
  } catch {
    return; // vanished while walking: the files it held are missing, which the comparison sees
  }
  dirs[relative] = [info.mtimeMs, info.ino, names];
  for (const name of names) {
    const child = relative === '' ? name : `${relative}/${name}`;
    if (name.endsWith('/')) walk(root, child.slice(0, -1), dirs, files, known);
    else files.push(child);
  }
}

/**
 * What changed in the working tree since `state` was verified, judged from stats (see
 * `worktreeStateHolds`): the remembered files whose content is not what was verified, each with its
 * new entry; undefined when a remembered folder or file is gone or a folder's names changed (a file
 * added or removed). A stat per remembered folder and file, most of this check's time: paths are
 * joined by hand (the state's are already normalised, '/'-separated), not by path.join. Every
 * `YIELD_EVERY` stats it lets the event loop run, so that work the caller started on the thread pool
 * (the re-run's copy of its report, then its flush) moves on to its next step meanwhile.
 */
async function stateChanges(state: WorktreeState, dir: string, stopAtFirst: boolean): Promise<Map<string, FileEntry> | undefined> {
  const racy = state.verifiedAt - RACY_MS;
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  const changed = new Map<string, FileEntry>();
  let count = 0;
  const dirs = state.dirs;
  for (const relative in dirs) {
    if (++count % YIELD_EVERY === 0) await new Promise(setImmediate);
    const [mtimeMs, ino, names] = dirs[relative]!;
    const full = relative === '' ? dir : prefix + relative;
    const info = statSync(full, NO_THROW);
    if (!info || !info.isDirectory()) return undefined;
    if (info.mtimeMs === mtimeMs && info.ino === ino && mtimeMs < racy) continue;
    if (!sameNames(namesIn(full), names)) return undefined;
  }
  const files = state.files;
  for (const relative in files) {
    if (++count % YIELD_EVERY === 0) await new Promise(setImmediate);
    const known = files[relative]!;
    const full = prefix + relative;
    const info = statSync(full, NO_THROW);
    if (!info || !info.isFile()) return undefined;
    if (unchanged(known, info, state.verifiedAt)) continue;
    // The stat is taken before the content is read: a write after it moves the stat again.
    const id = info.size === known[0] || !stopAtFirst ? blobId(readFileSync(full)) : '';
    if (id === known[2]) continue;
    changed.set(relative, [info.size, info.mtimeMs, id, info.ctimeMs, info.ino]);
    if (stopAtFirst) return changed;
  }
  return changed;
}

/** Whether the working tree still holds what `state` verified (see `worktreeStateHolds`). */
async function stateHolds(state: WorktreeState, dir: string): Promise<boolean> {
  return (await stateChanges(state, dir, true))?.size === 0;
}

/** Stats between two turns of the event loop in `stateHolds` (a few milliseconds' worth). */
const YIELD_EVERY = 400;

const NO_THROW = { throwIfNoEntry: false } as const;

/** Whether a stat still vouches for what was verified at `verifiedAt`. */
function unchanged(known: FileEntry, info: Stats, verifiedAt: number): boolean {
  return known[0] === info.size && known[1] === info.mtimeMs && known[3] === info.ctimeMs && known[4] === info.ino && info.mtimeMs < verifiedAt - RACY_MS;
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
  const { readingPath, readTree } = await import('../git/repo.js');
  const repo = store.context;
  const out = new Map<string, string | null>();
  const root = await store.stat(commit, '');
  if (root === null || root.type !== 'folder' || root.oid === null) return out;
  const before = previous ? await store.stat(previous.commit, '').catch(() => null) : null;
  /** Folders ('' for the root) whose tree is the same at both commits: their files are the state's. */
  const same = new Set<string>();
  const at = commit.slice(0, 12);
  const visit = async (treeOid: string, oldOid: string | undefined, prefix: string): Promise<void> => {
    if (oldOid === treeOid) {
      same.add(prefix);
      return;
    }
    const [tree, old] = await Promise.all([
      readingPath(repo, prefix, at, () => readTree(repo, treeOid)),
      oldOid !== undefined ? readTree(repo, oldOid).catch(() => undefined) : undefined,
    ]);
    const folders: Promise<void>[] = [];
    for (const entry of tree.entries) {
      const path = prefix === '' ? entry.path : `${prefix}/${entry.path}`;
      if (entry.type === 'blob') {
        if (relevant(entry.path)) out.set(path, entry.oid);
      } else if (entry.type === 'tree') {
        const was = old?.byName.get(entry.path);
        folders.push(visit(entry.oid, was?.type === 'tree' ? was.oid : undefined, path));
      }
    }
    await Promise.all(folders);
  };
  await visit(root.oid, before?.type === 'folder' && before.oid !== null ? before.oid : undefined, '');
  if (previous && same.size > 0) {
    for (const path in previous.files) {
      // The nearest folder of `path` that is unchanged, if any.
      for (let slash = path.lastIndexOf('/'); ; slash = path.lastIndexOf('/', slash - 1)) {
        if (same.has(slash < 0 ? '' : path.slice(0, slash))) {
          out.set(path, previous.files[path]![2]);
          break;
        }
        if (slash <= 0) break;
      }
    }
  }
  return out;
}

/**
 * Whether the `*.ocl` and `oclhub.lock.json` files of the working tree in `dir` are exactly those of
 * `commit`; `stateDir` remembers a verified answer (see the file comment). Never throws.
 */
export async function oclWorktreeMatches(store: GitStore, commit: string, dir: string, stateDir?: string): Promise<boolean> {
  try {
    const file = stateDir !== undefined ? path.join(stateDir, worktreeStateName(dir)) : undefined;
    const state = file !== undefined ? readState(file) : undefined;
    // Verified at this commit: the stats alone say whether it still holds (a second check in one run, a re-run).
    if (state && state.commit === commit && (await stateHolds(state, dir))) return true;
    // Verified at another commit (the last run's), with no file added or removed since: the remembered
    // files, with the changed ones' new blob ids, are compared with the new commit's, which lists only the
    // folders whose tree changed. A commit of a few edited files costs a stat pass and a few tree reads.
    if (state && state.commit !== commit && stateDir !== undefined && file !== undefined) {
      const changes = await stateChanges(state, dir, false);
      if (changes !== undefined) {
        const committed = await committedFiles(store, commit, state);
        let count = 0;
        for (const relative in state.files) {
          count++;
          if (committed.get(relative) !== (changes.get(relative) ?? state.files[relative]!)[2]) return false;
        }
        if (count !== committed.size) return false;
        // The verification time stays the state's: a changed file's new stat is then recent, so it is read again next time.
        writeState(stateDir, file, { ...state, commit, files: { ...state.files, ...Object.fromEntries(changes) } });
        return true;
      }
    }
    const verifiedAt = Date.now();
    const dirs: WorktreeState['dirs'] = {};
    const present: string[] = [];
    walk(dir, '', dirs, present, state);
    let committed: Map<string, string | null>;
    if (state && state.commit === commit) {
      committed = new Map(Object.entries(state.files).map(([p, entry]) => [p, entry[2]]));
    } else {
      committed = await committedFiles(store, commit, state);
    }
    if (present.length !== committed.size) return false;
    const files: WorktreeState['files'] = {};
    for (const relative of present) {
      const oid = committed.get(relative);
      if (oid === undefined || oid === null) return false;
      const full = path.join(dir, relative);
      const info = statSync(full);
      const known = state?.files[relative];
      // Unchanged since a verification that came after its last write: the same content (whatever the commit).
      const id = known !== undefined && unchanged(known, info, state!.verifiedAt) ? known[2] : blobId(readFileSync(full));
      if (id !== oid) return false;
      files[relative] = [info.size, info.mtimeMs, oid, info.ctimeMs, info.ino];
    }
    if (stateDir !== undefined && file !== undefined) writeState(stateDir, file, { format: STATE_FORMAT, commit, verifiedAt, files, dirs });
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
export async function worktreeStateHolds(stateDir: string, dir: string, commit: string): Promise<boolean> {
  try {
    const state = readState(path.join(stateDir, worktreeStateName(dir)));
    return state !== undefined && state.commit === commit && (await stateHolds(state, dir));
  } catch {
    return false;
  }
}
