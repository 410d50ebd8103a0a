import { describe, expect, it } from 'vitest';
import { chooseHeredocTag, decodeHeredoc, printOcl, quote } from '../../src/ocl/printer.js';
import { arr, attr, block, bool, dec, doc, heredoc, int, map, nul, str } from './builders.js';

const lines = (...text: string[]) => text.join('\n');

describe('printOcl layout (ocl-spec §2.1)', () => {
  it('separates siblings by a blank line unless both are attributes', () => {
    const printed = printOcl(
      doc([
        attr('name', str('n')),
        attr('description', str('d')),
        block('step', ['a'], [block('action', [], [attr('action_type', str('t'))]), attr('after_block', int(1))]),
        block('step', ['b']),
        attr('tail', bool(true)),
      ]),
    );
    expect(printed).toBe(
      lines(
        'name = "n"',
        'description = "d"',
        '',
        'step "a" {',
        '    action {',
        '        action_type = "t"',
        '    }',
        '',
        '    after_block = 1',
        '}',
        '',
        'step "b" {}',
        '',
        'tail = true',
      ),
    );
  });

  it('puts no blank line before a block that is the first child of its parent', () => {
    expect(printOcl(doc([block('variable', ['X'], [block('value', ['a']), block('value', ['b'], [attr('x', int(1))])])]))).toBe(
      lines('variable "X" {', '    value "a" {}', '', '    value "b" {', '        x = 1', '    }', '}'),
    );
  });

  it('quotes and escapes every label and keeps all of them', () => {
    expect(printOcl(doc([block('donor_package', ['a "b"', 'c\\d\te'])]))).toBe('donor_package "a \\"b\\"" "c\\\\d\\te" {}');
  });

  it('preserves CRLF line endings and the final newline', () => {
    const d = doc([attr('a', int(1)), block('b', [], [attr('c', int(2))])], { lineEnding: '\r\n', finalNewline: true });
    expect(printOcl(d)).toBe('a = 1\r\n\r\nb {\r\n    c = 2\r\n}\r\n');
    expect(printOcl(d, { lineEnding: '\n', finalNewline: false })).toBe('a = 1\n\nb {\n    c = 2\n}');
  });

  it('writes an empty document as nothing, and keeps a byte-order mark', () => {
    expect(printOcl(doc([]))).toBe('');
    expect(printOcl(doc([attr('version', int(6))], { bom: true }))).toBe('\uFEFFversion = 6');
  });

  it('does not reorder elements', () => {
    const printed = printOcl(doc([attr('z', int(1)), attr('a', int(2)), block('y', []), block('b', [])]));
    expect(printed).toBe(lines('z = 1', 'a = 2', '', 'y {}', '', 'b {}'));
  });
});

