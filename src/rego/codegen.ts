/**
 * Code generation: compiled IR (compiler.ts, scheduler.ts) → JavaScript closures, once per
 * compilation. Each literal becomes a closure specialised for its shape (a field read, a
 * comparison with a constant, `some x in coll`), so evaluating a body does no dispatch on node
 * kinds and allocates nothing per iteration.
 *
 * Boundness is static: bodies are scheduled so every variable is bound by one literal before any
 * literal reads it, and this file follows the same order, tracking in `bound` which slots hold a
 * value at each point. A variable occurrence is therefore compiled either as a read or as a store,
 * never tested at run time, and a store needs no undo on backtracking (a later solution simply
 * overwrites it; nothing reads a slot the analysis considers unbound).
 *
 * Terms with at most one value compile to `Det` (`(run, frame) => value | undefined`), the rest to
 * `Gen` (continuation per value). Runs of deterministic literals execute in a loop, so long bodies
 * do not nest the JavaScript stack.
 */
import type { CBody, CExpr, CFn, CLit, CRule, CTerm, CWith, RuleGroup } from './ir.js';
import { RegoEvalError, CONFLICT, MSG_OBJECT_CONFLICT } from './errors.js';
import { SlotSet, argumentOrder } from './scheduler.js';
import { ELEMENT_BYTES, ENTRY_BYTES, STRING_HEADER_BYTES } from './limits.js';
import {
  applyWith,
  baseAt,
  callBuiltin,
  callFn,
  callUser,
  dataAt,
  descend,
  findGroup,
  forEachMember,
  genAll,
  getChild,
  getBaseChild,
  getChildObject,
  fieldGetter,
  member2,
  member3,
  mockKey,
  nodeValue,
  templateString,
  walk,
  walkDet,
  withValues,
  type Body,
  type Det,
  type Frame,
  type Gen,
  type K,
  type Pat,
  type Program,
  type RuleCode,
  type Run,
  type Step,
  type VK,
  type WithCode,
} from './evaluator.js';
import { equals, isObject, makeObject, objectGet, objectSize, RegoDecimal, RegoObject, RegoSet, ValueMap, type PlainObject, type Value } from './value.js';

/** A compiled term: one value (`det`) or many (`gen`); `konst` when it is a compile-time constant. */
interface CT {
  det?: Det;
  gen?: Gen;
  konst?: { v: Value };
}

type Getter = (v: Value | undefined) => Value | undefined;

/** A deterministic pattern match (binds, returns whether it matched). */
type DPat = (r: Run, f: Frame, v: Value) => boolean;
interface CP {
  pat: Pat;
  det?: DPat;
}

/** A deterministic literal: succeeds or fails, possibly binding variables. */
type DetLit = (r: Run, f: Frame) => boolean;
/** A unification: deterministic (`det`) or continuation passing (`cps`), exactly one of them. */
interface Unified {
  det?: DetLit;
  cps?: (r: Run, f: Frame, k: K) => boolean;
}
/** A literal that may have several solutions, given the rest of the body. */
type GenLit = (next: Body) => Body;
interface LitCode {
  det?: DetLit;
  gen?: GenLit;
}

/** Where a top-level query literal records its value (`expressions`). */
interface Record_ {
  index: number;
  falseIsUndefined: boolean;
}

/** What a consumed body's literals become once their code is made (see CodeGen.bodyOf). */
const RELEASED_LIT: CLit = Object.freeze({ negated: false, expr: Object.freeze({ k: 'noop' }), with: [], src: -1, index: -1 }) as CLit;

/**
 * Runs a call's argument generators in `order` (left to right when it is undefined); `k` gets
 * the values by argument position.
 */
function argsGen(gens: Gen[], order: number[] | undefined): (r: Run, f: Frame, k: (values: Value[]) => boolean) => boolean {
  if (!order) return (r, f, k) => genAll(r, gens, 0, [], f, k);
  const ordered = order.map((i) => gens[i]!);
  return (r, f, k) =>
    genAll(r, ordered, 0, [], f, (values) => {
      const placed = new Array<Value>(values.length);
      for (let j = 0; j < order.length; j++) placed[order[j]!] = values[j]!;
      return k(placed);
    });
}

/** What a rule's `branches` hold once its code is generated (see CodeGen.generate). */
const RELEASED_BRANCHES: CRule['branches'] = Object.freeze([]) as unknown as CRule['branches'];
const END: Body = (_r, _f, k) => k();
const SUCCEED: Body = () => true;
const STOP: K = () => true;

function toGen(ct: CT): Gen {
  if (ct.gen) return ct.gen;
  const d = ct.det!;
  return (r, f, k) => {
    const v = d(r, f);
    return v !== undefined && k(v);
  };
}

/** The first value of a term. */
function toFirst(ct: CT): Det {
  if (ct.det) return ct.det;
  const g = ct.gen!;
  return (r, f) => {
    let first: Value | undefined;
    g(r, f, (v) => ((first = v), true));
    return first;
  };
}

/** `x === c` when that is exactly Rego equality with the constant `c`. */
function equalsConst(c: Value): (v: Value) => boolean {
  if (typeof c === 'string' || typeof c === 'boolean' || c === null) return (v) => v === c;
  if (typeof c === 'number') return (v) => v === c || (typeof v === 'bigint' && equals(v, c));
  return (v) => equals(v, c);
}

function isCollection(v: Value): boolean {
  return v !== null && typeof v === 'object' && !(v instanceof RegoDecimal);
}

export class CodeGen {
  /** Readers of constant input paths (`input.a.b`) by path, shared within one compilation. */
  private readonly inputReaders = new Map<string, CT>();
  /**
   * The same for one-step paths (`input.x`), by the step's name: a long body reads them in most
   * literals, and finding the reader by name makes no key list or JSON text per occurrence.
   */
  private readonly inputFieldReaders = new Map<string, CT>();

  constructor(readonly program: Program) {}

  // -------------------------------------------------------------------------------------------
  // Rules and queries

  rules(groups: RuleGroup[]): void {
    for (const g of groups) {
      for (const rule of g.rules) this.generate(rule);
      if (g.defaultRule) this.generate(g.defaultRule);
    }
  }

  /**
   * Generates a rule's code and lets go of its compiled bodies: evaluation runs only the code, and
   * a long body's compiled form is as large as its code, so a policy then keeps about half as much.
   */
  private generate(rule: CRule): void {
    rule.code = this.rule(rule);
    rule.branches = RELEASED_BRANCHES;
  }

