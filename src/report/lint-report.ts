/**
 * The result of `oclhub lint`: what the lint engine produces and every lint renderer (text, json,
 * sarif, junit, github) reads. One scan, many formats: the renderers never re-evaluate anything.
 * The web page and the language server read the same types.
 *
 * A lint run evaluates every active policy against every (project, environment[, tenant]) context
 * and also reports the OCL, schema and template diagnostics met on the way.
 *
 * Where findings are: every diagnostic, decision location and related location may name the
 * repository its `file` is relative to (`SourceRepository`: the hub, or a project repository
 * registered in oclhub.ocl, at a commit). `repositories` lists them; `home` is the one the command
 * ran in. Without a repository a file belongs to `home` (or, without `home`, to the only repository).
 *
 * Exit-code rule (the fail level, `--fail-on`; see `failed()`):
 *   - `block` (default): fail on blocking violations, error decisions, contexts that could not be
 *     decided and error diagnostics.
 *   - `warn`: also fail on warning violations and warning diagnostics.
 *   - `error`: fail only on error decisions, undecided contexts and error diagnostics.
 * Excepted violations, passes, out-of-scope and inconclusive decisions never fail a run; neither do
 * `info` diagnostics nor findings a rule setting turned off.
 * A failed run exits 1 (`EXIT_FINDINGS`); usage and tool errors exit 2 before any report exists.
 */
import type { Diagnostic, Range, RelatedInformation, SourceRepository } from '../diagnostics.js';

/** What a violation does to the deployment (Octopus `violation_action`, or `result.action` when set). */
export type PolicyAction = 'block' | 'warn';

/**
 * - `pass`: in scope and allowed.
 * - `violation`: in scope and not allowed; `action` says whether it blocks or warns.
 * - `excepted`: a violation covered by an exception in `oclhub.ocl` (`exception` says whose).
 * - `error`: the policy could not be evaluated (Rego error, undefined `result`); `error` says why.
 * - `skipped`: the policy's scope (`evaluate`) did not select this context.
 * - `inconclusive`: the decision read input the run does not have (`needs` says which), e.g.
 *   `input.Release` when no release version was given. Neither a pass nor a violation: reported,
 *   never failing, never guessed. A run with the missing input (`--release-version`) decides it.
 */
export type DecisionOutcome = 'pass' | 'violation' | 'excepted' | 'error' | 'skipped' | 'inconclusive';

/** Every outcome, in the order reports list them (most severe first). */
export const DECISION_OUTCOMES: readonly DecisionOutcome[] = ['error', 'violation', 'inconclusive', 'excepted', 'pass', 'skipped'];

/** Whether a decision is a finding, a result of the reports (passes and out-of-scope policies are only counted). */
export function isFinding(decision: Pick<PolicyDecision, 'outcome'>): boolean {
  return decision.outcome !== 'pass' && decision.outcome !== 'skipped';
}

/** Which findings make the run fail: see the file comment. */
export type FailLevel = 'block' | 'warn' | 'error';

export interface PolicyException {
  owner: string;
  reason: string;
  /** The date the exception stops applying (ISO 8601, `YYYY-MM-DD`). */
  expires: string;
}

/** The step or process a decision points at. */
export interface DecisionLocation {
  file: string;
  range?: Range;
  /** The step slug, when the decision is about one step (logical location `project/environment/step`). */
  step?: string;
  /** Provenance: e.g. the process-template line the step comes from and the project's usage line. */
  related?: RelatedInformation[];
  /** The repository `file` is relative to (see the file comment). */
  repository?: SourceRepository;
}

export interface PolicyDecision {
  /** The policy slug (= its Rego package). */
  policy: string;
  /** The policy's `name` attribute. */
  policyName?: string;
  /** The active (published) version evaluated. */
  version?: string;
  inScope: boolean;
  allowed: boolean;
  /** The effective action: `result.action` when the policy set one, else its `violation_action`. */
  action: PolicyAction;
  outcome: DecisionOutcome;
  /** `result.reason` when the policy set one, else its `violation_reason`. */
  reason?: string;
  /** Why evaluation failed (outcome `error`). */
  error?: string;
  exception?: PolicyException;
  location?: DecisionLocation;
  /**
   * For `inconclusive`: the input paths the decision read that the run does not have, dotted
   * (`Release.Version`, `Release` for the whole object); see `describeNeeds`.
   */
  needs?: string[];
}

