/**
 * `oclhub lint --format json` written as it is produced: the same bytes as `renderLintJson`, as a
 * sequence of chunks (the head, then a few evaluations at a time), so that a 5,000-project report is
 * never one string of hundreds of megabytes, nor an ordered copy of every decision, in memory.
 *
 * `JSON.stringify(value, null, 2)` indents purely by depth, so a value stringified on its own and
 * re-indented (or, for evaluations, as the array of a one-key object) is exactly its text inside the
 * whole document. Evaluations are written around their decisions' texts, and a decision that points
 * nowhere (most passes and skips) is stringified once per report and re-used wherever it recurs.
 *
 * A report assembled from stored pieces (lint-pieces.ts: a project's evaluations as the bytes they
 * take here, which is what the lint cache stores) is written piece by piece without decoding them.
 * `PieceWriter` renders those pieces: the hub repository's `commit` is written as a stand-in of the
 * same length wherever a finding names the hub, so those places are known exactly (never found by
 * searching the text), and each run writes its own commit into them.
 */
import type { SourceRepository } from '../diagnostics.js';
import { buildLintJson, orderedDecision, orderedDiagnostic, orderedEvaluations, withRepositoryAlias, type LintJsonOptions } from './lint-json.js';
import { evaluationSegments, pieceParts, withoutEvaluations, type StoredPiece } from './lint-pieces.js';
import { lintExitCode, summarize, type Evaluation, type LintReport, type PolicyDecision } from './lint-report.js';

const EVALUATIONS = '\n  "evaluations": []';
/** `JSON.stringify({ e: [x, …] }, null, 2)` is this, the elements (each line indented by four), and the end. */
const WRAP_START = '{\n  "e": [';
const WRAP_END = '\n  ]\n}';
/** Evaluations stringified at a time. */
const BATCH = 64;

/** The chunks of `renderLintJson(report, options)` with the default indentation, as text. */
export function* lintJsonChunks(report: LintReport, options: Omit<LintJsonOptions, 'indent'> = {}): Generator<string> {
  for (const part of lintJsonParts(report, options)) yield typeof part === 'string' ? part : Buffer.from(part.buffer, part.byteOffset, part.byteLength).toString('utf8');
}

/**
 * The chunks of `renderLintJson(report, options)` with the default indentation: text, and the bytes
 * of stored pieces as they are (see the file comment).
 */
export function* lintJsonParts(report: LintReport, options: Omit<LintJsonOptions, 'indent'> = {}): Generator<string | Uint8Array> {
  const { head, open } = headOf(report, options);
  if (open < 0) {
    yield head + '\n';
    return;
  }
  yield head.slice(0, open);
  const writer = new EvaluationsWriter(options);
  // Stored pieces hold every decision: a report of findings only is written from the decoded evaluations.
  const segments = options.findingsOnly ? undefined : evaluationSegments(report);
  if (segments) {
    let written = false;
    for (const segment of segments) {
      if ('evaluations' in segment) {
        if (segment.evaluations.length === 0) continue;
        yield `${written ? ',' : ''}${writer.text(segment.evaluations)}`;
      } else {
        if (segment.piece.bytes.length === 0) continue;
        if (written) yield ',';
        yield* pieceParts(segment.piece, segment.commit);
      }
      written = true;
    }
  } else {
    const evaluations = report.evaluations;
    for (let at = 0; at < evaluations.length; at += BATCH) {
      yield `${at === 0 ? '' : ','}${writer.text(evaluations.slice(at, at + BATCH))}`;
    }
  }
  yield `\n  ${head.slice(open)}\n`;
}

/** The report without its evaluations, and where they go (-1: nowhere, there are none). */
function headOf(report: LintReport, options: Omit<LintJsonOptions, 'indent'>): { head: string; open: number } {
  // The head: every field in its place; the summary and exit code are the whole report's (counted
  // without decoding stored pieces; the copy leaves `evaluations` unread).
  const summary = summarize(report);
  const head = JSON.stringify({ ...buildLintJson({ ...withoutEvaluations(report), evaluations: [] }, options), exitCode: lintExitCode(summary), summary }, null, 2);
  const at = head.indexOf(EVALUATIONS);
  if (at < 0 || summary.evaluations === 0) return { head, open: -1 };
  return { head, open: at + EVALUATIONS.length - 1 }; // just past `[`
}

/** Evaluations as they read inside the report's `evaluations` array (each preceded by its newline and indentation). */
function evaluationsText(evaluations: readonly Evaluation[], options: Omit<LintJsonOptions, 'indent'>): string {
  // Stringified inside a one-key wrapper, the evaluations are already indented as in the whole document.
  const wrapped = JSON.stringify({ e: orderedEvaluations(evaluations, options) }, null, 2);
  return wrapped.slice(WRAP_START.length, wrapped.length - WRAP_END.length);
}

