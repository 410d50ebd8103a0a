/**
 * Rego v1 abstract syntax tree. Produced by parser.ts, consumed by compiler.ts and the evaluator.
 * src/rego imports nothing from the rest of src/, so it has its own location type. The parser's
 * terms, term and unify expressions and literals are instances of nodes.ts, which make their
 * `location` when it is read (a new object each time; read it once where it is used twice).
 */

export interface Location {
  /** 1-based line and column, 0-based offset into the module text. */
  line: number;
  column: number;
  offset: number;
  /** Offset just past the node's last character. */
  endOffset: number;
  /** Module file name, when known. */
  file?: string;
}

export interface Module {
  /** `package a.b.c` → ['a', 'b', 'c'] (without the implicit `data` root). */
  package: string[];
  packageLocation: Location;
  imports: Import[];
  rules: Rule[];
  file?: string;
  /** The module's source text (for error snippets). */
  source?: string;
}

export interface Import {
  /** The imported ref as written, e.g. `data.lib.helpers`, `input.Steps`, `rego.v1`, `future.keywords.in`. */
  path: RefTerm | VarTerm;
  alias?: string;
  location: Location;
}

/**
 * A rule. Kinds are derived from the head:
 * - `default p := v` → `isDefault`
 * - functions → `head.args` is set
 * - partial set (`p contains x if ...`) → `head.key` set, `head.value` undefined
 * - complete / ref-head rules → `head.value` (defaults to `true` when omitted)
 */
export interface Rule {
  isDefault: boolean;
  head: RuleHead;
  /**
   * Empty when the rule has no body (`p := 1`, `s contains x`, `default p := 1`): always true.
   * Chained bodies (`p if { a } { b }`, accepted by OPA 1.x) become separate rules with equal heads.
   */
  body: Literal[];
  /** `else [:= v] [if] { ... }` chain, in order. Each entry has its own value and body. */
  elses: ElseClause[];
  location: Location;
}

export interface RuleHead {
  /** Rule ref relative to the package: `p` → [string "p"]; `a.b[k]` → ["a", "b", term k]. The first element is always a string term. */
  ref: Term[];
  args?: Term[];
  /** `contains` key for partial set rules. */
  key?: Term;
  /** Value; undefined for partial set rules and for `p if {...}` (true is implied, see `valueImplied`). */
  value?: Term;
  /** `:=` versus `=` in the head (both assign; `:=` forbids redefinition in OPA). */
  assign: ':=' | '=' | undefined;
  /** True when the value was not written (`p if {...}`, `f(x) if {...}`): value is `true`. */
  valueImplied: boolean;
  contains: boolean;
  location: Location;
}

export interface ElseClause {
  /** Undefined when not written (`else { ... }`): the value is then `true`, not the rule's value. */
  value?: Term;
  body: Literal[];
  location: Location;
}

/** One statement of a body or query. */
export interface Literal {
  negated: boolean;
  expr: Expr;
  with: WithModifier[];
  location: Location;
}

export interface WithModifier {
  /** `input`, `input.x.y`, `data.a.b`, or a function/builtin ref such as `count` or `data.lib.f`. */
  target: Term;
  value: Term;
  location: Location;
}

export type Expr = TermExpr | UnifyExpr | SomeDeclExpr | SomeInExpr | EveryExpr;

/** A plain term: true when defined and not `false`. Comparisons and calls are `CallTerm`s. */
export interface TermExpr {
  type: 'term';
  term: Term;
  location: Location;
}

/** `a := b` (declare and assign) or `a = b` (unify). */
export interface UnifyExpr {
  type: 'unify';
  op: ':=' | '=';
  left: Term;
  right: Term;
  location: Location;
}

/** `some x, y` */
export interface SomeDeclExpr {
  type: 'some';
  vars: VarTerm[];
  location: Location;
}

/** `some x in xs`, `some k, v in xs` */
export interface SomeInExpr {
  type: 'somein';
  key?: Term;
  value: Term;
  collection: Term;
  location: Location;
}

/** `every x in xs { ... }`, `every k, v in xs { ... }` */
export interface EveryExpr {
  type: 'every';
  key?: VarTerm;
  value: VarTerm;
  domain: Term;
  body: Literal[];
  location: Location;
}

export type Term =
  | NullTerm
  | BooleanTerm
  | NumberTerm
  | StringTerm
  | VarTerm
  | RefTerm
  | ArrayTerm
  | SetTerm
  | ObjectTerm
  | ArrayComprehension
  | SetComprehension
  | ObjectComprehension
  | CallTerm
  | MembershipTerm
  | TemplateStringTerm;

