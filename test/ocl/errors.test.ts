/**
 * Error reporting: stable codes, helpful summaries, precise ranges, recovery that reports every
 * independent error, and hostile input (deep nesting, huge garbage) that must neither throw nor hang.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import type { OclBlock } from '../../src/ocl/ast.js';
import { OCL_CODE_DESCRIPTIONS, OclCodes, parseOcl } from '../../src/ocl/index.js';

function summaryAt(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.range!.start.line}:${d.range!.start.column} ${d.code}`);
}

describe('codes table', () => {
  it('every code has a one-line description and codes are unique', () => {
    const values = Object.values(OclCodes);
    expect(new Set(values).size).toBe(values.length);
    for (const code of values) {
      expect(code).toMatch(/^OCL\d{3}$/);
      expect(OCL_CODE_DESCRIPTIONS[code]).toMatch(/\S/);
      expect(OCL_CODE_DESCRIPTIONS[code]).not.toContain('\n');
    }
  });
});

describe('messages', () => {
  it('comments at element position', () => {
    for (const text of ['# c\na = 1', '// c\na = 1', '/* c */\na = 1', 'b {\n  # c\n  a = 1\n}']) {
      const { document, diagnostics } = parseOcl(text);
      expect(diagnostics.map((d) => d.summary)).toEqual(['comments are not part of OCL: Octopus Server will reject this file']);
      expect(diagnostics[0]!.code).toBe('OCL002');
      // The rest of the file still parses.
      expect(JSON.stringify(document.body)).toContain('"name":"a"');
    }
  });

  it('a comment after a value, in an array, and in a map', () => {
    expect(parseOcl('a = 1 # c').diagnostics.map((d) => d.code)).toEqual(['OCL002']);
    expect(parseOcl('a = [1, # c\n 2]').diagnostics.map((d) => d.code)).toEqual(['OCL002']);
    expect(parseOcl('p = {\n  # c\n  a = 1\n}').diagnostics.map((d) => d.code)).toEqual(['OCL002']);
  });

  it('a block comment spans lines and is one diagnostic', () => {
    const { diagnostics } = parseOcl('/* one\ntwo */\na = 1');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.range!.start.line).toBe(1);
    expect(diagnostics[0]!.range!.end.line).toBe(2);
  });

  it('block header without a body (the real hand edit `value "2.4.46"`)', () => {
    const { document, diagnostics } = parseOcl('variable "v" {\n    value "2.4.46"\n}\n\nvariable "w" {\n    value "1" {}\n}\n');
    expect(summaryAt(diagnostics)).toEqual(['2:5 OCL006']);
    expect(diagnostics[0]!.range!.end).toMatchObject({ line: 2, column: 19 });
    // The `}` after the header still closes `variable "v"`; the next variable is intact.
    expect(document.body.map((e) => e.name)).toEqual(['variable', 'variable']);
    expect((document.body[1] as OclBlock).body).toHaveLength(1);
  });

  it('stray punctuation in a block header (the real hand edit `variable "x": {`)', () => {
    const { document, diagnostics } = parseOcl('variable "x": {\n    value "1" {}\n}');
    expect(summaryAt(diagnostics)).toEqual(['1:13 OCL001']);
    expect(diagnostics[0]!.summary).toContain("':'");
    expect((document.body[0] as OclBlock).body).toHaveLength(1);
  });

  it('a document that is only `{}`', () => {
    expect(summaryAt(parseOcl('{}').diagnostics)).toEqual(['1:1 OCL001']);
  });

  it('unclosed block points at its {', () => {
    const { diagnostics } = parseOcl('a {\n  b {\n    c = 1\n  }\n');
    expect(summaryAt(diagnostics)).toEqual(['1:3 OCL007']);
  });

  it('unmatched }', () => {
    expect(summaryAt(parseOcl('a = 1\n}\nb = 2').diagnostics)).toEqual(['2:1 OCL008']);
  });

  it('unclosed map and unclosed array', () => {
    expect(summaryAt(parseOcl('p = {\n  a = 1\n').diagnostics)).toEqual(['1:5 OCL026']);
    expect(summaryAt(parseOcl('a = [1,\n 2\nb = 3').diagnostics)).toEqual(['1:5 OCL021']);
  });

  it('map comma, missing = and missing value', () => {
    expect(parseOcl('p = { a = "1", b = "2" }').diagnostics.map((d) => d.summary)).toEqual([
      'map entries are not comma separated: remove the comma',
    ]);
    expect(summaryAt(parseOcl('p = {\n  a "1"\n}').diagnostics)).toEqual(['2:3 OCL024']);
    expect(summaryAt(parseOcl('p = {\n  a =\n}').diagnostics)).toEqual(['2:5 OCL010']);
    expect(summaryAt(parseOcl('a =').diagnostics)).toEqual(['1:3 OCL010']);
  });

  it('a name followed by junk is one diagnostic, not a cascade', () => {
    expect(summaryAt(parseOcl('a: 1\nb = 2').diagnostics)).toEqual(['1:2 OCL009']);
    expect(summaryAt(parseOcl('name value\nb = 2').diagnostics)).toEqual(['1:6 OCL009']);
  });

  it('names must not be quoted', () => {
    expect(summaryAt(parseOcl('"a" = 1').diagnostics)).toEqual(['1:1 OCL003']);
  });
});

