/**
 * Incremental parsing for editors: the next version of a text is parsed by reusing the top-level
 * elements before the edit as they are, re-parsing only the edited stretch, and moving the elements
 * after it (their positions are shifted in place, so they stay the same objects: caches keyed by syntax
 * tree node stay valid, see src/model). The result is exactly what `parseOcl` gives for the new text
 * (tested against it on random edits); whenever that cannot be guaranteed, the stretch grows, up to a
 * full parse.
 *
 * Why the splice is exact: a stretch starts and ends at resume points (parser.ts), the starts of lines
 * after a top-level block's closing `}`. There the lexer is in its initial mode and the parser at the
 * top level, and no earlier token or parse decision depended on text after the point. The re-parsed
 * stretch is accepted only when it ends at a resume point of its own (so its last block closed before
 * the stretch's end and nothing in it ran into the end of its text) and has no heredoc whose end-tag
 * search ran to that end; and no stretch starts after a heredoc whose search ran to the end of the old
 * text, since the new stretch could hold the end tag it looked for. Where the pieces meet (the first
 * element of the stretch, the first moved element, the end of the text) positions are checked against the
 * new text, and a state is spliced from once only; when anything is off, a full parse is made instead.
 */
import { LineIndex, type Diagnostic, type Position, type Range } from '../diagnostics.js';
import type { OclAttribute, OclBlock, OclElement, OclMapEntry, OclValue } from './ast.js';
import { CHAR_BOM } from './chars.js';
import { DEFAULT_MAX_DEPTH, makeDocument, parseSource, type ParseOclOptions, type ParseOclResult, type ResumePoint, type SourceParse } from './parser.js';

/** A resume point with the number of (sorted) diagnostics before it. */
interface Seam extends ResumePoint {
  diagnostics: number;
}

/** What one parse keeps for parsing the next version of its text incrementally. Treat as opaque. */
export interface OclParseState {
  readonly text: string;
  readonly options: Readonly<Required<Pick<ParseOclOptions, 'heredocMode' | 'maxDepth'>>> & { readonly file: string | undefined };
  readonly result: ParseOclResult;
  /** Resume points in offset order (never 0). */
  readonly seams: readonly Seam[];
  /** See SourceParse.openEnded. */
  readonly openEnded: readonly number[];
}

export interface IncrementalParse {
  result: ParseOclResult;
  state: OclParseState;
  /** The stretch of the new source (without byte-order mark) that was parsed; the rest was reused. */
  parsed: { start: number; end: number };
}

/** How many times the re-parsed stretch grows by one more top-level block before it runs to the end. */
const MAX_GROWTH = 3;

/**
 * States an incremental parse has moved nodes of: using one again would splice from positions that no
 * longer describe its text, so it gets a full parse instead.
 */
const consumed = new WeakSet<OclParseState>();

/**
 * Parses `text`, reusing `previous` (the state of an earlier parse of another version of the same file)
 * where the texts agree. Same result as `parseOcl(text, options)`.
 *
 * `previous` is consumed: the nodes and diagnostics it shares with the new result are moved to the new
 * text, so neither it nor anything holding positions of its result may be used for the old text again
 * (passed again, it gets a full parse).
 */
export function parseOclIncremental(text: string, options: ParseOclOptions = {}, previous?: OclParseState): IncrementalParse {
  const normalised = normaliseOptions(options);
  const bom = text.charCodeAt(0) === CHAR_BOM;
  const source = bom ? text.slice(1) : text;
  if (previous && !consumed.has(previous) && sameOptions(previous.options, normalised) && previous.result.document.bom === bom) {
    if (previous.text === text) return { result: previous.result, state: previous, parsed: { start: 0, end: 0 } };
    // From here on the previous parse's nodes may be moved: it must never be spliced from again.
    consumed.add(previous);
    try {
      // Undefined when the splice cannot vouch for its result (see assemble): a full parse follows.
      const spliced = splice(previous, source, bom, normalised);
      if (spliced) return spliced;
    } catch {
      // Not expected; but an editor's keystroke must get a right tree, so a full parse follows here too.
    }
  }
  const parsed = parseSource(source, normalised, true);
  const seams = withDiagnosticCounts(parsed.resumePoints!, parsed.diagnostics);
  const result = { document: makeDocument(source, bom, parsed.body, parsed.range), diagnostics: parsed.diagnostics };
  return { result, state: { text, options: normalised, result, seams, openEnded: parsed.openEnded! }, parsed: { start: 0, end: source.length } };
}

function normaliseOptions(options: ParseOclOptions): OclParseState['options'] {
  return { file: options.file, heredocMode: options.heredocMode ?? 'current', maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH };
}

function sameOptions(a: OclParseState['options'], b: OclParseState['options']): boolean {
  return a.file === b.file && a.heredocMode === b.heredocMode && a.maxDepth === b.maxDepth;
}

