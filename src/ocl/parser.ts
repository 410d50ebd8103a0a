/**
 * OCL parser: a hand-driven recursive-descent parser over the token stream of lexer.ts,
 * accepting exactly what Octopus's .NET parser (OctopusDeploy/Ocl, Sprache) accepts, and turning every
 * deviation into a positioned Diagnostic instead of throwing. Errors are recovered at the next line or
 * the next `}` so that one run reports every independent problem.
 *
 * Block nesting recurses, bounded by `maxDepth`; anything deeper is skipped iteratively, so hostile
 * input (100,000 nested blocks) yields one diagnostic and no stack overflow.
 */
import type { Diagnostic, Position, Range, RelatedInformation } from '../diagnostics.js';
import type {
  OclArray,
  OclArrayItem,
  OclAttribute,
  OclBlock,
  OclDocument,
  OclElement,
  OclHeredoc,
  OclLabel,
  OclLiteral,
  OclMap,
  OclMapEntry,
  OclString,
  OclValue,
} from './ast.js';
import { CHAR_BOM, CHAR_CR, isAsciiDigit, isNameChar } from './chars.js';
import { OclCodes, type OclCode } from './codes.js';
import { heredocValue, type HeredocMode } from './heredoc.js';
import { Kind, lexOcl, type HeredocScan, type StringScan, type Token } from './lexer.js';

export interface ParseOclOptions {
  /** File name put on every diagnostic. */
  file?: string;
  /** How `<<-` heredocs are unindented; `legacy` for files whose schema_version is below 6. */
  heredocMode?: HeredocMode;
  /** Maximum block nesting (default 200, at most 1000) before the parser reports and skips. */
  maxDepth?: number;
}

export interface ParseOclResult {
  document: OclDocument;
  diagnostics: Diagnostic[];
}

export const DEFAULT_MAX_DEPTH = 200;
const MAX_MAX_DEPTH = 1000;

/** .NET `int.Parse` of the digits, then negated: so -2147483648 overflows too. */
const INT_MAX_DIGITS = '2147483647';
/** .NET `decimal.MaxValue`. */
const DECIMAL_MAX_DIGITS = '79228162514264337593543950335';

/**
 * Parses OCL text. Never throws on any input: problems are returned as diagnostics (codes in
 * codes.ts) and the document holds what could be parsed. Positions are relative to the text with its
 * byte-order mark removed (as editors show it).
 */
export function parseOcl(text: string, options: ParseOclOptions = {}): ParseOclResult {
  const bom = text.charCodeAt(0) === CHAR_BOM;
  const source = bom ? text.slice(1) : text;
  const parsed = parseSource(source, options);
  return { document: makeDocument(source, bom, parsed.body, parsed.range), diagnostics: parsed.diagnostics };
}

/** The document node of a parsed source. */
export function makeDocument(source: string, bom: boolean, body: OclElement[], range: Range): OclDocument {
  const firstNewline = source.indexOf('\n');
  return {
    type: 'document',
    body,
    lineEnding: firstNewline > 0 && source.charCodeAt(firstNewline - 1) === CHAR_CR ? '\r\n' : '\n',
    finalNewline: source.endsWith('\n'),
    bom,
    range,
  };
}

/**
 * A place between top-level elements where parsing can start afresh (incremental.ts): the start of the
 * line after a top-level block's closing `}`. The lexer is in its initial state there, the parser is
 * at the top level, and nothing parsed before it looked at any token after it.
 */
export interface ResumePoint {
  offset: number;
  /** 1-based line that starts at `offset`. */
  line: number;
  /** How many top-level elements lie before `offset`. */
  elements: number;
}

export interface SourceParse {
  body: OclElement[];
  /** Sorted by start offset (stable: construct order at the same offset). */
  diagnostics: Diagnostic[];
  /** The range of the whole source. */
  range: Range;
  /** Only when asked for. */
  resumePoints?: ResumePoint[];
  /**
   * Offsets of heredocs whose start line has text after the tag and whose end-tag search ran to the end
   * of the text without a match (only when resume points are asked for): the text after them decides
   * their extent, so no parse may start after one of them and keep it.
   */
  openEnded?: number[];
}

/** Parses a source without byte-order mark; with `resumePoints`, also where a later parse may restart. */
export function parseSource(source: string, options: ParseOclOptions, resumePoints = false): SourceParse {
  const parser = new OclParser(source, options);
  const points: ResumePoint[] | undefined = resumePoints ? [] : undefined;
  const body = parser.parseDocument(points);
  const range = parser.range(0, source.length);
  // Stable sort: source order, and construct order for diagnostics at the same offset.
  const diagnostics = parser.diagnostics.sort((a, b) => a.range!.start.offset - b.range!.start.offset);
  const out: SourceParse = { body, diagnostics, range };
  if (points) {
    out.resumePoints = points;
    out.openEnded = parser.openEndedHeredocs();
  }
  return out;
}

/** Maps offsets to line/column, fast for the mostly-increasing offsets a parse asks for. */
class Locator {
  private readonly lineStarts: number[] = [0];
  private hint = 0;

  constructor(text: string) {
    let p = text.indexOf('\n');
    while (p >= 0) {
      this.lineStarts.push(p + 1);
      p = text.indexOf('\n', p + 1);
    }
  }

