/**
 * Top-down backtracking evaluator over the compiled IR. Continuation-passing: each step calls
 * its continuation once per solution; a continuation returns `true` to stop the search (first
 * solution is enough: `not`, `every`, constant-valued rules). Variables live in a frame (one
 * array per rule evaluation) and are unbound when the continuation returns, so backtracking
 * needs no copying. Rules are evaluated lazily and memoised per evaluation; `with` swaps in a
 * fresh memo so memoised values never leak across scopes.
 */
import { termString } from './builtins/goformat.js';
import { BuiltinError, type BuiltinContext } from './builtins/registry.js';
import { CONFLICT, MSG_COMPLETE_CONFLICT, MSG_FUNCTION_CONFLICT, MSG_OBJECT_CONFLICT, RegoEvalError } from './errors.js';
import type { CBody, CFn, CLit, CRule, CTerm, CWith, RuleGroup, TreeNode } from './ir.js';
import type { LimitTracker } from './limits.js';
import {
  emptyObject,
  equals,
  isObject,
  makeObject,
  numberToString,
  objectEntries,
  objectGet,
  objectKeys,
  objectSize,
  RegoObject,
  RegoSet,
  setOwn,
  ValueMap,
  type PlainObject,
  type Value,
} from './value.js';

export type Frame = Array<Value | undefined>;
type K = () => boolean;
type VK = (v: Value) => boolean;

const UNDEF = Symbol('undefined');
const NONDET = Symbol('nondeterministic');
const IN_PROGRESS = Symbol('in-progress');
type MemoEntry = Value | typeof UNDEF | typeof IN_PROGRESS;

interface FnMock {
  fn?: CFn;
  value?: Value;
}

interface State {
  input: Value | undefined;
  data: Value;
  memo: Map<TreeNode, MemoEntry>;
  mocks: Map<string, FnMock> | undefined;
  overrides: Array<{ path: string[]; value: Value }> | undefined;
}

export interface EvaluatorOptions {
  input?: Value;
  data?: Value;
  strict?: boolean;
  nowNs?: bigint;
  seed?: number;
  /** Receives `print(...)` output; dropped when absent. */
  print?: (message: string) => void;
  /** Record the input paths the evaluation reads (see Evaluator.inputReads). */
  recordInputReads?: boolean;
}

const hasOwn = Object.prototype.hasOwnProperty;

export class Evaluator {
  input: Value | undefined;
  data: Value;
  memo = new Map<TreeNode, MemoEntry>();
  mocks: Map<string, FnMock> | undefined;
  overrides: Array<{ path: string[]; value: Value }> | undefined;
  readonly strict: boolean;
  private builtinContext: BuiltinContext | undefined;
  private readonly nowNs: bigint | undefined;
  private readonly seed: number;
  private readonly print: ((message: string) => void) | undefined;
  /**
   * The input paths read, as JSON arrays of their constant leading keys (`["Release","Version"]`;
   * `[]` when the whole input was taken as a value), so a caller knows which parts of the input a
   * decision depended on. Undefined unless `recordInputReads` is set: recording costs a little.
   */
  readonly inputReads: Set<string> | undefined;

  constructor(
    readonly root: TreeNode,
    readonly limits: LimitTracker,
    opts: EvaluatorOptions,
  ) {
    this.input = opts.input;
    this.data = opts.data ?? emptyObject();
    this.strict = opts.strict ?? false;
    this.nowNs = opts.nowNs;
    this.print = opts.print;
    this.seed = opts.seed ?? 0;
    if (opts.recordInputReads) this.inputReads = new Set();
  }

  private noteInputRead(path: readonly CTerm[], f: Frame | undefined): void {
    const keys: string[] = [];
    for (const p of path) {
      const key = p.k === 'const' ? p.v : p.k === 'var' && f ? f[p.slot] : undefined;
      if (typeof key !== 'string') break;
      keys.push(key);
    }
    this.inputReads!.add(JSON.stringify(keys));
  }

  /** Created on the first builtin call: most policies never need the clock or the cache. */
  get bctx(): BuiltinContext {
    if (!this.builtinContext) {
      const limits = this.limits;
      this.builtinContext = {
        strict: this.strict,
        nowNs: this.nowNs ?? BigInt(Date.now()) * 1_000_000n,
        cache: new Map(),
        seed: this.seed,
        tick(units: number): void {
          limits.tick(units);
        },
      };
    }
    return this.builtinContext;
  }

  // -------------------------------------------------------------------------------------------
  // Bodies and literals

