/** Properties of integer arithmetic across the safe-integer boundary, checked against BigInt. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RegoNumber, normalizeBigInt } from '../../../src/rego/value.js';
import { call } from './helpers.js';

/** Integers in canonical form: numbers inside the safe range, bigints outside it. */
const regoInt = fc.oneof(
  fc.integer(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(normalizeBigInt),
  fc.constantFrom<RegoNumber>(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 9007199254740992n, -9007199254740992n, 0),
);

const exact = (n: RegoNumber): bigint => BigInt(n);

describe('integer arithmetic', () => {
  it('plus, minus and mul are exact and canonical', () => {
    fc.assert(
      fc.property(regoInt, regoInt, (a, b) => {
        expect(call('plus', a, b)).toBe(normalizeBigInt(exact(a) + exact(b)));
        expect(call('minus', a, b)).toBe(normalizeBigInt(exact(a) - exact(b)));
        expect(call('mul', a, b)).toBe(normalizeBigInt(exact(a) * exact(b)));
      }),
    );
  });

  it('rem truncates like Go and div is exact whenever the divisor divides', () => {
    fc.assert(
      fc.property(regoInt, regoInt.filter((b) => exact(b) !== 0n), (a, b) => {
        expect(call('rem', a, b)).toBe(normalizeBigInt(exact(a) % exact(b)));
        const product = normalizeBigInt(exact(a) * exact(b));
        if (exact(a) !== 0n) expect(call('div', product, b)).toBe(a);
      }),
    );
  });

  it('sum and product agree with repeated plus and mul', () => {
    fc.assert(
      fc.property(fc.array(regoInt, { maxLength: 8 }), (xs) => {
        expect(call('sum', xs)).toBe(normalizeBigInt(xs.reduce<bigint>((s, x) => s + exact(x), 0n)));
        expect(call('product', xs)).toBe(normalizeBigInt(xs.reduce<bigint>((s, x) => s * exact(x), 1n)));
      }),
    );
  });

  it('comparison agrees with BigInt order', () => {
    fc.assert(
      fc.property(regoInt, regoInt, (a, b) => {
        expect(call('lt', a, b)).toBe(exact(a) < exact(b));
        expect(call('equal', a, b)).toBe(exact(a) === exact(b));
      }),
    );
  });
});

describe('decimal arithmetic', () => {
  it('adds short decimals as exact decimals rounded once', () => {
    const cents = fc.integer({ min: -1_000_000, max: 1_000_000 });
    fc.assert(
      fc.property(cents, cents, (x, y) => {
        const a = x / 100;
        const b = y / 100;
        // The exact decimal sum, printed with two places and read back once.
        expect(call('plus', a, b)).toBe(Number(((x + y) / 100).toFixed(2)));
      }),
    );
  });
});