  rule(rule: CRule): RuleCode {
    const bound = new SlotSet();
    let args: RuleCode['args'];
    if (rule.args) {
      const pats = rule.args.map((a) => this.pattern(a, bound));
      if (pats.every((p) => p.det)) {
        const dets = pats.map((p) => p.det!);
        const n = dets.length;
        args = (r, f, values, k) => {
          for (let i = 0; i < n; i++) if (!dets[i]!(r, f, values[i]!)) return false;
          return k();
        };
      } else {
        const cps = pats.map((p) => p.pat);
        const match = (r: Run, f: Frame, values: Value[], i: number, k: K): boolean =>
          i === cps.length ? k() : cps[i]!(r, f, values[i]!, () => match(r, f, values, i + 1, k));
        args = (r, f, values, k) => match(r, f, values, 0, k);
      }
    }
    const branches = rule.branches.map((br) => {
      const b = bound.child();
      const body = this.bodyOf(br.body.lits, b, false, true);
      const refKeys = rule.refKeys?.map((t) => toGen(this.term(t, b)));
      const key = rule.key ? toGen(this.term(rule.key, b)) : undefined;
      const value = toGen(this.term(br.value, b));
      return { body, value, ...(key ? { key } : {}), ...(refKeys ? { refKeys } : {}) };
    });
    return args ? { args, branches } : { branches };
  }

  /** A top-level query: like a body, but term literals record their value for `expressions`. */
  query(body: CBody): Body {
    return this.bodyOf(body.lits, new SlotSet(), true, true);
  }

  body(lits: CLit[], bound: SlotSet): Body {
    return this.bodyOf(lits, bound, false);
  }

  /**
   * `consume`: the body's compiled form is not needed afterwards (a rule's or query's own body),
   * so each literal is let go of once its code is made: a long body's compiled form then shrinks
   * while its code grows, instead of both being alive until the end.
   */
  private bodyOf(lits: CLit[], bound: SlotSet, isQuery: boolean, consume = false): Body {
    // Each literal's code, deterministic or not, in two lists: the `LitCode` wrapper dies at once
    // instead of living (and being copied by the collector) until the body is assembled.
    const n = lits.length;
    const dets: Array<DetLit | undefined> = new Array<DetLit | undefined>(n);
    const gens: Array<GenLit | undefined> = new Array<GenLit | undefined>(n);
    for (let i = 0; i < n; i++) {
      const lit = lits[i]!;
      let record: Record_ | undefined;
      if (isQuery && lit.expr.k === 'term' && !lit.negated && lit.with.length === 0) {
        // Like OPA, a query that is a plain value (`data.pkg.allow`) reports `false` as a value;
        // a false comparison or call makes the query undefined.
        record = { index: lit.index, falseIsUndefined: lit.expr.t.k === 'call' || lit.expr.t.k === 'member' };
      }
      const code = this.lit(lit, bound, record);
      if (code.det) dets[i] = code.det;
      else gens[i] = code.gen!;
      if (consume) lits[i] = RELEASED_LIT;
    }
    return assemble(dets, gens);
  }

  // -------------------------------------------------------------------------------------------
  // Literals

  private lit(lit: CLit, bound: SlotSet, record?: Record_): LitCode {
    if (lit.with.length > 0) return this.withLit(lit, bound);
    if (lit.negated) {
      const inner = this.positive(lit.expr, bound.child(), undefined);
      if (inner.det) {
        const d = inner.det;
        return { det: (r, f) => !d(r, f) };
      }
      const run = inner.gen!(SUCCEED);
      return { det: (r, f) => !run(r, f, STOP) };
    }
    return this.positive(lit.expr, bound, record);
  }

  private positive(e: CExpr, bound: SlotSet, record: Record_ | undefined): LitCode {
    switch (e.k) {
      case 'term':
        return this.termLit(e.t, bound, record);
      case 'unify':
        return this.unifyLit(e.a, e.b, bound);
      case 'somein':
        return this.someIn(e, bound);
      case 'every':
        return this.every(e, bound);
      case 'noop':
        return { det: () => true };
    }
  }

  private termLit(t: CTerm, bound: SlotSet, record: Record_ | undefined): LitCode {
    const test = record ? undefined : this.constComparisonLit(t, bound);
    if (test) return { det: test };
    const ct = this.term(t, bound);
    if (record) {
      const { index, falseIsUndefined } = record;
      const keep = (r: Run, v: Value): boolean => {
        if (v === false && falseIsUndefined) return false;
        r.exprValues![index] = v;
        return true;
      };
      if (ct.det) {
        const d = ct.det;
        return {
          det: (r, f) => {
            const v = d(r, f);
            return v !== undefined && keep(r, v);
          },
        };
      }
      const g = ct.gen!;
      return { gen: (next) => (r, f, k) => g(r, f, (v) => keep(r, v) && next(r, f, k)) };
    }
    if (ct.det) {
      const d = ct.det;
      return {
        det: (r, f) => {
          const v = d(r, f);
          return v !== undefined && v !== false;
        },
      };
    }
    const g = ct.gen!;
    return { gen: (next) => (r, f, k) => g(r, f, (v) => v !== false && next(r, f, k)) };
  }

  /**
   * `a == <constant>` (or `!=`) as a literal: the test itself, without the wrapper turning the
   * comparison's value into the literal's success (one call fewer on the hottest literals).
   * Undefined for anything else.
   */
  private constComparisonLit(t: CTerm, bound: SlotSet): DetLit | undefined {
    if (t.k !== 'call' || t.out || t.fn.kind !== 'inline' || t.fn.name === 'print' || t.args.length !== 2) return undefined;
    const [t0, t1] = t.args as [CTerm, CTerm];
    const constRight = t1.k === 'const';
    // Decided before generating any code: the other side must have one value and bind nothing.
    if (!(constRight ? plainRead(t0, bound) : t0.k === 'const' && plainRead(t1, bound))) return undefined;
    const other = this.term(constRight ? t0 : t1, bound).det!;
    const c = this.term(constRight ? t1 : t0, bound).konst!;
    const eq = equalsConst(c.v);
    const cv = c.v;
    const fn = t.fn;
    const negate = fn.name === 'neq';
    const loc = t.loc;
    return (r, f) => {
      const v = other(r, f);
      if (v === undefined) return false;
      if (r.mocks) {
        const m = callFn(r, fn, constRight ? [v, cv] : [cv, v], loc);
        return m !== undefined && m !== false;
      }
      return eq(v) !== negate;
    };
  }

