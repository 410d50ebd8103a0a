/**
 * Serving an app over HTTP with @hono/node-server, and stopping gracefully: `close()` stops accepting
 * connections, lets in-flight requests finish (idle keep-alive connections are closed at once), and
 * force-closes what is left after a grace period.
 *
 * Request targets are checked before URL parsing, because the WHATWG URL parser silently resolves
 * `..` and `%2e%2e` segments: `/api/../x` would otherwise reach the app as `/x`.
 *
 * Transport-level hardening lives here too, because the app never sees these requests:
 * - requests Node's parser rejects (bad request line, unknown method, bad Content-Length, headers over
 *   16 KB) and requests that time out get a problem+json answer instead of a bare status line;
 * - header and request timeouts suited to a JSON API (20 s and 30 s by default), not Node's 300 s;
 * - the Host header: bound to a loopback address, the server answers only loopback host names (and
 *   `allowedHosts`), so a web page cannot reach it through DNS rebinding.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { unsafeTarget } from './middleware/paths.js';
import { problem, PROBLEM_CONTENT_TYPE, type Problem } from './problem.js';

export interface FetchApp {
  /** `env` is `{ incoming, outgoing }`: Node's request and response (middleware/headers.ts reads the first). */
  fetch(request: Request, env: { incoming: IncomingMessage; outgoing: ServerResponse }): Response | Promise<Response>;
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
  /** How long a client may take to send the request headers (default 20 s). */
  headersTimeoutMs?: number;
  /** How long a client may take to send the whole request (default 30 s). */
  requestTimeoutMs?: number;
  /**
   * Host names (or host:port) the server answers besides the loopback names when bound to a loopback
   * address; when bound elsewhere and given, only these. `*` allows any host.
   */
  allowedHosts?: readonly string[];
}

export const DEFAULT_HEADERS_TIMEOUT_MS = 20_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::ffff:127.0.0.1';
}

/** The host name of a Host header (`[::1]:8080` → `::1`), lower-case. */
function hostName(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']') > 0 ? value.indexOf(']') : undefined);
  const colon = value.lastIndexOf(':');
  return colon > 0 && value.indexOf(':') === colon ? value.slice(0, colon) : value;
}

/** Which Host headers to answer, or undefined for any. */
export function hostPolicy(bind: string, allowed: readonly string[] | undefined): ((header: string | undefined) => boolean) | undefined {
  if (allowed?.includes('*')) return undefined;
  const loopback = isLoopback(hostName(bind)) || bind === 'localhost';
  if (!loopback && (allowed === undefined || allowed.length === 0)) return undefined;
  const names = new Set([...(loopback ? LOOPBACK_NAMES : []), ...(allowed ?? []).map((h) => hostName(h))]);
  return (header) => {
    if (header === undefined || header === '') return false;
    const name = hostName(header);
    return names.has(name) || (loopback && (isLoopback(name) || name.endsWith('.localhost')));
  };
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
  const listener = getRequestListener((request, env) => options.app.fetch(request, env as { incoming: IncomingMessage; outgoing: ServerResponse }), {
    // Requests node-server cannot turn into a Request (bad Host header, bad target) are 400 problems too.
    errorHandler: () => problemAsResponse(problem('invalid-request', 'The request line or headers are malformed')),
  });
  const hostAllowed = hostPolicy(host, options.allowedHosts);
  const refuse = (req: IncomingMessage, res: ServerResponse, p: Problem) => {
    const body = JSON.stringify({ ...p, instance: (req.url ?? '/').split('?')[0] });
    res.writeHead(p.status, { 'Content-Type': PROBLEM_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    options.log?.(`${req.method} ${req.url} ${p.status} 0.0ms`);
  };
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // Node requires the header timeout not to exceed the request timeout.
  const headersTimeout = Math.min(options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, requestTimeout);
  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      // Node only looks for timed-out requests this often (default 30 s): a timeout is late by up to this much.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
    (req: IncomingMessage, res: ServerResponse) => {
      if (hostAllowed && !hostAllowed(req.headers.host)) {
        refuse(req, res, problem('host-not-allowed', `This server does not answer for host ${JSON.stringify(req.headers.host ?? '')}; start it with --allowed-host to add one`));
        return;
      }
      const unsafe = unsafeTarget(req.url ?? '/');
      if (unsafe) {
        refuse(req, res, problem('invalid-path', unsafe));
        return;
      }
      void listener(req, res);
    },
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const p = clientErrorProblem(error);
    // A reset connection, or one whose response already started, cannot carry an answer.
    if (p === undefined || !socket.writable || (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify(p);
    socket.end(
      `HTTP/1.1 ${p.status} ${p.title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    options.log?.(`- - ${p.status} (${error.code ?? 'client error'})`);
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

/** The answer to a request Node's HTTP parser refused, or undefined when the connection is just gone. */
export function clientErrorProblem(error: NodeJS.ErrnoException): Problem | undefined {
  switch (error.code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined;
    case 'HPE_HEADER_OVERFLOW':
      return problem('request-header-fields-too-large', 'The request headers are larger than the server accepts (16 KB)');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'HPE_HEADERS_TIMEOUT':
      return problem('request-timeout', 'The request was not received in time');
    case 'HPE_INVALID_METHOD':
      return problem('invalid-request', 'The request method is not valid HTTP');
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return problem('invalid-request', 'The Content-Length header is not valid');
    default:
      return problem('invalid-request', 'The request line or headers are malformed');
  }
}

function problemAsResponse(p: Problem): Response {
  return new Response(JSON.stringify(p), { status: p.status, headers: { 'Content-Type': PROBLEM_CONTENT_TYPE } });
}