  position(offset: number): Position {
    const starts = this.lineStarts;
    const count = starts.length;
    let line = this.hint;
    if (offset >= starts[line]!) {
      if (line + 1 < count && offset >= starts[line + 1]!) {
        line++;
        if (line + 1 < count && offset >= starts[line + 1]!) line = this.search(offset, line + 1, count - 1);
      }
    } else {
      line = this.search(offset, 0, line - 1);
    }
    this.hint = line;
    return { line: line + 1, column: offset - starts[line]! + 1, offset };
  }

  private search(offset: number, lo: number, hi: number): number {
    const starts = this.lineStarts;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

function isOpenKind(kind: number): boolean {
  return kind === Kind.LBrace || kind === Kind.MapOpen || kind === Kind.LBracket;
}
function isCloseKind(kind: number): boolean {
  return kind === Kind.RBrace || kind === Kind.MapClose || kind === Kind.RBracket || kind === Kind.ArrayAbort;
}

function isCommentLike(image: string): boolean {
  return image.startsWith('#') || image.startsWith('//') || image.startsWith('/*');
}

function describe(token: Token | undefined, kind: number): string {
  if (!token || kind === Kind.EOF) return 'end of file';
  if (kind === Kind.Newline) return 'a newline';
  if (kind === Kind.Heredoc) return 'a heredoc';
  if (kind === Kind.ArrayAbort) return "'}'";
  const image = token.image.length > 40 ? `${token.image.slice(0, 37)}...` : token.image;
  return `'${image}'`;
}

/** Compares two unsigned digit strings without leading zeros. */
function digitsGreater(digits: string, max: string): boolean {
  return digits.length !== max.length ? digits.length > max.length : digits > max;
}

function stripLeadingZeros(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 48) i++;
  return digits.slice(i);
}

/** The five escapes OCL strings support. */
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"' };

type WordValue =
  | { kind: 'ok'; value: OclLiteral }
  | { kind: 'error'; code: OclCode; summary: string; detail?: string };

class OclParser {
  readonly diagnostics: Diagnostic[] = [];
  private readonly tokens: Token[];
  private readonly kinds: Uint8Array;
  private readonly locator: Locator;
  private readonly heredocMode: HeredocMode;
  private readonly maxDepth: number;
  private readonly file: string | undefined;
  private pos = 0;
  private reportedUnclosedAtEnd = false;

  constructor(
    private readonly text: string,
    options: ParseOclOptions,
  ) {
    const lexed = lexOcl(text);
    this.tokens = lexed.tokens;
    this.kinds = lexed.kinds;
    this.locator = new Locator(text);
    this.heredocMode = options.heredocMode ?? 'current';
    const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    const depth = Number.isFinite(maxDepth) ? Math.floor(maxDepth) : DEFAULT_MAX_DEPTH;
    this.maxDepth = Math.max(1, Math.min(MAX_MAX_DEPTH, depth));
    this.file = options.file;
    for (const error of lexed.errors) {
      const end = error.offset + error.length;
      this.error(OclCodes.unexpectedCharacter, error.offset, end, `unexpected character '${text.slice(error.offset, end)}'`);
    }
  }

  // ---- positions and diagnostics ------------------------------------------------------------

  range(start: number, end: number): Range {
    const startPos = this.locator.position(start);
    return { start: startPos, end: end === start ? startPos : this.locator.position(end) };
  }

  private tokenRange(token: Token): Range {
    return this.range(token.startOffset, token.startOffset + token.image.length);
  }

  private end(token: Token): number {
    return token.startOffset + token.image.length;
  }

  private error(
    code: OclCode,
    start: number,
    end: number,
    summary: string,
    detail?: string,
    related?: RelatedInformation[],
  ): void {
    const diagnostic: Diagnostic = { severity: 'error', code, summary, range: this.range(start, end) };
    if (detail !== undefined) diagnostic.detail = detail;
    if (this.file !== undefined) diagnostic.file = this.file;
    if (related !== undefined) diagnostic.related = related;
    this.diagnostics.push(diagnostic);
  }

  private tokenError(code: OclCode, token: Token, summary: string, detail?: string): void {
    this.error(code, token.startOffset, this.end(token), summary, detail);
  }

  /** Reports at the token, or at the end of the text when the parser has run out of tokens. */
  private errorAtCurrent(code: OclCode, summary: string, detail?: string): void {
    const token = this.tokens[this.pos];
    if (token) this.tokenError(code, token, summary, detail);
    else this.error(code, this.text.length, this.text.length, summary, detail);
  }

  // ---- token cursor -------------------------------------------------------------------------

  private k(): number {
    return this.kinds[this.pos]!;
  }

  private get token(): Token {
    return this.tokens[this.pos]!;
  }

  private peekKind(ahead: number): number {
    const index = this.pos + ahead;
    return index < this.tokens.length ? this.kinds[index]! : Kind.EOF;
  }

  /** Skips newline tokens; returns whether any were skipped. */
  private skipNewlines(): boolean {
    const start = this.pos;
    while (this.kinds[this.pos] === Kind.Newline) this.pos++;
    return this.pos !== start;
  }

