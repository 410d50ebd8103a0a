/** array.* builtins. */
import type { Value } from '../value.js';
import type { Builtin } from './registry.js';
import { arr, def, int, toFloat } from './util.js';

/** Clamps an index as OPA's array.slice does (indexes may be bigints far outside the array). */
function clampIndex(n: number | bigint, len: number): number {
  const x = toFloat(n);
  return x < 0 ? 0 : x > len ? len : x;
}

export const ARRAYS: Builtin[] = [
  def('array.concat', 2, (args, ctx) => {
    const a = arr('array.concat', args, 0);
    const b = arr('array.concat', args, 1);
    ctx.alloc(48 + 8 * (a.length + b.length));
    return a.concat(b);
  }),
  def('array.slice', 3, (args) => {
    const a = arr('array.slice', args, 0);
    const start = clampIndex(int('array.slice', args, 1), a.length);
    const stop = clampIndex(int('array.slice', args, 2), a.length);
    return start >= stop ? [] : a.slice(start, stop);
  }),
  def('array.flatten', 1, (args, ctx) => {
    // One level: nested arrays are spliced in, everything else is kept.
    const a = arr('array.flatten', args, 0);
    let n = 0;
    for (const x of a) n += Array.isArray(x) ? x.length : 1;
    ctx.alloc(48 + 8 * n);
    const out: Value[] = [];
    for (const x of a) {
      if (Array.isArray(x)) for (const y of x) out.push(y);
      else out.push(x);
    }
    return out;
  }),
  def('array.reverse', 1, (args): Value => arr('array.reverse', args, 0).slice().reverse()),
];
