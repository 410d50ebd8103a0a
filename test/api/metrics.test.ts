/**
 * `oclhub serve --log-format json` and GET /metrics on a real demo hub repository (git CLI), served
 * on an ephemeral port: request counts and latencies by route pattern, evaluations computed, decision
 * cache hits, and limits hit (an oversized body, a policy stopped by the Rego step limit).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { runServe } from '../../src/cli/commands/serve.js';
import { removeDir } from '../git/helpers.js';
import { demoFiles, demoHub } from '../e2e/demo-hub.js';

/** Blocks with a reason after ~16 million iterations: more than the default Rego step limit (1e7). */
const EXPENSIVE_POLICY = `name = "Expensive"
description = "Loops past the evaluation limits"
violation_action = "block"

conditions {
    rego = <<-EOT
        package expensive

        default result := {"allowed": true}

        result := {"allowed": false} if {
            count([1 | some a in numbers.range(1, 4000); some b in numbers.range(1, 4000)]) > 0
        }
        EOT
}

scope {
    rego = <<-EOT
        package expensive

        default evaluate := false

        evaluate if input.Environment.Slug == "staging"
        EOT
}
`;

let dir: string;
let url: string;
const shutdown = new AbortController();
let served: Promise<number>;
const io = memoryIo();

/** The value of one sample (`name{labels} value`) in the exposition text; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

const scrape = async () => {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
};
const evaluate = (body: unknown) => fetch(`${url}/api/evaluations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  const files = demoFiles();
  dir = await demoHub({
    '.octopus/policies/expensive.ocl': EXPENSIVE_POLICY,
    'oclhub.ocl': `${files['oclhub.ocl']!}\npolicy "expensive" {\n    active_version = "1.0.0"\n}\n`,
  });
  let listening!: (u: string) => void;
  const ready = new Promise<string>((resolve) => (listening = resolve));
  served = runServe({ hub: dir, host: '127.0.0.1', port: 0, logFormat: 'json' }, io, { handleSignals: false, shutdown: shutdown.signal, onListening: (s) => listening(s.url) });
  url = await ready;
}, 180_000);

afterAll(async () => {
  shutdown.abort();
  await served;
  removeDir(dir);
});

describe('GET /metrics', () => {
  it('counts requests by route pattern and status, with latencies', async () => {
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
    expect((await fetch(`${url}/api/policies/no_disabled_steps/versions`)).status).toBe(200);
    expect((await fetch(`${url}/api/policies/nope/versions`)).status).toBe(404);
    expect((await fetch(`${url}/no/such/route`)).status).toBe(404);
    const text = await scrape();
    expect(text).toContain('# TYPE oclhub_http_requests_total counter');
    expect(sample(text, 'oclhub_http_requests_total', { method: 'GET', route: '/api/health', status: '200' })).toBe(2);
    // The route pattern, not the slug, so label values stay few.
    expect(sample(text, 'oclhub_http_requests_total', { route: '/api/policies/:slug/versions', status: '200' })).toBe(1);
    expect(sample(text, 'oclhub_http_requests_total', { route: '/api/policies/:slug/versions', status: '404' })).toBe(1);
    expect(sample(text, 'oclhub_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(sample(text, 'oclhub_http_request_duration_seconds_count', { method: 'GET', route: '/api/health' })).toBe(2);
    expect(sample(text, 'oclhub_http_request_duration_seconds_bucket', { route: '/api/health', le: '+Inf' })).toBe(2);
    expect(sample(text, 'oclhub_process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('counts evaluations computed, decision cache hits and misses, and limits hit', async () => {
    const before = await scrape();
    expect(sample(before, 'oclhub_limit_hits_total', { limit: 'evaluation' })).toBe(0);
    const blocked = (await (await evaluate({ project: 'reporting', environment: 'production' })).json()) as { decision: string };
    expect(blocked.decision).toBe('blocked');
    await evaluate({ project: 'reporting', environment: 'production' });
    // The expensive policy is in scope in staging only: its evaluation stops at the step limit (an error, so blocked).
    const limited = (await (await evaluate({ project: 'storefront', environment: 'staging' })).json()) as { decision: string; policies: { policy: string; outcome: string; error?: string }[] };
    expect(limited.decision).toBe('blocked');
    expect(limited.policies.find((p) => p.policy === 'expensive')).toMatchObject({ outcome: 'error' });
    const big = await fetch(`${url}/api/evaluations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ project: 'x'.repeat(2 * 1024 * 1024), environment: 'production' }) });
    expect(big.status).toBe(413);

    const text = await scrape();
    expect(sample(text, 'oclhub_evaluations_total', { decision: 'blocked' })).toBe(2);
    expect(sample(text, 'oclhub_cache_requests_total', { cache: 'evaluate', result: 'miss' })).toBe(2);
    expect(sample(text, 'oclhub_cache_requests_total', { cache: 'evaluate', result: 'hit' })).toBe(1);
    expect(sample(text, 'oclhub_policy_decisions_total', { outcome: 'violation' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'oclhub_policy_decisions_total', { outcome: 'error' })).toBe(1);
    expect(sample(text, 'oclhub_limit_hits_total', { limit: 'evaluation' })).toBe(1);
    expect(sample(text, 'oclhub_limit_hits_total', { limit: 'body' })).toBe(1);
  });

  it('is listed in the OpenAPI document', async () => {
    const document = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toContain('/metrics');
  });
});

describe('--log-format json', () => {
  it('writes one JSON object per request and for the server’s own messages', () => {
    const lines = io.out.join('').trim().split('\n');
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records[0]).toMatchObject({ level: 'info', url, hub: dir });
    const health = records.find((r) => r.msg === 'request' && r.path === '/api/health');
    expect(health).toMatchObject({ level: 'info', method: 'GET', route: '/api/health', status: 200 });
    expect(typeof health!.ms).toBe('number');
    expect(Date.parse(health!.time as string)).not.toBeNaN();
    expect(records.find((r) => r.path === '/api/policies/nope/versions')).toMatchObject({ status: 404, route: '/api/policies/:slug/versions' });
    for (const line of io.err.join('').trim().split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  });
});
