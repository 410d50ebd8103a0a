/**
 * Keeping a working copy in step with a commit made to its checked-out branch without checking out.
 * Moving the branch alone (as `git update-ref` does) leaves the index and files at the old commit:
 * `git status` then shows the commit's changes reverted and staged, and the next `git commit -a`
 * silently undoes them. So, under git's own `index.lock` (which `git commit`, `git add` and friends
 * take too, so none of them can run in between):
 *   1. every file the commit changes must be clean in the working copy — index entry and file both
 *      still the base commit's — otherwise nothing is committed (WorktreeConflict: the user's edits win;
 *      a lock held by a running Git command is RefLocked: retry);
 *   2. the files are replaced atomically and the new index is written into the lock;
 *   3. the caller moves the branch (compare-and-swap), and on failure the files are put back;
 *   4. the lock is renamed over the index.
 * A crash between 2 and 3 leaves the new files as an uncommitted edit; between 3 and 4 the index
 * still names the old blobs while files and branch are new — the next follow recognises that state and
 * completes it. Neither ever reverts the commit behind the user's back.
 * Other files, staged or not, are not looked at: like a fast-forward, the commit does not touch them.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { errnoCode, fsReason, GitErrorCode, GitStoreError } from './errors.js';
import { ensureFolder, syncFolder, writeFileAtomic, writeNewFileSynced } from './durable.js';
import { compareEntries, entryMode, entryOid, IndexFormatError, makeEntry, parseIndex, serializeIndex, statMatches, type EntryStat, type IndexFile } from './index-file.js';
import { lookupPath } from './commands/readFile.js';
import { readRefValue, removeIfStale, STALE_LOCK_MS } from './refs.js';
import { readBlob, readCommit, type RepoContext } from './repo.js';

export interface WorktreeChange {
  path: string;
  /** The new content, or null when the commit deletes the file. */
  content: Uint8Array | null;
  executable: boolean;
}

export interface HeldWorktree {
  /**
   * Writes the changed files and the new index into the lock, before the branch moves: a crash after
   * this leaves the files ahead (an uncommitted edit, never a silent revert) and the branch as it was.
   */
  prepare(): Promise<void>;
  /** Makes the prepared index the index (after the branch moved). Throws with the lock released. */
  finish(): Promise<void>;
  /** Puts the files back as they were and drops the lock (the branch did not move). */
  rollback(): Promise<void>;
}

function blobOid(content: Uint8Array): string {
  return createHash('sha1').update(`blob ${content.byteLength}\0`).update(content).digest('hex');
}

function refuse(message: string): GitStoreError {
  return new GitStoreError(GitErrorCode.WorktreeConflict, message);
}

/**
 * Takes the index lock (taking over one a crashed oclhub left, and undoing what it had written: see
 * takeIndexLock) and checks that every changed path is clean relative to `baseCommit` (null: an unborn
 * branch). On success the lock is held until finish() or rollback(). `commit` is the commit the branch
 * is about to move to (recorded, so that a crash in between can be told apart later).
 */
