/**
 * Rego values.
 *
 * The representation is chosen so that JSON input is a valid value as it is (no conversion per
 * evaluation): null, booleans, numbers, strings and arrays are JavaScript natives, and an object
 * whose keys are all strings is a plain JavaScript object (own properties only; `__proto__` and
 * `constructor` are ordinary keys: always use `objectGet`/`hasOwn`, never `o[k]`).
 *
 * Two classes cover what JSON cannot express: `RegoSet`, and `RegoObject` for objects with at
 * least one non-string key. The representation is canonical: an object with only string keys is
 * never a RegoObject, an integer that fits in a double exactly is never a bigint. So structural
 * equality can compare representations directly.
 *
 * Undefined (no value) is JavaScript `undefined` and is never stored inside a value.
 */

export type RegoNumber = number | bigint;
export type Value = null | boolean | RegoNumber | RegoDecimal | string | Value[] | RegoSet | RegoObject | PlainObject;
export interface PlainObject {
  [key: string]: Value;
}

export type TypeName = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' | 'set';

const TYPE_RANK: Record<TypeName, number> = { null: 0, boolean: 1, number: 2, string: 3, array: 4, object: 5, set: 6 };

export function typeName(v: Value): TypeName {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'boolean';
    case 'number':
    case 'bigint':
      return 'number';
    case 'string':
      return 'string';
  }
  if (Array.isArray(v)) return 'array';
  if (v instanceof RegoSet) return 'set';
  if (v instanceof RegoDecimal) return 'number';
  return 'object';
}

/** Any Rego number, exact decimals included. */
export const isNumber = (v: Value | undefined): v is RegoNumber | RegoDecimal =>
  typeof v === 'number' || typeof v === 'bigint' || v instanceof RegoDecimal;
export const isString = (v: Value | undefined): v is string => typeof v === 'string';
export const isArray = (v: Value | undefined): v is Value[] => Array.isArray(v);
export const isSet = (v: Value | undefined): v is RegoSet => v instanceof RegoSet;
export function isObject(v: Value | undefined): v is PlainObject | RegoObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RegoSet) && !(v instanceof RegoDecimal);
}
export function isPlainObject(v: Value | undefined): v is PlainObject {
  return isObject(v) && !(v instanceof RegoObject);
}

// ---------------------------------------------------------------------------------------------
// Metering deep operations

/**
 * Equality, ordering, hashing and conversion walk whole values, and a value built from shared
 * parts (`x := [y, y]`, repeated) can be exponentially larger than the work that built it. These
 * walks report their work here; an evaluation installs a meter that charges it to its budget (and
 * throws when the budget is spent). Outside an evaluation nothing is metered.
 */
export interface WorkMeter {
  /** `units` of work (steps). */
  work(units: number): void;
  /** `bytes` of values created. */
  made(bytes: number): void;
}

let meter: WorkMeter | undefined;
let pendingWork = 0;
const WORK_BATCH = 1024;

/** Installs the meter of the evaluation about to run; returns the previous one to restore. */
export function setWorkMeter(m: WorkMeter | undefined): WorkMeter | undefined {
  const prev = meter;
  meter = m;
  pendingWork = 0;
  return prev;
}

/** Reports `units` of work on values (batched, so the common small case costs an addition). */
export function work(units: number): void {
  if ((pendingWork += units) >= WORK_BATCH && meter) {
    const n = pendingWork;
    pendingWork = 0;
    meter.work(n);
  }
}

/** Reports `bytes` of values (or strings) created by a deep operation. */
export function made(bytes: number): void {
  meter?.made(bytes);
}

// ---------------------------------------------------------------------------------------------
// Numbers

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/** Canonical form: a bigint only when the integer is outside the exactly representable range. */
export function normalizeBigInt(n: bigint): RegoNumber {
  return n >= MIN_SAFE && n <= MAX_SAFE ? Number(n) : n;
}

/** Decimal exponents up to which integers are kept exact (10^1000 has 1001 digits). */
const MAX_EXACT_EXPONENT = 1000;

