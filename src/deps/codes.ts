/**
 * Diagnostic codes of project dependencies (`DEP…`): declarations in `oclhub.ocl` and the JSON bound to
 * the Verify Dependencies template's "Project Dependencies" parameter. Codes never change meaning.
 */
import type { Diagnostic, Range, RelatedInformation, Severity } from '../diagnostics.js';

export const DEP_CODES = {
  DEP001: ['error', 'The Project Dependencies parameter is not valid JSON'],
  DEP002: ['error', 'A dependency entry does not have the shape the template reads'],
  DEP003: ['error', 'Dependency on a project oclhub.ocl does not declare'],
  DEP004: ['error', 'Invalid version pattern'],
  DEP005: ['error', 'Invalid dependency action'],
  DEP006: ['error', 'Dependency cycle'],
  DEP007: ['warning', 'The same dependency is declared twice'],
  DEP008: ['error', 'Dependency names a tenant oclhub.ocl does not declare'],
  DEP009: ['info', 'Not checked offline: the value is an Octopus variable expression'],
  DEP010: ['warning', 'The template ignores the pre-release tag of a version pattern'],
  DEP011: ['warning', 'The dependency tenant is not connected to the project depended on'],
  DEP020: ['error', 'Invalid deployed-versions file'],
  DEP021: ['warning', "A project's files could not be read: its template dependencies are unknown"],
} as const satisfies Record<string, readonly [Severity, string]>;

export type DepCode = keyof typeof DEP_CODES;

export interface DepDiagnosticOptions {
  file?: string | undefined;
  range?: Range | undefined;
  detail?: string | undefined;
  related?: RelatedInformation[] | undefined;
  project?: string | undefined;
  severity?: Severity | undefined;
}

/** A diagnostic with the code's default severity; absent options stay absent. */
export function depDiagnostic(code: DepCode, summary: string, options: DepDiagnosticOptions = {}): Diagnostic {
  const d: Diagnostic = { severity: options.severity ?? DEP_CODES[code][0], code, summary };
  if (options.detail) d.detail = options.detail;
  if (options.file !== undefined) d.file = options.file;
  if (options.range !== undefined) d.range = options.range;
  if (options.related && options.related.length > 0) d.related = options.related;
  if (options.project !== undefined) d.project = options.project;
  return d;
}
