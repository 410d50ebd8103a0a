/**
 * The best-practice codes (`BP…`) with their default severity and title: data only, so the code registry
 * (src/model/code-registry.ts) can list them without loading the rules. Each rule in rules/ takes its
 * code, title and severity from here. A code never changes meaning; a retired code is never reused.
 */
import type { Severity } from '../diagnostics.js';

export const PRACTICE_CODE_TABLE = {
  BP000: ['warning', 'A best-practice setting that does not apply (a threshold on a rule that has none)'],
  BP001: ['warning', 'Deployment process with 20 or more steps'],
  BP002: ['warning', 'Project with no deployment process steps and no runbooks'],
  BP003: ['info', 'Step or action keeps the default name Octopus gave it'],
  BP004: ['info', 'Step without a name'],
  BP005: ['info', 'Inline script of 100 lines or more'],
  BP006: ['warning', 'Step runs on a worker but names no worker pool'],
  BP007: ['warning', 'Step template usage without the template version it was taken from'],
  BP008: ['warning', 'Process template usage whose mask cannot take the newest published major'],
  BP009: ['warning', 'Step of a deprecated type, or set to a retired option'],
  BP010: ['info', 'Project variable that no step, setting or other variable refers to'],
  BP011: ['info', 'The same variable value kept in several projects'],
  BP020: ['warning', 'More than 10 projects in the default project group'],
  BP021: ['info', 'Project in no project group'],
  BP022: ['warning', 'More than 10 environments in a space'],
  BP023: ['warning', 'Environment no project deploys to'],
  BP024: ['info', 'Environment only one project deploys to'],
  BP025: ['info', 'Project group holding a project that shares no environment with the others'],
  BP026: ['warning', 'Tenant connected to no tenanted project'],
  BP027: ['info', 'Policy that no `policy` block of oclhub.ocl activates'],
  BP028: ['info', 'Policy exception expiring within 14 days'],
} as const satisfies Record<string, readonly [Severity, string]>;

export type PracticeCode = keyof typeof PRACTICE_CODE_TABLE;

export function practiceCode(code: PracticeCode): { code: PracticeCode; title: string; severity: Severity } {
  const [severity, title] = PRACTICE_CODE_TABLE[code];
  return { code, title, severity };
}
