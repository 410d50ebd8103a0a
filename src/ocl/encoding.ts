/**
 * OCL files are UTF-8 (Octopus Server writes and reads them so). Bytes that are not UTF-8 — a Latin-1
 * `café`, a binary file named `*.ocl` — are refused with a positioned diagnostic instead of being
 * decoded with U+FFFD replacement characters, which a formatter would then write back, destroying the
 * original bytes.
 */
import type { Diagnostic } from '../diagnostics.js';
import { OclCodes } from './codes.js';

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { ignoreBOM: true });

export type DecodedText = { text: string } | { diagnostic: Diagnostic };

/** The bytes as text (a byte-order mark kept for the parser), or OCL031 at the first byte that is not UTF-8. */
export function decodeOclBytes(bytes: Uint8Array, file?: string): DecodedText {
  try {
    return { text: strict.decode(bytes) };
  } catch {
    const at = firstInvalidByte(bytes);
    const before = lenient.decode(bytes.subarray(0, at));
    const lineStart = before.lastIndexOf('\n') + 1;
    const start = { line: (before.match(/\n/g)?.length ?? 0) + 1, column: before.length - lineStart + 1, offset: before.length };
    const diagnostic: Diagnostic = {
      severity: 'error',
      code: OclCodes.invalidEncoding,
      summary: `The file is not valid UTF-8 (byte 0x${bytes[at]!.toString(16).padStart(2, '0')} at byte offset ${at})`,
      detail: 'OCL files are UTF-8. Convert the file (e.g. `iconv -f latin1 -t utf-8`); it is not read or rewritten as it is.',
      range: { start, end: { ...start, column: start.column + 1, offset: start.offset + 1 } },
    };
    if (file !== undefined) diagnostic.file = file;
    return { diagnostic };
  }
}

/** Index of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length === 0) return i;
    i += length;
  }
  return bytes.length - 1;
}

/** Length of the well-formed UTF-8 sequence at `i` (Unicode Table 3-7), or 0. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  const inRange = (j: number, lo = 0x80, hi = 0xbf) => j < bytes.length && bytes[j]! >= lo && bytes[j]! <= hi;
  if (b0 >= 0xc2 && b0 <= 0xdf) return inRange(i + 1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    return inRange(i + 1, lo, hi) && inRange(i + 2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    return inRange(i + 1, lo, hi) && inRange(i + 2) && inRange(i + 3) ? 4 : 0;
  }
  return 0;
}
