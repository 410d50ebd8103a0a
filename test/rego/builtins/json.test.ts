import { describe, expect, it } from 'vitest';
import { RegoSet, makeObject } from '../../../src/rego/value.js';
import { BuiltinError } from '../../../src/rego/builtins/registry.js';
import { call } from './helpers.js';

describe('json.marshal', () => {
  it('produces compact JSON with sorted keys, sets as arrays, Go HTML escapes', () => {
    expect(call('json.marshal', { b: [1, 2], a: 'x' })).toBe('{"a":"x","b":[1,2]}');
    expect(call('json.marshal', new RegoSet([2, 1]))).toBe('[1,2]');
    expect(call('json.marshal', '<a&b>')).toBe('"\\u003ca\\u0026b\\u003e"');
    expect(call('json.marshal', 123456789012345678901234n)).toBe('123456789012345678901234');
    expect(call('json.marshal', makeObject([[1, 'x']]))).toBe('{"1":"x"}');
  });

  it('pretty-prints with options as Go MarshalIndent', () => {
    expect(call('json.marshal_with_options', { a: [1] }, { pretty: true })).toBe('{\n\t"a": [\n\t\t1\n\t]\n}');
    expect(call('json.marshal_with_options', { a: 1 }, { indent: '  ', prefix: '> ' })).toBe('> {\n>   "a": 1\n> }');
    expect(call('json.marshal_with_options', { a: 1 }, { indent: '  ', pretty: false })).toBe('{"a":1}');
    expect(call('json.marshal_with_options', [], { pretty: true })).toBe('[]');
    expect(() => call('json.marshal_with_options', 1, { bogus: 1 })).toThrow('object contained unknown key bogus');
  });
});

describe('json.unmarshal and json.is_valid', () => {
  it('parses JSON keeping big integers exact', () => {
    expect(call('json.unmarshal', '{"a": [1, 2.5, "x", null, true]}')).toEqual({ a: [1, 2.5, 'x', null, true] });
    expect(call('json.unmarshal', '123456789012345678901234')).toBe(123456789012345678901234n);
    expect(call('json.unmarshal', '{"__proto__": 1}')).toEqual(JSON.parse('{"__proto__": 1}'));
  });

  it('reports syntax errors like Go', () => {
    expect(() => call('json.unmarshal', '{"a":}')).toThrow("json.unmarshal: invalid character '}' looking for beginning of value");
    expect(() => call('json.unmarshal', '[1,')).toThrow('json.unmarshal: unexpected end of JSON input');
    expect(() => call('json.unmarshal', '1 2')).toThrow("invalid character '2' after top-level value");
  });

  it('validates (OPA conformance: non-strings are invalid)', () => {
    expect(call('json.is_valid', '{"json": "ok"}')).toBe(true);
    expect(call('json.is_valid', '{json: "ok"}')).toBe(false);
    expect(call('json.is_valid', 1)).toBe(false);
  });
});

describe('json.filter and json.remove', () => {
  it('keeps only the given paths', () => {
    expect(call('json.filter', { a: { b: 'x', c: 'y' } }, ['a/b'])).toEqual({ a: { b: 'x' } });
    expect(call('json.filter', { a: { b: 'x', c: 'y' }, d: 1 }, new RegoSet(['a', 'd']))).toEqual({ a: { b: 'x', c: 'y' }, d: 1 });
    expect(call('json.filter', { a: [{ b: 1 }, { b: 2, c: 3 }] }, ['a/1/c'])).toEqual({ a: [{ c: 3 }] });
    expect(call('json.filter', { 'a/b': 1, c: 2 }, [['a/b']])).toEqual({ 'a/b': 1 });
    expect(call('json.filter', { 'a/b': 1, c: 2 }, ['a~1b'])).toEqual({ 'a/b': 1 });
  });

  it('removes the given paths', () => {
    expect(call('json.remove', { a: { b: 'x', c: 'y' } }, ['a/b'])).toEqual({ a: { c: 'y' } });
    expect(call('json.remove', { a: [1, 2, 3] }, ['a/1'])).toEqual({ a: [1, 3] });
    expect(call('json.remove', { a: 1 }, ['x/y'])).toEqual({ a: 1 });
    expect(() => call('json.remove', { a: 1 }, 'a')).toThrow('json.remove: operand 2 must be one of {set, array} but got string');
  });

  it('addresses array elements by decimal string only, as OPA does: a numeric segment selects none', () => {
    expect(call('json.filter', { a: [1, 2] }, [['a', 0]])).toEqual({ a: [] });
    expect(call('json.filter', { a: [1, 2] }, [['a', '0']])).toEqual({ a: [1] });
    expect(call('json.remove', { a: [1, 2] }, [['a', 0]])).toEqual({ a: [1, 2] });
    // Number keys of objects are matched by numbers.
    expect(call('json.filter', { a: makeObject([[1, 'x'], ['1', 'y']]) }, [['a', 1]])).toEqual({ a: makeObject([[1, 'x']]) });
  });
});

