/**
 * OCL lexer: hand-written modes and token patterns over char codes (it was built on chevrotain's
 * Lexer, whose matching rules it keeps: in the current mode the patterns are tried in order and the
 * first that matches makes the token; whitespace other than `\n` is skipped).
 *
 * OCL is context-sensitive in three places, and the lexer resolves all three so the parser only sees
 * tokens:
 * - Inside a map (an attribute value `{ ... }`), an unquoted key is "any run of non-whitespace,
 *   non-quote characters" (so `a="1"` is the key `a=` followed by a string). Maps get their own lexer
 *   mode, entered by a `{` whose previous significant token is `=`. Within the map mode a small state
 *   machine (key, after key, value) decides between keys and values.
 * - Heredoc bodies are line based: one custom-pattern token spans `<<TAG`, the body and the end line.
 * - Newlines matter (a block's `{` must be followed by one; a value must start on the `=` line), so
 *   `\n` is a token while other whitespace (including `\r`) is skipped, as in Octopus's SameLineToken.
 *
 * Names, numbers and bare words share one `Word` token (`[\p{L}\p{Nd}_.+-]+`); the parser classifies
 * it by position, which gives precise messages for `my-block`, `1e6`, `True` and friends.
 */
import {
  CHAR_BACKSLASH,
  CHAR_COMMA,
  CHAR_CR,
  CHAR_DOT,
  CHAR_EQUALS,
  CHAR_HASH,
  CHAR_LBRACE,
  CHAR_LBRACKET,
  CHAR_LF,
  CHAR_LT,
  CHAR_MINUS,
  CHAR_QUOTE,
  CHAR_RBRACE,
  CHAR_RBRACKET,
  CHAR_SLASH,
  isLineWhiteSpace,
  isNameChar,
  isWhiteSpace,
} from './chars.js';

/** What the parser needs to know about a token; several patterns (see `Pattern`) share a kind. */
export const enum Kind {
  EOF = 0,
  Newline,
  Comment,
  Heredoc,
  String,
  Word,
  Garbage,
  Equals,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  Comma,
  MapOpen,
  MapClose,
  UnquotedKey,
  /** Zero-width token: a `}` ended a map entry's array before its `]`. */
  ArrayAbort,
}

/** Where a heredoc token's parts are; the parser builds the value from these offsets. */
export interface HeredocScan {
  indented: boolean;
  tag: string;
  /** Offset of the end of the start line (its `\n`, or the text length). */
  startLineEnd: number;
  /** Offset of the first body line. */
  bodyStart: number;
  /** Offset of the line holding the end tag (the body is `[bodyStart, bodyEnd)`). */
  bodyEnd: number;
  /** Offsets of the end tag on its line; -1 when unterminated. */
  endTagStart: number;
  endTagEnd: number;
  terminated: boolean;
  /** Text after the tag on the start line (`<<EOT x`); -1 when the start line is well formed. */
  junkStart: number;
  junkEnd: number;
}

/** Payload of a string token that is unterminated or has invalid escapes (clean strings have none). */
export interface StringScan {
  terminated: boolean;
  /** Offsets of backslashes that start an unsupported escape. */
  badEscapes: number[];
}

/** A token: its text as written, where it starts, and what a scanner found in it (strings, heredocs). */
export interface Token {
  image: string;
  startOffset: number;
  payload?: unknown;
}

// ---------------------------------------------------------------------------------------------
// Scanners shared by several token types (plain functions over char codes: no regex per token).