describe('recovery reports every independent error', () => {
  it('one diagnostic per bad line, and the good elements survive', () => {
    const text = [
      'step "a" {', // 1
      '    name = True', // 2  OCL011
      '    my-attr = 1', // 3  OCL003
      '    ok = "fine"', // 4
      '    list = [1, "x"]', // 5  OCL018
      '    props = {', // 6
      '        k="v"', // 7  OCL023
      '        good = 1', // 8
      '    }', // 9
      '    # note', // 10 OCL002
      '    n = 99999999999', // 11 OCL013
      '    s = "bad \\q"', // 12 OCL015
      '}', // 13
      'next {}', // 14
    ].join('\n');
    const { document, diagnostics } = parseOcl(text);
    expect(diagnostics.map((d) => `${d.range!.start.line} ${d.code}`)).toEqual([
      '2 OCL011',
      '3 OCL003',
      '5 OCL018',
      '7 OCL023',
      '10 OCL002',
      '11 OCL013',
      '12 OCL015',
    ]);
    const step = document.body[0] as OclBlock;
    expect(step.body.map((e) => e.name)).toEqual(['my-attr', 'ok', 'list', 'props', 's']);
    expect(document.body[1]!.name).toBe('next');
  });

  it('errors in separate blocks are all reported', () => {
    const text = 'a {\n  x = foo\n}\nb {\n  y = [true]\n}\nc { z = 1 }\n';
    expect(parseOcl(text).diagnostics.map((d) => `${d.range!.start.line} ${d.code}`)).toEqual([
      '2 OCL011',
      '5 OCL019',
      '7 OCL005',
    ]);
  });

  it('an unterminated string only affects its own line', () => {
    const { document, diagnostics } = parseOcl('a = "abc\nb = 2\n');
    expect(diagnostics.map((d) => d.code)).toEqual(['OCL014']);
    expect(document.body.map((e) => e.name)).toEqual(['a', 'b']);
  });

  it('a bad heredoc start line is reported once and its body is not read as OCL', () => {
    const { document, diagnostics } = parseOcl('a = <<EOT extra\nnot = ocl {\nEOT\nb = 2');
    expect(diagnostics.map((d) => d.code)).toEqual(['OCL017']);
    expect(document.body.map((e) => e.name)).toEqual(['a', 'b']);
  });
});

describe('hostile input', () => {
  it('100,000 nested blocks give one diagnostic and no stack overflow', () => {
    const n = 100_000;
    const text = 'a {\n'.repeat(n) + 'x = 1\n' + '}\n'.repeat(n);
    const { diagnostics } = parseOcl(text);
    expect(diagnostics.map((d) => d.code)).toEqual(['OCL027']);
    expect(diagnostics[0]!.range!.start.line).toBe(201);
  });

  it('100,000 unclosed nested blocks', () => {
    const { diagnostics } = parseOcl('a {\n'.repeat(100_000));
    expect(diagnostics.map((d) => d.code).sort()).toEqual(['OCL007', 'OCL027']);
  });

  it('deeply nested maps, arrays and braces', () => {
    for (const text of [
      'a = ' + '{\n b = '.repeat(50_000) + '1',
      'a = ' + '['.repeat(100_000) + ']'.repeat(100_000),
      '{'.repeat(100_000),
      '}'.repeat(10_000),
      'p = {\n' + ' k = ['.repeat(50_000),
    ]) {
      const { diagnostics } = parseOcl(text);
      expect(diagnostics.length).toBeGreaterThan(0);
      for (const d of diagnostics) expect(d.range!.end.offset).toBeLessThanOrEqual(text.length);
    }
  });

  // Patterns that would make a naive scanner quadratic (the test timeout catches a regression).
  it('many bad heredoc start lines without end tags', () => {
    const text = 'a = <<EOT junk\n'.repeat(50_000);
    const { diagnostics } = parseOcl(text);
    expect(diagnostics).toHaveLength(50_000);
    expect(new Set(diagnostics.map((d) => d.code))).toEqual(new Set(['OCL017']));
  });

  it('deeply nested maps closed by a long run of }', () => {
    const n = 50_000;
    const text = 'a = {\n' + ' b = {\n'.repeat(n) + '}'.repeat(n + 1);
    const { document, diagnostics } = parseOcl(text);
    expect(diagnostics.map((d) => d.code)).toEqual(['OCL022']);
    expect(document.body).toHaveLength(1);
  });

  it('binary-ish garbage never throws', () => {
    const chars: string[] = [];
    for (let i = 0; i < 5000; i++) chars.push(String.fromCharCode((i * 7919) % 0x3000));
    const text = chars.join('');
    const { diagnostics } = parseOcl(text);
    expect(diagnostics.length).toBeGreaterThan(0);
  });

  it('maxDepth is clamped to a safe range', () => {
    const text = 'a {\n'.repeat(5000) + '}\n'.repeat(5000);
    const { diagnostics } = parseOcl(text, { maxDepth: 1e9 });
    expect(diagnostics.map((d) => d.code)).toEqual(['OCL027']);
  });
});
