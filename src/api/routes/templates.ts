/**
 * One router factory for the three published kinds (process templates, project templates,
 * policies): listing, content at a ref, versions, content at a version, and publishing.
 */
import type { Context } from 'hono';
import { tagName } from '../../templates/version-tags.js';
import type { ApiEnv } from '../env.js';
import { refQuery } from '../middleware/paths.js';
import type { HubPort, PublishOutcome, PublishRequest, TemplateContent, TemplateKind, VersionInfo } from '../ports.js';
import { problem, problemResponse, ProblemError, withoutPaths, type ProblemTypeName } from '../problem.js';
import type { RouterContext, RouteSpec } from '../router.js';
import { notImplemented } from './stubs.js';

export function describeKind(kind: TemplateKind): string {
  return kind === 'process-templates' ? 'process template' : kind === 'project-templates' ? 'project template' : 'policy';
}

/** The template at `ref`, or a 404 naming what was looked for. */
export async function templateAt(port: HubPort, kind: TemplateKind, slug: string, ref: string | undefined): Promise<TemplateContent> {
  const content = await port.getTemplate(kind, slug, ref);
  if (!content) throw new ProblemError('not-found', `No ${describeKind(kind)} "${slug}" at ${ref ?? 'the default branch'}`);
  return content;
}

/** Published versions; a slug with none must at least exist at the default branch (else 404). */
export async function publishedVersions(port: HubPort, kind: TemplateKind, slug: string): Promise<VersionInfo[]> {
  const versions = await port.versions(kind, slug);
  if (versions.length === 0) await templateAt(port, kind, slug, undefined);
  return versions;
}

const REF = { name: 'ref', description: "Branch, tag or commit to read (default: the hub's default branch)" };

export function templateRoutes(kind: TemplateKind, ctx: RouterContext): RouteSpec[] {
  const base = `/api/${kind}`;
  const what = describeKind(kind);
  const { port } = ctx;

  const whats = kind === 'policies' ? 'policies' : `${what}s`;
  const contentOr404 = (slug: string, ref: string | undefined) => templateAt(port, kind, slug, ref);
  const versionsOr404 = (slug: string) => publishedVersions(port, kind, slug);

  const routes: RouteSpec[] = [
    {
      method: 'get',
      path: base,
      tag: kind,
      scope: 'read',
      summary: `List ${whats}: those in the ref and those published`,
      query: [REF],
      responses: { 200: { description: `The ${whats}`, schema: 'template-list' } },
      handler: async (c) => c.json(await port.listTemplates(kind, refQuery(c, 'ref'))),
    },
    {
      method: 'get',
      path: `${base}/:slug`,
      tag: kind,
      scope: 'read',
      summary: `One ${what} at a ref, as OCL and JSON`,
      query: [REF],
      responses: { 200: { description: `The ${what}'s files`, schema: 'template-content' } },
      handler: async (c) => c.json(await contentOr404(c.req.param('slug')!, refQuery(c, 'ref'))),
    },
    {
      method: 'get',
      path: `${base}/:slug/versions`,
      tag: kind,
      scope: 'read',
      summary: `Published versions of a ${what}, newest first`,
      responses: { 200: { description: 'The versions with their tag details, newest first (as `oclhub versions` lists them)', schema: 'version-list' } },
      handler: async (c) => {
        const slug = c.req.param('slug')!;
        return c.json({ kind, slug, versions: [...(await versionsOr404(slug))].reverse() });
      },
    },
    {
      method: 'get',
      path: `${base}/:slug/versions/:version`,
      tag: kind,
      scope: 'read',
      summary: `One published version of a ${what}: its files at the version tag, as OCL and JSON`,
      responses: { 200: { description: 'The files at the tag and the version details', schema: 'template-content' } },
      handler: async (c) => {
        const slug = c.req.param('slug')!;
        const version = c.req.param('version')!;
        const info = (await port.versions(kind, slug)).find((v) => v.version === version);
        if (!info) throw new ProblemError('not-found', `Version ${version} of ${what} "${slug}" is not published (no tag ${tagName(kind, slug, version)})`);
        const content = await port.getTemplate(kind, slug, info.commit);
        if (!content) throw new ProblemError('not-found', `The tag ${info.tag} names a commit without the ${what}'s files`);
        return c.json({ ...content, version: info });
      },
    },
    {
      method: 'post',
      path: `${base}/:slug/versions`,
      tag: kind,
      scope: 'publish',
      summary: `Publish the next version of a ${what}, or an explicit one (or preview it with dryRun)`,
      description:
        'Numbering and tagging are one atomic step under a per-template lock in the repository, shared by every server on it. With `bump` and `version`, `version` must be the version created: of concurrent publishers of the same version exactly one gets 201 and the others 409, and no other version is created. With `version` alone, that version is published (it must be higher than every published one; the jump from the previous stable version is bump-checked). 503 `repository-busy` with Retry-After when another publish of the template holds the lock longer than the server waits.',
      body: 'publish-request',
      implemented: port.publish !== undefined,
      responses: {
        200: { description: 'Dry run: the version that would be published, the bump check and the impact', schema: 'publish-response' },
        201: { description: 'Published: the tag was created', schema: 'publish-response' },
        409: { description: 'The version is already published (or is not the version the bump gives), or the working tree is dirty', schema: 'problem' },
        422: { description: 'Refused: validation errors, insufficient bump, no version computable', schema: 'problem' },
        503: { description: 'Another publish of the template holds its lock (Retry-After), or the repository cannot be read or written', schema: 'problem' },
      },
      handler: async (c) => {
        if (!port.publish) return notImplemented(c, 'publishing');
        const slug = c.req.param('slug')!;
        const body = c.get('body') as Omit<PublishRequest, 'kind' | 'slug' | 'publisher'>;
        const token = c.get('token');
        const request: PublishRequest = { ...body, kind, slug, ...(token?.identity ? { publisher: token.identity } : {}) };
        const publish = port.publish.bind(port);
        const outcome = await ctx.publishLock.run(`${kind}/${slug}`, () => publish(request));
        return publishResponse(c, outcome, `${base}/${slug}/versions`);
      },
    },
  ];
  if (kind === 'policies') routes.push(activationRoute(ctx));
  return routes;
}

