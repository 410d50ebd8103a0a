/**
 * The syntax-tree nodes the parser makes for terms, expressions and literals: the interfaces of
 * ast.ts, with the `location` read on demand.
 *
 * A node keeps where it is compactly (the token it starts at and the offset where it ends) and
 * makes its `Location` when `location` is read, from the parse's token positions. A location
 * object per node was about half of a large module's tree (eight per literal such as
 * `x := input.a + 1`, each alive until the tree is dropped). What a reader sees is the same
 * `Location` as before, a new object at each read, so no two readers share one. The compact fields
 * are symbol-keyed: they are no part of the tree's data (`Object.keys` and `JSON.stringify` do not
 * see them; `toJSON` writes `location` where the tree had it). A copy must keep the node's class,
 * which holds the accessor: `cloneTree`, not `structuredClone` or a spread.
 *
 * Rules, heads, `else` clauses, imports, `with` modifiers and `some`/`every` expressions are rare
 * and remain plain objects holding their location.
 */
import type {
  BooleanTerm,
  CallTerm,
  Literal,
  Location,
  MembershipTerm,
  NullTerm,
  NumberTerm,
  ObjectComprehension,
  ObjectTerm,
  RefTerm,
  StringTerm,
  Term,
  TemplateStringTerm,
  TermExpr,
  UnifyExpr,
  VarTerm,
  Expr,
  WithModifier,
} from './ast.js';
import type { TokenTable } from './lexer.js';

/**
 * The positions of one parsed text: where each token starts (line, column, offset) and its file.
 * It keeps only those three arrays of the token table (no kinds, values or source text), so a tree
 * a caller keeps holds no more of its parse than that.
 */
export class SourcePositions {
  private readonly starts: Int32Array;
  private readonly lines: Int32Array;
  private readonly columns: Int32Array;

  constructor(
    table: TokenTable,
    readonly file: string | undefined,
  ) {
    [this.starts, this.lines, this.columns] = table.positionArrays();
  }

  /** From the start of token `at` to offset `end`; every field at once, one object shape for all. */
  location(at: number, end: number): Location {
    return new NodeLocation(this.lines[at]!, this.columns[at]!, this.starts[at]!, end, this.file);
  }
}

/**
 * A location made from a node's place: a plain `Location` (the same own fields, in the same order,
 * as the object literal it replaces), made by a class because the translator keeps one for each
 * call (`x := input.a + 1` has one). V8 watches where an object literal's objects go and, once
 * most of them survive, allocates that literal's objects in the old generation from then on; the
 * switch throws away the optimised code of every function that makes them, mid-compile, which
 * then runs unoptimised until it is optimised again (a fresh process compiling a long body met
 * it for most of the per-literal objects). Instances of a class are not watched.
 */
class NodeLocation implements Location {
  declare line: number;
  declare column: number;
  declare offset: number;
  declare endOffset: number;
  declare file: string | undefined;
  constructor(line: number, column: number, offset: number, endOffset: number, file: string | undefined) {
    this.line = line;
    this.column = column;
    this.offset = offset;
    this.endOffset = endOffset;
    this.file = file;
  }
}

const POS = Symbol('positions');
const AT = Symbol('start token');
const END = Symbol('end offset');

/** The token a parser-made node starts at, or undefined for a node made elsewhere. */
export function startToken(node: object): number | undefined {
  return (node as Partial<Located>)[AT];
}

/** The place of a parser-made node (its positions, start token and end), to make another node there. */
export function samePlace(node: object): [SourcePositions, number, number] {
  const n = node as Located;
  return [n[POS], n[AT], n[END]];
}

/**
 * What every node class has: its place, the `location` made from it on each read, and `toJSON`
 * writing the node as the tree's plain objects were written, `location` after the fields set when
 * the node was made (before `later`, a field set afterwards).
 *
 * The classes do not extend a common class: a shared constructor would store the place into
 * sixteen hidden classes from one site (a megamorphic store, measured at 1.7% of a cold compile's
 * CPU); each class stores its own fields instead, in the order the plain objects had them (one
 * hidden class per node kind), and `located` puts the shared accessors on its prototype. `declare`
 * keeps TypeScript from emitting field definitions that would assign every field twice.
 */