  /** Skips a bracketed construct starting at the current open token, iteratively. */
  private skipBalanced(): number {
    let depth = 0;
    let end = this.token.startOffset;
    while (this.k() !== Kind.EOF) {
      const kind = this.k();
      end = this.end(this.token);
      this.pos++;
      if (isOpenKind(kind)) depth++;
      else if (isCloseKind(kind) && --depth <= 0) break;
    }
    return end;
  }

  /** Error recovery: skips to the end of the line (or to a `}` closing the enclosing construct). */
  private skipLine(): void {
    while (this.k() !== Kind.EOF && this.k() !== Kind.Newline) {
      if (isCloseKind(this.k())) return;
      if (isOpenKind(this.k())) this.skipBalanced();
      else this.pos++;
    }
  }

  // ---- document and bodies ------------------------------------------------------------------

  parseDocument(resumePoints?: ResumePoint[]): OclElement[] {
    const body: OclElement[] = [];
    for (;;) {
      this.skipNewlines();
      const kind = this.k();
      if (kind === Kind.EOF) return body;
      if (kind === Kind.RBrace || kind === Kind.MapClose) {
        this.tokenError(OclCodes.unmatchedBrace, this.token, "unexpected '}': there is no open block to close");
        this.pos++;
        continue;
      }
      const element = this.parseElement(0);
      if (!element) continue;
      body.push(element);
      if (resumePoints && element.type === 'block') this.recordResumePoint(element, body.length, resumePoints);
    }
  }

  /**
   * After a top-level block closed by an element-mode `}` (so the lexer is in its initial mode) and
   * followed by a newline token, the next line starts afresh: see ResumePoint.
   */
  private recordResumePoint(block: OclBlock, elements: number, points: ResumePoint[]): void {
    const close = this.tokens[this.pos - 1];
    if (!close || this.kinds[this.pos - 1] !== Kind.RBrace || this.kinds[this.pos] !== Kind.Newline) return;
    if (this.end(close) !== block.range.end.offset) return;
    const offset = this.tokens[this.pos]!.startOffset + 1;
    points.push({ offset, line: this.locator.position(offset).line, elements });
  }

  openEndedHeredocs(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.tokens.length; i++) {
      if (this.kinds[i] !== Kind.Heredoc) continue;
      const scan = this.tokens[i]!.payload as HeredocScan;
      if (scan.junkStart >= 0 && scan.endTagStart < 0) out.push(this.tokens[i]!.startOffset);
    }
    return out;
  }

  /** Parses a block body's elements up to (not including) its `}`. */
  private parseBody(depth: number, open: Token): OclElement[] {
    const body: OclElement[] = [];
    for (;;) {
      this.skipNewlines();
      const kind = this.k();
      if (kind === Kind.RBrace || kind === Kind.MapClose) return body;
      if (kind === Kind.EOF) {
        // Every enclosing block is unclosed too; one diagnostic (the innermost) says it all.
        if (!this.reportedUnclosedAtEnd) {
          this.tokenError(OclCodes.unclosedBlock, open, "unclosed block: missing '}' for this '{'");
          this.reportedUnclosedAtEnd = true;
        }
        return body;
      }
      const element = this.parseElement(depth);
      if (element) body.push(element);
    }
  }

  private parseElement(depth: number): OclElement | null {
    const token = this.token;
    const kind = this.k();
    if (kind === Kind.Word) return this.parseNamedElement(depth);
    if (kind === Kind.Comment || (kind === Kind.Garbage && isCommentLike(token.image))) {
      this.reportComment(token);
      this.pos++;
      if (kind === Kind.Garbage) this.skipLine();
      return null;
    }
    if (kind === Kind.String) {
      this.tokenError(
        OclCodes.invalidName,
        token,
        'names must not be quoted',
        'Block and attribute names are bare words of letters, digits and _.',
      );
    } else if (kind === Kind.LBrace) {
      this.tokenError(OclCodes.unexpectedToken, token, "expected a block or attribute name before '{'");
    } else {
      this.tokenError(OclCodes.unexpectedToken, token, `expected a block or attribute name, found ${describe(token, kind)}`);
    }
    if (isOpenKind(kind)) this.skipBalanced();
    else this.pos++;
    this.skipLine();
    return null;
  }

  private reportComment(token: Token): void {
    this.tokenError(
      OclCodes.comment,
      token,
      'comments are not part of OCL: Octopus Server will reject this file',
      'OCL has no comment syntax (#, // and /* */ are all errors); remove the comment.',
    );
  }

  /** Validates a name; reports once and returns the name as written either way. */
  private checkName(token: Token): void {
    const name = token.image;
    let valid = true;
    for (let i = 0; i < name.length; i++) {
      if (!isNameChar(name.charCodeAt(i))) {
        valid = false;
        break;
      }
    }
    if (valid) return;
    const suggestion = name.replace(/[^\p{L}\p{Nd}_]/gu, '_');
    if (name.includes('-')) {
      this.tokenError(OclCodes.invalidName, token, `hyphens are not allowed in names; did you mean ${suggestion}?`);
    } else {
      this.tokenError(
        OclCodes.invalidName,
        token,
        `invalid name '${name}': names may contain only letters, digits and _; did you mean ${suggestion}?`,
      );
    }
  }

