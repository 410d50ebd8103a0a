import git from 'isomorphic-git';
import { GitErrorCode, GitStoreError } from '../errors.js';
import { validateRefName } from '../paths.js';
import { isFullOid, packedRefsOnce, readPackedRefs, readRefValue } from '../refs.js';
import { igFs, peelToCommit, readObject, type RepoContext } from '../repo.js';

/** The pseudo-ref that reads the working directory instead of a commit. */
export const WORKTREE = 'WORKTREE';

export type RefKind = 'branch' | 'tag' | 'remote' | 'head' | 'commit' | 'worktree' | 'other';

export interface ResolvedRef {
  /** What the caller asked for. */
  ref: string;
  /** The full ref name it matched (`refs/heads/main`, `HEAD`), or null for commit ids and WORKTREE. */
  fullRef: string | null;
  kind: RefKind;
  /** The commit (tags peeled), or null for WORKTREE. */
  oid: string | null;
  /** For an annotated tag: the tag object's id. */
  tagOid?: string;
}

/** Git's own DWIM order (`git rev-parse`): refs/<r>, refs/tags/<r>, refs/heads/<r>, refs/remotes/<r>[/HEAD]. */
function candidates(ref: string): string[] {
  if (ref.startsWith('refs/')) return [ref];
  if (/^[A-Z_]*HEAD$/.test(ref)) return [ref];
  return [`refs/${ref}`, `refs/tags/${ref}`, `refs/heads/${ref}`, `refs/remotes/${ref}`, `refs/remotes/${ref}/HEAD`];
}

function kindOf(fullRef: string): RefKind {
  if (fullRef.startsWith('refs/heads/')) return 'branch';
  if (fullRef.startsWith('refs/tags/')) return 'tag';
  if (fullRef.startsWith('refs/remotes/')) return 'remote';
  if (fullRef === 'HEAD') return 'head';
  return 'other';
}

/** Follows symbolic refs (HEAD -> refs/heads/main) to an object id; null when the chain ends nowhere. */
async function followRef(repo: RepoContext, fullRef: string, packed: () => Promise<Map<string, string>>): Promise<string | null> {
  let current = fullRef;
  for (let depth = 0; depth < 8; depth++) {
    const value = await readRefValue(repo, current, packed);
    if (value === null) return null;
    if (value.kind === 'oid') return value.oid;
    current = value.target;
  }
  throw new GitStoreError(GitErrorCode.ObjectUnreadable, `Symbolic ref ${fullRef} loops`);
}

/** Resolves a branch, tag, remote branch, `HEAD`, full or abbreviated commit id (or WORKTREE) to a commit. */
export async function resolveRef(options: { repo: RepoContext; ref: string }): Promise<ResolvedRef> {
  const { repo, ref } = options;
  if (typeof ref !== 'string' || ref === '') {
    throw new GitStoreError(GitErrorCode.InvalidRefName, 'A ref is required (a branch, tag, commit id, HEAD or WORKTREE)');
  }
  if (ref === WORKTREE) {
    if (repo.bare || repo.dir === null) {
      throw new GitStoreError(GitErrorCode.InvalidRequest, 'WORKTREE cannot be read from a bare repository');
    }
    return { ref, fullRef: null, kind: 'worktree', oid: null };
  }
  if (isFullOid(ref.toLowerCase())) {
    const oid = ref.toLowerCase();
    await ensureObjectExists(repo, oid, ref);
    return { ref, fullRef: null, kind: 'commit', oid: await peelToCommit(repo, oid, ref) };
  }
  // Refuse names git would refuse before they become file paths under .git (no `..` escapes).
  validateRefName(ref.startsWith('refs/') ? ref.slice(5) : ref, 'tag');
  const packed = packedRefsOnce(repo);
  for (const fullRef of candidates(ref)) {
    const oid = await followRef(repo, fullRef, packed);
    if (oid === null) continue;
    const kind = kindOf(fullRef);
    const commit = await peelToCommit(repo, oid, ref);
    return commit === oid ? { ref, fullRef, kind, oid: commit } : { ref, fullRef, kind, oid: commit, tagOid: oid };
  }
  if (/^[0-9a-f]{4,39}$/i.test(ref)) {
    const oid = await expandShortOid(repo, ref.toLowerCase());
    if (oid) return { ref, fullRef: null, kind: 'commit', oid: await peelToCommit(repo, oid, ref) };
  }
  throw new GitStoreError(GitErrorCode.RefNotFound, `Unknown ref ${JSON.stringify(ref)}: no branch, tag or commit has that name`);
}

async function ensureObjectExists(repo: RepoContext, oid: string, ref: string): Promise<void> {
  try {
    await readObject(repo, oid);
  } catch (error) {
    throw new GitStoreError(GitErrorCode.RefNotFound, `Unknown commit ${JSON.stringify(ref)}`, { cause: error });
  }
}

async function expandShortOid(repo: RepoContext, prefix: string): Promise<string | null> {
  try {
    return await git.expandOid({ fs: igFs(repo), gitdir: repo.gitdir, oid: prefix, cache: repo.gitCache });
  } catch (error) {
    if (error instanceof Error && error.name === 'AmbiguousError') {
      throw new GitStoreError(GitErrorCode.RefNotFound, `Abbreviated commit id ${prefix} is ambiguous`, { cause: error });
    }
    return null;
  }
}

/** All refs under a prefix (`refs/tags/`), loose and packed, as full names mapped to their stored oids. */
export async function listRefsUnder(repo: RepoContext, prefix: string): Promise<Map<string, string>> {
  const refs = new Map<string, string>();
  for (const [name, oid] of await readPackedRefs(repo)) {
    if (name.startsWith(prefix)) refs.set(name, oid);
  }
  await walkLooseRefs(repo, prefix.replace(/\/$/, ''), refs);
  return refs;
}

async function walkLooseRefs(repo: RepoContext, folder: string, into: Map<string, string>): Promise<void> {
  let names: string[];
  try {
    names = (await repo.fs.promises.readdir(`${repo.gitdir}/${folder}`)).map(String);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.endsWith('.lock')) continue;
    const full = `${folder}/${name}`;
    const stat = await repo.fs.promises.stat(`${repo.gitdir}/${full}`).catch(() => null);
    if (stat === null) continue;
    if (stat.isDirectory()) {
      await walkLooseRefs(repo, full, into);
      continue;
    }
    const value = await readRefValue(repo, full).catch(() => null);
    if (value?.kind === 'oid') into.set(full, value.oid);
  }
}
