/**
 * Rego v1 tokenizer. Hand-written, one pass over UTF-16 code units, no regular expressions.
 *
 * The whole input is tokenized up front so the parser can backtrack by index (OPA's parser
 * backtracks too: `{ a | b }` is tried as a comprehension before a set). Whitespace and comments
 * produce no tokens; instead each token records whether whitespace (`wsBefore`) or a newline
 * (`nlBefore`) preceded it, because Rego gives both meaning: a newline separates body literals, and
 * whitespace ends a ref (`a [1]` is not `a[1]`).
 *
 * A lexical error never throws: it yields an `illegal` token carrying the message, which the
 * parser reports when it reaches that token (as OPA's scanner does).
 */

export type KeywordKind =
  | 'package'
  | 'import'
  | 'as'
  | 'default'
  | 'else'
  | 'not'
  | 'with'
  | 'some'
  | 'every'
  | 'in'
  | 'if'
  | 'contains'
  | 'true'
  | 'false'
  | 'null';

export type PunctKind =
  | ':='
  | '='
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '|'
  | '&'
  | '.'
  | ','
  | ';'
  | ':'
  | '['
  | ']'
  | '{'
  | '}'
  | '('
  | ')';

/**
 * `template` is one literal piece of a template string `$"a{x}b"`: the lexer emits
 * `template("a", end=false)`, the tokens of `x`, `}`, then `template("b", end=true)`.
 */
export type TokenKind = 'ident' | 'number' | 'string' | 'template' | 'eof' | 'illegal' | KeywordKind | PunctKind;

const RAW = 1;
const TEMPLATE_END = 2;
const WS_BEFORE = 4;
const NL_BEFORE = 8;

/** A token's four booleans, in one field (Token, TokenCursor). */
abstract class TokenFlags {
  protected abstract readonly flags: number;

  /** `string`: written with backticks. `template`: a `` $`...` `` template. */
  get raw(): boolean {
    return (this.flags & RAW) !== 0;
  }
  /** `template` only: this piece ends the template string (closing quote rather than `{`). */
  get templateEnd(): boolean {
    return (this.flags & TEMPLATE_END) !== 0;
  }
  /** Whitespace or a comment separates this token from the previous one. */
  get wsBefore(): boolean {
    return (this.flags & WS_BEFORE) !== 0;
  }
  /** A line break separates this token from the previous one. */
  get nlBefore(): boolean {
    return (this.flags & NL_BEFORE) !== 0;
  }
}

/**
 * One token (`tokenize`; the parser reads the table through a TokenCursor): the booleans share
 * one field, the end is derived from the text (always the exact source slice), and punctuation
 * and keywords reuse their kind as their text.
 */
export class Token extends TokenFlags {
  constructor(
    readonly kind: TokenKind,
    /** Source text of the token. */
    readonly text: string,
    /** Decoded value for `string` and `template` tokens; the error message for `illegal` tokens. */
    readonly value: string,
    readonly line: number,
    readonly column: number,
    readonly offset: number,
    protected readonly flags: number,
  ) {
    super();
  }

  get endOffset(): number {
    return this.offset + this.text.length;
  }
}

export const KEYWORDS: ReadonlySet<string> = new Set<KeywordKind>([
  'package',
  'import',
  'as',
  'default',
  'else',
  'not',
  'with',
  'some',
  'every',
  'in',
  'if',
  'contains',
  'true',
  'false',
  'null',
]);

/** Kinds whose text is always the kind itself. */
const PLAIN_KINDS: ReadonlySet<TokenKind> = new Set<TokenKind>([
  ...(KEYWORDS as ReadonlySet<TokenKind>),
  ...([':=', '=', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '|', '&', '.', ',', ';', ':', '[', ']', '{', '}', '(', ')'] as const),
]);

/** Kind codes of the token table: the index of the kind in this list. */
const KIND_LIST: readonly TokenKind[] = ['ident', 'number', 'string', 'template', 'eof', 'illegal', ...PLAIN_KINDS];
const KIND_CODE: ReadonlyMap<TokenKind, number> = new Map(KIND_LIST.map((k, i) => [k, i]));
const IDENT_CODE = 0;
/** Codes from here on are punctuation and keywords, whose text is their kind. */
const FIRST_PLAIN_CODE = 6;

