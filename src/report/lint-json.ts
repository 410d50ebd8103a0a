/**
 * `oclhub lint --format json`: the whole report, for scripts and for diffing two runs.
 *
 *     { "format": "oclhub-lint/v1", "tool": {…}, "hubRef": …, "home"?: "hub", "repositories": [ SourceRepository… ],
 *       "failOn": "block", "exitCode": 1, "summary": {…},
 *       "evaluations": [{ "project", "environment", "tenant"?, "errors"?: [Diagnostic…], "decisions": […] }],
 *       "diagnostics": [ Diagnostic… ], "suppressed"?: [ Diagnostic… ], "shard"?: { "index", "count", "environments", "tenants" } }
 *
 * Every diagnostic carries its `project` and `repository` (id, location, commit) when it has them,
 * and so does every decision location and related location: paths are relative to that repository.
 * `suppressed` lists the findings a rule setting turned off (each with `adjusted`).
 *
 * Every object is rebuilt with a fixed key order (absent optional keys are `undefined`, which
 * JSON.stringify leaves out), so the same report always prints the same bytes whatever order its
 * producer filled the objects in. Source texts are not included.
 */
import type { Diagnostic, Position, Range, RelatedInformation, SourceRepository, SuppressionRecord } from '../diagnostics.js';
import { lintExitCode, summarize, type DecisionLocation, type Evaluation, type LintReport, type LintShard, type LintSummary, type PolicyDecision } from './lint-report.js';

export const LINT_JSON_FORMAT = 'oclhub-lint/v1';

export interface LintJsonOptions {
  /** Leave out passing and out-of-scope decisions (the summary still counts them). */
  findingsOnly?: boolean;
  /** Indentation (default 2). */
  indent?: number;
}

export interface LintJson {
  format: typeof LINT_JSON_FORMAT;
  tool: { name: string; version: string };
  hubRef?: string;
  home?: string;
  repositories?: SourceRepository[];
  failOn: LintReport['failOn'];
  exitCode: 0 | 1;
  summary: LintSummary;
  evaluations: Array<{ project: string; environment: string; tenant?: string; errors?: Diagnostic[]; decisions: PolicyDecision[] }>;
  diagnostics: Diagnostic[];
  suppressed?: Diagnostic[];
  shard?: LintShard;
}

export function buildLintJson(report: LintReport, options: LintJsonOptions = {}): LintJson {
  const summary = summarize(report);
  return {
    format: LINT_JSON_FORMAT,
    tool: { name: report.tool.name, version: report.tool.version },
    ...optional('hubRef', report.hubRef),
    ...optional('home', report.home),
    ...optional('repositories', report.repositories?.map(orderedRepository)),
    failOn: report.failOn,
    exitCode: lintExitCode(summary),
    summary: orderedSummary(summary),
    evaluations: orderedEvaluations(report.evaluations, options),
    diagnostics: report.diagnostics.map(orderedDiagnostic),
    ...optional('suppressed', report.suppressed && report.suppressed.length > 0 ? report.suppressed.map(orderedDiagnostic) : undefined),
    ...optional('shard', report.shard && orderedShard(report.shard)),
  };
}

export function renderLintJson(report: LintReport, options: LintJsonOptions = {}): string {
  return JSON.stringify(buildLintJson(report, options), null, options.indent ?? 2) + '\n';
}

