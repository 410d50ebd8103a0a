import * as nodeFs from 'node:fs';
import { errnoCode, fsReason, GitErrorCode, GitStoreError } from './errors.js';
import { ensureFolder, folderOf, syncFolder, tempPath, writeNewFileSynced } from './durable.js';
import { defaultFs, messageOf, refPath, type RepoContext } from './repo.js';

const OID = /^[0-9a-f]{40}$/;

export function isFullOid(value: string): boolean {
  return OID.test(value);
}

/**
 * A file changed this recently is read again even when its stat looks unchanged: file times are
 * coarse, so two renames within one tick could leave an equal stamp.
 */
const STAMP_TRUST_MS = 100;

/**
 * `packed-refs` parsed (`<oid> <ref>` lines; `#` headers and `^` peeled lines skipped), reused while
 * the file's stat (inode, time, size) is unchanged: Git rewrites it whole (lock file, rename), so an
 * equal stamp means equal content. A hub after `git gc` or any clone keeps its branches and thousands
 * of tags there, and every ref name resolved reads it. Treat the map as read-only.
 */
export async function readPackedRefs(repo: RepoContext): Promise<Map<string, string>> {
  const file = `${repo.gitdir}/packed-refs`;
  let info;
  try {
    // On node's fs a synchronous stat (a few µs; undefined, not an exception, when absent) instead of a
    // round trip through the thread pool: every ref name resolved asks.
    info = repo.fs === defaultFs ? nodeFs.statSync(file, { throwIfNoEntry: false }) : await repo.fs.promises.stat(file);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return new Map();
    throw error;
  }
  if (info === undefined) return new Map();
  const mtimeMs = Number(info.mtimeMs);
  const stamp = `${info.ino}:${mtimeMs}:${info.size}`;
  const known = repo.packedRefs;
  if (known && known.stamp === stamp && known.at - mtimeMs > STAMP_TRUST_MS) return known.refs;
  const at = Date.now();
  const refs = parsePackedRefs(repo, file);
  repo.packedRefs = { stamp, at, refs };
  refs.catch(() => {
    if (repo.packedRefs?.refs === refs) repo.packedRefs = undefined;
  });
  return refs;
}

async function parsePackedRefs(repo: RepoContext, file: string): Promise<Map<string, string>> {
  const refs = new Map<string, string>();
  let text: string;
  try {
    text = repo.fs === defaultFs ? nodeFs.readFileSync(file, 'utf8') : await repo.fs.promises.readFile(file, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return refs;
    throw error;
  }
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('^')) continue;
    const space = line.indexOf(' ');
    if (space === 40) refs.set(line.slice(41).trim(), line.slice(0, 40));
  }
  return refs;
}

export type RefValue = { kind: 'oid'; oid: string } | { kind: 'symbolic'; target: string } | null;

/** The value of one full ref name as stored (loose file first, then packed-refs), without following symrefs. */
export async function readRefValue(
  repo: RepoContext,
  ref: string,
  packedRefs: () => Promise<Map<string, string>> = () => readPackedRefs(repo),
): Promise<RefValue> {
  try {
    return parseRefFile(ref, String(await repo.fs.promises.readFile(refPath(repo, ref), 'utf8')));
  } catch (error) {
    if (error instanceof GitStoreError) throw error;
    const code = errnoCode(error);
    // EISDIR: `refs/tags/a` is a folder of refs (refs/tags/a/b), so `a` itself is not a ref.
    if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EISDIR') throw error;
  }
  const packed = (await packedRefs()).get(ref);
  return packed ? { kind: 'oid', oid: packed } : null;
}

function parseRefFile(ref: string, content: string): RefValue {
  const text = content.trim();
  if (text.startsWith('ref:')) return { kind: 'symbolic', target: text.slice(4).trim() };
  if (isFullOid(text)) return { kind: 'oid', oid: text };
  throw new GitStoreError(GitErrorCode.ObjectUnreadable, `Ref ${ref} holds an unreadable value`);
}

/** Loose ref files remembered per repository (a bound, not a budget: ref names are short). */
const MAX_LOOSE_REFS = 1024;

/**
 * readRefValue for readers (never under a ref lock: writers call readRefValue), cheaper on node's fs.
 * Resolving a name probes up to five ref files in Git's order, most of them absent; each failed read
 * threw ENOENT through the thread pool (~0.2 ms for a branch name in a packed repository). Here an
 * absent file is a synchronous stat answering undefined, and a present one is read again only when
 * its stamp (inode, time, size) changed: Git replaces ref files by renaming a new file over them, and
 * a file changed within STAMP_TRUST_MS of being read is read again (file times are coarse).
 */