  evalBody(lits: CLit[], i: number, f: Frame, k: K): boolean {
    // Deterministic literals (tests, and `x := <deterministic>`) run in this loop without
    // allocating a continuation; anything that may iterate falls back to continuation passing.
    for (; i < lits.length; i++) {
      this.limits.tick(1);
      const lit = lits[i]!;
      if (lit.with.length === 0) {
        const e = lit.expr;
        if (e.k === 'term') {
          const v = this.det(e.t, f);
          if (v !== NONDET) {
            const truthy = v !== undefined && v !== false;
            if (truthy === lit.negated) return false;
            continue;
          }
        } else if (e.k === 'unify' && !lit.negated && e.a.k === 'var' && f[e.a.slot] === undefined) {
          const v = this.det(e.b, f);
          if (v !== NONDET) {
            if (v === undefined) return false;
            const slot = e.a.slot;
            f[slot] = v;
            const stop = this.evalBody(lits, i + 1, f, k);
            f[slot] = undefined;
            return stop;
          }
        }
      }
      return this.evalLit(lit, f, () => this.evalBody(lits, i + 1, f, k));
    }
    return k();
  }

  /**
   * Evaluates a term that cannot iterate or bind (constants, bound variables, refs whose keys
   * are all known, calls of such terms) directly; NONDET when continuation passing is needed.
   */
  det(t: CTerm, f: Frame): Value | undefined | typeof NONDET {
    switch (t.k) {
      case 'const':
        return t.v;
      case 'var':
        return f[t.slot] === undefined ? NONDET : f[t.slot];
      case 'input':
        if (this.inputReads) this.noteInputRead([], undefined);
        return this.input;
      case 'ref': {
        const head = t.head;
        let v: Value | undefined;
        if (head.k === 'data') return this.dataDet(t.path, f);
        if (head.k === 'input') {
          if (this.inputReads) this.noteInputRead(t.path, f);
          v = this.input;
        } else if (head.k === 'var') {
          v = f[head.slot];
          if (v === undefined) return NONDET;
        } else {
          const hv = this.det(head, f);
          if (hv === NONDET) return NONDET;
          v = hv;
        }
        const path = t.path;
        for (let i = 0; i < path.length; i++) {
          const p = path[i]!;
          let key: Value | undefined;
          if (p.k === 'const') key = p.v;
          else if (p.k === 'var') {
            key = f[p.slot];
            if (key === undefined) return NONDET;
          } else return NONDET;
          if (v === undefined) return undefined;
          v = getChild(v, key);
        }
        return v;
      }
      case 'call': {
        if (t.out || t.fn.kind === 'inline' && t.fn.name === 'print') return NONDET;
        if (t.fn.kind === 'builtin' && t.fn.builtin.relation) return NONDET;
        const args: Value[] = new Array(t.args.length);
        let undef = false;
        for (let i = 0; i < t.args.length; i++) {
          const a = this.det(t.args[i]!, f);
          if (a === NONDET) return NONDET;
          if (a === undefined) undef = true;
          else args[i] = a;
        }
        if (undef) return undefined;
        return this.callFn(t.fn, args, t);
      }
      default:
        return NONDET;
    }
  }

  private dataDet(path: CTerm[], f: Frame): Value | undefined | typeof NONDET {
    if (this.overrides) return NONDET;
    let node = this.root;
    let base: Value | undefined = this.data;
    let i = 0;
    for (; i < path.length && !node.group; i++) {
      const p = path[i]!;
      let key: Value | undefined;
      if (p.k === 'const') key = p.v;
      else if (p.k === 'var') {
        key = f[p.slot];
        if (key === undefined) return NONDET;
      } else return NONDET;
      if (typeof key !== 'string') return undefined;
      const child = node.children.get(key);
      base = base !== undefined ? getChildObject(base, key) : undefined;
      if (!child) {
        node = undefined as unknown as TreeNode;
        i++;
        break;
      }
      node = child;
    }
    let v: Value | undefined = node ? this.nodeValue(node, base) : base;
    for (; i < path.length; i++) {
      if (v === undefined) return undefined;
      const p = path[i]!;
      let key: Value | undefined;
      if (p.k === 'const') key = p.v;
      else if (p.k === 'var') {
        key = f[p.slot];
        if (key === undefined) return NONDET;
      } else return NONDET;
      v = getChild(v, key);
    }
    return v;
  }

  evalLit(lit: CLit, f: Frame, k: K): boolean {
    if (lit.with.length > 0) return this.evalWith(lit, f, k);
    return this.evalLitInner(lit, f, k);
  }

  evalLitInner(lit: CLit, f: Frame, k: K): boolean {
    if (lit.negated) return this.evalExpr(lit, f, STOP) ? false : k();
    return this.evalExpr(lit, f, k);
  }

  evalExpr(lit: CLit, f: Frame, k: K): boolean {
    const e = lit.expr;
    switch (e.k) {
      case 'term':
        return this.evalTerm(e.t, f, (v) => (v !== false ? k() : false));
      case 'unify':
        return this.unify(e.a, e.b, f, k);
      case 'somein':
        return this.evalTerm(e.coll, f, (c) => this.someIn(e.key, e.value, c, f, k));
      case 'every':
        return this.evalTerm(e.domain, f, (d) => this.every(e.key, e.value, d, e.body, f) && k());
      case 'noop':
        return k();
    }
  }

