/**
 * RE2 patterns (Go's regexp syntax, which OPA uses) for the regex and glob builtins, matched in
 * time linear in the input, without changing anything process-wide.
 *
 * Two engines, chosen per pattern (and input length) when the pattern is first compiled:
 * - V8's RegExp, on a translation of the pattern (below), when backtracking cannot blow up: the
 *   pattern is one-pass (RE2's analysis: at every step the next character decides which branch to
 *   take, so a backtracker never revisits input) and anchored at the start, or a plain literal, or
 *   one-pass once anchored and the input is short (an unanchored search restarts at each offset,
 *   so its cost is bounded by the square of the input length);
 * - re2js (RE2 ported to JavaScript: exact RE2 syntax, guaranteed linear time) for everything
 *   else, and for patterns the translation cannot express (mid-pattern flag changes).
 * re2js also validates every pattern, so syntax errors carry Go's wording. It is loaded on first
 * use, so importing the engine does not pay for it.
 *
 * The translation: RE2 is (almost) a subset of what JavaScript's `u` mode can express once the
 * spellings differ: leading flag groups, `\z`, `\A`, `(?P<name>`, `\pL`, POSIX classes,
 * `\Q...\E`, octal escapes, and Go's narrower `\s` and `.`.
 */
import { createRequire } from 'node:module';
import type { RE2JS as RE2JSClass } from 're2js';

export class RegexSyntaxError extends Error {}

/** The pattern cannot be expressed as a JavaScript RegExp (it is still valid RE2). */
class Untranslatable extends Error {}

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
 * Translates a valid RE2 pattern to an equivalent JavaScript RegExp source and flags; throws
 * Untranslatable for what JavaScript cannot express, RegexSyntaxError for what RE2 rejects.
 */
export function translateRE2(pattern: string): Translated {
  let i = 0;
  let caseInsensitive = false;
  let dotAll = false;
  let multiLine = false;
  // Leading flag groups such as (?i) or (?is) apply to the whole pattern.
  for (;;) {
    const m = /^\(\?([imsU]+)\)/.exec(pattern.slice(i));
    if (!m) break;
    if (m[1]!.includes('U')) throw new Untranslatable('ungreedy mode');
    if (m[1]!.includes('i')) caseInsensitive = true;
    if (m[1]!.includes('s')) dotAll = true;
    if (m[1]!.includes('m')) multiLine = true;
    i += m[0].length;
  }
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
      classStart = false;
      const e = pattern[i + 1]!;
      i += 2;
      switch (e) {
        case 'z':
          if (inClass) throw new RegexSyntaxError('invalid escape sequence: `\\z`');
          out += '(?![\\s\\S])';
          continue;
        case 'A':
          if (inClass) throw new RegexSyntaxError('invalid escape sequence: `\\A`');
          out += '(?<![\\s\\S])';
          continue;
        case 's':
          out += inClass ? '\\t\\n\\f\\r ' : '[\\t\\n\\f\\r ]';
          continue;
        case 'S':
          out += inClass ? '\\S' : '[^\\t\\n\\f\\r ]';
          continue;
        case 'D':
        case 'W':
          out += '\\' + e;
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
          for (const c of lit) out += escapeLiteral(c, inClass);
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
            out += `\\u{${hex}}`;
            i = close + 1;
          } else {
            const hex = pattern.slice(i, i + 2);
            if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new RegexSyntaxError('invalid escape sequence: `\\x`');
            out += '\\x' + hex;
            i += 2;
          }
          continue;
        }
        case 'p':
        case 'P': {
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
        out += `\\u{${parseInt(digits, 8).toString(16)}}`;
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
          out += cls;
          i = close + 2;
          classStart = false;
          continue;
        }
        if (close >= 0) throw new RegexSyntaxError(`invalid character class range: \`[:${name}:]\``);
      }
      if (ch === ']' && !classStart) {
        inClass = false;
        out += ']';
        i++;
        continue;
      }
      classStart = false;
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
          out += '[^';
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
            throw new Untranslatable(`flag groups after the start of the pattern: \`(?${flags[0]}\``);
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
        out += dotAll ? '[\\s\\S]' : '[^\\n]';
        i++;
        continue;
      case '$':
        out += multiLine ? '(?=\\n|(?![\\s\\S]))' : '(?![\\s\\S])';
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
    out += ch;
    i += ch.length;
  }
  if (inClass) throw new RegexSyntaxError('missing closing ]: `' + pattern + '`');
  if (depth > 0) throw new RegexSyntaxError('missing closing ): `' + pattern + '`');
  return { source: out, flags: 'u' + (caseInsensitive ? 'i' : '') };
}

// ---------------------------------------------------------------------------------------------
// Engines

/** One match: its span (UTF-16 offsets), its groups (0 = the whole match), and named groups. */
export interface RegexMatch {
  index: number;
  end: number;
  groups: Array<string | undefined>;
  named: Record<string, string | undefined>;
}

/** Inputs up to this length may use V8 for a pattern that is one-pass only once anchored. */
export const SHORT_INPUT = 2048;

type RE2JSModule = typeof import('re2js');
let re2jsModule: RE2JSModule | undefined;
function re2js(): RE2JSModule {
  return (re2jsModule ??= createRequire(import.meta.url)('re2js') as RE2JSModule);
}

