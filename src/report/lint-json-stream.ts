/**
 * `oclhub lint --format json` written as it is produced: the same bytes as `renderLintJson`, as a
 * sequence of chunks (the head, then a few evaluations at a time), so that a 5,000-project report is
 * never one string of hundreds of megabytes, nor an ordered copy of every decision, in memory.
 *
 * `JSON.stringify(value, null, 2)` indents purely by depth, so a value stringified on its own and
 * re-indented (or, for evaluations, as the array of a one-key object) is exactly its text inside the
 * whole document. Evaluations are written around their decisions' texts; a decision's text is written
 * by hand for the shapes the model declares (lint-json-text.ts: the same bytes, without building the
 * ordered copy and stringifying it), and is written once where it recurs: a decision that points
 * nowhere (most passes and skips) once per report, one that points somewhere once per project.
 *
 * A report assembled from stored pieces (lint-pieces.ts: a project's evaluations as the bytes they
 * take here, which is what the lint cache stores) is written piece by piece without decoding them.
 * `PieceWriter` renders those pieces: the hub repository's `commit` is written as a stand-in of the
 * same length wherever a finding names the hub, so those places are known exactly (never found by
 * searching the text), and each run writes its own commit into them.
 */
import type { SourceRepository } from '../diagnostics.js';
import { buildLintJson, orderedDecision, orderedDiagnostic, orderedEvaluations, withLocationRepository, withRepositoryAlias, type LintJsonOptions } from './lint-json.js';
import { decisionText, jsonString, sameDecisionText } from './lint-json-text.js';
import { addJoinedPieceParts, addPieceParts, evaluationSegments, isDeferred, joinedBytes, withoutEvaluations, type DeferredBytes, type EvaluationSegment, type PieceBytes, type StoredPiece } from './lint-pieces.js';
import { lintExitCode, summarize, type Evaluation, type LintReport, type PolicyDecision } from './lint-report.js';

const EVALUATIONS = '\n  "evaluations": []';
/** `JSON.stringify({ e: [x, …] }, null, 2)` is this, the elements (each line indented by four), and the end. */
const WRAP_START = '{\n  "e": [';
const WRAP_END = '\n  ]\n}';
/** Evaluations stringified at a time. */
const BATCH = 64;

/** The chunks of `renderLintJson(report, options)` with the default indentation, as text. */
export function* lintJsonChunks(report: LintReport, options: Omit<LintJsonOptions, 'indent'> = {}): Generator<string> {
  for (const part of lintJsonParts(report, options)) {
    yield typeof part === 'string' ? part : isDeferred(part) ? part.read().toString('utf8') : Buffer.from(part.buffer, part.byteOffset, part.byteLength).toString('utf8');
  }
}

/**
 * The chunks of `renderLintJson(report, options)` with the default indentation: text, and the bytes
 * of stored pieces as they are (see the file comment), deferred ones included (lint-pieces.ts `DeferredBytes`).
 * `onPiece`: told of each stored piece written, with its byte offset in the report (the index of the
 * stored report, lint/report-snapshot.ts).
 */
export function* lintJsonParts(report: LintReport, options: Omit<LintJsonOptions, 'indent'> = {}, onPiece?: (segment: PieceSegment, offset: number) => void): Generator<string | PieceBytes> {
  const { head, open } = headOf(report, options);
  if (open < 0) {
    yield head + '\n';
    return;
  }
  const start = head.slice(0, open);
  yield start;
  // Bytes yielded so far, counted only for `onPiece`.
  let offset = onPiece ? Buffer.byteLength(start) : 0;
  const writer = new EvaluationsWriter(options);
  // Stored pieces hold every decision: a report of findings only is written from the decoded evaluations.
  const segments = options.findingsOnly ? undefined : evaluationSegments(report);
  if (segments) {
    let written = false;
    for (let at = 0; at < segments.length; ) {
      const segment = segments[at]!;
      if (!('evaluations' in segment)) {
        // Stored pieces: a run of them as one chunk (see `pieceRun`).
        const run = pieceRun(segments, at, written, onPiece && offset);
        at = run.next;
        if (run.bytes.length > 0) yield run.bytes;
        offset += run.bytes.length;
        written ||= run.bytes.length > 0;
        continue;
      }
      at++;
      if (segment.evaluations.length === 0) continue;
      const text = `${written ? ',' : ''}${writer.text(segment.evaluations)}`;
      yield text;
      if (onPiece) offset += Buffer.byteLength(text);
      written = true;
    }
  } else {
    const evaluations = report.evaluations;
    for (let at = 0; at < evaluations.length; at += BATCH) {
      yield `${at === 0 ? '' : ','}${writer.text(evaluations.slice(at, at + BATCH))}`;
    }
  }
  yield `\n  ${head.slice(open)}\n`;

  function pieceRun(segments: readonly EvaluationSegment[], from: number, written: boolean, runOffset: number | undefined): { bytes: DeferredBytes; next: number } {
    const run = piecesAsRun(segments, from, written);
    if (onPiece && runOffset !== undefined) for (const [segment, at] of run.placed) onPiece(segment, runOffset + at);
    return run;
  }
}

