import { ObjectCache, type CacheStats } from './cache.js';
import { errnoCode, fsReason, GitErrorCode, GitStoreError } from './errors.js';
import { commitChanges, type CommitChangesOptions, type CommitResult } from './commands/commitChanges.js';
import { listFiles } from './commands/listFiles.js';
import { pathType, readFile, readTextFile, statPath, type PathStat } from './commands/readFile.js';
import { resolveRef, WORKTREE, type ResolvedRef } from './commands/resolveRef.js';
import { currentBranch, isDirty } from './commands/status.js';
import { createTag, listTags, readTag, type TagInfo } from './commands/tags.js';
import type { CorruptionListener } from './corruption.js';
import { withRepositoryLock, type LockOptions } from './refs.js';
import { defaultFs, newContext, pathExists, type FsLike, type RepoContext } from './repo.js';
import type { FileEntry, Identity } from './types.js';

export interface OpenRepositoryOptions {
  /** node's `fs` (default) or memfs's `fs`. */
  fs?: FsLike;
  /** The working directory of a non-bare repository, or the repository itself when bare. */
  dir: string;
  /** Where the Git data lives; found from `dir` when omitted (`dir/.git`, a `.git` file, or `dir` if bare). */
  gitdir?: string;
  /** Force bare (no WORKTREE). Detected when omitted. */
  bare?: boolean;
  /** Share an object cache between stores (safe: equal oids mean equal content). */
  cache?: ObjectCache;
  /** Budget of a new object cache, in bytes (default 64 MiB). */
  cacheBytes?: number;
}

/**
 * Read access to any ref without checking out, plus atomic tag creation and compare-and-swap commits.
 * Holds `{ fs, dir, gitdir, cache }`; every method is a thin call to one command in ./commands.
 *
 * Every call given a ref *name* re-reads that ref (branches move; about 0.3 ms of fs probing in git's
 * DWIM order). For a series of reads, pin the ref once with `snapshot()` (or pass the commit id): reads
 * at a commit id whose objects are cached complete without touching the disk.
 */
export class GitStore {
  constructor(readonly context: RepoContext) {}

  get fs(): FsLike {
    return this.context.fs;
  }
  get dir(): string | null {
    return this.context.dir;
  }
  get gitdir(): string {
    return this.context.gitdir;
  }
  get bare(): boolean {
    return this.context.bare;
  }
  get cache(): ObjectCache {
    return this.context.objects;
  }

  resolveRef(ref: string): Promise<ResolvedRef> {
    return resolveRef({ repo: this.context, ref });
  }

  /** Pins a ref to its commit now, so a series of reads sees one consistent snapshot even if the branch moves. */
  async snapshot(ref: string): Promise<Snapshot> {
    const resolved = await this.resolveRef(ref);
    return new Snapshot(this, resolved);
  }

  listFiles(ref: string, under?: string, options: { recursive?: boolean } = {}): Promise<FileEntry[]> {
    return listFiles({ repo: this.context, ref, ...(under === undefined ? {} : { under }), ...options });
  }

  /** The bytes of one file; shared with the cache, so treat them as read-only. */
  readFile(ref: string, path: string): Promise<Uint8Array> {
    return readFile({ repo: this.context, ref, path });
  }

  readTextFile(ref: string, path: string): Promise<string> {
    return readTextFile({ repo: this.context, ref, path });
  }

  pathType(ref: string, path: string): Promise<'file' | 'folder' | null> {
    return pathType({ repo: this.context, ref, path });
  }

  /** File or folder at a path with its object id (a folder's tree id is a cache key for everything under it). */
  stat(ref: string, path: string): Promise<PathStat | null> {
    return statPath({ repo: this.context, ref, path });
  }

  listTags(prefix = ''): Promise<string[]> {
    return listTags({ repo: this.context, prefix });
  }

  readTag(name: string): Promise<TagInfo> {
    return readTag({ repo: this.context, name });
  }

  createTag(options: { name: string; target: string; message: string; tagger: Identity; lockTimeoutMs?: number }): Promise<TagInfo> {
    return createTag({ repo: this.context, ...options });
  }

  /**
   * Commits changes to `branch` if it is still at `expectedOid`. Committing to the checked-out branch
   * leaves the working copy behind (`result.worktreeBehind`), as `git update-ref` would, unless
   * `worktree: 'follow'` updates the changed files and index entries too (refusing dirty ones).
   */
  commitChanges(options: Omit<CommitChangesOptions, 'repo'>): Promise<CommitResult> {
    return commitChanges({ repo: this.context, ...options });
  }

