/**
 * Every format rendered from a report of stored pieces (what `oclhub lint` hands the renderers: each
 * project decoded when its turn comes, report/lint-pieces.ts `evaluationRuns`) is the format rendered
 * from the same report in memory, byte for byte, and leaves the report undecoded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderGithub, renderGithubStepSummary } from '../../src/report/github.js';
import { buildGitlab, gitlabChunks, renderGitlab } from '../../src/report/gitlab.js';
import { junitChunks, renderJunit } from '../../src/report/junit.js';
import { eachEvaluation, evaluationRuns, evaluationSegments, type SegmentTally } from '../../src/report/lint-pieces.js';
import type { Evaluation, LintReport } from '../../src/report/lint-report.js';
import { renderLintText } from '../../src/report/lint-text.js';
import { renderSarif, sarifChunks } from '../../src/report/sarif.js';
import { evaluation, maybe } from './lint-arbitraries.js';
import { cleanReport, lintReport } from './lint-fixture.js';
import { atCommit, pieced } from './pieced.js';

const C = 'a'.repeat(40);

/** Each renderer (and its options) that reads the evaluations, as a function of the report. */
const RENDERERS: Record<string, (report: LintReport) => string> = {
  text: (r) => renderLintText(r),
  'text --verbose': (r) => renderLintText(r, { verbose: true }),
  sarif: (r) => renderSarif(r),
  'sarif chunks': (r) => [...sarifChunks(r, { indent: 0 })].join(''),
  junit: (r) => renderJunit(r),
  'junit chunks, out of scope left out': (r) => [...junitChunks(r, { omitOutOfScope: true })].join(''),
  github: (r) => renderGithub(r),
  'github step summary': (r) => renderGithubStepSummary(r),
  gitlab: (r) => renderGitlab(r),
  'gitlab chunks': (r) => [...gitlabChunks(r)].join(''),
};

/** The renderers' expected text: `sarif chunks` is `renderSarif` with the same options. */
const EXPECTED: Record<string, (report: LintReport) => string> = {
  ...RENDERERS,
  'sarif chunks': (r) => renderSarif(r, { indent: 0 }),
  'junit chunks, out of scope left out': (r) => renderJunit(r, { omitOutOfScope: true }),
  // The whole array as one JSON text, as GitLab reads it.
  gitlab: (r) => `${JSON.stringify(buildGitlab(r), null, 2)}\n`,
  'gitlab chunks': (r) => `${JSON.stringify(buildGitlab(r), null, 2)}\n`,
};

/** The fixture's report at commit C, its evaluations spread over `projects` projects (several pieces, tenants, undecided contexts). */
function hubReport(projects: number, failOn: LintReport['failOn'] = 'block'): LintReport {
  const { report } = atCommit(C, lintReport(failOn));
  const base = report.evaluations;
  report.evaluations = Array.from({ length: projects * base.length }, (_, i) => ({ ...base[i % base.length]!, project: `project-${Math.floor(i / base.length)}` }));
  // A context that could not be decided (no decisions), and one whose policies were not evaluated.
  report.evaluations.push({ project: `project-${projects}`, environment: 'production', decisions: [], errors: [{ severity: 'error', code: 'OCL001', summary: 'unexpected token', file: 'x.ocl', range: { start: { line: 2, column: 1, offset: 10 }, end: { line: 2, column: 4, offset: 13 } } }] });
  return report;
}

/** The fixture's report with `evaluations`, a project's contiguous (as the engine's pieces are: one per project), its contexts in any order. */
function byProject(evaluations: readonly Evaluation[]): LintReport {
  const sorted = [...evaluations].sort((a, b) => (a.project < b.project ? -1 : a.project > b.project ? 1 : 0));
  return { ...lintReport(), evaluations: sorted };
}

