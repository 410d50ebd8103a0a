/**
 * One rule, every path a result takes to a report: a decision location (or related location) naming a
 * file but no repository lies in the project's repository; one naming a repository keeps it; one naming
 * no file has none. A project result from another repository goes through `attachRepository` (a cold
 * run), through the piece writer with locations left to it (a cold run writing pieces), and through the
 * cache (`expandCached`, a re-run): JSON and SARIF say the same repository and take the same lines.
 */
import { describe, expect, it } from 'vitest';
import type { SourceRepository } from '../../src/diagnostics.js';
import { attachRepository, compact, expandCached, type ProjectResult } from '../../src/lint/result-entry.js';
import { PieceWriter } from '../../src/report/lint-json-stream.js';
import { buildLintJson, locatedRepository, renderLintJson } from '../../src/report/lint-json.js';
import { segmentTally, withEvaluationSegments } from '../../src/report/lint-pieces.js';
import { sourceKey, type Evaluation, type LintReport } from '../../src/report/lint-report.js';
import { buildSarif } from '../../src/report/sarif.js';
import { rangeOf } from './lint-fixture.js';

const FILE = '.octopus/deployment_process.ocl';
const TEMPLATE = '.octopus/process-templates/deploy.ocl';
const HUB: SourceRepository = { id: 'hub', location: '/srv/hub', commit: 'a'.repeat(40) };
const HUB_AT_TAG: SourceRepository = { id: 'hub', location: '/srv/hub', commit: 'b'.repeat(40) };
const PAY: SourceRepository = { id: 'payments', location: '../payments', commit: 'c'.repeat(40) };
// The hub holds a file at the same path with other lines: a finding placed in the wrong repository shows them.
const PAY_TEXT = 'step "pay-build" {\n    name = "Build"\n}\n\nstep "pay-off" {\n    name = "Off"\n}\n';
const HUB_TEXT = 'step "hub-off" {\n    name = "Off"\n}\n';
const TEMPLATE_TEXT = 'name = "Deploy"\n\nstep "smoke" {\n    name = "Smoke"\n}\n';

/** The payments project's result as the engine makes it: its own files without a repository. */
function payResult(): ProjectResult {
  const base = { inScope: true, allowed: false, action: 'block' as const, outcome: 'violation' as const, policyName: 'No disabled steps', version: '1.0.0' };
  return {
    diagnostics: [],
    sources: [[FILE, PAY_TEXT]],
    evaluations: [
      {
        project: 'payments',
        environment: 'production',
        decisions: [
          {
            policy: 'no_disabled_steps',
            ...base,
            reason: 'Disabled: pay-off',
            location: {
              file: FILE,
              range: rangeOf(PAY_TEXT, 'step "pay-off" {'),
              step: 'pay-off',
              related: [
                { file: TEMPLATE, range: rangeOf(TEMPLATE_TEXT, 'step "smoke" {'), message: 'template step', repository: HUB_AT_TAG },
                { file: FILE, range: rangeOf(PAY_TEXT, 'step "pay-build" {'), message: 'same file' },
                { message: 'no file' },
              ],
            },
          },
        ],
      },
    ],
  };
}

function report(evaluations: Evaluation[] | undefined, segments?: Parameters<typeof withEvaluationSegments>[1]): LintReport {
  const rest: Omit<LintReport, 'evaluations'> = {
    tool: { name: 'oclhub', version: '1.2.3' },
    hubRef: HUB.commit!,
    diagnostics: [],
    sources: new Map([
      [sourceKey(FILE, PAY), PAY_TEXT],
      [sourceKey(FILE, HUB), HUB_TEXT],
      [sourceKey(TEMPLATE, HUB_AT_TAG), TEMPLATE_TEXT],
    ]),
    failOn: 'block',
    repositories: [HUB, PAY],
    home: 'hub',
  };
  return segments ? withEvaluationSegments(rest, segments) : { ...rest, evaluations: evaluations! };
}

const target = { slug: 'payments', repository: PAY };

describe('a located decision without a repository', () => {
  it('locatedRepository: a file without a repository takes the project\'s; a named repository stays; no file, none', () => {
    expect(locatedRepository({ file: FILE }, PAY)).toBe(PAY);
    expect(locatedRepository({ file: FILE, repository: HUB }, PAY)).toBe(HUB);
    expect(locatedRepository({}, PAY)).toBeUndefined();
    expect(locatedRepository({ file: FILE }, undefined)).toBeUndefined();
  });

  it('is in the project\'s repository in JSON and SARIF, whichever way the result reaches the report', () => {
    const attached = report(attachRepository(payResult(), target).evaluations);
    const left = attachRepository(payResult(), target, { leaveLocations: true }).evaluations;
    const piece = new PieceWriter(HUB, 40).piece(left, PAY);
    const pieced = report(undefined, [{ project: 'payments', piece, commit: HUB.commit!, tally: segmentTally(left, true) }]);
    const cached = report(expandCached(JSON.parse(JSON.stringify(compact(payResult()))), target).evaluations);

    const json = buildLintJson(attached);
    const location = json.evaluations[0]!.decisions[0]!.location!;
    expect(location.repository).toEqual(PAY);
    expect(location.related!.map((r) => r.repository)).toEqual([HUB_AT_TAG, PAY, undefined]);
    for (const other of [pieced, cached]) expect(renderLintJson(other)).toBe(renderLintJson(attached));

    for (const r of [attached, pieced, cached]) {
      const result = buildSarif(r).runs[0].results.find((x) => x.ruleId === 'no_disabled_steps')!;
      // payments' own line 5, not the hub's file at the same path.
      expect(result.locations[0].physicalLocation).toMatchObject({ artifactLocation: { uri: FILE, uriBaseId: 'payments' }, region: { startLine: 5, snippet: { text: 'step "pay-off" {' } } });
      const related = result.relatedLocations!;
      expect(related[0]!.physicalLocation).toMatchObject({ artifactLocation: { uri: TEMPLATE, uriBaseId: 'hub' }, region: { startLine: 3 } });
      expect(related[1]!.physicalLocation).toMatchObject({ artifactLocation: { uri: FILE, uriBaseId: 'payments' }, region: { startLine: 1, snippet: { text: 'step "pay-build" {' } } });
      // SARIF places a related location without a file in the result's own file (sarif.ts `related`).
      expect(related[2]!.physicalLocation).toEqual({ artifactLocation: { uri: FILE, uriBaseId: 'payments' } });
    }
  });

  it('of a project in the hub stays without one, and is the home repository\'s file', () => {
    const placed = report(attachRepository(payResult(), { slug: 'payments' }).evaluations);
    const location = buildLintJson(placed).evaluations[0]!.decisions[0]!.location!;
    expect(location.repository).toBeUndefined();
    const result = buildSarif(placed).runs[0].results.find((x) => x.ruleId === 'no_disabled_steps')!;
    expect(result.locations[0].physicalLocation.artifactLocation).toMatchObject({ uri: FILE, uriBaseId: 'hub' });
  });
});
