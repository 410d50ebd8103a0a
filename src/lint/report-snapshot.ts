/**
 * The last stored JSON report (`lint-output.body`, cache.ts) as a store of project results: a run after
 * a commit that changed a few projects takes every other project's piece (its evaluations as report
 * bytes, report/lint-pieces.ts) from where the last report holds it, and its record (diagnostics, facts,
 * tally) from one index beside it, instead of finding, reading and decoding a thousand lint cache
 * entries one by one. The report is then written from that body in long runs (the commit written into
 * each piece's stand-ins, as from the cache), and only the changed projects' results come from the cache
 * or an evaluation.
 *
 * The index (`lint-output.pieces`) is written after the body it describes is published, and names it by
 * its identity ([size, mtime, inode], as the rendered report's head does): a header line
 * `oclhub-report-pieces/3 size mtimeMs inode commitLength count crc` (the CRC-32 of what follows it, as
 * the lint cache checks its records), the byte offset of each piece in the
 * body (a JSON array, one line), then one line per project, `["slug","key",length,{record}],` — the
 * record exactly as the lint cache stores it for that key (result-entry.ts), so that a line does not
 * depend on where its piece lies and is carried to the next index as it is.
 *
 * Only a project whose key (everything its result depends on, engine.ts) equals the line's is taken,
 * from a body that shows the identity named: any other body, a torn or foreign index, a piece that does
 * not fit the body, and the project comes from the lint cache as before. Its bytes are read when the
 * report is written, under cache.ts's protocol for deferred reads (a body that changes meanwhile fails
 * `checkDeferredReads`, and the CLI lints again without deferring, which does not use the snapshot).
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import path from 'node:path';
import { replaceFileSync } from '../git/durable.js';
import { DeferredSource, FileRun } from './cache.js';
import { hasIdentity, RENDERED_BODY, type FileIdentity } from './fast-rerun.js';
import { storedPieceWhole, type CompactResult, type DecodedEntry } from './result-entry.js';
import type { EvaluationSegment, SegmentTally } from '../report/lint-pieces.js';

export const SNAPSHOT_INDEX = 'lint-output.pieces';
const FORMAT = 'oclhub-report-pieces/3';

/** A project's line of the index, parsed: slug, key, piece length, record. */
type IndexLine = [string, string, number, Omit<CompactResult, 'sources'> & { piece?: { tally: SegmentTally; commits: readonly number[] } }];

/** The last stored report's pieces (see the file comment), opened before its body may be set aside. */
export class ReportSnapshot {
  private parsed: { lines: IndexLine[]; offsets: number[]; bySlug: Map<string, number>; ends: number[] } | null | undefined;

  private constructor(
    private readonly index: Buffer,
    /** Where the offsets' line starts, and the projects' lines. */
    private readonly offsetsAt: number,
    private readonly linesAt: number,
    private readonly count: number,
    private readonly commitLength: number,
    private readonly bodySize: number,
    private readonly source: DeferredSource,
  ) {}

  /**
   * The snapshot in `dir`, when its index names the body there now; undefined otherwise. The body stays
   * open (a deferred source of cache.ts: `releaseDeferredReads` closes it), so that it may be renamed
   * aside or removed meanwhile. Never throws.
   */
  static open(dir: string): ReportSnapshot | undefined {
    let index: Buffer;
    try {
      index = readFileSync(path.join(dir, SNAPSHOT_INDEX));
    } catch {
      return undefined;
    }
    const first = index.indexOf(10);
    const second = first < 0 ? -1 : index.indexOf(10, first + 1);
    if (second < 0 || first > 256) return undefined;
    const [format, size, mtimeMs, ino, commitLength, count, crc, ...rest] = index.toString('latin1', 0, first).split(' ');
    const numbers = [size, mtimeMs, ino, commitLength, count].map(Number);
    if (format !== FORMAT || rest.length > 0 || !numbers.every((n) => Number.isFinite(n) && n >= 0)) return undefined;
    // Damaged (not torn: it is replaced whole): none of it is trusted.
    if (!/^[0-9a-f]{1,8}$/.test(crc ?? '') || parseInt(crc!, 16) !== crc32(index.subarray(first + 1))) return undefined;
    const identity = numbers.slice(0, 3) as FileIdentity;
    let fd: number;
    try {
      fd = openSync(path.join(dir, RENDERED_BODY), 'r');
    } catch {
      return undefined;
    }
    try {
      const info = fstatSync(fd);
      if (!info.isFile() || !hasIdentity(info, identity)) throw new Error('another body');
      const source = new DeferredSource(path.join(dir, RENDERED_BODY), fd, [info.size, info.mtimeMs, 0, info.ino], true);
      return new ReportSnapshot(index, first + 1, second + 1, numbers[4]!, numbers[3]!, info.size, source);
    } catch {
      closeSync(fd);
      return undefined;
    }
  }