/**
 * A number no double denotes: a literal with more significant digits than a double keeps
 * (`0.1234567890123456789`) or beyond its range (`1e-400`). OPA keeps a number's text
 * (json.Number) and compares numbers exactly (big.Rat in ast.NumberCompare), so such literals
 * must keep their exact value: `0.1234567890123456789 > 0.1234567890123456788` and
 * `1e-400 > 0` hold there. The value is `m × 10^e` with `m` not a multiple of 10, so equal
 * decimals have equal fields. Integers are never decimals (they are bigints), and a literal that
 * prints back as a double (`0.1`, `3.50`) stays that double: every other number keeps its fast
 * representation. Builtins that compute in floating point use `approx`.
 *
 * The fields are private and read through methods: code that looks a key up in an unknown object
 * (`x.m` in a policy) sees no own property and a function, which it treats as absent.
 */
export class RegoDecimal {
  readonly #m: bigint;
  readonly #e: number;
  constructor(m: bigint, e: number) {
    this.#m = m;
    this.#e = e;
  }
  mantissa(): bigint {
    return this.#m;
  }
  exponent(): number {
    return this.#e;
  }
  /** The nearest double. */
  approx(): number {
    return Number(`${this.#m}e${this.#e}`);
  }
  /** Decimal notation for modest exponents, `<digits>e<exp>` beyond them (as Go prints big numbers). */
  toString(): string {
    const neg = this.#m < 0n;
    const digits = (neg ? -this.#m : this.#m).toString();
    const e = this.#e;
    const point = digits.length + e; // position of the decimal point in the digits
    let text: string;
    if (e >= 0 || point < -20 || point > 21) {
      const exp = point - 1;
      text = (digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits) + `e${exp < 0 ? '-' : '+'}${Math.abs(exp)}`;
    } else if (point <= 0) text = `0.${'0'.repeat(-point)}${digits}`;
    else text = `${digits.slice(0, point)}.${digits.slice(point)}`;
    return neg ? `-${text}` : text;
  }
  /** JSON.stringify sees the nearest double (stringifyJSON writes the exact text). */
  toJSON(): number {
    return this.approx();
  }
}

/** An exact decimal `m × 10^e`, `m` without trailing zeros (zero is m = 0, e = 0). */
interface Exact {
  m: bigint;
  e: number;
}

function normalizeExact(m: bigint, e: number): Exact {
  if (m === 0n) return { m, e: 0 };
  while (m % 10n === 0n) {
    m /= 10n;
    e++;
  }
  return { m, e };
}

/** The exact decimal a number denotes; a double denotes the shortest decimal that prints as it. */
export function exactDecimal(x: RegoNumber | RegoDecimal): Exact {
  if (typeof x === 'bigint') return normalizeExact(x, 0);
  if (typeof x === 'object') return { m: x.mantissa(), e: x.exponent() };
  const s = String(x);
  const cut = s.indexOf('e');
  const mant = cut < 0 ? s : s.slice(0, cut);
  const dot = mant.indexOf('.');
  const e = (cut < 0 ? 0 : Number(s.slice(cut + 1))) - (dot < 0 ? 0 : mant.length - dot - 1);
  return normalizeExact(BigInt(dot < 0 ? mant : mant.slice(0, dot) + mant.slice(dot + 1)), e);
}

const NUMBER_SYNTAX = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * The exact value of a literal that no double denotes, or undefined when `n` (the literal read
 * as a double) prints back as the same decimal.
 */
function decimalLiteral(text: string, n: number): RegoDecimal | undefined {
  if (String(n) === text) return undefined;
  const m = NUMBER_SYNTAX.exec(text);
  if (!m) return undefined;
  const frac = m[3] ?? '';
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exp)) return undefined;
  const digits = ((m[2] ?? '') + frac).replace(/^0+/, '');
  if (digits === '') return undefined; // zero
  const lit = normalizeExact(BigInt(m[1] + digits), exp - frac.length);
  const nearest = exactDecimal(n);
  if (lit.m === nearest.m && lit.e === nearest.e) return undefined;
  return new RegoDecimal(lit.m, lit.e);
}