interface Located {
  [POS]: SourcePositions;
  [AT]: number;
  [END]: number;
  readonly location: Location;
}

function locationOf(this: Located): Location {
  return this[POS].location(this[AT], this[END]);
}

function located(cls: { prototype: object }, later?: string): void {
  Object.defineProperty(cls.prototype, 'location', { get: locationOf, configurable: true });
  function toJSON(this: Located): object {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(this)) {
      if (key === later) out.location = this.location;
      out[key] = (this as unknown as Record<string, unknown>)[key];
    }
    if (!('location' in out)) out.location = this.location;
    return out;
  }
  Object.defineProperty(cls.prototype, 'toJSON', { value: toJSON, configurable: true, writable: true });
}

export interface NullNode extends Located {}
export class NullNode implements NullTerm {
  declare type: 'null';
  constructor(pos: SourcePositions, at: number, end: number) {
    this[POS] = pos;
    this[AT] = at;
    this[END] = end;
    this.type = 'null';
  }
}

export interface BooleanNode extends Located {}
export class BooleanNode implements BooleanTerm {
  declare type: 'boolean';
  declare value: boolean;
  constructor(pos: SourcePositions, at: number, end: number, value: boolean) {
    this[POS] = pos;
    this[AT] = at;
    this[END] = end;
    this.type = 'boolean';
    this.value = value;
  }
}

export interface NumberNode extends Located {}
export class NumberNode implements NumberTerm {
  declare type: 'number';
  declare raw: string;
  constructor(pos: SourcePositions, at: number, end: number, raw: string) {
    this[POS] = pos;
    this[AT] = at;
    this[END] = end;
    this.type = 'number';
    this.raw = raw;
  }
}

export interface StringNode extends Located {}
export class StringNode implements StringTerm {
  declare type: 'string';
  declare value: string;
  declare raw?: boolean;
  constructor(pos: SourcePositions, at: number, end: number, value: string) {
    this[POS] = pos;
    this[AT] = at;
    this[END] = end;
    this.type = 'string';
    this.value = value;
  }
}

export interface VarNode extends Located {}
export class VarNode implements VarTerm {
  declare type: 'var';
  declare name: string;
  constructor(pos: SourcePositions, at: number, end: number, name: string) {
    this[POS] = pos;
    this[AT] = at;
    this[END] = end;
    this.type = 'var';
    this.name = name;
  }
}

export interface RefNode extends Located {}
export class RefNode implements RefTerm {
  declare type: 'ref';
  declare head: Term;
  declare path: Term[];
  constructor(pos: SourcePositions, at: number, end: number, head: Term, path: Term[]) {
    this[POS] = pos;
    this[AT] = at;
    this[END] = end;
    this.type = 'ref';
    this.head = head;
    this.path = path;
  }
}

/** Arrays and sets: a list of items. */
export interface ItemsNode<K extends 'array' | 'set'> extends Located {}
export class ItemsNode<K extends 'array' | 'set'> {
  declare type: K;
  declare items: Term[];
  constructor(pos: SourcePositions, at: number, end: number, type: K, items: Term[]) {
    this[POS] = pos;
    this[AT] = at;
    this[END] = end;
    this.type = type;
    this.items = items;
  }
}

export interface ObjectNode extends Located {}
export class ObjectNode implements ObjectTerm {
  declare type: 'object';
  declare entries: Array<[Term, Term]>;
  constructor(pos: SourcePositions, at: number, end: number, entries: Array<[Term, Term]>) {
    this[POS] = pos;
    this[AT] = at;
    this[END] = end;
    this.type = 'object';
    this.entries = entries;
  }
}

/** Array and set comprehensions. */
export interface ComprehensionNode<K extends 'arraycompr' | 'setcompr'> extends Located {}
export class ComprehensionNode<K extends 'arraycompr' | 'setcompr'> {
  declare type: K;
  declare term: Term;
  declare body: Literal[];
  constructor(pos: SourcePositions, at: number, end: number, type: K, term: Term, body: Literal[]) {
    this[POS] = pos;
    this[AT] = at;
    this[END] = end;
    this.type = type;
    this.term = term;
    this.body = body;
  }
}

