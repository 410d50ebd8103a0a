import { GitErrorCode, GitStoreError } from '../errors.js';
import { joinPath, pathSegments } from '../paths.js';
import { readObjectNow, readingPath, readTree, type RepoContext } from '../repo.js';
import type { FileEntry } from '../types.js';
import { listWorktreeFiles } from '../worktree.js';
import { lookupPath } from './readFile.js';
import { resolveRef } from './resolveRef.js';

/**
 * Lists the files (blobs and symlinks; not submodules) under a folder at a ref, recursively by default,
 * sorted by path. A folder that does not exist lists as empty, like `git ls-tree`; a file is an error.
 */
export async function listFiles(options: {
  repo: RepoContext;
  ref: string;
  under?: string;
  recursive?: boolean;
}): Promise<FileEntry[]> {
  const { repo, ref, under = '', recursive = true } = options;
  const segments = pathSegments(under, { allowRoot: true });
  const resolved = await resolveRef({ repo, ref });
  if (resolved.oid === null) {
    const all = await listWorktreeFiles(repo, segments);
    if (recursive) return all;
    const depth = segments.length + 1;
    return all.filter((f) => f.path.split('/').length === depth);
  }
  const target = await lookupPath(repo, resolved.oid, segments);
  if (target === null) return [];
  if (target.type !== 'tree') {
    throw new GitStoreError(GitErrorCode.NotAFile, `${under} is a file, not a folder (at ${ref})`);
  }
  const files: FileEntry[] = [];
  await collect(repo, target.oid, segments.join('/'), recursive, files, resolved.oid.slice(0, 12));
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return files;
}

async function collect(repo: RepoContext, treeOid: string, prefix: string, recursive: boolean, into: FileEntry[], at: string): Promise<void> {
  const now = readObjectNow(repo, treeOid);
  const tree = now?.type === 'tree' ? now.tree : await readingPath(repo, prefix, at, () => readTree(repo, treeOid));
  let subtrees: Promise<void>[] | undefined;
  for (const entry of tree.entries) {
    const path = joinPath(prefix, entry.path);
    if (entry.type === 'blob') into.push({ path, oid: entry.oid, mode: entry.mode });
    else if (entry.type === 'tree' && recursive) (subtrees ??= []).push(collect(repo, entry.oid, path, recursive, into, at));
  }
  if (subtrees) await Promise.all(subtrees);
}
