/** The JSON report written in chunks is the JSON report, byte for byte. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Diagnostic, Range, SourceRepository } from '../../src/diagnostics.js';
import { lintJsonChunks, lintJsonPieces, type JsonFragment } from '../../src/report/lint-json-stream.js';
import type { Evaluation, LintReport, PolicyDecision } from '../../src/report/lint-report.js';
import { renderLintJson } from '../../src/report/lint-json.js';
import { cleanReport, lintReport } from './lint-fixture.js';

describe('lintJsonChunks', () => {
  it('writes the bytes renderLintJson writes, a batch of evaluations per chunk', () => {
    for (const report of [lintReport(), cleanReport(), { ...lintReport(), evaluations: [] }, { ...lintReport(), shard: { index: 2, count: 3, environments: ['production'], tenants: [] } }]) {
      const chunks = [...lintJsonChunks(report)];
      expect(chunks.join('')).toBe(renderLintJson(report));
      if (report.evaluations.length > 0) expect(chunks.length).toBeGreaterThanOrEqual(3);
    }
    // More evaluations than one batch holds.
    const many = lintReport();
    many.evaluations = Array.from({ length: 150 }, (_, i) => ({ ...many.evaluations[i % many.evaluations.length]!, project: `p-${i}` }));
    const chunks = [...lintJsonChunks(many)];
    expect(chunks.join('')).toBe(renderLintJson(many));
    expect(chunks.length).toBe(2 + Math.ceil(150 / 64));
    const report = lintReport();
    expect([...lintJsonChunks(report, { findingsOnly: true })].join('')).toBe(renderLintJson(report, { findingsOnly: true }));
  });
});

describe('lintJsonPieces', () => {
  const C1 = 'a'.repeat(40);
  const C2 = 'b'.repeat(40);

  /** The fixture's report with every located finding in the hub repository at `commit` (one shared object, as the engine has it). */
  function atCommit(commit: string, changed = false): { report: LintReport; hub: SourceRepository } {
    const hub: SourceRepository = { id: 'hub', location: '/hub', commit };
    const report = lintReport();
    report.evaluations = report.evaluations.map((e) => ({
      ...e,
      decisions: e.decisions.map((d) => (d.location ? { ...d, location: { ...d.location, repository: hub, related: [{ message: 'used here', file: 'x.ocl', repository: hub }] } } : d)),
    }));
    if (changed) report.evaluations[0]!.decisions[0] = { ...report.evaluations[0]!.decisions[0]!, reason: 'changed since' };
    return { report, hub };
  }

  function render(report: LintReport, hub: SourceRepository, commit: string, keys: Map<string, string>, previous?: { body: Buffer; placed: JsonFragment[] }) {
    const placed: JsonFragment[] = [];
    let reused = 0;
    const body = Buffer.concat([
      ...lintJsonPieces(report, {
        hub,
        commit,
        keyOf: (project) => keys.get(project),
        previous: (key) => {
          const f = previous?.placed.find((p) => p.key === key);
          if (!f) return undefined;
          reused++;
          return { bytes: previous!.body.subarray(f.at, f.at + f.length), commits: f.commits };
        },
        placed: (f) => placed.push(f),
      }),
    ]);
    return { body, placed, reused };
  }

  it('writes the bytes renderLintJson writes, and the next report re-uses unchanged projects with the new commit written in', () => {
    const keys = new Map([
      ['web-app', 'k-web'],
      ['billing', 'k-billing'],
      ['search api', 'k-search'],
    ]);
    const first = atCommit(C1);
    const one = render(first.report, first.hub, C1, keys);
    expect(one.body.toString('utf8')).toBe(renderLintJson(first.report));
    expect(one.placed.map((p) => p.key)).toEqual(['k-web', 'k-billing', 'k-search']);
    expect(one.placed.some((p) => p.commits.length > 0)).toBe(true);
    for (const p of one.placed) for (const at of p.commits) expect(one.body.toString('utf8', p.at + at, p.at + at + 40)).toBe(C1);

    // A new commit; web-app changed (a new key), the others did not.
    const second = atCommit(C2, true);
    keys.set('web-app', 'k-web-2');
    const two = render(second.report, second.hub, C2, keys, one);
    expect(two.body.toString('utf8')).toBe(renderLintJson(second.report));
    expect(two.reused).toBe(2);
    expect(two.body.includes(C1)).toBe(false);
    // And once more from the second report's pieces.
    const third = render(second.report, second.hub, C2, keys, two);
    expect(third.reused).toBe(3);
    expect(third.body.equals(two.body)).toBe(true);
  });

  it('keeps no fragment where the commit also names something else (a template published at that commit)', () => {
    const { report, hub } = atCommit(C1);
    const template: SourceRepository = { id: 'hub', location: '/hub', commit: C1 };
    const located = report.evaluations.findIndex((e) => e.project === 'billing' && e.decisions.some((d) => d.location));
    const at = report.evaluations[located]!.decisions.findIndex((d) => d.location);
    const decision = report.evaluations[located]!.decisions[at]!;
    report.evaluations[located]!.decisions[at] = { ...decision, location: { ...decision.location!, related: [{ message: 'template', file: 't.ocl', repository: template }] } };
    const keys = new Map([
      ['web-app', 'k-web'],
      ['billing', 'k-billing'],
    ]);
    const out = render(report, hub, C1, keys);
    expect(out.body.toString('utf8')).toBe(renderLintJson(report));
    expect(out.placed.map((p) => p.key)).toEqual(['k-web']);
  });
});