export interface ObjectComprehensionNode extends Located {}
export class ObjectComprehensionNode implements ObjectComprehension {
  declare type: 'objectcompr';
  declare key: Term;
  declare value: Term;
  declare body: Literal[];
  constructor(pos: SourcePositions, at: number, end: number, key: Term, value: Term, body: Literal[]) {
    this[POS] = pos;
    this[AT] = at;
    this[END] = end;
    this.type = 'objectcompr';
    this.key = key;
    this.value = value;
    this.body = body;
  }
}

export interface CallNode extends Located {}
export class CallNode implements CallTerm {
  declare type: 'call';
  declare name: string[];
  declare args: Term[];
  constructor(pos: SourcePositions, at: number, end: number, name: string[], args: Term[]) {
    this[POS] = pos;
    this[AT] = at;
    this[END] = end;
    this.type = 'call';
    this.name = name;
    this.args = args;
  }
}

export interface MembershipNode extends Located {}
export class MembershipNode implements MembershipTerm {
  declare type: 'membership';
  declare key?: Term;
  declare value: Term;
  declare collection: Term;
  constructor(pos: SourcePositions, at: number, end: number, key: Term | undefined, value: Term, collection: Term) {
    this[POS] = pos;
    this[AT] = at;
    this[END] = end;
    this.type = 'membership';
    if (key !== undefined) this.key = key;
    this.value = value;
    this.collection = collection;
  }
}

export interface TemplateNode extends Located {}
export class TemplateNode implements TemplateStringTerm {
  declare type: 'template';
  declare parts: Array<string | Term>;
  declare with?: Array<WithModifier[] | undefined>;
  constructor(pos: SourcePositions, at: number, end: number, parts: Array<string | Term>) {
    this[POS] = pos;
    this[AT] = at;
    this[END] = end;
    this.type = 'template';
    this.parts = parts;
  }
}

export interface TermExprNode extends Located {}
export class TermExprNode implements TermExpr {
  declare type: 'term';
  declare term: Term;
  constructor(pos: SourcePositions, at: number, end: number, term: Term) {
    this[POS] = pos;
    this[AT] = at;
    this[END] = end;
    this.type = 'term';
    this.term = term;
  }
}

export interface UnifyExprNode extends Located {}
export class UnifyExprNode implements UnifyExpr {
  declare type: 'unify';
  declare op: ':=' | '=';
  declare left: Term;
  declare right: Term;
  constructor(pos: SourcePositions, at: number, end: number, op: ':=' | '=', left: Term, right: Term) {
    this[POS] = pos;
    this[AT] = at;
    this[END] = end;
    this.type = 'unify';
    this.op = op;
    this.left = left;
    this.right = right;
  }
}

export interface LiteralNode extends Located {}
export class LiteralNode implements Literal {
  declare negated: boolean;
  declare expr: Expr;
  declare with: WithModifier[];
  constructor(pos: SourcePositions, at: number, end: number, negated: boolean, expr: Expr, withs: WithModifier[]) {
    this[POS] = pos;
    this[AT] = at;
    this[END] = end;
    this.negated = negated;
    this.expr = expr;
    this.with = withs;
  }
}

located(StringNode, 'raw');
located(TemplateNode, 'with');
for (const cls of [
  NullNode,
  BooleanNode,
  NumberNode,
  VarNode,
  RefNode,
  ItemsNode,
  ObjectNode,
  ComprehensionNode,
  ObjectComprehensionNode,
  CallNode,
  MembershipNode,
  TermExprNode,
  UnifyExprNode,
  LiteralNode,
]) {
  located(cls);
}

/**
 * A deep copy of a tree part (chained bodies give each rule its own head): nodes keep their class
 * and their place; plain objects and lists are copied.
 */
export function cloneTree<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneTree) as T;
  if (value === null || typeof value !== 'object') return value;
  const copy = Object.create(Object.getPrototypeOf(value) as object | null) as Record<PropertyKey, unknown>;
  for (const key of Reflect.ownKeys(value)) {
    const v = (value as Record<PropertyKey, unknown>)[key];
    copy[key] = v instanceof SourcePositions ? v : cloneTree(v);
  }
  return copy as T;
}
