/**
 * Decimal arithmetic for non-integer operands. OPA computes with big.Float (64-bit mantissa) and
 * prints the shortest decimal, so `0.1 + 0.2` is `0.3` there, not 0.30000000000000004. Working on
 * the exact decimals that the operands print as, then rounding once to a double, gives OPA's
 * answers for the terminating cases that policies meet.
 */
import { exactDecimal, type RegoDecimal, type RegoNumber } from '../value.js';

interface Decimal {
  m: bigint;
  e: number; // value = m * 10^e
}

type Operand = RegoNumber | RegoDecimal;

/** The exact decimal an operand denotes (a double: the shortest decimal printing as it). */
const toDecimal = (x: Operand): Decimal => exactDecimal(x);

function toNumber(d: Decimal): number {
  return Number(`${d.m}e${d.e}`);
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.m * 10n ** BigInt(a.e - e), b.m * 10n ** BigInt(b.e - e), e];
}

const MAX_EXPONENT_GAP = 400;

function usable(a: Decimal, b: Decimal): boolean {
  return Math.abs(a.e - b.e) <= MAX_EXPONENT_GAP;
}

export function decimalAdd(x: Operand, y: Operand): number {
  const a = toDecimal(x);
  const b = toDecimal(y);
  if (!usable(a, b)) return toNumber(a) + toNumber(b);
  const [ma, mb, e] = align(a, b);
  return toNumber({ m: ma + mb, e });
}

export function decimalSubtract(x: Operand, y: Operand): number {
  const a = toDecimal(x);
  const b = toDecimal(y);
  if (!usable(a, b)) return toNumber(a) - toNumber(b);
  const [ma, mb, e] = align(a, b);
  return toNumber({ m: ma - mb, e });
}

export function decimalMultiply(x: Operand, y: Operand): number {
  const a = toDecimal(x);
  const b = toDecimal(y);
  return toNumber({ m: a.m * b.m, e: a.e + b.e });
}

/** Exact when the quotient terminates within 40 more digits; otherwise a double division. */
export function decimalDivide(x: Operand, y: Operand): number {
  const a = toDecimal(x);
  const b = toDecimal(y);
  if (b.m === 0n) return NaN;
  let m = a.m;
  for (let k = 0; k <= 40; k++) {
    if (m % b.m === 0n) return toNumber({ m: m / b.m, e: a.e - b.e - k });
    m *= 10n;
  }
  return toNumber(a) / toNumber(b);
}
