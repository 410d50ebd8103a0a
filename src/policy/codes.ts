/**
 * Stable diagnostic codes of the policy layer. The model layer owns POL001–POL099 (file shape, packages,
 * rule names, user-defined functions); this layer uses POL1xx so the two never collide:
 * POL10x Octopus compatibility of the Rego, POL11x exceptions, POL12x active versions, POL13x policy unit tests.
 */
import type { Diagnostic, Range, RelatedInformation, Severity } from '../diagnostics.js';

export const POLICY_CODES = {
  POL101: { severity: 'warning', title: 'Unguarded reference to a conditional input field (Release, Tenant, Runbook)' },
  POL102: { severity: 'warning', title: 'Built-in function Octopus does not document' },
  POL103: { severity: 'warning', title: 'Import statement (Octopus policies use none)' },
  POL104: { severity: 'warning', title: 'Key of `result` that Octopus ignores' },
  POL105: { severity: 'error', title: 'Rego module parses but does not compile' },
  POL110: { severity: 'warning', title: 'Expired exception no longer waives a violation' },
  POL120: { severity: 'error', title: 'Active policy version has no published tag' },
  POL121: { severity: 'error', title: 'Published policy tag has no policy file' },
  POL122: { severity: 'error', title: 'Policy file cannot be evaluated' },
  POL123: { severity: 'info', title: 'Policy is not active' },
  POL130: { severity: 'error', title: 'Invalid policy unit test file' },
} as const satisfies Record<string, { severity: Severity; title: string }>;

export type PolicyCode = keyof typeof POLICY_CODES;

export interface PolicyDiagnosticOptions {
  file?: string | undefined;
  range?: Range | undefined;
  detail?: string | undefined;
  related?: RelatedInformation[] | undefined;
  severity?: Severity | undefined;
}

/** A diagnostic with the code's table severity; optional fields are omitted rather than set to undefined. */
export function policyDiagnostic(code: PolicyCode, summary: string, options: PolicyDiagnosticOptions = {}): Diagnostic {
  const d: Diagnostic = { severity: options.severity ?? POLICY_CODES[code].severity, code, summary };
  if (options.detail !== undefined && options.detail !== '') d.detail = options.detail;
  if (options.file !== undefined) d.file = options.file;
  if (options.range !== undefined) d.range = options.range;
  if (options.related !== undefined && options.related.length > 0) d.related = options.related;
  return d;
}