/** One evaluation context: a project deploying to an environment (for one tenant, when tenanted). */
export interface Evaluation {
  project: string;
  environment: string;
  tenant?: string;
  decisions: PolicyDecision[];
  /**
   * Set when the context could not be decided: the diagnostics that say why (a registered project
   * folder that does not exist or holds no project files, a process-template usage that does not
   * resolve). Every decision of such a context is `error`, and the context fails the run even when
   * no policy is active.
   */
  errors?: Diagnostic[];
}

/**
 * A context's verdict, most severe first: `error` (it could not be decided: `Evaluation.errors` — an
 * unreadable or empty project folder, a process that does not resolve), `blocked` (a blocking
 * violation, or a policy that could not be evaluated and fails closed), `inconclusive` (a decision
 * needs input the run lacks; it blocks nothing), `warned` (only warnings), `allowed`. Excepted
 * violations do not count.
 */
export type ContextStatus = 'error' | 'blocked' | 'inconclusive' | 'warned' | 'allowed';

export const CONTEXT_STATUSES: readonly ContextStatus[] = ['error', 'blocked', 'inconclusive', 'warned', 'allowed'];

export function contextStatus(evaluation: Pick<Evaluation, 'decisions' | 'errors'>): ContextStatus {
  const decisions = evaluation.decisions;
  if ((evaluation.errors?.length ?? 0) > 0) return 'error';
  if (decisions.some((d) => (d.outcome === 'violation' || d.outcome === 'error') && d.action === 'block')) return 'blocked';
  if (decisions.some((d) => d.outcome === 'inconclusive')) return 'inconclusive';
  if (decisions.some((d) => (d.outcome === 'violation' || d.outcome === 'error') && d.action === 'warn')) return 'warned';
  return 'allowed';
}

export interface LintReport {
  tool: { name: string; version: string };
  /** The hub commit or ref the policies and templates were read at. */
  hubRef?: string;
  evaluations: Evaluation[];
  /** OCL, schema and template diagnostics, each with its file. */
  diagnostics: Diagnostic[];
  /** Source text by `sourceKey(file, repository)`, for code frames and SARIF snippets. */
  sources?: ReadonlyMap<string, string>;
  failOn: FailLevel;
  /**
   * Findings a rule setting in oclhub.ocl turned off (`severity = "off"`), each with `adjusted`
   * naming the setting and the severity it had. Listed and counted, never failing. (Findings a
   * setting only re-graded stay in `diagnostics`, with `adjusted`.)
   */
  suppressed?: Diagnostic[];
  /** The repositories findings point into, each once, at the commit the run read (the hub first). */
  repositories?: SourceRepository[];
  /** The id of the repository the command ran in (see the file comment). */
  home?: string;
  /** Set when the run linted one shard of the hub (`oclhub lint --shard I/N`; `oclhub report merge` combines them). */
  shard?: LintShard;
}

/** Which shard a report covers, and what a merge needs to count distinct environments and tenants. */
export interface LintShard {
  /** 1-based. */
  index: number;
  count: number;
  /** The environments and tenants this shard evaluated. */
  environments: string[];
  tenants: string[];
}

/**
 * The key of a file's text in `LintReport.sources`: the path alone for the home repository (no
 * repository given), else the repository id and commit with it, so that two repositories' (or two
 * template versions') files at the same path never share a frame.
 */
export function sourceKey(file: string, repository?: Pick<SourceRepository, 'id' | 'commit'>): string {
  return repository === undefined ? file : `${repository.id}@${repository.commit ?? 'worktree'}\u0000${file}`;
}