/**
 * Parses a Rego/JSON number literal, keeping large integers exact and literals no double denotes
 * as exact decimals. Returns undefined for malformed text.
 */
export function parseNumber(raw: string): RegoNumber | RegoDecimal | undefined {
  const text = raw.trim();
  if (!/^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return n;
    return normalizeBigInt(BigInt(text));
  }
  const n = Number(text);
  // An integer written with an exponent (1e30, 1.5e400) stays exact, even beyond double range.
  if (!Number.isSafeInteger(n)) {
    const m = /^(-?)(\d*)(?:\.(\d*))?[eE]([+-]?\d+)$/.exec(text);
    if (m) {
      const frac = m[3] ?? '';
      const shift = Number(m[4]) - frac.length;
      if (shift >= 0 && shift <= MAX_EXACT_EXPONENT) return normalizeBigInt(BigInt(m[1]! + ((m[2]! + frac).replace(/^0+(?=\d)/, '') || '0')) * 10n ** BigInt(shift));
    }
  }
  if (!Number.isFinite(n)) return undefined;
  return decimalLiteral(text, n) ?? n;
}

export function isInteger(n: RegoNumber | RegoDecimal): boolean {
  return typeof n === 'bigint' || (typeof n === 'number' && Number.isInteger(n));
}

export function compareNumbers(a: RegoNumber | RegoDecimal, b: RegoNumber | RegoDecimal): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'object' || typeof b === 'object') return compareExact(exactDecimal(a), exactDecimal(b));
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  // Mixed: JavaScript compares bigint and number by mathematical value.
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Orders two exact decimals. Magnitudes (digit count + exponent) decide first, so `1e-1000000000`
 * against `0.5` costs no alignment; aligning exponents is then bounded by the digits written.
 */
function compareExact(a: Exact, b: Exact): number {
  const sa = a.m < 0n ? -1 : a.m > 0n ? 1 : 0;
  const sb = b.m < 0n ? -1 : b.m > 0n ? 1 : 0;
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  const la = (sa < 0 ? -a.m : a.m).toString().length + a.e;
  const lb = (sb < 0 ? -b.m : b.m).toString().length + b.e;
  if (la !== lb) return (la < lb ? -1 : 1) * sa;
  const e = Math.min(a.e, b.e);
  const x = a.m * 10n ** BigInt(a.e - e);
  const y = b.m * 10n ** BigInt(b.e - e);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function numberToString(n: RegoNumber | RegoDecimal): string {
  if (typeof n === 'bigint') return n.toString();
  if (typeof n === 'object') return n.toString();
  if (Number.isInteger(n) && Math.abs(n) >= 1e21) return BigInt(n).toString();
  return String(n);
}

/** A number as a double or bigint, for builtins that compute in floating point or on integers. */
export function numericValue(n: RegoNumber | RegoDecimal): RegoNumber {
  return typeof n === 'object' ? n.approx() : n;
}

// ---------------------------------------------------------------------------------------------
// Keys for hashing: primitives key themselves, composites get a canonical string.

type Key = string | number | boolean | null | bigint;

/** Canonical serialisation of a composite value (used as a hash key and for sorting ties). */
export function canonicalString(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
    case 'bigint':
      return numberToString(v);
    case 'string':
      return JSON.stringify(v);
  }
  if (v instanceof RegoDecimal) return v.toString();
  let s: string;
  if (Array.isArray(v)) {
    work(1 + v.length);
    s = '[' + v.map(canonicalString).join(',') + ']';
  } else if (v instanceof RegoSet) {
    work(1 + v.size);
    s = 'set(' + v.values().map(canonicalString).join(',') + ')';
  } else {
    const entries = objectEntries(v);
    work(1 + entries.length);
    s = '{' + entries.map(([k, x]) => canonicalString(k) + ':' + canonicalString(x)).join(',') + '}';
  }
  made(2 * s.length);
  return s;
}

