/** The bump rules for parameters, steps and their actions (see bump.ts for the rules in one place). */
import { at, describeChildren, pairRenames, previousAt, type BumpReason } from './bump-reasons.js';
import { bodyMeaningKey, meaningKey, type ShapeAction, type ShapeParameter, type ShapeStep, type TemplateShape } from './template-shape.js';

function isOptional(parameter: ShapeParameter): boolean {
  return parameter.hasDefault || parameter.isOptional;
}

export function compareParameters(before: TemplateShape, after: TemplateShape, reasons: BumpReason[]): void {
  const removed = [...before.parameters.values()].filter((p) => !after.parameters.has(p.name));
  const added = [...after.parameters.values()].filter((p) => !before.parameters.has(p.name));
  const renamedTo = pairRenames(removed, added, (p) => meaningKey(p.block, true));

  for (const old of removed) {
    const renamed = renamedTo.get(old);
    if (renamed) {
      reasons.push({
        bump: 'major',
        code: 'TPL_BUMP_PARAMETER_RENAMED',
        message: `renamed parameter "${old.name}" to "${renamed.name}" (consumers that set "${old.name}" break)`,
        element: { kind: 'parameter', name: renamed.name },
        ...at(renamed.file, renamed.block.range),
        ...previousAt(old.file, old.block.range),
      });
    } else {
      reasons.push({
        bump: 'major',
        code: 'TPL_BUMP_PARAMETER_REMOVED',
        message: `removed parameter "${old.name}"`,
        element: { kind: 'parameter', name: old.name },
        ...previousAt(old.file, old.block.range),
      });
    }
  }
  const renamedTargets = new Set(renamedTo.values());
  for (const parameter of added) {
    if (renamedTargets.has(parameter)) continue;
    const optional = isOptional(parameter);
    reasons.push({
      bump: optional ? 'minor' : 'major',
      code: optional ? 'TPL_BUMP_PARAMETER_ADDED_OPTIONAL' : 'TPL_BUMP_PARAMETER_ADDED_REQUIRED',
      message: optional
        ? `new optional parameter "${parameter.name}"`
        : `new required parameter "${parameter.name}" (no default value and not is_optional: every consumer must set it)`,
      element: { kind: 'parameter', name: parameter.name },
      ...at(parameter.file, parameter.block.range),
    });
  }
  for (const old of before.parameters.values()) {
    const now = after.parameters.get(old.name);
    if (!now) continue;
    const where = { element: { kind: 'parameter' as const, name: now.name }, ...at(now.file, now.block.range), ...previousAt(old.file, old.block.range) };
    if (old.controlType !== now.controlType) {
      reasons.push({
        bump: 'major',
        code: 'TPL_BUMP_PARAMETER_CONTROL_TYPE',
        message: `changed the control type of parameter "${now.name}" from ${old.controlType ?? '(none)'} to ${now.controlType ?? '(none)'}`,
        ...where,
      });
    }
    if (isOptional(old) && !isOptional(now)) {
      reasons.push({
        bump: 'major',
        code: 'TPL_BUMP_PARAMETER_NOW_REQUIRED',
        message: `parameter "${now.name}" became required (its default value or is_optional was removed)`,
        ...where,
      });
    }
    if (!isOptional(old) && isOptional(now)) {
      reasons.push({
        bump: 'minor',
        code: 'TPL_BUMP_PARAMETER_NOW_OPTIONAL',
        message: `parameter "${now.name}" became optional (it now has a default value or is_optional)`,
        ...where,
      });
    }
    if (old.controlType === now.controlType && isOptional(old) === isOptional(now) && meaningKey(old.block) !== meaningKey(now.block)) {
      reasons.push({
        bump: 'patch',
        code: 'TPL_BUMP_PARAMETER_CHANGED',
        message: `changed parameter "${now.name}" (${describeParameterChange(old, now)})`,
        ...where,
      });
    }
  }
}

export function compareSteps(before: TemplateShape, after: TemplateShape, reasons: BumpReason[]): void {
  const afterBySlug = new Map(after.steps.map((s) => [s.slug, s]));
  const beforeBySlug = new Map(before.steps.map((s) => [s.slug, s]));
  const removed = before.steps.filter((s) => !afterBySlug.has(s.slug));
  const added = after.steps.filter((s) => !beforeBySlug.has(s.slug));
  const renamedTo = pairRenames(removed, added, (s) => `${s.kind}\u0000${bodyMeaningKey(s.block.body)}`);

  for (const old of removed) {
    const renamed = renamedTo.get(old);
    reasons.push(
      renamed
        ? {
            bump: 'major',
            code: 'TPL_BUMP_STEP_RENAMED',
            message: `renamed ${stepNoun(old)} "${old.slug}" to "${renamed.slug}"`,
            element: { kind: 'step', name: renamed.slug },
            ...at(renamed.file, renamed.block.range),
            ...previousAt(old.file, old.block.range),
          }
        : {
            bump: 'major',
            code: 'TPL_BUMP_STEP_REMOVED',
            message: `removed ${stepNoun(old)} "${old.slug}"`,
            element: { kind: 'step', name: old.slug },
            ...previousAt(old.file, old.block.range),
          },
    );
  }
  const renamedTargets = new Set(renamedTo.values());
  for (const step of added) {
    if (renamedTargets.has(step)) continue;
    reasons.push({
      bump: 'minor',
      code: 'TPL_BUMP_STEP_ADDED',
      message: `new ${stepNoun(step)} "${step.slug}"`,
      element: { kind: 'step', name: step.slug },
      ...at(step.file, step.block.range),
    });
  }
  for (const old of before.steps) {
    const now = afterBySlug.get(old.slug);
    if (now) compareStep(old, now, reasons);
  }
  const commonBefore = before.steps.filter((s) => afterBySlug.has(s.slug)).map((s) => s.slug);
  const commonAfter = after.steps.filter((s) => beforeBySlug.has(s.slug)).map((s) => s.slug);
  if (commonBefore.join('\u0000') !== commonAfter.join('\u0000')) {
    reasons.push({
      bump: 'patch',
      code: 'TPL_BUMP_STEPS_REORDERED',
      message: `changed the order of the steps (${commonAfter.join(', ')})`,
      element: { kind: 'step', name: '' },
    });
  }
}

