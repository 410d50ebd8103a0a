/**
 * `oclhub lint` as SARIF 2.1.0 (OASIS), for GitHub code scanning and other SARIF viewers.
 *
 * One run. `tool.driver.rules` holds one rule per policy (id = policy slug) and one per diagnostic
 * code; results point at the step's OCL range (`physicalLocation.region`, 1-based, `endColumn`
 * just past the end, UTF-16 columns) with the provenance (template line, project usage line) as
 * `relatedLocations`, and at the evaluation context as a logical location
 * `project/environment[/tenant]/step` whose parents are listed in `run.logicalLocations`.
 *
 * Levels: a blocking violation is `error`, a warning violation `warning`, a policy that could not
 * be evaluated `error`; diagnostics keep their severity (`info` → `note`). Excepted violations are
 * results with an `external`, `accepted` suppression carrying the exception's owner, reason and
 * expiry; findings a rule setting of oclhub.ocl turned off are results with an `external` suppression
 * whose justification is the setting's reason. An inconclusive decision (it needs input the run does
 * not have) is a result of kind `open`, level `none`. Passes and out-of-scope policies are not
 * results; their counts are in `run.properties`.
 *
 * Repositories: a finding's file is relative to its repository (the hub, or a project repository).
 * Every artifact location names its repository's `uriBaseId` (the repository id; the home repository
 * uses `uriBaseId` when given), `run.originalUriBaseIds` maps the ids whose root is known to it, and
 * `run.versionControlProvenance` has one entry per repository (URI, commit, ref) `mappedTo` its id.
 *
 * `partialFingerprints` identify a finding by meaning, not by line, so that a line shift does not
 * make viewers report it as new: policy + context + step for decisions, code + file + summary
 * (+ occurrence) for diagnostics.
 */
import { LineIndex, type Diagnostic, type Range, type RelatedInformation, type Severity, type SourceRepository } from '../diagnostics.js';
import {
  decisionMessage,
  isHome,
  isFinding,
  lintExitCode,
  policyLabel,
  sourceKey,
  summarize,
  summaryLine,
  type Evaluation,
  type LintReport,
  type PolicyAction,
  type PolicyDecision,
} from './lint-report.js';
import { decisionFingerprint, diagnosticFingerprinter } from './fingerprint.js';
import { evaluationRuns, evaluationSegments, segmentEvaluations } from './lint-pieces.js';
import { findingBlocks, readOutline, type FindingsOutline } from './findings-outline.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

export interface SarifOptions {
  /** `tool.driver.informationUri`: where to read about the tool. */
  informationUri?: string;
  /** A rule's `helpUri`, e.g. the policy's page in the hub's web UI. */
  policyHelpUri?: (policy: string) => string | undefined;
  /**
   * A `uriBaseId` for every artifact location (e.g. `%SRCROOT%`); with `srcRoot` it is defined in
   * `run.originalUriBaseIds`. Leave both unset for GitHub code scanning, which ignores
   * `originalUriBaseIds` and resolves plain relative URIs against the repository root.
   */
  uriBaseId?: string;
  /** An absolute `file://` URI ending in `/` for `uriBaseId`. */
  srcRoot?: string;
  /**
   * The file of a policy (e.g. `.octopus/policies/<slug>.ocl`): where a decision without a step
   * location (typically an evaluation error) is anchored.
   */
  policyFile?: (policy: string) => string | undefined;
  /**
   * Where any other finding without a file is anchored (default `oclhub.ocl`, the hub settings
   * file that activates policies). GitHub code scanning rejects the whole log when one result has
   * no artifact location (`locationFromSarifResult: expected at least one location`), although
   * SARIF allows it; so every result gets one.
   */
  fallbackFile?: string;
  /**
   * The root of a repository other than the home one as an absolute URI ending in `/` (a `file://`
   * URI for a local folder), for `originalUriBaseIds` and `versionControlProvenance`; remote
   * repositories default to their URL.
   */
  repositoryRoot?: (repository: SourceRepository) => string | undefined;
  /** Indentation of the JSON text (default 2). */
  indent?: number;
}

