/**
 * `oclhub lint` for people: diagnostics first (they often explain the policy results), then the
 * policy findings grouped by project and by environment (and tenant), then one summary line.
 *
 *     project web-app
 *       environment production
 *         .octopus/process-templates/deploy_web.ocl:3:1: blocked require_manual_intervention: Production …
 *           policy Require manual intervention (require_manual_intervention 1.2.0), action block, step deploy-package
 *             3 | step "deploy-package" {
 *               | ^^^^^^^^^^^^^^^^^^^^^^^
 *           note: .octopus/web-app/deployment_process.ocl:9:1: process template used here
 *             9 | process_template "deploy" {
 *               | ^^^^^^^^^^^^^^^^^^^^^^^^^^
 *
 *     3 projects × 3 environments: 2 blocked, 1 warning, 0 errors — failed (fail on block)
 *
 * Only contexts with something to report are listed unless `verbose` is set; then passes,
 * out-of-scope policies and the findings rule settings turned off are listed too. A context that
 * could not be decided shows why once (not once per policy). Files of another repository than the one
 * the command ran in are shown with that repository's location, and their code frames are read from
 * that repository at the commit the run read.
 */
import { LineIndex, compareDiagnostics, type Range, type RelatedInformation, type SourceRepository } from '../diagnostics.js';
import {
  decisionMessage,
  displayPath,
  isFinding,
  policyLabel,
  sourceKey,
  summarize,
  summaryLine,
  type DecisionLocation,
  type Evaluation,
  type LintReport,
  type PolicyDecision,
} from './lint-report.js';
import { evaluationRuns, evaluationSegments } from './lint-pieces.js';
import { NO_COLORS, codeFrame, formatLocation, renderDiagnostics, type Painter } from './text.js';

export interface LintTextOptions {
  /** Identity functions (or none) when colour is off. */
  colors?: Painter;
  /** Also list passing and out-of-scope policies, and contexts without findings. */
  verbose?: boolean;
  /** Lines of context around each code frame's subject line (default 0). */
  contextLines?: number;
}

type Accent = keyof Painter;

const OUTCOME_LABEL: Record<PolicyDecision['outcome'], string> = {
  violation: '',
  excepted: 'excepted',
  error: 'error',
  pass: 'passed',
  skipped: 'not in scope',
  inconclusive: 'inconclusive',
};

export function renderLintText(report: LintReport, options: LintTextOptions = {}): string {
  const c: Painter = options.colors ?? NO_COLORS;
  const place = (file: string, repository: SourceRepository | undefined) => ({ key: sourceKey(file, repository), shown: displayPath(report, file, repository) });
  const frames = new FrameSource(report.sources, c, options.contextLines ?? 0, place);
  const out: string[] = [];
  const renderOptions = { sources: report.sources, colors: c, contextLines: options.contextLines ?? 0, place };

  if (report.diagnostics.length > 0) out.push(renderDiagnostics([...report.diagnostics].sort(compareDiagnostics), renderOptions));

  for (const [project, evaluations] of projectGroups(report)) {
    const shown = evaluations.filter((e) => options.verbose || e.decisions.some(isFinding) || (e.errors?.length ?? 0) > 0);
    if (shown.length === 0) continue;
    out.push(c.bold(`project ${sanitize(project)}`) + '\n');
    for (const evaluation of shown) {
      const tenant = evaluation.tenant === undefined ? '' : `, tenant ${sanitize(evaluation.tenant)}`;
      out.push(`  ${c.bold(`environment ${sanitize(evaluation.environment)}`)}${tenant}\n`);
      if (evaluation.errors && evaluation.errors.length > 0) {
        out.push(indent(renderUndecided(evaluation, c, frames), 4) + '\n');
        continue;
      }
      const decisions = options.verbose ? evaluation.decisions : evaluation.decisions.filter(isFinding);
      for (const decision of [...decisions].sort(byImportance)) {
        out.push(indent(renderDecision(decision, c, frames), 4) + '\n');
      }
    }
    out.push('\n');
  }

  if (options.verbose && report.suppressed && report.suppressed.length > 0) {
    out.push(c.bold('suppressed by rule settings') + '\n');
    for (const d of report.suppressed) {
      const where = d.file === undefined ? '' : `${formatLocation(place(d.file, d.repository).shown, d.range)}: `;
      const setting = d.adjusted ? ` (${d.adjusted.originalSeverity}; ${formatLocation(d.adjusted.file, d.adjusted.range)}${d.adjusted.reason ? `: ${sanitize(d.adjusted.reason)}` : ''})` : '';
      out.push(`  ${where}${c.dim(d.code)}: ${sanitize(d.summary)}${setting}\n`);
    }
    out.push('\n');
  }

  const summary = summarize(report);
  const line = summaryLine(summary);
  out.push(c.bold(summary.failed ? c.red(line) : line) + '\n');
  return out.join('');
}

