import { describe, expect, it } from 'vitest';
import { escapeAttribute, escapeText, renderJunit } from '../../src/report/junit.js';
import { NASTY_REASON, TEMPLATE_FILE, TEMPLATE_SOURCE, WEB_FILE, cleanReport, lintReport } from './lint-fixture.js';
import { findAll, parseXml, type XmlElement } from './xml.js';

const lineOf = (source: string, needle: string) => source.slice(0, source.indexOf(needle)).split('\n').length;

function suites(root: XmlElement): Map<string, XmlElement> {
  return new Map(findAll(root, 'testsuite').map((s) => [s.attributes.name!, s]));
}
function testcase(suite: XmlElement, name: string): XmlElement {
  const found = suite.children.find((c) => c.name === 'testcase' && c.attributes.name === name);
  if (!found) throw new Error(`no testcase ${name} in ${suite.attributes.name}`);
  return found;
}
const child = (el: XmlElement, name: string) => el.children.find((c) => c.name === name);

describe('renderJunit', () => {
  const xml = renderJunit(lintReport());
  const root = parseXml(xml);
  const bySuite = suites(root);

  it('is well-formed XML with one suite per context plus diagnostics', () => {
    expect(root.name).toBe('testsuites');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    expect([...bySuite.keys()]).toEqual([
      'web-app/development',
      'web-app/staging',
      'web-app/production',
      'billing/development/acme',
      'billing/staging/acme',
      'billing/production/acme',
      'search api/development',
      'search api/staging',
      'search api/production',
      'diagnostics',
    ]);
  });

  it('makes one test case per policy with classname project.environment[.tenant]', () => {
    const prod = bySuite.get('web-app/production')!;
    const cases = prod.children.filter((c) => c.name === 'testcase');
    expect(cases.map((c) => c.attributes.name)).toEqual(['require_manual_intervention', 'no_prerelease_packages', 'require_smoke_test']);
    expect(new Set(cases.map((c) => c.attributes.classname))).toEqual(new Set(['web-app.production']));
    expect(testcase(bySuite.get('billing/production/acme')!, 'require_smoke_test').attributes.classname).toBe('billing.production.acme');
    const properties = findAll(prod, 'property').map((p) => [p.attributes.name, p.attributes.value]);
    expect(properties).toEqual([
      ['project', 'web-app'],
      ['environment', 'production'],
      ['hubRef', 'refs/heads/main@4f2a9c1'],
    ]);
  });

  it('turns a blocking violation into a failure with provenance in the body and file/line attributes', () => {
    const blocked = testcase(bySuite.get('web-app/production')!, 'require_manual_intervention');
    expect(blocked.attributes.file).toBe(TEMPLATE_FILE);
    expect(blocked.attributes.line).toBe(String(lineOf(TEMPLATE_SOURCE, 'step "deploy-package"')));
    const failure = child(blocked, 'failure')!;
    expect(failure.attributes).toEqual({ message: 'Production deployments need a manual intervention step before "Deploy package"', type: 'block' });
    const body = failure.text.split('\n');
    expect(body).toContain('policy: Require manual intervention (require_manual_intervention 1.2.0)');
    expect(body).toContain(`at: ${TEMPLATE_FILE}:3:1 (step deploy-package)`);
    expect(body).toContain(`note: ${WEB_FILE}:9:1: process template used here`);
  });

  it('skips out-of-scope and excepted policies, saying why', () => {
    const outOfScope = testcase(bySuite.get('web-app/development')!, 'require_manual_intervention');
    expect(child(outOfScope, 'skipped')!.attributes.message).toBe('not in scope');
    const excepted = child(testcase(bySuite.get('billing/production/acme')!, 'require_smoke_test'), 'skipped')!;
    expect(excepted.attributes.message).toBe(
      'excepted until 2026-12-31 (owner team-billing): Smoke tests move to the new runner in Q3 — violation: The smoke test step must run in production',
    );
  });

  it('reports evaluation errors as <error>', () => {
    const error = child(testcase(bySuite.get('search api/production')!, 'tenant_tags'), 'error')!;
    expect(error.attributes.type).toBe('evaluation-error');
    expect(error.attributes.message).toBe('policy evaluation failed: conditions: undefined reference input.Tenant.Tags\\x1b[0m');
  });

  it('passes warnings at fail level block, with the warning in system-out, and fails them at fail level warn', () => {
    const warning = testcase(bySuite.get('web-app/staging')!, 'no_prerelease_packages');
    expect(child(warning, 'failure')).toBeUndefined();
    const out = child(warning, 'system-out')!.text;
    expect(out.startsWith('WARNING (does not fail at fail level block)\n')).toBe(true);
    // The reason survives escaping; only the BEL control character (not allowed in XML 1.0) is made visible.
    expect(out).toContain(NASTY_REASON.replace('\u0007', '\\x07'));

    const strict = suites(parseXml(renderJunit(lintReport('warn'))));
    const failure = child(testcase(strict.get('web-app/staging')!, 'no_prerelease_packages'), 'failure')!;
    expect(failure.attributes.type).toBe('warn');
    expect(failure.attributes.message).toBe(NASTY_REASON.split('\n')[0]);
    expect(child(testcase(strict.get('diagnostics')!, 'TPL990 .octopus/billing/deployment_process.ocl:4:5'), 'failure')!.attributes.type).toBe('warning');

    const lenient = suites(parseXml(renderJunit(lintReport('error'))));
    const blocked = testcase(lenient.get('web-app/production')!, 'require_manual_intervention');
    expect(child(blocked, 'failure')).toBeUndefined();
    expect(child(blocked, 'system-out')!.text).toMatch(/^BLOCKED \(does not fail at fail level error\)/);
  });

  it('makes diagnostics test cases', () => {
    const diagnostics = bySuite.get('diagnostics')!;
    const ocl = testcase(diagnostics, 'OCL011 .octopus/search api/deployment_process.ocl:3:17');
    expect(ocl.attributes).toMatchObject({ classname: 'oclhub.diagnostics', file: '.octopus/search api/deployment_process.ocl', line: '3' });
    expect(child(ocl, 'failure')!.attributes).toEqual({ message: 'unquoted string value', type: 'error' });
    expect(child(ocl, 'failure')!.text).toContain('Quote it: "always".');
    const info = testcase(diagnostics, 'POL900');
    expect(child(info, 'system-out')!.text).toBe('info POL900: policy tenant_tags has no description');
  });

  it('counts tests, failures, errors and skips consistently', () => {
    const total = (attr: string) => [...bySuite.values()].reduce((n, s) => n + Number(s.attributes[attr]), 0);
    for (const attr of ['tests', 'failures', 'errors', 'skipped']) expect(Number(root.attributes[attr])).toBe(total(attr));
    // 9 contexts × 3 policies + 1 broken policy + 3 diagnostics
    expect(root.attributes.tests).toBe(String(9 * 3 + 1 + 3));
    expect(root.attributes.failures).toBe('3'); // 2 blocked + 1 OCL error
    expect(root.attributes.errors).toBe('1');
    expect(root.attributes.skipped).toBe('13'); // 12 out of scope + 1 excepted
    for (const suite of bySuite.values()) {
      const cases = suite.children.filter((c) => c.name === 'testcase');
      expect(Number(suite.attributes.tests)).toBe(cases.length);
      expect(Number(suite.attributes.skipped)).toBe(cases.filter((c) => child(c, 'skipped')).length);
    }
    expect(parseXml(renderJunit({ ...lintReport(), evaluations: lintReport().evaluations.slice(0, 1) }, { omitOutOfScope: true })).children[0]!.attributes.tests).toBe('1');
  });

  it('renders a clean report', () => {
    const clean = parseXml(renderJunit(cleanReport()));
    expect(clean.attributes).toMatchObject({ tests: '2', failures: '0', errors: '0', skipped: '0' });
    expect(findAll(clean, 'testsuite').map((s) => s.attributes.name)).toEqual(['web-app/staging', 'web-app/production']);
  });
});

