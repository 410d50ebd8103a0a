import { GitErrorCode, GitStoreError } from '../errors.js';
import { pathSegments } from '../paths.js';
import { isFullOid } from '../refs.js';
import { cachedObject, readBlob, readCommit, readingPath, readTree, type RepoContext } from '../repo.js';
import { readWorktreeFile } from '../worktree.js';
import { resolveRef } from './resolveRef.js';

export type PathTarget = { type: 'tree'; oid: string } | { type: 'blob'; oid: string; mode: string } | { type: 'commit'; oid: string };

/**
 * Walks from a commit's root tree down `segments`; null when some segment does not exist. A tree that
 * cannot be read on the way is corruption, reported with the folder it holds — never "does not exist".
 */
export async function lookupPath(repo: RepoContext, commitOid: string, segments: string[]): Promise<PathTarget | null> {
  let current: PathTarget = { type: 'tree', oid: (await readCommit(repo, commitOid)).tree };
  for (let i = 0; i < segments.length; i++) {
    if (current.type !== 'tree') return null;
    const treeOid: string = current.oid;
    const tree = await readingPath(repo, segments.slice(0, i).join('/'), commitOid.slice(0, 12), () => readTree(repo, treeOid));
    const entry = tree.byName.get(segments[i]!);
    if (!entry) return null;
    current = entry.type === 'tree' ? { type: 'tree', oid: entry.oid } : entry.type === 'blob' ? { type: 'blob', oid: entry.oid, mode: entry.mode } : { type: 'commit', oid: entry.oid };
  }
  return current;
}

/**
 * Synchronous lookup for a full commit id whose commit, trees and blob are all cached; undefined when
 * anything is missing (the async path then loads it). Warm re-reads are the common case for re-linting.
 */
function readCachedBlob(repo: RepoContext, ref: string, segments: string[]): Uint8Array | undefined {
  if (!isFullOid(ref)) return undefined;
  const commit = cachedObject(repo, ref);
  if (commit?.type !== 'commit') return undefined;
  let tree = cachedObject(repo, commit.commit.tree);
  for (let i = 0; i < segments.length; i++) {
    if (tree?.type !== 'tree') return undefined;
    const entry = tree.tree.byName.get(segments[i]!);
    if (!entry) return undefined;
    if (i === segments.length - 1) {
      const blob = entry.type === 'blob' ? cachedObject(repo, entry.oid) : undefined;
      return blob?.type === 'blob' ? blob.blob : undefined;
    }
    tree = cachedObject(repo, entry.oid);
  }
  return undefined;
}

/**
 * Reads one file at a ref without checking anything out. The bytes may be shared with the cache:
 * treat them as read-only.
 */
export async function readFile(options: { repo: RepoContext; ref: string; path: string }): Promise<Uint8Array> {
  const { repo, ref, path } = options;
  const segments = pathSegments(path);
  const cached = readCachedBlob(repo, ref, segments);
  if (cached) return cached;
  let commit: string;
  if (isFullOid(ref) && cachedObject(repo, ref)?.type === 'commit') {
    // A commit id already read: nothing to resolve, and readCachedBlob has looked at the cache.
    commit = ref;
  } else {
    const resolved = await resolveRef({ repo, ref });
    if (resolved.oid === null) return readWorktreeFile(repo, segments.join('/'));
    commit = resolved.oid;
    const warm = readCachedBlob(repo, commit, segments);
    if (warm) return warm;
  }
  const target = await lookupPath(repo, commit, segments);
  if (target === null) {
    throw new GitStoreError(GitErrorCode.FileNotFound, `${path} does not exist at ${ref}`);
  }
  if (target.type !== 'blob') {
    throw new GitStoreError(GitErrorCode.NotAFile, `${path} is a ${target.type === 'tree' ? 'folder' : 'submodule'}, not a file (at ${ref})`);
  }
  return readingPath(repo, segments.join('/'), ref, () => readBlob(repo, target.oid));
}

/** readFile decoded as UTF-8 (invalid sequences become U+FFFD; a BOM is kept for the parser to judge). */
export async function readTextFile(options: { repo: RepoContext; ref: string; path: string }): Promise<string> {
  const bytes = await readFile(options);
  // Buffer's decoder: the same answers as TextDecoder's (BOM kept), in half the time.
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('utf8');
}

export interface PathStat {
  type: 'file' | 'folder';
  /**
   * The blob or tree id (null in WORKTREE). A folder's tree id changes exactly when something under it
   * changes, so it is a sound cache key for results computed from the whole folder (e.g. one project).
   */
  oid: string | null;
}

/** What is at a path at a ref: a file, a folder (with its object id), or null when absent. '' is the root. */
export async function statPath(options: { repo: RepoContext; ref: string; path: string }): Promise<PathStat | null> {
  const { repo, ref, path } = options;
  const segments = pathSegments(path, { allowRoot: true });
  const resolved = await resolveRef({ repo, ref });
  if (resolved.oid === null) {
    const full = segments.length === 0 ? repo.dir! : `${repo.dir}/${segments.join('/')}`;
    const stat = await repo.fs.promises.lstat(full).catch(() => null);
    return stat === null ? null : { type: stat.isDirectory() ? 'folder' : 'file', oid: null };
  }
  const target = await lookupPath(repo, resolved.oid, segments);
  if (target === null || target.type === 'commit') return null;
  return { type: target.type === 'tree' ? 'folder' : 'file', oid: target.oid };
}

/** Whether a path is a file, a folder, or absent at a ref. */
export async function pathType(options: { repo: RepoContext; ref: string; path: string }): Promise<'file' | 'folder' | null> {
  return (await statPath(options))?.type ?? null;
}