export async function readRefValueCached(repo: RepoContext, ref: string, packedRefs: () => Promise<Map<string, string>>): Promise<RefValue> {
  if (repo.fs !== defaultFs) return readRefValue(repo, ref, packedRefs);
  const file = refPath(repo, ref);
  let info: nodeFs.Stats | undefined;
  try {
    info = nodeFs.statSync(file, { throwIfNoEntry: false });
  } catch (error) {
    // ENOTDIR: a parent is a ref file (refs/heads/a when asked for refs/heads/a/b); anything else, the general path says.
    if (errnoCode(error) !== 'ENOTDIR') return readRefValue(repo, ref, packedRefs);
  }
  if (info === undefined || info.isDirectory()) {
    const packed = (await packedRefs()).get(ref);
    return packed ? { kind: 'oid', oid: packed } : null;
  }
  const stamp = `${info.ino}:${info.mtimeMs}:${info.size}`;
  const cache = (repo.looseRefs ??= new Map());
  const known = cache.get(ref);
  if (known && known.stamp === stamp && known.at - info.mtimeMs > STAMP_TRUST_MS) return known.value;
  const at = Date.now();
  let content: string;
  try {
    content = nodeFs.readFileSync(file, 'utf8');
  } catch {
    // Removed (packed, deleted) between the stat and the read.
    return readRefValue(repo, ref, packedRefs);
  }
  const value = parseRefFile(ref, content);
  if (cache.size >= MAX_LOOSE_REFS) cache.clear();
  cache.set(ref, { stamp, at, value });
  return value;
}

export interface UpdateRefResult {
  ok: boolean;
  /** The value found under the lock (null: the ref did not exist). */
  current: string | null;
}

/**
 * How old a lock file must be before it is taken for a crashed writer's leftover and removed. Git
 * holds a ref lock for milliseconds; a minute is far beyond any live writer.
 */
export const STALE_LOCK_MS = 60_000;

export interface LockOptions {
  /** How long to wait for a live writer's lock (default 2 s). */
  timeoutMs?: number;
  /** Age after which a lock is stale (default STALE_LOCK_MS). */
  staleMs?: number;
}

/**
 * Compare-and-swap one ref the way git does: create `<ref>.lock` exclusively, check the current value
 * under the lock, write the new value into the lock, flush it, and rename it over the ref (then flush
 * the folder). Real git takes the same lock, so oclhub and `git` writers exclude each other too. A lock
 * held by another writer is waited for up to `lockTimeoutMs`, then RefLocked (with a retry hint); a
 * lock older than `staleLockMs` was left by a crashed writer and is removed.
 *
 * Callers write the objects the new value refers to before calling this, each one flushed (durable)
 * — so a ref never names an object a crash could lose.
 */
export async function compareAndSwapRef(
  repo: RepoContext,
  options: { ref: string; expected: string | null; next: string; lockTimeoutMs?: number; staleLockMs?: number; reflog?: ReflogEntry },
): Promise<UpdateRefResult> {
  const { ref, expected, next } = options;
  const target = refPath(repo, ref);
  const lock = `${target}.lock`;
  const folder = target.slice(0, target.lastIndexOf('/'));
  try {
    await repo.fs.promises.mkdir(folder, { recursive: true });
  } catch (error) {
    throw new GitStoreError(
      GitErrorCode.InvalidRefName,
      `Cannot create ${ref}: a ref with a conflicting name exists (${fsReason(error)})`,
      { cause: error },
    );
  }
  await acquireLock(repo, lock, `${next}\n`, ref, { timeoutMs: options.lockTimeoutMs ?? 2000, staleMs: options.staleLockMs ?? STALE_LOCK_MS });
  let renamed = false;
  try {
    const value = await readRefValue(repo, ref);
    if (value?.kind === 'symbolic') {
      throw new GitStoreError(GitErrorCode.InvalidRequest, `${ref} is a symbolic ref; refusing to update it`);
    }
    const current = value?.oid ?? null;
    if (current !== expected) return { ok: false, current };
    try {
      await repo.fs.promises.rename(lock, target);
    } catch (error) {
      throw new GitStoreError(
        GitErrorCode.InvalidRefName,
        `Cannot write ${ref}: ${fsReason(error)} (a folder of refs with that name exists?)`,
        { cause: error },
      );
    }
    renamed = true;
    await syncFolder(repo.fs, folder);
    if (options.reflog) await appendReflog(repo, ref, current, next, options.reflog);
    return { ok: true, current };
  } finally {
    if (!renamed) await repo.fs.promises.unlink(lock).catch(() => undefined);
  }
}

/**
 * Takes `lock` exclusively with `content` flushed to disk, waiting for a live holder up to the timeout.
 * `what` names the locked thing in errors (a ref name, never a server path).
 */
