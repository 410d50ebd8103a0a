/** The projects a hub evaluates, their resolved processes and their policy inputs. */
import { refQuery, textQuery } from '../middleware/paths.js';
import { ProblemError } from '../problem.js';
import type { RouterContext, RouteSpec } from '../router.js';
import { notImplemented } from './stubs.js';
import type { Diagnostic } from '../../diagnostics.js';

/** The response header that carries a warning about a response whose body is a fixed format (the Octopus input). */
export const WARNING_HEADER = 'Oclhub-Warning';

/** A JSON string literal with every non-ASCII character escaped: a header value is bytes (RFC 9110 §5.5), and a step name need not be ASCII. */
function asciiString(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * One warning as a header value: `CODE; repository="…"; commit="…"; file="…"; line=N; column=N;
 * summary="…"` (the parameters it has). The repository is its id in the hub, never the server's folder.
 */
export function warningHeaderValue(d: Diagnostic): string {
  const at = d.range?.start;
  const parameters: [string, string | number | undefined][] = [
    ['repository', d.repository && asciiString(d.repository.id)],
    ['commit', d.repository?.commit && asciiString(d.repository.commit)],
    ['file', d.file !== undefined ? asciiString(d.file) : undefined],
    ['line', at?.line],
    ['column', at?.column],
    ['summary', asciiString(d.summary)],
  ];
  return [d.code, ...parameters.filter(([, value]) => value !== undefined).map(([name, value]) => `${name}=${value}`)].join('; ');
}

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
        200: {
          description: 'The policy input',
          schema: 'policy-input',
          headers: {
            [WARNING_HEADER]: {
              description:
                'One per warning about the input itself, as `oclhub input` prints it (SEM043: a step based on a step template oclhub.ocl does not declare has no ActionType, which a policy reads as undefined): `CODE; repository="…"; commit="…"; file="…"; line=N; column=N; summary="…"` (the parameters it has), quoted strings JSON-escaped to ASCII',
            },
          },
        },
        404: { description: 'Unknown project, environment, tenant or ref', schema: 'problem' },
        422: { description: 'The project cannot be evaluated (e.g. it has no deployment process)', schema: 'problem' },
      },
      handler: async (c) => {
        const environment = textQuery(c, 'environment', true)!;
        if (!port.policyInput) return notImplemented(c, 'policy inputs');
        const slug = c.req.param('slug')!;
        const tenant = textQuery(c, 'tenant');
        const ref = refQuery(c, 'ref');
        const answer = await port.policyInput({ project: slug, environment, ...(tenant ? { tenant } : {}), ...(ref ? { ref } : {}) });
        if (answer === undefined) throw new ProblemError('not-found', `No project "${slug}" in oclhub.ocl at ${ref ?? 'the default branch'}`);
        for (const warning of answer.warnings) c.header(WARNING_HEADER, warningHeaderValue(warning), { append: true });
        return c.json(answer.input as object);
      },
    },
  ];
}
