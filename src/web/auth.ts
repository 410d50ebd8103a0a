/**
 * Who may see the pages. Without --auth-reads everyone may (as for the API's reads). With it, a page
 * needs a token with the read scope (publish implies read): as a bearer header — scripts and proxies —
 * or, for browsers, from the sign-in form, which keeps it in an HttpOnly, SameSite=Strict cookie that
 * only the pages read (the API still wants the header, so the cookie cannot be ridden into a write).
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AuthOptions } from '../api/middleware/auth.js';
import { findToken } from '../api/tokens.js';

export const SESSION_COOKIE = 'oclhub_session';

export type PageAccess = { allowed: true; signedIn: boolean } | { allowed: false };

function canRead(auth: AuthOptions, token: string | undefined): boolean {
  if (token === undefined || token === '') return false;
  const entry = findToken(auth.tokens, token);
  return entry !== undefined && (entry.scopes.has('read') || entry.scopes.has('publish'));
}

export function pageAccess(c: Context, auth: AuthOptions): PageAccess {
  if (!auth.authReads) return { allowed: true, signedIn: false };
  const header = /^Bearer[ ]+([\x21-\x7e]+)\s*$/i.exec(c.req.header('Authorization') ?? '');
  if (header && canRead(auth, header[1])) return { allowed: true, signedIn: false };
  if (canRead(auth, getCookie(c, SESSION_COOKIE))) return { allowed: true, signedIn: true };
  return { allowed: false };
}

/** Checks a token from the sign-in form; on success the cookie is set on the response. */
export function signIn(c: Context, auth: AuthOptions, token: string): boolean {
  if (!canRead(auth, token)) return false;
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/', secure: new URL(c.req.url).protocol === 'https:' });
  return true;
}

export function signOut(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

/** Where to go after signing in: a path on this server only (never `//host` or a URL). */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : '/';
}
