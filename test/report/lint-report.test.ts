import { describe, expect, it } from 'vitest';
import {
  contextName,
  decisionFails,
  diagnosticFails,
  lintExitCode,
  policyLabel,
  summarize,
  summaryLine,
  type FailLevel,
  type LintReport,
} from '../../src/report/lint-report.js';
import { cleanReport, lintReport } from './lint-fixture.js';

describe('summarize', () => {
  it('counts contexts and decisions by outcome', () => {
    const summary = summarize(lintReport());
    // 3 projects × 3 environments, 3 policies each plus one broken policy in search api/production.
    expect(summary).toMatchObject({
      evaluations: 9,
      projects: 3,
      environments: 3,
      tenants: 1,
      violations: { block: 2, warn: 1 },
      excepted: 1,
      errors: 1,
      skipped: 12,
      passed: 28 - 12 - 3 - 1 - 1,
      diagnostics: { error: 1, warning: 1 },
      failOn: 'block',
      failed: true,
    });
  });

  it('passes a clean report at every fail level', () => {
    for (const failOn of ['block', 'warn', 'error'] as const) {
      const summary = summarize({ ...cleanReport(), failOn });
      expect(summary.failed).toBe(false);
      expect(lintExitCode(summary)).toBe(0);
    }
  });
});

describe('the fail-level rule', () => {
  function reportWith(parts: { block?: boolean; warn?: boolean; error?: boolean; warnedError?: boolean; diagError?: boolean; diagWarning?: boolean; excepted?: boolean }, failOn: FailLevel): LintReport {
    const base = cleanReport();
    const decisions = base.evaluations[0]!.decisions;
    const violation = { policy: 'p', inScope: true, allowed: false } as const;
    if (parts.block) decisions.push({ ...violation, action: 'block', outcome: 'violation' });
    if (parts.warn) decisions.push({ ...violation, action: 'warn', outcome: 'violation' });
    if (parts.excepted) decisions.push({ ...violation, action: 'block', outcome: 'excepted' });
    if (parts.error) decisions.push({ ...violation, action: 'block', outcome: 'error', error: 'boom' });
    if (parts.warnedError) decisions.push({ ...violation, action: 'warn', outcome: 'error', error: 'boom' });
    if (parts.diagError) base.diagnostics.push({ severity: 'error', code: 'OCL1', summary: 's', file: 'a.ocl' });
    if (parts.diagWarning) base.diagnostics.push({ severity: 'warning', code: 'OCL2', summary: 's', file: 'a.ocl' });
    return { ...base, failOn };
  }
  const cases: Array<[string, Parameters<typeof reportWith>[0], Record<FailLevel, boolean>]> = [
    ['a blocking violation', { block: true }, { block: true, warn: true, error: false }],
    ['a warning violation', { warn: true }, { block: false, warn: true, error: false }],
    ['an error decision (fail closed)', { error: true }, { block: true, warn: true, error: true }],
    ['an error decision under --on-error warn', { warnedError: true }, { block: false, warn: true, error: false }],
    ['an error diagnostic', { diagError: true }, { block: true, warn: true, error: true }],
    ['a warning diagnostic', { diagWarning: true }, { block: false, warn: true, error: false }],
    ['an excepted violation', { excepted: true }, { block: false, warn: false, error: false }],
  ];
  for (const [what, parts, expected] of cases) {
    it(`${what}: fails at ${Object.entries(expected).filter(([, v]) => v).map(([k]) => k).join(', ') || 'no level'}`, () => {
      for (const failOn of ['block', 'warn', 'error'] as const) {
        const summary = summarize(reportWith(parts, failOn));
        expect({ failOn, failed: summary.failed }).toEqual({ failOn, failed: expected[failOn] });
        expect(lintExitCode(summary)).toBe(expected[failOn] ? 1 : 0);
      }
    });
  }

  it('agrees per finding with the summary', () => {
    expect(decisionFails({ outcome: 'violation', action: 'warn' }, 'block')).toBe(false);
    expect(decisionFails({ outcome: 'violation', action: 'warn' }, 'warn')).toBe(true);
    expect(decisionFails({ outcome: 'violation', action: 'block' }, 'error')).toBe(false);
    expect(decisionFails({ outcome: 'excepted', action: 'block' }, 'warn')).toBe(false);
    expect(decisionFails({ outcome: 'error', action: 'block' }, 'error')).toBe(true);
    expect(decisionFails({ outcome: 'error', action: 'warn' }, 'error')).toBe(false);
    expect(decisionFails({ outcome: 'error', action: 'warn' }, 'warn')).toBe(true);
    expect(diagnosticFails({ severity: 'warning' }, 'block')).toBe(false);
    expect(diagnosticFails({ severity: 'info' }, 'warn')).toBe(false);
    expect(diagnosticFails({ severity: 'error' }, 'error')).toBe(true);
  });
});

describe('names and the summary line', () => {
  it('names contexts and policies from the parts it has', () => {
    expect(contextName({ project: 'billing', environment: 'production', tenant: 'acme' })).toBe('billing/production/acme');
    expect(contextName({ project: 'web', environment: 'dev' })).toBe('web/dev');
    expect(policyLabel({ policy: 'p', policyName: 'Policy P', version: '1.0.0' })).toBe('Policy P (p 1.0.0)');
    expect(policyLabel({ policy: 'p' })).toBe('p');
  });

  it('reads like the issue asks', () => {
    expect(summaryLine(summarize(lintReport()))).toBe(
      '3 projects × 3 environments × 1 tenant: 2 blocked, 1 warning, 1 excepted, 1 error; 1 diagnostic error, 1 diagnostic warning — failed (fail on block)',
    );
    expect(summaryLine(summarize(cleanReport()))).toBe('1 project × 2 environments: 0 blocked, 0 warnings, 0 errors — passed (fail on block)');
  });
});