describe('the streamed evaluations on arbitrary reports', () => {
  // Every field a decision, a location, an error diagnostic or a repository can have, each present or
  // not, with any text (control characters, quotes, lone surrogates) and numbers of any size: the
  // chunks must be the bytes JSON.stringify writes for the ordered objects renderLintJson builds.
  const text = fc.string({ unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom('\ud800', '\udfff', '\u0000', '"', '\\', '\n', '\u2028')), maxLength: 12 });
  const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  const number = fc.oneof(fc.nat(5000), fc.integer(), fc.double());
  const position = fc.record({ line: number, column: number, offset: number });
  const range: fc.Arbitrary<Range> = fc.record({ start: position, end: position });
  const hub: SourceRepository = { id: 'hub', location: '/hub', commit: 'c'.repeat(40) };
  const repository: fc.Arbitrary<SourceRepository> = fc.oneof(
    fc.constant(hub),
    fc.record({ id: text, location: text, commit: maybe(text), ref: maybe(text) }, { requiredKeys: ['id', 'location'] }),
  );
  const related = fc.array(fc.record({ file: maybe(text), range: maybe(range), message: text, repository: maybe(repository) }, { requiredKeys: ['message'] }), { maxLength: 2 });
  const diagnostic: fc.Arbitrary<Diagnostic> = fc.record(
    {
      severity: fc.constantFrom('error', 'warning', 'info'),
      code: text,
      summary: text,
      detail: maybe(text),
      file: maybe(text),
      range: maybe(range),
      related: maybe(related),
      project: maybe(text),
      repository: maybe(repository),
      adjusted: maybe(fc.record({ originalSeverity: fc.constantFrom('error', 'warning', 'info'), reason: maybe(text), file: text, range: maybe(range) }, { requiredKeys: ['originalSeverity', 'file'] })),
    },
    { requiredKeys: ['severity', 'code', 'summary'] },
  );
  const decision: fc.Arbitrary<PolicyDecision> = fc.record(
    {
      policy: text,
      policyName: maybe(text),
      version: maybe(text),
      inScope: fc.boolean(),
      allowed: fc.boolean(),
      action: fc.constantFrom('block', 'warn'),
      outcome: fc.constantFrom('pass', 'violation', 'excepted', 'error', 'skipped', 'inconclusive'),
      reason: maybe(text),
      error: maybe(text),
      exception: maybe(fc.record({ owner: text, reason: text, expires: text })),
      location: maybe(fc.record({ file: text, range: maybe(range), step: maybe(text), related: maybe(related), repository: maybe(repository) }, { requiredKeys: ['file'] })),
      needs: maybe(fc.array(text, { maxLength: 3 })),
    },
    { requiredKeys: ['policy', 'inScope', 'allowed', 'action', 'outcome'] },
  );
  const evaluation: fc.Arbitrary<Evaluation> = fc.record(
    { project: text, environment: text, tenant: maybe(text), errors: maybe(fc.array(diagnostic, { maxLength: 2 })), decisions: fc.array(decision, { maxLength: 4 }) },
    { requiredKeys: ['project', 'environment', 'decisions'] },
  );

  it('are the bytes renderLintJson writes, with and without findingsOnly, and as fragments with the hub commit stood in', () => {
    fc.assert(
      fc.property(fc.array(evaluation, { maxLength: 5 }), fc.boolean(), (evaluations, findingsOnly) => {
        const report: LintReport = { ...lintReport(), evaluations };
        expect([...lintJsonChunks(report, { findingsOnly })].join('')).toBe(renderLintJson(report, { findingsOnly }));
        const pieces = Buffer.concat([...lintJsonPieces(report, { hub, commit: hub.commit!, keyOf: (p) => `k:${p}`, previous: () => undefined, placed: () => undefined })]);
        expect(pieces.toString('utf8')).toBe(renderLintJson(report));
      }),
      { numRuns: 300 },
    );
  });

  it('write a decision seen before in the report as it was written then, and one that differs in any field afresh', () => {
    // Few values per field, so that decisions repeat and near-repeats (one field apart) are common.
    const few = <T>(...values: T[]) => fc.constantFrom(...values);
    const repeated: fc.Arbitrary<PolicyDecision> = fc.record(
      {
        policy: few('p', 'q'),
        policyName: few(undefined, '', 'P'),
        version: few(undefined, '1.0.0'),
        inScope: fc.boolean(),
        allowed: fc.boolean(),
        action: few('block', 'warn'),
        outcome: few('pass', 'skipped', 'violation'),
        reason: few(undefined, '', 'r', 'r2'),
        error: few(undefined, 'e'),
        needs: few(undefined, ['Release']),
        location: few(undefined, { file: 'f.ocl' }),
      },
      { requiredKeys: ['policy', 'inScope', 'allowed', 'action', 'outcome'] },
    );
    const evaluations = fc.array(fc.record({ project: few('a', 'b'), environment: few('dev', 'prod'), decisions: fc.array(repeated, { maxLength: 6 }) }), { maxLength: 8 });
    fc.assert(
      fc.property(evaluations, fc.boolean(), (list, findingsOnly) => {
        const report: LintReport = { ...lintReport(), evaluations: list };
        expect([...lintJsonChunks(report, { findingsOnly })].join('')).toBe(renderLintJson(report, { findingsOnly }));
        const pieces = Buffer.concat([...lintJsonPieces(report, { hub, commit: hub.commit!, keyOf: () => undefined, previous: () => undefined, placed: () => undefined })]);
        expect(pieces.toString('utf8')).toBe(renderLintJson(report));
      }),
      { numRuns: 300 },
    );
  });
});