function withDiagnosticCounts(points: readonly ResumePoint[], diagnostics: readonly Diagnostic[]): Seam[] {
  const seams: Seam[] = [];
  let d = 0;
  for (const point of points) {
    while (d < diagnostics.length && diagnostics[d]!.range!.start.offset < point.offset) d++;
    seams.push({ ...point, diagnostics: d });
  }
  return seams;
}

/** Strings are compared this many characters at a time (a slice comparison is a memory compare; per character it is a loop). */
const CHUNK = 1024;

/** The length of the common prefix of two strings, and of their common suffix not overlapping it. */
export function commonEnds(a: string, b: string): { prefix: number; suffix: number } {
  const limit = Math.min(a.length, b.length);
  let prefix = 0;
  while (prefix + CHUNK <= limit && a.slice(prefix, prefix + CHUNK) === b.slice(prefix, prefix + CHUNK)) prefix += CHUNK;
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  const suffixLimit = limit - prefix;
  const aEnd = a.length;
  const bEnd = b.length;
  let suffix = 0;
  while (suffix + CHUNK <= suffixLimit && a.slice(aEnd - suffix - CHUNK, aEnd - suffix) === b.slice(bEnd - suffix - CHUNK, bEnd - suffix)) suffix += CHUNK;
  while (suffix < suffixLimit && a.charCodeAt(aEnd - 1 - suffix) === b.charCodeAt(bEnd - 1 - suffix)) suffix++;
  return { prefix, suffix };
}

const START: Seam = { offset: 0, line: 1, elements: 0, diagnostics: 0 };

function splice(previous: OclParseState, source: string, bom: boolean, options: OclParseState['options']): IncrementalParse | undefined {
  const old = previous.result;
  const oldSource = bom ? previous.text.slice(1) : previous.text;
  const { prefix, suffix } = commonEnds(oldSource, source);
  const delta = source.length - oldSource.length;
  const seams = previous.seams;
  // The last seam the unchanged prefix reaches, and not after a heredoc the edit could complete.
  const limit = Math.min(prefix, previous.openEnded[0] ?? Infinity);
  let first = -1;
  while (first + 1 < seams.length && seams[first + 1]!.offset <= limit) first++;
  const from = first < 0 ? START : seams[first]!;
  // The first seam at or after the edit's end in the old text; the stretch grows from there if needed.
  const editEnd = oldSource.length - suffix;
  let next = first + 1;
  while (next < seams.length && seams[next]!.offset < editEnd) next++;
  for (let growth = 0; ; growth++) {
    const to = next < seams.length && growth <= MAX_GROWTH ? seams[next] : undefined;
    const end = to ? to.offset + delta : source.length;
    const stretch = parseSource(source.slice(from.offset, end), options, true);
    if (to && !endsCleanly(stretch, end - from.offset)) {
      next++;
      continue;
    }
    return assemble(previous, source, bom, from, first + 1, to, next, stretch, delta);
  }
}

/** Whether a stretch parsed on its own ends as it would inside the whole text (see the header comment). */
function endsCleanly(stretch: SourceParse, length: number): boolean {
  // Nothing between two seams: the block before the first and the one after the second meet as before.
  if (length === 0) return true;
  const points = stretch.resumePoints!;
  if (points.length === 0 || points[points.length - 1]!.offset !== length) return false;
  if (stretch.openEnded!.length > 0) return false;
  const last = stretch.diagnostics[stretch.diagnostics.length - 1];
  return !last || last.range!.start.offset < length;
}

