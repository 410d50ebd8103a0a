import { describe, expect, it } from 'vitest';
import { LINT_JSON_FORMAT, buildLintJson, renderLintJson } from '../../src/report/lint-json.js';
import type { LintReport } from '../../src/report/lint-report.js';
import { BILLING_ACME_EXCEPTED, TEMPLATE_FILE, WEB_FILE, WEB_PROD_BLOCK, cleanReport, lintReport } from './lint-fixture.js';

/** The same report with every object's keys inserted in reverse order. */
function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (value instanceof Map || value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as object).reverse().map(([k, v]) => [k, reversedKeys(v)])) as T;
}

describe('renderLintJson', () => {
  const json = JSON.parse(renderLintJson(lintReport())) as ReturnType<typeof buildLintJson>;

  it('has the header, the exit code and the summary', () => {
    expect(Object.keys(json)).toEqual(['format', 'tool', 'hubRef', 'failOn', 'exitCode', 'summary', 'evaluations', 'diagnostics']);
    expect(json.format).toBe(LINT_JSON_FORMAT);
    expect(json.tool).toEqual({ name: 'oclhub', version: '0.1.0' });
    expect(json.exitCode).toBe(1);
    expect(json.summary).toMatchObject({ projects: 3, environments: 3, tenants: 1, violations: { block: 2, warn: 1 }, excepted: 1, errors: 1, failed: true });
    expect(JSON.parse(renderLintJson(cleanReport())).exitCode).toBe(0);
  });

  it('keeps every decision with its location, provenance and exception', () => {
    expect(json.evaluations).toHaveLength(9);
    const prod = json.evaluations.find((e) => e.project === 'web-app' && e.environment === 'production')!;
    expect(prod).not.toHaveProperty('tenant');
    const blocked = prod.decisions[0]!;
    expect(blocked).toEqual(JSON.parse(JSON.stringify(WEB_PROD_BLOCK)));
    expect(blocked.location!.file).toBe(TEMPLATE_FILE);
    expect(blocked.location!.related!.map((r) => r.file)).toEqual([TEMPLATE_FILE, WEB_FILE]);
    const billing = json.evaluations.find((e) => e.tenant === 'acme' && e.environment === 'production')!;
    expect(billing.decisions[2]!.exception).toEqual(BILLING_ACME_EXCEPTED.exception);
    expect(json.diagnostics.map((d) => d.code)).toEqual(['OCL011', 'TPL990', 'POL900']);
  });

  it('prints the same bytes whatever the key order of the input', () => {
    const report = lintReport();
    const shuffled: LintReport = { ...reversedKeys({ ...report, sources: undefined }), sources: report.sources };
    expect(renderLintJson(shuffled)).toBe(renderLintJson(report));
    const decision = JSON.parse(renderLintJson(shuffled)).evaluations[2].decisions[0];
    expect(Object.keys(decision)).toEqual(['policy', 'policyName', 'version', 'inScope', 'allowed', 'action', 'outcome', 'reason', 'location']);
    expect(Object.keys(decision.location.range.start)).toEqual(['line', 'column', 'offset']);
  });

  it('can leave out passes and out-of-scope decisions', () => {
    const findings = buildLintJson(lintReport(), { findingsOnly: true });
    const outcomes = findings.evaluations.flatMap((e) => e.decisions.map((d) => d.outcome)).sort();
    expect(outcomes).toEqual(['error', 'excepted', 'violation', 'violation', 'violation']);
    expect(findings.summary.passed).toBeGreaterThan(0);
  });

  it('leaves the sources out', () => {
    expect(renderLintJson(lintReport())).not.toContain('sources');
    expect(renderLintJson(lintReport())).not.toContain('Octopus.TentaclePackage');
  });
});
