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