/**
 * The tokens of a source text in typed arrays: kind, start and end offsets, line, column and
 * flags per token, plus the decoded values of string, template and illegal tokens. A large module
 * has hundreds of thousands of tokens, alive for the whole parse; as objects they were a quarter
 * of what a compilation allocates and the garbage collector copies. The parser asks for a `Token`
 * object at the position it reads (`token(i)`), which dies young.
 */
export class TokenTable {
  private kinds: Uint8Array;
  private starts: Int32Array;
  private ends: Int32Array;
  private lines: Int32Array;
  private columns: Int32Array;
  private flags: Uint8Array;
  private readonly values = new Map<number, string>();
  /** Names and strings repeat (input, step, "Octopus.Manual"): each distinct long text flattened once. */
  private readonly flattened = new Map<string, string>();
  count = 0;

  constructor(readonly src: string) {
    // About one token per four characters of source; grown by doubling when that is not enough.
    const capacity = (src.length >> 2) + 16;
    this.kinds = new Uint8Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.lines = new Int32Array(capacity);
    this.columns = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
  }

  add(kind: TokenKind, start: number, end: number, line: number, column: number, value: string, flags: number): void {
    if (this.count === this.kinds.length) this.grow();
    const i = this.count++;
    this.kinds[i] = KIND_CODE.get(kind)!;
    this.starts[i] = start;
    this.ends[i] = end;
    this.lines[i] = line;
    this.columns[i] = column;
    this.flags[i] = flags;
    if (value !== '') this.values.set(i, this.intern(value));
  }

  private grow(): void {
    const n = this.kinds.length * 2;
    const more = <T extends Uint8Array | Int32Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.kinds = more(this.kinds, new Uint8Array(n));
    this.starts = more(this.starts, new Int32Array(n));
    this.ends = more(this.ends, new Int32Array(n));
    this.lines = more(this.lines, new Int32Array(n));
    this.columns = more(this.columns, new Int32Array(n));
    this.flags = more(this.flags, new Uint8Array(n));
  }

  /**
   * A flat, internalised copy of a text of 13 characters or more: V8 copies shorter slices, so only
   * longer texts are views into the source (see `flat`).
   */
  private intern(text: string): string {
    if (text.length < 13) return text;
    let f = this.flattened.get(text);
    if (f === undefined) this.flattened.set(text, (f = flat(text)));
    return f;
  }

  kind(i: number): TokenKind {
    return KIND_LIST[this.kinds[i]!]!;
  }

  end(i: number): number {
    return this.ends[i]!;
  }

  /** The token at `i` as an object (`i` < count). */
  token(i: number): Token {
    return new Token(KIND_LIST[this.kinds[i]!]!, this.text(i), this.value(i), this.lines[i]!, this.columns[i]!, this.starts[i]!, this.flags[i]!);
  }

  /** The source text of token `i`. */
  text(i: number): string {
    const code = this.kinds[i]!;
    // Punctuation and keywords are their own text: no slice of the source for them.
    if (code >= FIRST_PLAIN_CODE) return KIND_LIST[code]!;
    const start = this.starts[i]!;
    const end = this.ends[i]!;
    // The root documents' names, in most literals of a long body: no copy of them per occurrence.
    if (code === IDENT_CODE && (end - start === 5 || end - start === 4)) {
      if (this.src.startsWith('input', start) && end - start === 5) return 'input';
      if (this.src.startsWith('data', start) && end - start === 4) return 'data';
    }
    const text = this.src.slice(start, end);
    return code === IDENT_CODE ? this.intern(text) : text;
  }

  /** The decoded value of token `i` (string, template and illegal tokens; '' for the others). */
  value(i: number): string {
    return this.values.get(i) ?? '';
  }

  line(i: number): number {
    return this.lines[i]!;
  }

  column(i: number): number {
    return this.columns[i]!;
  }

  start(i: number): number {
    return this.starts[i]!;
  }

  flagsOf(i: number): number {
    return this.flags[i]!;
  }

  /** Where each token starts: offsets, lines and columns (read by a syntax tree's nodes after the parse). */
  positionArrays(): [Int32Array, Int32Array, Int32Array] {
    return [this.starts, this.lines, this.columns];
  }
}

