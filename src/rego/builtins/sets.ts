/** union and intersection of a set of sets. */
import { RegoSet } from '../value.js';
import type { Builtin } from './registry.js';
import { def, elementError, set } from './util.js';

function setOfSets(name: string, s: RegoSet): RegoSet[] {
  return s.values().map((x) => {
    if (!(x instanceof RegoSet)) throw elementError(name, 1, s, x, 'set');
    return x;
  });
}

export const SETS: Builtin[] = [
  def('union', 1, (args) => {
    const out = new RegoSet();
    for (const s of setOfSets('union', set('union', args, 0))) for (const x of s.values()) out.add(x);
    return out;
  }),
  def('intersection', 1, (args) => {
    const sets = setOfSets('intersection', set('intersection', args, 0));
    if (sets.length === 0) return new RegoSet();
    let acc = sets[0]!;
    for (const s of sets.slice(1)) acc = new RegoSet(acc.values().filter((x) => s.has(x)));
    return acc;
  }),
];
