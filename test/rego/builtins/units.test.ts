import { describe, expect, it } from 'vitest';
import { call } from './helpers.js';

describe('units.parse', () => {
  it('distinguishes milli and mega and supports binary suffixes', () => {
    expect(call('units.parse', '10K')).toBe(10000);
    expect(call('units.parse', '10k')).toBe(10000);
    expect(call('units.parse', '1m')).toBe(0.001);
    expect(call('units.parse', '1M')).toBe(1000000);
    expect(call('units.parse', '1Ki')).toBe(1024);
    expect(call('units.parse', '1KI')).toBe(1024);
    expect(call('units.parse', '1.5Mi')).toBe(1572864);
    expect(call('units.parse', '5.K')).toBe(5000);
    expect(call('units.parse', '100')).toBe(100);
    expect(call('units.parse', '200m')).toBe(0.2);
    expect(call('units.parse', '"10G"')).toBe(10000000000);
  });

  it('reads scientific notation, as OPA does, and refuses huge exponents', () => {
    expect(call('units.parse', '1e3')).toBe(1000);
    expect(call('units.parse', '1.5e3K')).toBe(1_500_000);
    expect(call('units.parse', '2E-3')).toBe(0.002);
    expect(call('units.parse', '10e')).toBe(10n * 10n ** 18n); // no exponent digits: the exa suffix
    expect(call('units.parse_bytes', '1e3KB')).toBe(1_000_000);
    expect(() => call('units.parse', '1e1234567')).toThrow('units.parse: exponent too large');
  });

  it('reports OPA errors', () => {
    expect(() => call('units.parse', 'foo')).toThrow('units.parse: no amount provided');
    expect(() => call('units.parse', '1 K')).toThrow('units.parse: spaces not allowed in resource strings');
    expect(() => call('units.parse', '1x')).toThrow('units.parse: unit x not recognized');
    expect(() => call('units.parse', '1.2.3K')).toThrow('units.parse: could not parse amount to a number');
  });
});

describe('units.parse_bytes', () => {
  it('is case-insensitive and truncates to whole bytes', () => {
    expect(call('units.parse_bytes', '10KB')).toBe(10000);
    expect(call('units.parse_bytes', '10kib')).toBe(10240);
    expect(call('units.parse_bytes', '1.5Mi')).toBe(1572864);
    expect(call('units.parse_bytes', '1M')).toBe(1000000);
    expect(call('units.parse_bytes', '1.5')).toBe(1);
    expect(call('units.parse_bytes', '16EiB')).toBe(18446744073709551616n);
    expect(() => call('units.parse_bytes', 'KB')).toThrow('units.parse_bytes: no byte amount provided');
    expect(() => call('units.parse_bytes', '1xb')).toThrow('units.parse_bytes: byte unit xb not recognized');
  });
});
