/**
 * The slabs `oclhub lint --format json --output` writes its report in (cli/commands/lint.ts
 * `reportSlabs`): the same bytes as the chunks, in order, every slab whole UTF-8 text, with two slabs
 * taking turns when they are reused — consumed the way the command consumes them (a slab's write
 * finishes before the slab after the next is asked for).
 */
import { describe, expect, it } from 'vitest';
import { reportSlabs } from '../../src/cli/commands/lint.js';

/** Chunks of every kind a JSON report comes in: text with multi-byte characters, stored bytes, and views into a larger buffer. */
function chunks(count: number): (string | Uint8Array)[] {
  // Views into a larger buffer, as stored pieces are, always cut between characters (pieces are whole runs of JSON text).
  const shared = Buffer.from(`${'x'.repeat(350)}${'ünïcödé ✓ '.repeat(40)}`);
  const out: (string | Uint8Array)[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 3 === 0) out.push(`{"n": ${i}, "text": "ünïcödé ✓ ${'é'.repeat(i % 97)}"},`);
    else if (i % 3 === 1) out.push(Buffer.from(`"stored-${i}-${'✓'.repeat(i % 53)}",`));
    else out.push(i % 2 === 0 ? shared.subarray(i % 50, 50 + (i % 300)) : shared.subarray(i % 350));
  }
  return out;
}

const bytesOf = (parts: readonly (string | Uint8Array)[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));

describe('reportSlabs', () => {
  for (const reuse of [true, false]) {
    it(`gives the chunks' bytes in order, each slab whole text${reuse ? ', two reused slabs taking turns' : ''}`, async () => {
      const input = chunks(3000);
      const written: Buffer[] = [];
      const seen = new Set<ArrayBufferLike>();
      let pending: Promise<void> | undefined;
      for (const slab of reportSlabs(input, reuse, 4096)) {
        seen.add(slab.buffer);
        // As the command does: the last write finished, this one started, the next slab asked for.
        await pending;
        expect(slab.length).toBeLessThanOrEqual(4096);
        expect(Buffer.from(slab.toString('utf8'))).toEqual(slab); // no character split between two slabs
        pending = new Promise((resolve) => setImmediate(() => resolve(void written.push(Buffer.from(slab)))));
      }
      await pending;
      expect(Buffer.concat(written)).toEqual(bytesOf(input));
      if (reuse) expect(seen.size).toBe(2);
      else expect(seen.size).toBe(written.length);
    });
  }

  it('passes a chunk larger than a slab on by itself, between the slabs around it', () => {
    const big = 'é'.repeat(5000);
    const input = ['start,', Buffer.from(big), 'middle,', big, 'end'];
    const slabs = [...reportSlabs(input, false, 1024)].map((slab) => Buffer.from(slab));
    expect(Buffer.concat(slabs)).toEqual(bytesOf(input));
    expect(slabs.map((slab) => slab.toString('utf8'))).toEqual(['start,', big, 'middle,', big, 'end']);
  });
});
