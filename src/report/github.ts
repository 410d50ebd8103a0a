/**
 * `oclhub lint` for GitHub Actions: workflow commands that become annotations on the pull
 * request's files, and a Markdown job summary (write it to `$GITHUB_STEP_SUMMARY`).
 *
 *     ::error file=.octopus/process-templates/deploy_web.ocl,line=3,col=1,endColumn=23,title=…::Production …
 *
 * Levels follow the finding, not the fail level (the exit code says whether the job fails):
 * blocking violations and evaluation errors are `::error`, warning violations `::warning`,
 * excepted violations `::notice`; diagnostics keep their severity (`info` → `::notice`).
 * Errors come first because GitHub shows only the first few annotations of each level per step.
 * Every annotation has a `file` and `line` when the finding has one (without `line` GitHub shows
 * it only in the Checks tab); `col`/`endColumn` are given only for single-line ranges, where
 * GitHub uses them. The output ends with one plain summary line.
 *
 * Repositories: only findings in the repository the job runs in (`report.home`) become annotations
 * (GitHub would pin another repository's path onto a file of this one); findings in other
 * repositories are printed as plain log lines and listed, with their repository, in the job summary.
 * Inconclusive decisions are `::notice`s; findings a rule setting turned off are counted, not annotated.
 *
 * Escaping follows @actions/core: in the message `%`, `\r`, `\n` become `%25`, `%0D`, `%0A`
 * (so a reason cannot start a new workflow command); in properties `:` and `,` also become
 * `%3A`, `%2C`. Other control characters become a visible `\xNN` first.
 */
import type { Diagnostic, Range, Severity, SourceRepository } from '../diagnostics.js';
import {
  contextName,
  decisionMessage,
  displayPath,
  isHome,
  policyLabel,
  sourceLine,
  summarize,
  summaryLine,
  type Evaluation,
  type LintReport,
  type LintSummary,
  type PolicyDecision,
} from './lint-report.js';
import { eachEvaluation } from './lint-pieces.js';
import { sanitize } from './lint-text.js';
import { fileUri } from './sarif.js';
import { formatLocation } from './text.js';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface GithubOptions {
  /** Also annotate excepted violations (as notices; default true). */
  showExcepted?: boolean;
}

interface Annotation {
  level: AnnotationLevel;
  file?: string;
  range?: Range;
  repository?: SourceRepository;
  title: string;
  message: string;
}

const LEVEL_ORDER: Record<AnnotationLevel, number> = { error: 0, warning: 1, notice: 2 };
const SEVERITY_LEVEL: Record<Severity, AnnotationLevel> = { error: 'error', warning: 'warning', info: 'notice' };

export function renderGithub(report: LintReport, options: GithubOptions = {}): string {
  // By level, in the order they come (diagnostics first, then contexts in report order: a stable sort
  // by level), each written as it comes: the whole hub's annotations are never objects at once.
  const local: string[][] = [[], [], []];
  const elsewhere: string[][] = [[], [], []];
  let elsewhereCount = 0;
  const add = (a: Annotation | undefined) => {
    if (!a) return;
    const level = LEVEL_ORDER[a.level];
    if (a.file === undefined || isHome(report, a.repository)) {
      local[level]!.push(workflowCommand(a));
      return;
    }
    elsewhereCount++;
    elsewhere[level]!.push(sanitize(`${a.level}: ${formatLocation(displayPath(report, a.file, a.repository), a.range)}: ${a.title}`).replace(/\n/g, ' '));
    const line = a.range ? sourceLine(report, a.file, a.repository, a.range.start.line) : undefined;
    if (line !== undefined) elsewhere[level]!.push(sanitize(`    ${a.range!.start.line} | ${line}`));
  };
  for (const d of report.diagnostics) add(diagnosticAnnotation(d, report));
  for (const evaluation of eachEvaluation(report)) {
    for (const decision of evaluation.decisions) add(decisionAnnotation(evaluation, decision, options, report));
  }
  const lines = [...local.flat(), ...elsewhere.flat()];
  if (elsewhereCount > 0) lines.push(`${elsewhereCount} ${elsewhereCount === 1 ? 'finding is' : 'findings are'} in other repositories (not annotated here): see the job summary`);
  lines.push(`${report.tool.name} lint: ${summaryLine(summarize(report))}`);
  return lines.join('\n') + '\n';
}

