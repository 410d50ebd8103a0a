/** The JSON report written in chunks is the JSON report, byte for byte. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SourceRepository } from '../../src/diagnostics.js';
import { lintJsonChunks, lintJsonParts, PieceWriter } from '../../src/report/lint-json-stream.js';
import { decodePiece, evaluationSegments, isDeferred, segmentTally, withEvaluationSegments, type DeferredBytes, type EvaluationSegment, type StoredPiece } from '../../src/report/lint-pieces.js';
import { summarize, type Evaluation, type LintReport, type PolicyDecision } from '../../src/report/lint-report.js';
import { renderLintJson } from '../../src/report/lint-json.js';
import { attachRepository } from '../../src/lint/result-entry.js';
import { evaluation, hub, repository } from './lint-arbitraries.js';
import { cleanReport, lintReport } from './lint-fixture.js';
import { atCommit, pieced } from './pieced.js';

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

const bytesOf = (report: LintReport) => Buffer.concat([...lintJsonParts(report)].map((part) => (typeof part === 'string' ? Buffer.from(part) : isDeferred(part) ? part.read() : part))).toString('utf8');

describe('a report assembled from stored pieces', () => {
  const C1 = 'a'.repeat(40);
  const C2 = 'b'.repeat(40);

  it('writes the bytes renderLintJson writes, with the commit of the run that writes it, and counts without decoding', () => {
    // Rendered at one commit, written at another: what the report of that other commit is.
    const first = atCommit(C1);
    const second = atCommit(C2);
    const report = pieced(first.report, first.hub, C2);
    const expected = renderLintJson(second.report);
    expect(bytesOf(report)).toBe(expected);
    expect(bytesOf(report)).not.toContain(C1);
    expect(summarize(report)).toEqual(summarize(second.report));
    expect(evaluationSegments(report)).toBeDefined(); // nothing above decoded it
    // A template published at the run's own commit is another repository object: its commit is kept as it is.
    const template: SourceRepository = { id: 'hub', location: '/hub', commit: C1 };
    const withTemplate = atCommit(C1);
    const decision = withTemplate.report.evaluations[1]!.decisions.find((d) => d.location)!;
    decision.location!.related = [{ message: 'template', file: 't.ocl', repository: template }];
    const kept = pieced(withTemplate.report, withTemplate.hub, C1);
    expect(bytesOf(kept)).toBe(renderLintJson(withTemplate.report));
  });

  it('stands the commit in only where the hub is named, with runs of \'#\' and the marker\'s words elsewhere in the text', () => {
    // The stand-in is found by its '#'s and the words before it: text with either alone is written as it is.
    const hashes = '#'.repeat(40);
    const { report, hub } = atCommit(C1);
    const located = report.evaluations[1]!.decisions.find((d) => d.location)!;
    report.evaluations[1]!.decisions.push(
      { ...located, policy: 'hashes', reason: `${hashes}#####`, location: { ...located.location!, step: `"commit": "${hashes}`, file: `${hashes}.ocl` } },
      { ...located, policy: 'near', reason: `commit": ${hashes}`, location: { ...located.location!, step: `#${hashes}`, related: [{ message: `"commit": "${hashes.slice(1)}`, file: hashes, repository: hub }] } },
    );
    report.evaluations[0]!.environment = `${hashes} "commit": "`;
    // The report at C2: the hub's commit is the only C1 in it.
    const expected = renderLintJson(report).replaceAll(C1, C2);
    const assembled = pieced(report, hub, C2);
    expect(bytesOf(assembled)).toBe(expected);
    const stood = (evaluationSegments(assembled)!.filter((s) => 'piece' in s) as { piece: StoredPiece }[]).reduce((n, s) => n + s.piece.commits.length, 0);
    expect(stood).toBe(expected.split(`"commit": "${C2}"`).length - 1);
    expect(stood).toBeGreaterThan(4);
  });

  it('writes many pieces, in memory or deferred, between decoded projects and empty ones, as a few runs of the same bytes', () => {
    const { report, hub } = atCommit(C1);
    // Over a megabyte of pieces: several runs.
    const big = { ...report, evaluations: Array.from({ length: 6_000 }, (_, i) => ({ ...report.evaluations[i % report.evaluations.length]!, project: `p-${Math.floor(i / 2)}` })) };
    const assembled = pieced(big, hub, C2);
    const segments = [...evaluationSegments(assembled)!];
    /** Deferred bytes over a copy of a buffer, read as the lint cache's files are read. */
    const deferred = (bytes: Uint8Array): DeferredBytes => {
      const held = Buffer.from(bytes);
      return { length: held.length, readInto: (target, offset) => void target.set(held, offset), read: () => Buffer.from(held) };
    };
    const mixed: EvaluationSegment[] = segments.map((segment, i) => {
      if ('evaluations' in segment) return segment;
      if (i === 3 || i === 1_500) return { project: segment.project, evaluations: decodePiece(segment.piece, segment.commit) };
      if (i % 11 === 5) return { ...segment, piece: { bytes: new Uint8Array(0), commits: [] }, tally: segmentTally([], true) };
      return i % 2 === 0 ? { ...segment, piece: { ...segment.piece, bytes: deferred(segment.piece.bytes as Uint8Array) } } : segment;
    });
    const { evaluations: _unused, ...rest } = big;
    const expected = renderLintJson(withEvaluationSegments({ ...rest }, mixed.map((segment) => ('evaluations' in segment ? segment : { project: segment.project, evaluations: decodePiece(segment.piece, segment.commit) }))));
    const parts = [...lintJsonParts(withEvaluationSegments({ ...rest }, mixed))];
    expect(Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : isDeferred(part) ? part.read() : part))).toString('utf8')).toBe(expected);
    expect(parts.length).toBeLessThan(40); // runs, not a chunk per piece and comma
    expect(parts.filter((part) => typeof part !== 'string' && part.length > 1 << 18).length).toBeGreaterThan(1);
    expect(parts.filter((part) => typeof part !== 'string' && part.length > 1 << 20)).toEqual([]);
  });

  it('decodes its pieces when the evaluations are read, and is then the decoded report', () => {
    const { report, hub } = atCommit(C1);
    const assembled = pieced(report, hub, C1);
    const decoded = assembled.evaluations;
    expect(evaluationSegments(assembled)).toBeUndefined();
    expect(JSON.parse(JSON.stringify(decoded))).toEqual(JSON.parse(JSON.stringify(report.evaluations)));
    expect(renderLintJson(assembled)).toBe(renderLintJson(report));
    // A report whose evaluations are replaced counts the new ones.
    const replaced = pieced(report, hub, C1);
    replaced.evaluations = [];
    expect(summarize(replaced).evaluations).toBe(0);
    // A copy of the report (as renderers make) has every evaluation.
    expect(renderLintJson({ ...pieced(report, hub, C1) })).toBe(renderLintJson(report));
  });
});

