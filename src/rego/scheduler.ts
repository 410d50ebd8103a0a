/**
 * Safety analysis and body reordering (OPA's "reorderBodyForSafety", regorus' scheduler.rs):
 * a literal runs only once the variables it reads are bound, so literals that bind a variable
 * move before literals that use it. Literal order is otherwise kept. A body whose remaining
 * literals can never run reports the unsafe variables.
 */
import type { CBody, CLit, CTerm } from './ir.js';

interface Uses {
  /** Slots read (must be bound before the literal runs). */
  inputs: Set<number>;
  /** Slots the literal can bind (ref iteration, unification, output arguments). */
  outputs: Set<number>;
}

export interface UnsafeVar {
  slot: number;
  lit: CLit;
}

/** Free slots of a nested body (its closure), cached on the body. */
export function bodyFree(body: CBody, extra: CTerm[] = []): Set<number> {
  if (body.free && extra.length === 0) return body.free;
  const used = new Set<number>();
  for (const lit of body.lits) litAllVars(lit, used);
  for (const t of extra) allVars(t, used);
  const free = new Set<number>();
  for (const s of used) if (!body.locals.has(s)) free.add(s);
  if (extra.length === 0) body.free = free;
  return free;
}

function litAllVars(lit: CLit, acc: Set<number>): void {
  const e = lit.expr;
  switch (e.k) {
    case 'term':
      allVars(e.t, acc);
      break;
    case 'unify':
      allVars(e.a, acc);
      allVars(e.b, acc);
      break;
    case 'somein':
      if (e.key) allVars(e.key, acc);
      allVars(e.value, acc);
      allVars(e.coll, acc);
      break;
    case 'every':
      allVars(e.domain, acc);
      if (e.key) allVars(e.key, acc);
      allVars(e.value, acc);
      for (const l of e.body.lits) litAllVars(l, acc);
      break;
    case 'noop':
      break;
  }
  for (const w of lit.with) if (w.value) allVars(w.value, acc);
}

/** Every slot occurring in a term, including inside nested bodies. */
export function allVars(t: CTerm, acc: Set<number>): void {
  switch (t.k) {
    case 'var':
      acc.add(t.slot);
      return;
    case 'ref':
      allVars(t.head, acc);
      for (const p of t.path) allVars(p, acc);
      return;
    case 'array':
    case 'set':
      for (const x of t.items) allVars(x, acc);
      return;
    case 'object':
      for (const [a, b] of t.entries) {
        allVars(a, acc);
        allVars(b, acc);
      }
      return;
    case 'arraycompr':
    case 'setcompr':
      allVars(t.term, acc);
      for (const l of t.body.lits) litAllVars(l, acc);
      return;
    case 'objectcompr':
      allVars(t.key, acc);
      allVars(t.value, acc);
      for (const l of t.body.lits) litAllVars(l, acc);
      return;
    case 'call':
      for (const a of t.args) allVars(a, acc);
      if (t.out) allVars(t.out, acc);
      return;
    case 'member':
      if (t.key) allVars(t.key, acc);
      allVars(t.value, acc);
      allVars(t.coll, acc);
      return;
    case 'template':
      for (const p of t.parts) if (typeof p !== 'string') allVars(p, acc);
      return;
    default:
      return;
  }
}

/** Reads/writes of a term evaluated as a value: ref path vars may be bound by iteration. */
function termUses(t: CTerm, u: Uses): void {
  switch (t.k) {
    case 'var':
      u.inputs.add(t.slot);
      return;
    case 'ref':
      termUses(t.head, u);
      for (const p of t.path) {
        if (p.k === 'var' || p.k === 'array' || p.k === 'object') patternUses(p, u);
        else termUses(p, u);
      }
      return;
    case 'array':
    case 'set':
      for (const x of t.items) termUses(x, u);
      return;
    case 'object':
      for (const [a, b] of t.entries) {
        termUses(a, u);
        termUses(b, u);
      }
      return;
    case 'arraycompr':
    case 'setcompr':
      for (const s of bodyFree(t.body, [t.term])) u.inputs.add(s);
      return;
    case 'objectcompr':
      for (const s of bodyFree(t.body, [t.key, t.value])) u.inputs.add(s);
      return;
    case 'call':
      for (const a of t.args) termUses(a, u);
      if (t.out) patternUses(t.out, u);
      return;
    case 'member':
      if (t.key) termUses(t.key, u);
      termUses(t.value, u);
      termUses(t.coll, u);
      return;
    case 'template':
      for (const p of t.parts) if (typeof p !== 'string') termUses(p, u);
      return;
    default:
      return;
  }
}

