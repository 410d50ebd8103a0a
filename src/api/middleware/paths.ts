/**
 * Path and parameter checks. The guard runs before routing and refuses paths that only make sense
 * as an attack (`..` or `.` segments, NUL, backslashes, broken percent-encoding) whatever the route;
 * the parameter checks then hold each route's `:slug` and `:version` to their grammar, so nothing
 * that could name a file outside the template folders ever reaches the store.
 */
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { isValidSlug } from '../../templates/version-tags.js';
import { isValidVersion } from '../../templates/versions.js';
import { ProblemError } from '../problem.js';

export const pathGuard: MiddlewareHandler = async (c, next) => {
  // Node's request target as the client sent it, when there is one: stricter than the parsed URL (which
  // has already resolved `..` and `%2e%2e`), and no URL to parse.
  const target = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.url;
  const unsafe = unsafeTarget(typeof target === 'string' ? target : new URL(c.req.url).pathname);
  if (unsafe) throw new ProblemError('invalid-path', unsafe);
  await next();
};

/** Why a raw request target (path and query) must not be served, or undefined. */
export function unsafeTarget(target: string): string | undefined {
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  // Most paths hold none of the characters a dangerous one needs: no need to decode each segment.
  if (!/[%.\\\0]/.test(path)) return undefined;
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return 'The path has invalid percent-encoding';
    }
    // A decoded segment may hold "/" (`..%2F..`): check each of its parts too.
    if (/[\0\\]/.test(decoded) || decoded.split('/').some((part) => part === '..' || part === '.')) {
      return 'The path contains ".." or "." segments, NUL or a backslash';
    }
  }
  return undefined;
}

const PARAM_CHECKS: Record<string, { valid: (value: string) => boolean; what: string }> = {
  slug: { valid: isValidSlug, what: 'a slug: lower-case letters, digits, "-" and "_", starting and ending with a letter or digit' },
  version: { valid: isValidVersion, what: 'a semantic version such as 1.2.0 or 2.0.0-prerelease.1 (no "v" prefix)' },
};

/** Checks the named path parameters of a route (400 invalid-parameter). */
export function checkPathParams(c: Context, names: readonly string[]): void {
  for (const name of names) {
    const value = c.req.param(name);
    const check = PARAM_CHECKS[name];
    if (check && (value === undefined || !check.valid(value))) {
      throw new ProblemError('invalid-parameter', `"${printable(value ?? '')}" is not ${check.what}`);
    }
  }
}

/**
 * A ref-like query parameter (`ref`, `from`, `to`): absent → undefined. Git itself rejects bad ref
 * names (400 via the store); this only stops what must never reach a file system call.
 */
export function refQuery(c: Context, name: string, required = false): string | undefined {
  const value = c.req.query(name);
  if (value === undefined || value === '') {
    if (required) throw new ProblemError('invalid-parameter', `The query parameter "${name}" is required`);
    return undefined;
  }
  if (value.length > 256 || /[\0\\]/.test(value) || value.startsWith('/') || /(^|\/)\.\.(\/|$)/.test(value)) {
    throw new ProblemError('invalid-parameter', `"${printable(value.slice(0, 80))}" is not a valid ref for "${name}"`);
  }
  return value;
}

/** A plain query parameter (environment, tenant): absent → undefined; control characters refused. */
export function textQuery(c: Context, name: string, required = false): string | undefined {
  const value = c.req.query(name);
  if (value === undefined || value === '') {
    if (required) throw new ProblemError('invalid-parameter', `The query parameter "${name}" is required`);
    return undefined;
  }
  if (value.length > 200 || /[\0-\x1f]/.test(value)) throw new ProblemError('invalid-parameter', `The query parameter "${name}" is not valid`);
  return value;
}

/** Control characters shown escaped, so a detail message never carries them raw. */
function printable(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
