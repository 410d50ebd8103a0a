/**
 * Rego v1 recursive-descent parser: tokens (lexer.ts) → AST (ast.ts).
 *
 * It follows OPA's own parser (v1/ast/parser.go) closely, because what a module means depends on
 * OPA's exact choices, including the odd ones:
 * - newlines separate body literals, but an expression continues over a newline (`1\n+ 2` is one
 *   expression) because operators are looked for after skipping whitespace;
 * - precedence, loosest first: `in`, comparisons, `|`, `&`, `+ -`, `* / %`;
 * - `{ a | b }` is a set comprehension, not a set holding `a | b`; `p if { x }` is a body, not a
 *   set literal; `p if {}` is a body holding the empty object;
 * - statements that are not rules (`p := 1`, `p contains x`, `a.b.c`, `f(x)`) are parsed as queries
 *   and converted into rules, with OPA's messages when they cannot be;
 * - Rego v1 rules (`if` before a body, `contains` for multi-value rules) are enforced after parsing,
 *   with OPA's messages.
 *
 * Backtracking is by token index. `parseTerm` results are memoised per position, which keeps the
 * retries linear (OPA does the same with its parsed-term cache). Nesting depth is capped so hostile
 * input gets an error instead of a stack overflow. Nothing here throws on user input.
 */
import type {
  ArrayTerm,
  CallTerm,
  ElseClause,
  EveryExpr,
  Expr,
  Import,
  Literal,
  Location,
  Module,
  RefTerm,
  Rule,
  RuleHead,
  SetTerm,
  StringTerm,
  Term,
  TemplateStringTerm,
  VarTerm,
  WithModifier,
} from './ast.js';
import { BINARY_OPERATORS, valueName } from './ast.js';
import { KEYWORDS, scan, TokenCursor, type Token, type TokenKind, type TokenTable } from './lexer.js';
import {
  BooleanNode,
  CallNode,
  cloneTree,
  ComprehensionNode,
  ItemsNode,
  LiteralNode,
  MembershipNode,
  NullNode,
  NumberNode,
  ObjectComprehensionNode,
  ObjectNode,
  RefNode,
  samePlace,
  SourcePositions,
  startToken,
  StringNode,
  TemplateNode,
  TermExprNode,
  UnifyExprNode,
  VarNode,
} from './nodes.js';

export interface RegoParseError {
  code: 'rego_parse_error';
  message: string;
  location: Location;
}

export interface ParseOptions {
  /** Nesting limit (brackets, parentheses, bodies). Default 1000. */
  maxDepth?: number;
}

export interface ParseModuleResult {
  module?: Module;
  errors: RegoParseError[];
}

export interface ParseQueryResult {
  query?: Literal[];
  errors: RegoParseError[];
}

export interface ParseTermResult {
  term?: Term;
  errors: RegoParseError[];
}

export const DEFAULT_MAX_PARSE_DEPTH = 1000;
const DEPTH_MESSAGE = 'max parsing recursion depth exceeded';

/** Parses a Rego v1 module. Returns the module only when there are no errors. */
export function parseModule(text: string, file?: string, options: ParseOptions = {}): ParseModuleResult {
  const p = new Parser(text, file, options);
  const module = p.guard(() => p.parseModule());
  return module && p.errors.length === 0 ? { module, errors: [] } : { errors: p.finalErrors() };
}

/** Parses a query (body literals separated by newlines or `;`), e.g. `data.test.p = x`. */
export function parseQuery(text: string, options: ParseOptions = {}): ParseQueryResult {
  const p = new Parser(text, undefined, options);
  const query = p.guard(() => p.parseTopQuery());
  return query && p.errors.length === 0 ? { query, errors: [] } : { errors: p.finalErrors() };
}

/** Parses a single term, e.g. a conformance case's `input_term`. */
export function parseTerm(text: string, options: ParseOptions = {}): ParseTermResult {
  const p = new Parser(text, undefined, options);
  const term = p.guard(() => p.parseSingleTerm());
  return term && p.errors.length === 0 ? { term, errors: [] } : { errors: p.finalErrors() };
}

interface State {
  pos: number;
  errors: number;
}

type EndKind = '}' | ']' | 'eof';

/** How tightly each binary operator binds, loosest first; 0 for any other token (not an operator). */
function binding(k: TokenKind): number {
  switch (k) {
    case '==':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
      return 1;
    case '|':
      return 2;
    case '&':
      return 3;
    case '+':
    case '-':
      return 4;
    case '*':
    case '/':
    case '%':
      return TIGHTEST;
    default:
      return 0;
  }
}
const TIGHTEST = 5;
const HEAD_ILLEGAL_OPS: ReadonlySet<TokenKind> = new Set<TokenKind>([
  '+',
  '-',
  '*',
  '/',
  '%',
  '&',
  '|',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
]);
const OPERATOR_BUILTINS: ReadonlySet<string> = new Set(Object.values(BINARY_OPERATORS));
/** The name of each operator's call (`+` → ['plus']), one frozen list per operator for every call. */
const OPERATOR_CALL_NAMES: Readonly<Record<string, string[]>> = Object.fromEntries(
  Object.entries(BINARY_OPERATORS).map(([op, name]) => [op, Object.freeze([name]) as unknown as string[]]),
);
/** The `with` list of the (many) literals without one: shared and frozen. */
const NO_WITHS: WithModifier[] = Object.freeze([]) as unknown as WithModifier[];
/** An empty list of terms, never added to (parseRef's path before its first step). */
const NO_TERMS: Term[] = Object.freeze([]) as unknown as Term[];

/**
 * Lists of one and two terms (a ref's first step, an operator's two operands: one of each in most
 * literals) made by `new Array(n)` rather than an array literal. V8 tracks where an array literal's
 * arrays go and, once most of them survive (a syntax tree's do), allocates that literal's arrays in
 * the old generation from then on; the switch throws away the optimised code of every function
 * that allocates there (parseRef, parseBinary, ...: two or three times in a cold 50,000-literal
 * parse), which then runs unoptimised until it is optimised again. `new Array(n)` is not tracked.
 */
function oneTerm(t: Term): Term[] {
  const list = new Array<Term>(1);
  list[0] = t;
  return list;
}
function twoTerms(a: Term, b: Term): Term[] {
  const list = new Array<Term>(2);
  list[0] = a;
  list[1] = b;
  return list;
}
const IMPORT_ROOTS = ['data', 'input', 'future', 'rego'];
const FUTURE_KEYWORDS = ['contains', 'every', 'if', 'in', 'not'];
/** Keywords never usable as a ref head (`true.x` stays an error). */
const LITERAL_KEYWORDS: ReadonlySet<TokenKind> = new Set<TokenKind>(['true', 'false', 'null']);

function tokenName(t: { kind: TokenKind }): string {
  switch (t.kind) {
    case 'template':
      return 'template-string';
    default:
      return t.kind;
  }
}

/** True when the term contains no variable, ref, call or comprehension (OPA's IsGround, roughly). */
export function isGroundTerm(t: Term): boolean {
  switch (t.type) {
    case 'null':
    case 'boolean':
    case 'number':
    case 'string':
      return true;
    case 'array':
    case 'set':
      return t.items.every(isGroundTerm);
    case 'object':
      return t.entries.every(([k, v]) => isGroundTerm(k) && isGroundTerm(v));
    case 'template':
      return t.parts.every((p) => typeof p === 'string' || isGroundTerm(p));
    default:
      return false;
  }
}