export async function acquireLock(repo: RepoContext, lock: string, content: string, what: string, options: Required<LockOptions>): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = 2;
  for (;;) {
    try {
      await writeNewFileSynced(repo.fs, lock, content);
      return;
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') {
        throw new GitStoreError(GitErrorCode.WriteFailed, `Cannot lock ${what}: ${fsReason(error)}`, { cause: error });
      }
    }
    if (await removeIfStale(repo, lock, options.staleMs)) continue;
    if (Date.now() >= deadline) {
      const age = await lockAgeMs(repo, lock);
      const waitS = Math.max(1, Math.ceil((age === undefined ? 1000 : Math.min(options.staleMs - age, 5000)) / 1000));
      throw new GitStoreError(
        GitErrorCode.RefLocked,
        `${what} is locked by another writer (${relativeToGitdir(repo, lock)} exists); retry in ${waitS} s. ` +
          `A lock left behind by a crashed writer is removed once it is ${Math.round(options.staleMs / 1000)} s old.`,
        { retryAfterSeconds: waitS },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 50);
  }
}

async function lockAgeMs(repo: RepoContext, lock: string): Promise<number | undefined> {
  try {
    const info = await repo.fs.promises.lstat(lock);
    return Math.max(0, Date.now() - Number(info.mtimeMs));
  } catch {
    return undefined;
  }
}

/**
 * Removes a lock older than `staleMs`. Two processes may judge one lock stale at once, and the lock
 * may be replaced by a fresh one in between: so the lock is first renamed aside (atomic; only one
 * process gets it) and then checked to be the very file judged stale (same inode). A fresh lock taken
 * by mistake is linked back (link fails rather than overwrite a newer lock). True when a stale lock was
 * removed (the caller then retries at once).
 */
export async function removeIfStale(repo: RepoContext, lock: string, staleMs: number): Promise<boolean> {
  let judged;
  try {
    judged = await repo.fs.promises.lstat(lock);
  } catch {
    return true; // Gone already: retry.
  }
  if (Date.now() - Number(judged.mtimeMs) < staleMs) return false;
  const aside = tempPath(folderOf(lock), '.stale-lock-');
  try {
    await repo.fs.promises.rename(lock, aside);
  } catch {
    return true; // Someone else moved it first: retry.
  }
  const taken = await repo.fs.promises.lstat(aside).catch(() => null);
  if (taken && (Number(taken.ino) !== Number(judged.ino) || Number(taken.mtimeMs) !== Number(judged.mtimeMs))) {
    // Not the stale file but a newer lock: put it back unless yet another lock took its place.
    if (repo.fs.promises.link) await repo.fs.promises.link(aside, lock).catch(() => undefined);
  }
  await repo.fs.promises.unlink(aside).catch(() => undefined);
  return true;
}

function relativeToGitdir(repo: RepoContext, path: string): string {
  return path.startsWith(`${repo.gitdir}/`) ? `.git/${path.slice(repo.gitdir.length + 1)}` : path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Runs `task` holding an exclusive lock file in the git folder (`<gitdir>/oclhub/locks/<name>.lock`),
 * across processes: a check-then-act on several refs (compute the next version from the tag listing,
 * then create that tag) becomes one atomic step. The lock's time is refreshed while the task runs, so
 * a slow holder is never taken for a crashed one.
 */
export async function withRepositoryLock<T>(repo: RepoContext, name: string, task: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lock = `${repo.gitdir}/oclhub/locks/${name}.lock`;
  const staleMs = options.staleMs ?? STALE_LOCK_MS;
  await ensureFolder(repo.fs, folderOf(lock));
  await acquireLock(repo, lock, `${process.pid} ${new Date().toISOString()}\n`, name, { timeoutMs: options.timeoutMs ?? 30_000, staleMs });
  const heartbeat = setInterval(() => {
    const now = new Date();
    void repo.fs.promises.utimes?.(lock, now, now).catch(() => undefined);
  }, Math.max(250, Math.floor(staleMs / 4)));
  heartbeat.unref?.();
  try {
    return await task();
  } finally {
    clearInterval(heartbeat);
    await repo.fs.promises.unlink(lock).catch(() => undefined);
  }
}

/** packed-refs read at most once, for a series of lookups that should see one state of the file. */
export function packedRefsOnce(repo: RepoContext): () => Promise<Map<string, string>> {
  let packed: Promise<Map<string, string>> | undefined;
  return () => (packed ??= readPackedRefs(repo));
}

export interface ReflogEntry {
  name: string;
  email: string;
  timestamp: number;
  timezoneOffset: number;
  message: string;
}

function formatZone(offsetMinutes: number): string {
  const sign = offsetMinutes <= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/**
 * Appends to the ref's reflog when git keeps one for it (the log file exists), so `git reflog` shows our
 * updates like its own. Never creates logs: repositories that do not log stay that way.
 */
async function appendReflog(repo: RepoContext, ref: string, old: string | null, next: string, entry: ReflogEntry) {
  const log = `${repo.gitdir}/logs/${ref}`;
  try {
    await repo.fs.promises.lstat(log);
  } catch {
    return;
  }
  const message = entry.message.split('\n')[0]!.trim();
  const line = `${old ?? '0'.repeat(40)} ${next} ${entry.name} <${entry.email}> ${entry.timestamp} ${formatZone(entry.timezoneOffset)}\t${message}\n`;
  await repo.fs.promises.writeFile(log, line, { flag: 'a' }).catch(() => undefined);
}
