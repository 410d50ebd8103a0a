/** oclhub diagnostics as LSP diagnostics: severity, code, message with detail, related places, and the fix as `data`. */
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic as LspDiagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver';
import type { Diagnostic, Fix } from '../diagnostics.js';
import { toLspRange } from './positions.js';

export const SOURCE = 'oclhub';

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

/** What the server keeps in `Diagnostic.data`, so a client hands the fix back with a code-action request. */
export interface DiagnosticData {
  fix?: Fix;
}

export function toLspDiagnostic(d: Diagnostic, shift: number, uriOf: (file: string) => string, suppressed = false): LspDiagnostic {
  const message = d.detail ? `${d.summary}\n${d.detail}` : d.summary;
  const out: LspDiagnostic = {
    range: toLspRange(d.range, shift),
    severity: suppressed ? DiagnosticSeverity.Hint : SEVERITY[d.severity],
    code: d.code,
    source: SOURCE,
    message: suppressed ? `${message}\n(turned off by rule "${d.code}" in ${d.adjusted?.file ?? 'oclhub.ocl'}${d.adjusted?.reason ? `: ${d.adjusted.reason}` : ''})` : message,
  };
  if (suppressed) out.tags = [DiagnosticTag.Unnecessary];
  const related: DiagnosticRelatedInformation[] = [];
  for (const r of d.related ?? []) {
    if (r.file === undefined) continue;
    related.push({ location: { uri: uriOf(r.file), range: toLspRange(r.range) }, message: r.message });
  }
  if (d.adjusted && !suppressed) related.push({ location: { uri: uriOf(d.adjusted.file), range: toLspRange(d.adjusted.range) }, message: `severity set by rule "${d.code}"` });
  if (related.length > 0) out.relatedInformation = related;
  if (d.fix) out.data = { fix: d.fix } satisfies DiagnosticData;
  return out;
}
