import { describe, expect, it } from 'vitest';
import { tokenize, type Token } from '../../src/rego/lexer.js';

const kinds = (src: string): string[] => tokenize(src).map((t) => t.kind);
const texts = (src: string): string[] => tokenize(src).map((t) => t.text);
const only = (src: string): Token => {
  const toks = tokenize(src);
  expect(toks).toHaveLength(2);
  expect(toks[1]!.kind).toBe('eof');
  return toks[0]!;
};

describe('lexer: identifiers and keywords', () => {
  it('reads the root documents\' names and names that merely start like them', () => {
    // `input` and `data` are returned without a copy of the source; their neighbours are sliced.
    expect(texts('input data inputs datum inp dat data1 xinput input.a data.b')).toEqual(
      ['input', 'data', 'inputs', 'datum', 'inp', 'dat', 'data1', 'xinput', 'input', '.', 'a', 'data', '.', 'b', ''],
    );
    expect(kinds('input data')).toEqual(['ident', 'ident', 'eof']);
  });

  it('separates keywords from identifiers', () => {
    expect(kinds('package import as default else not with some every in if contains true false null')).toEqual([
      'package',
      'import',
      'as',
      'default',
      'else',
      'not',
      'with',
      'some',
      'every',
      'in',
      'if',
      'contains',
      'true',
      'false',
      'null',
      'eof',
    ]);
    expect(kinds('input _ x1 _y Foo_Bar iff ins')).toEqual(['ident', 'ident', 'ident', 'ident', 'ident', 'ident', 'ident', 'eof']);
  });

  it('keeps digits inside identifiers and stops at other characters', () => {
    expect(texts('a1b2.c3')).toEqual(['a1b2', '.', 'c3', '']);
  });
});

describe('lexer: numbers', () => {
  it('keeps the raw text of integers, decimals and exponents', () => {
    expect(texts('0 42 3.14 1e3 1E+3 2.5e-10 18446744073709551616')).toEqual([
      '0',
      '42',
      '3.14',
      '1e3',
      '1E+3',
      '2.5e-10',
      '18446744073709551616',
      '',
    ]);
    expect(kinds('1 2.5e-10')).toEqual(['number', 'number', 'eof']);
  });

  it('leaves the sign and a leading dot to the parser', () => {
    expect(kinds('-1 .5')).toEqual(['-', 'number', '.', 'number', 'eof']);
  });

  it('rejects malformed numbers with a message', () => {
    expect(only('1.').value).toBe('expected fraction');
    expect(only('1e').value).toBe('expected exponent');
    expect(only('12abc')).toMatchObject({ kind: 'illegal', value: 'illegal number format', text: '12abc' });
  });
});

describe('lexer: strings', () => {
  it('decodes JSON escapes', () => {
    expect(only(String.raw`"a\"b\\c\/d\be\ff\ng\rh\ti"`)).toMatchObject({
      kind: 'string',
      value: 'a"b\\c/d\be\ff\ng\rh\ti',
      raw: false,
    });
  });

  it('decodes \\u escapes, combining surrogate pairs and replacing lone surrogates', () => {
    expect(only(String.raw`"\u00e9\u4e2d"`).value).toBe('é中');
    expect(only(String.raw`"\ud83d\ude00"`).value).toBe('😀');
    expect(only(String.raw`"x\ud83dy"`).value).toBe('x\ufffdy');
    expect(only(String.raw`"\ude00"`).value).toBe('\ufffd');
  });

  it('keeps non-ASCII text as is', () => {
    expect(only('"héllo 😀"').value).toBe('héllo 😀');
  });

  it('reads raw strings verbatim, across lines', () => {
    const t = only('`a\\n\n"b"`');
    expect(t).toMatchObject({ kind: 'string', value: 'a\\n\n"b"', raw: true });
    expect(tokenize('`a\nb` x')[1]).toMatchObject({ kind: 'ident', line: 2, column: 4 });
  });

  it('rejects bad escapes and unterminated strings', () => {
    expect(only(String.raw`"\q"`)).toMatchObject({ kind: 'illegal', value: 'illegal escape sequence' });
    expect(only(String.raw`"\u12G4"`)).toMatchObject({ kind: 'illegal' });
    expect(tokenize('"abc\nx')[0]).toMatchObject({ kind: 'illegal', value: 'non-terminated string', text: '"abc' });
    expect(only('`abc')).toMatchObject({ kind: 'illegal', value: 'non-terminated string' });
    // A backslash as the very last character must not push the token past the end of the input.
    expect(only('"a\\')).toMatchObject({ kind: 'illegal', value: 'non-terminated string', endOffset: 3 });
    expect(only('$"a\\')).toMatchObject({ kind: 'illegal', value: 'non-terminated string', endOffset: 4 });
  });
});