/** A context that could not be decided: why (its errors, each with its place and frame), then which policies it left unevaluated. */
function renderUndecided(evaluation: Evaluation, c: Painter, frames: FrameSource): string {
  const count = evaluation.decisions.length;
  const left = count === 0 ? 'no policy is active here' : `${count === 1 ? '1 policy' : `${count} policies`} not evaluated`;
  const lines = [`${c.red(c.bold('error'))}: not decided, ${left}`];
  for (const d of evaluation.errors ?? []) {
    const where = d.file === undefined ? '' : formatLocation(frames.shown(d.file, d.repository), d.range);
    lines.push(`  ${where ? c.bold(where) + ': ' : ''}${c.dim(d.code)}: ${sanitize(d.summary)}`);
    if (d.file !== undefined && d.range) lines.push(...frames.frame(d.file, d.repository, d.range, 'red').map((l) => `  ${l}`));
  }
  if (evaluation.decisions.length > 0) lines.push(`  ${c.dim('policies')} ${evaluation.decisions.map((d) => sanitize(d.policy)).join(', ')}`);
  return lines.join('\n');
}


const IMPORTANCE: Record<string, number> = { error: 0, block: 1, warn: 2, inconclusive: 3, excepted: 4, pass: 5, skipped: 6 };
function rank(decision: PolicyDecision): number {
  return IMPORTANCE[decision.outcome === 'violation' ? decision.action : decision.outcome]!;
}
function byImportance(a: PolicyDecision, b: PolicyDecision): number {
  return rank(a) - rank(b) || (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0);
}

/**
 * The report's evaluations grouped by project, in the order of each project's first evaluation. A report
 * of stored pieces, one project each, is grouped a piece at a time, each decoded when its turn comes
 * (report/lint-pieces.ts): the whole hub's evaluations are never objects at once.
 */
function projectGroups(report: LintReport): Iterable<[string, Evaluation[]]> {
  const segments = evaluationSegments(report);
  if (segments === undefined || new Set(segments.map((s) => s.project)).size !== segments.length) return groupByProject(report.evaluations);
  return (function* () {
    for (const evaluations of evaluationRuns(report)) yield* groupByProject(evaluations);
  })();
}

function groupByProject(evaluations: readonly Evaluation[]): Map<string, Evaluation[]> {
  const groups = new Map<string, Evaluation[]>();
  for (const evaluation of evaluations) {
    const group = groups.get(evaluation.project);
    if (group) group.push(evaluation);
    else groups.set(evaluation.project, [evaluation]);
  }
  return groups;
}

