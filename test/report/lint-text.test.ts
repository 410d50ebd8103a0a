import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { renderLintText, sanitize } from '../../src/report/lint-text.js';
import {
  BILLING_FILE,
  TEMPLATE_FILE,
  TEMPLATE_SOURCE,
  WEB_FILE,
  WEB_SOURCE,
  cleanReport,
  lintReport,
} from './lint-fixture.js';

const lineNumberOf = (source: string, needle: string) => source.slice(0, source.indexOf(needle)).split('\n').length;

describe('renderLintText', () => {
  const text = renderLintText(lintReport());
  const lines = text.split('\n');

  it('groups findings under project and environment headers, with the tenant', () => {
    const headers = lines.filter((l) => /^\s*(project|environment) /.test(l));
    expect(headers).toEqual([
      'project web-app',
      '  environment staging',
      '  environment production',
      'project billing',
      '  environment production, tenant acme',
      'project search api',
      '  environment production',
    ]);
  });

  it('shows a blocking violation with location, policy name, reason, action and a code frame at the step', () => {
    const templateLine = lineNumberOf(TEMPLATE_SOURCE, 'step "deploy-package"');
    const header = `    ${TEMPLATE_FILE}:${templateLine}:1: blocked require_manual_intervention: Production deployments need a manual intervention step before "Deploy package"`;
    const at = lines.indexOf(header);
    expect(at).toBeGreaterThan(lines.indexOf('project web-app'));
    expect(lines[at + 1]).toBe('      policy Require manual intervention (require_manual_intervention 1.2.0), action block, step deploy-package');
    expect(lines[at + 2]).toBe(`        ${templateLine} | step "deploy-package" {`);
    expect(lines[at + 3]).toBe(`          | ${'^'.repeat('step "deploy-package" {'.length)}`);
  });

  it('shows the template provenance and the project usage line, each with its own frame', () => {
    const usageLine = lineNumberOf(WEB_SOURCE, 'process_template "deploy"');
    const note = `      note: ${WEB_FILE}:${usageLine}:1: process template used here`;
    const at = lines.indexOf(note);
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe(`        ${usageLine} | process_template "deploy" {`);
    expect(lines).toContain(`      note: ${TEMPLATE_FILE}:3:1: step defined in process template deploy_web 2.3.0`);
    expect(lines.some((l) => l.startsWith(`      note: ${BILLING_FILE}:1:1: process template used here`))).toBe(true);
  });

  it('shows warnings, exceptions and evaluation errors', () => {
    expect(text).toContain(`    ${WEB_FILE}:1:1: warning no_prerelease_packages: Pre-release "1.0.0-beta" is 50% riskier: use <release> & co, not\n      beta\\x07 builds\n`);
    expect(text).toContain('excepted require_smoke_test: The smoke test step must run in production');
    expect(text).toContain('      exception: Smoke tests move to the new runner in Q3 (owner team-billing, expires 2026-12-31)');
    expect(lines).toContain('    error tenant_tags: policy evaluation failed: conditions: undefined reference input.Tenant.Tags\\x1b[0m');
    expect(text).not.toMatch(/[\u0007\u001b]/);
  });

  it('renders diagnostics with code frames before the policy results', () => {
    expect(text).toContain('.octopus/search api/deployment_process.ocl:3:17: error OCL011: unquoted string value\n  3 |     condition = always\n    |                 ^^^^^^\n');
    expect(text.indexOf('OCL011')).toBeLessThan(text.indexOf('project web-app'));
  });

  it('lists passing contexts only when verbose', () => {
    expect(text).not.toContain('environment development');
    const verbose = renderLintText(lintReport(), { verbose: true });
    expect(verbose).toContain('  environment development\n    passed No pre-release packages (no_prerelease_packages 3.0.1)\n    not in scope Require manual intervention');
  });

  it('ends with one summary line', () => {
    expect(lines.at(-1)).toBe('');
    expect(lines.at(-2)).toBe(
      '3 projects × 3 environments × 1 tenant: 2 blocked, 1 warning, 1 excepted, 1 error; 1 diagnostic error, 1 diagnostic warning — failed (fail on block)',
    );
    expect(renderLintText(cleanReport())).toBe('1 project × 2 environments: 0 blocked, 0 warnings, 0 errors — passed (fail on block)\n');
  });

  it('colours only when given colours', () => {
    const coloured = renderLintText(lintReport(), { colors: pc.createColors(true) });
    expect(text).not.toMatch(/\u001b\[/);
    expect(coloured).toMatch(/\u001b\[31m/);
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(text);
  });

  it('makes control characters visible', () => {
    expect(sanitize('a\u001b[31mb\tc\nd\u0085')).toBe('a\\x1b[31mb\tc\nd\\x85');
    expect(sanitize('windows\r\nold mac\rend')).toBe('windows\nold mac\nend');
  });
});