  private withLit(lit: CLit, bound: SlotSet): LitCode {
    const withs: WithCode[] = lit.with.map((w) => this.withCode(w, bound.child()));
    const inner = this.lit({ ...lit, with: [] }, bound);
    const innerBody: Body = inner.det ? ((d) => (r, f, k) => d(r, f) && k())(inner.det) : inner.gen!(END);
    return {
      gen: (next) => (r, f, k) => {
        const values = withValues(r, withs, f);
        if (!values) return false;
        const outer = r.saveState();
        applyWith(r, withs, values);
        const innerState = r.saveState();
        try {
          return innerBody(r, f, () => {
            r.restoreState(outer);
            const stop = next(r, f, k);
            r.restoreState(innerState);
            return stop;
          });
        } finally {
          r.restoreState(outer);
        }
      },
    };
  }

  private withCode(w: CWith, bound: SlotSet): WithCode {
    const out: WithCode = { kind: w.kind, path: w.path };
    if (w.fnKey !== undefined) out.fnKey = w.fnKey;
    if (w.fn) out.fn = w.fn;
    if (w.value) out.value = toFirst(this.term(w.value, bound));
    return out;
  }

  private someIn(e: Extract<CExpr, { k: 'somein' }>, bound: SlotSet): LitCode {
    const coll = this.term(e.coll, bound);
    const key = e.key ? this.pattern(e.key, bound) : undefined;
    // The common `some x in coll`: bind a fresh variable to each member.
    if (!key && e.value.k === 'var' && !bound.has(e.value.slot) && coll.det) {
      const slot = e.value.slot;
      bound.add(slot);
      {
        const d = coll.det;
        return {
          gen: (next) => (r, f, k) => {
            const c = d(r, f);
            if (c === undefined) return false;
            if (Array.isArray(c)) {
              for (let i = 0; i < c.length; i++) {
                if (++r.steps >= r.nextCheck) r.checkpoint();
                f[slot] = c[i];
                if (next(r, f, k)) return true;
              }
              return false;
            }
            return forEachMember(r, c, (_kk, vv) => {
              f[slot] = vv;
              return next(r, f, k);
            });
          },
        };
      }
    }
    const value = this.pattern(e.value, bound);
    const cg = toGen(coll);
    return {
      gen: (next) => {
        const each =
          key?.det && value.det
            ? (r: Run, f: Frame, k: K) => {
                const kd = key.det!;
                const vd = value.det!;
                return (kk: Value, vv: Value) => kd(r, f, kk) && vd(r, f, vv) && next(r, f, k);
              }
            : !key && value.det
              ? (r: Run, f: Frame, k: K) => {
                  const vd = value.det!;
                  return (_kk: Value, vv: Value) => vd(r, f, vv) && next(r, f, k);
                }
              : (r: Run, f: Frame, k: K) => {
                  const vp = value.pat;
                  if (key) return (kk: Value, vv: Value) => key.pat(r, f, kk, () => vp(r, f, vv, () => next(r, f, k)));
                  return (_kk: Value, vv: Value) => vp(r, f, vv, () => next(r, f, k));
                };
        return (r, f, k) => cg(r, f, (c) => forEachMember(r, c, each(r, f, k)));
      },
    };
  }

  private every(e: Extract<CExpr, { k: 'every' }>, bound: SlotSet): LitCode {
    const domain = this.term(e.domain, bound);
    const inner = bound.child();
    const keySlot = e.key?.k === 'var' ? e.key.slot : undefined;
    const valueSlot = e.value.k === 'var' ? e.value.slot : -1;
    if (keySlot !== undefined) inner.add(keySlot);
    inner.add(valueSlot);
    const body = this.body(e.body.lits, inner);
    const check = (r: Run, f: Frame, d: Value): boolean => {
      if (!isCollection(d)) return false;
      return !forEachMember(r, d, (kk, vv) => {
        if (keySlot !== undefined) f[keySlot] = kk;
        f[valueSlot] = vv;
        return !body(r, f, STOP);
      });
    };
    if (domain.det) {
      const d = domain.det;
      return {
        det: (r, f) => {
          const dv = d(r, f);
          return dv !== undefined && check(r, f, dv);
        },
      };
    }
    const g = domain.gen!;
    return { gen: (next) => (r, f, k) => g(r, f, (dv) => check(r, f, dv) && next(r, f, k)) };
  }

  // -------------------------------------------------------------------------------------------
  // Unification

  private unifyLit(a: CTerm, b: CTerm, bound: SlotSet): LitCode {
    const u = this.unify(a, b, bound);
    // A deterministic unification is a deterministic literal as it is (no wrapper per literal).
    if (u.det) return u;
    const cu = u.cps!;
    return { gen: (next) => (r, f, k) => cu(r, f, () => next(r, f, k)) };
  }

  /** `a = b`: a deterministic form when both sides are, else continuation passing. */
  private unify(a: CTerm, b: CTerm, bound: SlotSet): Unified {
    if (a.k === 'var' && !bound.has(a.slot)) return this.evalThenMatch(b, a, bound);
    if (b.k === 'var' && !bound.has(b.slot)) return this.evalThenMatch(a, b, bound);
    if (a.k === 'array' && b.k === 'array') {
      if (a.items.length !== b.items.length) return { det: () => false };
      return this.unifyPairs(a.items, b.items, bound);
    }
    if (a.k === 'object' && b.k === 'object' && a.entries.length === b.entries.length) {
      const bs: CTerm[] = [];
      for (const [ka] of a.entries) {
        const m = ka.k === 'const' ? b.entries.find(([kb]) => kb.k === 'const' && equals(kb.v, ka.v)) : undefined;
        if (!m) break;
        bs.push(m[1]);
      }
      if (bs.length === a.entries.length) {
        return this.unifyPairs(
          a.entries.map((e) => e[1]),
          bs,
          bound,
        );
      }
    }
    if (hasUnboundPattern(a, bound)) return this.evalThenMatch(b, a, bound);
    return this.evalThenMatch(a, b, bound);
  }

  private unifyPairs(as: CTerm[], bs: CTerm[], bound: SlotSet): Unified {
    const parts = as.map((x, i) => this.unify(x, bs[i]!, bound));
    if (parts.every((p) => p.det)) {
      const dets = parts.map((p) => p.det!);
      const det: DetLit = (r, f) => {
        for (let i = 0; i < dets.length; i++) if (!dets[i]!(r, f)) return false;
        return true;
      };
      return { det };
    }
    const cps = parts.map(cpsOf);
    const chain = (r: Run, f: Frame, i: number, k: K): boolean => (i === cps.length ? k() : cps[i]!(r, f, () => chain(r, f, i + 1, k)));
    return { cps: (r, f, k) => chain(r, f, 0, k) };
  }

