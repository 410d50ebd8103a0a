/**
 * The web pages as a Hono router, mounted by the API app (src/api/app.ts) beside the API routes.
 * Pages read the hub through the same port as the API (decisions and their caches are shared) and
 * answer HTML — errors too — with a Content-Security-Policy that allows only this server's own
 * script and stylesheet (no inline script or style anywhere).
 */
import type { Context } from 'hono';
import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import type { FacadePort } from '../api/hub-port.js';
import type { AuthOptions } from '../api/middleware/auth.js';
import type { HubPort } from '../api/ports.js';
import { problemFor } from '../api/problem.js';
import { isValidSlug } from '../templates/version-tags.js';
import type { TemplateKind } from '../templates/version-tags.js';
import { serveAsset } from './assets.js';
import { pageAccess, safeNext, signIn, signOut } from './auth.js';
import { pageContext, refParameter, type PageContext } from './context.js';
import { WebError } from './errors.js';
import { compliance, KINDS, loadDiff, loadOverview, loadPolicies, loadPolicy, loadProject, loadTemplate, loadTemplates } from './loaders.js';
import { DiffPage } from './pages/diff.js';
import { DocsPage } from './pages/docs.js';
import { ErrorPage, SignInPage } from './pages/errors.js';
import { OverviewPage } from './pages/overview.js';
import { PoliciesPage, PolicyPage } from './pages/policies.js';
import { ProjectPage } from './pages/project.js';
import { TemplatePage, TemplatesPage } from './pages/templates.js';

export interface WebOptions {
  port: HubPort;
  auth: AuthOptions;
  /** The OpenAPI document /openapi.json serves (the API docs page renders it). */
  openApi(): object;
  /** Where unexpected errors (with stacks) are reported. */
  logError?(message: string): void;
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  // Pages follow the moving default branch: always ask again (the data behind them is cached).
  'Cache-Control': 'no-cache',
};

type PageBody = { toString(): string | Promise<string> };

async function html(c: Context, status: number, body: PageBody, headers: Record<string, string> = {}): Promise<Response> {
  return c.body(`<!DOCTYPE html>${await body.toString()}`, status as 200, { ...PAGE_HEADERS, ...headers });
}

function isFacade(port: HubPort): port is FacadePort {
  return typeof (port as Partial<FacadePort>).hubAt === 'function';
}

function slugParameter(c: Context, what: string): string {
  const slug = c.req.param('slug') ?? '';
  if (!isValidSlug(slug)) throw new WebError(400, `Invalid ${what}`, `"${slug.slice(0, 80)}" is not a slug: lower-case letters, digits, "-" and "_".`);
  return slug;
}

/**
 * Rendered pages by the answer object they show (the port returns the same object for as long as its
 * cache key holds, so a new commit, new tags or an exception expiring mean a new object and a new
 * rendering) and by a variant string for everything else on the page.
 */
class RenderedPages {
  private readonly byAnswer = new WeakMap<object, Map<string, Promise<string>>>();

  async get(answer: object, variant: string, render: () => Promise<PageBody>): Promise<PageBody> {
    let variants = this.byAnswer.get(answer);
    if (!variants) this.byAnswer.set(answer, (variants = new Map()));
    let text = variants.get(variant);
    if (!text) {
      if (variants.size >= MAX_VARIANTS) variants.delete(variants.keys().next().value!);
      text = render().then((body) => body.toString());
      variants.set(variant, text);
      text.catch(() => variants.delete(variant));
    }
    const body = await text;
    return { toString: () => body };
  }
}

const MAX_VARIANTS = 32;

