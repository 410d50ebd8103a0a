/**
 * Number literals no double denotes (more digits than a double keeps, or beyond its range) keep
 * their exact value, as OPA's json.Number does: comparisons are exact (ast.NumberCompare uses
 * big.Rat), while literals a double prints back as stay plain doubles.
 */
import { describe, expect, it } from 'vitest';
import { compile, evaluateRule } from '../../src/rego/index.js';
import { compare, equals, numberToString, parseNumber, RegoDecimal, RegoSet, stringifyJSON, toJSON, type Value } from '../../src/rego/value.js';

function value(body: string): Value | undefined {
  const r = compile([{ file: 'd.rego', source: `package d\n${body}\n` }]);
  if (!r.policy) throw new Error(JSON.stringify(r.diagnostics));
  return evaluateRule(r.policy, 'data.d.r');
}

describe('exact decimals', () => {
  it('keeps doubles for literals a double prints back as, decimals only for the others', () => {
    expect(parseNumber('0.1')).toBe(0.1);
    expect(parseNumber('3.50')).toBe(3.5);
    expect(parseNumber('1E+2')).toBe(100);
    expect(parseNumber('123456789012345.5')).toBe(123456789012345.5);
    expect(parseNumber('1e400')).toBe(10n ** 400n);
    expect(parseNumber('0.1234567890123456789')).toBeInstanceOf(RegoDecimal);
    expect(parseNumber('1e-400')).toBeInstanceOf(RegoDecimal);
    expect(parseNumber('0e-400')).toBe(0);
    expect(numberToString(parseNumber('0.1234567890123456789')!)).toBe('0.1234567890123456789');
    expect(numberToString(parseNumber('-1e-400')!)).toBe('-1e-400');
    expect(numberToString(parseNumber('12.5e-30')!)).toBe('1.25e-29');
  });

  it('compares exactly, against doubles, bigints and other decimals', () => {
    const d = (t: string) => parseNumber(t)! as Value;
    expect(compare(d('0.1234567890123456789'), d('0.1234567890123456788'))).toBe(1);
    expect(compare(d('1e-400'), 0)).toBe(1);
    expect(compare(d('-1e-400'), 0)).toBe(-1);
    expect(compare(d('1e-400'), d('1e-399'))).toBe(-1);
    expect(compare(d('0.30000000000000000001'), 0.3)).toBe(1);
    expect(compare(0.3, d('0.29999999999999999999'))).toBe(1);
    expect(compare(d('1.00000000000000000001'), 1)).toBe(1);
    expect(compare(d('9007199254740993.5'), 9007199254740993n)).toBe(1);
    // magnitudes decide without aligning a billion digits
    expect(compare(d('1e-1000000000'), 0.5)).toBe(-1);
    expect(equals(d('0.1234567890123456789'), d('1234567890123456789e-19'))).toBe(true);
    expect(equals(d('0.1234567890123456789'), 0.12345678901234568)).toBe(false);
    expect(new RegoSet([d('0.1234567890123456789'), d('0.12345678901234567890'), d('0.1234567890123456788')]).size).toBe(2);
  });

  it('orders, keys and prints decimals in policies as OPA does', () => {
    expect(value('r := [0.1234567890123456789 > 0.1234567890123456788, 1e-400 > 0, -1e-400 < 0, 1e-400 == 0]')).toEqual([true, true, true, false]);
    expect(value('r := {0.1234567890123456789: "a"}[0.12345678901234567890]')).toBe('a');
    expect(value('r := sprintf("%v", [[1e-400, 0.1234567890123456789]])')).toBe('[1e-400, 0.1234567890123456789]');
    expect(value('r := json.marshal([1e-400])')).toBe('[1e-400]');
    expect(value('r := [is_number(1e-400), type_name(1e-400)]')).toEqual([true, 'number']);
    expect(value('r := max([1e-400, 0, -1])')).toEqual(parseNumber('1e-400'));
    expect(stringifyJSON(value('r := [1e-400]')!)).toBe('[1e-400]');
    expect(JSON.stringify(toJSON(value('r := [0.1234567890123456789]')!))).toBe('[0.12345678901234568]');
  });

  it('computes with decimals in decimal arithmetic, and does not read their fields', () => {
    expect(value('r := 0.1234567890123456789 * 10')).toBe(1.2345678901234568);
    expect(value('r := sum([1e-400, 1])')).toBe(1);
    expect(value('r := abs(-0.1234567890123456789)')).toBe(0.12345678901234568);
    expect(value('x := 1e-400\nr := x.m')).toBeUndefined();
    expect(value('r := [k | some k, _ in 1e-400]')).toEqual([]);
    expect(value('r if every x in 1e-400 { x }')).toBeUndefined();
    const rem = compile([{ file: 'd.rego', source: 'package d\nr := 0.1234567890123456789 % 2\n' }]).policy!.eval('data.d.r', { strict: true });
    expect(rem.error?.message).toContain('modulo on floating-point number');
  });
});
