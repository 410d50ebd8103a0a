/**
 * Editor-like edits for property tests of incremental parsing and validation: one replacement of a
 * stretch by typed or pasted text, often at a line start (where top-level blocks meet).
 */
import fc from 'fast-check';

export interface Edit {
  at: number;
  remove: number;
  insert: string;
  atLineStart: boolean;
}

/** Edits inserting `typed` (or nothing) and removing a few characters, sometimes a few hundred. */
export function edits(typed: fc.Arbitrary<string>): fc.Arbitrary<Edit> {
  return fc.record({
    at: fc.nat(),
    remove: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 1, arbitrary: fc.integer({ min: 4, max: 400 }) }),
    insert: fc.oneof({ weight: 3, arbitrary: typed }, { weight: 1, arbitrary: fc.constant('') }),
    atLineStart: fc.boolean(),
  });
}

export function applyEdit(text: string, edit: Edit): string {
  let at = text.length === 0 ? 0 : edit.at % (text.length + 1);
  if (edit.atLineStart) at = text.lastIndexOf('\n', at - 1) + 1;
  return text.slice(0, at) + edit.insert + text.slice(Math.min(text.length, at + edit.remove));
}
