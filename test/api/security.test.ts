/** Auth, CORS, body limits, schema validation and error hygiene, against the real server. */
import { request as httpRequest } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTokenFile, findToken } from '../../src/api/tokens.js';
import type { HubPort } from '../../src/api/ports.js';
import { gitPort } from './git-port.js';
import { buildHub, expectJson, expectProblem, PUBLISH_TOKEN, READ_TOKEN, startApi, type Api, type TestHub } from './helpers.js';

let hub: TestHub;
let port: HubPort;
let api: Api;

beforeAll(async () => {
  hub = buildHub();
  port = await gitPort(hub.dir);
  api = await startApi(port);
});

const publishBody = { bump: 'patch', dryRun: true };

describe('token file', () => {
  it('parses tokens, scopes, identities and comments', () => {
    const { tokens, errors } = parseTokenFile('# comment\n\nabcdefghijklmnop1 read\nabcdefghijklmnop2 read,publish Ann Admin <ann@example.com>\n', 'tokens.txt');
    expect(errors).toEqual([]);
    expect(tokens.map((t) => [...t.scopes].sort())).toEqual([['read'], ['publish', 'read']]);
    expect(tokens[1]!.identity).toEqual({ name: 'Ann Admin', email: 'ann@example.com' });
    expect(tokens.map((t) => t.label)).toEqual(['tokens.txt:3', 'tokens.txt:4']);
    expect(findToken(tokens, 'abcdefghijklmnop2')).toBe(tokens[1]);
    expect(findToken(tokens, 'abcdefghijklmnop')).toBeUndefined();
    // Only digests are kept.
    expect(JSON.stringify(tokens)).not.toContain('abcdefghijklmnop');
  });

  it('rejects unknown scopes, short tokens and malformed identities with line numbers', () => {
    const { tokens, errors } = parseTokenFile('abcdefghijklmnop1 admin\nshort read\nabcdefghijklmnop3\nabcdefghijklmnop4 read not-an-identity\n', 't');
    expect(tokens).toEqual([]);
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/^t:1: unknown scope "admin"/);
    expect(errors[1]).toMatch(/^t:2: token is shorter/);
    expect(errors[2]).toMatch(/^t:3: expected/);
    expect(errors[3]).toMatch(/^t:4: expected an identity/);
  });
});

describe('authorization', () => {
  it('refuses a write without a token: 401 with WWW-Authenticate: Bearer', async () => {
    const response = await api.post('/api/process-templates/deploy-web/versions', publishBody);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    await expectProblem(response, 401, 'unauthorized');
  });

  it('refuses an unknown token: 401 invalid_token', async () => {
    const response = await api.post('/api/process-templates/deploy-web/versions', publishBody, { token: `${PUBLISH_TOKEN}x` });
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    await expectProblem(response, 401, 'unauthorized');
  });

  it('refuses a malformed Authorization header: 401', async () => {
    const response = await api.post('/api/process-templates/deploy-web/versions', publishBody, { headers: { Authorization: `Basic ${PUBLISH_TOKEN}` } });
    await expectProblem(response, 401, 'unauthorized');
  });

  it('refuses a token without the publish scope: 403 insufficient_scope', async () => {
    const response = await api.post('/api/process-templates/deploy-web/versions', publishBody, { token: READ_TOKEN });
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    await expectProblem(response, 403, 'forbidden');
  });

  it('accepts the publish token', async () => {
    const body = await expectJson<{ ok: boolean; version: string }>(
      await api.post('/api/process-templates/deploy-web/versions', publishBody, { token: PUBLISH_TOKEN }),
      200,
      'publish-response',
    );
    expect(body).toMatchObject({ ok: true, version: '1.1.1' });
  });

  it('leaves reads open by default, and closes them with authReads', async () => {
    expect((await api.get('/api/process-templates')).status).toBe(200);
    const closed = await startApi(port, { authReads: true });
    await expectProblem(await closed.get('/api/process-templates'), 401, 'unauthorized');
    await expectProblem(await closed.get('/api/process-templates', { headers: { Authorization: 'Bearer nope-nope-nope-nope' } }), 401, 'unauthorized');
    expect((await closed.get('/api/process-templates', { headers: { Authorization: `Bearer ${READ_TOKEN}` } })).status).toBe(200);
    // publish implies read
    expect((await closed.get('/api/process-templates', { headers: { Authorization: `Bearer ${PUBLISH_TOKEN}` } })).status).toBe(200);
  });

  it('reads headers as Node parsed them, a repeated Authorization joined as the Fetch API joins it', async () => {
    const closed = await startApi(port, { authReads: true });
    // "Bearer a, Bearer b" is no bearer token: 401, whichever of the two is valid.
    const twice = await rawGet(closed.url, '/api/process-templates', ['Authorization', `Bearer ${READ_TOKEN}`, 'Authorization', `Bearer ${PUBLISH_TOKEN}`]);
    expect(twice.status).toBe(401);
    expect(JSON.parse(twice.body).type).toMatch(/unauthorized$/);
    // Header names are case-insensitive on the wire.
    expect((await rawGet(closed.url, '/api/process-templates', ['aUtHoRiZaTiOn', `Bearer ${READ_TOKEN}`])).status).toBe(200);
    expect((await rawGet(closed.url, '/api/process-templates', ['aUtHoRiZaTiOn', 'Bearer nope-nope-nope-nope'])).status).toBe(401);
  });

  it('refuses every write when the server has no tokens', async () => {
    const tokenless = await startApi(port, { tokens: [] });
    await expectProblem(await tokenless.post('/api/process-templates/deploy-web/versions', publishBody, { token: PUBLISH_TOKEN }), 401, 'unauthorized');
  });
});

