/**
 * Renders diagnostics as text for people: a `file:line:column: severity CODE: summary` header
 * (the shape editors and CI logs link), the detail, a code frame with the line-number gutter and a
 * caret underline under the range, and related locations.
 *
 *     variables.ocl:3:5: error OCL101: unexpected "="
 *       3 | a == 1
 *         |   ^^
 *       note: ...
 */
import { LineIndex, type Diagnostic, type Severity, type SourceRepository } from '../diagnostics.js';

/** The colour functions the renderer uses; picocolors' `createColors()` result fits. */
export interface Painter {
  red(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  cyan(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

export const NO_COLORS: Painter = {
  red: (t) => t,
  yellow: (t) => t,
  blue: (t) => t,
  cyan: (t) => t,
  bold: (t) => t,
  dim: (t) => t,
};

export interface RenderOptions {
  /** Source text by file name, for code frames. Files without source get no frame. */
  sources?: ReadonlyMap<string, string>;
  colors?: Painter;
  /** Lines of context shown above and below the subject line (default 0). */
  contextLines?: number;
  /**
   * How a file of a repository is looked up in `sources` and shown; default: by its path for both.
   * A multi-repository report keys sources by repository and shows other repositories' files with
   * their location (see lint-report.ts `sourceKey`, `displayPath`).
   */
  place?: (file: string, repository: SourceRepository | undefined) => { key: string; shown: string };
}

const PLAIN_PLACE = (file: string) => ({ key: file, shown: file });

const SEVERITY_COLOR: Record<Severity, keyof Painter> = { error: 'red', warning: 'yellow', info: 'blue' };

/** Renders every diagnostic, each followed by a blank line. */
export function renderDiagnostics(diagnostics: readonly Diagnostic[], options: RenderOptions = {}): string {
  const indexes = new Map<string, LineIndex>();
  const place = options.place ?? PLAIN_PLACE;
  const indexFor = (d: Diagnostic): LineIndex | undefined => {
    if (d.file === undefined) return undefined;
    const key = place(d.file, d.repository).key;
    let index = indexes.get(key);
    if (!index) {
      const text = options.sources?.get(key);
      if (text === undefined) return undefined;
      index = new LineIndex(text);
      indexes.set(key, index);
    }
    return index;
  };
  return diagnostics.map((d) => renderDiagnostic(d, options, indexFor(d)) + '\n\n').join('');
}

/** `file:line:column`, `file`, or `line:column`, whichever parts are known. */
export function formatLocation(file: string | undefined, range: Diagnostic['range']): string {
  const position = range ? `${range.start.line}:${range.start.column}` : '';
  if (file !== undefined && position) return `${file}:${position}`;
  return file ?? position;
}

function renderDiagnostic(d: Diagnostic, options: RenderOptions, index: LineIndex | undefined): string {
  const c = options.colors ?? NO_COLORS;
  const place = options.place ?? PLAIN_PLACE;
  const location = formatLocation(d.file === undefined ? undefined : place(d.file, d.repository).shown, d.range);
  const severity = c[SEVERITY_COLOR[d.severity]](c.bold(d.severity));
  const lines = [`${location ? c.bold(location) + ': ' : ''}${severity} ${c.dim(d.code)}: ${d.summary}`];
  if (d.range && index) lines.push(...codeFrame(index, d.range, c, SEVERITY_COLOR[d.severity], options.contextLines ?? 0));
  if (d.detail) lines.push(...d.detail.split('\n').map((line) => `  ${line}`));
  if (d.adjusted) {
    const why = d.adjusted.reason ? `: ${d.adjusted.reason}` : '';
    lines.push(`  ${c.cyan('note')}: ${d.adjusted.originalSeverity} made ${d.severity} by the rule setting at ${formatLocation(d.adjusted.file, d.adjusted.range)}${why}`);
  }
  for (const related of d.related ?? []) {
    const file = related.file ?? d.file;
    const where = formatLocation(file === undefined ? undefined : place(file, related.repository ?? d.repository).shown, related.range);
    lines.push(`  ${c.cyan('note')}: ${where ? where + ': ' : ''}${related.message}`);
  }
  return lines.join('\n');
}

/**
 * The subject line with a gutter and a caret underline. A range that spans lines is underlined to
 * the end of its first line. Tabs in the line are copied into the underline so the carets stay
 * aligned whatever the tab width.
 */
export function codeFrame(
  index: LineIndex,
  range: NonNullable<Diagnostic['range']>,
  c: Painter = NO_COLORS,
  accent: keyof Painter = 'red',
  contextLines = 0,
): string[] {
  const line = Math.min(Math.max(range.start.line, 1), index.lineCount);
  const first = Math.max(1, line - contextLines);
  const last = Math.min(index.lineCount, line + contextLines);
  const width = String(last).length;
  const gutter = (n: number | '') => c.dim(`${String(n).padStart(width)} | `);
  const frame: string[] = [];
  for (let n = first; n <= last; n++) {
    frame.push(`  ${gutter(n)}${printable(index.lineText(n))}`.trimEnd());
    if (n !== line) continue;
    const text = index.lineText(n);
    const startColumn = Math.min(Math.max(range.start.column, 1), text.length + 1);
    const endColumn = range.end.line === range.start.line ? Math.max(range.end.column, startColumn + 1) : text.length + 1;
    const padding = [...text.slice(0, startColumn - 1)].map((ch) => (ch === '\t' ? '\t' : ' ')).join('');
    const underlined = [...text.slice(startColumn - 1, Math.min(endColumn, text.length + 1) - 1)].length;
    frame.push(`  ${gutter('')}${padding}${c[accent]('^'.repeat(Math.max(1, underlined)))}`);
  }
  return frame;
}

/** Control characters would garble a terminal; each becomes one `␣` so the underline stays aligned. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '\u2423');
}

/** The closing line of a report: `2 errors, 1 warning in 3 files` or `3 files checked, no problems`. */
export function renderSummary(diagnostics: readonly Diagnostic[], fileCount: number, c: Painter = NO_COLORS): string {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const d of diagnostics) counts[d.severity]++;
  const files = `${fileCount} ${fileCount === 1 ? 'file' : 'files'}`;
  if (counts.error === 0 && counts.warning === 0) return c.bold(`${files} checked, no problems`);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const errors = plural(counts.error, 'error');
  const warnings = plural(counts.warning, 'warning');
  const parts = [counts.error ? c.red(errors) : errors, counts.warning ? c.yellow(warnings) : warnings];
  return c.bold(`${parts.join(', ')} in ${files}`);
}
