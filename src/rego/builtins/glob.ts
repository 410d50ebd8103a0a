/**
 * glob.match and glob.quote_meta with gobwas/glob semantics (as OPA uses it): `*` matches any
 * run of non-delimiter characters, `**` any run at all, `?` one non-delimiter character,
 * `[abc]`, `[a-z]`, `[!...]` one character, `{a,b}` alternatives, `\` escapes.
 */
import type { Value } from '../value.js';
import type { Builtin, BuiltinContext } from './registry.js';
import { buildRegex, compileSteps, RegexSyntaxError, type CompiledRegex } from './re2.js';
import { def, elementError, fail, str, typeError } from './util.js';

class GlobSyntaxError extends Error {}

const escapeChar = (ch: string): string => ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
const escapeClassChar = (ch: string): string => ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/**
 * Translates a glob to a regular-expression source (unanchored) that reads the same in RE2 and in
 * JavaScript's `u` mode. Globs with several `*` backtrack polynomially in V8, so matching goes
 * through re2.ts, which only lets V8 match what cannot backtrack.
 */
export function globToRegex(pattern: string, delimiters: string[]): string {
  const chars = Array.from(pattern);
  const classChar = escapeClassChar;
  const literal = escapeChar;
  const oneChar = (cls: string): string => cls;
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

const cache = new Map<string, CompiledRegex>();
const CACHE_LIMIT = 500;

function compileGlob(pattern: string, delimiters: string[], ctx: BuiltinContext): CompiledRegex {
  const key = pattern + '\u0000' + delimiters.join('');
  let re = cache.get(key);
  if (!re) {
    const source = '^(?:' + globToRegex(pattern, delimiters) + ')$';
    ctx.tick(compileSteps(source));
    re = buildRegex(source, { source, flags: 'u' });
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
    let re: CompiledRegex;
    try {
      re = compileGlob(pattern, delimiters, ctx);
    } catch (e) {
      if (e instanceof GlobSyntaxError) throw fail('glob.match', e.message);
      if (e instanceof RegexSyntaxError) throw fail('glob.match', `syntax error in pattern: ${e.message}`);
      throw e;
    }
    ctx.tick(value.length + 1);
    return re.test(value);
  }),
  def('glob.quote_meta', 1, (args) => globQuoteMeta(str('glob.quote_meta', args, 0))),
];