/** The evaluations as the report writes them (see `buildLintJson`). */
export function orderedEvaluations(evaluations: readonly Evaluation[], options: LintJsonOptions = {}): LintJson['evaluations'] {
  return evaluations.map((e) => ({
    project: e.project,
    environment: e.environment,
    tenant: e.tenant,
    errors: e.errors?.map(orderedDiagnostic),
    decisions: options.findingsOnly ? e.decisions.filter((d) => d.outcome !== 'pass' && d.outcome !== 'skipped').map(orderedDecision) : e.decisions.map(orderedDecision),
  }));
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function orderedShard(s: LintShard): LintShard {
  return { index: s.index, count: s.count, environments: [...s.environments], tenants: [...s.tenants] };
}

function orderedSummary(s: LintSummary): LintSummary {
  return {
    evaluations: s.evaluations,
    projects: s.projects,
    environments: s.environments,
    tenants: s.tenants,
    passed: s.passed,
    violations: { block: s.violations.block, warn: s.violations.warn },
    excepted: s.excepted,
    errors: s.errors,
    errorActions: { block: s.errorActions.block, warn: s.errorActions.warn },
    skipped: s.skipped,
    inconclusive: s.inconclusive,
    undecided: s.undecided,
    diagnostics: { error: s.diagnostics.error, warning: s.diagnostics.warning },
    suppressed: s.suppressed,
    failOn: s.failOn,
    failed: s.failed,
  };
}

// The objects below are written with every key in place, an absent one as `undefined`, which
// JSON.stringify leaves out: one literal shape per kind is much cheaper to build, 100,000 times, than
// an object spread together from optional parts.

export function orderedDecision(d: PolicyDecision): PolicyDecision {
  return {
    policy: d.policy,
    policyName: d.policyName,
    version: d.version,
    inScope: d.inScope,
    allowed: d.allowed,
    action: d.action,
    outcome: d.outcome,
    reason: d.reason,
    error: d.error,
    exception: d.exception && { owner: d.exception.owner, reason: d.exception.reason, expires: d.exception.expires },
    location: d.location && orderedLocation(d.location),
    needs: d.needs && [...d.needs],
  };
}

function orderedLocation(l: DecisionLocation): DecisionLocation {
  const repository = placedRepository(l);
  return {
    file: l.file,
    range: l.range && orderedRange(l.range),
    step: l.step,
    related: l.related?.map((r) => orderedRelatedIn(r, placedRepository(r))),
    repository: repository && orderedRepository(repository),
  };
}

export function orderedDiagnostic(d: Diagnostic): Diagnostic {
  return {
    severity: d.severity,
    code: d.code,
    summary: d.summary,
    detail: d.detail,
    file: d.file,
    range: d.range && orderedRange(d.range),
    related: d.related?.map(orderedRelated),
    project: d.project,
    repository: d.repository && orderedRepository(d.repository),
    adjusted: d.adjusted && orderedAdjusted(d.adjusted),
  };
}

function orderedRelated(r: RelatedInformation): RelatedInformation {
  return orderedRelatedIn(r, r.repository);
}

function orderedRelatedIn(r: RelatedInformation, repository: SourceRepository | undefined): RelatedInformation {
  return {
    file: r.file,
    range: r.range && orderedRange(r.range),
    message: r.message,
    repository: repository && orderedRepository(repository),
  };
}

/** While `withRepositoryAlias` runs: this repository object is rendered with this commit instead. */
let alias: { repository: SourceRepository; commit: string } | undefined;

/**
 * Runs `render` with every occurrence of the `repository` object (by identity) rendered with `commit`
 * instead of its own: how the JSON stream marks where the hub commit goes (lint-json-stream.ts).
 */
export function withRepositoryAlias<T>(repository: SourceRepository, commit: string, render: () => T): T {
  const before = alias;
  alias = { repository, commit };
  try {
    return render();
  } finally {
    alias = before;
  }
}

/** While `withLocationRepository` runs: the repository of decision locations that name a file and none. */
let locationDefault: SourceRepository | undefined;

/**
 * Runs `render` with every decision location, and every related location of one, that names a file
 * but no repository written as naming `repository`: what `attachRepository` (lint/result-entry.ts)
 * would have filled in, without copying each located decision to do so (the stored pieces of the JSON
 * report are written this way, lint-json-stream.ts). Diagnostics are not concerned.
 */
export function withLocationRepository<T>(repository: SourceRepository | undefined, render: () => T): T {
  const before = locationDefault;
  locationDefault = repository;
  try {
    return render();
  } finally {
    locationDefault = before;
  }
}

/**
 * The one rule for where a finding's location lies: one naming a file but no repository is in the
 * project's repository (`projectRepository`); one naming a repository keeps it, one naming no file has none.
 * lint/result-entry.ts fills locations in by it, this writer writes unfilled ones by it.
 */
export function locatedRepository(l: { file?: string; repository?: SourceRepository }, projectRepository: SourceRepository | undefined): SourceRepository | undefined {
  return l.repository === undefined && l.file !== undefined ? projectRepository : l.repository;
}

/** The repository a decision location (or a related location of one) is written with (see `withLocationRepository`). */
export function placedRepository(l: { file?: string; repository?: SourceRepository }): SourceRepository | undefined {
  return locatedRepository(l, locationDefault);
}

/** The commit the report writes for a repository: its own, or the one `withRepositoryAlias` stands in. */
export function writtenCommit(r: SourceRepository): string | undefined {
  return alias !== undefined && r === alias.repository ? alias.commit : r.commit;
}

function orderedRepository(r: SourceRepository): SourceRepository {
  return { id: r.id, location: r.location, commit: writtenCommit(r), ref: r.ref };
}

function orderedAdjusted(a: SuppressionRecord): SuppressionRecord {
  return { originalSeverity: a.originalSeverity, reason: a.reason, file: a.file, range: a.range && orderedRange(a.range) };
}

function orderedRange(r: Range): Range {
  const position = (p: Position): Position => ({ line: p.line, column: p.column, offset: p.offset });
  return { start: position(r.start), end: position(r.end) };
}
