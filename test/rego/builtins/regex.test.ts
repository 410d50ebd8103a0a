import { describe, expect, it } from 'vitest';
import { BuiltinError } from '../../../src/rego/builtins/registry.js';
import { call, testCtx } from './helpers.js';

describe('regex.match and regex.is_valid', () => {
  it('matches unanchored, like Go MatchString', () => {
    expect(call('regex.match', '^[a-z]+$', 'abc')).toBe(true);
    expect(call('regex.match', 'b', 'abc')).toBe(true);
    expect(call('regex.match', '^[0-9]+$', 'abc')).toBe(false);
  });

  it('understands RE2 spellings', () => {
    expect(call('regex.match', '(?i)^ABC$', 'abc')).toBe(true);
    expect(call('regex.match', '^abc\\z', 'abc')).toBe(true);
    expect(call('regex.match', '^abc\\z', 'abc\n')).toBe(false);
    expect(call('regex.match', '\\Aab', 'ab')).toBe(true);
    expect(call('regex.match', '(?P<word>\\w+)', 'hi')).toBe(true);
    expect(call('regex.match', '^\\pL+$', 'héllo')).toBe(true);
    expect(call('regex.match', '^\\p{Greek}+$', 'αβγ')).toBe(true);
    expect(call('regex.match', '^[[:alpha:]]+$', 'abc')).toBe(true);
    expect(call('regex.match', '^[[:digit:]]+$', 'abc')).toBe(false);
    expect(call('regex.match', '^\\Qa.b\\E$', 'a.b')).toBe(true);
    expect(call('regex.match', '^\\Qa.b\\E$', 'axb')).toBe(false);
    expect(call('regex.match', '^a.c$', 'a\nc')).toBe(false);
    expect(call('regex.match', '(?s)^a.c$', 'a\nc')).toBe(true);
    expect(call('regex.match', '(?m)^b$', 'a\nb\nc')).toBe(true);
    expect(call('regex.match', '^a\\-b$', 'a-b')).toBe(true);
    expect(call('regex.match', '^\\x{41}$', 'A')).toBe(true);
  });

  it('reports invalid patterns', () => {
    expect(call('regex.is_valid', '.*')).toBe(true);
    expect(call('regex.is_valid', '[a-z')).toBe(false);
    expect(call('regex.is_valid', '(?=x)')).toBe(false);
    expect(call('regex.is_valid', 1)).toBe(false);
    expect(() => call('regex.match', '(abc', 'abc')).toThrow(BuiltinError);
    expect(() => call('regex.match', '(abc', 'abc')).toThrow('regex.match: error parsing regexp: missing closing ): `(abc`');
    expect(() => call('regex.match', 1, 'a')).toThrow('regex.match: operand 1 must be string but got number');
  });
});

describe('regex.find_n and regex.find_all_string_submatch_n', () => {
  it('finds matches, limited by n', () => {
    expect(call('regex.find_n', '[oe]', 'foo bar baz boe', -1)).toEqual(['o', 'o', 'o', 'e']);
    expect(call('regex.find_n', '[oe]', 'foo bar baz boe', 2)).toEqual(['o', 'o']);
    expect(call('regex.find_n', 'x', 'abc', -1)).toEqual([]);
  });

  it('skips empty matches abutting a previous match (Go semantics)', () => {
    expect(call('regex.find_n', 'a*', 'baaac', -1)).toEqual(['', 'aaa', '']);
    expect(call('regex.find_all_string_submatch_n', '(?:)', 'café', -1)).toEqual([[''], [''], [''], [''], ['']]);
  });

  it('returns groups, with "" for groups that did not take part', () => {
    expect(call('regex.find_all_string_submatch_n', 'a(x*)b(c)?', '-ab-axxb-', -1)).toEqual([
      ['ab', '', ''],
      ['axxb', 'xx', ''],
    ]);
    expect(call('regex.find_all_string_submatch_n', '([a-z]+)=(\\d+)', 'a=1, b=2', 1)).toEqual([['a=1', 'a', '1']]);
  });
});

