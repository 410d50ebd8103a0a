/**
 * One JSON object per request (`oclhub serve --log-format json`), for log pipelines that parse
 * fields: time, level, msg, method, path, route (the matched pattern), status, ms.
 */
import type { MiddlewareHandler } from 'hono';
import { answeringRoute } from './route-pattern.js';
import type { RequestLog } from './logger.js';

export function jsonRequestLogger(log: RequestLog): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = answeringRoute(c);
      log(
        JSON.stringify({
          time: new Date().toISOString(),
          level: c.res.status >= 500 ? 'error' : 'info',
          msg: 'request',
          method: c.req.method,
          path: c.req.path,
          ...(route !== undefined ? { route } : {}),
          status: c.res.status,
          ms: Math.round((performance.now() - started) * 10) / 10,
        }),
      );
    }
  };
}

/** A line of the server's own (not per-request) output as a JSON log record. */
export function jsonLogLine(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
}
