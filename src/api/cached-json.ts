/**
 * JSON responses of answers the port caches (the gate, the compliance matrix): a cached answer is the
 * same object on every hit, so its serialisation is kept beside it (a WeakMap: it goes when the answer
 * leaves the cache) instead of being rebuilt on every request — 4 MB for a 1,000-project compliance
 * matrix. With an ETag (a hash of the bytes), a client that has them gets 304.
 */
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { ApiEnv } from './env.js';

interface Serialised {
  body: Uint8Array<ArrayBuffer>;
  etag: string;
}

const serialised = new WeakMap<object, Serialised>();

function serialise(value: object): Serialised {
  let known = serialised.get(value);
  if (!known) {
    const bytes = Buffer.from(JSON.stringify(value), 'utf8');
    const body = new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
    known = { body, etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"` };
    serialised.set(value, known);
  }
  return known;
}

/** 200 with the value's JSON (serialised once per value object), or 304 when `If-None-Match` names its ETag. */
export function cachedJson(c: Context<ApiEnv>, value: object, options: { etag?: boolean } = {}): Response {
  const { body, etag } = serialise(value);
  const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=UTF-8' };
  if (options.etag) {
    headers.ETag = etag;
    const wanted = c.req.header('If-None-Match');
    if (wanted !== undefined && wanted.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) return new Response(null, { status: 304, headers: { ETag: etag } });
  }
  return new Response(body, { status: 200, headers });
}
