/**
 * time.* builtins with Go's layouts and durations. Named time zones come from the IANA database
 * Node ships (Intl), as Go's time.LoadLocation reads its own copy; an unknown name is an error,
 * never a silent UTC.
 */
import type { Value } from '../value.js';
import type { Builtin } from './registry.js';
import { goQuote } from './goformat.js';
import { def, fail, intResult, isIntegral, smallInt, str, toBigInt, typeError } from './util.js';

const NS_PER_SECOND = 1_000_000_000n;
const NS_PER_DAY = 86_400n * NS_PER_SECOND;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// ---------------------------------------------------------------------------------------------
// Civil calendar arithmetic (proleptic Gregorian), exact for any year.

export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z0: number): [number, number, number] {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [m <= 2 ? y + 1 : y, m, d];
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y: number, m: number): number => [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;

export interface Civil {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  weekday: number;
  yearDay: number;
}

export function civilFromNs(ns: bigint): Civil {
  let days = ns / NS_PER_DAY;
  let rem = ns % NS_PER_DAY;
  if (rem < 0n) {
    rem += NS_PER_DAY;
    days -= 1n;
  }
  const d = Number(days);
  const [year, month, day] = civilFromDays(d);
  const secs = Number(rem / NS_PER_SECOND);
  return {
    year,
    month,
    day,
    hour: Math.floor(secs / 3600),
    minute: Math.floor(secs / 60) % 60,
    second: secs % 60,
    nanos: Number(rem % NS_PER_SECOND),
    weekday: (((d + 4) % 7) + 7) % 7,
    yearDay: d - daysFromCivil(year, 1, 1) + 1,
  };
}

/** Normalises out-of-range fields like Go's time.Date. */
export function nsFromCivil(y: number, mo: number, d: number, h: number, mi: number, s: number, nanos: number, offsetSeconds = 0): bigint {
  const m0 = mo - 1;
  const yNorm = y + Math.floor(m0 / 12);
  const mNorm = (((m0 % 12) + 12) % 12) + 1;
  const days = BigInt(daysFromCivil(yNorm, mNorm, 1) + d - 1);
  const secs = BigInt(h) * 3600n + BigInt(mi) * 60n + BigInt(s) - BigInt(offsetSeconds);
  return days * NS_PER_DAY + secs * NS_PER_SECOND + BigInt(nanos);
}

function checkRange(name: string, ns: bigint): bigint {
  if (ns < INT64_MIN || ns > INT64_MAX) throw fail(name, 'time outside of valid range');
  return ns;
}

// ---------------------------------------------------------------------------------------------
// Go layouts

const NAMED_LAYOUTS: Record<string, string> = {
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
  Kitchen: '3:04PM',
  Stamp: 'Jan _2 15:04:05',
  StampMilli: 'Jan _2 15:04:05.000',
  StampMicro: 'Jan _2 15:04:05.000000',
  StampNano: 'Jan _2 15:04:05.000000000',
  DateTime: '2006-01-02 15:04:05',
  DateOnly: '2006-01-02',
  TimeOnly: '15:04:05',
};

type Chunk = { lit: string } | { std: string; digits?: number };

const STD_PREFIXES = [
  'January', 'Jan', 'Monday', 'Mon', 'MST', '01', '02', '03', '04', '05', '06', '002', '15', '1', '2006', '2', '__2', '_2',
  '3', '4', '5', 'PM', 'pm', '-070000', '-07:00:00', '-0700', '-07:00', '-07', 'Z070000', 'Z07:00:00', 'Z0700', 'Z07:00', 'Z07',
];

/** Splits a layout into literal text and Go's std chunks (time.nextStdChunk). */
function tokenize(layout: string): Chunk[] {
  const out: Chunk[] = [];
  let lit = '';
  let i = 0;
  const push = (c: Chunk): void => {
    if (lit) out.push({ lit });
    lit = '';
    out.push(c);
  };
  while (i < layout.length) {
    const rest = layout.slice(i);
    const ch = layout[i]!;
    if ((ch === '.' || ch === ',') && (layout[i + 1] === '0' || layout[i + 1] === '9')) {
      const d = layout[i + 1]!;
      let j = i + 1;
      while (layout[j] === d) j++;
      if (!/[0-9]/.test(layout[j] ?? '')) {
        push({ std: d === '0' ? 'frac0' : 'frac9', digits: j - i - 1 });
        i = j;
        continue;
      }
    }
    let matched: string | undefined;
    if (rest.startsWith('_2006')) {
      lit += '_';
      i++;
      continue;
    }
    for (const p of STD_PREFIXES) {
      if (rest.startsWith(p)) {
        // "2" followed by "006" is the year; "Jan"/"Mon" must not run into lower-case letters.
        if ((p === 'Jan' || p === 'Mon') && /^[a-z]/.test(rest.slice(3)) && !rest.startsWith('January') && !rest.startsWith('Monday')) break;
        matched = p;
        break;
      }
    }
    if (matched) {
      push({ std: matched });
      i += matched.length;
    } else {
      lit += ch;
      i++;
    }
  }
  if (lit) out.push({ lit });
  return out;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

function formatOffset(std: string, offset: number): string {
  if (std.startsWith('Z') && offset === 0) return 'Z';
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  const hh = pad(Math.floor(a / 3600), 2);
  const mm = pad(Math.floor(a / 60) % 60, 2);
  const ss = pad(a % 60, 2);
  const kind = std.slice(1);
  switch (kind) {
    case '07':
      return sign + hh;
    case '0700':
      return sign + hh + mm;
    case '07:00':
      return sign + hh + ':' + mm;
    case '070000':
      return sign + hh + mm + ss;
    default:
      return sign + hh + ':' + mm + ':' + ss;
  }
}

/** A time zone at one instant: seconds east of UTC and Go's abbreviation for it. */
export interface ZoneAt {
  offset: number;
  abbreviation: string;
}

const UTC_ZONE: ZoneAt = { offset: 0, abbreviation: 'UTC' };

export function formatTime(ns: bigint, layout: string, zone: ZoneAt = UTC_ZONE): string {
  const c = civilFromNs(ns + BigInt(zone.offset) * 1_000_000_000n);
  let out = '';
  for (const chunk of tokenize(layout)) {
    if ('lit' in chunk) {
      out += chunk.lit;
      continue;
    }
    const h12 = c.hour % 12 === 0 ? 12 : c.hour % 12;
    switch (chunk.std) {
      case 'January':
        out += MONTHS[c.month - 1];
        break;
      case 'Jan':
        out += MONTHS[c.month - 1]!.slice(0, 3);
        break;
      case 'Monday':
        out += DAYS[c.weekday];
        break;
      case 'Mon':
        out += DAYS[c.weekday]!.slice(0, 3);
        break;
      case 'MST':
        out += zone.abbreviation;
        break;
      case '1':
        out += c.month;
        break;
      case '01':
        out += pad(c.month, 2);
        break;
      case '2':
        out += c.day;
        break;
      case '_2':
        out += String(c.day).padStart(2, ' ');
        break;
      case '02':
        out += pad(c.day, 2);
        break;
      case '__2':
        out += String(c.yearDay).padStart(3, ' ');
        break;
      case '002':
        out += pad(c.yearDay, 3);
        break;
      case '15':
        out += pad(c.hour, 2);
        break;
      case '3':
        out += h12;
        break;
      case '03':
        out += pad(h12, 2);
        break;
      case '4':
        out += c.minute;
        break;
      case '04':
        out += pad(c.minute, 2);
        break;
      case '5':
        out += c.second;
        break;
      case '05':
        out += pad(c.second, 2);
        break;
      case '2006':
        out += c.year < 0 ? '-' + pad(-c.year, 4) : pad(c.year, 4);
        break;
      case '06':
        out += pad(((c.year % 100) + 100) % 100, 2);
        break;
      case 'PM':
        out += c.hour >= 12 ? 'PM' : 'AM';
        break;
      case 'pm':
        out += c.hour >= 12 ? 'pm' : 'am';
        break;
      case 'frac0':
        out += '.' + pad(c.nanos, 9).slice(0, chunk.digits);
        break;
      case 'frac9': {
        const digits = pad(c.nanos, 9).slice(0, chunk.digits).replace(/0+$/, '');
        if (digits) out += '.' + digits;
        break;
      }
      default:
        out += formatOffset(chunk.std, zone.offset);
    }
  }
  return out;
}

class ParseError extends Error {}

/** Go time.Parse in UTC: returns nanoseconds since the epoch. */
export function parseTime(layout: string, value: string): bigint {
  const fail = (valueElem: string, layoutElem: string, extra = ''): ParseError =>
    new ParseError(
      extra
        ? `parsing time ${goQuote(value)}${extra}`
        : `parsing time ${goQuote(value)} as ${goQuote(layout)}: cannot parse ${goQuote(valueElem)} as ${goQuote(layoutElem)}`,
    );
  let rest = value;
  // Go: elements missing from the layout are zero (year 0), or one where zero is impossible.
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0;
  let pm: boolean | undefined;
  let offset = 0;
  let yearDay = -1;
  const getnum = (fixed: boolean, elem: string): number => {
    const m = /^\d\d?/.exec(rest);
    if (!m || (fixed && m[0].length !== 2)) throw fail(rest, elem);
    rest = rest.slice(m[0].length);
    return Number(m[0]);
  };
  const lookupName = (names: string[], elem: string, short: boolean): number => {
    for (let k = 0; k < names.length; k++) {
      const n = short ? names[k]!.slice(0, 3) : names[k]!;
      if (rest.slice(0, n.length).toLowerCase() === n.toLowerCase()) {
        rest = rest.slice(n.length);
        return k;
      }
    }
    throw fail(rest, elem);
  };
  const parseFrac = (): void => {
    const m = /^[.,](\d+)/.exec(rest);
    if (m) {
      nanos = Number((m[1]! + '000000000').slice(0, 9));
      rest = rest.slice(m[0].length);
    }
  };
  const chunks = tokenize(layout);
  for (let ci = 0; ci < chunks.length; ci++) {
    const chunk = chunks[ci]!;
    if ('lit' in chunk) {
      if (!rest.startsWith(chunk.lit)) throw fail(rest, chunk.lit);
      rest = rest.slice(chunk.lit.length);
      continue;
    }
    const elem = chunk.std;
    switch (elem) {
      case '2006': {
        const m = /^\d{4}/.exec(rest);
        if (!m) throw fail(rest, elem);
        year = Number(m[0]);
        rest = rest.slice(4);
        break;
      }
      case '06': {
        const m = /^\d{2}/.exec(rest);
        if (!m) throw fail(rest, elem);
        const y = Number(m[0]);
        year = y >= 69 ? 1900 + y : 2000 + y;
        rest = rest.slice(2);
        break;
      }
      case 'January':
        month = lookupName(MONTHS, elem, false) + 1;
        break;
      case 'Jan':
        month = lookupName(MONTHS, elem, true) + 1;
        break;
      case 'Monday':
        lookupName(DAYS, elem, false);
        break;
      case 'Mon':
        lookupName(DAYS, elem, true);
        break;
      case '1':
      case '01':
        month = getnum(elem === '01', elem);
        if (month < 1 || month > 12) throw fail('', '', ': month out of range');
        break;
      case '2':
      case '_2':
      case '02':
        if (elem === '_2' && rest.startsWith(' ')) rest = rest.slice(1);
        day = getnum(elem === '02', elem);
        break;
      case '__2':
      case '002': {
        const m = elem === '002' ? /^\d{3}/.exec(rest) : /^ *\d{1,3}/.exec(rest);
        if (!m) throw fail(rest, elem);
        yearDay = Number(m[0].trim());
        rest = rest.slice(m[0].length);
        break;
      }
      case '15':
        hour = getnum(false, elem);
        if (hour > 23) throw fail('', '', ': hour out of range');
        break;
      case '3':
      case '03':
        hour = getnum(elem === '03', elem);
        if (hour < 0 || hour > 12) throw fail('', '', ': hour out of range');
        break;
      case '4':
      case '04':
        minute = getnum(elem === '04', elem);
        if (minute > 59) throw fail('', '', ': minute out of range');
        break;
      case '5':
      case '05':
        second = getnum(elem === '05', elem);
        if (second > 59) throw fail('', '', ': second out of range');
        // Go accepts fractional seconds after the seconds even when the layout has none.
        if (/^[.,]\d/.test(rest)) {
          const next = chunks[ci + 1];
          if (!(next && 'std' in next && (next.std === 'frac0' || next.std === 'frac9'))) parseFrac();
        }
        break;
      case 'PM':
      case 'pm': {
        const p = rest.slice(0, 2).toUpperCase();
        if (p !== 'AM' && p !== 'PM') throw fail(rest, elem);
        pm = p === 'PM';
        rest = rest.slice(2);
        break;
      }
      case 'frac0': {
        const m = new RegExp(`^[.,](\\d{${chunk.digits}})`).exec(rest);
        if (!m) throw fail(rest, elem);
        nanos = Number((m[1]! + '000000000').slice(0, 9));
        rest = rest.slice(m[0].length);
        break;
      }
      case 'frac9':
        parseFrac();
        break;
      case 'MST': {
        if (rest.startsWith('UTC')) {
          rest = rest.slice(3);
          break;
        }
        const m = /^[A-Z]{3,5}/.exec(rest);
        if (!m) throw fail(rest, elem);
        // Go records an unknown abbreviation with a zero offset.
        rest = rest.slice(m[0].length);
        break;
      }
      default: {
        // Time-zone offsets.
        if (elem.startsWith('Z') && rest.startsWith('Z')) {
          rest = rest.slice(1);
          offset = 0;
          break;
        }
        const kind = elem.slice(1);
        const patterns: Record<string, RegExp> = {
          '07': /^([+-])(\d\d)/,
          '0700': /^([+-])(\d\d)(\d\d)/,
          '07:00': /^([+-])(\d\d):(\d\d)/,
          '070000': /^([+-])(\d\d)(\d\d)(\d\d)/,
          '07:00:00': /^([+-])(\d\d):(\d\d):(\d\d)/,
        };
        const m = patterns[kind]!.exec(rest);
        if (!m) throw fail(rest, elem);
        const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
        offset = m[1] === '-' ? -secs : secs;
        rest = rest.slice(m[0].length);
      }
    }
  }
  if (rest !== '') throw new ParseError(`parsing time ${goQuote(value)}: extra text: ${goQuote(rest)}`);
  if (pm !== undefined) {
    if (pm && hour < 12) hour += 12;
    else if (!pm && hour === 12) hour = 0;
  }
  if (yearDay >= 0) {
    const days = isLeap(year) ? 366 : 365;
    if (yearDay < 1 || yearDay > days) throw new ParseError(`parsing time ${goQuote(value)}: day-of-year out of range`);
    const [, m, d] = civilFromDays(daysFromCivil(year, 1, 1) + yearDay - 1);
    month = m;
    day = d;
  }
  if (day < 1 || day > daysIn(year, month)) throw new ParseError(`parsing time ${goQuote(value)}: day out of range`);
  return nsFromCivil(year, month, day, hour, minute, second, nanos, offset);
}

// ---------------------------------------------------------------------------------------------
// Durations (Go time.ParseDuration)

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  'µs': 1000n,
  'μs': 1000n,
  ms: 1_000_000n,
  s: NS_PER_SECOND,
  m: 60n * NS_PER_SECOND,
  h: 3600n * NS_PER_SECOND,
};

export function parseDuration(s: string): bigint {
  const orig = s;
  const invalid = (): Error => new Error(`time: invalid duration ${goQuote(orig)}`);
  let rest = s;
  let neg = false;
  if (rest !== '' && (rest[0] === '-' || rest[0] === '+')) {
    neg = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') throw invalid();
  let total = 0n;
  const limit = 2n ** 63n;
  while (rest !== '') {
    const m = /^(\d*)(\.(\d*))?/.exec(rest)!;
    const intPart = m[1]!;
    const fracPart = m[3] ?? '';
    if (intPart === '' && fracPart === '') throw invalid();
    if (intPart === '' && m[2] === undefined) throw invalid();
    rest = rest.slice(m[0].length);
    const u = /^[^\d.]*/.exec(rest)![0];
    if (u === '') throw new Error(`time: missing unit in duration ${goQuote(orig)}`);
    const unit = UNITS[u];
    if (unit === undefined) throw new Error(`time: unknown unit ${goQuote(u)} in duration ${goQuote(orig)}`);
    rest = rest.slice(u.length);
    const whole = BigInt(intPart || '0');
    if (whole > limit / unit) throw invalid();
    let v = whole * unit;
    if (fracPart !== '') {
      // Go keeps the fraction's leading digits and truncates the product.
      const scale = 10n ** BigInt(fracPart.length);
      v += (BigInt(fracPart) * unit) / scale;
    }
    total += v;
    if (total > limit) throw invalid();
  }
  if (!neg && total > limit - 1n) throw invalid();
  return neg ? -total : total;
}

// ---------------------------------------------------------------------------------------------
// Operands

interface TzTime {
  ns: bigint;
  layout: string;
  /** IANA zone name, `Local`, or '' / `UTC`. */
  tz: string;
}

function tzTime(name: string, v: Value): TzTime {
  let nVal: Value;
  let layout = NAMED_LAYOUTS.RFC3339Nano!;
  let tz = 'UTC';
  if (Array.isArray(v)) {
    if (v.length === 0) throw typeError(name, 1, v, 'either number (ns) or [number (ns), string (tz)]');
    nVal = v[0]!;
    if (typeof nVal !== 'number' && typeof nVal !== 'bigint') throw typeError(name, 1, nVal, 'number');
    if (v.length > 1) {
      const zone = v[1]!;
      if (typeof zone !== 'string') throw typeError(name, 1, zone, 'string');
      tz = zone;
      zoneFormatter(name, tz);
    }
    if (v.length > 2) {
      const l = v[2]!;
      if (typeof l !== 'string') throw typeError(name, 1, l, 'string');
      layout = NAMED_LAYOUTS[l] ?? l;
    }
  } else if (typeof v === 'number' || typeof v === 'bigint') nVal = v;
  else throw typeError(name, 1, v, 'either number (ns) or [number (ns), string (tz)]');
  if (!isIntegral(nVal)) throw fail(name, 'timestamp too big');
  const ns = toBigInt(nVal);
  if (ns < INT64_MIN || ns > INT64_MAX) throw fail(name, 'timestamp too big');
  return { ns, layout, tz };
}

// ---------------------------------------------------------------------------------------------
// Time zones: the IANA database that ships with Node (Intl), as Go's time.LoadLocation reads it.

const zoneFormatters = new Map<string, Intl.DateTimeFormat | null>();

function localZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
}

/** The formatter for a zone; throws Go's "unknown time zone" for names the database lacks. */
function zoneFormatter(name: string, tz: string): Intl.DateTimeFormat | null {
  if (tz === '' || tz === 'UTC') return null;
  let f = zoneFormatters.get(tz);
  if (f !== undefined) return f;
  const zone = tz === 'Local' ? localZone() : tz;
  try {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      timeZoneName: 'short',
    });
  } catch {
    throw fail(name, `unknown time zone ${tz}`);
  }
  // Go reads zone files by name: `australia/sydney` is not `Australia/Sydney`.
  const resolved = f.resolvedOptions().timeZone;
  if (tz !== 'Local' && resolved.toLowerCase() === zone.toLowerCase() && resolved !== zone) throw fail(name, `unknown time zone ${tz}`);
  if (zoneFormatters.size > 1000) zoneFormatters.clear();
  zoneFormatters.set(tz, f);
  return f;
}