export async function holdWorktree(repo: RepoContext, ref: string, baseCommit: string | null, commit: string, changes: readonly WorktreeChange[]): Promise<HeldWorktree> {
  const root = repo.dir!;
  const indexPath = `${repo.gitdir}/index`;
  const lock = `${indexPath}.lock`;
  const owner = await takeIndexLock(repo, lock, ref);
  const release = async () => {
    await repo.fs.promises.unlink(lock).catch(() => undefined);
    await owner.disown();
  };
  try {
    // Another follower may have moved the branch (and the working copy with it) since the caller read
    // it: that is the caller's compare-and-swap conflict to retry, not an edit of the user's.
    const tip = await readRefValue(repo, ref);
    if ((tip?.kind === 'oid' ? tip.oid : null) !== baseCommit) {
      throw new GitStoreError(GitErrorCode.Conflict, `Branch ${ref.replace(/^refs\/heads\//, '')} moved: expected it at ${baseCommit ?? 'nothing'} (another writer committed first; re-read and retry)`);
    }
    let index: IndexFile;
    let indexMtimeMs = 0;
    try {
      const data = Buffer.from(await repo.fs.promises.readFile(indexPath));
      indexMtimeMs = Number((await repo.fs.promises.lstat(indexPath)).mtimeMs);
      index = parseIndex(data);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') {
        throw refuse(`The working copy's index cannot be updated: ${error instanceof IndexFormatError ? error.message : fsReason(error)}. Nothing was committed.`);
      }
      index = { version: 2, entries: [], extensions: [] };
    }
    const parentCommit = baseCommit === null ? undefined : (await readCommit(repo, baseCommit)).parent[0];
    const dirty: string[] = [];
    const originals = new Map<string, Uint8Array | null>();
    for (const change of changes) {
      const segments = change.path.split('/');
      const base = baseCommit === null ? null : await lookupPath(repo, baseCommit, segments);
      const baseOid = base?.type === 'blob' ? base.oid : null;
      const parent = parentCommit === undefined ? null : await lookupPath(repo, parentCommit, segments);
      const parentOid = parent?.type === 'blob' ? parent.oid : null;
      if (!(await isClean(repo, root, index, indexMtimeMs, change.path, baseOid, parentOid))) dirty.push(change.path);
      originals.set(change.path, baseOid === null ? null : await readBlob(repo, baseOid));
    }
    if (dirty.length > 0) {
      throw refuse(
        `${dirty.join(', ')} ${dirty.length === 1 ? 'has' : 'have'} uncommitted changes in the working copy of the checked-out branch. ` +
          'Nothing was committed: commit or discard those changes there, then retry.',
      );
    }
    const writeFiles = async (content: (change: WorktreeChange) => Uint8Array | null) => {
      for (const change of changes) {
        const file = `${root}/${change.path}`;
        const bytes = content(change);
        if (bytes === null) {
          await repo.fs.promises.unlink(file).catch((error: unknown) => {
            if (errnoCode(error) !== 'ENOENT') throw error;
          });
          continue;
        }
        await repo.fs.promises.mkdir(file.slice(0, file.lastIndexOf('/')), { recursive: true });
        await writeFileAtomic(repo.fs, file, bytes, { mode: change.executable ? 0o755 : 0o644 });
      }
    };
    const held: HeldWorktree = {
      async prepare() {
        try {
          // What is about to be written, so a crash from here on can be undone (or completed) later.
          await owner.record({
            commit,
            files: changes.map((change) => {
              const from = originals.get(change.path);
              return { path: change.path, from: from === null || from === undefined ? null : blobOid(from), to: change.content === null ? null : blobOid(change.content) };
            }),
          });
          await writeFiles((change) => change.content);
          for (const change of changes) {
            const at = index.entries.findIndex((e) => e.path === latin1(change.path) && e.stage === 0);
            if (change.content === null) {
              if (at >= 0) index.entries.splice(at, 1);
              continue;
            }
            const stat = (await repo.fs.promises.lstat(`${root}/${change.path}`)) as EntryStat;
            const entry = makeEntry(latin1(change.path), blobOid(change.content), stat, change.executable);
            if (at >= 0) index.entries[at] = entry;
            else {
              index.entries.push(entry);
              index.entries.sort(compareEntries);
            }
          }
          await repo.fs.promises.writeFile(lock, serializeIndex(index));
          await syncIndexLock(repo, lock);
        } catch (error) {
          await held.rollback();
          throw error;
        }
      },
      async finish() {
        try {
          await repo.fs.promises.rename(lock, indexPath);
          await syncFolder(repo.fs, repo.gitdir);
          await owner.disown();
        } catch (error) {
          await release();
          throw error;
        }
      },
      async rollback() {
        try {
          await writeFiles((change) => originals.get(change.path) ?? null);
        } finally {
          await release();
        }
      },
    };
    return held;
  } catch (error) {
    await release();
    throw error;
  }
}

/**
 * Where oclhub notes that the index lock is its own: git's lock has git's format (it becomes the index),
 * so ownership is recorded beside it — process, host and the lock file's inode — to tell a lock a
 * crashed oclhub left (its process is gone) from one a live git command holds.
 */
function ownerRecord(repo: RepoContext): string {
  return `${repo.gitdir}/oclhub/index.lock.owner`;
}

interface LockOwner {
  pid: number;
  host: string;
  ino: number;
  /** From prepare() on: the commit the branch is moving to, and the files written for it. */
  commit?: string;
  files?: { path: string; from: string | null; to: string | null }[];
}

