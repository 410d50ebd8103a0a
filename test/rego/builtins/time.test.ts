import { describe, expect, it } from 'vitest';
import { BUILTINS } from '../../../src/rego/builtins/index.js';
import { call, testCtx } from './helpers.js';

// 2017-06-02T19:00:00Z, an OPA documentation example.
const NS = 1496430000000000000n;

describe('time parsing', () => {
  it('parses RFC 3339 with offsets and fractions', () => {
    expect(call('time.parse_rfc3339_ns', '2017-06-02T19:00:00Z')).toBe(NS);
    expect(call('time.parse_rfc3339_ns', '2017-06-02T21:00:00+02:00')).toBe(NS);
    expect(call('time.parse_rfc3339_ns', '1970-01-01T00:00:00.5Z')).toBe(500000000);
    expect(call('time.parse_rfc3339_ns', '1969-12-31T23:59:59Z')).toBe(-1000000000);
    expect(() => call('time.parse_rfc3339_ns', 'yesterday')).toThrow(
      'time.parse_rfc3339_ns: parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"',
    );
  });

  it('parses Go layouts', () => {
    expect(call('time.parse_ns', '2006-01-02', '2017-06-02')).toBe(1496361600000000000n);
    expect(call('time.parse_ns', 'Jan 2 2006 3:04PM', 'Jun 2 2017 7:00PM')).toBe(NS);
    expect(call('time.parse_ns', 'RFC1123', 'Fri, 02 Jun 2017 19:00:00 UTC')).toBe(NS);
    expect(call('time.parse_ns', '02/01/06 15:04 -0700', '02/06/17 21:00 +0200')).toBe(NS);
    expect(() => call('time.parse_ns', '2006-01-02', '2017-02-30')).toThrow('day out of range');
    expect(call('time.parse_ns', '2006-01-02 15:04:05.000', '2017-06-02 19:00:00.123')).toBe(NS + 123000000n);
    expect(call('time.parse_ns', '2006-01-02 15:04:05', '2017-06-02 19:00:00.5')).toBe(NS + 500000000n);
    // Elements missing from the layout are zero: year 0 is outside the int64 nanosecond range.
    expect(() => call('time.parse_ns', '15:04', '19:00')).toThrow('time outside of valid range');
  });

  it('parses Go durations', () => {
    expect(call('time.parse_duration_ns', '1h30m')).toBe(5400000000000);
    expect(call('time.parse_duration_ns', '0')).toBe(0);
    expect(call('time.parse_duration_ns', '-5s')).toBe(-5000000000);
    expect(call('time.parse_duration_ns', '.5s')).toBe(500000000);
    expect(call('time.parse_duration_ns', '5.s')).toBe(5000000000);
    expect(call('time.parse_duration_ns', '1.5µs')).toBe(1500);
    expect(() => call('time.parse_duration_ns', 'xx1s')).toThrow('time.parse_duration_ns: time: invalid duration "xx1s"');
    expect(() => call('time.parse_duration_ns', '1')).toThrow('time.parse_duration_ns: time: missing unit in duration "1"');
    expect(() => call('time.parse_duration_ns', '1d')).toThrow('time: unknown unit "d" in duration "1d"');
    expect(() => call('time.parse_duration_ns', '')).toThrow('time: invalid duration ""');
    expect(() => call('time.parse_duration_ns', '10000000000000000000h')).toThrow('time: invalid duration "10000000000000000000h"');
  });
});

describe('calendar functions', () => {
  it('splits dates and clocks in UTC', () => {
    expect(call('time.date', NS)).toEqual([2017, 6, 2]);
    expect(call('time.clock', NS)).toEqual([19, 0, 0]);
    expect(call('time.weekday', NS)).toBe('Friday');
    expect(call('time.date', [NS, 'UTC'])).toEqual([2017, 6, 2]);
    expect(call('time.date', -1)).toEqual([1969, 12, 31]);
    expect(() => call('time.date', 1.5)).toThrow('time.date: timestamp too big');
  });

  it('reads named time zones from the IANA database, as Go does', () => {
    // 2024-01-01T00:00:00Z: already Monday in Sydney (UTC+11, daylight time), still Sunday in New York.
    const jan1 = call('time.parse_rfc3339_ns', '2024-01-01T00:00:00Z')!;
    expect(call('time.weekday', [jan1, 'Australia/Sydney'])).toBe('Monday');
    expect(call('time.date', [jan1, 'America/New_York'])).toEqual([2023, 12, 31]);
    expect(call('time.clock', [jan1, 'Asia/Kolkata'])).toEqual([5, 30, 0]);
    expect(call('time.clock', [NS, 'Europe/Paris'])).toEqual([21, 0, 0]); // summer time, UTC+2
    expect(call('time.format', [jan1, 'America/New_York', 'Mon Jan 2 15:04:05 MST 2006'])).toBe('Sun Dec 31 19:00:00 EST 2023');
    expect(call('time.format', [jan1, 'Australia/Sydney', '2006-01-02T15:04:05Z07:00'])).toBe('2024-01-01T11:00:00+11:00');
    expect(call('time.diff', [jan1, 'Australia/Sydney'], [call('time.parse_rfc3339_ns', '2024-01-02T00:00:00Z')!, 'UTC'])).toEqual([0, 0, 1, 0, 0, 0]);
    // A deploy-freeze policy must not silently fall back to UTC: unknown names (Go is case-sensitive) are errors.
    expect(() => call('time.date', [NS, 'Nowhere/City'])).toThrow('time.date: unknown time zone Nowhere/City');
    expect(() => call('time.date', [NS, 'europe/paris'])).toThrow('time.date: unknown time zone europe/paris');
  });

  it('adds dates with Go normalisation', () => {
    expect(call('time.add_date', NS, 1, 0, 0)).toBe(call('time.parse_rfc3339_ns', '2018-06-02T19:00:00Z'));
    expect(call('time.add_date', call('time.parse_rfc3339_ns', '2021-01-31T00:00:00Z')!, 0, 1, 0)).toBe(
      call('time.parse_rfc3339_ns', '2021-03-03T00:00:00Z'),
    );
    expect(() => call('time.add_date', NS, 500, 0, 0)).toThrow('time outside of valid range');
  });

  it('diffs two times', () => {
    const a = call('time.parse_rfc3339_ns', '2020-01-31T10:00:00Z')!;
    const b = call('time.parse_rfc3339_ns', '2021-03-01T09:30:15Z')!;
    expect(call('time.diff', a, b)).toEqual([1, 1, 0, 23, 30, 15]);
    expect(call('time.diff', b, a)).toEqual([1, 1, 0, 23, 30, 15]);
  });

  it('formats as RFC 3339 by default', () => {
    expect(call('time.format', NS)).toBe('2017-06-02T19:00:00Z');
    expect(call('time.format', [NS + 1500000n, 'UTC'])).toBe('2017-06-02T19:00:00.0015Z');
    expect(call('time.format', [NS, 'UTC', 'Mon Jan _2 15:04:05 2006'])).toBe('Fri Jun  2 19:00:00 2017');
    expect(call('time.format', [NS, '', 'RFC822'])).toBe('02 Jun 17 19:00 UTC');
  });

  it('reads the injected clock', () => {
    expect(BUILTINS.get('time.now_ns')!.fn([], testCtx({ nowNs: 42n }))).toBe(42);
    expect(BUILTINS.get('time.now_ns')!.fn([], testCtx())).toBe(1_700_000_000_000_000_000n);
  });
});
