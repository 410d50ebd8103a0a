import { describe, expect, it } from 'vitest';
import { BUILTINS } from '../../../src/rego/builtins/index.js';
import { BuiltinTypeError } from '../../../src/rego/builtins/registry.js';
import { call, testCtx } from './helpers.js';

describe('rounding', () => {
  it('rounds half away from zero and keeps integers', () => {
    expect(call('round', 1.5)).toBe(2);
    expect(call('round', -1.5)).toBe(-2);
    expect(call('round', 2.4)).toBe(2);
    expect(call('ceil', 1.1)).toBe(2);
    expect(call('ceil', -1.1)).toBe(-1);
    expect(call('floor', -1.1)).toBe(-2);
    expect(call('abs', -3)).toBe(3);
    expect(call('abs', -2.5)).toBe(2.5);
    expect(call('abs', -123456789012345678901234n)).toBe(123456789012345678901234n);
    expect(call('round', 123456789012345678901234n)).toBe(123456789012345678901234n);
    expect(() => call('abs', 'x')).toThrow('abs: operand 1 must be number but got string');
  });
});

describe('numbers.range', () => {
  it('counts up or down inclusively', () => {
    expect(call('numbers.range', 1, 4)).toEqual([1, 2, 3, 4]);
    expect(call('numbers.range', 2, -1)).toEqual([2, 1, 0, -1]);
    expect(call('numbers.range_step', 0, 10, 3)).toEqual([0, 3, 6, 9]);
    expect(call('numbers.range_step', 10, 0, 5)).toEqual([10, 5, 0]);
  });

  it('charges the limit before allocating', () => {
    const ctx = testCtx({
      tick(units: number) {
        if (units > 1000) throw new Error('limit exceeded');
      },
    });
    expect(() => BUILTINS.get('numbers.range')!.fn([0, 1e12], ctx)).toThrow('limit exceeded');
  });

  it('rejects non-integers and bad steps', () => {
    expect(() => call('numbers.range', 1.5, 2)).toThrow('numbers.range: operand 1 must be integer number but got floating-point number');
    expect(() => call('numbers.range', 'a', 2)).toThrow('numbers.range: operand 1 must be integer but got string');
    expect(() => call('numbers.range_step', 1, 2, 0)).toThrow('step must be a positive integer');
  });
});

describe('bits', () => {
  it('operates on integers of any size', () => {
    expect(call('bits.or', 5, 3)).toBe(7);
    expect(call('bits.and', 5, 3)).toBe(1);
    expect(call('bits.xor', 5, 3)).toBe(6);
    expect(call('bits.negate', 5)).toBe(-6);
    expect(call('bits.lsh', 1, 70)).toBe(1180591620717411303424n);
    expect(call('bits.rsh', 1180591620717411303424n, 70)).toBe(1);
  });
});

describe('rand.intn', () => {
  it('is stable for the same key within one evaluation and within range', () => {
    const ctx = testCtx();
    const f = BUILTINS.get('rand.intn')!.fn;
    const a = f(['k', 100], ctx) as number;
    expect(f(['k', 100], ctx)).toBe(a);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(100);
    expect(f(['k', 0], ctx)).toBe(0);
  });
});

describe('to_number', () => {
  it('refuses infinities and NaN in any case and after any signs, as an operand type error', () => {
    for (const s of ['nan', 'NaN', '-nan', 'inf', '+Inf', '-INF', 'infinity', '--Infinity', 'iNfInItY']) {
      expect(() => call('to_number', s)).toThrow('to_number: operand 1 must be valid number string but got string');
    }
    expect(() => call('to_number', 'inf')).toThrow(BuiltinTypeError);
  });

  it('still converts ordinary numerals and reports other strings as unparsable', () => {
    expect(call('to_number', '-2.5')).toBe(-2.5);
    expect(call('to_number', '10')).toBe(10);
    expect(() => call('to_number', 'information')).toThrow('invalid syntax');
    expect(() => call('to_number', 'nano')).toThrow('invalid syntax');
  });

  it('takes one leading plus sign, and fails beyond the float64 range as Go\'s ParseFloat does', () => {
    expect(call('to_number', '+7')).toBe(7);
    expect(call('to_number', '+.25')).toBe(0.25);
    expect(() => call('to_number', '++7')).toThrow('invalid syntax');
    expect(() => call('to_number', '+')).toThrow('invalid syntax');
    expect(() => call('to_number', '2e308')).toThrow('to_number: strconv.ParseFloat: parsing "2e308": value out of range');
    expect(() => call('to_number', '-1e400')).toThrow('value out of range');
    expect(call('to_number', '1e308')).toBe(10n ** 308n);
  });
});
