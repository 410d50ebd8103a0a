/** Small helpers for LSP tests: positions found in the text, edits applied as an editor applies them. */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';

/** The position of the `occurrence`-th `needle` in `text`, plus `delta` characters. */
export function positionOf(text: string, needle: string, delta = 0, occurrence = 1): Position {
  let index = -1;
  for (let i = 0; i < occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`no occurrence ${occurrence} of ${JSON.stringify(needle)}`);
  }
  const offset = index + delta;
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}

export function lineOf(text: string, needle: string): number {
  return positionOf(text, needle).line;
}

export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///x.ocl', 'ocl', 1, text), [...edits]);
}

/** The text edits a workspace edit makes to one document. */
export function editsFor(edit: WorkspaceEdit | undefined, uri: string): TextEdit[] {
  if (!edit) return [];
  const out: TextEdit[] = [...(edit.changes?.[uri] ?? [])];
  for (const change of edit.documentChanges ?? []) if ('textDocument' in change && change.textDocument.uri === uri) out.push(...(change.edits as TextEdit[]));
  return out;
}
