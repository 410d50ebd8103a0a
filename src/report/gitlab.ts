/**
 * `oclhub lint` as a GitLab Code Quality report: the CodeClimate-style JSON array GitLab reads from a
 * job's `artifacts:reports:codequality` file and shows in the merge request widget, the pipeline's
 * Code Quality tab and (Ultimate) the diff.
 *
 *     [{ "description", "check_name", "fingerprint", "severity", "location": { "path", "lines": { "begin" } } }]
 *
 * - `check_name`: the policy slug for decisions, the diagnostic code for diagnostics.
 * - `fingerprint`: the same meaning-based identity as SARIF's (fingerprint.ts), so a finding keeps it
 *   across runs and line shifts and GitLab reports it as unchanged, not fixed-and-new. Unique in a
 *   report (GitLab drops duplicates).
 * - `severity` (GitLab's `info` < `minor` < `major` < `critical` < `blocker`): `blocker` for what
 *   fails closed (a policy that could not be evaluated with the `block` action, a context that could not
 *   be decided), `critical` for a blocking violation, `major` for an error diagnostic, `minor` for a
 *   warning violation or diagnostic (and an evaluation error under `--on-error warn`), `info` for an
 *   `info` diagnostic or an inconclusive decision (it needs input the run lacks: never passed over).
 * - `location.path`: relative to the repository root, as GitLab links it. A finding in another
 *   repository (a template line in the hub, seen from a project's pipeline) is placed on the line of
 *   this repository that brought it in (the project's template usage) when the finding has one, and
 *   its description names where it really is; without such a line it keeps its path in the other
 *   repository, prefixed by where that repository is (never passed off as a file of this one).
 * - `lines.begin`: 1-based; 1 for findings without a range (GitLab requires a line).
 *
 * A context that could not be decided is one `blocker` issue naming its errors in full; those errors are
 * not listed again as diagnostics.
 *
 * Passes and out-of-scope policies are not issues. Excepted violations and findings a rule setting of
 * oclhub.ocl turned off are accepted on purpose: GitLab has no way to show an issue as accepted, so
 * they are left out here (SARIF and JSON list them, and the text report counts them).
 */
import { diagnosticIdentity, type Diagnostic, type Range, type RelatedInformation, type Severity, type SourceRepository } from '../diagnostics.js';
import { decisionFingerprint, diagnosticFingerprinter, fingerprint } from './fingerprint.js';
import { contextName, decisionMessage, displayPath, isHome, policyLabel, type Evaluation, type LintReport, type PolicyDecision } from './lint-report.js';
import { eachEvaluation } from './lint-pieces.js';

export type GitlabSeverity = 'info' | 'minor' | 'major' | 'critical' | 'blocker';

export interface GitlabIssue {
  type: 'issue';
  description: string;
  check_name: string;
  fingerprint: string;
  severity: GitlabSeverity;
  location: { path: string; lines: { begin: number; end?: number } };
}

export interface GitlabOptions {
  /**
   * Where a decision without any location (typically an evaluation error) is anchored, e.g. the
   * policy's file; default `oclhub.ocl`.
   */
  policyFile?: (policy: string) => string | undefined;
}

const DIAGNOSTIC_SEVERITY: Record<Severity, GitlabSeverity> = { error: 'major', warning: 'minor', info: 'info' };

export function buildGitlab(report: LintReport, options: GitlabOptions = {}): GitlabIssue[] {
  return [...gitlabIssues(report, options)];
}

/** The report's issues one at a time, in its order, each fingerprint made unique as it comes (see `uniqueFingerprints`). */
function* gitlabIssues(report: LintReport, options: GitlabOptions): Generator<GitlabIssue> {
  const unique = uniqueFingerprints();
  const place = (file: string, repository: SourceRepository | undefined, range: Range | undefined, related: readonly RelatedInformation[] | undefined) =>
    placeFinding(report, file, repository, range, related);

  // Diagnostics already shown as an undecided context's cause (below).
  const shownAsUndecided = new Set<string>();
  // Stored pieces are decoded a project at a time (report/lint-pieces.ts).
  for (const evaluation of eachEvaluation(report)) {
    addUndecidedErrorKeys(evaluation, shownAsUndecided);
    if (evaluation.decisions.length === 0 && (evaluation.errors?.length ?? 0) > 0) yield unique(undecidedIssue(report, evaluation));
    for (const decision of evaluation.decisions) {
      const severity = decisionSeverity(decision);
      if (severity === undefined) continue;
      const where = decision.location;
      const anchor = where?.file ?? options.policyFile?.(decision.policy) ?? 'oclhub.ocl';
      const placed = place(anchor, where?.file === undefined ? undefined : where.repository, where?.range, where?.related);
      yield unique({
        type: 'issue',
        description: `${contextName(evaluation)}${where?.step ? ` step ${where.step}` : ''}: ${policyLabel(decision)}: ${decisionMessage(decision)}${placed.elsewhere}`,
        check_name: decision.policy,
        fingerprint: decisionFingerprint(evaluation, decision),
        severity,
        location: placed.location,
      });
    }
  }
  const diagnosticFingerprint = diagnosticFingerprinter(report);
  for (const d of report.diagnostics) {
    // Already the cause of an undecided context's blocker issue, which names it in full: once is enough.
    if (shownAsUndecided.has(diagnosticIdentity(d))) continue;
    const placed = place(d.file ?? 'oclhub.ocl', d.file === undefined ? undefined : d.repository, d.range, d.related);
    yield unique({
      type: 'issue',
      description: `${d.project !== undefined ? `${d.project}: ` : ''}${d.summary}${d.detail ? ` — ${d.detail}` : ''}${placed.elsewhere}`,
      check_name: d.code,
      fingerprint: diagnosticFingerprint(d),
      severity: DIAGNOSTIC_SEVERITY[d.severity],
      location: placed.location,
    });
  }
}