/** RE2's analysis of a compiled program (internal to re2js: absent means "not known to be safe"). */
interface ProgramFacts {
  /** Go's one-pass: anchored at both ends, and the next character always decides the branch. */
  onepass: boolean;
  /** The whole pattern is a literal string. */
  literal: boolean;
  /** Matches can only start at the beginning of the text. */
  startAnchored: boolean;
}
const EMPTY_BEGIN_TEXT = 4;
function programFacts(re: RE2JSClass): ProgramFacts {
  const internal = (re as unknown as { re2Input?: { onepass?: { inst?: unknown[] } | null; prefixComplete?: boolean; cond?: number } }).re2Input;
  return {
    onepass: Array.isArray(internal?.onepass?.inst) && internal.onepass.inst.length > 0,
    literal: internal?.prefixComplete === true,
    startAnchored: typeof internal?.cond === 'number' && (internal.cond & EMPTY_BEGIN_TEXT) !== 0,
  };
}

export class CompiledRegex {
  private input: string | undefined;
  private matcher: ReturnType<RE2JSClass['matcher']> | undefined;

  constructor(
    private readonly re2: RE2JSClass,
    /** The V8 translation, when it is safe for some inputs (global flag: exec from an offset). */
    private readonly js: RegExp | undefined,
    /** Whether the V8 translation is safe at any input length (else up to SHORT_INPUT). */
    private readonly jsAnyLength: boolean,
  ) {}

  /** Which engine matches `s`. */
  engine(s: string): 'v8' | 're2js' {
    return this.js !== undefined && (this.jsAnyLength || s.length <= SHORT_INPUT) ? 'v8' : 're2js';
  }

  /** Whether `s` contains a match (Go's MatchString). */
  test(s: string): boolean {
    if (this.engine(s) === 'v8') {
      const js = this.js!;
      js.lastIndex = 0;
      return js.test(s);
    }
    return this.re2.test(s);
  }

  /** The leftmost match starting at or after `from`. */
  exec(s: string, from: number): RegexMatch | null {
    if (this.engine(s) === 'v8') {
      const js = this.js!;
      js.lastIndex = from;
      const m = js.exec(s);
      if (!m) return null;
      return { index: m.index, end: m.index + m[0].length, groups: Array.from(m), named: { ...(m.groups ?? {}) } };
    }
    if (this.input !== s || !this.matcher) {
      this.matcher = this.re2.matcher(s);
      this.input = s;
    }
    const m = this.matcher;
    if (!m.find(from)) return null;
    const groups: Array<string | undefined> = [];
    for (let g = 0; g <= m.groupCount(); g++) groups.push(m.group(g) ?? undefined);
    const named: Record<string, string | undefined> = {};
    for (const [name, index] of Object.entries(this.re2.namedGroups())) named[name] = groups[index];
    return { index: m.start(), end: m.end(), groups, named };
  }
}

/**
 * Builds a regex from an RE2 pattern and, optionally, its JavaScript translation. Throws
 * RegexSyntaxError (Go's message, without the "error parsing regexp: " prefix) for invalid RE2.
 * `force` pins one engine whatever the pattern (tests compare the two).
 */
export function buildRegex(pattern: string, translation: Translated | undefined, force?: 'v8' | 're2js'): CompiledRegex {
  const { RE2JS, RE2JSException } = re2js();
  let re: RE2JSClass;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    if (e instanceof RE2JSException) throw new RegexSyntaxError(e.message.replace(/^error parsing regexp: /, ''));
    throw e;
  }
  if (force === 're2js' || !translation) return new CompiledRegex(re, undefined, false);
  if (force === 'v8') return new CompiledRegex(re, new RegExp(translation.source, translation.flags + 'g'), true);
  const facts = programFacts(re);
  // A backtracker cannot blow up on a deterministic pattern: each wrong branch fails on its first
  // character. Anchoring both ends lets RE2's one-pass analysis decide determinism for any pattern.
  let deterministic = facts.literal || facts.onepass;
  if (!deterministic) {
    try {
      deterministic = programFacts(RE2JS.compile(`^(?:${pattern})$`)).onepass;
    } catch {
      deterministic = false;
    }
  }
  if (!deterministic) return new CompiledRegex(re, undefined, false);
  const anyLength = facts.literal || facts.startAnchored;
  let js: RegExp;
  try {
    js = new RegExp(translation.source, translation.flags + 'g');
  } catch {
    return new CompiledRegex(re, undefined, false);
  }
  return new CompiledRegex(re, js, anyLength);
}

const cache = new Map<string, CompiledRegex>();
const CACHE_LIMIT = 500;

/** Evaluation steps a regex compilation costs (when not cached): compiling is far dearer than a step. */
export function compileSteps(pattern: string): number {
  return 64 + 4 * pattern.length;
}

/**
 * Compiles (and caches) an RE2 pattern; throws RegexSyntaxError when RE2 rejects it. `budget`
 * is charged `compileSteps` when the pattern is not cached.
 */
export function compileRE2(pattern: string, budget?: { tick(units: number): void }): CompiledRegex {
  let re = cache.get(pattern);
  if (re) return re;
  budget?.tick(compileSteps(pattern));
  let translation: Translated | undefined;
  try {
    translation = translateRE2(pattern);
  } catch (e) {
    // RE2 may accept what the translation cannot express; re2js decides.
    if (!(e instanceof Untranslatable) && !(e instanceof RegexSyntaxError)) throw e;
  }
  re = buildRegex(pattern, translation);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, re);
  return re;
}

/** Go regexp.QuoteMeta. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}
