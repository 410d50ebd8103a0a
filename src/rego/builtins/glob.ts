/**
 * glob.match and glob.quote_meta with gobwas/glob semantics (as OPA uses it): `*` matches any
 * run of non-delimiter characters, `**` any run at all, `?` one non-delimiter character,
 * `[abc]`, `[a-z]`, `[!...]` one character, `{a,b}` alternatives, `\` escapes.
 */
import type { Value } from '../value.js';
import type { Builtin } from './registry.js';
import { def, elementError, fail, str, typeError } from './util.js';
// re2.ts turns on V8's linear-time fallback engine, which the `linear` glob translation relies on.
import './re2.js';

class GlobSyntaxError extends Error {}

/** An astral character sits in a class: only JavaScript's `u` mode can express that. */
class NeedsUnicode extends Error {}

const SURROGATE_PAIR = '[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]';

const escapeChar = (ch: string): string => ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
const escapeClassChar = (ch: string): string => ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/**
 * Translates a glob to a regular-expression source (unanchored). The `linear` form avoids the
 * `u` flag so that V8 can fall back to its linear-time engine (globs with many `*` backtrack
 * polynomially); one code point may then be two code units, so single-character matches try a
 * surrogate pair first.
 */
export function globToRegex(pattern: string, delimiters: string[], linear = false): string {
  const chars = Array.from(pattern);
  const classChar = (ch: string): string => {
    if (linear && ch.length === 2) throw new NeedsUnicode();
    return escapeClassChar(ch);
  };
  const literal = (ch: string): string => (linear && ch.length === 2 ? `(?:${ch})` : escapeChar(ch));
  const oneChar = (cls: string): string => (linear ? `(?:${SURROGATE_PAIR}|${cls})` : cls);
  const notDelim = oneChar(delimiters.length === 0 ? '[\\s\\S]' : '[^' + delimiters.map(classChar).join('') + ']');
  let i = 0;

  const parseSequence = (inTerms: boolean): string => {
    let out = '';
    while (i < chars.length) {
      const ch = chars[i]!;
      if (inTerms && (ch === ',' || ch === '}')) return out;
      i++;
      switch (ch) {
        case '\\': {
          if (i >= chars.length) throw new GlobSyntaxError('unexpected end of input');
          out += literal(chars[i++]!);
          break;
        }
        case '*':
          if (chars[i] === '*') {
            i++;
            out += '[\\s\\S]*';
          } else out += notDelim + '*';
          break;
        case '?':
          out += notDelim;
          break;
        case '[':
          out += parseRange();
          break;
        case '{': {
          const alternatives: string[] = [];
          for (;;) {
            alternatives.push(parseSequence(true));
            if (i >= chars.length) throw new GlobSyntaxError('unexpected end of input');
            const sep = chars[i++];
            if (sep === '}') break;
          }
          out += '(?:' + alternatives.join('|') + ')';
          break;
        }
        default:
          out += literal(ch);
      }
    }
    if (inTerms) throw new GlobSyntaxError('unexpected end of input');
    return out;
  };

  const parseRange = (): string => {
    let negated = false;
    if (chars[i] === '!') {
      negated = true;
      i++;
    }
    const start = i;
    if (chars[i + 1] === '-' && i + 2 < chars.length) {
      const lo = chars[i]!;
      const hi = chars[i + 2]!;
      if (chars[i + 3] !== ']') throw new GlobSyntaxError(i + 3 >= chars.length ? 'unexpected end of input' : 'expected close range character');
      i += 4;
      if (lo.codePointAt(0)! > hi.codePointAt(0)!) throw new GlobSyntaxError('syntax error in pattern: invalid range');
      const range = `${classChar(lo)}-${classChar(hi)}`;
      return negated ? oneChar(`[^${range}]`) : `[${range}]`;
    }
    let text = '';
    for (;;) {
      if (i >= chars.length) throw new GlobSyntaxError('unexpected end of input');
      const ch = chars[i++]!;
      if (ch === ']') break;
      if (ch === '\\') {
        if (i >= chars.length) throw new GlobSyntaxError('unexpected end of input');
        text += classChar(chars[i++]!);
      } else text += classChar(ch);
    }
    if (i - 1 === start) throw new GlobSyntaxError('syntax error in pattern: empty range');
    return negated ? oneChar(`[^${text}]`) : `[${text}]`;
  };

  return parseSequence(false);
}

const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 500;

function compileGlob(pattern: string, delimiters: string[]): RegExp {
  const key = pattern + '\u0000' + delimiters.join('');
  let re = cache.get(key);
  if (!re) {
    try {
      re = new RegExp('^(?:' + globToRegex(pattern, delimiters, true) + ')$');
    } catch (e) {
      if (!(e instanceof NeedsUnicode)) throw e;
      re = new RegExp('^(?:' + globToRegex(pattern, delimiters) + ')$', 'u');
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, re);
  }
  return re;
}

function delimitersOperand(v: Value): string[] {
  if (v === null) return [];
  if (!Array.isArray(v)) throw typeError('glob.match', 2, v, 'array', 'null');
  const out: string[] = [];
  for (const d of v) {
    if (typeof d !== 'string') throw elementError('glob.match', 2, v, d, 'string');
    if (Array.from(d).length !== 1) throw elementError('glob.match', 2, v, d, 'rune');
    out.push(d);
  }
  // OPA: an empty array means the default delimiter ".".
  return out.length === 0 ? ['.'] : out;
}

/** gobwas glob.QuoteMeta. */
export function globQuoteMeta(s: string): string {
  return s.replace(/[*?\\[\]{}]/g, '\\$&');
}

export const GLOB: Builtin[] = [
  def('glob.match', 3, (args, ctx) => {
    const pattern = str('glob.match', args, 0);
    const delimiters = delimitersOperand(args[1]!);
    const value = str('glob.match', args, 2);
    let re: RegExp;
    try {
      re = compileGlob(pattern, delimiters);
    } catch (e) {
      if (e instanceof GlobSyntaxError) throw fail('glob.match', e.message);
      if (e instanceof SyntaxError) throw fail('glob.match', `syntax error in pattern: ${e.message}`);
      throw e;
    }
    ctx.tick(value.length + 1);
    return re.test(value);
  }),
  def('glob.quote_meta', 1, (args) => globQuoteMeta(str('glob.quote_meta', args, 0))),
];
