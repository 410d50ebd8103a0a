import ajvModule from 'ajv';
import { describe, expect, it } from 'vitest';
import type { SourceRepository } from '../../src/diagnostics.js';
import { buildGitlab, renderGitlab, type GitlabIssue } from '../../src/report/gitlab.js';
import type { LintReport } from '../../src/report/lint-report.js';
import { buildSarif } from '../../src/report/sarif.js';
import {
  BILLING_ACME_EXCEPTED,
  BILLING_FILE,
  BILLING_SOURCE,
  INFO_DIAGNOSTIC,
  OCL_ERROR,
  SEARCH_FILE,
  SEARCH_SOURCE,
  TEMPLATE_FILE,
  TEMPLATE_SOURCE,
  TPL_WARNING,
  WEB_FILE,
  WEB_SOURCE,
  cleanReport,
  lintReport,
  rangeOf,
} from './lint-fixture.js';

type AjvClass = typeof ajvModule.default;
const Ajv: AjvClass = (ajvModule as unknown as { default?: AjvClass }).default ?? (ajvModule as unknown as AjvClass);

/**
 * The Code Quality report as GitLab documents it (docs.gitlab.com/ci/testing/code_quality, "Code Quality
 * report format"): an array of objects with these required fields; `severity` one of GitLab's five.
 */
const CODE_QUALITY_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    required: ['description', 'check_name', 'fingerprint', 'severity', 'location'],
    properties: {
      description: { type: 'string', minLength: 1 },
      check_name: { type: 'string', minLength: 1 },
      fingerprint: { type: 'string', minLength: 1 },
      severity: { enum: ['info', 'minor', 'major', 'critical', 'blocker'] },
      location: {
        type: 'object',
        required: ['path', 'lines'],
        properties: {
          path: { type: 'string', minLength: 1, not: { pattern: '^(/|[A-Za-z]:)' } },
          lines: { type: 'object', required: ['begin'], properties: { begin: { type: 'integer', minimum: 1 }, end: { type: 'integer', minimum: 1 } } },
        },
      },
    },
  },
};
const validate = new Ajv({ allErrors: true, strict: false }).compile(CODE_QUALITY_SCHEMA);

function issueFor(issues: GitlabIssue[], check: string, text: string): GitlabIssue {
  const found = issues.filter((i) => i.check_name === check && i.description.includes(text));
  expect(found, `${check} ${text}`).toHaveLength(1);
  return found[0]!;
}

describe('renderGitlab', () => {
  const report = lintReport();
  const issues = JSON.parse(renderGitlab(report)) as GitlabIssue[];

  it('is the JSON array GitLab reads, with unique fingerprints', () => {
    expect(validate(issues) ? [] : validate.errors).toEqual([]);
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(issues.length);
    expect(JSON.parse(renderGitlab(cleanReport()))).toEqual([]);
  });

  it('maps outcomes and severities: fail-closed errors are blockers, blocking violations critical', () => {
    const prod = issueFor(issues, 'require_manual_intervention', 'web-app/production');
    expect(prod).toMatchObject({ severity: 'critical', location: { path: TEMPLATE_FILE, lines: { begin: rangeOf(TEMPLATE_SOURCE, 'step "deploy-package" {').start.line } } });
    expect(prod.description).toContain('Production deployments need a manual intervention step');
    expect(prod.description).toContain('step deploy-package');
    expect(issueFor(issues, 'no_prerelease_packages', 'web-app/staging')).toMatchObject({ severity: 'minor', location: { path: WEB_FILE, lines: { begin: rangeOf(WEB_SOURCE, 'step "build-info" {').start.line } } });
    // A policy that could not be evaluated, with no location: anchored at line 1 of oclhub.ocl.
    expect(issueFor(issues, 'tenant_tags', 'search api/production')).toMatchObject({ severity: 'blocker', location: { path: 'oclhub.ocl', lines: { begin: 1 } } });
    expect(issueFor(issues, 'OCL011', 'unquoted string value')).toMatchObject({ severity: 'major', location: { path: SEARCH_FILE, lines: { begin: rangeOf(SEARCH_SOURCE, 'always').start.line } } });
    expect(issueFor(issues, 'TPL990', 'version mask')).toMatchObject({ severity: 'minor', location: { path: BILLING_FILE, lines: { begin: rangeOf(BILLING_SOURCE, 'version_mask').start.line } } });
    expect(issueFor(issues, 'POL900', 'no description')).toMatchObject({ severity: 'info', location: { path: 'oclhub.ocl', lines: { begin: 1 } } });
    // Passes, out-of-scope and excepted decisions are not issues.
    const decisions = report.evaluations.flatMap((e) => e.decisions);
    const expected = decisions.filter((d) => d.outcome === 'violation' || d.outcome === 'error' || d.outcome === 'inconclusive').length + report.diagnostics.length;
    expect(issues).toHaveLength(expected);
    expect(issues.some((i) => i.check_name === BILLING_ACME_EXCEPTED.policy)).toBe(false);
  });

  it('keeps fingerprints across runs and line shifts, the same as the SARIF ones', () => {
    expect(buildGitlab(lintReport())).toEqual(buildGitlab(lintReport()));
    const shifted = lintReport();
    const shift = (r: { start: { line: number }; end: { line: number } } | undefined) => {
      if (r) {
        r.start.line += 3;
        r.end.line += 3;
      }
    };
    for (const e of shifted.evaluations) for (const d of e.decisions) if (d.location?.range) d.location = { ...d.location, range: structuredClone(d.location.range) };
    for (const e of shifted.evaluations) for (const d of e.decisions) shift(d.location?.range);
    shifted.diagnostics = shifted.diagnostics.map((d) => (d.range ? { ...d, range: { start: { ...d.range.start, line: d.range.start.line + 3 }, end: { ...d.range.end, line: d.range.end.line + 3 } } } : d));
    const before = buildGitlab(lintReport());
    const after = buildGitlab(shifted);
    expect(after.map((i) => i.fingerprint)).toEqual(before.map((i) => i.fingerprint));
    expect(after.map((i) => i.location.lines.begin)).not.toEqual(before.map((i) => i.location.lines.begin));
    const sarif = buildSarif(lintReport()).runs[0]!.results.filter((r) => !r.suppressions).flatMap((r) => Object.values(r.partialFingerprints));
    expect(new Set(before.map((i) => i.fingerprint))).toEqual(new Set(sarif));
  });

  it('counts identical diagnostics apart so that GitLab keeps each', () => {
    const twice: LintReport = { ...cleanReport(), diagnostics: [OCL_ERROR, { ...OCL_ERROR, range: rangeOf(SEARCH_SOURCE, 'name') }, INFO_DIAGNOSTIC, TPL_WARNING] };
    const out = buildGitlab(twice);
    expect(new Set(out.map((i) => i.fingerprint)).size).toBe(4);
  });
});