  /** The index parsed (once); null when it is not whole. */
  private lines(): NonNullable<ReportSnapshot['parsed']> | null {
    if (this.parsed !== undefined) return this.parsed;
    this.parsed = null;
    try {
      const index = this.index;
      const offsets = JSON.parse(index.toString('latin1', this.offsetsAt, this.linesAt - 1)) as number[];
      // Each line ends with `,\n` (no newline inside JSON text): the lines are one JSON array once the last comma goes.
      const ends: number[] = [];
      for (let at = index.indexOf(10, this.linesAt); at >= 0; at = index.indexOf(10, at + 1)) ends.push(at + 1);
      if (ends.length !== this.count || offsets.length !== this.count || (this.count > 0 && ends.at(-1) !== index.length) || (this.count === 0 && index.length !== this.linesAt)) return null;
      const lines = this.count === 0 ? [] : (JSON.parse(`[${index.toString('utf8', this.linesAt, index.length - 2)}]`) as IndexLine[]);
      if (!Array.isArray(lines) || lines.length !== this.count || !Array.isArray(offsets)) return null;
      const bySlug = new Map<string, number>();
      lines.forEach((line, at) => {
        if (Array.isArray(line) && typeof line[0] === 'string') bySlug.set(line[0], at);
      });
      this.parsed = { lines, offsets, bySlug, ends };
    } catch {
      this.parsed = null;
    }
    return this.parsed;
  }

  /**
   * The result the last report holds for project `slug` when it was stored under `key`: its record as
   * the cache's entry would decode (without sources), its piece left in the body. Undefined otherwise
   * (another key, a hub commit of another length, anything not whole).
   */
  take(slug: string, key: string, commitLength: number): (DecodedEntry & { line: SnapshotLine }) | undefined {
    if (commitLength !== this.commitLength) return undefined;
    const parsed = this.lines();
    const at = parsed?.bySlug.get(slug);
    if (parsed == null || at === undefined) return undefined;
    // Indexed, not destructured, and plain loops: this runs once per project per process, in V8's interpreter.
    const indexed = parsed.lines[at]!;
    const length = indexed[2];
    const record = indexed[3];
    const offset = parsed.offsets[at]!;
    if (indexed[1] !== key || !Number.isInteger(length) || !Number.isInteger(offset) || offset < 0 || length <= 0 || offset + length > this.bodySize) return undefined;
    if (record === null || typeof record !== 'object' || !Array.isArray(record.policies) || !Array.isArray(record.diagnostics) || !Array.isArray(record.evaluations)) return undefined;
    const piece = record.piece;
    if (!storedPieceWhole(piece, length, commitLength)) return undefined;
    const { tally, commits } = piece;
    // Taken once: the record's objects become the run's (placed in place, engine.ts).
    parsed.bySlug.delete(slug);
    const result: CompactResult = { policies: record.policies, diagnostics: record.diagnostics, evaluations: record.evaluations, sources: [] };
    if (record.facts !== undefined) result.facts = record.facts;
    return { result, piece: { bytes: new FileRun(this.source, offset, length), commits, tally }, line: new SnapshotLine(this, at) };
  }

  /** The lines of projects `from` to `to` (excluded) of the index, as they are (see `SnapshotLine`). */
  lineBytes(from: number, to = from + 1): Uint8Array {
    const ends = this.parsed!.ends;
    return this.index.subarray(from === 0 ? this.linesAt : ends[from - 1]!, ends[to - 1]!);
  }

  /** Lets the body go (nothing is read from it after this), closing it on the thread pool (see `DeferredSource.closeInBackground`). */
  close(): void {
    this.source.closeInBackground();
  }
}

/** A project's line of a snapshot's index, found only when the next index is written (most runs' lines are never needed apart). */
export class SnapshotLine {
  constructor(
    readonly snapshot: ReportSnapshot,
    readonly at: number,
  ) {}

  get line(): Uint8Array {
    return this.snapshot.lineBytes(this.at);
  }
}

/** A piece segment as written into a report at `offset` (see `lintJsonParts`' `onPiece`). */
export interface WrittenPiece {
  segment: Extract<EvaluationSegment, { piece: unknown }>;
  offset: number;
}

/**
 * Writes the index of the report body just published as `body` (its identity) from the pieces written
 * into it, in order, when each of them knows its line (see `PieceOrigin`); otherwise the old index is
 * removed (it names another body anyway). Never throws (only costs speed).
 */
export function writeSnapshotIndex(dir: string, body: FileIdentity, commitLength: number, written: readonly WrittenPiece[]): void {
  const file = path.join(dir, SNAPSHOT_INDEX);
  try {
    const lines: (string | Uint8Array)[] = [];
    const offsets: number[] = [];
    // Lines that follow each other in the last index are carried as one run of its bytes.
    let run: { from: SnapshotLine; to: number } | undefined;
    const flush = () => {
      if (run) lines.push(run.from.snapshot.lineBytes(run.from.at, run.to));
      run = undefined;
    };
    for (const { segment, offset } of written) {
      const origin = segment.origin;
      if (origin === undefined) continue;
      offsets.push(offset);
      if (origin instanceof SnapshotLine) {
        if (run && run.from.snapshot === origin.snapshot && run.to === origin.at) run.to++;
        else {
          flush();
          run = { from: origin, to: origin.at + 1 };
        }
        continue;
      }
      flush();
      lines.push('line' in origin ? origin.line : `[${JSON.stringify(segment.project)},${JSON.stringify(origin.key)},${segment.piece.bytes.length},${origin.record}],\n`);
    }
    flush();
    const rest = Buffer.concat([Buffer.from(`${JSON.stringify(offsets)}\n`), ...lines.map((line) => (typeof line === 'string' ? Buffer.from(line) : line))]);
    const head = `${FORMAT} ${body[0]} ${body[1]} ${body[2]} ${commitLength} ${offsets.length} ${crc32(rest).toString(16)}\n`;
    replaceFileSync(file, Buffer.concat([Buffer.from(head), rest]));
  } catch {
    // Only costs speed.
  }
}