/** Scans a quoted string starting at `offset` (a `"`); stops at the closing quote or line end. */
export function scanString(text: string, offset: number): { end: number; scan?: StringScan } {
  const length = text.length;
  let p = offset + 1;
  let badEscapes: number[] | undefined;
  while (p < length) {
    const c = text.charCodeAt(p);
    if (c === CHAR_QUOTE) {
      return badEscapes ? { end: p + 1, scan: { terminated: true, badEscapes } } : { end: p + 1 };
    }
    if (c === CHAR_LF || c === CHAR_CR) break;
    if (c === CHAR_BACKSLASH) {
      const next = p + 1 < length ? text.charCodeAt(p + 1) : -1;
      // Only \r \n \t \\ \" are escapes in OCL; anything else makes Octopus throw.
      if (next !== 114 && next !== 110 && next !== 116 && next !== CHAR_BACKSLASH && next !== CHAR_QUOTE) {
        (badEscapes ??= []).push(p);
        if (next === -1 || next === CHAR_LF || next === CHAR_CR) {
          p++;
          break;
        }
      }
      p += 2;
      continue;
    }
    p++;
  }
  return { end: Math.min(p, length), scan: { terminated: false, badEscapes: badEscapes ?? [] } };
}

interface EndLine {
  lineStart: number;
  tagStart: number;
  tagEnd: number;
  /** Offset just past the end line, including its `\n`. */
  next: number;
}

/**
 * Finds the first line at or after `from` that is an end line for `tag`: optional same-line
 * whitespace, the exact tag, optional same-line whitespace, then `\n` or the end of the text.
 */
function findHeredocEnd(text: string, from: number, tag: string): EndLine | null {
  const length = text.length;
  let lineStart = from;
  for (;;) {
    let p = lineStart;
    while (p < length && isLineWhiteSpace(text.charCodeAt(p))) p++;
    if (text.startsWith(tag, p)) {
      let q = p + tag.length;
      while (q < length && isLineWhiteSpace(text.charCodeAt(q))) q++;
      if (q === length) return { lineStart, tagStart: p, tagEnd: p + tag.length, next: length };
      if (text.charCodeAt(q) === CHAR_LF) return { lineStart, tagStart: p, tagEnd: p + tag.length, next: q + 1 };
    }
    if (lineStart >= length) return null;
    const newline = text.indexOf('\n', lineStart);
    // A body line must end with `\n`: a last line without one that is not the end line is unterminated.
    if (newline < 0) return null;
    lineStart = newline + 1;
  }
}

/**
 * Tags whose end-line search already ran to the end of the text, with the offset it started from:
 * a later search for the same tag from further on must fail too. Without this, many bad start lines
 * (`<<EOT x` with no end tag) would each rescan the rest of the file.
 */
let failedHeredocSearches = new Map<string, number>();

function findHeredocEndCached(text: string, from: number, tag: string): EndLine | null {
  const failedFrom = failedHeredocSearches.get(tag);
  if (failedFrom !== undefined && failedFrom <= from) return null;
  const end = findHeredocEnd(text, from, tag);
  if (!end) failedHeredocSearches.set(tag, from);
  return end;
}

/** Scans a heredoc starting at `offset` (a `<<`). Returns null when the text there is not `<<`. */
export function scanHeredoc(text: string, offset: number): { end: number; scan: HeredocScan } | null {
  if (text.charCodeAt(offset) !== CHAR_LT || text.charCodeAt(offset + 1) !== CHAR_LT) return null;
  const length = text.length;
  let p = offset + 2;
  const indented = text.charCodeAt(p) === CHAR_MINUS;
  if (indented) p++;
  const tagStart = p;
  while (p < length && !isWhiteSpace(text.charCodeAt(p))) p++;
  const tag = text.slice(tagStart, p);
  let q = p;
  while (q < length && isLineWhiteSpace(text.charCodeAt(q))) q++;
  const scan: HeredocScan = {
    indented,
    tag,
    startLineEnd: q,
    bodyStart: q + 1,
    bodyEnd: length,
    endTagStart: -1,
    endTagEnd: -1,
    terminated: false,
    junkStart: -1,
    junkEnd: -1,
  };
  if (q >= length) {
    scan.bodyStart = length;
    return { end: length, scan };
  }
  let searchTag = tag;
  if (text.charCodeAt(q) !== CHAR_LF) {
    // Something follows the tag on the start line. Octopus rejects that; to keep later lines from being
    // misread as OCL, look for an end line for the tag the author probably meant (`<< EOT` means EOT).
    let lineEnd = text.indexOf('\n', q);
    if (lineEnd < 0) lineEnd = length;
    let junkEnd = lineEnd;
    while (junkEnd > q && isWhiteSpace(text.charCodeAt(junkEnd - 1))) junkEnd--;
    scan.junkStart = q;
    scan.junkEnd = junkEnd;
    scan.startLineEnd = lineEnd;
    if (tag === '') {
      let wordEnd = q;
      while (wordEnd < length && !isWhiteSpace(text.charCodeAt(wordEnd))) wordEnd++;
      searchTag = text.slice(q, wordEnd);
    }
    const end = lineEnd < length && searchTag !== '' ? findHeredocEndCached(text, lineEnd + 1, searchTag) : null;
    if (!end) {
      scan.bodyStart = lineEnd;
      scan.bodyEnd = lineEnd;
      scan.terminated = true;
      return { end: lineEnd, scan };
    }
    scan.bodyStart = lineEnd + 1;
    scan.bodyEnd = end.lineStart;
    scan.endTagStart = end.tagStart;
    scan.endTagEnd = end.tagEnd;
    scan.terminated = true;
    return { end: end.next, scan };
  }
  const end = findHeredocEndCached(text, q + 1, searchTag);
  if (!end) return { end: length, scan };
  scan.bodyEnd = end.lineStart;
  scan.endTagStart = end.tagStart;
  scan.endTagEnd = end.tagEnd;
  scan.terminated = true;
  return { end: end.next, scan };
}