  /**
   * Runs `task` holding a named lock shared by every process using this repository (a lock file in the
   * git folder): for check-then-act sequences over several refs, such as numbering and tagging a version.
   */
  withLock<T>(name: string, task: () => Promise<T>, options: LockOptions = {}): Promise<T> {
    return withRepositoryLock(this.context, name, task, options);
  }

  /**
   * Calls `listener` whenever an object of this repository cannot be read (also when the caller
   * turned the failure into "absent"); returns the unsubscribe function. For caches: an answer computed
   * over an unreadable object must not be served again.
   */
  onCorruptObject(listener: CorruptionListener): () => void {
    this.context.corruptionListeners.add(listener);
    return () => this.context.corruptionListeners.delete(listener);
  }

  currentBranch(): Promise<string | null> {
    return currentBranch({ repo: this.context });
  }

  isDirty(): Promise<boolean> {
    return isDirty({ repo: this.context });
  }

  cacheStats(): CacheStats {
    return this.context.objects.stats();
  }
}

/** A ref resolved once; reads go to that commit (or to the working directory for WORKTREE). */
export class Snapshot {
  /** The commit id, or 'WORKTREE'. */
  readonly ref: string;

  constructor(
    readonly store: GitStore,
    readonly resolved: ResolvedRef,
  ) {
    this.ref = resolved.oid ?? WORKTREE;
  }

  get oid(): string | null {
    return this.resolved.oid;
  }
  listFiles(under?: string, options: { recursive?: boolean } = {}): Promise<FileEntry[]> {
    return this.store.listFiles(this.ref, under, options);
  }
  readFile(path: string): Promise<Uint8Array> {
    return this.store.readFile(this.ref, path);
  }
  readTextFile(path: string): Promise<string> {
    return this.store.readTextFile(this.ref, path);
  }
  pathType(path: string): Promise<'file' | 'folder' | null> {
    return this.store.pathType(this.ref, path);
  }
  stat(path: string): Promise<PathStat | null> {
    return this.store.stat(this.ref, path);
  }
}

async function isGitDir(fs: FsLike, path: string): Promise<boolean> {
  return (await pathExists(fs, `${path}/HEAD`)) && (await pathExists(fs, `${path}/objects`));
}

async function readsAsBare(fs: FsLike, gitdir: string): Promise<boolean> {
  try {
    const config = String(await fs.promises.readFile(`${gitdir}/config`, 'utf8'));
    return /^\s*bare\s*=\s*true\s*$/im.test(config);
  } catch {
    return false;
  }
}

function stripSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Opens a repository (working copy or bare) on node fs or memfs. Fails with RepositoryNotFound if none is there. */
export async function openRepository(options: OpenRepositoryOptions): Promise<GitStore> {
  const fs = options.fs ?? defaultFs;
  if (typeof options.dir !== 'string' || options.dir === '') {
    throw new GitStoreError(GitErrorCode.RepositoryNotFound, 'A repository folder is required');
  }
  const dir = stripSlash(options.dir);
  let gitdir = options.gitdir === undefined ? undefined : stripSlash(options.gitdir);
  if (gitdir === undefined) {
    if (options.bare) {
      gitdir = dir;
    } else {
      const dotGit = `${dir}/.git`;
      const stat = await fs.promises.lstat(dotGit).catch((error: unknown) => {
        if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return null;
        throw new GitStoreError(GitErrorCode.RepositoryNotFound, `Cannot read ${dotGit}: ${fsReason(error)}`);
      });
      if (stat?.isDirectory()) {
        gitdir = dotGit;
      } else if (stat?.isFile()) {
        // Linked worktrees and submodules: `.git` is a file saying `gitdir: <path>`.
        const text = String(await fs.promises.readFile(dotGit, 'utf8')).trim();
        const target = text.startsWith('gitdir:') ? text.slice(7).trim() : '';
        gitdir = target.startsWith('/') ? target : `${dir}/${target}`;
      } else if (await isGitDir(fs, dir)) {
        gitdir = dir;
      }
    }
  }
  if (gitdir === undefined || !(await isGitDir(fs, gitdir))) {
    const folder = await fs.promises.stat(dir).catch(() => null);
    const why = folder === null ? 'no such folder' : !folder.isDirectory() ? 'it is not a folder' : 'it is not a Git repository (no .git)';
    throw new GitStoreError(GitErrorCode.RepositoryNotFound, `No Git repository at ${dir}: ${why}`);
  }
  const bare = options.bare ?? (gitdir === dir || (await readsAsBare(fs, gitdir)));
  const context = newContext({
    fs,
    dir: bare ? null : dir,
    gitdir,
    bare,
    ...(options.cache ? { objects: options.cache } : {}),
    ...(options.cacheBytes === undefined ? {} : { cacheBytes: options.cacheBytes }),
  });
  return new GitStore(context);
}