describe('stored pieces past the end of the writer\'s buffer', () => {
  const hub: SourceRepository = { id: 'hub', location: '/hub', commit: 'd'.repeat(40) };
  const other: SourceRepository = { id: 'lib', location: '/lib', commit: 'e'.repeat(40) };
  const C = 'f'.repeat(40);

  /** `count` evaluations of a project: decisions located or not, repeated across environments and not, with multi-byte and escaped characters around each commit. */
  function evaluationsOf(project: string, count: number): Evaluation[] {
    return Array.from({ length: count }, (_, i) => ({
      project,
      environment: `env-${i % 7} ✓ "${i}"`,
      decisions: Array.from({ length: 6 }, (_, j): PolicyDecision => {
        const located = (i + j) % 3 !== 0;
        return {
          policy: `p${j}`,
          inScope: true,
          allowed: !located,
          action: 'block',
          outcome: located ? 'violation' : 'pass',
          ...(located
            ? {
                reason: `Schritt „${j % 2 === 0 ? i % 5 : i}“ \u0001 😀`,
                location: { file: `${project}/ü${j}.ocl`, step: `s${i % 4}`, repository: hub, related: [{ message: 'template ✓', file: 't.ocl', repository: j % 2 === 0 ? hub : other }] },
              }
            : {}),
        };
      }),
    }));
  }

  /** The evaluations as the report of a run at commit C writes them (the hub's findings at C). */
  const atC = (evaluations: Evaluation[]): Evaluation[] =>
    evaluations.map((e) => ({
      ...e,
      decisions: e.decisions.map((d) => (d.location ? { ...d, location: { ...d.location, repository: { ...hub, commit: C }, related: d.location.related!.map((r) => (r.repository === hub ? { ...r, repository: { ...hub, commit: C } } : r)) } } : d)),
    }));

  it('are the report\'s bytes, with the hub commit stood in at every place: a piece larger than a buffer, and pieces across buffers', () => {
    const writer = new PieceWriter(hub, 40);
    const projects = [evaluationsOf('huge', 4000), ...Array.from({ length: 12 }, (_, i) => evaluationsOf(`p${i}`, 300))];
    const segments: EvaluationSegment[] = [];
    for (const evaluations of projects) segments.push({ project: evaluations[0]!.project, piece: writer.piece(evaluations), commit: C, tally: segmentTally(evaluations, true) });
    const sizes = segments.map((s) => ('piece' in s ? s.piece.bytes.length : 0));
    expect(sizes[0]).toBeGreaterThan(1 << 20); // more than one buffer
    expect(sizes.reduce((a, b) => a + b, 0) - sizes[0]!).toBeGreaterThan(2 << 20); // the rest fill several
    const report: LintReport = { ...lintReport(), evaluations: projects.flat() };
    const { evaluations: _e, ...rest } = report;
    expect(bytesOf(withEvaluationSegments(rest, segments))).toBe(renderLintJson({ ...report, evaluations: atC(projects.flat()) }));
    // Each piece is still its own once later ones were written.
    for (let i = 0; i < projects.length; i++) expect(decodePiece((segments[i] as { piece: StoredPiece }).piece, hub.commit!)).toEqual(JSON.parse(JSON.stringify(projects[i])));
  });
});

