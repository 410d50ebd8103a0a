/**
 * The one diagnostic type used by every layer (modelled on HCL's hcl.Diagnostic).
 * User input never throws: parsers, validators and evaluators return these instead.
 */

export type Severity = 'error' | 'warning' | 'info';

/** A point in a source file. `line` and `column` are 1-based; `offset` is a 0-based UTF-16 index. */
export interface Position {
  line: number;
  column: number;
  offset: number;
}

/** A half-open source range: `start` is the first character, `end` is just past the last. */
export interface Range {
  start: Position;
  end: Position;
}

export interface RelatedInformation {
  file?: string;
  range?: Range;
  message: string;
  /** The repository `file` is relative to, when it differs from the finding's own (e.g. a template line in the hub). */
  repository?: SourceRepository;
}

/**
 * The repository a finding's file belongs to. Paths in `file` are relative to it. A hub lint spans
 * the hub and every registered project repository, so each output names the repository and commit
 * its lines were read from.
 */
export interface SourceRepository {
  /** The hub's repository (`hub`), or the slug of the first project registered from the repository at its ref (lint/hub-view.ts `projectRepositoryId`). */
  id: string;
  /** The folder (absolute, or relative to the hub) or URL the repository was read from. */
  location: string;
  /** The commit the file was read at; absent for a working tree. */
  commit?: string;
  /** The ref the user named, when there was one. */
  ref?: string;
}

/** A finding that a rule setting in `oclhub.ocl` changed or silenced. */
export interface SuppressionRecord {
  /** The severity the finding had before the setting applied. */
  originalSeverity: Severity;
  /** The setting's reason, as written. */
  reason?: string;
  /** Where the setting is: the `oclhub.ocl` file and the `rule` block's range. */
  file: string;
  range?: Range;
}

/** One edit of a fix: `range` of the diagnostic's file is replaced by `newText` (empty text deletes, an empty range inserts). */
export interface FixEdit {
  range: Range;
  newText: string;
}

/**
 * A machine-readable fix for a diagnostic (editors offer it as a quick fix). Its edits apply together,
 * to the diagnostic's own file, and never overlap; `renameFileTo` also renames that file (a file name
 * in the same folder), e.g. a legacy file name's migration.
 */
export interface Fix {
  /** What applying it does, e.g. "Rename to `name`". */
  title: string;
  edits: FixEdit[];
  renameFileTo?: string;
}

export interface Diagnostic {
  severity: Severity;
  /** A stable code grouped by layer: OCL…, SCH…, TPL…, POL…, REGO…, GIT…, CLI… */
  code: string;
  /** One line saying what is wrong. */
  summary: string;
  /** Optional longer explanation or suggested fix. */
  detail?: string;
  file?: string;
  /** The subject: exactly the text the diagnostic is about. */
  range?: Range;
  /** Other places that explain this one (e.g. provenance: template line and project usage line). */
  related?: RelatedInformation[];
  /** The project the finding concerns (a registered project slug), when there is one. */
  project?: string;
  /** The repository `file` is relative to; absent means the repository the command ran in. */
  repository?: SourceRepository;
  /** Set when a rule setting changed the severity (the finding is kept, with its new severity). */
  adjusted?: SuppressionRecord;
  /** A fix that resolves the finding, when one is certain enough to offer (did-you-mean, missing attribute, migration). */
  fix?: Fix;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

export function countBySeverity(diagnostics: readonly Diagnostic[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const d of diagnostics) counts[d.severity]++;
  return counts;
}

/**
 * What makes two diagnostics the same finding: code, repository and commit, file, start, severity
 * (a rule setting may have changed it) and summary.
 * For meeting one finding again in another list (a second evaluation, a context's errors that are
 * also the run's diagnostics), where the objects may be copies.
 */
export function diagnosticIdentity(d: Diagnostic): string {
  return `${d.code}\u0000${d.repository?.id ?? ''}\u0000${d.repository?.commit ?? ''}\u0000${d.file ?? ''}\u0000${d.range?.start.offset ?? ''}\u0000${d.severity}\u0000${d.summary}`;
}

/** Orders diagnostics by file, then position, then severity (errors first). */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  const fa = a.file ?? '';
  const fb = b.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  const oa = a.range?.start.offset ?? -1;
  const ob = b.range?.start.offset ?? -1;
  if (oa !== ob) return oa - ob;
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return rank[a.severity] - rank[b.severity];
}

/** Computes line/column positions for offsets in a text, in O(log n) per lookup. */
export class LineIndex {
  private starts: number[] | undefined;

  constructor(readonly text: string) {}

  /**
   * Where each line starts, found at the first question: validation makes an index for every file, and
   * most files (valid ones past the schema shortcut) never ask it anything.
   */
  private get lineStarts(): number[] {
    if (this.starts !== undefined) return this.starts;
    const starts = [0];
    const text = this.text;
    // indexOf scans in native code: several times faster than a charCodeAt loop on long texts.
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return (this.starts = starts);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: clamped - starts[lo]! + 1, offset: clamped };
  }

  range(startOffset: number, endOffset: number): Range {
    return { start: this.position(startOffset), end: this.position(endOffset) };
  }

  /** The text of a 1-based line without its line terminator. */
  lineText(line: number): string {
    const starts = this.lineStarts;
    const start = starts[line - 1];
    if (start === undefined) return '';
    const next = starts[line];
    let end = next === undefined ? this.text.length : next - 1;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return this.text.slice(start, end);
  }
}
