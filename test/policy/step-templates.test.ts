/**
 * An unknown ActionType (a step-template action whose template oclhub.ocl does not declare) in the
 * policy layer: which policies may read it, and the error decision they make instead of judging an
 * invented type.
 */
import { describe, expect, it } from 'vitest';
import { evaluatePolicy, mayReadActionType, type UnknownActionTypeStep } from '../../src/policy/evaluate.js';
import { loadPolicy } from './helpers.js';

const NO_SCRIPTS = loadPolicy({
  slug: 'no_script_steps',
  scope: 'default evaluate := true',
  conditions: `default result := {"allowed": true}

result := {"allowed": false, "reason": "Script steps are not allowed"} if {
    some step in input.Steps
    step.ActionType == "Octopus.Script"
}`,
});

const PRODUCTION_ONLY = loadPolicy({
  slug: 'manual_in_production',
  scope: `default evaluate := false

evaluate if input.Environment.Slug == "production"`,
  conditions: `default result := {"allowed": false}

result := {"allowed": true} if {
    some step in input.Steps
    step.ActionType == "Octopus.Manual"
}`,
});

const NO_DISABLED = loadPolicy({
  slug: 'no_disabled',
  scope: 'default evaluate := true',
  conditions: `default result := {"allowed": true}

result := {"allowed": false} if {
    some step in input.Steps
    not step.Enabled
}`,
});

const LOCATION = { file: '.octopus/deployment_process.ocl', range: { start: { line: 3, column: 1, offset: 20 }, end: { line: 3, column: 20, offset: 39 } }, step: 'approve-plan' };
const UNKNOWN: UnknownActionTypeStep[] = [{ id: 'id-approve', slug: 'approve-plan', templateId: 'ActionTemplates-3', location: LOCATION }];

function input(environment: string, actionType?: string): unknown {
  const step: Record<string, unknown> = { Id: 'id-approve', Slug: 'approve-plan', Enabled: true, IsRequired: false, IsConditional: false, Source: { Type: 'Step Template', SlugOrId: 'ActionTemplates-3' } };
  if (actionType !== undefined) step['ActionType'] = actionType;
  return { Environment: { Id: `Environments-${environment}`, Name: environment, Slug: environment, Tags: [] }, Steps: [step], SkippedSteps: [], Execution: [], RequiresApproval: false };
}

describe('mayReadActionType', () => {
  it('counts the name, input as a whole or with a dynamic key, and walk; not policies reading other fields', () => {
    expect(mayReadActionType('some s in input.Steps\ns.ActionType == "Octopus.Script"')).toBe(true);
    expect(mayReadActionType('object.get(s, "ActionType", "")')).toBe(true);
    expect(mayReadActionType('x := input')).toBe(true);
    expect(mayReadActionType('x := input[k]')).toBe(true);
    expect(mayReadActionType('walk(input.Steps, [p, v])')).toBe(true);
    expect(mayReadActionType('some s in input.Steps\nnot s.Enabled')).toBe(false);
    expect(mayReadActionType('input.Environment.Slug == "production"')).toBe(false);
  });
});