type SarifLevel = 'error' | 'warning' | 'note' | 'none';

interface SarifMessage {
  text: string;
}
interface SarifRegion {
  startLine: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
  snippet?: { text: string };
}
interface SarifPhysicalLocation {
  artifactLocation: { uri: string; uriBaseId?: string };
  region?: SarifRegion;
}
interface SarifLogicalLocation {
  name: string;
  fullyQualifiedName: string;
  kind: string;
  index?: number;
  parentIndex?: number;
}
interface SarifLocation {
  id?: number;
  physicalLocation?: SarifPhysicalLocation;
  logicalLocations?: SarifLogicalLocation[];
  message?: SarifMessage;
}
export interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription?: SarifMessage;
  helpUri?: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { kind: 'policy' | 'diagnostic'; version?: string; tags: string[] };
}
export interface SarifSuppression {
  kind: 'external';
  state: 'accepted';
  justification: string;
  /** Where the exception or rule setting is written. */
  location?: SarifLocation;
  properties: Record<string, unknown>;
}
export interface SarifVersionControl {
  repositoryUri: string;
  revisionId?: string;
  branch?: string;
  mappedTo: { uriBaseId: string };
}
export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  /** `fail`, or `open` for an inconclusive decision (the tool could not tell pass from fail). */
  kind: 'fail' | 'open';
  level: SarifLevel;
  message: SarifMessage;
  /** Always exactly one, with a physical location (see `fallbackFile`). */
  locations: [SarifLocation & { physicalLocation: SarifPhysicalLocation }];
  relatedLocations?: SarifLocation[];
  partialFingerprints: Record<string, string>;
  suppressions?: SarifSuppression[];
  properties: Record<string, unknown>;
}
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: [
    {
      tool: { driver: { name: string; version: string; semanticVersion?: string; informationUri?: string; rules: SarifRule[] } };
      invocations: [{ executionSuccessful: boolean; exitCode: number; exitCodeDescription: string }];
      originalUriBaseIds?: Record<string, { uri: string }>;
      versionControlProvenance?: SarifVersionControl[];
      columnKind: 'utf16CodeUnits';
      logicalLocations: SarifLogicalLocation[];
      results: SarifResult[];
      properties: Record<string, unknown>;
    },
  ];
}

const SEVERITY_LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note' };

function isAbsoluteUri(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(text);
}
const ACTION_LEVEL: Record<PolicyAction, SarifLevel> = { block: 'error', warn: 'warning' };

/** The fingerprint keys; the `/v1` suffix lets a future change of recipe start a new series. */
export const DECISION_FINGERPRINT = 'oclhubDecision/v1';
export const DIAGNOSTIC_FINGERPRINT = 'oclhubDiagnostic/v1';

export function buildSarif(report: LintReport, options: SarifOptions = {}): SarifLog {
  const { log, results } = sarifParts(report, options);
  log.runs[0].results = [...results()];
  return log;
}

export function renderSarif(report: LintReport, options: SarifOptions = {}): string {
  return JSON.stringify(buildSarif(report, options), null, options.indent ?? 2) + '\n';
}

/** Results stringified at a time by `sarifChunks` (about 1–2 KB of text each). */
const RESULTS_BATCH = 128;

/**
 * The chunks of `renderSarif(report, options)`: the log up to its `results`, the results a batch at a
 * time, then the rest, so that a large lint's SARIF is never built as one object, nor one string, in
 * memory (thirty megabytes of text at 1,000 projects).
 *
 * `JSON.stringify` indents purely by depth: results stringified inside arrays nested as deep as
 * `runs[0].results` is, with the wrapping cut off, are exactly their text in the whole log.
 */
