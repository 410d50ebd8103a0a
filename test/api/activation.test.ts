/**
 * POST /api/policies/:slug/activation over the real façade: the activation is a commit to oclhub.ocl
 * on the hub's branch, authored by the token's identity, visible to `git log`, fsck-clean, and seen
 * by the next gate call. Also: a policy that exhausts the Rego step budget is an `error` decision and
 * the server stays up.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubPort } from '../../src/api/hub-port.js';
import { openHub } from '../../src/hub/index.js';
import { formatOcl } from '../../src/ocl/format.js';
import { validateFile } from '../../src/model/validate.js';
import { fsck, removeDir } from '../git/helpers.js';
import { demoHub, git } from '../e2e/demo-hub.js';
import { expectJson, expectProblem, PUBLISH_TOKEN, READ_TOKEN, startApi, type Api } from './helpers.js';

const STEP_BUDGET = `name = "Step budget"
description = "Iterates far beyond the Rego step budget"
violation_action = "block"

conditions {
    rego = <<-EOT
            package step_budget

            default result := {"allowed": true}

            result := {"allowed": false, "reason": "never"} if {
                some a in numbers.range(1, 5000)
                some b in numbers.range(1, 5000)
                a * b < 0
            }
            EOT
}

scope {
    rego = <<-EOT
            package step_budget

            default evaluate := true
            EOT
}
`;

interface Activation {
  ok: true;
  policy: string;
  version: string | null;
  previousVersion: string | null;
  changed: boolean;
  branch: string;
  commit: string;
  author: { name: string; email: string };
}

interface Evaluation {
  decision: string;
  policies: { policy: string; outcome: string; action: string; error?: string }[];
}

let dir: string;
let api: Api;
let original: string;

const activate = (slug: string, body: unknown, token: string | null = PUBLISH_TOKEN) => api.post(`/api/policies/${slug}/activation`, body, token !== null ? { token } : {});
const head = () => git(dir, ['rev-parse', 'main']).trim();
const config = () => git(dir, ['show', 'main:oclhub.ocl']);

beforeAll(async () => {
  dir = await demoHub({ '.octopus/policies/step_budget.ocl': STEP_BUDGET });
  const { hub, diagnostics } = await openHub({ dir });
  if (!hub) throw new Error(JSON.stringify(diagnostics));
  api = await startApi(hubPort(hub, { tagTtlMs: 0 }));
  original = config();
}, 120_000);

afterAll(() => removeDir(dir));

describe('POST /api/policies/:slug/activation', () => {
  it('needs a publish token (401 without, 403 with a read token)', async () => {
    await expectProblem(await activate('step_budget', { version: '1.0.0' }, null), 401, 'unauthorized');
    await expectProblem(await activate('step_budget', { version: '1.0.0' }, READ_TOKEN), 403, 'forbidden');
    expect(config()).toBe(original);
  });

  it('validates the body (400), knows its policies (404) and refuses unpublished versions (422)', async () => {
    await expectProblem(await activate('step_budget', {}), 400, 'validation-failed');
    await expectProblem(await activate('step_budget', { version: 5 }), 400, 'validation-failed');
    await expectProblem(await activate('step_budget', { version: '1.0.0', force: true }), 400, 'validation-failed');
    await expectProblem(await activate('no_such_policy', { version: '1.0.0' }), 404, 'not-found');
    await expectProblem(await activate('no_such_policy', { version: null }), 404, 'not-found');
    const unpublished = await expectProblem(await activate('step_budget', { version: '9.9.9' }), 422, 'version-not-published');
    expect(unpublished.detail).toContain('policies/step_budget/v9.9.9');
    await expectProblem(await activate('step%00budget', { version: '1.0.0' }), 400, 'invalid-path');
    expect(config()).toBe(original);
  });

  it('commits the activation as the caller: visible to git log, formatted, valid, fsck-clean', async () => {
    const before = head();
    const body = await expectJson<Activation>(await activate('step_budget', { version: '1.0.0' }), 200, 'activation-response');
    // The demo hub here is a clean working copy with main checked out: it follows the commit.
    expect(body).toMatchObject({ policy: 'step_budget', version: '1.0.0', previousVersion: null, changed: true, branch: 'main', worktreeUpdated: true });
    expect(body).not.toHaveProperty('worktreeBehind');
    expect(git(dir, ['status', '--porcelain']).trim()).toBe('');
    expect(body.commit).toBe(head());
    expect(git(dir, ['rev-parse', `${body.commit}^`]).trim()).toBe(before);
    expect(git(dir, ['log', '-1', '--format=%an <%ae>|%s', 'main']).trim()).toBe('Pat Publisher <pat@example.com>|Activate policy step_budget 1.0.0');
    expect(git(dir, ['diff', '--name-only', before, 'main']).trim()).toBe('oclhub.ocl');
    const text = config();
    expect(readFileSync(path.join(dir, 'oclhub.ocl'), 'utf8')).toBe(text);
    expect(text).toContain('policy "step_budget" {\n    active_version = "1.0.0"\n}');
    expect(formatOcl(text).changed).toBe(false);
    expect(validateFile({ path: 'oclhub.ocl', text, context: { kind: 'oclhub' } }).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(fsck(dir)).toEqual({ status: 0, output: '' });

    // Saying it again changes nothing and commits nothing.
    const again = await expectJson<Activation>(await activate('step_budget', { version: '1.0.0' }), 200, 'activation-response');
    expect(again).toMatchObject({ changed: false, previousVersion: '1.0.0', commit: body.commit });
    expect(head()).toBe(body.commit);
  });

  it('turns a policy that exhausts the Rego step budget into an error decision, and the server stays up', async () => {
    const gate = await expectJson<Evaluation>(await api.post('/api/evaluations', { project: 'storefront', environment: 'production' }), 200, 'evaluation-response');
    const budget = gate.policies.find((d) => d.policy === 'step_budget')!;
    expect(budget.outcome).toBe('error');
    expect(budget.action).toBe('block');
    expect(budget.error).toMatch(/limit/);
    expect(gate.decision).toBe('blocked');
    // The other policies were still evaluated.
    expect(gate.policies.filter((d) => d.policy !== 'step_budget').every((d) => d.outcome === 'pass')).toBe(true);
    await expectJson(await api.get('/api/health'), 200, 'health');
  }, 60_000);

  it('deactivates with null, restoring the file byte for byte', async () => {
    const body = await expectJson<Activation>(await activate('step_budget', { version: null }), 200, 'activation-response');
    expect(body).toMatchObject({ version: null, previousVersion: '1.0.0', changed: true });
    expect(config()).toBe(original);
    expect(git(dir, ['log', '-1', '--format=%s', 'main']).trim()).toBe('Deactivate policy step_budget (was 1.0.0)');
    const gate = await expectJson<Evaluation>(await api.post('/api/evaluations', { project: 'storefront', environment: 'production' }), 200, 'evaluation-response');
    expect(gate.policies.map((d) => d.policy)).not.toContain('step_budget');
    expect(gate.decision).toBe('allowed');
  });

  it('changes the next gate decision: without the approval policy, reporting only warns', async () => {
    const request = { project: 'reporting', environment: 'production' };
    expect(((await (await api.post('/api/evaluations', request)).json()) as Evaluation).decision).toBe('blocked');
    await expectJson<Activation>(await activate('require_manual_approval_in_production', { version: null }), 200, 'activation-response');
    expect(config()).not.toContain('policy "require_manual_approval_in_production"');
    const after = await expectJson<Evaluation>(await api.post('/api/evaluations', request), 200, 'evaluation-response');
    expect(after.decision).toBe('warned');
    // Re-activating a published version puts the block back (after the other activations).
    const back = await expectJson<Activation>(await activate('require_manual_approval_in_production', { version: '1.0.0' }), 200, 'activation-response');
    expect(back.previousVersion).toBeNull();
    expect(((await (await api.post('/api/evaluations', request)).json()) as Evaluation).decision).toBe('blocked');
  });

  it('serialises concurrent activations of different policies through compare-and-swap: both land', async () => {
    const before = head();
    const [a, b] = await Promise.all([activate('require_manual_approval_in_production', { version: null }), activate('no_disabled_steps', { version: null })]);
    await expectJson(a, 200, 'activation-response');
    await expectJson(b, 200, 'activation-response');
    const text = config();
    expect(text).not.toContain('policy "require_manual_approval_in_production"');
    expect(text).not.toContain('policy "no_disabled_steps"');
    expect(git(dir, ['rev-list', '--count', `${before}..main`]).trim()).toBe('2');
    expect(fsck(dir)).toEqual({ status: 0, output: '' });
  });
});
