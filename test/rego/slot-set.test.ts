import { describe, expect, it } from 'vitest';
import { SlotSet } from '../../src/rego/scheduler.js';

describe('SlotSet', () => {
  it('holds a few slots and many slots alike (list, then bitmap), children seeing their parents', () => {
    const root = new SlotSet();
    const body = root.child();
    const added = [0, 31, 32, 33, 63, 64, 1000, 70_000];
    for (let s = 100; s < 130; s++) added.push(s);
    for (const s of added) body.add(s);
    for (const s of added) expect(body.has(s)).toBe(true);
    for (const s of [1, 30, 34, 65, 99, 130, 999, 1001, 69_999, 70_001, 1_000_000]) expect(body.has(s)).toBe(false);
    expect(root.has(31)).toBe(false);

    const nested = body.child();
    nested.add(5);
    expect(nested.has(5) && nested.has(70_000) && nested.has(0)).toBe(true);
    expect(body.has(5)).toBe(false);
  });

  it('keeps a negative slot when it switches to a bitmap', () => {
    const s = new SlotSet();
    s.add(-1);
    for (let i = 0; i < 40; i++) s.add(i * 3);
    expect(s.has(-1)).toBe(true);
    expect(s.has(39 * 3)).toBe(true);
    expect(s.has(-2)).toBe(false);
    expect(s.has(1)).toBe(false);
  });

  it('adding a slot twice keeps it once', () => {
    const s = new SlotSet();
    s.add(7).add(7);
    expect(s.has(7)).toBe(true);
    expect(s.has(8)).toBe(false);
  });
});