  private someIn(key: CTerm | undefined, value: CTerm, c: Value, f: Frame, k: K): boolean {
    if (Array.isArray(c)) {
      for (let i = 0; i < c.length; i++) if (this.someInEach(key, value, i, c[i]!, f, k)) return true;
      return false;
    }
    if (c instanceof RegoSet) {
      for (const m of c.values()) if (this.someInEach(key, value, m, m, f, k)) return true;
      return false;
    }
    if (c instanceof RegoObject) {
      for (const [kk, vv] of c.entries()) if (this.someInEach(key, value, kk, vv, f, k)) return true;
      return false;
    }
    if (c !== null && typeof c === 'object') {
      for (const kk of objectKeys(c as PlainObject)) if (this.someInEach(key, value, kk, (c as PlainObject)[kk as string]!, f, k)) return true;
    }
    return false;
  }

  private someInEach(key: CTerm | undefined, value: CTerm, kv: Value, vv: Value, f: Frame, k: K): boolean {
    this.limits.tick(1);
    if (key) return this.unifyValue(key, kv, f, () => this.unifyValue(value, vv, f, k));
    return this.unifyValue(value, vv, f, k);
  }

  private every(key: CTerm | undefined, value: CTerm, d: Value, body: CBody, f: Frame): boolean {
    if (Array.isArray(d)) {
      for (let i = 0; i < d.length; i++) if (!this.everyCheck(key, value, i, d[i]!, body, f)) return false;
      return true;
    }
    if (d instanceof RegoSet) {
      for (const m of d.values()) if (!this.everyCheck(key, value, m, m, body, f)) return false;
      return true;
    }
    if (isObject(d)) {
      for (const [kk, vv] of objectEntries(d)) if (!this.everyCheck(key, value, kk, vv, body, f)) return false;
      return true;
    }
    return false;
  }

  private everyCheck(key: CTerm | undefined, value: CTerm, kv: Value, vv: Value, body: CBody, f: Frame): boolean {
    this.limits.tick(1);
    if (key) return this.unifyValue(key, kv, f, () => this.unifyValue(value, vv, f, () => this.evalBody(body.lits, 0, f, STOP)));
    return this.unifyValue(value, vv, f, () => this.evalBody(body.lits, 0, f, STOP));
  }

  // -------------------------------------------------------------------------------------------
  // with

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

  /** The values of `with … as <value>` modifiers (first result each); undefined when one is undefined. */
  private withValues(withs: CWith[], f: Frame): Array<Value | undefined> | undefined {
    const values: Array<Value | undefined> = [];
    for (const w of withs) {
      if (w.value) {
        let first: Value | undefined;
        this.evalTerm(w.value, f, (v) => ((first = v), true));
        if (first === undefined) return undefined;
        values.push(first);
      } else values.push(undefined);
    }
    return values;
  }

  private evalWith(lit: CLit, f: Frame, k: K): boolean {
    const values = this.withValues(lit.with, f);
    if (!values) return false;
    const outer = this.saveState();
    this.applyWith(lit.with, values);
    const inner = this.saveState();
    let result: boolean;
    try {
      result = this.evalLitInner(lit, f, () => {
        this.restoreState(outer);
        const r = k();
        this.restoreState(inner);
        return r;
      });
    } finally {
      this.restoreState(outer);
    }
    return result;
  }

  private applyWith(withs: CWith[], values: Array<Value | undefined>): void {
    this.memo = new Map();
    withs.forEach((w, i) => {
      const v = values[i];
      if (w.kind === 'input') this.input = w.path.length === 0 ? v : setPath(this.input, w.path, v!);
      else if (w.kind === 'data') {
        this.data = setPath(this.data, w.path, v!);
        this.overrides = [...(this.overrides ?? []).filter((o) => !startsWith(o.path, w.path)), { path: w.path, value: v! }];
      } else {
        this.mocks = new Map(this.mocks ?? []);
        this.mocks.set(w.fnKey!, w.fn ? { fn: w.fn } : { value: v! });
      }
    });
  }

  // -------------------------------------------------------------------------------------------
  // Terms

