import type { TreeEntry } from 'isomorphic-git';
import { fsReason, GitErrorCode, GitStoreError } from '../errors.js';
import { pathSegments, validateRefName } from '../paths.js';
import { compareAndSwapRef, isFullOid, readRefValue } from '../refs.js';
import { igFs, messageOf, readBlob, readCommit, readTree, type RepoContext } from '../repo.js';
import { isomorphicGit } from '../isomorphic.js';
import { holdWorktree, type WorktreeChange } from '../worktree-follow.js';
import type { FileChange, Identity } from '../types.js';
import { completeIdentity } from './tags.js';

export interface CommitResult {
  /** The new commit. */
  oid: string;
  tree: string;
  parent: string | null;
  branch: string;
  /**
   * True when the branch is checked out in this (non-bare) repository and its working directory and
   * index were not updated, so they now lag behind the branch — exactly as after `git update-ref`.
   */
  worktreeBehind: boolean;
  /** True when the branch is checked out here and the changed files and their index entries were updated (`worktree: 'follow'`). */
  worktreeUpdated?: boolean;
  /** Why the working copy could not be updated after the commit (`follow` only; the commit stands). */
  worktreeError?: string;
}

type Pending = { kind: 'write'; content: Uint8Array; executable: boolean | undefined } | { kind: 'delete' };

/** A change set as a tree of folders, so each touched folder is rewritten once. */
interface ChangeNode {
  files: Map<string, Pending>;
  folders: Map<string, ChangeNode>;
}

function emptyNode(): ChangeNode {
  return { files: new Map(), folders: new Map() };
}

function buildChangeTree(changes: readonly FileChange[]): ChangeNode {
  const root = emptyNode();
  const seen = new Set<string>();
  for (const change of changes) {
    const segments = pathSegments(change.path);
    const path = segments.join('/');
    if (seen.has(path)) throw new GitStoreError(GitErrorCode.InvalidRequest, `${path} appears twice in the change set`);
    seen.add(path);
    let node = root;
    for (const segment of segments.slice(0, -1)) {
      if (node.files.has(segment)) {
        throw new GitStoreError(GitErrorCode.InvalidRequest, `${path} needs a folder where the change set writes a file`);
      }
      let next = node.folders.get(segment);
      if (!next) node.folders.set(segment, (next = emptyNode()));
      node = next;
    }
    const name = segments[segments.length - 1]!;
    if (node.folders.has(name)) {
      throw new GitStoreError(GitErrorCode.InvalidRequest, `${path} is written as a file and used as a folder in the change set`);
    }
    if ('delete' in change && change.delete === true) {
      node.files.set(name, { kind: 'delete' });
    } else if ('content' in change && (typeof change.content === 'string' || change.content instanceof Uint8Array)) {
      const content = typeof change.content === 'string' ? new TextEncoder().encode(change.content) : change.content;
      node.files.set(name, { kind: 'write', content, executable: change.executable });
    } else {
      throw new GitStoreError(GitErrorCode.InvalidRequest, `Change for ${path} needs either content or delete: true`);
    }
  }
  return root;
}

/** Writes the rewritten tree for one folder; null when the folder ends up empty (Git has no empty trees). */
async function rewriteTree(repo: RepoContext, baseOid: string | null, changes: ChangeNode, prefix: string): Promise<string | null> {
  const entries = new Map<string, TreeEntry>();
  if (baseOid !== null) for (const entry of (await readTree(repo, baseOid)).entries) entries.set(entry.path, { ...entry });
  const git = await isomorphicGit();
  const fs = igFs(repo);
  for (const [name, pending] of changes.files) {
    const path = prefix + name;
    const existing = entries.get(name);
    if (existing?.type === 'tree') {
      throw new GitStoreError(GitErrorCode.NotAFile, `${path} is a folder; cannot ${pending.kind} it as a file`);
    }
    if (pending.kind === 'delete') {
      if (!existing) throw new GitStoreError(GitErrorCode.FileNotFound, `Cannot delete ${path}: it does not exist`);
      entries.delete(name);
      continue;
    }
    const oid = await git.writeBlob({ fs, gitdir: repo.gitdir, blob: pending.content });
    const keepMode = existing?.type === 'blob' && existing.mode !== '120000' ? existing.mode : '100644';
    const mode = pending.executable === undefined ? keepMode : pending.executable ? '100755' : '100644';
    entries.set(name, { mode, path: name, oid, type: 'blob' });
  }
  for (const [name, child] of changes.folders) {
    const existing = entries.get(name);
    if (existing && existing.type !== 'tree') {
      throw new GitStoreError(GitErrorCode.NotAFile, `${prefix}${name} is a file; cannot write files under it`);
    }
    const oid = await rewriteTree(repo, existing?.oid ?? null, child, `${prefix}${name}/`);
    if (oid === null) entries.delete(name);
    else entries.set(name, { mode: '040000', path: name, oid, type: 'tree' });
  }
  if (entries.size === 0) return null;
  return git.writeTree({ fs, gitdir: repo.gitdir, tree: [...entries.values()] });
}

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/**
 * Commits a set of file changes on top of `expectedOid` and moves `branch` to the new commit only if the
 * branch still points at `expectedOid` (null: the branch must not exist yet). The compare-and-swap runs
 * under `refs/heads/<branch>.lock`, so a concurrent writer makes this fail with Conflict and nothing is
 * lost. Objects are written directly; the working directory and index are never touched.
 */
export interface CommitChangesOptions {
  repo: RepoContext;
  branch: string;
  expectedOid: string | null;
  changes: readonly FileChange[];
  message: string;
  author: Identity;
  committer?: Identity;
  allowEmpty?: boolean;
  lockTimeoutMs?: number;
  /**
   * When the branch is checked out in this working copy: `leave` (default) moves only the branch, as
   * `git update-ref` does; `follow` also updates the changed files and their index entries, and commits
   * nothing (WorktreeConflict) if any of those files has uncommitted changes there (worktree-follow.ts).
   */
  worktree?: 'leave' | 'follow';
}

