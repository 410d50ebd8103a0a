/** Checks on variables and runbooks that the schema cannot express. */
import type { Diagnostic } from '../../diagnostics.js';
import { modelDiagnostic } from '../codes.js';
import type { RunbookDocument, VariablesDocument } from '../types.js';

export function checkVariables(doc: VariablesDocument, file: string | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const variable of doc.variables) {
    if (variable.type === 'Sensitive') {
      out.push(
        modelDiagnostic('SEM006', `Variable "${variable.name}" is Sensitive but stored in OCL`, {
          file,
          range: variable.attributeRanges['type'] ?? variable.headerRange,
          detail:
            'Octopus keeps sensitive values in its database, never in Git; a Sensitive variable in variables.ocl broke the variables screen before 2026.2.10070 (OctopusDeploy/Issues#10030). Remove it from the file and set it in Octopus.',
        }),
      );
    }
  }
  return out;
}

export function checkRunbook(doc: RunbookDocument, file: string | undefined): Diagnostic[] {
  if (!doc.migratedDraft) return [];
  return [
    modelDiagnostic('SEM007', `Runbook${doc.name ? ` "${doc.name}"` : ''} is a migrated draft`, {
      file,
      range: { start: doc.source.range.start, end: doc.source.range.start },
      detail: 'Octopus ignores files in runbooks/migrated-drafts/ until they are moved up into runbooks/.',
    }),
  ];
}
