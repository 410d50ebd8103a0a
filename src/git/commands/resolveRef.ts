import { GitErrorCode, GitStoreError } from '../errors.js';
import { validateRefName } from '../paths.js';
import { isFullOid, packedRefsOnce, readPackedRefs, readRefValue, readRefValueCached } from '../refs.js';
import { suggest } from '../../model/suggest.js';
import { igFs, peelToCommit, readCommit, readObject, readObjectNow, type RepoContext } from '../repo.js';
import { isomorphicGit } from '../isomorphic.js';

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
    const value = await readRefValueCached(repo, current, packed);
    if (value === null) return null;
    if (value.kind === 'oid') return value.oid;
    current = value.target;
  }
  throw new GitStoreError(GitErrorCode.ObjectUnreadable, `Symbolic ref ${fullRef} loops`);
}

/**
 * Resolves any revision a user types to a commit: a branch, tag, remote-tracking branch, `HEAD`, `@`,
 * a full or abbreviated commit id (or WORKTREE), followed by any of git's ancestry suffixes — `~`,
 * `~<n>`, `^`, `^<n>`, `^{commit}`, `^{}` (`HEAD~2`, `main^2`, `v1.0.0^{commit}`). A name nothing
 * matches is RefNotFound "Unknown ref" with the closest branch or tag as a suggestion.
 */
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
  const revision = parseRevision(ref);
  const base = await resolveName(repo, revision.base, ref);
  if (revision.steps.length === 0) return base;
  let oid = base.oid!;
  for (const step of revision.steps) oid = await walkStep(repo, oid, step, ref);
  return { ref, fullRef: null, kind: 'commit', oid };
}

type RevisionStep = { kind: 'ancestor'; n: number } | { kind: 'parent'; n: number } | { kind: 'peel' };

/** `main~2^2` → base `main` and its steps. Names cannot contain `~` or `^`, so the first one starts the suffix. */
export function parseRevision(ref: string): { base: string; steps: RevisionStep[] } {
  const cut = ref.search(/[~^]/);
  if (ref.includes('@{')) {
    throw new GitStoreError(GitErrorCode.InvalidRefName, `Invalid ref ${JSON.stringify(ref)}: reflog selectors (@{...}) are not supported`);
  }
  if (cut === -1) return { base: ref, steps: [] };
  if (cut === 0) throw new GitStoreError(GitErrorCode.InvalidRefName, `Invalid ref ${JSON.stringify(ref)}: a revision starts with a name or commit id`);
  const steps: RevisionStep[] = [];
  let rest = ref.slice(cut);
  while (rest !== '') {
    const match = /^(?:~(\d*)|\^\{(commit)?\}|\^(\d*))/.exec(rest);
    if (!match || match[0] === '') {
      throw new GitStoreError(GitErrorCode.InvalidRefName, `Invalid ref ${JSON.stringify(ref)}: "${rest}" is not a revision suffix (use ~, ~<n>, ^, ^<n> or ^{commit})`);
    }
    if (match[1] !== undefined) steps.push({ kind: 'ancestor', n: match[1] === '' ? 1 : Number(match[1]) });
    else if (match[3] !== undefined) steps.push({ kind: 'parent', n: match[3] === '' ? 1 : Number(match[3]) });
    else steps.push({ kind: 'peel' });
    rest = rest.slice(match[0].length);
  }
  return { base: ref.slice(0, cut), steps };
}

async function walkStep(repo: RepoContext, oid: string, step: RevisionStep, ref: string): Promise<string> {
  if (step.kind === 'peel') return oid;
  const count = step.kind === 'ancestor' ? step.n : Math.min(step.n, 1);
  let current = oid;
  for (let i = 0; i < count; i++) {
    const parents = (await readCommit(repo, current)).parent;
    const index = step.kind === 'parent' ? step.n - 1 : 0;
    const next = parents[index];
    if (next === undefined) {
      const which = step.kind === 'parent' && step.n > 1 ? `parent ${step.n}` : 'parent';
      throw new GitStoreError(GitErrorCode.RefNotFound, `Unknown ref ${JSON.stringify(ref)}: commit ${current.slice(0, 12)} has no ${which}`);
    }
    current = next;
  }
  return current;
}

/** A name or commit id (no suffixes), in git's DWIM order. */
async function resolveName(repo: RepoContext, name: string, ref: string): Promise<ResolvedRef> {
  if (name === '@') name = 'HEAD';
  // A commit already read (a pinned snapshot's reads), or readable at once: nothing to check.
  if (isFullOid(name) && readObjectNow(repo, name)?.type === 'commit') return { ref, fullRef: null, kind: 'commit', oid: name };
  if (isFullOid(name.toLowerCase())) {
    const oid = name.toLowerCase();
    await ensureObjectExists(repo, oid, ref);
    return { ref, fullRef: null, kind: 'commit', oid: await peelToCommit(repo, oid, ref) };
  }
  // Refuse names git would refuse before they become file paths under .git (no `..` escapes).
  validateRefName(name.startsWith('refs/') ? name.slice(5) : name, 'ref');
  const packed = packedRefsOnce(repo);
  for (const fullRef of candidates(name)) {
    const oid = await followRef(repo, fullRef, packed);
    if (oid === null) continue;
    const kind = kindOf(fullRef);
    const commit = await peelToCommit(repo, oid, ref);
    return commit === oid ? { ref, fullRef, kind, oid: commit } : { ref, fullRef, kind, oid: commit, tagOid: oid };
  }
  if (/^[0-9a-f]{4,39}$/i.test(name)) {
    const oid = await expandShortOid(repo, name.toLowerCase());
    if (oid) return { ref, fullRef: null, kind: 'commit', oid: await peelToCommit(repo, oid, ref) };
  }
  throw await unknownRef(repo, name, ref);
}

/** "Unknown ref", with the closest branch, tag or remote-tracking branch when one is close enough. */
async function unknownRef(repo: RepoContext, name: string, ref: string): Promise<GitStoreError> {
  const names = new Set<string>();
  const all = await listRefsUnder(repo, 'refs/').catch(() => new Map<string, string>());
  for (const full of all.keys()) {
    for (const prefix of ['refs/heads/', 'refs/tags/', 'refs/remotes/']) {
      if (full.startsWith(prefix)) names.add(full.slice(prefix.length));
    }
  }
  const suggestion = suggest(name, names);
  const known = suggestion !== undefined ? ` Did you mean "${suggestion}"?` : '';
  return new GitStoreError(GitErrorCode.RefNotFound, `Unknown ref ${JSON.stringify(ref)}: no branch, tag or commit has that name.${known}`, suggestion !== undefined ? { suggestion } : {});
}

async function ensureObjectExists(repo: RepoContext, oid: string, ref: string): Promise<void> {
  try {
    await readObject(repo, oid, { mustExist: false });
  } catch (error) {
    // A present but broken object is corruption; only an absent one makes the id unknown.
    if (error instanceof GitStoreError && error.details.reason !== undefined) throw error;
    throw new GitStoreError(GitErrorCode.RefNotFound, `Unknown commit ${JSON.stringify(ref)}`, { cause: error });
  }
}

async function expandShortOid(repo: RepoContext, prefix: string): Promise<string | null> {
  try {
    const git = await isomorphicGit();
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