/** A segment holding a stored piece. */
export type PieceSegment = Extract<EvaluationSegment, { piece: StoredPiece }>;

/** About how many bytes of stored pieces make one chunk (a report slab, cli/commands/lint.ts, holds 1 MiB). */
const PIECE_RUN_BYTES = 1 << 19;

/**
 * The stored pieces of `segments` from `from` on, with the commas between them (and before the first
 * when something was `written` before) and the commit written into each, as one chunk of about
 * PIECE_RUN_BYTES (deferred: read, or copied, into the writer's buffer in one call), and the segment
 * after it; `placed`: each piece written and its offset in the chunk. A thousand pieces as a chunk per run between commits (twenty a piece) and a comma each
 * would make the report's loops hot enough for V8 to optimise them, at a cost a re-run that writes
 * pieces without decoding them never earns back; as runs, they are a few dozen chunks.
 */
function piecesAsRun(segments: readonly EvaluationSegment[], from: number, written: boolean): { bytes: DeferredBytes; next: number; placed: [PieceSegment, number][] } {
  const parts: PieceBytes[] = [];
  const placed: [PieceSegment, number][] = [];
  let bytes = 0;
  let at = from;
  let commit = '';
  let commitBytes = Buffer.alloc(0);
  // Deferred pieces that lie one after the other in their file with a comma between (the last stored
  // report's, lint/report-snapshot.ts: as this wrote them) are read as one run, not one read each.
  let joined: { bytes: DeferredBytes; pieces: [number, readonly number[]][] } | undefined;
  const flush = () => {
    if (joined) addJoinedPieceParts(parts, joined.bytes, joined.pieces, commitBytes);
    joined = undefined;
  };
  for (; at < segments.length && bytes < PIECE_RUN_BYTES; at++) {
    const segment = segments[at]!;
    if ('evaluations' in segment) break;
    const piece = segment.piece;
    if (piece.bytes.length === 0) continue;
    const comma = written || parts.length > 0 || joined !== undefined;
    if (segment.commit !== commit) {
      flush();
      [commit, commitBytes] = [segment.commit, Buffer.from(segment.commit, 'latin1')];
    }
    const run = joined && comma && isDeferred(piece.bytes) ? joined.bytes.joinedWith?.(piece.bytes, 1) : undefined;
    if (run) {
      joined!.pieces.push([joined!.bytes.length + 1, piece.commits]);
      joined!.bytes = run;
    } else if (isDeferred(piece.bytes)) {
      flush();
      if (comma) parts.push(COMMA);
      joined = { bytes: piece.bytes, pieces: [[0, piece.commits]] };
    } else {
      flush();
      if (comma) parts.push(COMMA);
      addPieceParts(parts, piece, commitBytes);
    }
    if (comma) bytes++;
    placed.push([segment, bytes]);
    bytes += piece.bytes.length;
  }
  flush();
  return { bytes: joinedBytes(parts), next: at, placed };
}

const COMMA = Buffer.from(',');

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

/** A decision's text kept to be written again, its bytes once encoded, and where a marker ends in them (ByteSink). */
interface KeptText {
  text: string;
  bytes?: Buffer;
  ends?: readonly number[];
  /** The marker `ends` are of. */
  marker?: string;
}

