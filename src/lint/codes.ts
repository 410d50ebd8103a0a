/**
 * Stable diagnostic codes of linting a hub (HUB00x: reading projects and building contexts; HUB04x:
 * registered projects that cannot be linted). `oclhub.ocl`'s own checks, activation and rule settings
 * use other HUB codes; policy evaluation uses POL1xx, resolution TPL1xx.
 */
import type { Diagnostic, Severity } from '../diagnostics.js';

export const LINT_CODES = {
  HUB002: { severity: 'error', title: 'Registered project (or its repository) cannot be read' },
  HUB003: { severity: 'error', title: 'No such evaluation context: unknown environment or tenant, an environment or tenant the project does not deploy to, an unknown step to skip' },
  HUB004: { severity: 'warning', title: 'Project has no deployment process: nothing to evaluate (info for a runbook-only project)' },
  HUB005: { severity: 'error', title: 'Project has no such process (deployment process or runbook)' },
  HUB006: { severity: 'error', title: 'Project could not be evaluated (an internal error, e.g. a lint worker thread that failed): each of its contexts is undecided' },
  HUB040: { severity: 'error', title: 'Registered project path does not exist' },
  HUB041: { severity: 'error', title: 'Registered project folder holds no Octopus project files' },
  HUB042: { severity: 'error', title: '--locked: the project repository has no readable oclhub.lock.json' },
} as const satisfies Record<string, { severity: Severity; title: string }>;

export type LintCode = keyof typeof LINT_CODES;

/** A diagnostic with the code's table severity (unless `severity` says otherwise). */
export function lintDiagnostic(code: LintCode, summary: string, fields: Omit<Diagnostic, 'code' | 'summary' | 'severity'> & { severity?: Severity } = {}): Diagnostic {
  const { severity, ...rest } = fields;
  return { severity: severity ?? LINT_CODES[code].severity, code, summary, ...rest };
}