/** Offset and abbreviation of a zone at an instant. */
function zoneAt(name: string, tz: string, ns: bigint): ZoneAt {
  const f = zoneFormatter(name, tz);
  if (!f) return UTC_ZONE;
  // Whole seconds (flooring, also before 1970): zone offsets are whole seconds.
  const seconds = ns / 1_000_000_000n - (ns % 1_000_000_000n < 0n ? 1n : 0n);
  const ms = Number(seconds) * 1000;
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(ms))) parts[p.type] = p.value;
  let year = Number(parts.year);
  if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
  const local = new Date(0);
  local.setUTCFullYear(year, Number(parts.month) - 1, Number(parts.day));
  local.setUTCHours(Number(parts.hour) % 24, Number(parts.minute), Number(parts.second), 0);
  const offset = Math.round((local.getTime() - ms) / 1000);
  return { offset, abbreviation: goAbbreviation(parts.timeZoneName ?? '', offset) };
}

/** ICU names zones without a letter abbreviation `GMT+11`; Go's database calls them `+11`. */
function goAbbreviation(icu: string, offset: number): string {
  if (icu === 'UTC' || icu === 'GMT') return offset === 0 ? icu : formatOffset('-0700', offset);
  if (!/^GMT[+-]/.test(icu)) return icu;
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  const hh = pad(Math.floor(a / 3600), 2);
  const mm = Math.floor(a / 60) % 60;
  return mm === 0 ? sign + hh : sign + hh + pad(mm, 2);
}

