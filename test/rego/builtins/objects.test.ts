import { describe, expect, it } from 'vitest';
import { RegoSet, makeObject } from '../../../src/rego/value.js';
import { call } from './helpers.js';

describe('object.get', () => {
  it('gets keys and paths with defaults (OPA conformance cases)', () => {
    expect(call('object.get', { a: 1 }, 'a', 2)).toBe(1);
    expect(call('object.get', { a: 1 }, 'b', 2)).toBe(2);
    expect(call('object.get', { a: 1 }, [], 2)).toEqual({ a: 1 });
    expect(call('object.get', { a: { b: { c: 1 } } }, ['a', 'b', 'c'], 2)).toBe(1);
    expect(call('object.get', { a: { b: { c: 1 } } }, ['a', 'b', 'a'], 2)).toBe(2);
    expect(call('object.get', { a: { b: [1, 2, 3] } }, ['a', 'b', 'a'], 2)).toBe(2);
    expect(call('object.get', { a: { b: [{ c: 1 }] } }, ['a', 'b', 0, 'c'], 2)).toBe(1);
    const nested = makeObject([[1, { b: makeObject([[[1, 2, 3], 1]]) }]]);
    expect(call('object.get', nested, [1, 'b', [1, 2, 3]], 2)).toBe(1);
    expect(call('object.get', { constructor: 1 }, 'constructor', 0)).toBe(1);
    expect(call('object.get', {}, '__proto__', 0)).toBe(0);
    expect(() => call('object.get', 'x', ['a'], 2)).toThrow('object.get: operand 1 must be object but got string');
  });
});

describe('object.keys, remove, filter', () => {
  it('returns keys as a set', () => {
    expect((call('object.keys', { a: 1, b: 2 }) as RegoSet).values()).toEqual(['a', 'b']);
    expect((call('object.keys', makeObject([[1, 1], [2, 2]])) as RegoSet).values()).toEqual([1, 2]);
  });

  it('removes and filters by array, set or object keys', () => {
    expect(call('object.remove', { a: 1, b: 2, c: 3 }, ['a', 'c'])).toEqual({ b: 2 });
    expect(call('object.remove', { a: 1, b: 2 }, new RegoSet(['b']))).toEqual({ a: 1 });
    expect(call('object.remove', { a: 1, b: 2 }, { a: 'ignored' })).toEqual({ b: 2 });
    expect(call('object.filter', { a: 1, b: 2, c: 3 }, ['a', 'c', 'x'])).toEqual({ a: 1, c: 3 });
    expect(() => call('object.filter', { a: 1 }, 'a')).toThrow('object.filter: operand 2 must be one of {object, set, array} but got string');
  });
});

describe('object.union and object.union_n', () => {
  it('merges recursively with the right side winning', () => {
    expect(call('object.union', { a: 1, b: 2, c: { d: 3 } }, { a: 7, c: { d: 4, e: 5 } })).toEqual({ a: 7, b: 2, c: { d: 4, e: 5 } });
    expect(call('object.union', { a: { b: 1 } }, { a: 2 })).toEqual({ a: 2 });
  });

  it('folds a list of objects', () => {
    expect(call('object.union_n', [{ a: 1 }, { b: 2 }, { a: 3 }])).toEqual({ a: 3, b: 2 });
    expect(call('object.union_n', [{ a: { b: 2 } }, { a: 4 }, { a: { c: 3 } }])).toEqual({ a: { c: 3 } });
    expect(call('object.union_n', [])).toEqual({});
    expect(() => call('object.union_n', [{}, 1])).toThrow('object.union_n: operand 1 must be array of objects but got array containing number');
  });
});

