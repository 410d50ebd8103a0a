/**
 * The run-time half of evaluation: the state of one evaluation (`Run`: input, data, rule memo,
 * `with` overrides, mocks, budget), the virtual document tree (rule values, merged with base data),
 * rule and function evaluation, builtin calls, and the value helpers the compiled closures use.
 *
 * Bodies and terms are not interpreted here: codegen.ts turns them into closures once per
 * compilation. A body is `(run, frame, k) => boolean` and calls `k` once per solution; `k` returns
 * true to stop the search. Variables live in a frame (one array per rule evaluation). Which
 * variables are bound at each point is decided at compile time, so a binding is a plain store and
 * backtracking needs no undo. Rules are evaluated lazily and memoised per evaluation; `with`
 * swaps in a fresh memo so memoised values never leak across scopes.
 */
import { termString } from './builtins/goformat.js';
import { mergeObjects } from './builtins/objects.js';
import { BuiltinError, type BuiltinContext } from './builtins/registry.js';
import { CONFLICT, MSG_COMPLETE_CONFLICT, MSG_FUNCTION_CONFLICT, MSG_OBJECT_CONFLICT, RegoEvalError } from './errors.js';
import type { CFn, CRule, RuleGroup, TreeNode } from './ir.js';
import { Budget, LIMIT_CODE, resolveLimits, type RegoLimits, type ResolvedLimits } from './limits.js';
import {
  emptyObject,
  equals,
  isObject,
  makeObject,
  objectEntries,
  objectGet,
  objectKeys,
  RegoObject,
  RegoSet,
  setOwn,
  ValueMap,
  type PlainObject,
  type Value,
  type WorkMeter,
} from './value.js';

export type Frame = Array<Value | undefined>;
/** Continuation: called once per solution; returns true to stop the search. */
export type K = () => boolean;
export type VK = (v: Value) => boolean;
/** A compiled body (or the rest of one). */
export type Body = (r: Run, f: Frame, k: K) => boolean;
/** A term with at most one value (undefined: none). May bind variables (a call's output argument). */
export type Det = (r: Run, f: Frame) => Value | undefined;
/** A term with any number of values. */
export type Gen = (r: Run, f: Frame, k: VK) => boolean;
/** Matches a value against a pattern, binding its unbound variables, then continues. */
export type Pat = (r: Run, f: Frame, v: Value, k: K) => boolean;

/** Closures of one rule, made by codegen.ts. */
export interface RuleCode {
  /** Binds the arguments of a function rule, then continues. */
  args?: (r: Run, f: Frame, args: Value[], k: K) => boolean;
  branches: Array<{ body: Body; value: Gen; key?: Gen; refKeys?: Gen[] }>;
}

export interface Program {
  root: TreeNode;
  nodeCount: number;
}

const UNDEF = Symbol('undefined');
const IN_PROGRESS = Symbol('in-progress');
type MemoEntry = Value | typeof UNDEF | typeof IN_PROGRESS | undefined;

export interface FnMock {
  fn?: CFn;
  value?: Value;
}

export interface Override {
  path: string[];
  value: Value;
}

interface State {
  input: Value | undefined;
  data: Value;
  memo: MemoEntry[];
  mocks: Map<string, FnMock> | undefined;
  overrides: Override[] | undefined;
}

export interface RunOptions {
  input?: Value;
  data?: Value;
  strict?: boolean;
  nowNs?: bigint;
  seed?: number;
  /** Receives `print(...)` output; dropped when absent. */
  print?: (message: string) => void;
  /** Record the input paths the evaluation reads (see Run.inputReads). */
  recordInputReads?: boolean;
  limits?: RegoLimits;
}

const EMPTY_DATA: PlainObject = Object.freeze(emptyObject()) as PlainObject;
const NO_OPTIONS: RunOptions = Object.freeze({});

/**
 * The state of one evaluation. A compiled policy keeps one idle run state and reuses it
 * (`start` … `finish`), so a simple query allocates neither this object nor its memo per
 * evaluation; what few evaluations need (builtin context, input-read log) is created on demand.
 */
