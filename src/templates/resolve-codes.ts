/**
 * Stable diagnostic codes of template resolution (TPL1xx) and publishing (TPL2xx). The model layer
 * owns TPL001–TPL099 (checks on the files as written); these are about published versions.
 */
import type { Diagnostic, Range, RelatedInformation, Severity } from '../diagnostics.js';

export const RESOLVE_CODES = {
  TPL101: ['error', 'Invalid version mask'],
  TPL102: ['error', 'Process template has no published versions'],
  TPL103: ['error', 'No published version matches the version mask'],
  TPL104: ['error', 'Published template file is missing at its tag'],
  TPL105: ['error', 'Published template does not parse or has errors'],
  TPL106: ['error', 'Usage has no process_template_slug'],
  TPL107: ['error', 'Usage has no version_mask'],
  TPL108: ['warning', 'Version mask that Octopus Server does not accept'],
  TPL109: ['warning', 'Tag message not written by oclhub'],
  TPL110: ['error', 'Unknown template parameter'],
  TPL111: ['error', 'Required template parameter is not set'],
  TPL112: ['error', 'Value is not one of the Select options'],
  TPL113: ['error', 'Checkbox value must be True or False'],
  TPL114: ['error', 'Package parameter needs a feed and a package id'],
  TPL115: ['error', 'Package parameter bound with `parameter` instead of `package_parameter`'],
  TPL116: ['error', 'Non-package parameter bound with `package_parameter`'],
  TPL117: ['warning', 'Account parameter has no value for an environment'],
  TPL118: ['error', 'Expanded step slug collides with another step'],
  TPL119: ['error', 'Process template uses another process template (not supported)'],
  TPL120: ['error', 'Resolution differs from the lock file'],
  TPL121: ['error', 'Template kind cannot be resolved'],
  TPL201: ['error', 'Template has validation errors: not published'],
  TPL202: ['error', 'Requested bump is smaller than the changes require'],
  TPL203: ['error', 'Version already published'],
  TPL204: ['error', 'Working tree has uncommitted changes to the template'],
  TPL205: ['error', 'Template file not found at the ref'],
  TPL206: ['error', 'Version cannot be computed'],
  TPL207: ['error', 'Publish failed in Git'],
  TPL208: ['warning', 'Bump check overridden with --force'],
  TPL209: ['info', 'No changes since the previous version'],
  TPL210: ['error', 'Another publish of the template holds the repository lock: retry'],
} as const satisfies Record<string, readonly [Severity, string]>;

export type ResolveCode = keyof typeof RESOLVE_CODES;

export interface TplDiagnosticOptions {
  file?: string | undefined;
  range?: Range | undefined;
  detail?: string | undefined;
  related?: RelatedInformation[] | undefined;
  severity?: Severity | undefined;
}

export function tplDiagnostic(code: ResolveCode, summary: string, options: TplDiagnosticOptions = {}): Diagnostic {
  const d: Diagnostic = { severity: options.severity ?? RESOLVE_CODES[code][0], code, summary };
  if (options.detail !== undefined && options.detail !== '') d.detail = options.detail;
  if (options.file !== undefined) d.file = options.file;
  if (options.range !== undefined) d.range = options.range;
  if (options.related !== undefined && options.related.length > 0) d.related = options.related;
  return d;
}