  private parseNamedElement(depth: number): OclElement | null {
    const nameToken = this.token;
    this.checkName(nameToken);
    // Positions are computed in source order: the locator is O(1) for forward steps.
    const nameRange = this.tokenRange(nameToken);
    this.pos++;
    const kind = this.k();
    if (kind === Kind.Equals) return this.parseAttribute(nameToken, nameRange);
    if (kind === Kind.String || kind === Kind.LBrace) return this.parseBlock(nameToken, nameRange, depth);
    if ((kind === Kind.Word || kind === Kind.Garbage) && this.braceLaterOnLine()) {
      // `blk foo {` or `variable "x": {`: a block header with a bad part; parse the block anyway.
      return this.parseBlock(nameToken, nameRange, depth);
    }
    if (kind === Kind.Newline) {
      const save = this.pos;
      this.skipNewlines();
      const next = this.k();
      if (next === Kind.LBrace) return this.parseBlock(nameToken, nameRange, depth);
      if (next === Kind.Equals) {
        this.tokenError(OclCodes.unexpectedNewline, this.token, `the attribute name '${nameToken.image}' and '=' must be on the same line`);
        return this.parseAttribute(nameToken, nameRange);
      }
      if (next === Kind.String) {
        this.tokenError(OclCodes.unexpectedNewline, this.token, `block labels must be on the same line as the block name '${nameToken.image}'`);
        return this.parseBlock(nameToken, nameRange, depth);
      }
      this.pos = save;
      this.tokenError(OclCodes.expectedEqualsOrBody, nameToken, `expected '=' or '{' after '${nameToken.image}'`);
      return null;
    }
    if (kind === Kind.Comment) {
      this.tokenError(OclCodes.expectedEqualsOrBody, nameToken, `expected '=' or '{' after '${nameToken.image}'`);
      return null;
    }
    const found = describe(this.tokens[this.pos], kind);
    this.errorAtCurrent(OclCodes.expectedEqualsOrBody, `expected '=' or '{' after '${nameToken.image}', found ${found}`);
    this.skipLine();
    return null;
  }

  /** Whether a `{` comes later on the current line (before the next newline). */
  private braceLaterOnLine(): boolean {
    for (let i = this.pos; i < this.tokens.length; i++) {
      const kind = this.kinds[i]!;
      if (kind === Kind.LBrace) return true;
      if (kind === Kind.Newline || kind === Kind.Equals || isCloseKind(kind)) return false;
    }
    return false;
  }

  private parseBlock(nameToken: Token, nameRange: Range, depth: number): OclBlock | null {
    const labels: OclLabel[] = [];
    let headerEnd = this.end(nameToken);
    // Labels: quoted strings on the name's line.
    for (;;) {
      const kind = this.k();
      const token = this.token;
      if (kind === Kind.String) {
        labels.push({ value: this.stringValue(token), range: this.tokenRange(token) });
      } else if (kind === Kind.Word) {
        this.tokenError(OclCodes.unquotedLabel, token, `labels must be quoted strings: write "${token.image}"`);
        labels.push({ value: token.image, range: this.tokenRange(token) });
      } else if (kind === Kind.Garbage) {
        this.tokenError(OclCodes.unexpectedToken, token, `unexpected ${describe(token, kind)} in the header of block '${nameToken.image}'`);
      } else if (kind === Kind.Newline && this.peekKind(1) === Kind.String) {
        this.pos++;
        this.tokenError(OclCodes.unexpectedNewline, this.token, `block labels must be on the same line as the block name '${nameToken.image}'`);
        continue;
      } else {
        break;
      }
      headerEnd = this.end(token);
      this.pos++;
    }
    const save = this.pos;
    this.skipNewlines();
    if (this.k() !== Kind.LBrace) {
      const kind = this.k();
      const sameLine = this.pos === save;
      this.error(
        OclCodes.missingBlockBody,
        nameToken.startOffset,
        headerEnd,
        `block '${nameToken.image}' has no body: expected '{' after its ${labels.length ? 'labels' : 'name'}`,
        `Found ${describe(this.tokens[this.pos], kind)}; an empty block is written '{}'.`,
      );
      if (sameLine && kind !== Kind.EOF && !isCloseKind(kind)) this.skipLine();
      else this.pos = save;
      return this.makeBlock(nameToken, nameRange, labels, [], headerEnd);
    }
    const open = this.token;
    this.pos++;
    if (depth + 1 > this.maxDepth) {
      this.tokenError(
        OclCodes.tooDeep,
        open,
        `blocks are nested more than ${this.maxDepth} levels deep`,
        'The contents of this block were skipped.',
      );
      this.pos--;
      const end = this.skipBalanced();
      return this.makeBlock(nameToken, nameRange, labels, [], end);
    }
    // `{}`, `{ }` and `{` + newlines + `}` are empty blocks; a non-empty body needs a newline after `{`.
    const afterOpen = this.k();
    const emptyOrNewline =
      afterOpen === Kind.Newline || afterOpen === Kind.RBrace || afterOpen === Kind.MapClose || afterOpen === Kind.EOF;
    // A comment right after `{` gets its own diagnostic; one is enough.
    if (!emptyOrNewline && afterOpen !== Kind.Comment) {
      this.tokenError(
        OclCodes.newlineAfterBrace,
        open,
        "a non-empty block needs a newline after '{'",
        "Put each attribute and nested block on its own line after the '{'.",
      );
    }
    const body = this.parseBody(depth + 1, open);
    let end = this.tokens[this.pos - 1] ? this.end(this.tokens[this.pos - 1]!) : this.end(open);
    if (this.k() === Kind.RBrace || this.k() === Kind.MapClose) {
      end = this.end(this.token);
      this.pos++;
    }
    return this.makeBlock(nameToken, nameRange, labels, body, end);
  }

