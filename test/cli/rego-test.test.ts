import { describe, expect, it } from 'vitest';
import { run, tempTree } from './helpers.js';

// A hub policy as Octopus stores it: scope and conditions Rego in heredocs of one OCL file, package = slug.
const POLICY = `name = "Production needs an approval"
violation_action = "block"

conditions {
    rego = <<-EOT
        package prod_approval

        approvals := [step.Slug | some step in input.Steps; step.ActionType == "Octopus.Manual"]

        result := {"allowed": count(approvals) > 0}
        EOT
}

scope {
    rego = <<-EOT
        package prod_approval

        default evaluate := false

        evaluate if input.Environment.Slug in data.config.production
        EOT
}
`;

// OPA tests kept beside the hub's policies, as real hubs keep them for \`opa test\`.
const TESTS = `package prod_approval_test

import data.prod_approval

manual := {"Id": "1", "Slug": "approve", "ActionType": "Octopus.Manual"}

script := {"Id": "2", "Slug": "deploy", "ActionType": "Octopus.Script"}

test_production_is_in_scope if {
	prod_approval.evaluate with input as {"Environment": {"Slug": "production"}}
}

test_development_is_out_of_scope if {
	not prod_approval.evaluate with input as {"Environment": {"Slug": "development"}}
}

test_an_approval_allows if {
	prod_approval.result == {"allowed": true} with input as {"Steps": [script, manual]}
}

test_without_an_approval_it_is_allowed_anyway if {
	print("steps:", count([script]))
	prod_approval.result.allowed with input as {"Steps": [script]}
}

stage := "a" if true

stage := "b" if true

test_conflict if {
	stage == "a"
}

todo_test_tenants if {
	false
}
`;

async function hub(files: Record<string, string> = {}) {
  return tempTree({
    '.octopus/policies/prod_approval.ocl': POLICY,
    'tests/prod_approval_test.rego': TESTS,
    // Data under a folder is mounted at the folder's path, as OPA's loader does.
    'tests/config/data.yaml': 'production: [production, prod]\n',
    // Not a policy: read past, as every OCL file that holds no Rego.
    '.octopus/deployment_process.ocl': 'step "x" {\n    name = "X"\n}\n',
    ...files,
  });
}

