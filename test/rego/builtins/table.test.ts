import { describe, expect, it } from 'vitest';
import { BUILTINS } from '../../../src/rego/builtins/index.js';
import { FORBIDDEN_BUILTINS } from '../../../src/rego/builtins/registry.js';

// Arities from the OPA policy reference (operators take two operands).
const OPA_ARITIES: Record<string, number> = {
  plus: 2, minus: 2, mul: 2, div: 2, rem: 2, or: 2, and: 2, equal: 2, neq: 2, lt: 2, lte: 2, gt: 2, gte: 2,
  count: 1, sum: 1, product: 1, max: 1, min: 1, sort: 1,
  concat: 2, contains: 2, startswith: 2, endswith: 2, lower: 1, upper: 1, split: 2, replace: 3,
  'strings.replace_n': 2, trim: 2, trim_left: 2, trim_right: 2, trim_prefix: 2, trim_suffix: 2, trim_space: 1,
  substring: 3, indexof: 2, indexof_n: 2, sprintf: 2, format_int: 2, 'strings.reverse': 1, 'strings.count': 2,
  'strings.any_prefix_match': 2, 'strings.any_suffix_match': 2,
  'regex.match': 2, 'regex.find_n': 3, 'regex.find_all_string_submatch_n': 3, 'regex.split': 2, 'regex.replace': 3,
  'regex.is_valid': 1, 'regex.template_match': 4, 'regex.globs_match': 2, 'glob.match': 3, 'glob.quote_meta': 1,
  'object.get': 3, 'object.keys': 1, 'object.union': 2, 'object.union_n': 1, 'object.remove': 2, 'object.filter': 2,
  'object.subset': 2, 'json.marshal': 1, 'json.marshal_with_options': 2, 'json.unmarshal': 1, 'json.is_valid': 1,
  'json.filter': 2, 'json.remove': 2, 'json.patch': 2, 'yaml.marshal': 1, 'yaml.unmarshal': 1, 'yaml.is_valid': 1,
  'array.concat': 2, 'array.slice': 3, 'array.reverse': 1, union: 1, intersection: 1,
  is_number: 1, is_string: 1, is_boolean: 1, is_array: 1, is_set: 1, is_object: 1, is_null: 1, type_name: 1, to_number: 1,
  abs: 1, round: 1, ceil: 1, floor: 1, 'numbers.range': 2, 'numbers.range_step': 3, 'rand.intn': 2,
  'bits.or': 2, 'bits.and': 2, 'bits.xor': 2, 'bits.negate': 1, 'bits.lsh': 2, 'bits.rsh': 2,
  'semver.compare': 2, 'semver.is_valid': 1,
  'base64.encode': 1, 'base64.decode': 1, 'base64.is_valid': 1, 'base64url.encode': 1, 'base64url.encode_no_pad': 1,
  'base64url.decode': 1, 'hex.encode': 1, 'hex.decode': 1, 'urlquery.encode': 1, 'urlquery.decode': 1,
  'urlquery.encode_object': 1, 'urlquery.decode_object': 1, walk: 1, 'units.parse': 1, 'units.parse_bytes': 1,
  'time.now_ns': 0, 'time.parse_rfc3339_ns': 1, 'time.parse_ns': 2, 'time.parse_duration_ns': 1, 'time.format': 1,
  'time.date': 1, 'time.clock': 1, 'time.weekday': 1, 'time.add_date': 4, 'time.diff': 2,
  'uuid.rfc4122': 1, 'uuid.parse': 1, 'graph.reachable': 2, 'graph.reachable_paths': 2,
  'net.cidr_contains': 2, 'net.cidr_intersects': 2, 'net.cidr_is_valid': 1, 'net.cidr_expand': 1, 'net.cidr_merge': 1,
  'net.cidr_contains_matches': 2, 'internal.member_2': 2, 'internal.member_3': 3,
  'uri.parse': 1, 'uri.is_valid': 1, trace: 1,
};

describe('builtin table', () => {
  it('registers every builtin under its OPA name with its OPA arity', () => {
    for (const [name, arity] of Object.entries(OPA_ARITIES)) {
      expect({ name, arity: BUILTINS.get(name)?.arity }).toEqual({ name, arity });
    }
  });

  it('keys each entry by its own name and never provides a forbidden builtin', () => {
    for (const [name, b] of BUILTINS) expect(b.name).toBe(name);
    for (const name of Object.keys(FORBIDDEN_BUILTINS)) expect(BUILTINS.has(name)).toBe(false);
  });
});

describe('deprecated builtins', () => {
  it('are kept for v0 modules and marked', async () => {
    const { call } = await import('./helpers.js');
    const { RegoSet } = await import('../../../src/rego/value.js');
    for (const name of ['cast_array', 'cast_set', 'cast_string', 'cast_boolean', 'cast_null', 'cast_object', 'set_diff', 'net.cidr_overlap']) {
      expect(BUILTINS.get(name)?.deprecated).toBe(true);
    }
    expect(call('cast_array', new RegoSet([2, 1]))).toEqual([1, 2]);
    expect((call('cast_set', [1, 1]) as InstanceType<typeof RegoSet>).size).toBe(1);
    expect(() => call('cast_string', 1)).toThrow('cast_string: operand 1 must be string but got number');
    expect((call('set_diff', new RegoSet([1, 2]), new RegoSet([2])) as InstanceType<typeof RegoSet>).values()).toEqual([1]);
    expect(call('net.cidr_overlap', '10.0.0.0/8', '10.1.1.1')).toBe(true);
  });
});
