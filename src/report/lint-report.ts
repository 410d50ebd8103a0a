/**
 * The result of `oclhub lint`: what the lint engine produces and every lint renderer (text, json,
 * sarif, junit, github) reads. One scan, many formats: the renderers never re-evaluate anything.
 *
 * A lint run evaluates every active policy against every (project, environment[, tenant]) context
 * and also reports the OCL, schema and template diagnostics met on the way.
 *
 * Exit-code rule (the fail level, `--fail-on`; see `failed()`):
 *   - `block` (default): fail on blocking violations, error decisions and error diagnostics.
 *   - `warn`: also fail on warning violations and warning diagnostics.
 *   - `error`: fail only on error decisions and error diagnostics (violations never fail).
 * Excepted violations, passes and out-of-scope policies never fail a run; `info` diagnostics never do.
 * A failed run exits 1 (`EXIT_FINDINGS`); usage and tool errors exit 2 before any report exists.
 */
import type { Diagnostic, Range, RelatedInformation } from '../diagnostics.js';

/** What a violation does to the deployment (Octopus `violation_action`, or `result.action` when set). */
export type PolicyAction = 'block' | 'warn';

/**
 * - `pass`: in scope and allowed.
 * - `violation`: in scope and not allowed; `action` says whether it blocks or warns.
 * - `excepted`: a violation covered by an exception in `oclhub.ocl` (`exception` says whose).
 * - `error`: the policy could not be evaluated (Rego error, undefined `result`); `error` says why.
 * - `skipped`: the policy's scope (`evaluate`) did not select this context.
 */
export type DecisionOutcome = 'pass' | 'violation' | 'excepted' | 'error' | 'skipped';

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
}

/** One evaluation context: a project deploying to an environment (for one tenant, when tenanted). */
export interface Evaluation {
  project: string;
  environment: string;
  tenant?: string;
  decisions: PolicyDecision[];
}

export interface LintReport {
  tool: { name: string; version: string };
  /** The hub commit or ref the policies and templates were read at. */
  hubRef?: string;
  evaluations: Evaluation[];
  /** OCL, schema and template diagnostics, each with its file. */
  diagnostics: Diagnostic[];
  /** Source text by file name, for code frames and SARIF snippets. */
  sources?: ReadonlyMap<string, string>;
  failOn: FailLevel;
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
  diagnostics: { error: number; warning: number };
  failOn: FailLevel;
  failed: boolean;
}

export function summarize(report: LintReport): LintSummary {
  const projects = new Set<string>();
  const environments = new Set<string>();
  const tenants = new Set<string>();
  const summary: LintSummary = {
    evaluations: report.evaluations.length,
    projects: 0,
    environments: 0,
    tenants: 0,
    passed: 0,
    violations: { block: 0, warn: 0 },
    excepted: 0,
    errors: 0,
    errorActions: { block: 0, warn: 0 },
    skipped: 0,
    diagnostics: { error: 0, warning: 0 },
    failOn: report.failOn,
    failed: false,
  };
  for (const evaluation of report.evaluations) {
    projects.add(evaluation.project);
    environments.add(evaluation.environment);
    if (evaluation.tenant !== undefined) tenants.add(evaluation.tenant);
    for (const decision of evaluation.decisions) {
      switch (decision.outcome) {
        case 'pass':
          summary.passed++;
          break;
        case 'violation':
          summary.violations[decision.action]++;
          break;
        case 'excepted':
          summary.excepted++;
          break;
        case 'error':
          summary.errors++;
          summary.errorActions[decision.action]++;
          break;
        case 'skipped':
          summary.skipped++;
          break;
      }
    }
  }
  for (const d of report.diagnostics) {
    if (d.severity === 'error') summary.diagnostics.error++;
    else if (d.severity === 'warning') summary.diagnostics.warning++;
  }
  summary.projects = projects.size;
  summary.environments = environments.size;
  summary.tenants = tenants.size;
  summary.failed = failed(summary, report.failOn);
  return summary;
}

/** Whether the counts fail a run at `failOn` (the rule in the file comment). */
export function failed(summary: Omit<LintSummary, 'failed'>, failOn: FailLevel): boolean {
  const errors = summary.errorActions.block > 0 || summary.diagnostics.error > 0;
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
  if (decision.outcome === 'skipped') return 'not in scope';
  if (decision.outcome === 'pass') return decision.reason ?? 'compliant';
  return decision.reason ?? `violates policy ${decision.policyName ?? decision.policy}`;
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
    plural(summary.errors, 'error'),
  ].join(', ');
  const diagnostics =
    summary.diagnostics.error + summary.diagnostics.warning > 0
      ? `; ${plural(summary.diagnostics.error, 'diagnostic error')}, ${plural(summary.diagnostics.warning, 'diagnostic warning')}`
      : '';
  const verdict = summary.failed ? 'failed' : 'passed';
  return `${scope}: ${decisions}${diagnostics} — ${verdict} (fail on ${summary.failOn})`;
}
