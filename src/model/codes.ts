/**
 * Stable diagnostic codes of the model layer. A code never changes meaning once released; new checks
 * get new codes. `SCH…` = shape (JSON Schema and legacy forms), `SEM…` = meaning across elements of a
 * document or of oclhub.ocl, `TPL…` = process/project templates, `POL…` = policies.
 */
import type { Diagnostic, Fix, Range, RelatedInformation, Severity } from '../diagnostics.js';

export interface CodeInfo {
  code: string;
  severity: Severity;
  title: string;
}

function table<T extends Record<string, [Severity, string]>>(entries: T): { [K in keyof T]: CodeInfo } {
  const out = {} as { [K in keyof T]: CodeInfo };
  for (const [code, [severity, title]] of Object.entries(entries)) {
    (out as Record<string, CodeInfo>)[code] = { code, severity, title };
  }
  return out;
}

export const CODES = table({
  // Schema (shape) — severity of SCH001/SCH002 depends on the document kind (see schemas' x-unknown).
  SCH001: ['warning', 'Unknown attribute'],
  SCH002: ['warning', 'Unknown block'],
  SCH003: ['error', 'Missing required attribute or block'],
  SCH004: ['error', 'Value has the wrong type'],
  SCH005: ['error', 'Value is not one of the allowed values'],
  SCH006: ['error', 'Value has the wrong format'],
  SCH007: ['error', 'Block may appear only a limited number of times'],
  SCH008: ['error', 'Block has the wrong number of labels'],
  SCH009: ['error', 'Duplicate attribute'],
  SCH010: ['error', 'Attribute written as a block or block written as an attribute'],
  SCH011: ['error', 'Schema constraint not met'],
  SCH020: ['info', 'Document kind unknown: only the syntax was checked'],
  SCH021: ['error', 'Document could not be parsed: no model was built'],
  // Legacy forms found in real Octopus files (warnings that state the migration).
  SCH101: ['warning', 'Legacy file name'],
  SCH102: ['warning', 'Legacy channels.ocl (channels live in the Octopus database since 2022)'],
  SCH103: ['warning', 'Step labels are names (schema_version < 4)'],
  SCH104: ['warning', 'Dec-2020 `steps`/`actions` block names'],
  SCH105: ['warning', 'Legacy multi-label block'],
  SCH106: ['warning', 'Legacy attribute name'],
  SCH107: ['info', 'Legacy run retention setting (schema_version < 10)'],
  SCH108: ['warning', 'Legacy heredoc indentation (schema_version < 6)'],
  // Semantic checks on project documents and oclhub.ocl.
  SEM001: ['error', 'Duplicate step slug'],
  SEM002: ['error', 'Duplicate action slug'],
  SEM003: ['error', 'Duplicate step or action name'],
  SEM004: ['error', 'Invalid process template version mask'],
  SEM005: ['error', 'Parameter given a value twice (usage or templated_project_values.ocl)'],
  SEM006: ['warning', 'Sensitive variable stored in OCL'],
  SEM007: ['info', 'Migrated draft runbook is ignored by Octopus until moved to runbooks/'],
  SEM030: ['error', 'Duplicate identifier in oclhub.ocl'],
  SEM031: ['error', 'Reference to an undefined item in oclhub.ocl'],
  SEM032: ['error', 'Project location must be exactly one of `path` or `repository`'],
  SEM033: ['warning', 'Policy exception has expired'],
  SEM034: ['error', 'Invalid date'],
  SEM035: ['error', 'Invalid semantic version'],
  SEM036: ['error', 'Tag must be `TagSet/Tag`'],
  SEM037: ['error', 'Invalid base path'],
  SEM038: ['warning', 'Duplicate environment order'],
  SEM039: ['warning', 'Project refers to an environment oclhub.ocl does not declare'],
  SEM040: ['warning', 'Variable scoped to a tenant tag no tenant in oclhub.ocl has'],
  SEM041: ['error', 'Registered project folder does not exist or holds no Octopus project files'],
  SEM042: ['error', 'Project path is not a folder inside its repository'],
  SEM043: ['warning', 'Step template used by a project is not declared in oclhub.ocl: its action type is unknown'],
  SEM044: ['warning', 'Policy or process template in a folder the hub does not read it from'],
  // Templates.
  TPL001: ['error', 'Parameter type does not allow a default value'],
  TPL002: ['error', 'Worker-executed template step without a WorkerPool parameter'],
  TPL003: ['error', 'worker_pool_variable does not name a WorkerPool parameter'],
  TPL004: ['error', 'Reference to an undefined template parameter'],
  TPL005: ['warning', 'Reference to a variable that is neither a template parameter nor an Octopus system variable'],
  TPL006: ['error', 'Duplicate template parameter'],
  TPL007: ['warning', 'Unknown parameter control type'],
  TPL008: ['warning', 'Template action hard-codes environments'],
  TPL009: ['warning', 'Template action hard-codes a worker pool'],
  TPL010: ['warning', 'Select parameter default is not one of its options'],
  TPL011: ['error', 'Sensitive default value in a project template parameter'],
  TPL012: ['warning', 'Parameter has no control type'],
  TPL013: ['warning', 'Usage refers to a process template that is not in the hub'],
  TPL014: ['warning', 'Usage sets a parameter the process template does not declare'],
  TPL015: ['warning', 'Usage does not set a required process template parameter'],
  TPL016: ['warning', 'Sub-property Octopus does not document for an account or certificate parameter'],
  // Policies.
  POL001: ['error', 'violation_action must be `block` or `warn`'],
  POL002: ['error', 'Policy file name contains a dash'],
  POL003: ['error', 'Rego package does not match the policy file name (slug)'],
  POL004: ['error', 'Scope and conditions use different Rego packages'],
  POL005: ['error', 'Rego module has no `package` line'],
  POL006: ['error', 'Scope module does not define `evaluate`'],
  POL007: ['error', 'Conditions module does not define `result`'],
  POL008: ['error', 'Rego module does not parse'],
  POL009: ['error', 'User-defined Rego function (Octopus refuses these at publish)'],
  POL010: ['error', 'Policy slug contains characters other than lower-case letters, digits and underscores'],
});

export type ModelCode = keyof typeof CODES;

export interface DiagnosticOptions {
  file?: string | undefined;
  range?: Range | undefined;
  detail?: string | undefined;
  related?: RelatedInformation[] | undefined;
  /** Overrides the code's default severity (e.g. unknown attributes in oclhub.ocl are errors). */
  severity?: Severity | undefined;
  /** A certain repair (see fixes.ts). */
  fix?: Fix | undefined;
}

/** A diagnostic with the code's table severity; optional fields are omitted rather than set to undefined. */
export function modelDiagnostic(code: ModelCode, summary: string, options: DiagnosticOptions = {}): Diagnostic {
  const d: Diagnostic = { severity: options.severity ?? CODES[code].severity, code, summary };
  if (options.detail !== undefined && options.detail !== '') d.detail = options.detail;
  if (options.file !== undefined) d.file = options.file;
  if (options.range !== undefined) d.range = options.range;
  if (options.related !== undefined && options.related.length > 0) d.related = options.related;
  if (options.fix !== undefined) d.fix = options.fix;
  return d;
}