describe('oclhub rego test', () => {
  it("runs OPA tests against the Rego of a hub's policy .ocl files, reporting as opa test does", async () => {
    const root = await hub();
    const r = await run(root, 'rego', 'test', '.octopus', 'tests');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    // Only what did not pass is listed (file:line, then the test), then the counts.
    expect(lines.filter((l) => /: (PASS|FAIL|ERROR|SKIPPED)/.test(l)).map((l) => l.replace(/ \(.*\)$/, ''))).toEqual([
      'data.prod_approval_test.test_without_an_approval_it_is_allowed_anyway: FAIL',
      'data.prod_approval_test.test_conflict: ERROR',
      'data.prod_approval_test.todo_test_tenants: SKIPPED',
    ]);
    expect(r.stdout).toContain(`tests/prod_approval_test.rego:${TESTS.split('\n').findIndex((l) => l.startsWith('test_without')) + 1}:\n`);
    // What a failing test printed, indented under it.
    expect(r.stdout).toContain('\n  steps: 1\n');
    expect(r.stdout).toMatch(/\n {2}tests\/prod_approval_test\.rego:\d+:\d+: eval_conflict_error: complete rules must not produce multiple outputs\n/);
    expect(r.stdout.trimEnd().split('\n').slice(-5)).toEqual(['-'.repeat(80), 'PASS: 3/6', 'FAIL: 1/6', 'SKIPPED: 1/6', 'ERROR: 1/6']);
  });

  it('--verbose lists every test; --run selects by name; all passing exits 0, a skipped test fails unless -z', async () => {
    const root = await hub();
    const verbose = await run(root, 'rego', 'test', '-v', '--run', 'scope|allows', '.octopus', 'tests');
    expect(verbose.code).toBe(0);
    expect(verbose.stdout.match(/: PASS \(/g)).toHaveLength(3);
    expect(verbose.stdout.trimEnd().split('\n').at(-1)).toBe('PASS: 3/3');

    expect((await run(root, 'rego', 'test', '--run', 'scope|todo', '.octopus', 'tests')).code).toBe(1);
    expect((await run(root, 'rego', 'test', '-z', '--run', 'scope|todo', '.octopus', 'tests')).code).toBe(0);
  });

  it("--format json gives OPA's JSON reporter fields", async () => {
    const root = await hub();
    const r = await run(root, 'rego', 'test', '--format', 'json', '.octopus', 'tests');
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(6);
    expect(rows[0]).toMatchObject({ location: { file: 'tests/prod_approval_test.rego', row: 9, col: 1 }, package: 'data.prod_approval_test', name: 'test_production_is_in_scope' });
    expect(rows[0]).not.toHaveProperty('fail');
    expect(typeof rows[0]!.duration).toBe('number');
    const failed = rows.find((x) => x.name === 'test_without_an_approval_it_is_allowed_anyway')!;
    expect(failed.fail).toBe(true);
    expect(Buffer.from(failed.output as string, 'base64').toString()).toBe('steps: 1\n');
    expect(rows.find((x) => x.name === 'test_conflict')!.error).toMatchObject({ code: 'eval_conflict_error' });
    expect(rows.find((x) => x.name === 'todo_test_tenants')!.skip).toBe(true);
  });

  it("reports a policy's compile error at its line in the .ocl file and exits 2", async () => {
    const broken = POLICY.replace('evaluate if input.Environment.Slug in data.config.production', 'evaluate if input.Environment.Slug == production');
    const root = await hub({ '.octopus/policies/prod_approval.ocl': broken });
    const r = await run(root, 'rego', 'test', '.octopus', 'tests');
    expect(r.code).toBe(2);
    const lines = broken.split('\n');
    const line = lines.findIndex((l) => l.includes('== production'));
    // At the expression, as OPA places it, in the OCL file's columns (the heredoc's indentation added back).
    expect(r.stderr).toBe(`.octopus/policies/prod_approval.ocl:${line + 1}:${lines[line]!.indexOf('input.') + 1}: rego_unsafe_var_error: var production is unsafe\n`);
    expect(r.stdout).toBe('');
  });

  it("reports a policy .ocl that does not parse, at its line, instead of running the tests without it (exit 2)", async () => {
    const root = await hub({ '.octopus/policies/prod_approval.ocl': POLICY.replace('violation_action = "block"', 'violation_action = "block') });
    const r = await run(root, 'rego', 'test', '.octopus', 'tests');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^\.octopus\/policies\/prod_approval\.ocl:2:\d+: error /);
  });

  it('exits 2 on unreadable or invalid input, and with --fail-on-empty when nothing ran', async () => {
    const root = await hub({ 'tests/bad.json': '{"a": ' });
    const bad = await run(root, 'rego', 'test', 'tests');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^oclhub rego test: tests\/bad\.json: /);
    expect((await run(root, 'rego', 'test', 'missing.rego')).stderr).toBe('oclhub rego test: cannot read missing.rego: no such file\n');
    expect((await run(root, 'rego', 'test', '--run', 'nothing-matches', '.octopus', 'tests/prod_approval_test.rego', 'tests/config')).code).toBe(0);
    const empty = await run(root, 'rego', 'test', '--fail-on-empty', '--run', 'nothing-matches', '.octopus', 'tests/prod_approval_test.rego', 'tests/config');
    expect([empty.code, empty.stderr]).toEqual([2, 'no tests were run\n']);
    expect((await run(root, 'rego', 'test', '--run', '(', 'tests')).code).toBe(2);
  });
});