class Parser {
  readonly errors: RegoParseError[] = [];
  /**
   * The tokens; `tok` is the one at `pos`. It moves with `pos`, so a token to be read later (where
   * a node starts, for its location) is kept as its position.
   */
  private readonly toks: TokenTable;
  /** Where the nodes are: they read their locations from here (nodes.ts). */
  private readonly positions: SourcePositions;
  private pos = 0;
  private readonly tok: TokenCursor;
  private depth = 0;
  private readonly maxDepth: number;
  /**
   * parseTerm results by token index, in parallel arrays rather than an object per term: every
   * term of a large module is memoised and stays alive until the parse ends. `memoEnd` is 0 where
   * nothing is memoised (a term ends after the token it starts at, so never at 0).
   */
  private readonly memoTerm: Array<Term | null | undefined>;
  private readonly memoEnd: Int32Array;
  private readonly memoErrors = new Map<number, RegoParseError[]>();
  /** Errors from Rego v1 checks; they do not stop parsing. */
  private readonly v1Errors: RegoParseError[] = [];

  constructor(
    private readonly src: string,
    private readonly file: string | undefined,
    options: ParseOptions,
  ) {
    this.toks = scan(src);
    this.positions = new SourcePositions(this.toks, file);
    this.tok = new TokenCursor(this.toks);
    this.tok.moveTo(0);
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_PARSE_DEPTH;
    this.memoTerm = new Array<Term | null | undefined>(this.toks.count);
    this.memoEnd = new Int32Array(this.toks.count);
  }

  /** Last line of defence: a bug or an engine limit becomes a parse error, never an exception. */
  guard<T>(f: () => T | null): T | null {
    try {
      return f();
    } catch (e) {
      const message = e instanceof RangeError ? DEPTH_MESSAGE : `internal parser error: ${String(e)}`;
      this.errors.push(this.makeError(this.pos, message));
      return null;
    }
  }

  finalErrors(): RegoParseError[] {
    const all = [...this.errors, ...this.v1Errors];
    if (all.length === 0) all.push(this.makeError(this.pos, 'parse failed'));
    return all;
  }

  // ---------------------------------------------------------------------------------------------
  // Token helpers

  /** The current token's kind (a call, so TypeScript does not narrow it across `next()`). */
  private k(): TokenKind {
    return this.tok.kind;
  }

  private next(): void {
    if (this.pos < this.toks.count - 1) this.pos++;
    this.tok.moveTo(this.pos);
  }

  private peek(k = 1): Token {
    return this.toks.token(Math.min(this.pos + k, this.toks.count - 1));
  }

  private save(): State {
    return { pos: this.pos, errors: this.errors.length };
  }

  private restore(s: State): void {
    this.pos = s.pos;
    this.tok.moveTo(s.pos);
    this.errors.length = s.errors;
  }

  private lastEnd(): number {
    return this.pos > 0 ? this.toks.end(this.pos - 1) : 0;
  }

  /** The location of the token at position `at`. */
  private loc(at: number): Location {
    return this.positions.location(at, this.toks.end(at));
  }

  /** From the start of token `start` to the end of the last consumed token. */
  private span(start: number): Location {
    return this.positions.location(start, this.endFrom(start));
  }

  /** Where a node that starts at token `start` ends: the end of the last consumed token (never before its start). */
  private endFrom(start: number): number {
    const end = this.lastEnd();
    const offset = this.toks.start(start);
    return end > offset ? end : offset;
  }

  /** The token a term starts at (the parser made it, so it knows). */
  private startOf(t: Term): number {
    return startToken(t)!;
  }

  /** An error at the token at position `t`, or at a location. */
  private makeError(t: number | Location, message: string): RegoParseError {
    const location: Location =
      typeof t === 'number' ? this.loc(t) : { line: t.line, column: t.column, offset: t.offset, endOffset: t.endOffset };
    if (this.file !== undefined) location.file = this.file;
    return { code: 'rego_parse_error', message, location };
  }

  private error(t: number | Location, message: string): void {
    this.errors.push(this.makeError(t, message));
  }

  /** OPA's "unexpected X token[: note]". At an illegal token, the lexer's message instead. */
  private illegal(note = ''): void {
    const t = this.tok;
    if (t.kind === 'illegal') {
      this.error(this.pos, t.value || 'illegal token');
      return;
    }
    const what = KEYWORDS.has(t.kind) ? 'keyword' : 'token';
    this.error(this.pos, note ? `unexpected ${tokenName(t)} ${what}: ${note}` : `unexpected ${tokenName(t)} ${what}`);
  }

  private enter(): boolean {
    if (++this.depth > this.maxDepth) {
      this.depth--;
      if (!this.errors.some((e) => e.message === DEPTH_MESSAGE)) this.error(this.pos, DEPTH_MESSAGE);
      return false;
    }
    return true;
  }

  private leave(): void {
    this.depth--;
  }

  /** The token after the current one follows it directly and opens a ref (`.` or `[`). */
  private refFollows(): boolean {
    const n = this.peek();
    return !n.wsBefore && (n.kind === '.' || n.kind === '[');
  }

  /** A keyword used as the first name of a ref (`if.x`, `not[0]`), which OPA accepts. */
  private keywordAsRefHead(): boolean {
    return KEYWORDS.has(this.k()) && !LITERAL_KEYWORDS.has(this.k()) && this.refFollows();
  }

  // ---------------------------------------------------------------------------------------------
  // Module, package, imports

  parseModule(): Module | null {
    if (this.k() === 'eof') {
      this.error(this.pos, 'empty module');
      return null;
    }
    let pkg: { path: string[]; location: Location } | undefined;
    const imports: Import[] = [];
    const rules: Rule[] = [];
    let first = true;
    while (this.k() !== 'eof') {
      const stmtStart = this.pos;
      if (this.k() === 'package' && !this.refFollows()) {
        const p = this.parsePackage();
        if (!p) return null;
        if (!first) {
          this.error(p.location, 'unexpected package');
          return null;
        }
        pkg = p;
        first = false;
        continue;
      }
      if (first) {
        this.error(stmtStart, 'package expected');
        return null;
      }
      if (this.k() === 'import' && !this.refFollows()) {
        const imp = this.parseImport();
        if (!imp) return null;
        imports.push(imp);
        continue;
      }
      const s = this.save();
      const parsed = this.parseRules();
      if (parsed) {
        rules.push(...parsed);
        continue;
      }
      if (this.errors.length > s.errors) return null;
      this.restore(s);
      const body = this.parseQuery(true, 'eof');
      if (!body) return null;
      const rule = this.ruleFromBody(body);
      if (!rule) return null;
      rules.push(rule);
    }
    if (!pkg) return null;
    const module: Module = { package: pkg.path, packageLocation: pkg.location, imports, rules, source: this.src };
    if (this.file !== undefined) module.file = this.file;
    return this.v1Errors.length === 0 ? module : null;
  }

