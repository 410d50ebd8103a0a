import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { validateFile, type HubConfigDocument } from '../../src/model/index.js';
import { applyRuleSettings, checkRuleSettings, type RuleSetting } from '../../src/model/rule-settings.js';

const at = (code: string, file: string, severity: Diagnostic['severity'] = 'error'): Diagnostic => ({ severity, code, summary: `${code} in ${file}`, file });

describe('rule settings in oclhub.ocl', () => {
  const text = [
    'rule "TPL004" {',
    '    paths = ["templates/**/*.ocl"]',
    '    reason = "Sub-properties resolved by Octopus"',
    '    severity = "off"',
    '}',
    '',
    'rule "SCH1*" {',
    '    severity = "info"',
    '}',
    '',
  ].join('\n');
  const r = validateFile({ path: 'oclhub.ocl', text });
  const doc = r.document as HubConfigDocument;

  it('are read with their ranges and validate against the schema', () => {
    expect(r.diagnostics).toEqual([]);
    expect(doc.rules.map((s) => [s.code, s.severity, s.paths, s.reason])).toEqual([
      ['TPL004', 'off', ['templates/**/*.ocl'], 'Sub-properties resolved by Octopus'],
      ['SCH1*', 'info', [], undefined],
    ]);
    expect(doc.rules[0]!.headerRange.start.line).toBe(1);
  });

  it('reject an unknown severity with the allowed values', () => {
    const bad = validateFile({ path: 'oclhub.ocl', text: 'rule "TPL004" {\n    severity = "quiet"\n}\n' });
    expect(bad.diagnostics.map((d) => [d.code, d.range?.start.line])).toEqual([['SCH005', 2]]);
  });
});

describe('applyRuleSettings', () => {
  const settings: RuleSetting[] = [
    { code: 'TPL004', severity: 'off', paths: ['templates/**'], reason: 'expanded by Octopus' },
    { code: 'BP*', severity: 'info', paths: [] },
    { code: 'BP001', severity: 'error', paths: [] },
    { code: 'OCL001', severity: 'off', paths: [] },
  ];

  it('silences matching findings and keeps them in `suppressed` with their original severity', () => {
    const { diagnostics, suppressed } = applyRuleSettings([at('TPL004', 'templates/a/x.ocl'), at('TPL004', 'projects/x.ocl')], settings);
    expect(diagnostics.map((d) => d.file)).toEqual(['projects/x.ocl']);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]!.adjusted).toMatchObject({ originalSeverity: 'error', reason: 'expanded by Octopus', file: 'oclhub.ocl' });
  });

  it('lets the most specific setting win and marks changed severities', () => {
    const { diagnostics } = applyRuleSettings([at('BP002', 'a.ocl', 'warning'), at('BP001', 'a.ocl', 'warning')], settings);
    expect(diagnostics.map((d) => [d.code, d.severity, d.adjusted?.originalSeverity])).toEqual([
      ['BP002', 'info', 'warning'],
      ['BP001', 'error', 'warning'],
    ]);
  });

  it('never lowers a syntax error: the file was not checked', () => {
    const { diagnostics, suppressed } = applyRuleSettings([at('OCL001', 'a.ocl')], settings);
    expect(suppressed).toEqual([]);
    expect(diagnostics[0]!.severity).toBe('error');
  });

  it('reports settings that name unknown codes (with did-you-mean) or try to lower syntax errors', () => {
    const found = checkRuleSettings(
      [
        { code: 'TPL04', severity: 'off', paths: [] },
        { code: 'OCL001', severity: 'warning', paths: [] },
        { code: 'TPL004', paths: [] },
      ],
      new Set(['TPL004', 'OCL001']),
    );
    expect(found.map((d) => [d.code, d.summary])).toEqual([
      ['HUB031', 'rule "TPL04" names no diagnostic code oclhub reports (did you mean "TPL004"?)'],
      ['HUB030', 'rule "OCL001" cannot lower syntax errors: a file that cannot be parsed is never checked'],
      ['HUB032', 'rule "TPL004" sets no severity: it changes nothing'],
    ]);
  });
});
