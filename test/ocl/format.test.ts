import { describe, expect, it } from 'vitest';
import { formatOcl, printVerified } from '../../src/ocl/format.js';
import { attr, block, doc, int, str } from './builders.js';

describe('formatOcl', () => {
  it('formats, reports whether the text changed, and keeps the parsed document', () => {
    const messy = 'a   =   1\nb {\n  c = "x"\n}';
    const result = formatOcl(messy, { file: 'm.ocl' });
    expect(result.diagnostics).toEqual([]);
    expect(result.formatted).toBe('a = 1\n\nb {\n    c = "x"\n}');
    expect(result.changed).toBe(true);
    expect(formatOcl(result.formatted!).changed).toBe(false);
  });

  it('returns no text for input with syntax errors', () => {
    const result = formatOcl('a = \n', { file: 'bad.ocl' });
    expect(result.formatted).toBeUndefined();
    expect(result.diagnostics.some((d) => d.severity === 'error' && d.file === 'bad.ocl')).toBe(true);
  });
});

describe('printVerified', () => {
  it('refuses a document whose printed form would not read back the same (OCL290)', () => {
    // Only a hand-built AST can hold a name the parser rejects; jsonToOcl would refuse it earlier.
    const unreadable = doc([block('step', [], [attr('my-attr', int(1))])]);
    const result = printVerified(unreadable, { file: 'x.ocl' });
    expect(result.text).toBeUndefined();
    expect(result.diagnostics).toMatchObject([{ severity: 'error', code: 'OCL290', file: 'x.ocl' }]);
    expect(result.diagnostics[0]!.detail).toMatch(/reparse: OCL\d{3}/);
  });

  it('returns the text of a document that reads back the same', () => {
    expect(printVerified(doc([attr('a', str('x\ny'))]))).toEqual({ text: 'a = <<-EOT\n        x\n        y\n        EOT', diagnostics: [] });
  });
});
