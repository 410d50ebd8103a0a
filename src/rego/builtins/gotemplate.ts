/**
 * Go's text/template, as OPA's strings.render_template runs it: the variables object goes through
 * JSON first (numbers become float64, sets arrays), and every error is the builtin's error. A
 * missing key is not an error (OPA dropped `missingkey=error`, open-policy-agent/opa#8128): it and
 * a null print as `<undefined>` where Go prints `<no value>` (OPA's rendertemplate test cases).
 *
 * Covered: text and actions with `{{-`/`-}}` trimming, comments, fields and chains (`.a.b`),
 * `$` and variables (`$x := …`, `$x = …`), pipelines, parenthesised pipelines, literals,
 * if/else if/else, range (slices, maps in key order, ints; `$i, $v :=`; else), with/else with,
 * break/continue, and the predefined functions and, or, not, len, index, slice, eq, ne, lt, le,
 * gt, ge, print, printf, println, html, js, urlquery. Not covered, refused with an error naming
 * it: define, template, block and call (a policy passes no templates or functions to call).
 */
import { BuiltinError, type BuiltinContext } from './registry.js';
import { goSprintf, type GoArg } from './goformat.js';
import { isObject, objectEntries, RegoDecimal, RegoSet, type Value } from '../value.js';

const NAME = 'strings.render_template';

/** An int constant or result (len, an index in range): distinct from the float64 numbers of the data. */
class GoInt {
  constructor(readonly value: number) {}
}

/** A Go value after OPA's JSON round trip: nil, bool, float64, string, []any, map[string]any; GoInt for ints. */
type GoValue = null | boolean | number | string | GoInt | GoValue[] | Map<string, GoValue>;