function isWordChar(c: number): boolean {
  return isNameChar(c) || c === CHAR_DOT || c === CHAR_MINUS || c === 43 /* + */;
}

/** `isWordChar` for ASCII, as a table: words are most tokens, so this loop is hot. */
const ASCII_WORD_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) ASCII_WORD_CHAR[c] = isWordChar(c) ? 1 : 0;

function scanWord(text: string, offset: number): number {
  let p = offset;
  const length = text.length;
  while (p < length) {
    const c = text.charCodeAt(p);
    if (c < 128 ? ASCII_WORD_CHAR[c] === 0 : !isWordChar(c)) break;
    p++;
  }
  return p;
}

/** Characters that end a garbage run (so structure after junk is still seen). */
function isGarbageStop(c: number): boolean {
  return (
    isWhiteSpace(c) ||
    c === CHAR_QUOTE ||
    c === CHAR_LBRACE ||
    c === CHAR_RBRACE ||
    c === CHAR_LBRACKET ||
    c === CHAR_RBRACKET ||
    c === CHAR_EQUALS ||
    c === CHAR_COMMA
  );
}

function scanGarbage(text: string, offset: number): number {
  const length = text.length;
  if (offset >= length || isWhiteSpace(text.charCodeAt(offset))) return offset;
  let p = offset + 1;
  while (p < length && !isGarbageStop(text.charCodeAt(p))) p++;
  return p;
}