export class Run extends Budget implements WorkMeter {
  input: Value | undefined = undefined;
  data: Value = EMPTY_DATA;
  memo: MemoEntry[];
  mocks: Map<string, FnMock> | undefined = undefined;
  overrides: Override[] | undefined = undefined;
  strict = false;
  /**
   * The input paths read, as JSON arrays of their constant leading keys (`["Release","Version"]`;
   * `[]` when the whole input was taken as a value), so a caller knows which parts of the input a
   * decision depended on. Undefined unless `recordInputReads` is set.
   */
  inputReads: Set<string> | undefined = undefined;
  /** Values of the top-level query's expressions, by source position. */
  exprValues: Value[] | undefined = undefined;
  private builtinContext: BuiltinContext | undefined = undefined;
  private opts: RunOptions = NO_OPTIONS;
  /** The memo of the evaluation's top scope (`with` swaps in others), reused across evaluations. */
  private readonly topMemo: MemoEntry[];
  /** Idle rule-outcome collectors (see Outcome), reused within and across evaluations. */
  readonly idleOutcomes: Outcome[] = [];

  constructor(
    readonly program: Program,
    opts?: RunOptions,
  ) {
    super();
    this.topMemo = this.memo = new Array<MemoEntry>(program.nodeCount).fill(undefined);
    if (opts) this.start(opts, resolveLimits(opts.limits));
  }

  /** Prepares a new or finished run state for an evaluation under `opts` (limits already resolved). */
  start(opts: RunOptions, limits: ResolvedLimits): void {
    this.startBudget(limits);
    this.opts = opts;
    this.input = opts.input;
    this.data = opts.data ?? EMPTY_DATA;
    this.strict = opts.strict ?? false;
    if (opts.recordInputReads) this.inputReads = new Set();
  }

  /** Drops everything the evaluation referenced, so an idle run state holds no input or values. */
  finish(): void {
    // A loop, not fill(): memos are short, and fill is a builtin call costing more than the loop.
    const memo = this.topMemo;
    for (let i = 0; i < memo.length; i++) memo[i] = undefined;
    this.memo = this.topMemo;
    this.opts = NO_OPTIONS;
    this.input = undefined;
    this.data = EMPTY_DATA;
    this.mocks = undefined;
    this.overrides = undefined;
    this.exprValues = undefined;
    this.builtinContext = undefined;
    this.inputReads = undefined;
  }

  get print(): ((message: string) => void) | undefined {
    return this.opts.print;
  }

  /** Created on the first builtin call: most policies never need the clock or the cache. */
  get bctx(): BuiltinContext {
    if (!this.builtinContext) {
      const run = this;
      this.builtinContext = {
        strict: this.strict,
        nowNs: this.opts.nowNs ?? BigInt(Date.now()) * 1_000_000n,
        cache: new Map(),
        seed: this.opts.seed ?? 0,
        tick(units: number): void {
          run.tick(units);
        },
        alloc(bytes: number): void {
          run.alloc(bytes);
        },
      };
    }
    return this.builtinContext;
  }

  /** Work on values outside the evaluator's own loops (value.ts metering): steps. */
  work(units: number): void {
    this.tick(units);
  }

  /** Values created outside the evaluator's own constructions (value.ts metering): memory. */
  made(bytes: number): void {
    this.alloc(bytes);
  }

  saveState(): State {
    return { input: this.input, data: this.data, memo: this.memo, mocks: this.mocks, overrides: this.overrides };
  }

  restoreState(s: State): void {
    this.input = s.input;
    this.data = s.data;
    this.memo = s.memo;
    this.mocks = s.mocks;
    this.overrides = s.overrides;
  }
}

// ---------------------------------------------------------------------------------------------
// Values

const hasOwn = Object.prototype.hasOwnProperty;

export function getChild(v: Value, key: Value): Value | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  if (Array.isArray(v)) {
    if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key >= v.length) return undefined;
    return v[key];
  }
  if (v instanceof RegoSet) return v.has(key) ? key : undefined;
  if (v instanceof RegoObject) return v.get(key);
  if (typeof key !== 'string') return undefined;
  // Values are never functions, so an inherited Object.prototype member shows up as a function
  // (or, for `__proto__`, needs the own-property check): cheaper than hasOwn on every step.
  const x = (v as PlainObject)[key];
  if (x === undefined || typeof x === 'function') return undefined;
  if (key === '__proto__') return hasOwn.call(v, key) ? x : undefined;
  return x;
}

/** `v[key]` for a constant string key other than `__proto__` (the common `input.a.b`). */
export function getField(v: Value | undefined, key: string): Value | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  if (v instanceof RegoObject) return v.get(key);
  if (v instanceof RegoSet) return v.has(key) ? key : undefined;
  const x = (v as PlainObject)[key];
  return typeof x === 'function' ? undefined : x;
}

/**
 * Keys a plain-object property read could confuse with something that is not a Rego field:
 * array indexes and members, RegoSet/RegoObject members, Object.prototype members.
 */
