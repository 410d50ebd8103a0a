/** The projects a hub evaluates, their resolved processes and their policy inputs. */
import { refQuery, textQuery } from '../middleware/paths.js';
import { ProblemError } from '../problem.js';
import type { RouterContext, RouteSpec } from '../router.js';
import { notImplemented } from './stubs.js';

export function projectRoutes(ctx: RouterContext): RouteSpec[] {
  const { port } = ctx;
  const ref = { name: 'ref', description: "Branch, tag or commit of the hub (default: the hub's default branch)" };
  return [
    {
      method: 'get',
      path: '/api/projects',
      tag: 'projects',
      scope: 'read',
      summary: 'The projects registered in oclhub.ocl',
      query: [ref],
      implemented: port.listProjects !== undefined,
      responses: { 200: { description: 'The projects', schema: 'project-list' } },
      handler: async (c) => {
        if (!port.listProjects) return notImplemented(c, 'a project list');
        return c.json(await port.listProjects(refQuery(c, 'ref')));
      },
    },
    {
      method: 'get',
      path: '/api/projects/:slug/process',
      tag: 'projects',
      scope: 'read',
      summary: "A project's processes with template usages expanded, every step with its provenance",
      query: [{ name: 'environment', description: 'Check account parameters for this environment only' }, ref],
      implemented: port.resolveProcess !== undefined,
      responses: { 200: { description: 'The resolved processes', schema: 'resolved-process' } },
      handler: async (c) => {
        if (!port.resolveProcess) return notImplemented(c, 'process resolution');
        const slug = c.req.param('slug')!;
        const environment = textQuery(c, 'environment');
        const ref = refQuery(c, 'ref');
        const resolved = await port.resolveProcess({ project: slug, ...(environment ? { environment } : {}), ...(ref ? { ref } : {}) });
        if (resolved === undefined) throw new ProblemError('not-found', `No project "${slug}" in oclhub.ocl at ${ref ?? 'the default branch'}`);
        return c.json(resolved as object);
      },
    },
    {
      method: 'get',
      path: '/api/projects/:slug/input',
      tag: 'projects',
      scope: 'read',
      summary: 'The exact policy input object (Octopus schema) for a project, environment and tenant',
      query: [{ name: 'environment', description: 'Environment slug', required: true }, { name: 'tenant', description: 'Tenant slug' }, ref],
      implemented: port.policyInput !== undefined,
      responses: {
        200: { description: 'The policy input', schema: 'policy-input' },
        404: { description: 'Unknown project, environment, tenant or ref', schema: 'problem' },
        422: { description: 'The project cannot be evaluated (e.g. it has no deployment process)', schema: 'problem' },
      },
      handler: async (c) => {
        const environment = textQuery(c, 'environment', true)!;
        if (!port.policyInput) return notImplemented(c, 'policy inputs');
        const slug = c.req.param('slug')!;
        const tenant = textQuery(c, 'tenant');
        const ref = refQuery(c, 'ref');
        const input = await port.policyInput({ project: slug, environment, ...(tenant ? { tenant } : {}), ...(ref ? { ref } : {}) });
        if (input === undefined) throw new ProblemError('not-found', `No project "${slug}" in oclhub.ocl at ${ref ?? 'the default branch'}`);
        return c.json(input as object);
      },
    },
  ];
}
