import { describe, expect, it } from 'vitest';
import { BUILTINS } from '../../../src/rego/builtins/index.js';
import { FORBIDDEN_BUILTINS } from '../../../src/rego/builtins/registry.js';
import { SIGNATURES } from '../../../src/rego/builtins/signatures.js';
import { compile } from '../../../src/rego/index.js';
import { signatureOf } from '../../../src/rego/typecheck.js';

/**
 * Every builtin of OPA v1.20 with its arity, from OPA's capabilities file (capabilities/v1.20.2.json):
 * oclhub must provide each one with this arity, or refuse it by name (FORBIDDEN_BUILTINS), and
 * provide nothing OPA lacks (a policy oclhub accepts must load in Octopus).
 */
const OPA_V1_BUILTINS: Record<string, number> = {
  abs: 1, all: 1, and: 2, any: 1, 'array.concat': 2, 'array.flatten': 1, 'array.reverse': 1, 'array.slice': 3,
  assign: 2, 'base64.decode': 1, 'base64.encode': 1, 'base64.is_valid': 1, 'base64url.decode': 1,
  'base64url.encode': 1, 'base64url.encode_no_pad': 1, 'bits.and': 2, 'bits.lsh': 2, 'bits.negate': 1,
  'bits.or': 2, 'bits.rsh': 2, 'bits.xor': 2, cast_array: 1, cast_boolean: 1, cast_null: 1, cast_object: 1,
  cast_set: 1, cast_string: 1, ceil: 1, concat: 2, contains: 2, count: 1, 'crypto.hmac.equal': 2,
  'crypto.hmac.md5': 2, 'crypto.hmac.sha1': 2, 'crypto.hmac.sha256': 2, 'crypto.hmac.sha512': 2, 'crypto.md5': 1,
  'crypto.parse_private_keys': 1, 'crypto.sha1': 1, 'crypto.sha256': 1, 'crypto.x509.parse_and_verify_certificates': 1,
  'crypto.x509.parse_and_verify_certificates_with_options': 2, 'crypto.x509.parse_certificate_request': 1,
  'crypto.x509.parse_certificates': 1, 'crypto.x509.parse_keypair': 2, 'crypto.x509.parse_rsa_private_key': 1,
  div: 2, endswith: 2, eq: 2, equal: 2, floor: 1, format_int: 2, 'glob.match': 3, 'glob.quote_meta': 1,
  'graph.reachable': 2, 'graph.reachable_paths': 2, 'graphql.is_valid': 2, 'graphql.parse': 2,
  'graphql.parse_and_verify': 2, 'graphql.parse_query': 1, 'graphql.parse_schema': 1, 'graphql.schema_is_valid': 1,
  gt: 2, gte: 2, 'hex.decode': 1, 'hex.encode': 1, 'http.send': 1, indexof: 2, indexof_n: 2,
  'internal.member_2': 2, 'internal.member_3': 3, 'internal.print': 1, 'internal.template_string': 1,
  'internal.test_case': 1, intersection: 1, 'io.jwt.decode': 1, 'io.jwt.decode_verify': 2, 'io.jwt.encode_sign': 3,
  'io.jwt.encode_sign_raw': 3, 'io.jwt.verify_eddsa': 2, 'io.jwt.verify_es256': 2, 'io.jwt.verify_es384': 2,
  'io.jwt.verify_es512': 2, 'io.jwt.verify_hs256': 2, 'io.jwt.verify_hs384': 2, 'io.jwt.verify_hs512': 2,
  'io.jwt.verify_ps256': 2, 'io.jwt.verify_ps384': 2, 'io.jwt.verify_ps512': 2, 'io.jwt.verify_rs256': 2,
  'io.jwt.verify_rs384': 2, 'io.jwt.verify_rs512': 2, is_array: 1, is_boolean: 1, is_null: 1, is_number: 1,
  is_object: 1, is_set: 1, is_string: 1, 'json.filter': 2, 'json.is_valid': 1, 'json.marshal': 1,
  'json.marshal_with_options': 2, 'json.match_schema': 2, 'json.patch': 2, 'json.remove': 2, 'json.unmarshal': 1,
  'json.verify_schema': 1, lower: 1, lt: 2, lte: 2, max: 1, min: 1, minus: 2, mul: 2, neq: 2,
  'net.cidr_contains': 2, 'net.cidr_contains_matches': 2, 'net.cidr_expand': 1, 'net.cidr_intersects': 2,
  'net.cidr_is_valid': 1, 'net.cidr_merge': 1, 'net.cidr_overlap': 2, 'net.lookup_ip_addr': 1, 'numbers.range': 2,
  'numbers.range_step': 3, 'object.filter': 2, 'object.get': 3, 'object.keys': 1, 'object.remove': 2,
  'object.subset': 2, 'object.union': 2, 'object.union_n': 1, 'opa.runtime': 0, or: 2, plus: 2, print: -1,
  product: 1, 'providers.aws.sign_req': 3, 'rand.intn': 2, re_match: 2, 'regex.find_all_string_submatch_n': 3,
  'regex.find_n': 3, 'regex.globs_match': 2, 'regex.is_valid': 1, 'regex.match': 2, 'regex.replace': 3,
  'regex.split': 2, 'regex.template_match': 4, 'rego.metadata.chain': 0, 'rego.metadata.rule': 0,
  'rego.parse_module': 2, rem: 2, replace: 3, round: 1, 'semver.compare': 2, 'semver.is_valid': 1, set_diff: 2,
  sort: 1, split: 2, sprintf: 2, startswith: 2, 'strings.any_prefix_match': 2, 'strings.any_suffix_match': 2,
  'strings.count': 2, 'strings.render_template': 2, 'strings.replace_n': 2, 'strings.reverse': 1,
  'strings.split_n': 3, substring: 3, sum: 1, 'time.add_date': 4, 'time.clock': 1, 'time.date': 1, 'time.diff': 2,
  'time.format': 1, 'time.now_ns': 0, 'time.parse_duration_ns': 1, 'time.parse_ns': 2, 'time.parse_rfc3339_ns': 1,
  'time.weekday': 1, to_number: 1, trace: 1, trim: 2, trim_left: 2, trim_prefix: 2, trim_right: 2, trim_space: 1,
  trim_suffix: 2, type_name: 1, union: 1, 'units.parse': 1, 'units.parse_bytes': 1, upper: 1, 'uri.is_valid': 1,
  'uri.parse': 1, 'urlquery.decode': 1, 'urlquery.decode_object': 1, 'urlquery.encode': 1,
  'urlquery.encode_object': 1, 'uuid.parse': 1, 'uuid.rfc4122': 1, walk: 1, 'yaml.is_valid': 1, 'yaml.marshal': 1,
  'yaml.unmarshal': 1,
};

