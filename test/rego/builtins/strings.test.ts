import { describe, expect, it } from 'vitest';
import { RegoSet, makeObject } from '../../../src/rego/value.js';
import { call } from './helpers.js';

describe('basic string builtins', () => {
  it('concat joins arrays and sets of strings', () => {
    expect(call('concat', ', ', ['a', 'b'])).toBe('a, b');
    expect(call('concat', '/', new RegoSet(['b', 'a']))).toBe('a/b');
    expect(call('concat', '-', [])).toBe('');
    expect(() => call('concat', ',', ['a', 1])).toThrow('concat: operand 2 must be array of strings but got array containing number');
    expect(() => call('concat', ',', 'ab')).toThrow('concat: operand 2 must be one of {set, array} but got string');
  });

  it('tests containment and affixes', () => {
    expect(call('contains', 'abc', 'bc')).toBe(true);
    expect(call('startswith', 'abc', 'ab')).toBe(true);
    expect(call('endswith', 'abc', 'ab')).toBe(false);
    expect(() => call('contains', 1, 'a')).toThrow('contains: operand 1 must be string but got number');
  });

  it('splits like Go strings.Split', () => {
    expect(call('split', 'a,b,c', ',')).toEqual(['a', 'b', 'c']);
    expect(call('split', 'abc', ';')).toEqual(['abc']);
    expect(call('split', '', ',')).toEqual(['']);
    expect(call('split', 'aé', '')).toEqual(['a', 'é']);
  });

  it('replaces', () => {
    expect(call('replace', 'one two one', 'one', '1')).toBe('1 two 1');
    expect(call('replace', 'abc', '', '-')).toBe('-a-b-c-');
    expect(call('strings.replace_n', { a: '1', b: '2' }, 'abcab')).toBe('12c12');
    // earlier keys (in key order) win at the same position
    expect(call('strings.replace_n', { ab: 'X', a: 'Y' }, 'abc')).toBe('Ybc');
    expect(() => call('strings.replace_n', makeObject([[1, 'x']]), 'a')).toThrow(
      'strings.replace_n: operand 1 non-string key found in pattern object',
    );
  });

  it('trims cutsets, prefixes, suffixes and Go white space', () => {
    expect(call('trim', '  xhix ', ' x')).toBe('hi');
    expect(call('trim_left', 'aabca', 'a')).toBe('bca');
    expect(call('trim_right', 'aabca', 'a')).toBe('aabc');
    expect(call('trim_prefix', 'prefix-x', 'prefix-')).toBe('x');
    expect(call('trim_suffix', 'x.txt', '.txt')).toBe('x');
    expect(call('trim_space', '\t hi \n')).toBe('hi');
  });

  it('changes case', () => {
    expect(call('lower', 'AbC')).toBe('abc');
    expect(call('upper', 'äbc')).toBe('ÄBC');
  });

  it('substring counts code points; negative length means to the end', () => {
    expect(call('substring', 'abcdefgh', 2, -1)).toBe('cdefgh');
    expect(call('substring', 'aåäö', 2, -1)).toBe('äö');
    expect(call('substring', 'abc', 1, 1)).toBe('b');
    expect(call('substring', 'abc', 5, 1)).toBe('');
    expect(() => call('substring', 'abc', -1, 1)).toThrow('substring: negative offset');
    expect(() => call('substring', 'abc', 1.5, 1)).toThrow('substring: operand 2 must be integer number but got floating-point number');
  });

  it('finds indexes in code points', () => {
    expect(call('indexof', 'aåbc', 'b')).toBe(2);
    expect(call('indexof', 'abc', 'x')).toBe(-1);
    expect(call('indexof_n', 'sheep', 'e')).toEqual([2, 3]);
    expect(call('indexof_n', 'aaa', 'aa')).toEqual([0, 1]);
    expect(() => call('indexof', 'abc', '')).toThrow('indexof: empty search character');
  });

  it('format_int truncates and supports the four bases', () => {
    expect(call('format_int', 15.5, 16)).toBe('f');
    expect(call('format_int', -5, 2)).toBe('-101');
    expect(call('format_int', 8, 8)).toBe('10');
    expect(call('format_int', 123456789123456789123n, 10)).toBe('123456789123456789123');
    expect(() => call('format_int', 1, 3)).toThrow('format_int: operand 2 must be one of {2, 8, 10, 16}');
  });

  it('reverses, counts and matches any prefix or suffix', () => {
    expect(call('strings.reverse', 'abç')).toBe('çba');
    expect(call('strings.count', 'cheese', 'e')).toBe(3);
    expect(call('strings.count', 'five', '')).toBe(5);
    expect(call('strings.any_prefix_match', ['a/b', 'c/d'], 'c/')).toBe(true);
    expect(call('strings.any_prefix_match', 'abc', new RegoSet(['x', 'y']))).toBe(false);
    expect(call('strings.any_suffix_match', 'file.yaml', ['.yml', '.yaml'])).toBe(true);
    expect(() => call('strings.any_suffix_match', 1, 'a')).toThrow(
      'strings.any_suffix_match: operand 1 must be one of {string, set, array} but got number',
    );
  });
});