describe('lexer: template strings', () => {
  it('splits a template into pieces around expression tokens', () => {
    const toks = tokenize('$"a {x} b {y.z}!"');
    expect(toks.map((t) => [t.kind, t.kind === 'template' ? t.value : t.text, t.templateEnd])).toEqual([
      ['template', 'a ', false],
      ['ident', 'x', false],
      ['}', '}', false],
      ['template', ' b ', false],
      ['ident', 'y', false],
      ['.', '.', false],
      ['ident', 'z', false],
      ['}', '}', false],
      ['template', '!', true],
      ['eof', '', false],
    ]);
  });

  it('tracks braces inside expressions and nested templates', () => {
    const toks = tokenize('$"{ {"a": $"{1}"} }"');
    expect(toks.map((t) => t.kind)).toEqual(['template', '{', 'string', ':', 'template', 'number', '}', 'template', '}', '}', 'template', 'eof']);
    expect(toks.at(-2)).toMatchObject({ kind: 'template', value: '', templateEnd: true });
  });

  it('unescapes \\{ and JSON escapes; raw templates keep backslashes', () => {
    expect(only(String.raw`$"\{x}\t"`)).toMatchObject({ kind: 'template', value: '{x}\t', templateEnd: true, raw: false });
    expect(only('$`\\{x}\\t`')).toMatchObject({ kind: 'template', value: '{x}\\t', templateEnd: true, raw: true });
  });

  it("has no \\} escape (OPA's scanner has none): a closing brace is plain text", () => {
    // An early draft of OPA's template-string cases escaped `}` too; OPA's scanner rejects it.
    expect(only(String.raw`$"a\}"`)).toMatchObject({ kind: 'illegal', value: 'illegal escape sequence' });
    expect(only('$"a}b"')).toMatchObject({ kind: 'template', value: 'a}b', templateEnd: true });
    expect(only('$`a\\}`')).toMatchObject({ kind: 'template', value: 'a\\}', templateEnd: true, raw: true });
  });

  it('rejects an unterminated template and a lone $', () => {
    expect(tokenize('$"abc')[0]).toMatchObject({ kind: 'illegal', value: 'non-terminated string' });
    expect(tokenize('$x')[0]).toMatchObject({ kind: 'illegal', value: 'illegal $ character' });
  });
});

describe('lexer: operators and punctuation', () => {
  it('recognises every operator, longest match first', () => {
    expect(texts(':= = == != < <= > >= + - * / % | & . , ; : [ ] { } ( )').slice(0, -1)).toEqual(
      ':= = == != < <= > >= + - * / % | & . , ; : [ ] { } ( )'.split(' '),
    );
    expect(kinds('a:=b==c')).toEqual(['ident', ':=', 'ident', '==', 'ident', 'eof']);
    expect(kinds('x<=y>=z')).toEqual(['ident', '<=', 'ident', '>=', 'ident', 'eof']);
  });

  it('rejects ! alone and characters outside the language', () => {
    expect(tokenize('!x')[0]).toMatchObject({ kind: 'illegal', value: 'illegal ! character' });
    expect(tokenize('é')[0]).toMatchObject({ kind: 'illegal', text: 'é' });
    expect(tokenize('😀')[0]).toMatchObject({ kind: 'illegal', text: '😀' });
    expect(tokenize('\0')[0]).toMatchObject({ kind: 'illegal', value: 'illegal null character' });
  });
});

describe('lexer: whitespace, comments and locations', () => {
  it('drops comments and records whitespace and newlines before each token', () => {
    const toks = tokenize('a b# comment\n  c;d');
    expect(toks.map((t) => [t.text, t.wsBefore, t.nlBefore])).toEqual([
      ['a', false, false],
      ['b', true, false],
      ['c', true, true],
      [';', false, false],
      ['d', false, false],
      ['', false, false],
    ]);
  });

  it('gives 1-based lines and columns and 0-based offsets', () => {
    const toks = tokenize('package x\n\n  p := "é"\n');
    expect(toks.map((t) => [t.text, t.line, t.column, t.offset, t.endOffset])).toEqual([
      ['package', 1, 1, 0, 7],
      ['x', 1, 9, 8, 9],
      ['p', 3, 3, 13, 14],
      [':=', 3, 5, 15, 17],
      ['"é"', 3, 8, 18, 21],
      ['', 4, 1, 22, 22],
    ]);
  });

  it('counts \\r\\n as one line break and skips a leading byte-order mark', () => {
    const toks = tokenize('\ufeffa\r\nb');
    expect(toks.map((t) => [t.text, t.line, t.column, t.nlBefore])).toEqual([
      ['a', 1, 1, false],
      ['b', 2, 1, true],
      ['', 2, 2, false],
    ]);
  });

  it('always ends with one eof token, even for empty input', () => {
    expect(kinds('')).toEqual(['eof']);
    expect(kinds('   # only a comment')).toEqual(['eof']);
  });

  it('keeps every token of a source denser than one token per four characters', () => {
    // The token table first makes room for a token per four characters and then grows.
    const src = '[('.repeat(3000) + ')]'.repeat(3000) + '\n"s" x';
    const toks = tokenize(src);
    expect(toks).toHaveLength(12_003);
    expect(toks.slice(0, 3).map((t) => [t.kind, t.offset, t.column])).toEqual([
      ['[', 0, 1],
      ['(', 1, 2],
      ['[', 2, 3],
    ]);
    expect(toks.slice(-4).map((t) => [t.kind, t.text, t.value, t.line, t.column, t.offset, t.nlBefore])).toEqual([
      [']', ']', '', 1, 12_000, 11_999, false],
      ['string', '"s"', 's', 2, 1, 12_001, true],
      ['ident', 'x', '', 2, 5, 12_005, false],
      ['eof', '', '', 2, 6, 12_006, false],
    ]);
  });

  it('takes a keyword only when the whole word spells it', () => {
    expect(kinds('i if in ifx in_ nulls contains2 Package everyone a')).toEqual([
      'ident',
      'if',
      'in',
      'ident',
      'ident',
      'ident',
      'ident',
      'ident',
      'ident',
      'ident',
      'eof',
    ]);
  });
});
