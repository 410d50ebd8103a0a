import { describe, expect, it } from 'vitest';
import {
  clearCompiledPolicyCache,
  compiledPolicyCacheSize,
  decisionBlocks,
  evaluatePolicy,
  inputFieldsRead,
  mayReadUnknownInput,
  policyInputFields,
  unknownReads,
} from '../../src/policy/evaluate.js';
import { loadPolicy } from './helpers.js';

const deployToProduction = {
  Environment: { Id: 'Environments-3', Name: 'Production', Slug: 'production', Tags: ['tier/critical'] },
  Project: { Id: 'Projects-1', Name: 'Web', Slug: 'web', Tags: [] },
  Space: { Id: 'Spaces-1', Name: 'Default', Slug: 'default' },
  ProjectGroup: { Id: 'ProjectGroups-1', Name: 'Apps', Slug: 'apps' },
  Steps: [
    { Id: 's1', Slug: 'approve', ActionType: 'Octopus.Manual', Enabled: true, IsRequired: false, IsConditional: false, Source: { Type: 'Step', SlugOrId: 'approve' } },
    { Id: 's2', Slug: 'deploy', ActionType: 'Octopus.Script', Enabled: false, IsRequired: true, IsConditional: false, Source: { Type: 'Step', SlugOrId: 'deploy' } },
  ],
  SkippedSteps: [],
  Execution: [{ StartTrigger: 'StartAfterPrevious', Steps: ['s1', 's2'] }],
  RequiresApproval: false,
  Release: { Id: 'Releases-1', Name: '1.0.0', Version: '1.0.0' },
};

const runbookRun = { ...deployToProduction, Release: undefined, Runbook: { Id: 'Runbooks-1', Name: 'Restart', Snapshot: 'Snap-1' } };
delete (runbookRun as Record<string, unknown>).Release;

const productionScope = `default evaluate := false

evaluate if {
    input.Environment.Slug == "production"
}
`;

const noDisabledSteps = `default result := {"allowed": true}

result := {"allowed": false} if {
    some step in input.Steps
    not step.Enabled
}
`;