describe('sprintf (Go fmt as OPA passes values)', () => {
  it('formats the common verbs', () => {
    expect(call('sprintf', 'hello %s', ['world'])).toBe('hello world');
    expect(call('sprintf', '%d items', [3])).toBe('3 items');
    expect(call('sprintf', '%v', [3])).toBe('3');
    expect(call('sprintf', '%.2f', [3.14159])).toBe('3.14');
    expect(call('sprintf', '%-10.3f|', [3.14159])).toBe('3.142     |');
    expect(call('sprintf', '%x', [255])).toBe('ff');
    expect(call('sprintf', '%05d', [-42])).toBe('-0042');
    expect(call('sprintf', '%q', ['a"b'])).toBe('"a\\"b"');
    expect(call('sprintf', '100%%', [])).toBe('100%');
    expect(call('sprintf', '%6s|%-4s|', ['ab', 'c'])).toBe('    ab|c   |');
  });

  it('prints composite values in Rego syntax', () => {
    expect(call('sprintf', '%v', [['a', 1]])).toBe('["a", 1]');
    expect(call('sprintf', '%v', [{ b: 2, a: [true, null] }])).toBe('{"a": [true, null], "b": 2}');
    expect(call('sprintf', '%v', [new RegoSet([2, 1])])).toBe('{1, 2}');
    expect(call('sprintf', '%v', [new RegoSet()])).toBe('set()');
    expect(call('sprintf', '%s', [['x']])).toBe('["x"]');
    expect(call('sprintf', '%v %v', [true, null])).toBe('true null');
  });

  it('formats numbers as Go does', () => {
    expect(call('sprintf', '%s', [123456789123456789123n])).toBe('123456789123456789123');
    expect(call('sprintf', '%s', [1208925819614629174706175n])).toBe('1208925819614629174706175');
    expect(call('sprintf', '%d', [123456789123456789123n])).toBe('123456789123456789123');
    expect(call('sprintf', '%v', [1.5])).toBe('1.5');
    expect(call('sprintf', '%v', [123456789.5])).toBe('1.234567895e+08');
    expect(call('sprintf', '%v', [0.00001])).toBe('1e-05');
    expect(call('sprintf', '%e', [1234.5678])).toBe('1.234568e+03');
    expect(call('sprintf', '%g', [0.5])).toBe('0.5');
    expect(call('sprintf', '%.3g', [1234.5678])).toBe('1.23e+03');
    // Go rounds exact ties to even
    expect(call('sprintf', '%.2f', [0.125])).toBe('0.12');
    expect(call('sprintf', '%.2f', [0.375])).toBe('0.38');
    expect(call('sprintf', '%.0f', [2.5])).toBe('2');
    expect(call('sprintf', '%.2f', [2.675])).toBe('2.67');
    expect(call('sprintf', '%.1f', [-0.25])).toBe('-0.2');
  });

  it('reports mismatches the way Go does', () => {
    expect(call('sprintf', '%s', [5])).toBe('%!s(int=5)');
    expect(call('sprintf', '%d', ['x'])).toBe('%!d(string=x)');
    expect(call('sprintf', '%f', [5])).toBe('%!f(int=5)');
    expect(call('sprintf', '%d', [1.5])).toBe('%!d(float64=1.5)');
    expect(call('sprintf', '%t', [true])).toBe('%!t(string=true)');
    expect(call('sprintf', '%s %s', ['a'])).toBe('a %!s(MISSING)');
    expect(call('sprintf', '%s', ['a', 'b'])).toBe('a%!(EXTRA string=b)');
    expect(call('sprintf', '%n', [42])).toBe('%!n(int=42)');
    expect(call('sprintf', '%T %T %T', [1, 'a', 1.5])).toBe('int string float64');
    expect(() => call('sprintf', '%s', 'a')).toThrow('sprintf: operand 2 must be array but got string');
  });
});

describe('string interpolation', () => {
  it('renders literal parts, values, and undefined expressions', () => {
    expect(call('internal.template_string', ['n=', new RegoSet([42]), ' ', new RegoSet(['foo']), ' ', new RegoSet()])).toBe(
      'n=42 foo <undefined>',
    );
    expect(call('internal.template_string', [new RegoSet([[42, 13.37, true, 'foo', null]])])).toBe('[42, 13.37, true, "foo", null]');
  });
});

describe('strings.split_n', () => {
  it('keeps the first n fields, the last -n, or none (OPA, not Go SplitN)', () => {
    expect(call('strings.split_n', 'a.b.c.d', '.', 2)).toEqual(['a', 'b']);
    expect(call('strings.split_n', 'a.b.c.d', '.', 10)).toEqual(['a', 'b', 'c', 'd']);
    expect(call('strings.split_n', 'a.b.c.d', '.', 0)).toEqual([]);
    expect(call('strings.split_n', 'a.b.c.d', '.', -2)).toEqual(['c', 'd']);
    expect(call('strings.split_n', 'a.b.c.d', '.', -10)).toEqual(['a', 'b', 'c', 'd']);
    expect(call('strings.split_n', 'abc', '', -2)).toEqual(['b', 'c']);
    expect(call('strings.split_n', '', '.', 2)).toEqual(['']);
    expect(() => call('strings.split_n', 'a.b', '.', 1.5)).toThrow('strings.split_n: operand 3 must be integer number but got floating-point number');
  });
});

describe('strings.replace_n like Go strings.NewReplacer', () => {
  it('lets the first key in key order win at a position, never rescans, and inserts an empty key once per position', () => {
    expect(call('strings.replace_n', { info: 'X', anotherinfo: 'Y' }, 'anotherinfo')).toBe('Y');
    expect(call('strings.replace_n', { a: 'YY', bba: 'bX' }, 'bbab')).toBe('bXb');
    expect(call('strings.replace_n', { a: 'b', b: 'a' }, 'abba')).toBe('baab');
    expect(call('strings.replace_n', { '': 'X' }, '')).toBe('X');
    expect(call('strings.replace_n', { '': 'X' }, 'ab')).toBe('XaXbX');
    expect(call('strings.replace_n', { '': 'X', a: 'Y' }, 'ab')).toBe('XYXbX');
    expect(call('strings.replace_n', { '': '-', é: 'e' }, 'aéb')).toBe('-a-e-b-');
  });
});