function primitiveKey(v: Value): Key | undefined {
  if (v === null) return null;
  switch (typeof v) {
    case 'boolean':
    case 'number':
    case 'bigint':
    case 'string':
      return v;
  }
  return undefined;
}

/** A hash map keyed by Rego value equality. */
export class ValueMap<T> {
  private readonly prims = new Map<Key, [Value, T]>();
  private comps: Map<string, [Value, T]> | undefined;

  get size(): number {
    return this.prims.size + (this.comps?.size ?? 0);
  }

  get(key: Value): T | undefined {
    const p = primitiveKey(key);
    if (p !== undefined) return this.prims.get(p)?.[1];
    return this.comps?.get(canonicalString(key))?.[1];
  }

  has(key: Value): boolean {
    const p = primitiveKey(key);
    if (p !== undefined) return this.prims.has(p);
    return this.comps?.has(canonicalString(key)) ?? false;
  }

  set(key: Value, value: T): void {
    const p = primitiveKey(key);
    if (p !== undefined) this.prims.set(p, [key, value]);
    else (this.comps ??= new Map()).set(canonicalString(key), [key, value]);
  }

  delete(key: Value): boolean {
    const p = primitiveKey(key);
    if (p !== undefined) return this.prims.delete(p);
    return this.comps?.delete(canonicalString(key)) ?? false;
  }

  /** Entries in insertion order (primitives first). */
  *entries(): IterableIterator<[Value, T]> {
    yield* this.prims.values();
    if (this.comps) yield* this.comps.values();
  }
}

// ---------------------------------------------------------------------------------------------
// Sets

export class RegoSet {
  private readonly map = new ValueMap<true>();
  private sorted: Value[] | undefined;

  constructor(items?: Iterable<Value>) {
    if (items) for (const item of items) this.add(item);
  }

  get size(): number {
    return this.map.size;
  }

  has(v: Value): boolean {
    return this.map.has(v);
  }

  add(v: Value): this {
    if (!this.map.has(v)) {
      this.map.set(v, true);
      this.sorted = undefined;
    }
    return this;
  }

  /** Members in Rego's total order (as OPA iterates and prints sets). Do not mutate. */
  values(): Value[] {
    if (!this.sorted) {
      const out: Value[] = [];
      for (const [k] of this.map.entries()) out.push(k);
      out.sort(compare);
      this.sorted = out;
    }
    return this.sorted;
  }

  [Symbol.iterator](): Iterator<Value> {
    return this.values()[Symbol.iterator]();
  }
}

// ---------------------------------------------------------------------------------------------
// Objects

/** An object with at least one non-string key. */
export class RegoObject {
  readonly map = new ValueMap<Value>();
  private sorted: Array<[Value, Value]> | undefined;

  get size(): number {
    return this.map.size;
  }

  get(k: Value): Value | undefined {
    return this.map.get(k);
  }

  set(k: Value, v: Value): void {
    this.map.set(k, v);
    this.sorted = undefined;
  }

  entries(): Array<[Value, Value]> {
    if (!this.sorted) {
      this.sorted = [...this.map.entries()].sort((a, b) => compare(a[0], b[0]));
    }
    return this.sorted;
  }
}

const hasOwn = Object.prototype.hasOwnProperty;
const sortedKeyCache = new WeakMap<PlainObject, string[]>();

function sortedKeys(o: PlainObject): string[] {
  let keys = sortedKeyCache.get(o);
  if (!keys) {
    keys = Object.keys(o).sort(compareStrings);
    sortedKeyCache.set(o, keys);
  }
  return keys;
}

/**
 * The prototype of the plain objects the engine creates: empty, frozen, with no prototype of its
 * own, so no key is inherited and `__proto__` is an ordinary key. (`Object.create(null)` objects
 * are the same to Rego but V8 keeps them as hash tables: enumerating one costs ~6× more.)
 */
const NO_MEMBERS: object = Object.freeze(Object.create(null) as object);

/** Creates an empty plain object safe for any key (`__proto__` included). */
export function emptyObject(): PlainObject {
  return Object.create(NO_MEMBERS) as PlainObject;
}

