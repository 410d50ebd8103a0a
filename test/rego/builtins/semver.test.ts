import { describe, expect, it } from 'vitest';
import { call } from './helpers.js';

describe('semver.is_valid', () => {
  it('accepts MAJOR.MINOR.PATCH with optional pre-release and metadata', () => {
    expect(call('semver.is_valid', '1.0.0')).toBe(true);
    expect(call('semver.is_valid', '1.0.0-rc.1+build.5')).toBe(true);
    expect(call('semver.is_valid', '0.0.1-alpha-beta')).toBe(true);
  });

  it('rejects what OPA rejects', () => {
    expect(call('semver.is_valid', 'v1.0.0')).toBe(false);
    expect(call('semver.is_valid', '1.0')).toBe(false);
    // Strict SemVer 2.0.0, as OPA (test-semvercompare-strict): no empty sections, no leading zeros, no signs.
    expect(call('semver.is_valid', '1.0.0-')).toBe(false);
    expect(call('semver.is_valid', '1.0.0+')).toBe(false);
    expect(call('semver.is_valid', '01.2.3')).toBe(false);
    expect(call('semver.is_valid', '1.02.3')).toBe(false);
    expect(call('semver.is_valid', '1.2.3-01')).toBe(false);
    expect(call('semver.is_valid', '+1.2.3')).toBe(false);
    expect(call('semver.is_valid', '1.2.3-0')).toBe(true);
    expect(call('semver.is_valid', '0.0.0-rc.0+01')).toBe(true);
    expect(call('semver.is_valid', '1.0.0-rc..1')).toBe(false);
    expect(call('semver.is_valid', '1.0.x')).toBe(false);
    expect(call('semver.is_valid', 1)).toBe(false);
  });
});

describe('semver.compare', () => {
  it('refuses invalid versions instead of ordering them, and ignores build metadata', () => {
    expect(() => call('semver.compare', '1.02.3', '1.2.3')).toThrow('semver.compare: operand 1: string "1.02.3" is not a valid SemVer');
    expect(() => call('semver.compare', '1.2.3', '1.2.3-01')).toThrow('semver.compare: operand 2: string "1.2.3-01" is not a valid SemVer');
    expect(call('semver.compare', '1.2.3+01', '1.2.3+2')).toBe(0);
  });

  it('orders versions by SemVer precedence', () => {
    expect(call('semver.compare', '1.0.0', '1.0.0')).toBe(0);
    expect(call('semver.compare', '1.0.0', '1.0.1')).toBe(-1);
    expect(call('semver.compare', '2.0.0', '1.10.0')).toBe(1);
    expect(call('semver.compare', '1.0.0-alpha', '1.0.0')).toBe(-1);
    expect(call('semver.compare', '1.0.0-alpha', '1.0.0-alpha.1')).toBe(-1);
    expect(call('semver.compare', '1.0.0-alpha.1', '1.0.0-alpha.beta')).toBe(-1);
    expect(call('semver.compare', '1.0.0-beta.2', '1.0.0-beta.11')).toBe(-1);
    expect(call('semver.compare', '1.0.0-rc.1', '1.0.0-beta.11')).toBe(1);
    expect(call('semver.compare', '1.0.0+build.1', '1.0.0+build.2')).toBe(0);
  });

  it('reports invalid versions', () => {
    expect(() => call('semver.compare', 'v1.0.0', '1.0.0')).toThrow('semver.compare: operand 1: string "v1.0.0" is not a valid SemVer');
    expect(() => call('semver.compare', '1.0.0', 'x')).toThrow('semver.compare: operand 2: string "x" is not a valid SemVer');
  });
});
