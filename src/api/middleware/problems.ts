/** The global error and not-found handlers: whatever goes wrong, the client gets problem+json. */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { problem, problemFor, problemResponse, type ProblemTypeName } from '../problem.js';

const BY_STATUS: Record<number, ProblemTypeName> = {
  400: 'invalid-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  501: 'not-implemented',
};

/** Unexpected errors are logged on the server (with the stack) and answered with a bare 500. */
export function problemErrorHandler(logError: (message: string) => void): ErrorHandler {
  return (error: unknown, c: Context) => {
    if (error instanceof HTTPException) {
      const name = BY_STATUS[error.status] ?? 'internal-error';
      return problemResponse(c, problem(name, error.message || undefined));
    }
    const { problem: p, headers } = problemFor(error);
    if (p.status >= 500) logError(`${c.req.method} ${c.req.path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return problemResponse(c, p, headers);
  };
}

export const problemNotFound: NotFoundHandler = (c) => problemResponse(c, problem('not-found', `No route ${c.req.method} ${c.req.path}`));
