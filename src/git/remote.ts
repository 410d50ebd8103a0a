import { createHash } from 'node:crypto';
import { GitErrorCode, GitStoreError } from './errors.js';
import { listRefsUnder, resolveRef, type ResolvedRef } from './commands/resolveRef.js';
import { isFullOid } from './refs.js';
import { defaultFs, igFs, messageOf, newContext, pathExists, type FsLike } from './repo.js';
import { openRepository, type GitStore } from './store.js';
import type { ObjectCache } from './cache.js';
import { remoteTransport, type RemoteTransport } from './transport.js';
import { isomorphicGit } from './isomorphic.js';

export interface OpenRemoteOptions {
  /** HTTP(S) URL of the hub repository. */
  url: string;
  /** Branch, tag or commit id to read; the remote's default branch when omitted. */
  ref?: string;
  /** Folder holding cached clones (one bare repository per URL). */
  cacheDir: string;
  fs?: FsLike;
  /** isomorphic-git HTTP client; isomorphic-git/http/node through the environment's proxy by default. */
  http?: unknown;
  /** Credentials and proxy; default: from the environment (OCLHUB_GIT_TOKEN, netrc, git credential, HTTPS_PROXY: transport.ts). */
  transport?: RemoteTransport;
  headers?: Record<string, string>;
  /** Use the cached clone as it is, without contacting the remote (fails if nothing is cached). */
  offline?: boolean;
  cache?: ObjectCache;
}

export interface RemoteHub {
  store: GitStore;
  url: string;
  /** The ref that was asked for, or the remote's default branch. */
  ref: string;
  resolved: ResolvedRef;
  /** Where the bare clone lives. */
  gitdir: string;
  /** True when this call created the clone; false when it reused the cache. */
  cloned: boolean;
  /** True when this call contacted the remote. */
  fetched: boolean;
}

/** `https://host/repo.git#policies/x/v1.0.0` → url and ref (the part after the last '#'). */
export function parseHubUrl(value: string): { url: string; ref?: string } {
  const hash = value.lastIndexOf('#');
  if (hash === -1) return { url: value };
  const ref = value.slice(hash + 1);
  return ref === '' ? { url: value.slice(0, hash) } : { url: value.slice(0, hash), ref };
}

/** A stable, readable folder name per URL; credentials never appear in it. */
export function cacheFolderName(url: string): string {
  let readable = url;
  try {
    const parsed = new URL(url);
    readable = `${parsed.hostname}${parsed.port ? `-${parsed.port}` : ''}${parsed.pathname}`;
  } catch {
    // Not a URL: the hash alone keeps it unique.
  }
  const slug = readable.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  const hash = createHash('sha256').update(url).digest('hex').slice(0, 12);
  return `${slug || 'repo'}-${hash}.git`;
}

/**
 * Opens a remote hub for `--hub <url>#<ref>`: clones it over HTTP(S) into `cacheDir` on first use, and
 * fetches (branches and tags) on later calls, reusing the objects already there. The clone is bare and
 * its branches mirror the remote's, so refs read exactly as on the server. A full commit id that is
 * already cached is served without contacting the remote (commits never change).
 */