  evalTerm(t: CTerm, f: Frame, k: VK): boolean {
    switch (t.k) {
      case 'const':
        return k(t.v);
      case 'var': {
        const v = f[t.slot];
        return v === undefined ? false : k(v);
      }
      case 'input':
        if (this.inputReads) this.noteInputRead([], undefined);
        return this.input === undefined ? false : k(this.input);
      case 'data': {
        const v = this.dataAt([]);
        return v === undefined ? false : k(v);
      }
      case 'ref': {
        const v = this.det(t, f);
        if (v !== NONDET) return v === undefined ? false : k(v);
        return this.evalRef(t.head, t.path, f, k);
      }
      case 'array':
        return this.evalItems(t.items, 0, [], f, (items) => k(items));
      case 'set':
        return this.evalItems(t.items, 0, [], f, (items) => k(new RegoSet(items)));
      case 'object':
        return this.evalEntries(t.entries, 0, [], f, (entries) => k(makeObject(entries)));
      case 'arraycompr': {
        const out: Value[] = [];
        this.evalBody(t.body.lits, 0, f, () => this.evalTerm(t.term, f, (v) => (out.push(v), false)));
        return k(out);
      }
      case 'setcompr': {
        const out = new RegoSet();
        this.evalBody(t.body.lits, 0, f, () => this.evalTerm(t.term, f, (v) => (out.add(v), false)));
        return k(out);
      }
      case 'objectcompr': {
        const out = new ValueMap<Value>();
        this.evalBody(t.body.lits, 0, f, () =>
          this.evalTerm(t.key, f, (kv) =>
            this.evalTerm(t.value, f, (vv) => {
              const prev = out.get(kv);
              if (prev !== undefined && !equals(prev, vv)) throw new RegoEvalError(CONFLICT, MSG_OBJECT_CONFLICT);
              out.set(kv, vv);
              return false;
            }),
          ),
        );
        return k(makeObject(out.entries()));
      }
      case 'call': {
        const v = this.det(t, f);
        if (v !== NONDET) return v === undefined ? false : k(v);
        return this.evalCall(t, f, k);
      }
      case 'member':
        return this.evalTerm(t.coll, f, (c) =>
          this.evalTerm(t.value, f, (v) => {
            if (!t.key) return k(member2(v, c));
            return this.evalTerm(t.key, f, (kv) => k(member3(kv, v, c)));
          }),
        );
      case 'template':
        return this.evalTemplate(t.parts, t.withs, 0, '', f, k);
    }
  }

  private evalTemplate(parts: Array<string | CTerm>, withs: Array<CWith[] | undefined> | undefined, i: number, acc: string, f: Frame, k: VK): boolean {
    if (i === parts.length) return k(acc);
    const p = parts[i]!;
    if (typeof p === 'string') return this.evalTemplate(parts, withs, i + 1, acc + p, f, k);
    const ws = withs?.[i];
    if (ws && ws.length) {
      let first: Value | undefined;
      this.underWith(ws, f, () => this.evalTerm(p, f, (v) => ((first = v), true)));
      return this.evalTemplate(parts, withs, i + 1, acc + (first === undefined ? '<undefined>' : templateString(first)), f, k);
    }
    let any = false;
    const stop = this.evalTerm(p, f, (v) => {
      any = true;
      return this.evalTemplate(parts, withs, i + 1, acc + templateString(v), f, k);
    });
    if (!any) return this.evalTemplate(parts, withs, i + 1, acc + '<undefined>', f, k);
    return stop;
  }

  /** Runs `run` with the modifiers applied (a self-contained evaluation: no continuation escapes). */
  private underWith(withs: CWith[], f: Frame, run: () => boolean): boolean {
    const values = this.withValues(withs, f);
    if (!values) return false;
    const outer = this.saveState();
    this.applyWith(withs, values);
    try {
      return run();
    } finally {
      this.restoreState(outer);
    }
  }

  private evalItems(items: CTerm[], i: number, acc: Value[], f: Frame, k: (items: Value[]) => boolean): boolean {
    if (i === items.length) return k(acc.slice());
    return this.evalTerm(items[i]!, f, (v) => {
      acc[i] = v;
      return this.evalItems(items, i + 1, acc, f, k);
    });
  }

  private evalEntries(entries: Array<[CTerm, CTerm]>, i: number, acc: Array<[Value, Value]>, f: Frame, k: (e: Array<[Value, Value]>) => boolean): boolean {
    if (i === entries.length) return k(acc.slice());
    const [kt, vt] = entries[i]!;
    return this.evalTerm(kt, f, (kv) =>
      this.evalTerm(vt, f, (vv) => {
        acc[i] = [kv, vv];
        return this.evalEntries(entries, i + 1, acc, f, k);
      }),
    );
  }

  // -------------------------------------------------------------------------------------------
  // References

  evalRef(head: CTerm, path: CTerm[], f: Frame, k: VK): boolean {
    switch (head.k) {
      case 'data':
        return this.evalDataRef(path, f, k);
      case 'input':
        if (this.inputReads) this.noteInputRead(path, f);
        return this.input === undefined ? false : this.walk(this.input, path, 0, f, k);
      case 'var': {
        const v = f[head.slot];
        return v === undefined ? false : this.walk(v, path, 0, f, k);
      }
      default:
        return this.evalTerm(head, f, (v) => this.walk(v, path, 0, f, k));
    }
  }

