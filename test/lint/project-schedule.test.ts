/** The worker pool's schedule (src/lint/workers/pool.ts): results in order, whatever lane computed them, each held only until it is taken. */
import { describe, expect, it } from 'vitest';
import { ProjectSchedule, type Lane } from '../../src/lint/workers/pool.js';

/** A lane computing `value(position)` after a turn of the event loop, recording what it ran. */
function lane(name: string, ran: string[], value: (position: number) => string = (p) => `${name}:${p}`): Lane<string> {
  return {
    ready: Promise.resolve(true),
    concurrency: 1,
    run: async (position) => {
      await new Promise((resolve) => setImmediate(resolve));
      ran.push(`${name}:${position}`);
      return value(position);
    },
  };
}

describe('ProjectSchedule', () => {
  it('gives every result in order, from any lane, and lets go of each once taken', async () => {
    const ran: string[] = [];
    const schedule = new ProjectSchedule<string>(20, [lane('a', ran), lane('b', ran)], 4);
    const results: string[] = [];
    for (let p = 0; p < 20; p++) results.push((await schedule.result(p)).split(':')[1]!);
    expect(results).toEqual(Array.from({ length: 20 }, (_, p) => String(p)));
    expect(new Set(ran.map((r) => r.split(':')[0])).size).toBe(2);
    // Taken: no longer held by the schedule.
    await expect(schedule.result(3)).rejects.toThrow(/already taken/);
  });

  it('reports a lane failure for that project only', async () => {
    const failing: Lane<string> = { ready: Promise.resolve(true), concurrency: 1, run: async (p) => (p === 2 ? Promise.reject(new Error('died')) : `x:${p}`) };
    const schedule = new ProjectSchedule<string>(4, [failing]);
    expect(await schedule.result(0)).toBe('x:0');
    expect(await schedule.result(1)).toBe('x:1');
    await expect(schedule.result(2)).rejects.toThrow('died');
    expect(await schedule.result(3)).toBe('x:3');
  });
});
