/**
 * A realistic lint report for the renderer tests: three projects × three environments (one
 * tenanted), a violation inside a process template reached from two projects (template line +
 * project usage line as provenance), a warning, an excepted violation, a policy that fails to
 * evaluate, out-of-scope policies, and OCL/template diagnostics. Ranges are computed from the
 * source texts, so the expectations in the tests can be derived from the texts too.
 */
import { LineIndex, type Diagnostic, type Range } from '../../src/diagnostics.js';
import type { Evaluation, FailLevel, LintReport, PolicyDecision } from '../../src/report/lint-report.js';

export const TEMPLATE_FILE = '.octopus/process-templates/deploy_web.ocl';
export const WEB_FILE = '.octopus/web-app/deployment_process.ocl';
export const BILLING_FILE = '.octopus/billing/deployment_process.ocl';
export const SEARCH_FILE = '.octopus/search api/deployment_process.ocl';

export const TEMPLATE_SOURCE = [
  'name = "Deploy web"',
  '',
  'step "deploy-package" {',
  '    name = "Deploy package"',
  '',
  '    action {',
  '        action_type = "Octopus.TentaclePackage"',
  '    }',
  '}',
  '',
  'step "smoke-test" {',
  '    name = "Smoke test"',
  '',
  '    action {',
  '        action_type = "Octopus.Script"',
  '    }',
  '}',
  '',
].join('\n');

export const WEB_SOURCE = [
  'step "build-info" {',
  '    name = "Build info"',
  '',
  '    action {',
  '        action_type = "Octopus.Script"',
  '    }',
  '}',
  '',
  'process_template "deploy" {',
  '    name = "Deploy"',
  '    process_template_slug = "deploy_web"',
  '    version_mask = "2.X"',
  '}',
  '',
].join('\n');

export const BILLING_SOURCE = [
  'process_template "deploy" {',
  '    name = "Deploy"',
  '    process_template_slug = "deploy_web"',
  '    version_mask = "2.1.X"',
  '}',
  '',
].join('\n');

/** Has a syntax error on line 3 (an unquoted value). */
export const SEARCH_SOURCE = ['step "index" {', '    name = "Index"', '    condition = always', '}', ''].join('\n');

/** The range of the `nth` occurrence (0-based) of `needle` in `source`. */
export function rangeOf(source: string, needle: string, nth = 0): Range {
  let offset = -1;
  for (let i = 0; i <= nth; i++) {
    offset = source.indexOf(needle, offset + 1);
    if (offset < 0) throw new Error(`fixture: ${JSON.stringify(needle)} not found`);
  }
  return new LineIndex(source).range(offset, offset + needle.length);
}

/** Characters every format must escape: markup, quotes, separators, newlines, a control character. */
export const NASTY_REASON = 'Pre-release "1.0.0-beta" is 50% riskier: use <release> & co, not\nbeta\u0007 builds';

const templateDeployStep = rangeOf(TEMPLATE_SOURCE, 'step "deploy-package" {');
const templateSmokeStep = rangeOf(TEMPLATE_SOURCE, 'step "smoke-test" {');

function viaTemplate(usageFile: string, usageSource: string, version: string) {
  return [
    { file: TEMPLATE_FILE, range: templateDeployStep, message: `step defined in process template deploy_web ${version}` },
    { file: usageFile, range: rangeOf(usageSource, 'process_template "deploy" {'), message: 'process template used here' },
  ];
}

const manualIntervention = {
  policy: 'require_manual_intervention',
  policyName: 'Require manual intervention',
  version: '1.2.0',
} as const;
const noPrerelease = { policy: 'no_prerelease_packages', policyName: 'No pre-release packages', version: '3.0.1' } as const;
const smokeTest = { policy: 'require_smoke_test', policyName: 'Require a smoke test', version: '1.0.0' } as const;
const broken = { policy: 'tenant_tags', version: '0.9.0' } as const;

function pass(p: { policy: string; policyName?: string; version?: string }, action: 'block' | 'warn' = 'block'): PolicyDecision {
  return { ...p, inScope: true, allowed: true, action, outcome: 'pass' };
}
function outOfScope(p: { policy: string; policyName?: string; version?: string }, action: 'block' | 'warn' = 'block'): PolicyDecision {
  return { ...p, inScope: false, allowed: true, action, outcome: 'skipped' };
}

export const WEB_PROD_BLOCK: PolicyDecision = {
  ...manualIntervention,
  inScope: true,
  allowed: false,
  action: 'block',
  outcome: 'violation',
  reason: 'Production deployments need a manual intervention step before "Deploy package"',
  location: { file: TEMPLATE_FILE, range: templateDeployStep, step: 'deploy-package', related: viaTemplate(WEB_FILE, WEB_SOURCE, '2.3.0') },
};

