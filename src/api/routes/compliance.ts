/** Decisions across the hub: the project × environment matrix, and how it changes between refs. */
import { cachedJson } from '../cached-json.js';
import { refQuery } from '../middleware/paths.js';
import type { RouterContext, RouteSpec } from '../router.js';
import { notImplemented } from './stubs.js';

export function complianceRoutes(ctx: RouterContext): RouteSpec[] {
  const { port } = ctx;
  return [
    {
      method: 'get',
      path: '/api/compliance',
      tag: 'compliance',
      scope: 'read',
      summary: 'The project × environment matrix of policy decisions',
      query: [{ name: 'ref', description: "Branch, tag or commit of the hub (default: the hub's default branch)" }],
      implemented: port.compliance !== undefined,
      responses: {
        200: { description: 'The matrix (error, blocked, inconclusive, warned or allowed per context), with every context\'s findings and, for a context that could not be decided, why. With an ETag: send it as If-None-Match to get 304 while the answer is unchanged.', schema: 'compliance-response' },
        304: { description: 'Unchanged since the ETag given in If-None-Match' },
      },
      handler: async (c) => {
        const ref = refQuery(c, 'ref');
        if (!port.compliance) return notImplemented(c, 'compliance reports');
        // While the hub commit is unchanged the answer is the cached object: its bytes are served again (ETag: 304).
        return cachedJson(c, (await port.compliance(ref)) as object, { etag: true });
      },
    },
    {
      method: 'get',
      path: '/api/diff',
      tag: 'compliance',
      scope: 'read',
      summary: 'Decisions that change between two refs of the hub',
      query: [
        { name: 'from', description: 'Base ref', required: true },
        { name: 'to', description: 'Changed ref', required: true },
      ],
      implemented: port.diff !== undefined,
      responses: { 200: { description: 'The changed decisions: newly blocked, newly allowed, newly inconclusive, changed, reason changed', schema: 'diff-response' } },
      handler: async (c) => {
        const from = refQuery(c, 'from', true)!;
        const to = refQuery(c, 'to', true)!;
        if (!port.diff) return notImplemented(c, 'decision diffs');
        return c.json((await port.diff(from, to)) as object);
      },
    },
  ];
}
