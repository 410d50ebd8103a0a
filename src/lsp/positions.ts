/**
 * oclhub ranges (1-based line and column, UTF-16 offsets into the text without its byte-order mark)
 * to LSP ranges (0-based line and UTF-16 character) and back. A text that starts with a byte-order mark
 * (read from disk; editors strip it) shifts the first line by one character.
 */
import type { Position as LspPosition, Range as LspRange } from 'vscode-languageserver';
import type { Position, Range } from '../diagnostics.js';

export function bomShift(text: string): number {
  return text.charCodeAt(0) === 0xfeff ? 1 : 0;
}

export function toLspPosition(position: Position, shift = 0): LspPosition {
  const line = Math.max(0, position.line - 1);
  return { line, character: Math.max(0, position.column - 1 + (line === 0 ? shift : 0)) };
}

export function toLspRange(range: Range | undefined, shift = 0): LspRange {
  if (!range) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return { start: toLspPosition(range.start, shift), end: toLspPosition(range.end, shift) };
}

/** Whether an LSP position lies inside (or at the edges of) an oclhub range. */
export function contains(range: Range, offset: number): boolean {
  return range.start.offset <= offset && offset <= range.end.offset;
}

export function overlaps(a: LspRange, b: LspRange): boolean {
  const before = (p: LspPosition, q: LspPosition) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}