/** ast.As into map[string]any: JSON numbers become float64, sets arrays, objects string-keyed maps. */
function fromRego(v: Value): GoValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' || v instanceof RegoDecimal) return Number(v.toString());
  if (Array.isArray(v)) return v.map(fromRego);
  if (v instanceof RegoSet) return v.values().map(fromRego);
  if (isObject(v)) {
    const m = new Map<string, GoValue>();
    for (const [k, x] of objectEntries(v)) {
      if (typeof k !== 'string') throw new BuiltinError(NAME, 'json: unsupported type: object key is not a string');
      m.set(k, fromRego(x));
    }
    return m;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Parsing

type Arg =
  | { t: 'field'; chain: string[]; at: number; text: string }
  | { t: 'var'; name: string; chain: string[]; at: number; text: string }
  | { t: 'fn'; name: string; at: number; text: string }
  | { t: 'const'; v: GoValue; at: number; text: string }
  | { t: 'pipe'; pipe: Pipe; chain: string[]; at: number; text: string };

interface Command {
  args: Arg[];
  at: number;
  text: string;
}

interface Pipe {
  decl: string[];
  assign: boolean;
  cmds: Command[];
  at: number;
  text: string;
}

interface Block {
  t: 'if' | 'with' | 'range';
  pipe: Pipe;
  list: Node[];
  elseList: Node[] | undefined;
}

type Node = { t: 'text'; s: string } | { t: 'action'; pipe: Pipe } | Block | { t: 'break' | 'continue' };

class TemplateError extends Error {}

const FUNCTIONS = new Set(['and', 'or', 'not', 'len', 'index', 'slice', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'print', 'printf', 'println', 'html', 'js', 'urlquery']);
const UNSUPPORTED = new Set(['define', 'template', 'block', 'call']);
const SPACE = /[ \t\r\n]/;

function lineOf(src: string, at: number): number {
  let line = 1;
  for (let i = 0; i < at && i < src.length; i++) if (src.charCodeAt(i) === 10) line++;
  return line;
}

/** One action's tokens: the text between `{{` and `}}`, with its offset in the template. */
class ActionLexer {
  i = 0;
  constructor(
    private readonly src: string,
    private readonly start: number,
    private readonly end: number,
  ) {
    this.i = start;
  }

  private error(message: string): never {
    throw new TemplateError(`template: template:${lineOf(this.src, this.i)}: ${message}`);
  }

  skipSpace(): void {
    while (this.i < this.end && SPACE.test(this.src[this.i]!)) this.i++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.i >= this.end;
  }

  peekWord(): string | undefined {
    this.skipSpace();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.i, this.end));
    return m?.[0];
  }

  word(): string {
    const w = this.peekWord() ?? this.error('expected keyword');
    this.i += w.length;
    return w;
  }

  /** A pipeline, with its optional `$x :=` / `$i, $v :=` / `$x =` declaration. */
  pipeline(allowDecl: boolean, closing?: string): Pipe {
    this.skipSpace();
    const at = this.i;
    const decl: string[] = [];
    let assign = false;
    if (allowDecl) {
      const m = /^(\$[A-Za-z0-9_]*)\s*(?:,\s*(\$[A-Za-z0-9_]*)\s*)?(:=|=(?!=))/.exec(this.src.slice(this.i, this.end));
      if (m) {
        decl.push(m[1]!);
        if (m[2]) decl.push(m[2]);
        assign = m[3] === '=';
        this.i += m[0].length;
      }
    }
    const cmds: Command[] = [];
    for (;;) {
      this.skipSpace();
      const cmdAt = this.i;
      const args: Arg[] = [];
      for (;;) {
        this.skipSpace();
        if (this.i >= this.end || this.src[this.i] === '|' || (closing && this.src[this.i] === closing)) break;
        args.push(this.operand());
      }
      if (args.length === 0) this.error(cmds.length === 0 && decl.length === 0 ? 'missing value for command' : 'missing value for command');
      cmds.push({ args, at: cmdAt, text: this.src.slice(cmdAt, this.i).trim() });
      if (this.src[this.i] !== '|') break;
      this.i++;
    }
    return { decl, assign, cmds, at, text: this.src.slice(at, this.i).trim() };
  }

  private chain(): string[] {
    const out: string[] = [];
    for (;;) {
      const m = /^\.([A-Za-z_][A-Za-z0-9_]*)/.exec(this.src.slice(this.i, this.end));
      if (!m) return out;
      out.push(m[1]!);
      this.i += m[0].length;
    }
  }

  private operand(): Arg {
    const at = this.i;
    const rest = this.src.slice(this.i, this.end);
    const c = rest[0]!;
    const done = (a: Record<string, unknown>): Arg => {
      const arg = { ...a, at, text: this.src.slice(at, this.i) } as Arg;
      if (this.i < this.end && !SPACE.test(this.src[this.i]!) && !'|)'.includes(this.src[this.i]!)) this.error(`unexpected ${JSON.stringify(this.src[this.i])} in operand`);
      return arg;
    };
    if (c === '.') {
      if (/^\.[A-Za-z_]/.test(rest)) return done({ t: 'field', chain: this.chain() });
      if (/^\.?[0-9]/.test(rest)) return done({ t: 'const', v: this.number() });
      this.i++;
      return done({ t: 'field', chain: [] });
    }
    if (c === '$') {
      const m = /^\$[A-Za-z0-9_]*/.exec(rest)!;
      this.i += m[0].length;
      return done({ t: 'var', name: m[0], chain: this.chain() });
    }
    if (c === '(') {
      this.i++;
      const pipe = this.pipeline(true, ')');
      this.skipSpace();
      if (this.src[this.i] !== ')') this.error('unclosed left paren');
      this.i++;
      return done({ t: 'pipe', pipe, chain: this.chain() });
    }
    if (c === '"' || c === '`') return done({ t: 'const', v: this.string(c) });
    if (c === "'") {
      const m = /^'(\\.|[^'\\])'/u.exec(rest) ?? this.error('unterminated character constant');
      this.i += m[0].length;
      const ch = m[1]!.startsWith('\\') ? unescapeGo(m[1]!) : m[1]!;
      return done({ t: 'const', v: new GoInt(ch.codePointAt(0)!) });
    }
    if (/^[-+]?[0-9]/.test(rest)) return done({ t: 'const', v: this.number() });
    const w = this.peekWord();
    if (w !== undefined) {
      this.i += w.length;
      if (w === 'true' || w === 'false') return done({ t: 'const', v: w === 'true' });
      if (w === 'nil') return done({ t: 'const', v: null });
      if (UNSUPPORTED.has(w)) this.error(`${w} is not supported by oclhub's ${NAME}`);
      if (!FUNCTIONS.has(w)) this.error(`function ${JSON.stringify(w)} not defined`);
      return done({ t: 'fn', name: w });
    }
    this.error(`unexpected ${JSON.stringify(c)} in command`);
  }

  private number(): GoValue {
    const m = /^[-+]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9_]*\.?[0-9_]*(?:[eE][-+]?[0-9_]+)?)/.exec(this.src.slice(this.i, this.end))!;
    this.i += m[0].length;
    const text = m[0].replace(/_/g, '');
    const hexLike = /^[-+]?0[xXbBoO]/.test(text);
    if (!hexLike && /[.eE]/.test(text)) {
      const f = Number(text);
      if (Number.isNaN(f)) this.error(`bad number syntax: ${JSON.stringify(m[0])}`);
      return f;
    }
    const sign = text.startsWith('-') ? -1 : 1;
    const digits = text.replace(/^[-+]/, '');
    const n = /^0[0-7]+$/.test(digits) ? parseInt(digits, 8) : Number(digits.replace(/^0[oO]/, '0o'));
    if (!Number.isSafeInteger(n)) this.error(`bad number syntax: ${JSON.stringify(m[0])}`);
    return new GoInt(sign * n);
  }

  private string(quote: string): string {
    if (quote === '`') {
      const close = this.src.indexOf('`', this.i + 1);
      if (close < 0 || close >= this.end) this.error('unterminated raw quoted string');
      const s = this.src.slice(this.i + 1, close);
      this.i = close + 1;
      return s;
    }
    const m = /^"((?:\\.|[^"\\\n])*)"/.exec(this.src.slice(this.i, this.end)) ?? this.error('unterminated quoted string');
    this.i += m[0].length;
    return unescapeGo(m[1]!);
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' };

