/**
 * Renderers over a report that spans repositories: two project repositories holding a file at the
 * same path with different lines, the hub's template at a tag, an undecided context, an inconclusive
 * decision and a finding a rule setting turned off. Each format must take every line from the right
 * repository and say which repository it is.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ajvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { Diagnostic, SourceRepository } from '../../src/diagnostics.js';
import { renderGithub, renderGithubStepSummary } from '../../src/report/github.js';
import { renderJunit } from '../../src/report/junit.js';
import { buildLintJson, renderLintJson } from '../../src/report/lint-json.js';
import { contextStatus, displayPath, sourceKey, summarize, type Evaluation, type LintReport } from '../../src/report/lint-report.js';
import { renderLintText } from '../../src/report/lint-text.js';
import { buildSarif } from '../../src/report/sarif.js';
import { rangeOf } from './lint-fixture.js';

type AjvClass = typeof ajvModule.default;
const Ajv: AjvClass = (ajvModule as unknown as { default?: AjvClass }).default ?? (ajvModule as unknown as AjvClass);
type AddFormats = typeof addFormatsModule.default;
const addFormats: AddFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validateSarif = ajv.compile(JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/sarif-2.1.0.schema.json', import.meta.url)), 'utf8')) as object);

const FILE = '.octopus/deployment_process.ocl';
const TEMPLATE = '.octopus/process-templates/deploy.ocl';
const HUB: SourceRepository = { id: 'hub', location: '/srv/hub', commit: 'a'.repeat(40) };
const HUB_AT_TAG: SourceRepository = { id: 'hub', location: '/srv/hub', commit: 'b'.repeat(40) };
const PAY: SourceRepository = { id: 'payments', location: '../payments', commit: 'c'.repeat(40) };
const SHOP: SourceRepository = { id: 'shop', location: 'https://git.example.com/shop.git', commit: 'd'.repeat(40), ref: 'main' };

const PAY_TEXT = 'step "pay-build" {\n    name = "Build"\n}\n\nstep "pay-off" {\n    name = "Off"\n}\n';
const SHOP_TEXT = 'step "shop-off" {\n    name = "Off"\n}\n';
const TEMPLATE_TEXT = 'name = "Deploy"\n\nstep "smoke" {\n    name = "Smoke"\n}\n';

function report(home = 'hub'): LintReport {
  const base = { inScope: true, allowed: false, action: 'block' as const, policyName: 'No disabled steps', version: '1.0.0' };
  const evaluations: Evaluation[] = [
    {
      project: 'payments',
      environment: 'production',
      decisions: [
        { policy: 'no_disabled_steps', ...base, outcome: 'violation', reason: 'Disabled: pay-off', location: { file: FILE, range: rangeOf(PAY_TEXT, 'step "pay-off" {'), step: 'pay-off', repository: PAY, related: [{ file: TEMPLATE, range: rangeOf(TEMPLATE_TEXT, 'step "smoke" {'), message: 'template step', repository: HUB_AT_TAG }] } },
        { policy: 'min_release', ...base, policyName: 'Minimum release version', allowed: true, outcome: 'inconclusive', needs: ['Release'], location: { file: FILE, repository: PAY } },
      ],
    },
    { project: 'shop', environment: 'production', decisions: [{ policy: 'no_disabled_steps', ...base, outcome: 'violation', reason: 'Disabled: shop-off', location: { file: FILE, range: rangeOf(SHOP_TEXT, 'step "shop-off" {'), step: 'shop-off', repository: SHOP } }] },
    {
      project: 'broken',
      environment: 'production',
      decisions: [],
      errors: [{ severity: 'error', code: 'HUB040', summary: 'Project "broken": path ".octpus" does not exist', file: 'oclhub.ocl', range: rangeOf('project "broken" {\n', 'project "broken" {'), project: 'broken', repository: HUB }],
    },
  ];
  const suppressed: Diagnostic = {
    severity: 'warning',
    code: 'SCH001',
    summary: 'Unknown attribute `colour`',
    file: FILE,
    range: rangeOf(PAY_TEXT, 'name = "Build"'),
    project: 'payments',
    repository: PAY,
    adjusted: { originalSeverity: 'warning', reason: 'colours are fine', file: 'oclhub.ocl', range: rangeOf('rule "SCH001" {', 'rule "SCH001" {') },
  };
  return {
    tool: { name: 'oclhub', version: '1.2.3' },
    hubRef: HUB.commit!,
    evaluations,
    diagnostics: [evaluations[2]!.errors![0]!],
    sources: new Map([
      [sourceKey(FILE, PAY), PAY_TEXT],
      [sourceKey(FILE, SHOP), SHOP_TEXT],
      [sourceKey(TEMPLATE, HUB_AT_TAG), TEMPLATE_TEXT],
      [sourceKey('oclhub.ocl', HUB), 'project "broken" {\n'],
    ]),
    failOn: 'block',
    suppressed: [suppressed],
    repositories: [HUB, PAY, SHOP],
    home,
  };
}

describe('a report over several repositories', () => {
  it('summarizes: an undecided context fails the run; inconclusive and suppressed are counted and never fail', () => {
    const summary = summarize(report());
    expect(summary).toMatchObject({ undecided: 1, inconclusive: 1, suppressed: 1, failed: true });
    expect(summarize({ ...report(), evaluations: [report().evaluations[0]!].map((e) => ({ ...e, decisions: e.decisions.slice(1) })), diagnostics: [] }).failed).toBe(false);
    expect(report().evaluations.map(contextStatus)).toEqual(['blocked', 'blocked', 'error']);
  });

  it('shows other repositories\' files with their location, outside the home one', () => {
    const r = report();
    expect(displayPath(r, FILE, PAY)).toBe(`../payments/${FILE}`);
    expect(displayPath(r, FILE, SHOP)).toBe(`https://git.example.com/shop.git@dddddddddddd ${FILE}`);
    expect(displayPath(r, 'oclhub.ocl', HUB)).toBe('oclhub.ocl');
    expect(displayPath(report('payments'), FILE, PAY)).toBe(FILE);
    expect(displayPath(report('payments'), TEMPLATE, HUB_AT_TAG)).toBe(`/srv/hub/${TEMPLATE}`);
  });

  it('text: each frame from its own repository, the template line from the tag, the undecided context once', () => {
    const text = renderLintText(report());
    expect(text).toContain(`../payments/${FILE}:5:1: blocked no_disabled_steps: Disabled: pay-off\n      policy No disabled steps (no_disabled_steps 1.0.0), action block, step pay-off\n        5 | step "pay-off" {`);
    expect(text).toContain(`https://git.example.com/shop.git@dddddddddddd ${FILE}:1:1: blocked no_disabled_steps: Disabled: shop-off`);
    expect(text).toContain('        1 | step "shop-off" {');
    // The hub is home: its template line is shown at its own path, with the line at the tag's commit.
    expect(text).toContain(`note: ${TEMPLATE}:3:1: template step\n        3 | step "smoke" {`);
    expect(text).toContain(`../payments/${FILE}: inconclusive min_release: needs a release version (--release-version): the policy reads input.Release`);
    expect(text).toMatch(/project broken\n {2}environment production\n {4}error: not decided, no policy is active here\n {6}oclhub\.ocl:1:1: HUB040/);
    expect(text).toMatch(/1 inconclusive, 0 errors, 1 context not decided; 1 diagnostic error, 0 diagnostic warnings; 1 suppressed by rule settings — failed/);
  });

  it('json: repositories, home, needs, errors, suppressed — in a fixed key order', () => {
    const json = buildLintJson(report());
    expect(json.home).toBe('hub');
    expect(json.repositories).toEqual([HUB, PAY, SHOP]);
    expect(json.evaluations[0]!.decisions[0]!.location!.repository).toEqual(PAY);
    expect(json.evaluations[0]!.decisions[0]!.location!.related![0]!.repository).toEqual(HUB_AT_TAG);
    expect(json.evaluations[0]!.decisions[1]!.needs).toEqual(['Release']);
    expect(json.evaluations[2]!.errors![0]!.code).toBe('HUB040');
    expect(json.suppressed![0]!.adjusted!.reason).toBe('colours are fine');
    const shuffled = report();
    shuffled.repositories = shuffled.repositories!.map((r) => Object.fromEntries(Object.entries(r).reverse()) as unknown as SourceRepository);
    expect(renderLintJson(shuffled)).toBe(renderLintJson(report()));
  });

  it('sarif: valid 2.1.0, a uriBaseId per repository, provenance, snippets from each repository, suppressions', () => {
    const log = buildSarif(report(), { repositoryRoot: (r) => (r.location.startsWith('..') ? 'file:///work/payments/' : undefined) });
    expect(validateSarif(log) ? [] : validateSarif.errors).toEqual([]);
    const run = log.runs[0];
    const pay = run.results.find((x) => x.properties['project'] === 'payments' && x.ruleId === 'no_disabled_steps')!;
    expect(pay.locations[0].physicalLocation).toMatchObject({ artifactLocation: { uri: FILE, uriBaseId: 'payments' }, region: { startLine: 5, snippet: { text: 'step "pay-off" {' } } });
    expect(pay.relatedLocations![0]!.physicalLocation).toMatchObject({ artifactLocation: { uri: TEMPLATE, uriBaseId: 'hub' }, region: { startLine: 3, snippet: { text: 'step "smoke" {' } } });
    const shop = run.results.find((x) => x.properties['project'] === 'shop')!;
    expect(shop.locations[0].physicalLocation).toMatchObject({ artifactLocation: { uriBaseId: 'shop' }, region: { startLine: 1, snippet: { text: 'step "shop-off" {' } } });
    expect(run.originalUriBaseIds).toEqual({ payments: { uri: 'file:///work/payments/' } });
    expect(run.versionControlProvenance).toEqual([
      { repositoryUri: 'file:///work/payments/', revisionId: PAY.commit, mappedTo: { uriBaseId: 'payments' } },
      { repositoryUri: SHOP.location, revisionId: SHOP.commit, branch: 'main', mappedTo: { uriBaseId: 'shop' } },
    ]);
    const inconclusive = run.results.find((x) => x.ruleId === 'min_release')!;
    expect(inconclusive).toMatchObject({ kind: 'open', level: 'none' });
    const suppressed = run.results.find((x) => x.ruleId === 'SCH001')!;
    expect(suppressed).toMatchObject({ level: 'warning', suppressions: [{ kind: 'external', state: 'accepted', justification: 'colours are fine' }] });
  });

  it('junit: other repositories\' files with their location and source line; suppressed findings skipped', () => {
    const xml = renderJunit(report());
    expect(xml).toContain(`<testcase classname="payments.production" name="no_disabled_steps" time="0" file="../payments/${FILE}" line="5">`);
    expect(xml).toContain('at: ../payments/.octopus/deployment_process.ocl:5:1 (step pay-off)\n  5 | step "pay-off" {');
    expect(xml).toContain('<testcase classname="broken.production" name="not-decided"');
    expect(xml).toMatch(/<testcase classname="payments\.diagnostics" name="SCH001 \.\.\/payments\/\.octopus\/deployment_process\.ocl:2:5"[^>]*>\s*<skipped message="suppressed by the rule setting at oclhub\.ocl:1:1: colours are fine/);
  });

  it('github: annotations only for the home repository; the rest as log lines with their source and in the job summary', () => {
    const atHub = renderGithub(report());
    expect(atHub).toMatch(/^::error file=oclhub\.ocl,line=1,/m);
    expect(atHub).not.toMatch(/^::\w+ file=\.octopus/m);
    expect(atHub).toContain(`error: ../payments/${FILE}:5:1: No disabled steps (blocked) — payments/production\n    5 | step "pay-off" {`);
    const atPayments = renderGithub(report('payments'));
    expect(atPayments).toMatch(new RegExp(`^::error file=${FILE.replace(/\./g, '\\.')},line=5,col=1,`, 'm'));
    expect(atPayments).toMatch(/^::notice file=\.octopus\/deployment_process\.ocl,line=1,title=Minimum release version \(inconclusive\)/m);
    expect(atPayments).not.toMatch(/^::\w+ file=oclhub\.ocl/m);
    const summary = renderGithubStepSummary(report('payments'), { blobUrl: 'https://github.com/o/payments/blob/c' });
    expect(summary).toContain('| Repository |');
    expect(summary).toContain(`[.octopus/deployment\\_process.ocl:5:1](https://github.com/o/payments/blob/c/${FILE}#L5)`);
    expect(summary).toContain('### Inconclusive');
    expect(summary).toContain('### Suppressed by rule settings');
    expect(summary).toMatch(/\| Contexts not decided \| 1 \|/);
  });
});