  private parsePackage(): { path: string[]; location: Location } | null {
    const start = this.pos;
    this.next();
    if (this.k() !== 'ident' && !this.keywordAsRefHead()) {
      this.illegal();
      return null;
    }
    const term = this.parseTerm();
    if (!term) return null;
    const location = this.span(start);
    if (term.type === 'var') return { path: [term.name], location };
    if (term.type === 'ref' && term.head.type === 'var') {
      const path = [term.head.name];
      for (const el of term.path) {
        if (el.type !== 'string') {
          this.error(el.location, `unexpected ${valueName(el)} token: expecting string`);
          return null;
        }
        path.push(el.value);
      }
      return { path, location };
    }
    this.error(start, 'unexpected package path');
    return null;
  }

  private parseImport(): Import | null {
    const start = this.pos;
    this.next();
    if (this.k() !== 'ident' && !this.keywordAsRefHead()) {
      this.illegal();
      return null;
    }
    const term = this.parseTerm();
    if (!term) return null;
    let path: RefTerm | VarTerm;
    let names: string[];
    if (term.type === 'var') {
      path = term;
      names = [term.name];
    } else if (term.type === 'ref' && term.head.type === 'var') {
      names = [term.head.name];
      for (const el of term.path) {
        if (el.type !== 'string') {
          this.error(el.location, `unexpected ${valueName(el)} token: expecting string`);
          return null;
        }
        names.push(el.value);
      }
      path = term;
    } else {
      this.error(term.location, 'expected path');
      return null;
    }
    const root = names[0]!;
    if (!IMPORT_ROOTS.includes(root)) {
      this.error(
        path.location,
        `unexpected import path, must begin with one of: {data, future, input, rego}, got: ${root}`,
      );
      return null;
    }
    let alias: string | undefined;
    if (this.k() === 'as') {
      this.next();
      if (this.k() !== 'ident') {
        this.illegal('expected var');
        return null;
      }
      alias = this.tok.text;
      this.next();
    }
    const shown = names.join('.');
    if (root === 'future') {
      if (names.length === 1 || names[1] !== 'keywords') {
        this.error(path.location, 'invalid import, must be `future.keywords`');
        return null;
      }
      if (alias !== undefined) {
        this.error(path.location, '`future` imports cannot be aliased');
        return null;
      }
      if (names.length === 3 && !FUTURE_KEYWORDS.includes(names[2]!)) {
        this.error(path.location, `unexpected keyword, must be one of [${FUTURE_KEYWORDS.join(' ')}]`);
        return null;
      }
    } else if (root === 'rego') {
      if (names.length !== 2 || names[1] !== 'v1') {
        this.error(path.location, `invalid import \`${shown}\`, must be \`rego.v1\``);
        return null;
      }
    } else if (alias === undefined && names.length > 1 && KEYWORDS.has(names[names.length - 1]!)) {
      this.error(path.location, `unexpected import path, must not end with a keyword, got: ${names[names.length - 1]}`);
      return null;
    }
    const imp: Import = { path, location: this.span(start) };
    if (alias !== undefined) imp.alias = alias;
    return imp;
  }

  // ---------------------------------------------------------------------------------------------
  // Rules

  /**
   * A rule statement, or null without an error when the statement is not written as a rule (the
   * caller then parses it as a query and converts it, as OPA does).
   */
  private parseRules(): Rule[] | null {
    const start = this.pos;
    let isDefault = false;
    if (this.k() === 'default' && !this.refFollows()) {
      this.next();
      isDefault = true;
    }
    if (this.k() !== 'ident' && !this.keywordAsRefHead()) return null;

    const parsedHead = this.parseHead(isDefault);
    if (!parsedHead) return null;
    const { head, contains } = parsedHead;

    if (isDefault) {
      if (!this.validateDefault(head, start)) return null;
      return [{ isDefault: true, head, body: [], elses: [], location: this.span(start) }];
    }

    const hasIf = this.k() === 'if';
    const refLen = head.ref.length;
    const noArgs = head.args === undefined;
    // `p[x] { ... }` without `if`: Rego v0's partial set (rejected below).
    const v0MultiValue = !hasIf && !contains && noArgs && refLen === 2 && head.value === undefined;
    if (hasIf && !contains && refLen === 2 && head.value === undefined) head.valueImplied = true;

    let body: Literal[];
    let generatedBody = false;
    if (hasIf) {
      this.next();
      const s = this.save();
      const lit = this.parseLiteral();
      if (lit && !(lit.expr.type === 'term' && lit.expr.term.type === 'set')) {
        body = [lit];
      } else {
        // Not a single literal (or a set literal, which would always be true): expect `{ body }`.
        const failed = this.errors.slice(s.errors);
        this.restore(s);
        if (this.k() !== '{') {
          if (failed.length > 0) this.errors.push(...failed);
          else this.illegal('expected rule body');
          return null;
        }
        const b = this.parseBraceBody();
        if (!b) return null;
        body = b;
      }
    } else if (this.k() === '{') {
      const b = this.parseBraceBody();
      if (!b) return null;
      body = b;
    } else if (contains) {
      body = [];
      generatedBody = true;
      const rule: Rule = { isDefault: false, head, body, elses: [], location: this.span(start) };
      this.checkV1(rule, { hasIf: false, contains, generatedBody, generatedValue: false, v0MultiValue: false });
      return [rule];
    } else {
      return null;
    }

    let elses: ElseClause[] = [];
    if (this.k() === 'else' && !this.refFollows()) {
      if (refLen > 1 && !head.ref.every(isGroundTerm)) {
        this.error(this.pos, 'else keyword cannot be used on rules with variables in head');
        return null;
      }
      if (contains || v0MultiValue) {
        this.error(this.pos, 'else keyword cannot be used on multi-value rules');
        return null;
      }
      const parsed = this.parseElses(head.args !== undefined ? 'function' : 'rule');
      if (!parsed) return null;
      elses = parsed;
    }

    const rule: Rule = { isDefault: false, head, body, elses, location: this.span(start) };
    const flags = { hasIf, contains, generatedBody, generatedValue: false, v0MultiValue };
    this.checkV1(rule, flags);
    const rules = [rule];

    // `p if { a } { b }`: OPA still accepts chained bodies, each an independent definition.
    while (this.k() === '{') {
      if (elses.length > 0) {
        this.error(this.pos, 'expected else keyword');
        return null;
      }
      const bodyStart = this.pos;
      const b = this.parseBraceBody();
      if (!b) return null;
      rules.push({ isDefault: false, head: cloneTree(head), body: b, elses: [], location: this.span(bodyStart) });
    }
    return rules;
  }

  /** `{ literals }`: consumes both braces. */
  private parseBraceBody(): Literal[] | null {
    this.next();
    const body = this.parseBody('}');
    if (!body) return null;
    this.next();
    return body;
  }