function unescapeGo(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (all, e: string) => {
    if (e.length === 1) {
      const r = SIMPLE_ESCAPES[e];
      if (r === undefined) throw new TemplateError(`template: template:1: invalid syntax ${JSON.stringify(all)}`);
      return r;
    }
    const code = e[0] === 'x' || e[0] === 'u' || e[0] === 'U' ? parseInt(e.slice(1), 16) : parseInt(e, 8);
    return String.fromCodePoint(code);
  });
}

/** Parses the whole template into a node list. */
function parseTemplate(src: string): Node[] {
  let pos = 0;
  let trimNext = false;
  type Frame = { node: Block; inElse: boolean; chainDepth: number };
  const root: Node[] = [];
  const stack: Frame[] = [];
  let rangeDepth = 0;
  const current = (): Node[] => {
    const f = stack[stack.length - 1];
    return f ? (f.inElse ? f.node.elseList! : f.node.list) : root;
  };
  const error = (at: number, message: string): never => {
    throw new TemplateError(`template: template:${lineOf(src, at)}: ${message}`);
  };
  const pushText = (s: string) => {
    if (s !== '') current().push({ t: 'text', s });
  };
  while (pos <= src.length) {
    const open = src.indexOf('{{', pos);
    let text = src.slice(pos, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    trimNext = false;
    if (open < 0) {
      pushText(text);
      break;
    }
    let start = open + 2;
    if (src[start] === '-' && SPACE.test(src[start + 1] ?? '')) {
      text = text.replace(/[ \t\r\n]+$/, '');
      start += 2;
    }
    pushText(text);
    // A comment starts right after the delimiter (and its trim marker) and ends right before one.
    if (src.startsWith('/*', start)) {
      const close = src.indexOf('*/', start + 2);
      if (close < 0) error(open, 'unclosed comment');
      let after = close + 2;
      if (src.startsWith(' -}}', after)) {
        trimNext = true;
        after += 4;
      } else if (src.startsWith('}}', after)) after += 2;
      else error(open, 'comment ends before closing delimiter');
      pos = after;
      continue;
    }
    // The action ends at the first `}}` outside a quoted string.
    let end = start;
    let quote = '';
    for (; end < src.length; end++) {
      const c = src[end]!;
      if (quote) {
        if (c === '\\' && quote !== '`') end++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === '`' || c === "'") quote = c;
      else if (c === '}' && src[end + 1] === '}') break;
    }
    if (end >= src.length) error(open, 'unclosed action');
    let actionEnd = end;
    if (src[end - 1] === '-' && SPACE.test(src[end - 2] ?? '')) {
      actionEnd = end - 2;
      trimNext = true;
    }
    pos = end + 2;
    const lx = new ActionLexer(src, start, actionEnd);
    if (lx.atEnd()) error(open, 'missing value for command');
    const keyword = lx.peekWord();
    if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
      lx.word();
      const node: Block = { t: keyword, pipe: lx.pipeline(true), list: [], elseList: undefined };
      current().push(node);
      stack.push({ node, inElse: false, chainDepth: 0 });
      if (keyword === 'range') rangeDepth++;
    } else if (keyword === 'else') {
      lx.word();
      const frame = stack[stack.length - 1];
      if (!frame || frame.inElse) error(open, 'unexpected {{else}}');
      frame.node.elseList = [];
      frame.inElse = true;
      const chained = lx.peekWord();
      if (chained === 'if' || chained === 'with') {
        // `{{else if p}}` is `{{else}}{{if p}}…{{end}}{{end}}` sharing the outer {{end}}.
        if (chained !== frame.node.t) error(open, `unexpected ${chained} in else`);
        lx.word();
        const node: Block = { t: chained, pipe: lx.pipeline(true), list: [], elseList: undefined };
        frame.node.elseList.push(node);
        stack.push({ node, inElse: false, chainDepth: frame.chainDepth + 1 });
      } else if (!lx.atEnd()) error(open, 'unexpected token in else');
    } else if (keyword === 'end') {
      lx.word();
      if (!lx.atEnd()) error(open, 'unexpected token in end');
      let frame = stack.pop() ?? error(open, 'unexpected {{end}}');
      while (frame.chainDepth > 0) frame = stack.pop()!;
      if (frame.node.t === 'range') rangeDepth--;
    } else if (keyword === 'break' || keyword === 'continue') {
      lx.word();
      if (rangeDepth === 0) error(open, `{{${keyword}}} outside {{range}}`);
      current().push({ t: keyword });
    } else {
      const pipe = lx.pipeline(true);
      if (!lx.atEnd()) error(open, 'unexpected token in command');
      current().push({ t: 'action', pipe });
    }
  }
  if (stack.length > 0) error(src.length, 'unexpected EOF');
  return root;
}