interface Ownership {
  record(extra: Pick<LockOwner, 'commit' | 'files'>): Promise<void>;
  disown(): Promise<void>;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

/** The owner record of the held lock when a crashed oclhub on this machine left it behind. */
async function orphanedByOclhub(repo: RepoContext, held: { ino: unknown }): Promise<LockOwner | undefined> {
  let owner: LockOwner;
  try {
    owner = JSON.parse(String(await repo.fs.promises.readFile(ownerRecord(repo), 'utf8'))) as LockOwner;
  } catch {
    return undefined;
  }
  const orphaned = owner.host === hostname() && owner.ino === Number(held.ino) && owner.pid !== process.pid && !processAlive(owner.pid);
  return orphaned ? owner : undefined;
}

async function takeIndexLock(repo: RepoContext, lock: string, ref: string): Promise<Ownership> {
  for (let attempt = 0; ; attempt++) {
    try {
      await writeNewFileSynced(repo.fs, lock, '');
      const mine: LockOwner = { pid: process.pid, host: hostname(), ino: Number((await repo.fs.promises.lstat(lock)).ino) };
      await ensureFolder(repo.fs, `${repo.gitdir}/oclhub`);
      const record = (owner: LockOwner) => writeFileAtomic(repo.fs, ownerRecord(repo), JSON.stringify(owner));
      await record(mine);
      return {
        record: (extra) => record({ ...mine, ...extra }),
        disown: () => repo.fs.promises.unlink(ownerRecord(repo)).then(() => undefined, () => undefined),
      };
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw refuse(`Cannot lock the working copy's index: ${fsReason(error)}. Nothing was committed.`);
    }
    const held = attempt < 3 ? await repo.fs.promises.lstat(lock).catch(() => null) : null;
    if (held !== null) {
      const orphan = await orphanedByOclhub(repo, held);
      if (orphan) {
        await settleOrphan(repo, lock, ref, orphan);
        continue;
      }
      // An empty lock past the stale bound: git writes the new index into its lock before holding it
      // for long (e.g. while `git commit` waits for the editor), so this one is a crash's too.
      if (Number(held.size) === 0 && (await removeIfStale(repo, lock, STALE_LOCK_MS))) continue;
    }
    // Callers retry within their own time bound.
    throw new GitStoreError(
      GitErrorCode.RefLocked,
      'The working copy is busy: a Git command holds its index lock (.git/index.lock). Nothing was committed; retry when it has finished.',
      { retryAfterSeconds: 1 },
    );
  }
}

/**
 * Finishes or undoes the follow a killed oclhub left under its index lock, then frees the lock:
 * - the branch moved to its commit: its lock holds the complete new index (written and flushed before
 *   the branch moved), so it becomes the index — the follow is completed;
 * - the branch did not move: the files it wrote (those still exactly as it wrote them) are put back,
 *   as if it never started.
 * Idempotent, so a kill in here, or two processes settling one orphan, leaves the same end state.
 */
async function settleOrphan(repo: RepoContext, lock: string, ref: string, orphan: LockOwner): Promise<void> {
  const tip = await readRefValue(repo, ref);
  const tipOid = tip?.kind === 'oid' ? tip.oid : null;
  const complete = await repo.fs.promises
    .readFile(lock)
    .then((data: Uint8Array) => parseIndex(Buffer.from(data)) !== undefined)
    .catch(() => false);
  if (orphan.commit !== undefined && orphan.commit === tipOid && complete) {
    await repo.fs.promises.rename(lock, `${repo.gitdir}/index`).catch(() => undefined);
    await syncFolder(repo.fs, repo.gitdir);
  } else {
    for (const file of orphan.files ?? []) {
      const full = `${repo.dir}/${file.path}`;
      const current = await repo.fs.promises.readFile(full).then((data: Uint8Array) => blobOid(new Uint8Array(data)), () => null);
      if (current !== file.to) continue; // changed since: someone else's edit, left alone
      if (file.from === null) await repo.fs.promises.unlink(full).catch(() => undefined);
      else await writeFileAtomic(repo.fs, full, await readBlob(repo, file.from));
    }
    await removeIfStale(repo, lock, 0);
  }
  // The record goes with the orphan (unless a live process has written its own meanwhile).
  const still = await repo.fs.promises.readFile(ownerRecord(repo), 'utf8').then((text: string) => JSON.parse(String(text)) as LockOwner, () => undefined);
  if (still?.pid === orphan.pid && still.ino === orphan.ino) await repo.fs.promises.unlink(ownerRecord(repo)).catch(() => undefined);
}

/**
 * Index entry and file both equal the base commit's blob (or both absent) — or the file does and the
 * index entry is still the parent commit's: a follow interrupted between moving the branch and renaming
 * the index, which this update completes.
 */
async function isClean(repo: RepoContext, root: string, index: IndexFile, indexMtimeMs: number, path: string, baseOid: string | null, parentOid: string | null): Promise<boolean> {
  const name = latin1(path);
  const entries = index.entries.filter((e) => e.path === name);
  if (entries.some((e) => e.stage !== 0)) return false; // unresolved merge conflict
  const entry = entries[0];
  const indexOid = entry ? entryOid(entry) : null;
  const behind = indexOid !== baseOid && indexOid === parentOid;
  if (indexOid !== baseOid && !behind) return false;
  const file = `${root}/${path}`;
  let stat;
  try {
    stat = await repo.fs.promises.lstat(file);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return baseOid === null;
    return false;
  }
  if (baseOid === null || !stat.isFile()) return false;
  if (entry && (entryMode(entry) & 0o170000) !== 0o100000) return false;
  if (!behind && entry && statMatches(entry, stat as EntryStat, indexMtimeMs)) return true;
  const content = new Uint8Array(await repo.fs.promises.readFile(file));
  return blobOid(content) === baseOid;
}

/** Index paths are bytes; entries hold them one char per byte. */
function latin1(path: string): string {
  return Buffer.from(path, 'utf8').toString('latin1');
}

/** The lock was opened empty (to take it) and then written: flush it before it becomes the index. */
async function syncIndexLock(repo: RepoContext, lock: string): Promise<void> {
  const open = repo.fs.promises.open;
  if (!open) return;
  const handle = await open.call(repo.fs.promises, lock, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