describe('a policy that may read ActionType, on a step whose type is unknown', () => {
  it('decides error (blocks by default, warns with onError warn) at the step, naming it, the template and the fix', () => {
    const decision = evaluatePolicy(NO_SCRIPTS, input('production'), { unknownActionTypes: UNKNOWN });
    expect(decision).toMatchObject({ outcome: 'error', action: 'block', allowed: false, inScope: true, errorCode: 'POL_ACTION_TYPE_UNKNOWN', location: LOCATION });
    expect(decision.error).toContain('step "approve-plan" (step template "ActionTemplates-3")');
    expect(decision.error).toContain('step_template "ActionTemplates-3" {\n    action_type = "..."\n}');
    expect(evaluatePolicy(NO_SCRIPTS, input('production'), { unknownActionTypes: UNKNOWN, onError: 'warn', decisionOnly: true })).toMatchObject({ outcome: 'error', action: 'warn' });
  });

  it('decides as the declared type says once it is known: a script template is a violation, a manual one passes', () => {
    expect(evaluatePolicy(NO_SCRIPTS, input('production', 'Octopus.Script')).outcome).toBe('violation');
    expect(evaluatePolicy(PRODUCTION_ONLY, input('production', 'Octopus.Manual')).outcome).toBe('pass');
  });

  it('is still skipped where a scope that cannot read ActionType leaves the context out', () => {
    expect(evaluatePolicy(PRODUCTION_ONLY, input('staging'), { unknownActionTypes: UNKNOWN }).outcome).toBe('skipped');
    expect(evaluatePolicy(PRODUCTION_ONLY, input('production'), { unknownActionTypes: UNKNOWN }).outcome).toBe('error');
  });

  it('leaves a policy that cannot read ActionType deciding as before', () => {
    expect(evaluatePolicy(NO_DISABLED, input('production'), { unknownActionTypes: UNKNOWN })).toEqual(evaluatePolicy(NO_DISABLED, input('production')));
  });
});

/** A policy whose conditions are `body` (inside a rule that violates when it holds), named so its text never says ActionType. */
function hiddenReader(slug: string, body: string, scope = 'default evaluate := true'): ReturnType<typeof loadPolicy> {
  return loadPolicy({ slug, scope, conditions: `default result := {"allowed": true}\n\nresult := {"allowed": false, "reason": "found"} if {\n${body}\n}` });
}

/** Looks for a script step through each step's values: never names ActionType. */
const KEY_ITERATED = `    some step in input.Steps\n    some k, v in step\n    v == "Octopus.Script"`;

