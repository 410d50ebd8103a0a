/**
 * walk(x): a relation yielding [path, value] for x and every value nested in it, parents before
 * children, children in key order (as OPA). Returned as an array of pairs; `relation: true` tells
 * the evaluator to iterate it.
 */
import { type Value, RegoSet, isObject, objectEntries } from '../value.js';
import type { Builtin, BuiltinContext } from './registry.js';
import { def } from './util.js';

export function walkPairs(root: Value, ctx: BuiltinContext): Value[] {
  const out: Value[] = [];
  const visit = (path: Value[], v: Value): void => {
    ctx.tick(1);
    // Each pair holds its own path array: the output grows with size times depth.
    ctx.alloc(96 + 8 * path.length);
    out.push([path, v]);
    if (Array.isArray(v)) v.forEach((x, i) => visit([...path, i], x));
    else if (v instanceof RegoSet) for (const x of v.values()) visit([...path, x], x);
    else if (isObject(v)) for (const [k, x] of objectEntries(v)) visit([...path, k], x);
  };
  visit([], root);
  return out;
}

export const WALK: Builtin[] = [def('walk', 1, ([x], ctx) => walkPairs(x!, ctx), { relation: true })];