/** The document's depth of an evaluation's fields (3) and of a decision in its `decisions` (4), and their indentation. */
const FIELD_DEPTH = 3;
const DECISION_DEPTH = 4;
const FIELD_INDENT = ' '.repeat(2 * FIELD_DEPTH);
const DECISION_INDENT = ' '.repeat(2 * DECISION_DEPTH);
/** Texts kept per policy: a few outcomes and reasons each in practice; past this many, new ones are not kept. */
const TEXTS_PER_POLICY = 16;

/**
 * JSON.stringify's text of an object or array nested `depth` levels deep in the document: stringified
 * inside as many one-element arrays, which are then cut off — its layout indents purely by depth, and
 * cutting is cheaper than re-indenting every line of the text.
 */
function nested(value: object, depth: number): string {
  let wrapped: unknown = value;
  for (let i = 0; i < depth; i++) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, 2);
  // `[` + newline + the next depth's indentation per level before; newline + indentation + `]` after.
  return text.slice(2 * depth + depth * (depth + 1), text.length - (2 * depth + depth * (depth - 1)));
}

/** A decision's written fields and its text: another decision with the same fields has the same text. */
type KeptDecision = Pick<PolicyDecision, 'policyName' | 'version' | 'inScope' | 'allowed' | 'action' | 'outcome' | 'reason' | 'error'> & { text: string; bytes?: Buffer };

const optionalString = (value: unknown) => value === undefined || typeof value === 'string';

/** Whether every field `orderedDecision` writes for the decision is a string, a boolean or absent, and it points nowhere. */
function keepable(d: PolicyDecision): boolean {
  return (
    d.location === undefined &&
    d.exception === undefined &&
    d.needs === undefined &&
    typeof d.policy === 'string' &&
    typeof d.inScope === 'boolean' &&
    typeof d.allowed === 'boolean' &&
    typeof d.action === 'string' &&
    typeof d.outcome === 'string' &&
    optionalString(d.policyName) &&
    optionalString(d.version) &&
    optionalString(d.reason) &&
    optionalString(d.error)
  );
}

/**
 * `evaluationsText`, with each distinct decision written once per report. Most decisions of a big hub
 * point nowhere (passes and skips: no location, no exception), and those of one policy read the same
 * in every project: their text is kept per policy with the fields it was written from, and re-used for
 * a decision whose fields are all equal (compared as values, without building a key).
 */
class EvaluationsWriter {
  private readonly kept = new Map<string, KeptDecision[]>();

  constructor(private readonly options: Omit<LintJsonOptions, 'indent'>) {}

  text(evaluations: readonly Evaluation[]): string {
    const sink = new TextSink();
    this.write(evaluations, sink);
    return sink.out;
  }

  /** `text` as bytes, and the byte offsets in them where `marker` (ASCII) ends. */
  bytes(evaluations: readonly Evaluation[], marker: string): { bytes: Buffer; ends: number[] } {
    const sink = new ByteSink(marker);
    this.write(evaluations, sink);
    return sink.finish();
  }

  private write(evaluations: readonly Evaluation[], sink: Sink): void {
    for (let i = 0; i < evaluations.length; i++) {
      const e = evaluations[i]!;
      // The fields written by hand have the types the model says; anything else is left to JSON.stringify.
      const plain = typeof e.project === 'string' && typeof e.environment === 'string' && (e.tenant === undefined || typeof e.tenant === 'string') && Array.isArray(e.decisions);
      if (plain) {
        sink.text(`${i === 0 ? '' : ','}\n    `);
        this.evaluation(e, sink);
      } else {
        sink.text(`${i === 0 ? '' : ','}${evaluationsText([e], this.options)}`);
      }
    }
  }

  private evaluation(e: Evaluation, sink: Sink): void {
    let out = `{\n${FIELD_INDENT}"project": ${JSON.stringify(e.project)},\n${FIELD_INDENT}"environment": ${JSON.stringify(e.environment)}`;
    if (e.tenant !== undefined) out += `,\n${FIELD_INDENT}"tenant": ${JSON.stringify(e.tenant)}`;
    if (e.errors !== undefined && e.errors !== null) out += `,\n${FIELD_INDENT}"errors": ${nested(e.errors.map(orderedDiagnostic), FIELD_DEPTH)}`;
    const shown = this.options.findingsOnly ? e.decisions.filter((d) => d.outcome !== 'pass' && d.outcome !== 'skipped') : e.decisions;
    if (shown.length === 0) {
      sink.text(`${out},\n${FIELD_INDENT}"decisions": []\n    }`);
      return;
    }
    sink.text(`${out},\n${FIELD_INDENT}"decisions": [`);
    for (let j = 0; j < shown.length; j++) {
      sink.text(`${j === 0 ? '' : ','}\n${DECISION_INDENT}`);
      this.decision(shown[j]!, sink);
    }
    sink.text(`\n${FIELD_INDENT}]\n    }`);
  }

