/**
 * A lint report whose evaluations are held, project by project, as the bytes they take in the JSON
 * report (a *piece*, see lint-json-stream.ts), the way the lint cache stores them: a run that takes
 * most projects from the cache writes their pieces into the JSON report without decoding them, and
 * counts them from the small tally stored beside each piece.
 *
 * The report stays an ordinary `LintReport`: reading `evaluations` (any renderer but the JSON stream)
 * decodes every piece then, once, and from then on the report is its decoded evaluations alone (the
 * stored pieces and tally are dropped, so nothing can disagree with an array someone changed).
 *
 * A piece's only content that varies with the hub commit is the hub repository's `commit` where a
 * finding names the hub: the piece holds a stand-in there, at known offsets, and the commit of this
 * run is written in as the piece is written out (or decoded).
 */
import { FindingsOutliner, type StoredOutline } from './findings-outline.js';
import { emptyTally, STORED_TALLY, TALLY, tallyEvaluations, type Evaluation, type EvaluationTally, type LintReport } from './lint-report.js';

/**
 * Bytes of a piece left in the file that stores them (the lint cache's), read only when they are
 * written out: straight into the buffer that carries them to the report file, instead of being read
 * into memory of their own first. Reading throws when the file no longer gives them (see
 * lint/cache.ts `DeferredReadError`): whoever writes them must then not publish what it wrote.
 */
export interface DeferredBytes {
  readonly length: number;
  /** Reads them into `target` at `offset`. */
  readInto(target: Uint8Array, offset: number): void;
  /** Reads them into a new buffer. */
  read(): Buffer;
  /**
   * These bytes, the `gap` bytes after them in their file and `next`, as one run (read in one call),
   * when `next` lies right there; undefined otherwise.
   */
  joinedWith?(next: DeferredBytes, gap: number): DeferredBytes | undefined;
}

/** A piece's bytes: in memory, or deferred. */
export type PieceBytes = Uint8Array | DeferredBytes;

/** Whether `bytes` are deferred (see `DeferredBytes`). */
export function isDeferred(bytes: PieceBytes | string): bytes is DeferredBytes {
  return typeof bytes !== 'string' && !(bytes instanceof Uint8Array);
}

/**
 * The deferred rest of a stored entry whose head a cache handed out (lint/cache.ts: the bytes after
 * the head are left in the file), so that the entry's reader can find them from the head alone.
 */
const deferredTails = new WeakMap<Uint8Array, DeferredBytes>();

export function registerDeferredTail(head: Uint8Array, tail: DeferredBytes): void {
  deferredTails.set(head, tail);
}

/** The deferred rest of the entry whose head `bytes` are, if it has one (see `registerDeferredTail`). */
export function deferredTailOf(bytes: Uint8Array): DeferredBytes | undefined {
  return deferredTails.get(bytes);
}

/** A project's evaluations as JSON report bytes, with the offsets where the hub commit goes. */
export interface StoredPiece {
  bytes: PieceBytes;
  commits: readonly number[];
}

/**
 * What the summary needs of one project's evaluations (see `EvaluationTally`), and what a SARIF log
 * lists of them before its results (findings-outline.ts; 0: none made, or none could be: the piece is decoded).
 */
export interface SegmentTally {
  counts: number[];
  environments: string[];
  tenants: string[];
  outline: StoredOutline;
}

/**
 * Where a stored piece's result came from, for the index of the stored report (lint/report-snapshot.ts):
 * its key and its record's JSON as the lint cache stores them, or its line of the last index as it is.
 */
export type PieceOrigin = { key: string; record: string } | { readonly line: Uint8Array };

/** One project's evaluations in a report: decoded, or a stored piece (with the commit to write into it). */
export type EvaluationSegment =
  | { project: string; evaluations: Evaluation[] }
  | { project: string; piece: StoredPiece; commit: string; tally: SegmentTally; origin?: PieceOrigin };

const STORED_SEGMENTS = Symbol('oclhub.storedSegments');

/**
 * The tally of one project's evaluations (what a cache entry stores beside its piece), with the
 * findings' outline when `outlined` (else 0, and a SARIF report decodes the piece instead): only a run
 * writing SARIF makes it. Made and stored in every run, it cost a cold 1,000-project JSON lint, which
 * never reads it, ~2% CPU (paired A/B, 14-20 pairs: made and not stored 1.020, a string of its size
 * stored and not made 1.015, both 1.025; neither 0.995).
 */
export function segmentTally(evaluations: readonly Evaluation[], outlined: boolean): SegmentTally {
  if (!outlined) {
    const tally = tallyEvaluations(evaluations);
    return { counts: tally.counts, environments: [...tally.environments], tenants: [...tally.tenants], outline: 0 };
  }
  const outliner = new FindingsOutliner();
  const tally = tallyEvaluations(evaluations, emptyTally(), outliner);
  return { counts: tally.counts, environments: [...tally.environments], tenants: [...tally.tenants], outline: outliner.outline() };
}

