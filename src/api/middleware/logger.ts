/** One line per request: method, path, status, milliseconds. */
import type { MiddlewareHandler } from 'hono';

export type RequestLog = (line: string) => void;

export function requestLogger(log: RequestLog): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const ms = performance.now() - started;
      log(`${c.req.method} ${c.req.path} ${c.res.status} ${ms.toFixed(1)}ms`);
    }
  };
}