// ---------------------------------------------------------------------------------------------
// Execution

class BreakSignal {}
class ContinueSignal {}

function goTypeName(v: GoValue): string {
  if (v === null) return '<nil>';
  if (v instanceof GoInt) return 'int';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

function floatArg(x: number): GoArg {
  return { kind: 'float', value: x };
}

/** fmt's %v of a value inside a composite (nil is `<nil>` there). */
function formatValue(v: GoValue): string {
  if (v === null) return '<nil>';
  if (v instanceof GoInt) return String(v.value);
  if (typeof v === 'number') return goSprintf('%v', [floatArg(v)]);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return '[' + v.map(formatValue).join(' ') + ']';
  return 'map[' + sortedKeys(v).map((k) => `${k}:${formatValue(v.get(k)!)}`).join(' ') + ']';
}

function sortedKeys(m: Map<string, GoValue>): string[] {
  return [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function truth(v: GoValue): boolean {
  if (v === null) return false;
  if (v instanceof GoInt) return v.value !== 0;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.length > 0;
  return v.size > 0;
}

/** fmt.Sprint: a space between operands when neither is a string. */
function sprint(args: GoValue[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a);
  });
  return out;
}

type BasicKind = 'bool' | 'int' | 'float' | 'string';

function basicKind(v: GoValue): BasicKind | undefined {
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof GoInt) return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'string';
  return undefined;
}

function scalar(v: GoValue): boolean | number | string {
  return v instanceof GoInt ? v.value : (v as boolean | number | string);
}

