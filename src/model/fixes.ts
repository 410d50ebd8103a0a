/**
 * Builders for the machine-readable fixes (`Diagnostic.fix`) that model checks attach when the repair is
 * certain: a did-you-mean rename, a missing required attribute, a forbidden element to remove, a legacy
 * form's migration. Edits are positioned on the checked text; with its `LineIndex` they also keep the
 * file tidy (whole lines removed, inserted lines indented like their neighbours, the file's line ending).
 */
import type { Fix, FixEdit, LineIndex, Position, Range } from '../diagnostics.js';
import { quote } from '../ocl/printer.js';

export { quote as oclString };

const INDENT = '    ';

export function replaceFix(title: string, range: Range, newText: string): Fix {
  return { title, edits: [{ range, newText }] };
}

/** Several renames at once (e.g. every legacy `steps` block name). */
export function renameAllFix(title: string, ranges: readonly Range[], newText: string): Fix {
  return { title, edits: ranges.map((range) => ({ range, newText })) };
}

export function renameFileFix(title: string, fileName: string): Fix {
  return { title, edits: [], renameFileTo: fileName };
}

function lineStart(position: Position): Position {
  return { line: position.line, column: 1, offset: position.offset - (position.column - 1) };
}

function lineEnding(lines: LineIndex | undefined): string {
  return lines?.text.includes('\r\n') ? '\r\n' : '\n';
}

/**
 * Removes `range`; when it stands alone on its lines (only whitespace before and after), the whole lines
 * go, line terminator included, so no blank line is left behind.
 */
export function deleteFix(title: string, range: Range, lines?: LineIndex): Fix {
  if (!lines) return replaceFix(title, range, '');
  const text = lines.text;
  const start = lineStart(range.start);
  const before = text.slice(start.offset, range.start.offset);
  let endOffset = range.end.offset;
  while (endOffset < text.length && (text[endOffset] === ' ' || text[endOffset] === '\t' || text[endOffset] === '\r')) endOffset++;
  const aloneOnLines = before.trim() === '' && (endOffset === text.length || text[endOffset] === '\n');
  if (!aloneOnLines) return replaceFix(title, range, '');
  if (endOffset < text.length) endOffset++;
  // The last element of a block takes the blank line that separated it from the one before.
  let startOffset = start.offset;
  const previousLineStart = text.lastIndexOf('\n', startOffset - 2) + 1;
  if (startOffset > 0 && text.slice(previousLineStart, startOffset).trim() === '' && /^[ \t]*(\}|$)/.test(text.slice(endOffset))) startOffset = previousLineStart;
  return replaceFix(title, lines.range(startOffset, endOffset), '');
}

/**
 * Inserts lines (written without indentation) as the first elements of a block whose whole range is
 * `blockRange`, indented one level deeper than the block; `blockRange` undefined inserts at the top of the
 * document `documentStart`.
 */
export function insertIntoBlockFix(title: string, blockRange: Range | undefined, content: readonly string[], lines?: LineIndex, documentStart?: Position): Fix {
  const eol = lineEnding(lines);
  if (!blockRange) {
    const at = documentStart ?? { line: 1, column: 1, offset: 0 };
    return { title, edits: [{ range: { start: at, end: at }, newText: content.join(eol) + eol }] };
  }
  const outer = ' '.repeat(Math.max(0, blockRange.start.column - 1));
  const inner = outer + INDENT;
  const body = content.map((line) => (line === '' ? '' : inner + line));
  const end = blockRange.end;
  let edit: FixEdit;
  const closing = end.offset - 1;
  const onOwnLine = end.line > blockRange.start.line && (!lines || lines.text.slice(lineStart(end).offset, closing).trim() === '');
  if (onOwnLine) {
    // Before the line holding the closing brace.
    const at = lineStart(end);
    edit = { range: { start: at, end: at }, newText: body.join(eol) + eol };
  } else {
    // `name {}` on one line: open it up.
    const at: Position = { line: end.line, column: end.column - 1, offset: closing };
    edit = { range: { start: at, end: at }, newText: eol + body.join(eol) + eol + outer };
  }
  return { title, edits: [edit] };
}

/** The placeholder a new attribute of a schema type gets (`""`, `false`, `0`, `[]`, the first enum value). */
export function placeholderFor(schema: unknown): string {
  const s = (schema ?? {}) as { type?: unknown; enum?: unknown[]; $ref?: unknown };
  if (Array.isArray(s.enum) && typeof s.enum[0] === 'string') return quote(s.enum[0]);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (type === 'boolean') return 'false';
  if (type === 'integer' || type === 'number') return '0';
  if (type === 'array' || (typeof s.$ref === 'string' && s.$ref.endsWith('stringList'))) return '[]';
  return '""';
}