function decisionAnnotation(evaluation: Evaluation, decision: PolicyDecision, options: GithubOptions, report: LintReport): Annotation | undefined {
  let level: AnnotationLevel;
  let verdict: string;
  switch (decision.outcome) {
    case 'violation':
      level = decision.action === 'block' ? 'error' : 'warning';
      verdict = decision.action === 'block' ? 'blocked' : 'warning';
      break;
    case 'error':
      level = 'error';
      verdict = 'evaluation error';
      break;
    case 'excepted':
      if (options.showExcepted === false) return undefined;
      level = 'notice';
      verdict = 'excepted';
      break;
    case 'inconclusive':
      level = 'notice';
      verdict = 'inconclusive';
      break;
    default:
      return undefined;
  }
  const where = decision.location;
  const details = [`${contextName(evaluation)}: policy ${policyLabel(decision)}, action ${decision.action}${where?.step === undefined ? '' : `, step ${where.step}`}`];
  if (decision.exception) {
    const e = decision.exception;
    details.push(`Excepted until ${e.expires} (owner ${e.owner}): ${e.reason}`);
  }
  for (const related of where?.related ?? []) {
    const file = related.file ?? where?.file;
    const at = formatLocation(file === undefined ? undefined : displayPath(report, file, related.repository ?? where?.repository), related.range);
    details.push(`${at ? at + ': ' : ''}${related.message}`);
  }
  return {
    level,
    ...(where ? { file: where.file } : {}),
    ...(where?.range ? { range: where.range } : {}),
    ...(where?.repository ? { repository: where.repository } : {}),
    title: `${decision.policyName ?? decision.policy} (${verdict}) — ${contextName(evaluation)}`,
    message: `${decisionMessage(decision)}\n\n${details.join('\n')}`,
  };
}

function diagnosticAnnotation(d: Diagnostic, report: LintReport): Annotation {
  const notes = (d.related ?? []).map((r) => {
    const file = r.file ?? d.file;
    const at = formatLocation(file === undefined ? undefined : displayPath(report, file, r.repository ?? d.repository), r.range);
    return `${at ? at + ': ' : ''}${r.message}`;
  });
  return {
    level: SEVERITY_LEVEL[d.severity],
    ...(d.file === undefined ? {} : { file: d.file }),
    ...(d.range ? { range: d.range } : {}),
    ...(d.repository ? { repository: d.repository } : {}),
    title: `${d.code}: ${d.summary}`,
    message: [d.summary, ...(d.detail ? [d.detail] : []), ...notes].join('\n'),
  };
}

function workflowCommand(a: Annotation): string {
  const properties: Array<[string, string | number]> = [];
  if (a.file !== undefined) {
    properties.push(['file', a.file]);
    // Without a line GitHub keeps the annotation out of the diff view.
    properties.push(['line', a.range?.start.line ?? 1]);
    if (a.range) {
      const { start, end } = a.range;
      if (end.line > start.line) properties.push(['endLine', end.line]);
      else {
        // GitHub's endColumn is the last column of the range; ours is just past it.
        properties.push(['col', start.column]);
        properties.push(['endColumn', Math.max(start.column, end.column - 1)]);
      }
    }
  }
  properties.push(['title', a.title]);
  // Control characters (escape sequences from a policy's reason) would drive the log viewer.
  const props = properties.map(([k, v]) => `${k}=${escapeProperty(sanitize(String(v)))}`).join(',');
  return `::${a.level} ${props}::${escapeData(sanitize(a.message))}`;
}

