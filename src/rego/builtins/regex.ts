/** regex.* builtins over Go RE2 syntax (matched in linear time, see re2.ts). */
import type { Value } from '../value.js';
import type { Builtin, BuiltinContext } from './registry.js';
import { RegexSyntaxError, compileRE2, quoteMeta, type CompiledRegex, type RegexMatch } from './re2.js';
import { goQuote } from './goformat.js';
import { GlobsSyntaxError, globsIntersect } from './globs-intersect.js';
import { def, fail, smallInt, str, utf8Length } from './util.js';

function compile(name: string, pattern: string, ctx: BuiltinContext): CompiledRegex {
  try {
    return compileRE2(pattern, ctx);
  } catch (e) {
    if (e instanceof RegexSyntaxError) throw fail(name, `error parsing regexp: ${e.message}`);
    throw e;
  }
}

function width(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
}

/** Go FindAll semantics: at most n matches (n < 0: all); empty matches abutting a previous match are skipped. */
export function findAll(re: CompiledRegex, s: string, n: number, ctx: BuiltinContext): RegexMatch[] {
  ctx.tick(s.length + 1);
  const out: RegexMatch[] = [];
  let pos = 0;
  let prevEnd = -1;
  while (pos <= s.length && (n < 0 || out.length < n)) {
    const m = re.exec(s, pos);
    if (!m) break;
    const start = m.index;
    const end = m.end;
    if (start === end && start === prevEnd) {
      if (start >= s.length) break;
      pos = start + width(s, start);
      continue;
    }
    out.push(m);
    ctx.tick(1);
    prevEnd = end;
    if (start === end) {
      if (start >= s.length) break;
      pos = start + width(s, start);
    } else pos = end;
  }
  return out;
}

/** Go Regexp.Expand template syntax: $1, ${1}, $name, ${name}, $$. */
function expand(template: string, m: RegexMatch): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if (ch !== '$' || i + 1 >= template.length) {
      out += ch;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | undefined;
    let next = i + 1;
    if (template[i + 1] === '{') {
      const close = template.indexOf('}', i + 2);
      const inner = close < 0 ? '' : template.slice(i + 2, close);
      if (/^\w+$/.test(inner)) {
        name = inner;
        next = close + 1;
      }
    } else {
      const w = /^\w+/.exec(template.slice(i + 1));
      if (w) {
        name = w[0];
        next = i + 1 + w[0].length;
      }
    }
    if (name === undefined) {
      out += '$';
      continue;
    }
    if (/^\d+$/.test(name)) out += m.groups[Number(name)] ?? '';
    else out += m.named[name] ?? '';
    i = next - 1;
  }
  return out;
}

/** Go Regexp.Split(s, -1). */
function split(re: CompiledRegex, s: string, ctx: BuiltinContext): string[] {
  if (s === '') return [''];
  const parts: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of findAll(re, s, -1, ctx)) {
    end = m.index;
    const mEnd = m.end;
    if (mEnd !== 0) parts.push(s.slice(beg, end));
    beg = mEnd;
  }
  if (end !== s.length) parts.push(s.slice(beg));
  return parts;
}

/**
 * regex.template_match: the template's text outside the delimiters is literal, the text inside
 * is a pattern; the whole value must match.
 */
function templateMatch(args: Value[], ctx: BuiltinContext): boolean {
  const name = 'regex.template_match';
  const template = str(name, args, 0);
  const value = str(name, args, 1);
  const open = str(name, args, 2);
  const close = str(name, args, 3);
  const openLen = utf8Length(open);
  if (openLen !== 1) throw fail(name, `start delimiter has to be exactly one character long but is ${openLen} long`);
  // OPA reports the start delimiter's length here too.
  if (utf8Length(close) !== 1) throw fail(name, `end delimiter has to be exactly one character long but is ${openLen} long`);
  let source = '^';
  let level = 0;
  let groupStart = 0;
  let end = 0;
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch === open) {
      if (++level === 1) groupStart = i;
    } else if (ch === close) {
      if (--level === 0) {
        source += quoteMeta(template.slice(end, groupStart)) + '(' + template.slice(groupStart + 1, i) + ')';
        end = i + 1;
      } else if (level < 0) throw fail(name, `unbalanced braces in ${goQuote(template)}`);
    }
  }
  if (level !== 0) throw fail(name, `unbalanced braces in ${goQuote(template)}`);
  source += quoteMeta(template.slice(end)) + '$';
  return compile(name, source, ctx).test(value);
}

function regexMatch(name: string, args: Value[], ctx: BuiltinContext): boolean {
  const pattern = str(name, args, 0);
  const s = str(name, args, 1);
  const re = compile(name, pattern, ctx);
  ctx.tick(s.length + 1);
  return re.test(s);
}

export const REGEX: Builtin[] = [
  def('regex.is_valid', 1, ([p], ctx) => {
    if (typeof p !== 'string') return false;
    try {
      compileRE2(p, ctx);
      return true;
    } catch {
      return false;
    }
  }),
  def('regex.match', 2, (args, ctx) => regexMatch('regex.match', args, ctx)),
  def('re_match', 2, (args, ctx) => regexMatch('re_match', args, ctx), { deprecated: true }),
  def('regex.find_n', 3, (args, ctx) => {
    const re = compile('regex.find_n', str('regex.find_n', args, 0), ctx);
    const s = str('regex.find_n', args, 1);
    const n = smallInt('regex.find_n', args, 2);
    return findAll(re, s, n, ctx).map((m) => m.groups[0]!);
  }),
  def('regex.find_all_string_submatch_n', 3, (args, ctx) => {
    const name = 'regex.find_all_string_submatch_n';
    const re = compile(name, str(name, args, 0), ctx);
    const s = str(name, args, 1);
    const n = smallInt(name, args, 2);
    return findAll(re, s, n, ctx).map((m) => m.groups.map((g) => g ?? ''));
  }),
  def('regex.split', 2, (args, ctx) => split(compile('regex.split', str('regex.split', args, 0), ctx), str('regex.split', args, 1), ctx)),
  def('regex.replace', 3, (args, ctx) => {
    const s = str('regex.replace', args, 0);
    const re = compile('regex.replace', str('regex.replace', args, 1), ctx);
    const template = str('regex.replace', args, 2);
    let out = '';
    let last = 0;
    for (const m of findAll(re, s, -1, ctx)) {
      out += s.slice(last, m.index) + expand(template, m);
      last = m.end;
    }
    return out + s.slice(last);
  }),
  def('regex.template_match', 4, templateMatch),
  def('regex.globs_match', 2, (args, ctx) => {
    const a = str('regex.globs_match', args, 0);
    const b = str('regex.globs_match', args, 1);
    try {
      return globsIntersect(a, b, (n) => ctx.tick(n));
    } catch (e) {
      if (e instanceof GlobsSyntaxError) throw fail('regex.globs_match', e.message);
      throw e;
    }
  }),
];