describe('request bodies', () => {
  it('answers 400 with the ajv errors for a body that does not match the schema', async () => {
    const response = await api.post('/api/process-templates/deploy-web/versions', { bump: 'huge', dryRun: 'yes', extra: 1 }, { token: PUBLISH_TOKEN });
    const problem = await expectProblem(response, 400, 'validation-failed');
    const errors = problem.errors as { instancePath: string; keyword: string; params: Record<string, unknown> }[];
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ instancePath: '/bump', keyword: 'enum' }),
        expect.objectContaining({ instancePath: '/dryRun', keyword: 'type' }),
        expect.objectContaining({ instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'extra' } }),
      ]),
    );
  });

  it('answers 400 for a missing required property', async () => {
    const problem = await expectProblem(await api.post('/api/policies/no_root/activation', {}, { token: PUBLISH_TOKEN }), 400, 'validation-failed');
    expect(problem.errors).toEqual([expect.objectContaining({ keyword: 'required', params: { missingProperty: 'version' } })]);
  });

  it('answers 400 for malformed JSON and 415 for another media type', async () => {
    await expectProblem(await api.post('/api/process-templates/deploy-web/versions', '{"bump": ', { token: PUBLISH_TOKEN }), 400, 'malformed-json');
    await expectProblem(
      await api.post('/api/process-templates/deploy-web/versions', 'bump=patch', { token: PUBLISH_TOKEN, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
      415,
      'unsupported-media-type',
    );
  });

  it('answers 413 for a body over the limit (default 1 MiB)', async () => {
    const notes = 'x'.repeat(1024 * 1024 + 10);
    await expectProblem(await api.post('/api/process-templates/deploy-web/versions', { bump: 'patch', notes }, { token: PUBLISH_TOKEN }), 413, 'payload-too-large');
    const small = await startApi(port, { bodyLimit: 64 });
    await expectProblem(await small.post('/api/evaluations', { project: 'p'.repeat(100), environment: 'e' }), 413, 'payload-too-large');
  });

  it('answers 413 for a chunked body over the limit (no Content-Length)', async () => {
    const small = await startApi(port, { bodyLimit: 1000 });
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode(i === 0 ? '{"project":"' : 'a'.repeat(100)));
        controller.enqueue(new TextEncoder().encode('","environment":"e"}'));
        controller.close();
      },
    });
    const response = await fetch(`${small.url}/api/evaluations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: chunks, duplex: 'half' } as RequestInit);
    await expectProblem(response, 413, 'payload-too-large');
  });
});

describe('errors', () => {
  it('never leak a stack trace: an unexpected failure is a bare 500 problem, logged on the server', async () => {
    const failing: HubPort = {
      ...port,
      listTemplates: async () => {
        throw new Error('database exploded at /srv/secret/path.ts:12:3');
      },
    };
    const broken = await startApi(failing);
    const problem = await expectProblem(await broken.get('/api/policies'), 500, 'internal-error');
    expect(JSON.stringify(problem)).not.toContain('exploded');
    expect(JSON.stringify(problem)).not.toContain('/srv/secret');
    expect(broken.errors.join('\n')).toContain('database exploded');
  });

  it('answer 501 problem+json for routes whose port method is missing', async () => {
    const stubbed = await startApi(await gitPort(hub.dir, { withoutPublish: true }));
    await expectProblem(await stubbed.post('/api/process-templates/deploy-web/versions', publishBody, { token: PUBLISH_TOKEN }), 501, 'not-implemented');
    for (const path of ['/api/projects', '/api/projects/web-app/process', '/api/projects/web-app/input?environment=production', '/api/compliance', '/api/diff?from=main&to=main']) {
      await expectProblem(await stubbed.get(path), 501, 'not-implemented');
    }
    await expectProblem(await stubbed.post('/api/evaluations', { project: 'web-app', environment: 'production' }), 501, 'not-implemented');
    await expectProblem(await stubbed.post('/api/policies/no_root/activation', { version: '1.0.0' }, { token: PUBLISH_TOKEN }), 501, 'not-implemented');
  });

  it('check required query parameters before anything else', async () => {
    await expectProblem(await api.get('/api/diff?from=main'), 400, 'invalid-parameter');
    await expectProblem(await api.get('/api/projects/web-app/input'), 400, 'invalid-parameter');
  });

  it('still validates bodies of stub routes, so clients get schema feedback', async () => {
    await expectProblem(await api.post('/api/evaluations', { project: 'web-app' }), 400, 'validation-failed');
  });
});

describe('CORS', () => {
  it('sends no CORS headers without the cors option', async () => {
    const response = await api.get('/api/health', { headers: { Origin: 'https://portal.example.com' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${api.url}/api/process-templates/deploy-web/versions`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://portal.example.com', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows exactly the configured origin', async () => {
    const withCors = await startApi(port, { cors: 'https://portal.example.com' });
    const response = await withCors.get('/api/health', { headers: { Origin: 'https://portal.example.com' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://portal.example.com');
    const preflight = await fetch(`${withCors.url}/api/process-templates/deploy-web/versions`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://portal.example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    const other = await withCors.get('/api/health', { headers: { Origin: 'https://evil.example.com' } });
    expect(other.headers.get('access-control-allow-origin')).not.toBe('https://evil.example.com');
  });
});

/** A GET with raw header pairs (repeated names kept as sent), through Node's http client. */
function rawGet(base: string, path: string, headers: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    // An array of headers gets no defaults from Node: Host is ours to send.
    const request = httpRequest(url, { method: 'GET', headers: ['Host', url.host, ...headers] }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}
