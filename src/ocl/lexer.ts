/**
 * OCL lexer, built on chevrotain's Lexer.
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
import { createToken, Lexer, type CustomPatternMatcherReturn, type IToken, type TokenType } from 'chevrotain';
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

/** What the parser needs to know about a token; several chevrotain token types share a kind. */
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

const MODE_ELEMENT = 'element';
const MODE_MAP = 'map';
const MODE_MAP_ARRAY = 'mapArray';

function match(image: string, payload?: unknown): CustomPatternMatcherReturn {
  const result = [image] as CustomPatternMatcherReturn;
  if (payload !== undefined) result.payload = payload;
  return result;
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
// Map-mode state. chevrotain calls custom patterns in order and takes the first match, so a custom
// pattern that returns a match is the token chosen: updating the state there is reliable.

const enum MapState {
  Key,
  AfterKey,
  Value,
}
let mapState = MapState.Key;

/**
 * The last run scanned to decide whether a `}` at a key position is a key: every `}` inside the same
 * run has the same answer, so `}}}}...` closing deeply nested maps stays linear.
 */
let keyRunStart = -1;
let keyRunEnd = -1;
let keyRunIsKey = false;

/** Start chars for patterns that may begin with any character (chevrotain buckets codes >= 256). */
const ANY_START_CHARS: number[] = (() => {
  const codes: number[] = [];
  for (let c = 0; c < 256; c++) codes.push(c);
  for (let c = 256; c < 65536; c += 255) codes.push(c);
  codes.push(65535);
  return codes;
})();
const WORD_START_CHARS: number[] = (() => {
  const codes: number[] = [];
  for (let c = 0; c < 128; c++) if (isWordChar(c)) codes.push(c);
  for (let c = 128; c < 256; c++) codes.push(c);
  for (let c = 256; c < 65536; c += 255) codes.push(c);
  codes.push(65535);
  return codes;
})();

const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[\t\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/,
  group: Lexer.SKIPPED,
});
const Newline = createToken({ name: 'Newline', pattern: '\n', line_breaks: true });
const Comment = createToken({
  name: 'Comment',
  line_breaks: true,
  start_chars_hint: ['#', '/'],
  pattern: {
    exec(text, offset) {
      const c = text.charCodeAt(offset);
      let end: number;
      if (c === CHAR_HASH || (c === CHAR_SLASH && text.charCodeAt(offset + 1) === CHAR_SLASH)) {
        end = text.indexOf('\n', offset);
        if (end < 0) end = text.length;
        if (end > offset && text.charCodeAt(end - 1) === CHAR_CR) end--;
      } else if (c === CHAR_SLASH && text.charCodeAt(offset + 1) === 42 /* * */) {
        end = text.indexOf('*/', offset + 2);
        end = end < 0 ? text.length : end + 2;
      } else {
        return null;
      }
      return match(text.slice(offset, end));
    },
  },
});
const Heredoc = createToken({
  name: 'Heredoc',
  line_breaks: true,
  start_chars_hint: ['<'],
  pattern: {
    exec(text, offset) {
      const result = scanHeredoc(text, offset);
      return result ? match(text.slice(offset, result.end), result.scan) : null;
    },
  },
});
const StringToken = createToken({
  name: 'String',
  start_chars_hint: ['"'],
  pattern: {
    exec(text, offset) {
      if (text.charCodeAt(offset) !== CHAR_QUOTE) return null;
      const result = scanString(text, offset);
      return match(text.slice(offset, result.end), result.scan);
    },
  },
});
const MapOpen = createToken({
  name: 'MapOpen',
  start_chars_hint: ['{'],
  push_mode: MODE_MAP,
  pattern: {
    exec(text, offset, tokens) {
      if (text.charCodeAt(offset) !== CHAR_LBRACE) return null;
      // A `{` is a map when it is an attribute's value: the previous token (newlines aside) is `=`.
      let i = tokens.length - 1;
      while (i >= 0 && tokens[i]!.tokenType === Newline) i--;
      if (i < 0 || tokens[i]!.tokenType !== Equals) return null;
      mapState = MapState.Key;
      return match('{');
    },
  },
});
const LBrace = createToken({ name: 'LBrace', pattern: '{' });
const RBrace = createToken({ name: 'RBrace', pattern: '}' });
const Equals = createToken({ name: 'Equals', pattern: '=' });
const LBracket = createToken({ name: 'LBracket', pattern: '[' });
const RBracket = createToken({ name: 'RBracket', pattern: ']' });
const Comma = createToken({ name: 'Comma', pattern: ',' });
const Word = createToken({
  name: 'Word',
  start_chars_hint: WORD_START_CHARS,
  pattern: {
    exec(text, offset) {
      const end = scanWord(text, offset);
      return end > offset ? match(text.slice(offset, end)) : null;
    },
  },
});
const Garbage = createToken({
  name: 'Garbage',
  start_chars_hint: ANY_START_CHARS,
  pattern: {
    exec(text, offset) {
      const end = scanGarbage(text, offset);
      return end > offset ? match(text.slice(offset, end)) : null;
    },
  },
});

