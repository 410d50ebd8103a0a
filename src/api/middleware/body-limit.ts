/**
 * Request bodies above the limit are refused with 413 before anything reads them whole.
 *
 * A declared Content-Length is checked from the header alone: touching `c.req.raw.body` (as Hono's
 * bodyLimit does first) makes @hono/node-server build a web stream over the request, which costs
 * more than the rest of a cached evaluation. Only bodies without a length (chunked) are counted
 * as they stream, by Hono's bodyLimit.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { problem, problemResponse } from '../problem.js';
import { requestHeader } from './headers.js';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export function limitBody(maxSize = DEFAULT_BODY_LIMIT): MiddlewareHandler {
  // The rest of the body is never read, so the connection cannot carry another request: close it.
  const tooLarge = (c: Context) => problemResponse(c, problem('payload-too-large', `Request bodies are limited to ${maxSize} bytes`), { Connection: 'close' });
  const streamed = bodyLimit({ maxSize, onError: tooLarge });
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    const length = requestHeader(c, 'content-length');
    if (length !== undefined && requestHeader(c, 'transfer-encoding') === undefined && /^\d+$/.test(length.trim())) {
      if (Number(length) > maxSize) return tooLarge(c);
      return next();
    }
    return streamed(c, next);
  };
}
