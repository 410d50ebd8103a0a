/**
 * The gate answers a request it has answered before from the request's bytes (hub-decisions.ts
 * `cachedEvaluation`, router.ts `answerFromBody`), without parsing it or calling `evaluate`. Here,
 * over a real server and the demo hub: that answer is byte for byte the computed one; any change of
 * hub state made by another process (a commit, packed refs rewritten, HEAD moved to another branch, a
 * new tag) is seen on the next request; clock-reading policies are still decided every time; and
 * every check a request gets (media type, scope, body limit) still applies to a request that would hit.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hubPort, type FacadePort } from '../../src/api/hub-port.js';
import type { ApiOptions } from '../../src/api/index.js';
import { removeDir } from '../git/helpers.js';
import { commitAll, demoHub, git, openAt } from '../e2e/demo-hub.js';
import type { Hub } from '../../src/hub/index.js';
import { CLOCK_POLICY_SLUG, withClockPolicy } from '../e2e/volatile-policy.js';
import { READ_TOKEN, expectProblem, startApi, type Api } from './helpers.js';

const REPORTING = 'projects/reporting/.octopus/deployment_process.ocl';
const REQUEST = JSON.stringify({ project: 'storefront', environment: 'production', release: { version: '1.4.0' } });

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A POST over node:http, headers and body as sent; `chunked` sends the body without a Content-Length. */
function post(url: string, body: string, options: { headers?: Record<string, string>; chunked?: boolean } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', ...options.headers };
    if (!options.chunked) headers['Content-Length'] = String(Buffer.byteLength(body));
    const req = http.request(`${url}/api/evaluations`, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (options.chunked) {
      // Two writes: the body arrives in chunks, after the headers.
      req.write(body.slice(0, 10));
      setTimeout(() => req.end(body.slice(10)), 5);
    } else req.end(body);
  });
}

/** The headers a hit and a miss may differ in: only the date. */
function comparable(r: Raw): unknown {
  const { date: _date, ...headers } = r.headers;
  return { status: r.status, headers, body: r.body };
}

/** The port with its `evaluate` calls counted: a request answered from its bytes never calls it. */
function counted(port: FacadePort): { port: FacadePort; calls: () => number } {
  let calls = 0;
  return {
    port: {
      ...port,
      evaluate: (request, requestKey) => {
        calls++;
        return port.evaluate(request, requestKey);
      },
    },
    calls: () => calls,
  };
}

async function serve(dir: string, options: { tagTtlMs?: number; api?: ApiOptions } = {}): Promise<{ api: Api; calls: () => number }> {
  const { port, calls } = counted(hubPort(await openAt(dir), options.tagTtlMs !== undefined ? { tagTtlMs: options.tagTtlMs } : {}));
  return { api: await startApi(port, options.api), calls };
}

const commitOf = (r: Raw) => (JSON.parse(r.body) as { commit: string }).commit;