export function* sarifChunks(report: LintReport, options: SarifOptions = {}): Generator<string> {
  const { log, results } = sarifParts(report, options);
  const indent = options.indent ?? 2;
  const head = JSON.stringify(log, null, indent);
  const layout = resultsLayout(indent);
  // The run's `results` key at the run's depth: the only keys there are the run's own, and no string's
  // text holds an unescaped quote or a line break.
  const open = head.indexOf(layout.emptyResults) + layout.emptyResults.length - 1; // just past its `[`
  let batch: SarifResult[] = [];
  let written = false;
  for (const result of results()) {
    batch.push(result);
    if (batch.length < RESULTS_BATCH) continue;
    if (!written) yield head.slice(0, open);
    yield `${written ? ',' : ''}${layout.elements(batch)}`;
    written = true;
    batch = [];
  }
  if (batch.length > 0) {
    if (!written) yield head.slice(0, open);
    yield `${written ? ',' : ''}${layout.elements(batch)}`;
  } else if (!written) {
    yield head + '\n';
    return;
  }
  yield `${layout.close}${head.slice(open)}\n`;
}

/**
 * How `JSON.stringify(…, null, indent)` lays out the elements of `runs[0].results`: the empty array with
 * its key as it reads in the log, the elements' text (a batch of them, each after its line break and
 * indentation), and what comes between the last element and the array's `]`.
 */
function resultsLayout(indent: number): { emptyResults: string; elements: (items: readonly unknown[]) => string; close: string } {
  const run = JSON.stringify({ runs: [{ results: [] }] }, null, indent);
  const emptyResults = run.slice(run.indexOf('{', 1) + 1, run.indexOf('[]', run.indexOf('"results"')) + 2);
  // The results array is at depth 3 (log, runs, run), as the innermost array here; its elements at depth 4.
  const sample = JSON.stringify([[[[0]]]], null, indent);
  const element = sample.indexOf('0');
  const start = sample.lastIndexOf('[', element) + 1;
  const end = sample.length - (element + 1);
  return {
    emptyResults,
    elements: (items) => {
      const text = JSON.stringify([[[items]]], null, indent);
      return text.slice(start, text.length - end);
    },
    close: sample.slice(element + 1, sample.indexOf(']', element)),
  };
}

/**
 * The SARIF log with no results yet (every rule, with its level, and every logical location are known:
 * the log lists them before the results), and its results, made one at a time as they are asked for.
 */
