/**
 * Quick fixes: every diagnostic at the requested range that carries a fix (`Diagnostic.fix`, set by the
 * checks that know the repair) becomes a code action editing the file, and renaming it for migrations.
 */
import { CodeActionKind, type CodeAction, type CodeActionParams, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import type { Diagnostic } from '../diagnostics.js';
import { toLspDiagnostic } from './convert.js';
import { bomShift, overlaps, toLspRange } from './positions.js';
import type { LspContext } from './server.js';

export async function codeActions(context: LspContext, params: CodeActionParams): Promise<CodeAction[] | null> {
  const file = context.fileOf(params.textDocument.uri);
  const analysis = file === undefined ? undefined : await context.analysis(file);
  if (!analysis || file === undefined) return null;
  const shift = bomShift(analysis.text);
  const candidates: Diagnostic[] = [...analysis.diagnostics, ...(context.lastPass()?.byFile.get(file) ?? [])];
  const uri = params.textDocument.uri;
  const version = context.workspace.overlay(file)?.version ?? null;
  const out: CodeAction[] = [];
  const seen = new Set<string>();
  for (const d of candidates) {
    if (!d.fix || !d.range) continue;
    const range = toLspRange(d.range, shift);
    if (!overlaps(range, params.range)) continue;
    const key = `${d.code}:${d.fix.title}:${range.start.line}:${range.start.character}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const edits: TextEdit[] = d.fix.edits.map((e) => ({ range: toLspRange(e.range, shift), newText: e.newText }));
    let edit: WorkspaceEdit;
    if (d.fix.renameFileTo !== undefined) {
      const folder = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
      const newUri = context.workspace.uriOf(folder + d.fix.renameFileTo);
      edit = { documentChanges: [...(edits.length ? [{ textDocument: { uri, version }, edits }] : []), { kind: 'rename', oldUri: uri, newUri }] };
    } else {
      edit = { changes: { [uri]: edits } };
    }
    out.push({
      title: d.fix.title,
      kind: CodeActionKind.QuickFix,
      diagnostics: [toLspDiagnostic(d, shift, (f) => context.workspace.uriOf(f))],
      edit,
      isPreferred: true,
    });
  }
  return out;
}