/** Sets a key on a plain object under construction, treating `__proto__` as data. */
export function setOwn(o: PlainObject, key: string, value: Value): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

/** Builds an object with any keys, producing the canonical representation. Later keys win. */
export class ObjectBuilder {
  private plain: PlainObject | undefined = emptyObject();
  private general: RegoObject | undefined;

  set(key: Value, value: Value): this {
    if (this.plain && typeof key === 'string') {
      setOwn(this.plain, key, value);
      return this;
    }
    if (!this.general) {
      this.general = new RegoObject();
      if (this.plain) for (const k of Object.keys(this.plain)) this.general.set(k, this.plain[k]!);
      this.plain = undefined;
    }
    this.general.set(key, value);
    return this;
  }

  has(key: Value): boolean {
    if (this.plain) return typeof key === 'string' && hasOwn.call(this.plain, key);
    return this.general!.map.has(key);
  }

  get(key: Value): Value | undefined {
    if (this.plain) return typeof key === 'string' && hasOwn.call(this.plain, key) ? this.plain[key] : undefined;
    return this.general!.get(key);
  }

  build(): PlainObject | RegoObject {
    return this.plain ?? this.general!;
  }
}

export function makeObject(entries: Iterable<[Value, Value]>): PlainObject | RegoObject {
  const b = new ObjectBuilder();
  for (const [k, v] of entries) b.set(k, v);
  return b.build();
}

export function objectGet(o: PlainObject | RegoObject, key: Value): Value | undefined {
  if (o instanceof RegoObject) return o.get(key);
  if (typeof key !== 'string') return undefined;
  return hasOwn.call(o, key) ? o[key] : undefined;
}

export function objectHas(o: PlainObject | RegoObject, key: Value): boolean {
  return objectGet(o, key) !== undefined;
}

export function objectSize(o: PlainObject | RegoObject): number {
  return o instanceof RegoObject ? o.size : Object.keys(o).length;
}

/** Keys in Rego's total order. */
export function objectKeys(o: PlainObject | RegoObject): Value[] {
  return o instanceof RegoObject ? o.entries().map((e) => e[0]) : sortedKeys(o);
}

/** Entries in key order. */
export function objectEntries(o: PlainObject | RegoObject): Array<[Value, Value]> {
  if (o instanceof RegoObject) return o.entries();
  return sortedKeys(o).map((k) => [k, o[k]!]);
}

// ---------------------------------------------------------------------------------------------
// Order and equality