export function webRoutes(options: WebOptions): Hono {
  const router = new Hono();
  const { auth } = options;
  const rendered = new RenderedPages();

  router.onError(async (error, c) => {
    if (error instanceof WebError) return html(c, error.status, <ErrorPage status={error.status} title={error.title} detail={error.message} />);
    // Hono's own refusals (the sign-in form's cross-site check).
    if (error instanceof HTTPException) return html(c, error.status, <ErrorPage status={error.status} title={error.status === 403 ? 'Forbidden' : 'Refused'} detail={error.message || 'The request was refused.'} />);
    const { problem } = problemFor(error);
    if (problem.status >= 500) (options.logError ?? ((m) => void process.stderr.write(`${m}\n`)))(`${c.req.method} ${c.req.path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return html(c, problem.status, <ErrorPage status={problem.status} title={problem.title} detail={problem.detail ?? problem.title} />);
  });

  /** A page: authorised, then rendered over the hub at the request's ref. */
  const page = (render: (c: Context, ctx: PageContext, port: FacadePort) => Promise<PageBody> | PageBody) => async (c: Context) => {
    const access = pageAccess(c, auth);
    if (!access.allowed) {
      const next = `${c.req.path}${new URL(c.req.url).search}`;
      return html(c, 401, <SignInPage next={next} />, { 'WWW-Authenticate': 'Bearer realm="oclhub", scope="read"', 'Cache-Control': 'no-store' });
    }
    const port = options.port;
    if (!isFacade(port)) throw new WebError(501, 'Pages not available', 'This server serves the API over a hub without the façade: the pages need `oclhub serve`.');
    const ctx = await pageContext(c, port, access.signedIn);
    return html(c, 200, await render(c, ctx, port), access.signedIn || auth.authReads ? { 'Cache-Control': 'no-store' } : {});
  };

  router.get('/assets/:name', (c) => serveAsset(c));

  router.get(
    '/',
    page(async (c, ctx, port) => {
      const tag = c.req.query('tag') || undefined;
      // The overview is cached by the compliance answer it shows — the port's entry for the API's
      // cache key (commit, tags, exceptions in force) — and by what else the page shows.
      const answer = await compliance(port, ctx);
      const variant = JSON.stringify([ctx.ref ?? null, ctx.query, ctx.signedIn, ctx.refs.head ?? null, ctx.refs.branches, ctx.refs.tags.length, ctx.refs.tags[ctx.refs.tags.length - 1] ?? null]);
      return rendered.get(answer, variant, async () => {
        const data = await loadOverview(port, ctx, tag);
        return <OverviewPage ctx={ctx} matrix={data.matrix} {...(tag !== undefined ? { tag } : {})} templates={data.templates} policies={data.policies} diagnostics={data.diagnostics} />;
      });
    }),
  );

  router.get(
    '/projects/:slug',
    page(async (c, ctx, port) => <ProjectPage ctx={ctx} data={await loadProject(port, ctx, slugParameter(c, 'project'))} />),
  );

  router.get(
    '/templates',
    page(async (_c, ctx, port) => <TemplatesPage ctx={ctx} data={await loadTemplates(port, ctx)} />),
  );

  router.get(
    '/templates/:kind/:slug',
    page(async (c, ctx, port) => {
      const kind = c.req.param('kind') as TemplateKind;
      if (!KINDS.includes(kind) || kind === 'policies') throw new WebError(404, 'No such template kind', `Template kinds are process-templates and project-templates; policies are under /policies.`);
      const slug = slugParameter(c, 'template');
      const from = c.req.query('from') || undefined;
      const to = c.req.query('to') || undefined;
      return <TemplatePage ctx={ctx} data={await loadTemplate(port, ctx, kind, slug, { ...(from ? { from } : {}), ...(to ? { to } : {}) })} />;
    }),
  );

  router.get(
    '/policies',
    page(async (_c, ctx, port) => <PoliciesPage ctx={ctx} rows={await loadPolicies(port, ctx)} />),
  );

  router.get(
    '/policies/:slug',
    page(async (c, ctx, port) => <PolicyPage ctx={ctx} data={await loadPolicy(port, ctx, slugParameter(c, 'policy'))} />),
  );

  router.get(
    '/diff',
    page(async (c, ctx, port) => {
      const from = refParameter(c.req.query('from'), 'from');
      const to = refParameter(c.req.query('to'), 'to');
      if (from === undefined || to === undefined) return <DiffPage ctx={ctx} {...(from ? { from } : {})} {...(to ? { to } : {})} />;
      try {
        return <DiffPage ctx={ctx} from={from} to={to} answer={await loadDiff(port, from, to)} />;
      } catch (error) {
        const { problem } = problemFor(error);
        if (problem.status >= 500 && problem.status !== 501) throw error;
        return <DiffPage ctx={ctx} from={from} to={to} error={`${problem.title}: ${problem.detail ?? ''}`} />;
      }
    }),
  );

  router.get('/docs', async (c) => {
    const access = pageAccess(c, auth);
    if (!access.allowed) return html(c, 401, <SignInPage next="/docs" />, { 'WWW-Authenticate': 'Bearer realm="oclhub", scope="read"', 'Cache-Control': 'no-store' });
    return html(c, 200, <DocsPage document={options.openApi()} />);
  });

  router.get('/login', (c) => html(c, 200, <SignInPage next={safeNext(c.req.query('next'))} />, { 'Cache-Control': 'no-store' }));

  router.post('/login', csrf(), async (c) => {
    const form = await c.req.parseBody();
    const next = safeNext(form['next']);
    if (!signIn(c, auth, typeof form['token'] === 'string' ? form['token'] : '')) return html(c, 401, <SignInPage next={next} failed />, { 'Cache-Control': 'no-store' });
    return c.redirect(next, 303);
  });

  router.post('/logout', csrf(), (c) => {
    signOut(c);
    return c.redirect('/', 303);
  });

  return router;
}