  private evalThenMatch(valueTerm: CTerm, patternTerm: CTerm, bound: SlotSet): Unified {
    const v = this.term(valueTerm, bound);
    if (v.det && patternTerm.k === 'var' && !bound.has(patternTerm.slot)) {
      // The common `x := <term>`: a store (no pattern built; binding the slot is all it would do).
      bound.add(patternTerm.slot);
      return { det: storeLit(v.det, patternTerm.slot) };
    }
    const p = this.pattern(patternTerm, bound);
    if (v.det && p.det) {
      const d = v.det;
      const pd = p.det;
      return {
        det: (r, f) => {
          const x = d(r, f);
          return x !== undefined && pd(r, f, x);
        },
      };
    }
    const g = toGen(v);
    const pp = p.pat;
    return { cps: (r, f, k) => g(r, f, (x) => pp(r, f, x, k)) };
  }

  // -------------------------------------------------------------------------------------------
  // Patterns

  /** A pattern: unbound variables bind, everything else must equal the value. */
  pattern(t: CTerm, bound: SlotSet): CP {
    switch (t.k) {
      case 'var': {
        const slot = t.slot;
        if (bound.has(slot)) return fromDet((_r, f, v) => equals(f[slot]!, v));
        bound.add(slot);
        return fromDet((_r, f, v) => {
          f[slot] = v;
          return true;
        });
      }
      case 'const': {
        const eq = equalsConst(t.v);
        return fromDet((_r, _f, v) => eq(v));
      }
      case 'array': {
        const items = t.items.map((x) => this.pattern(x, bound));
        const n = items.length;
        if (items.every((p) => p.det)) {
          const dets = items.map((p) => p.det!);
          return fromDet((r, f, v) => {
            if (!Array.isArray(v) || v.length !== n) return false;
            for (let i = 0; i < n; i++) if (!dets[i]!(r, f, v[i]!)) return false;
            return true;
          });
        }
        const pats = items.map((p) => p.pat);
        const chain = (r: Run, f: Frame, v: Value[], i: number, k: K): boolean =>
          i === n ? k() : pats[i]!(r, f, v[i]!, () => chain(r, f, v, i + 1, k));
        return { pat: (r, f, v, k) => Array.isArray(v) && v.length === n && chain(r, f, v, 0, k) };
      }
      case 'object': {
        const entries = t.entries.map(([kt, vt]) => {
          const key = this.term(kt, bound);
          return { key, value: this.pattern(vt, bound) };
        });
        const n = entries.length;
        if (entries.every((e) => e.key.det && e.value.det)) {
          const keys = entries.map((e) => e.key.det!);
          const values = entries.map((e) => e.value.det!);
          return fromDet((r, f, v) => {
            if (!isObject(v) || objectSize(v) !== n) return false;
            for (let i = 0; i < n; i++) {
              const kv = keys[i]!(r, f);
              if (kv === undefined) return false;
              const child = objectGet(v, kv);
              if (child === undefined || !values[i]!(r, f, child)) return false;
            }
            return true;
          });
        }
        const keys = entries.map((e) => toGen(e.key));
        const values = entries.map((e) => e.value.pat);
        const chain = (r: Run, f: Frame, v: PlainObject | RegoObject, i: number, k: K): boolean =>
          i === n
            ? k()
            : keys[i]!(r, f, (kv) => {
                const child = objectGet(v, kv);
                return child !== undefined && values[i]!(r, f, child, () => chain(r, f, v, i + 1, k));
              });
        return { pat: (r, f, v, k) => isObject(v) && objectSize(v) === n && chain(r, f, v, 0, k) };
      }
      default: {
        const ct = this.term(t, bound);
        if (ct.det) {
          const d = ct.det;
          return fromDet((r, f, v) => {
            const x = d(r, f);
            return x !== undefined && equals(x, v);
          });
        }
        const g = ct.gen!;
        return { pat: (r, f, v, k) => g(r, f, (x) => equals(x, v) && k()) };
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Terms

  term(t: CTerm, bound: SlotSet): CT {
    switch (t.k) {
      case 'const':
        return constCT(t.v);
      case 'var':
        return bound.has(t.slot) ? slotCT(t.slot) : UNDEFINED_CT;
      case 'input':
        return {
          det: (r) => {
            if (r.inputReads) r.inputReads.add('[]');
            return r.input;
          },
        };
      case 'data':
        return { det: (r) => dataAt(r, []) };
      case 'ref':
        return t.head.k === 'data' ? this.dataRef(t.path, bound) : this.ref(t.head, t.path, bound);
      case 'array': {
        const items = t.items.map((x) => this.term(x, bound));
        return this.composite(items, (r, values) => {
          r.alloc(16 + ELEMENT_BYTES * values.length);
          return values;
        });
      }
      case 'set': {
        const items = t.items.map((x) => this.term(x, bound));
        return this.composite(items, (r, values) => {
          r.alloc(16 + ENTRY_BYTES * values.length);
          return new RegoSet(values);
        });
      }
      case 'object': {
        const flat: CT[] = [];
        for (const [a, b] of t.entries) flat.push(this.term(a, bound), this.term(b, bound));
        return this.composite(flat, (r, values) => {
          r.alloc(16 + (ENTRY_BYTES / 2) * values.length);
          const entries: Array<[Value, Value]> = [];
          for (let i = 0; i < values.length; i += 2) entries.push([values[i]!, values[i + 1]!]);
          return makeObject(entries);
        });
      }
      case 'arraycompr': {
        const inner = bound.child();
        const body = this.body(t.body.lits, inner);
        const term = this.term(t.term, inner);
        if (term.det) {
          const d = term.det;
          return {
            det: (r, f) => {
              const out: Value[] = [];
              body(r, f, () => {
                const v = d(r, f);
                if (v !== undefined) {
                  r.alloc(ELEMENT_BYTES);
                  out.push(v);
                }
                return false;
              });
              return out;
            },
          };
        }
        const g = term.gen!;
        return {
          det: (r, f) => {
            const out: Value[] = [];
            const push: VK = (v) => (r.alloc(ELEMENT_BYTES), out.push(v), false);
            body(r, f, () => g(r, f, push));
            return out;
          },
        };
      }
      case 'setcompr': {
        const inner = bound.child();
        const body = this.body(t.body.lits, inner);
        const term = toGen(this.term(t.term, inner));
        return {
          det: (r, f) => {
            const out = new RegoSet();
            const add: VK = (v) => {
              if (!out.has(v)) {
                r.alloc(ENTRY_BYTES);
                out.add(v);
              }
              return false;
            };
            body(r, f, () => term(r, f, add));
            return out;
          },
        };
      }
      case 'objectcompr': {
        const inner = bound.child();
        const body = this.body(t.body.lits, inner);
        const key = toGen(this.term(t.key, inner));
        const value = toGen(this.term(t.value, inner));
        return {
          det: (r, f) => {
            const out = new ValueMap<Value>();
            body(r, f, () =>
              key(r, f, (kv) =>
                value(r, f, (vv) => {
                  const prev = out.get(kv);
                  if (prev !== undefined) {
                    if (!equals(prev, vv)) throw new RegoEvalError(CONFLICT, MSG_OBJECT_CONFLICT);
                    return false;
                  }
                  r.alloc(ENTRY_BYTES);
                  out.set(kv, vv);
                  return false;
                }),
              ),
            );
            return makeObject(out.entries());
          },
        };
      }
      case 'call':
        return this.call(t, bound);
      case 'member': {
        const coll = this.term(t.coll, bound);
        const value = this.term(t.value, bound);
        const key = t.key ? this.term(t.key, bound) : undefined;
        if (coll.det && value.det && (!key || key.det)) {
          const c = coll.det;
          const v = value.det;
          if (!key) {
            return {
              det: (r, f) => {
                const cv = c(r, f);
                if (cv === undefined) return undefined;
                const vv = v(r, f);
                return vv === undefined ? undefined : member2(vv, cv);
              },
            };
          }
          const kd = key.det!;
          return {
            det: (r, f) => {
              const cv = c(r, f);
              if (cv === undefined) return undefined;
              const vv = v(r, f);
              if (vv === undefined) return undefined;
              const kv = kd(r, f);
              return kv === undefined ? undefined : member3(kv, vv, cv);
            },
          };
        }
        const cg = toGen(coll);
        const vg = toGen(value);
        const kg = key ? toGen(key) : undefined;
        return {
          gen: (r, f, k) =>
            cg(r, f, (cv) =>
              vg(r, f, (vv) => {
                if (!kg) return k(member2(vv, cv));
                return kg(r, f, (kv) => k(member3(kv, vv, cv)));
              }),
            ),
        };
      }
      case 'template':
        return this.template(t, bound);
    }
  }

  /** Arrays, sets and objects built from item terms. */
  private composite(items: CT[], build: (r: Run, values: Value[]) => Value): CT {
    if (items.every((x) => x.konst)) {
      // Constant composites are folded by the compiler; this covers what folding leaves.
      const values = items.map((x) => x.konst!.v);
      return {
        det: (r) => build(r, values.slice()),
      };
    }
    if (items.every((x) => x.det)) {
      const dets = items.map((x) => x.det!);
      const n = dets.length;
      return {
        det: (r, f) => {
          const values: Value[] = new Array(n);
          for (let i = 0; i < n; i++) {
            const v = dets[i]!(r, f);
            if (v === undefined) return undefined;
            values[i] = v;
          }
          return build(r, values);
        },
      };
    }
    const gens = items.map(toGen);
    return { gen: (r, f, k) => genAll(r, gens, 0, [], f, (values) => k(build(r, values))) };
  }

  private template(t: Extract<CTerm, { k: 'template' }>, bound: SlotSet): CT {
    type Part = string | { ct: CT; withs?: WithCode[] };
    const parts: Part[] = t.parts.map((p, i) => {
      if (typeof p === 'string') return p;
      const ws = t.withs?.[i];
      if (ws && ws.length) {
        const withs = ws.map((w) => this.withCode(w, bound.child()));
        return { ct: this.term(p, bound.child()), withs };
      }
      return { ct: this.term(p, bound) };
    });
    const finish = (r: Run, s: string): string => {
      r.alloc(STRING_HEADER_BYTES + 2 * s.length);
      return s;
    };
    if (parts.every((p) => typeof p === 'string' || (!p.withs && p.ct.det))) {
      const dets = parts.map((p) => (typeof p === 'string' ? p : p.ct.det!));
      return {
        det: (r, f) => {
          let s = '';
          for (const p of dets) {
            if (typeof p === 'string') s += p;
            else {
              const v = p(r, f);
              s += v === undefined ? '<undefined>' : templateString(v);
            }
          }
          return finish(r, s);
        },
      };
    }
    const go = (r: Run, f: Frame, i: number, acc: string, k: VK): boolean => {
      if (i === parts.length) return k(finish(r, acc));
      const p = parts[i]!;
      if (typeof p === 'string') return go(r, f, i + 1, acc + p, k);
      if (p.withs) {
        const first = toFirst(p.ct);
        const values = withValues(r, p.withs, f);
        let v: Value | undefined;
        if (values) {
          const outer = r.saveState();
          applyWith(r, p.withs, values);
          try {
            v = first(r, f);
          } finally {
            r.restoreState(outer);
          }
        }
        return go(r, f, i + 1, acc + (v === undefined ? '<undefined>' : templateString(v)), k);
      }
      let any = false;
      const stop = toGen(p.ct)(r, f, (v) => {
        any = true;
        return go(r, f, i + 1, acc + templateString(v), k);
      });
      if (!any) return go(r, f, i + 1, acc + '<undefined>', k);
      return stop;
    };
    return { gen: (r, f, k) => go(r, f, 0, '', k) };
  }

  // -------------------------------------------------------------------------------------------
  // References

  /** Path steps, classified in evaluation order (an unbound variable binds where it first occurs). */
  private steps(path: CTerm[], bound: SlotSet): Step[] {
    return path.map((p): Step => {
      if (p.k === 'const') return { k: 0, key: p.v };
      if (p.k === 'var') {
        const slot = p.slot;
        if (bound.has(slot)) return { k: 1, det: (_r, f) => f[slot] };
        bound.add(slot);
        return { k: 2, slot };
      }
      if ((p.k === 'array' || p.k === 'object') && hasUnboundPattern(p, bound)) return { k: 3, pat: this.pattern(p, bound).pat };
      const ct = this.term(p, bound);
      return ct.det ? { k: 1, det: ct.det } : { k: 4, gen: ct.gen! };
    });
  }

  private ref(head: CTerm, path: CTerm[], bound: SlotSet): CT {
    // `input.a.b`, the commonest ref: one reader per path, shared by every occurrence (it reads
    // nothing from the frame).
    if (head.k === 'input' && path.length === 1) {
      const p = path[0]!;
      if (p.k === 'const' && typeof p.v === 'string' && p.v !== '__proto__') {
        let read = this.inputFieldReaders.get(p.v);
        if (!read) {
          read = inputReader([p.v]);
          if (this.inputFieldReaders.size < INPUT_READERS_LIMIT) this.inputFieldReaders.set(p.v, read);
        }
        return read;
      }
    }
    if (head.k === 'input' && path.every((p) => p.k === 'const' && typeof p.v === 'string' && p.v !== '__proto__')) {
      const keys = path.map((p) => (p as { v: string }).v);
      const id = JSON.stringify(keys);
      let read = this.inputReaders.get(id);
      if (!read) {
        read = inputReader(keys);
        if (this.inputReaders.size < INPUT_READERS_LIMIT) this.inputReaders.set(id, read);
      }
      return read;
    }
    const note = head.k === 'input' ? inputNote(path, bound) : undefined;
    const headCT: CT = head.k === 'input' ? INPUT_HEAD_CT : this.term(head, bound);
    const steps = this.steps(path, bound);
    const allDet = headCT.det !== undefined && steps.every((s) => s.k === 0 || s.k === 1);
    if (allDet) {
      const h = headCT.det!;
      // `input.a.b`, `x.a`: constant string keys read as fields.
      if (steps.every((s) => s.k === 0 && typeof s.key === 'string' && s.key !== '__proto__')) {
        return { det: fieldRead(h, steps.map((s) => fieldGetter((s as { key: string }).key)), note) };
      }
      return {
        det: (r, f) => {
          if (note && r.inputReads) note(r, f);
          const v = h(r, f);
          return v === undefined ? undefined : walkDet(r, v, steps, f);
        },
      };
    }
    const hg = toGen(headCT);
    return {
      gen: (r, f, k) => {
        if (note && r.inputReads) note(r, f);
        return hg(r, f, (v) => walk(r, v, steps, 0, f, k));
      },
    };
  }

  /** `data...`: follows constant keys down the rule tree at compile time where it can. */
  private dataRef(path: CTerm[], bound: SlotSet): CT {
    const steps = this.steps(path, bound);
    const root = this.program.root;
    const slow: Gen = (r, f, k) => descend(r, root, r.data, steps, 0, f, k);
    let node = root;
    let i = 0;
    while (i < steps.length && !node.group) {
      const s = steps[i]!;
      if (s.k !== 0 || typeof s.key !== 'string') break;
      const child = node.children.get(s.key);
      if (!child) break;
      node = child;
      i++;
    }
    const rest = steps.slice(i);
    const restDet = rest.every((s) => s.k === 0 || s.k === 1);
    const target = node;
    if (target.group || i === steps.length) {
      if (restDet) {
        const slowFirst = toFirst({ gen: slow });
        return {
          det: (r, f) => {
            if (r.overrides) return slowFirst(r, f);
            const v = nodeValue(r, target);
            return v === undefined || rest.length === 0 ? v : walkDet(r, v, rest, f);
          },
        };
      }
      return {
        gen: (r, f, k) => {
          if (r.overrides) return slow(r, f, k);
          const v = nodeValue(r, target);
          return v !== undefined && walk(r, v, rest, 0, f, k);
        },
      };
    }
    const first = steps[i]!;
    if (first.k === 0) {
      // The path leaves the rule tree: only base data is there.
      const key = first.key;
      const after = steps.slice(i + 1);
      const afterDet = after.every((s) => s.k === 0 || s.k === 1);
      const prefix = target.path;
      if (afterDet) {
        const slowFirst = toFirst({ gen: slow });
        return {
          det: (r, f) => {
            if (r.overrides) return slowFirst(r, f);
            const v = getChildObject(baseAt(r, prefix), key);
            return v === undefined ? undefined : walkDet(r, v, after, f, getBaseChild);
          },
        };
      }
      return {
        gen: (r, f, k) => {
          if (r.overrides) return slow(r, f, k);
          const v = getChildObject(baseAt(r, prefix), key);
          return v !== undefined && walk(r, v, after, 0, f, k, getBaseChild);
        },
      };
    }
    return { gen: slow };
  }

  // -------------------------------------------------------------------------------------------
  // Calls

  private call(t: Extract<CTerm, { k: 'call' }>, bound: SlotSet): CT {
    const fn = t.fn;
    const loc = t.loc;
    if (fn.kind === 'inline' && fn.name === 'print') {
      const args = t.args.map((a) => toFirst(this.term(a, bound.child())));
      return {
        det: (r, f) => {
          const parts = args.map((a) => {
            const v = a(r, f);
            return v === undefined ? '<undefined>' : templateString(v);
          });
          r.print?.(parts.join(' '));
          return true;
        },
      };
    }
    // Indexed loops, not map and every: their callbacks were two closures made per call.
    const args = new Array<CT>(t.args.length);
    let allDet = true;
    // An argument that binds a variable another one reads is compiled, and run, first.
    const order = argumentOrder(t.args, bound);
    for (let j = 0; j < args.length; j++) {
      const i = order ? order[j]! : j;
      const a = (args[i] = this.term(t.args[i]!, bound));
      if (a.det === undefined) allDet = false;
    }
    const out = t.out ? this.pattern(t.out, bound) : undefined;
    const relation = fn.kind === 'builtin' && fn.builtin.relation;
    if (!relation && allDet) {
      const value = this.detCall(fn, args, loc);
      if (!out) return { det: value };
      if (out.det) {
        const od = out.det;
        return {
          det: (r, f) => {
            const v = value(r, f);
            return v !== undefined && od(r, f, v) ? true : undefined;
          },
        };
      }
      const op = out.pat;
      return {
        gen: (r, f, k) => {
          const v = value(r, f);
          return v !== undefined && op(r, f, v, () => k(true));
        },
      };
    }
    const gens = argsGen(args.map(toGen), order);
    const emit: (r: Run, f: Frame, v: Value, k: VK) => boolean = out ? (r, f, v, k) => out.pat(r, f, v, () => k(true)) : (_r, _f, v, k) => k(v);
    if (relation) {
      const b = fn as Extract<CFn, { kind: 'builtin' }>;
      return {
        gen: (r, f, k) =>
          gens(r, f, (values) => {
            if (r.mocks?.has(b.name)) {
              const v = callFn(r, fn, values, loc);
              return v !== undefined && emit(r, f, v, k);
            }
            const rows = callBuiltin(r, b, values, loc);
            if (!Array.isArray(rows)) return false;
            for (const row of rows) if (emit(r, f, row, k)) return true;
            return false;
          }),
      };
    }
    const invoke = this.invoker(fn, loc);
    return {
      gen: (r, f, k) =>
        gens(r, f, (values) => {
          const v = invoke(r, values);
          return v !== undefined && emit(r, f, v, k);
        }),
    };
  }

  /** Calls `fn` on evaluated arguments, honouring `with` mocks. */
  private invoker(fn: CFn, loc: CRule['loc']): (r: Run, args: Value[]) => Value | undefined {
    switch (fn.kind) {
      case 'inline':
        if (fn.name === 'equal') return (r, a) => (r.mocks ? callFn(r, fn, a, loc) : equals(a[0]!, a[1]!));
        return (r, a) => (r.mocks ? callFn(r, fn, a, loc) : !equals(a[0]!, a[1]!));
      case 'builtin':
        return (r, a) => (r.mocks ? callFn(r, fn, a, loc) : callBuiltin(r, fn, a, loc));
      case 'user': {
        const g = findGroup(this.program, fn.path);
        if (!g) return (r, a) => (r.mocks ? callFn(r, fn, a, loc) : undefined);
        return (r, a) => (r.mocks ? callFn(r, fn, a, loc) : callUser(r, g, a));
      }
    }
  }

  /** A call whose arguments each have one value. */
  /**
   * A call whose arguments each have one value. The comparison and fast-builtin forms call
   * `callFn`/`callBuiltin` themselves where the general invoker would (under `with` mocks, or when
   * the fast form declines), so they need no invoker closure. Each form is made by a function
   * outside this class, so that its closure keeps only what it uses (not the argument list, nor a
   * constant argument's reader): a long body has one such closure per call, alive as long as the
   * policy.
   */
  private detCall(fn: CFn, args: CT[], loc: CRule['loc']): Det {
    const k0 = args[0]?.konst;
    const k1 = args[1]?.konst;
    if (fn.kind === 'inline' && args.length === 2) {
      // Comparisons are the hottest calls: compare with a constant without building arguments.
      if (k1) return compareConst(fn, args[0]!.det!, k1.v, true, loc);
      if (k0) return compareConst(fn, args[1]!.det!, k0.v, false, loc);
      return compare(fn, args[0]!.det!, args[1]!.det!, loc);
    }
    const fast = fn.kind === 'builtin' ? fn.builtin.fast : undefined;
    if (fast && args.length === 1) return fastCall1(fn as BuiltinFn, fast, args[0]!.det!, loc);
    if (fast && args.length === 2) {
      return k1 ? fastCall2Const(fn as BuiltinFn, fast, args[0]!.det!, k1.v, loc) : fastCall2(fn as BuiltinFn, fast, args[0]!.det!, args[1]!.det!, loc);
    }
    return invokeCall(this.invoker(fn, loc), args.map((a) => a.det!));
  }
}

/**
 * A body's code from its literals' codes, deterministic (`dets[i]`) or not (`gens[i]`): runs of
 * deterministic literals become blocks, each generator wraps what follows it. A function of its
 * own, so V8 optimises this loop apart from the one making the literals' codes (one function
 * holding both was optimised for the first, then re-optimised on reaching the second).
 */
function assemble(dets: Array<DetLit | undefined>, gens: Array<GenLit | undefined>): Body {
  let next: Body = END;
  let i = dets.length - 1;
  while (i >= 0) {
    if (dets[i]) {
      let j = i;
      while (j >= 0 && dets[j]) j--;
      // A packed list (pushed, not sliced from the holey one): block() runs it on every evaluation.
      const run: DetLit[] = [];
      for (let k = j + 1; k <= i; k++) run.push(dets[k]!);
      next = block(run, next);
      i = j;
    } else {
      next = gens[i]!(next);
      i--;
    }
  }
  return next;
}

type BuiltinFn = Extract<CFn, { kind: 'builtin' }>;
type FastBuiltin = NonNullable<BuiltinFn['builtin']['fast']>;

/** `x == c` / `x != c` with a constant `c` (on the right when `constRight`). */
function compareConst(fn: CFn, other: Det, cv: Value, constRight: boolean, loc: CRule['loc']): Det {
  const eq = equalsConst(cv);
  const negate = fn.kind === 'inline' && fn.name === 'neq';
  return (r, f) => {
    const v = other(r, f);
    if (v === undefined) return undefined;
    if (r.mocks) return callFn(r, fn, constRight ? [v, cv] : [cv, v], loc);
    return eq(v) !== negate;
  };
}

function compare(fn: CFn, a0: Det, a1: Det, loc: CRule['loc']): Det {
  const negate = fn.kind === 'inline' && fn.name === 'neq';
  return (r, f) => {
    const x = a0(r, f);
    if (x === undefined) return undefined;
    const y = a1(r, f);
    if (y === undefined) return undefined;
    if (r.mocks) return callFn(r, fn, [x, y], loc);
    return equals(x, y) !== negate;
  };
}

function fastCall1(b: BuiltinFn, fast: FastBuiltin, a0: Det, loc: CRule['loc']): Det {
  return (r, f) => {
    const x = a0(r, f);
    if (x === undefined) return undefined;
    if (r.mocks) return callFn(r, b, [x], loc);
    const v = fast(x, null);
    if (v === undefined) return callBuiltin(r, b, [x], loc);
    if (++r.steps >= r.nextCheck) r.checkpoint();
    return v;
  };
}

function fastCall2(b: BuiltinFn, fast: FastBuiltin, a0: Det, a1: Det, loc: CRule['loc']): Det {
  return (r, f) => {
    const x = a0(r, f);
    if (x === undefined) return undefined;
    const y = a1(r, f);
    if (y === undefined) return undefined;
    if (r.mocks) return callFn(r, b, [x, y], loc);
    const v = fast(x, y);
    if (v === undefined) return callBuiltin(r, b, [x, y], loc);
    if (++r.steps >= r.nextCheck) r.checkpoint();
    return v;
  };
}

/** `fastCall2` with a constant second argument (`x + 1`, `concat(",", xs)` is not: that is the first). */
function fastCall2Const(b: BuiltinFn, fast: FastBuiltin, a0: Det, y: Value, loc: CRule['loc']): Det {
  return (r, f) => {
    const x = a0(r, f);
    if (x === undefined) return undefined;
    if (r.mocks) return callFn(r, b, [x, y], loc);
    const v = fast(x, y);
    if (v === undefined) return callBuiltin(r, b, [x, y], loc);
    if (++r.steps >= r.nextCheck) r.checkpoint();
    return v;
  };
}

function invokeCall(invoke: (r: Run, args: Value[]) => Value | undefined, dets: Det[]): Det {
  if (dets.length === 1) {
    const [a0] = dets as [Det];
    return (r, f) => {
      const x = a0(r, f);
      return x === undefined ? undefined : invoke(r, [x]);
    };
  }
  if (dets.length === 2) {
    const [a0, a1] = dets as [Det, Det];
    return (r, f) => {
      const x = a0(r, f);
      if (x === undefined) return undefined;
      const y = a1(r, f);
      return y === undefined ? undefined : invoke(r, [x, y]);
    };
  }
  const n = dets.length;
  return (r, f) => {
    const values: Value[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = dets[i]!(r, f);
      if (v === undefined) return undefined;
      values[i] = v;
    }
    return invoke(r, values);
  };
}

/** A deterministic pattern; its continuation-passing form is made only when something asks for it. */
class DetPattern implements CP {
  private cps: Pat | undefined = undefined;

  constructor(readonly det: DPat) {}

  get pat(): Pat {
    if (!this.cps) {
      const det = this.det;
      this.cps = (r, f, v, k) => det(r, f, v) && k();
    }
    return this.cps;
  }
}

function fromDet(det: DPat): CP {
  return new DetPattern(det);
}

/** `x := <term>` for an unbound `x`: evaluate, store. */
function storeLit(d: Det, slot: number): DetLit {
  return (r, f) => {
    const x = d(r, f);
    if (x === undefined) return false;
    f[slot] = x;
    return true;
  };
}

/** A unification in continuation-passing form. */
function cpsOf(u: Unified): (r: Run, f: Frame, k: K) => boolean {
  if (u.cps) return u.cps;
  const det = u.det!;
  return (r, f, k) => det(r, f) && k();
}

/** A run of deterministic literals, executed in a loop, then the rest of the body. */
function block(dets: DetLit[], next: Body): Body {
  if (dets.length === 1) {
    const d = dets[0]!;
    return (r, f, k) => {
      if (++r.steps >= r.nextCheck) r.checkpoint();
      return d(r, f) && next(r, f, k);
    };
  }
  const n = dets.length;
  return (r, f, k) => {
    for (let i = 0; i < n; i++) {
      if (++r.steps >= r.nextCheck) r.checkpoint();
      if (!dets[i]!(r, f)) return false;
    }
    return next(r, f, k);
  };
}

function hasUnboundPattern(t: CTerm, bound: SlotSet): boolean {
  switch (t.k) {
    case 'var':
      return !bound.has(t.slot);
    case 'array':
      return t.items.some((x) => hasUnboundPattern(x, bound));
    case 'object':
      return t.entries.some(([, x]) => hasUnboundPattern(x, bound));
    default:
      return false;
  }
}

/**
 * Records an input read: the path's constant leading keys, and the values of variables bound
 * before the ref is evaluated, up to the first key that is neither.
 */
/** A bound variable, `input`, or either with constant keys: one value, binds nothing. */
function plainRead(t: CTerm, bound: SlotSet): boolean {
  if (t.k === 'var') return bound.has(t.slot);
  if (t.k === 'input') return true;
  if (t.k !== 'ref') return false;
  const h = t.head;
  return (h.k === 'input' || (h.k === 'var' && bound.has(h.slot))) && t.path.every((p) => p.k === 'const');
}

/** Helpers outside the code generator's methods make closures that hold only their own value. */
function constCT(v: Value): CT {
  return new ConstCT(v);
}

/**
 * A constant's compiled term, which is its own `konst`. Its reader is made when first asked for:
 * a call with a constant argument (`x + 1`, `x == "a"`, in most literals of a long body) takes
 * the value itself, and the reader, its context and a `konst` object were garbage made per literal.
 */
class ConstCT implements CT {
  // Fields assigned in the constructor, not initialised in the class body: an initialiser is one
  // more function for V8 to compile at a process's first compile (a small policy's is ~10 ms).
  declare readonly v: Value;
  declare readonly konst: { v: Value };
  declare private reader: Det | undefined;
  constructor(v: Value) {
    this.v = v;
    this.konst = this;
    this.reader = undefined;
  }

  get det(): Det {
    if (this.reader === undefined) {
      const v = this.v;
      this.reader = () => v;
    }
    return this.reader;
  }
}

function slotCT(slot: number): CT {
  return { det: (_r, f) => f[slot] };
}

const UNDEFINED_CT: CT = { det: () => undefined };

const INPUT_HEAD: Det = (r) => r.input;
/** Distinct input paths whose readers one CodeGen keeps (it also compiles ad-hoc queries). */
const INPUT_READERS_LIMIT = 10_000;
const INPUT_HEAD_CT: CT = { det: INPUT_HEAD };

/** The reader of constant input path `keys` (`input.a.b`), which notes the read when asked. */
function inputReader(keys: string[]): CT {
  const id = JSON.stringify(keys);
  return { det: fieldRead(INPUT_HEAD, keys.map(fieldGetter), (r) => r.inputReads!.add(id)) };
}

/**
 * Reads constant fields of the value of `h` (`input.a.b`, `x.a`), noting input reads when asked.
 * Outside the code generator's methods so its closures hold only what they use (compile-time
 * memory: a rule body may have tens of thousands of these).
 */
function fieldRead(h: Det, getters: Getter[], note: ((r: Run, f: Frame) => void) | undefined): Det {
  let read: Det;
  if (getters.length === 1) {
    const g0 = getters[0]!;
    read = (r, f) => g0(h(r, f));
  } else if (getters.length === 2) {
    const [g0, g1] = getters as [Getter, Getter];
    read = (r, f) => {
      const v = g0(h(r, f));
      return v === undefined ? undefined : g1(v);
    };
  } else {
    read = (r, f) => {
      let v = h(r, f);
      for (let i = 0; i < getters.length && v !== undefined; i++) v = getters[i]!(v);
      return v;
    };
  }
  if (!note) return read;
  return (r, f) => {
    if (r.inputReads) note(r, f);
    return read(r, f);
  };
}

function inputNote(path: CTerm[], bound: SlotSet): (r: Run, f: Frame) => void {
  const parts: Array<string | number> = [];
  for (const p of path) {
    if (p.k === 'const' && typeof p.v === 'string') parts.push(p.v);
    else if (p.k === 'var' && bound.has(p.slot)) parts.push(p.slot);
    else break;
  }
  if (parts.every((p) => typeof p === 'string')) {
    const key = JSON.stringify(parts);
    return (r) => r.inputReads!.add(key);
  }
  return (r, f) => {
    const keys: string[] = [];
    for (const p of parts) {
      const key = typeof p === 'string' ? p : f[p];
      if (typeof key !== 'string') break;
      keys.push(key);
    }
    r.inputReads!.add(JSON.stringify(keys));
  };
}