// Map mode.
const MapNewline = createToken({
  name: 'MapNewline',
  line_breaks: true,
  start_chars_hint: ['\n'],
  pattern: {
    exec(text, offset) {
      if (text.charCodeAt(offset) !== CHAR_LF) return null;
      mapState = MapState.Key;
      return match('\n');
    },
  },
});
const MapClose = createToken({
  name: 'MapClose',
  start_chars_hint: ['}'],
  pop_mode: true,
  pattern: {
    exec(text, offset) {
      if (text.charCodeAt(offset) !== CHAR_RBRACE) return null;
      if (mapState !== MapState.Value) {
        // At a key position `}x = 1` is a key (Octopus tries a key first); `}` is the close otherwise.
        if (offset <= keyRunStart || offset >= keyRunEnd) {
          keyRunStart = offset;
          keyRunEnd = scanUnquotedKey(text, offset);
          let p = keyRunEnd;
          while (p < text.length && isLineWhiteSpace(text.charCodeAt(p))) p++;
          keyRunIsKey = text.charCodeAt(p) === CHAR_EQUALS;
        }
        if (keyRunIsKey) return null;
      }
      mapState = MapState.Key;
      return match('}');
    },
  },
});
const MapEquals = createToken({
  name: 'MapEquals',
  start_chars_hint: ['='],
  pattern: {
    exec(text, offset) {
      if (mapState !== MapState.AfterKey || text.charCodeAt(offset) !== CHAR_EQUALS) return null;
      mapState = MapState.Value;
      return match('=');
    },
  },
});
const MapString = createToken({
  name: 'MapString',
  start_chars_hint: ['"'],
  pattern: {
    exec(text, offset) {
      if (text.charCodeAt(offset) !== CHAR_QUOTE) return null;
      const result = scanString(text, offset);
      mapState = mapState === MapState.Value ? MapState.Key : MapState.AfterKey;
      return match(text.slice(offset, result.end), result.scan);
    },
  },
});
const MapHeredoc = createToken({
  name: 'MapHeredoc',
  line_breaks: true,
  start_chars_hint: ['<'],
  pattern: {
    exec(text, offset) {
      if (mapState !== MapState.Value) return null;
      const result = scanHeredoc(text, offset);
      if (!result) return null;
      mapState = MapState.Key;
      return match(text.slice(offset, result.end), result.scan);
    },
  },
});
const LITERAL_WORD = /^(?:null|true|false|-?[0-9]+(?:\.[0-9]+)?)$/;
const LITERAL_PREFIX = /^(?:null|true|false|-?[0-9]+(?:\.[0-9]+)?)/;

const MapWord = createToken({
  name: 'MapWord',
  start_chars_hint: WORD_START_CHARS,
  pattern: {
    exec(text, offset) {
      if (mapState !== MapState.Value) return null;
      const end = scanWord(text, offset);
      if (end === offset) return null;
      let image = text.slice(offset, end);
      if (!LITERAL_WORD.test(image)) {
        // Octopus reads a literal, then the next entry with no separator: `a = 1b = 2` is a = 1 and
        // b = 2. Split off the literal when the rest is a key followed by `=`.
        const prefix = LITERAL_PREFIX.exec(image);
        if (prefix) {
          let p = scanUnquotedKey(text, offset + prefix[0].length);
          while (p < text.length && isLineWhiteSpace(text.charCodeAt(p))) p++;
          if (text.charCodeAt(p) === CHAR_EQUALS) image = prefix[0];
        }
      }
      mapState = MapState.Key;
      return match(image);
    },
  },
});
const MapArrayOpen = createToken({
  name: 'MapArrayOpen',
  start_chars_hint: ['['],
  push_mode: MODE_MAP_ARRAY,
  pattern: {
    exec(text, offset) {
      if (mapState !== MapState.Value || text.charCodeAt(offset) !== CHAR_LBRACKET) return null;
      // When the array mode pops, the entry's value is complete and a key comes next.
      mapState = MapState.Key;
      return match('[');
    },
  },
});
const NestedMapOpen = createToken({
  name: 'NestedMapOpen',
  start_chars_hint: ['{'],
  push_mode: MODE_MAP,
  pattern: {
    exec(text, offset) {
      if (mapState !== MapState.Value || text.charCodeAt(offset) !== CHAR_LBRACE) return null;
      mapState = MapState.Key;
      return match('{');
    },
  },
});
const UnquotedKey = createToken({
  name: 'UnquotedKey',
  start_chars_hint: ANY_START_CHARS,
  pattern: {
    exec(text, offset) {
      if (mapState === MapState.Value) return null;
      const end = scanUnquotedKey(text, offset);
      if (end === offset) return null;
      mapState = MapState.AfterKey;
      return match(text.slice(offset, end));
    },
  },
});
const MapGarbage = createToken({
  name: 'MapGarbage',
  start_chars_hint: ANY_START_CHARS,
  pattern: {
    exec(text, offset) {
      const end = scanGarbage(text, offset);
      if (end === offset) return null;
      mapState = MapState.Key;
      return match(text.slice(offset, end));
    },
  },
});

