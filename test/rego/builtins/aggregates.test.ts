import { describe, expect, it } from 'vitest';
import { RegoSet, makeObject } from '../../../src/rego/value.js';
import { call } from './helpers.js';

describe('count', () => {
  it('counts collections and code points', () => {
    expect(call('count', [1, 2, 3, 4])).toBe(4);
    expect(call('count', { v1: 'hello', v2: 'goodbye' })).toBe(2);
    expect(call('count', new RegoSet([1, 1, 2]))).toBe(2);
    expect(call('count', 'aåäö')).toBe(4);
    expect(call('count', '😀')).toBe(1);
    expect(() => call('count', 1)).toThrow('count: operand 1 must be one of {array, object, set, string} but got number');
  });
});

describe('sum and product', () => {
  it('sums integers exactly and floats as floats', () => {
    expect(call('sum', [1, 2, 3])).toBe(6);
    expect(call('sum', new RegoSet([1, 2, 3]))).toBe(6);
    expect(call('sum', [])).toBe(0);
    expect(call('sum', [1.5, 2.5])).toBe(4);
    expect(call('sum', [0.1, 0.2])).toBe(0.3);
    expect(call('product', [0.1, 0.1])).toBe(0.01);
    expect(call('sum', [9007199254740991, 9007199254740991])).toBe(18014398509481982n);
    expect(call('product', [])).toBe(1);
    expect(call('product', [2, 3, 4])).toBe(24);
    expect(call('product', [4294967296, 4294967296, 2])).toBe(36893488147419103232n);
  });

  it('rejects non-numbers', () => {
    expect(() => call('sum', [1, 'a'])).toThrow('sum: operand 1 must be array of numbers but got array containing string');
    expect(() => call('sum', 'a')).toThrow('sum: operand 1 must be one of {set, array} but got string');
    expect(() => call('product', { a: 1 })).toThrow('product: operand 1 must be one of {set, array} but got object');
  });
});

describe('max, min, sort', () => {
  it('uses the total order and is undefined for empty input', () => {
    expect(call('max', [1, 3, 2])).toBe(3);
    expect(call('min', [1, 3, 2])).toBe(1);
    expect(call('max', [1, 'a', null])).toBe('a');
    expect(call('min', new RegoSet([3, 2]))).toBe(2);
    expect(call('max', [])).toBeUndefined();
    expect(call('min', new RegoSet())).toBeUndefined();
  });

  it('sorts arrays and sets', () => {
    expect(call('sort', [3, 'b', 1, null, 'a'])).toEqual([null, 1, 3, 'a', 'b']);
    expect(call('sort', new RegoSet(['b', 'a']))).toEqual(['a', 'b']);
    expect(call('sort', [{ b: 1 }, { a: 2 }])).toEqual([{ a: 2 }, { b: 1 }]);
    expect(() => call('sort', 'abc')).toThrow('sort: operand 1 must be one of {set, array} but got string');
  });
});

describe('membership (in)', () => {
  it('tests values and key/value pairs', () => {
    expect(call('internal.member_2', 2, [1, 2])).toBe(true);
    expect(call('internal.member_2', 'x', { a: 'x' })).toBe(true);
    expect(call('internal.member_2', 'a', { a: 'x' })).toBe(false);
    expect(call('internal.member_2', 1, 'abc')).toBe(false);
    expect(call('internal.member_3', 1, 'b', ['a', 'b'])).toBe(true);
    expect(call('internal.member_3', 'a', 'x', { a: 'x' })).toBe(true);
    expect(call('internal.member_3', 1, 1, makeObject([[1, 1]]))).toBe(true);
  });
});

describe('deprecated builtins', () => {
  it('are marked so v1 modules can reject them', async () => {
    const { BUILTINS } = await import('../../../src/rego/builtins/index.js');
    for (const name of ['any', 'all', 're_match']) expect(BUILTINS.get(name)?.deprecated).toBe(true);
    expect(BUILTINS.get('count')?.deprecated).toBeUndefined();
    expect(call('any', [false, true])).toBe(true);
    expect(call('all', new RegoSet([true, 1]))).toBe(false);
    expect(call('re_match', '^a', 'abc')).toBe(true);
  });
});
