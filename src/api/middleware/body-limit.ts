/** Request bodies above the limit are refused with 413 before anything reads them whole. */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { problem, problemResponse } from '../problem.js';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export function limitBody(maxSize = DEFAULT_BODY_LIMIT): MiddlewareHandler {
  return bodyLimit({
    maxSize,
    // The rest of the body is never read, so the connection cannot carry another request: close it.
    onError: (c) => problemResponse(c, problem('payload-too-large', `Request bodies are limited to ${maxSize} bytes`), { Connection: 'close' }),
  });
}
