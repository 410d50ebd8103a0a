/** Reports whose evaluations are stored pieces of the JSON report (src/report/lint-pieces.ts), as the lint engine hands them to the renderers. */
import type { SourceRepository } from '../../src/diagnostics.js';
import { PieceWriter } from '../../src/report/lint-json-stream.js';
import { segmentTally, withEvaluationSegments, type EvaluationSegment } from '../../src/report/lint-pieces.js';
import type { LintReport } from '../../src/report/lint-report.js';
import { lintReport } from './lint-fixture.js';

/**
 * `report` with its evaluations as stored pieces (one per run of a project's evaluations), rendered by
 * a PieceWriter for `hub` and written with `commit`.
 */
export function pieced(report: LintReport, hub: SourceRepository, commit: string): LintReport {
  const writer = new PieceWriter(hub, commit.length);
  const segments: EvaluationSegment[] = [];
  const list = report.evaluations;
  for (let start = 0; start < list.length; ) {
    let end = start + 1;
    while (end < list.length && list[end]!.project === list[start]!.project) end++;
    const evaluations = list.slice(start, end);
    segments.push({ project: list[start]!.project, piece: writer.piece(evaluations), commit, tally: segmentTally(evaluations, true) });
    start = end;
  }
  const { evaluations: _evaluations, ...rest } = report;
  return withEvaluationSegments(rest, segments);
}

/** The fixture's report with every located finding in the hub repository at `commit` (one shared object, as the engine has it). */
export function atCommit(commit: string, report = lintReport()): { report: LintReport; hub: SourceRepository } {
  const hub: SourceRepository = { id: 'hub', location: '/hub', commit };
  report.evaluations = report.evaluations.map((e) => ({
    ...e,
    decisions: e.decisions.map((d) => (d.location ? { ...d, location: { ...d.location, repository: hub, related: [{ message: 'used here', file: 'x.ocl', repository: hub }] } } : d)),
  }));
  return { report, hub };
}