function sarifParts(report: LintReport, options: SarifOptions): { log: SarifLog; results: () => Generator<SarifResult> } {
  const summary = summarize(report);
  const fallbackFile = options.fallbackFile ?? 'oclhub.ocl';
  const rules = new RuleTable();
  const logical = new LogicalLocationTable();
  const snippets = new Snippets(report.sources);
  const homeRepository = report.repositories?.find((r) => r.id === report.home);
  // The home repository's files use `uriBaseId` when given (e.g. %SRCROOT%), else its id.
  const baseIdOf = (repository: SourceRepository | undefined): string | undefined =>
    isHome(report, repository) ? (options.uriBaseId ?? (report.home !== undefined ? report.home : repository?.id)) : repository!.id;
  // Each file's URI once: a project's findings mostly point into one file.
  const uris = new Map<string, string>();
  const artifact = (file: string, repository: SourceRepository | undefined) => {
    const uriBaseId = baseIdOf(repository ?? homeRepository);
    let uri = uris.get(file);
    if (uri === undefined) uris.set(file, (uri = fileUri(file)));
    return uriBaseId === undefined ? { uri } : { uri, uriBaseId };
  };
  const physical = (file: string, repository: SourceRepository | undefined, range: Range | undefined): SarifPhysicalLocation => ({
    artifactLocation: artifact(file, repository),
    ...(range ? { region: region(range, snippets.text(sourceKey(file, repository), range)) } : {}),
  });
  // A result's own location always has a line: viewers (GitHub) anchor alerts to one.
  const primary = (file: string, repository: SourceRepository | undefined, range: Range | undefined): SarifPhysicalLocation => ({
    artifactLocation: artifact(file, repository),
    region: range ? region(range, snippets.text(sourceKey(file, repository), range)) : { startLine: 1 },
  });
  const related = (items: readonly RelatedInformation[] | undefined, defaultFile: string | undefined, defaultRepository: SourceRepository | undefined): SarifLocation[] =>
    (items ?? []).map((item, i) => {
      const file = item.file ?? defaultFile;
      const repository = item.repository ?? defaultRepository;
      return { id: i + 1, ...(file === undefined ? {} : { physicalLocation: physical(file, repository, item.range) }), message: { text: item.message } };
    });

  // First pass: every rule (a policy's level is its most severe finding's) and logical location.
  // A stored piece is read from the outline stored beside it (findings-outline.ts), or else decoded,
  // a project at a time (report/lint-pieces.ts); `withFindings`: which runs of evaluations had a
  // finding (a project whose decisions all pass or are out of scope has no result: the results pass
  // does not decode it).
  const segments = evaluationSegments(report);
  const withFindings: boolean[] = [];
  const firstPass = (evaluations: readonly Evaluation[]): boolean => {
    let found = false;
    for (const evaluation of evaluations) {
      for (const decision of evaluation.decisions) {
        if (!isFinding(decision)) continue;
        found = true;
        rules.policy(decision, options);
        logical.place(evaluation.project, evaluation.environment, evaluation.tenant, decision.location?.step);
      }
    }
    return found;
  };
  if (segments === undefined) {
    for (const evaluations of evaluationRuns(report)) withFindings.push(firstPass(evaluations));
  } else {
    for (const segment of segments) {
      const outline = 'piece' in segment ? readOutline(segment.tally.outline) : undefined;
      withFindings.push(outline ? replayOutline(outline, rules, logical, options) : firstPass(segmentEvaluations(segment)));
    }
  }
  for (const d of report.diagnostics) rules.diagnostic(d);
  for (const d of report.suppressed ?? []) rules.diagnostic(d);

  const decisionResult = (evaluation: Evaluation, decision: PolicyDecision): SarifResult => {
    const ruleIndex = rules.policy(decision, options);
    const where = decision.location;
    const anchor = where?.file ?? options.policyFile?.(decision.policy) ?? fallbackFile;
    const anchorRepository = where ? where.repository : undefined;
    const logicalLocation = logical.forDecision(evaluation, where?.step);
    const relatedLocations = related(where?.related, where?.file, where?.repository);
    const inconclusive = decision.outcome === 'inconclusive';
    // Keys added in the order the log writes them, an optional one only when present: not spread from
    // an object made for it (19,000 results at 1,000 projects).
    const result: SarifResult = {
      ruleId: decision.policy,
      ruleIndex,
      kind: inconclusive ? 'open' : 'fail',
      level: inconclusive ? 'none' : decision.outcome === 'error' ? 'error' : ACTION_LEVEL[decision.action],
      message: { text: decisionMessage(decision) },
      locations: [
        {
          physicalLocation: primary(anchor, anchorRepository, where?.range),
          logicalLocations: [logicalLocation],
        },
      ],
    } as SarifResult;
    if (relatedLocations.length > 0) result.relatedLocations = relatedLocations;
    result.partialFingerprints = { [DECISION_FINGERPRINT]: decisionFingerprint(evaluation, decision) };
    if (decision.exception) {
      result.suppressions = [
        {
          kind: 'external',
          state: 'accepted',
          justification: decision.exception.reason,
          properties: { owner: decision.exception.owner, expires: decision.exception.expires },
        },
      ];
    }
    const properties: Record<string, unknown> = {
      outcome: decision.outcome,
      action: decision.action,
      policy: policyLabel(decision),
      project: evaluation.project,
      environment: evaluation.environment,
    };
    if (evaluation.tenant !== undefined) properties.tenant = evaluation.tenant;
    if (where?.step !== undefined) properties.step = where.step;
    if (where?.repository !== undefined) properties.repository = where.repository.id;
    if (decision.needs !== undefined) properties.needs = decision.needs;
    result.properties = properties;
    return result;
  };

  const diagnosticFingerprint = diagnosticFingerprinter(report);
  const diagnosticResult = (d: Diagnostic, suppressed: boolean): SarifResult => {
    const ruleIndex = rules.diagnostic(d);
    const relatedLocations = related(d.related, d.file, d.repository);
    const adjusted = d.adjusted;
    return {
      ruleId: d.code,
      ruleIndex,
      kind: 'fail',
      level: SEVERITY_LEVEL[suppressed && adjusted ? adjusted.originalSeverity : d.severity],
      message: { text: d.detail ? `${d.summary}\n${d.detail}` : d.summary },
      locations: [{ physicalLocation: primary(d.file ?? fallbackFile, d.file === undefined ? undefined : d.repository, d.range) }],
      ...(relatedLocations.length > 0 ? { relatedLocations } : {}),
      partialFingerprints: { [DIAGNOSTIC_FINGERPRINT]: diagnosticFingerprint(d) },
      ...(suppressed
        ? {
            suppressions: [
              {
                kind: 'external' as const,
                state: 'accepted' as const,
                justification: adjusted?.reason ?? `turned off by a rule setting in ${adjusted?.file ?? 'oclhub.ocl'}`,
                ...(adjusted ? { location: { physicalLocation: physical(adjusted.file, undefined, adjusted.range) } } : {}),
                properties: { ruleSetting: adjusted?.file ?? 'oclhub.ocl' },
              },
            ],
          }
        : {}),
      properties: {
        severity: d.severity,
        ...(d.project === undefined ? {} : { project: d.project }),
        ...(d.repository === undefined ? {} : { repository: d.repository.id }),
        ...(adjusted && !suppressed ? { originalSeverity: adjusted.originalSeverity, ruleSetting: adjusted.file } : {}),
      },
    };
  };
  function* runResults(evaluations: readonly Evaluation[]): Generator<SarifResult> {
    for (const evaluation of evaluations) {
      for (const decision of evaluation.decisions) if (isFinding(decision)) yield decisionResult(evaluation, decision);
    }
  }
  function* results(): Generator<SarifResult> {
    // The first pass's runs are these segments' only while the report still holds them (not decoded since).
    if (segments !== undefined && evaluationSegments(report) === segments && withFindings.length === segments.length) {
      for (let i = 0; i < segments.length; i++) if (withFindings[i]) yield* runResults(segmentEvaluations(segments[i]!));
    } else {
      for (const evaluations of evaluationRuns(report)) yield* runResults(evaluations);
    }
    for (const d of report.diagnostics) yield diagnosticResult(d, false);
    for (const d of report.suppressed ?? []) yield diagnosticResult(d, true);
  }

  const bases: Record<string, { uri: string }> = {};
  const provenance: SarifVersionControl[] = [];
  for (const repository of report.repositories ?? []) {
    const baseId = baseIdOf(repository)!;
    const home = isHome(report, repository);
    // A remote repository's URL is where it lives, not where its files are: only provenance names it.
    const root = home && options.srcRoot !== undefined ? options.srcRoot : options.repositoryRoot?.(repository);
    if (root !== undefined) bases[baseId] = { uri: withSlash(root) };
    const uri = isAbsoluteUri(repository.location) ? repository.location : root;
    if (uri !== undefined) {
      provenance.push({ repositoryUri: uri, ...(repository.commit ? { revisionId: repository.commit } : {}), ...(repository.ref ? { branch: repository.ref } : {}), mappedTo: { uriBaseId: baseId } });
    }
  }
  if (options.uriBaseId !== undefined && options.srcRoot !== undefined) bases[options.uriBaseId] = { uri: options.srcRoot };

  const exitCode = lintExitCode(summary);
  const log: SarifLog = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            ...(isSemver(report.tool.version) ? { semanticVersion: report.tool.version } : {}),
            ...(options.informationUri ? { informationUri: options.informationUri } : {}),
            rules: rules.rules,
          },
        },
        invocations: [
          {
            // The tool ran to completion; findings (even evaluation errors) are results, not a crash.
            executionSuccessful: true,
            exitCode,
            exitCodeDescription: summaryLine(summary),
          },
        ],
        ...(Object.keys(bases).length > 0 ? { originalUriBaseIds: bases } : {}),
        ...(provenance.length > 0 ? { versionControlProvenance: provenance } : {}),
        columnKind: 'utf16CodeUnits',
        logicalLocations: logical.locations,
        results: [],
        properties: {
          ...(report.hubRef === undefined ? {} : { hubRef: report.hubRef }),
          failOn: report.failOn,
          summary,
          // One shard of `oclhub lint --shard I/N`: `oclhub report merge` combines the shards.
          ...(report.shard === undefined ? {} : { shard: report.shard }),
        },
      },
    ],
  };
  return { log, results };
}

