/**
 * Safety analysis and body reordering (OPA's "reorderBodyForSafety", regorus' scheduler.rs):
 * a literal runs only once the variables it reads are bound, so literals that bind a variable
 * move before literals that use it. Literal order is otherwise kept. A body whose remaining
 * literals can never run reports the unsafe variables.
 */
import type { CBody, CLit, CTerm } from './ir.js';

interface Uses {
  /** Slots read (must be bound before the literal runs). */
  inputs: number[];
  /** Slots the literal can bind (ref iteration, unification, output arguments). */
  outputs: number[];
}

/** Where variable slots are collected. */
export interface SlotSink {
  add(slot: number): unknown;
}

/** How many slots a set keeps in a plain list before it switches to a bitmap. */
const FEW_SLOTS = 16;

/**
 * The slots bound at a point of a body. A nested body (comprehension, `every`, negation) gets a
 * child that sees its parent's slots without copying them, so scheduling and code generation stay
 * linear in long bodies full of comprehensions. A child is used while its parent does not change.
 * A set's own slots are a short list while there are few (most children bind one or two) and a
 * bitmap beyond: a long body binds tens of thousands of slots, which a `Set` stores as a hash
 * table rebuilt at each doubling, all of it alive through scheduling and code generation.
 */
export class SlotSet implements SlotSink {
  private few: number[] | undefined = undefined;
  private bits: Uint32Array | undefined = undefined;
  constructor(private readonly parent?: SlotSet) {}

  has(slot: number): boolean {
    for (let s: SlotSet | undefined = this; s !== undefined; s = s.parent) if (s.hasOwn(slot)) return true;
    return false;
  }

  private hasOwn(slot: number): boolean {
    const bits = this.bits;
    if (bits !== undefined && slot >= 0) {
      const word = slot >>> 5;
      return word < bits.length && (bits[word]! & (1 << (slot & 31))) !== 0;
    }
    const few = this.few;
    if (few === undefined) return false;
    for (let i = 0; i < few.length; i++) if (few[i] === slot) return true;
    return false;
  }

  add(slot: number): this {
    // A negative slot (none in practice) stays in the list: the bitmap holds slots from 0.
    if (this.bits === undefined || slot < 0) {
      const few = (this.few ??= []);
      if (few.length < FEW_SLOTS || slot < 0) {
        if (!few.includes(slot)) few.push(slot);
        return this;
      }
      this.bits = new Uint32Array(64);
      this.few = few.filter((s) => s < 0);
      for (const s of few) if (s >= 0) this.setBit(s);
    }
    this.setBit(slot);
    return this;
  }

  private setBit(slot: number): void {
    const word = slot >>> 5;
    let bits = this.bits!;
    if (word >= bits.length) {
      const grown = new Uint32Array(Math.max(bits.length * 2, word + 1));
      grown.set(bits);
      this.bits = bits = grown;
    }
    bits[word]! |= 1 << (slot & 31);
  }

  child(): SlotSet {
    return new SlotSet(this);
  }
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
  const locals = body.locals;
  for (const s of used) if (!locals?.has(s)) free.add(s);
  if (extra.length === 0) body.free = free;
  return free;
}