describe('regex.split and regex.replace', () => {
  it('splits like Go Regexp.Split', () => {
    expect(call('regex.split', ',\\s*', 'a, b,c')).toEqual(['a', 'b', 'c']);
    expect(call('regex.split', 'x', '')).toEqual(['']);
    expect(call('regex.split', 'a', 'banana')).toEqual(['b', 'n', 'n', '']);
  });

  it('replaces with Go template expansion', () => {
    expect(call('regex.replace', 'foo bar', 'o+', '0')).toBe('f0 bar');
    expect(call('regex.replace', 'a=1 b=2', '(\\w)=(\\d)', '$2=$1')).toBe('1=a 2=b');
    expect(call('regex.replace', 'a=1', '(?P<k>\\w)=(?P<v>\\d)', '${v}${k}')).toBe('1a');
    expect(call('regex.replace', 'ab', 'a', '$$')).toBe('$b');
    // $1x names the group "1x", which does not exist
    expect(call('regex.replace', 'ab', '(a)', '$1x')).toBe('b');
  });
});

describe('regex.template_match', () => {
  it('treats text outside delimiters literally', () => {
    expect(call('regex.template_match', 'urn:foo:{.*}', 'urn:foo:bar:baz', '{', '}')).toBe(true);
    expect(call('regex.template_match', 'urn:foo.bar:{[0-9]{2}}', 'urn:foo.bar:42', '{', '}')).toBe(true);
    expect(call('regex.template_match', 'urn:foo.bar:{[0-9]{2}}', 'urn:fooxbar:42', '{', '}')).toBe(false);
    expect(call('regex.template_match', 'urn:foo:<[a-z]+>', 'urn:foo:1', '<', '>')).toBe(false);
    expect(() => call('regex.template_match', 'urn:{.*', 'urn:x', '{', '}')).toThrow('unbalanced braces in "urn:{.*"');
  });
});

describe('regex.globs_match', () => {
  it('decides whether two globs share a match', () => {
    expect(call('regex.globs_match', 'a', 'a')).toBe(true);
    expect(call('regex.globs_match', 'a*b', 'a*b')).toBe(true);
    expect(call('regex.globs_match', 'a', 'b')).toBe(false);
    expect(call('regex.globs_match', '.*', 'a.b')).toBe(true);
    expect(call('regex.globs_match', '[a-c]+', '[b-d]+')).toBe(true);
    expect(call('regex.globs_match', '[a-c]', '[d-f]')).toBe(false);
    expect(call('regex.globs_match', 'a+', 'a*')).toBe(true);
    expect(call('regex.globs_match', '[a-z]+', '[0-9]*')).toBe(false);
    expect(call('regex.globs_match', '[^a]', 'a')).toBe(false);
    expect(call('regex.globs_match', '[^a]', '.')).toBe(true);
    // the left glob ends in "z", the right one in a digit
    expect(call('regex.globs_match', 'a.a.[0-9]+z', '.b.b2359825792*')).toBe(false);
    // "abab2359825792z" matches both
    expect(call('regex.globs_match', 'a.a.[0-9]+z', '.b.b2359825792*z')).toBe(true);
    expect(call('regex.globs_match', 'a.a.[0-9]+z', 'a.a.2359825792*z')).toBe(true);
  });

  it('reports malformed globs as the Go library does', () => {
    expect(() => call('regex.globs_match', '[abc', 'a')).toThrow('input:[abc, pos:4, found [ without matching ]: the input provided is invalid');
    expect(() => call('regex.globs_match', 'a\\', 'a')).toThrow('input:a\\, pos:1, input ends with a \\\\ (escape) character');
    expect(() => call('regex.globs_match', '[z-a]', 'a')).toThrow("input:[z-a], pos:4, range is out of order: 'a' comes before 'z' in Unicode");
    expect(() => call('regex.globs_match', ']', 'a')).toThrow("input:], pos:1, set-close ']' with no preceding '['");
  });
});

describe('engine selection: linear time without process-wide V8 flags', () => {
  it('lets V8 match only what cannot backtrack: one-pass anchored patterns and literals', async () => {
    const { compileRE2, SHORT_INPUT } = await import('../../../src/rego/builtins/re2.js');
    const long = 'x'.repeat(SHORT_INPUT + 1);
    expect(compileRE2('^[a-z0-9-]+\\.example\\.com\\z').engine(long)).toBe('v8');
    expect(compileRE2('^[0-9]+\\.[0-9]+\\.[0-9]+$').engine(long)).toBe('v8');
    expect(compileRE2('production').engine(long)).toBe('v8');
    // One-pass once anchored, but an unanchored search restarts at every offset: short inputs only.
    expect(compileRE2('[0-9]+\\.[0-9]+').engine('1.2')).toBe('v8');
    expect(compileRE2('[0-9]+\\.[0-9]+').engine(long)).toBe('re2js');
    // Ambiguous patterns and what the translation cannot express go to re2js.
    expect(compileRE2('^(a+)+$').engine('aaa')).toBe('re2js');
    expect(compileRE2('^.*.*.*x$').engine('aaa')).toBe('re2js');
    expect(compileRE2('(?i)abc(?-i)D').engine('abcD')).toBe('re2js');
  });

  it('matches patterns that make a backtracker explode, in linear time', () => {
    expect(call('regex.match', '^(a+)+$', 'a'.repeat(40) + 'b')).toBe(false);
    expect(call('regex.match', '^(a|aa)*c', 'a'.repeat(400_000))).toBe(false);
    expect(call('glob.match', '*a*a*a*a*a*a*b', [], 'a'.repeat(400_000))).toBe(false);
    expect(call('glob.match', '**.**.**.**.x', [], 'a.'.repeat(200_000))).toBe(false);
  });

  it('gives RE2 semantics to what the translation cannot express', () => {
    expect(call('regex.match', '(?i)abc(?-i)D', 'ABCD')).toBe(true);
    expect(call('regex.match', '(?i)abc(?-i)D', 'ABCd')).toBe(false);
    expect(call('regex.find_n', '(?U)a+', 'aaa', -1)).toEqual(['a', 'a', 'a']);
  });
});

