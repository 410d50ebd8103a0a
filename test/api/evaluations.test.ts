/**
 * The decision endpoints over the real façade and a real demo hub repository (templates/demo, built
 * with the git CLI, templates and policies published): policy input, the pre-deployment gate
 * (blocked → fix committed → allowed), the compliance matrix, the decision diff, and a policy that
 * exhausts the Rego step budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubPort } from '../../src/api/hub-port.js';
import { registeredTargets } from '../../src/lint/engine.js';
import { openHub, type Hub } from '../../src/hub/index.js';
import { initRepo, removeDir } from '../git/helpers.js';
import { commitAll, demoFiles, demoHub, git } from '../e2e/demo-hub.js';
import { expectJson, expectProblem, startApi, type Api } from './helpers.js';

const REPORTING = 'projects/reporting/.octopus/deployment_process.ocl';
const APPROVAL_STEP = `step "approve-production" {
    name = "Approve production"

    action {
        action_type = "Octopus.Manual"
        environments = ["production"]
        properties = {
            Octopus.Action.Manual.BlockConcurrentDeployments = "False"
            Octopus.Action.Manual.Instructions = "Check the export, then approve."
            Octopus.Action.RunOnServer = "true"
        }
    }
}

`;

interface Decision {
  policy: string;
  version?: string;
  inScope: boolean;
  allowed: boolean;
  action: 'block' | 'warn';
  outcome: string;
  reason?: string;
  error?: string;
  exception?: { owner: string };
}

interface Evaluation {
  decision: 'allowed' | 'warned' | 'blocked';
  allowed: boolean;
  commit: string;
  policies: Decision[];
  diagnostics: unknown[];
}

interface Compliance {
  commit: string;
  environments: string[];
  matrix: { project: string; environments: Record<string, string> }[];
  summary: Record<string, number>;
  rows: { project: string; environment: string; tenant?: string; status: string; findings: Decision[] }[];
}

interface Diff {
  commitFrom: string;
  commitTo: string;
  summary: Record<string, number>;
  changes: { kind: string; project: string; environment: string; policy: string; before: { state: string }; after: { state: string } }[];
}

let dir: string;
let api: Api;

async function openAt(ref?: string): Promise<Hub> {
  const { hub, diagnostics } = await openHub({ dir, ...(ref ? { ref } : {}) });
  if (!hub) throw new Error(JSON.stringify(diagnostics));
  return hub;
}

const evaluate = (body: unknown) => api.post('/api/evaluations', body);

beforeAll(async () => {
  dir = await demoHub();
  api = await startApi(hubPort(await openAt(), { tagTtlMs: 0 }));
}, 120_000);

afterAll(() => removeDir(dir));

describe('GET /api/projects/:slug/input', () => {
  it('is the exact input the façade builds for the context', async () => {
    const response = await api.get('/api/projects/payments-api/input?environment=production&tenant=acme');
    // Nothing to warn about in the demo's inputs: no warning header.
    expect(response.headers.get('oclhub-warning')).toBeNull();
    const body = await expectJson<Record<string, { Slug?: string }>>(response, 200, 'policy-input');
    const hub = await openAt();
    const { targets } = await registeredTargets(hub, { only: ['payments-api'] });
    const expected = await hub.policyInput(targets[0]!, { environment: 'production', tenant: 'acme' });
    expect(body).toEqual(JSON.parse(JSON.stringify(expected.input)));
    expect([body.Environment!.Slug, body.Project!.Slug, body.Tenant!.Slug]).toEqual(['production', 'payments-api', 'acme']);
  });

  it('answers 404 for unknown projects, environments, tenants and refs, and 400 without an environment', async () => {
    await expectProblem(await api.get('/api/projects/nope/input?environment=production'), 404, 'not-found');
    const env = await expectProblem(await api.get('/api/projects/reporting/input?environment=moon'), 404, 'not-found');
    expect(env.detail).toContain('moon');
    await expectProblem(await api.get('/api/projects/payments-api/input?environment=production&tenant=initech'), 404, 'not-found');
    await expectProblem(await api.get('/api/projects/reporting/input?environment=production&ref=no-such-branch'), 404);
    await expectProblem(await api.get('/api/projects/reporting/input'), 400, 'invalid-parameter');
  });
});

describe('POST /api/evaluations', () => {
  it('blocks a project that violates a blocking policy (HTTP 200), with every policy decision', async () => {
    const head = git(dir, ['rev-parse', 'HEAD']).trim();
    const body = await expectJson<Evaluation>(await evaluate({ project: 'reporting', environment: 'production' }), 200, 'evaluation-response');
    expect(body.decision).toBe('blocked');
    expect(body.allowed).toBe(false);
    expect(body.commit).toBe(head);
    const byPolicy = new Map(body.policies.map((d) => [d.policy, d]));
    expect(byPolicy.get('require_manual_approval_in_production')).toMatchObject({ outcome: 'violation', action: 'block', inScope: true, allowed: false, version: '1.0.0' });
    expect(byPolicy.get('no_disabled_steps')).toMatchObject({ outcome: 'violation', action: 'warn' });
    expect(byPolicy.get('no_disabled_steps')!.reason).toContain('export-to-warehouse');
  });

  it('allows a compliant project, and shows an exception that waives a violation', async () => {
    const storefront = await expectJson<Evaluation>(await evaluate({ project: 'storefront', environment: 'production', release: { version: '1.2.3', gitRef: 'refs/heads/main' } }), 200, 'evaluation-response');
    expect(storefront.decision).toBe('allowed');
    expect(storefront.policies.every((d) => d.outcome === 'pass' || d.outcome === 'skipped')).toBe(true);
    const development = await expectJson<Evaluation>(await evaluate({ project: 'reporting', environment: 'development' }), 200, 'evaluation-response');
    expect(development.decision).toBe('allowed');
    const excepted = development.policies.find((d) => d.policy === 'no_disabled_steps')!;
    expect(excepted.outcome).toBe('excepted');
    expect(excepted.exception?.owner).toBe('data-platform@example.com');
  });

  it('answers the same decision from the cache, and concurrent requests agree', async () => {
    const request = { project: 'reporting', environment: 'production' };
    const all = await Promise.all(Array.from({ length: 20 }, () => evaluate(request).then((r) => r.json() as Promise<Evaluation>)));
    expect(new Set(all.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(all[0]!.decision).toBe('blocked');
  });

  it('refuses invalid bodies with 400 and unknown things with 404', async () => {
    const invalid = await expectProblem(await evaluate({ project: 'reporting' }), 400, 'validation-failed');
    expect(JSON.stringify(invalid.errors)).toContain('environment');
    await expectProblem(await evaluate({ project: 'reporting', environment: 'production', colour: 'red' }), 400, 'validation-failed');
    await expectProblem(await evaluate({ project: 'reporting', environment: 'production', release: {} }), 400, 'validation-failed');
    await expectProblem(await evaluate({ project: 'reporting', environment: 'production', skippedSteps: 'export' }), 400, 'validation-failed');
    await expectProblem(await evaluate({ project: 'reporting', environment: 'production', ref: '../etc' }), 400, 'validation-failed');
    await expectProblem(await evaluate('{"project": '), 400, 'malformed-json');
    await expectProblem(await evaluate({ project: 'nope', environment: 'production' }), 404, 'not-found');
    await expectProblem(await evaluate({ project: 'reporting', environment: 'moon' }), 404, 'not-found');
    await expectProblem(await evaluate({ project: 'reporting', environment: 'production', ref: 'no-such-branch' }), 404);
    const runbook = await expectProblem(await evaluate({ project: 'storefront', environment: 'production', runbook: 'no-such-runbook' }), 404, 'not-found');
    expect(runbook.detail).toContain('no-such-runbook');
  });

  it('evaluates a runbook run, where deployment-only policies are out of scope', async () => {
    const body = await expectJson<Evaluation>(await evaluate({ project: 'storefront', environment: 'production', runbook: 'restart-site' }), 200, 'evaluation-response');
    expect(body.policies.find((d) => d.policy === 'require_manual_approval_in_production')!.outcome).toBe('skipped');
  });
});

describe('the pipeline gate', () => {
  it('is blocked, then allowed on the same request once a fix is committed to the hub', async () => {
    const request = { project: 'reporting', environment: 'production' };
    const before = await expectJson<Evaluation>(await evaluate(request), 200, 'evaluation-response');
    expect(before.decision).toBe('blocked');
    const broken = git(dir, ['rev-parse', 'HEAD']).trim();

    const text = git(dir, ['show', `HEAD:${REPORTING}`]);
    const fixed = commitAll(dir, { [REPORTING]: APPROVAL_STEP + text }, 'reporting: approve production deployments');

    const after = await expectJson<Evaluation>(await evaluate(request), 200, 'evaluation-response');
    expect(after.commit).toBe(fixed);
    // The disabled export still warns; nothing blocks any more.
    expect(after.decision).toBe('warned');
    expect(after.allowed).toBe(true);
    expect(after.policies.find((d) => d.policy === 'require_manual_approval_in_production')!.outcome).toBe('pass');

    // The old commit still answers as it did (from the cache), by ref.
    const old = await expectJson<Evaluation>(await evaluate({ ...request, ref: broken }), 200, 'evaluation-response');
    expect(old.decision).toBe('blocked');
    expect(old.commit).toBe(broken);

  });
});

describe('GET /api/compliance', () => {
  it('holds every registered context, and each cell agrees with the gate', async () => {
    const body = await expectJson<Compliance>(await api.get('/api/compliance'), 200, 'compliance-response');
    expect(body.commit).toBe(git(dir, ['rev-parse', 'HEAD']).trim());
    expect(body.environments).toEqual(['development', 'staging', 'production']);
    expect(body.matrix.map((m) => m.project)).toEqual(['storefront', 'payments-api', 'reporting']);
    expect(Object.keys(body.matrix.find((m) => m.project === 'reporting')!.environments).sort()).toEqual(['development', 'production']);
    expect(body.summary.allowed + body.summary.warned + body.summary.blocked).toBe(body.rows.length);
    for (const row of body.rows) {
      const gate = await expectJson<Evaluation>(await evaluate({ project: row.project, environment: row.environment, ...(row.tenant ? { tenant: row.tenant } : {}) }), 200);
      expect({ context: `${row.project}/${row.environment}/${row.tenant ?? ''}`, status: row.status }).toEqual({ context: `${row.project}/${row.environment}/${row.tenant ?? ''}`, status: gate.decision });
    }
  });

  it('reads older commits by ref, and 404s unknown refs', async () => {
    const first = git(dir, ['rev-list', '--max-parents=0', 'HEAD']).trim();
    const body = await expectJson<Compliance>(await api.get(`/api/compliance?ref=${first}`), 200, 'compliance-response');
    expect(body.commit).toBe(first);
    expect(body.matrix.find((m) => m.project === 'reporting')!.environments.production).toBe('blocked');
    await expectProblem(await api.get('/api/compliance?ref=no-such-branch'), 404);
  });
});

describe('GET /api/diff', () => {
  it('lists the decision the fix changed as newly allowed', async () => {
    const fixed = git(dir, ['rev-parse', 'HEAD']).trim();
    const broken = git(dir, ['rev-parse', 'HEAD~1']).trim();
    const body = await expectJson<Diff>(await api.get(`/api/diff?from=${broken}&to=main`), 200, 'diff-response');
    expect([body.commitFrom, body.commitTo]).toEqual([broken, fixed]);
    expect(body.changes).toContainEqual(
      expect.objectContaining({ kind: 'newly-allowed', project: 'reporting', environment: 'production', policy: 'require_manual_approval_in_production', before: expect.objectContaining({ state: 'blocked' }), after: expect.objectContaining({ state: 'allowed' }) }),
    );
    expect(body.summary.newlyAllowed).toBe(body.changes.filter((c) => c.kind === 'newly-allowed').length);
    // The reverse direction is newly blocked.
    const reverse = await expectJson<Diff>(await api.get(`/api/diff?from=main&to=${broken}`), 200, 'diff-response');
    expect(reverse.changes.map((c) => c.kind)).toContain('newly-blocked');
  });

  it('needs both refs (400) and known refs (404)', async () => {
    await expectProblem(await api.get('/api/diff?from=main'), 400, 'invalid-parameter');
    await expectProblem(await api.get('/api/diff?from=main&to=no-such-branch'), 404);
    await expectProblem(await api.get('/api/diff?from=main&to=../x'), 400, 'invalid-parameter');
  });
});

describe('a project in its own repository', () => {
  it('is evaluated at that repository\'s current commit on every call (no stale cached decision)', async () => {
    const files = demoFiles();
    const project = initRepo({
      '.octopus/deployment_process.ocl': files['projects/reporting/.octopus/deployment_process.ocl']!,
      '.octopus/schema_version.ocl': files['projects/reporting/.octopus/schema_version.ocl']!,
    });
    const config = `${files['oclhub.ocl']!.trimEnd()}\n\nproject "billing" {\n    name = "Billing"\n    repository = "${project}"\n}\n`;
    const hubDir = await demoHub({ 'oclhub.ocl': config });
    try {
      const { hub } = await openHub({ dir: hubDir });
      const own = await startApi(hubPort(hub!, { tagTtlMs: 0 }));
      const gate = async () => expectJson<Evaluation>(await own.post('/api/evaluations', { project: 'billing', environment: 'production' }), 200, 'evaluation-response');
      expect((await gate()).decision).toBe('blocked');
      const text = git(project, ['show', 'HEAD:.octopus/deployment_process.ocl']);
      commitAll(project, { '.octopus/deployment_process.ocl': APPROVAL_STEP + text }, 'approve production deployments');
      expect((await gate()).decision).toBe('warned');
    } finally {
      removeDir(project);
      removeDir(hubDir);
    }
  }, 60_000);
});

describe('the gate under load', () => {
  it('answers a request sent after a commit landed at that commit, however many requests were in flight', async () => {
    const request = { project: 'storefront', environment: 'production' };
    const before = git(dir, ['rev-parse', 'HEAD']).trim();
    // A burst in flight: these share one reading of the branch (hub-port.ts defaultOidSince).
    const burst = Array.from({ length: 40 }, () => evaluate(request));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const text = git(dir, ['show', `HEAD:${REPORTING}`]);
    const landed = commitAll(dir, { [REPORTING]: `${text}\n` }, 'reporting: a trailing newline');
    const after = await expectJson<Evaluation>(await evaluate(request), 200, 'evaluation-response');
    expect(after.commit).toBe(landed);
    // Requests in flight while it landed answer at one commit or the other, never anything else.
    for (const response of await Promise.all(burst)) {
      const body = await expectJson<Evaluation>(response, 200, 'evaluation-response');
      expect([before, landed]).toContain(body.commit);
    }
    // And again, sequentially: every answer after the commit is at it.
    for (let i = 0; i < 5; i++) expect((await expectJson<Evaluation>(await evaluate(request), 200, 'evaluation-response')).commit).toBe(landed);
  });
});