/** Calendar fields of an instant in a zone. */
function civilIn(name: string, t: TzTime): Civil {
  return civilFromNs(t.ns + BigInt(zoneAt(name, t.tz, t.ns).offset) * 1_000_000_000n);
}

function guard<T>(name: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ParseError || (e instanceof Error && e.message.startsWith('time: '))) throw fail(name, e.message);
    throw e;
  }
}

function diff(a: bigint, b: bigint): Value[] {
  const [t1, t2] = a > b ? [civilFromNs(b), civilFromNs(a)] : [civilFromNs(a), civilFromNs(b)];
  let year = t2.year - t1.year;
  let month = t2.month - t1.month;
  let day = t2.day - t1.day;
  let hour = t2.hour - t1.hour;
  let min = t2.minute - t1.minute;
  let sec = t2.second - t1.second;
  if (sec < 0) {
    sec += 60;
    min--;
  }
  if (min < 0) {
    min += 60;
    hour--;
  }
  if (hour < 0) {
    hour += 24;
    day--;
  }
  if (day < 0) {
    // Days in t1's month, as time.Date(y1, M1, 32) normalises.
    day += daysIn(t1.year, t1.month);
    month--;
  }
  if (month < 0) {
    month += 12;
    year--;
  }
  return [year, month, day, hour, min, sec];
}