describe('rendering a report of stored pieces', () => {
  it('writes what rendering it in memory writes, in every format, without decoding the report', () => {
    for (const report of [hubReport(1), hubReport(4), hubReport(80), hubReport(3, 'warn'), hubReport(2, 'error'), { ...cleanReport(), evaluations: [] }]) {
      const hub = report.repositories?.find((r) => r.id === 'hub') ?? { id: 'hub', location: '/hub', commit: C };
      for (const [name, render] of Object.entries(RENDERERS)) {
        const assembled = pieced(report, hub, C);
        expect(render(assembled), name).toBe(EXPECTED[name]!(report));
        expect(evaluationSegments(assembled), `${name} decoded the whole report`).toBeDefined();
      }
    }
  });

  it('writes what a decoded report writes, for any evaluations', () => {
    const { hub } = atCommit(C);
    fc.assert(
      fc.property(fc.array(evaluation, { maxLength: 12 }), (evaluations: Evaluation[]) => {
        const report = byProject(evaluations);
        const assembled = pieced(report, hub, C);
        const decoded = { ...pieced(report, hub, C) };
        for (const [name, render] of Object.entries(RENDERERS)) {
          // Some renderers expect fields the arbitrary leaves out: then both throw alike.
          let expected: string;
          try {
            expected = EXPECTED[name]!(decoded);
          } catch (error) {
            expect(() => render(assembled), name).toThrow((error as Error).message);
            continue;
          }
          expect(render(assembled), name).toBe(expected);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('JUnit totals of stored pieces', () => {
  /** The `<testsuites …>` line. */
  const head = (text: string) => text.split('\n')[1];

  it.each(['block', 'warn', 'error'] as const)('are counted from the tallies stored beside the pieces, and from decoding where a tally cannot tell them (fail on %s)', (failOn) => {
    const report = hubReport(3, failOn);
    // A context with errors and decisions (no `not-decided` case): its tally counts it undecided all the same.
    report.evaluations.push({ ...report.evaluations[0]!, project: 'project-9', errors: [{ severity: 'error', code: 'OCL001', summary: 'unexpected token' }] });
    const hub = { id: 'hub', location: '/hub', commit: C };
    for (const omitOutOfScope of [false, true]) {
      const expected = renderJunit(report, { omitOutOfScope });
      const assembled = pieced(report, hub, C);
      expect(head([...junitChunks(assembled, { omitOutOfScope })].join(''))).toBe(head(expected));
      // A damaged tally (not counts) is not read: the piece is decoded and counted.
      const damaged = pieced(report, hub, C);
      for (const segment of evaluationSegments(damaged)!) if ('piece' in segment) segment.tally.counts = ['x' as unknown as number, ...segment.tally.counts.slice(1)];
      expect([...junitChunks(damaged, { omitOutOfScope })].join('')).toBe(expected);
    }
  });

  it('decode no piece whose tally tells them', () => {
    const assembled = pieced(hubReport(2), { id: 'hub', location: '/hub', commit: C }, C);
    const reads = countingReads(assembled);
    const chunks = junitChunks(assembled);
    chunks.next(); // the head, counted
    expect(reads.get(2)).toBe(1); // the undecided context's piece alone
    expect(reads.size).toBe(1);
  });
});

describe('SARIF results of stored pieces', () => {
  it('decode only the projects with a finding, once (the rules and logical locations come from the outlines)', () => {
    const report = hubReport(2);
    // A project whose decisions all pass: no result.
    report.evaluations.push(...cleanReport().evaluations);
    const assembled = pieced(report, { id: 'hub', location: '/hub', commit: C }, C);
    const reads = countingReads(assembled);
    expect([...sarifChunks(assembled)].join('')).toBe([...sarifChunks(report)].join(''));
    // Two projects with findings; the undecided context (no decisions) and the passing project have none.
    expect([...reads.entries()]).toEqual([
      [0, 1],
      [1, 1],
    ]);
  });

  /** A few names each, so that projects share policies, contexts and steps, and names nest (`a` + `b/x` and `a/b` + `x`). */
  const word = (...words: string[]) => fc.constantFrom(...words);
  const smallDecision = fc.record(
    {
      policy: word('p', 'q', 'r'),
      policyName: maybe(word('P', 'Q', '', 'P\u007f')),
      version: maybe(word('1.0.0', '2.0.0')),
      inScope: fc.boolean(),
      allowed: fc.boolean(),
      action: word('block', 'warn'),
      outcome: word('pass', 'violation', 'excepted', 'error', 'skipped', 'inconclusive'),
      location: maybe(fc.record({ file: word('a.ocl'), step: maybe(word('s', 'x/s', 'b', '')) }, { requiredKeys: ['file'] })),
    },
    { requiredKeys: ['policy', 'inScope', 'allowed', 'action', 'outcome'] },
  ) as fc.Arbitrary<Evaluation['decisions'][number]>;
  const smallEvaluation = fc.record(
    { project: word('a', 'a/b', 'c'), environment: word('x', 'b/x', 'y', ''), tenant: maybe(word('t', 'x', '')), decisions: fc.array(smallDecision, { maxLength: 5 }) },
    { requiredKeys: ['project', 'environment', 'decisions'] },
  ) as fc.Arbitrary<Evaluation>;

  it('list the rules and logical locations decoding lists, for any findings', () => {
    const { hub } = atCommit(C);
    fc.assert(
      fc.property(fc.array(smallEvaluation, { maxLength: 14 }), (evaluations: Evaluation[]) => {
        const report = byProject(evaluations);
        expect(renderSarif(pieced(report, hub, C))).toBe(renderSarif({ ...pieced(report, hub, C) }));
      }),
      { numRuns: 300 },
    );
  });

  it('have no outline for a finding with a field of another type than an evaluation gives it, and decode its piece', () => {
    const { hub } = atCommit(C);
    const finding = { policy: 'p', inScope: true, allowed: false, action: 'block', outcome: 'violation' } as const;
    const odd: unknown[] = [
      { project: 'a', environment: 'x', tenant: null, decisions: [finding] },
      { project: 'a', environment: 'x', decisions: [{ ...finding, location: { file: 'a.ocl', step: 0 } }] },
      { project: 'a', environment: 'x', decisions: [{ ...finding, policyName: null }] },
      { project: 'a', environment: 'x', decisions: [finding, { ...finding, location: { file: 'a.ocl', step: null } }] },
      // What the stored outline cannot tell from an absent field (''), or from its separator.
      { project: 'a', environment: 'x', tenant: '', decisions: [finding] },
      { project: 'a', environment: 'x', decisions: [{ ...finding, location: { file: 'a.ocl', step: '' } }] },
      { project: 'a', environment: 'x', decisions: [{ ...finding, version: '' }] },
      { project: 'a', environment: 'x\u007fy', decisions: [finding] },
      { project: 'a', environment: 'x', decisions: [{ ...finding, policy: 'p\u007f' }] },
    ];
    for (const evaluation of odd) {
      const report = byProject([evaluation as Evaluation]);
      const assembled = pieced(report, hub, C);
      expect((evaluationSegments(assembled)![0] as { tally: SegmentTally }).tally.outline, JSON.stringify(evaluation)).toBe(0);
      expect(renderSarif(assembled), JSON.stringify(evaluation)).toBe(renderSarif({ ...pieced(report, hub, C) }));
    }
  });

  it('decode a piece whose outline is missing or damaged, and write the same log', () => {
    const report = hubReport(3);
    const hub = { id: 'hub', location: '/hub', commit: C };
    const expected = renderSarif(report);
    // A stored outline of `fields`: a project, one rule, one place.
    const stored = (...fields: string[]) => fields.join('\u007f');
    const damages: unknown[] = [
      0,
      undefined,
      'x',
      [],
      [[['p', 'block', 0, 0, 1]], [['a', 'x', 0, 0]]],
      stored('a', '0'),
      stored('a', '01', 'p', 'block', '', '', '1', 'x', '', '1', ''),
      stored('a', '1', 'p', 'block', '', '', '2', 'x', '', '1', ''),
      stored('a', '1', 'p', 'block', '', '', '1'),
      stored('a', '1', 'p', 'block', '', '', '1', 'x', '', '0'),
      stored('a', '1', 'p', 'block', '', '', '1', 'x', '', '2', ''),
      stored('a', '2', 'p', 'block', '', '', '1', 'x', '', '1', ''),
    ];
    for (const damage of damages) {
      const assembled = pieced(report, hub, C);
      for (const segment of evaluationSegments(assembled)!) if ('piece' in segment) segment.tally.outline = damage as SegmentTally['outline'];
      const reads = countingReads(assembled);
      expect(renderSarif(assembled), JSON.stringify(damage)).toBe(expected);
      // Each project with findings decoded for the first pass and again for its results.
      expect(reads.get(0), JSON.stringify(damage)).toBe(2);
    }
  });
});

/** Each stored piece of the report made to count its reads: the reads by the piece's place among them. */
function countingReads(report: LintReport): Map<number, number> {
  const reads = new Map<number, number>();
  const read = (at: number) => reads.set(at, (reads.get(at) ?? 0) + 1);
  let at = 0;
  for (const segment of evaluationSegments(report)!) {
    if (!('piece' in segment)) continue;
    const { bytes } = segment.piece;
    const place = at++;
    segment.piece = { ...segment.piece, bytes: { length: bytes.length, readInto: (target: Uint8Array, offset: number) => void (read(place), target.set(bytes as Uint8Array, offset)), read: () => (read(place), Buffer.from(bytes as Uint8Array)) } };
  }
  return reads;
}

describe('evaluationRuns', () => {
  it('gives a project at a time, joining up to the evaluations, and a decoded report in one run', () => {
    const report = hubReport(3);
    const assembled = pieced(report, { id: 'hub', location: '/hub', commit: C }, C);
    const runs = [...evaluationRuns(assembled)];
    expect(runs.length).toBe(4);
    for (const run of runs) expect(new Set(run.map((e) => e.project)).size).toBe(1);
    expect(JSON.stringify(runs.flat())).toBe(JSON.stringify([...eachEvaluation(assembled)]));
    expect(evaluationSegments(assembled)).toBeDefined();
    const decoded = assembled.evaluations;
    expect(JSON.stringify(runs.flat())).toBe(JSON.stringify(decoded));
    expect([...evaluationRuns(assembled)]).toEqual([decoded]);
  });
});
