/**
 * Go RE2 syntax to JavaScript RegExp. RE2 is (almost) a subset of what JavaScript's `u` mode can
 * express once the spellings differ: leading flag groups, `\z`, `\A`, `(?P<name>`, `\pL`, POSIX
 * classes, `\Q...\E`, octal escapes, and Go's narrower `\s` and `.`. What JavaScript cannot
 * express (mid-pattern flag changes) and what RE2 itself rejects (look-around, back-references)
 * is an error.
 */
import v8 from 'node:v8';

export class RegexSyntaxError extends Error {}

/** The pattern needs JavaScript's `u` (or `i`/`m`) mode, so it cannot use the linear-time engine. */
class NeedsUnicode extends Error {}

const SURROGATE_PAIR = '[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]';
/** Outside `u` mode one code point may be two code units: match a pair first. */
const anyCodePointOr = (cls: string): string => `(?:${SURROGATE_PAIR}|${cls})`;

/**
 * Case variants of a character under Go's (?i) (simple folding), when they are all ASCII apart
 * from the two folds into other blocks (K: Kelvin sign, S: long s). Undefined means only `u`+`i`
 * mode can express it.
 */
function asciiFold(ch: string): string[] | undefined {
  const lower = ch.toLowerCase();
  const upper = ch.toUpperCase();
  if (lower === upper) return [ch];
  if (!/^[a-z]$/.test(lower)) return undefined;
  const variants = [lower, upper];
  if (lower === 'k') variants.push('\u212a');
  if (lower === 's') variants.push('\u017f');
  return variants;
}

/** A literal character for the linear translation, case-folded when (?i) is on. */
function foldedLiteral(ch: string, inClass: boolean, fold: boolean): string {
  const plain = ch.length === 2 ? codeUnitEscape(ch.codePointAt(0)!, inClass) : escapeLiteral(ch, inClass);
  if (!fold) return plain;
  const variants = asciiFold(ch);
  if (!variants) throw new NeedsUnicode();
  if (variants.length === 1) return plain;
  return inClass ? variants.join('') : `[${variants.join('')}]`;
}

/** Adds the other-case ranges of an ASCII range under (?i). */
function foldedRange(lo: number, hi: number): string {
  if (hi > 0x7f) throw new NeedsUnicode();
  let out = `${escapeLiteral(String.fromCharCode(lo), true)}-${escapeLiteral(String.fromCharCode(hi), true)}`;
  const overlap = (a: number, b: number): [number, number] | undefined => {
    const x = Math.max(lo, a);
    const y = Math.min(hi, b);
    return x <= y ? [x, y] : undefined;
  };
  const lowers = overlap(0x61, 0x7a);
  const uppers = overlap(0x41, 0x5a);
  if (lowers) out += `${String.fromCharCode(lowers[0] - 32)}-${String.fromCharCode(lowers[1] - 32)}`;
  if (uppers) out += `${String.fromCharCode(uppers[0] + 32)}-${String.fromCharCode(uppers[1] + 32)}`;
  const has = (c: string): boolean => {
    const l = c.charCodeAt(0);
    const u = c.toUpperCase().charCodeAt(0);
    return (l >= lo && l <= hi) || (u >= lo && u <= hi);
  };
  if (has('k')) out += '\\u212a';
  if (has('s')) out += '\\u017f';
  return out;
}

function codeUnitEscape(cp: number, inClass: boolean): string {
  if (cp <= 0xffff) return '\\u' + cp.toString(16).padStart(4, '0');
  if (inClass) throw new NeedsUnicode();
  const hi = 0xd800 + ((cp - 0x10000) >> 10);
  const lo = 0xdc00 + ((cp - 0x10000) & 0x3ff);
  return `(?:\\u${hi.toString(16)}\\u${lo.toString(16)})`;
}

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7f',
  blank: '\\t ',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const GENERAL_CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);

const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));

function escapeLiteral(ch: string, inClass: boolean): string {
  if (JS_SYNTAX.has(ch) || (inClass && ch === '-')) return '\\' + ch;
  const c = ch.codePointAt(0)!;
  if (c < 0x20 || c === 0x7f) return '\\x' + c.toString(16).padStart(2, '0');
  return ch;
}

