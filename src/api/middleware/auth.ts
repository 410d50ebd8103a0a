/**
 * Bearer-token authorization per route scope (RFC 6750). Writes always need a token with the
 * `publish` scope; reads need one only when the server runs with `authReads`. No token → 401 with
 * `WWW-Authenticate: Bearer`; an unknown token → 401 `invalid_token`; a known token without the
 * scope → 403 `insufficient_scope`.
 */
import type { Context } from 'hono';
import type { ApiEnv } from '../env.js';
import { ProblemError } from '../problem.js';
import { requestHeader } from './headers.js';
import { findToken, type Scope, type TokenEntry } from '../tokens.js';

export interface AuthOptions {
  tokens: readonly TokenEntry[];
  authReads: boolean;
}

const REALM = 'realm="oclhub"';

/**
 * Checks the request's bearer token against the route's scope, and records the token (`c.get('token')`).
 * Throws the 401/403 problem; runs first in every route's handler (router.ts).
 */
export function authorize(c: Context<ApiEnv>, scope: Scope, options: AuthOptions): void {
  const header = requestHeader(c, 'authorization');
  const needed = scope === 'publish' || options.authReads;
  if (header === undefined) {
    c.set('token', undefined);
    if (needed) {
      throw new ProblemError('unauthorized', `This endpoint needs a bearer token with the "${scope}" scope`, {
        headers: { 'WWW-Authenticate': `Bearer ${REALM}, scope="${scope}"` },
      });
    }
    return;
  }
  const match = /^Bearer[ ]+([\x21-\x7e]+)\s*$/i.exec(header);
  const token = match ? findToken(options.tokens, match[1]!) : undefined;
  if (!token) {
    throw new ProblemError('unauthorized', match ? 'The bearer token is not valid' : 'The Authorization header is not "Bearer <token>"', {
      headers: { 'WWW-Authenticate': `Bearer ${REALM}, error="invalid_token"` },
    });
  }
  if (needed && !token.scopes.has(scope)) {
    throw new ProblemError('forbidden', `The token lacks the "${scope}" scope`, {
      headers: { 'WWW-Authenticate': `Bearer ${REALM}, error="insufficient_scope", scope="${scope}"` },
    });
  }
  c.set('token', token);
}
