/** String builtins, with Go's semantics (code-point indexes, strings.Replacer, strings.Trim cutsets). */
import { type Value, RegoSet, isInteger, objectEntries } from '../value.js';
import type { Builtin } from './registry.js';
import { goSprintf, termString, toGoArg } from './goformat.js';
import { renderTemplate } from './gotemplate.js';
import {
  arr,
  codePoints,
  def,
  elementError,
  fail,
  members,
  num,
  obj,
  operandError,
  runeLength,
  smallInt,
  str,
  toBigInt,
  typeError,
} from './util.js';

/** Go strings.Replace(s, old, new, -1): an empty `old` matches before every code point and at the end. */
export function replaceAll(s: string, old: string, replacement: string): string {
  if (old === '') return replacement + codePoints(s).join(replacement) + (s === '' ? '' : replacement);
  return s.split(old).join(replacement);
}

/** Go strings.NewReplacer(pairs...): at each position the first matching pair (in order) wins. */
/**
 * Go strings.NewReplacer (the generic replacer OPA's strings.replace_n uses): left to right, the
 * earliest pair matching at a position wins (pairs come in sorted key order), replaced text is not
 * scanned again, and an empty key matches at every code point boundary once (after an empty match
 * the next pair must consume something).
 */
export function replaceMany(s: string, pairs: Array<[string, string]>): string {
  if (pairs.length === 1 && pairs[0]![0] !== '') return replaceAll(s, pairs[0]![0], pairs[0]![1]);
  let out = '';
  let last = 0;
  let prevMatchEmpty = false;
  for (let i = 0; i <= s.length; ) {
    let match: [string, string] | undefined;
    for (const pair of pairs) {
      if (pair[0] === '' ? !prevMatchEmpty : s.startsWith(pair[0], i)) {
        match = pair;
        break;
      }
    }
    prevMatchEmpty = match !== undefined && match[0] === '';
    if (match) {
      out += s.slice(last, i) + match[1];
      i += match[0].length;
      last = i;
      continue;
    }
    i += i < s.length ? String.fromCodePoint(s.codePointAt(i)!).length : 1;
  }
  return out + s.slice(last);
}

function cutsetTest(cutset: string): (ch: string) => boolean {
  const set = new Set(codePoints(cutset));
  return (ch) => set.has(ch);
}

export function trimLeftBy(s: string, test: (ch: string) => boolean): string {
  const cps = codePoints(s);
  let a = 0;
  while (a < cps.length && test(cps[a]!)) a++;
  return cps.slice(a).join('');
}

export function trimRightBy(s: string, test: (ch: string) => boolean): string {
  const cps = codePoints(s);
  let b = cps.length;
  while (b > 0 && test(cps[b - 1]!)) b--;
  return cps.slice(0, b).join('');
}

/** Go unicode.IsSpace. */
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;
const isGoSpace = (ch: string): boolean => GO_SPACE.test(ch);

/** Simple (one code point to one code point) case mapping, as Go's unicode.ToUpper/ToLower. */
function mapCase(s: string, upper: boolean): string {
  let out = '';
  for (const ch of s) {
    const m = upper ? ch.toUpperCase() : ch.toLowerCase();
    out += Array.from(m).length === 1 ? m : ch;
  }
  return out;
}

function indexOfRunes(base: string[], search: string[], from: number): number {
  outer: for (let i = from; i + search.length <= base.length; i++) {
    for (let j = 0; j < search.length; j++) if (base[i + j] !== search[j]) continue outer;
    return i;
  }
  return -1;
}

/** Go strings.Count: non-overlapping occurrences; an empty needle counts code points + 1. */
function countOccurrences(s: string, sub: string): number {
  if (sub === '') return runeLength(s) + 1;
  let n = 0;
  let i = s.indexOf(sub);
  while (i >= 0) {
    n++;
    i = s.indexOf(sub, i + sub.length);
  }
  return n;
}