export function renderGitlab(report: LintReport, options: GitlabOptions = {}): string {
  return [...gitlabChunks(report, options)].join('');
}

/** Issues stringified at a time by `gitlabChunks`. */
const ISSUES_BATCH = 256;

/**
 * The chunks of `renderGitlab(report, options)`, a batch of issues at a time, so that a large lint's
 * report is never every issue as an object, nor one string, at once. `JSON.stringify` lays out a batch
 * of the array's elements as it lays them out in the whole array: the batch's brackets cut off, the
 * batches joined by commas are the whole array's text.
 */
export function* gitlabChunks(report: LintReport, options: GitlabOptions = {}): Generator<string> {
  let batch: GitlabIssue[] = [];
  let written = false;
  const elements = () => {
    const text = JSON.stringify(batch, null, 2);
    const chunk = `${written ? ',' : '['}${text.slice(1, -2)}`;
    written = true;
    batch = [];
    return chunk;
  };
  for (const issue of gitlabIssues(report, options)) {
    batch.push(issue);
    if (batch.length === ISSUES_BATCH) yield elements();
  }
  if (batch.length > 0) yield elements();
  yield written ? '\n]\n' : '[]\n';
}

function decisionSeverity(decision: PolicyDecision): GitlabSeverity | undefined {
  switch (decision.outcome) {
    case 'violation':
      return decision.action === 'block' ? 'critical' : 'minor';
    case 'error':
      return decision.action === 'block' ? 'blocker' : 'minor';
    case 'inconclusive':
      return 'info';
    default:
      // pass, skipped, excepted: not issues (see the file comment).
      return undefined;
  }
}

function undecidedIssue(report: LintReport, evaluation: Evaluation): GitlabIssue {
  const errors = evaluation.errors!;
  const first = errors.find((e) => e.file !== undefined);
  const placed = placeFinding(report, first?.file ?? 'oclhub.ocl', first?.file === undefined ? undefined : first.repository, first?.range, first?.related);
  return {
    type: 'issue',
    description: `${contextName(evaluation)} could not be decided: ${errors.map((e) => `${e.code} ${e.summary}${e.detail ? ` — ${e.detail}` : ''}`).join('; ')}${placed.elsewhere}`,
    check_name: 'oclhub-undecided',
    fingerprint: fingerprint(['undecided', evaluation.project, evaluation.environment, evaluation.tenant ?? '', ...errors.map((e) => e.code)]),
    severity: 'blocker',
    location: placed.location,
  };
}

function addUndecidedErrorKeys(evaluation: Evaluation, keys: Set<string>): void {
  if (evaluation.decisions.length === 0) for (const e of evaluation.errors ?? []) keys.add(diagnosticIdentity(e));
}

/** The issue's location in this repository, and a note on where the finding really is when elsewhere. */
function placeFinding(
  report: LintReport,
  file: string,
  repository: SourceRepository | undefined,
  range: Range | undefined,
  related: readonly RelatedInformation[] | undefined,
): { location: GitlabIssue['location']; elsewhere: string } {
  if (isHome(report, repository)) return { location: location(file, range), elsewhere: '' };
  const real = displayPath(report, file, repository);
  const at = `${real}${range ? `:${range.start.line}` : ''}`;
  // The home repository's line that brought the finding in (e.g. the project's template usage).
  // A related item without a repository is in the finding's own (other) repository.
  const local = related?.find((r) => r.file !== undefined && r.repository !== undefined && isHome(report, r.repository));
  if (local?.file !== undefined) return { location: location(local.file, local.range), elsewhere: ` (in ${at})` };
  return { location: location(real, range), elsewhere: '' };
}

function location(path: string, range: Range | undefined): GitlabIssue['location'] {
  const begin = Math.max(1, range?.start.line ?? 1);
  const end = range ? Math.max(begin, range.end.line) : undefined;
  return { path: path.replace(/\\/g, '/'), lines: end !== undefined && end !== begin ? { begin, end } : { begin } };
}

/** GitLab keeps one issue per fingerprint: a repeated one gets its occurrence appended. */
function uniqueFingerprints(): (issue: GitlabIssue) => GitlabIssue {
  const seen = new Map<string, number>();
  return (issue) => {
    const count = seen.get(issue.fingerprint) ?? 0;
    seen.set(issue.fingerprint, count + 1);
    if (count > 0) issue.fingerprint = fingerprint([issue.fingerprint, String(count + 1)]);
    return issue;
  };
}