/**
 * The parser's current token: one object moved along the table (`moveTo`), so stepping to the
 * next token allocates nothing. A parse of a large module steps hundreds of thousands of times,
 * and a token object per step was a tenth of a cold compile's time (allocation and collection).
 * Holding it across a step reads the new token: the parser keeps positions (`Parser.pos`)
 * instead, and reads positions from the table (so the cursor has none, and is no `Location`).
 * Its text and value are read from the table when asked for.
 */
export class TokenCursor extends TokenFlags {
  kind: TokenKind = 'eof';
  protected flags = 0;
  private row = 0;

  constructor(private readonly table: TokenTable) {
    super();
  }

  moveTo(i: number): void {
    this.row = i;
    this.kind = this.table.kind(i);
    this.flags = this.table.flagsOf(i);
  }

  /** Source text of the token. */
  get text(): string {
    return this.table.text(this.row);
  }
  /** Decoded value for `string` and `template` tokens; the error message for `illegal` tokens. */
  get value(): string {
    return this.table.value(this.row);
  }
}

const enum C {
  TAB = 9,
  LF = 10,
  CR = 13,
  SPACE = 32,
  BANG = 33,
  DQUOTE = 34,
  HASH = 35,
  DOLLAR = 36,
  PERCENT = 37,
  AMP = 38,
  LPAREN = 40,
  RPAREN = 41,
  STAR = 42,
  PLUS = 43,
  COMMA = 44,
  MINUS = 45,
  DOT = 46,
  SLASH = 47,
  D0 = 48,
  D9 = 57,
  COLON = 58,
  SEMI = 59,
  LT = 60,
  EQ = 61,
  GT = 62,
  UA = 65,
  UE = 69,
  UZ = 90,
  LBRACK = 91,
  BACKSLASH = 92,
  RBRACK = 93,
  UNDERSCORE = 95,
  BACKTICK = 96,
  LA = 97,
  LB = 98,
  LE = 101,
  LF_ = 102,
  LN = 110,
  LR = 114,
  LT_ = 116,
  LU = 117,
  LZ = 122,
  LBRACE = 123,
  PIPE = 124,
  RBRACE = 125,
  BOM = 0xfeff,
}

/** Keywords by their first letter (index 0 is `a`). */
const KEYWORDS_BY_LETTER: ReadonlyArray<readonly KeywordKind[] | undefined> = (() => {
  const byLetter: KeywordKind[][] = [];
  for (const k of KEYWORDS as ReadonlySet<KeywordKind>) (byLetter[k.charCodeAt(0) - C.LA] ??= []).push(k);
  return byLetter;
})();

/** The keyword `src[start, start + length)` spells, if any (without slicing the word out). */
function keywordAt(src: string, start: number, length: number): KeywordKind | undefined {
  const candidates = KEYWORDS_BY_LETTER[src.charCodeAt(start) - C.LA];
  if (candidates === undefined) return undefined;
  for (const k of candidates) if (k.length === length && src.startsWith(k, start)) return k;
  return undefined;
}

function isLetter(c: number): boolean {
  return (c >= C.LA && c <= C.LZ) || (c >= C.UA && c <= C.UZ) || c === C.UNDERSCORE;
}
function isDigit(c: number): boolean {
  return c >= C.D0 && c <= C.D9;
}
function hexValue(c: number): number {
  if (c >= C.D0 && c <= C.D9) return c - C.D0;
  if (c >= C.LA && c <= 102) return c - C.LA + 10;
  if (c >= C.UA && c <= 70) return c - C.UA + 10;
  return -1;
}

const SINGLE_PUNCT: Record<number, PunctKind> = {
  [C.LBRACK]: '[',
  [C.RBRACK]: ']',
  [C.LPAREN]: '(',
  [C.RPAREN]: ')',
  [C.COMMA]: ',',
  [C.SEMI]: ';',
  [C.DOT]: '.',
  [C.PLUS]: '+',
  [C.MINUS]: '-',
  [C.STAR]: '*',
  [C.SLASH]: '/',
  [C.PERCENT]: '%',
  [C.AMP]: '&',
  [C.PIPE]: '|',
};

interface TemplateFrame {
  raw: boolean;
  /** `{` opened inside the current template expression and not yet closed. */
  depth: number;
}

/** Result of decoding the body of a double-quoted string or template piece. */
interface Decoded {
  value: string;
  error?: string;
}

