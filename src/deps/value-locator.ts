/**
 * Where a piece of an OCL string value sits in the file: JSON found inside an attribute value (a heredoc,
 * or a quoted string with escapes) is parsed on its own, and each finding about it has to point at the
 * OCL line and column the user edits.
 *
 * A heredoc's value line k is body line k of the file with its indentation removed (`<<-`), so a column
 * in the value is that column plus the indentation the line lost. A quoted string is walked escape by
 * escape. Anything else (or a file text that does not match the model) falls back to the whole value.
 */
import { LineIndex, type Range } from '../diagnostics.js';

export interface ValueLocator {
  /** The range of `length` value characters starting at value offset `offset`. */
  range(offset: number, length: number): Range;
  /** The whole attribute. */
  readonly whole: Range;
}

const HEREDOC_HEADER = /^[^=\n]*=[ \t]*<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/;

/** A locator for the value of the attribute at `attributeRange` in `fileText`, whose decoded value is `value`. */
export function valueLocator(fileText: string, attributeRange: Range, value: string): ValueLocator {
  const text = fileText.charCodeAt(0) === 0xfeff ? fileText.slice(1) : fileText;
  const lines = new LineIndex(text);
  const whole = attributeRange;
  const fallback: ValueLocator = { range: () => whole, whole };
  const attribute = text.slice(attributeRange.start.offset, attributeRange.end.offset);
  const header = HEREDOC_HEADER.exec(attribute);
  const toFileOffset = header ? heredocMap(text, attributeRange.start.offset + header[0].length, value) : quotedMap(text, attribute, attributeRange.start.offset, value);
  if (!toFileOffset) return fallback;
  return {
    whole,
    range(offset: number, length: number): Range {
      const start = toFileOffset(offset);
      const end = toFileOffset(offset + Math.max(0, length));
      if (start === undefined || end === undefined || end < start) return whole;
      return lines.range(start, end);
    },
  };
}

/** Value offset → file offset for a heredoc whose body starts at `bodyStart`. */
function heredocMap(text: string, bodyStart: number, value: string): ((offset: number) => number | undefined) | undefined {
  const valueLineStarts = [0];
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) === 10) valueLineStarts.push(i + 1);
  const fileLineStarts: number[] = [];
  const shifts: number[] = [];
  let at = bodyStart;
  for (let k = 0; k < valueLineStarts.length; k++) {
    if (at > text.length) return undefined;
    let next = text.indexOf('\n', at);
    if (next < 0) next = text.length;
    const raw = text.slice(at, next).replace(/\r+$/, '');
    const lineEnd = k + 1 < valueLineStarts.length ? valueLineStarts[k + 1]! - 1 : value.length;
    const valueLine = value.slice(valueLineStarts[k], lineEnd).replace(/\r+$/, '');
    // The value line is the file line minus the indentation `<<-` removed.
    if (valueLine !== '' && !raw.endsWith(valueLine)) return undefined;
    fileLineStarts.push(at);
    shifts.push(valueLine === '' ? 0 : raw.length - valueLine.length);
    at = next + 1;
  }
  return (offset) => {
    if (offset < 0 || offset > value.length) return undefined;
    let k = valueLineStarts.length - 1;
    while (k > 0 && valueLineStarts[k]! > offset) k--;
    return fileLineStarts[k]! + shifts[k]! + (offset - valueLineStarts[k]!);
  };
}

/** Value offset → file offset for a quoted string `"…"` (escapes take more source characters than value ones). */
function quotedMap(text: string, attribute: string, attributeStart: number, value: string): ((offset: number) => number | undefined) | undefined {
  const open = attribute.indexOf('"', attribute.indexOf('='));
  if (open < 0) return undefined;
  const sourceOffsets: number[] = [];
  let i = attributeStart + open + 1;
  while (i < text.length && text[i] !== '"') {
    sourceOffsets.push(i);
    if (text[i] === '\\') i += text[i + 1] === 'u' ? 6 : 2;
    else {
      const code = text.codePointAt(i)!;
      i += code > 0xffff ? 2 : 1;
      if (code > 0xffff) sourceOffsets.push(i - 1);
    }
  }
  if (sourceOffsets.length !== value.length) return undefined;
  sourceOffsets.push(i);
  return (offset) => sourceOffsets[offset];
}
