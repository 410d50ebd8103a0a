/**
 * Request headers as Node parsed them. Over @hono/node-server, `c.req.header()` builds a web
 * `Headers` object from every raw header (validating each) on a request's first call: a few µs that
 * a cached gate answer cannot afford. The server (server.ts) hands Node's `IncomingMessage` to the
 * app as `c.env.incoming`; its `headersDistinct` keeps every value of a repeated header, joined here
 * with ", " as `Headers.get` joins them, so both give the same answer. Without it (`app.request()` in
 * tests, another runtime) this is `c.req.header()`.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/** The value of header `name` (lower-case), as `Headers.get` gives it; undefined when absent. */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming === undefined || typeof incoming.headersDistinct !== 'object') return c.req.header(name);
  const values = incoming.headersDistinct[name];
  if (values === undefined) return undefined;
  return values.length === 1 ? values[0] : values.join(', ');
}