describe('regex engines', () => {
  it('folds case for (?i) without the i flag', () => {
    expect(call('regex.match', '(?i)^PROD-[a-c]+$', 'prod-ABCabc')).toBe(true);
    expect(call('regex.match', '(?i)^[^a]$', 'A')).toBe(false);
    expect(call('regex.match', '(?i)^k$', '\u212a')).toBe(true);
    expect(call('regex.match', '(?i)^[r-t]$', '\u017f')).toBe(true);
    expect(call('regex.match', '(?i)^[[:upper:]]+$', 'abc')).toBe(true);
    expect(call('regex.match', '(?i)^\\x41$', 'a')).toBe(true);
    expect(call('regex.match', '(?i)^\\QA.B\\E$', 'a.b')).toBe(true);
    expect(call('regex.match', '(?i)^[0-9_-]+$', '1-_')).toBe(true);
    expect(call('regex.match', '(?i)^é$', 'É')).toBe(true);
  });

  it('keeps code-point semantics without the u flag', () => {
    expect(call('regex.find_n', '.', '😀a', -1)).toEqual(['😀', 'a']);
    expect(call('regex.find_n', '[^a]', '😀a', -1)).toEqual(['😀']);
    expect(call('regex.match', '^.$', '😀')).toBe(true);
    expect(call('regex.match', '^\\x{1F600}+$', '😀😀')).toBe(true);
    expect(call('regex.match', '^😀+$', '😀😀')).toBe(true);
    expect(call('regex.match', '^\\S\\D\\W$', '😀😀😀')).toBe(true);
    expect(call('regex.split', '', 'a😀')).toEqual(['a', '😀']);
  });
});

describe('the V8 translation and re2js agree', () => {
  const patterns = [
    '^[a-z]+$', 'a.c', '(?s)a.c', '[^a-c]+', '\\S+', '\\D\\W', '^\\x{e9}', '(?i)^[a-f0-9]+$', '(?i)k', '(?i)[^k]',
    '(?i)^\\Qa.b\\E', '(?P<n>x+)y?', 'a{2,3}', '^$', '\\bword\\b', '[[:alpha:]]+', '(?i)[[:lower:]]+', 'é|😀+', '[-a]',
    '(a|ab)(c|bcd)(d*)', '^\\z', '\\A.', '[\\]a]', '(?i)straße', '[.]', 'x*', '(?m)^a$', '\\pL+', '[^\\n]+$',
  ];
  const inputs = ['', 'abc', 'ABC', 'a\nc', 'word up', 'café', 'K', '\u212a', '😀😀x', 'abcd', '12-ff', 'ſ', ']a', 'b\na\n'];

  it('gives the same matches for every pattern and input', async () => {
    const { buildRegex, translateRE2 } = await import('../../../src/rego/builtins/re2.js');
    const { findAll } = await import('../../../src/rego/builtins/regex.js');
    const ctx = testCtx();
    for (const p of patterns) {
      const t = translateRE2(p);
      const v8 = buildRegex(p, t, 'v8');
      const re2 = buildRegex(p, t, 're2js');
      for (const s of inputs) {
        // findAll advances past empty matches by code point, as the builtins do.
        const a = findAll(v8, s, -1, ctx).map((m) => [m.index, ...m.groups]);
        const b = findAll(re2, s, -1, ctx).map((m) => [m.index, ...m.groups]);
        expect({ p, s, m: a }).toEqual({ p, s, m: b });
      }
    }
  });
});