describe('evaluatePolicy', () => {
  it('passes an allowed result and reports no reason', () => {
    const policy = loadPolicy({ slug: 'has_steps', scope: 'default evaluate := true', conditions: 'result := {"allowed": count(input.Steps) > 0}' });
    const d = evaluatePolicy(policy, deployToProduction);
    expect(d).toMatchObject({ policy: 'has_steps', policyName: 'has_steps', inScope: true, allowed: true, outcome: 'pass', action: 'block' });
    expect(d.reason).toBeUndefined();
    expect(d.result).toEqual({ allowed: true });
  });

  it('takes the reason from violation_reason when the result has none, and the action from violation_action', () => {
    const policy = loadPolicy({ slug: 'no_disabled', scope: productionScope, conditions: noDisabledSteps, violationReason: 'Steps are disabled', violationAction: 'warn' });
    const d = evaluatePolicy(policy, deployToProduction);
    expect(d).toMatchObject({ inScope: true, allowed: false, outcome: 'violation', action: 'warn', reason: 'Steps are disabled' });
    expect(decisionBlocks(d)).toBe(false);
  });

  it('defaults the action to block and the reason to a message naming the policy', () => {
    const policy = loadPolicy({ slug: 'no_disabled', name: 'No disabled steps', scope: productionScope, conditions: noDisabledSteps });
    const d = evaluatePolicy(policy, deployToProduction);
    expect(d).toMatchObject({ outcome: 'violation', action: 'block', reason: 'Violates policy "No disabled steps"' });
    expect(decisionBlocks(d)).toBe(true);
  });

  it('lets result.reason and result.action override the policy attributes', () => {
    const policy = loadPolicy({
      slug: 'override',
      scope: 'default evaluate := true',
      conditions: 'result := {"allowed": false, "reason": sprintf("%d steps", [count(input.Steps)]), "action": "warn"}',
      violationReason: 'generic',
      violationAction: 'block',
    });
    expect(evaluatePolicy(policy, deployToProduction)).toMatchObject({ outcome: 'violation', action: 'warn', reason: '2 steps' });
  });

  it('keeps the reason of an allowed result', () => {
    const policy = loadPolicy({ slug: 'ok', scope: 'default evaluate := true', conditions: 'result := {"allowed": true, "reason": "approved"}' });
    expect(evaluatePolicy(policy, deployToProduction)).toMatchObject({ outcome: 'pass', reason: 'approved' });
  });

  it('skips a policy whose scope is false, and one whose evaluate is undefined (no default)', () => {
    const falseScope = loadPolicy({ slug: 'prod_only', scope: productionScope, conditions: noDisabledSteps });
    const dev = { ...deployToProduction, Environment: { ...deployToProduction.Environment, Slug: 'dev' } };
    expect(evaluatePolicy(falseScope, dev)).toMatchObject({ inScope: false, outcome: 'skipped', allowed: true, evaluate: false });

    const noDefault = loadPolicy({ slug: 'release_only', scope: 'evaluate if {\n    input.Release\n}', conditions: noDisabledSteps });
    const skipped = evaluatePolicy(noDefault, runbookRun);
    expect(skipped).toMatchObject({ inScope: false, outcome: 'skipped' });
    expect(skipped.evaluate).toBeUndefined();
    expect(evaluatePolicy(noDefault, deployToProduction)).toMatchObject({ inScope: true, outcome: 'violation' });
  });

  it('evaluates the conditions of an out-of-scope policy with ignoreScope, keeping inScope false', () => {
    const policy = loadPolicy({ slug: 'prod_only', scope: productionScope, conditions: noDisabledSteps });
    const dev = { ...deployToProduction, Environment: { ...deployToProduction.Environment, Slug: 'dev' } };
    expect(evaluatePolicy(policy, dev, { ignoreScope: true })).toMatchObject({ inScope: false, outcome: 'violation' });
  });

  it('fails closed when result is undefined while in scope', () => {
    const policy = loadPolicy({ slug: 'no_default', scope: 'default evaluate := true', conditions: 'result := {"allowed": true} if {\n    input.Release.Version == "9.9.9"\n}' });
    const d = evaluatePolicy(policy, deployToProduction);
    expect(d).toMatchObject({ outcome: 'error', inScope: true, allowed: false, action: 'block', errorCode: 'POL_RESULT_UNDEFINED' });
    expect(d.error).toMatch(/result is undefined/);
    expect(decisionBlocks(d)).toBe(true);
  });

  it('makes error decisions warn with onError: warn', () => {
    const policy = loadPolicy({ slug: 'no_default', scope: 'default evaluate := true', conditions: 'result := {"allowed": true} if { false }' });
    const d = evaluatePolicy(policy, deployToProduction, { onError: 'warn' });
    expect(d).toMatchObject({ outcome: 'error', action: 'warn' });
    expect(decisionBlocks(d)).toBe(false);
  });

  it.each([
    ['allowed is not a boolean', 'result := {"allowed": "yes"}', /allowed must be a boolean/],
    ['allowed is missing', 'result := {"Allowed": true}', /no "allowed" key/],
    ['reason is not a string', 'result := {"allowed": false, "reason": 42}', /reason must be a string/],
    ['action is not block or warn', 'result := {"allowed": false, "action": "error"}', /action must be "block" or "warn"/],
    ['result is not an object', 'result := true', /result must be an object/],
  ])('rejects a malformed result (%s)', (_what, conditions, message) => {
    const policy = loadPolicy({ slug: 'shape', scope: 'default evaluate := true', conditions });
    const d = evaluatePolicy(policy, deployToProduction);
    expect(d).toMatchObject({ outcome: 'error', errorCode: 'POL_RESULT_SHAPE' });
    expect(d.error).toMatch(message);
  });

  it('rejects a non-boolean evaluate', () => {
    const policy = loadPolicy({ slug: 'scope_type', scope: 'evaluate := "yes"', conditions: 'result := {"allowed": true}' });
    expect(evaluatePolicy(policy, deployToProduction)).toMatchObject({ outcome: 'error', errorCode: 'POL_SCOPE_TYPE' });
  });

  it('reports a conflict between complete rules as an error positioned in the OCL file', () => {
    const policy = loadPolicy({
      slug: 'conflict',
      scope: 'default evaluate := true',
      conditions: 'result := {"allowed": true} if {\n    count(input.Steps) > 0\n}\n\nresult := {"allowed": false} if {\n    count(input.Steps) > 1\n}',
    });
    const d = evaluatePolicy(policy, deployToProduction);
    expect(d).toMatchObject({ outcome: 'error', errorCode: 'eval_conflict_error' });
    expect(d.error).toMatch(/^conditions failed: /);
  });

  it('reports a limit hit as an error decision', () => {
    const policy = loadPolicy({
      slug: 'slow',
      scope: 'default evaluate := true',
      conditions: 'result := {"allowed": count([x | some x in numbers.range(1, 100000)]) > 0}',
    });
    const d = evaluatePolicy(policy, deployToProduction, { limits: { maxSteps: 1000 } });
    expect(d).toMatchObject({ outcome: 'error', errorCode: 'REGO_LIMIT' });
    expect(d.error).toMatch(/hit an evaluation limit/);
  });

  it('reports strict builtin errors only with strict', () => {
    const policy = loadPolicy({
      slug: 'semver',
      scope: 'default evaluate := true',
      conditions: 'default result := {"allowed": true}\n\nresult := {"allowed": false} if {\n    semver.compare(input.Release.Name, "<required>") < 0\n}',
    });
    expect(evaluatePolicy(policy, deployToProduction)).toMatchObject({ outcome: 'pass' });
    expect(evaluatePolicy(policy, deployToProduction, { strict: true })).toMatchObject({ outcome: 'error' });
  });

  it('reports a module that does not compile with its OCL position', () => {
    const policy = loadPolicy({ slug: 'unsafe', scope: 'default evaluate := true', conditions: 'result := {"allowed": x}' });
    const d = evaluatePolicy(policy, deployToProduction);
    expect(d.outcome).toBe('error');
    // Line 1 of the conditions Rego is `package unsafe` at OCL line 4 (after 2 attribute lines + blank + `conditions {`).
    expect(d.error).toMatch(/conditions does not compile: .*\(\.octopus\/policies\/unsafe\.ocl:7:\d+\)/);
  });

  it('queries the slug: a package that does not match the file name leaves the rules undefined', () => {
    const policy = loadPolicy({
      slug: 'file_name',
      withPackage: false,
      scope: 'package other\n\ndefault evaluate := true',
      conditions: 'package other\n\nresult := {"allowed": true}',
    });
    expect(evaluatePolicy(policy, deployToProduction)).toMatchObject({ outcome: 'skipped', inScope: false });
    expect(evaluatePolicy(policy, deployToProduction, { ignoreScope: true })).toMatchObject({ outcome: 'error', errorCode: 'POL_RESULT_UNDEFINED' });
  });

  it('compiles a policy once per content and reuses it', () => {
    clearCompiledPolicyCache();
    const a = loadPolicy({ slug: 'cached', scope: 'default evaluate := true', conditions: noDisabledSteps });
    const b = loadPolicy({ slug: 'cached', scope: 'default evaluate := true', conditions: noDisabledSteps }, { version: '1.0.0' });
    evaluatePolicy(a, deployToProduction);
    evaluatePolicy(b, deployToProduction);
    expect(compiledPolicyCacheSize()).toBe(1);
    const c = loadPolicy({ slug: 'cached', scope: 'default evaluate := false', conditions: noDisabledSteps });
    evaluatePolicy(c, deployToProduction);
    expect(compiledPolicyCacheSize()).toBe(2);
    expect(evaluatePolicy(b, deployToProduction).version).toBe('1.0.0');
  });
});

