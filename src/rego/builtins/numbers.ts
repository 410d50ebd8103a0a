/** abs, round, ceil, floor, numbers.range, numbers.range_step, rand.intn, bits.*. */
import { type Value, isInteger } from '../value.js';
import type { Builtin, BuiltinContext } from './registry.js';
import { bigIntOperand, def, fail, fromFloat, intResult, num, operandError, smallInt, str } from './util.js';

function unary(name: string, onFloat: (x: number) => number): Builtin {
  return def(name, 1, (args) => {
    const n = num(name, args, 0);
    if (isInteger(n)) return name === 'abs' ? intResult(typeof n === 'bigint' ? (n < 0n ? -n : n) : Math.abs(n)) : n;
    return fromFloat(onFloat(n as number));
  });
}

/** Rounds half away from zero (OPA round). */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

function range(ctx: BuiltinContext, a: bigint, b: bigint, step: bigint): Value[] {
  const count = (a <= b ? b - a : a - b) / step + 1n;
  // Charge the whole range before allocating it, so limits stop runaway ranges early.
  ctx.tick(Number(count));
  const out: Value[] = [];
  if (a <= b) for (let x = a; x <= b; x += step) out.push(intResult(x));
  else for (let x = a; x >= b; x -= step) out.push(intResult(x));
  return out;
}

/** A small deterministic generator (mulberry32) for seeded pseudo-random builtins. */
export function seededRandom(seed: number, key: string): () => number {
  let h = seed >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x9e3779b1) >>> 0;
  let state = h;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const NUMBERS: Builtin[] = [
  unary('abs', Math.abs),
  unary('round', roundHalfAway),
  unary('ceil', Math.ceil),
  unary('floor', Math.floor),
  def('numbers.range', 2, (args, ctx) => {
    const a = bigIntOperand('numbers.range', args, 0);
    const b = bigIntOperand('numbers.range', args, 1);
    return range(ctx, a, b, 1n);
  }),
  def('numbers.range_step', 3, (args, ctx) => {
    const a = bigIntOperand('numbers.range_step', args, 0);
    const b = bigIntOperand('numbers.range_step', args, 1);
    const step = bigIntOperand('numbers.range_step', args, 2);
    // OPA's own message already names the builtin, so it appears twice.
    if (step <= 0n) throw fail('numbers.range_step', 'numbers.range_step: step must be a positive integer');
    return range(ctx, a, b, step);
  }),
  // Same value for the same (key, n) within one evaluation, as OPA caches it per query.
  def('rand.intn', 2, (args, ctx) => {
    const key = str('rand.intn', args, 0);
    let n = BigInt(smallInt('rand.intn', args, 1));
    if (n === 0n) return 0;
    if (n < 0n) n = -n;
    const cacheKey = `rand.intn\u0000${key}\u0000${n}`;
    const cached = ctx.cache.get(cacheKey);
    if (cached !== undefined) return cached;
    const r = seededRandom(ctx.seed, cacheKey);
    const value = intResult(BigInt(Math.floor(r() * Number(n))) % n);
    ctx.cache.set(cacheKey, value);
    return value;
  }),
  def('bits.or', 2, (args) => intResult(bigIntOperand('bits.or', args, 0) | bigIntOperand('bits.or', args, 1))),
  def('bits.and', 2, (args) => intResult(bigIntOperand('bits.and', args, 0) & bigIntOperand('bits.and', args, 1))),
  def('bits.xor', 2, (args) => intResult(bigIntOperand('bits.xor', args, 0) ^ bigIntOperand('bits.xor', args, 1))),
  def('bits.negate', 1, (args) => intResult(~bigIntOperand('bits.negate', args, 0))),
  def('bits.lsh', 2, (args) => {
    const x = bigIntOperand('bits.lsh', args, 0);
    const s = bigIntOperand('bits.lsh', args, 1);
    if (s < 0n) throw operandError('bits.lsh', 2, 'must be an unsigned integer number but got a negative integer');
    if (s > 65536n) throw fail('bits.lsh', 'shift amount too large');
    return intResult(x << s);
  }),
  def('bits.rsh', 2, (args) => {
    const x = bigIntOperand('bits.rsh', args, 0);
    const s = bigIntOperand('bits.rsh', args, 1);
    if (s < 0n) throw operandError('bits.rsh', 2, 'must be an unsigned integer number but got a negative integer');
    return intResult(x >> s);
  }),
];