  private decision(d: PolicyDecision, sink: Sink): void {
    if (!keepable(d)) {
      sink.text(nested(orderedDecision(d), DECISION_DEPTH));
      return;
    }
    let list = this.kept.get(d.policy);
    if (list) {
      for (const k of list) {
        if (k.outcome === d.outcome && k.inScope === d.inScope && k.allowed === d.allowed && k.action === d.action && k.reason === d.reason && k.error === d.error && k.policyName === d.policyName && k.version === d.version) {
          sink.kept(k);
          return;
        }
      }
    } else {
      this.kept.set(d.policy, (list = []));
    }
    const text = nested(orderedDecision(d), DECISION_DEPTH);
    if (list.length < TEXTS_PER_POLICY) {
      const k: KeptDecision = { policyName: d.policyName, version: d.version, inScope: d.inScope, allowed: d.allowed, action: d.action, outcome: d.outcome, reason: d.reason, error: d.error, text };
      list.push(k);
      sink.kept(k);
    } else {
      sink.text(text);
    }
  }
}

/** Where `EvaluationsWriter` writes: text, and decisions written before (kept). */
interface Sink {
  text(text: string): void;
  kept(decision: KeptDecision): void;
}

class TextSink implements Sink {
  out = '';
  text(text: string): void {
    this.out += text;
  }
  kept(decision: KeptDecision): void {
    this.out += decision.text;
  }
}

/**
 * Bytes: a kept decision's bytes are encoded once and copied wherever it recurs (most of a big
 * report), the rest is encoded as it comes. The marker is searched for in the rest only: a kept
 * decision points nowhere, so it names no repository.
 */
class ByteSink implements Sink {
  private readonly parts: Buffer[] = [];
  private length = 0;
  private pending = '';
  private readonly ends: number[] = [];
  private readonly markerBytes: Buffer;

  constructor(private readonly marker: string) {
    this.markerBytes = Buffer.from(marker);
  }

  text(text: string): void {
    this.pending += text;
  }

  kept(decision: KeptDecision): void {
    this.flush();
    const bytes = (decision.bytes ??= Buffer.from(decision.text));
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  private flush(): void {
    if (this.pending === '') return;
    const text = this.pending;
    const bytes = Buffer.from(text);
    if (bytes.length === text.length) {
      // ASCII text (the usual case): character offsets are byte offsets, and the text search is the faster one.
      for (let at = text.indexOf(this.marker); at >= 0; at = text.indexOf(this.marker, at + this.marker.length)) this.ends.push(this.length + at + this.marker.length);
    } else {
      for (let at = bytes.indexOf(this.markerBytes); at >= 0; at = bytes.indexOf(this.markerBytes, at + this.markerBytes.length)) this.ends.push(this.length + at + this.markerBytes.length);
    }
    this.parts.push(bytes);
    this.length += bytes.length;
    this.pending = '';
  }

  finish(): { bytes: Buffer; ends: number[] } {
    this.flush();
    return { bytes: this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.length), ends: this.ends };
  }
}

/**
 * Renders projects' evaluations as stored pieces (see the file comment) for a run at `commit` of the
 * hub repository `hub`: every finding that names that repository object is written with a stand-in
 * commit, whose offsets the piece records. One writer per run: a decision met before is written as it
 * was then.
 */
export class PieceWriter {
  private readonly writer = new EvaluationsWriter({});
  private readonly standIn: string;
  private readonly marker: string;

  constructor(
    private readonly hub: SourceRepository,
    commitLength: number,
  ) {
    // Not a commit and never in a report: JSON escapes no '#', and a string's '"' is always escaped.
    this.standIn = '#'.repeat(commitLength);
    this.marker = `"commit": "${this.standIn}`;
  }

  /** The project's evaluations as they read in the report's `evaluations` (after a comma or `[`). */
  piece(evaluations: readonly Evaluation[]): StoredPiece {
    if (evaluations.length === 0) return { bytes: new Uint8Array(0), commits: [] };
    const { bytes, ends } = withRepositoryAlias(this.hub, this.standIn, () => this.writer.bytes(evaluations, this.marker));
    return { bytes, commits: ends.map((end) => end - this.standIn.length) };
  }
}