/**
 * What the first pass does with a project's findings, done from their outline: its rules as their
 * first findings made them, made `error` where a later one blocks, and its places in order. Whether
 * the project has a finding.
 */
function replayOutline([outlineRules, places]: FindingsOutline, rules: RuleTable, logical: LogicalLocationTable, options: SarifOptions): boolean {
  for (const [policy, action, policyName, version, blocks] of outlineRules) {
    // Made as its first finding makes it (an inconclusive one escalates nothing), then escalated.
    const first = { policy, action, outcome: 'inconclusive', ...(policyName === 0 ? {} : { policyName }), ...(version === 0 ? {} : { version }) } as PolicyDecision;
    rules.policy(first, options);
    if (blocks === 1) rules.policy({ policy, action: 'block', outcome: 'violation' } as PolicyDecision, options);
  }
  for (const place of places) {
    const tenant = place[2] === 0 ? undefined : place[2];
    for (let i = 3; i < place.length; i++) logical.place(place[0], place[1], tenant, place[i] === 0 ? undefined : (place[i] as string));
  }
  return outlineRules.length > 0;
}

/** Rules in first-seen order; a policy's default level is `error` if any of its decisions blocks. */
class RuleTable {
  readonly rules: SarifRule[] = [];
  private readonly index = new Map<string, number>();