export interface NullTerm {
  type: 'null';
  location: Location;
}
export interface BooleanTerm {
  type: 'boolean';
  value: boolean;
  location: Location;
}
export interface NumberTerm {
  type: 'number';
  /** The literal as written (e.g. `1e3`, `18446744073709551616`), parsed by the value layer. */
  raw: string;
  location: Location;
}
export interface StringTerm {
  type: 'string';
  value: string;
  /** Whether it was a raw (backtick) string. */
  raw?: boolean;
  location: Location;
}
/** A variable, including `_` (each `_` is a distinct wildcard), `input` and `data`. */
export interface VarTerm {
  type: 'var';
  name: string;
  location: Location;
}
/** `head.a[b][c]`: `path` holds string terms for `.name` and arbitrary terms for `[...]`. */
export interface RefTerm {
  type: 'ref';
  head: Term;
  path: Term[];
  location: Location;
}
export interface ArrayTerm {
  type: 'array';
  items: Term[];
  location: Location;
}
export interface SetTerm {
  type: 'set';
  items: Term[];
  location: Location;
}
export interface ObjectTerm {
  type: 'object';
  entries: Array<[Term, Term]>;
  location: Location;
}
export interface ArrayComprehension {
  type: 'arraycompr';
  term: Term;
  body: Literal[];
  location: Location;
}
export interface SetComprehension {
  type: 'setcompr';
  term: Term;
  body: Literal[];
  location: Location;
}
export interface ObjectComprehension {
  type: 'objectcompr';
  key: Term;
  value: Term;
  body: Literal[];
  location: Location;
}
/**
 * A call: builtins (`count(x)`, `strings.replace_n(...)`), user functions (`f(x)`, `data.lib.f(x)`)
 * and operators, which use OPA's builtin names:
 * `plus minus mul div rem` (arithmetic; `minus` on sets is set difference), `or` (set union), `and` (set intersection),
 * `equal neq lt lte gt gte`. Unary minus on a non-literal is `minus(0, x)`.
 */
export interface CallTerm {
  type: 'call';
  /** Function ref: `['count']`, `['strings', 'replace_n']`, `['data', 'lib', 'f']`, `['f']`. */
  name: string[];
  args: Term[];
  location: Location;
}
/** `x in xs` or `k, v in xs` used as an expression (OPA's internal.member_2 / member_3). */
export interface MembershipTerm {
  type: 'membership';
  key?: Term;
  value: Term;
  collection: Term;
  location: Location;
}
/** `$"text {expr} text"` (OPA ≥ 1.12 string interpolation). Parts are literal strings or terms. */
export interface TemplateStringTerm {
  type: 'template';
  parts: Array<string | Term>;
  /**
   * `with` modifiers written inside an expression part (`$"{a with input as 1}"`), indexed like
   * `parts`; absent when no part has any (the usual case).
   */
  with?: Array<WithModifier[] | undefined>;
  location: Location;
}

/** Operator → builtin name, as OPA names them. */
export const BINARY_OPERATORS: Readonly<Record<string, string>> = {
  '+': 'plus',
  '-': 'minus',
  '*': 'mul',
  '/': 'div',
  '%': 'rem',
  '|': 'or',
  '&': 'and',
  '==': 'equal',
  '!=': 'neq',
  '<': 'lt',
  '<=': 'lte',
  '>': 'gt',
  '>=': 'gte',
};

/** The terms directly inside a term, in source order (comprehension heads, not their bodies). */
export function subterms(t: Term): Term[] {
  switch (t.type) {
    case 'ref':
      return [t.head, ...t.path];
    case 'array':
    case 'set':
      return t.items;
    case 'object':
      return t.entries.flat();
    case 'call':
      return t.args;
    case 'membership':
      return t.key ? [t.key, t.value, t.collection] : [t.value, t.collection];
    case 'template':
      return t.parts.filter((p): p is Term => typeof p !== 'string');
    case 'arraycompr':
    case 'setcompr':
      return [t.term];
    case 'objectcompr':
      return [t.key, t.value];
    default:
      return [];
  }
}

/**
 * Calls `f` on each of `subterms(t)` without building the array (walks of large modules), passing
 * `ctx` along so that a walk needs no closure per term.
 */
export function eachSubterm<C = undefined>(t: Term, f: (s: Term, ctx: C) => void, ctx?: C): void {
  const c = ctx as C;
  switch (t.type) {
    case 'ref':
      f(t.head, c);
      for (const p of t.path) f(p, c);
      return;
    case 'array':
    case 'set':
      for (const x of t.items) f(x, c);
      return;
    case 'object':
      for (const [k, v] of t.entries) {
        f(k, c);
        f(v, c);
      }
      return;
    case 'call':
      for (const a of t.args) f(a, c);
      return;
    case 'membership':
      if (t.key) f(t.key, c);
      f(t.value, c);
      f(t.collection, c);
      return;
    case 'template':
      for (const p of t.parts) if (typeof p !== 'string') f(p, c);
      return;
    case 'arraycompr':
    case 'setcompr':
      f(t.term, c);
      return;
    case 'objectcompr':
      f(t.key, c);
      f(t.value, c);
      return;
    default:
      return;
  }
}

/** The terms of a literal's expression (not of its `with` modifiers), in source order. */
export function exprTerms(e: Expr): Term[] {
  switch (e.type) {
    case 'term':
      return [e.term];
    case 'unify':
      return [e.left, e.right];
    case 'some':
      return e.vars;
    case 'somein':
      return e.key ? [e.key, e.value, e.collection] : [e.value, e.collection];
    case 'every':
      return e.key ? [e.key, e.value, e.domain] : [e.value, e.domain];
  }
}

/** OPA's names for value types, used in its messages ("cannot assign to number"). */
export function valueName(t: Term): string {
  switch (t.type) {
    case 'arraycompr':
      return 'arraycomprehension';
    case 'setcompr':
      return 'setcomprehension';
    case 'objectcompr':
      return 'objectcomprehension';
    case 'membership':
      return 'call';
    case 'template':
      return 'templatestring';
    default:
      return t.type;
  }
}