/** Language forms OPA lists among its builtins, which the compiler handles itself (print is variadic). */
const COMPILED_FORMS = new Set(['eq', 'assign', 'print']);

describe('builtin table', () => {
  it('provides every OPA v1 builtin with its OPA arity, or refuses it by name', () => {
    const unaccounted: string[] = [];
    for (const [name, arity] of Object.entries(OPA_V1_BUILTINS)) {
      if (COMPILED_FORMS.has(name)) continue;
      const provided = BUILTINS.get(name);
      if (provided) expect({ name, arity: provided.arity }).toEqual({ name, arity });
      else if (FORBIDDEN_BUILTINS[name] === undefined) unaccounted.push(name);
    }
    expect(unaccounted).toEqual([]);
  });

  it('provides no builtin OPA lacks, and declares every OPA builtin with its OPA arity', () => {
    expect([...BUILTINS.keys()].filter((name) => OPA_V1_BUILTINS[name] === undefined)).toEqual([]);
    expect(Object.keys(SIGNATURES).filter((name) => OPA_V1_BUILTINS[name] === undefined)).toEqual([]);
    for (const [name, arity] of Object.entries(OPA_V1_BUILTINS)) {
      if (COMPILED_FORMS.has(name)) continue;
      expect({ name, arity: signatureOf(name)?.args.length }).toEqual({ name, arity });
    }
  });

  it('keys each entry by its own name and never provides a forbidden builtin', () => {
    for (const [name, b] of BUILTINS) expect(b.name).toBe(name);
    for (const name of Object.keys(FORBIDDEN_BUILTINS)) expect(BUILTINS.has(name)).toBe(false);
  });

  it('refuses a forbidden builtin at compile time naming it and why, and lets a with replace it', () => {
    const compileError = (source: string) => compile([{ file: 'p.rego', source }]).diagnostics[0];
    expect(compileError('package t\nx := io.jwt.decode("a")')).toMatchObject({
      code: 'rego_compile_error',
      message: 'builtin io.jwt.decode is not available: JWT builtins (signing and verification) are not provided by oclhub',
      location: { file: 'p.rego', line: 2 },
    });
    expect(compileError('package t\nx := graphql.is_valid("a", "b")')?.message).toBe('builtin graphql.is_valid is not available: GraphQL parsing is not provided by oclhub');
    // A replaced builtin keeps OPA's arity: the two-argument verification is called with two arguments.
    const { policy } = compile([{ file: 'p.rego', source: 'package t\nok := io.jwt.verify_hs256("t", "k")\nt := m if { m := ok with io.jwt.verify_hs256 as "fixed" }' }]);
    expect(policy!.eval('data.t.t').results![0]!.expressions[0]!.value).toBe('fixed');
  });

  it('refuses a forbidden builtin named as the replacement in a with, rather than reading it as a variable', () => {
    const compileError = (source: string) => compile([{ file: 'p.rego', source }]).diagnostics[0];
    const replacedByRuntime = 'package t\nclock := time.now_ns()\nt := c if { c := clock with time.now_ns as opa.runtime }';
    expect(compileError(replacedByRuntime)).toMatchObject({
      code: 'rego_compile_error',
      message: 'builtin opa.runtime is not available: the runtime environment is not exposed to policies',
      location: { file: 'p.rego', line: 3 },
    });
    const mockedUserFunction = 'package t\nsign(x) := x\nt := s if { s := sign("a") with sign as io.jwt.decode }';
    expect(compileError(mockedUserFunction)?.message).toBe('builtin io.jwt.decode is not available: JWT builtins (signing and verification) are not provided by oclhub');
    // A local variable of that name is still a variable.
    const { policy } = compile([{ file: 'p.rego', source: 'package t\nclock := time.now_ns()\nt := c if { opa := {"runtime": 7}; c := clock with time.now_ns as opa.runtime }' }]);
    expect(policy!.eval('data.t.t').results![0]!.expressions[0]!.value).toBe(7);
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