/** @actions/core `escapeData`: for the message after `::`. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** @actions/core `escapeProperty`: for `key=value` properties. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export interface StepSummaryOptions {
  /**
   * Base URL of the files at the linted commit, e.g.
   * `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/blob/${GITHUB_SHA}`; locations become links.
   */
  blobUrl?: string;
  /** Rows per table before `… and N more` (default 100; the summary is capped at 1 MiB). */
  maxRows?: number;
}

/**
 * A Markdown job summary: the verdict, counts, then tables of findings (with the repository of each,
 * when the run spans several), inconclusive decisions, exceptions, diagnostics and suppressed findings.
 */
export function renderGithubStepSummary(report: LintReport, options: StepSummaryOptions = {}): string {
  const summary = summarize(report);
  const maxRows = options.maxRows ?? 100;
  const multi = (report.repositories?.length ?? 0) > 1;
  const location = (file: string | undefined, range: Range | undefined, repository: SourceRepository | undefined): string => {
    if (file === undefined) return '';
    const text = md(formatLocation(displayPath(report, file, repository), range));
    // Links go to this repository's blobs only; another repository's line is quoted instead.
    if (!isHome(report, repository)) {
      const line = range ? sourceLine(report, file, repository, range.start.line) : undefined;
      return line === undefined || line.trim() === '' ? text : `${text}<br>${md(line.trim())}`;
    }
    if (!options.blobUrl) return text;
    const url = `${options.blobUrl.replace(/\/$/, '')}/${fileUri(file)}${range ? `#L${range.start.line}` : ''}`;
    return `[${text}](${url})`;
  };
  const repositoryCell = (repository: SourceRepository | undefined): string[] => (multi ? [md(repository ? `${repository.id} (${repository.location}${repository.commit ? ` @ ${repository.commit.slice(0, 12)}` : ''})` : '')] : []);
  const repositoryHeader = multi ? ['Repository'] : [];

  const out: string[] = [`## ${md(report.tool.name)} lint: ${summary.failed ? 'failed' : 'passed'}`, '', md(summaryLine(summary)), ''];
  if (report.hubRef !== undefined) out.push(`Hub: ${md(report.hubRef)}`, '');
  out.push(...countsTable(summary), '');

  // Only the first rows of each table are shown: the rest are counted, not made.
  const findings = [new TableRows(maxRows), new TableRows(maxRows), new TableRows(maxRows)];
  const inconclusive = new TableRows(maxRows);
  const exceptions = new TableRows(maxRows);
  for (const evaluation of eachEvaluation(report)) {
    for (const decision of evaluation.decisions) {
      const context = () => [md(evaluation.project), md(evaluation.environment), md(evaluation.tenant ?? '')];
      const policy = () => md(policyLabel(decision));
      const where = () => location(decision.location?.file, decision.location?.range, decision.location?.repository);
      const repository = () => repositoryCell(decision.location?.repository);
      if (decision.outcome === 'violation' || decision.outcome === 'error') {
        // Errors and blocks first, as in the annotations.
        const rank = decision.outcome === 'error' ? 0 : decision.action === 'block' ? 1 : 2;
        const result = ['❗ error', '⛔ blocked', '⚠️ warning'][rank]!;
        findings[rank]!.add(() => [result, ...context(), policy(), md(decisionMessage(decision)), ...repository(), where()]);
      } else if (decision.outcome === 'inconclusive') {
        inconclusive.add(() => [...context(), policy(), md(decisionMessage(decision).replace(/^inconclusive: /, ''))]);
      } else if (decision.outcome === 'excepted') {
        const e = decision.exception;
        exceptions.add(() => [...context(), policy(), md(e?.owner ?? ''), md(e?.expires ?? ''), md(e?.reason ?? ''), ...repository(), where()]);
      }
    }
  }
  const sortedFindings = TableRows.joined(findings, maxRows);
  if (sortedFindings.count > 0) {
    out.push('### Policy findings', '', ...table(['Result', 'Project', 'Environment', 'Tenant', 'Policy', 'Reason', ...repositoryHeader, 'Location'], sortedFindings, maxRows), '');
  }
  if (inconclusive.count > 0) {
    out.push('### Inconclusive', '', 'These decisions read input this run does not have; they neither pass nor fail.', '', ...table(['Project', 'Environment', 'Tenant', 'Policy', 'Needs'], inconclusive, maxRows), '');
  }
  if (exceptions.count > 0) {
    out.push('### Exceptions', '', ...table(['Project', 'Environment', 'Tenant', 'Policy', 'Owner', 'Expires', 'Reason', ...repositoryHeader, 'Location'], exceptions, maxRows), '');
  }
  const diagnosticRow = (d: Diagnostic) => [md(d.severity), md(d.code), ...repositoryCell(d.repository), location(d.file, d.range, d.repository), md(d.detail ? `${d.summary}\n${d.detail}` : d.summary)];
  const diagnostics = TableRows.of(report.diagnostics.map(diagnosticRow));
  if (diagnostics.count > 0) out.push('### Diagnostics', '', ...table(['Severity', 'Code', ...repositoryHeader, 'Location', 'Summary'], diagnostics, maxRows), '');
  const suppressed = TableRows.of((report.suppressed ?? []).map((d) => [...diagnosticRow(d), md(d.adjusted?.reason ?? '')]));
  if (suppressed.count > 0) {
    out.push('### Suppressed by rule settings', '', ...table(['Severity', 'Code', ...repositoryHeader, 'Location', 'Summary', 'Reason'], suppressed, maxRows), '');
  }
  return out.join('\n');
}

