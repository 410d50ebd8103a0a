/**
 * The best-practice rules, one table. A rule's code never changes meaning; a retired rule's code is
 * never reused. docs/best-practices.md describes each one (a test keeps the two in step).
 */
import type { Rule } from './rule.js';
import { deprecatedActionType } from './rules/deprecated.js';
import { exceptionExpiringSoon, policyActiveNowhere } from './rules/governance.js';
import { defaultGroupTooLarge, exclusiveEnvironmentsInGroup, projectWithoutGroup, singleProjectEnvironment, tooManyEnvironments, unusedEnvironment } from './rules/organization.js';
import { emptyProject, tooManySteps } from './rules/process-size.js';
import { longInlineScript } from './rules/scripts.js';
import { defaultStepName, stepWithoutName } from './rules/step-names.js';
import { outdatedProcessTemplate, unpinnedStepTemplate } from './rules/templates.js';
import { tenantWithoutProjects } from './rules/tenants.js';
import { duplicatedVariableValue, unusedVariable } from './rules/variables.js';
import { workerStepWithoutPool } from './rules/workers.js';

export const RULES: readonly Rule[] = [
  tooManySteps,
  emptyProject,
  defaultStepName,
  stepWithoutName,
  longInlineScript,
  workerStepWithoutPool,
  unpinnedStepTemplate,
  outdatedProcessTemplate,
  deprecatedActionType,
  unusedVariable,
  duplicatedVariableValue,
  defaultGroupTooLarge,
  projectWithoutGroup,
  tooManyEnvironments,
  unusedEnvironment,
  singleProjectEnvironment,
  exclusiveEnvironmentsInGroup,
  tenantWithoutProjects,
  policyActiveNowhere,
  exceptionExpiringSoon,
];

/** BP000: a problem with the best-practice settings themselves (a threshold on a rule that has none). */
export const SETTINGS_CODE = 'BP000';

export function ruleFor(code: string): Rule | undefined {
  return RULES.find((r) => r.code === code);
}

/** Every code this module reports, for rule-setting checks ("names no diagnostic code oclhub reports"). */
export const PRACTICE_CODES: readonly string[] = [SETTINGS_CODE, ...RULES.map((r) => r.code)];
