/** A project's dependency graph: what it depends on (in deploy-group order), who depends on it, and the findings. */
import { refQuery, textQuery } from '../middleware/paths.js';
import { ProblemError } from '../problem.js';
import type { RouterContext, RouteSpec } from '../router.js';
import { notImplemented } from './stubs.js';

export function dependencyRoutes(ctx: RouterContext): RouteSpec[] {
  const { port } = ctx;
  return [
    {
      method: 'get',
      path: '/api/projects/:slug/dependencies',
      tag: 'projects',
      scope: 'read',
      summary: "A project's dependencies: deploy groups in order, version patterns and actions, dependents, the graph and its cycles",
      description:
        'Declared in oclhub.ocl (`dependency` blocks) and through the Verify Dependencies process template. Findings (DEP…) have the rule settings of oclhub.ocl applied.',
      query: [
        { name: 'environment', description: 'The environment deployed to (slug or name)' },
        { name: 'tenant', description: 'The tenant deployed (slug or name)' },
        { name: 'ref', description: "Branch, tag or commit of the hub (default: the hub's default branch)" },
      ],
      implemented: port.dependencies !== undefined,
      responses: {
        200: { description: 'The dependency report', schema: 'dependency-report' },
        404: { description: 'Unknown project, environment, tenant or ref', schema: 'problem' },
      },
      handler: async (c) => {
        if (!port.dependencies) return notImplemented(c, 'dependency graphs');
        const slug = c.req.param('slug')!;
        const environment = textQuery(c, 'environment');
        const tenant = textQuery(c, 'tenant');
        const ref = refQuery(c, 'ref');
        const report = await port.dependencies({ project: slug, ...(environment ? { environment } : {}), ...(tenant ? { tenant } : {}), ...(ref ? { ref } : {}) });
        if (report === undefined) throw new ProblemError('not-found', `No project "${slug}" in oclhub.ocl at ${ref ?? 'the default branch'}`);
        return c.json(report as object);
      },
    },
  ];
}