describe('XML escaping', () => {
  const awkward = 'a<b>&c "q" \'s\'\r\n\tline\u0000\u001b\ud800x\uffff🙂]]>';

  it('round-trips text and attributes through a strict parser', () => {
    const root = parseXml(`<r a="${escapeAttribute(awkward)}">${escapeText(awkward)}</r>`);
    const expected = 'a<b>&c "q" \'s\'\r\n\tline\\x00\\x1b\\ud800x\\uffff🙂]]>';
    expect(root.attributes.a).toBe(expected);
    expect(root.text).toBe(expected);
  });

  it('survives hostile names everywhere in a report', () => {
    const report = lintReport();
    report.evaluations[0]!.project = 'p<&>"\u0001';
    report.evaluations[0]!.decisions[0]!.policy = 'x"--y';
    report.tool.version = '1--';
    const root = parseXml(renderJunit(report));
    expect(findAll(root, 'testsuite')[0]!.attributes.name).toBe('p<&>"\\x01/development');
    expect(findAll(root, 'testcase')[0]!.attributes.name).toBe('x"--y');
  });

  it('rejects what it should (the checker is not a rubber stamp)', () => {
    for (const bad of ['<a>', '<a></b>', '<a x=1/>', '<a>&nope;</a>', '<a>\u0001</a>', '<a>&#0;</a>', '<a/><b/>', '<a x="1" x="2"/>', '<a>x < y</a>', '<!-- a -- b --><a/>']) {
      expect(() => parseXml(bad), bad).toThrow(/not well-formed/);
    }
  });
});
