/** The pattern of the route that answered a request (`/api/policies/:slug`), for logs and metrics. */
import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';

export function answeringRoute(c: Context): string | undefined {
  const routes = matchedRoutes(c);
  // Middleware is registered for ALL methods; the handler that answered is the last other one.
  for (let i = routes.length - 1; i >= 0; i--) if (routes[i]!.method !== 'ALL') return routes[i]!.path;
  return undefined;
}
