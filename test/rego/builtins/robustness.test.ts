/** Hostile operands end as builtin errors or bounded results, never as crashes or huge allocations. */
import { describe, expect, it } from 'vitest';
import { BuiltinError } from '../../../src/rego/builtins/registry.js';
import { call } from './helpers.js';

describe('hostile operands', () => {
  it('refuses absurd sprintf widths and precisions as Go does', () => {
    expect(call('sprintf', '%9999999d', [1])).toBe('%!(BADWIDTH)1');
    expect(call('sprintf', '%.9999999f', [1.5])).toBe('%!(BADPREC)1.500000');
    expect(call('sprintf', '%*d', [123456789, 1])).toBe('%!(BADWIDTH)1');
  });

  it('bounds random and calendar operands', () => {
    expect(() => call('rand.intn', 'k', 123456789012345678901234n)).toThrow(BuiltinError);
    expect(() => call('time.add_date', 0, 1e15, 0, 0)).toThrow('time outside of valid range');
  });

  it('stops YAML alias expansion bombs', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++) {
      const prev = String.fromCharCode(97 + i);
      const next = String.fromCharCode(98 + i);
      lines.push(`${next}: &${next} [${Array(10).fill('*' + prev).join(',')}]`);
    }
    expect(() => call('yaml.unmarshal', lines.join('\n'))).toThrow(BuiltinError);
  });

  it('rejects JSON nested beyond the depth limit', () => {
    expect(() => call('json.unmarshal', '['.repeat(5000) + ']'.repeat(5000))).toThrow('json.unmarshal: exceeded max depth');
  });
});
