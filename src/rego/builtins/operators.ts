/**
 * Arithmetic, set and comparison operators (OPA names: plus, minus, mul, div, rem, or, and,
 * equal, neq, lt, lte, gt, gte). Integers stay exact at any size; anything else is a float.
 */
import { type RegoDecimal, type RegoNumber, type Value, RegoSet, compare, equals, isInteger, isNumber } from '../value.js';
import type { Builtin } from './registry.js';
import { decimalAdd, decimalDivide, decimalMultiply, decimalSubtract } from './decimal.js';
import { def, fail, fromFloat, intResult, set, toBigInt, typeError } from './util.js';

const isNum = isNumber;

type IntOp = (x: bigint, y: bigint) => bigint;
type SmallOp = (x: number, y: number) => number;
type DecimalOp = (x: Num, y: Num) => number;
/** An operand: exact decimals (value.ts RegoDecimal) take part in decimal arithmetic. */
type Num = RegoNumber | RegoDecimal;

/**
 * Runs an exact integer operation when both operands are integral (in doubles while the result
 * stays safe, in bigints beyond), and decimal arithmetic otherwise (see decimal.ts).
 */
export function arith(a: Num, b: Num, intOp: IntOp, smallOp: SmallOp, decimalOp: DecimalOp): RegoNumber {
  if (!isInteger(a) || !isInteger(b)) return fromFloat(decimalOp(a, b));
  if (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a) && Number.isSafeInteger(b)) {
    const r = smallOp(a, b);
    if (Number.isSafeInteger(r)) return intResult(r);
  }
  return intResult(intOp(toBigInt(a as RegoNumber), toBigInt(b as RegoNumber)));
}

export function add(a: Num, b: Num): RegoNumber {
  return arith(a, b, (x, y) => x + y, (x, y) => x + y, decimalAdd);
}
export function subtract(a: Num, b: Num): RegoNumber {
  return arith(a, b, (x, y) => x - y, (x, y) => x - y, decimalSubtract);
}
export function multiply(a: Num, b: Num): RegoNumber {
  return arith(a, b, (x, y) => x * y, (x, y) => x * y, decimalMultiply);
}

export function divide(a: Num, b: Num): RegoNumber {
  if (b === 0 || b === 0n) throw fail('div', 'divide by zero');
  if (isInteger(a) && isInteger(b)) {
    const x = toBigInt(a as RegoNumber);
    const y = toBigInt(b as RegoNumber);
    if (x !== 0n && x % y === 0n) return intResult(x / y);
  }
  return fromFloat(decimalDivide(a, b));
}

export function remainder(a: Num, b: Num): RegoNumber {
  if (!isInteger(a) || !isInteger(b)) throw fail('rem', 'modulo on floating-point number');
  if (typeof a === 'number' && typeof b === 'number') {
    if (b === 0) throw fail('rem', 'modulo by zero');
    return intResult(a % b);
  }
  const y = toBigInt(b as RegoNumber);
  if (y === 0n) throw fail('rem', 'modulo by zero');
  return intResult(toBigInt(a as RegoNumber) % y);
}

function numeric(name: string, op: (a: Num, b: Num) => RegoNumber, small?: SmallOp): Builtin {
  return def(
    name,
    2,
    (args) => {
      const [a, b] = args as [Value, Value];
      if (!isNum(a)) throw typeError(name, 1, a, 'number');
      if (!isNum(b)) throw typeError(name, 2, b, 'number');
      return op(a, b);
    },
    small ? { fast: (a, b) => smallIntegers(a, b, small) } : undefined,
  );
}

/** An exact small-integer result, or undefined for anything else. */
function smallIntegers(a: Value, b: Value, op: SmallOp): number | undefined {
  if (typeof a !== 'number' || typeof b !== 'number' || !Number.isSafeInteger(a) || !Number.isSafeInteger(b)) return undefined;
  const r = op(a, b);
  return Number.isSafeInteger(r) && !Object.is(r, -0) ? r : undefined;
}

function setDifference(a: RegoSet, b: RegoSet): RegoSet {
  const out = new RegoSet();
  for (const x of a.values()) if (!b.has(x)) out.add(x);
  return out;
}

export function setUnion(a: RegoSet, b: RegoSet): RegoSet {
  const out = new RegoSet(a.values());
  for (const x of b.values()) out.add(x);
  return out;
}

export function setIntersection(a: RegoSet, b: RegoSet): RegoSet {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  const out = new RegoSet();
  for (const x of small.values()) if (large.has(x)) out.add(x);
  return out;
}

const minus = def('minus', 2, (args) => {
  const [a, b] = args as [Value, Value];
  if (isNum(a) && isNum(b)) return subtract(a, b);
  if (a instanceof RegoSet && b instanceof RegoSet) return setDifference(a, b);
  if (!isNum(a) && !(a instanceof RegoSet)) throw typeError('minus', 1, a, 'number', 'set');
  if (isNum(a)) throw typeError('minus', 2, b, 'number');
  throw typeError('minus', 2, b, 'set');
});

function comparison(name: string, test: (c: number) => boolean): Builtin {
  return def(name, 2, (args) => test(compare(args[0]!, args[1]!)), {
    fast: (a, b) => (typeof a === 'number' && typeof b === 'number' ? test(a < b ? -1 : a > b ? 1 : 0) : undefined),
  });
}

export const OPERATORS: Builtin[] = [
  numeric('plus', add, (x, y) => x + y),
  { ...minus, fast: (a, b) => smallIntegers(a, b, (x, y) => x - y) },
  numeric('mul', multiply, (x, y) => x * y),
  numeric('div', divide),
  numeric('rem', remainder),
  def('or', 2, (args) => setUnion(set('or', args, 0), set('or', args, 1))),
  def('and', 2, (args) => setIntersection(set('and', args, 0), set('and', args, 1))),
  def('equal', 2, (args) => equals(args[0]!, args[1]!)),
  def('neq', 2, (args) => !equals(args[0]!, args[1]!)),
  comparison('lt', (c) => c < 0),
  comparison('lte', (c) => c <= 0),
  comparison('gt', (c) => c > 0),
  comparison('gte', (c) => c >= 0),
];