  policy(decision: PolicyDecision, options: SarifOptions): number {
    const existing = this.index.get(decision.policy);
    if (existing !== undefined) {
      const rule = this.rules[existing]!;
      if (findingBlocks(decision)) rule.defaultConfiguration.level = 'error';
      return existing;
    }
    const helpUri = options.policyHelpUri?.(decision.policy);
    return this.add({
      id: decision.policy,
      name: decision.policyName ?? decision.policy,
      shortDescription: { text: decision.policyName ?? `Policy ${decision.policy}` },
      ...(helpUri ? { helpUri } : {}),
      defaultConfiguration: { level: ACTION_LEVEL[decision.action] },
      properties: { kind: 'policy', ...(decision.version === undefined ? {} : { version: decision.version }), tags: ['policy'] },
    });
  }

  diagnostic(d: Diagnostic): number {
    const existing = this.index.get(d.code);
    if (existing !== undefined) return existing;
    return this.add({
      id: d.code,
      name: d.code,
      shortDescription: { text: d.summary },
      // The code's own severity, before any rule setting.
      defaultConfiguration: { level: SEVERITY_LEVEL[d.adjusted?.originalSeverity ?? d.severity] },
      properties: { kind: 'diagnostic', tags: ['diagnostic', layerOf(d.code)] },
    });
  }

  private add(rule: SarifRule): number {
    this.index.set(rule.id, this.rules.length);
    this.rules.push(rule);
    return this.rules.length - 1;
  }
}

