/** count, sum, product, max, min, sort, the deprecated any/all, and the helpers behind `in`. */
import { type RegoNumber, type Value, RegoSet, compare, equals, isInteger, isNumber, isObject, numericValue, objectEntries, objectGet, objectSize } from '../value.js';
import type { Builtin } from './registry.js';
import { add, multiply } from './operators.js';
import { def, elementError, intResult, members, runeLength, toBigInt, typeError } from './util.js';

function collection(name: string, v: Value): Value[] {
  const items = members(v);
  if (!items) throw typeError(name, 1, v, 'set', 'array');
  return items;
}

function accumulate(name: string, v: Value, init: number, intOp: (a: bigint, b: bigint) => bigint, floatOp: (a: RegoNumber, b: RegoNumber) => RegoNumber): RegoNumber {
  const items = collection(name, v);
  let allInts = true;
  const numbers: RegoNumber[] = [];
  for (const x of items) {
    if (!isNumber(x)) throw elementError(name, 1, v, x, 'number');
    if (!isInteger(x)) allInts = false;
    numbers.push(numericValue(x));
  }
  if (allInts) {
    let acc = BigInt(init);
    for (const x of numbers) acc = intOp(acc, toBigInt(x));
    return intResult(acc);
  }
  let acc: RegoNumber = init;
  for (const x of numbers) acc = floatOp(acc, x);
  return acc;
}

export const AGGREGATES: Builtin[] = [
  def('count', 1, ([v]) => {
    if (typeof v === 'string') return runeLength(v);
    if (Array.isArray(v)) return v.length;
    if (v instanceof RegoSet) return v.size;
    if (isObject(v)) return objectSize(v);
    throw typeError('count', 1, v!, 'array', 'object', 'set', 'string');
  }, { fast: (v) => (Array.isArray(v) ? v.length : v instanceof RegoSet ? v.size : undefined) }),
  def('sum', 1, ([v]) => accumulate('sum', v!, 0, (a, b) => a + b, add)),
  def('product', 1, ([v]) => accumulate('product', v!, 1, (a, b) => a * b, multiply)),
  def('max', 1, ([v]) => {
    const items = collection('max', v!);
    if (items.length === 0) return undefined;
    let best = items[0] as Value;
    for (const x of items) if (compare(best, x) <= 0) best = x;
    return best;
  }),
  def('min', 1, ([v]) => {
    const items = collection('min', v!);
    if (items.length === 0) return undefined;
    let best = items[0] as Value;
    for (const x of items) if (compare(best, x) >= 0) best = x;
    return best;
  }),
  def('sort', 1, ([v]) => {
    const items = collection('sort', v!);
    return v instanceof RegoSet ? items.slice() : items.slice().sort(compare);
  }),
  def(
    'any',
    1,
    ([v]) => {
      const items = members(v!);
      if (!items) throw typeError('any', 1, v!, 'array', 'set');
      return items.some((x) => x === true);
    },
    { deprecated: true },
  ),
  def(
    'all',
    1,
    ([v]) => {
      const items = members(v!);
      if (!items) throw typeError('all', 1, v!, 'array', 'set');
      return items.every((x) => x === true);
    },
    { deprecated: true },
  ),
  // `x in xs` and `k, v in xs`: false (never an error) for non-collections.
  def('internal.member_2', 2, ([x, c]) => {
    if (c instanceof RegoSet) return c.has(x!);
    if (Array.isArray(c)) return c.some((y) => equals(x!, y));
    if (isObject(c)) return objectEntries(c).some(([, y]) => equals(x!, y));
    return false;
  }),
  def('internal.member_3', 3, ([k, x, c]) => {
    if (c instanceof RegoSet) return c.has(k!) && equals(k!, x!);
    if (Array.isArray(c)) {
      if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k >= c.length) return false;
      return equals(c[k]!, x!);
    }
    if (isObject(c)) {
      const y = objectGet(c, k!);
      return y !== undefined && equals(y, x!);
    }
    return false;
  }),
];