function stepNoun(step: ShapeStep): string {
  return step.kind === 'step' ? 'step' : 'process template usage';
}

function compareStep(old: ShapeStep, now: ShapeStep, reasons: BumpReason[]): void {
  const where = { element: { kind: 'step' as const, name: now.slug }, ...at(now.file, now.block.range), ...previousAt(old.file, old.block.range) };
  let structural = false; // a rename, removal or addition already explains the change
  if (old.name !== now.name) {
    structural = true;
    reasons.push({
      bump: 'major',
      code: 'TPL_BUMP_STEP_RENAMED',
      message: `renamed ${stepNoun(now)} "${now.slug}" from "${old.name ?? ''}" to "${now.name ?? ''}" (expanded action names and output variables use the step name)`,
      ...where,
    });
  }
  const nowActions = new Map(now.actions.map((a) => [a.slug, a]));
  const oldActions = new Map(old.actions.map((a) => [a.slug, a]));
  const removed = old.actions.filter((a) => !nowActions.has(a.slug));
  const added = now.actions.filter((a) => !oldActions.has(a.slug));
  const renamedTo = pairRenames(removed, added, (a) => bodyMeaningKey(a.block.body));
  const actionWhere = (action: ShapeAction | undefined, previous: ShapeAction | undefined) => ({
    element: { kind: 'action' as const, name: (action ?? previous)!.slug },
    ...(action && at(now.file, action.block.range)),
    ...(previous && previousAt(old.file, previous.block.range)),
  });
  for (const action of removed) {
    structural = true;
    const renamed = renamedTo.get(action);
    reasons.push({
      bump: 'major',
      code: renamed ? 'TPL_BUMP_ACTION_RENAMED' : 'TPL_BUMP_ACTION_REMOVED',
      message: renamed
        ? `renamed action "${action.slug}" of step "${now.slug}" to "${renamed.slug}"`
        : `removed action "${action.slug}" from step "${now.slug}"`,
      ...actionWhere(renamed, action),
    });
  }
  const renamedTargets = new Set(renamedTo.values());
  for (const action of added) {
    if (renamedTargets.has(action)) continue;
    structural = true;
    reasons.push({
      bump: 'minor',
      code: 'TPL_BUMP_ACTION_ADDED',
      message: `new action "${action.slug}" in step "${now.slug}"`,
      ...actionWhere(action, undefined),
    });
  }
  for (const action of old.actions) {
    const current = nowActions.get(action.slug);
    if (current && action.name !== current.name) {
      structural = true;
      reasons.push({
        bump: 'major',
        code: 'TPL_BUMP_ACTION_RENAMED',
        message: `renamed action "${action.slug}" of step "${now.slug}" from "${action.name ?? ''}" to "${current.name ?? ''}"`,
        ...actionWhere(current, action),
      });
    }
  }
  if (!structural && meaningKey(old.block) !== meaningKey(now.block)) {
    reasons.push({
      bump: 'patch',
      code: 'TPL_BUMP_STEP_CHANGED',
      message: `changed ${stepNoun(now)} "${now.slug}" (${describeChildren(old.block.body, now.block.body)})`,
      ...where,
    });
  }
}


/** Like describeChildren, but a changed default reads `default value "main" → "develop"`. */
function describeParameterChange(old: ShapeParameter, now: ShapeParameter): string {
  const defaults = (p: ShapeParameter) =>
    p.block.body.flatMap((e) => (e.type === 'block' && e.name === 'value' ? [JSON.stringify(e.labels[0]?.value ?? '')] : [])).join(', ') || '(none)';
  const [before, after] = [defaults(old), defaults(now)];
  const withoutDefaults = (p: ShapeParameter) => p.block.body.filter((e) => !(e.type === 'block' && e.name === 'value'));
  const rest = describeChildren(withoutDefaults(old), withoutDefaults(now));
  const parts = rest === 'content' ? [] : [rest];
  if (before !== after) parts.push(`default value ${before} → ${after}`);
  return parts.join(', ') || 'content';
}