export const WEB_STAGING_WARN: PolicyDecision = {
  ...noPrerelease,
  inScope: true,
  allowed: false,
  action: 'warn',
  outcome: 'violation',
  reason: NASTY_REASON,
  location: { file: WEB_FILE, range: rangeOf(WEB_SOURCE, 'step "build-info" {'), step: 'build-info' },
};

export const BILLING_ACME_BLOCK: PolicyDecision = {
  ...manualIntervention,
  inScope: true,
  allowed: false,
  action: 'block',
  outcome: 'violation',
  reason: 'Production deployments need a manual intervention step before "Deploy package"',
  location: { file: TEMPLATE_FILE, range: templateDeployStep, step: 'deploy-package', related: viaTemplate(BILLING_FILE, BILLING_SOURCE, '2.1.4') },
};

export const BILLING_ACME_EXCEPTED: PolicyDecision = {
  ...smokeTest,
  inScope: true,
  allowed: false,
  action: 'block',
  outcome: 'excepted',
  reason: 'The smoke test step must run in production',
  exception: { owner: 'team-billing', reason: 'Smoke tests move to the new runner in Q3', expires: '2026-12-31' },
  location: { file: TEMPLATE_FILE, range: templateSmokeStep, step: 'smoke-test' },
};

export const SEARCH_PROD_ERROR: PolicyDecision = {
  ...broken,
  inScope: true,
  allowed: false,
  action: 'block',
  outcome: 'error',
  error: 'conditions: undefined reference input.Tenant.Tags\u001b[0m',
};

export const OCL_ERROR: Diagnostic = {
  severity: 'error',
  code: 'OCL011',
  summary: 'unquoted string value',
  detail: 'Quote it: "always".',
  file: SEARCH_FILE,
  range: rangeOf(SEARCH_SOURCE, 'always'),
};

/** TPL990 and POL900 are fictional codes (only the renderers read them). */
export const TPL_WARNING: Diagnostic = {
  severity: 'warning',
  code: 'TPL990',
  summary: 'version mask 2.1.X pins patch updates only; 2.3.0 is available',
  file: BILLING_FILE,
  range: rangeOf(BILLING_SOURCE, 'version_mask = "2.1.X"'),
  related: [{ file: TEMPLATE_FILE, message: 'latest version 2.3.0 published here' }],
};

export const INFO_DIAGNOSTIC: Diagnostic = { severity: 'info', code: 'POL900', summary: 'policy tenant_tags has no description' };

const environments = ['development', 'staging', 'production'] as const;

function evaluationsFor(project: string, tenant?: string): Evaluation[] {
  return environments.map((environment) => {
    const production = environment === 'production';
    const decisions: PolicyDecision[] = [
      production ? pass(manualIntervention) : outOfScope(manualIntervention),
      pass(noPrerelease, 'warn'),
      production ? pass(smokeTest) : outOfScope(smokeTest),
    ];
    return { project, environment, ...(tenant === undefined ? {} : { tenant }), decisions };
  });
}

/** The report; `failOn` defaults to `block`. */
export function lintReport(failOn: FailLevel = 'block'): LintReport {
  const web = evaluationsFor('web-app');
  web[2]!.decisions[0] = WEB_PROD_BLOCK;
  web[1]!.decisions[1] = WEB_STAGING_WARN;
  const billing = evaluationsFor('billing', 'acme');
  billing[2]!.decisions[0] = BILLING_ACME_BLOCK;
  billing[2]!.decisions[2] = BILLING_ACME_EXCEPTED;
  const search = evaluationsFor('search api');
  search[2]!.decisions.push(SEARCH_PROD_ERROR);
  return {
    tool: { name: 'oclhub', version: '0.1.0' },
    hubRef: 'refs/heads/main@4f2a9c1',
    evaluations: [...web, ...billing, ...search],
    diagnostics: [OCL_ERROR, TPL_WARNING, INFO_DIAGNOSTIC],
    sources: new Map([
      [TEMPLATE_FILE, TEMPLATE_SOURCE],
      [WEB_FILE, WEB_SOURCE],
      [BILLING_FILE, BILLING_SOURCE],
      [SEARCH_FILE, SEARCH_SOURCE],
    ]),
    failOn,
  };
}

/** A report with nothing to say: two passing evaluations. */
export function cleanReport(): LintReport {
  return {
    tool: { name: 'oclhub', version: '0.1.0' },
    evaluations: [
      { project: 'web-app', environment: 'staging', decisions: [pass(manualIntervention)] },
      { project: 'web-app', environment: 'production', decisions: [pass(manualIntervention)] },
    ],
    diagnostics: [],
    failOn: 'block',
  };
}
