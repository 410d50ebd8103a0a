/**
 * The pages' static files (src/web/assets: the stylesheet, the progressive-enhancement script, the
 * icon), served from this server — never a CDN: hub servers and their users often have no internet.
 * They are plain files with no build step, read once; responses carry an ETag so browsers revalidate
 * cheaply. They hold no hub data, so they are served without a token even under --auth-reads (the
 * sign-in page needs its stylesheet).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Context } from 'hono';

/** The same folder from src/web and from dist/web: both sit two levels under the package root. */
const FOLDER = new URL('../../src/web/assets/', import.meta.url);

const TYPES: Record<string, string> = {
  'app.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

interface Asset {
  body: string;
  type: string;
  etag: string;
}

const loaded = new Map<string, Asset>();

function asset(name: string): Asset | undefined {
  const type = TYPES[name];
  if (type === undefined) return undefined;
  let found = loaded.get(name);
  if (!found) {
    const body = readFileSync(new URL(name, FOLDER), 'utf8');
    found = { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
    loaded.set(name, found);
  }
  return found;
}

/** `/assets/<name>?v=<etag>`: the version makes a changed file a new URL. */
export function assetUrl(name: string): string {
  const found = asset(name);
  return `/assets/${name}${found ? `?v=${found.etag.slice(1, 9)}` : ''}`;
}

export function serveAsset(c: Context): Response {
  const found = asset(c.req.param('name') ?? '');
  if (!found) return c.text('Not found', 404);
  const headers = { 'Content-Type': found.type, ETag: found.etag, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' };
  if (c.req.header('If-None-Match') === found.etag) return c.body(null, 304, headers);
  return c.body(found.body, 200, headers);
}