export const TIME: Builtin[] = [
  def('time.now_ns', 0, (_args, ctx) => intResult(ctx.nowNs)),
  def('time.parse_rfc3339_ns', 1, (args) => {
    const s = str('time.parse_rfc3339_ns', args, 0);
    return intResult(checkRange('time.parse_rfc3339_ns', guard('time.parse_rfc3339_ns', () => parseTime(NAMED_LAYOUTS.RFC3339!, s))));
  }),
  def('time.parse_ns', 2, (args) => {
    const layout = str('time.parse_ns', args, 0);
    const value = str('time.parse_ns', args, 1);
    return intResult(checkRange('time.parse_ns', guard('time.parse_ns', () => parseTime(NAMED_LAYOUTS[layout] ?? layout, value))));
  }),
  def('time.parse_duration_ns', 1, (args) => {
    const s = str('time.parse_duration_ns', args, 0);
    return intResult(guard('time.parse_duration_ns', () => parseDuration(s)));
  }),
  def('time.format', 1, ([v]) => {
    const t = tzTime('time.format', v!);
    return formatTime(t.ns, t.layout, zoneAt('time.format', t.tz, t.ns));
  }),
  def('time.date', 1, ([v]) => {
    const c = civilIn('time.date', tzTime('time.date', v!));
    return [c.year, c.month, c.day];
  }),
  def('time.clock', 1, ([v]) => {
    const c = civilIn('time.clock', tzTime('time.clock', v!));
    return [c.hour, c.minute, c.second];
  }),
  def('time.weekday', 1, ([v]) => DAYS[civilIn('time.weekday', tzTime('time.weekday', v!)).weekday]!),
  def('time.add_date', 4, (args) => {
    const name = 'time.add_date';
    const t = tzTime(name, args[0]!);
    const years = smallInt(name, args, 1);
    const months = smallInt(name, args, 2);
    const days = smallInt(name, args, 3);
    // Far beyond the int64 nanosecond range either way; keeps the calendar arithmetic exact.
    if (Math.abs(years) > 1e6 || Math.abs(months) > 1e7 || Math.abs(days) > 1e9) throw fail(name, 'time outside of valid range');
    const c = civilFromNs(t.ns);
    const ns = nsFromCivil(c.year + years, c.month + months, c.day + days, c.hour, c.minute, c.second, c.nanos);
    return intResult(checkRange(name, ns));
  }),
  def('time.diff', 2, (args) => {
    // Go: both instants in the first one's zone, then calendar differences.
    const a = tzTime('time.diff', args[0]!);
    const b = tzTime('time.diff', args[1]!);
    const shift = (t: TzTime): bigint => t.ns + BigInt(zoneAt('time.diff', a.tz, t.ns).offset) * 1_000_000_000n;
    return diff(shift(a), shift(b));
  }),
];
