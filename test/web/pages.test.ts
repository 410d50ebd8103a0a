/**
 * The pages over HTTP (no browser): every page answers HTML with the CSP, untrusted text is escaped,
 * --auth-reads guards the pages (bearer header or the sign-in cookie), errors are HTML pages with the
 * API's statuses, assets are local, and the matrix statuses come from the one mapping in src/web.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { gitPort } from '../api/git-port.js';
import { buildHub } from '../api/helpers.js';
import { parseTokenFile } from '../../src/api/tokens.js';
import { displayLocation } from '../../src/web/components/layout.js';
import { contextStatus, STATUS_ORDER, STATUS_VIEW } from '../../src/web/index.js';
import { buildWebHub, RELAX_BRANCH, serve, XSS_NAME, type WebHub } from './fixture.js';

const READ_TOKEN = 'read-token-for-web-pages-0123456789';
const TOKENS = parseTokenFile(`${READ_TOKEN} read\n`).tokens;

let hub: WebHub;
let open: RunningServer;
let guarded: RunningServer;

beforeAll(async () => {
  hub = await buildWebHub();
  open = await serve(hub.demo);
  guarded = await serve(hub.demo, { tokens: TOKENS, authReads: true });
});
afterAll(async () => {
  await open?.close();
  await guarded?.close();
  hub?.cleanup();
});

const PAGES = ['/', '/projects/reporting', '/templates', '/templates/process-templates/deploy-web-app', '/policies', '/policies/no_disabled_steps', '/diff', '/docs'];

async function page(server: RunningServer, path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: string }> {
  const response = await fetch(server.url + path, { redirect: 'manual', ...init });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

describe('pages over HTTP', () => {
  it('answers every page as HTML with a CSP that allows no inline script or style', async () => {
    for (const path of PAGES) {
      const { status, headers, body } = await page(open, path);
      expect({ path, status }).toEqual({ path, status: 200 });
      expect(headers.get('content-type')).toBe('text/html; charset=utf-8');
      const csp = headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(body.startsWith('<!DOCTYPE html><html lang="en">')).toBe(true);
      // No inline script or style anywhere: only the local script file and stylesheet.
      expect(body).not.toMatch(/<script(?![^>]*\bsrc="\/assets\/app\.js)/);
      expect(body).not.toMatch(/\sstyle=|<style/);
      // Nothing is loaded from another server (no CDN).
      expect(body).not.toMatch(/(src|href)="(https?:)?\/\//);
    }
  });

  it('escapes a step name holding markup', async () => {
    const { body } = await page(open, '/projects/reporting');
    expect(body).not.toContain(XSS_NAME);
    expect(body).toContain('&lt;script&gt;window.__xss = 1&lt;/script&gt;&lt;img src=x onerror=window.__xss=2&gt;Export');
  });

  it('shows the compliance matrix with the blocked cell linked to its context', async () => {
    const { body } = await page(open, '/');
    expect(body).toMatch(/<td class="st-blocked"><a href="\/projects\/reporting#context-production">/);
    expect(body).toContain('Blocked</span><span class="findings">(2 findings)</span>');
    expect(body).toMatch(/<td class="st-excepted"><a href="\/projects\/reporting#context-development">/);
    // Tenant rows of the tenanted project.
    expect(body).toContain('Acme Corp');
    expect(body).toContain('/projects/payments-api#context-production--globex');
  });

  it('keeps the ref on every link of a page read at another ref, and reads that ref', async () => {
    const { body } = await page(open, `/?ref=${RELAX_BRANCH}`);
    expect(body).toContain(`href="/templates?ref=${RELAX_BRANCH}"`);
    expect(body).toContain(`href="/projects/reporting?ref=${RELAX_BRANCH}#context-production"`);
    expect(body).toMatch(/<td class="st-warned"><a href="\/projects\/reporting\?ref=relax-approval#context-production">/);
    expect(body).toContain(`value="${RELAX_BRANCH}"`);
  });

  it('filters the matrix by project tag', async () => {
    const { body } = await page(open, `/?tag=${encodeURIComponent('team/data')}`);
    expect(body).toContain('/projects/reporting');
    expect(body).not.toContain('href="/projects/storefront"');
  });

  it('lists the decision changes between two refs', async () => {
    const { body } = await page(open, `/diff?from=main&to=${RELAX_BRANCH}`);
    expect(body).toContain('Newly allowed');
    expect(body).toContain('reporting/production');
    expect(body).toContain('1 newly allowed');
  });

  it('shows a template\'s consumers and a side-by-side diff of two versions', async () => {
    const { body } = await page(open, '/templates/process-templates/deploy-web-app?from=1.1.0&to=2.0.0');
    expect(body).toContain('id="consumers-table"');
    expect(body).toMatch(/Storefront<\/a><\/th><td>Deploy storefront/);
    expect(body).toContain('<td>2.0.0</td>');
    expect(body).toContain('.octopus/process-templates/deploy-web-app.ocl: 1.1.0 → 2.0.0');
    expect(body).toContain('parameter &quot;Template.Notify.Channel&quot; {');
  });

  it('shows a policy\'s Rego, its matrix, exceptions and unit-test results', async () => {
    const { body } = await page(open, '/policies/no_disabled_steps');
    expect(body).toContain('package no_disabled_steps');
    expect(body).toContain('2 tests: 2 passed, 0 failed');
    expect(body).toContain('reporting-disabled-export');
    expect(body).toContain('in force');
    expect(body).toMatch(/Violation \(warns\)/);
  });

  it('renders the API documentation from the OpenAPI document', async () => {
    const { body } = await page(open, '/docs');
    const document = (await (await fetch(`${open.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const path of Object.keys(document.paths)) expect(body).toContain(`<code>${path}</code>`);
  });

  it('answers errors as HTML pages with the API\'s statuses', async () => {
    expect((await page(open, '/projects/nope')).status).toBe(404);
    expect((await page(open, '/projects/nope')).body).toContain('registers no project');
    expect((await page(open, '/projects/Not_A_Slug!')).status).toBe(400);
    expect((await page(open, '/?ref=no-such-branch')).status).toBe(404);
    expect((await page(open, '/?ref=..%2Fetc')).status).toBe(400);
    expect((await page(open, '/templates/process-templates/deploy-web-app?from=9.9.9')).status).toBe(404);
    const missing = await page(open, '/policies/no_such_policy');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('text/html');
    // The API keeps its problem+json.
    expect((await fetch(`${open.url}/api/nope`)).headers.get('content-type')).toContain('application/problem+json');
  });

  it('follows the default branch as it moves: a cached overview is never shown for a new commit', async () => {
    const before = await page(open, '/');
    expect(before.body).toMatch(/<td class="st-excepted"><a href="\/projects\/reporting#context-development">/);
    const store = hub.demo.hub.store;
    const head = (await store.resolveRef('main')).oid!;
    const config = await store.readTextFile(head, 'oclhub.ocl');
    const withoutException = config.replace(/\nexception "reporting-disabled-export" \{[^}]*\}\n/, '\n');
    expect(withoutException).not.toBe(config);
    const commit = await store.commitChanges({ branch: 'main', expectedOid: head, changes: [{ path: 'oclhub.ocl', content: withoutException }], message: 'drop the exception', author: { name: 'Test', email: 'test@example.com' } });
    const after = await page(open, '/');
    expect(after.body).toContain(commit.oid.slice(0, 12));
    expect(after.body).toMatch(/<td class="st-warned"><a href="\/projects\/reporting#context-development">/);
  });

  it('serves its assets locally with an ETag', async () => {
    const { body } = await page(open, '/');
    const css = /href="(\/assets\/app\.css\?v=[^"]+)"/.exec(body)![1]!;
    const first = await fetch(open.url + css);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('text/css');
    const again = await fetch(open.url + css, { headers: { 'If-None-Match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect((await fetch(`${open.url}/assets/app.js`)).headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${open.url}/assets/secret`)).status).toBe(404);
  });
});

describe('pages under --auth-reads', () => {
  it('refuses every page without a read token, with a sign-in form', async () => {
    for (const path of PAGES) {
      const { status, headers, body } = await page(guarded, path);
      expect({ path, status }).toEqual({ path, status: 401 });
      expect(headers.get('www-authenticate')).toContain('Bearer');
      expect(body).toContain('<form method="post" action="/login"');
      // Nothing of the hub shows.
      expect(body).not.toMatch(/Payments API|st-blocked|hub-facts/);
    }
  });

  it('serves pages to a bearer token, and to a browser after signing in', async () => {
    expect((await page(guarded, '/', { headers: { Authorization: `Bearer ${READ_TOKEN}` } })).status).toBe(200);
    expect((await page(guarded, '/', { headers: { Authorization: 'Bearer wrong-token-0123456789abcdef' } })).status).toBe(401);

    const origin = guarded.url;
    const form = (token: string) => new URLSearchParams({ token, next: '/projects/reporting' });
    const refused = await page(guarded, '/login', { method: 'POST', body: form('not-the-token-0123456789'), headers: { Origin: origin } });
    expect(refused.status).toBe(401);
    expect(refused.body).toContain('not valid');

    const crossSite = await page(guarded, '/login', { method: 'POST', body: form(READ_TOKEN), headers: { Origin: 'http://evil.example' } });
    expect(crossSite.status).toBe(403);

    const signedIn = await fetch(`${origin}/login`, { method: 'POST', body: form(READ_TOKEN), headers: { Origin: origin }, redirect: 'manual' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/projects/reporting');
    const cookie = signedIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const session = cookie.split(';')[0]!;
    const project = await page(guarded, '/projects/reporting', { headers: { Cookie: session } });
    expect(project.status).toBe(200);
    expect(project.body).toContain('Sign out');
    // The cookie opens the pages only: the API still wants the bearer header.
    expect((await fetch(`${origin}/api/compliance`, { headers: { Cookie: session } })).status).toBe(401);
  });

  it('never redirects a sign-in off this server', async () => {
    const response = await fetch(`${guarded.url}/login`, { method: 'POST', body: new URLSearchParams({ token: READ_TOKEN, next: '//evil.example/x' }), headers: { Origin: guarded.url }, redirect: 'manual' });
    expect(response.headers.get('location')).toBe('/');
  });
});

describe('pages over a port without the façade', () => {
  it('answer 501 as an HTML page (the API still works)', async () => {
    const { dir } = buildHub();
    const server = await startServer({ app: createApp(await gitPort(dir)), host: '127.0.0.1', port: 0 });
    try {
      const response = await fetch(`${server.url}/`);
      expect(response.status).toBe(501);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(await response.text()).toContain('the pages need `oclhub serve`');
      expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('hub location', () => {
  it('never shows credentials of a hub URL', () => {
    expect(displayLocation('https://ci-bot:s3cret@git.example.com/platform/hub.git')).toBe('https://git.example.com/platform/hub.git');
    expect(displayLocation('/srv/hubs/platform')).toBe('/srv/hubs/platform');
  });
});

describe('matrix statuses', () => {
  const d = (outcome: string, action = 'block') => ({ outcome, action });

  it('maps decisions to one of six statuses, the worst winning', () => {
    expect(contextStatus({ decisions: [] })).toBe('allowed');
    expect(contextStatus({ decisions: [d('pass'), d('skipped')] })).toBe('allowed');
    expect(contextStatus({ decisions: [d('excepted', 'warn'), d('pass')] })).toBe('excepted');
    expect(contextStatus({ decisions: [d('inconclusive'), d('excepted')] })).toBe('inconclusive');
    expect(contextStatus({ decisions: [d('violation', 'warn'), d('inconclusive')] })).toBe('warned');
    expect(contextStatus({ decisions: [d('error'), d('violation', 'warn')] })).toBe('error');
    expect(contextStatus({ decisions: [d('violation'), d('error')] })).toBe('blocked');
    expect(contextStatus({ decisions: [d('pass')], broken: true })).toBe('error');
    // A status the façade gives (once it reports error and inconclusive cells itself) counts too.
    expect(contextStatus({ status: 'inconclusive', decisions: [d('pass')] })).toBe('inconclusive');
    expect(contextStatus({ status: 'allowed', decisions: [d('violation')] })).toBe('blocked');
  });

  it('gives every status a label and an icon, so none is told by colour alone', () => {
    expect(STATUS_ORDER).toHaveLength(6);
    for (const status of STATUS_ORDER) {
      expect(STATUS_VIEW[status].label).toMatch(/^[A-Z][a-z]+$/);
      expect(STATUS_VIEW[status].icon.length).toBeGreaterThan(0);
    }
    expect(new Set(STATUS_ORDER.map((s) => STATUS_VIEW[s].icon)).size).toBe(6);
  });
});