function unsafeFieldName(key: string): boolean {
  if (key === '__proto__' || key === 'length' || /^(0|[1-9][0-9]*)$/.test(key)) return true;
  for (const proto of [Object.prototype, Array.prototype, RegoSet.prototype, RegoObject.prototype]) {
    if (Object.getOwnPropertyNames(proto).includes(key)) return true;
  }
  return key === 'map' || key === 'sorted';
}

const fieldGetters = new Map<string, (v: Value | undefined) => Value | undefined>();
const FIELD_GETTER_LIMIT = 10_000;

function fieldMiss(v: Value | undefined, key: string): Value | undefined {
  if (v instanceof RegoObject) return v.get(key);
  if (v instanceof RegoSet) return v.has(key) ? key : undefined;
  return undefined;
}

/**
 * A reader of one constant field. Its own code (one per key name) gives V8 a property cache per
 * key, so `input.Steps` costs what it costs in hand-written JavaScript instead of a megamorphic
 * keyed lookup shared by every field the policy reads. The key is embedded as a JSON string
 * literal. Falls back to the generic reader for names a plain-object read could confuse, and
 * where the host forbids code generation from strings.
 */
export function fieldGetter(key: string): (v: Value | undefined) => Value | undefined {
  let g = fieldGetters.get(key);
  if (g) return g;
  if (unsafeFieldName(key) || fieldGetters.size >= FIELD_GETTER_LIMIT) return (v) => getField(v, key);
  try {
    const lit = JSON.stringify(key);
    g = new Function(
      'miss',
      `return function (v) {
  if (typeof v !== 'object' || v === null) return undefined;
  const x = v[${lit}];
  return x === undefined ? miss(v, ${lit}) : Array.isArray(v) ? undefined : x;
};`,
    )(fieldMiss) as (v: Value | undefined) => Value | undefined;
  } catch {
    g = (v) => getField(v, key);
  }
  fieldGetters.set(key, g);
  return g;
}

/** Reads one key of a value: `getChild`, or `getBaseChild` inside base data. */
export type Getter = (v: Value, key: Value) => Value | undefined;

/**
 * `v[key]` inside base data (the JSON document under `data`). OPA reads a data ref from its store
 * by a path of strings, so a number key names an object member by its decimal text
 * (`data.codes[404]` is `data.codes["404"]`) and a string of digits indexes an array
 * (`data.list["1"]` is `data.list[1]`). A copy of that data in a variable is a plain value again
 * (`c := data.codes; c[404]` is undefined), and so is a rule's value.
 */
export function getBaseChild(v: Value, key: Value): Value | undefined {
  if (Array.isArray(v)) return typeof key === 'string' && /^[+-]?[0-9]+$/.test(key) ? getChild(v, Number(key)) : getChild(v, key);
  if (typeof key === 'number' || typeof key === 'bigint') return getChild(v, String(key));
  return getChild(v, key);
}

/** A member of an object in base data (`getBaseChild`), undefined for anything but an object. */
export function getChildObject(v: Value | undefined, key: Value): Value | undefined {
  return v !== undefined && v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof RegoSet) ? getBaseChild(v, key) : undefined;
}

export function member2(v: Value, c: Value): boolean {
  if (Array.isArray(c)) {
    if (typeof v !== 'object' || v === null) {
      if (typeof v !== 'number') return c.includes(v);
    }
    for (let i = 0; i < c.length; i++) if (equals(c[i]!, v)) return true;
    return false;
  }
  if (c instanceof RegoSet) return c.has(v);
  if (isObject(c)) return objectEntries(c).some(([, x]) => equals(x, v));
  return false;
}

export function member3(kv: Value, v: Value, c: Value): boolean {
  if (Array.isArray(c) || isObject(c)) {
    const x = getChild(c, kv);
    return x !== undefined && equals(x, v);
  }
  if (c instanceof RegoSet) return equals(kv, v) && c.has(v);
  return false;
}

export function templateString(v: Value): string {
  if (typeof v === 'string') return v;
  return termString(v);
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (path[i] !== prefix[i]) return false;
  return true;
}