/**
 * Decodes JSON escapes in `src[start, end)`. `braceEscape` additionally accepts `\{` (template
 * strings). Lone surrogates become U+FFFD, as Go's encoding/json does in OPA.
 */
function decodeEscapes(src: string, start: number, end: number, braceEscape: boolean): Decoded {
  let out = '';
  let chunk = start;
  let i = start;
  let surrogates = false;
  while (i < end) {
    const c = src.charCodeAt(i);
    if (c !== C.BACKSLASH) {
      i++;
      continue;
    }
    out += src.slice(chunk, i);
    const e = src.charCodeAt(i + 1);
    i += 2;
    switch (e) {
      case C.DQUOTE:
        out += '"';
        break;
      case C.BACKSLASH:
        out += '\\';
        break;
      case C.SLASH:
        out += '/';
        break;
      case C.LB:
        out += '\b';
        break;
      case C.LF_:
        out += '\f';
        break;
      case C.LN:
        out += '\n';
        break;
      case C.LR:
        out += '\r';
        break;
      case C.LT_:
        out += '\t';
        break;
      case C.LBRACE:
        if (!braceEscape) return { value: out, error: 'illegal escape sequence' };
        out += '{';
        break;
      case C.LU: {
        let code = 0;
        for (let k = 0; k < 4; k++) {
          const h = i + k < end ? hexValue(src.charCodeAt(i + k)) : -1;
          if (h < 0) return { value: out, error: 'illegal string literal: invalid \\u escape' };
          code = code * 16 + h;
        }
        i += 4;
        if (code >= 0xd800 && code <= 0xdfff) surrogates = true;
        out += String.fromCharCode(code);
        break;
      }
      default:
        return { value: out, error: 'illegal escape sequence' };
    }
    chunk = i;
  }
  out += src.slice(chunk, end);
  return { value: surrogates ? replaceLoneSurrogates(out) : out };
}

function replaceLoneSurrogates(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else {
        out += '\ufffd';
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      out += '\ufffd';
    } else {
      out += s[i];
    }
  }
  return out;
}

/**
 * A flat, internalised copy of `s`. Token texts are slices of the source, which V8 keeps as
 * views into it; names and string constants compared on every evaluation step (`x.kind ==
 * "Octopus.Manual"`) compare ~2× faster as flat strings, and as property keys they stay fast.
 */
function flat(s: string): string {
  const o: Record<string, 0> = { [s]: 0 };
  for (const k in o) return k;
  return s;
}

/** Tokenizes Rego source. Always ends with exactly one `eof` token. Never throws. */
export function tokenize(src: string): Token[] {
  const table = scan(src);
  const tokens: Token[] = new Array<Token>(table.count);
  for (let i = 0; i < table.count; i++) tokens[i] = table.token(i);
  return tokens;
}

/**
 * Where the scan is, for a template-string piece (scanTemplatePiece), which moves it: the scan
 * itself keeps these in local variables, so that no closure captures them (a captured variable
 * lives in a heap context, read and written there at every character).
 */
interface ScanPosition {
  i: number;
  line: number;
  lineStart: number;
}