// Array-inside-a-map mode.
const MapArrayClose = createToken({ name: 'MapArrayClose', pattern: ']', pop_mode: true });
const NestedArrayOpen = createToken({ name: 'NestedArrayOpen', pattern: '[', push_mode: MODE_MAP_ARRAY });
const ArrayAbort = createToken({
  name: 'ArrayAbort',
  start_chars_hint: ['}'],
  pop_mode: true,
  pattern: {
    // Zero width: leave the `}` to close the map in the map mode (the parser reports the missing `]`).
    exec(text, offset) {
      return text.charCodeAt(offset) === CHAR_RBRACE ? match('') : null;
    },
  },
});

const KIND_BY_TOKEN_TYPE: [TokenType, Kind][] = [
  [Newline, Kind.Newline],
  [MapNewline, Kind.Newline],
  [Comment, Kind.Comment],
  [Heredoc, Kind.Heredoc],
  [MapHeredoc, Kind.Heredoc],
  [StringToken, Kind.String],
  [MapString, Kind.String],
  [Word, Kind.Word],
  [MapWord, Kind.Word],
  [Garbage, Kind.Garbage],
  [MapGarbage, Kind.Garbage],
  [Equals, Kind.Equals],
  [MapEquals, Kind.Equals],
  [LBrace, Kind.LBrace],
  [RBrace, Kind.RBrace],
  [LBracket, Kind.LBracket],
  [MapArrayOpen, Kind.LBracket],
  [NestedArrayOpen, Kind.LBracket],
  [RBracket, Kind.RBracket],
  [MapArrayClose, Kind.RBracket],
  [Comma, Kind.Comma],
  [MapOpen, Kind.MapOpen],
  [NestedMapOpen, Kind.MapOpen],
  [MapClose, Kind.MapClose],
  [UnquotedKey, Kind.UnquotedKey],
  [ArrayAbort, Kind.ArrayAbort],
];
const KIND_BY_TOKEN_INDEX = new Uint8Array(Math.max(...KIND_BY_TOKEN_TYPE.map(([t]) => t.tokenTypeIdx!)) + 1).fill(
  Kind.Garbage,
);
for (const [type, kind] of KIND_BY_TOKEN_TYPE) KIND_BY_TOKEN_INDEX[type.tokenTypeIdx!] = kind;

const oclLexer = new Lexer(
  {
    defaultMode: MODE_ELEMENT,
    modes: {
      [MODE_ELEMENT]: [
        WhiteSpace,
        Newline,
        StringToken,
        Word,
        Equals,
        MapOpen,
        LBrace,
        RBrace,
        Heredoc,
        Comment,
        LBracket,
        RBracket,
        Comma,
        Garbage,
      ],
      [MODE_MAP]: [
        WhiteSpace,
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
      ],
      [MODE_MAP_ARRAY]: [
        WhiteSpace,
        Newline,
        StringToken,
        Word,
        Comma,
        MapArrayClose,
        NestedArrayOpen,
        ArrayAbort,
        Heredoc,
        Comment,
        LBrace,
        Garbage,
      ],
    },
  },
  { positionTracking: 'onlyOffset', ensureOptimizations: false, skipValidations: true },
);

export interface LexResult {
  tokens: IToken[];
  /** `kinds[i]` is the kind of `tokens[i]`; one extra `Kind.EOF` entry at the end. */
  kinds: Uint8Array;
  /** Offsets and lengths of text no token pattern matched (should not happen: every mode has a catch-all). */
  errors: { offset: number; length: number }[];
}

export function lexOcl(text: string): LexResult {
  mapState = MapState.Key;
  keyRunStart = keyRunEnd = -1;
  failedHeredocSearches = new Map();
  const result = oclLexer.tokenize(text);
  const tokens = result.tokens;
  const kinds = new Uint8Array(tokens.length + 1);
  for (let i = 0; i < tokens.length; i++) kinds[i] = KIND_BY_TOKEN_INDEX[tokens[i]!.tokenTypeIdx]!;
  kinds[tokens.length] = Kind.EOF;
  return { tokens, kinds, errors: result.errors.map((e) => ({ offset: e.offset, length: e.length })) };
}
