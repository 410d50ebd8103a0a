import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/rego/index.js';
import type { Value } from '../../../src/rego/value.js';

function value(expr: string, input?: Value): unknown {
  const { policy, diagnostics } = compile([{ file: 'p.rego', source: `package t\n\nx := ${expr}\n` }]);
  expect(diagnostics).toEqual([]);
  const r = policy!.eval('data.t.x', { strict: true, ...(input ? { input } : {}) });
  if (r.error) return { error: r.error.message };
  return r.results[0]?.expressions[0]?.value;
}

describe('crypto hashes and HMACs', () => {
  it('hex digests of the string’s UTF-8 bytes, as OPA prints them', () => {
    // Known answers: md5("") and sha256("abc") from RFC 1321 and FIPS 180-2.
    expect(value('crypto.md5("")')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(value('crypto.sha256("abc")')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(value('crypto.sha1("é")')).toBe(createHash('sha1').update('é', 'utf8').digest('hex'));
  });

  it('HMACs take the message then the key; equal compares two MACs', () => {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    expect(value('crypto.hmac.sha256("what do ya want for nothing?", "Jefe")')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(value('crypto.hmac.sha512("m", "k")')).toBe(createHmac('sha512', 'k').update('m').digest('hex'));
    expect(value('crypto.hmac.md5("m", "k")')).toBe(createHmac('md5', 'k').update('m').digest('hex'));
    expect(value('crypto.hmac.equal("abc", "abc")')).toBe(true);
    expect(value('crypto.hmac.equal("abc", "abd")')).toBe(false);
    expect(value('crypto.hmac.equal("abc", "ab")')).toBe(false);
  });

  it('a non-string operand is a type error (at compile time when it is a constant, as OPA checks it)', () => {
    expect(value('crypto.sha256(input.n)', { n: 1 })).toEqual({ error: 'crypto.sha256: operand 1 must be string but got number' });
    expect(compile([{ file: 'p.rego', source: 'package t\n\nx := crypto.sha256(1)\n' }]).diagnostics[0]?.code).toBe('rego_type_error');
  });
});