/** The text of a 1-based line of a file in the report's sources, without its line end; undefined when unknown. */
export function sourceLine(report: Pick<LintReport, 'sources'>, file: string, repository: Pick<SourceRepository, 'id' | 'commit'> | undefined, line: number): string | undefined {
  const text = report.sources?.get(sourceKey(file, repository));
  if (text === undefined || line < 1) return undefined;
  let start = 0;
  for (let n = 1; n < line; n++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return undefined;
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '');
}

/** Whether `repository` is the one the command ran in (no repository given means it is). */
export function isHome(report: Pick<LintReport, 'home'>, repository: Pick<SourceRepository, 'id'> | undefined): boolean {
  return repository === undefined || report.home === undefined || repository.id === report.home;
}

/**
 * A file as people see it: repository-relative for the home repository, else prefixed by where the
 * other repository is (`../payments/.octopus/deployment_process.ocl`, or `<url> <file>` for a
 * remote one), so a terminal or CI log never shows another repository's file as if it were local.
 */
export function displayPath(report: Pick<LintReport, 'home'>, file: string, repository: SourceRepository | undefined): string {
  if (isHome(report, repository)) return file;
  const location = repository!.location;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return `${location}${repository!.commit ? `@${repository!.commit.slice(0, 12)}` : ''} ${file}`;
  const joined = `${location.replace(/\\/g, '/').replace(/\/+$/, '')}/${file}`;
  return joined.replace(/^\.\//, '');
}

export interface LintSummary {
  /** Number of evaluation contexts, and the distinct projects, environments and tenants in them. */
  evaluations: number;
  projects: number;
  environments: number;
  tenants: number;
  /** Decisions by outcome. */
  passed: number;
  violations: { block: number; warn: number };
  excepted: number;
  /** Decisions whose evaluation failed. */
  errors: number;
  /** Error decisions by the action they carry: `block` by default (fail closed), `warn` under `--on-error warn`. */
  errorActions: { block: number; warn: number };
  skipped: number;
  /** Decisions that need input the run does not have (never failing). */
  inconclusive: number;
  /** Contexts that could not be decided (`Evaluation.errors`): always failing. */
  undecided: number;
  diagnostics: { error: number; warning: number };
  /** Findings a rule setting turned off (never failing). */
  suppressed: number;
  failOn: FailLevel;
  failed: boolean;
}

/**
 * What a report's evaluations count up to: the contexts, the distinct projects, environments and
 * tenants in them, the undecided contexts and the decisions by outcome (indices: `TALLY`).
 */
export interface EvaluationTally {
  counts: number[];
  projects: Set<string>;
  environments: Set<string>;
  tenants: Set<string>;
}

/** Where each count is in `EvaluationTally.counts`. */
export const TALLY = { evaluations: 0, undecided: 1, passed: 2, violationsBlock: 3, violationsWarn: 4, excepted: 5, errorsBlock: 6, errorsWarn: 7, skipped: 8, inconclusive: 9 } as const;
const TALLY_SIZE = 10;

export function emptyTally(): EvaluationTally {
  return { counts: new Array<number>(TALLY_SIZE).fill(0), projects: new Set(), environments: new Set(), tenants: new Set() };
}

/**
 * Adds the evaluations to `tally` (a new one when not given), and hands each finding (a decision
 * `isFinding`) to `findings` when given, from
 * the same loop (a second one over a hub's 100,000 decisions was ~6 ms of a cold lint).
 */
export function tallyEvaluations(evaluations: readonly Evaluation[], tally: EvaluationTally = emptyTally(), findings?: { add(evaluation: Evaluation, decision: PolicyDecision): void }): EvaluationTally {
  const c = tally.counts;
  for (const evaluation of evaluations) {
    c[TALLY.evaluations]!++;
    tally.projects.add(evaluation.project);
    tally.environments.add(evaluation.environment);
    if (evaluation.tenant !== undefined) tally.tenants.add(evaluation.tenant);
    if ((evaluation.errors?.length ?? 0) > 0) c[TALLY.undecided]!++;
    for (const decision of evaluation.decisions) {
      switch (decision.outcome) {
        case 'pass':
          c[TALLY.passed]!++;
          break;
        case 'violation':
          c[decision.action === 'block' ? TALLY.violationsBlock : TALLY.violationsWarn]!++;
          break;
        case 'excepted':
          c[TALLY.excepted]!++;
          break;
        case 'error':
          c[decision.action === 'block' ? TALLY.errorsBlock : TALLY.errorsWarn]!++;
          break;
        case 'skipped':
          c[TALLY.skipped]!++;
          break;
        case 'inconclusive':
          c[TALLY.inconclusive]!++;
          break;
      }
      if (findings !== undefined && isFinding(decision)) findings.add(evaluation, decision);
    }
  }
  return tally;
}

/**
 * A report whose evaluations are held as stored pieces of the JSON report (report/lint-pieces.ts)
 * carries their tally under this key (not enumerable: a copy of the report with other evaluations
 * does not take it), so that counting them never decodes them.
 */
export const STORED_TALLY = Symbol('oclhub.storedTally');

export function summarize(report: LintReport): LintSummary {
  const tally = (report as { [STORED_TALLY]?: EvaluationTally })[STORED_TALLY] ?? tallyEvaluations(report.evaluations);
  const c = tally.counts;
  const summary: LintSummary = {
    evaluations: c[TALLY.evaluations]!,
    projects: tally.projects.size,
    environments: tally.environments.size,
    tenants: tally.tenants.size,
    passed: c[TALLY.passed]!,
    violations: { block: c[TALLY.violationsBlock]!, warn: c[TALLY.violationsWarn]! },
    excepted: c[TALLY.excepted]!,
    errors: c[TALLY.errorsBlock]! + c[TALLY.errorsWarn]!,
    errorActions: { block: c[TALLY.errorsBlock]!, warn: c[TALLY.errorsWarn]! },
    skipped: c[TALLY.skipped]!,
    inconclusive: c[TALLY.inconclusive]!,
    undecided: c[TALLY.undecided]!,
    diagnostics: { error: 0, warning: 0 },
    suppressed: report.suppressed?.length ?? 0,
    failOn: report.failOn,
    failed: false,
  };
  for (const d of report.diagnostics) {
    if (d.severity === 'error') summary.diagnostics.error++;
    else if (d.severity === 'warning') summary.diagnostics.warning++;
  }
  summary.failed = failed(summary, report.failOn);
  return summary;
}

/** Whether the counts fail a run at `failOn` (the rule in the file comment). */
export function failed(summary: Omit<LintSummary, 'failed'>, failOn: FailLevel): boolean {
  const errors = summary.errorActions.block > 0 || summary.diagnostics.error > 0 || summary.undecided > 0;
  if (failOn === 'error') return errors;
  if (errors || summary.violations.block > 0) return true;
  return failOn === 'warn' && (summary.violations.warn > 0 || summary.errorActions.warn > 0 || summary.diagnostics.warning > 0);
}

/** 1 when the run failed at its fail level, else 0 (the CLI's `EXIT_FINDINGS` / `EXIT_OK`). */
export function lintExitCode(summary: LintSummary): 0 | 1 {
  return summary.failed ? 1 : 0;
}

/**
 * Whether one finding counts towards failure at `failOn`: a decision by its outcome and action,
 * a diagnostic by its severity. Renderers use it to show exactly what failed the run (JUnit
 * `<failure>`, GitHub `::error`).
 */
export function decisionFails(decision: Pick<PolicyDecision, 'outcome' | 'action'>, failOn: FailLevel): boolean {
  // An evaluation error carries the action chosen by --on-error: block (fail closed, the default) or warn.
  if (decision.outcome === 'error') return decision.action === 'block' || failOn === 'warn';
  if (decision.outcome !== 'violation') return false;
  if (failOn === 'error') return false;
  return decision.action === 'block' || failOn === 'warn';
}

export function diagnosticFails(diagnostic: Pick<Diagnostic, 'severity'>, failOn: FailLevel): boolean {
  if (diagnostic.severity === 'error') return true;
  return diagnostic.severity === 'warning' && failOn === 'warn';
}

/** `project/environment` or `project/environment/tenant`: the context's name in every format. */
export function contextName(evaluation: Pick<Evaluation, 'project' | 'environment' | 'tenant'>): string {
  return evaluation.tenant === undefined
    ? `${evaluation.project}/${evaluation.environment}`
    : `${evaluation.project}/${evaluation.environment}/${evaluation.tenant}`;
}

/** `Require approval (require_approval 1.2.0)`, or the parts that are known. */
export function policyLabel(decision: Pick<PolicyDecision, 'policy' | 'policyName' | 'version'>): string {
  const id = decision.version === undefined ? decision.policy : `${decision.policy} ${decision.version}`;
  return decision.policyName === undefined ? id : `${decision.policyName} (${id})`;
}

/** The message a finding shows: the reason, or a fallback that still says which policy. */
export function decisionMessage(decision: PolicyDecision): string {
  if (decision.outcome === 'error') return `policy evaluation failed: ${decision.error ?? 'unknown error'}`;
  if (decision.outcome === 'inconclusive') return `inconclusive: ${describeNeeds(decision.needs ?? [])}`;
  if (decision.outcome === 'skipped') return 'not in scope';
  if (decision.outcome === 'pass') return decision.reason ?? 'compliant';
  return decision.reason ?? `violates policy ${decision.policyName ?? decision.policy}`;
}

/**
 * What an inconclusive decision needs, for people: `needs a release version (--release-version):
 * the policy reads input.Release.Version`.
 */
export function describeNeeds(needs: readonly string[]): string {
  const what = new Set<string>();
  for (const path of needs) {
    if (path === 'Release.GitRef') what.add("the release's Git ref (--git-ref)");
    else if (path === 'Release' || path.startsWith('Release.')) what.add('a release version (--release-version)');
    else if (path === '') what.add('the whole input, which this run has only in part (give --release-version and --git-ref)');
    else what.add(`input.${path}`);
  }
  const reads = needs.map((p) => (p === '' ? 'input' : `input.${p}`)).join(', ');
  return `needs ${[...what].join(' and ') || 'input this run does not have'}${reads ? `: the policy reads ${reads}` : ''}`;
}

/** `3 projects`, `1 environment`. */
export function plural(count: number, word: string, pluralWord = `${word}s`): string {
  return `${count} ${count === 1 ? word : pluralWord}`;
}

/**
 * The one-line outcome every format ends with, e.g.
 * `3 projects × 3 environments: 2 blocked, 1 warning, 1 excepted, 0 errors; 1 diagnostic error, 0 diagnostic warnings — failed (fail on block)`.
 */
export function summaryLine(summary: LintSummary): string {
  const scope =
    `${plural(summary.projects, 'project')} × ${plural(summary.environments, 'environment')}` +
    (summary.tenants > 0 ? ` × ${plural(summary.tenants, 'tenant')}` : '');
  const decisions = [
    `${summary.violations.block} blocked`,
    plural(summary.violations.warn, 'warning'),
    ...(summary.excepted > 0 ? [`${summary.excepted} excepted`] : []),
    ...(summary.inconclusive > 0 ? [`${summary.inconclusive} inconclusive`] : []),
    plural(summary.errors, 'error'),
    ...(summary.undecided > 0 ? [`${plural(summary.undecided, 'context')} not decided`] : []),
  ].join(', ');
  const diagnostics =
    summary.diagnostics.error + summary.diagnostics.warning > 0
      ? `; ${plural(summary.diagnostics.error, 'diagnostic error')}, ${plural(summary.diagnostics.warning, 'diagnostic warning')}`
      : '';
  const suppressed = summary.suppressed > 0 ? `; ${summary.suppressed} suppressed by rule settings` : '';
  const verdict = summary.failed ? 'failed' : 'passed';
  return `${scope}: ${decisions}${diagnostics}${suppressed} — ${verdict} (fail on ${summary.failOn})`;
}
