import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ajvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/report/fingerprint.js';
import { DECISION_FINGERPRINT, DIAGNOSTIC_FINGERPRINT, buildSarif, fileUri, renderSarif, type SarifResult } from '../../src/report/sarif.js';
import {
  BILLING_FILE,
  NASTY_REASON,
  SEARCH_FILE,
  TEMPLATE_FILE,
  TEMPLATE_SOURCE,
  WEB_FILE,
  WEB_SOURCE,
  cleanReport,
  lintReport,
  rangeOf,
} from './lint-fixture.js';

type AjvClass = typeof ajvModule.default;
const Ajv: AjvClass = (ajvModule as unknown as { default?: AjvClass }).default ?? (ajvModule as unknown as AjvClass);
type AddFormats = typeof addFormatsModule.default;
const addFormats: AddFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

// The official OASIS schema, vendored byte for byte (see sarif-2.1.0.schema.SOURCE.md).
const schemaPath = fileURLToPath(new URL('../fixtures/sarif-2.1.0.schema.json', import.meta.url));
const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validateSarif = ajv.compile(schema);

function expectValid(log: unknown): void {
  const valid = validateSarif(log);
  expect(valid ? [] : validateSarif.errors).toEqual([]);
}

describe('renderSarif', () => {
  const report = lintReport();
  const text = renderSarif(report);
  const log = JSON.parse(text) as ReturnType<typeof buildSarif>;
  const run = log.runs[0];
  const results = run.results;
  const byRule = (id: string) => results.filter((r) => r.ruleId === id);

  it('validates against the official SARIF 2.1.0 schema', () => {
    expect(schema.$id).toBe('https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json');
    expectValid(log);
    expectValid(buildSarif(cleanReport()));
    expectValid(buildSarif(report, { uriBaseId: '%SRCROOT%', srcRoot: 'file:///work/repo/', informationUri: 'https://example.com/oclhub', policyHelpUri: (p) => `https://hub.example.com/policies/${p}` }));
  });

  it('is checked by the schema (a broken log is rejected)', () => {
    const broken = JSON.parse(text) as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    broken.runs[0]!.results[0]!.level = 'fatal';
    expect(validateSarif(broken)).toBe(false);
  });

  it('declares one rule per policy and one per diagnostic code', () => {
    const rules = run.tool.driver.rules;
    expect(run.tool.driver).toMatchObject({ name: 'oclhub', version: '0.1.0', semanticVersion: '0.1.0' });
    expect(rules.map((r) => r.id).sort()).toEqual(
      ['OCL011', 'POL900', 'TPL990', 'no_prerelease_packages', 'require_manual_intervention', 'require_smoke_test', 'tenant_tags'].sort(),
    );
    const manual = rules.find((r) => r.id === 'require_manual_intervention')!;
    expect(manual).toMatchObject({ name: 'Require manual intervention', shortDescription: { text: 'Require manual intervention' }, defaultConfiguration: { level: 'error' } });
    expect(manual.properties.version).toBe('1.2.0');
    expect(rules.find((r) => r.id === 'no_prerelease_packages')!.defaultConfiguration.level).toBe('warning');
    expect(rules.find((r) => r.id === 'OCL011')).toMatchObject({ shortDescription: { text: 'unquoted string value' }, defaultConfiguration: { level: 'error' } });
    expect(rules.find((r) => r.id === 'POL900')!.defaultConfiguration.level).toBe('note');
    for (const result of results) expect(rules[result.ruleIndex]!.id).toBe(result.ruleId);
  });

  it('reports violations, exceptions and errors, but not passes or out-of-scope policies', () => {
    expect(byRule('require_manual_intervention').map((r) => r.level)).toEqual(['error', 'error']);
    expect(byRule('no_prerelease_packages').map((r) => r.level)).toEqual(['warning']);
    expect(byRule('tenant_tags')).toHaveLength(1);
    expect(byRule('tenant_tags')[0]!.message.text).toContain('policy evaluation failed: conditions: undefined reference input.Tenant.Tags');
    // 2 blocked + 1 warning + 1 excepted + 1 error + 3 diagnostics
    expect(results).toHaveLength(8);
  });

  it('points a violation at the step region, with template and usage lines as related locations', () => {
    const [web] = byRule('require_manual_intervention') as [SarifResult];
    const step = rangeOf(TEMPLATE_SOURCE, 'step "deploy-package" {');
    expect(web.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: TEMPLATE_FILE },
      region: {
        startLine: step.start.line,
        startColumn: 1,
        endLine: step.start.line,
        endColumn: 1 + 'step "deploy-package" {'.length,
        snippet: { text: 'step "deploy-package" {' },
      },
    });
    const usage = rangeOf(WEB_SOURCE, 'process_template "deploy" {');
    expect(web.relatedLocations).toEqual([
      expect.objectContaining({ id: 1, message: { text: 'step defined in process template deploy_web 2.3.0' } }),
      {
        id: 2,
        physicalLocation: {
          artifactLocation: { uri: WEB_FILE },
          region: { startLine: usage.start.line, startColumn: 1, endLine: usage.start.line, endColumn: usage.end.column, snippet: { text: 'process_template "deploy" {' } },
        },
        message: { text: 'process template used here' },
      },
    ]);
    expect(web.message.text).toBe('Production deployments need a manual intervention step before "Deploy package"');
  });

  it('names the context as a logical location project/environment[/tenant]/step with its parents in the run', () => {
    const [web, billing] = byRule('require_manual_intervention') as [SarifResult, SarifResult];
    const webLogical = web.locations[0]!.logicalLocations![0]!;
    expect(webLogical).toMatchObject({ name: 'deploy-package', kind: 'step', fullyQualifiedName: 'web-app/production/deploy-package' });
    expect(billing.locations[0]!.logicalLocations![0]).toMatchObject({ fullyQualifiedName: 'billing/production/acme/deploy-package' });
    const chain: string[] = [];
    for (let at: number | undefined = webLogical.index; at !== undefined; at = run.logicalLocations[at]!.parentIndex) {
      chain.push(`${run.logicalLocations[at]!.kind}:${run.logicalLocations[at]!.name}`);
    }
    expect(chain).toEqual(['step:deploy-package', 'environment:production', 'project:web-app']);
    const error = byRule('tenant_tags')[0]!;
    expect(error.locations[0]!.logicalLocations![0]).toMatchObject({ kind: 'environment', fullyQualifiedName: 'search api/production' });
  });

  it('anchors every result to a file and a line, because GitHub rejects a log with one unlocated result', () => {
    for (const result of results) {
      expect(result.locations).toHaveLength(1);
      expect(result.locations[0].physicalLocation.artifactLocation.uri).not.toBe('');
      expect(result.locations[0].physicalLocation.region!.startLine).toBeGreaterThanOrEqual(1);
    }
    // No location and no file: the evaluation error goes to the policy file when known, else oclhub.ocl.
    expect(byRule('tenant_tags')[0]!.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'oclhub.ocl' }, region: { startLine: 1 } });
    expect(byRule('POL900')[0]!.locations[0].physicalLocation.artifactLocation.uri).toBe('oclhub.ocl');
    const anchored = buildSarif(report, { policyFile: (p) => `.octopus/policies/${p}.ocl`, fallbackFile: 'hub/oclhub.ocl' }).runs[0].results;
    expect(anchored.find((r) => r.ruleId === 'tenant_tags')!.locations[0].physicalLocation.artifactLocation.uri).toBe('.octopus/policies/tenant_tags.ocl');
    expect(anchored.find((r) => r.ruleId === 'POL900')!.locations[0].physicalLocation.artifactLocation.uri).toBe('hub/oclhub.ocl');
    // A violation with a step location keeps it.
    expect(anchored.find((r) => r.ruleId === 'no_prerelease_packages')!.locations[0].physicalLocation.artifactLocation.uri).toBe(WEB_FILE);
  });

  it('suppresses excepted violations with the exception as justification', () => {
    const [excepted] = byRule('require_smoke_test') as [SarifResult];
    expect(excepted.suppressions).toEqual([
      { kind: 'external', state: 'accepted', justification: 'Smoke tests move to the new runner in Q3', properties: { owner: 'team-billing', expires: '2026-12-31' } },
    ]);
    expect(excepted.properties.outcome).toBe('excepted');
    expect(results.filter((r) => r.suppressions).length).toBe(1);
  });

  it('carries diagnostics with their regions, detail and related locations', () => {
    const [ocl] = byRule('OCL011') as [SarifResult];
    expect(ocl.level).toBe('error');
    expect(ocl.message.text).toBe('unquoted string value\nQuote it: "always".');
    expect(ocl.locations[0]!.physicalLocation!.artifactLocation.uri).toBe('.octopus/search%20api/deployment_process.ocl');
    expect(ocl.locations[0]!.physicalLocation!.region).toMatchObject({ startLine: 3, startColumn: 17, endLine: 3, endColumn: 23 });
    const [tpl] = byRule('TPL990') as [SarifResult];
    expect(tpl.level).toBe('warning');
    expect(tpl.locations[0]!.physicalLocation!.artifactLocation.uri).toBe(BILLING_FILE);
    expect(tpl.relatedLocations).toEqual([{ id: 1, physicalLocation: { artifactLocation: { uri: TEMPLATE_FILE } }, message: { text: 'latest version 2.3.0 published here' } }]);
    expect(SEARCH_FILE).toContain(' ');
  });

  it('keeps special characters intact in JSON strings', () => {
    expect(byRule('no_prerelease_packages')[0]!.message.text).toBe(NASTY_REASON);
  });

  it('fingerprints findings by meaning, not by line', () => {
    const shifted = lintReport();
    // Move every range of the web-app warning down three lines: same finding, new place.
    const warning = shifted.evaluations[1]!.decisions[1]!;
    const range = warning.location!.range!;
    warning.location!.range = { start: { ...range.start, line: range.start.line + 3 }, end: { ...range.end, line: range.end.line + 3 } };
    const before = byRule('no_prerelease_packages')[0]!.partialFingerprints[DECISION_FINGERPRINT];
    const after = buildSarif(shifted).runs[0].results.find((r) => r.ruleId === 'no_prerelease_packages')!.partialFingerprints[DECISION_FINGERPRINT];
    expect(before).toMatch(/^[0-9a-f]{32}$/);
    expect(after).toBe(before);
    const prints = results.map((r) => r.partialFingerprints[DECISION_FINGERPRINT] ?? r.partialFingerprints[DIAGNOSTIC_FINGERPRINT]);
    expect(new Set(prints).size).toBe(results.length);
  });

  it('fingerprints with the first half of the sha-256 of the parts joined by NUL, whichever hash Node offers', () => {
    // CI systems match findings across runs by these: one-shot or Hash object, the same hex.
    for (const parts of [['policy', 'web-app', 'production', '', 'deploy'], ['', 'ü € 😀', 'a\u0000b']]) {
      expect(fingerprint(parts)).toBe(createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32));
    }
  });

  it('records the exit code and the summary', () => {
    expect(run.invocations[0]).toEqual({
      executionSuccessful: true,
      exitCode: 1,
      exitCodeDescription: expect.stringContaining('2 blocked, 1 warning, 1 excepted, 1 error'),
    });
    expect(run.properties).toMatchObject({ hubRef: 'refs/heads/main@4f2a9c1', failOn: 'block', summary: { violations: { block: 2, warn: 1 }, failed: true } });
    expect(buildSarif(cleanReport()).runs[0].invocations[0].exitCode).toBe(0);
  });

  it('encodes file paths as relative URI references', () => {
    expect(fileUri('a b/c#d?.ocl')).toBe('a%20b/c%23d%3F.ocl');
    expect(fileUri('.octopus\\win\\x.ocl')).toBe('.octopus/win/x.ocl');
    expect(fileUri('ünï.ocl')).toBe('%C3%BCn%C3%AF.ocl');
    expect(fileUri('bad\ud800.ocl')).toBe('bad%EF%BF%BD.ocl');
  });
});
