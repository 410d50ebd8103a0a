import { describe, expect, it } from 'vitest';
import { checkPolicyCompat } from '../../src/policy/compat.js';
import { OCTOPUS_BUILTINS } from '../../src/policy/octopus-builtins.js';
import { loadPolicyText } from '../../src/policy/load.js';
import { loadPolicy, policyOcl, type PolicyParts } from './helpers.js';

function compat(parts: Omit<PolicyParts, 'slug'>) {
  const policy = loadPolicy({ slug: 'compat', ...parts });
  return { policy, diagnostics: checkPolicyCompat(policy.document, { file: policy.file, lines: policy.lines }) };
}

const everywhere = 'default evaluate := true';
const codes = (parts: Omit<PolicyParts, 'slug'>) => compat(parts).diagnostics.map((d) => d.code);

describe('POL101 unguarded conditional fields', () => {
  it('warns on input.Release.Version in a body without a guard, positioned on the OCL line and column', () => {
    const { policy, diagnostics } = compat({
      scope: everywhere,
      conditions: 'default result := {"allowed": true}\n\nresult := {"allowed": false} if {\n    startswith(input.Release.Version, "0.")\n}',
    });
    expect(diagnostics).toHaveLength(1);
    const d = diagnostics[0]!;
    expect(d).toMatchObject({ severity: 'warning', code: 'POL101', file: '.octopus/policies/compat.ocl' });
    expect(d.summary).toContain('input.Release.Version');
    const lineText = policy.lines.lineText(d.range!.start.line);
    expect(lineText).toContain('startswith(input.Release.Version');
    expect(policy.text.slice(d.range!.start.offset, d.range!.end.offset)).toBe('input.Release.Version');
  });

  it('accepts a presence test in the same body, in any order', () => {
    expect(codes({ scope: everywhere, conditions: 'result := {"allowed": input.Release.Version != "0.0.0"} if {\n    input.Release.Version != ""\n    input.Release\n}' })).toEqual([]);
  });

  it('accepts `not input.Runbook` as a guard for Release and `not input.Release` for Runbook, not for Tenant', () => {
    expect(codes({ scope: everywhere, conditions: 'result := {"allowed": true} if {\n    not input.Runbook\n    input.Release.GitRef == "refs/heads/main"\n}' })).toEqual([]);
    expect(codes({ scope: everywhere, conditions: 'result := {"allowed": true} if {\n    not input.Release\n    input.Runbook.GitRef == "refs/heads/main"\n}' })).toEqual([]);
    expect(codes({ scope: everywhere, conditions: 'result := {"allowed": true} if {\n    not input.Release\n    input.Tenant.Slug == "acme"\n}' })).toEqual(['POL101']);
  });

  it('does not carry a guard from one rule body to another', () => {
    expect(
      codes({
        scope: everywhere,
        conditions: 'result := {"allowed": true} if {\n    input.Tenant\n}\n\nresult := {"allowed": false} if {\n    input.Tenant.Slug == "x"\n}',
      }),
    ).toEqual(['POL101']);
  });

  it('accepts a guard made by a helper rule whose every definition is guarded', () => {
    const guarded = 'is_deployment if {\n    input.Release\n}\n\nis_deployment if {\n    not input.Runbook\n}\n\nresult := {"allowed": true} if {\n    is_deployment\n    input.Release.Version == "1.0.0"\n}';
    expect(codes({ scope: everywhere, conditions: guarded })).toEqual([]);
    const halfGuarded = 'is_deployment if {\n    input.Release\n}\n\nis_deployment if {\n    input.Project.Slug == "web"\n}\n\nresult := {"allowed": true} if {\n    is_deployment\n    input.Release.Version == "1.0.0"\n}';
    expect(codes({ scope: everywhere, conditions: halfGuarded })).toEqual(['POL101']);
  });

  it('treats the whole conditions module as guarded when the scope requires the field', () => {
    const conditions = 'result := {"allowed": startswith(input.Release.Version, "1.")}';
    expect(codes({ scope: 'default evaluate := false\n\nevaluate if {\n    not input.Runbook\n}', conditions })).toEqual([]);
    // No default at all (Octopus's own `evaluate if { input.Release }` form).
    expect(codes({ scope: 'evaluate if {\n    input.Release\n}', conditions })).toEqual([]);
    // A default of true, or another way to become true, removes the guarantee.
    expect(codes({ scope: 'default evaluate := true\n\nevaluate := false if {\n    input.Runbook\n}', conditions })).toEqual(['POL101']);
    expect(codes({ scope: 'evaluate if {\n    input.Release\n}\n\nevaluate if {\n    input.Space.Slug == "ops"\n}', conditions })).toEqual(['POL101']);
  });

  it('checks the scope module itself', () => {
    expect(codes({ scope: 'default evaluate := false\n\nevaluate if {\n    input.Tenant.Slug == "acme"\n}', conditions: 'result := {"allowed": true}' })).toEqual(['POL101']);
  });

  it('checks comprehensions and every with the guards of their enclosing bodies plus their own', () => {
    expect(codes({ scope: everywhere, conditions: 'tags := [t | input.Tenant; some t in input.Tenant.Tags]\n\nresult := {"allowed": count(tags) > 0}' })).toEqual([]);
    expect(codes({ scope: everywhere, conditions: 'result := {"allowed": true} if {\n    input.Tenant\n    every t in input.Tenant.Tags {\n        t != input.Tenant.Slug\n    }\n}' })).toEqual([]);
    expect(codes({ scope: everywhere, conditions: 'tags := [t | some t in input.Tenant.Tags]\n\nresult := {"allowed": count(tags) > 0}' })).toEqual(['POL101']);
  });

  it('checks rule heads with the guards of their own body', () => {
    expect(codes({ scope: everywhere, conditions: 'result := {"allowed": false, "reason": input.Release.Version} if {\n    input.Release\n}' })).toEqual([]);
    expect(codes({ scope: everywhere, conditions: 'result := {"allowed": false, "reason": input.Release.Version} if {\n    count(input.Steps) > 0\n}' })).toEqual(['POL101']);
  });

  it('counts a negated deep reference as a use, and a bare presence test as no use', () => {
    expect(codes({ scope: everywhere, conditions: 'default result := {"allowed": true}\n\nresult := {"allowed": false} if {\n    not input.Release.GitRef\n}' })).toEqual(['POL101']);
    expect(codes({ scope: everywhere, conditions: 'default result := {"allowed": true}\n\nresult := {"allowed": false} if {\n    input.Tenant\n}' })).toEqual([]);
  });
});