/** The piece's bytes with `commit` written in, as a new buffer. */
export function pieceBytes(piece: StoredPiece, commit: string): Buffer {
  return writePieceBytes(piece, commit, Buffer.allocUnsafe(piece.bytes.length));
}

/** Writes the piece's bytes into `target` (exactly their length), `commit` in its stand-ins' places. */
function writePieceBytes(piece: StoredPiece, commit: string, target: Buffer): Buffer {
  if (isDeferred(piece.bytes)) piece.bytes.readInto(target, 0);
  else target.set(piece.bytes);
  for (const at of piece.commits) target.write(commit, at, 'latin1');
  return target;
}

/**
 * Adds the piece's bytes to `parts` as parts to write one after the other, `commit` (its bytes) in its
 * stand-ins' places: in memory, the stored runs between them and the commit, without copying them;
 * deferred, one part read whole with the commit written over its stand-ins (a read per run between
 * them would be a system call each: tens of thousands for a thousand projects).
 */
export function addPieceParts(parts: PieceBytes[], piece: StoredPiece, commit: Uint8Array): void {
  if (isDeferred(piece.bytes)) {
    parts.push(deferredWithCommit(piece.bytes, [[0, piece.commits]], commit));
    return;
  }
  let from = 0;
  for (const at of piece.commits) {
    parts.push(piece.bytes.subarray(from, at), commit);
    from = at + commit.length;
  }
  parts.push(piece.bytes.subarray(from));
}

/** `parts` (bytes in memory and deferred ones) one after the other, as deferred bytes: read in one call. */
export function joinedBytes(parts: readonly PieceBytes[]): DeferredBytes {
  let length = 0;
  for (const part of parts) length += part.length;
  const joined: DeferredBytes = {
    length,
    readInto(target, offset) {
      let at = offset;
      for (const part of parts) {
        if (isDeferred(part)) part.readInto(target, at);
        else target.set(part, at);
        at += part.length;
      }
    },
    read() {
      const bytes = Buffer.allocUnsafe(length);
      joined.readInto(bytes, 0);
      return bytes;
    },
  };
  return joined;
}

/**
 * Deferred bytes of several pieces one after the other in their file (`DeferredBytes.joinedWith`), read
 * with `commit` written into each one's stand-ins: `pieces` gives each piece's place in them and its
 * stand-ins' offsets.
 */
export function addJoinedPieceParts(parts: PieceBytes[], bytes: DeferredBytes, pieces: readonly (readonly [at: number, commits: readonly number[]])[], commit: Uint8Array): void {
  parts.push(deferredWithCommit(bytes, pieces, commit));
}

/** Deferred piece bytes read with `commit` written at each piece's stand-ins (offsets from where the piece is in them). */
function deferredWithCommit(bytes: DeferredBytes, pieces: readonly (readonly [at: number, commits: readonly number[]])[], commit: Uint8Array): DeferredBytes {
  // The first stand-in written from `commit`, the others copied from it inside `target` (copyWithin: a
  // memmove without the argument checks `set` makes on another array, a third less for 20,000 of them).
  const patch = (target: Uint8Array, offset: number) => {
    let first = -1;
    for (const [at, commits] of pieces) {
      for (let i = 0; i < commits.length; i++) {
        const to = offset + at + commits[i]!;
        if (first < 0) target.set(commit, (first = to));
        else target.copyWithin(to, first, first + commit.length);
      }
    }
  };
  const patched: DeferredBytes = {
    length: bytes.length,
    readInto(target, offset) {
      bytes.readInto(target, offset);
      patch(target, offset);
    },
    read() {
      const read = bytes.read();
      patch(read, 0);
      return read;
    },
  };
  return patched;
}

/** The evaluations a piece holds (its JSON decoded: the fields the report writes, which are all an `Evaluation` has). */
export function decodePiece(piece: StoredPiece, commit: string): Evaluation[] {
  const length = piece.bytes.length;
  if (length + 2 > DECODE_SCRATCH_BYTES) return JSON.parse(`[${pieceBytes(piece, commit).toString('utf8')}]`) as Evaluation[];
  // Read (or copied) into one buffer kept for it, between the array's brackets: the text made from them
  // is all that is decoded, and is the array's whole text (not joined to the brackets, which made
  // JSON.parse copy it once more). A buffer each was 34 MB of short-lived memory per pass at 1,000
  // projects, and SARIF and JUnit decode pieces twice.
  const text = (decodeScratch ??= Buffer.allocUnsafeSlow(DECODE_SCRATCH_BYTES)).subarray(0, length + 2);
  text[0] = OPEN_BRACKET;
  writePieceBytes(piece, commit, text.subarray(1, length + 1));
  text[length + 1] = CLOSE_BRACKET;
  return JSON.parse(text.toString('utf8')) as Evaluation[];
}

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
/** Pieces up to this size (with two brackets) are decoded through `decodeScratch` (larger ones through a buffer of their own, not kept). */
const DECODE_SCRATCH_BYTES = 1 << 20;
let decodeScratch: Buffer | undefined;