/** Tokenizes Rego source into a table. Always ends with exactly one `eof` token. Never throws. */
export function scan(src: string): TokenTable {
  const tokens = new TokenTable(src);
  const n = src.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  /** WS_BEFORE and NL_BEFORE for the next token: what separates it from the previous one. */
  let pending = 0;
  const templates: TemplateFrame[] = [];
  const at: ScanPosition = { i: 0, line: 1, lineStart: 0 };

  if (n > 0 && src.charCodeAt(0) === C.BOM) {
    i = 1;
    lineStart = 1;
  }

  while (i < n) {
    const c = src.charCodeAt(i);
    // Whitespace.
    if (c === C.SPACE || c === C.TAB || c === C.CR) {
      i++;
      pending |= WS_BEFORE;
      continue;
    }
    if (c === C.LF) {
      i++;
      line++;
      lineStart = i;
      pending = WS_BEFORE | NL_BEFORE;
      continue;
    }
    if (c === C.HASH) {
      while (i < n && src.charCodeAt(i) !== C.LF) i++;
      pending |= WS_BEFORE;
      continue;
    }
    const start = i;
    const col = i - lineStart + 1;
    const startLine = line;
    // Each pass from here on adds one token (a `}` ending a template expression, then the template
    // text after it, which follows the `}` directly).
    const flags = pending;
    pending = 0;

    if (isLetter(c)) {
      i++;
      while (i < n) {
        const d = src.charCodeAt(i);
        if (isLetter(d) || isDigit(d)) i++;
        else break;
      }
      tokens.add(keywordAt(src, start, i - start) ?? 'ident', start, i, startLine, col, '', flags);
      continue;
    }

    if (isDigit(c)) {
      let error: string | undefined;
      while (i < n && isDigit(src.charCodeAt(i))) i++;
      if (i < n && src.charCodeAt(i) === C.DOT) {
        i++;
        const fracStart = i;
        while (i < n && isDigit(src.charCodeAt(i))) i++;
        if (i === fracStart) error = 'expected fraction';
      }
      if (i < n && (src.charCodeAt(i) === C.LE || src.charCodeAt(i) === C.UE)) {
        i++;
        if (i < n && (src.charCodeAt(i) === C.PLUS || src.charCodeAt(i) === C.MINUS)) i++;
        const expStart = i;
        while (i < n && isDigit(src.charCodeAt(i))) i++;
        if (i === expStart) error ??= 'expected exponent';
      }
      if (i < n && isLetter(src.charCodeAt(i))) {
        error ??= 'illegal number format';
        while (i < n && (isLetter(src.charCodeAt(i)) || isDigit(src.charCodeAt(i)))) i++;
      }
      if (error !== undefined) tokens.add('illegal', start, i, startLine, col, error, flags);
      else tokens.add('number', start, i, startLine, col, '', flags);
      continue;
    }

    if (c === C.DQUOTE) {
      i++;
      let error: string | undefined;
      let hasEscape = false;
      for (;;) {
        if (i >= n || src.charCodeAt(i) === C.LF) {
          if (i > n) i = n; // an escape at the very end skipped past it
          error = 'non-terminated string';
          break;
        }
        const d = src.charCodeAt(i);
        if (d === C.DQUOTE) {
          i++;
          break;
        }
        if (d === C.BACKSLASH) {
          hasEscape = true;
          i += src.charCodeAt(i + 1) === C.LF ? 1 : 2;
          continue;
        }
        i++;
      }
      if (error !== undefined) {
        tokens.add('illegal', start, i, startLine, col, error, flags);
        continue;
      }
      if (!hasEscape) {
        tokens.add('string', start, i, startLine, col, src.slice(start + 1, i - 1), flags);
        continue;
      }
      const d = decodeEscapes(src, start + 1, i - 1, false);
      if (d.error !== undefined) tokens.add('illegal', start, i, startLine, col, d.error, flags);
      else tokens.add('string', start, i, startLine, col, d.value, flags);
      continue;
    }

    if (c === C.BACKTICK) {
      i++;
      while (i < n && src.charCodeAt(i) !== C.BACKTICK) {
        if (src.charCodeAt(i) === C.LF) {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      if (i >= n) {
        tokens.add('illegal', start, i, startLine, col, 'non-terminated string', flags);
        continue;
      }
      i++;
      tokens.add('string', start, i, startLine, col, src.slice(start + 1, i - 1), flags | RAW);
      continue;
    }

    if (c === C.DOLLAR) {
      const q = src.charCodeAt(i + 1);
      if (q === C.DQUOTE || q === C.BACKTICK) {
        const raw = q === C.BACKTICK;
        templates.push({ raw, depth: 0 });
        at.i = i + 2;
        at.line = line;
        at.lineStart = lineStart;
        scanTemplatePiece(src, tokens, templates, at, raw, start, startLine, col, flags);
        ({ i, line, lineStart } = at);
        continue;
      }
      i++;
      tokens.add('illegal', start, i, startLine, col, 'illegal $ character', flags);
      continue;
    }

    if (c === C.LBRACE) {
      i++;
      if (templates.length > 0) templates[templates.length - 1]!.depth++;
      tokens.add('{', start, i, startLine, col, '', flags);
      continue;
    }
    if (c === C.RBRACE) {
      i++;
      tokens.add('}', start, i, startLine, col, '', flags);
      const top = templates.length > 0 ? templates[templates.length - 1]! : undefined;
      if (top !== undefined) {
        if (top.depth === 0) {
          // This `}` closes a template expression: the template text continues right after it.
          at.i = i;
          at.line = line;
          at.lineStart = lineStart;
          scanTemplatePiece(src, tokens, templates, at, top.raw, i, line, i - lineStart + 1, 0);
          ({ i, line, lineStart } = at);
        } else {
          top.depth--;
        }
      }
      continue;
    }

    const next = i + 1 < n ? src.charCodeAt(i + 1) : -1;
    switch (c) {
      case C.COLON:
        i += next === C.EQ ? 2 : 1;
        tokens.add(next === C.EQ ? ':=' : ':', start, i, startLine, col, '', flags);
        continue;
      case C.EQ:
        i += next === C.EQ ? 2 : 1;
        tokens.add(next === C.EQ ? '==' : '=', start, i, startLine, col, '', flags);
        continue;
      case C.LT:
        i += next === C.EQ ? 2 : 1;
        tokens.add(next === C.EQ ? '<=' : '<', start, i, startLine, col, '', flags);
        continue;
      case C.GT:
        i += next === C.EQ ? 2 : 1;
        tokens.add(next === C.EQ ? '>=' : '>', start, i, startLine, col, '', flags);
        continue;
      case C.BANG:
        if (next === C.EQ) {
          i += 2;
          tokens.add('!=', start, i, startLine, col, '', flags);
        } else {
          i++;
          tokens.add('illegal', start, i, startLine, col, 'illegal ! character', flags);
        }
        continue;
    }
    const punct = SINGLE_PUNCT[c];
    if (punct !== undefined) {
      i++;
      tokens.add(punct, start, i, startLine, col, '', flags);
      continue;
    }
    // Anything else (non-ASCII outside strings, control characters) is illegal. Keep a surrogate
    // pair together so the token text stays well-formed.
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < n ? 2 : 1;
    tokens.add('illegal', start, i, startLine, col, c === 0 ? 'illegal null character' : c === C.BOM ? 'illegal byte-order mark' : 'illegal token', flags);
  }

  tokens.add('eof', i, i, line, i - lineStart + 1, '', pending);
  return tokens;
}

/**
 * Scans a template-string piece starting at `at.i` (just after `$"`, `` $` `` or the `}` closing
 * an expression) up to and including `{` or the closing quote, moving `at` past it. `flags`: what
 * separates the template from the token before it.
 */
function scanTemplatePiece(
  src: string,
  tokens: TokenTable,
  templates: TemplateFrame[],
  at: ScanPosition,
  raw: boolean,
  start: number,
  startLine: number,
  startCol: number,
  flags: number,
): void {
  const n = src.length;
  let i = at.i;
  const contentStart = i;
  const quote = raw ? C.BACKTICK : C.DQUOTE;
  for (;;) {
    if (i >= n || (!raw && src.charCodeAt(i) === C.LF)) {
      if (i > n) i = n; // an escape at the very end skipped past it
      tokens.add('illegal', start, i, startLine, startCol, 'non-terminated string', flags);
      templates.pop();
      at.i = i;
      return;
    }
    const c = src.charCodeAt(i);
    if (c === C.BACKSLASH) {
      const e = src.charCodeAt(i + 1);
      if (raw) {
        i += e === C.LBRACE ? 2 : 1;
        continue;
      }
      if (e === C.LF || i + 1 >= n) {
        i++;
        continue;
      }
      i += 2;
      continue;
    }
    if (c === C.LF) {
      at.line++;
      at.lineStart = i + 1;
    }
    if (c === quote || c === C.LBRACE) {
      const end = c === quote;
      let value: string;
      if (raw) {
        value = removeBraceEscapes(src.slice(contentStart, i));
      } else {
        const d = decodeEscapes(src, contentStart, i, true);
        if (d.error !== undefined) {
          i++;
          tokens.add('illegal', start, i, startLine, startCol, d.error, flags);
          templates.pop();
          at.i = i;
          return;
        }
        value = d.value;
      }
      i++;
      tokens.add('template', start, i, startLine, startCol, value, flags | (raw ? RAW : 0) | (end ? TEMPLATE_END : 0));
      if (end) templates.pop();
      at.i = i;
      return;
    }
    i++;
  }
}

function removeBraceEscapes(s: string): string {
  return s.indexOf('\\{') < 0 ? s : s.split('\\{').join('{');
}