/** Uses of a term in a pattern position: its vars (and array/object value vars) are outputs. */
function patternUses(t: CTerm, u: Uses): void {
  switch (t.k) {
    case 'var':
      u.outputs.add(t.slot);
      return;
    case 'array':
      for (const x of t.items) patternUses(x, u);
      return;
    case 'object':
      for (const [a, b] of t.entries) {
        termUses(a, u);
        patternUses(b, u);
      }
      return;
    default:
      termUses(t, u);
  }
}

function newUses(): Uses {
  return { inputs: new Set(), outputs: new Set() };
}

function subset(a: Set<number>, bound: Set<number>, exclude?: Set<number>): boolean {
  for (const s of a) if (!bound.has(s) && !exclude?.has(s)) return false;
  return true;
}

function evalOk(t: CTerm, bound: Set<number>): boolean {
  const u = newUses();
  termUses(t, u);
  return subset(u.inputs, bound, u.outputs);
}

function isPattern(t: CTerm): boolean {
  return t.k === 'var' || t.k === 'array' || t.k === 'object';
}

function patternOk(t: CTerm, bound: Set<number>): boolean {
  const u = newUses();
  patternUses(t, u);
  return subset(u.inputs, bound, u.outputs);
}

function addOutputs(t: CTerm, bound: Set<number>): void {
  const u = newUses();
  patternUses(t, u);
  for (const s of u.outputs) bound.add(s);
}

/** Whether `a = b` can run with `bound`; binds (in a copy) progressively for element-wise unification. */
function unifyOk(a: CTerm, b: CTerm, bound: Set<number>): boolean {
  if (a.k === 'var' && b.k === 'var') return bound.has(a.slot) || bound.has(b.slot);
  if (a.k === 'var') return bound.has(a.slot) ? patternOk(b, bound) : evalOk(b, bound);
  if (b.k === 'var') return bound.has(b.slot) ? patternOk(a, bound) : evalOk(a, bound);
  if (a.k === 'array' && b.k === 'array' && a.items.length === b.items.length) {
    const local = new Set(bound);
    for (let i = 0; i < a.items.length; i++) {
      if (!unifyOk(a.items[i]!, b.items[i]!, local)) return false;
      addOutputs(a.items[i]!, local);
      addOutputs(b.items[i]!, local);
    }
    return true;
  }
  if (a.k === 'object' && b.k === 'object' && a.entries.length === b.entries.length) {
    const local = new Set(bound);
    for (const [ka, va] of a.entries) {
      const match = b.entries.find(([kb]) => kb.k === 'const' && ka.k === 'const' && kb.v === ka.v);
      if (!match) return evalOk(a, bound) && evalOk(b, bound);
      if (!unifyOk(va, match[1], local)) return false;
      addOutputs(va, local);
      addOutputs(match[1], local);
    }
    return true;
  }
  if (isPattern(a) && evalOk(b, bound)) return patternOk(a, bound);
  if (isPattern(b) && evalOk(a, bound)) return patternOk(b, bound);
  return evalOk(a, bound) && evalOk(b, bound);
}

function litUses(lit: CLit): Uses {
  const u = newUses();
  const e = lit.expr;
  switch (e.k) {
    case 'term':
      termUses(e.t, u);
      break;
    case 'unify':
      patternUses(e.a, u);
      patternUses(e.b, u);
      break;
    case 'somein':
      termUses(e.coll, u);
      if (e.key) patternUses(e.key, u);
      patternUses(e.value, u);
      break;
    case 'every': {
      termUses(e.domain, u);
      for (const s of bodyFree(e.body)) u.inputs.add(s);
      break;
    }
    case 'noop':
      break;
  }
  for (const w of lit.with) if (w.value) termUses(w.value, u);
  return u;
}

function canRun(lit: CLit, bound: Set<number>, producedElsewhere: Set<number>): boolean {
  for (const w of lit.with) if (w.value && !evalOk(w.value, bound)) return false;
  const e = lit.expr;
  if (lit.negated) {
    // Variables only this literal mentions are local to the negation (`not input.a[_] == 1`).
    const u = litUses(lit);
    for (const s of u.inputs) if (!bound.has(s) && (producedElsewhere.has(s) || !u.outputs.has(s))) return false;
    for (const s of u.outputs) if (!bound.has(s) && producedElsewhere.has(s)) return false;
    return true;
  }
  switch (e.k) {
    case 'term':
      return evalOk(e.t, bound);
    case 'unify':
      return unifyOk(e.a, e.b, bound);
    case 'somein':
      return evalOk(e.coll, bound) && (!e.key || patternOk(e.key, bound)) && patternOk(e.value, bound);
    case 'every': {
      if (!evalOk(e.domain, bound)) return false;
      return subset(bodyFree(e.body), bound);
    }
    case 'noop':
      return true;
  }
}