  private parseHead(isDefault: boolean): { head: RuleHead; contains: boolean } | null {
    const start = this.pos;
    const name = this.makeVar(this.pos);
    this.next();
    let headTerm: Term = name;
    if (HEAD_ILLEGAL_OPS.has(this.k())) {
      this.illegal();
      return null;
    }
    // Unlike refs in bodies, a head may have whitespace before its first `(`, `.` or `[`.
    if (this.k() === '(' || this.k() === '.' || this.k() === '[') {
      const r = this.parseRef(name, true);
      if (!r) {
        if (this.errors.length === 0) this.illegal('expected rule head name');
        return null;
      }
      headTerm = r;
    }

    const ref: Term[] = [];
    let args: Term[] | undefined;
    if (headTerm.type === 'var') {
      ref.push(varToString(headTerm));
    } else if (headTerm.type === 'ref' && headTerm.head.type === 'var') {
      ref.push(varToString(headTerm.head), ...headTerm.path);
    } else if (headTerm.type === 'call') {
      for (const part of headTerm.name) ref.push(new StringNode(...samePlace(headTerm), part));
      args = headTerm.args;
    } else if (headTerm.type === 'set' && name.name === 'set') {
      // `set()` parsed as the empty set: a function named `set` with no arguments.
      ref.push(varToString(name));
      args = [];
    } else {
      this.error(start, 'invalid rule head');
      return null;
    }
    const shown = ref.map((t, i) => (i === 0 && t.type === 'string' ? t.value : t.type === 'string' ? `.${t.value}` : '[...]')).join('');

    const head: RuleHead = {
      ref,
      assign: undefined,
      valueImplied: false,
      contains: false,
      location: this.span(start),
    };
    if (args !== undefined) head.args = args;

    switch (this.k()) {
      case 'contains': {
        if (args !== undefined) {
          this.illegal(
            `the contains keyword can only be used with multi-value rule definitions (e.g., ${shown} contains <VALUE> { ... })`,
          );
          return null;
        }
        this.next();
        const key = this.parseTermInfixCall();
        if (!key) {
          if (!this.errors.length) this.illegal(`expected rule key term (e.g., ${shown} contains <VALUE> { ... })`);
          return null;
        }
        head.key = key;
        head.contains = true;
        head.location = this.span(start);
        return { head, contains: true };
      }
      case '=':
      case ':=': {
        head.assign = this.k() as ":=" | "=";
        this.next();
        const value = this.parseTermInfixCall();
        if (!value) {
          if (!this.errors.length) {
            const example =
              args !== undefined
                ? `expected function value term (e.g., ${shown}(...) := <VALUE> { ... })`
                : isDefault
                  ? `expected default rule value term (e.g., default ${shown} := <VALUE>)`
                  : `expected rule value term (e.g., ${shown} := <VALUE> { ... })`;
            this.illegal(example);
          }
          return null;
        }
        head.value = value;
        break;
      }
    }
    if (head.value === undefined && (ref.length !== 2 || args !== undefined)) head.valueImplied = true;
    head.location = this.span(start);
    return { head, contains: false };
  }

  private validateDefault(head: RuleHead, start: number): boolean {
    const where = this.span(start);
    if (head.value === undefined && !head.valueImplied) {
      this.error(where, 'illegal default rule (must have a value)');
      return false;
    }
    if (head.value !== undefined) {
      const bad = findNonConstant(head.value);
      if (bad) {
        this.error(where, `illegal default rule (value cannot contain ${bad})`);
        return false;
      }
    }
    if (head.args) {
      const seen = new Set<string>();
      for (const a of head.args) {
        if (a.type !== 'var') {
          this.error(where, `illegal default rule (arguments cannot contain ${valueName(a)})`);
          return false;
        }
        if (a.name === '_') continue;
        if (seen.has(a.name)) {
          this.error(where, `illegal default rule (arguments cannot be repeated ${a.name})`);
          return false;
        }
        seen.add(a.name);
      }
    }
    return true;
  }

  /** The `else` chain after a rule body; the current token is the first `else`. */
  private parseElses(kind: 'rule' | 'function'): ElseClause[] | null {
    const elses: ElseClause[] = [];
    while (this.k() === 'else') {
      const start = this.pos;
      this.next();
      let value: Term | undefined;
      switch (this.k()) {
        case '{':
        case 'if':
          break;
        case ':=':
        case '=': {
          this.next();
          const v = this.parseTermInfixCall();
          if (!v) return null;
          value = v;
          break;
        }
        default:
          this.illegal('expected else value term or rule body');
          return null;
      }
      const hasIf = this.k() === 'if';
      if (!hasIf && this.k() !== '{') {
        elses.push(this.elseClause(start, value, []));
        return elses;
      }
      if (hasIf) this.next();
      // OPA's CheckRegoV1 visits else rules too: a body needs `if` there as well.
      else this.v1Errors.push(this.makeError(this.span(start), `\`if\` keyword is required before ${kind} body`));
      let body: Literal[];
      if (this.k() === '{') {
        const b = this.parseBraceBody();
        if (!b) return null;
        body = b;
      } else if (this.k() !== 'eof') {
        const lit = this.parseLiteral();
        if (!lit) return null;
        body = [lit];
      } else {
        this.illegal('rule body expected');
        return null;
      }
      elses.push(this.elseClause(start, value, body));
    }
    return elses;
  }

  private elseClause(start: number, value: Term | undefined, body: Literal[]): ElseClause {
    const c: ElseClause = { body, location: this.span(start) };
    if (value !== undefined) c.value = value;
    return c;
  }

  /** Rego v1 requirements, checked as OPA's CheckRegoV1 does. */
  private checkV1(
    rule: Rule,
    f: { hasIf: boolean; contains: boolean; generatedBody: boolean; generatedValue: boolean; v0MultiValue: boolean },
  ): void {
    const head = rule.head;
    const kind = head.args !== undefined ? 'function' : 'rule';
    const first = head.ref[0];
    if (head.ref.length === 1 && first?.type === 'string' && KEYWORDS.has(first.value)) {
      this.v1Errors.push(this.makeError(rule.location, `${first.value} keyword cannot be used for rule name`));
    }
    if (f.generatedBody && f.generatedValue) {
      this.v1Errors.push(this.makeError(rule.location, `${kind} must have value assignment and/or body declaration`));
    }
    if (!f.generatedBody && !f.hasIf && !rule.isDefault) {
      this.v1Errors.push(this.makeError(rule.location, `\`if\` keyword is required before ${kind} body`));
    }
    if (f.v0MultiValue && !f.contains) {
      this.v1Errors.push(this.makeError(rule.location, '`contains` keyword is required for partial set rules'));
    }
  }

  /** A statement parsed as a query, turned into a rule (`p := 1`, `a.b.c`, `f(x)`, `p[x]`). */
  private ruleFromBody(body: Literal[]): Rule | null {
    const lit = body[0]!;
    const at = lit.location;
    if (body.length !== 1) return this.bodyRuleError(at, 'multiple expressions cannot be used for rule head');
    if (lit.with.length > 0) return this.bodyRuleError(at, 'expressions using with keyword cannot be used for rule head');
    if (lit.negated) return this.bodyRuleError(at, 'negated expressions cannot be used for rule head');
    const expr = lit.expr;
    const make = (ref: Term[], extra: Partial<RuleHead>, flags: BodyRuleFlags): Rule => this.bodyRule(at, ref, extra, flags);

    switch (expr.type) {
      case 'some':
      case 'somein':
        return this.bodyRuleError(at, "'some' declarations cannot be used for rule head");
      case 'every':
        return this.bodyRuleError(at, 'expression cannot be used for rule head');
      case 'term': {
        const t = expr.term;
        if (t.type === 'ref') {
          const ref = refOf(t);
          if (!ref) return this.bodyRuleError(at, 'invalid rule head');
          if (t.path.length >= 2) return make(ref, { valueImplied: true }, { generatedValue: true, v0MultiValue: false });
          return make(ref, {}, { generatedValue: false, v0MultiValue: true });
        }
        if (isOperatorCall(t)) return this.bodyRuleError(at, 'rule name conflicts with built-in function');
        if (t.type === 'call') {
          if (t.args.length === 0) return this.bodyRuleError(at, 'rule argument list must take at least one argument');
          return make(callRef(t), { args: t.args, valueImplied: true }, { generatedValue: false, v0MultiValue: false });
        }
        return this.bodyRuleError(at, `${valueName(t)} cannot be used for rule name`);
      }
      case 'unify': {
        const { left, right, op } = expr;
        const extra: Partial<RuleHead> = { value: right, assign: op };
        const flags = { generatedValue: false, v0MultiValue: false };
        if (left.type === 'call') {
          if (isOperatorCall(left)) return this.bodyRuleError(at, 'rule name conflicts with built-in function');
          return make(callRef(left), { ...extra, args: left.args }, flags);
        }
        if (left.type === 'ref') {
          const ref = refOf(left);
          if (!ref) return this.bodyRuleError(at, 'invalid rule head');
          return make(ref, extra, flags);
        }
        if (left.type === 'var') {
          return make([varToString(left)], extra, flags);
        }
        if (left.type === 'membership') return this.bodyRuleError(at, 'rule name conflicts with built-in function');
        return this.bodyRuleError(at, `${valueName(left)} cannot be used for rule name`);
      }
    }
  }