describe('input the caller does not have (unknownInput)', () => {
  const withoutRelease = { ...deployToProduction } as Record<string, unknown>;
  delete withoutRelease['Release'];
  const minimum = `default result := {"allowed": true}

result := {"allowed": false, "reason": "too old"} if semver.compare(input.Release.Version, "2.0.0") < 0
`;

  it('a decision that read the unknown input is inconclusive, with the paths it needs', () => {
    const policy = loadPolicy({ slug: 'min_release', scope: 'default evaluate := true', conditions: minimum });
    const decision = evaluatePolicy(policy, withoutRelease, { unknownInput: ['Release'] });
    expect(decision).toMatchObject({ outcome: 'inconclusive', needs: ['Release.Version'], allowed: true, action: 'block' });
    expect(decision.reason).toBeUndefined();
    // A bare decision (what lint keeps) says the same, without the raw values.
    const bare = evaluatePolicy(policy, withoutRelease, { unknownInput: ['Release'], decisionOnly: true });
    const present = (d: object) => Object.entries(d).flatMap(([key, value]) => (value === undefined ? [] : [key]));
    expect(present(bare)).toEqual(['policy', 'inScope', 'allowed', 'action', 'outcome', 'policyName', 'needs']);
    // Every bare decision has one shape: the same keys in the same order, an absent one undefined.
    const shape = ['policy', 'inScope', 'allowed', 'action', 'outcome', 'policyName', 'version', 'reason', 'needs', 'location'];
    expect(Object.keys(bare)).toEqual(shape);
    expect(Object.keys(evaluatePolicy(policy, deployToProduction, { unknownInput: [], decisionOnly: true }))).toEqual(shape);
    expect(bare).toMatchObject({ outcome: 'inconclusive', needs: ['Release.Version'], allowed: true, action: 'block' });
    // Known input decides as usual.
    expect(evaluatePolicy(policy, deployToProduction, { unknownInput: [] }).outcome).toBe('violation');
  });

  it('a scope that reads it is inconclusive too (it would be in scope for any real deployment)', () => {
    const policy = loadPolicy({ slug: 'deployments_only', scope: 'default evaluate := false\n\nevaluate if input.Release', conditions: noDisabledSteps });
    expect(evaluatePolicy(policy, withoutRelease, { unknownInput: ['Release'] })).toMatchObject({ outcome: 'inconclusive', needs: ['Release'] });
    expect(evaluatePolicy(policy, withoutRelease).outcome).toBe('skipped');
  });

  it('an undefined result caused by the missing input is inconclusive; a Rego runtime error stays an error', () => {
    const undefinedResult = loadPolicy({ slug: 'needs_version', scope: 'default evaluate := true', conditions: 'result := {"allowed": input.Release.Version == "1.0.0"}' });
    expect(evaluatePolicy(undefinedResult, withoutRelease, { unknownInput: ['Release'] })).toMatchObject({ outcome: 'inconclusive' });
    const conflict = loadPolicy({ slug: 'conflict', scope: 'default evaluate := true', conditions: 'result := {"allowed": true} if input.Release\nresult := {"allowed": false} if input.Steps' });
    expect(evaluatePolicy(conflict, deployToProduction, { unknownInput: ['Release'] }).outcome).toBe('error');
  });

  it('policies that cannot read it are decided without recording reads', () => {
    const policy = loadPolicy({ slug: 'steps_only', scope: productionScope, conditions: noDisabledSteps });
    expect(evaluatePolicy(policy, withoutRelease, { unknownInput: ['Release'] }).outcome).toBe('violation');
    expect(mayReadUnknownInput('x := input.Steps\ny := input.Environment.Slug', ['Release'])).toBe(false);
    expect(mayReadUnknownInput('x := input.Release.Version', ['Release'])).toBe(true);
    expect(mayReadUnknownInput('x := input["Release"]', ['Release'])).toBe(true);
    expect(mayReadUnknownInput('x := object.get(input, "Release", null)', ['Release'])).toBe(true);
    expect(mayReadUnknownInput('x := input.Releases', ['Release'])).toBe(false);
    expect(unknownReads([['Steps'], ['Release', 'Version'], []], ['Release'])).toEqual(['', 'Release.Version']);
  });
});

