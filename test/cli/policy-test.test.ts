import { describe, expect, it } from 'vitest';
import { policyOcl } from '../policy/helpers.js';
import { run, tempTree } from './helpers.js';

const gate = policyOcl({
  slug: 'gate',
  name: 'Gate',
  violationReason: 'Not in production without approval',
  scope: 'default evaluate := false\n\nevaluate if {\n    input.Environment.Slug == "production"\n}',
  conditions: 'default result := {"allowed": false}\n\nresult := {"allowed": true} if {\n    input.RequiresApproval\n}',
});

const input = (env: string, approval: boolean) => ({ Environment: { Id: 'E', Name: env, Slug: env, Tags: [] }, RequiresApproval: approval, Steps: [], SkippedSteps: [] });
const testCase = (env: string, approval: boolean, expect: object, description?: string) =>
  JSON.stringify({ ...(description ? { description } : {}), input: input(env, approval), expect });

describe('oclhub test', () => {
  it('passes when every case passes and prints a summary', async () => {
    const dir = await tempTree({
      '.octopus/policies/gate.ocl': gate,
      'policy-tests/gate/approved.json': testCase('production', true, { evaluate: true, allowed: true }, 'approved production deployment'),
      'policy-tests/gate/blocked.json': testCase('production', false, { evaluate: true, allowed: false, action: 'block', reason: 'Not in production without approval' }),
      'policy-tests/gate/dev.json': testCase('dev', false, { evaluate: false }),
    });
    const r = await run(dir, 'test');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PASS policy-tests/gate/approved.json — approved production deployment\n');
    expect(r.stdout).toContain('PASS policy-tests/gate/dev.json\n');
    expect(r.stdout).toMatch(/3 tests, 3 passed, 0 failed \(1 policy\)\n$/);
    expect(r.stderr).toBe('');
  });

  it('fails with exit 1 and says what differed', async () => {
    const dir = await tempTree({
      '.octopus/policies/gate.ocl': gate,
      'policy-tests/gate/wrong.json': testCase('production', false, { allowed: true, action: 'warn' }),
    });
    const r = await run(dir, 'test');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL policy-tests/gate/wrong.json\n     expected allowed true, got false\n     expected action warn, got block\n');
    expect(r.stdout).toContain('1 test, 0 passed, 1 failed');
  });

  it('checks the conditions of an out-of-scope case when the test asks for them', async () => {
    const dir = await tempTree({
      '.octopus/policies/gate.ocl': gate,
      'policy-tests/gate/dev.json': testCase('dev', false, { evaluate: false, allowed: false }),
    });
    expect((await run(dir, 'test')).code).toBe(0);
  });

  it('reports invalid test files (POL130) and tests of unknown policies as failures', async () => {
    const dir = await tempTree({
      '.octopus/policies/gate.ocl': gate,
      'policy-tests/gate/broken.json': '{ "input": {}, ',
      'policy-tests/gate/no-expect.json': '{ "input": {} }',
      'policy-tests/gate/typo.json': '{ "input": {}, "expect": { "alowed": true } }',
      'policy-tests/missing/case.json': testCase('production', true, { allowed: true }),
    });
    const r = await run(dir, 'test');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('policy-tests/gate/broken.json: error POL130: Invalid policy test: not valid JSON');
    expect(r.stderr).toContain('missing "expect" object');
    expect(r.stderr).toContain('unknown "expect" keys: alowed');
    expect(r.stdout).toContain('FAIL policy-tests/missing/case.json\n     no policy "missing" in .octopus/policies');
    expect(r.stdout).toContain('4 tests, 0 passed, 4 failed (1 policy)');
  });

  it('uses the base path from oclhub.ocl, --hub and --tests, and prints JSON', async () => {
    const dir = await tempTree({
      'hub/oclhub.ocl': 'base_path = "platform"\n',
      'hub/platform/policies/gate.ocl': gate,
      'cases/gate/one.json': testCase('production', true, { allowed: true }),
    });
    const r = await run(dir, 'test', '--hub', 'hub', '--tests', 'cases', '--format', 'json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { cases: Array<{ file: string; passed: boolean; decision: { outcome: string } }>; summary: unknown; untested: string[] };
    expect(report.summary).toEqual({ total: 1, passed: 1, failed: 0 });
    expect(report.cases[0]).toMatchObject({ file: 'cases/gate/one.json', passed: true, decision: { outcome: 'pass' } });
    expect(report.untested).toEqual([]);
  });

  it('shows compatibility warnings without failing, and fails on a policy that does not parse', async () => {
    const warned = policyOcl({ slug: 'warned', scope: 'default evaluate := true', conditions: 'result := {"allowed": input.Tenant.Slug != "x"}' });
    const dir = await tempTree({ '.octopus/policies/warned.ocl': warned });
    const r = await run(dir, 'test');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning POL101');
    expect(r.stdout).toContain('0 tests, 0 passed, 0 failed (1 policy; no tests for warned)');

    const broken = await tempTree({ '.octopus/policies/broken.ocl': 'name = "Broken"\nscope {\n' });
    expect((await run(broken, 'test')).code).toBe(1);
  });

  it('exits 2 on usage errors', async () => {
    const dir = await tempTree({ 'README.md': 'not a hub' });
    expect((await run(dir, 'test')).code).toBe(2);
    expect((await run(dir, 'test', '--hub', 'nowhere')).code).toBe(2);
    const hub = await tempTree({ '.octopus/policies/gate.ocl': gate });
    expect((await run(hub, 'test', '--tests', 'nowhere')).code).toBe(2);
    expect((await run(hub, 'test', '--format', 'xml')).code).toBe(2);
  });
});