function assemble(
  previous: OclParseState,
  source: string,
  bom: boolean,
  from: Seam,
  firstAfter: number,
  to: Seam | undefined,
  toIndex: number,
  stretch: SourceParse,
  delta: number,
): IncrementalParse | undefined {
  const old = previous.result;
  const into = new Mover(from.line - 1, from.offset);
  const body: OclElement[] = old.document.body.slice(0, from.elements);
  const diagnostics: Diagnostic[] = old.diagnostics.slice(0, from.diagnostics);
  const seams: Seam[] = previous.seams.slice(0, firstAfter);
  // Counted before the stretch's diagnostics move: both are still relative to the stretch here.
  for (const seam of withDiagnosticCounts(stretch.resumePoints!, stretch.diagnostics)) {
    seams.push({
      offset: seam.offset + from.offset,
      line: seam.line + from.line - 1,
      elements: seam.elements + from.elements,
      diagnostics: seam.diagnostics + from.diagnostics,
    });
  }
  const moveInto = !into.none;
  for (const element of stretch.body) {
    if (moveInto) into.element(element);
    body.push(element);
  }
  for (const diagnostic of stretch.diagnostics) {
    if (moveInto) into.diagnostic(diagnostic);
    diagnostics.push(diagnostic);
  }
  const openEnded = stretch.openEnded!.map((offset) => offset + from.offset);
  const start: Position = { line: 1, column: 1, offset: 0 };
  let end: Position;
  if (to) {
    const lineShift = from.line + stretch.range.end.line - 1 - to.line;
    const after = new Mover(lineShift, delta);
    const moveAfter = !after.none;
    const oldBody = old.document.body;
    for (let i = to.elements; i < oldBody.length; i++) {
      const element = oldBody[i]!;
      if (moveAfter) after.element(element);
      body.push(element);
    }
    for (let i = to.diagnostics; i < old.diagnostics.length; i++) {
      const diagnostic = old.diagnostics[i]!;
      if (moveAfter) after.diagnostic(diagnostic);
      diagnostics.push(diagnostic);
    }
    const elementShift = from.elements + stretch.body.length - to.elements;
    const diagnosticShift = from.diagnostics + stretch.diagnostics.length - to.diagnostics;
    // The seam at `to` itself came with the stretch when the stretch is not empty (it ends at a resume point of its own).
    for (let i = stretch.range.end.offset > 0 ? toIndex + 1 : toIndex; i < previous.seams.length; i++) {
      const seam = previous.seams[i]!;
      seams.push({ offset: seam.offset + delta, line: seam.line + lineShift, elements: seam.elements + elementShift, diagnostics: seam.diagnostics + diagnosticShift });
    }
    for (const offset of previous.openEnded) if (offset >= to.offset) openEnded.push(offset + delta);
    const oldEnd = old.document.range.end;
    end = { line: oldEnd.line + lineShift, column: oldEnd.column, offset: oldEnd.offset + delta };
  } else {
    const stretchEnd = stretch.range.end;
    end = { line: stretchEnd.line + from.line - 1, column: stretchEnd.column, offset: stretchEnd.offset + from.offset };
  }
  // Cheap checks that the pieces met where they should; when one fails, a full parse is made instead.
  if (end.line !== new LineIndex(source).lineCount) return undefined;
  if (!atItsName(body[from.elements], source) || (to && !atItsName(body[from.elements + stretch.body.length], source))) return undefined;
  const range: Range = { start, end: end.offset === 0 ? start : end };
  const result: ParseOclResult = { document: makeDocument(source, bom, body, range), diagnostics };
  const text = bom ? `\uFEFF${source}` : source;
  return {
    result,
    state: { text, options: previous.options, result, seams, openEnded },
    parsed: { start: from.offset, end: to ? to.offset + delta : source.length },
  };
}

/** Whether an element's name position (if there is an element) points at its name, with the column of that place. */
function atItsName(element: OclElement | undefined, source: string): boolean {
  if (!element) return true;
  const { offset, column } = element.nameRange.start;
  return source.startsWith(element.name, offset) && source.lastIndexOf('\n', offset - 1) + 1 === offset - (column - 1);
}

/**
 * Moves positions in place by whole lines and offsets (columns stay: everything moved starts on a line
 * of its own). Each position object is moved once: the parser shares some between a node and its parts
 * (a block's range starts at its name; an attribute's range ends where its value ends), and those are
 * recognised and skipped.
 */
class Mover {
  constructor(
    readonly lines: number,
    readonly offset: number,
  ) {}

  get none(): boolean {
    return this.lines === 0 && this.offset === 0;
  }

  position(p: Position): void {
    p.line += this.lines;
    p.offset += this.offset;
  }

  range(r: Range): void {
    this.position(r.start);
    if (r.end !== r.start) this.position(r.end);
  }

  /** Moves the positions of `r` that are not positions of `head` or `tail`, moved already. */
  private outer(r: Range, head: Range, tail: Range | undefined): void {
    const { start, end } = r;
    if (start !== head.start && start !== head.end && (tail === undefined || (start !== tail.start && start !== tail.end))) this.position(start);
    if (end !== start && end !== head.start && end !== head.end && (tail === undefined || (end !== tail.start && end !== tail.end))) this.position(end);
  }

  element(e: OclElement): void {
    if (e.type === 'block') this.block(e);
    else this.attribute(e);
  }

  private block(b: OclBlock): void {
    this.range(b.nameRange);
    for (const label of b.labels) this.range(label.range);
    for (const element of b.body) this.element(element);
    this.outer(b.range, b.nameRange, undefined);
  }

  private attribute(a: OclAttribute): void {
    this.range(a.nameRange);
    this.value(a.value);
    this.outer(a.range, a.nameRange, a.value.range);
  }

  private value(v: OclValue): void {
    this.range(v.range);
    if (v.type === 'array') for (const item of v.items) this.range(item.range);
    else if (v.type === 'map') for (const entry of v.entries) this.entry(entry);
  }

  private entry(e: OclMapEntry): void {
    this.range(e.keyRange);
    this.value(e.value);
    this.outer(e.range, e.keyRange, e.value.range);
  }

  /** Parser diagnostics have positions of their own (see the duplicate map key's related range). */
  diagnostic(d: Diagnostic): void {
    if (d.range) this.range(d.range);
    for (const related of d.related ?? []) if (related.range) this.range(related.range);
  }
}