/** text/template eq: arg1 == any of the others; basic kinds must agree. */
function goEq(args: GoValue[]): boolean {
  if (args.length < 2) throw new Error('missing argument for comparison');
  const [a, ...rest] = args;
  const ka = basicKind(a!);
  for (const b of rest) {
    const kb = basicKind(b);
    if (ka === undefined || kb === undefined) {
      if (a === null || b === null) {
        if (a === b) return true;
        continue;
      }
      throw new Error(`non-comparable type ${formatValue(ka === undefined ? a! : b)}: ${goTypeName(ka === undefined ? a! : b)}`);
    }
    if (ka !== kb) throw new Error('incompatible types for comparison');
    if (scalar(a!) === scalar(b)) return true;
  }
  return false;
}

function goLess(a: GoValue, b: GoValue): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === undefined || kb === undefined || ka === 'bool') throw new Error('invalid type for comparison');
  if (ka !== kb) throw new Error('incompatible types for comparison');
  return scalar(a) < scalar(b);
}

function indexInt(v: GoValue): number {
  if (!(v instanceof GoInt)) throw new Error(`cannot index slice/array with type ${goTypeName(v)}`);
  return v.value;
}

function goIndex(item: GoValue, indexes: GoValue[]): GoValue {
  let v = item;
  for (const ix of indexes) {
    if (v === null) throw new Error('index of untyped nil');
    if (Array.isArray(v) || typeof v === 'string') {
      const i = indexInt(ix);
      const len = Array.isArray(v) ? v.length : Buffer.byteLength(v);
      if (i < 0 || i >= len) throw new Error(`index out of range: ${i}`);
      v = Array.isArray(v) ? v[i]! : new GoInt(Buffer.from(v)[i]!);
    } else if (v instanceof Map) {
      if (typeof ix !== 'string') throw new Error(`value has type ${goTypeName(ix)}; should be string`);
      v = v.get(ix) ?? null;
    } else throw new Error(`can't index item of type ${goTypeName(v)}`);
  }
  return v;
}

function goSlice(item: GoValue, bounds: GoValue[]): GoValue {
  if (!Array.isArray(item) && typeof item !== 'string') throw new Error(`can't slice item of type ${goTypeName(item)}`);
  if (bounds.length > 2) throw new Error('too many slice indexes: ' + bounds.length);
  const len = Array.isArray(item) ? item.length : Buffer.byteLength(item);
  const lo = bounds.length > 0 ? indexInt(bounds[0]!) : 0;
  const hi = bounds.length > 1 ? indexInt(bounds[1]!) : len;
  if (lo < 0 || hi < lo || hi > len) throw new Error(`index out of range: ${hi > len ? hi : lo}`);
  return Array.isArray(item) ? item.slice(lo, hi) : Buffer.from(item).subarray(lo, hi).toString('utf8');
}

const HTML_ESCAPES: Record<string, string> = { '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;', '\0': '\ufffd' };

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\' || ch === "'" || ch === '"') out += '\\' + ch;
    else if (ch === '<' || ch === '>' || ch === '&' || ch === '=') out += '\\u00' + c.toString(16).toUpperCase();
    else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
    else out += ch;
  }
  return out;
}

/** Go url.QueryEscape. */
function queryEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()).replace(/%20/g, '+');
}

/** printf: the data's float64s stay floats, ints ints; other values are formatted as %v strings. */
function printfArg(v: GoValue): GoArg {
  if (v instanceof GoInt) return { kind: 'int', value: BigInt(v.value) };
  if (typeof v === 'number') return floatArg(v);
  return { kind: 'string', value: typeof v === 'string' ? v : formatValue(v) };
}

class Executor {
  private out = '';
  private readonly vars: Array<[string, GoValue]>;

  constructor(
    private readonly src: string,
    root: GoValue,
    private readonly ctx: BuiltinContext,
  ) {
    this.vars = [['$', root]];
  }

  run(nodes: Node[], dot: GoValue): string {
    this.list(nodes, dot);
    return this.out;
  }

  private fail(node: { at: number; text: string }, message: string): never {
    const before = this.src.slice(0, node.at);
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    const col = node.at - (before.lastIndexOf('\n') + 1);
    throw new TemplateError(`template: template:${line}:${col}: executing "template" at <${node.text}>: ${message}`);
  }

  private list(nodes: Node[], dot: GoValue): void {
    for (const n of nodes) this.node(n, dot);
  }