describe('a policy that reaches ActionType without naming it, on a step whose type is unknown', () => {
  // Each would decide on a step without a type as if it had none (a script let through) were it run on
  // the input as is: the text check cannot see them, the guarded input refuses them.
  const hidden: Array<[string, string]> = [
    ['a key iterated', KEY_ITERATED],
    ['a key built at run time', `    some step in input.Steps\n    step[concat("", ["Action", "Type"])] == "Octopus.Script"`],
    ['object.get with a computed key', `    some step in input.Steps\n    object.get(step, concat("", ["Action", "Type"]), "") == "Octopus.Script"`],
    ['json.marshal of a step', `    some step in input.Steps\n    contains(json.marshal(step), "Octopus.Script")`],
    ['object.keys of a step', `    some step in input.Steps\n    count(object.keys(step)) < 8`],
    ['count of a step', `    some step in input.Steps\n    count(step) < 8`],
    ['a step compared whole', `    some step in input.Steps\n    step == {"Id": "id-approve"}`],
    ['a set of steps', `    steps := {step | some step in input.Steps}\n    count(steps) > 0`],
    ['sprintf of a step', `    some step in input.Steps\n    contains(sprintf("%v", [step]), "Script")`],
    ['a template rendering a step', `    some step in input.Steps\n    contains(strings.render_template("{{.}}", step), "Script")`],
    ['json.filter of a step', `    some step in input.Steps\n    count(json.filter(step, ["Slug"])) > 0`],
  ];
  for (const [what, body] of hidden) {
    it(`refuses ${what}: error at the step, as when the policy names ActionType`, () => {
      const policy = hiddenReader('hidden_reader', body);
      expect(mayReadActionType(`${policy.document.scope?.rego}\n${policy.document.conditions?.rego}`)).toBe(false);
      const decision = evaluatePolicy(policy, input('production'), { unknownActionTypes: UNKNOWN });
      expect(decision).toMatchObject({ outcome: 'error', allowed: false, errorCode: 'POL_ACTION_TYPE_UNKNOWN', location: LOCATION });
      expect(decision.error).toContain('step "approve-plan" (step template "ActionTemplates-3")');
      // With the type known, the same policy runs (and the guard is not in the way).
      expect(evaluatePolicy(policy, input('production', 'Octopus.Manual')).outcome).not.toBe('error');
    });
  }

  it('refuses it in the scope too, and names the step that was looked at among several', () => {
    const scope = `default evaluate := false\n\nevaluate if {\n    some step in input.Steps\n    some k, v in step\n    v == "Octopus.Manual"\n}`;
    const policy = hiddenReader('hidden_scope', '    false', scope);
    const second: UnknownActionTypeStep = { id: 'id-other', slug: 'other', templateId: 'ActionTemplates-9' };
    const decision = evaluatePolicy(policy, input('production'), { unknownActionTypes: [second, ...UNKNOWN] });
    expect(decision).toMatchObject({ outcome: 'error', errorCode: 'POL_ACTION_TYPE_UNKNOWN', location: LOCATION });
    expect(decision.error).toContain('step "approve-plan"');
    expect(decision.error).not.toContain('step "other"');
  });

  it('follows a list of unknown steps changed in place between two decisions', () => {
    const policy = hiddenReader('hidden_reader', KEY_ITERATED);
    const steps: UnknownActionTypeStep[] = [{ id: 'id-elsewhere', slug: 'elsewhere', templateId: 'ActionTemplates-9' }];
    // Not this input's step: evaluated as is (no step of it guarded), and passes.
    expect(evaluatePolicy(policy, input('production'), { unknownActionTypes: steps }).outcome).toBe('pass');
    steps.push(...UNKNOWN);
    expect(evaluatePolicy(policy, input('production'), { unknownActionTypes: steps })).toMatchObject({ outcome: 'error', errorCode: 'POL_ACTION_TYPE_UNKNOWN' });
  });

  it('refuses a result that carries a step whole (shown as JSON after the evaluation)', () => {
    const policy = loadPolicy({
      slug: 'carries_step',
      scope: 'default evaluate := true',
      conditions: `default result := {"allowed": true}\n\nresult := {"allowed": false, "reason": "first step", "step": input.Steps[0]} if input.Steps[0].Enabled`,
    });
    expect(evaluatePolicy(policy, input('production'), { unknownActionTypes: UNKNOWN })).toMatchObject({ outcome: 'error', errorCode: 'POL_ACTION_TYPE_UNKNOWN' });
  });

  it('lets every other read of the step through: fields by name, the step bound, passed to a function, iterated in a list', () => {
    const policy = loadPolicy({
      slug: 'reads_fields',
      scope: 'default evaluate := true',
      conditions: `default result := {"allowed": true}

result := {"allowed": false, "reason": "found"} if {
    some step in input.Steps
    names := [s.Slug | some s in input.Steps]
    is_approve(step)
    count(names) == 1
    step.Source.Type == "Step Template"
    not step.Id in input.SkippedSteps
}

is_approve(s) if s.Slug == "approve-plan"`,
    });
    const guarded = evaluatePolicy(policy, input('production'), { unknownActionTypes: UNKNOWN });
    expect(guarded).toMatchObject({ outcome: 'violation', reason: 'found' });
    expect(guarded).toEqual(evaluatePolicy(policy, input('production')));
  });

  it('gives the same decisions for the environments of one project evaluated in turn (the guarded steps are shared)', () => {
    const policy = hiddenReader('hidden_reader', KEY_ITERATED);
    const base = input('production') as Record<string, unknown>;
    const inputs = ['production', 'staging', 'test'].map((name) => ({ ...base, Environment: { Id: `Environments-${name}`, Name: name, Slug: name, Tags: [] } }));
    for (const each of [...inputs, ...inputs]) {
      expect(evaluatePolicy(policy, each, { unknownActionTypes: UNKNOWN, reuseInputParts: true })).toMatchObject({ outcome: 'error', errorCode: 'POL_ACTION_TYPE_UNKNOWN' });
      expect(evaluatePolicy(NO_DISABLED, each, { unknownActionTypes: UNKNOWN, reuseInputParts: true }).outcome).toBe('pass');
    }
  });
});
