// json.verify_schema / json.match_schema as OPA documents them (policy reference, "JSON"):
// verify_schema answers [true, null] or [false, "jsonschema: <why>"]; match_schema answers
// [valid, errors] with gojsonschema's error objects {error, type, field, desc}.
import { describe, expect, it, vi } from 'vitest';
import { fromJSON, toJSON } from '../../../src/rego/value.js';
import { call } from './helpers.js';

const json = (v: unknown) => fromJSON(v);
const match = (doc: unknown, schema: unknown) => toJSON(call('json.match_schema', typeof doc === 'string' ? doc : json(doc), typeof schema === 'string' ? schema : json(schema))!);

const PERSON = {
  type: 'object',
  properties: { name: { type: 'string', minLength: 2 }, age: { type: 'integer', minimum: 0 }, tags: { type: 'array', uniqueItems: true, maxItems: 2 } },
  required: ['name'],
  additionalProperties: false,
};

describe('json.verify_schema', () => {
  it('accepts a schema given as an object or as JSON text', () => {
    expect(call('json.verify_schema', json(PERSON))).toEqual([true, null]);
    expect(call('json.verify_schema', JSON.stringify(PERSON))).toEqual([true, null]);
    expect(call('json.verify_schema', json({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'string' }))).toEqual([true, null]);
  });

  it('answers false with the reason for an invalid schema or text', () => {
    // OPA's builtinJSONSchemaVerify unit test: gojsonschema's text for an unknown type.
    expect(call('json.verify_schema', JSON.stringify({ properties: { id: { type: 'UNKNOWN' } }, required: ['id'] }))).toEqual([
      false,
      'jsonschema: has a primitive type that is NOT VALID -- given: /UNKNOWN/ Expected valid values are:[array boolean integer number null object string]',
    ]);
    const [ok, why] = call('json.verify_schema', json({ minLength: 'two' })) as [boolean, string];
    expect(ok).toBe(false);
    expect(why).toMatch(/^jsonschema: schema is invalid: /);
    expect(call('json.verify_schema', '{not json')).toEqual([false, 'jsonschema: invalid JSON string']);
    expect(call('json.verify_schema', 5)).toEqual([false, 'jsonschema: wrong type, expected string or object']);
    // Patterns are Go regexps: RE2 has no look-behind.
    expect((call('json.verify_schema', json({ pattern: '(?<=a)b' })) as [boolean])[0]).toBe(false);
  });
});

describe('json.match_schema', () => {
  it('matches a document', () => {
    expect(match({ name: 'ann', age: 3, tags: ['a'] }, PERSON)).toEqual([true, []]);
    expect(match('{"name": "bo"}', JSON.stringify(PERSON))).toEqual([true, []]);
  });

  it('reports each violation in gojsonschema form', () => {
    const [ok, errors] = match({ age: -1.5, tags: ['a', 'a', 'b'], extra: 1 }, PERSON) as [boolean, Array<Record<string, string>>];
    expect(ok).toBe(false);
    const byType = Object.fromEntries(errors.map((e) => [e.type, e]));
    expect(byType['required']).toEqual({ error: '(root): name is required', type: 'required', field: '(root)', desc: 'name is required' });
    expect(byType['additional_property_not_allowed']?.desc).toBe('Additional property extra is not allowed');
    expect(byType['invalid_type']).toMatchObject({ field: 'age', desc: 'Invalid type. Expected: integer, given: number' });
    expect(byType['number_gte']).toMatchObject({ field: 'age', desc: 'Must be greater than or equal to 0' });
    expect(byType['array_max_items']).toMatchObject({ field: 'tags', desc: 'Array must have at most 2 items' });
    expect(byType['unique']).toMatchObject({ field: 'tags', desc: 'array items[0,1] must be unique' });
    expect(match({ name: 'x' }, PERSON)).toEqual([
      false,
      [{ error: 'name: String length must be greater than or equal to 2', type: 'string_gte', field: 'name', desc: 'String length must be greater than or equal to 2' }],
    ]);
    expect(match({ c: 'blue' }, { properties: { c: { enum: ['red', 'green'] } } })).toEqual([
      false,
      [{ error: 'c: c must be one of the following: "red", "green"', type: 'enum', field: 'c', desc: 'c must be one of the following: "red", "green"' }],
    ]);
    // gojsonschema accepts an empty enum, which no document matches.
    expect(match({ value: 'allow' }, { enum: [] })).toEqual([
      false,
      [{ error: '(root): (root) must be one of the following: ', type: 'enum', field: '(root)', desc: '(root) must be one of the following: ' }],
    ]);
    expect((match({ a: [{ b: 1 }] }, { properties: { a: { items: { properties: { b: { type: 'string' } } } } } }) as [boolean, Array<{ field: string }>])[1][0]!.field).toBe('a.0.b');
  });

  it('checks formats and matches patterns as Go regexps, in linear time', () => {
    const schema = { properties: { d: { format: 'date' }, m: { format: 'email' }, s: { pattern: '^(a+)+$' }, t: { pattern: 'b' } } };
    const [ok, errors] = match({ d: '2020-01-01', m: 'nope', s: 'a'.repeat(40) + '!', t: 'abc' }, schema) as [boolean, Array<Record<string, string>>];
    expect(ok).toBe(false);
    expect(errors.map((e) => e.error).sort()).toEqual(["m: Does not match format 'email'", "s: Does not match pattern '^(a+)+$'"]);
  });

  it('ignores an unknown format or keyword, as gojsonschema does, without writing to the console', () => {
    const warn = vi.spyOn(console, 'warn');
    const log = vi.spyOn(console, 'log');
    try {
      expect(match({ a: 'x' }, { properties: { a: { format: 'no-such-format', 'x-note': 1 } } })).toEqual([true, []]);
      expect(warn).not.toHaveBeenCalled();
      expect(log).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      log.mockRestore();
    }
  });

  it('fails on an invalid schema with gojsonschema\'s text (OPA json_match_schema/invalid schema)', () => {
    expect(() => match({ id: 'foo' }, { properties: { id: { type: 'unknown' } }, required: ['id'] })).toThrow(
      'json.match_schema: has a primitive type that is NOT VALID -- given: /unknown/ Expected valid values are:[array boolean integer number null object string]',
    );
  });

  it('fails on an operand that is neither JSON text nor an object', () => {
    expect(() => call('json.match_schema', 1, json({}))).toThrow('json.match_schema: wrong type, expected string or object');
    expect(() => call('json.match_schema', json({}), '{bad')).toThrow('json.match_schema: invalid JSON string');
  });
});