export function compareStrings(a: string, b: string): number {
  // OPA compares strings by bytes (UTF-8); for BMP text code-unit order matches except surrogates,
  // so compare by code point.
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Rego's total order: null < boolean < number < string < array < object < set. */
export function compare(a: Value, b: Value): number {
  if (a === b) return 0;
  const ta = typeName(a);
  const tb = typeName(b);
  if (ta !== tb) return TYPE_RANK[ta] - TYPE_RANK[tb];
  switch (ta) {
    case 'null':
      return 0;
    case 'boolean':
      return a === b ? 0 : a ? 1 : -1;
    case 'number':
      return compareNumbers(a as RegoNumber, b as RegoNumber);
    case 'string':
      return compareStrings(a as string, b as string);
    case 'array': {
      const x = a as Value[];
      const y = b as Value[];
      const n = Math.min(x.length, y.length);
      work(1 + n);
      for (let i = 0; i < n; i++) {
        const c = compare(x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    case 'object': {
      const x = objectEntries(a as PlainObject | RegoObject);
      const y = objectEntries(b as PlainObject | RegoObject);
      const n = Math.min(x.length, y.length);
      work(1 + n);
      for (let i = 0; i < n; i++) {
        const ck = compare(x[i]![0], y[i]![0]);
        if (ck !== 0) return ck;
        const cv = compare(x[i]![1], y[i]![1]);
        if (cv !== 0) return cv;
      }
      return x.length - y.length;
    }
    case 'set': {
      const x = (a as RegoSet).values();
      const y = (b as RegoSet).values();
      const n = Math.min(x.length, y.length);
      work(1 + n);
      for (let i = 0; i < n; i++) {
        const c = compare(x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
  }
}

export function equals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    // number vs bigint compare by value; canonical form makes this rare but keep it exact.
    if (isNumber(a) && isNumber(b)) return compareNumbers(a, b) === 0;
    return false;
  }
  if (a instanceof RegoDecimal || b instanceof RegoDecimal) {
    // Canonical: a decimal never equals a double or bigint, and equal decimals have equal fields.
    return a instanceof RegoDecimal && b instanceof RegoDecimal && a.mantissa() === b.mantissa() && a.exponent() === b.exponent();
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    work(1 + a.length);
    for (let i = 0; i < a.length; i++) if (!equals(a[i]!, b[i]!)) return false;
    return true;
  }
  if (a instanceof RegoSet) {
    if (!(b instanceof RegoSet) || a.size !== b.size) return false;
    work(1 + a.size);
    for (const x of a.values()) if (!b.has(x)) return false;
    return true;
  }
  if (!isObject(b) || Array.isArray(b)) return false;
  const oa = a as PlainObject | RegoObject;
  const ob = b as PlainObject | RegoObject;
  if (oa instanceof RegoObject !== ob instanceof RegoObject) return false;
  if (oa instanceof RegoObject) {
    const bo = ob as RegoObject;
    if (oa.size !== bo.size) return false;
    work(1 + oa.size);
    for (const [k, v] of oa.map.entries()) {
      const w = bo.get(k);
      if (w === undefined || !equals(v, w)) return false;
    }
    return true;
  }
  const pa = oa as PlainObject;
  const pb = ob as PlainObject;
  const ka = Object.keys(pa);
  if (ka.length !== Object.keys(pb).length) return false;
  work(1 + ka.length);
  for (const k of ka) {
    if (!hasOwn.call(pb, k) || !equals(pa[k]!, pb[k]!)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// JSON

/**
 * Accepts a JSON value (e.g. from JSON.parse) as a Rego value. JSON values are already valid
 * values; this only normalises what JSON.parse cannot produce (non-finite numbers are rejected).
 */
export function fromJSON(json: unknown): Value {
  return json as Value;
}

/** Converts to JSON: sets become sorted arrays, object keys are sorted, non-string keys are stringified as OPA does. */
export function toJSON(v: Value): unknown {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'bigint') return v; // callers that stringify use stringifyJSON, which keeps bigints exact
    return v;
  }
  if (v instanceof RegoDecimal) return v; // stringifyJSON writes its exact text; JSON.stringify its nearest double
  if (Array.isArray(v)) {
    work(1 + v.length);
    made(48 + 8 * v.length);
    return v.map(toJSON);
  }
  if (v instanceof RegoSet) {
    work(1 + v.size);
    made(48 + 8 * v.size);
    return v.values().map(toJSON);
  }
  work(1);
  made(56);
  const out = emptyObject() as Record<string, unknown>;
  for (const [k, x] of objectEntries(v)) {
    work(1);
    made(24);
    const key = typeof k === 'string' ? k : stringifyJSON(k);
    if (key === '__proto__') Object.defineProperty(out, key, { value: toJSON(x), enumerable: true, writable: true, configurable: true });
    else out[key] = toJSON(x);
  }
  return out;
}

/** JSON text of a value, keeping big integers exact and keys sorted. */
export function stringifyJSON(v: Value, indent?: number): string {
  const json = toJSON(v);
  const text = JSON.stringify(
    json,
    function (this: Record<string, unknown>, k: string, x: unknown) {
      const original = this[k];
      if (original instanceof RegoDecimal) return `\u0000big:${original.toString()}`;
      return typeof x === 'bigint' ? `\u0000big:${x.toString()}` : x;
    },
    indent,
  ).replace(/"\\u0000big:(-?[\d.e+-]+)"/g, '$1');
  made(2 * text.length);
  return text;
}