  private makeBlock(nameToken: Token, nameRange: Range, labels: OclLabel[], body: OclElement[], end: number): OclBlock {
    return {
      type: 'block',
      name: nameToken.image,
      nameRange,
      labels,
      body,
      range: { start: nameRange.start, end: this.locator.position(end) },
    };
  }

  // ---- attributes and values ----------------------------------------------------------------

  private parseAttribute(nameToken: Token, nameRange: Range): OclAttribute | null {
    const equals = this.token;
    this.pos++;
    let kind = this.k();
    if (kind === Kind.Newline) {
      // Only a map's `{` may be on a later line (Octopus's Dictionary parser skips newlines).
      const save = this.pos;
      this.skipNewlines();
      if (this.k() !== Kind.MapOpen) {
        this.pos = save;
        this.tokenError(OclCodes.missingValue, equals, `missing value after '=': the value of '${nameToken.image}' must start on the same line`);
        return null;
      }
      kind = Kind.MapOpen;
    }
    let value: OclValue | null;
    if (kind === Kind.MapOpen) value = this.parseMap();
    else value = this.parseLiteral(equals, 'attribute');
    if (!value) return null;
    return {
      type: 'attribute',
      name: nameToken.image,
      nameRange,
      value,
      range: { start: nameRange.start, end: value.range.end },
    };
  }

  /** Parses a literal at the current token (the token after `=`); null (with a diagnostic) if none. */
  private parseLiteral(equals: Token, context: 'attribute' | 'map entry'): OclLiteral | null {
    const token = this.token;
    const kind = this.k();
    switch (kind) {
      case Kind.String:
        this.pos++;
        return this.stringLiteral(token);
      case Kind.Heredoc:
        this.pos++;
        return this.heredocLiteral(token);
      case Kind.Word: {
        const result = this.classifyWord(token);
        if (result.kind === 'ok') {
          this.pos++;
          return result.value;
        }
        if (context === 'attribute') {
          const split = this.splitGluedElement(token);
          if (split) return split;
        }
        this.pos++;
        this.tokenError(result.code, token, result.summary, result.detail);
        return null;
      }
      case Kind.LBracket:
        return this.parseArray();
      case Kind.Comment:
        this.reportComment(token);
        this.pos++;
        return null;
      case Kind.Garbage:
        if (isCommentLike(token.image)) this.reportComment(token);
        else this.tokenError(OclCodes.unexpectedToken, token, `expected a value, found ${describe(token, kind)}`);
        this.pos++;
        this.skipLine();
        return null;
      case Kind.MapOpen:
        this.tokenError(
          OclCodes.nestedMap,
          token,
          'nested maps are not supported',
          'A map entry value must be a string, number, bool, null, heredoc or array.',
        );
        this.skipBalanced();
        return null;
      case Kind.Newline:
      case Kind.EOF:
      case Kind.MapClose:
      case Kind.RBrace:
        this.tokenError(OclCodes.missingValue, equals, `missing value after '='${context === 'map entry' ? ' in a map entry' : ''}`);
        return null;
      default:
        this.tokenError(OclCodes.unexpectedToken, token, `expected a value, found ${describe(token, kind)}`);
        if (isOpenKind(kind)) this.skipBalanced();
        else this.pos++;
        this.skipLine();
        return null;
    }
  }

  /**
   * Octopus reads a literal and then, with no separator needed, the next element, so `a = truex = 1`
   * is `a = true` and `x = 1`. The lexer made `truex` one word; when a literal prefix is followed by
   * what starts a valid element (a name, then `=`, `{` or a label), split the word: return the literal
   * and leave the rest as the current token. Otherwise the caller reports the whole word.
   */
  private splitGluedElement(token: Token): OclLiteral | null {
    const image = token.image;
    const next = this.peekKind(1);
    if (next !== Kind.Equals && next !== Kind.LBrace && next !== Kind.String) return null;
    let prefixLength = 0;
    for (const keyword of ['null', 'true', 'false']) if (image.startsWith(keyword)) prefixLength = keyword.length;
    if (prefixLength === 0) {
      const number = /^-?[0-9]+(?:\.[0-9]+)?/.exec(image);
      if (number) prefixLength = number[0].length;
    }
    if (prefixLength === 0 || prefixLength === image.length) return null;
    for (let i = prefixLength; i < image.length; i++) if (!isNameChar(image.charCodeAt(i))) return null;
    const prefix = this.classifyWord({ image: image.slice(0, prefixLength), startOffset: token.startOffset } as Token);
    if (prefix.kind !== 'ok') return null;
    // Tokens are this parse's own objects: re-aim the current one at the rest of the word.
    token.image = image.slice(prefixLength);
    token.startOffset += prefixLength;
    return prefix.value;
  }

