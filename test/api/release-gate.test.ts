/**
 * The gate with a new release version on every call re-evaluates only the policies that read
 * `input.Release` (src/api/release-gate.ts). Its answers must be exactly what the façade's full
 * evaluation gives for the same request — checked here on the demo hub plus a policy that reads the
 * release, for several versions, projects and environments, in any order and concurrently.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateDecision } from '../../src/api/hub-decisions.js';
import { hubPort } from '../../src/api/hub-port.js';
import { registeredTargets } from '../../src/lint/engine.js';
import { removeDir } from '../git/helpers.js';
import { commitAll, DEMO_DIR, demoHub, git, openAt } from '../e2e/demo-hub.js';
import { expectJson, startApi, type Api } from './helpers.js';

const PRERELEASE_POLICY = `name = "No pre-releases to production"
description = "Blocks a release whose version has a pre-release tag."
violation_reason = "Pre-release"
violation_action = "block"

conditions {
    rego = <<-EOT
            package no_prerelease_to_production

            default result := {"allowed": true}

            result := {"allowed": false, "reason": sprintf("Release %s is a pre-release", [input.Release.Version])} if {
                contains(input.Release.Version, "-")
            }
            EOT
}

scope {
    rego = <<-EOT
            package no_prerelease_to_production

            default evaluate := false

            evaluate if input.Environment.Slug == "production"
            EOT
}
`;

interface Answer {
  decision: string;
  allowed: boolean;
  policies: { policy: string; outcome: string; reason?: string }[];
  diagnostics: unknown[];
  suppressed: unknown[];
  errors?: unknown[];
}

let dir: string;
let api: Api;

beforeAll(async () => {
  const config = fs.readFileSync(path.join(DEMO_DIR, 'oclhub.ocl'), 'utf8');
  dir = await demoHub({
    '.octopus/policies/no_prerelease_to_production.ocl': PRERELEASE_POLICY,
    'oclhub.ocl': `${config}\npolicy "no_prerelease_to_production" {\n    active_version = "1.0.0"\n}\n`,
  });
  api = await startApi(hubPort(await openAt(dir), { tagTtlMs: 0 }));
}, 120_000);

afterAll(() => removeDir(dir));

/** The façade's full evaluation of the request (no server caches), as the API shapes it. */
async function expected(project: string, environment: string, version?: string): Promise<Answer> {
  const hub = await openAt(dir);
  const { targets } = await registeredTargets(hub, { only: [project] });
  const result = await hub.evaluate(targets[0]!, { environment, ...(version !== undefined ? { release: { version } } : {}) });
  const decisions = result.evaluation!.decisions;
  return JSON.parse(
    JSON.stringify({
      decision: gateDecision(result, decisions, result.evaluation!.errors),
      allowed: result.allowed,
      policies: decisions,
      diagnostics: result.diagnostics,
      suppressed: result.suppressed,
      ...(result.evaluation!.errors ? { errors: result.evaluation!.errors } : {}),
    }),
  ) as Answer;
}

async function gate(project: string, environment: string, version?: string): Promise<Answer> {
  const body = { project, environment, ...(version !== undefined ? { release: { version } } : {}) };
  return expectJson<Answer>(await api.post('/api/evaluations', body), 200, 'evaluation-response');
}

describe('POST /api/evaluations with a new release version each call', () => {
  it('decides a policy that reads input.Release by the version: inconclusive without one, blocked for a pre-release', async () => {
    const without = await gate('storefront', 'production');
    expect(without.policies.find((d) => d.policy === 'no_prerelease_to_production')!.outcome).toBe('inconclusive');
    const stable = await gate('storefront', 'production', '1.4.0');
    expect(stable.policies.find((d) => d.policy === 'no_prerelease_to_production')!.outcome).toBe('pass');
    const beta = await gate('storefront', 'production', '1.5.0-beta.1');
    expect(beta.policies.find((d) => d.policy === 'no_prerelease_to_production')).toMatchObject({ outcome: 'violation', reason: 'Release 1.5.0-beta.1 is a pre-release' });
    expect(beta.decision).toBe('blocked');
    expect(beta.allowed).toBe(false);
    // The policies that do not read the release decide as without it.
    const others = (a: Answer) => a.policies.filter((d) => d.policy !== 'no_prerelease_to_production');
    expect(others(beta)).toEqual(others(without));
    expect(others(stable)).toEqual(others(without));
  });

  it('answers exactly what a full evaluation answers, for every project, environment and version, concurrently', async () => {
    const requests: [string, string, string | undefined][] = [];
    for (const [project, environments] of [
      ['storefront', ['development', 'staging', 'production']],
      ['reporting', ['development', 'production']],
      ['payments-api', ['production']],
    ] as const) {
      for (const environment of environments) for (const version of ['2.0.0', undefined, '2.0.1-rc.1', '2.0.2']) requests.push([project, environment, version]);
    }
    const answers = await Promise.all(requests.map(([project, environment, version]) => gate(project, environment, version)));
    for (let i = 0; i < requests.length; i++) {
      const [project, environment, version] = requests[i]!;
      const { decision, allowed, policies, diagnostics, suppressed, errors } = answers[i]!;
      const answered = { decision, allowed, policies, diagnostics, suppressed, ...(errors ? { errors } : {}) };
      expect(answered, `${project} ${environment} ${version ?? '(no release)'}`).toEqual(await expected(project, environment, version));
    }
    // Some contexts really are blocked only by the release, and some allowed with a stable one.
    expect(answers.some((a, i) => requests[i]![2]?.includes('-') && a.decision === 'blocked')).toBe(true);
    expect(answers.some((a, i) => requests[i]![2] === '2.0.0' && a.decision === 'allowed')).toBe(true);
  });
});

describe('GET /api/compliance while the hub commit is unchanged', () => {
  it('serves the same bytes with an ETag, 304 for a client that has them, and a new ETag after a commit', async () => {
    const first = await api.get('/api/compliance');
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const text = await first.text();
    const again = await api.get('/api/compliance');
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe(text);
    const unchanged = await api.get('/api/compliance', { headers: { 'If-None-Match': etag! } });
    expect(unchanged.status).toBe(304);
    expect(await unchanged.text()).toBe('');
    commitAll(dir, { 'projects/storefront/.octopus/notes.txt': 'a commit that changes the hub commit\n' }, 'new hub commit');
    const moved = await api.get('/api/compliance', { headers: { 'If-None-Match': etag! } });
    expect(moved.status).toBe(200);
    expect(moved.headers.get('etag')).not.toBe(etag);
    expect((JSON.parse(await moved.text()) as { commit: string }).commit).toBe(git(dir, ['rev-parse', 'HEAD']).trim());
  });
});
