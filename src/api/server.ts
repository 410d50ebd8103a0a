/**
 * Serving an app over HTTP with @hono/node-server, and stopping gracefully: `close()` stops accepting
 * connections, lets in-flight requests finish (idle keep-alive connections are closed at once), and
 * force-closes what is left after a grace period.
 *
 * Request targets are checked before URL parsing, because the WHATWG URL parser silently resolves
 * `..` and `%2e%2e` segments: `/api/../x` would otherwise reach the app as `/x`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { unsafeTarget } from './middleware/paths.js';
import { problem, PROBLEM_CONTENT_TYPE, type Problem } from './problem.js';

export interface FetchApp {
  fetch(request: Request, ...rest: never[]): Response | Promise<Response>;
}

export interface StartServerOptions {
  app: FetchApp;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 for an ephemeral port. Default 8080. */
  port?: number;
  /** How long close() waits for in-flight requests before cutting connections (default 10 s). */
  gracePeriodMs?: number;
  /** Log line for requests refused before reaching the app (the app logs the rest). */
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  /** Stops accepting connections and resolves once in-flight requests have finished. */
  close(): Promise<void>;
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const listener = getRequestListener((request) => options.app.fetch(request), {
    // Requests node-server cannot turn into a Request (bad Host header, bad target) are 400 problems too.
    errorHandler: () => problemAsResponse(problem('invalid-request', 'The request line or headers are malformed')),
  });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const unsafe = unsafeTarget(req.url ?? '/');
    if (unsafe) {
      const body = JSON.stringify({ ...problem('invalid-path', unsafe), instance: (req.url ?? '/').split('?')[0] });
      res.writeHead(400, { 'Content-Type': PROBLEM_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      options.log?.(`${req.method} ${req.url} 400 0.0ms`);
      return;
    }
    void listener(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      const grace = setTimeout(() => server.closeAllConnections(), options.gracePeriodMs ?? 10_000);
      // Connections that finish their request while we wait become idle: close them as they do.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      server.close(() => {
        clearTimeout(grace);
        clearInterval(sweep);
        resolve();
      });
      server.closeIdleConnections();
    }));
  return { url, port, server, close };
}

function problemAsResponse(p: Problem): Response {
  return new Response(JSON.stringify(p), { status: p.status, headers: { 'Content-Type': PROBLEM_CONTENT_TYPE } });
}