export function segmentEvaluations(segment: EvaluationSegment): Evaluation[] {
  return 'evaluations' in segment ? segment.evaluations : decodePiece(segment.piece, segment.commit);
}

/**
 * `report` with `evaluations` made of `segments` (see the file comment): counted without decoding,
 * written by the JSON stream without decoding, decoded on first read for everything else.
 */
export function withEvaluationSegments(report: Omit<LintReport, 'evaluations'>, segments: readonly EvaluationSegment[]): LintReport {
  const out = report as LintReport;
  const tally = emptyTally();
  for (const segment of segments) {
    if ('evaluations' in segment) {
      tallyEvaluations(segment.evaluations, tally);
      continue;
    }
    const { counts, environments, tenants } = segment.tally;
    for (let i = 0; i < counts.length; i++) tally.counts[i]! += counts[i]!;
    if (counts[TALLY.evaluations]! > 0) tally.projects.add(segment.project);
    for (const e of environments) tally.environments.add(e);
    for (const t of tenants) tally.tenants.add(t);
  }
  let evaluations: Evaluation[] | undefined;
  const settle = (value: Evaluation[]) => {
    evaluations = value;
    delete (out as { [STORED_TALLY]?: unknown })[STORED_TALLY];
    delete (out as { [STORED_SEGMENTS]?: unknown })[STORED_SEGMENTS];
  };
  Object.defineProperty(out, STORED_TALLY, { value: tally, enumerable: false, configurable: true, writable: false });
  Object.defineProperty(out, STORED_SEGMENTS, { value: segments, enumerable: false, configurable: true, writable: false });
  Object.defineProperty(out, 'evaluations', {
    enumerable: true,
    configurable: true,
    get() {
      if (evaluations === undefined) settle(segments.flatMap(segmentEvaluations));
      return evaluations;
    },
    set(value: Evaluation[]) {
      settle(value);
    },
  });
  return out;
}

/**
 * The report's evaluations a project at a time, in the report's order: while they are stored pieces,
 * each piece is decoded when its turn comes and dropped once the caller moves on (the report itself
 * stays undecoded), so that a renderer holds one project's objects, not the whole hub's. Once the
 * report is decoded, its evaluations in one run. What the runs join up to is always `report.evaluations`.
 */
export function* evaluationRuns(report: LintReport): Generator<readonly Evaluation[]> {
  const segments = evaluationSegments(report);
  if (segments === undefined) {
    yield report.evaluations;
    return;
  }
  for (const segment of segments) yield segmentEvaluations(segment);
}

/** The report's evaluations one by one, stored pieces decoded a project at a time (see `evaluationRuns`). */
export function* eachEvaluation(report: LintReport): Generator<Evaluation> {
  for (const evaluations of evaluationRuns(report)) yield* evaluations;
}

/** A shallow copy of the report without its evaluations, which are not read (a destructuring pattern would read them). */
export function withoutEvaluations(report: LintReport): Omit<LintReport, 'evaluations'> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(report)) if (key !== 'evaluations') out[key] = (report as unknown as Record<string, unknown>)[key];
  return out as unknown as Omit<LintReport, 'evaluations'>;
}

/** The report's evaluations as segments, while they have not been decoded (see `withEvaluationSegments`). */
export function evaluationSegments(report: LintReport): readonly EvaluationSegment[] | undefined {
  return (report as { [STORED_SEGMENTS]?: readonly EvaluationSegment[] })[STORED_SEGMENTS];
}

/** The distinct environments and tenants of the report's evaluations, sorted, without decoding them. */
export function evaluationScope(report: LintReport): { environments: string[]; tenants: string[] } {
  const tally = (report as { [STORED_TALLY]?: EvaluationTally })[STORED_TALLY];
  if (tally) return { environments: [...tally.environments].sort(), tenants: [...tally.tenants].sort() };
  const environments = new Set<string>();
  const tenants = new Set<string>();
  for (const e of report.evaluations) {
    environments.add(e.environment);
    if (e.tenant !== undefined) tenants.add(e.tenant);
  }
  return { environments: [...environments].sort(), tenants: [...tenants].sort() };
}
