import { errnoCode, GitErrorCode, GitStoreError } from './errors.js';
import { messageOf, refPath, type RepoContext } from './repo.js';

const OID = /^[0-9a-f]{40}$/;

export function isFullOid(value: string): boolean {
  return OID.test(value);
}

/** Parses `packed-refs` (`<oid> <ref>` lines; `#` headers and `^` peeled lines skipped). */
export async function readPackedRefs(repo: RepoContext): Promise<Map<string, string>> {
  const refs = new Map<string, string>();
  let text: string;
  try {
    text = await repo.fs.promises.readFile(`${repo.gitdir}/packed-refs`, 'utf8');
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
    const text = String(await repo.fs.promises.readFile(refPath(repo, ref), 'utf8')).trim();
    if (text.startsWith('ref:')) return { kind: 'symbolic', target: text.slice(4).trim() };
    if (isFullOid(text)) return { kind: 'oid', oid: text };
    throw new GitStoreError(GitErrorCode.ObjectUnreadable, `Ref ${ref} holds an unreadable value`);
  } catch (error) {
    if (error instanceof GitStoreError) throw error;
    const code = errnoCode(error);
    // EISDIR: `refs/tags/a` is a folder of refs (refs/tags/a/b), so `a` itself is not a ref.
    if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EISDIR') throw error;
  }
  const packed = (await packedRefs()).get(ref);
  return packed ? { kind: 'oid', oid: packed } : null;
}

export interface UpdateRefResult {
  ok: boolean;
  /** The value found under the lock (null: the ref did not exist). */
  current: string | null;
}

/**
 * Compare-and-swap one ref the way git does: create `<ref>.lock` exclusively, check the current value
 * under the lock, write the new value into the lock and rename it over the ref. Real git takes the same
 * lock, so oclhub and `git` writers exclude each other too. A lock held by another writer is retried for
 * `lockTimeoutMs` before failing with RefLocked.
 */
export async function compareAndSwapRef(
  repo: RepoContext,
  options: { ref: string; expected: string | null; next: string; lockTimeoutMs?: number; reflog?: ReflogEntry },
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
      `Cannot create ${ref}: a ref with a conflicting name exists (${messageOf(error)})`,
      { cause: error },
    );
  }
  await acquireLock(repo, lock, `${next}\n`, ref, options.lockTimeoutMs ?? 2000);
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
        `Cannot write ${ref}: ${messageOf(error)} (a folder of refs with that name exists?)`,
        { cause: error },
      );
    }
    renamed = true;
    if (options.reflog) await appendReflog(repo, ref, current, next, options.reflog);
    return { ok: true, current };
  } finally {
    if (!renamed) await repo.fs.promises.unlink(lock).catch(() => undefined);
  }
}

async function acquireLock(repo: RepoContext, lock: string, content: string, ref: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  for (;;) {
    try {
      await repo.fs.promises.writeFile(lock, content, { flag: 'wx' });
      return;
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') {
        throw new GitStoreError(GitErrorCode.InvalidRefName, `Cannot lock ${ref}: ${messageOf(error)}`, { cause: error });
      }
    }
    if (Date.now() >= deadline) {
      throw new GitStoreError(
        GitErrorCode.RefLocked,
        `${ref} is locked by another writer (${lock} exists). If no other process is running, a crashed writer ` +
          `left it behind: remove the file and retry.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 50);
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
