/**
 * Heredoc value construction, as Octopus's HeredocParser does it: body lines are joined with `\r\n`
 * when any line but the last ended in `\r` (else `\n`), every trailing `\r` is stripped, and `<<-`
 * removes the common indentation.
 */
import { CHAR_CR, isWhiteSpace } from './chars.js';
import type { HeredocScan } from './lexer.js';

/**
 * `current`: the indentation removed by `<<-` is the minimum of the end tag's indentation and the
 * non-blank lines' indentation (Octopus since 2023, schema version 6 and later).
 * `legacy`: only the non-blank lines count (files whose schema_version is below 6).
 */
export type HeredocMode = 'current' | 'legacy';

function leadingWhiteSpace(line: string): number {
  for (let i = 0; i < line.length; i++) if (!isWhiteSpace(line.charCodeAt(i))) return i;
  return Number.MAX_SAFE_INTEGER;
}

export function heredocValue(text: string, scan: HeredocScan, mode: HeredocMode): string {
  const { bodyStart, bodyEnd } = scan;
  if (bodyEnd <= bodyStart) return '';
  // The body is whole lines, each ending in `\n` (except a last line at end of input when unterminated).
  const bodyText = text.slice(bodyStart, text.charCodeAt(bodyEnd - 1) === 10 ? bodyEnd - 1 : bodyEnd);
  const hasCr = bodyText.indexOf('\r') >= 0;
  if (!scan.indented && !hasCr) return bodyText;

  const lines = bodyText.split('\n');
  let separator = '\n';
  if (hasCr) {
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i]!;
      if (line.charCodeAt(line.length - 1) !== CHAR_CR) continue;
      if (i < lines.length - 1) separator = '\r\n';
      let end = line.length;
      while (end > 0 && line.charCodeAt(end - 1) === CHAR_CR) end--;
      line = line.slice(0, end);
      lines[i] = line;
    }
  }
  if (scan.indented) {
    let unindentBy = Number.MAX_SAFE_INTEGER;
    for (const line of lines) {
      const indent = leadingWhiteSpace(line);
      if (indent < unindentBy) unindentBy = indent;
    }
    if (mode === 'current' && scan.endTagStart >= 0) {
      const endIndent = scan.endTagStart - bodyEnd;
      if (endIndent < unindentBy) unindentBy = endIndent;
    }
    if (unindentBy > 0) {
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        lines[i] = line.length <= unindentBy ? '' : line.slice(unindentBy);
      }
    }
  }
  return lines.join(separator);
}
