/**
 * OPA's reading of a negated expression in a module that does not import `future.keywords.not`
 * (or all of `future.keywords`): before evaluation, OPA's compiler moves parts of every
 * expression into equalities of their own ahead of it (ast/compile.go: rewriteExprTerms for
 * nested calls, rewriteDynamicTerms for refs and comprehensions in call operands), and does so
 * for a negated expression too. Those parts are then evaluated outside the negation: when one is
 * undefined, the body fails instead of the negation succeeding.
 *
 *   not f(input.x)              ->  __x = input.x; not f(__x)             (undefined x: fails)
 *   not count(input.xs) > 0     ->  __c = count(input.xs); not __c > 0
 *   not obj[input.k]            ->  __k = input.k; not obj[__k]
 *   not input.a == input.b      ->  unchanged (OPA turns `==` into `=` first, whose sides keep their refs)
 *
 * With the import, OPA keeps every part inside the negation, which is what oclhub's evaluator
 * does for a negated literal as it stands.
 */
import type { CLit, CTerm } from './ir.js';

/** A fresh local variable term for a part moved out of a negated literal. */
export type FreshVar = () => Extract<CTerm, { k: 'var' }>;

/**
 * The literals OPA evaluates for the negated literal `lit`: the equalities binding the parts it
 * moves out (in OPA's order), then the negated literal reading them. `[lit]` when nothing moves.
 */
export function splitNegated(lit: CLit, fresh: FreshVar): CLit[] {
  const support: CLit[] = [];
  const bind = (t: CTerm): CTerm => {
    const v = fresh();
    support.push({ negated: false, expr: { k: 'unify', a: v, b: t }, with: lit.with, src: lit.src, index: -1 });
    return v;
  };
  const e = lit.expr;
  let expr = e;
  if (e.k === 'unify') {
    expr = { k: 'unify', a: inTerm(nestedCalls(e.a, bind), bind), b: inTerm(nestedCalls(e.b, bind), bind) };
  } else if (e.k === 'term') {
    const t = e.t;
    if (t.k === 'call' && t.fn.kind === 'inline' && t.fn.name === 'print') return [lit];
    if (t.k === 'call' && t.fn.kind === 'inline' && t.fn.name === 'equal') {
      // `a == b` in a module is a unification for this rewrite: each side keeps its own refs.
      const [a, b] = t.args.map((x) => nestedCalls(x, bind));
      expr = { k: 'term', t: { ...t, args: [inTerm(a!, bind), inTerm(b!, bind)] } };
    } else if (t.k === 'call') {
      const args = t.args.map((x) => nestedCalls(x, bind));
      expr = { k: 'term', t: { ...t, args: args.map((x) => operand(x, bind)) } };
    } else if (t.k === 'member') {
      // `x in xs` is the call internal.member_2(x, xs) in OPA.
      const key = t.key && nestedCalls(t.key, bind);
      const value = nestedCalls(t.value, bind);
      const coll = nestedCalls(t.coll, bind);
      const m: Extract<CTerm, { k: 'member' }> = { k: 'member', value: operand(value, bind), coll: operand(coll, bind) };
      if (key) m.key = operand(key, bind);
      expr = { k: 'term', t: m };
    } else {
      expr = { k: 'term', t: inTerm(nestedCalls(t, bind), bind) };
    }
  }
  if (support.length === 0) return [lit];
  support.push({ negated: true, expr, with: lit.with, src: lit.src, index: lit.index });
  return support;
}

/** OPA expandExprTerm: calls nested in a term are bound first (their arguments before them). */
function nestedCalls(t: CTerm, bind: (t: CTerm) => CTerm): CTerm {
  switch (t.k) {
    case 'call':
      if (t.fn.kind === 'inline' && t.fn.name === 'print') return t;
      return bind({ ...t, args: t.args.map((a) => nestedCalls(a, bind)) });
    case 'member': {
      const m: Extract<CTerm, { k: 'member' }> = { k: 'member', value: nestedCalls(t.value, bind), coll: nestedCalls(t.coll, bind) };
      if (t.key) m.key = nestedCalls(t.key, bind);
      return bind(m);
    }
    case 'ref': {
      const path = t.path.map((p) => nestedCalls(p, bind));
      let head = nestedCalls(t.head, bind);
      // A composite subject (`[1, 2][i]`, `f(x)[0]`) is bound to a variable of its own.
      if (head.k === 'array' || head.k === 'set' || head.k === 'object' || head.k.endsWith('compr')) head = bind(head);
      return { k: 'ref', head, path };
    }
    default:
      return mapElements(t, (x) => nestedCalls(x, bind));
  }
}

/** OPA rewriteDynamicsInTerm: a ref keeps its place but its dynamic path parts move out. */
function inTerm(t: CTerm, bind: (t: CTerm) => CTerm): CTerm {
  switch (t.k) {
    case 'ref':
      return { k: 'ref', head: t.head, path: t.path.map((p) => operand(p, bind)) };
    case 'arraycompr':
    case 'setcompr':
    case 'objectcompr':
    case 'input':
    case 'data':
      return t;
    default:
      return operand(t, bind);
  }
}

/** OPA rewriteDynamicsOne: refs and comprehensions (also inside composites) move out. */
function operand(t: CTerm, bind: (t: CTerm) => CTerm): CTerm {
  switch (t.k) {
    case 'input':
    case 'data':
    case 'arraycompr':
    case 'setcompr':
    case 'objectcompr':
      return bind(t);
    case 'ref':
      return bind({ k: 'ref', head: t.head, path: t.path.map((p) => operand(p, bind)) });
    default:
      return mapElements(t, (x) => operand(x, bind));
  }
}

/** An array, set or object with `f` applied to its elements (an object's keys and values); any other term as it is. */
function mapElements(t: CTerm, f: (x: CTerm) => CTerm): CTerm {
  switch (t.k) {
    case 'array':
    case 'set':
      return { k: t.k, items: t.items.map(f) };
    case 'object':
      return { k: 'object', entries: t.entries.map(([a, b]) => [f(a), f(b)]) };
    default:
      return t;
  }
}