  /** Indexes `v` by path[i..], iterating where a path variable is unbound. */
  walk(v: Value, path: CTerm[], i: number, f: Frame, k: VK): boolean {
    for (; i < path.length; i++) {
      const p = path[i]!;
      let key: Value | undefined;
      if (p.k === 'const') key = p.v;
      else if (p.k === 'var') {
        key = f[p.slot];
        if (key === undefined) return this.iterate(v, p.slot, path, i, f, k);
      } else if ((p.k === 'array' || p.k === 'object') && hasUnboundPattern(p, f)) {
        return this.iterateMatching(v, p, path, i, f, k);
      } else {
        const base = v;
        return this.evalTerm(p, f, (kv) => {
          const child = getChild(base, kv);
          return child !== undefined && this.walk(child, path, i + 1, f, k);
        });
      }
      const child = getChild(v, key);
      if (child === undefined) return false;
      v = child;
    }
    return k(v);
  }

  private iterateMatching(v: Value, p: CTerm, path: CTerm[], i: number, f: Frame, k: VK): boolean {
    const each = (key: Value, child: Value): boolean => {
      this.limits.tick(1);
      return this.unifyValue(p, key, f, () => this.walk(child, path, i + 1, f, k));
    };
    if (Array.isArray(v)) {
      for (let j = 0; j < v.length; j++) if (each(j, v[j]!)) return true;
    } else if (v instanceof RegoSet) {
      for (const m of v.values()) if (each(m, m)) return true;
    } else if (isObject(v)) {
      for (const [kk, vv] of objectEntries(v)) if (each(kk, vv)) return true;
    }
    return false;
  }

  private iterate(v: Value, slot: number, path: CTerm[], i: number, f: Frame, k: VK): boolean {
    const limits = this.limits;
    if (Array.isArray(v)) {
      for (let j = 0; j < v.length; j++) {
        limits.tick(1);
        f[slot] = j;
        const stop = this.walk(v[j]!, path, i + 1, f, k);
        f[slot] = undefined;
        if (stop) return true;
      }
      return false;
    }
    if (v instanceof RegoSet) {
      for (const m of v.values()) {
        limits.tick(1);
        f[slot] = m;
        const stop = this.walk(m, path, i + 1, f, k);
        f[slot] = undefined;
        if (stop) return true;
      }
      return false;
    }
    if (v instanceof RegoObject) {
      for (const [kk, vv] of v.entries()) {
        limits.tick(1);
        f[slot] = kk;
        const stop = this.walk(vv, path, i + 1, f, k);
        f[slot] = undefined;
        if (stop) return true;
      }
      return false;
    }
    if (v !== null && typeof v === 'object') {
      const o = v as PlainObject;
      for (const kk of Object.keys(o)) {
        limits.tick(1);
        f[slot] = kk;
        const stop = this.walk(o[kk]!, path, i + 1, f, k);
        f[slot] = undefined;
        if (stop) return true;
      }
    }
    return false;
  }

  private evalDataRef(path: CTerm[], f: Frame, k: VK): boolean {
    return this.descend(this.root, this.data, path, 0, f, k);
  }

  /** Follows a data ref down the rule tree, so only the rules on the path are evaluated. */
  private descend(node: TreeNode, base: Value | undefined, path: CTerm[], i: number, f: Frame, k: VK): boolean {
    for (; i < path.length; i++) {
      if (this.overrides) {
        const ov = this.overrideAt(node.path);
        if (ov !== undefined) return this.walk(ov, path, i, f, k);
      }
      if (node.group) break;
      const p = path[i]!;
      let key: Value | undefined;
      if (p.k === 'const') key = p.v;
      else if (p.k === 'var') {
        key = f[p.slot];
        if (key === undefined) return this.iterateNode(node, base, p.slot, path, i, f, k);
      } else {
        const n = node;
        const b = base;
        return this.evalTerm(p, f, (kv) => this.stepNode(n, b, kv, path, i, f, k));
      }
      if (typeof key !== 'string') return false;
      const child = node.children.get(key);
      const childBase: Value | undefined = base !== undefined ? getChildObject(base, key) : undefined;
      if (!child) {
        if (childBase === undefined) return false;
        return this.walk(childBase, path, i + 1, f, k);
      }
      node = child;
      base = childBase;
    }
    const v = this.nodeValue(node, base);
    if (v === undefined) return false;
    return this.walk(v, path, i, f, k);
  }

  private stepNode(node: TreeNode, base: Value | undefined, key: Value, path: CTerm[], i: number, f: Frame, k: VK): boolean {
    if (typeof key !== 'string') return false;
    const child = node.children.get(key);
    const childBase: Value | undefined = base !== undefined ? getChildObject(base, key) : undefined;
    if (!child) return childBase !== undefined && this.walk(childBase, path, i + 1, f, k);
    return this.descend(child, childBase, path, i + 1, f, k);
  }

  private iterateNode(node: TreeNode, base: Value | undefined, slot: number, path: CTerm[], i: number, f: Frame, k: VK): boolean {
    const keys = new Set<string>();
    for (const [name, child] of node.children) if (!(child.group?.kind === 'function' && child.children.size === 0)) keys.add(name);
    if (base !== undefined && isObject(base)) for (const kk of objectKeys(base)) if (typeof kk === 'string') keys.add(kk);
    for (const kk of [...keys].sort()) {
      this.limits.tick(1);
      f[slot] = kk;
      const stop = this.stepNode(node, base, kk, path, i, f, k);
      f[slot] = undefined;
      if (stop) return true;
    }
    return false;
  }

