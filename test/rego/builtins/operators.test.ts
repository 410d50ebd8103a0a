import { describe, expect, it } from 'vitest';
import { BuiltinError, BuiltinTypeError } from '../../../src/rego/builtins/registry.js';
import { RegoSet } from '../../../src/rego/value.js';
import { call } from './helpers.js';

describe('arithmetic', () => {
  it('adds, subtracts, multiplies integers and floats', () => {
    expect(call('plus', 1, 2)).toBe(3);
    expect(call('minus', 1, 2)).toBe(-1);
    expect(call('mul', 2, 6)).toBe(12);
    expect(call('plus', 0.5, 0.25)).toBe(0.75);
    expect(call('mul', -2.5, 2)).toBe(-5);
  });

  it('keeps big integers exact (rego-cpp bigint cases)', () => {
    expect(call('plus', -219269288093390366375n, 237279609106797260417n)).toBe(18010321013406894042n);
    expect(call('minus', 129304305984146709939n, -103562668154733234310n)).toBe(232866974138879944249n);
    expect(call('mul', 281342872348703955611n, -289108473835076078232n)).toBe(-81338608449110426615237886022619291359752n);
    expect(call('rem', -195704950809131321607n, 14299972798)).toBe(-2487164265);
    // crossing the safe-integer boundary
    expect(call('plus', Number.MAX_SAFE_INTEGER, 2)).toBe(9007199254740993n);
    expect(call('mul', 4294967296, 4294967296)).toBe(18446744073709551616n);
    // and coming back into it
    expect(call('minus', 9007199254740993n, 2)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('divides to an integer only when exact, otherwise to a float', () => {
    expect(call('div', 12, 1)).toBe(12);
    expect(call('div', 7, 2)).toBe(3.5);
    expect(call('div', 1, 3)).toBeCloseTo(0.3333333333333333, 15);
    expect(call('div', 2n ** 80n, 2)).toBe(2n ** 79n);
  });

  it('computes decimals as OPA does (big.Float, printed shortest), not as raw doubles', () => {
    expect(call('plus', 0.1, 0.2)).toBe(0.3);
    expect(call('mul', 0.1, 3)).toBe(0.3);
    expect(call('minus', 0.3, 0.1)).toBe(0.2);
    expect(call('div', 0.3, 0.1)).toBe(3);
    expect(call('div', 1, 3)).toBe(1 / 3);
    expect(call('div', 10, 4)).toBe(2.5);
    expect(call('mul', 1.5, 400000000000000000000n)).toBe(600000000000000000000n);
    expect(call('plus', 1e-7, 2e-7)).toBe(3e-7);
    expect(call('mul', -0.5, 0)).toBe(0);
  });

  it('rejects division and modulo by zero', () => {
    expect(() => call('div', 1, 0)).toThrow(new BuiltinError('div', 'divide by zero'));
    expect(() => call('div', 1, 0.0)).toThrow('div: divide by zero');
    expect(() => call('rem', 1, 0)).toThrow('rem: modulo by zero');
    expect(() => call('rem', 1.5, 1)).toThrow('rem: modulo on floating-point number');
  });

  it('takes the sign of the dividend for rem, like Go', () => {
    expect(call('rem', 687, 50)).toBe(37);
    expect(call('rem', -7, 2)).toBe(-1);
    expect(call('rem', 7, -2)).toBe(1);
    expect(call('rem', 10, 18446744073709551616n)).toBe(10);
  });

  it('reports operand type errors with OPA wording', () => {
    expect(() => call('plus', 'a', 1)).toThrow(BuiltinTypeError);
    expect(() => call('plus', 'a', 1)).toThrow('plus: operand 1 must be number but got string');
    expect(() => call('mul', 1, null)).toThrow('mul: operand 2 must be number but got null');
    expect(() => call('minus', 'a', 1)).toThrow('minus: operand 1 must be one of {number, set} but got string');
    expect(() => call('minus', 1, new RegoSet())).toThrow('minus: operand 2 must be number but got set');
    expect(() => call('minus', new RegoSet(), 1)).toThrow('minus: operand 2 must be set but got number');
  });
});

describe('set operators', () => {
  it('computes difference, union and intersection', () => {
    const a = new RegoSet([1, 2, 3]);
    const b = new RegoSet([2, 3, 4]);
    expect((call('minus', a, b) as RegoSet).values()).toEqual([1]);
    expect((call('or', a, b) as RegoSet).values()).toEqual([1, 2, 3, 4]);
    expect((call('and', a, b) as RegoSet).values()).toEqual([2, 3]);
    expect(() => call('or', a, [1])).toThrow('or: operand 2 must be set but got array');
  });
});

describe('comparison', () => {
  it('uses the total order across types', () => {
    expect(call('lt', null, false)).toBe(true);
    expect(call('lt', false, 0)).toBe(true);
    expect(call('lt', 99, 'a')).toBe(true);
    expect(call('lt', 'z', [])).toBe(true);
    expect(call('lt', [], {})).toBe(true);
    expect(call('lt', {}, new RegoSet())).toBe(true);
    expect(call('gte', 3.5, 3)).toBe(true);
    expect(call('lte', 3, 3)).toBe(true);
    expect(call('gt', 1234567890123456789013n, 1234567890123456789012n)).toBe(true);
  });

  it('compares numbers by value', () => {
    expect(call('equal', 1, 1.0)).toBe(true);
    expect(call('equal', [1, { a: 'x' }], [1, { a: 'x' }])).toBe(true);
    expect(call('neq', 'a', 'b')).toBe(true);
    expect(call('equal', 1, '1')).toBe(false);
  });
});