describe('json.patch', () => {
  it('applies RFC 6902 operations', () => {
    expect(call('json.patch', { a: { foo: 1 } }, [{ op: 'add', path: '/a/bar', value: 2 }])).toEqual({ a: { foo: 1, bar: 2 } });
    expect(call('json.patch', { a: [1, 2] }, [{ op: 'add', path: '/a/-', value: 3 }])).toEqual({ a: [1, 2, 3] });
    expect(call('json.patch', { a: [1, 2] }, [{ op: 'add', path: '/a/0', value: 0 }])).toEqual({ a: [0, 1, 2] });
    expect(call('json.patch', { a: 1, b: 2 }, [{ op: 'remove', path: '/a' }])).toEqual({ b: 2 });
    expect(call('json.patch', { a: 1 }, [{ op: 'replace', path: '/a', value: 5 }])).toEqual({ a: 5 });
    expect(call('json.patch', { a: 1 }, [{ op: 'move', from: '/a', path: '/b' }])).toEqual({ b: 1 });
    expect(call('json.patch', { a: { x: 1 } }, [{ op: 'copy', from: '/a', path: '/b' }])).toEqual({ a: { x: 1 }, b: { x: 1 } });
    expect(call('json.patch', { a: 1 }, [{ op: 'test', path: '/a', value: 1 }])).toEqual({ a: 1 });
    expect(call('json.patch', { a: 1 }, [{ op: 'add', path: ['b'], value: 1 }])).toEqual({ a: 1, b: 1 });
    expect(call('json.patch', { a: 1 }, [{ op: 'add', path: '', value: 9 }])).toBe(9);
  });

  it('is undefined for a patch it cannot apply, without an error even in strict mode (as OPA)', () => {
    // The test helper calls in strict mode; OPA's builtinJSONPatch returns nothing for these.
    expect(call('json.patch', { a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toBeUndefined();
    expect(call('json.patch', { a: 1 }, [{ op: 'remove', path: '/b' }])).toBeUndefined();
    expect(call('json.patch', { a: 1 }, [{ op: 'add', path: '/x/y', value: 1 }])).toBeUndefined();
    expect(call('json.patch', { a: 1 }, [{ op: 'frob', path: '/a' }])).toBeUndefined();
    expect(call('json.patch', [1, 2, 3], [{ op: 'add', path: '1.2', value: 'foo' }])).toBeUndefined();
    expect(call('json.patch', { a: 1 }, [{ op: 'add', path: 5, value: 1 }])).toBeUndefined();
    expect(call('json.patch', { a: 1 }, ['not an object'])).toBeUndefined();
    expect(() => call('json.patch', { a: 1 }, 'not an array')).toThrow('json.patch: operand 2 must be array');
  });
});

describe('yaml', () => {
  it('marshals in Go yaml style', () => {
    expect(call('yaml.marshal', { b: [1, 2], a: 'x' })).toBe('a: x\nb:\n- 1\n- 2\n');
    expect(call('yaml.marshal', { a: 'true' })).toBe('a: "true"\n');
  });

  it('unmarshals and validates', () => {
    expect(call('yaml.unmarshal', 'a: 1\nb: [x, z]\nc: {d: true}\n')).toEqual({ a: 1, b: ['x', 'z'], c: { d: true } });
    // Go's YAML 1.1 resolver (go-yaml v2, used by OPA) reads yes/no/on/off as booleans.
    expect(call('yaml.unmarshal', 'a: yes\nb: off')).toEqual({ a: true, b: false });
    expect(call('yaml.unmarshal', 'big: 123456789012345678901234')).toEqual({ big: 123456789012345678901234n });
    expect(call('yaml.is_valid', 'foo: [bar')).toBe(false);
    expect(call('yaml.is_valid', '- qux: bar\n- qux: bar')).toBe(true);
    expect(call('yaml.is_valid', 1)).toBe(false);
  });

  it('reads a multi-document stream as its first document, valid only if every document is', () => {
    expect(call('yaml.unmarshal', 'x: first\n---\ny: second\n')).toEqual({ x: 'first' });
    expect(call('yaml.is_valid', 'x: 1\n---\ny: 2\n')).toBe(true);
    expect(call('yaml.is_valid', 'x: 1\n---\n\ty: 2\n')).toBe(false);
    expect(() => call('yaml.unmarshal', 'x: 1\n---\ny: [2\n')).toThrow(BuiltinError);
    expect(call('yaml.unmarshal', '')).toBe(null);
    expect(call('yaml.unmarshal', '# only a comment\n')).toBe(null);
  });
});