describe('reuseInputParts: a module evaluated once for inputs sharing the fields it reads', () => {
  const steps = deployToProduction.Steps;
  const environment = (slug: string) => ({ Id: `Environments-${slug}`, Name: slug, Slug: slug, Tags: slug === 'production' ? ['tier/critical'] : [] });
  const production = environment('production');
  const staging = environment('staging');
  const inputOf = (env: object, stepList: unknown[] = steps, release?: object) => {
    const input: Record<string, unknown> = { ...deployToProduction, Environment: env, Steps: stepList };
    if (release) input['Release'] = release;
    else delete input['Release'];
    return input;
  };

  it('reads the fields a module names, and nothing when it may read more or reads the clock', () => {
    expect(inputFieldsRead('evaluate if {\n    input.Environment.Slug == "production"\n    not input.Runbook\n}')).toEqual(['Environment', 'Runbook']);
    expect(inputFieldsRead('some step in input.Steps\ninput . Steps[0]')).toEqual(['Steps']);
    expect(inputFieldsRead('default evaluate := true')).toEqual([]);
    for (const source of ['x := input["Steps"]', 'x := object.get(input, "Steps", [])', 'x := y with input as {}', 'import input', 'x := time.now_ns() > input.Deadline']) {
      expect(inputFieldsRead(source), source).toBeUndefined();
    }
  });

  it('reads a policy\'s fields from both modules, and none when either may read more', () => {
    expect(policyInputFields(loadPolicy({ slug: 'both', scope: productionScope, conditions: noDisabledSteps }))).toEqual(['Environment', 'Steps']);
    expect(policyInputFields(loadPolicy({ slug: 'constant', scope: 'default evaluate := true', conditions: noDisabledSteps }))).toEqual(['Steps']);
    expect(policyInputFields(loadPolicy({ slug: 'whole', scope: 'default evaluate := true', conditions: 'result := {"allowed": count(object.keys(input)) > 8}' }))).toBeUndefined();
    expect(policyInputFields(loadPolicy({ slug: 'clock', scope: 'evaluate := time.now_ns() > 0', conditions: noDisabledSteps }))).toBeUndefined();
  });

  it('decides every input as a fresh evaluation does', () => {
    const policies = [
      loadPolicy({ slug: 'env_scoped', scope: productionScope, conditions: noDisabledSteps }),
      loadPolicy({ slug: 'everywhere', scope: 'default evaluate := true', conditions: noDisabledSteps }),
      loadPolicy({
        slug: 'env_reason',
        scope: 'default evaluate := true',
        conditions: 'default result := {"allowed": true}\n\nresult := {"allowed": false, "reason": sprintf("not in %s", [input.Environment.Slug])} if input.Environment.Slug != "production"',
      }),
      loadPolicy({ slug: 'whole_input', scope: 'default evaluate := true', conditions: 'result := {"allowed": count(object.keys(input)) > 8}' }),
      loadPolicy({ slug: 'min_release', scope: 'default evaluate := true', conditions: 'default result := {"allowed": true}\n\nresult := {"allowed": false} if semver.compare(input.Release.Version, "2.0.0") < 0' }),
    ];
    const enabledSteps = steps.map((s) => ({ ...s, Enabled: true }));
    const release = { Id: 'Releases-1', Name: '1.0.0', Version: '1.0.0' };
    // The same parts again and again (as lint builds its inputs), then other parts with equal or different content.
    const inputs = [
      inputOf(production),
      inputOf(staging),
      inputOf(production),
      inputOf(staging, enabledSteps),
      inputOf(production, enabledSteps),
      inputOf(environment('production'), [...steps]),
      inputOf(production, steps, release),
      inputOf(staging, steps, release),
    ];
    for (const input of inputs) {
      for (const unknownInput of [['Release'], []]) {
        for (const policy of policies) {
          const fresh = evaluatePolicy(policy, input, { unknownInput, decisionOnly: true });
          expect(evaluatePolicy(policy, input, { unknownInput, decisionOnly: true, reuseInputParts: true })).toEqual(fresh);
        }
      }
    }
  });

  it('gives each decision of a reused value its own needs, and the same answer for a reused malformed result', () => {
    const readsRelease = loadPolicy({ slug: 'release_scope', scope: 'default evaluate := false\n\nevaluate if input.Release', conditions: noDisabledSteps });
    const unknownInput = ['Release'];
    const first = evaluatePolicy(readsRelease, inputOf(production), { unknownInput, decisionOnly: true, reuseInputParts: true });
    expect(first).toMatchObject({ outcome: 'inconclusive', needs: ['Release'] });
    first.needs!.push('changed by the caller');
    const again = evaluatePolicy(readsRelease, inputOf(production), { unknownInput, decisionOnly: true, reuseInputParts: true });
    expect(again.needs).toEqual(['Release']);
    expect(again.needs).not.toBe(first.needs);
    // The caller's list changed in place: its needs are worked out again.
    unknownInput[0] = 'Runbook';
    expect(evaluatePolicy(readsRelease, inputOf(production), { unknownInput, decisionOnly: true, reuseInputParts: true }).outcome).toBe('skipped');

    const malformed = loadPolicy({ slug: 'malformed', scope: 'default evaluate := true', conditions: 'result := {"allowed": "yes"} if count(input.Steps) > 0' });
    const shape = evaluatePolicy(malformed, inputOf(production), { reuseInputParts: true });
    expect(shape).toMatchObject({ outcome: 'error', errorCode: 'POL_RESULT_SHAPE' });
    expect(evaluatePolicy(malformed, inputOf(staging), { reuseInputParts: true })).toEqual(shape);
  });

  it('tells an absent field from one set to undefined, and never reuses an error', () => {
    const policy = loadPolicy({ slug: 'has_release', scope: 'default evaluate := true', conditions: 'result := {"allowed": true} if input.Release\nresult := {"allowed": false} if input.Steps' });
    const absent = inputOf(production);
    expect(evaluatePolicy(policy, absent, { reuseInputParts: true }).outcome).toBe('violation');
    expect(evaluatePolicy(policy, inputOf(production, steps, { Id: 'Releases-2', Name: '2.0.0', Version: '2.0.0' }), { reuseInputParts: true }).outcome).toBe('error');
    expect(evaluatePolicy(policy, { ...absent, Release: undefined }, { reuseInputParts: true })).toEqual(evaluatePolicy(policy, { ...absent, Release: undefined }));
  });

  it('hands a bare pass or skipped decision out again, never a violation or an inconclusive one, nor one made for another policy', () => {
    const bare = { unknownInput: ['Release'], decisionOnly: true, reuseInputParts: true };
    const scoped = loadPolicy({ slug: 'scoped_share', scope: productionScope, conditions: noDisabledSteps });
    const enabled = steps.map((s) => ({ ...s, Enabled: true }));
    const skipped = evaluatePolicy(scoped, inputOf(staging, enabled), bare);
    expect(skipped.outcome).toBe('skipped');
    expect(evaluatePolicy(scoped, inputOf(staging, steps), bare)).toBe(skipped);
    const passed = evaluatePolicy(scoped, inputOf(production, enabled), bare);
    expect(passed).toMatchObject({ outcome: 'pass', inScope: true });
    expect(evaluatePolicy(scoped, inputOf(production, enabled), bare)).toBe(passed);
    // The same document loaded as another policy (another version) gets decisions of its own.
    const other = { ...scoped, version: '9.9.9' };
    const otherPass = evaluatePolicy(other, inputOf(production, enabled), bare);
    expect(otherPass).not.toBe(passed);
    expect(otherPass.version).toBe('9.9.9');
    expect(passed.version).toBe(scoped.version);
    // Violations (lint places them) and inconclusive decisions are made anew each time.
    const violation = evaluatePolicy(scoped, inputOf(production), bare);
    expect(violation.outcome).toBe('violation');
    expect(evaluatePolicy(scoped, inputOf(production), bare)).not.toBe(violation);
    const readsRelease = loadPolicy({ slug: 'release_share', scope: 'default evaluate := false\n\nevaluate if input.Release', conditions: noDisabledSteps });
    const inconclusive = evaluatePolicy(readsRelease, inputOf(production), bare);
    expect(inconclusive.outcome).toBe('inconclusive');
    expect(evaluatePolicy(readsRelease, inputOf(production), bare)).not.toBe(inconclusive);
    // Without reuseInputParts every decision is the caller's own.
    expect(evaluatePolicy(scoped, inputOf(staging, enabled), { unknownInput: ['Release'], decisionOnly: true })).not.toBe(evaluatePolicy(scoped, inputOf(staging, enabled), { unknownInput: ['Release'], decisionOnly: true }));
  });
});
