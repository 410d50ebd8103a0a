/**
 * A replica's own clone of a shared hub remote, kept with the `git` binary (any URL Git takes: a
 * path, file://, ssh, https; isomorphic-git speaks HTTP only). The clone is bare and mirrors the
 * remote's branches and tags: `sync()` forces every local branch and tag to the remote's value and
 * prunes what the remote does not have, so a replica never serves a ref the remote lost.
 *
 * Writes go to the clone first (a tag, a commit: the store's compare-and-swap) and are then pushed
 * with `git push --atomic` and no force: the remote accepts a tag only if it does not have it, and a
 * branch only as a fast-forward of what it has. Its ref update is the one atomic step between replicas,
 * so of two replicas publishing the same version exactly one push succeeds; the other is rejected and
 * the caller undoes its local write (`sync()` puts the remote's refs back).
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { GitErrorCode, GitStoreError } from './errors.js';

export interface PushResult {
  ok: boolean;
  /** Refs the remote refused (already there, or not a fast-forward), with Git's reason. */
  rejected: { ref: string; reason: string }[];
}

const ENV = { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };

async function run(args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  // Loaded here, not with the module: the hub's modules load this one at every start-up, and node:child_process costs ~3 ms that only a replica needs.
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env: ENV, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error && typeof (error as NodeJS.ErrnoException).code === 'string') {
        reject(new GitStoreError(GitErrorCode.RemoteFailed, `Cannot run git: ${error.message}`, { cause: error }));
        return;
      }
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function git(args: string[], cwd: string | undefined, what: string): Promise<string> {
  const result = await run(args, cwd);
  if (result.code !== 0) throw new GitStoreError(GitErrorCode.RemoteFailed, `${what}: ${result.stderr.trim().split('\n').pop() ?? `git exited ${result.code}`}`);
  return result.stdout;
}

const MIRROR = ['+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'];

/**
 * The replica's bare clone of `remote` in `dir`, made on first use (into a private folder renamed
 * into place, so a failed clone leaves nothing), fetched on later ones.
 */
export async function openReplicaClone(remote: string, dir: string): Promise<void> {
  const exists = await stat(path.join(dir, 'HEAD')).then(() => true, () => false);
  if (exists) {
    await syncReplica(dir);
    return;
  }
  await mkdir(path.dirname(dir), { recursive: true });
  const staging = `${dir}.partial-${process.pid}-${Date.now().toString(36)}`;
  try {
    await git(['clone', '--bare', '--quiet', remote, staging], undefined, `Cannot clone ${remote}`);
    await git(['config', 'remote.origin.fetch', MIRROR[0]!], staging, 'Cannot configure the clone');
    await git(['config', '--add', 'remote.origin.fetch', MIRROR[1]!], staging, 'Cannot configure the clone');
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Makes the clone's branches and tags the remote's (forced, pruned). */
export async function syncReplica(dir: string): Promise<void> {
  await git(['fetch', '--quiet', '--prune', 'origin', ...MIRROR], dir, 'Cannot fetch the hub remote');
}

/**
 * Pushes local refs to the same names on the remote, all or none (`--atomic`), never forced. A ref the
 * remote refuses (a tag it has, a branch that is not a fast-forward) comes back in `rejected`.
 */
export async function pushReplica(dir: string, refs: readonly string[]): Promise<PushResult> {
  const result = await run(['push', '--atomic', '--porcelain', 'origin', ...refs.map((ref) => `${ref}:${ref}`)], dir);
  const rejected: PushResult['rejected'] = [];
  for (const line of result.stdout.split('\n')) {
    // --porcelain: `<flag>\t<from>:<to>\t<summary> (<reason>)`; `!` rejected, `=` already there. A tag
    // already there is someone else's write, even when byte for byte ours (two replicas tagging the same
    // commit with the same message in the same second): the remote had it before this push.
    const match = /^([!=])\t[^:]*:(\S+)\t(.*)$/.exec(line);
    if (match && (match[1] === '!' || match[2]!.startsWith('refs/tags/'))) rejected.push({ ref: match[2]!, reason: match[1] === '=' ? 'already on the remote' : match[3]!.trim() });
  }
  if (result.code === 0 && rejected.length === 0) return { ok: true, rejected };
  if (rejected.length === 0) {
    throw new GitStoreError(GitErrorCode.RemoteFailed, `Cannot push to the hub remote: ${result.stderr.trim().split('\n').pop() ?? `git exited ${result.code}`}`);
  }
  return { ok: false, rejected };
}
