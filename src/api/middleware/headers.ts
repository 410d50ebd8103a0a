/**
 * Request headers as Node parsed them. Over @hono/node-server, `c.req.header()` builds a web
 * `Headers` object from every raw header (validating each) on a request's first call: a few µs that
 * a cached gate answer cannot afford. The server (server.ts) hands Node's `IncomingMessage` to the
 * app as `c.env.incoming`; its `rawHeaders` keep every value of a repeated header (`headers` keeps
 * only the first of some, e.g. Authorization), joined here with ", " as `Headers.get` joins them, so
 * both give the same answer. Scanning the few raw headers for one name costs less than building
 * `headersDistinct` for all of them. Without Node's message (`app.request()` in tests, another
 * runtime) this is `c.req.header()`.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/** The value of header `name` (lower-case), as `Headers.get` gives it; undefined when absent. */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const raw = incoming?.rawHeaders;
  if (raw === undefined || !Array.isArray(raw)) return c.req.header(name);
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i]!;
    if (key.length === name.length && key.toLowerCase() === name) value = value === undefined ? raw[i + 1]! : `${value}, ${raw[i + 1]!}`;
  }
  return value;
}
