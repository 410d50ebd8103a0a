import * as nodeFs from 'node:fs';
import type { CommitObject, TagObject, TreeEntry } from 'isomorphic-git';
import { ObjectCache } from './cache.js';
import { errnoCode, GitErrorCode, GitStoreError } from './errors.js';
import { cleanGitMessage, reportCorruptObject, type CorruptionListener } from './corruption.js';
import { checkLooseObject } from './loose-objects.js';
import { ObjectDatabase, type RawObject } from './object-database.js';
import { parseCommit, parseTag, parseTree } from './object-parse.js';
import { createObjectReadFs, type ObjectReadFs } from './objectFs.js';
import type { RefValue } from './refs.js';

/**
 * The subset of `fs.promises` the store uses directly (ref locks, worktree reads). Both node's `fs` and
 * memfs's `fs` satisfy it; isomorphic-git receives the same object.
 */
export interface FsPromisesLike {
  readFile(path: string, options?: any): Promise<any>;
  writeFile(path: string, data: any, options?: any): Promise<any>;
  mkdir(path: string, options?: any): Promise<any>;
  rename(from: string, to: string): Promise<any>;
  unlink(path: string): Promise<any>;
  readdir(path: string, options?: any): Promise<any>;
  lstat(path: string, options?: any): Promise<any>;
  stat(path: string, options?: any): Promise<any>;
  readlink(path: string, options?: any): Promise<any>;
  rm?(path: string, options?: any): Promise<any>;
  /** For durable writes (fsync); without it writes are still atomic, just not flushed. */
  open?(path: string, flags: string, mode?: number): Promise<FileHandleLike>;
  utimes?(path: string, atime: number | Date, mtime: number | Date): Promise<any>;
  link?(existing: string, created: string): Promise<any>;
  chmod?(path: string, mode: number): Promise<any>;
}

export interface FileHandleLike {
  writeFile(data: any): Promise<any>;
  write(data: any): Promise<any>;
  /** Node's; a file system without it gets the pieces one `write` at a time. */
  writev?(buffers: any[]): Promise<any>;
  sync(): Promise<any>;
  /** Node's: flushes the data (and what reading it back needs), not every attribute. */
  datasync?(): Promise<any>;
  close(): Promise<any>;
}

export interface FsLike {
  promises: FsPromisesLike;
}

/** What every command receives: where the repository is and the caches shared by its reads. */
export interface RepoContext {
  fs: FsLike;
  /** The working directory, or null for a bare repository. */
  dir: string | null;
  gitdir: string;
  bare: boolean;
  /** Parsed trees, blobs, commits and tags by oid. */
  objects: ObjectCache;
  /** isomorphic-git's own cache object (for the commands still run by isomorphic-git); kept for the store's lifetime. */
  gitCache: object;
  /** The fs isomorphic-git reads and writes objects through (cached object-folder listings). */
  objectFs: ObjectReadFs;
  /** Object reads: pack indexes and native zlib (object-database.ts). */
  odb: ObjectDatabase;
  /** packed-refs as last parsed, with the stat it was parsed at (refs.ts). */
  packedRefs?: { stamp: string; at: number; refs: Promise<Map<string, string>> };
  /** Loose ref files as last read, with the stat they were read at (refs.ts readRefValueCached). */
  looseRefs?: Map<string, { stamp: string; at: number; value: RefValue }>;
  /** Told about every object of this repository that cannot be read (GitStore.onCorruptObject). */
  corruptionListeners: Set<CorruptionListener>;
}

export const defaultFs: FsLike = nodeFs as unknown as FsLike;

/** The fs handed to isomorphic-git (its FsClient type is nominal; ours is structural). */
export function igFs(repo: { fs: FsLike; objectFs?: ObjectReadFs }): any {
  return repo.objectFs?.fs ?? repo.fs;
}

export function refPath(repo: RepoContext, ref: string): string {
  return `${repo.gitdir}/${ref}`;
}

export interface TreeNode {
  oid: string;
  entries: TreeEntry[];
  byName: Map<string, TreeEntry>;
}

