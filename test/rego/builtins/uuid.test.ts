import { describe, expect, it } from 'vitest';
import { BUILTINS } from '../../../src/rego/builtins/index.js';
import { call, testCtx } from './helpers.js';

describe('uuid.rfc4122', () => {
  it('returns a version 4 UUID, the same one for the same key in one evaluation', () => {
    const ctx = testCtx();
    const f = BUILTINS.get('uuid.rfc4122')!.fn;
    const a = f(['a'], ctx) as string;
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(f(['a'], ctx)).toBe(a);
    expect(f(['b'], ctx)).not.toBe(a);
  });
});

describe('uuid.parse', () => {
  it('reports version and variant', () => {
    expect(call('uuid.parse', '00000000-0000-4000-8000-000000000000')).toEqual({ version: 4, variant: 'RFC4122' });
    expect(call('uuid.parse', '{00000000-0000-4000-8000-000000000000}')).toEqual({ version: 4, variant: 'RFC4122' });
    expect(call('uuid.parse', 'not-a-uuid')).toBeUndefined();
  });

  it('decodes version 1 fields of the RFC 4122 DNS namespace UUID', () => {
    // That UUID was minted at 1998-02-04T22:13:53.1511824Z.
    expect(call('uuid.parse', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toEqual({
      clocksequence: 180,
      macvariables: 'global:unicast',
      nodeid: '00-c0-4f-d4-30-c8',
      time: call('time.parse_rfc3339_ns', '1998-02-04T22:13:53.1511824Z'),
      variant: 'RFC4122',
      version: 1,
    });
  });
});
