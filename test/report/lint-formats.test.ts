import { describe, expect, it } from 'vitest';
import { renderGithub } from '../../src/report/github.js';
import { renderJunit } from '../../src/report/junit.js';
import { LINT_FORMATS, isLintFormat, renderLint } from '../../src/report/lint-formats.js';
import { renderLintJson } from '../../src/report/lint-json.js';
import { renderLintText } from '../../src/report/lint-text.js';
import { renderSarif } from '../../src/report/sarif.js';
import { lintReport } from './lint-fixture.js';

describe('renderLint', () => {
  it('dispatches every format to its renderer with its own options', () => {
    const report = lintReport();
    expect(LINT_FORMATS).toEqual(['text', 'json', 'sarif', 'junit', 'github', 'gitlab']);
    expect(renderLint(report, 'text', { text: { verbose: true } })).toBe(renderLintText(report, { verbose: true }));
    expect(renderLint(report, 'json', { json: { findingsOnly: true } })).toBe(renderLintJson(report, { findingsOnly: true }));
    expect(renderLint(report, 'sarif', { sarif: { fallbackFile: 'x.ocl' } })).toBe(renderSarif(report, { fallbackFile: 'x.ocl' }));
    expect(renderLint(report, 'junit')).toBe(renderJunit(report));
    expect(renderLint(report, 'github', { github: { showExcepted: false } })).toBe(renderGithub(report, { showExcepted: false }));
    expect(new Set(LINT_FORMATS.map((f) => renderLint(report, f))).size).toBe(LINT_FORMATS.length);
  });

  it('recognises format names', () => {
    expect(isLintFormat('sarif')).toBe(true);
    expect(isLintFormat('checkstyle')).toBe(false);
  });
});
