/**
 * Minimal line edits turning one text into another (a line diff, from the `diff` library), so that
 * formatting moves no cursor and no marker outside the lines that really change.
 */
import { diffArrays } from 'diff';
import type { Position, Range, TextEdit } from 'vscode-languageserver';

/** Lines with their terminators, so joining them gives the text back exactly. */
export function splitLines(text: string): string[] {
  return text === '' ? [] : text.split(/(?<=\n)/);
}

/** The LSP position of the end of a text. */
export function endPosition(text: string): Position {
  const lines = text.split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1]!.length };
}

export interface LineEdit extends TextEdit {
  /** Old lines replaced: [first, end). */
  firstLine: number;
  endLine: number;
}

export function lineEdits(before: string, after: string): LineEdit[] {
  const oldLines = splitLines(before);
  const newLines = splitLines(after);
  const position = (line: number): Position => (line >= oldLines.length ? endPosition(before) : { line, character: 0 });
  const edits: LineEdit[] = [];
  let line = 0;
  let pending: { first: number; end: number; text: string } | undefined;
  const close = () => {
    if (!pending) return;
    const range: Range = { start: position(pending.first), end: position(pending.end) };
    edits.push({ range, newText: pending.text, firstLine: pending.first, endLine: pending.end });
    pending = undefined;
  };
  for (const change of diffArrays(oldLines, newLines)) {
    const count = change.value.length;
    if (!change.added && !change.removed) {
      close();
      line += count;
      continue;
    }
    pending ??= { first: line, end: line, text: '' };
    if (change.removed) {
      line += count;
      pending.end = line;
    } else {
      pending.text += change.value.join('');
    }
  }
  close();
  return edits;
}
