/** units.parse and units.parse_bytes with OPA's rules (decimal and binary suffixes, m vs M). */
import type { Builtin } from './registry.js';
import { def, fail, intResult, str } from './util.js';

/** Digits in a scientific-notation exponent beyond which OPA refuses the amount. */
const MAX_EXPONENT_DIGITS = 6;

class ExponentTooLarge extends Error {}

/**
 * OPA extractNumAndUnit: the leading amount (digits, dots, signs, and an `e`/`E` exponent when a
 * digit or sign follows it), then the rest as the unit. `10e` is 10 exa; `1e3` is a thousand.
 */
function splitAmount(s: string): [string, string] {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s[i]!;
    const digitOrDot = /[0-9.]/.test(c);
    if (!digitOrDot && c !== 'e' && c !== 'E' && c !== '+' && c !== '-') break;
    if (c === 'e' || c === 'E') {
      const next = s[i + 1];
      if (next === undefined || !/[0-9+-]/.test(next)) break;
      if (next === '+' || next === '-') i++;
      let end = i + 1;
      while (end < s.length && /[0-9]/.test(s[end]!)) end++;
      if (end - (i + 1) > MAX_EXPONENT_DIGITS) throw new ExponentTooLarge();
    }
  }
  return [s.slice(0, i), s.slice(i)];
}

/** An exact decimal as num / den (Go big.Rat SetString: sign, digits, dot, exponent). */
function parseDecimal(text: string): { num: bigint; den: bigint } | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const frac = m[3] ?? '';
  let num = BigInt((m[2] || '0') + frac);
  if (m[1] === '-') num = -num;
  let den = 10n ** BigInt(frac.length);
  const exp = m[4] ? Number(m[4]) : 0;
  if (exp > 0) num *= 10n ** BigInt(exp);
  else if (exp < 0) den *= 10n ** BigInt(-exp);
  return { num, den };
}

/** units.parse factors as [numerator, denominator]; `m` is milli and `M` mega. */
const UNIT_FACTORS: Record<string, [bigint, bigint]> = (() => {
  const t: Record<string, [bigint, bigint]> = { '': [1n, 1n], m: [1n, 1000n], M: [10n ** 6n, 1n] };
  const decimal: Array<[string, bigint]> = [['k', 10n ** 3n], ['g', 10n ** 9n], ['t', 10n ** 12n], ['p', 10n ** 15n], ['e', 10n ** 18n]];
  for (const [u, f] of decimal) t[u] = t[u.toUpperCase()] = [f, 1n];
  const binary: Array<[string, bigint]> = [['k', 10n], ['m', 20n], ['g', 30n], ['t', 40n], ['p', 50n], ['e', 60n]];
  for (const [u, bits] of binary) t[u + 'i'] = t[u.toUpperCase() + 'i'] = [1n << bits, 1n];
  return t;
})();

/** big.Rat.FloatString(10): 10 decimals, halves rounded away from zero. */
function ratToNumber(num: bigint, den: bigint): number | bigint {
  if (num % den === 0n) return intResult(num / den);
  const scaled = num * 10n ** 10n;
  let q = scaled / den;
  const r = scaled % den;
  if (2n * (r < 0n ? -r : r) >= den) q += num < 0n ? -1n : 1n;
  const neg = q < 0n;
  const digits = (neg ? -q : q).toString().padStart(11, '0');
  return Number((neg ? '-' : '') + digits.slice(0, -10) + '.' + digits.slice(-10));
}

function unitsParse(raw: string): number | bigint {
  const name = 'units.parse';
  const s = raw.replace(/"/g, '');
  if (s.includes(' ')) throw fail(name, 'spaces not allowed in resource strings');
  let amount: string;
  let unitRaw: string;
  try {
    [amount, unitRaw] = splitAmount(s);
  } catch (e) {
    if (e instanceof ExponentTooLarge) throw fail(name, 'exponent too large');
    throw e;
  }
  if (amount === '') throw fail(name, 'no amount provided');
  const unit = unitRaw.length > 1 ? unitRaw[0] + unitRaw.slice(1).toLowerCase() : unitRaw;
  const mult = Object.prototype.hasOwnProperty.call(UNIT_FACTORS, unit) ? UNIT_FACTORS[unit]! : undefined;
  if (mult === undefined) throw fail(name, `unit ${unit} not recognized`);
  const [num, den] = mult;
  const d = parseDecimal(amount);
  if (!d) throw fail(name, 'could not parse amount to a number');
  return ratToNumber(d.num * num, d.den * den);
}

const BYTE_UNITS: Record<string, bigint> = {
  '': 1n,
  kb: 10n ** 3n,
  k: 10n ** 3n,
  kib: 1n << 10n,
  ki: 1n << 10n,
  mb: 10n ** 6n,
  m: 10n ** 6n,
  mib: 1n << 20n,
  mi: 1n << 20n,
  gb: 10n ** 9n,
  g: 10n ** 9n,
  gib: 1n << 30n,
  gi: 1n << 30n,
  tb: 10n ** 12n,
  t: 10n ** 12n,
  tib: 1n << 40n,
  ti: 1n << 40n,
  pb: 10n ** 15n,
  p: 10n ** 15n,
  pib: 1n << 50n,
  pi: 1n << 50n,
  eb: 10n ** 18n,
  e: 10n ** 18n,
  eib: 1n << 60n,
  ei: 1n << 60n,
};

function parseBytes(raw: string): number | bigint {
  const name = 'units.parse_bytes';
  const s = raw.replace(/"/g, '').toLowerCase();
  if (s.includes(' ')) throw fail(name, 'spaces not allowed in resource strings');
  let amount: string;
  let unit: string;
  try {
    [amount, unit] = splitAmount(s);
  } catch (e) {
    if (e instanceof ExponentTooLarge) throw fail(name, 'exponent too large');
    throw e;
  }
  if (amount === '') throw fail(name, 'no byte amount provided');
  const mult = Object.prototype.hasOwnProperty.call(BYTE_UNITS, unit) ? BYTE_UNITS[unit]! : undefined;
  if (mult === undefined) throw fail(name, `byte unit ${unit} not recognized`);
  const d = parseDecimal(amount);
  if (!d) throw fail(name, 'could not parse byte amount to a number');
  // Truncated toward zero, as big.Float.Int does.
  return intResult((d.num * mult) / d.den);
}

export const UNITS: Builtin[] = [
  def('units.parse', 1, (args) => unitsParse(str('units.parse', args, 0))),
  def('units.parse_bytes', 1, (args) => parseBytes(str('units.parse_bytes', args, 0))),
];
