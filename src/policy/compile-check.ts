/**
 * POL105: a policy's `scope` or `conditions` module parses but does not compile (an unsafe variable,
 * an unknown function, a rule conflict the compiler sees). Octopus would fail every evaluation of it;
 * the finding points at the OCL line of the Rego error. Parse errors are the model layer's POL008.
 */
import type { Diagnostic, LineIndex } from '../diagnostics.js';
import { regoToOclRange } from '../model/checks/policy.js';
import type { PolicyDocument } from '../model/types.js';
import { compile } from '../rego/index.js';
import { policyDiagnostic } from './codes.js';

export interface CompileCheckOptions {
  file?: string | undefined;
  lines?: LineIndex | undefined;
}

export function checkPolicyCompiles(doc: PolicyDocument, options: CompileCheckOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  const slug = doc.slug ?? 'policy';
  for (const which of ['scope', 'conditions'] as const) {
    const source = doc[which];
    if (source?.rego === undefined) continue;
    const result = compile([{ file: `${slug}.${which}.rego`, source: source.rego }]);
    for (const error of result.diagnostics) {
      if (error.code === 'rego_parse_error') continue;
      const at = error.location;
      const range = (at ? regoToOclRange(source, at.line, at.column, Math.max(1, at.endOffset - at.offset), options.lines) : undefined) ?? source.regoRange ?? source.headerRange;
      out.push(
        policyDiagnostic('POL105', `Rego in \`${which}\` does not compile: ${error.message}`, {
          file: options.file,
          range,
          detail: `${error.code}. Octopus would report every evaluation of this policy as an error.`,
        }),
      );
    }
  }
  return out;
}
