import { GitErrorCode, GitStoreError } from '../errors.js';
import { readRefValue } from '../refs.js';
import { listWorktreeFiles } from '../worktree.js';
import { resolveRef } from './resolveRef.js';
import { igFs, messageOf, type RepoContext } from '../repo.js';
import { isomorphicGit } from '../isomorphic.js';

/** The branch HEAD names (short form), or null when HEAD is detached. An unborn branch still counts. */
export async function currentBranch(options: { repo: RepoContext }): Promise<string | null> {
  const head = await readRefValue(options.repo, 'HEAD');
  if (head?.kind !== 'symbolic') return null;
  return head.target.startsWith('refs/heads/') ? head.target.slice('refs/heads/'.length) : head.target;
}

/**
 * Whether the working directory differs from HEAD: modified, staged, deleted or untracked (not ignored)
 * files, as `git status --porcelain` would list. A bare repository is never dirty.
 */
export async function isDirty(options: { repo: RepoContext }): Promise<boolean> {
  const { repo } = options;
  if (repo.bare || repo.dir === null) return false;
  const head = await resolveRef({ repo, ref: 'HEAD' }).catch(() => null);
  // Unborn branch (no commit yet): any file not ignored counts as a change.
  if (head === null) return (await listWorktreeFiles(repo, [])).length > 0;
  try {
    const git = await isomorphicGit();
    const matrix = await git.statusMatrix({ fs: igFs(repo), dir: repo.dir, gitdir: repo.gitdir, cache: repo.gitCache });
    return matrix.some(([, head, workdir, stage]) => !(head === 1 && workdir === 1 && stage === 1));
  } catch (error) {
    throw new GitStoreError(GitErrorCode.ObjectUnreadable, `Cannot compare the working directory with HEAD: ${messageOf(error)}`, { cause: error });
  }
}