describe('gate answers found by the request bytes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await demoHub();
  }, 120_000);
  afterAll(() => removeDir(dir));

  it('are the computed answer byte for byte, headers included, without evaluating again', async () => {
    const { api, calls } = await serve(dir);
    const computed = await post(api.url, REQUEST);
    expect(computed.status).toBe(200);
    expect(calls()).toBe(1);
    const again = await post(api.url, REQUEST);
    expect(calls()).toBe(1);
    expect(comparable(again)).toEqual(comparable(computed));
    // The same request in other bytes is a new key: evaluated (from the decision cache), same answer bytes.
    const spaced = await post(api.url, ` ${REQUEST}\n`);
    expect(calls()).toBe(2);
    expect(comparable(spaced)).toEqual(comparable(computed));
    // Sent chunked (no Content-Length: Hono reads and counts it), the same bytes hit too.
    const chunked = await post(api.url, REQUEST, { chunked: true });
    expect(calls()).toBe(2);
    expect(chunked.body).toBe(computed.body);
  });

  it('still get every check: media type, scope, body limit', async () => {
    const { api, calls } = await serve(dir, { api: { authReads: true, bodyLimit: 200 } });
    const authorised = { Authorization: `Bearer ${READ_TOKEN}` };
    const first = await post(api.url, REQUEST, { headers: authorised });
    expect(first.status).toBe(200);
    expect(calls()).toBe(1);
    const problem = async (r: Raw, status: number, type: string) =>
      expectProblem(new Response(r.body, { status: r.status, headers: { 'content-type': String(r.headers['content-type']) } }), status, type);
    await problem(await post(api.url, REQUEST), 401, 'unauthorized');
    await problem(await post(api.url, REQUEST, { headers: { Authorization: 'Bearer not-a-token-0123456789' } }), 401, 'unauthorized');
    await problem(await post(api.url, REQUEST, { headers: { ...authorised, 'Content-Type': 'text/plain' } }), 415, 'unsupported-media-type');
    await problem(await post(api.url, REQUEST + ' '.repeat(200), { headers: authorised }), 413, 'payload-too-large');
    await problem(await post(api.url, REQUEST + ' '.repeat(200), { headers: authorised, chunked: true }), 413, 'payload-too-large');
    const again = await post(api.url, REQUEST, { headers: authorised });
    expect(comparable(again)).toEqual(comparable(first));
    expect(calls()).toBe(1);
  });

  it('see a commit made by another process on the next request, with loose and with packed refs', async () => {
    const { api, calls } = await serve(dir);
    const before = await post(api.url, REQUEST);
    await post(api.url, REQUEST);
    const asked = calls();
    const text = git(dir, ['show', `HEAD:${REPORTING}`]);
    const landed = commitAll(dir, { [REPORTING]: `${text}\n` }, 'reporting: a trailing newline');
    const after = await post(api.url, REQUEST);
    expect(commitOf(after)).toBe(landed);
    expect(commitOf(after)).not.toBe(commitOf(before));
    expect(calls()).toBe(asked + 1);

    // Packed: the branch only in packed-refs (a clone, `git gc`), then moved by a commit (a loose file
    // again) and packed again (the loose file goes, packed-refs changes).
    git(dir, ['pack-refs', '--all']);
    expect(commitOf(await post(api.url, REQUEST))).toBe(landed);
    expect(commitOf(await post(api.url, REQUEST))).toBe(landed);
    const second = commitAll(dir, { [REPORTING]: `${text}\n\n` }, 'reporting: two trailing newlines');
    expect(commitOf(await post(api.url, REQUEST))).toBe(second);
    git(dir, ['pack-refs', '--all']);
    expect(commitOf(await post(api.url, REQUEST))).toBe(second);
    const third = commitAll(dir, { [REPORTING]: `${text}\n\n\n` }, 'reporting: three trailing newlines');
    git(dir, ['pack-refs', '--all']);
    expect(commitOf(await post(api.url, REQUEST))).toBe(third);
    // A branch reset back to an earlier commit answers as that commit again.
    git(dir, ['update-ref', 'refs/heads/main', second]);
    expect(commitOf(await post(api.url, REQUEST))).toBe(second);
    git(dir, ['update-ref', 'refs/heads/main', third]);
    expect(commitOf(await post(api.url, REQUEST))).toBe(third);
  });

  it('read the ref files once for the requests of one turn of the event loop, after all of them were received', async () => {
    const { api, calls } = await serve(dir);
    const computed = await post(api.url, REQUEST);
    const asked = calls();
    // Requests in flight together share a reading of the ref files: each is still the computed answer.
    const together = await Promise.all(Array.from({ length: 20 }, () => post(api.url, REQUEST)));
    for (const answer of together) expect(comparable(answer)).toEqual(comparable(computed));
    expect(calls()).toBe(asked);

    // At the port: a reading is taken after every request that asked before it, so a commit landing
    // between two requests of one turn (git runs synchronously here: the turn cannot end) is seen by both.
    const port = hubPort(await openAt(dir));
    const key = 'the request bytes';
    const request = JSON.parse(REQUEST) as Parameters<NonNullable<FacadePort['evaluate']>>[0];
    await port.evaluate(request, key);
    expect(await port.cachedEvaluation(key)).toBeDefined();
    const first = port.cachedEvaluation(key);
    const text = git(dir, ['show', `HEAD:${REPORTING}`]);
    commitAll(dir, { [REPORTING]: `${text}\n\n\n\n\n` }, 'reporting: five trailing newlines');
    const second = port.cachedEvaluation(key);
    expect(await first).toBeUndefined();
    expect(await second).toBeUndefined();
  });

  it('see HEAD moved to another branch on the next request', async () => {
    const { api } = await serve(dir);
    const main = git(dir, ['rev-parse', 'HEAD']).trim();
    expect(commitOf(await post(api.url, REQUEST))).toBe(main);
    expect(commitOf(await post(api.url, REQUEST))).toBe(main);
    git(dir, ['checkout', '-q', '-b', 'other']);
    const text = git(dir, ['show', `HEAD:${REPORTING}`]);
    const other = commitAll(dir, { [REPORTING]: `${text}\n\n\n\n` }, 'reporting: on another branch');
    expect(commitOf(await post(api.url, REQUEST))).toBe(other);
    git(dir, ['checkout', '-q', 'main']);
    expect(commitOf(await post(api.url, REQUEST))).toBe(main);
  });

  it('see a tag made by another process once the tag listing is re-read', async () => {
    const { api, calls } = await serve(dir, { tagTtlMs: 50 });
    await post(api.url, REQUEST);
    await post(api.url, REQUEST);
    const asked = calls();
    git(dir, ['tag', '-a', 'policies/no_disabled_steps/v9.0.0', '-m', 'Made with git']);
    // Past the listing's trust period (no timing is asserted: the next request after it must look again).
    await new Promise((resolve) => setTimeout(resolve, 80));
    await post(api.url, REQUEST);
    expect(calls()).toBe(asked + 1);
    git(dir, ['tag', '-d', 'policies/no_disabled_steps/v9.0.0']);
  });
});

