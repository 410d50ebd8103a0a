/**
 * A side-by-side view of two texts, from jsdiff's line diff: removed and added runs are paired row by
 * row, unchanged runs longer than twice the context collapse to a "N unchanged lines" row.
 */
import { diffLines } from 'diff';

export interface SideLine {
  line: number;
  text: string;
}

export type DiffRow =
  | { kind: 'same' | 'change'; left?: SideLine; right?: SideLine }
  | { kind: 'skip'; count: number };

const CONTEXT = 3;

function splitLines(value: string): string[] {
  const lines = value.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function sideBySide(before: string, after: string): { rows: DiffRow[]; changed: boolean } {
  const rows: DiffRow[] = [];
  let left = 1;
  let right = 1;
  let changed = false;
  const parts = diffLines(before.replace(/\r\n/g, '\n'), after.replace(/\r\n/g, '\n'));
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const lines = splitLines(part.value);
    if (!part.added && !part.removed) {
      const same = lines.map((text) => ({ kind: 'same' as const, left: { line: left++, text }, right: { line: right++, text } }));
      const head = i === 0 ? 0 : CONTEXT;
      const tail = i === parts.length - 1 ? 0 : CONTEXT;
      if (same.length > head + tail + 1) {
        rows.push(...same.slice(0, head), { kind: 'skip', count: same.length - head - tail }, ...same.slice(same.length - tail));
      } else rows.push(...same);
      continue;
    }
    changed = true;
    // A removal followed by an addition is one change: pair their lines.
    const removed = part.removed ? lines : [];
    const next = parts[i + 1];
    const added = part.added ? lines : next?.added ? splitLines(next.value) : [];
    if (part.removed && next?.added) i++;
    for (let k = 0; k < Math.max(removed.length, added.length); k++) {
      const row: DiffRow = { kind: 'change' };
      if (k < removed.length) row.left = { line: left++, text: removed[k]! };
      if (k < added.length) row.right = { line: right++, text: added[k]! };
      rows.push(row);
    }
  }
  return { rows, changed };
}
