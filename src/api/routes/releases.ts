/**
 * Published versions in the shape Renovate's custom datasources read
 * (`{ "releases": [{ "version", "releaseTimestamp", "changelogContent" }] }`), so teams whose
 * version masks pin a template get upgrade pull requests.
 */
import type { TemplateKind } from '../ports.js';
import type { RouterContext, RouteSpec } from '../router.js';
import { describeKind, publishedVersions } from './templates.js';

export function releaseRoutes(kind: TemplateKind, ctx: RouterContext): RouteSpec[] {
  const base = `/api/${kind}`;
  const what = describeKind(kind);
  const { port } = ctx;
  const versionsOr404 = (slug: string) => publishedVersions(port, kind, slug);
  return [
    {
      method: 'get',
      path: `${base}/:slug/releases`,
      tag: kind,
      scope: 'read',
      summary: `Published versions of a ${what} in Renovate's custom-datasource format`,
      description: 'Point a Renovate customDatasources entry at this URL (format: json) to get upgrade pull requests for version masks.',
      responses: { 200: { description: 'The releases, ascending', schema: 'releases' } },
      handler: async (c) => {
        const versions = await versionsOr404(c.req.param('slug')!);
        return c.json({
          releases: versions.map((v) => ({
            version: v.version,
            ...(v.date !== undefined ? { releaseTimestamp: v.date } : {}),
            ...(v.notes.trim() !== '' ? { changelogContent: v.notes } : {}),
          })),
        });
      },
    },
  ];
}