describe('renderGitlab over several repositories', () => {
  const HUB: SourceRepository = { id: 'hub', location: '../platform-hub', commit: 'a'.repeat(40) };
  const APP: SourceRepository = { id: 'payments', location: '.', commit: 'b'.repeat(40) };
  const SHOP: SourceRepository = { id: 'shop', location: 'https://git.example.com/shop.git', commit: 'c'.repeat(40) };
  const usage = rangeOf(WEB_SOURCE, 'process_template "deploy" {');
  const templateStep = rangeOf(TEMPLATE_SOURCE, 'step "smoke-test" {');
  const base = { inScope: true, allowed: false, action: 'block' as const, outcome: 'violation' as const };
  const report: LintReport = {
    ...cleanReport(),
    home: 'payments',
    repositories: [HUB, APP, SHOP],
    evaluations: [
      {
        project: 'payments',
        environment: 'production',
        decisions: [
          // A template step in the hub, brought in by this repository's template usage.
          { policy: 'require_smoke_test', ...base, reason: 'smoke test disabled', location: { file: TEMPLATE_FILE, range: templateStep, step: 'smoke-test', repository: HUB, related: [{ file: WEB_FILE, range: usage, message: 'process template used here', repository: APP }] } },
          { policy: 'no_disabled_steps', ...base, reason: 'build-info disabled', location: { file: WEB_FILE, range: rangeOf(WEB_SOURCE, 'step "build-info" {'), step: 'build-info', repository: APP } },
        ],
      },
      { project: 'shop', environment: 'production', decisions: [{ policy: 'no_disabled_steps', ...base, reason: 'shop-off disabled', location: { file: '.octopus/deployment_process.ocl', range: templateStep, repository: SHOP } }] },
    ],
  };
  const issues = buildGitlab(report);

  it('places another repository’s finding on the line of this one that brought it in, naming where it is', () => {
    expect(validate(issues) ? [] : validate.errors).toEqual([]);
    const smoke = issueFor(issues, 'require_smoke_test', 'smoke test disabled');
    expect(smoke.location).toEqual({ path: WEB_FILE, lines: { begin: usage.start.line } });
    expect(smoke.description).toContain(`(in ../platform-hub/${TEMPLATE_FILE}:${templateStep.start.line})`);
    expect(issueFor(issues, 'no_disabled_steps', 'build-info')).toMatchObject({ location: { path: WEB_FILE } });
    // Nothing in this repository to point at: the path says which repository it is in.
    const shop = issueFor(issues, 'no_disabled_steps', 'shop-off');
    expect(shop.location.path).toBe(`https://git.example.com/shop.git@${'c'.repeat(12)} .octopus/deployment_process.ocl`);
  });
});

describe('renderGitlab: a context that could not be decided', () => {
  const unresolved = { severity: 'error' as const, code: 'TPL103', summary: 'No published version of "deploy" matches 9.X', detail: 'Published: 1.0.0, 1.1.0', file: WEB_FILE, range: rangeOf(WEB_SOURCE, 'version_mask'), project: 'web-app' };
  // As lint reports it: the resolution error is the undecided contexts' cause and a diagnostic of the run.
  const report: LintReport = {
    ...cleanReport(),
    evaluations: ['staging', 'production'].map((environment) => ({ project: 'web-app', environment, decisions: [], errors: [{ ...unresolved }] })),
    diagnostics: [{ ...unresolved }, INFO_DIAGNOSTIC],
  };
  const issues = buildGitlab(report);

  it('is one blocker per context naming the error in full, and the error is not listed again', () => {
    expect(validate(issues) ? [] : validate.errors).toEqual([]);
    const undecided = issues.filter((i) => i.check_name === 'oclhub-undecided');
    expect(undecided.map((i) => i.severity)).toEqual(['blocker', 'blocker']);
    for (const issue of undecided) {
      expect(issue.description).toContain('TPL103 No published version of "deploy" matches 9.X — Published: 1.0.0, 1.1.0');
      expect(issue.location).toEqual({ path: WEB_FILE, lines: { begin: unresolved.range.start.line } });
    }
    expect(issues.filter((i) => i.check_name === 'TPL103')).toEqual([]);
    // Other diagnostics are still listed.
    expect(issues.filter((i) => i.check_name === INFO_DIAGNOSTIC.code)).toHaveLength(1);
  });

  it('still lists a diagnostic that left no context undecided', () => {
    const decided: LintReport = { ...report, evaluations: [{ project: 'web-app', environment: 'staging', decisions: [] }] };
    expect(buildGitlab(decided).filter((i) => i.check_name === 'TPL103')).toHaveLength(1);
  });
});