  /** Names, numbers and keywords all lex as words; this decides which a value word is. */
  private classifyWord(token: Token): WordValue {
    const image = token.image;
    const range = this.tokenRange(token);
    if (image === 'null') return { kind: 'ok', value: { type: 'null', range } };
    if (image === 'true') return { kind: 'ok', value: { type: 'bool', value: true, range } };
    if (image === 'false') return { kind: 'ok', value: { type: 'bool', value: false, range } };
    const negative = image.charCodeAt(0) === 45;
    let i = negative ? 1 : 0;
    const digitsStart = i;
    while (i < image.length && isAsciiDigit(image.charCodeAt(i))) i++;
    const wholeEnd = i;
    if (wholeEnd > digitsStart && wholeEnd === image.length) {
      const digits = stripLeadingZeros(image.slice(digitsStart));
      if (digitsGreater(digits, INT_MAX_DIGITS)) {
        return {
          kind: 'error',
          code: OclCodes.integerOverflow,
          summary: `integer ${image} is outside the 32-bit range Octopus accepts`,
          detail: 'Octopus reads integers with int.Parse (at most 2147483647 and at least -2147483647); quote the value if it is text.',
        };
      }
      const magnitude = Number(digits);
      return { kind: 'ok', value: { type: 'int', value: negative ? 0 - magnitude : magnitude, raw: image, range } };
    }
    if (wholeEnd > digitsStart && image.charCodeAt(wholeEnd) === 46) {
      let j = wholeEnd + 1;
      while (j < image.length && isAsciiDigit(image.charCodeAt(j))) j++;
      if (j > wholeEnd + 1 && j === image.length) {
        const whole = stripLeadingZeros(image.slice(digitsStart, wholeEnd));
        if (digitsGreater(whole, DECIMAL_MAX_DIGITS)) {
          return { kind: 'error', code: OclCodes.integerOverflow, summary: `decimal ${image} is outside the range Octopus accepts` };
        }
        return { kind: 'ok', value: { type: 'decimal', value: image, range } };
      }
    }
    if (/^[+-]?[0-9.]*[0-9][0-9.]*([eE][+-]?[0-9]*)?$/.test(image) || /^[+-]?[0-9.]+$/.test(image)) {
      let summary = `malformed number '${image}'`;
      if (/[eE]/.test(image)) summary = `exponent notation is not supported in OCL numbers: '${image}'`;
      else if (image.startsWith('+')) summary = `a number cannot start with '+': write ${image.slice(1)}`;
      else if (/^-?\./.test(image)) summary = `a decimal needs digits before '.': write ${image.replace('.', '0.')}`;
      else if (image.endsWith('.')) summary = `a decimal needs digits after '.': write ${image}0`;
      return { kind: 'error', code: OclCodes.invalidNumber, summary };
    }
    const lower = image.toLowerCase();
    if (lower === 'true' || lower === 'false' || lower === 'null') {
      return { kind: 'error', code: OclCodes.unquotedValue, summary: `'${image}' must be written in lowercase: ${lower}` };
    }
    let allDigits = image.length > 0;
    for (let k = negative ? 1 : 0; k < image.length; k++) if (!/\p{Nd}/u.test(image[k]!)) allDigits = false;
    if (allDigits) {
      return { kind: 'error', code: OclCodes.invalidNumber, summary: `numbers must use the ASCII digits 0-9: '${image}'` };
    }
    return {
      kind: 'error',
      code: OclCodes.unquotedValue,
      summary: `unquoted string values are not supported: write "${image}"`,
      detail: 'Values are null, true, false, numbers, quoted strings, heredocs, arrays or maps.',
    };
  }

  /** Decodes a string token (including its quotes), reporting bad escapes and a missing quote. */
  private stringValue(token: Token): string {
    const image = token.image;
    const scan = token.payload as StringScan | undefined;
    if (scan) {
      for (const offset of scan.badEscapes) {
        const escape = this.text.slice(offset, Math.min(offset + 2, this.text.length)).replace(/[\r\n]/g, '');
        this.error(
          OclCodes.invalidEscape,
          offset,
          offset + escape.length,
          `unsupported escape '${escape}' in a string`,
          'OCL strings support only \\r \\n \\t \\\\ and \\"; write a backslash as \\\\.',
        );
      }
      if (!scan.terminated) {
        this.tokenError(OclCodes.unterminatedString, token, 'unterminated string: missing closing \'"\' on this line');
      }
    }
    const inner = scan && !scan.terminated ? image.slice(1) : image.slice(1, -1);
    if (inner.indexOf('\\') < 0) return inner;
    let out = '';
    let last = 0;
    for (let i = 0; i < inner.length; i++) {
      if (inner.charCodeAt(i) !== 92) continue;
      const next = inner[i + 1];
      const replacement = ESCAPES[next ?? ''];
      if (replacement === undefined) continue;
      out += inner.slice(last, i) + replacement;
      i++;
      last = i + 1;
    }
    return out + inner.slice(last);
  }

  private stringLiteral(token: Token): OclString {
    return { type: 'string', value: this.stringValue(token), range: this.tokenRange(token) };
  }