function renderDecision(decision: PolicyDecision, c: Painter, frames: FrameSource): string {
  const { label, accent } = labelFor(decision, c);
  if (decision.outcome === 'pass' || decision.outcome === 'skipped') return `${label} ${sanitize(policyLabel(decision))}`;
  const where = decision.location;
  const location = where ? formatLocation(frames.shown(where.file, where.repository), where.range) : '';
  const message = decision.outcome === 'inconclusive' ? decisionMessage(decision).replace(/^inconclusive: /, '') : decisionMessage(decision);
  const [first = '', ...rest] = sanitize(message).split('\n');
  const lines = [`${location ? c.bold(location) + ': ' : ''}${label} ${c.dim(decision.policy)}: ${first}`];
  lines.push(...rest.map((line) => `  ${line}`));
  const step = where?.step === undefined ? '' : `, step ${sanitize(where.step)}`;
  lines.push(`  ${c.dim('policy')} ${sanitize(policyLabel(decision))}, action ${decision.action}${step}`);
  // An inconclusive decision points at the process as a whole: a frame of its first line says nothing.
  if (where?.range && decision.outcome !== 'inconclusive') lines.push(...frames.frame(where.file, where.repository, where.range, accent).map((l) => `  ${l}`));
  if (decision.exception) {
    const { owner, expires, reason } = decision.exception;
    lines.push(`  ${c.cyan('exception')}: ${sanitize(reason)} (owner ${sanitize(owner)}, expires ${sanitize(expires)})`);
  }
  for (const related of where?.related ?? []) lines.push(...renderRelated(related, where!, c, frames));
  return lines.join('\n');
}

function labelFor(decision: PolicyDecision, c: Painter): { label: string; accent: Accent } {
  switch (decision.outcome) {
    case 'violation':
      return decision.action === 'block'
        ? { label: c.red(c.bold('blocked')), accent: 'red' }
        : { label: c.yellow(c.bold('warning')), accent: 'yellow' };
    case 'error':
      return { label: c.red(c.bold('error')), accent: 'red' };
    case 'excepted':
      return { label: c.cyan(c.bold('excepted')), accent: 'cyan' };
    case 'inconclusive':
      return { label: c.blue(c.bold('inconclusive')), accent: 'blue' };
    default:
      return { label: c.dim(OUTCOME_LABEL[decision.outcome]), accent: 'dim' };
  }
}

function renderRelated(related: RelatedInformation, primary: DecisionLocation, c: Painter, frames: FrameSource): string[] {
  const file = related.file ?? primary.file;
  const repository = related.repository ?? primary.repository;
  const where = formatLocation(frames.shown(file, repository), related.range);
  const lines = [`  ${c.cyan('note')}: ${where ? where + ': ' : ''}${sanitize(related.message)}`];
  // The frame above already shows the primary location; repeating it adds nothing.
  const samePlace = file === primary.file && repository?.id === primary.repository?.id && related.range?.start.offset === primary.range?.start.offset;
  if (related.range && !samePlace) lines.push(...frames.frame(file, repository, related.range, 'cyan').map((l) => `  ${l}`));
  return lines;
}

/** Code frames over the report's sources, indexing each file once. */
class FrameSource {
  private readonly indexes = new Map<string, LineIndex>();

  constructor(
    private readonly sources: ReadonlyMap<string, string> | undefined,
    private readonly colors: Painter,
    private readonly contextLines: number,
    private readonly place: (file: string, repository: SourceRepository | undefined) => { key: string; shown: string },
  ) {}

  shown(file: string, repository: SourceRepository | undefined): string {
    return this.place(file, repository).shown;
  }

  frame(file: string, repository: SourceRepository | undefined, range: Range, accent: Accent): string[] {
    const key = this.place(file, repository).key;
    let index = this.indexes.get(key);
    if (!index) {
      const text = this.sources?.get(key);
      if (text === undefined) return [];
      index = new LineIndex(text);
      this.indexes.set(key, index);
    }
    return codeFrame(index, range, this.colors, accent, this.contextLines);
  }
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => (line ? pad + line : line))
    .join('\n');
}

/**
 * Policy authors write reasons and names; a control character in them (an escape sequence, a
 * bell) must not reach the terminal. Each becomes a visible `\xNN`; tabs stay and line ends
 * (`\r\n`, `\r`) become `\n`.
 */
export function sanitize(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