function litAllVars(lit: CLit, acc: SlotSink): void {
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
export function allVars(t: CTerm, acc: SlotSink): void {
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

/**
 * Set by termUses/litUses when they pass a comprehension or `every` (a nested body to schedule).
 * They visit every term scheduleNested does (and more), so a literal whose uses did not set it
 * has no nested body.
 */
let nestedSeen = false;

/** Reads/writes of a term evaluated as a value: ref path vars may be bound by iteration. */
function termUses(t: CTerm, u: Uses): void {
  switch (t.k) {
    case 'var':
      u.inputs.push(t.slot);
      return;
    case 'ref':
      termUses(t.head, u);
      for (let i = 0; i < t.path.length; i++) {
        const p = t.path[i]!;
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
      nestedSeen = true;
      for (const s of bodyFree(t.body, [t.term])) u.inputs.push(s);
      return;
    case 'objectcompr':
      nestedSeen = true;
      for (const s of bodyFree(t.body, [t.key, t.value])) u.inputs.push(s);
      return;
    case 'call':
      for (let i = 0; i < t.args.length; i++) termUses(t.args[i]!, u);
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
      u.outputs.push(t.slot);
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
  return { inputs: [], outputs: [] };
}

/** Every slot of `a` is bound or among `exclude` (the slots the same term binds itself). */
function subset(a: readonly number[], bound: SlotSet, exclude?: readonly number[]): boolean {
  return exclude === undefined ? subsetOf(a, 0, a.length, bound, a, 0, 0) : subsetOf(a, 0, a.length, bound, exclude, 0, exclude.length);
}

/** `subset` of `a[from, to)`, excluding `ex[exFrom, exTo)`. */
function subsetOf(a: readonly number[], from: number, to: number, bound: SlotSet, ex: readonly number[], exFrom: number, exTo: number): boolean {
  let excluded: ReadonlySet<number> | undefined;
  for (let i = from; i < to; i++) {
    const s = a[i]!;
    if (bound.has(s)) continue;
    if (exTo === exFrom) return false;
    // Patterns are small; a large one gets a set so that the check stays linear.
    if (exTo - exFrom <= 16) {
      let found = false;
      for (let j = exFrom; j < exTo && !found; j++) found = ex[j] === s;
      if (!found) return false;
    } else if (!(excluded ??= new Set(ex.slice(exFrom, exTo))).has(s)) return false;
  }
  return true;
}

/**
 * The uses of one term being checked right now: checks run one at a time, so they share two
 * arrays instead of allocating a pair per check (a long body makes several checks per literal).
 */
const scratch: Uses = newUses();

function scratchUses(): Uses {
  // Emptied by pop, not by `length = 0`: V8 gives up an array's storage when its length is set to
  // zero, so every literal's first push allocated it again; popping keeps room for a few slots.
  const { inputs, outputs } = scratch;
  while (inputs.length !== 0) inputs.pop();
  while (outputs.length !== 0) outputs.pop();
  return scratch;
}

function evalOk(t: CTerm, bound: SlotSet): boolean {
  if (t.k === 'const' || t.k === 'input' || t.k === 'data') return true;
  if (t.k === 'var') return bound.has(t.slot);
  const u = scratchUses();
  termUses(t, u);
  return subset(u.inputs, bound, u.outputs);
}

function isPattern(t: CTerm): boolean {
  return t.k === 'var' || t.k === 'array' || t.k === 'object';
}

function patternOk(t: CTerm, bound: SlotSet): boolean {
  if (t.k === 'var' || t.k === 'const') return true;
  const u = scratchUses();
  patternUses(t, u);
  return subset(u.inputs, bound, u.outputs);
}

function addOutputs(t: CTerm, bound: SlotSet): void {
  if (t.k === 'var') {
    bound.add(t.slot);
    return;
  }
  const u = scratchUses();
  patternUses(t, u);
  for (const s of u.outputs) bound.add(s);
}

/** Whether `a = b` can run with `bound`; binds (in a copy) progressively for element-wise unification. */
function unifyOk(a: CTerm, b: CTerm, bound: SlotSet): boolean {
  if (a.k === 'var' && b.k === 'var') return bound.has(a.slot) || bound.has(b.slot);
  if (a.k === 'var') return bound.has(a.slot) ? patternOk(b, bound) : evalOk(b, bound);
  if (b.k === 'var') return bound.has(b.slot) ? patternOk(a, bound) : evalOk(a, bound);
  if (a.k === 'array' && b.k === 'array' && a.items.length === b.items.length) {
    const local = bound.child();
    for (let i = 0; i < a.items.length; i++) {
      if (!unifyOk(a.items[i]!, b.items[i]!, local)) return false;
      addOutputs(a.items[i]!, local);
      addOutputs(b.items[i]!, local);
    }
    return true;
  }
  if (a.k === 'object' && b.k === 'object' && a.entries.length === b.entries.length) {
    const local = bound.child();
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

function litUses(lit: CLit, u: Uses = newUses()): Uses {
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
      nestedSeen = true;
      termUses(e.domain, u);
      for (const s of bodyFree(e.body)) u.inputs.push(s);
      break;
    }
    case 'noop':
      break;
  }
  for (let i = 0; i < lit.with.length; i++) {
    const w = lit.with[i]!;
    if (w.value) termUses(w.value, u);
  }
  return u;
}

/**
 * The slots each literal of a body reads and binds, kept for the whole scheduling of the body: two
 * flat lists with each literal's end offset (its start is the previous literal's end), rather
 * than two arrays per literal.
 */
class LitSlots {
  readonly inputs: number[] = [];
  readonly outputs: number[] = [];
  private readonly inputsEnd: Int32Array;
  private readonly outputsEnd: Int32Array;
  /** 1 where the literal holds a nested body (comprehension, `every`) to schedule. */
  readonly nested: Uint8Array;

  constructor(lits: readonly CLit[]) {
    this.inputsEnd = new Int32Array(lits.length);
    this.outputsEnd = new Int32Array(lits.length);
    this.nested = new Uint8Array(lits.length);
    for (let i = 0; i < lits.length; i++) {
      nestedSeen = false;
      const u = litUses(lits[i]!, scratchUses());
      if (nestedSeen) this.nested[i] = 1;
      for (let j = 0; j < u.inputs.length; j++) this.inputs.push(u.inputs[j]!);
      for (let j = 0; j < u.outputs.length; j++) this.outputs.push(u.outputs[j]!);
      this.inputsEnd[i] = this.inputs.length;
      this.outputsEnd[i] = this.outputs.length;
    }
  }

  inputsFrom(i: number): number {
    return i === 0 ? 0 : this.inputsEnd[i - 1]!;
  }
  inputsTo(i: number): number {
    return this.inputsEnd[i]!;
  }
  outputsFrom(i: number): number {
    return i === 0 ? 0 : this.outputsEnd[i - 1]!;
  }
  outputsTo(i: number): number {
    return this.outputsEnd[i]!;
  }
}

function canRun(lit: CLit, bound: SlotSet, slots: LitSlots, i: number, producers: Map<number, number>): boolean {
  for (let j = 0; j < lit.with.length; j++) {
    const w = lit.with[j]!;
    if (w.value && !evalOk(w.value, bound)) return false;
  }
  const e = lit.expr;
  const inFrom = slots.inputsFrom(i);
  const inTo = slots.inputsTo(i);
  const outFrom = slots.outputsFrom(i);
  const outTo = slots.outputsTo(i);
  if (lit.negated) {
    // Variables only this literal mentions are local to the negation (`not input.a[_] == 1`):
    // the negation waits for every other literal that can bind them.
    const outputs = new Set(slots.outputs.slice(outFrom, outTo));
    const producedElsewhere = (s: number): boolean => (producers.get(s) ?? 0) > 0;
    for (let j = inFrom; j < inTo; j++) {
      const s = slots.inputs[j]!;
      if (!bound.has(s) && (producedElsewhere(s) || !outputs.has(s))) return false;
    }
    for (const s of outputs) if (!bound.has(s) && producedElsewhere(s)) return false;
    return true;
  }
  switch (e.k) {
    case 'term':
      // litUses of a term literal is termUses of the term: evalOk on the slots already collected.
      return subsetOf(slots.inputs, inFrom, inTo, bound, slots.outputs, outFrom, outTo);
    case 'unify': {
      // The commonest literal, `x := <term>` with x unbound and no `with`: its uses are collected
      // already (the term's, plus x among the outputs), so evalOk of the term is the subset check
      // on them, unless x is also read by the term (then x being an output would hide that).
      const a = e.a;
      const b = e.b;
      if (a.k === 'var' && lit.with.length === 0 && b.k !== 'var' && b.k !== 'array' && b.k !== 'object' && !bound.has(a.slot)) {
        let readsItself = false;
        for (let j = inFrom; j < inTo && !readsItself; j++) readsItself = slots.inputs[j] === a.slot;
        if (!readsItself) return subsetOf(slots.inputs, inFrom, inTo, bound, slots.outputs, outFrom, outTo);
      }
      return unifyOk(a, b, bound);
    }
    case 'somein':
      return evalOk(e.coll, bound) && (!e.key || patternOk(e.key, bound)) && patternOk(e.value, bound);
    case 'every': {
      if (!evalOk(e.domain, bound)) return false;
      for (const s of bodyFree(e.body)) if (!bound.has(s)) return false;
      return true;
    }
    case 'noop':
      return true;
  }
}

/** A binary min-heap of literal positions: the next candidate is always the earliest one. */
class PositionHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(x: number): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]! <= x) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = x;
  }

  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && a[r]! < a[l]! ? r : l;
        if (a[c]! >= last) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

/**
 * Reorders `body` in place so each literal runs after the literals binding what it reads: the
 * earliest runnable literal goes next, so literal order is otherwise kept. Nested bodies
 * (comprehensions, every) are scheduled with the variables bound at their literal. Returns the
 * slots bound after the body, or the unsafe variables.
 *
 * Linear in practice: a literal that cannot run yet waits on the unbound variables it mentions
 * and is looked at again only when one of them is bound (a plain rescan from the start after each
 * pick is quadratic, and cubic with the producer sets a negation needs).
 */
export function scheduleBody(body: CBody, initiallyBound: SlotSet, unsafe: UnsafeVar[]): SlotSet {
  const bound = initiallyBound.child();
  const pending = body.lits.filter((l) => l.expr.k !== 'noop');
  const n = pending.length;
  const uses = new LitSlots(pending);
  const outputs = uses.outputs;
  // How many pending non-negated literals can bind each slot (a negation may not run before them);
  // only negations read it, so a body without one does not count.
  const countProducers = pending.some((l) => l.negated);
  const producers = new Map<number, number>();
  if (countProducers) {
    for (let i = 0; i < n; i++) {
      if (pending[i]!.negated) continue;
      for (let j = uses.outputsFrom(i); j < uses.outputsTo(i); j++) producers.set(outputs[j]!, (producers.get(outputs[j]!) ?? 0) + 1);
    }
  }
  const waiting = new Map<number, number[]>();
  // Literals not looked at yet are `next..n-1`; the heap holds woken literals, which were looked at
  // before, so all come before `next`: the earliest candidate is the heap's top when there is one.
  const heap = new PositionHeap();
  let next = 0;
  const queued = new Uint8Array(n).fill(1);
  const done = new Uint8Array(n);
  const ordered: CLit[] = [];
  while (heap.size > 0 || next < n) {
    const i = heap.size > 0 ? heap.pop() : next++;
    queued[i] = 0;
    const lit = pending[i]!;
    if (!canRun(lit, bound, uses, i, producers)) {
      const mentioned = new Set<number>();
      litAllVars(lit, mentioned);
      for (const s of mentioned) {
        if (bound.has(s)) continue;
        let list = waiting.get(s);
        if (!list) waiting.set(s, (list = []));
        list.push(i);
      }
      continue;
    }
    done[i] = 1;
    if (uses.nested[i]) scheduleNested(lit, bound, unsafe);
    ordered.push(lit);
    if (lit.negated) continue;
    for (let j = uses.outputsFrom(i); j < uses.outputsTo(i); j++) {
      const s = outputs[j]!;
      if (countProducers) producers.set(s, producers.get(s)! - 1);
      if (bound.has(s)) continue;
      bound.add(s);
      const woken = waiting.get(s);
      if (!woken) continue;
      waiting.delete(s);
      for (const j of woken) {
        if (!done[j] && !queued[j]) {
          queued[j] = 1;
          heap.push(j);
        }
      }
    }
  }
  const rest = pending.filter((_, i) => !done[i]);
  if (rest.length > 0) {
    for (let i = 0; i < n; i++) {
      if (done[i]) continue;
      const lit = pending[i]!;
      const own = new Set(outputs.slice(uses.outputsFrom(i), uses.outputsTo(i)));
      for (let j = uses.inputsFrom(i); j < uses.inputsTo(i); j++) {
        const s = uses.inputs[j]!;
        if (!bound.has(s) && !own.has(s)) unsafe.push({ slot: s, lit });
      }
    }
    if (unsafe.length === 0) for (const lit of rest) for (const s of litUses(lit).inputs) if (!bound.has(s)) unsafe.push({ slot: s, lit });
    if (unsafe.length === 0 && rest[0]) for (const s of litUses(rest[0]).outputs) unsafe.push({ slot: s, lit: rest[0] });
  }
  body.lits = ordered.concat(rest);
  return bound;
}

/**
 * The order in which a call evaluates its arguments: left to right, except that an argument
 * that binds a variable (a ref iterating over a fresh variable) goes before the arguments that
 * read it, as in `x == xs[x]`; OPA gets this order by moving such refs into literals of their own
 * ahead of the call, which the body is then reordered around. `undefined` when the order is
 * left to right.
 */
export function argumentOrder(args: readonly CTerm[], bound: SlotSet): number[] | undefined {
  if (args.length < 2 || !args.some((a) => a.k === 'ref')) return undefined;
  const uses = args.map((a) => {
    const u = newUses();
    termUses(a, u);
    return u;
  });
  const local = bound.child();
  const order: number[] = [];
  const taken = new Uint8Array(args.length);
  while (order.length < args.length) {
    let pick = -1;
    for (let i = 0; i < args.length && pick < 0; i++) if (!taken[i] && subset(uses[i]!.inputs, local, uses[i]!.outputs)) pick = i;
    // None can run (the scheduler reports the unsafe variables): keep the rest in place.
    if (pick < 0) pick = taken.indexOf(0);
    taken[pick] = 1;
    order.push(pick);
    for (const s of uses[pick]!.outputs) local.add(s);
  }
  return order.every((v, i) => v === i) ? undefined : order;
}

/** Schedules the bodies of comprehensions inside head terms (rule values, keys). */
export function scheduleHeadTerms(terms: CTerm[], bound: SlotSet, unsafe: UnsafeVar[]): void {
  const lit: CLit = { negated: false, expr: { k: 'noop' }, with: [], src: -1, index: -1 };
  for (const t of terms) scheduleNested({ ...lit, expr: { k: 'term', t } }, bound, unsafe);
}

function scheduleNested(lit: CLit, bound: SlotSet, unsafe: UnsafeVar[]): void {
  const e = lit.expr;
  switch (e.k) {
    case 'term':
      scheduleTermBodies(e.t, lit, bound, unsafe);
      break;
    case 'unify':
      scheduleTermBodies(e.a, lit, bound, unsafe);
      scheduleTermBodies(e.b, lit, bound, unsafe);
      break;
    case 'somein':
      scheduleTermBodies(e.coll, lit, bound, unsafe);
      break;
    case 'every': {
      scheduleTermBodies(e.domain, lit, bound, unsafe);
      const inner = bound.child();
      if (e.key) allVars(e.key, inner);
      allVars(e.value, inner);
      scheduleBody(e.body, inner, unsafe);
      break;
    }
    case 'noop':
      break;
  }
  for (const w of lit.with) if (w.value) scheduleTermBodies(w.value, lit, bound, unsafe);
}

/** Schedules the comprehension bodies inside `t` (a term of `lit`). */
function scheduleTermBodies(t: CTerm, lit: CLit, bound: SlotSet, unsafe: UnsafeVar[]): void {
  switch (t.k) {
    case 'ref':
      scheduleTermBodies(t.head, lit, bound, unsafe);
      for (const p of t.path) scheduleTermBodies(p, lit, bound, unsafe);
      return;
    case 'array':
    case 'set':
      for (const x of t.items) scheduleTermBodies(x, lit, bound, unsafe);
      return;
    case 'object':
      for (const [a, b] of t.entries) {
        scheduleTermBodies(a, lit, bound, unsafe);
        scheduleTermBodies(b, lit, bound, unsafe);
      }
      return;
    case 'arraycompr':
    case 'setcompr': {
      const after = scheduleBody(t.body, bound, unsafe);
      requireBound([t.term], after, unsafe, lit);
      scheduleTermBodies(t.term, lit, bound, unsafe);
      return;
    }
    case 'objectcompr': {
      const after = scheduleBody(t.body, bound, unsafe);
      requireBound([t.key, t.value], after, unsafe, lit);
      return;
    }
    case 'call':
      for (const a of t.args) scheduleTermBodies(a, lit, bound, unsafe);
      return;
    case 'member':
      if (t.key) scheduleTermBodies(t.key, lit, bound, unsafe);
      scheduleTermBodies(t.value, lit, bound, unsafe);
      scheduleTermBodies(t.coll, lit, bound, unsafe);
      return;
    case 'template':
      for (const p of t.parts) if (typeof p !== 'string') scheduleTermBodies(p, lit, bound, unsafe);
      return;
    default:
      return;
  }
}

/** Head terms (rule values, comprehension heads) must be bound once the body has run. */
export function requireBound(terms: CTerm[], bound: SlotSet, unsafe: UnsafeVar[], lit: CLit | undefined): void {
  const acc = new Set<number>();
  for (const t of terms) {
    const u = newUses();
    termUses(t, u);
    for (const s of u.inputs) if (!bound.has(s)) acc.add(s);
  }
  for (const s of acc) unsafe.push({ slot: s, lit: lit as CLit });
}