/** Activation is a commit to oclhub.ocl by the caller, so it is reviewed and audited like any change. */
function activationRoute(ctx: RouterContext): RouteSpec {
  const { port } = ctx;
  return {
    method: 'post',
    path: '/api/policies/:slug/activation',
    tag: 'policies',
    scope: 'publish',
    summary: 'Activate a published policy version (or deactivate the policy with null) by committing oclhub.ocl',
    body: 'activation-request',
    implemented: port.activatePolicy !== undefined,
    description:
      'Commits `policy "<slug>" { active_version = "…" }` to oclhub.ocl on the hub\'s branch with the token\'s identity as author (only that block is re-printed, in Octopus\'s layout). Activating a version that is not published is refused with 422 (`version-not-published`): the request is well-formed, but the hub state does not allow it. Setting what the file already says answers 200 with `changed: false` and makes no commit. When the branch is checked out in the hub\'s working copy, oclhub.ocl and its index entry there are updated too (`worktreeUpdated`); if oclhub.ocl has uncommitted changes there, or a Git command holds the index lock, nothing is committed and the answer is 409 with the reason. A branch moved by another writer is met by re-applying the edit to the new tip, with backoff, for up to 10 seconds.',
    responses: {
      200: { description: 'The commit that changed the activation (or `changed: false`)', schema: 'activation-response' },
      404: { description: 'No such policy: neither published nor activated', schema: 'problem' },
      409: { description: 'The hub is not on a branch, oclhub.ocl cannot be edited, it has uncommitted changes in the checked-out working copy, or the branch kept moving', schema: 'problem' },
      422: { description: 'The version is not published', schema: 'problem' },
      501: { description: 'Not provided by this hub (a remote hub is read-only here)', schema: 'problem' },
    },
    handler: async (c) => {
      if (!port.activatePolicy) return notImplemented(c, 'policy activation');
      const { version } = c.get('body') as { version: string | null };
      const token = c.get('token');
      const result = await port.activatePolicy({ slug: c.req.param('slug')!, version, ...(token?.identity ? { author: token.identity } : {}) });
      return c.json(result as object);
    },
  };
}

/** TPL2xx codes of a refused publish → problem types. */
const REFUSAL: Record<string, ProblemTypeName> = {
  TPL203: 'version-exists',
  TPL204: 'conflict',
  TPL205: 'not-found',
  TPL207: 'repository-unavailable',
  TPL210: 'repository-busy',
};

function publishResponse(c: Context<ApiEnv>, outcome: PublishOutcome, versionsPath: string): Response {
  if (outcome.ok) {
    if (outcome.published && outcome.version !== undefined) {
      c.header('Location', `${versionsPath}/${outcome.version}`);
      return c.json(outcome, 201);
    }
    return c.json(outcome, 200);
  }
  const errors = outcome.diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0];
  const name = (first && REFUSAL[first.code]) ?? 'publish-refused';
  const headers: Record<string, string> = outcome.retryAfterSeconds !== undefined ? { 'Retry-After': String(outcome.retryAfterSeconds) } : {};
  return problemResponse(c, problem(name, withoutPaths(first?.summary ?? 'The publish was refused'), { errors: outcome.diagnostics, ...(first ? { code: first.code } : {}) }), headers);
}