  /** The value of `data` at a constant path (virtual and base documents merged). */
  dataAt(path: string[]): Value | undefined {
    let result: Value | undefined;
    this.evalDataRef(
      path.map((s) => ({ k: 'const', v: s })),
      [],
      (v) => ((result = v), true),
    );
    return result;
  }

  private overrideAt(path: string[]): Value | undefined {
    for (const o of this.overrides!) if (o.path.length === path.length && startsWith(path, o.path)) return o.value;
    return undefined;
  }

  nodeValue(node: TreeNode, base: Value | undefined): Value | undefined {
    const memo = this.memo.get(node);
    if (memo !== undefined) {
      if (memo === UNDEF) return undefined;
      if (memo === IN_PROGRESS) throw new RegoEvalError('rego_recursion_error', `rule ${node.group?.name ?? node.path.join('.')} is recursive`);
      return memo;
    }
    if (this.overrides) {
      const ov = this.overrideAt(node.path);
      if (ov !== undefined) return ov;
    }
    this.memo.set(node, IN_PROGRESS);
    let v: Value | undefined;
    try {
      const gv = node.group && node.group.kind !== 'function' ? this.evalGroup(node.group) : undefined;
      if (node.children.size > 0) {
        const out = new ValueMap<Value>();
        if (base !== undefined && isObject(base)) for (const [kk, vv] of objectEntries(base)) out.set(kk, vv);
        if (gv !== undefined && isObject(gv)) for (const [kk, vv] of objectEntries(gv)) out.set(kk, vv);
        for (const [name, child] of node.children) {
          if (child.group?.kind === 'function' && child.children.size === 0) continue;
          const cb = base !== undefined && isObject(base) ? objectGet(base, name) : undefined;
          const cv = this.nodeValue(child, cb);
          if (cv !== undefined) {
            const prev = out.get(name);
            if (prev !== undefined && gv !== undefined && !equals(prev, cv) && isObject(gv) && objectGet(gv, name) !== undefined) {
              throw new RegoEvalError(CONFLICT, MSG_OBJECT_CONFLICT);
            }
            out.set(name, cv);
          }
        }
        v = gv !== undefined && !isObject(gv) ? gv : makeObject(out.entries());
      } else v = gv !== undefined ? gv : base;
      if (v !== undefined && this.overrides) {
        for (const o of this.overrides) {
          if (o.path.length > node.path.length && startsWith(o.path, node.path) && !node.children.has(o.path[node.path.length]!)) {
            v = setPath(v, o.path.slice(node.path.length), o.value);
          }
        }
      }
    } catch (e) {
      this.memo.delete(node);
      throw e;
    }
    this.memo.set(node, v === undefined ? UNDEF : v);
    return v;
  }

  // -------------------------------------------------------------------------------------------
  // Rules