  private bodyRule(at: Location, ref: Term[], extra: Partial<RuleHead>, flags: BodyRuleFlags): Rule {
    const head: RuleHead = { ref, assign: undefined, valueImplied: false, contains: false, location: { ...at }, ...extra };
    const rule: Rule = { isDefault: false, head, body: [], elses: [], location: { ...at } };
    this.checkV1(rule, { hasIf: false, contains: false, generatedBody: true, ...flags });
    return rule;
  }

  private bodyRuleError(at: Location, message: string): null {
    this.error(at, message);
    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // Queries and literals

  parseTopQuery(): Literal[] | null {
    if (this.k() === 'eof') {
      this.error(this.pos, 'empty query');
      return null;
    }
    let all: Literal[] = [];
    while (this.k() !== 'eof') {
      if (this.k() === 'package' || this.k() === 'import') {
        this.illegal('expected query');
        return null;
      }
      const body = this.parseQuery(true, 'eof', true);
      if (!body) return null;
      // Literals separated by `;` come back as one list: a spread of a list that long would
      // overflow the stack (and be reported as nesting too deep).
      if (all.length === 0) all = body;
      else for (const lit of body) all.push(lit);
    }
    return all;
  }

  parseSingleTerm(): Term | null {
    const t = this.parseTermInfixCall();
    if (!t) return null;
    if (this.k() !== 'eof') {
      this.illegal('expected end of term');
      return null;
    }
    return t;
  }

  private parseBody(end: EndKind): Literal[] | null {
    if (!this.enter()) return null;
    try {
      return this.parseQuery(false, end);
    } finally {
      this.leave();
    }
  }

  /**
   * Literals separated by `;` or newlines, up to `end` (not consumed). With `requireSemi` (top-level
   * statements), stops after a literal unless `;` follows. `trailingSemi` tolerates a `;` before `end`.
   */
  private parseQuery(requireSemi: boolean, end: EndKind, trailingSemi = false): Literal[] | null {
    if (this.k() === end) {
      this.error(this.pos, 'found empty body');
      return null;
    }
    const body: Literal[] = [];
    for (;;) {
      const lit = this.parseLiteral();
      if (!lit) return null;
      body.push(lit);
      if (this.k() === ';') {
        this.next();
        // rego-cpp accepts `x = 1;` as a whole query; OPA does not. Harmless, so accepted.
        if (trailingSemi && this.k() === end) return body;
        continue;
      }
      if (this.k() === end || requireSemi) return body;
      if (!this.tok.nlBefore) {
        if (this.errors.length === 0) this.illegal(`expected \\n or ; or ${end}`);
        return null;
      }
    }
  }

  private parseLiteral(): Literal | null {
    const start = this.pos;
    if (this.keywordAsRefHead()) return this.parseLiteralExpr(false, start);
    let negated = false;
    if (this.k() === 'not' && !this.refFollows()) {
      this.next();
      negated = true;
    }
    switch (this.k()) {
      case 'some':
        if (negated) {
          this.illegal("illegal negation of 'some'");
          return null;
        }
        return this.parseSome(start);
      case 'every':
        if (negated) {
          this.illegal("illegal negation of 'every'");
          return null;
        }
        return this.parseEvery(start);
      default:
        return this.parseLiteralExpr(negated, start);
    }
  }

  private parseLiteralExpr(negated: boolean, start: number): Literal | null {
    const expr = this.parseExpr();
    if (!expr) return null;
    let withs: WithModifier[] = NO_WITHS;
    if (this.k() === 'with') {
      const w = this.parseWith();
      if (!w) return null;
      withs = w;
    }
    return new LiteralNode(this.positions, start, this.endFrom(start), negated, expr, withs);
  }

  private parseExpr(): Expr | null {
    const start = this.pos;
    const lhs = this.parseTermInfixCall();
    if (!lhs) return null;
    if (this.k() === ':=' || this.k() === '=') {
      const op = this.k() as ":=" | "=";
      this.next();
      const rhs = this.parseTermInfixCall();
      if (!rhs) return null;
      return new UnifyExprNode(this.positions, start, this.endFrom(start), op, lhs, rhs);
    }
    return new TermExprNode(this.positions, start, this.endFrom(start), lhs);
  }

  private parseWith(): WithModifier[] | null {
    const withs: WithModifier[] = [];
    for (;;) {
      const start = this.pos;
      this.next();
      if (this.k() !== 'ident') {
        this.illegal('expected ident');
        return null;
      }
      const target = this.parseTerm();
      if (!target) return null;
      if (target.type !== 'ref' && target.type !== 'var') {
        this.error(target.location, 'expected with target path');
        return null;
      }
      if (this.k() !== 'as') {
        this.illegal('expected as keyword');
        return null;
      }
      this.next();
      const value = this.parseTermInfixCall();
      if (!value) return null;
      withs.push({ target, value, location: this.span(start) });
      if (this.k() !== 'with') return withs;
    }
  }

  private parseSome(start: number): Literal | null {
    const s = this.save();
    this.next();
    const term = this.parseTermInfixCall();
    if (term) {
      if (term.type === 'membership') {
        const expr: Expr = { type: 'somein', value: term.value, collection: term.collection, location: this.span(start) };
        if (term.key) expr.key = term.key;
        let withs: WithModifier[] = NO_WITHS;
        if (this.k() === 'with') {
          const w = this.parseWith();
          if (!w) return null;
          withs = w;
        }
        return new LiteralNode(this.positions, start, this.endFrom(start), false, expr, withs);
      }
      if (term.type === 'call') {
        this.illegal('expected `x in xs` or `x, y in xs` expression');
        return null;
      }
    }
    this.restore(s);
    const vars: VarTerm[] = [];
    for (;;) {
      this.next();
      if (this.k() !== 'ident') {
        this.illegal('expected var');
        return null;
      }
      vars.push(this.makeVar(this.pos));
      this.next();
      if (this.k() !== ',') break;
    }
    return new LiteralNode(this.positions, start, this.endFrom(start), false, { type: 'some', vars, location: this.span(start) }, NO_WITHS);
  }

  private parseEvery(start: number): Literal | null {
    this.next();
    const term = this.parseTermInfixCall();
    if (!term) return null;
    if (term.type !== 'membership') {
      this.illegal('expected `x[, y] in xs { ... }` expression');
      return null;
    }
    if (term.key && term.key.type !== 'var') {
      this.illegal('expected key to be a variable');
      return null;
    }
    if (term.value.type !== 'var') {
      this.illegal('expected value to be a variable');
      return null;
    }
    if (this.k() !== '{') {
      this.illegal('missing body');
      return null;
    }
    const body = this.parseBraceBody();
    if (!body) return null;
    const expr: EveryExpr = { type: 'every', value: term.value, domain: term.collection, body, location: this.span(start) };
    if (term.key) expr.key = term.key as VarTerm;
    let withs: WithModifier[] = NO_WITHS;
    if (this.k() === 'with') {
      const w = this.parseWith();
      if (!w) return null;
      withs = w;
    }
    return new LiteralNode(this.positions, start, this.endFrom(start), false, expr, withs);
  }

  // ---------------------------------------------------------------------------------------------
  // Operators, loosest first

  private parseTermInfixCall(): Term | null {
    return this.parseTermIn(true);
  }

  private parseTermInfixCallInList(): Term | null {
    return this.parseTermIn(false);
  }

  /** `x in xs`, and with `keyVal`, `k, v in xs`. */
  private parseTermIn(keyVal: boolean): Term | null {
    if (!this.enter()) return null;
    try {
      const start = this.pos;
      let lhs = this.parseTermRelation();
      if (!lhs) return null;
      if (keyVal && this.k() === ',') {
        const s = this.save();
        this.next();
        const mhs = this.parseTermRelation();
        if (mhs && this.k() === 'in') {
          this.next();
          const rhs = this.parseTermRelation();
          if (rhs) {
            lhs = new MembershipNode(this.positions, start, this.endFrom(start), lhs, mhs, rhs);
            return this.parseMoreIn(lhs, start);
          }
        }
        this.restore(s);
      }
      return this.parseMoreIn(lhs, start);
    } finally {
      this.leave();
    }
  }

  private parseMoreIn(lhs: Term, start: number): Term | null {
    while (this.k() === 'in') {
      this.next();
      const rhs = this.parseTermRelation();
      if (!rhs) return null;
      lhs = new MembershipNode(this.positions, start, this.endFrom(start), undefined, lhs, rhs);
    }
    return lhs;
  }

  private binary(op: string, lhs: Term, rhs: Term, start: number): CallTerm {
    return new CallNode(this.positions, start, this.endFrom(start), OPERATOR_CALL_NAMES[op]!, twoTerms(lhs, rhs));
  }

  /** Relations and every tighter operator (see parseBinary). */
  private parseTermRelation(): Term | null {
    return this.parseBinary(1);
  }

  /**
   * Operands joined by binary operators binding at least as tightly as `min` (see binding), each
   * operator left-associative: `a - b * c - d` is `(a - (b * c)) - d`. One call per operand
   * instead of one per precedence level (five per operand), which was a fifth of a long body's
   * parse. Each operator's call starts where its left operand chain starts, as before.
   */
  private parseBinary(min: number): Term | null {
    const start = this.pos;
    let lhs = this.parseTerm();
    while (lhs) {
      const op = this.k();
      const strength = binding(op);
      if (strength < min) return lhs;
      this.next();
      const rhs = strength === TIGHTEST ? this.parseTerm() : this.parseBinary(strength + 1);
      if (!rhs) return null;
      lhs = this.binary(op, lhs, rhs, start);
    }
    return lhs;
  }

  // ---------------------------------------------------------------------------------------------
  // Terms

  private parseTerm(): Term | null {
    const startPos = this.pos;
    const cachedEnd = this.memoEnd[startPos]!;
    if (cachedEnd !== 0) {
      this.pos = cachedEnd;
      this.tok.moveTo(cachedEnd);
      const errors = this.memoErrors.get(startPos);
      if (errors) this.errors.push(...errors);
      return this.memoTerm[startPos]!;
    }
    const errorsBefore = this.errors.length;
    let term: Term | null = null;
    if (this.enter()) {
      try {
        term = this.parseTermFinish(this.parseTermHead());
      } finally {
        this.leave();
      }
    }
    this.memoTerm[startPos] = term;
    this.memoEnd[startPos] = this.pos;
    if (this.errors.length !== errorsBefore) this.memoErrors.set(startPos, this.errors.slice(errorsBefore));
    return term;
  }

  private parseTermHead(): Term | null {
    const at = this.pos;
    const kind = this.k();
    switch (kind) {
      case 'null':
        this.next();
        return new NullNode(this.positions, at, this.toks.end(at));
      case 'true':
      case 'false':
        this.next();
        return new BooleanNode(this.positions, at, this.toks.end(at), kind === 'true');
      case 'number':
        return this.parseNumber(at, '');
      case '-':
        return this.parseNegative();
      case '.':
        return this.parseNumber(at, '');
      case 'string': {
        const value = this.tok.value;
        const raw = this.tok.raw;
        this.next();
        const s: StringTerm = new StringNode(this.positions, at, this.toks.end(at), value);
        if (raw) s.raw = true;
        return s;
      }
      case 'template':
        return this.parseTemplate();
      case 'ident':
      case 'contains':
        this.next();
        return this.makeVar(at);
      case '[':
        return this.parseArray();
      case '{':
        return this.parseSetOrObject();
      case '(': {
        this.next();
        const inner = this.parseTermInfixCall();
        if (!inner) return null;
        if (this.k() !== ')') {
          this.error(this.pos, 'non-terminated expression');
          return null;
        }
        this.next();
        return inner;
      }
      default:
        if (this.keywordAsRefHead()) {
          this.next();
          return this.makeVar(at);
        }
        this.illegal();
        return null;
    }
  }

  /** The variable named by the token at position `at`. */
  private makeVar(at: number): VarTerm {
    return new VarNode(this.positions, at, this.toks.end(at), this.toks.text(at));
  }

  /** After a term: a directly following `.`, `[` or `(` makes it a ref or call. */
  private parseTermFinish(head: Term | null): Term | null {
    if (!head) return null;
    const k = this.k();
    if ((k === '.' || k === '[' || k === '(') && !this.tok.wsBefore) return this.parseRef(head, false);
    return head;
  }

  /**
   * `head.a[b](args)...`. With `headMode`, whitespace may precede the first accessor (rule heads).
   */
  private parseRef(head: Term, headMode: boolean): Term | null {
    if (!this.enter()) return null;
    try {
      switch (head.type) {
        case 'var':
        case 'array':
        case 'object':
        case 'set':
        case 'arraycompr':
        case 'setcompr':
        case 'objectcompr':
        case 'call':
          break;
        default:
          this.error(head.location, `illegal ref (head cannot be ${valueName(head)})`);
          return null;
      }
      const start = this.startOf(head);
      // Most refs have one step (`input.x`): `[step]` is a list of exactly one, where a push onto
      // `[]` would make room for 16; a longer path is copied to its size at the end.
      let path: Term[] = NO_TERMS;
      let first = true;
      for (;;) {
        const k = this.k();
        const adjacent = !this.tok.wsBefore || (first && headMode);
        first = false;
        if (!adjacent || (k !== '.' && k !== '[' && k !== '(')) break;
        if (k === '.') {
          this.next();
          if (this.tok.wsBefore || (this.k() !== 'ident' && !KEYWORDS.has(this.k()))) {
            this.illegal('expected ident');
            return null;
          }
          const step: Term = new StringNode(this.positions, this.pos, this.toks.end(this.pos), this.tok.text);
          if (path.length === 0) path = oneTerm(step);
          else path.push(step);
          this.next();
        } else if (k === '[') {
          this.next();
          const el = this.parseTermInfixCall();
          if (!el) return null;
          if (this.k() !== ']') {
            this.illegal('expected ]');
            return null;
          }
          this.next();
          if (path.length === 0) path = oneTerm(el);
          else path.push(el);
        } else {
          const call = this.parseCall(head, path, start);
          if (!call) return null;
          const k2 = this.k();
          if ((k2 === '.' || k2 === '[') && !this.tok.wsBefore) return this.parseRef(call, false);
          return call;
        }
      }
      if (path.length === 0) return head;
      return new RefNode(this.positions, start, this.endFrom(start), head, path.length === 1 ? path : path.slice());
    } finally {
      this.leave();
    }
  }

  /** `name(args)`; the current token is `(`. `set()` is the empty set. */
  private parseCall(head: Term, path: Term[], start: number): CallTerm | SetTerm | null {
    if (head.type !== 'var') {
      this.error(head.location, `illegal call (function name cannot be ${valueName(head)})`);
      return null;
    }
    const name = [head.name];
    for (const el of path) {
      if (el.type !== 'string') {
        this.error(el.location, 'illegal call (function name must be a dotted name)');
        return null;
      }
      name.push(el.value);
    }
    this.next();
    let args: Term[] = [];
    if (this.k() !== ')') {
      const list = this.parseTermList(')', []);
      if (!list) return null;
      args = list;
    }
    this.next();
    if (name.length === 1 && name[0] === 'set' && args.length === 0) {
      return new ItemsNode(this.positions, start, this.endFrom(start), 'set', []);
    }
    return new CallNode(this.positions, start, this.endFrom(start), name, args);
  }

  private parseNumber(start: number, prefix: string): Term | null {
    let text = prefix;
    if (this.k() === '.') {
      const n = this.peek();
      if (n.kind !== 'number' || n.wsBefore) {
        this.illegal('expected number');
        return null;
      }
      text += '.';
      this.next();
      if (this.tok.text.includes('.')) {
        this.illegal('expected number');
        return null;
      }
    } else if (this.k() !== 'number') {
      this.illegal('expected number');
      return null;
    }
    const lit = this.tok.text;
    if (!text.endsWith('.') && lit.length > 1 && lit[0] === '0') {
      const c1 = lit[1];
      const decimal = c1 === '.';
      const scientific = lit.length > 2 && (c1 === 'e' || c1 === 'E');
      if (!decimal && !scientific) {
        this.illegal('expected number without leading zero');
        return null;
      }
    }
    text += lit;
    if (numberTooBig(text)) {
      this.error(this.pos, 'number too big');
      return null;
    }
    this.next();
    return new NumberNode(this.positions, start, this.endFrom(start), text);
  }

  /** `-1` folds into the number; like OPA, a minus sign before anything else is an error. */
  private parseNegative(): Term | null {
    const start = this.pos;
    this.next();
    if (this.k() === 'number' || (this.k() === '.' && this.peek().kind === 'number')) {
      return this.parseNumber(start, '-');
    }
    this.illegal('expected number');
    return null;
  }

  private parseTemplate(): TemplateStringTerm | null {
    const start = this.pos;
    const parts: Array<string | Term> = [];
    const withs: Array<WithModifier[] | undefined> = [];
    let hasWith = false;
    for (;;) {
      const piece = this.tok;
      if (piece.kind !== 'template') {
        this.illegal('expected template-string part');
        return null;
      }
      const value = piece.value;
      if (value.length > 0) {
        parts.push(value);
        withs.push(undefined);
      }
      const end = piece.templateEnd;
      this.next();
      if (end) break;
      const exprStart = this.pos;
      const lit = this.parseLiteral();
      if (!lit) {
        if (this.errors.length === 0) this.error(exprStart, 'invalid template-string expression');
        return null;
      }
      const e = lit.expr;
      if (lit.negated) return this.templateError(lit.location, "unexpected negation ('not') in template-string expression");
      if (e.type === 'unify') {
        return this.templateError(
          lit.location,
          e.op === '=' ? "unexpected unification ('=') in template-string expression" : "unexpected assignment (':=') in template-string expression",
        );
      }
      if (e.type === 'every') return this.templateError(lit.location, "unexpected 'every' in template-string expression");
      if (e.type === 'some' || e.type === 'somein') {
        return this.templateError(lit.location, "unexpected 'some' in template-string expression");
      }
      parts.push(e.term);
      withs.push(lit.with.length > 0 ? lit.with : undefined);
      if (lit.with.length > 0) hasWith = true;
      if (this.k() !== '}') {
        this.error(this.pos, 'expected } to end template string expression');
        return null;
      }
      this.next();
    }
    const t: TemplateStringTerm = new TemplateNode(this.positions, start, this.endFrom(start), parts);
    if (hasWith) t.with = withs;
    return t;
  }

  private templateError(at: Location, message: string): null {
    this.error(at, message);
    return null;
  }

  private parseArray(): Term | null {
    const start = this.pos;
    this.next();
    if (this.k() === ']') {
      this.next();
      return new ItemsNode(this.positions, start, this.endFrom(start), 'array', []);
    }
    let potentialComprehension = true;
    // `[, x]`: a leading comma is tolerated for backwards compatibility, as in OPA.
    if (this.k() === ',') {
      potentialComprehension = false;
      this.next();
    }
    const s = this.save();
    const head = this.parseTerm();
    if (!head) return null;
    switch (this.k()) {
      case ']':
        this.next();
        return new ItemsNode(this.positions, start, this.endFrom(start), 'array', [head]);
      case ',': {
        this.next();
        const items = this.parseTermList(']', [head]);
        if (!items) return null;
        this.next();
        return new ItemsNode(this.positions, start, this.endFrom(start), 'array', items);
      }
      case '|':
        if (potentialComprehension) {
          const s2 = this.save();
          this.next();
          const body = this.parseBody(']');
          if (body) {
            this.next();
            return new ComprehensionNode(this.positions, start, this.endFrom(start), 'arraycompr', head, body);
          }
          if (this.k() !== ',') return null;
          this.restore(s2);
        }
        break;
    }
    this.restore(s);
    const items = this.parseTermList(']', []);
    if (!items) return null;
    this.next();
    const arr: ArrayTerm = new ItemsNode(this.positions, start, this.endFrom(start), 'array', items);
    return arr;
  }

  private parseSetOrObject(): Term | null {
    const start = this.pos;
    this.next();
    if (this.k() === '}') {
      this.next();
      return new ObjectNode(this.positions, start, this.endFrom(start), []);
    }
    let potentialComprehension = true;
    if (this.k() === ',') {
      potentialComprehension = false;
      this.next();
    }
    const s = this.save();
    // A single term first, so that `{ a | b }` is a set comprehension rather than a set of `a | b`.
    let head = this.parseTerm();
    if (!head) return null;
    switch (this.k()) {
      case '|':
        if (potentialComprehension) return this.parseSet(start, s, head, true);
        break;
      case '}':
      case ',':
        return this.parseSet(start, s, head, potentialComprehension);
      case ':':
        return this.parseObject(start, head, potentialComprehension);
    }
    this.restore(s);
    head = this.parseTermInfixCallInList();
    if (!head) return null;
    switch (this.k()) {
      case '}':
      case ',':
        return this.parseSet(start, s, head, false);
      case ':':
        return this.parseObject(start, head, potentialComprehension);
    }
    this.illegal('non-terminated set');
    return null;
  }

  private parseSet(start: number, s: State, head: Term, potentialComprehension: boolean): Term | null {
    switch (this.k()) {
      case '}':
        this.next();
        return new ItemsNode(this.positions, start, this.endFrom(start), 'set', [head]);
      case ',': {
        this.next();
        const items = this.parseTermList('}', [head]);
        if (!items) return null;
        this.next();
        return new ItemsNode(this.positions, start, this.endFrom(start), 'set', items);
      }
      case '|': {
        if (potentialComprehension) {
          const s2 = this.save();
          this.next();
          const body = this.parseBody('}');
          if (body) {
            this.next();
            return new ComprehensionNode(this.positions, start, this.endFrom(start), 'setcompr', head, body);
          }
          if (this.k() !== ',') return null;
          this.restore(s2);
        }
        this.restore(s);
        const items = this.parseTermList('}', []);
        if (!items) return null;
        this.next();
        return new ItemsNode(this.positions, start, this.endFrom(start), 'set', items);
      }
    }
    return null;
  }

  private parseObject(start: number, key: Term, potentialComprehension: boolean): Term | null {
    this.next(); // ':'
    const s = this.save();
    const v = this.parseTerm();
    if (!v) return null;
    let potentialRelation = true;
    if (potentialComprehension) {
      const k = this.k();
      if (k === '}' || k === ',' || k === '|') {
        if (k !== '|') potentialRelation = false;
        const obj = this.parseObjectFinish(start, key, v, true);
        if (obj) return obj;
      }
    }
    this.restore(s);
    if (potentialRelation) {
      const v2 = this.parseTermInfixCallInList();
      if (!v2) return null;
      if (this.k() === '}' || this.k() === ',') return this.parseObjectFinish(start, key, v2, false);
    }
    this.illegal('non-terminated object');
    return null;
  }

  private parseObjectFinish(start: number, key: Term, value: Term, potentialComprehension: boolean): Term | null {
    switch (this.k()) {
      case '}':
        this.next();
        return new ObjectNode(this.positions, start, this.endFrom(start), [[key, value]]);
      case '|':
        if (potentialComprehension) {
          this.next();
          const body = this.parseBody('}');
          if (!body) return null;
          this.next();
          return new ObjectComprehensionNode(this.positions, start, this.endFrom(start), key, value, body);
        }
        this.illegal('non-terminated object');
        return null;
      case ',': {
        this.next();
        const entries = this.parseTermPairList([[key, value]]);
        if (!entries) return null;
        this.next();
        return new ObjectNode(this.positions, start, this.endFrom(start), entries);
      }
    }
    return null;
  }

  /** Comma-separated terms up to `end` (not consumed); a trailing comma is allowed. */
  private parseTermList(end: ')' | ']' | '}', items: Term[]): Term[] | null {
    if (this.k() === end) return items;
    for (;;) {
      const t = this.parseTermInfixCallInList();
      if (!t) return null;
      items.push(t);
      if (this.k() === end) return items;
      if (this.k() !== ',') {
        this.illegal(`expected "," or "${end}"`);
        return null;
      }
      this.next();
      if (this.k() === end) return items;
    }
  }

  private parseTermPairList(entries: Array<[Term, Term]>): Array<[Term, Term]> | null {
    if (this.k() === '}') return entries;
    for (;;) {
      const k = this.parseTermInfixCallInList();
      if (!k) return null;
      if (this.k() !== ':') {
        this.illegal('expected ":"');
        return null;
      }
      this.next();
      const v = this.parseTermInfixCallInList();
      if (!v) return null;
      entries.push([k, v]);
      if (this.k() === '}') return entries;
      if (this.k() !== ',') {
        this.illegal('expected "," or "}"');
        return null;
      }
      this.next();
      if (this.k() === '}') return entries;
    }
  }
}

interface BodyRuleFlags {
  generatedValue: boolean;
  v0MultiValue: boolean;
}

function varToString(v: VarTerm): StringTerm {
  return new StringNode(...samePlace(v), v.name);
}

function refOf(t: RefTerm): Term[] | null {
  if (t.head.type !== 'var') return null;
  return [varToString(t.head), ...t.path];
}

function callRef(c: CallTerm): Term[] {
  return c.name.map((n): Term => new StringNode(...samePlace(c), n));
}

function isOperatorCall(t: Term): boolean {
  return t.type === 'membership' || (t.type === 'call' && t.name.length === 1 && OPERATOR_BUILTINS.has(t.name[0]!));
}

/**
 * Names the first var, ref or call in a default rule's value (comprehensions are closures and
 * may contain anything), or undefined when the value is constant.
 */
function findNonConstant(t: Term): string | undefined {
  switch (t.type) {
    case 'var':
      return 'var';
    case 'ref':
      return 'ref';
    case 'call':
    case 'membership':
      return 'call';
    case 'array':
    case 'set':
      for (const i of t.items) {
        const r = findNonConstant(i);
        if (r) return r;
      }
      return undefined;
    case 'object':
      for (const [k, v] of t.entries) {
        const r = findNonConstant(k) ?? findNonConstant(v);
        if (r) return r;
      }
      return undefined;
    case 'template':
      for (const p of t.parts) {
        if (typeof p === 'string') continue;
        const r = findNonConstant(p);
        if (r) return r;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** OPA rejects numbers beyond about 2^±100000 ("number too big"). */
function numberTooBig(text: string): boolean {
  // Without an exponent, the decimal exponent is bounded by the text's length: only a text of
  // more than 30,000 characters can be out of range (most numbers end here, unexamined).
  if (text.length <= 30000 && text.indexOf('e') < 0 && text.indexOf('E') < 0) return false;
  let i = 0;
  if (text[i] === '-') i++;
  let intDigits = 0;
  let leadingPos = -1; // position of the first non-zero digit, counted as a decimal exponent
  let seenDot = false;
  let fracIndex = 0;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (c === '.') {
      seenDot = true;
      continue;
    }
    if (c === 'e' || c === 'E') break;
    if (!seenDot) {
      intDigits++;
      if (leadingPos < 0 && c !== '0') leadingPos = intDigits;
    } else {
      fracIndex++;
      if (leadingPos < 0 && c !== '0') leadingPos = -fracIndex + 1;
    }
  }
  if (leadingPos < 0 && !seenDot && intDigits > 0 && i === text.length) return false;
  let exp = 0;
  if (i < text.length) {
    const e = Number(text.slice(i + 1));
    if (!Number.isFinite(e)) return true;
    exp = e;
  }
  if (leadingPos < 0) return false; // zero
  const magnitude = (leadingPos > 0 ? intDigits : leadingPos) + exp;
  return magnitude > 30000 || magnitude < -30000;
}