/** Any run of non-whitespace, non-quote characters: the unquoted map key. */
function scanUnquotedKey(text: string, offset: number): number {
  let p = offset;
  const length = text.length;
  while (p < length) {
    const c = text.charCodeAt(p);
    if (c === CHAR_QUOTE || isWhiteSpace(c)) break;
    p++;
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Modes and patterns.

const enum Mode {
  Element,
  Map,
  MapArray,
}

/** What the map mode expects next: a key, the `=` after a key, or a value. */
const enum MapState {
  Key,
  AfterKey,
  Value,
}

/** The patterns; several share a `Kind` (the parser's view), but `MapOpen` looks back for `Newline` and `Equals` themselves. */
const enum Pattern {
  WhiteSpace,
  Newline,
  Comment,
  Heredoc,
  String,
  Word,
  Garbage,
  Equals,
  MapOpen,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  Comma,
  MapNewline,
  MapClose,
  MapEquals,
  MapString,
  MapHeredoc,
  MapWord,
  MapArrayOpen,
  NestedMapOpen,
  UnquotedKey,
  MapGarbage,
  MapArrayClose,
  NestedArrayOpen,
  ArrayAbort,
}

const KIND_OF: Kind[] = [];
KIND_OF[Pattern.WhiteSpace] = Kind.Garbage; // never a token
KIND_OF[Pattern.Newline] = Kind.Newline;
KIND_OF[Pattern.Comment] = Kind.Comment;
KIND_OF[Pattern.Heredoc] = Kind.Heredoc;
KIND_OF[Pattern.String] = Kind.String;
KIND_OF[Pattern.Word] = Kind.Word;
KIND_OF[Pattern.Garbage] = Kind.Garbage;
KIND_OF[Pattern.Equals] = Kind.Equals;
KIND_OF[Pattern.MapOpen] = Kind.MapOpen;
KIND_OF[Pattern.LBrace] = Kind.LBrace;
KIND_OF[Pattern.RBrace] = Kind.RBrace;
KIND_OF[Pattern.LBracket] = Kind.LBracket;
KIND_OF[Pattern.RBracket] = Kind.RBracket;
KIND_OF[Pattern.Comma] = Kind.Comma;
KIND_OF[Pattern.MapNewline] = Kind.Newline;
KIND_OF[Pattern.MapClose] = Kind.MapClose;
KIND_OF[Pattern.MapEquals] = Kind.Equals;
KIND_OF[Pattern.MapString] = Kind.String;
KIND_OF[Pattern.MapHeredoc] = Kind.Heredoc;
KIND_OF[Pattern.MapWord] = Kind.Word;
KIND_OF[Pattern.MapArrayOpen] = Kind.LBracket;
KIND_OF[Pattern.NestedMapOpen] = Kind.MapOpen;
KIND_OF[Pattern.UnquotedKey] = Kind.UnquotedKey;
KIND_OF[Pattern.MapGarbage] = Kind.Garbage;
KIND_OF[Pattern.MapArrayClose] = Kind.RBracket;
KIND_OF[Pattern.NestedArrayOpen] = Kind.LBracket;
KIND_OF[Pattern.ArrayAbort] = Kind.ArrayAbort;

/** Each mode's patterns in the order they are tried. */
const MODE_PATTERNS: readonly (readonly Pattern[])[] = [
  [
    Pattern.WhiteSpace,
    Pattern.Newline,
    Pattern.String,
    Pattern.Word,
    Pattern.Equals,
    Pattern.MapOpen,
    Pattern.LBrace,
    Pattern.RBrace,
    Pattern.Heredoc,
    Pattern.Comment,
    Pattern.LBracket,
    Pattern.RBracket,
    Pattern.Comma,
    Pattern.Garbage,
  ],
  [
    Pattern.WhiteSpace,
    Pattern.MapNewline,
    Pattern.MapClose,
    Pattern.MapEquals,
    Pattern.MapString,
    Pattern.MapHeredoc,
    Pattern.MapWord,
    Pattern.MapArrayOpen,
    Pattern.NestedMapOpen,
    Pattern.UnquotedKey,
    Pattern.MapGarbage,
  ],
  [
    Pattern.WhiteSpace,
    Pattern.Newline,
    Pattern.String,
    Pattern.Word,
    Pattern.Comma,
    Pattern.MapArrayClose,
    Pattern.NestedArrayOpen,
    Pattern.ArrayAbort,
    Pattern.Heredoc,
    Pattern.Comment,
    Pattern.LBrace,
    Pattern.Garbage,
  ],
];

/** The one character a pattern can start with, or -1 when it may start with several. */
const FIRST_CHAR: number[] = [];
for (let p = Pattern.WhiteSpace; p <= Pattern.ArrayAbort; p++) FIRST_CHAR[p] = -1;
FIRST_CHAR[Pattern.Newline] = CHAR_LF;
FIRST_CHAR[Pattern.MapNewline] = CHAR_LF;
FIRST_CHAR[Pattern.String] = CHAR_QUOTE;
FIRST_CHAR[Pattern.MapString] = CHAR_QUOTE;
FIRST_CHAR[Pattern.Heredoc] = CHAR_LT;
FIRST_CHAR[Pattern.MapHeredoc] = CHAR_LT;
FIRST_CHAR[Pattern.Equals] = CHAR_EQUALS;
FIRST_CHAR[Pattern.MapEquals] = CHAR_EQUALS;
FIRST_CHAR[Pattern.MapOpen] = CHAR_LBRACE;
FIRST_CHAR[Pattern.LBrace] = CHAR_LBRACE;
FIRST_CHAR[Pattern.NestedMapOpen] = CHAR_LBRACE;
FIRST_CHAR[Pattern.RBrace] = CHAR_RBRACE;
FIRST_CHAR[Pattern.MapClose] = CHAR_RBRACE;
FIRST_CHAR[Pattern.ArrayAbort] = CHAR_RBRACE;
FIRST_CHAR[Pattern.LBracket] = CHAR_LBRACKET;
FIRST_CHAR[Pattern.MapArrayOpen] = CHAR_LBRACKET;
FIRST_CHAR[Pattern.NestedArrayOpen] = CHAR_LBRACKET;
FIRST_CHAR[Pattern.RBracket] = CHAR_RBRACKET;
FIRST_CHAR[Pattern.MapArrayClose] = CHAR_RBRACKET;
FIRST_CHAR[Pattern.Comma] = CHAR_COMMA;

/**
 * For each mode and ASCII character, the patterns that may match there, in the mode's order (a
 * pattern whose only first character is another cannot): fewer tries per token, the same choice.
 */
const ASCII_CANDIDATES: Pattern[][][] = MODE_PATTERNS.map((patterns) => {
  const byChar: Pattern[][] = [];
  for (let c = 0; c < 128; c++) byChar.push(patterns.filter((p) => mayStartWith(p, c)));
  return byChar;
});

/** Whether a token of `pattern` may start with the ASCII character `c` (never false when it may). */
function mayStartWith(pattern: Pattern, c: number): boolean {
  if (FIRST_CHAR[pattern] !== -1) return FIRST_CHAR[pattern] === c;
  switch (pattern) {
    case Pattern.WhiteSpace:
      return isSkippedSpace(c);
    case Pattern.Comment:
      return c === CHAR_HASH || c === CHAR_SLASH;
    case Pattern.Word:
    case Pattern.MapWord:
      return isWordChar(c);
    case Pattern.UnquotedKey:
      return c !== CHAR_QUOTE && !isWhiteSpace(c);
    case Pattern.Garbage:
    case Pattern.MapGarbage:
      return !isWhiteSpace(c);
    default:
      return true;
  }
}

/** The whitespace the lexer skips: .NET whitespace except `\n`. */
function isSkippedSpace(c: number): boolean {
  return c !== CHAR_LF && isWhiteSpace(c);
}

/** Whether `=` follows at `from`, after same-line whitespace. */
function equalsAfter(text: string, from: number): boolean {
  let p = from;
  while (p < text.length && isLineWhiteSpace(text.charCodeAt(p))) p++;
  return text.charCodeAt(p) === CHAR_EQUALS;
}

const LITERAL_WORD = /^(?:null|true|false|-?[0-9]+(?:\.[0-9]+)?)$/;
const LITERAL_PREFIX = /^(?:null|true|false|-?[0-9]+(?:\.[0-9]+)?)/;

/** One lexing run: the mode stack, the map-mode state, and the tokens so far. */
class OclLexer {
  readonly tokens: Token[] = [];
  /** The pattern of each token (for `MapOpen`'s look-back). */
  private readonly patterns: Pattern[] = [];
  private readonly modes: Mode[] = [Mode.Element];
  private mapState = MapState.Key;
  /**
   * The last run scanned to decide whether a `}` at a key position is a key: every `}` inside the same
   * run has the same answer, so `}}}}...` closing deeply nested maps stays linear.
   */
  private keyRunStart = -1;
  private keyRunEnd = -1;
  private keyRunIsKey = false;
  /** The payload of the last match (string and heredoc scans). */
  private payload: unknown = undefined;

  constructor(private readonly text: string) {}

  run(): void {
    const text = this.text;
    const length = text.length;
    let offset = 0;
    while (offset < length) {
      const mode = this.modes[this.modes.length - 1]!;
      const c = text.charCodeAt(offset);
      const candidates = c < 128 ? ASCII_CANDIDATES[mode]![c]! : MODE_PATTERNS[mode]!;
      let matched = false;
      for (let i = 0; i < candidates.length; i++) {
        const pattern = candidates[i]!;
        this.payload = undefined;
        const end = this.match(pattern, offset, c);
        if (end < 0) continue;
        matched = true;
        if (pattern !== Pattern.WhiteSpace) {
          // One shape for every token (`payload` is mostly undefined).
          this.tokens.push({ image: text.slice(offset, end), startOffset: offset, payload: this.payload });
          this.patterns.push(pattern);
        }
        offset = end;
        this.changeMode(pattern);
        break;
      }
      // Every mode ends with a pattern matching any character but skipped whitespace: this cannot happen.
      if (!matched) throw new Error(`OCL lexer: no token at offset ${offset}`);
    }
  }

  private changeMode(pattern: Pattern): void {
    switch (pattern) {
      case Pattern.MapOpen:
      case Pattern.NestedMapOpen:
        this.modes.push(Mode.Map);
        break;
      case Pattern.MapArrayOpen:
      case Pattern.NestedArrayOpen:
        this.modes.push(Mode.MapArray);
        break;
      case Pattern.MapClose:
      case Pattern.MapArrayClose:
      case Pattern.ArrayAbort:
        if (this.modes.length > 1) this.modes.pop();
        break;
    }
  }

  /** Where `pattern` ends a token starting at `offset` (whose char code is `c`), or -1 when it does not match. */
  private match(pattern: Pattern, offset: number, c: number): number {
    const text = this.text;
    switch (pattern) {
      case Pattern.WhiteSpace: {
        if (!isSkippedSpace(c)) return -1;
        let p = offset + 1;
        while (p < text.length && isSkippedSpace(text.charCodeAt(p))) p++;
        return p;
      }
      case Pattern.Newline:
      case Pattern.String:
      case Pattern.Equals:
      case Pattern.LBrace:
      case Pattern.RBrace:
      case Pattern.LBracket:
      case Pattern.RBracket:
      case Pattern.Comma:
      case Pattern.MapArrayClose:
      case Pattern.NestedArrayOpen:
        if (c !== FIRST_CHAR[pattern]) return -1;
        if (pattern === Pattern.String) return this.string(offset);
        return offset + 1;
      case Pattern.Comment: {
        let end: number;
        if (c === CHAR_HASH || (c === CHAR_SLASH && text.charCodeAt(offset + 1) === CHAR_SLASH)) {
          end = text.indexOf('\n', offset);
          if (end < 0) end = text.length;
          if (end > offset && text.charCodeAt(end - 1) === CHAR_CR) end--;
        } else if (c === CHAR_SLASH && text.charCodeAt(offset + 1) === 42 /* * */) {
          end = text.indexOf('*/', offset + 2);
          end = end < 0 ? text.length : end + 2;
        } else {
          return -1;
        }
        return end;
      }
      case Pattern.Heredoc: {
        const result = scanHeredoc(text, offset);
        if (!result) return -1;
        this.payload = result.scan;
        return result.end;
      }
      case Pattern.Word: {
        const end = scanWord(text, offset);
        return end > offset ? end : -1;
      }
      case Pattern.Garbage:
      case Pattern.MapGarbage: {
        const end = scanGarbage(text, offset);
        if (end === offset) return -1;
        if (pattern === Pattern.MapGarbage) this.mapState = MapState.Key;
        return end;
      }
      case Pattern.MapOpen: {
        if (c !== CHAR_LBRACE) return -1;
        // A `{` is a map when it is an attribute's value: the previous token (newlines aside) is `=`.
        let i = this.patterns.length - 1;
        while (i >= 0 && this.patterns[i] === Pattern.Newline) i--;
        if (i < 0 || this.patterns[i] !== Pattern.Equals) return -1;
        this.mapState = MapState.Key;
        return offset + 1;
      }
      case Pattern.MapNewline:
        if (c !== CHAR_LF) return -1;
        this.mapState = MapState.Key;
        return offset + 1;
      case Pattern.MapClose: {
        if (c !== CHAR_RBRACE) return -1;
        if (this.mapState !== MapState.Value) {
          // At a key position `}x = 1` is a key (Octopus tries a key first); `}` is the close otherwise.
          if (offset <= this.keyRunStart || offset >= this.keyRunEnd) {
            this.keyRunStart = offset;
            this.keyRunEnd = scanUnquotedKey(text, offset);
            this.keyRunIsKey = equalsAfter(text, this.keyRunEnd);
          }
          if (this.keyRunIsKey) return -1;
        }
        this.mapState = MapState.Key;
        return offset + 1;
      }
      case Pattern.MapEquals:
        if (this.mapState !== MapState.AfterKey || c !== CHAR_EQUALS) return -1;
        this.mapState = MapState.Value;
        return offset + 1;
      case Pattern.MapString: {
        if (c !== CHAR_QUOTE) return -1;
        const end = this.string(offset);
        this.mapState = this.mapState === MapState.Value ? MapState.Key : MapState.AfterKey;
        return end;
      }
      case Pattern.MapHeredoc: {
        if (this.mapState !== MapState.Value) return -1;
        const result = scanHeredoc(text, offset);
        if (!result) return -1;
        this.mapState = MapState.Key;
        this.payload = result.scan;
        return result.end;
      }
      case Pattern.MapWord: {
        if (this.mapState !== MapState.Value) return -1;
        let end = scanWord(text, offset);
        if (end === offset) return -1;
        const image = text.slice(offset, end);
        if (!LITERAL_WORD.test(image)) {
          // Octopus reads a literal, then the next entry with no separator: `a = 1b = 2` is a = 1 and
          // b = 2. Split off the literal when the rest is a key followed by `=`.
          const prefix = LITERAL_PREFIX.exec(image);
          if (prefix && equalsAfter(text, scanUnquotedKey(text, offset + prefix[0].length))) end = offset + prefix[0].length;
        }
        this.mapState = MapState.Key;
        return end;
      }
      case Pattern.MapArrayOpen:
      case Pattern.NestedMapOpen:
        if (this.mapState !== MapState.Value || c !== FIRST_CHAR[pattern]) return -1;
        // When the array or nested map mode pops, the entry's value is complete and a key comes next.
        this.mapState = MapState.Key;
        return offset + 1;
      case Pattern.UnquotedKey: {
        if (this.mapState === MapState.Value) return -1;
        const end = scanUnquotedKey(text, offset);
        if (end === offset) return -1;
        this.mapState = MapState.AfterKey;
        return end;
      }
      case Pattern.ArrayAbort:
        // Zero width: leave the `}` to close the map in the map mode (the parser reports the missing `]`).
        return c === CHAR_RBRACE ? offset : -1;
    }
  }

  private string(offset: number): number {
    const result = scanString(this.text, offset);
    if (result.scan) this.payload = result.scan;
    return result.end;
  }

  kinds(): Uint8Array {
    const patterns = this.patterns;
    const n = patterns.length;
    const kinds = new Uint8Array(n + 1);
    // Every store inside the loop, the EOF entry too: code after a long loop has no type feedback when
    // V8 compiles the loop on the stack (OSR), whose code then deoptimises at the loop's exit — and was
    // seen doing so again on every later call (about one cold lint in three: a thousand deopts).
    for (let i = 0; i <= n; i++) kinds[i] = i < n ? KIND_OF[patterns[i]!]! : Kind.EOF;
    return kinds;
  }
}

export interface LexResult {
  tokens: Token[];
  /** `kinds[i]` is the kind of `tokens[i]`; one extra `Kind.EOF` entry at the end. */
  kinds: Uint8Array;
  /** Offsets and lengths of text no token pattern matched (none: every mode has a catch-all). */
  errors: { offset: number; length: number }[];
}

export function lexOcl(text: string): LexResult {
  failedHeredocSearches = new Map();
  const lexer = new OclLexer(text);
  lexer.run();
  return { tokens: lexer.tokens, kinds: lexer.kinds(), errors: [] };
}