describe('printOcl values (ocl-spec §2.2–2.4)', () => {
  it('writes scalars canonically', () => {
    const printed = printOcl(
      doc([attr('a', nul()), attr('b', bool(false)), attr('c', int(7, '007')), attr('d', int(-12)), attr('e', dec('1.50'))]),
    );
    expect(printed).toBe(lines('a = null', 'b = false', 'c = 7', 'd = -12', 'e = 1.50'));
  });

  it('escapes exactly backslash, CR, LF, tab and quote', () => {
    expect(quote('a\\b\rc\td"e')).toBe('"a\\\\b\\rc\\td\\"e"');
    expect(quote('#{Octopus.Env} $x \u00e9 \ud83d\ude80 \u0001')).toBe('"#{Octopus.Env} $x \u00e9 \ud83d\ude80 \u0001"');
  });

  it('writes arrays on one line, string items always quoted', () => {
    const printed = printOcl(
      doc([
        attr('a', arr('string', [str('x'), str('y\nz')] as never)),
        attr('b', arr('int', [int(1), int(2)] as never)),
        attr('c', arr('decimal', [dec('1.5')] as never)),
        attr('d', arr('string', [])),
      ]),
    );
    expect(printed).toBe(lines('a = ["x", "y\\nz"]', 'b = [1, 2]', 'c = [1.5]', 'd = []'));
  });

  it('writes a value with a newline as an indented heredoc at (depth + 2) × 4, blank lines indented', () => {
    const script = 'echo 1\n\n  echo 2';
    const printed = printOcl(doc([attr('top', str(script)), block('step', ['s'], [block('action', [], [attr('properties', map([['Script', str(script)]]))])])]));
    expect(printed).toBe(
      lines(
        'top = <<-EOT',
        '        echo 1',
        '        ',
        '          echo 2',
        '        EOT',
        '',
        'step "s" {',
        '    action {',
        '        properties = {',
        '            Script = <<-EOT',
        '                echo 1',
        '                ',
        '                  echo 2',
        '                EOT',
        '        }',
        '    }',
        '}',
      ),
    );
  });

  it('writes a heredoc without a newline as a quoted string', () => {
    expect(printOcl(doc([attr('a', heredoc('single line', 'END', false))]))).toBe('a = "single line"');
  });

  it('picks a tag that no value line equals', () => {
    expect(chooseHeredocTag('cat <<EOT\nhello\nEOT')).toBe('EOT1');
    expect(chooseHeredocTag('  EOT \t\nEOT1')).toBe('EOT2');
    expect(chooseHeredocTag('EOTX\nX EOT')).toBe('EOT');
    expect(printOcl(doc([attr('a', str('cat <<EOT\nEOT'))]))).toBe(lines('a = <<-EOT1', '        cat <<EOT', '        EOT', '        EOT1'));
  });

  it('keeps CRs of the value and ends the last line with the document line ending', () => {
    const crlf = doc([attr('a', str('x\r\ny\r\n'))], { lineEnding: '\r\n' });
    expect(printOcl(crlf)).toBe('a = <<-EOT\r\n        x\r\n        y\r\n        \r\n        EOT');
    const lfValueInCrlfDoc = doc([attr('a', str('x\ny'))], { lineEnding: '\r\n' });
    expect(printOcl(lfValueInCrlfDoc)).toBe('a = <<-EOT\r\n        x\n        y\r\n        EOT');
  });

  it('falls back to a quoted string when no heredoc can carry the carriage returns', () => {
    for (const value of ['a\nb\r', 'a\r\nb\nc', 'a\r\r\nb', '\r\n\r']) {
      expect(printOcl(doc([attr('a', str(value))]))).toBe(`a = ${quote(value)}`);
    }
  });

  it('uses a plain heredoc for legacy readers when every line starts with whitespace', () => {
    const value = '  indented\n\n    more';
    expect(printOcl(doc([attr('a', str(value))]), { heredocMode: 'legacy' })).toBe(lines('a = <<EOT', '  indented', '', '    more', 'EOT'));
    expect(printOcl(doc([attr('a', str('x\n  y'))]), { heredocMode: 'legacy' })).toBe(lines('a = <<-EOT', '        x', '          y', '        EOT'));
    // The current rule caps the unindent at the end tag, so `<<-` keeps the leading whitespace.
    expect(printOcl(doc([attr('a', str(value))]))).toBe(lines('a = <<-EOT', '          indented', '        ', '            more', '        EOT'));
  });

  it('writes maps one entry per line, sorted like Octopus, quoting keys only when needed', () => {
    const printed = printOcl(
      doc([
        attr(
          'properties',
          map([
            ['versionNumber', str('1')],
            ['Octopus.Action.Template.Id', str('2'), true],
            ['commitId', str('3')],
            ['with space', int(4)],
            ['q"uote', int(5)],
            ['', int(6)],
            ['Octopus.Action.Package[Web].Path', nul()],
          ]),
        ),
        attr('empty', map([])),
      ]),
    );
    expect(printed).toBe(
      lines(
        'properties = {',
        '    "" = 6',
        '    commitId = "3"',
        '    Octopus.Action.Package[Web].Path = null',
        '    Octopus.Action.Template.Id = "2"',
        '    "q\\"uote" = 5',
        '    versionNumber = "1"',
        '    "with space" = 4',
        '}',
        'empty = {',
        '}',
      ),
    );
  });
});

describe('decodeHeredoc (the parser rule the printer simulates)', () => {
  it('unindents by the end tag when content is deeper (current rule) and by content only (legacy)', () => {
    const body = ['                a', '                  b'];
    expect(decodeHeredoc(body, true, '            ', 'current')).toBe('    a\n      b');
    expect(decodeHeredoc(body, true, '            ', 'legacy')).toBe('a\n  b');
  });

  it('joins with CRLF iff a line other than the last ends in CR', () => {
    expect(decodeHeredoc(['a\r', 'b\r'], false, '', 'current')).toBe('a\r\nb');
    expect(decodeHeredoc(['a', 'b\r'], false, '', 'current')).toBe('a\nb');
  });

  it('empties blank lines no longer than the unindent and keeps surplus whitespace', () => {
    expect(decodeHeredoc(['    x', '  ', '      '], true, '    ', 'current')).toBe('x\n\n  ');
  });
});