  private heredocLiteral(token: Token): OclHeredoc {
    const scan = token.payload as HeredocScan;
    const start = token.startOffset;
    if (scan.junkStart >= 0) {
      this.error(
        OclCodes.invalidHeredocStart,
        scan.junkStart,
        Math.max(scan.junkEnd, scan.junkStart + 1),
        `nothing may follow the heredoc tag '${scan.tag}' on its line`,
        "A heredoc starts with '<<TAG' or '<<-TAG' directly followed by a newline.",
      );
    } else if (!scan.terminated) {
      this.error(
        OclCodes.unterminatedHeredoc,
        start,
        scan.startLineEnd,
        `unterminated heredoc: no line containing only '${scan.tag}' closes it`,
      );
    }
    const end = scan.endTagEnd >= 0 ? scan.endTagEnd : this.trimEnd(start + token.image.length);
    return {
      type: 'heredoc',
      value: heredocValue(this.text, scan, this.heredocMode),
      indented: scan.indented,
      tag: scan.tag,
      range: this.range(start, end),
    };
  }

  private trimEnd(end: number): number {
    while (end > 0 && (this.text.charCodeAt(end - 1) === 10 || this.text.charCodeAt(end - 1) === CHAR_CR)) end--;
    return end;
  }

  // ---- arrays -------------------------------------------------------------------------------

  private parseArray(): OclArray {
    const open = this.token;
    const start = this.locator.position(open.startOffset);
    this.pos++;
    const items: OclArrayItem[] = [];
    let elementType: OclArray['elementType'] | undefined;
    let expectItem = true;
    let lastComma: Token | undefined;
    let end = this.end(open);
    for (;;) {
      const sawNewline = this.skipNewlines();
      const token = this.tokens[this.pos];
      const kind = this.k();
      if (kind === Kind.RBracket) {
        if (expectItem && lastComma) this.tokenError(OclCodes.arraySeparator, lastComma, "trailing commas are not allowed in arrays");
        end = this.end(token!);
        this.pos++;
        break;
      }
      const looksLikeNextElement =
        sawNewline && kind === Kind.Word && (this.peekKind(1) === Kind.Equals || this.peekKind(1) === Kind.LBrace);
      const cannotContinue =
        kind === Kind.EOF || kind === Kind.RBrace || kind === Kind.MapClose || kind === Kind.ArrayAbort || kind === Kind.Equals;
      if (cannotContinue || looksLikeNextElement) {
        this.tokenError(OclCodes.unclosedArray, open, "unclosed array: missing ']' for this '['");
        if (kind === Kind.ArrayAbort) this.pos++;
        break;
      }
      if (kind === Kind.Comma) {
        if (expectItem) this.tokenError(OclCodes.arraySeparator, token!, "expected a value before ','");
        expectItem = true;
        lastComma = token;
        this.pos++;
        continue;
      }
      if (kind === Kind.Comment || (kind === Kind.Garbage && isCommentLike(token!.image))) {
        this.reportComment(token!);
        this.pos++;
        if (kind === Kind.Garbage) this.skipLine();
        continue;
      }
      if (!expectItem) this.tokenError(OclCodes.arraySeparator, token!, "expected ',' between array elements");
      expectItem = false;
      lastComma = undefined;
      const item = this.parseArrayItem();
      if (!item) continue;
      end = item.range.end.offset;
      if (elementType === undefined) {
        elementType = item.type;
      } else if (item.type !== elementType) {
        this.error(
          OclCodes.mixedArray,
          item.range.start.offset,
          item.range.end.offset,
          `arrays must not mix types: this array holds ${elementType}s, found ${item.type === 'int' ? 'an int' : `a ${item.type}`}`,
          'Octopus accepts arrays of only strings, only ints or only decimals (write 1.0 to make an int decimal).',
        );
        continue;
      }
      items.push(item);
    }
    return { type: 'array', elementType: elementType ?? 'string', items, range: { start, end: this.locator.position(end) } };
  }

  private parseArrayItem(): OclArrayItem | null {
    const token = this.token;
    const kind = this.k();
    if (kind === Kind.String) {
      this.pos++;
      return this.stringLiteral(token);
    }
    if (kind === Kind.Word) {
      this.pos++;
      const result = this.classifyWord(token);
      if (result.kind === 'error') {
        this.tokenError(result.code, token, result.summary, result.detail);
        return null;
      }
      const value = result.value;
      if (value.type === 'int' || value.type === 'decimal') return value;
      this.tokenError(OclCodes.invalidArrayElement, token, `arrays may only hold strings or numbers, not ${token.image}`);
      return null;
    }
    if (kind === Kind.Heredoc) {
      this.pos++;
      this.heredocLiteral(token);
      this.tokenError(OclCodes.invalidArrayElement, token, 'heredocs are not allowed in arrays');
      return null;
    }
    if (kind === Kind.LBracket) {
      this.tokenError(OclCodes.invalidArrayElement, token, 'nested arrays are not supported');
      this.skipBalanced();
      return null;
    }
    if (kind === Kind.LBrace || kind === Kind.MapOpen) {
      this.tokenError(OclCodes.invalidArrayElement, token, 'maps are not allowed in arrays');
      this.skipBalanced();
      return null;
    }
    this.tokenError(OclCodes.unexpectedToken, token, `expected an array element, found ${describe(token, kind)}`);
    this.pos++;
    return null;
  }