/** Copy-on-write `o[path] = v`, creating objects along the way. */
export function setPath(o: Value | undefined, path: readonly string[], v: Value): Value {
  if (path.length === 0) return v;
  const [head, ...rest] = path as [string, ...string[]];
  if (o instanceof RegoObject) {
    const copy = new RegoObject();
    for (const [kk, vv] of o.entries()) copy.set(kk, vv);
    copy.set(head, setPath(copy.get(head), rest, v));
    return copy;
  }
  const copy = emptyObject();
  if (o !== undefined && isObject(o)) for (const kk of Object.keys(o)) setOwn(copy, kk, (o as PlainObject)[kk]!);
  const cur = o !== undefined && isObject(o) ? objectGet(o, head) : undefined;
  setOwn(copy, head, setPath(cur, rest, v));
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Iteration (refs with unbound keys, `some .. in`, `every`)

/** Calls `each(key, value)` for every member of a collection in Rego's order; stops when it returns true. */
export function forEachMember(r: Run, c: Value, each: (key: Value, value: Value) => boolean): boolean {
  if (Array.isArray(c)) {
    for (let i = 0; i < c.length; i++) {
      if (++r.steps >= r.nextCheck) r.checkpoint();
      if (each(i, c[i]!)) return true;
    }
    return false;
  }
  if (c === null || typeof c !== 'object') return false;
  if (c instanceof RegoSet) {
    for (const m of c.values()) {
      if (++r.steps >= r.nextCheck) r.checkpoint();
      if (each(m, m)) return true;
    }
    return false;
  }
  if (c instanceof RegoObject) {
    for (const [kk, vv] of c.entries()) {
      if (++r.steps >= r.nextCheck) r.checkpoint();
      if (each(kk, vv)) return true;
    }
    return false;
  }
  const o = c as PlainObject;
  for (const kk of objectKeys(o) as string[]) {
    if (++r.steps >= r.nextCheck) r.checkpoint();
    if (each(kk, o[kk]!)) return true;
  }
  return false;
}

/** One step of a ref path, classified at compile time. */
export type Step =
  /** A constant key. */
  | { k: 0; key: Value }
  /** A key with one value (a bound variable, a call). */
  | { k: 1; det: Det }
  /** An unbound variable: iterate, binding it to each key. */
  | { k: 2; slot: number }
  /** A key pattern with unbound variables (`a[[x, y]]`): iterate, matching each key. */
  | { k: 3; pat: Pat }
  /** A key with several values. */
  | { k: 4; gen: Gen };

/** Indexes `v` by steps[i..], iterating where a step iterates. */
export function walk(r: Run, v: Value, steps: Step[], i: number, f: Frame, k: VK, get: Getter = getChild): boolean {
  for (; i < steps.length; i++) {
    const s = steps[i]!;
    switch (s.k) {
      case 0: {
        const c = get(v, s.key);
        if (c === undefined) return false;
        v = c;
        break;
      }
      case 1: {
        const key = s.det(r, f);
        if (key === undefined) return false;
        const c = get(v, key);
        if (c === undefined) return false;
        v = c;
        break;
      }
      case 2: {
        const slot = s.slot;
        const next = i + 1;
        if (next === steps.length) {
          return forEachMember(r, v, (key, child) => {
            f[slot] = key;
            return k(child);
          });
        }
        return forEachMember(r, v, (key, child) => {
          f[slot] = key;
          return walk(r, child, steps, next, f, k, get);
        });
      }
      case 3: {
        const pat = s.pat;
        const next = i + 1;
        return forEachMember(r, v, (key, child) => pat(r, f, key, () => walk(r, child, steps, next, f, k, get)));
      }
      case 4: {
        const base = v;
        const next = i + 1;
        return s.gen(r, f, (key) => {
          const c = get(base, key);
          return c !== undefined && walk(r, c, steps, next, f, k, get);
        });
      }
    }
  }
  return k(v);
}

/** `walk` for paths whose steps all have one value (kinds 0 and 1). */
export function walkDet(r: Run, v: Value | undefined, steps: Step[], f: Frame, get: Getter = getChild): Value | undefined {
  for (let i = 0; i < steps.length && v !== undefined; i++) {
    const s = steps[i]!;
    if (s.k === 0) v = get(v, s.key);
    else {
      const key = (s as { det: Det }).det(r, f);
      if (key === undefined) return undefined;
      v = get(v, key);
    }
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// The virtual document tree

/** The base document at a path, when the data there is an object chain. */
export function baseAt(r: Run, path: readonly string[]): Value | undefined {
  let v: Value | undefined = r.data;
  for (let i = 0; i < path.length && v !== undefined; i++) v = getChildObject(v, path[i]!);
  return v;
}

function overrideAt(r: Run, path: readonly string[]): Value | undefined {
  for (const o of r.overrides!) if (o.path.length === path.length && startsWith(path, o.path)) return o.value;
  return undefined;
}

/** Follows a data ref down the rule tree, so only the rules on the path are evaluated. */
export function descend(r: Run, node: TreeNode, base: Value | undefined, steps: Step[], i: number, f: Frame, k: VK): boolean {
  for (; i < steps.length; i++) {
    if (r.overrides) {
      const ov = overrideAt(r, node.path);
      if (ov !== undefined) return walk(r, ov, steps, i, f, k);
    }
    if (node.group) break;
    const s = steps[i]!;
    let key: Value | undefined;
    if (s.k === 0) key = s.key;
    else if (s.k === 1) {
      key = s.det(r, f);
      if (key === undefined) return false;
    } else if (s.k === 2) return iterateNode(r, node, base, s.slot, steps, i, f, k);
    else if (s.k === 4) {
      const n = node;
      const b = base;
      return s.gen(r, f, (kv) => stepNode(r, n, b, kv, steps, i, f, k));
    } else {
      const n = node;
      const b = base;
      const pat = s.pat;
      return iterateNodeKeys(r, n, b, (kk) => pat(r, f, kk, () => stepNode(r, n, b, kk, steps, i, f, k)));
    }
    if (typeof key !== 'string') return stepBase(r, base, key, steps, i, f, k);
    const child = node.children.get(key);
    const childBase: Value | undefined = getChildObject(base, key);
    if (!child) {
      if (childBase === undefined) return false;
      return walk(r, childBase, steps, i + 1, f, k, getBaseChild);
    }
    node = child;
    base = childBase;
  }
  const v = nodeValue(r, node);
  if (v === undefined) return false;
  return walk(r, v, steps, i, f, k);
}

function stepNode(r: Run, node: TreeNode, base: Value | undefined, key: Value, steps: Step[], i: number, f: Frame, k: VK): boolean {
  if (typeof key !== 'string') return stepBase(r, base, key, steps, i, f, k);
  const child = node.children.get(key);
  const childBase = getChildObject(base, key);
  if (!child) return childBase !== undefined && walk(r, childBase, steps, i + 1, f, k, getBaseChild);
  return descend(r, child, childBase, steps, i + 1, f, k);
}

/** A key that names no rule (rules have string names): the path continues in base data only. */
function stepBase(r: Run, base: Value | undefined, key: Value, steps: Step[], i: number, f: Frame, k: VK): boolean {
  const c = getChildObject(base, key);
  return c !== undefined && walk(r, c, steps, i + 1, f, k, getBaseChild);
}

function iterateNodeKeys(r: Run, node: TreeNode, base: Value | undefined, each: (key: string) => boolean): boolean {
  const keys = new Set<string>();
  for (const [name, child] of node.children) if (!(child.group?.kind === 'function' && child.children.size === 0)) keys.add(name);
  if (base !== undefined && isObject(base)) for (const kk of objectKeys(base)) if (typeof kk === 'string') keys.add(kk);
  for (const kk of [...keys].sort()) {
    if (++r.steps >= r.nextCheck) r.checkpoint();
    if (each(kk)) return true;
  }
  return false;
}

function iterateNode(r: Run, node: TreeNode, base: Value | undefined, slot: number, steps: Step[], i: number, f: Frame, k: VK): boolean {
  return iterateNodeKeys(r, node, base, (kk) => {
    f[slot] = kk;
    return stepNode(r, node, base, kk, steps, i, f, k);
  });
}

/** The value of `data` at a tree node: its rules' value merged with base data and child packages. */
export function nodeValue(r: Run, node: TreeNode): Value | undefined {
  const memo = r.memo[node.id];
  if (memo !== undefined) {
    if (memo === UNDEF) return undefined;
    if (memo === IN_PROGRESS) throw new RegoEvalError('rego_recursion_error', `rule ${node.group?.name ?? node.path.join('.')} is recursive`);
    return memo;
  }
  if (r.overrides) {
    const ov = overrideAt(r, node.path);
    if (ov !== undefined) return ov;
  }
  const memoArray = r.memo;
  memoArray[node.id] = IN_PROGRESS;
  let v: Value | undefined;
  try {
    const gv = node.group && node.group.kind !== 'function' ? evalGroup(r, node.group) : undefined;
    // A node without rules of its own (a package, a prefix of rule refs) is an object.
    if (node.children.size > 0 || !node.group) {
      const base = baseAt(r, node.path);
      const out = new ValueMap<Value>();
      if (base !== undefined && isObject(base)) for (const [kk, vv] of objectEntries(base)) out.set(kk, vv);
      if (gv !== undefined && isObject(gv)) for (const [kk, vv] of objectEntries(gv)) out.set(kk, vv);
      for (const [name, child] of node.children) {
        if (child.group?.kind === 'function' && child.children.size === 0) continue;
        const cv = nodeValue(r, child);
        if (cv !== undefined) {
          const prev = out.get(name);
          if (prev === undefined) out.set(name, cv);
          else if (gv !== undefined && isObject(gv) && objectGet(gv, name) !== undefined) {
            if (!equals(prev, cv)) throw new RegoEvalError(CONFLICT, MSG_OBJECT_CONFLICT);
          } else if (child.children.size > 0 || !child.group) {
            // A package or prefix node's value already has the base data at its path merged in.
            out.set(name, cv);
          } else {
            // Base data and a rule at the same key: as in OPA's merge of base and virtual documents,
            // base values win and objects on both sides are merged key by key.
            out.set(name, isObject(prev) && isObject(cv) ? mergeObjects(cv, prev) : prev);
          }
        }
      }
      if (gv !== undefined && !isObject(gv)) v = gv;
      // Base data that is not an object cannot take the package's keys: OPA keeps the base value.
      else if (gv === undefined && base !== undefined && !isObject(base)) v = base;
      else v = makeObject(out.entries());
    } else v = gv !== undefined ? gv : node.group ? baseAt(r, node.path) : undefined;
    if (v !== undefined && r.overrides) {
      for (const o of r.overrides) {
        if (o.path.length > node.path.length && startsWith(o.path, node.path) && !node.children.has(o.path[node.path.length]!)) {
          v = setPath(v, o.path.slice(node.path.length), o.value);
        }
      }
    }
  } catch (e) {
    memoArray[node.id] = undefined;
    throw e;
  }
  memoArray[node.id] = v === undefined ? UNDEF : v;
  return v;
}

/** The value of `data` at a constant path (virtual and base documents merged). */
export function dataAt(r: Run, path: string[]): Value | undefined {
  let result: Value | undefined;
  descend(
    r,
    r.program.root,
    r.data,
    path.map((key) => ({ k: 0, key })),
    0,
    [],
    (v) => ((result = v), true),
  );
  return result;
}

// ---------------------------------------------------------------------------------------------
// Rules

function code(rule: CRule): RuleCode {
  return rule.code!;
}

function evalGroup(r: Run, g: RuleGroup): Value | undefined {
  switch (g.kind) {
    case 'complete': {
      const o = takeOutcome(r, MSG_COMPLETE_CONFLICT);
      for (const rule of g.rules) evalBranches(o, rule, new Array(rule.nslots));
      if (o.value === undefined && g.defaultRule) {
        const d = g.defaultRule;
        o.stopAtFirst = true;
        evalBranches(o, d, new Array(d.nslots));
      }
      return releaseOutcome(o);
    }
    case 'set': {
      const out = new RegoSet();
      for (const rule of g.rules) {
        const f: Frame = new Array(rule.nslots);
        for (const b of code(rule).branches) {
          const key = b.key!;
          const add: VK = (v) => {
            if (!out.has(v)) {
              r.alloc(ENTRY);
              out.add(v);
            }
            return false;
          };
          b.body(r, f, () => key(r, f, add));
        }
      }
      return out;
    }
    case 'object': {
      const root = new ObjNode();
      for (const rule of g.rules) {
        const f: Frame = new Array(rule.nslots);
        for (const b of code(rule).branches) {
          let found = false;
          const keys = b.refKeys!;
          const key = b.key;
          const value = b.value;
          b.body(r, f, () =>
            genAll(r, keys, 0, [], f, (kvs) => {
              found = true;
              r.alloc(ENTRY * kvs.length);
              if (g.leafSet) return key!(r, f, (el) => (root.insert(kvs, el, true, rule), false));
              return value(r, f, (v) => (root.insert(kvs, v, false, rule), false));
            }),
          );
          if (found) break;
        }
      }
      return root.toValue();
    }
    case 'function':
      return undefined;
  }
}

const ENTRY = 32;

/** Evaluates several terms, calling `k` with every combination of their values. */
export function genAll(r: Run, items: Gen[], i: number, acc: Value[], f: Frame, k: (values: Value[]) => boolean): boolean {
  if (i === items.length) return k(acc.slice());
  return items[i]!(r, f, (v) => {
    acc[i] = v;
    return genAll(r, items, i + 1, acc, f, k);
  });
}

/**
 * The value of a complete rule or a function call, collected over its definitions and their
 * `else` chains: one object (and two closures) per evaluation instead of closures per branch.
 * Taken from and returned to its run state's idle list (`takeOutcome`, `releaseOutcome`), so a
 * reused run state evaluates rules without allocating them.
 */
class Outcome {
  value: Value | undefined = undefined;
  /** Whether the branch being evaluated produced a value. */
  found = false;
  /** Stop at the first value (default rules). */
  stopAtFirst = false;
  conflict = MSG_COMPLETE_CONFLICT;
  rule: CRule | undefined = undefined;
  f: Frame | undefined = undefined;
  branchValue: Gen | undefined = undefined;
  /** Continuation of a branch body: the branch's value, into `put`. */
  readonly k: K = () => this.branchValue!(this.r, this.f!, this.put);
  readonly put: VK = (v) => {
    this.found = true;
    if (this.value === undefined) this.value = v;
    else if (!equals(this.value, v)) throw new RegoEvalError(CONFLICT, this.conflict, this.rule!.loc);
    return this.stopAtFirst || this.rule!.constValue;
  };

  constructor(readonly r: Run) {}
}

/** Idle outcomes a run state keeps (the nesting depth of rule evaluation it has seen, at most). */
const IDLE_OUTCOMES = 32;

function takeOutcome(r: Run, conflict: string): Outcome {
  const o = r.idleOutcomes.pop() ?? new Outcome(r);
  o.conflict = conflict;
  return o;
}

/** The outcome's value; the outcome goes back to the idle list holding no values. */
function releaseOutcome(o: Outcome): Value | undefined {
  const v = o.value;
  o.value = undefined;
  o.found = false;
  o.stopAtFirst = false;
  o.rule = undefined;
  o.f = undefined;
  o.branchValue = undefined;
  if (o.r.idleOutcomes.length < IDLE_OUTCOMES) o.r.idleOutcomes.push(o);
  return v;
}

/** Evaluates a rule's body then, if it has no solution, its `else` chain in order. */
function evalBranches(o: Outcome, rule: CRule, f: Frame): boolean {
  for (const b of code(rule).branches) {
    o.rule = rule;
    o.f = f;
    o.found = false;
    o.branchValue = b.value;
    if (b.body(o.r, f, o.k)) return true;
    if (o.found) return false;
  }
  return false;
}

export function callUser(r: Run, g: RuleGroup, args: Value[]): Value | undefined {
  const o = takeOutcome(r, MSG_FUNCTION_CONFLICT);
  for (const rule of g.rules) {
    const f: Frame = new Array(rule.nslots);
    code(rule).args!(r, f, args, () => evalBranches(o, rule, f));
  }
  if (o.value === undefined && g.defaultRule) {
    const d = g.defaultRule;
    const f: Frame = new Array(d.nslots);
    o.stopAtFirst = true;
    code(d).args!(r, f, args, () => evalBranches(o, d, f));
  }
  return releaseOutcome(o);
}

// ---------------------------------------------------------------------------------------------
// Calls

export function findGroup(program: Program, path: readonly string[]): RuleGroup | undefined {
  let n: TreeNode | undefined = program.root;
  for (const s of path) {
    n = n.children.get(s);
    if (!n) return undefined;
  }
  return n.group;
}

export function callBuiltin(r: Run, fn: Extract<CFn, { kind: 'builtin' }>, args: Value[], loc: CRule['loc']): Value | undefined {
  let v: Value | undefined;
  const memoryBefore = r.memory;
  try {
    v = fn.builtin.fn(args, r.bctx);
  } catch (e) {
    if (e instanceof RegoEvalError) throw e;
    if (e instanceof BuiltinError) {
      if (r.strict) throw new RegoEvalError(e.code, e.message, loc);
      return undefined;
    }
    if (e instanceof RangeError) throw e;
    if (r.strict) throw new RegoEvalError('eval_builtin_error', `${fn.name}: ${(e as Error).message}`, loc);
    return undefined;
  }
  // A builtin that charged its own allocations (before making them) is not charged twice.
  if (r.memory === memoryBefore) r.chargeResult(v);
  else r.tick(1);
  return v;
}

/** The key a `with` mock of this function is stored under. */
export function mockKey(fn: CFn): string {
  return fn.kind === 'user' ? 'data.' + fn.path.join('.') : fn.name;
}

/** Calls a function (single value), honouring `with` mocks. */
export function callFn(r: Run, fn: CFn, args: Value[], loc: CRule['loc']): Value | undefined {
  if (r.mocks) {
    const m = r.mocks.get(mockKey(fn));
    if (m) {
      if (m.fn) {
        // OPA runs a replacement function without any mocks (it may call the original, and a
        // mock never calls another mock); a fresh memo keeps mocked and unmocked values apart.
        const saved = r.saveState();
        r.mocks = undefined;
        r.memo = new Array(r.program.nodeCount);
        try {
          return callFn(r, m.fn, args, loc);
        } finally {
          r.restoreState(saved);
        }
      }
      return m.value;
    }
  }
  switch (fn.kind) {
    case 'inline':
      return fn.name === 'equal' ? equals(args[0]!, args[1]!) : !equals(args[0]!, args[1]!);
    case 'builtin': {
      const v = callBuiltin(r, fn, args, loc);
      if (fn.builtin.relation) return Array.isArray(v) ? v[0] : undefined;
      return v;
    }
    case 'user': {
      const g = findGroup(r.program, fn.path);
      return g ? callUser(r, g, args) : undefined;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// with

export interface WithCode {
  kind: 'input' | 'data' | 'fn';
  path: string[];
  fnKey?: string;
  fn?: CFn;
  /** The first value of the replacement term. */
  value?: Det;
}

/** The values of `with … as <value>` modifiers; undefined when one is undefined. */
export function withValues(r: Run, withs: WithCode[], f: Frame): Array<Value | undefined> | undefined {
  const values: Array<Value | undefined> = [];
  for (const w of withs) {
    if (w.value) {
      const v = w.value(r, f);
      if (v === undefined) return undefined;
      values.push(v);
    } else values.push(undefined);
  }
  return values;
}

export function applyWith(r: Run, withs: WithCode[], values: Array<Value | undefined>): void {
  r.memo = new Array(r.program.nodeCount);
  withs.forEach((w, i) => {
    const v = values[i];
    if (w.kind === 'input') r.input = w.path.length === 0 ? v : setPath(r.input, w.path, v!);
    else if (w.kind === 'data') {
      r.data = setPath(r.data, w.path, v!);
      r.overrides = [...(r.overrides ?? []).filter((o) => !startsWith(o.path, w.path)), { path: w.path, value: v! }];
    } else {
      r.mocks = new Map(r.mocks ?? []);
      r.mocks.set(w.fnKey!, w.fn ? { fn: w.fn } : { value: v! });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Partial objects

/** Accumulates a (multi-level) partial object, detecting conflicting keys. */
class ObjNode {
  readonly map = new ValueMap<ObjNode | { leaf: Value } | { set: RegoSet }>();

  insert(keys: Value[], v: Value, leafSet: boolean, rule: CRule): void {
    let n: ObjNode = this;
    for (let i = 0; i < keys.length - 1; i++) {
      const cur = n.map.get(keys[i]!);
      if (cur === undefined) {
        const next = new ObjNode();
        n.map.set(keys[i]!, next);
        n = next;
      } else if (cur instanceof ObjNode) n = cur;
      else throw new RegoEvalError(CONFLICT, MSG_OBJECT_CONFLICT, rule.loc);
    }
    const last = keys[keys.length - 1]!;
    const cur = n.map.get(last);
    if (leafSet) {
      if (cur === undefined) n.map.set(last, { set: new RegoSet([v]) });
      else if ('set' in cur) cur.set.add(v);
      else throw new RegoEvalError(CONFLICT, MSG_OBJECT_CONFLICT, rule.loc);
      return;
    }
    if (cur === undefined) n.map.set(last, { leaf: v });
    else if (cur instanceof ObjNode || !('leaf' in cur) || !equals(cur.leaf, v)) throw new RegoEvalError(CONFLICT, MSG_OBJECT_CONFLICT, rule.loc);
  }

  toValue(): Value {
    const entries: Array<[Value, Value]> = [];
    for (const [kk, vv] of this.map.entries()) {
      entries.push([kk, vv instanceof ObjNode ? vv.toValue() : 'leaf' in vv ? vv.leaf : vv.set]);
    }
    return makeObject(entries);
  }
}

/** Turns an exception escaping evaluation into the public error shape. */
export function runError(e: unknown, r: Run | undefined): { code: string; message: string; location?: CRule['loc'] } {
  if (e instanceof RegoEvalError) return e.toRegoError();
  if (e instanceof RangeError) {
    // V8's own ceilings: a string or array beyond its maximum length is a memory problem, the
    // rest is recursion too deep for the stack.
    if (/Invalid (string|array|typed array) length|Array buffer allocation failed/.test(e.message)) {
      return { code: LIMIT_CODE, message: `evaluation exceeded the memory limit (${e.message})` };
    }
    return { code: LIMIT_CODE, message: `evaluation exceeded the stack depth limit (${e.message})` };
  }
  void r;
  return { code: 'internal_error', message: e instanceof Error ? e.message : String(e) };
}