export type GitObject =
  | { type: 'blob'; oid: string; blob: Uint8Array }
  | { type: 'tree'; oid: string; tree: TreeNode }
  | { type: 'commit'; oid: string; commit: CommitObject }
  | { type: 'tag'; oid: string; tag: TagObject };

function estimateSize(object: GitObject): number {
  switch (object.type) {
    case 'blob':
      return object.blob.byteLength + 64;
    case 'tree':
      return 96 + object.tree.entries.reduce((sum, e) => sum + 2 * e.path.length + 160, 0);
    case 'commit':
      return 256 + 2 * object.commit.message.length + 48 * object.commit.parent.length;
    case 'tag':
      return 256 + 2 * object.tag.message.length;
  }
}

/**
 * Reads one object by full oid through the shared cache. An object another object or a ref refers to
 * must exist: failing to read it is corruption, reported (corruption.ts) and thrown as ObjectUnreadable.
 * `mustExist: false` is for ids a user typed: absent is then just "unknown" (still ObjectUnreadable,
 * but not reported), while a present-but-broken file is corruption all the same.
 */
export async function readObject(repo: RepoContext, oid: string, options: { mustExist?: boolean } = {}): Promise<GitObject> {
  return repo.objects.getOrLoad(oid, () => loadObject(repo, oid, options.mustExist !== false), estimateSize);
}

/** An object's raw content parsed (CorruptObjectError when a tree, commit or tag does not parse). */
function parsed(oid: string, raw: RawObject): GitObject {
  switch (raw.type) {
    case 'blob':
      return { type: 'blob', oid, blob: raw.content };
    case 'tree': {
      const entries = parseTree(raw.content);
      return { type: 'tree', oid, tree: { oid, entries, byName: new Map(entries.map((e) => [e.path, e])) } };
    }
    case 'commit':
      return { type: 'commit', oid, commit: parseCommit(raw.content) };
    case 'tag':
      return { type: 'tag', oid, tag: parseTag(raw.content) };
  }
}

async function loadObject(repo: RepoContext, oid: string, mustExist: boolean): Promise<GitObject> {
  try {
    return parsed(oid, await repo.odb.read(oid));
  } catch {
    // The pack listing and cached folder listings may predate a write by another process: look again once.
    repo.objectFs.invalidate();
    repo.odb.invalidate();
    try {
      return parsed(oid, await repo.odb.read(oid));
    } catch (error) {
      throw await unreadable(repo, oid, error, mustExist);
    }
  }
}

/** The error for an object that cannot be read: why (empty file, damaged, missing), reported when it is corruption. */
async function unreadable(repo: RepoContext, oid: string, error: unknown, mustExist: boolean): Promise<GitStoreError> {
  const missing = error instanceof Error && error.name === 'NotFoundError';
  let reason = missing ? 'it is missing from the repository' : cleanGitMessage(error);
  if (!missing) {
    const loose = await checkLooseObject(repo.fs, `${repo.gitdir}/objects/${oid.slice(0, 2)}/${oid.slice(2)}`, oid).catch(() => undefined);
    if (loose?.state === 'corrupt') reason = loose.reason;
  }
  if (missing && !mustExist) return new GitStoreError(GitErrorCode.ObjectUnreadable, `No object ${oid} in the repository`, { cause: error, oid });
  reportCorruptObject({ oid, reason }, repo.corruptionListeners);
  return new GitStoreError(GitErrorCode.ObjectUnreadable, `The repository is corrupt: object ${oid} cannot be read: ${reason}`, { cause: error, oid, reason });
}

/** The object if it is already cached: lets warm reads skip the async machinery entirely. */
export function cachedObject(repo: RepoContext, oid: string): GitObject | undefined {
  return repo.objects.peek<GitObject>(oid);
}

/**
 * The object if it can be had without waiting: from the cache, or read synchronously from a pack
 * already loaded (then cached, as readObject would). Lets tree walks and file reads skip the async
 * machinery — a chain of a dozen awaits per object — for all but the first few objects of a cold read.
 * Undefined when it cannot: not cached and loose, in a pack not loaded yet, or unreadable (readObject
 * then reads it, or says why, on the one error path).
 */