  // ---- maps ---------------------------------------------------------------------------------

  private parseMap(): OclMap {
    const open = this.token;
    const start = this.locator.position(open.startOffset);
    this.pos++;
    const entries: OclMapEntry[] = [];
    const seen = new Map<string, OclMapEntry>();
    let end = this.end(open);
    for (;;) {
      this.skipNewlines();
      const token = this.tokens[this.pos];
      const kind = this.k();
      if (kind === Kind.MapClose || kind === Kind.RBrace) {
        end = this.end(token!);
        this.pos++;
        break;
      }
      if (kind === Kind.EOF) {
        this.tokenError(OclCodes.unclosedMap, open, "unclosed map: missing '}' for this '{'");
        break;
      }
      const entry = this.parseMapEntry();
      if (!entry) continue;
      end = entry.range.end.offset;
      const previous = seen.get(entry.key);
      if (previous) {
        this.error(
          OclCodes.duplicateMapKey,
          entry.keyRange.start.offset,
          entry.keyRange.end.offset,
          `duplicate map key '${entry.key}'`,
          'Octopus fails to load a map with the same key twice.',
          // A range of its own, not the tree's: incremental parsing moves positions in place, each once.
          [{ ...(this.file !== undefined ? { file: this.file } : {}), range: this.range(previous.keyRange.start.offset, previous.keyRange.end.offset), message: 'first used here' }],
        );
        continue;
      }
      seen.set(entry.key, entry);
      entries.push(entry);
    }
    return { type: 'map', entries, range: { start, end: this.locator.position(end) } };
  }

  private parseMapEntry(): OclMapEntry | null {
    const keyToken = this.token;
    const kind = this.k();
    let key: string;
    let quoted = false;
    if (kind === Kind.String) {
      key = this.stringValue(keyToken);
      quoted = true;
      this.pos++;
    } else if (kind === Kind.UnquotedKey) {
      const image = keyToken.image;
      this.pos++;
      // Octopus takes any run of non-whitespace, non-quote characters as a key, so `#x`, `,a` and
      // `a=b` are keys when an `=` follows. Only when none follows is the run a mistake to explain.
      if (this.k() !== Kind.Equals) {
        if (isCommentLike(image)) {
          this.reportComment(keyToken);
          this.skipLine();
          return null;
        }
        if (image === ',') {
          this.tokenError(
            OclCodes.mapComma,
            keyToken,
            'map entries are not comma separated: remove the comma',
            'Put each entry on its own line, or separate entries with spaces.',
          );
          return null;
        }
        const equalsAt = image.indexOf('=');
        if (equalsAt === 0) {
          this.tokenError(OclCodes.expectedMapEquals, keyToken, "missing map key before '='");
          this.skipLine();
          return null;
        }
        if (equalsAt > 0) return this.recoverSwallowedEquals(keyToken, equalsAt);
      }
      key = image;
    } else {
      this.errorAtCurrent(OclCodes.unexpectedToken, `expected a map key, found ${describe(keyToken, kind)}`);
      if (isOpenKind(kind)) this.skipBalanced();
      else this.pos++;
      this.skipLine();
      return null;
    }
    if (this.k() !== Kind.Equals) {
      this.tokenError(
        OclCodes.expectedMapEquals,
        keyToken,
        `expected '=' after map key '${key}'`,
        quoted ? undefined : 'An unquoted key runs up to the next whitespace or quote.',
      );
      this.skipLine();
      return null;
    }
    const equals = this.token;
    const keyRange = this.tokenRange(keyToken);
    this.pos++;
    const value = this.parseLiteral(equals, 'map entry');
    if (!value) return null;
    return { key, quoted, keyRange, value, range: { start: keyRange.start, end: value.range.end } };
  }

  /**
   * `a="1"` or `a=1` in a map: Octopus reads the key as `a=` (or `a=1`) and fails. Report it, then
   * recover the entry the author meant.
   */
  private recoverSwallowedEquals(keyToken: Token, equalsAt: number): OclMapEntry | null {
    const image = keyToken.image;
    const key = image.slice(0, equalsAt);
    const start = keyToken.startOffset;
    this.error(
      OclCodes.keyNeedsSpace,
      start,
      start + image.length,
      "unquoted map key needs a space before '='",
      `Octopus reads '${image}' as the key; write '${key} = ...'.`,
    );
    const keyRange = this.range(start, start + equalsAt);
    const rest = image.slice(equalsAt + 1);
    let value: OclLiteral | null = null;
    if (rest === '') {
      const next = this.token;
      if (this.k() === Kind.String) {
        this.pos++;
        value = this.stringLiteral(next);
      } else if (this.k() === Kind.UnquotedKey) {
        this.pos++;
        const result = this.classifyWord(next);
        if (result.kind === 'ok') value = result.value;
      }
    } else {
      const valueStart = start + equalsAt + 1;
      const fake = { image: rest, startOffset: valueStart } as Token;
      const result = this.classifyWord(fake);
      if (result.kind === 'ok') value = result.value;
    }
    if (!value) {
      this.skipLine();
      return null;
    }
    return { key, quoted: false, keyRange, value, range: this.range(start, value.range.end.offset) };
  }
}
