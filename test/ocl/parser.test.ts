/**
 * Unit tests for the OCL parser: one group per rule of ocl-spec.md §1, with the edge-case matrix of
 * §1.14. Expected values come from the spec, not from the parser.
 */
import { describe, expect, it } from 'vitest';
import type { OclAttribute, OclBlock, OclDocument, OclHeredoc, OclMap, OclValue } from '../../src/ocl/ast.js';
import { parseOcl, type ParseOclOptions } from '../../src/ocl/index.js';

function parseClean(text: string, options?: ParseOclOptions): OclDocument {
  const { document, diagnostics } = parseOcl(text, options);
  expect(diagnostics, `diagnostics for ${JSON.stringify(text)}`).toEqual([]);
  return document;
}

function codes(text: string, options?: ParseOclOptions): string[] {
  return parseOcl(text, options).diagnostics.map((d) => d.code);
}

function attribute(document: OclDocument | OclBlock, index = 0): OclAttribute {
  const element = document.body[index];
  expect(element?.type).toBe('attribute');
  return element as OclAttribute;
}

function block(document: OclDocument | OclBlock, index = 0): OclBlock {
  const element = document.body[index];
  expect(element?.type).toBe('block');
  return element as OclBlock;
}

function value(text: string, options?: ParseOclOptions): OclValue {
  return attribute(parseClean(text, options)).value;
}

function heredoc(text: string, options?: ParseOclOptions): OclHeredoc {
  const v = value(text, options);
  expect(v.type).toBe('heredoc');
  return v as OclHeredoc;
}

describe('document', () => {
  it('empty and whitespace-only input are empty documents', () => {
    for (const text of ['', '   ', '\n\n', '\r\n', ' \t\n  \n']) {
      expect(parseClean(text).body).toEqual([]);
    }
  });

  it('holds top-level attributes and blocks in source order', () => {
    const doc = parseClean('version = 5\nstep "a" {}\nname = "x"\n');
    expect(doc.body.map((e) => `${e.type}:${e.name}`)).toEqual(['attribute:version', 'block:step', 'attribute:name']);
  });

  it('records line ending, final newline and BOM', () => {
    const lf = parseClean('a = 1\nb = 2');
    expect([lf.lineEnding, lf.finalNewline, lf.bom]).toEqual(['\n', false, false]);
    const crlf = parseClean('a = 1\r\nb = 2\r\n');
    expect([crlf.lineEnding, crlf.finalNewline, crlf.bom]).toEqual(['\r\n', true, false]);
    const bom = parseClean('\uFEFFa = 1\n');
    expect([bom.lineEnding, bom.finalNewline, bom.bom]).toEqual(['\n', true, true]);
    expect(attribute(bom).nameRange.start).toEqual({ line: 1, column: 1, offset: 0 });
  });

  it('the line ending is that of the first line', () => {
    expect(parseClean('a = 1\nb = 2\r\n').lineEnding).toBe('\n');
    expect(parseClean('a = 1\r\nb = 2\n').lineEnding).toBe('\r\n');
  });

  it('elements need no separator: `a = 1 b = 2` is two attributes', () => {
    const doc = parseClean('a = 1 b = 2');
    expect(doc.body.map((e) => e.name)).toEqual(['a', 'b']);
  });

  it('duplicate attribute names are kept (the parser does not reject them)', () => {
    expect(parseClean('a = 1\na = 2').body).toHaveLength(2);
  });

  it('the document range covers the whole text', () => {
    const doc = parseClean('a = 1\n');
    expect(doc.range.start.offset).toBe(0);
    expect(doc.range.end).toEqual({ line: 2, column: 1, offset: 6 });
  });
});

