/**
 * What every page knows about its request: the hub at the requested ref (the façade, through the same
 * port and caches as the API), the refs to choose from, and how to link to another page at the same
 * ref — every view is a permalink, so every link carries `?ref=` when the request had one.
 */
import type { Context } from 'hono';
import type { FacadePort } from '../api/hub-port.js';
import type { Hub } from '../hub/index.js';
import { WebError } from './errors.js';

export interface PageContext {
  /** The ref the request named (validated), or undefined for the hub's default branch. */
  ref?: string;
  hub: Hub;
  refs: { branches: string[]; tags: string[]; head?: string };
  /** The path of this page, and its query without `ref`. */
  path: string;
  query: Record<string, string>;
  /** The pages are behind a sign-in (show "Sign out"). */
  signedIn: boolean;
  /** Builds a link to `path` at this page's ref. */
  href(path: string, params?: Record<string, string | undefined>): string;
}

/** A ref from the query: Git rejects bad names itself; this only stops what must never reach a file system call. */
export function refParameter(value: string | undefined, name = 'ref'): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (trimmed.length > 256 || /[\0-\x1f\\]/.test(trimmed) || trimmed.startsWith('/') || /(^|\/)\.\.(\/|$)/.test(trimmed)) {
    throw new WebError(400, 'Invalid ref', `"${trimmed.slice(0, 80)}" is not a valid value for "${name}": name a branch, a tag or a commit.`);
  }
  return trimmed;
}

export function linkTo(ref: string | undefined, path: string, params: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, value);
  if (ref !== undefined) search.set('ref', ref);
  const text = search.toString();
  return text === '' ? path : `${path}?${text}`;
}

export async function pageContext(c: Context, port: FacadePort, signedIn: boolean): Promise<PageContext> {
  const ref = refParameter(c.req.query('ref'));
  const hub = await port.hubAt(ref);
  const refs = await hub.refs();
  const query: Record<string, string> = {};
  for (const [key, value] of new URL(c.req.url).searchParams) if (key !== 'ref') query[key] = value;
  return {
    ...(ref !== undefined ? { ref } : {}),
    hub,
    refs,
    path: c.req.path,
    query,
    signedIn,
    href: (path, params) => linkTo(ref, path, params),
  };
}
