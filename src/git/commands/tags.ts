import { fsReason, GitErrorCode, GitStoreError } from '../errors.js';
import { validateRefName } from '../paths.js';
import { compareAndSwapRef, readRefValue } from '../refs.js';
import { igFs, messageOf, peelToCommit, readObject, type RepoContext } from '../repo.js';
import { isomorphicGit } from '../isomorphic.js';
import type { Identity } from '../types.js';
import { listRefsUnder, resolveRef } from './resolveRef.js';

export interface TagInfo {
  /** Short name, e.g. `policies/no-root/v1.0.0`. */
  name: string;
  annotated: boolean;
  /** The tag object's id for an annotated tag; the commit id for a lightweight tag. */
  oid: string;
  /** The commit the tag names (nested tags peeled). */
  target: string;
  /** The message without its final newline ('' for lightweight tags). */
  message: string;
  tagger: Required<Identity> | null;
}

/** Tag names starting with `prefix` (e.g. `policies/no-root/`), sorted; loose and packed tags alike. */
export async function listTags(options: { repo: RepoContext; prefix?: string }): Promise<string[]> {
  const { repo, prefix = '' } = options;
  if (typeof prefix !== 'string' || /\.\.|[\0\\]|^\/|\/\//.test(prefix)) {
    throw new GitStoreError(GitErrorCode.InvalidRefName, `Invalid tag prefix ${JSON.stringify(prefix)}`);
  }
  const refs = await listRefsUnder(repo, `refs/tags/${prefix.slice(0, prefix.lastIndexOf('/') + 1)}`);
  const names: string[] = [];
  for (const full of refs.keys()) {
    const name = full.slice('refs/tags/'.length);
    if (name.startsWith(prefix)) names.push(name);
  }
  return names.sort();
}

/** Reads one tag: message, tagger and target commit of an annotated tag, or the commit of a lightweight one. */
export async function readTag(options: { repo: RepoContext; name: string }): Promise<TagInfo> {
  const { repo, name } = options;
  validateRefName(name, 'tag');
  const value = await readRefValue(repo, `refs/tags/${name}`);
  if (value === null || value.kind !== 'oid') {
    throw new GitStoreError(GitErrorCode.RefNotFound, `Unknown tag ${JSON.stringify(name)}`);
  }
  const object = await readObject(repo, value.oid);
  if (object.type !== 'tag') {
    const target = await peelToCommit(repo, value.oid, `tag ${name}`);
    return { name, annotated: false, oid: value.oid, target, message: '', tagger: null };
  }
  const tag = object.tag;
  return {
    name,
    annotated: true,
    oid: value.oid,
    target: await peelToCommit(repo, value.oid, `tag ${name}`),
    message: tag.message.replace(/\n$/, ''),
    tagger: tag.tagger ? { ...tag.tagger } : null,
  };
}

/** Fills timestamp and zone and refuses identities git could not parse back. */
export function completeIdentity(identity: Identity | undefined, role: string): Required<Identity> {
  if (!identity || typeof identity.name !== 'string' || typeof identity.email !== 'string') {
    throw new GitStoreError(GitErrorCode.InvalidRequest, `${role} needs a name and an email`);
  }
  for (const [field, value] of [['name', identity.name], ['email', identity.email]] as const) {
    if (/[<>\n\0]/.test(value) || (field === 'name' && value.trim() === '')) {
      throw new GitStoreError(GitErrorCode.InvalidRequest, `${role} ${field} ${JSON.stringify(value)} is not valid in Git`);
    }
  }
  return {
    name: identity.name,
    email: identity.email,
    timestamp: identity.timestamp ?? Math.floor(Date.now() / 1000),
    timezoneOffset: identity.timezoneOffset ?? new Date().getTimezoneOffset(),
  };
}

/**
 * Creates an annotated tag on `target` (any ref or commit id). Never overwrites: the ref is created under
 * an exclusive `refs/tags/<name>.lock` and checked absent (loose and packed) while the lock is held, so of
 * two concurrent creators — in one process or many — exactly one succeeds and the other gets TagExists.
 */
export async function createTag(options: {
  repo: RepoContext;
  name: string;
  target: string;
  message: string;
  tagger: Identity;
  lockTimeoutMs?: number;
}): Promise<TagInfo> {
  const { repo, name, message } = options;
  validateRefName(name, 'tag');
  if (typeof message !== 'string') throw new GitStoreError(GitErrorCode.InvalidRequest, 'A tag message is required');
  const tagger = completeIdentity(options.tagger, 'Tagger');
  const ref = `refs/tags/${name}`;
  // Fail fast without writing an orphan tag object; the check that counts is the one under the lock.
  await throwIfTagExists(repo, name, await readRefValue(repo, ref).then((v) => (v?.kind === 'oid' ? v.oid : v ? 'symbolic' : null)));
  const resolved = await resolveRef({ repo, ref: options.target });
  if (resolved.oid === null) throw new GitStoreError(GitErrorCode.InvalidRequest, 'A tag cannot point at WORKTREE');
  let tagOid: string;
  try {
    const git = await isomorphicGit();
    tagOid = await git.writeTag({
      fs: igFs(repo),
      gitdir: repo.gitdir,
      // isomorphic-git appends the one final newline `git tag -m` writes.
      tag: { object: resolved.oid, type: 'commit', tag: name, tagger, message: message.replace(/\n+$/, '') },
    });
  } catch (error) {
    throw new GitStoreError(GitErrorCode.WriteFailed, `Cannot write tag object: ${fsReason(error)}`, { cause: error });
  }
  const result = await compareAndSwapRef(repo, {
    ref,
    expected: null,
    next: tagOid,
    ...(options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs }),
  });
  if (!result.ok) await throwIfTagExists(repo, name, result.current);
  return readTag({ repo, name });
}

async function throwIfTagExists(repo: RepoContext, name: string, current: string | null): Promise<void> {
  if (current === null) return;
  let where = '';
  try {
    where = ` (it points to ${(await readTag({ repo, name })).target})`;
  } catch {
    // The detail is optional; the conflict is what matters.
  }
  throw new GitStoreError(GitErrorCode.TagExists, `Tag ${name} already exists${where}; published tags are never moved`);
}