describe('object.subset', () => {
  it('follows the OPA documentation examples', () => {
    expect(
      call(
        'object.subset',
        { a: 'b', c: { x: new RegoSet([10, 15, 20, 25]), y: 'z' } },
        { c: { x: new RegoSet([10, 15, 20]) } },
      ),
    ).toBe(true);
    expect(call('object.subset', new RegoSet([1, 2, 3]), new RegoSet([1, 2]))).toBe(true);
    expect(call('object.subset', [1, 2, 3, 4], [2, 3])).toBe(true);
    expect(call('object.subset', [1, 2, 3, 4], [2, 4])).toBe(false);
    expect(call('object.subset', [1, 2, 3], new RegoSet([3, 1]))).toBe(true);
    expect(call('object.subset', { a: 1 }, { a: 2 })).toBe(false);
    expect(() => call('object.subset', { a: 1 }, [1])).toThrow('both arguments object.subset must be of the same type or array and set');
  });
});

describe('arrays', () => {
  it('concatenates, slices and reverses', () => {
    expect(call('array.concat', [1, 2], [3])).toEqual([1, 2, 3]);
    // array.flatten: one level, other members kept.
    expect(call('array.flatten', [[1, 2], 'string', [3, { a: 'b' }], 4.5, [6, [7, 8]]])).toEqual([1, 2, 'string', 3, { a: 'b' }, 4.5, 6, [7, 8]]);
    expect(call('array.flatten', [[[1], [2, 3, []]], [[4, 5]]])).toEqual([[1], [2, 3, []], [4, 5]]);
    expect(() => call('array.flatten', 42)).toThrow('array.flatten: operand 1 must be array but got number');
    expect(call('array.slice', [1, 2, 3, 4, 5], 1, 3)).toEqual([2, 3]);
    expect(call('array.slice', [1, 2, 3], -5, 10)).toEqual([1, 2, 3]);
    expect(call('array.slice', [1, 2, 3], 2, 1)).toEqual([]);
    expect(call('array.reverse', [1, 2, 3])).toEqual([3, 2, 1]);
    expect(() => call('array.concat', [1], 'a')).toThrow('array.concat: operand 2 must be array but got string');
  });
});

describe('sets', () => {
  it('computes union and intersection of a set of sets', () => {
    const s = new RegoSet([new RegoSet([1, 2]), new RegoSet([2, 3])]);
    expect((call('union', s) as RegoSet).values()).toEqual([1, 2, 3]);
    expect((call('intersection', s) as RegoSet).values()).toEqual([2]);
    expect((call('intersection', new RegoSet()) as RegoSet).size).toBe(0);
    expect(() => call('union', new RegoSet([1]))).toThrow('union: operand 1 must be set of sets but got set containing number');
  });
});

describe('types', () => {
  it('tests and names types', () => {
    expect(call('is_number', 1)).toBe(true);
    expect(call('is_number', 12345678901234567890n)).toBe(true);
    expect(call('is_number', '1')).toBe(false);
    expect(call('is_string', 'a')).toBe(true);
    expect(call('is_boolean', false)).toBe(true);
    expect(call('is_array', [])).toBe(true);
    expect(call('is_set', new RegoSet())).toBe(true);
    expect(call('is_object', {})).toBe(true);
    expect(call('is_object', [])).toBe(false);
    expect(call('is_null', null)).toBe(true);
    expect(call('type_name', new RegoSet())).toBe('set');
    expect(call('type_name', makeObject([[1, 2]]))).toBe('object');
    expect(call('type_name', 1.5)).toBe('number');
  });

  it('converts to numbers', () => {
    expect(call('to_number', '10')).toBe(10);
    expect(call('to_number', '-1.5')).toBe(-1.5);
    expect(call('to_number', true)).toBe(1);
    expect(call('to_number', null)).toBe(0);
    expect(call('to_number', '123456789012345678901234')).toBe(123456789012345678901234n);
    expect(() => call('to_number', 'abc')).toThrow('to_number: strconv.ParseFloat: parsing "abc": invalid syntax');
    expect(() => call('to_number', [])).toThrow('to_number: operand 1 must be one of {null, boolean, number, string} but got array');
  });
});
