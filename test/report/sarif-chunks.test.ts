/** The SARIF log written in chunks (what `oclhub lint --format sarif` writes) is `renderSarif`'s, byte for byte. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Diagnostic, SourceRepository } from '../../src/diagnostics.js';
import type { LintReport } from '../../src/report/lint-report.js';
import { renderSarif, sarifChunks, type SarifOptions } from '../../src/report/sarif.js';
import { diagnostic, evaluation, hub, maybe, repository, text } from './lint-arbitraries.js';
import { BILLING_ACME_EXCEPTED, cleanReport, lintReport, OCL_ERROR, TPL_WARNING } from './lint-fixture.js';

const PAYMENTS: SourceRepository = { id: 'payments', location: '../payments', commit: 'c'.repeat(40), ref: 'main' };
const SHOP: SourceRepository = { id: 'shop', location: 'https://git.example.com/shop.git', commit: 'd'.repeat(40) };

/** The fixture with findings a rule setting turned off, and its findings spread over three repositories. */
function spreadReport(): LintReport {
  const report = lintReport();
  const off = (d: Diagnostic, reason?: string): Diagnostic => ({ ...d, adjusted: { originalSeverity: d.severity, file: 'oclhub.ocl', ...(reason === undefined ? {} : { reason }) } });
  report.suppressed = [off(TPL_WARNING, 'templates are checked upstream'), off({ ...OCL_ERROR, repository: PAYMENTS, project: 'billing' })];
  report.diagnostics.push({ ...TPL_WARNING, code: 'TPL020', repository: SHOP, related: [{ message: 'used here', file: 'deploy.ocl', repository: PAYMENTS }] });
  const billing = report.evaluations.find((e) => e.tenant === 'acme' && e.environment === 'production')!;
  billing.decisions.push({ ...BILLING_ACME_EXCEPTED, policy: 'shop_rule', location: { file: 'shop.ocl', step: 'deploy', repository: SHOP } });
  report.repositories = [hub, PAYMENTS, SHOP];
  report.home = 'hub';
  return report;
}

/** `report` with `count` evaluations, copies of its own under other project names. */
function scaled(report: LintReport, count: number): LintReport {
  const evaluations = Array.from({ length: count }, (_, i) => ({ ...report.evaluations[i % report.evaluations.length]!, project: `project-${Math.floor(i / report.evaluations.length)}` }));
  return { ...report, evaluations };
}

const OPTIONS: SarifOptions[] = [
  {},
  { indent: 0 },
  { indent: 4 },
  { uriBaseId: '%SRCROOT%', srcRoot: 'file:///work/hub/', informationUri: 'https://example.com/oclhub', policyHelpUri: (p) => `https://hub.example.com/policies/${p}` },
  { policyFile: (p) => `.octopus/policies/${p}.ocl`, fallbackFile: 'hub/oclhub.ocl', repositoryRoot: (r) => (r.location.startsWith('..') ? 'file:///work/payments' : undefined) },
];

describe('sarifChunks', () => {
  it('writes the bytes renderSarif writes: diagnostics, excepted and suppressed findings, tenants, several repositories', () => {
    for (const report of [lintReport(), lintReport('warn'), spreadReport(), { ...spreadReport(), shard: { index: 2, count: 3, environments: ['production'], tenants: ['acme'] } }]) {
      for (const options of OPTIONS) {
        const chunks = [...sarifChunks(report, options)];
        expect(chunks.join('')).toBe(renderSarif(report, options));
        // The head up to the results, the results, the rest.
        expect(chunks.length).toBe(3);
      }
    }
  });

  it('writes a log without results as one chunk', () => {
    for (const report of [cleanReport(), { ...lintReport(), evaluations: [], diagnostics: [] }]) {
      for (const options of OPTIONS) expect([...sarifChunks(report, options)]).toEqual([renderSarif(report, options)]);
    }
  });

  it('writes the results a batch at a time, every rule and logical location before them', () => {
    // 400 copies of the fixture's nine evaluations: 1,000 decision results, then the diagnostics and suppressed findings.
    const report = scaled(spreadReport(), 3600);
    const expected = renderSarif(report);
    const chunks = [...sarifChunks(report)];
    expect(chunks.join('')).toBe(expected);
    expect(chunks.length).toBeGreaterThan(3);
    // No chunk holds the whole log: the first ends at the results' `[`, the others hold a batch each.
    expect(chunks[0]!.endsWith('"results": [')).toBe(true);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(expected.length / 3);
    // Rules and logical locations come first in the file, so they were all known when the first chunk was written.
    const log = JSON.parse(expected) as { runs: [{ tool: { driver: { rules: unknown[] } }; logicalLocations: unknown[]; results: unknown[] }] };
    const head = JSON.parse(`${chunks[0]!}]}]}`) as typeof log;
    expect(head.runs[0].tool.driver.rules).toEqual(log.runs[0].tool.driver.rules);
    expect(head.runs[0].logicalLocations).toEqual(log.runs[0].logicalLocations);
  });

  it('writes the bytes renderSarif writes on arbitrary reports', () => {
    const report: fc.Arbitrary<LintReport> = fc
      .record({
        evaluations: fc.array(evaluation, { maxLength: 6 }),
        diagnostics: fc.array(diagnostic, { maxLength: 3 }),
        suppressed: maybe(fc.array(diagnostic, { maxLength: 2 })),
        others: fc.array(repository, { maxLength: 2 }),
        home: maybe(fc.oneof(fc.constant('hub'), text)),
        hubRef: maybe(text),
        failOn: fc.constantFrom('block', 'warn', 'error'),
      })
      .map(({ others, home, hubRef, ...rest }) => ({
        tool: { name: 'oclhub', version: '0.1.0' },
        ...rest,
        repositories: [hub, ...others.filter((r) => r !== hub)],
        ...(home === undefined ? {} : { home }),
        ...(hubRef === undefined ? {} : { hubRef }),
      }));
    fc.assert(
      fc.property(report, fc.constantFrom(...OPTIONS), (r, options) => {
        expect([...sarifChunks(r, options)].join('')).toBe(renderSarif(r, options));
      }),
      { numRuns: 300 },
    );
  });
});
