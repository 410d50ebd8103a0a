/** Liveness and the API's own description. */
import { buildOpenApi } from '../openapi.js';
import type { RouterContext, RouteSpec } from '../router.js';

export function healthRoutes(ctx: RouterContext): RouteSpec[] {
  let document: object | undefined;
  return [
    {
      method: 'get',
      path: '/api/health',
      tag: 'meta',
      scope: 'read',
      summary: 'Liveness: the server is up and answering',
      responses: { 200: { description: 'Up', schema: 'health' } },
      handler: (c) => c.json({ status: 'ok', version: ctx.version }),
    },
    {
      method: 'get',
      path: '/openapi.json',
      tag: 'meta',
      scope: 'read',
      summary: 'This OpenAPI 3.1 document, generated from the route table and schemas/api',
      responses: { 200: { description: 'The OpenAPI document' } },
      handler: (c) => c.json((document ??= buildOpenApi(ctx.routes, { version: ctx.version }))),
    },
  ];
}