/**
 * Reorders `body` in place so each literal runs after the literals binding what it reads.
 * Nested bodies (comprehensions, every) are scheduled with the variables bound at their
 * literal. Returns the slots bound after the body, or the unsafe variables.
 */
export function scheduleBody(body: CBody, initiallyBound: Set<number>, unsafe: UnsafeVar[]): Set<number> {
  const bound = new Set(initiallyBound);
  const pending = body.lits.filter((l) => l.expr.k !== 'noop');
  const uses = new Map<CLit, Uses>(pending.map((l) => [l, litUses(l)]));
  const ordered: CLit[] = [];
  while (pending.length > 0) {
    let picked = -1;
    for (let i = 0; i < pending.length; i++) {
      const others = new Set<number>();
      for (const l of pending) if (l !== pending[i] && !l.negated) for (const s of uses.get(l)!.outputs) others.add(s);
      if (canRun(pending[i]!, bound, others)) {
        picked = i;
        break;
      }
    }
    if (picked < 0) {
      for (const lit of pending) {
        const u = uses.get(lit)!;
        for (const s of u.inputs) if (!bound.has(s) && !u.outputs.has(s)) unsafe.push({ slot: s, lit });
      }
      if (unsafe.length === 0) for (const lit of pending) for (const s of uses.get(lit)!.inputs) if (!bound.has(s)) unsafe.push({ slot: s, lit });
      if (unsafe.length === 0 && pending[0]) for (const s of uses.get(pending[0])!.outputs) unsafe.push({ slot: s, lit: pending[0] });
      break;
    }
    const lit = pending.splice(picked, 1)[0]!;
    scheduleNested(lit, bound, unsafe);
    ordered.push(lit);
    if (!lit.negated) for (const s of uses.get(lit)!.outputs) bound.add(s);
  }
  body.lits = ordered.concat(pending);
  return bound;
}

/** Schedules the bodies of comprehensions inside head terms (rule values, keys). */
export function scheduleHeadTerms(terms: CTerm[], bound: Set<number>, unsafe: UnsafeVar[]): void {
  const lit: CLit = { negated: false, expr: { k: 'noop' }, with: [], loc: { line: 0, column: 0, offset: 0, endOffset: 0 }, index: -1 };
  for (const t of terms) scheduleNested({ ...lit, expr: { k: 'term', t } }, bound, unsafe);
}

function scheduleNested(lit: CLit, bound: Set<number>, unsafe: UnsafeVar[]): void {
  const visit = (t: CTerm): void => {
    switch (t.k) {
      case 'ref':
        visit(t.head);
        t.path.forEach(visit);
        return;
      case 'array':
      case 'set':
        t.items.forEach(visit);
        return;
      case 'object':
        for (const [a, b] of t.entries) {
          visit(a);
          visit(b);
        }
        return;
      case 'arraycompr':
      case 'setcompr': {
        const after = scheduleBody(t.body, bound, unsafe);
        requireBound([t.term], after, unsafe, lit);
        visit(t.term);
        return;
      }
      case 'objectcompr': {
        const after = scheduleBody(t.body, bound, unsafe);
        requireBound([t.key, t.value], after, unsafe, lit);
        return;
      }
      case 'call':
        t.args.forEach(visit);
        return;
      case 'member':
        if (t.key) visit(t.key);
        visit(t.value);
        visit(t.coll);
        return;
      case 'template':
        for (const p of t.parts) if (typeof p !== 'string') visit(p);
        return;
      default:
        return;
    }
  };
  const e = lit.expr;
  switch (e.k) {
    case 'term':
      visit(e.t);
      break;
    case 'unify':
      visit(e.a);
      visit(e.b);
      break;
    case 'somein':
      visit(e.coll);
      break;
    case 'every': {
      visit(e.domain);
      const inner = new Set(bound);
      if (e.key) allVars(e.key, inner);
      allVars(e.value, inner);
      scheduleBody(e.body, inner, unsafe);
      break;
    }
    case 'noop':
      break;
  }
  for (const w of lit.with) if (w.value) visit(w.value);
}

/** Head terms (rule values, comprehension heads) must be bound once the body has run. */
export function requireBound(terms: CTerm[], bound: Set<number>, unsafe: UnsafeVar[], lit: CLit | undefined): void {
  const acc = new Set<number>();
  for (const t of terms) {
    const u = newUses();
    termUses(t, u);
    for (const s of u.inputs) if (!bound.has(s)) acc.add(s);
  }
  for (const s of acc) unsafe.push({ slot: s, lit: lit as CLit });
}