export async function openRemote(options: OpenRemoteOptions): Promise<RemoteHub> {
  const fs = options.fs ?? defaultFs;
  const transport = options.transport ?? remoteTransport(options.http ? { http: options.http as RemoteTransport['http'] } : {});
  const { http } = transport;
  const auth = { onAuth: transport.onAuth, onAuthSuccess: transport.onAuthSuccess, onAuthFailure: transport.onAuthFailure };
  const { url } = options;
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) {
    throw new GitStoreError(GitErrorCode.RemoteFailed, `Remote hub URL must be http(s)://…, got ${JSON.stringify(url)}`);
  }
  const gitdir = `${options.cacheDir.replace(/\/$/, '')}/${cacheFolderName(url)}`;
  let cloned = false;
  if (!(await pathExists(fs, `${gitdir}/HEAD`))) {
    if (options.offline) {
      throw new GitStoreError(GitErrorCode.RemoteFailed, `${url} is not cached in ${options.cacheDir} and offline mode is on`);
    }
    await cloneIntoCache({ fs, http, auth, url, gitdir, headers: options.headers });
    cloned = true;
  }
  const context = newContext({ fs, dir: null, gitdir, bare: true, ...(options.cache ? { objects: options.cache } : {}) });
  const wanted = options.ref;
  const alreadyHave =
    wanted !== undefined && isFullOid(wanted) && (await resolveRef({ repo: context, ref: wanted }).then(() => true, () => false));
  let fetched = cloned;
  if (!cloned && !options.offline && !alreadyHave) {
    try {
      const git = await isomorphicGit();
      const result = await git.fetch({
        fs: igFs({ fs }),
        http,
        ...auth,
        gitdir,
        remote: 'origin',
        singleBranch: false,
        tags: true,
        prune: true,
        cache: context.gitCache,
        ...(options.headers ? { headers: options.headers } : {}),
      });
      fetched = true;
      await mirrorRemoteBranches(fs, gitdir, result.defaultBranch);
    } catch (error) {
      throw new GitStoreError(GitErrorCode.RemoteFailed, `Cannot fetch ${url}: ${messageOf(error)}`, { cause: error });
    }
  }
  const store = await openRepository({ fs, dir: gitdir, gitdir, bare: true, ...(options.cache ? { cache: options.cache } : {}) });
  const ref = wanted ?? 'HEAD';
  const resolved = await store.resolveRef(ref);
  return { store, url, ref, resolved, gitdir, cloned, fetched };
}

/** Points refs/heads/* at refs/remotes/origin/* (and HEAD at the remote default), so names resolve as on the server. */
async function mirrorRemoteBranches(fs: FsLike, gitdir: string, defaultBranch: string | null): Promise<void> {
  const git = await isomorphicGit();
  const context = newContext({ fs, dir: null, gitdir, bare: true });
  const remote = await listRefsUnder(context, 'refs/remotes/origin/');
  const local = await listRefsUnder(context, 'refs/heads/');
  for (const [full, oid] of remote) {
    const branch = full.slice('refs/remotes/origin/'.length);
    if (branch === 'HEAD') continue;
    await git.writeRef({ fs: igFs({ fs }), gitdir, ref: `refs/heads/${branch}`, value: oid, force: true });
    local.delete(`refs/heads/${branch}`);
  }
  for (const stale of local.keys()) await git.deleteRef({ fs: igFs({ fs }), gitdir, ref: stale });
  if (defaultBranch?.startsWith('refs/heads/')) {
    await git.writeRef({ fs: igFs({ fs }), gitdir, ref: 'HEAD', value: defaultBranch, symbolic: true, force: true });
  }
}

/**
 * First fetch into a private folder renamed into place only when complete, so a failed clone leaves
 * nothing behind and two processes cloning the same URL at once both end up using one complete copy.
 */
async function cloneIntoCache(options: { fs: FsLike; http: RemoteTransport['http']; auth: Pick<RemoteTransport, 'onAuth' | 'onAuthSuccess' | 'onAuthFailure'>; url: string; gitdir: string; headers?: Record<string, string> | undefined }) {
  const { fs, http, url, gitdir } = options;
  const staging = `${gitdir}.partial-${process.pid}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const discard = () => (fs.promises.rm ? fs.promises.rm(staging, { recursive: true, force: true }).catch(() => undefined) : undefined);
  try {
    await fs.promises.mkdir(staging, { recursive: true });
    const git = await isomorphicGit();
    await git.init({ fs: igFs({ fs }), gitdir: staging, bare: true });
    await git.addRemote({ fs: igFs({ fs }), gitdir: staging, remote: 'origin', url, force: true });
    const result = await git.fetch({
      fs: igFs({ fs }),
      http,
      ...options.auth,
      gitdir: staging,
      remote: 'origin',
      singleBranch: false,
      tags: true,
      ...(options.headers ? { headers: options.headers } : {}),
    });
    await mirrorRemoteBranches(fs, staging, result.defaultBranch);
  } catch (error) {
    await discard();
    throw new GitStoreError(GitErrorCode.RemoteFailed, `Cannot clone ${url}: ${messageOf(error)}`, { cause: error });
  }
  try {
    await fs.promises.rename(staging, gitdir);
  } catch (error) {
    // Another process finished its clone first: use theirs.
    await discard();
    if (!(await pathExists(fs, `${gitdir}/HEAD`))) {
      throw new GitStoreError(GitErrorCode.RemoteFailed, `Cannot move the clone into ${gitdir}: ${messageOf(error)}`, { cause: error });
    }
  }
}