export function readObjectNow(repo: RepoContext, oid: string): GitObject | undefined {
  const cached = repo.objects.peek<GitObject>(oid);
  if (cached !== undefined) return cached;
  const raw = repo.odb.readNow(oid);
  if (raw === undefined) return undefined;
  let object: GitObject;
  try {
    object = parsed(oid, raw);
  } catch {
    return undefined;
  }
  repo.objects.add(oid, object, estimateSize(object));
  return object;
}

/**
 * Caches a blob whose bytes were read elsewhere, `oid` being their blob id as hashed from those very
 * bytes (a working-tree file verified against a commit, lint/worktree.ts): a read of it afterwards
 * neither looks it up in a pack nor inflates it.
 */
export function rememberBlob(repo: RepoContext, oid: string, bytes: Uint8Array): void {
  if (repo.objects.has(oid)) return;
  const object: GitObject = { type: 'blob', oid, blob: bytes };
  repo.objects.add(oid, object, estimateSize(object));
}

export async function readTree(repo: RepoContext, oid: string): Promise<TreeNode> {
  const object = await readObject(repo, oid);
  if (object.type !== 'tree') {
    throw new GitStoreError(GitErrorCode.ObjectUnreadable, `Object ${oid} is a ${object.type}, expected a tree`);
  }
  return object.tree;
}

/**
 * Runs a read that is for `path` at `at`: an unreadable object is reported with that path and the error
 * says which file could not be read.
 */
export async function readingPath<T>(repo: RepoContext, path: string, at: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof GitStoreError) || error.code !== GitErrorCode.ObjectUnreadable || error.details.oid === undefined) throw error;
    const { oid, reason = 'it is corrupt' } = error.details;
    const where = path === '' ? 'the root folder' : path;
    reportCorruptObject({ oid, path: where, at, reason }, repo.corruptionListeners);
    throw new GitStoreError(GitErrorCode.ObjectUnreadable, `The repository is corrupt: ${where} at ${at} cannot be read: object ${oid}: ${reason}`, { cause: error, oid, reason });
  }
}

export async function readBlob(repo: RepoContext, oid: string): Promise<Uint8Array> {
  const object = await readObject(repo, oid);
  if (object.type !== 'blob') {
    throw new GitStoreError(GitErrorCode.ObjectUnreadable, `Object ${oid} is a ${object.type}, expected a blob`);
  }
  return object.blob;
}

export async function readCommit(repo: RepoContext, oid: string): Promise<CommitObject> {
  const object = await readObject(repo, oid);
  if (object.type !== 'commit') {
    throw new GitStoreError(GitErrorCode.ObjectUnreadable, `Object ${oid} is a ${object.type}, expected a commit`);
  }
  return object.commit;
}

/** Follows annotated tags (possibly nested) down to the commit they name. */
export async function peelToCommit(repo: RepoContext, oid: string, what: string): Promise<string> {
  let current = oid;
  for (let depth = 0; depth < 16; depth++) {
    const object = await readObject(repo, current);
    if (object.type === 'commit') return current;
    if (object.type !== 'tag') {
      throw new GitStoreError(GitErrorCode.InvalidRequest, `${what} points to a ${object.type}, not a commit`);
    }
    current = object.tag.object;
  }
  throw new GitStoreError(GitErrorCode.ObjectUnreadable, `${what}: tag chain is too deep`);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function pathExists(fs: FsLike, path: string): Promise<boolean> {
  try {
    await fs.promises.lstat(path);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return false;
    throw error;
  }
}

export function newContext(options: {
  fs: FsLike;
  dir: string | null;
  gitdir: string;
  bare: boolean;
  objects?: ObjectCache;
  cacheBytes?: number;
}): RepoContext {
  return {
    fs: options.fs,
    dir: options.dir,
    gitdir: options.gitdir,
    bare: options.bare,
    objects: options.objects ?? new ObjectCache(options.cacheBytes === undefined ? {} : { maxBytes: options.cacheBytes }),
    gitCache: {},
    objectFs: createObjectReadFs(options.fs, options.gitdir),
    odb: new ObjectDatabase(options.fs, options.gitdir, options.fs === defaultFs),
    corruptionListeners: new Set(),
  };
}