  private evalGroup(g: RuleGroup): Value | undefined {
    switch (g.kind) {
      case 'complete': {
        let value: Value | undefined;
        for (const rule of g.rules) {
          const f: Frame = new Array(rule.nslots);
          this.evalBranches(rule, f, (v) => {
            if (value === undefined) value = v;
            else if (!equals(value, v)) throw new RegoEvalError(CONFLICT, MSG_COMPLETE_CONFLICT, rule.loc);
            return rule.constValue;
          });
        }
        if (value === undefined && g.defaultRule) {
          const d = g.defaultRule;
          this.evalBranches(d, new Array(d.nslots), (v) => ((value = v), true));
        }
        return value;
      }
      case 'set': {
        const out = new RegoSet();
        for (const rule of g.rules) {
          const f: Frame = new Array(rule.nslots);
          for (const b of rule.branches) {
            this.evalBody(b.body.lits, 0, f, () => this.evalTerm(rule.key!, f, (v) => (out.add(v), false)));
          }
        }
        return out;
      }
      case 'object': {
        const root = new ObjNode();
        for (const rule of g.rules) {
          const f: Frame = new Array(rule.nslots);
          const keys = rule.refKeys!;
          for (const b of rule.branches) {
            let found = false;
            this.evalBody(b.body.lits, 0, f, () =>
              this.evalItems(keys, 0, [], f, (kvs) => {
                found = true;
                if (g.leafSet) return this.evalTerm(rule.key!, f, (el) => (root.insert(kvs, el, true, rule), false));
                return this.evalTerm(b.value, f, (v) => (root.insert(kvs, v, false, rule), false));
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

  /** Evaluates a rule's body then, if it has no solution, its `else` chain in order. */
  private evalBranches(rule: CRule, f: Frame, record: VK): boolean {
    for (const b of rule.branches) {
      let found = false;
      const stop = this.evalBody(b.body.lits, 0, f, () =>
        this.evalTerm(b.value, f, (v) => {
          found = true;
          return record(v);
        }),
      );
      if (stop) return true;
      if (found) return false;
    }
    return false;
  }

  // -------------------------------------------------------------------------------------------
  // Calls

  private evalCall(t: Extract<CTerm, { k: 'call' }>, f: Frame, k: VK): boolean {
    if (t.fn.kind === 'inline' && t.fn.name === 'print') {
      const parts = t.args.map((a) => {
        let first: Value | undefined;
        this.evalTerm(a, f, (v) => ((first = v), true));
        return first === undefined ? '<undefined>' : templateString(first);
      });
      this.print?.(parts.join(' '));
      return k(true);
    }
    return this.evalItems(t.args, 0, [], f, (args) => {
      const fn = t.fn;
      if (fn.kind === 'inline' && !this.mocks) {
        const r = fn.name === 'equal' ? equals(args[0]!, args[1]!) : !equals(args[0]!, args[1]!);
        return t.out ? this.unifyValue(t.out, r, f, () => k(true)) : k(r);
      }
      if (fn.kind === 'builtin' && fn.builtin.relation && !this.mocks?.has(fn.name)) {
        const rows = this.callBuiltin(fn, args, t);
        if (!Array.isArray(rows)) return false;
        for (const row of rows) {
          if (t.out ? this.unifyValue(t.out, row, f, () => k(true)) : k(row)) return true;
        }
        return false;
      }
      const r = this.callFn(fn, args, t);
      if (r === undefined) return false;
      if (t.out) return this.unifyValue(t.out, r, f, () => k(true));
      return k(r);
    });
  }

  callFn(fn: CFn, args: Value[], site: Extract<CTerm, { k: 'call' }>): Value | undefined {
    if (this.mocks) {
      const key = fn.kind === 'user' ? 'data.' + fn.path.join('.') : fn.name;
      const m = this.mocks.get(key);
      if (m) {
        if (m.fn) {
          // OPA runs a replacement function without any mocks (it may call the original, and a
          // mock never calls another mock); a fresh memo keeps mocked and unmocked values apart.
          const saved = this.saveState();
          this.mocks = undefined;
          this.memo = new Map();
          try {
            return this.callFn(m.fn, args, site);
          } finally {
            this.restoreState(saved);
          }
        }
        return m.value;
      }
    }
    switch (fn.kind) {
      case 'inline':
        return fn.name === 'equal' ? equals(args[0]!, args[1]!) : !equals(args[0]!, args[1]!);
      case 'builtin': {
        const r = this.callBuiltin(fn, args, site);
        if (fn.builtin.relation) return Array.isArray(r) ? r[0] : undefined;
        return r;
      }
      case 'user':
        return this.callUser(fn, args);
    }
  }

  private callBuiltin(fn: Extract<CFn, { kind: 'builtin' }>, args: Value[], site: Extract<CTerm, { k: 'call' }>): Value | undefined {
    try {
      return fn.builtin.fn(args, this.bctx);
    } catch (e) {
      if (e instanceof RegoEvalError) throw e;
      if (e instanceof BuiltinError) {
        if (this.strict) throw new RegoEvalError(e.code, e.message, site.loc);
        return undefined;
      }
      if (e instanceof RangeError) throw e;
      if (this.strict) throw new RegoEvalError('eval_builtin_error', `${fn.name}: ${(e as Error).message}`, site.loc);
      return undefined;
    }
  }

  private groupCache = new Map<string, RuleGroup | undefined>();

  private findGroup(path: string[]): RuleGroup | undefined {
    const key = path.join('\u0000');
    if (this.groupCache.has(key)) return this.groupCache.get(key);
    let n: TreeNode | undefined = this.root;
    for (const s of path) {
      n = n?.children.get(s);
      if (!n) break;
    }
    this.groupCache.set(key, n?.group);
    return n?.group;
  }

  private callUser(fn: Extract<CFn, { kind: 'user' }>, args: Value[]): Value | undefined {
    const g = this.findGroup(fn.path);
    if (!g) return undefined;
    let result: Value | undefined;
    for (const rule of g.rules) {
      const f: Frame = new Array(rule.nslots);
      this.unifyAll(rule.args!, args, 0, f, () =>
        this.evalBranches(rule, f, (v) => {
          if (result === undefined) result = v;
          else if (!equals(result, v)) throw new RegoEvalError(CONFLICT, MSG_FUNCTION_CONFLICT, rule.loc);
          return rule.constValue;
        }),
      );
    }
    if (result === undefined && g.defaultRule) {
      const d = g.defaultRule;
      const f: Frame = new Array(d.nslots);
      this.unifyAll(d.args!, args, 0, f, () => this.evalBranches(d, f, (v) => ((result = v), true)));
    }
    return result;
  }

  private unifyAll(patterns: CTerm[], values: Value[], i: number, f: Frame, k: K): boolean {
    if (i === patterns.length) return k();
    return this.unifyValue(patterns[i]!, values[i]!, f, () => this.unifyAll(patterns, values, i + 1, f, k));
  }

  // -------------------------------------------------------------------------------------------
  // Unification

  unify(a: CTerm, b: CTerm, f: Frame, k: K): boolean {
    if (a.k === 'var' && f[a.slot] === undefined) return this.evalTerm(b, f, (v) => this.unifyValue(a, v, f, k));
    if (b.k === 'var' && f[b.slot] === undefined) return this.evalTerm(a, f, (v) => this.unifyValue(b, v, f, k));
    if (a.k === 'array' && b.k === 'array') {
      if (a.items.length !== b.items.length) return false;
      return this.unifyPairs(a.items, b.items, 0, f, k);
    }
    if (a.k === 'object' && b.k === 'object' && a.entries.length === b.entries.length) {
      const bs: CTerm[] = [];
      for (const [ka] of a.entries) {
        const m = ka.k === 'const' ? b.entries.find(([kb]) => kb.k === 'const' && equals(kb.v, ka.v)) : undefined;
        if (!m) {
          bs.length = 0;
          break;
        }
        bs.push(m[1]);
      }
      if (bs.length === a.entries.length) {
        return this.unifyPairs(
          a.entries.map((e) => e[1]),
          bs,
          0,
          f,
          k,
        );
      }
    }
    if (hasUnboundPattern(a, f)) return this.evalTerm(b, f, (v) => this.unifyValue(a, v, f, k));
    return this.evalTerm(a, f, (v) => this.unifyValue(b, v, f, k));
  }

  private unifyPairs(as: CTerm[], bs: CTerm[], i: number, f: Frame, k: K): boolean {
    if (i === as.length) return k();
    return this.unify(as[i]!, bs[i]!, f, () => this.unifyPairs(as, bs, i + 1, f, k));
  }

  unifyValue(p: CTerm, v: Value, f: Frame, k: K): boolean {
    switch (p.k) {
      case 'const':
        return equals(p.v, v) && k();
      case 'var': {
        const cur = f[p.slot];
        if (cur === undefined) {
          f[p.slot] = v;
          const r = k();
          f[p.slot] = undefined;
          return r;
        }
        return equals(cur, v) && k();
      }
      case 'array':
        if (!Array.isArray(v) || v.length !== p.items.length) return false;
        return this.unifyItems(p.items, v, 0, f, k);
      case 'object': {
        if (!isObject(v) || objectSize(v) !== p.entries.length) return false;
        return this.unifyObject(p.entries, v, 0, f, k);
      }
      default:
        return this.evalTerm(p, f, (pv) => equals(pv, v) && k());
    }
  }

  private unifyItems(items: CTerm[], v: Value[], i: number, f: Frame, k: K): boolean {
    if (i === items.length) return k();
    return this.unifyValue(items[i]!, v[i]!, f, () => this.unifyItems(items, v, i + 1, f, k));
  }

  private unifyObject(entries: Array<[CTerm, CTerm]>, v: PlainObject | RegoObject, i: number, f: Frame, k: K): boolean {
    if (i === entries.length) return k();
    const [kt, vt] = entries[i]!;
    return this.evalTerm(kt, f, (kv) => {
      const child = objectGet(v, kv);
      return child !== undefined && this.unifyValue(vt, child, f, () => this.unifyObject(entries, v, i + 1, f, k));
    });
  }
}

function STOP(): boolean {
  return true;
}

function hasUnboundPattern(t: CTerm, f: Frame): boolean {
  switch (t.k) {
    case 'var':
      return f[t.slot] === undefined;
    case 'array':
      return t.items.some((x) => hasUnboundPattern(x, f));
    case 'object':
      return t.entries.some(([, x]) => hasUnboundPattern(x, f));
    default:
      return false;
  }
}

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

function getChildObject(v: Value, key: string): Value | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof RegoSet) ? getChild(v, key) : undefined;
}

function member2(v: Value, c: Value): boolean {
  if (Array.isArray(c)) return c.some((x) => equals(x, v));
  if (c instanceof RegoSet) return c.has(v);
  if (isObject(c)) return objectEntries(c).some(([, x]) => equals(x, v));
  return false;
}

function member3(kv: Value, v: Value, c: Value): boolean {
  if (Array.isArray(c) || isObject(c)) {
    const x = getChild(c, kv);
    return x !== undefined && equals(x, v);
  }
  if (c instanceof RegoSet) return equals(kv, v) && c.has(v);
  return false;
}

function templateString(v: Value): string {
  if (typeof v === 'string') return v;
  return termString(v);
}


function startsWith(path: string[], prefix: string[]): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (path[i] !== prefix[i]) return false;
  return true;
}

/** Copy-on-write `o[path] = v`, creating objects along the way. */
export function setPath(o: Value | undefined, path: string[], v: Value): Value {
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
