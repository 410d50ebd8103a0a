/**
 * Keeping a working copy in step with a commit made to its checked-out branch without checking out.
 * Moving the branch alone (as `git update-ref` does) leaves the index and files at the old commit:
 * `git status` then shows the commit's changes reverted and staged, and the next `git commit -a`
 * silently undoes them. So, under git's own `index.lock` (which `git commit`, `git add` and friends
 * take too, so none of them can run in between):
 *   1. every file the commit changes must be clean in the working copy — index entry and file both
 *      still the base commit's — otherwise nothing is committed (WorktreeConflict: the user's edits win;
 *      a lock held by a running Git command is RefLocked: retry);
 *   2. the caller moves the branch (compare-and-swap);
 *   3. the files are replaced atomically and their index entries pointed at the new blobs.
 * Other files, staged or not, are not looked at: like a fast-forward, the commit does not touch them.
 */
import { createHash } from 'node:crypto';
import { errnoCode, fsReason, GitErrorCode, GitStoreError } from './errors.js';
import { syncFolder, writeFileAtomic, writeNewFileSynced } from './durable.js';
import { compareEntries, entryMode, entryOid, IndexFormatError, makeEntry, parseIndex, serializeIndex, statMatches, type EntryStat, type IndexFile } from './index-file.js';
import { lookupPath } from './commands/readFile.js';
import type { RepoContext } from './repo.js';

export interface WorktreeChange {
  path: string;
  /** The new content, or null when the commit deletes the file. */
  content: Uint8Array | null;
  executable: boolean;
}

export interface HeldWorktree {
  /** Writes the files and the index (after the branch moved). Throws with the index lock released. */
  apply(): Promise<void>;
  /** Gives up (the branch did not move). */
  release(): Promise<void>;
}

function blobOid(content: Uint8Array): string {
  return createHash('sha1').update(`blob ${content.byteLength}\0`).update(content).digest('hex');
}

function refuse(message: string): GitStoreError {
  return new GitStoreError(GitErrorCode.WorktreeConflict, message);
}

/**
 * Takes the index lock and checks that every changed path is clean relative to `baseCommit` (null: an
 * unborn branch). On success the lock is held until apply() or release().
 */
export async function holdWorktree(repo: RepoContext, baseCommit: string | null, changes: readonly WorktreeChange[]): Promise<HeldWorktree> {
  const root = repo.dir!;
  const indexPath = `${repo.gitdir}/index`;
  const lock = `${indexPath}.lock`;
  try {
    await writeNewFileSynced(repo.fs, lock, '');
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') {
      // Not stale-checked: `git commit` holds it while the editor is open. Callers retry within their bound.
      throw new GitStoreError(
        GitErrorCode.RefLocked,
        'The working copy is busy: a Git command holds its index lock (.git/index.lock). Nothing was committed; retry when it has finished.',
        { retryAfterSeconds: 1 },
      );
    }
    throw refuse(`Cannot lock the working copy's index: ${fsReason(error)}. Nothing was committed.`);
  }
  const release = () => repo.fs.promises.unlink(lock).then(() => undefined, () => undefined);
  try {
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
    const dirty: string[] = [];
    for (const change of changes) {
      const base = baseCommit === null ? null : await lookupPath(repo, baseCommit, change.path.split('/'));
      const baseOid = base?.type === 'blob' ? base.oid : null;
      if (!(await isClean(repo, root, index, indexMtimeMs, change.path, baseOid))) dirty.push(change.path);
    }
    if (dirty.length > 0) {
      throw refuse(
        `${dirty.join(', ')} ${dirty.length === 1 ? 'has' : 'have'} uncommitted changes in the working copy of the checked-out branch. ` +
          'Nothing was committed: commit or discard those changes there, then retry.',
      );
    }
    return {
      release,
      async apply() {
        try {
          for (const change of changes) {
            const file = `${root}/${change.path}`;
            const at = index.entries.findIndex((e) => e.path === latin1(change.path) && e.stage === 0);
            if (change.content === null) {
              await repo.fs.promises.unlink(file).catch((error: unknown) => {
                if (errnoCode(error) !== 'ENOENT') throw error;
              });
              if (at >= 0) index.entries.splice(at, 1);
              continue;
            }
            const folder = file.slice(0, file.lastIndexOf('/'));
            await repo.fs.promises.mkdir(folder, { recursive: true });
            await writeFileAtomic(repo.fs, file, change.content, { mode: change.executable ? 0o755 : 0o644 });
            const stat = (await repo.fs.promises.lstat(file)) as EntryStat;
            const entry = makeEntry(latin1(change.path), blobOid(change.content), stat, change.executable);
            if (at >= 0) index.entries[at] = entry;
            else {
              index.entries.push(entry);
              index.entries.sort(compareEntries);
            }
          }
          const data = serializeIndex(index);
          await repo.fs.promises.writeFile(lock, data);
          await syncIndexLock(repo, lock);
          await repo.fs.promises.rename(lock, indexPath);
          await syncFolder(repo.fs, repo.gitdir);
        } catch (error) {
          await release();
          throw error;
        }
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}

/** Index entry and file both equal the base commit's blob (or both absent). */
async function isClean(repo: RepoContext, root: string, index: IndexFile, indexMtimeMs: number, path: string, baseOid: string | null): Promise<boolean> {
  const name = latin1(path);
  const entries = index.entries.filter((e) => e.path === name);
  if (entries.some((e) => e.stage !== 0)) return false; // unresolved merge conflict
  const entry = entries[0];
  if ((entry ? entryOid(entry) : null) !== baseOid) return false;
  const file = `${root}/${path}`;
  let stat;
  try {
    stat = await repo.fs.promises.lstat(file);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return baseOid === null;
    return false;
  }
  if (baseOid === null || !stat.isFile() || !entry) return false;
  if ((entryMode(entry) & 0o170000) !== 0o100000) return false;
  if (statMatches(entry, stat as EntryStat, indexMtimeMs)) return true;
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
