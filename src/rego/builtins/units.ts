/** units.parse and units.parse_bytes with OPA's rules (decimal and binary suffixes, m vs M). */
import type { Builtin } from './registry.js';
import { def, fail, intResult, str } from './util.js';

/** OPA extractNumAndUnit: the leading run of digits and dots, then the rest. */
function splitAmount(s: string): [string, string] {
  let i = 0;
  while (i < s.length && /[\p{Nd}.]/u.test(s[i]!)) i++;
  return [s.slice(0, i), s.slice(i)];
}

/** An exact decimal as numerator / 10^scale (Go big.Rat/big.Float SetString on digits and dots). */
function parseDecimal(text: string): { num: bigint; scale: number } | undefined {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) return undefined;
  const frac = m[2] ?? '';
  return { num: BigInt((m[1] || '0') + frac), scale: frac.length };
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
  const [amount, unitRaw] = splitAmount(s);
  if (amount === '') throw fail(name, 'no amount provided');
  const unit = unitRaw.length > 1 ? unitRaw[0] + unitRaw.slice(1).toLowerCase() : unitRaw;
  const mult = Object.prototype.hasOwnProperty.call(UNIT_FACTORS, unit) ? UNIT_FACTORS[unit]! : undefined;
  if (mult === undefined) throw fail(name, `unit ${unit} not recognized`);
  const [num, den] = mult;
  const d = parseDecimal(amount);
  if (!d) throw fail(name, 'could not parse amount to a number');
  return ratToNumber(d.num * num, 10n ** BigInt(d.scale) * den);
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
  const [amount, unit] = splitAmount(s);
  if (amount === '') throw fail(name, 'no byte amount provided');
  const mult = Object.prototype.hasOwnProperty.call(BYTE_UNITS, unit) ? BYTE_UNITS[unit]! : undefined;
  if (mult === undefined) throw fail(name, `byte unit ${unit} not recognized`);
  const d = parseDecimal(amount);
  if (!d) throw fail(name, 'could not parse byte amount to a number');
  // Truncated toward zero, as big.Float.Int does.
  return intResult((d.num * mult) / 10n ** BigInt(d.scale));
}

export const UNITS: Builtin[] = [
  def('units.parse', 1, (args) => unitsParse(str('units.parse', args, 0))),
  def('units.parse_bytes', 1, (args) => parseBytes(str('units.parse_bytes', args, 0))),
];
