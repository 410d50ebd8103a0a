/**
 * Corrupt objects are reported, not just thrown. A read that fails on an object that is present but
 * unreadable (empty, truncated, not hashing to its name) or missing from a repository that refers to
 * it throws GitStoreError(ObjectUnreadable) — but many callers turn a failed read into "absent" (a
 * template that cannot be read is "not in the ref"), and an answer computed over silently missing
 * content is wrong. So every such failure is also reported here, to whoever watches the work in
 * progress (`watchCorruption`: one CLI command, one HTTP request) and to the repository's listeners
 * (GitStore.onCorruptObject: caches that must forget what they computed). Surfaces then fail the whole
 * answer: exit 2 on the CLI, 503 `repository-corrupt` from the API.
 *
 * A watch sees every corruption reported in the process while it runs, not only what its own task
 * read: scoping reports to a task needs AsyncLocalStorage, which on Node 20 is an async hook run for
 * every promise and every socket of the process — a quarter of the API server's CPU on cache hits
 * (bench/api.ts), and a cost to every CLI command. A CLI command is alone in its process, so nothing
 * changes there; a request in flight while another one meets a corrupt object is answered 503 as well
 * (fail closed: the repository is corrupt, and the server forgets everything it cached over it).
 */

export interface CorruptObject {
  /** The object id that could not be read. */
  oid: string;
  /** The repository path it was read for, when known (`oclhub.ocl`). */
  path?: string;
  /** The ref or commit it was read at, when known. */
  at?: string;
  /** Why, in one line, without isomorphic-git's internals. */
  reason: string;
}

interface Watch {
  found: CorruptObject[];
  onFound: ((object: CorruptObject) => void) | undefined;
}

/** The watches in progress. */
const watches = new Set<Watch>();

export type CorruptionListener = (object: CorruptObject) => void;

/**
 * Called by the store whenever an object cannot be read, with the repository's own listeners (caches
 * over that repository). Adding a path to an oid already reported fills it in.
 */
export function reportCorruptObject(object: CorruptObject, listeners: Iterable<CorruptionListener> = []): void {
  for (const watch of watches) record(watch, object);
  for (const listener of listeners) listener(object);
}

function record(watch: Watch, object: CorruptObject): void {
  const known = watch.found.find((o) => o.oid === object.oid);
  if (known) {
    if (known.path === undefined && object.path !== undefined) {
      known.path = object.path;
      if (object.at !== undefined) known.at = object.at;
    }
    return;
  }
  const copy = { ...object };
  watch.found.push(copy);
  watch.onFound?.(copy);
}

/** Runs `task`, collecting the corrupt objects reported while it runs (it, and anything running beside it). */
export async function watchCorruption<T>(task: () => Promise<T>, onFound?: (object: CorruptObject) => void): Promise<{ value: T; found: CorruptObject[] } | { error: unknown; found: CorruptObject[] }> {
  const watch: Watch = { found: [], onFound };
  watches.add(watch);
  try {
    const value = await task();
    return { value, found: watch.found };
  } catch (error) {
    return { error, found: watch.found };
  } finally {
    watches.delete(watch);
  }
}

/** The corrupt objects the watches in progress have seen so far (empty when nothing is watched). */
export function corruptionSoFar(): readonly CorruptObject[] {
  const seen = new Map<string, CorruptObject>();
  for (const watch of watches) for (const object of watch.found) if (!seen.has(object.oid)) seen.set(object.oid, object);
  return [...seen.values()];
}

/** One line naming the object, where it was read and why: for a CLI error line or a problem's detail. */
export function describeCorruption(object: CorruptObject): string {
  const at = object.at !== undefined && /^[0-9a-f]{40}$/.test(object.at) ? object.at.slice(0, 12) : object.at;
  const where = object.path !== undefined ? ` (${object.path}${at !== undefined ? ` at ${at}` : ''})` : '';
  return `object ${object.oid}${where} cannot be read: ${object.reason}`;
}

/**
 * isomorphic-git's message without the parts meant for its own maintainers ("This should never
 * happen … please report this error") or internal class names.
 */
export function cleanGitMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const text = raw
    .replace(/An internal error caused this command to fail\.?\s*/i, '')
    .replace(/Please (?:file a bug report|report this error)[^.]*\.?/gi, '')
    .replace(/This should never happen[^.]*\.?/gi, '')
    .replace(/\s+/g, ' ')
    .trim();
  return text === '' ? 'it is corrupt' : text;
}