describe('names', () => {
  it('letters, digits and _, Unicode letters included; may start with a digit', () => {
    expect(parseClean('0abc = 1\n_x = 2\ngröße = 3\n名前 = 4\n123 = 5').body.map((e) => e.name)).toEqual([
      '0abc',
      '_x',
      'größe',
      '名前',
      '123',
    ]);
  });

  it('hyphens are rejected with a suggestion', () => {
    const { diagnostics } = parseOcl('my-block {}');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.code).toBe('OCL003');
    expect(diagnostics[0]!.summary).toBe('hyphens are not allowed in names; did you mean my_block?');
    expect(diagnostics[0]!.range!.start).toEqual({ line: 1, column: 1, offset: 0 });
    expect(diagnostics[0]!.range!.end.offset).toBe(8);
  });

  it('other punctuation in names is rejected', () => {
    expect(codes('a.b = 1')).toEqual(['OCL003']);
    expect(codes('a:b = 1')).toEqual(['OCL009']);
  });

  it('an astral letter is not a name character (.NET works on UTF-16 units)', () => {
    expect(codes('a𝒜 = 1').length).toBeGreaterThan(0);
  });
});

describe('blocks', () => {
  it('labels: zero, one or several quoted strings, all kept with ranges', () => {
    const doc = parseClean('a {}\nb "x" {}\nc "x" "y" "z" {}');
    expect(block(doc, 0).labels).toEqual([]);
    expect(block(doc, 1).labels.map((l) => l.value)).toEqual(['x']);
    expect(block(doc, 2).labels.map((l) => l.value)).toEqual(['x', 'y', 'z']);
    const label = block(doc, 1).labels[0]!;
    expect(label.range.start).toEqual({ line: 2, column: 3, offset: 7 });
    expect(label.range.end).toEqual({ line: 2, column: 6, offset: 10 });
  });

  it('labels are decoded like strings', () => {
    const doc = parseClean('value "#{X | Replace \\"[^a-z]+\\" \\"-\\"}" {}');
    expect(block(doc).labels[0]!.value).toBe('#{X | Replace "[^a-z]+" "-"}');
  });

  it('empty bodies: {}, { }, {\\n}, {\\n\\n}', () => {
    for (const text of ['b {}', 'b { }', 'b {\n}', 'b {\n\n}', 'b {\r\n}', 'b\n{}']) {
      const b = block(parseClean(text));
      expect(b.body).toEqual([]);
    }
  });

  it('a non-empty body needs a newline after {', () => {
    const { document, diagnostics } = parseOcl('blk { a = 1 }');
    expect(diagnostics.map((d) => d.code)).toEqual(['OCL005']);
    expect(diagnostics[0]!.summary).toBe("a non-empty block needs a newline after '{'");
    expect(diagnostics[0]!.range!.start.column).toBe(5);
    // Recovery keeps the attribute.
    expect(attribute(block(document)).name).toBe('a');
  });

  it('same-line whitespace (including \\r) may come between { and the newline', () => {
    expect(block(parseClean('blk {  \t\r\n  a = 1\n}')).body).toHaveLength(1);
  });

  it('the { may be on the next line, after labels too', () => {
    expect(attribute(block(parseClean('blk\n{\n a = 1\n}'))).name).toBe('a');
    expect(block(parseClean('blk "x"\n\n{\n a = 1\n}')).labels[0]!.value).toBe('x');
  });

  it('blank lines between children are allowed', () => {
    expect(block(parseClean('b {\n\n  a = 1\n\n\n  c {}\n\n}')).body).toHaveLength(2);
  });

  it('the closing } need not be alone on its line', () => {
    const b = block(parseClean('b {\n  a = 1 }'));
    expect(attribute(b).name).toBe('a');
  });

  it('naked labels are rejected', () => {
    expect(codes('blk foo {}')).toEqual(['OCL004']);
    expect(parseOcl('blk foo {}').diagnostics[0]!.summary).toContain('labels must be quoted strings');
  });

  it('labels must be on the name line', () => {
    expect(codes('blk\n"x" {}')).toEqual(['OCL029']);
  });

  it('nested blocks and ranges', () => {
    const doc = parseClean('step "s" {\n    action {\n        a = 1\n    }\n}');
    const step = block(doc);
    expect(step.range.start).toEqual({ line: 1, column: 1, offset: 0 });
    expect(step.range.end).toEqual({ line: 5, column: 2, offset: 45 });
    const action = block(step);
    expect(action.nameRange.start).toEqual({ line: 2, column: 5, offset: 15 });
    expect(action.range.end.line).toBe(4);
    const a = attribute(action);
    expect(a.range.start).toEqual({ line: 3, column: 9, offset: 32 });
    expect(a.range.end).toEqual({ line: 3, column: 14, offset: 37 });
  });

  it('tab-indented bodies parse (tabs are whitespace)', () => {
    expect(attribute(block(parseClean('blk {\n\ta = 1\n}'))).name).toBe('a');
  });
});