describe('the tag listing under steady traffic', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await demoHub();
  }, 120_000);
  afterAll(() => {
    vi.useRealTimers();
    removeDir(dir);
  });

  it('is renewed in the background before it expires, so no request of a steady stream waits for a read; without traffic it expires', async () => {
    // Only the clock the port reads is faked (Date), moved by hand: no timing is asserted.
    vi.useFakeTimers({ toFake: ['Date'] });
    let now = Date.UTC(2030, 0, 1);
    vi.setSystemTime(now);
    const hub: Hub = await openAt(dir);
    let reads = 0;
    let lastRead: Promise<unknown> = Promise.resolve();
    const listTags = hub.store.listTags.bind(hub.store);
    hub.store.listTags = (...args: Parameters<typeof listTags>) => {
      reads++;
      const read = listTags(...args);
      lastRead = read.catch(() => undefined);
      return read;
    };
    const { port, calls } = counted(hubPort(hub, { tagTtlMs: 1000 }));
    const api = await startApi(port);
    try {
      const at = (ms: number) => vi.setSystemTime((now = Date.UTC(2030, 0, 1) + ms));
      const first = await post(api.url, REQUEST);
      const evaluated = calls();
      const read = reads;
      // Younger than half the trust period: answered from the request's bytes, nothing read.
      at(400);
      expect(comparable(await post(api.url, REQUEST))).toEqual(comparable(first));
      expect([calls(), reads]).toEqual([evaluated, read]);
      // Past half of it: still answered from the bytes, and the listing is read again meanwhile.
      at(600);
      expect(comparable(await post(api.url, REQUEST))).toEqual(comparable(first));
      await lastRead;
      expect([calls(), reads]).toEqual([evaluated, read + 1]);
      // Past the first read's trust period, within the renewed one's: still answered from the bytes.
      at(1500);
      expect(comparable(await post(api.url, REQUEST))).toEqual(comparable(first));
      expect(calls()).toBe(evaluated);
      await lastRead;
      // No request for longer than the trust period: the listing expired, the next request waits for a read.
      at(4000);
      expect(comparable(await post(api.url, REQUEST))).toEqual(comparable(first));
      expect(calls()).toBe(evaluated + 1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('gate answers of a hub with a policy that reads the clock', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await demoHub(withClockPolicy());
  }, 120_000);
  afterAll(() => removeDir(dir));

  it('are never found by the request bytes: each request is decided at its own time', async () => {
    const { api, calls } = await serve(dir);
    const reasons: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      const answer = JSON.parse((await post(api.url, REQUEST)).body) as { policies: { policy: string; reason?: string }[] };
      reasons.push(answer.policies.find((p) => p.policy === CLOCK_POLICY_SLUG)?.reason);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(calls()).toBe(3);
    for (const reason of reasons) expect(reason).toMatch(/^Asked at \d+$/);
    expect(new Set(reasons).size).toBe(3);
  });
});
