/**
 * The HTTP server at the transport level, probed with raw sockets on a real server: wrong methods are
 * 405 with Allow, requests Node's parser rejects and slow requests get problem+json, and a server bound
 * to a loopback address answers only loopback host names (DNS rebinding).
 */
import net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { apiSchemas } from '../../src/api/schemas.js';
import { gitPort } from './git-port.js';
import { buildHub, cleanup, expectProblem, startApi, type Api } from './helpers.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends bytes as they are and reads the whole answer (the server closes the connection after it). */
function raw(port: number, bytes: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', ...rest] = data.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    socket.write(bytes);
  });
}

function expectRawProblem(answer: RawAnswer, status: number, type: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toBe('application/problem+json');
  const body = JSON.parse(answer.body) as { type: string; status: number };
  expect(body).toMatchObject({ type: `https://oclhub.dev/problems/${type}`, status });
  expect(apiSchemas().validator('problem')(body)).toBe(true);
}

describe('methods', () => {
  let api: Api;
  let withCors: Api;
  beforeAll(async () => {
    const port = await gitPort(buildHub().dir);
    api = await startApi(port);
    withCors = await startApi(port, { cors: 'https://portal.example.com' });
  });

  it('a wrong method on an existing route is 405 with Allow; an unknown path stays 404', async () => {
    const put = await fetch(`${api.url}/api/process-templates/deploy-web/versions`, { method: 'PUT' });
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
    await expectProblem(put, 405, 'method-not-allowed');
    const post = await fetch(`${api.url}/api/health`, { method: 'POST' });
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    await expectProblem(post, 405, 'method-not-allowed');
    const del = await fetch(`${api.url}/api/policies/no_root/activation`, { method: 'DELETE' });
    expect(del.headers.get('allow')).toBe('POST');
    await expectProblem(del, 405, 'method-not-allowed');
    await expectProblem(await fetch(`${api.url}/api/nothing-here`, { method: 'PUT' }), 404, 'not-found');
    // HEAD of a GET route is served.
    expect((await fetch(`${api.url}/api/health`, { method: 'HEAD' })).status).toBe(200);
  });

  it('OPTIONS without --cors is 405 with Allow; with --cors it is the preflight answer', async () => {
    const options = await fetch(`${api.url}/api/evaluations`, { method: 'OPTIONS' });
    expect(options.headers.get('allow')).toBe('POST');
    await expectProblem(options, 405, 'method-not-allowed');
    const preflight = await fetch(`${withCors.url}/api/evaluations`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://portal.example.com', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://portal.example.com');
  });
});

describe("requests Node's HTTP parser refuses", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ app: createApp(await gitPort(buildHub().dir)), host: '127.0.0.1', port: 0, headersTimeoutMs: 500, requestTimeoutMs: 1000 });
    cleanup(() => server.close());
  });

  it('a malformed request line, an unknown method and a bad Content-Length are 400 problem+json', async () => {
    expectRawProblem(await raw(server.port, 'GARBAGE\r\n\r\n'), 400, 'invalid-request');
    expectRawProblem(await raw(server.port, 'FETCH /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'), 400, 'invalid-request');
    expectRawProblem(await raw(server.port, 'POST /api/evaluations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: nope\r\n\r\n'), 400, 'invalid-request');
  });

  it('headers over 16 KB are 431 problem+json', async () => {
    const answer = await raw(server.port, `GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expectRawProblem(answer, 431, 'request-header-fields-too-large');
  });

  it('a client that never finishes its headers or body is answered 408 problem+json (configurable timeouts)', async () => {
    expectRawProblem(await raw(server.port, 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n'), 408, 'request-timeout');
    expectRawProblem(await raw(server.port, 'POST /api/evaluations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"pro'), 408, 'request-timeout');
  });
});

describe('Host header on a loopback bind', () => {
  let loopback: RunningServer;
  let allowing: RunningServer;
  beforeAll(async () => {
    const app = createApp(await gitPort(buildHub().dir));
    loopback = await startServer({ app, host: '127.0.0.1', port: 0 });
    allowing = await startServer({ app, host: '127.0.0.1', port: 0, allowedHosts: ['hub.internal.example'] });
    cleanup(() => loopback.close());
    cleanup(() => allowing.close());
  });

  const get = (server: RunningServer, host: string) => raw(server.port, `GET /api/health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);

  it('answers loopback names and refuses any other host name (a DNS-rebinding page) with 403', async () => {
    for (const host of ['127.0.0.1', `127.0.0.1:${loopback.port}`, `localhost:${loopback.port}`, `[::1]:${loopback.port}`, 'app.localhost']) {
      expect((await get(loopback, host)).status, host).toBe(200);
    }
    for (const host of ['attacker.example', `attacker.example:${loopback.port}`, '127.0.0.1.attacker.example']) {
      expectRawProblem(await get(loopback, host), 403, 'host-not-allowed');
    }
  });

  it('answers the names given with --allowed-host as well', async () => {
    expect((await get(allowing, 'hub.internal.example')).status).toBe(200);
    expect((await get(allowing, `hub.internal.example:${allowing.port}`)).status).toBe(200);
    expect((await get(allowing, 'localhost')).status).toBe(200);
    expectRawProblem(await get(allowing, 'other.example'), 403, 'host-not-allowed');
  });
});