describe('attributes', () => {
  it('whitespace around = is optional, alignment padding is fine', () => {
    expect(value('Foo=[]')).toMatchObject({ type: 'array', items: [] });
    expect(value('Foo =["a"]')).toMatchObject({ type: 'array', elementType: 'string' });
    expect(value('action_type                        = "x"')).toMatchObject({ type: 'string', value: 'x' });
  });

  it('name and = must be on one line', () => {
    expect(codes('a\n= 1')).toEqual(['OCL029']);
  });

  it('the value must start on the = line, except a map', () => {
    expect(codes('A =\n["a"]')).toContain('OCL010');
    expect(codes('A =\n"a"')).toContain('OCL010');
    expect(value('A =\n{\n a = "1"\n}')).toMatchObject({ type: 'map' });
    expect(value('A =\n\n\n{}')).toMatchObject({ type: 'map', entries: [] });
  });

  it('the attribute range spans name to value end', () => {
    const a = attribute(parseClean('  name = "x"  '));
    expect(a.range.start.column).toBe(3);
    expect(a.range.end.column).toBe(13);
    expect(a.value.range.start.column).toBe(10);
  });
});

describe('values', () => {
  it('null, true, false (lowercase only)', () => {
    expect(value('A = null')).toMatchObject({ type: 'null' });
    expect(value('A = true')).toMatchObject({ type: 'bool', value: true });
    expect(value('A = false')).toMatchObject({ type: 'bool', value: false });
    expect(codes('A = True')).toEqual(['OCL011']);
    expect(codes('A = NULL')).toEqual(['OCL011']);
  });

  it('keywords are names at element position', () => {
    expect(parseClean('true = 1\nnull {}').body.map((e) => e.name)).toEqual(['true', 'null']);
  });

  it('integers: sign, leading zeros, raw text kept', () => {
    expect(value('A = 42')).toMatchObject({ type: 'int', value: 42, raw: '42' });
    expect(value('A = -7')).toMatchObject({ type: 'int', value: -7, raw: '-7' });
    expect(value('A = 007')).toMatchObject({ type: 'int', value: 7, raw: '007' });
    expect(value('A = 2147483647')).toMatchObject({ type: 'int', value: 2147483647 });
    expect(value('A = -2147483647')).toMatchObject({ type: 'int', value: -2147483647 });
    expect(value('A = 00000000000000000001')).toMatchObject({ type: 'int', value: 1 });
  });

  it('integers outside int.Parse range are errors, not throws', () => {
    expect(codes('A = 2147483648')).toEqual(['OCL013']);
    expect(codes('A = 99999999999')).toEqual(['OCL013']);
    // .NET parses the digits then negates, so int.MinValue itself overflows.
    expect(codes('A = -2147483648')).toEqual(['OCL013']);
    expect(codes('A = -99999999999999999999')).toEqual(['OCL013']);
  });

  it('decimals keep their text; int vs decimal is preserved', () => {
    expect(value('A = 1.50')).toEqual({ type: 'decimal', value: '1.50', range: expect.anything() });
    expect(value('A = -0.5')).toMatchObject({ type: 'decimal', value: '-0.5' });
    expect(value('A = 1.0').type).toBe('decimal');
    expect(value('A = 1').type).toBe('int');
  });

  it('malformed numbers', () => {
    for (const text of ['A = 1e6', 'A = +1', 'A = .5', 'A = 1.', 'A = 1.5.3', 'A = 1E+6']) {
      expect(codes(text), text).toEqual(['OCL012']);
    }
  });

  it('a literal glued to the next element splits as Octopus reads it', () => {
    const doc = parseClean('a = truex = 1\nb = 12c {}\nd = 1.5e = "x"\nf = nullg "l" {}');
    expect(doc.body.map((e) => e.name)).toEqual(['a', 'x', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(attribute(doc, 0).value).toMatchObject({ type: 'bool', value: true });
    expect(attribute(doc, 2).value).toMatchObject({ type: 'int', value: 12 });
    expect(attribute(doc, 4).value).toMatchObject({ type: 'decimal', value: '1.5' });
    expect(attribute(doc, 1).nameRange.start.column).toBe(9);
    // Without a following element the word is reported whole.
    expect(codes('a = truex')).toEqual(['OCL011']);
    expect(codes('a = 1b')).toEqual(['OCL011']);
  });

  it('unquoted strings are rejected', () => {
    expect(codes('x = foo')).toEqual(['OCL011']);
    expect(parseOcl('x = foo').diagnostics[0]!.summary).toContain('"foo"');
  });
});

describe('quoted strings', () => {
  it('the five escapes', () => {
    expect(value('A = "a\\r\\n\\t\\\\\\"b"')).toMatchObject({ value: 'a\r\n\t\\"b' });
    expect(value('T = "views\\\\index.pug"')).toMatchObject({ value: 'views\\index.pug' });
  });

  it('raw tabs, Unicode, $ and #{} are plain text', () => {
    expect(value('A = "a\tb 🚀 $x #{Octopus.Environment.Name}"')).toMatchObject({
      value: 'a\tb 🚀 $x #{Octopus.Environment.Name}',
    });
  });

  it('other escapes are diagnostics with the escape range', () => {
    const { diagnostics } = parseOcl('A = "x\\q \\u0041"');
    expect(diagnostics.map((d) => d.code)).toEqual(['OCL015', 'OCL015']);
    expect(diagnostics[0]!.range!.start.column).toBe(7);
    expect(diagnostics[0]!.range!.end.column).toBe(9);
    expect(diagnostics[1]!.range!.start.column).toBe(10);
  });

  it('no raw newline in a string', () => {
    expect(codes('A = "abc\ndef"')).toContain('OCL014');
    expect(codes('A = "abc\r\n')).toEqual(['OCL014']);
  });

  it('the string range includes the quotes', () => {
    const v = value('A = "xy"');
    expect([v.range.start.column, v.range.end.column]).toEqual([5, 9]);
  });
});

describe('heredocs', () => {
  it('<<TAG keeps lines verbatim, no trailing newline', () => {
    const h = heredoc('a = <<EOT\n  one\n    two\nEOT\n');
    expect(h).toMatchObject({ indented: false, tag: 'EOT', value: '  one\n    two' });
  });

  it('a blank line before the end tag gives a trailing newline; no lines give ""', () => {
    expect(heredoc('a = <<EOT\nx\n\nEOT').value).toBe('x\n');
    expect(heredoc('a = <<EOT\nEOT').value).toBe('');
  });

  it('the end tag may be indented, even for <<', () => {
    expect(heredoc('a = <<EOT\nx\n    EOT  \nb = 1').value).toBe('x');
  });

  it('end line must be exactly the tag (case-sensitive)', () => {
    expect(heredoc('a = <<EOT\nA EOT\nEOT A\neot\nEOT').value).toBe('A EOT\nEOT A\neot');
  });

  it('tags may be any non-whitespace, even empty', () => {
    expect(heredoc('a = <<!!!!\nx\n!!!!').tag).toBe('!!!!');
    const empty = heredoc('a = <<\nx\ny\n\nb = 1');
    expect(empty).toMatchObject({ tag: '', value: 'x\ny' });
  });

  it('<<- unindents by the minimum of content and end tag indent', () => {
    expect(heredoc('a = <<-EOT\n        one\n          two\n        EOT').value).toBe('one\n  two');
    // End tag shallower than the content: content keeps the surplus.
    expect(heredoc('a = <<-EOT\n                x\n            EOT').value).toBe('    x');
    // End tag at column 0: nothing is removed.
    expect(heredoc('a = <<-EOT\n    x\nEOT').value).toBe('    x');
    // End tag deeper than the content: the content minimum wins.
    expect(heredoc('a = <<-EOT\n  x\n      EOT').value).toBe('x');
  });

  it('legacy mode (schema_version < 6) uses only the content lines', () => {
    const text = 'a = <<-EOT\n                x\n                  y\n            EOT';
    expect(heredoc(text, { heredocMode: 'legacy' }).value).toBe('x\n  y');
    expect(heredoc(text, { heredocMode: 'current' }).value).toBe('    x\n      y');
  });

  it('tabs count as one column', () => {
    expect(heredoc('a = <<-EOT\n\t\tx\n\t\t\ty\n\t\tEOT').value).toBe('x\n\ty');
    expect(heredoc('a = <<-EOT\n\tx\n        EOT').value).toBe('x');
  });

  it('blank and whitespace-only lines do not count; short ones become empty, long ones keep surplus', () => {
    expect(heredoc('a = <<-EOT\n    x\n\n  \n      \n    y\n    EOT').value).toBe('x\n\n\n  \ny');
  });

  it('CRLF: the value contains CRLF and trailing CRs are stripped', () => {
    expect(heredoc('a = <<-EOT\r\n    x\r\n    y\r\n    EOT\r\n').value).toBe('x\r\ny');
    expect(heredoc('a = <<EOT\r\nx\r\nEOT').value).toBe('x');
    // Only the last line ends in CR: joined with \n.
    expect(heredoc('a = <<EOT\nx\ny\r\nEOT').value).toBe('x\ny');
    // Several trailing CRs are all stripped.
    expect(heredoc('a = <<EOT\nx\r\r\ny\nEOT').value).toBe('x\r\ny');
  });

  it('the end tag may be the last line without a newline', () => {
    const doc = parseClean('a = <<EOT\nx\nEOT');
    expect((attribute(doc).value as OclHeredoc).value).toBe('x');
  });

  it('heredoc ranges run from << to the end tag; the next element parses', () => {
    const doc = parseClean('a = <<-EOT\n    x\n    EOT\nb = 2');
    const h = attribute(doc).value as OclHeredoc;
    expect(h.range.start).toEqual({ line: 1, column: 5, offset: 4 });
    expect(h.range.end).toEqual({ line: 3, column: 8, offset: 24 });
    expect(attribute(doc, 1).name).toBe('b');
  });

  it('# inside a heredoc is text', () => {
    expect(heredoc('rego = <<-EOT\n    # comment\n    EOT').value).toBe('# comment');
  });

  it('nothing may follow the tag on its line', () => {
    for (const text of ['a = <<EOT # x\ny\nEOT', 'a = << EOT\ny\nEOT', 'a = <<- EOT\ny\nEOT', 'a = <<Z Z\ny\nZ']) {
      expect(codes(text), text).toEqual(['OCL017']);
    }
  });

  it('an unterminated heredoc is an error at its start', () => {
    const { diagnostics } = parseOcl('b {\n  a = <<EOT\n  x\n}\n');
    expect(diagnostics.map((d) => d.code)).toContain('OCL016');
    const d = diagnostics.find((x) => x.code === 'OCL016')!;
    expect(d.summary).toContain('unterminated heredoc');
    expect(d.range!.start).toEqual({ line: 2, column: 7, offset: 10 });
  });
});

describe('arrays', () => {
  it('string, int and decimal arrays; [] is an empty string array', () => {
    expect(value('a = []')).toMatchObject({ type: 'array', elementType: 'string', items: [] });
    expect(value('a = ["x", "y"]')).toMatchObject({ elementType: 'string', items: [{ value: 'x' }, { value: 'y' }] });
    expect(value('a = [1, -2]')).toMatchObject({ elementType: 'int', items: [{ value: 1 }, { value: -2 }] });
    expect(value('a = [1.5, 2.0]')).toMatchObject({ elementType: 'decimal', items: [{ value: '1.5' }, { value: '2.0' }] });
  });

  it('arrays may span lines', () => {
    expect(value('A = [\n "a",\n "b"\n]')).toMatchObject({ items: [{ value: 'a' }, { value: 'b' }] });
    expect(value('A = [\r\n "a"\r\n ,"b"]')).toMatchObject({ items: [{ value: 'a' }, { value: 'b' }] });
  });

  it('homogeneous only', () => {
    expect(codes('A = [1, 1.5]')).toEqual(['OCL018']);
    expect(codes('A = ["a", 1]')).toEqual(['OCL018']);
    expect(parseOcl('A = [1, 1.5]').diagnostics[0]!.summary).toContain('arrays must not mix types');
  });

  it('no bool, null, heredoc, nested array or map elements', () => {
    expect(codes('A = [true]')).toEqual(['OCL019']);
    expect(codes('A = [null]')).toEqual(['OCL019']);
    expect(codes('A = [<<EOT\nx\nEOT\n]')).toEqual(['OCL019']);
    expect(codes('A = [["a"]]')).toEqual(['OCL019']);
    expect(codes('A = [{ a = 1 }]')).toEqual(['OCL019']);
  });

  it('separators: no trailing comma, no empty element, comma required', () => {
    expect(codes('A = ["a",]')).toEqual(['OCL020']);
    expect(codes('A = [1,,2]')).toEqual(['OCL020']);
    expect(codes('A = ["A""B"]')).toEqual(['OCL020']);
    expect(codes('A = [1 2]')).toEqual(['OCL020']);
  });

  it('array range spans the brackets', () => {
    const v = value('A = [ 1 ]');
    expect([v.range.start.column, v.range.end.column]).toEqual([5, 10]);
  });
});

describe('maps', () => {
  it('unquoted keys are any run of non-whitespace non-quote chars', () => {
    const m = value('p = {\n  Octopus.Action.Package[Web].ExtractedPath = "x"\n  a/b:c{}} = 1\n}') as OclMap;
    expect(m.entries.map((e) => [e.key, e.quoted])).toEqual([
      ['Octopus.Action.Package[Web].ExtractedPath', false],
      ['a/b:c{}}', false],
    ]);
  });

  it('quoted keys, with escapes and no spaces needed', () => {
    const m = value('p = {\n "Two Two" = "2"\n "Three\\"Three" = "3"\n "a"="1"\n}') as OclMap;
    expect(m.entries.map((e) => [e.key, e.quoted])).toEqual([
      ['Two Two', true],
      ['Three"Three', true],
      ['a', true],
    ]);
  });

  it('an unquoted key needs whitespace before =', () => {
    const { document, diagnostics } = parseOcl('P = {\n a="1"\n}');
    expect(diagnostics.map((d) => d.code)).toEqual(['OCL023']);
    expect(diagnostics[0]!.summary).toBe("unquoted map key needs a space before '='");
    expect(diagnostics[0]!.range!.start).toEqual({ line: 2, column: 2, offset: 7 });
    // Recovery keeps the intended entry.
    expect((attribute(document).value as OclMap).entries[0]).toMatchObject({ key: 'a', value: { value: '1' } });
    expect(codes('P = {\n a= "1"\n}')).toEqual(['OCL023']);
    expect(codes('P = {\n a=1\n}')).toEqual(['OCL023']);
  });

  it('entries may share a line, and {} is empty', () => {
    expect((value('P = { a = "1" b = "2" }') as OclMap).entries.map((e) => e.key)).toEqual(['a', 'b']);
    expect(value('P = {}')).toMatchObject({ type: 'map', entries: [] });
    expect(value('container = {\n}')).toMatchObject({ type: 'map', entries: [] });
  });

  it('entry values are literals of every kind, heredocs included', () => {
    const m = value(
      'p = {\n  s = "x"\n  i = 1\n  d = 1.5\n  b = true\n  n = null\n  a = ["x"]\n  h = <<-EOT\n      hi\n      EOT\n}',
    ) as OclMap;
    expect(m.entries.map((e) => e.value.type)).toEqual(['string', 'int', 'decimal', 'bool', 'null', 'array', 'heredoc']);
    expect(m.entries[6]!.value).toMatchObject({ value: 'hi', indented: true });
  });

  it('when = follows, any non-whitespace non-quote run is a key: #x, ,a, a=b, =', () => {
    const m = value('p = {\n  #x = 1\n  ,a = 2\n  a=b = 3\n  = = 4\n  a= = 5\n}') as OclMap;
    expect(m.entries.map((e) => [e.key, e.value.type === 'int' ? e.value.value : null])).toEqual([
      ['#x', 1],
      [',a', 2],
      ['a=b', 3],
      ['=', 4],
      ['a=', 5],
    ]);
  });

  it('a value glued to the next key splits as Octopus reads it', () => {
    const m = value('p = {\n  a = 1b = 2 c = truex.y = "s" d = 1.x = 3\n}') as OclMap;
    expect(m.entries.map((e) => [e.key, e.value.type])).toEqual([
      ['a', 'int'],
      ['b', 'int'],
      ['c', 'bool'],
      ['x.y', 'string'],
      ['d', 'int'],
      ['.x', 'int'],
    ]);
    expect(codes('p = {\n  a = 1b\n}')).toEqual(['OCL011']);
  });

  it('}x = 1 at a key position is a key, as in Octopus', () => {
    expect((value('p = {\n }x = 1\n}') as OclMap).entries[0]!.key).toBe('}x');
  });

  it('the map may close right after a value', () => {
    expect((value('p = { a = 1}') as OclMap).entries[0]!.value).toMatchObject({ type: 'int', value: 1 });
    expect((value('p = { a = "1"}\nb = 2') as OclMap).entries).toHaveLength(1);
  });

  it('nested maps are not supported', () => {
    const { diagnostics } = parseOcl('P = {\n a = {\n b = "1"\n }\n}');
    expect(diagnostics.map((d) => d.code)).toEqual(['OCL022']);
    expect(diagnostics[0]!.summary).toBe('nested maps are not supported');
    expect(diagnostics[0]!.range!.start.line).toBe(2);
  });

  it('duplicate keys are errors pointing at the first', () => {
    const { diagnostics } = parseOcl('p = {\n a = "1"\n "a" = "2"\n}');
    expect(diagnostics.map((d) => d.code)).toEqual(['OCL025']);
    expect(diagnostics[0]!.range!.start.line).toBe(3);
    expect(diagnostics[0]!.related![0]!.range!.start.line).toBe(2);
  });

  it('keys are case-sensitive', () => {
    expect((value('p = {\n a = 1\n A = 2\n}') as OclMap).entries).toHaveLength(2);
  });

  it('key and entry ranges', () => {
    const m = value('p = {\n  "k" = 1\n}') as OclMap;
    const e = m.entries[0]!;
    expect([e.keyRange.start.column, e.keyRange.end.column]).toEqual([3, 6]);
    expect([e.range.start.column, e.range.end.column]).toEqual([3, 10]);
    expect([m.range.start.line, m.range.end.line, m.range.end.column]).toEqual([1, 3, 2]);
  });
});

describe('whitespace model', () => {
  it('Unicode spaces, NBSP, vertical tab and form feed are same-line whitespace', () => {
    const doc = parseClean('a\u00a0=\u2003"x"\u2028b\v=\f1\u3000\nc = 2');
    expect(doc.body.map((e) => e.name)).toEqual(['a', 'b', 'c']);
  });

  it('a lone \r is same-line whitespace, not a line break', () => {
    expect(parseClean('a = 1\rb = 2').body.map((e) => e.name)).toEqual(['a', 'b']);
    expect(codes('blk {\ra = 1\r}')).toEqual(['OCL005']);
  });

  it('no whitespace is needed between a name, its labels and its body, or after a string value', () => {
    expect(block(parseClean('blk"x""y"{}')).labels.map((l) => l.value)).toEqual(['x', 'y']);
    expect(parseClean('a = "x"b = 1').body.map((e) => e.name)).toEqual(['a', 'b']);
  });
});

describe('CRLF files', () => {
  it('parse like LF files', () => {
    const lf = 'step "a" {\n    name = "x"\n    properties = {\n        k = "v"\n    }\n}\n';
    const doc = parseClean(lf.replace(/\n/g, '\r\n'));
    const step = block(doc);
    expect(attribute(step).value).toMatchObject({ value: 'x' });
    expect((attribute(step, 1).value as OclMap).entries[0]!.key).toBe('k');
    expect(doc.lineEnding).toBe('\r\n');
  });
});

describe('edge-case matrix (ocl-spec.md §1.14)', () => {
  const ok = [
    'A = null',
    'A = [\n "a",\n "b"\n]',
    'P = {\n "a"="1"\n}',
    'P = { a = "1" }',
    'a = 1 b = 2',
    'blk\n{\n a = 1\n}',
    'b "x" "y" {}',
    'blk {\n\ta = 1\n}',
  ];
  const bad = [
    'A = True',
    'A = [true]',
    'A = [1, 1.5]',
    'A = ["a",]',
    'P = {\n a="1"\n}',
    'P = {\n a = {\n b = "1"\n }\n}',
    'blk { a = 1 }',
    'my-block {}',
    'blk foo {}',
    '# c\na = 1',
    '// c\na = 1',
    'A = 99999999999',
    'A = 1e6',
    'A = +1',
    'A = .5',
  ];
  for (const text of ok) it(`accepts ${JSON.stringify(text)}`, () => parseClean(text));
  for (const text of bad) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      expect(parseOcl(text).diagnostics.filter((d) => d.severity === 'error').length).toBeGreaterThan(0);
    });
  }

  it('<<-EOT with content at 8 and EOT at 4 keeps 4 leading spaces', () => {
    expect(heredoc('a = <<-EOT\n        x\n    EOT').value).toBe('    x');
  });
});

describe('options', () => {
  it('file is put on diagnostics', () => {
    expect(parseOcl('a = foo', { file: 'x.ocl' }).diagnostics[0]!.file).toBe('x.ocl');
  });

  it('maxDepth bounds nesting', () => {
    const nested = (n: number) => 'a {\n'.repeat(n) + 'x = 1\n' + '}\n'.repeat(n);
    expect(parseOcl(nested(5), { maxDepth: 5 }).diagnostics).toEqual([]);
    const { document, diagnostics } = parseOcl(nested(6), { maxDepth: 5 });
    expect(diagnostics.map((d) => d.code)).toEqual(['OCL027']);
    expect(diagnostics[0]!.range!.start.line).toBe(6);
    // The shallower levels are still in the tree; the too-deep block is kept with an empty body.
    let b = block(document);
    for (let i = 1; i < 6; i++) b = block(b);
    expect(b.body).toEqual([]);
  });
});