describe('POL102 builtins Octopus does not document', () => {
  it('accepts the documented and accepted builtins and operators', () => {
    const conditions =
      'result := {"allowed": true, "reason": sprintf("%s", [concat(",", ["a"])])} if {\n    count(input.Steps) - 1 >= 0\n    startswith(input.Project.Slug, "w")\n    endswith(input.Project.Slug, "b")\n    contains(input.Project.Slug, "e")\n    semver.compare("1.0.0", "2.0.0") < 0\n    max([1, 2]) > min([0])\n    "x" in ["x"]\n}';
    expect(codes({ scope: everywhere, conditions })).toEqual([]);
  });

  it('warns on every other builtin call, at the call', () => {
    const { policy, diagnostics } = compat({ scope: everywhere, conditions: 'result := {"allowed": regex.match("^web", input.Project.Slug)}' });
    expect(diagnostics.map((d) => d.code)).toEqual(['POL102']);
    expect(diagnostics[0]!.summary).toContain('regex.match');
    expect(policy.text.slice(diagnostics[0]!.range!.start.offset, diagnostics[0]!.range!.end.offset)).toBe('regex.match');
    expect(diagnostics[0]!.detail).toContain('`semver.compare`');
  });

  it('lists the builtins of platform-hub.md §6', () => {
    expect([...OCTOPUS_BUILTINS.keys()].sort()).toEqual(['concat', 'contains', 'count', 'endswith', 'max', 'min', 'semver.compare', 'sprintf', 'startswith']);
  });
});

describe('other compatibility findings', () => {
  it('warns on imports (POL103)', () => {
    expect(codes({ scope: `import rego.v1\n\n${everywhere}`, conditions: 'result := {"allowed": true}' })).toEqual(['POL103']);
  });

  it('warns on result keys Octopus ignores (POL104), e.g. the "Reason" of Octopus samples', () => {
    const { policy, diagnostics } = compat({
      scope: everywhere,
      conditions: 'default result := {"allowed": true}\n\nresult := {"allowed": false, "Reason": "no", "severity": 2} if {\n    count(input.Steps) == 0\n}',
    });
    expect(diagnostics.map((d) => [d.code, d.summary])).toEqual([
      ['POL104', '`result` key "Reason" is ignored (did you mean "reason"?)'],
      ['POL104', '`result` key "severity" is ignored'],
    ]);
    expect(policy.text.slice(diagnostics[0]!.range!.start.offset, diagnostics[0]!.range!.end.offset)).toBe('"Reason"');
  });

  it('leaves user-defined functions to the model layer (POL009 on load), without a compat duplicate', () => {
    const text = policyOcl({ slug: 'udf', scope: everywhere, conditions: 'is_prod(env) if {\n    env == "production"\n}\n\nresult := {"allowed": true} if {\n    not is_prod(input.Environment.Slug)\n}' });
    const { policy, diagnostics } = loadPolicyText('.octopus/policies/udf.ocl', text);
    expect(diagnostics.map((d) => d.code)).toContain('POL009');
    expect(checkPolicyCompat(policy!.document, { file: policy!.file, lines: policy!.lines })).toEqual([]);
  });

  it('skips modules that do not parse (the model reports POL008)', () => {
    const text = policyOcl({ slug: 'broken', scope: everywhere, conditions: 'result := {"allowed": } if {' });
    const { policy } = loadPolicyText('.octopus/policies/broken.ocl', text);
    expect(checkPolicyCompat(policy!.document, { file: policy!.file, lines: policy!.lines })).toEqual([]);
  });
});
