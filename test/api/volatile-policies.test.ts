/**
 * A policy that reads the clock (a deploy freeze on `time.now_ns`) decides differently at another time
 * for the same request: the server must never answer it from a cache (src/policy/clock.ts). The test
 * policy puts the time it read into its reason, so a cached answer shows as a repeated reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubPort } from '../../src/api/hub-port.js';
import { policyIsVolatile } from '../../src/policy/clock.js';
import { removeDir } from '../git/helpers.js';
import { demoHub, openAt } from '../e2e/demo-hub.js';
import { CLOCK_POLICY_SLUG, withClockPolicy } from '../e2e/volatile-policy.js';
import { expectJson, startApi, type Api } from './helpers.js';


interface Answer {
  decision: string;
  policies: { policy: string; outcome: string; reason?: string }[];
}

let dir: string;
let api: Api;

beforeAll(async () => {
  dir = await demoHub(withClockPolicy());
  api = await startApi(hubPort(await openAt(dir), { tagTtlMs: 0 }));
}, 120_000);

afterAll(() => removeDir(dir));

const freezeReason = (answer: Answer) => answer.policies.find((p) => p.policy === CLOCK_POLICY_SLUG)?.reason;
const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('policies that read the clock', () => {
  it('are recognised in the Rego of either module, and others are not', () => {
    const policy = (rego: string) => ({ document: { conditions: { rego } } }) as unknown as Parameters<typeof policyIsVolatile>[0];
    expect(policyIsVolatile(policy('x := time.now_ns()'))).toBe(true);
    expect(policyIsVolatile(policy('x := rand.intn("k", 10)'))).toBe(true);
    expect(policyIsVolatile(policy('x := time.parse_rfc3339_ns("2026-01-01T00:00:00Z")'))).toBe(false);
    expect(policyIsVolatile({ document: { scope: { rego: 'evaluate if time.now_ns() > 0' } } } as unknown as Parameters<typeof policyIsVolatile>[0])).toBe(true);
  });

  it('gate: the same request asked twice is decided twice, at its own time', async () => {
    const body = { project: 'storefront', environment: 'production' };
    const first = await expectJson<Answer>(await api.post('/api/evaluations', body), 200, 'evaluation-response');
    await pause();
    const second = await expectJson<Answer>(await api.post('/api/evaluations', body), 200, 'evaluation-response');
    expect(freezeReason(first)).toMatch(/^Asked at \d+$/);
    expect(freezeReason(second)).toMatch(/^Asked at \d+$/);
    expect(freezeReason(second)).not.toBe(freezeReason(first));
    expect(second.decision).toBe('blocked');
    // With a release version too (the path that re-evaluates only release-dependent policies).
    const withRelease = { ...body, release: { version: '1.2.3' } };
    const third = await expectJson<Answer>(await api.post('/api/evaluations', withRelease), 200, 'evaluation-response');
    await pause();
    const fourth = await expectJson<Answer>(await api.post('/api/evaluations', withRelease), 200, 'evaluation-response');
    expect(freezeReason(fourth)).not.toBe(freezeReason(third));
  });

  it('compliance: each request evaluates again', async () => {
    const first = await api.get('/api/compliance');
    await pause();
    const second = await api.get('/api/compliance');
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(await second.text()).not.toBe(await first.text());
  });
});
