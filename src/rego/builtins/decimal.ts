/**
 * Decimal arithmetic for non-integer operands. OPA computes with big.Float (64-bit mantissa) and
 * prints the shortest decimal, so `0.1 + 0.2` is `0.3` there, not 0.30000000000000004. Working on
 * the exact decimals that the operands print as, then rounding once to a double, gives OPA's
 * answers for the terminating cases that policies meet.
 */
import type { RegoNumber } from '../value.js';

interface Decimal {
  m: bigint;
  e: number; // value = m * 10^e
}

export function toDecimal(x: RegoNumber): Decimal {
  if (typeof x === 'bigint') return { m: x, e: 0 };
  const s = String(x);
  const [mant, expText] = s.split('e') as [string, string | undefined];
  const dot = mant.indexOf('.');
  const digits = mant.replace('.', '');
  const e = (expText ? Number(expText) : 0) - (dot < 0 ? 0 : mant.length - dot - 1);
  return { m: BigInt(digits), e };
}

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

export function decimalAdd(x: RegoNumber, y: RegoNumber): number {
  const a = toDecimal(x);
  const b = toDecimal(y);
  if (!usable(a, b)) return Number(x) + Number(y);
  const [ma, mb, e] = align(a, b);
  return toNumber({ m: ma + mb, e });
}

export function decimalSubtract(x: RegoNumber, y: RegoNumber): number {
  const a = toDecimal(x);
  const b = toDecimal(y);
  if (!usable(a, b)) return Number(x) - Number(y);
  const [ma, mb, e] = align(a, b);
  return toNumber({ m: ma - mb, e });
}

export function decimalMultiply(x: RegoNumber, y: RegoNumber): number {
  const a = toDecimal(x);
  const b = toDecimal(y);
  return toNumber({ m: a.m * b.m, e: a.e + b.e });
}

/** Exact when the quotient terminates within 40 more digits; otherwise a double division. */
export function decimalDivide(x: RegoNumber, y: RegoNumber): number {
  const a = toDecimal(x);
  const b = toDecimal(y);
  if (b.m === 0n) return NaN;
  let m = a.m;
  for (let k = 0; k <= 40; k++) {
    if (m % b.m === 0n) return toNumber({ m: m / b.m, e: a.e - b.e - k });
    m *= 10n;
  }
  return Number(x) / Number(y);
}