describe('the streamed evaluations on arbitrary reports', () => {
  // The chunks must be the bytes JSON.stringify writes for the ordered objects renderLintJson builds.
  it('are the bytes renderLintJson writes, with and without findingsOnly, and as fragments with the hub commit stood in', () => {
    fc.assert(
      fc.property(fc.array(evaluation, { maxLength: 5 }), fc.boolean(), (evaluations, findingsOnly) => {
        const report: LintReport = { ...lintReport(), evaluations };
        expect([...lintJsonChunks(report, { findingsOnly })].join('')).toBe(renderLintJson(report, { findingsOnly }));
        const assembled = pieced(report, hub, hub.commit!);
        expect(bytesOf(assembled)).toBe(renderLintJson(report));
        expect(summarize(assembled)).toEqual(summarize(report));
        // Decoded, the pieces are the evaluations as the report writes them.
        expect(renderLintJson(assembled)).toBe(renderLintJson(report));
      }),
      { numRuns: 300 },
    );
  });

  it('with the project\'s repository left to the writer, are the bytes of the decisions with it filled in (attachRepository)', () => {
    // The engine leaves a cold result's decision locations unplaced and has the piece writer place them.
    fc.assert(
      fc.property(fc.array(evaluation, { maxLength: 5 }), fc.option(repository, { nil: undefined }), fc.string(), (evaluations, own, slug) => {
        const result = { diagnostics: [], evaluations, sources: [] };
        const placed = attachRepository(result, { slug, ...(own ? { repository: own } : {}) }).evaluations;
        const left = attachRepository(result, { slug, ...(own ? { repository: own } : {}) }, { leaveLocations: true }).evaluations;
        for (const [i, e] of left.entries()) expect(e.decisions).toBe(evaluations[i]!.decisions); // not copied
        const expected = new PieceWriter(hub, 40).piece(placed);
        const written = new PieceWriter(hub, 40).piece(left, own);
        expect(Buffer.from(written.bytes).toString('utf8')).toBe(Buffer.from(expected.bytes).toString('utf8'));
        expect(written.commits).toEqual(expected.commits);
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
    // A project's environments mostly decide the same at the same places: runs of decisions copied from the environment before.
    const located = (d: PolicyDecision, on: boolean): PolicyDecision => (on && d.location ? { ...d, location: { ...d.location, repository: hub, related: [{ message: 'm', file: 't.ocl', repository: hub }] } } : d);
    const environments = fc
      .tuple(fc.array(fc.tuple(repeated, fc.boolean()), { minLength: 1, maxLength: 8 }), fc.array(fc.array(fc.tuple(fc.nat(7), repeated, fc.boolean()), { maxLength: 3 }), { maxLength: 5 }), fc.nat(3))
      .map(([first, changes, cut]) => {
        const lists = [first.map(([d, on]) => located(d, on))];
        for (const change of changes) {
          const next = [...lists[lists.length - 1]!];
          for (const [at, d, on] of change) next[at % next.length] = located(d, on);
          // Now and then one decision fewer or more, so that runs meet either end.
          lists.push(cut === 0 ? next.slice(0, -1) : cut === 1 ? [...next, located(first[0]![0], first[0]![1])] : next);
        }
        return lists.map((decisions, i): Evaluation => ({ project: 'a', environment: `env-${i}`, decisions }));
      });
    fc.assert(
      fc.property(environments, (list) => {
        const report: LintReport = { ...lintReport(), evaluations: list };
        expect(bytesOf(pieced(report, hub, hub.commit!))).toBe(renderLintJson(report));
        // Written at another commit: every stand-in of the hub's commit, in repeated runs too, is found.
        const other = 'e'.repeat(40);
        const atOther = list.map((e) => ({ ...e, decisions: e.decisions.map((d) => JSON.parse(JSON.stringify(d).replaceAll(hub.commit!, other)) as PolicyDecision) }));
        expect(bytesOf(pieced(report, hub, other))).toBe(renderLintJson({ ...report, evaluations: atOther }));
      }),
      { numRuns: 300 },
    );
    const evaluations = fc.array(fc.record({ project: few('a', 'b'), environment: few('dev', 'prod'), decisions: fc.array(repeated, { maxLength: 6 }) }), { maxLength: 8 });
    fc.assert(
      fc.property(evaluations, fc.boolean(), (list, findingsOnly) => {
        const report: LintReport = { ...lintReport(), evaluations: list };
        expect([...lintJsonChunks(report, { findingsOnly })].join('')).toBe(renderLintJson(report, { findingsOnly }));
        expect(bytesOf(pieced(report, hub, hub.commit!))).toBe(renderLintJson(report));
      }),
      { numRuns: 300 },
    );
  });
});