export async function commitChanges(options: CommitChangesOptions): Promise<CommitResult> {
  const { repo, branch, expectedOid } = options;
  validateRefName(branch, 'branch');
  if (expectedOid !== null && (typeof expectedOid !== 'string' || !isFullOid(expectedOid))) {
    throw new GitStoreError(GitErrorCode.InvalidRequest, 'expectedOid must be a full 40-character commit id, or null for a new branch');
  }
  if (typeof options.message !== 'string' || options.message.trim() === '') {
    throw new GitStoreError(GitErrorCode.InvalidRequest, 'A commit message is required');
  }
  if (!Array.isArray(options.changes)) throw new GitStoreError(GitErrorCode.InvalidRequest, 'changes must be an array');
  const author = completeIdentity(options.author, 'Author');
  const committer = options.committer ? completeIdentity(options.committer, 'Committer') : author;
  const changeTree = buildChangeTree(options.changes);

  const ref = `refs/heads/${branch}`;
  const before = await readRefValue(repo, ref);
  const beforeOid = before?.kind === 'oid' ? before.oid : null;
  if (beforeOid !== expectedOid) throw conflict(branch, expectedOid, beforeOid);

  let baseTree: string | null = null;
  if (expectedOid !== null) {
    try {
      baseTree = (await readCommit(repo, expectedOid)).tree;
    } catch (error) {
      throw new GitStoreError(GitErrorCode.RefNotFound, `expectedOid ${expectedOid} is not a commit in this repository`, { cause: error });
    }
  }
  const git = await isomorphicGit();
  let tree: string;
  try {
    tree = (await rewriteTree(repo, baseTree, changeTree, '')) ?? (await git.writeTree({ fs: igFs(repo), gitdir: repo.gitdir, tree: [] }));
  } catch (error) {
    if (error instanceof GitStoreError) throw error;
    throw new GitStoreError(GitErrorCode.WriteFailed, `Cannot write the new tree: ${fsReason(error)}`, { cause: error });
  }
  if (tree === (baseTree ?? EMPTY_TREE) && !options.allowEmpty) {
    throw new GitStoreError(GitErrorCode.InvalidRequest, `Nothing to commit: the changes leave ${branch} unchanged`);
  }
  const message = options.message.endsWith('\n') ? options.message : `${options.message}\n`;
  let oid: string;
  try {
    oid = await git.writeCommit({
      fs: igFs(repo),
      gitdir: repo.gitdir,
      commit: { message, tree, parent: expectedOid === null ? [] : [expectedOid], author, committer },
    });
  } catch (error) {
    throw new GitStoreError(GitErrorCode.WriteFailed, `Cannot write the commit: ${fsReason(error)}`, { cause: error });
  }
  const checkedOut = await isCheckedOut(repo, ref);
  const held = checkedOut && options.worktree === 'follow' ? await holdWorktree(repo, ref, expectedOid, oid, await worktreeChanges(repo, tree, options.changes)) : undefined;
  await held?.prepare();
  let result;
  try {
    result = await compareAndSwapRef(repo, {
      ref,
      expected: expectedOid,
      next: oid,
      ...(options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs }),
      reflog: { ...committer, message: `commit: ${message}` },
    });
  } catch (error) {
    await held?.rollback();
    throw error;
  }
  if (!result.ok) {
    await held?.rollback();
    throw conflict(branch, expectedOid, result.current);
  }
  const done: CommitResult = { oid, tree, parent: expectedOid, branch, worktreeBehind: checkedOut };
  if (held) {
    try {
      await held.finish();
      return { ...done, worktreeBehind: false, worktreeUpdated: true };
    } catch (error) {
      return { ...done, worktreeError: error instanceof GitStoreError ? error.message : fsReason(error) };
    }
  }
  return done;
}

/** The changed files as committed (content and mode read back from the new tree), for the working copy. */
async function worktreeChanges(repo: RepoContext, tree: string, changes: readonly FileChange[]): Promise<WorktreeChange[]> {
  const out: WorktreeChange[] = [];
  for (const change of changes) {
    const path = pathSegments(change.path).join('/');
    const entry = await lookupTreePath(repo, tree, path.split('/'));
    if (!entry) out.push({ path, content: null, executable: false });
    else out.push({ path, content: await readBlob(repo, entry.oid), executable: entry.mode === '100755' });
  }
  return out;
}

async function lookupTreePath(repo: RepoContext, treeOid: string, segments: string[]): Promise<TreeEntry | undefined> {
  let current = treeOid;
  for (let i = 0; i < segments.length; i++) {
    const entry = (await readTree(repo, current)).byName.get(segments[i]!);
    if (!entry || i === segments.length - 1) return entry?.type === 'blob' ? entry : undefined;
    if (entry.type !== 'tree') return undefined;
    current = entry.oid;
  }
  return undefined;
}

function conflict(branch: string, expected: string | null, actual: string | null): GitStoreError {
  const want = expected === null ? 'not to exist' : `to be at ${expected}`;
  const found = actual === null ? 'it does not exist' : `it is at ${actual}`;
  return new GitStoreError(
    GitErrorCode.Conflict,
    `Branch ${branch} moved: expected it ${want}, but ${found} (another writer committed first; re-read and retry)`,
  );
}

async function isCheckedOut(repo: RepoContext, ref: string): Promise<boolean> {
  if (repo.bare) return false;
  const head = await readRefValue(repo, 'HEAD').catch(() => null);
  return head?.kind === 'symbolic' && head.target === ref;
}