function stringOrList(name: string, v: Value, pos: number): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) || v instanceof RegoSet) return listOf(name, v, pos);
  throw typeError(name, pos, v, 'string', 'set', 'array');
}

function listOf(name: string, v: Value, pos: number): string[] {
  const items = members(v)!;
  return items.map((x) => {
    if (typeof x !== 'string') throw elementError(name, pos, v, x, 'string');
    return x;
  });
}

function formatInt(args: Value[]): string {
  const input = num('format_int', args, 0);
  const base = num('format_int', args, 1);
  const radix = base === 2 || base === 8 || base === 10 || base === 16 ? base : undefined;
  if (radix === undefined) throw operandError('format_int', 2, 'must be one of {2, 8, 10, 16}');
  const i = isInteger(input) ? toBigInt(input) : BigInt(Math.trunc(input as number));
  return i.toString(radix);
}

function substring(args: Value[]): string {
  const s = str('substring', args, 0);
  const start = smallInt('substring', args, 1);
  const length = smallInt('substring', args, 2);
  if (start < 0) throw fail('substring', 'negative offset');
  const cps = codePoints(s);
  if (start >= cps.length) return '';
  return (length < 0 ? cps.slice(start) : cps.slice(start, start + length)).join('');
}

export const STRINGS: Builtin[] = [
  def('concat', 2, (args, ctx) => {
    const sep = str('concat', args, 0);
    const c = args[1]!;
    const items = members(c);
    if (!items) throw typeError('concat', 2, c, 'set', 'array');
    let length = sep.length * Math.max(0, items.length - 1);
    for (const x of items) {
      if (typeof x !== 'string') throw elementError('concat', 2, c, x, 'string');
      length += x.length;
    }
    ctx.alloc(16 + 2 * length);
    return (items as string[]).join(sep);
  }),
  def('contains', 2, (args) => str('contains', args, 0).includes(str('contains', args, 1)), {
    fast: (a, b) => (typeof a === 'string' && typeof b === 'string' ? a.includes(b) : undefined),
  }),
  def('startswith', 2, (args) => str('startswith', args, 0).startsWith(str('startswith', args, 1)), {
    fast: (a, b) => (typeof a === 'string' && typeof b === 'string' ? a.startsWith(b) : undefined),
  }),
  def('endswith', 2, (args) => str('endswith', args, 0).endsWith(str('endswith', args, 1)), {
    fast: (a, b) => (typeof a === 'string' && typeof b === 'string' ? a.endsWith(b) : undefined),
  }),
  def('lower', 1, (args) => mapCase(str('lower', args, 0), false)),
  def('upper', 1, (args) => mapCase(str('upper', args, 0), true)),
  def('split', 2, (args) => {
    const s = str('split', args, 0);
    const d = str('split', args, 1);
    if (d === '') return codePoints(s);
    return s.split(d);
  }),
  def('strings.split_n', 3, (args) => {
    const s = str('strings.split_n', args, 0);
    const d = str('strings.split_n', args, 1);
    const n = smallInt('strings.split_n', args, 2);
    // OPA: the first n fields for n > 0, the last -n for n < 0, none for 0 (not Go's SplitN).
    const fields = d === '' ? codePoints(s) : s.split(d);
    if (n === 0) return [];
    return n > 0 ? fields.slice(0, n) : fields.slice(Math.max(0, fields.length + n));
  }),
  def('replace', 3, (args) => replaceAll(str('replace', args, 0), str('replace', args, 1), str('replace', args, 2))),
  def('strings.replace_n', 2, (args) => {
    const patterns = obj('strings.replace_n', args, 0);
    const s = str('strings.replace_n', args, 1);
    const pairs: Array<[string, string]> = [];
    for (const [k, v] of objectEntries(patterns)) {
      if (typeof k !== 'string') throw operandError('strings.replace_n', 1, 'non-string key found in pattern object');
      if (typeof v !== 'string') throw operandError('strings.replace_n', 1, 'non-string value found in pattern object');
      pairs.push([k, v]);
    }
    return pairs.length === 0 ? s : replaceMany(s, pairs);
  }),
  def('trim', 2, (args) => {
    const test = cutsetTest(str('trim', args, 1));
    return trimRightBy(trimLeftBy(str('trim', args, 0), test), test);
  }),
  def('trim_left', 2, (args) => trimLeftBy(str('trim_left', args, 0), cutsetTest(str('trim_left', args, 1)))),
  def('trim_right', 2, (args) => trimRightBy(str('trim_right', args, 0), cutsetTest(str('trim_right', args, 1)))),
  def('trim_prefix', 2, (args) => {
    const s = str('trim_prefix', args, 0);
    const p = str('trim_prefix', args, 1);
    return s.startsWith(p) ? s.slice(p.length) : s;
  }),
  def('trim_suffix', 2, (args) => {
    const s = str('trim_suffix', args, 0);
    const p = str('trim_suffix', args, 1);
    return p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
  }),
  def('trim_space', 1, (args) => trimRightBy(trimLeftBy(str('trim_space', args, 0), isGoSpace), isGoSpace)),
  def('substring', 3, substring),
  def('indexof', 2, (args) => {
    const base = str('indexof', args, 0);
    const search = str('indexof', args, 1);
    if (search === '') throw fail('indexof', 'empty search character');
    return indexOfRunes(codePoints(base), codePoints(search), 0);
  }),
  def('indexof_n', 2, (args) => {
    const base = codePoints(str('indexof_n', args, 0));
    const searchText = str('indexof_n', args, 1);
    if (searchText === '') throw fail('indexof_n', 'empty search character');
    const search = codePoints(searchText);
    const out: Value[] = [];
    for (let i = indexOfRunes(base, search, 0); i >= 0; i = indexOfRunes(base, search, i + 1)) out.push(i);
    return out;
  }),
  def('sprintf', 2, (args, ctx) => {
    const format = str('sprintf', args, 0);
    const values = arr('sprintf', args, 1);
    // Widths and precisions can ask for any size (`%1000000000d`): charge them before padding.
    let padding = 0;
    for (const m of format.matchAll(/%[-+# 0]*(\d*)(?:\.(\d*))?/g)) padding += Number(m[1] || 0) + Number(m[2] || 0);
    if (padding > 0) ctx.alloc(2 * padding);
    return goSprintf(format, values.map(toGoArg));
  }),
  def('format_int', 2, formatInt),
  def('strings.reverse', 1, (args) => codePoints(str('strings.reverse', args, 0)).reverse().join('')),
  def('strings.count', 2, (args) => countOccurrences(str('strings.count', args, 0), str('strings.count', args, 1))),
  def('strings.render_template', 2, (args, ctx) => renderTemplate(str('strings.render_template', args, 0), obj('strings.render_template', args, 1), ctx)),
  def('strings.any_prefix_match', 2, (args) => {
    const strs = stringOrList('strings.any_prefix_match', args[0]!, 1);
    const prefixes = stringOrList('strings.any_prefix_match', args[1]!, 2);
    return strs.some((s) => prefixes.some((p) => s.startsWith(p)));
  }),
  def('strings.any_suffix_match', 2, (args) => {
    const strs = stringOrList('strings.any_suffix_match', args[0]!, 1);
    const suffixes = stringOrList('strings.any_suffix_match', args[1]!, 2);
    return strs.some((s) => suffixes.some((p) => s.endsWith(p)));
  }),
  // String interpolation `$"...{expr}..."`: literal parts are strings; each expression part is a
  // set holding the expression's values (empty when undefined).
  def('internal.template_string', 1, (args) => {
    const parts = arr('internal.template_string', args, 0);
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') out += part;
      else if (part instanceof RegoSet) {
        if (part.size === 0) out += '<undefined>';
        else if (part.size > 1) throw fail('internal.template_string', 'template-strings must not produce multiple outputs');
        else {
          const v = part.values()[0]!;
          out += typeof v === 'string' ? v : termString(v);
        }
      } else out += termString(part);
    }
    return out;
  }),
];
