/** The global error and not-found handlers: whatever goes wrong, the client gets problem+json. */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { problem, problemFor, problemResponse, type ProblemTypeName } from '../problem.js';
import type { RouteSpec } from '../router.js';

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

/**
 * The not-found handler for a route table: a path some route serves with another method answers 405
 * with `Allow` (GET routes also answer HEAD; OPTIONS is listed when CORS answers preflights); any other
 * path is 404. The table is read at request time (routers are added after the handler is set).
 */
export function methodNotAllowedOr404(routes: readonly Pick<RouteSpec, 'method' | 'path'>[], withOptions: boolean): NotFoundHandler {
  let compiled: { pattern: RegExp; methods: Set<string> }[] | undefined;
  let compiledFrom = -1;
  const table = () => {
    if (!compiled || compiledFrom !== routes.length) {
      const byPath = new Map<string, Set<string>>();
      for (const route of routes) {
        const methods = byPath.get(route.path) ?? new Set<string>();
        methods.add(route.method.toUpperCase());
        if (route.method === 'get') methods.add('HEAD');
        if (withOptions) methods.add('OPTIONS');
        byPath.set(route.path, methods);
      }
      compiled = [...byPath].map(([path, methods]) => ({ pattern: routePattern(path), methods }));
      compiledFrom = routes.length;
    }
    return compiled;
  };
  return (c) => {
    const allowed = new Set<string>();
    for (const { pattern, methods } of table()) if (pattern.test(c.req.path)) for (const m of methods) allowed.add(m);
    if (allowed.size === 0 || allowed.has(c.req.method)) return problemNotFound(c);
    const allow = [...allowed].join(', ');
    return problemResponse(c, problem('method-not-allowed', `${c.req.path} does not support ${c.req.method} (allowed: ${allow})`), { Allow: allow });
  };
}

/** `/api/policies/:slug/versions` → a regular expression over request paths. */
function routePattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}
