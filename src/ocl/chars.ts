/**
 * Character classes exactly as .NET defines them, because Octopus's parser is written in C#:
 * `char.IsWhiteSpace`, `char.IsLetterOrDigit`. They work on UTF-16 code units, so a surrogate half
 * is neither a letter nor whitespace (an astral letter is therefore not a name character).
 */

export const CHAR_TAB = 9;
export const CHAR_LF = 10;
export const CHAR_CR = 13;
export const CHAR_SPACE = 32;
export const CHAR_QUOTE = 34;
export const CHAR_HASH = 35;
export const CHAR_COMMA = 44;
export const CHAR_MINUS = 45;
export const CHAR_DOT = 46;
export const CHAR_SLASH = 47;
export const CHAR_LT = 60;
export const CHAR_EQUALS = 61;
export const CHAR_LBRACKET = 91;
export const CHAR_BACKSLASH = 92;
export const CHAR_RBRACKET = 93;
export const CHAR_UNDERSCORE = 95;
export const CHAR_LBRACE = 123;
export const CHAR_RBRACE = 125;
export const CHAR_BOM = 0xfeff;

/** .NET `char.IsWhiteSpace` (includes `\n`). Note that U+FEFF is not whitespace in .NET. */
export function isWhiteSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Octopus's "same-line whitespace": any whitespace except `\n` (so `\r` and tabs count). */
export function isLineWhiteSpace(c: number): boolean {
  return c !== CHAR_LF && isWhiteSpace(c);
}

const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}]$/u;
/** 0 = not yet computed, 1 = yes, 2 = no; only used for code units >= 128. */
const letterOrDigitCache = new Uint8Array(65536);

/** .NET `char.IsLetterOrDigit` for one UTF-16 code unit (Unicode categories L* and Nd). */
export function isLetterOrDigit(c: number): boolean {
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  let cached = letterOrDigitCache[c]!;
  if (cached === 0) {
    cached = c < 0xd800 || c > 0xdfff ? (LETTER_OR_DIGIT.test(String.fromCharCode(c)) ? 1 : 2) : 2;
    letterOrDigitCache[c] = cached;
  }
  return cached === 1;
}

/** A character of an OCL name: `_`, a letter or a decimal digit. */
export function isNameChar(c: number): boolean {
  return c === CHAR_UNDERSCORE || isLetterOrDigit(c);
}

export function isAsciiDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
