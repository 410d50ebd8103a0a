import { GitErrorCode, GitStoreError } from '../errors.js';
import { pathSegments } from '../paths.js';
import { isFullOid } from '../refs.js';
import type { TreeEntry } from 'isomorphic-git';
import { readBlob, readCommit, readingPath, readObjectNow, readTree, type RepoContext, type TreeNode } from '../repo.js';
import { readWorktreeFile } from '../worktree.js';
import { resolveRef } from './resolveRef.js';

export type PathTarget = { type: 'tree'; oid: string } | { type: 'blob'; oid: string; mode: string } | { type: 'commit'; oid: string };

/** Where a walk over cached trees stopped: the tree `oid` (for `segments[at]`) must be loaded first. */
interface Pending {
  type: 'pending';
  at: number;
  oid: string;
}

function targetOf(entry: TreeEntry): PathTarget {
  return entry.type === 'tree' ? { type: 'tree', oid: entry.oid } : entry.type === 'blob' ? { type: 'blob', oid: entry.oid, mode: entry.mode } : { type: 'commit', oid: entry.oid };
}

/**
 * Steps from `tree` (the folder of `segments[from]`) down the rest of `segments` through trees cached
 * or readable at once (readObjectNow), synchronously: the target, null when some segment does not exist, or the tree
 * that must be read before the walk can go on. Nothing is allocated per step on the way.
 */
function walkCached(repo: RepoContext, tree: TreeNode, segments: readonly string[], from: number): PathTarget | Pending | null {
  let current = tree;
  for (let i = from; ; i++) {
    const entry = current.byName.get(segments[i]!);
    if (entry === undefined) return null;
    if (i === segments.length - 1) return targetOf(entry);
    if (entry.type !== 'tree') return null;
    const next = readObjectNow(repo, entry.oid);
    if (next?.type !== 'tree') return { type: 'pending', at: i + 1, oid: entry.oid };
    current = next.tree;
  }
}

/** Reads the tree of folder `segments[0, at)`; one that cannot be read is corruption reported with that folder. */
function loadTree(repo: RepoContext, oid: string, segments: readonly string[], at: number, commitOid: string): Promise<TreeNode> {
  return readingPath(repo, segments.slice(0, at).join('/'), commitOid.slice(0, 12), () => readTree(repo, oid));
}

/** The root tree of a commit, when the commit (and perhaps the tree) can be had without waiting. */
function cachedRoot(repo: RepoContext, commitOid: string): { oid: string; tree: TreeNode | undefined } | undefined {
  const commit = readObjectNow(repo, commitOid);
  if (commit?.type !== 'commit') return undefined;
  const root = readObjectNow(repo, commit.commit.tree);
  return { oid: commit.commit.tree, tree: root?.type === 'tree' ? root.tree : undefined };
}

/**
 * Walks from a commit's root tree down `segments`; null when some segment does not exist. A tree that
 * cannot be read on the way is corruption, reported with the folder it holds — never "does not exist".
 * Trees cached or in a loaded pack are stepped through synchronously; only the others are awaited.
 */
export async function lookupPath(repo: RepoContext, commitOid: string, segments: string[], started?: PathTarget | Pending | null): Promise<PathTarget | null> {
  let walk = started;
  if (walk === undefined) {
    const root = cachedRoot(repo, commitOid) ?? { oid: (await readCommit(repo, commitOid)).tree, tree: undefined };
    if (segments.length === 0) return { type: 'tree', oid: root.oid };
    walk = root.tree ? walkCached(repo, root.tree, segments, 0) : { type: 'pending', at: 0, oid: root.oid };
  }
  while (walk !== null && walk.type === 'pending') {
    const tree = await loadTree(repo, walk.oid, segments, walk.at, commitOid);
    walk = walkCached(repo, tree, segments, walk.at);
  }
  return walk;
}

/**
 * Reads one file at a ref without checking anything out. The bytes may be shared with the cache:
 * treat them as read-only. At a commit id whose trees and blob are cached this completes without
 * touching the disk (warm re-reads are the common case for re-linting).
 */
export async function readFile(options: { repo: RepoContext; ref: string; path: string }): Promise<Uint8Array> {
  const { repo, ref, path } = options;
  const segments = pathSegments(path);
  let commit: string;
  let walk: PathTarget | Pending | null | undefined;
  const root = isFullOid(ref) ? cachedRoot(repo, ref) : undefined;
  if (root) {
    // A commit id already read, or readable at once: nothing to resolve.
    commit = ref;
    if (root.tree) walk = walkCached(repo, root.tree, segments, 0);
  } else {
    const resolved = await resolveRef({ repo, ref });
    if (resolved.oid === null) return readWorktreeFile(repo, segments.join('/'));
    commit = resolved.oid;
  }
  if (walk?.type === 'blob') {
    const blob = readObjectNow(repo, walk.oid);
    if (blob?.type === 'blob') return blob.blob;
  }
  const target = walk?.type === 'pending' || walk === undefined ? await lookupPath(repo, commit, segments, walk) : walk;
  if (target === null) {
    throw new GitStoreError(GitErrorCode.FileNotFound, `${path} does not exist at ${ref}`);
  }
  if (target.type !== 'blob') {
    throw new GitStoreError(GitErrorCode.NotAFile, `${path} is a ${target.type === 'tree' ? 'folder' : 'submodule'}, not a file (at ${ref})`);
  }
  const blob = readObjectNow(repo, target.oid);
  if (blob?.type === 'blob') return blob.blob;
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
