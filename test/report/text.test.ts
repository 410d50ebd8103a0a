import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { LineIndex, type Diagnostic } from '../../src/diagnostics.js';
import { buildJsonReport } from '../../src/report/json.js';
import { formatLocation, renderDiagnostics } from '../../src/report/text.js';

const source = 'step "a" {\n\tname = x\n    other = "Ünïcödé" y\n}\n';
const index = new LineIndex(source);

function at(text: string, length = text.length, from = 0): Diagnostic['range'] {
  const offset = source.indexOf(text, from);
  return index.range(offset, offset + length);
}

describe('renderDiagnostics', () => {
  it('prints location, severity, code, summary, a code frame with a caret and the detail', () => {
    const text = renderDiagnostics(
      [{ severity: 'error', code: 'OCL011', summary: 'unquoted string value', detail: 'Quote it: "x".', file: 'f.ocl', range: at('x', 1, 12) }],
      { sources: new Map([['f.ocl', source]]) },
    );
    expect(text).toBe(['f.ocl:2:9: error OCL011: unquoted string value', '  2 | \tname = x', '    | \t       ^', '  Quote it: "x".', ''].join('\n') + '\n');
  });

  it('underlines the whole range and counts non-ASCII characters once', () => {
    const text = renderDiagnostics([{ severity: 'warning', code: 'X1', summary: 's', file: 'f.ocl', range: at('y') }], {
      sources: new Map([['f.ocl', source]]),
    });
    const [, frame, caret] = text.split('\n');
    expect(frame).toBe('  3 |     other = "Ünïcödé" y');
    expect(caret!.indexOf('^')).toBe(frame!.indexOf(' y') + 1);
    const wide = renderDiagnostics([{ severity: 'info', code: 'X2', summary: 's', file: 'f.ocl', range: at('"Ünïcödé"') }], {
      sources: new Map([['f.ocl', source]]),
    });
    expect(wide.split('\n')[2]).toBe('    |             ^^^^^^^^^');
  });

  it('underlines a multi-line range to the end of its first line', () => {
    const text = renderDiagnostics([{ severity: 'error', code: 'X', summary: 's', file: 'f.ocl', range: index.range(0, source.length) }], {
      sources: new Map([['f.ocl', source]]),
    });
    expect(text.split('\n')[2]).toBe('    | ' + '^'.repeat('step "a" {'.length));
  });

  it('works without a source, a range or a file, and shows related locations', () => {
    const text = renderDiagnostics([
      { severity: 'error', code: 'A', summary: 'no range', file: 'g.ocl' },
      { severity: 'warning', code: 'B', summary: 'nowhere', related: [{ file: 'h.ocl', range: at('step'), message: 'declared here' }] },
    ]);
    expect(text).toBe('g.ocl: error A: no range\n\nwarning B: nowhere\n  note: h.ocl:1:1: declared here\n\n');
  });

  it('colours only when given colours', () => {
    const d: Diagnostic = { severity: 'error', code: 'A', summary: 's', file: 'f.ocl', range: at('x', 1, 12) };
    const plain = renderDiagnostics([d], { sources: new Map([['f.ocl', source]]) });
    const coloured = renderDiagnostics([d], { sources: new Map([['f.ocl', source]]), colors: pc.createColors(true) });
    expect(plain).not.toMatch(/\u001b\[/);
    expect(coloured).toMatch(/\u001b\[31m/);
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain);
  });

  it('formats locations from the parts it has', () => {
    expect(formatLocation('a.ocl', undefined)).toBe('a.ocl');
    expect(formatLocation(undefined, at('step'))).toBe('1:1');
  });
});

describe('buildJsonReport', () => {
  it('counts files, errors and warnings', () => {
    const report = buildJsonReport([
      { file: 'a.ocl', diagnostics: [{ severity: 'error', code: 'A', summary: 's' }, { severity: 'warning', code: 'B', summary: 's' }] },
      { file: 'b.ocl', diagnostics: [{ severity: 'info', code: 'C', summary: 's' }] },
    ]);
    expect(report.summary).toEqual({ files: 2, errors: 1, warnings: 1 });
    expect(report.files.map((f) => f.file)).toEqual(['a.ocl', 'b.ocl']);
  });
});