/** A decision's written fields and its text: another decision with the same fields has the same text. */
type KeptDecision = Pick<PolicyDecision, 'policyName' | 'version' | 'inScope' | 'allowed' | 'action' | 'outcome' | 'reason' | 'error'> & KeptText;

/**
 * A decision written by `decisionText` and its text: one that `sameDecisionText` finds equal reads the
 * same. Kept for one call of `text` or `bytes` (one sink): a byte sink writes the text where it goes
 * and notes where (`written`), and copies it from there when it recurs, instead of encoding it into
 * bytes of its own first (a `Buffer.from` per located decision, 12 ms of a cold 1,000-project lint).
 */
type KeptLocated = { decision: PolicyDecision; text: string; written?: WrittenText };

/** Where a sink wrote a text: the sink, its position before and after, and its count of marker ends before and after. */
interface WrittenText {
  sink: Sink;
  from: number;
  to: number;
  endsFrom: number;
  endsTo: number;
}

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
 *
 * A decision that points somewhere is written by hand (lint-json-text.ts) and reads the same in each
 * of a project's environments and tenants as long as the policy decides the same: within one call of
 * `text` or `bytes` (one project's evaluations, or a batch), its text is kept per policy with the
 * decision it was written from, and re-used for a decision `sameDecisionText` finds equal to it. The
 * decision is compared as it is then, which nothing can change while the call runs.
 */
class EvaluationsWriter {
  private readonly kept = new Map<string, KeptDecision[]>();
  private readonly located = new Map<string, KeptLocated[]>();

  constructor(private readonly options: Omit<LintJsonOptions, 'indent'>) {}

  text(evaluations: readonly Evaluation[]): string {
    const sink = new TextSink();
    this.write(evaluations, sink);
    return sink.out;
  }

  /** The slab byte sinks write into (see ByteSink), and where its free part starts. */
  private slab: Buffer | undefined;
  private used = 0;

  /** `text` as bytes, and the byte offsets in them where `marker` (ASCII) ends. */
  bytes(evaluations: readonly Evaluation[], marker: string): { bytes: Buffer; ends: number[] } {
    const sink = new ByteSink(marker, (this.slab ??= Buffer.allocUnsafeSlow(SLAB)), this.used);
    this.write(evaluations, sink);
    const { bytes, ends, buffer, used } = sink.finish();
    this.slab = buffer;
    this.used = used;
    return { bytes, ends };
  }

  /**
   * The decisions of the evaluation written last in this call, with where each one's bytes start in
   * the sink (and the marker ends before it), and whether it was written by `decisionText` (then one
   * that `sameDecisionText` finds equal to it reads the same). Only for sinks that can repeat bytes.
   */
  private previous: WrittenDecisions | undefined;

  private write(evaluations: readonly Evaluation[], sink: Sink): void {
    this.previous = undefined;
    try {
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
    } finally {
      // Kept located decisions are compared as they are during this call only (see the class comment).
      this.located.clear();
      this.previous = undefined;
    }
  }

  private evaluation(e: Evaluation, sink: Sink): void {
    let out = `{\n${FIELD_INDENT}"project": ${jsonString(e.project)},\n${FIELD_INDENT}"environment": ${jsonString(e.environment)}`;
    if (e.tenant !== undefined) out += `,\n${FIELD_INDENT}"tenant": ${jsonString(e.tenant)}`;
    if (e.errors !== undefined && e.errors !== null) out += `,\n${FIELD_INDENT}"errors": ${nested(e.errors.map(orderedDiagnostic), FIELD_DEPTH)}`;
    const shown = this.options.findingsOnly ? e.decisions.filter((d) => d.outcome !== 'pass' && d.outcome !== 'skipped') : e.decisions;
    if (shown.length === 0) {
      sink.text(`${out},\n${FIELD_INDENT}"decisions": []\n    }`);
      return;
    }
    sink.text(`${out},\n${FIELD_INDENT}"decisions": [`);
    if (!sink.repeats) {
      for (let j = 0; j < shown.length; j++) {
        sink.lead(j === 0);
        this.fixed = true;
        this.decision(shown[j]!, sink);
      }
    } else {
      this.repeatingDecisions(shown, sink);
    }
    sink.text(`\n${FIELD_INDENT}]\n    }`);
  }

  /**
   * The decisions of an evaluation, where a run of them reads as the run at the same places of the
   * evaluation written before (the same project's previous environment, in a piece: most decisions
   * of a project are the same in each of its environments) copied from the bytes written then, in
   * one copy: the separator before each is the same too, as it depends only on the place.
   */
  private repeatingDecisions(shown: readonly PolicyDecision[], sink: Sink): void {
    const n = shown.length;
    const previous = this.previous;
    const before = previous === undefined ? 0 : Math.min(n, previous.decisions.length);
    const written: WrittenDecisions = { decisions: shown, starts: new Array<number>(n + 1), ends: new Array<number>(n + 1), fixed: new Array<boolean>(n) };
    let j = 0;
    while (j < n) {
      let k = j;
      while (k < before && previous!.fixed[k] && sameDecisionText(previous!.decisions[k]!, shown[k]!)) k++;
      if (k > j) {
        // Decisions j..k-1 read as the previous evaluation's: their bytes (and marker ends) once more.
        const from = sink.position();
        const endsFrom = sink.endCount();
        for (let i = j; i <= k; i++) {
          written.starts[i] = from + (previous!.starts[i]! - previous!.starts[j]!);
          written.ends[i] = endsFrom + (previous!.ends[i]! - previous!.ends[j]!);
          if (i < k) written.fixed[i] = true;
        }
        sink.repeat(previous!.starts[j]!, previous!.starts[k]!, previous!.ends[j]!, previous!.ends[k]!);
        j = k;
        continue;
      }
      written.starts[j] = sink.position();
      written.ends[j] = sink.endCount();
      sink.lead(j === 0);
      this.fixed = true;
      this.decision(shown[j]!, sink);
      written.fixed[j] = this.fixed;
      j++;
    }
    written.starts[n] = sink.position();
    written.ends[n] = sink.endCount();
    this.previous = written;
  }

  /** Whether the decision written last was written by `decisionText` (see `previous`). */
  private fixed = true;

  private decision(d: PolicyDecision, sink: Sink): void {
    if (!keepable(d)) {
      this.locatedDecision(d, sink);
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
    let text = decisionText(d, DECISION_DEPTH);
    if (text === undefined) {
      this.fixed = false;
      text = nested(orderedDecision(d), DECISION_DEPTH);
    }
    if (list.length < TEXTS_PER_POLICY) {
      const k: KeptDecision = { policyName: d.policyName, version: d.version, inScope: d.inScope, allowed: d.allowed, action: d.action, outcome: d.outcome, reason: d.reason, error: d.error, text };
      list.push(k);
      sink.kept(k);
    } else {
      sink.text(text);
    }
  }

  /** A decision that may point somewhere, name an exception or need input (see the class comment). */
  private locatedDecision(d: PolicyDecision, sink: Sink): void {
    const policy = d.policy;
    let list = typeof policy === 'string' ? this.located.get(policy) : undefined;
    if (list) {
      for (const k of list) {
        if (sameDecisionText(k.decision, d)) {
          sink.located(k);
          return;
        }
      }
    }
    const text = decisionText(d, DECISION_DEPTH);
    if (text === undefined) {
      this.fixed = false;
      sink.text(nested(orderedDecision(d), DECISION_DEPTH));
      return;
    }
    if (!list) this.located.set(policy, (list = []));
    if (list.length < TEXTS_PER_POLICY) {
      const k: KeptLocated = { decision: d, text };
      list.push(k);
      sink.located(k);
    } else {
      sink.text(text);
    }
  }
}

/** An evaluation's decisions as written (see `EvaluationsWriter.previous`): `starts` and `ends` have one more entry, the end. */
interface WrittenDecisions {
  decisions: readonly PolicyDecision[];
  starts: number[];
  ends: number[];
  fixed: boolean[];
}

/**
 * Where `EvaluationsWriter` writes: text, the separator before a decision, and decisions written
 * before (kept); a sink that `repeats` also copies a run of what it wrote in this call once more.
 */
interface Sink {
  text(text: string): void;
  lead(first: boolean): void;
  kept(decision: KeptText): void;
  /** A located decision's text (kept for this sink alone, see `KeptLocated`). */
  located(decision: KeptLocated): void;
  readonly repeats: boolean;
  /** How much was written (a position for `repeat`), and how many marker ends. */
  position(): number;
  endCount(): number;
  /** Writes again what was written from `from` to `to` (positions), whose marker ends are `endsFrom` to `endsTo`. */
  repeat(from: number, to: number, endsFrom: number, endsTo: number): void;
}

/** Text: repeats nothing (a slice of the growing text would flatten it each time). */
class TextSink implements Sink {
  readonly repeats = false;
  position(): number {
    return this.out.length;
  }
  endCount(): number {
    return 0;
  }
  repeat(): void {
    throw new Error('a text sink repeats nothing');
  }
  out = '';
  text(text: string): void {
    this.out += text;
  }
  lead(first: boolean): void {
    this.out += first ? `\n${DECISION_INDENT}` : `,\n${DECISION_INDENT}`;
  }
  kept(decision: KeptText): void {
    this.out += decision.text;
  }
  located(decision: KeptLocated): void {
    this.out += decision.text;
  }
}

/** The separator before a decision in its evaluation's `decisions`, after the first and before it, as bytes. */
const DECISION_LEAD = [Buffer.from(`\n${DECISION_INDENT}`), Buffer.from(`,\n${DECISION_INDENT}`)] as const;

/** The size of the buffers pieces are written into (a piece larger than that gets a buffer of its own). */
const SLAB = 1 << 20;

/**
 * Bytes, written straight into the writer's current buffer (a slab: pieces one after the other, each
 * a view of its part, so none is copied out or allocated on its own; a piece that outgrows the slab
 * moves to a new one): a kept decision's bytes are encoded once, and searched for the marker once,
 * and copied wherever it recurs (most of a big report); the rest is encoded and searched as it comes.
 */
class ByteSink implements Sink {
  readonly repeats = true;
  /** Bytes written (from `start` in `buffer`). */
  private length = 0;
  private pending = '';
  private readonly ends: number[] = [];
  private readonly markerBytes: Buffer;
  /** The marker up to and including its last '"', and the rest (see `markerEnds`). */
  private readonly markerHead: string;
  private readonly markerTail: string;

  constructor(
    private readonly marker: string,
    private buffer: Buffer,
    private start: number,
  ) {
    this.markerBytes = Buffer.from(marker);
    const cut = marker.lastIndexOf('"') + 1;
    this.markerHead = marker.slice(0, cut);
    this.markerTail = marker.slice(cut);
  }

  text(text: string): void {
    this.pending += text;
  }

  /** The separator before a decision (see `DECISION_LEAD`), copied without encoding. */
  lead(first: boolean): void {
    if (this.pending !== '') this.flush();
    this.copy(DECISION_LEAD[first ? 0 : 1]);
  }

  kept(decision: KeptText): void {
    if (this.pending !== '') this.flush();
    let bytes = decision.bytes;
    let ends = decision.ends;
    if (bytes === undefined || ends === undefined || decision.marker !== this.marker) {
      bytes = decision.bytes ??= Buffer.from(decision.text);
      ends = decision.ends = this.markerEnds(decision.text, bytes, 0, bytes.length);
      decision.marker = this.marker;
    }
    for (let i = 0; i < ends.length; i++) this.ends.push(this.length + ends[i]!);
    this.copy(bytes);
  }

  /** Written where it goes the first time (and searched for the marker then), copied from there after. */
  located(decision: KeptLocated): void {
    const written = decision.written;
    if (written !== undefined && written.sink === this) {
      this.repeat(written.from, written.to, written.endsFrom, written.endsTo);
      return;
    }
    if (this.pending !== '') this.flush();
    const from = this.length;
    const endsFrom = this.ends.length;
    this.pending = decision.text;
    this.flush();
    decision.written = { sink: this, from, to: this.length, endsFrom, endsTo: this.ends.length };
  }

  position(): number {
    if (this.pending !== '') this.flush();
    return this.length;
  }

  endCount(): number {
    return this.ends.length;
  }

  repeat(from: number, to: number, endsFrom: number, endsTo: number): void {
    if (this.pending !== '') this.flush();
    const size = to - from;
    if (this.start + this.length + size > this.buffer.length) this.grow(size);
    const shift = this.length - from;
    for (let i = endsFrom; i < endsTo; i++) this.ends.push(this.ends[i]! + shift);
    this.buffer.copyWithin(this.start + this.length, this.start + from, this.start + to);
    this.length += size;
  }

  private copy(bytes: Buffer): void {
    if (this.start + this.length + bytes.length > this.buffer.length) this.grow(bytes.length);
    const buffer = this.buffer;
    const at = this.start + this.length;
    if (bytes.length <= 16) for (let i = 0; i < bytes.length; i++) buffer[at + i] = bytes[i]!;
    else buffer.set(bytes, at);
    this.length += bytes.length;
  }

  /** Moves the piece written so far to a new slab with room for `more` bytes after it. */
  private grow(more: number): void {
    const bigger = Buffer.allocUnsafeSlow(Math.max(SLAB, 2 * (this.length + more)));
    this.buffer.copy(bigger, 0, this.start, this.start + this.length);
    this.buffer = bigger;
    this.start = 0;
  }

  /** The offsets in `bytes[from, to)` (the encoded `text`) where the marker ends, counted from `from`. */
  private markerEnds(text: string, bytes: Buffer, from: number, to: number): number[] {
    const ends: number[] = [];
    const { markerHead: head, markerTail: tail } = this;
    if (to - from === text.length && tail !== '') {
      // ASCII text (the usual case): character offsets are byte offsets, and the text search is the faster one.
      // Searched by the marker's tail (the stand-in commit's '#'s, which JSON text otherwise hardly has),
      // its head checked where one is found: a search for the whole marker stops at every '"' of the
      // text (V8 looks for a pattern's first character first), which was most of the time it took. The
      // same ends, left to right: a marker ends at `at + tail.length` exactly when its tail starts at `at`
      // after its head, and the next one starts no sooner than where this one ends.
      for (let at = text.indexOf(tail, head.length); at >= 0; ) {
        if (text.startsWith(head, at - head.length)) {
          ends.push(at + tail.length);
          at = text.indexOf(tail, at + tail.length + head.length);
        } else {
          at = text.indexOf(tail, at + 1);
        }
      }
    } else if (to - from === text.length) {
      for (let at = text.indexOf(this.marker); at >= 0; at = text.indexOf(this.marker, at + this.marker.length)) ends.push(at + this.marker.length);
    } else {
      const size = this.markerBytes.length;
      for (let at = bytes.indexOf(this.markerBytes, from); at >= 0 && at + size <= to; at = bytes.indexOf(this.markerBytes, at + size)) ends.push(at - from + size);
    }
    return ends;
  }

  private flush(): void {
    const text = this.pending;
    this.pending = '';
    // At most three bytes a UTF-16 unit (a surrogate pair's four bytes are two units).
    if (this.start + this.length + 3 * text.length > this.buffer.length) this.grow(3 * text.length);
    const at = this.start + this.length;
    const written = this.buffer.write(text, at);
    for (const end of this.markerEnds(text, this.buffer, at, at + written)) this.ends.push(this.length + end);
    this.length += written;
  }

  /** The bytes written (a view of the slab) and where the marker ends in them; the slab, and where its free part starts. */
  finish(): { bytes: Buffer; ends: number[]; buffer: Buffer; used: number } {
    if (this.pending !== '') this.flush();
    const end = this.start + this.length;
    return { bytes: this.buffer.subarray(this.start, end), ends: this.ends, buffer: this.buffer, used: end };
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

  /**
   * The project's evaluations as they read in the report's `evaluations` (after a comma or `[`);
   * decision locations naming a file and no repository are written as naming `locations` (the
   * project's repository: lint-json.ts `withLocationRepository`).
   */
  piece(evaluations: readonly Evaluation[], locations?: SourceRepository): StoredPiece & { bytes: Uint8Array } {
    if (evaluations.length === 0) return { bytes: new Uint8Array(0), commits: [] };
    const { bytes, ends } = withRepositoryAlias(this.hub, this.standIn, () => withLocationRepository(locations, () => this.writer.bytes(evaluations, this.marker)));
    return { bytes, commits: ends.map((end) => end - this.standIn.length) };
  }
}