function countsTable(s: LintSummary): string[] {
  const rows: Array<[string, number]> = [
    ['Blocked', s.violations.block],
    ['Warnings', s.violations.warn],
    ['Evaluation errors', s.errors],
    ['Contexts not decided', s.undecided],
    ['Inconclusive', s.inconclusive],
    ['Excepted', s.excepted],
    ['Passed', s.passed],
    ['Not in scope', s.skipped],
    ['Diagnostic errors', s.diagnostics.error],
    ['Diagnostic warnings', s.diagnostics.warning],
    ['Suppressed by rule settings', s.suppressed],
  ];
  return ['| Outcome | Count |', '| --- | ---: |', ...rows.map(([label, n]) => `| ${label} | ${n} |`)];
}

/** A table's rows as they come: the first `limit` made and kept, the rest only counted. */
class TableRows {
  readonly rows: string[][] = [];
  count = 0;
  constructor(private readonly limit: number) {}

  add(row: () => string[]): void {
    if (this.count++ < this.limit) this.rows.push(row());
  }

  static of(rows: string[][]): TableRows {
    const table = new TableRows(rows.length);
    for (const row of rows) table.add(() => row);
    return table;
  }

  /** The tables one after the other, as one (the first `limit` rows of them all). */
  static joined(tables: readonly TableRows[], limit: number): TableRows {
    const joined = new TableRows(limit);
    for (const table of tables) {
      for (const row of table.rows) joined.add(() => row);
      // Rows counted past a table's own limit come after every row it kept.
      for (let i = table.rows.length; i < table.count; i++) joined.add(() => []);
    }
    return joined;
  }
}

function table(header: string[], rows: TableRows, maxRows: number): string[] {
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of rows.rows.slice(0, maxRows)) lines.push(`| ${row.join(' | ')} |`);
  if (rows.count > maxRows) lines.push('', `… and ${rows.count - maxRows} more.`);
  return lines;
}

/**
 * User text in a Markdown table cell: HTML-escaped (GitHub renders inline HTML), Markdown
 * punctuation backslash-escaped, `|` escaped so the cell does not split, newlines as `<br>`.
 */
export function md(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~#]/g, (ch) => `\\${ch}`)
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/\r?\n/g, '<br>');
}