function unicodeClass(name: string, negated: boolean): string {
  let n = name;
  let neg = negated;
  if (n.startsWith('^')) {
    neg = !neg;
    n = n.slice(1);
  }
  const body = n === 'Any' ? null : GENERAL_CATEGORIES.has(n) ? n : `Script=${n}`;
  if (body === null) return neg ? '[^\\s\\S]' : '[\\s\\S]';
  return `\\${neg ? 'P' : 'p'}{${body}}`;
}

export interface Translated {
  source: string;
  flags: string;
}

/**
 * Translates an RE2 pattern; throws RegexSyntaxError with Go's wording where practical. In
 * `linear` mode the output avoids the `u`/`i`/`m` flags and look-arounds, which V8's linear-time
 * engine does not support (it throws NeedsUnicode when it cannot).
 */
export function translateRE2(pattern: string, linear = false): Translated {
  let i = 0;
  let caseInsensitive = false;
  let dotAll = false;
  let multiLine = false;
  // Leading flag groups such as (?i) or (?is) apply to the whole pattern.
  for (;;) {
    const m = /^\(\?([imsU]+)\)/.exec(pattern.slice(i));
    if (!m) break;
    if (m[1]!.includes('U')) throw new RegexSyntaxError('invalid or unsupported Perl syntax: `(?U`');
    if (m[1]!.includes('i')) caseInsensitive = true;
    if (m[1]!.includes('s')) dotAll = true;
    if (m[1]!.includes('m')) multiLine = true;
    i += m[0].length;
  }
  if (linear && multiLine) throw new NeedsUnicode();
  const fold = linear && caseInsensitive;
  let out = '';
  let negatedClass = false;
  let inClass = false;
  let classStart = false;
  let depth = 0;
  const n = pattern.length;
  while (i < n) {
    const ch = String.fromCodePoint(pattern.codePointAt(i)!);
    if (ch === '\\') {
      if (i + 1 >= n) throw new RegexSyntaxError('trailing backslash at end of expression: ``');
      const e = pattern[i + 1]!;
      i += 2;
      switch (e) {
        case 'z':
          if (inClass) throw new RegexSyntaxError('invalid escape sequence: `\\z`');
          out += linear ? '$' : '(?![\\s\\S])';
          continue;
        case 'A':
          if (inClass) throw new RegexSyntaxError('invalid escape sequence: `\\A`');
          out += linear ? '^' : '(?<![\\s\\S])';
          continue;
        case 's':
          out += inClass ? '\\t\\n\\f\\r ' : '[\\t\\n\\f\\r ]';
          continue;
        case 'S':
          out += inClass ? '\\S' : linear ? anyCodePointOr('[^\\t\\n\\f\\r ]') : '[^\\t\\n\\f\\r ]';
          continue;
        case 'D':
        case 'W':
          out += linear && !inClass ? anyCodePointOr('\\' + e) : '\\' + e;
          continue;
        case 'd':
        case 'w':
        case 't':
        case 'n':
        case 'r':
        case 'f':
        case 'v':
          out += '\\' + e;
          continue;
        case 'b':
        case 'B':
          if (inClass) throw new RegexSyntaxError(`invalid escape sequence: \`\\${e}\``);
          out += '\\' + e;
          continue;
        case 'a':
          out += '\\x07';
          continue;
        case 'Q': {
          const end = pattern.indexOf('\\E', i);
          const lit = end < 0 ? pattern.slice(i) : pattern.slice(i, end);
          for (const c of lit) out += linear ? foldedLiteral(c, inClass, fold) : escapeLiteral(c, inClass);
          i = end < 0 ? n : end + 2;
          continue;
        }
        case 'E':
          continue;
        case 'x': {
          if (pattern[i] === '{') {
            const close = pattern.indexOf('}', i);
            const hex = close < 0 ? '' : pattern.slice(i + 1, close);
            if (!/^[0-9A-Fa-f]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) throw new RegexSyntaxError('invalid escape sequence: `\\x{`');
            if (fold && inClass && pattern[close + 1] === '-') throw new NeedsUnicode();
            out += linear ? foldedLiteral(String.fromCodePoint(parseInt(hex, 16)), inClass, fold) : `\\u{${hex}}`;
            i = close + 1;
          } else {
            const hex = pattern.slice(i, i + 2);
            if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new RegexSyntaxError('invalid escape sequence: `\\x`');
            if (fold && inClass && pattern[i + 2] === '-') throw new NeedsUnicode();
            out += fold ? foldedLiteral(String.fromCharCode(parseInt(hex, 16)), inClass, true) : '\\x' + hex;
            i += 2;
          }
          continue;
        }
        case 'p':
        case 'P': {
          if (linear) throw new NeedsUnicode();
          let name: string;
          if (pattern[i] === '{') {
            const close = pattern.indexOf('}', i);
            if (close < 0) throw new RegexSyntaxError(`invalid character class range: \`\\${e}{\``);
            name = pattern.slice(i + 1, close);
            i = close + 1;
          } else {
            name = pattern[i] ?? '';
            i++;
          }
          out += unicodeClass(name, e === 'P');
          continue;
        }
        case 'C':
          throw new RegexSyntaxError('invalid escape sequence: `\\C`');
      }
      if (e >= '0' && e <= '7') {
        // Go: \0, or \1-\7 followed by another octal digit; a lone \1-\9 would be a back-reference.
        if (e !== '0' && !/[0-7]/.test(pattern[i] ?? '')) throw new RegexSyntaxError(`invalid escape sequence: \`\\${e}\``);
        let digits = e;
        while (digits.length < 3 && /[0-7]/.test(pattern[i] ?? '')) digits += pattern[i++];
        if (fold && inClass && pattern[i] === '-') throw new NeedsUnicode();
        out += linear ? foldedLiteral(String.fromCodePoint(parseInt(digits, 8)), inClass, fold) : `\\u{${parseInt(digits, 8).toString(16)}}`;
        continue;
      }
      if (/[!-/:-@[-`{-~]/.test(e)) {
        out += escapeLiteral(e, inClass);
        continue;
      }
      throw new RegexSyntaxError(`invalid escape sequence: \`\\${e}\``);
    }
    if (inClass) {
      if (ch === '[' && pattern[i + 1] === ':') {
        const close = pattern.indexOf(':]', i + 2);
        const name = close < 0 ? '' : pattern.slice(i + 2, close);
        const negated = name.startsWith('^');
        const cls = POSIX[negated ? name.slice(1) : name];
        if (cls !== undefined) {
          if (negated) throw new RegexSyntaxError('negated POSIX classes are not supported');
          out += fold && (name === 'lower' || name === 'upper') ? foldedRange(0x41, 0x5a) : cls;
          i = close + 2;
          classStart = false;
          continue;
        }
        if (close >= 0) throw new RegexSyntaxError(`invalid character class range: \`[:${name}:]\``);
      }
      if (ch === ']' && !classStart) {
        inClass = false;
        out += negatedClass && linear ? '])' : ']';
        i++;
        continue;
      }
      classStart = false;
      if (linear && ch.length === 2) throw new NeedsUnicode();
      if (fold && ch !== '[' && ch !== ']') {
        const next = pattern[i + 1];
        const hiCh = pattern[i + 2];
        if (next === '-' && hiCh !== undefined && hiCh !== ']') {
          if (hiCh === '\\' || hiCh.charCodeAt(0) >= 0xd800) throw new NeedsUnicode();
          out += foldedRange(ch.charCodeAt(0), hiCh.charCodeAt(0));
          i += 3;
          classStart = false;
          continue;
        }
        out += foldedLiteral(ch, true, true);
        i += ch.length;
        classStart = false;
        continue;
      }
      out += ch === '[' ? '\\[' : ch === ']' ? '\\]' : ch;
      i += ch.length;
      continue;
    }
    switch (ch) {
      case '[': {
        inClass = true;
        i++;
        negatedClass = pattern[i] === '^';
        if (negatedClass) {
          out += linear ? `(?:${SURROGATE_PAIR}|[^` : '[^';
          i++;
        } else out += '[';
        classStart = true;
        // A leading ']' is a literal in RE2.
        if (pattern[i] === ']') {
          out += '\\]';
          i++;
          classStart = false;
        }
        continue;
      }
      case '(': {
        if (pattern[i + 1] === '?') {
          const rest = pattern.slice(i + 2);
          if (rest.startsWith('P<') || (rest.startsWith('<') && !rest.startsWith('<=') && !rest.startsWith('<!'))) {
            const start = rest.startsWith('P<') ? 2 : 1;
            const close = rest.indexOf('>');
            const name = close < 0 ? '' : rest.slice(start, close);
            if (!/^[A-Za-z0-9_]+$/.test(name)) throw new RegexSyntaxError(`invalid named capture: \`(?${rest.slice(0, close + 1)}\``);
            out += `(?<${name}>`;
            i += 2 + close + 1;
            depth++;
            continue;
          }
          if (rest.startsWith(':')) {
            out += '(?:';
            i += 3;
            depth++;
            continue;
          }
          const flags = /^([imsU-]+)([:)])/.exec(rest);
          if (flags) {
            throw new RegexSyntaxError(`flag groups after the start of the pattern are not supported: \`(?${flags[0]}\``);
          }
          throw new RegexSyntaxError(`invalid or unsupported Perl syntax: \`(?${rest[0] ?? ''}\``);
        }
        out += '(';
        depth++;
        i++;
        continue;
      }
      case ')':
        if (depth === 0) throw new RegexSyntaxError('unexpected ): `' + pattern + '`');
        depth--;
        out += ')';
        i++;
        continue;
      case '.':
        out += linear ? anyCodePointOr(dotAll ? '[\\s\\S]' : '[^\\n]') : dotAll ? '[\\s\\S]' : '[^\\n]';
        i++;
        continue;
      case '$':
        out += multiLine ? '(?=\\n|(?![\\s\\S]))' : linear ? '$' : '(?![\\s\\S])';
        i++;
        continue;
      case '^':
        out += multiLine ? '(?<=\\n|^)' : '^';
        i++;
        continue;
      case '{': {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
        if (m) {
          const lo = Number(m[1]);
          const hi = m[3] ? Number(m[3]) : lo;
          if (lo > 1000 || hi > 1000 || (m[3] && hi < lo)) throw new RegexSyntaxError(`invalid repeat count: \`${m[0]}\``);
          out += m[0];
          i += m[0].length;
        } else {
          out += '\\{';
          i++;
        }
        continue;
      }
      case '}':
        out += '\\}';
        i++;
        continue;
      case '/':
        out += '\\/';
        i++;
        continue;
    }
    if (fold && ch.toLowerCase() !== ch.toUpperCase()) out += foldedLiteral(ch, false, true);
    else out += linear && ch.length === 2 ? `(?:${ch})` : ch;
    i += ch.length;
  }
  if (inClass) throw new RegexSyntaxError('missing closing ]: `' + pattern + '`');
  if (depth > 0) throw new RegexSyntaxError('missing closing ): `' + pattern + '`');
  if (linear) return { source: out, flags: '' };
  return { source: out, flags: 'u' + (caseInsensitive ? 'i' : '') };
}

const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 500;

// RE2 guarantees linear-time matching; V8's backtracking engine does not. Let V8 switch a regex
// to its linear-time engine when backtracking gets excessive (it does so only for regexes without
// the u/i/m flags and look-arounds, hence the `linear` translation above).
try {
  v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
} catch {
  // Not fatal: matching stays correct, only unbounded in time for pathological patterns.
}

/** Which translation a pattern gets: 'linear' (V8 may fall back to its linear engine) or 'unicode'. */
export function regexMode(pattern: string): 'linear' | 'unicode' {
  try {
    translateRE2(pattern, true);
    return 'linear';
  } catch (e) {
    if (e instanceof NeedsUnicode) return 'unicode';
    throw e;
  }
}

/** Compiles (and caches) an RE2 pattern as a global JavaScript RegExp. */
export function compileRE2(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  let t: Translated;
  try {
    t = translateRE2(pattern, true);
  } catch (e) {
    if (!(e instanceof NeedsUnicode)) throw e;
    t = translateRE2(pattern);
  }
  try {
    re = new RegExp(t.source, t.flags + 'g');
  } catch (e) {
    throw new RegexSyntaxError((e as Error).message.replace(/^Invalid regular expression: /, ''));
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, re);
  return re;
}

/** Go regexp.QuoteMeta. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}