/** `OCL011` → `ocl`: the layer that produced a diagnostic, as a tag viewers can filter on. */
function layerOf(code: string): string {
  return (/^[A-Za-z]+/.exec(code)?.[0] ?? 'other').toLowerCase();
}

/**
 * `run.logicalLocations`: the project → environment → tenant → step hierarchy, each node once,
 * linked by `parentIndex`; a result refers to its most specific node by `index`.
 */
class LogicalLocationTable {
  readonly locations: SarifLogicalLocation[] = [];
  private readonly index = new Map<string, number>();
  /**
   * The context (project, environment, tenant) met last and its location: a context's findings come
   * one after the other, twice (the first pass, then the results), and its keys were built and looked
   * up again for each of them. The table only grows, so a location found stays where it is.
   */
  private last: { project: string; environment: string; tenant: string | undefined; at: number } | undefined;

  forDecision(evaluation: Evaluation, step: string | undefined): SarifLogicalLocation {
    return { ...this.locations[this.place(evaluation.project, evaluation.environment, evaluation.tenant, step)]! };
  }

  /** The index of the context's (and step's) location, added with its parents when new. */
  place(project: string, environment: string, tenant: string | undefined, step: string | undefined): number {
    const last = this.last;
    let at: number;
    if (last !== undefined && last.project === project && last.environment === environment && last.tenant === tenant) {
      at = last.at;
    } else {
      at = this.node('project', project, undefined);
      at = this.node('environment', environment, at);
      if (tenant !== undefined) at = this.node('tenant', tenant, at);
      this.last = { project, environment, tenant, at };
    }
    if (step !== undefined) at = this.node('step', step, at);
    return at;
  }

  /** The location of `name` of this kind under the location at `parentIndex` (none: at the top), added when new. */
  private node(kind: string, name: string, parentIndex: number | undefined): number {
    const parentName = parentIndex === undefined ? '' : this.locations[parentIndex]!.fullyQualifiedName;
    const fullyQualifiedName = parentName ? `${parentName}/${name}` : name;
    let at = this.index.get(`${kind}\u0000${fullyQualifiedName}`);
    if (at === undefined) {
      at = this.locations.length;
      this.locations.push({ name, fullyQualifiedName, kind, index: at, ...(parentIndex === undefined ? {} : { parentIndex }) });
      this.index.set(`${kind}\u0000${fullyQualifiedName}`, at);
    }
    return at;
  }
}

/** Region snippets: the text of the region's first line, when the source is known (by `sourceKey`). */
class Snippets {
  private readonly indexes = new Map<string, LineIndex>();
  constructor(private readonly sources: ReadonlyMap<string, string> | undefined) {}

  text(key: string, range: Range): string | undefined {
    let index = this.indexes.get(key);
    if (!index) {
      const source = this.sources?.get(key);
      if (source === undefined) return undefined;
      index = new LineIndex(source);
      this.indexes.set(key, index);
    }
    return index.lineText(range.start.line);
  }
}

function withSlash(uri: string): string {
  return uri.endsWith('/') ? uri : `${uri}/`;
}

function region(range: Range, snippet: string | undefined): SarifRegion {
  const startLine = Math.max(1, range.start.line);
  const startColumn = Math.max(1, range.start.column);
  const endLine = Math.max(startLine, range.end.line);
  const endColumn = Math.max(1, endLine === startLine ? Math.max(startColumn, range.end.column) : range.end.column);
  return { startLine, startColumn, endLine, endColumn, ...(snippet === undefined ? {} : { snippet: { text: snippet } }) };
}

/**
 * A repository-relative path as a relative URI reference: `/` separators, each segment
 * percent-encoded (spaces, `#`, `?`, `%` and non-ASCII would otherwise break the URI).
 */
export function fileUri(file: string): string {
  return file
    // encodeURIComponent throws on an unpaired surrogate; such a name cannot be a real path anyway.
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/\\/g, '/')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

function isSemver(version: string): boolean {
  return /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(version);
}
