/**
 * Go text formatting as OPA exposes it: `fmt.Sprintf` (for sprintf), `strconv.Quote`, and the
 * Rego term syntax OPA prints for composite values (`Term.String()`).
 */
import { type RegoNumber, type Value, RegoDecimal, RegoSet, isObject, numberToString, objectEntries, work } from '../value.js';

// ---------------------------------------------------------------------------------------------
// Rego term syntax

/** `ast.Term.String()`: strings quoted, sets as `{...}` or `set()`, ", " between items. */
export function termString(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
    case 'bigint':
      return numberToString(v);
    case 'string':
      return goQuote(v);
  }
  if (v instanceof RegoDecimal) return v.toString();
  if (Array.isArray(v)) {
    work(1 + v.length);
    return '[' + v.map(termString).join(', ') + ']';
  }
  if (v instanceof RegoSet) {
    work(1 + v.size);
    return v.size === 0 ? 'set()' : '{' + v.values().map(termString).join(', ') + '}';
  }
  if (isObject(v)) {
    const entries = objectEntries(v);
    work(1 + entries.length);
    return '{' + entries.map(([k, x]) => termString(k) + ': ' + termString(x)).join(', ') + '}';
  }
  return String(v);
}

/** Go `strconv.Quote`. */
export function goQuote(s: string): string {
  if (PLAIN.test(s)) return '"' + s + '"';
  let out = '"';
  let i = 0;
  while (i < s.length) {
    PLAIN_RUN.lastIndex = i;
    if (PLAIN_RUN.test(s)) {
      out += s.slice(i, PLAIN_RUN.lastIndex);
      i = PLAIN_RUN.lastIndex;
      continue;
    }
    const c = s.codePointAt(i)!;
    const ch = String.fromCodePoint(c);
    i += ch.length;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else if (!isPrintable(c)) out += c > 0xffff ? '\\U' + c.toString(16).padStart(8, '0') : '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** Printable ASCII other than `"` and `\\`: quoted as it is. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const PLAIN_RUN = /[\x20\x21\x23-\x5b\x5d-\x7e]+/y;

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
function isPrintable(c: number): boolean {
  if (c === 0x20) return true;
  return !NON_PRINTABLE.test(String.fromCodePoint(c));
}

// ---------------------------------------------------------------------------------------------
// fmt.Sprintf

/** An operand as OPA hands it to Go: an int, a *big.Int, a float64, or a string. */
export type GoArg =
  | { kind: 'int'; value: bigint }
  | { kind: 'bigint'; value: bigint }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Mirrors OPA's sprintf argument conversion: integral numbers are ints, other scalars strings. */
export function toGoArg(v: Value): GoArg {
  if (typeof v === 'number' || typeof v === 'bigint') return numberArg(v);
  if (typeof v === 'string') return { kind: 'string', value: v };
  return { kind: 'string', value: termString(v) };
}

function numberArg(n: RegoNumber): GoArg {
  if (typeof n === 'number' && !Number.isInteger(n)) return { kind: 'float', value: n };
  const b = BigInt(n);
  return b >= INT64_MIN && b <= INT64_MAX ? { kind: 'int', value: b } : { kind: 'bigint', value: b };
}

interface Spec {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
}

export function goSprintf(format: string, args: GoArg[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  const n = format.length;
  let i = 0;
  while (i < n) {
    const start = i;
    while (i < n && format[i] !== '%') i++;
    if (i > start) out += format.slice(start, i);
    if (i >= n) break;
    i++; // skip %
    // Fast path for the plain verbs policies use most: %s, %v, %d with no flags.
    const quick = format[i];
    if ((quick === 's' || quick === 'v' || quick === 'd') && argNum < args.length) {
      const a = args[argNum]!;
      if (a.kind === 'string' && quick !== 'd') {
        out += a.value;
        argNum++;
        i++;
        continue;
      }
      if (a.kind === 'int' && quick !== 's') {
        out += a.value.toString();
        argNum++;
        i++;
        continue;
      }
    }
    const spec: Spec = { plus: false, minus: false, sharp: false, space: false, zero: false, width: undefined, prec: undefined };
    flags: for (; i < n; i++) {
      switch (format[i]) {
        case '#':
          spec.sharp = true;
          break;
        case '0':
          spec.zero = !spec.minus;
          break;
        case '+':
          spec.plus = true;
          break;
        case '-':
          spec.minus = true;
          spec.zero = false;
          break;
        case ' ':
          spec.space = true;
          break;
        default:
          break flags;
      }
    }
    // Argument index [n]
    let badIndex = false;
    const readIndex = (): void => {
      if (format[i] !== '[') return;
      reordered = true;
      const close = format.indexOf(']', i);
      const idx = close < 0 ? NaN : Number(format.slice(i + 1, close));
      if (close < 0 || !Number.isInteger(idx) || idx < 1 || idx > args.length) {
        badIndex = true;
        i = close < 0 ? n : close + 1;
        return;
      }
      argNum = idx - 1;
      i = close + 1;
    };
    readIndex();
    if (format[i] === '*') {
      i++;
      const a = args[argNum++];
      if (a && a.kind === 'int' && a.value <= BigInt(GO_TOO_LARGE) && a.value >= -BigInt(GO_TOO_LARGE)) {
        spec.width = Number(a.value);
        if (spec.width < 0) {
          spec.minus = true;
          spec.width = -spec.width;
          spec.zero = false;
        }
      } else out += '%!(BADWIDTH)';
    } else {
      const digits = readDigits(format, i);
      if (digits) {
        i += digits.length;
        if (digits.length > 7 || Number(digits) > GO_TOO_LARGE) out += '%!(BADWIDTH)';
        else spec.width = Number(digits);
      }
    }
    if (format[i] === '.') {
      i++;
      readIndex();
      if (format[i] === '*') {
        i++;
        const a = args[argNum++];
        if (a && a.kind === 'int' && a.value >= 0n && a.value <= BigInt(GO_TOO_LARGE)) spec.prec = Number(a.value);
        else out += '%!(BADPREC)';
      } else {
        const digits = readDigits(format, i);
        i += digits.length;
        if (digits.length > 7 || Number(digits) > GO_TOO_LARGE) out += '%!(BADPREC)';
        else spec.prec = digits ? Number(digits) : 0;
      }
    }
    readIndex();
    if (i >= n) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (badIndex) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    const arg = args[argNum];
    if (arg && verb === 'T') {
      argNum++;
      out += pad(goTypeName(arg), spec);
      continue;
    }
    if (!arg) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    argNum++;
    out += formatArg(arg, verb, spec);
  }
  if (!reordered && argNum < args.length) {
    out += '%!(EXTRA ' + args.slice(argNum).map((a) => `${goTypeName(a)}=${formatArg(a, 'v', plainSpec())}`).join(', ') + ')';
  }
  return out;
}

/** Go's fmt treats widths and precisions above this as malformed. */
const GO_TOO_LARGE = 1_000_000;

function readDigits(s: string, from: number): string {
  let j = from;
  while (j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
  return s.slice(from, j);
}

function plainSpec(): Spec {
  return { plus: false, minus: false, sharp: false, space: false, zero: false, width: undefined, prec: undefined };
}

function goTypeName(a: GoArg): string {
  return a.kind === 'int' ? 'int' : a.kind === 'bigint' ? '*big.Int' : a.kind === 'float' ? 'float64' : 'string';
}

function badVerb(a: GoArg, verb: string): string {
  const type = a.kind === 'bigint' ? 'big.Int' : goTypeName(a);
  return `%!${verb}(${type}=${formatArg(a, 'v', plainSpec())})`;
}

function pad(s: string, spec: Spec, zeroOk = false): string {
  const w = spec.width;
  if (w === undefined) return s;
  const len = Array.from(s).length;
  if (len >= w) return s;
  if (spec.minus) return s + ' '.repeat(w - len);
  if (spec.zero && zeroOk) {
    const sign = /^[+\- ]/.test(s) ? s[0]! : '';
    return sign + '0'.repeat(w - len) + s.slice(sign.length);
  }
  return ' '.repeat(w - len) + s;
}

function formatArg(a: GoArg, verb: string, spec: Spec): string {
  switch (a.kind) {
    case 'int':
    case 'bigint':
      return formatInteger(a, verb, spec);
    case 'float':
      return formatFloat(a, verb, spec);
    case 'string':
      return formatString(a.value, verb, spec, a);
  }
}

function formatString(s: string, verb: string, spec: Spec, a: GoArg): string {
  switch (verb) {
    case 'v':
    case 's': {
      const t = spec.prec !== undefined ? Array.from(s).slice(0, spec.prec).join('') : s;
      return pad(t, spec);
    }
    case 'q':
      return pad(spec.sharp && !s.includes('`') ? '`' + s + '`' : goQuote(s), spec);
    case 'x':
    case 'X': {
      let hex = Buffer.from(s, 'utf8').toString('hex');
      if (verb === 'X') hex = hex.toUpperCase();
      return pad(hex, spec);
    }
    default:
      return badVerb(a, verb);
  }
}

function integerDigits(v: bigint, base: number, upper: boolean): string {
  const t = (v < 0n ? -v : v).toString(base);
  return upper ? t.toUpperCase() : t;
}

function formatInteger(a: GoArg & { value: bigint }, verb: string, spec: Spec): string {
  const v = a.value;
  let digits: string;
  let prefix = '';
  switch (verb) {
    case 'v':
    case 'd':
      digits = integerDigits(v, 10, false);
      break;
    case 's':
      if (a.kind === 'bigint') {
        digits = integerDigits(v, 10, false);
        break;
      }
      return badVerb(a, verb);
    case 'b':
      digits = integerDigits(v, 2, false);
      if (spec.sharp) prefix = '0b';
      break;
    case 'o':
      digits = integerDigits(v, 8, false);
      if (spec.sharp) prefix = '0';
      break;
    case 'O':
      if (a.kind === 'bigint') return badVerb(a, verb);
      digits = integerDigits(v, 8, false);
      prefix = '0o';
      break;
    case 'x':
    case 'X':
      digits = integerDigits(v, 16, verb === 'X');
      if (spec.sharp) prefix = verb === 'X' ? '0X' : '0x';
      break;
    case 'c':
      if (a.kind === 'bigint') return badVerb(a, verb);
      return pad(runeOf(v), spec);
    case 'q':
      if (a.kind === 'bigint') return badVerb(a, verb);
      return pad("'" + goQuote(runeOf(v)).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'") + "'", spec);
    case 'U': {
      if (a.kind === 'bigint') return badVerb(a, verb);
      let s = 'U+' + integerDigits(v, 16, true).padStart(4, '0');
      if (spec.sharp && v >= 0n && v <= 0x10ffffn) s += " '" + runeOf(v) + "'";
      return pad(s, spec);
    }
    default:
      return badVerb(a, verb);
  }
  if (spec.prec !== undefined) {
    if (spec.prec === 0 && v === 0n) digits = '';
    else digits = digits.padStart(spec.prec, '0');
  }
  const sign = v < 0n ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  const body = prefix + digits;
  if (spec.zero && !spec.minus && spec.prec === undefined && spec.width !== undefined) {
    const w = spec.width - sign.length - prefix.length;
    return sign + prefix + digits.padStart(w, '0');
  }
  return pad(sign + body, spec);
}

function runeOf(v: bigint): string {
  if (v < 0n || v > 0x10ffffn || (v >= 0xd800n && v <= 0xdfffn)) return '\ufffd';
  return String.fromCodePoint(Number(v));
}

/** Shortest decimal digits and exponent of |x| (x finite, non-zero). */
function shortestDigits(x: number): { digits: string; exp: number } {
  const [mant, e] = Math.abs(x).toExponential().split('e') as [string, string];
  return { digits: mant.replace('.', ''), exp: Number(e) };
}

function goExp(e: number, upper: boolean): string {
  const sign = e < 0 ? '-' : '+';
  const abs = Math.abs(e);
  return (upper ? 'E' : 'e') + sign + (abs < 10 ? '0' + abs : String(abs));
}

/** %e with the given precision (digits after the point). */
function fmtE(x: number, prec: number, upper: boolean): string {
  const [mant, e] = Math.abs(x).toExponential(Math.min(prec, 100)).split('e') as [string, string];
  return mant + goExp(Number(e), upper);
}

function fmtF(x: number, prec: number): string {
  const ax = Math.abs(x);
  if (ax >= 1e21) {
    // toFixed switches to exponent form; build the digits exactly instead.
    return BigInt(Math.round(ax)).toString() + (prec > 0 ? '.' + '0'.repeat(prec) : '');
  }
  return roundHalfEvenTie(ax, prec) ?? ax.toFixed(Math.min(prec, 100));
}

/**
 * Go rounds exact ties to even (%.2f of 0.125 is 0.12); JavaScript's toFixed rounds them up.
 * A tie needs the double to be exactly a decimal with prec+1 fraction digits ending in 5.
 */
function roundHalfEvenTie(ax: number, prec: number): string | undefined {
  const text = String(ax);
  if (text.includes('e')) return undefined;
  const dot = text.indexOf('.');
  if (dot < 0 || text.length - dot - 1 !== prec + 1 || !text.endsWith('5')) return undefined;
  const m = BigInt(text.replace('.', ''));
  if (m % 5n ** BigInt(prec + 1) !== 0n) return undefined;
  let kept = m / 10n;
  if (kept % 2n === 1n) kept += 1n;
  const digits = kept.toString().padStart(prec + 1, '0');
  return prec === 0 ? digits : digits.slice(0, -prec) + '.' + digits.slice(-prec);
}

/** %g (strconv 'g'): shortest representation when prec is undefined. */
function fmtG(x: number, prec: number | undefined, upper: boolean): string {
  const ax = Math.abs(x);
  if (ax === 0) return '0';
  const shortest = prec === undefined;
  let digits: string;
  let exp: number;
  let p: number;
  if (shortest) {
    ({ digits, exp } = shortestDigits(ax));
    p = digits.length;
  } else {
    p = prec === 0 ? 1 : prec;
    const [mant, e] = ax.toExponential(Math.min(p - 1, 100)).split('e') as [string, string];
    digits = mant.replace('.', '').replace(/0+$/, '') || '0';
    exp = Number(e);
  }
  const nd = digits.length;
  const dp = exp + 1;
  let eprec = p;
  if (eprec > nd && nd >= dp) eprec = nd;
  if (shortest) eprec = 6;
  if (exp < -4 || exp >= eprec) {
    const pp = Math.min(p, nd);
    return digits[0] + (pp > 1 ? '.' + digits.slice(1, pp) : '') + goExp(exp, upper);
  }
  const q = p > dp ? nd : p;
  const decimals = Math.max(q - dp, 0);
  const intPart = dp <= 0 ? '0' : dp >= nd ? digits + '0'.repeat(dp - nd) : digits.slice(0, dp);
  let frac = '';
  for (let k = 0; k < decimals; k++) {
    const idx = dp + k;
    frac += idx >= 0 && idx < nd ? digits[idx] : '0';
  }
  return decimals > 0 ? intPart + '.' + frac : intPart;
}

function formatFloat(a: GoArg & { value: number }, verb: string, spec: Spec): string {
  const x = a.value;
  let body: string;
  if (!Number.isFinite(x)) {
    body = Number.isNaN(x) ? 'NaN' : x > 0 ? (spec.plus ? '+Inf' : 'Inf') : '-Inf';
    return pad(body, { ...spec, zero: false });
  }
  switch (verb) {
    case 'v':
    case 'g':
    case 'G':
      body = fmtG(x, spec.prec, verb === 'G');
      break;
    case 'e':
    case 'E':
      body = spec.prec === undefined ? fmtE(x, 6, verb === 'E') : fmtE(x, spec.prec, verb === 'E');
      break;
    case 'f':
    case 'F':
      body = fmtF(x, spec.prec ?? 6);
      break;
    default:
      return badVerb(a, verb);
  }
  const negative = x < 0 || Object.is(x, -0);
  const sign = negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  return pad(sign + body, spec, true);
}