  private node(n: Node, dot: GoValue): void {
    this.ctx.tick(1);
    switch (n.t) {
      case 'text':
        this.emit(n.s);
        return;
      case 'action': {
        const v = this.pipe(n.pipe, dot);
        if (n.pipe.decl.length === 0) this.emit(v === null ? '<undefined>' : formatValue(v));
        return;
      }
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const v = this.pipe(n.pipe, dot);
        if (truth(v)) this.list(n.list, n.t === 'with' ? v : dot);
        else if (n.elseList) this.list(n.elseList, dot);
        this.vars.length = mark;
        return;
      }
      case 'range':
        this.range(n, dot);
        return;
    }
  }

  private emit(s: string): void {
    this.ctx.alloc(2 * s.length);
    this.out += s;
  }

  private range(n: Block, dot: GoValue): void {
    const mark = this.vars.length;
    const { decl } = n.pipe;
    const v = this.pipe({ ...n.pipe, decl: [] }, dot);
    let items: Array<[GoValue, GoValue]>;
    if (Array.isArray(v)) items = v.map((x, i) => [new GoInt(i), x]);
    else if (v instanceof Map) items = sortedKeys(v).map((k) => [k, v.get(k)!]);
    else if (v instanceof GoInt) items = Array.from({ length: Math.max(0, v.value) }, (_, i) => [new GoInt(i), new GoInt(i)]);
    else if (v === null) items = [];
    else this.fail(n.pipe, `range can't iterate over ${formatValue(v)}`);
    if (v instanceof GoInt && decl.length > 1) this.fail(n.pipe, `can't use ${formatValue(v)} to iterate over more than one variable`);
    for (const [key, elem] of items) {
      const inner = this.vars.length;
      if (decl.length === 1) this.vars.push([decl[0]!, elem]);
      else if (decl.length === 2) this.vars.push([decl[0]!, key], [decl[1]!, elem]);
      try {
        this.list(n.list, elem);
      } catch (e) {
        if (e instanceof BreakSignal) break;
        if (!(e instanceof ContinueSignal)) throw e;
      } finally {
        this.vars.length = inner;
      }
    }
    if (items.length === 0 && n.elseList) this.list(n.elseList, dot);
    this.vars.length = mark;
  }

  private pipe(p: Pipe, dot: GoValue): GoValue {
    let value: GoValue | undefined;
    for (const cmd of p.cmds) value = this.command(cmd, dot, value);
    const result = value ?? null;
    if (p.decl.length > 0) {
      const name = p.decl[p.decl.length - 1]!;
      if (p.assign) {
        const slot = this.findVar(p, name);
        slot[1] = result;
      } else this.vars.push([name, result]);
    }
    return result;
  }

  private findVar(node: { at: number; text: string }, name: string): [string, GoValue] {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]![0] === name) return this.vars[i]!;
    this.fail(node, `undefined variable: ${name}`);
  }

  private command(cmd: Command, dot: GoValue, piped: GoValue | undefined): GoValue {
    const [first, ...rest] = cmd.args;
    if (first!.t === 'fn') return this.call(first!, cmd, rest, dot, piped);
    if (rest.length > 0 || piped !== undefined) this.fail(first!, `can't give argument to non-function ${first!.text}`);
    return this.arg(first!, dot);
  }

  private arg(a: Arg, dot: GoValue): GoValue {
    switch (a.t) {
      case 'const':
        return a.v;
      case 'field':
        return this.chain(a, dot, a.chain);
      case 'var':
        return this.chain(a, this.findVar(a, a.name)[1], a.chain);
      case 'pipe': {
        const mark = this.vars.length;
        const v = this.pipe(a.pipe, dot);
        this.vars.length = mark;
        return this.chain(a, v, a.chain);
      }
      case 'fn':
        return this.call(a, { args: [a], at: a.at, text: a.text }, [], dot, undefined);
    }
  }

  private chain(a: Arg, start: GoValue, names: string[]): GoValue {
    let v = start;
    for (const name of names) {
      if (v instanceof Map) {
        // Go without missingkey=error: a missing key is the invalid value, and so is any field of it.
        if (!v.has(name)) return null;
        v = v.get(name)!;
      } else if (v === null) this.fail(a, `nil pointer evaluating interface {}.${name}`);
      else this.fail(a, `can't evaluate field ${name} in type ${goTypeName(v)}`);
    }
    return v;
  }

  private call(fn: Extract<Arg, { t: 'fn' }>, cmd: Command, argNodes: Arg[], dot: GoValue, piped: GoValue | undefined): GoValue {
    const name = fn.name;
    const node = { at: cmd.at, text: cmd.text };
    const values = (): GoValue[] => {
      const vs = argNodes.map((x) => this.arg(x, dot));
      if (piped !== undefined) vs.push(piped);
      return vs;
    };
    const need = (vs: GoValue[], min: number, max = min): GoValue[] => {
      if (vs.length < min || vs.length > max) this.fail(node, `wrong number of args for ${name}: want ${min === max ? min : `at least ${min}`} got ${vs.length}`);
      return vs;
    };
    try {
      switch (name) {
        case 'and':
        case 'or': {
          // Short-circuit: the first falsy (and) or truthy (or) argument, else the last.
          const all = [...argNodes.map((x) => () => this.arg(x, dot)), ...(piped !== undefined ? [() => piped] : [])];
          if (all.length === 0) this.fail(node, `wrong number of args for ${name}: want at least 1 got 0`);
          let v: GoValue = null;
          for (const get of all) {
            v = get();
            if (truth(v) === (name === 'or')) return v;
          }
          return v;
        }
        case 'not':
          return !truth(need(values(), 1)[0]!);
        case 'len': {
          const [v] = need(values(), 1);
          if (typeof v === 'string') return new GoInt(Buffer.byteLength(v));
          if (Array.isArray(v)) return new GoInt(v.length);
          if (v instanceof Map) return new GoInt(v.size);
          throw new Error(`len of type ${goTypeName(v!)}`);
        }
        case 'index': {
          const [item, ...ix] = need(values(), 1, Infinity);
          return goIndex(item!, ix);
        }
        case 'slice': {
          const [item, ...bounds] = need(values(), 1, Infinity);
          return goSlice(item!, bounds);
        }
        case 'eq':
          return goEq(need(values(), 1, Infinity));
        case 'ne': {
          const [a, b] = need(values(), 2);
          return !goEq([a!, b!]);
        }
        case 'lt':
        case 'le':
        case 'gt':
        case 'ge': {
          const [a, b] = need(values(), 2);
          // As Go: le is lt or eq, gt is not le, ge is not lt (lt's type errors come first).
          const less = goLess(a!, b!);
          if (name === 'lt' || name === 'ge') return name === 'lt' ? less : !less;
          const lessOrEqual = less || goEq([a!, b!]);
          return name === 'le' ? lessOrEqual : !lessOrEqual;
        }
        case 'print':
          return sprint(values());
        case 'println':
          return values().map(formatValue).join(' ') + '\n';
        case 'printf': {
          const [format, ...rest] = need(values(), 1, Infinity);
          if (typeof format !== 'string') throw new Error(`wrong type for value; expected string; got ${goTypeName(format!)}`);
          return goSprintf(format, rest.map(printfArg));
        }
        case 'html':
          return sprint(values()).replace(/["'&<>\0]/g, (c) => HTML_ESCAPES[c]!);
        case 'js':
          return jsEscape(sprint(values()));
        case 'urlquery':
          return queryEscape(sprint(values()));
      }
    } catch (e) {
      if (e instanceof TemplateError || e instanceof BreakSignal || e instanceof ContinueSignal || e instanceof BuiltinError) throw e;
      this.fail(node, `error calling ${name}: ${(e as Error).message}`);
    }
    this.fail(node, `function ${JSON.stringify(name)} not defined`);
  }
}

/** strings.render_template(template, vars): the rendered text, or a BuiltinError as OPA's. */
export function renderTemplate(template: string, vars: Value, ctx: BuiltinContext): string {
  const root = fromRego(vars);
  try {
    const nodes = parseTemplate(template);
    return new Executor(template, root, ctx).run(nodes, root);
  } catch (e) {
    if (e instanceof TemplateError) throw new BuiltinError(NAME, e.message);
    throw e;
  }
}
