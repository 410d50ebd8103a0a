/**
 * The lint engine behind `oclhub lint`, `oclhub evaluate` and `oclhub diff`: for every project ×
 * environment (× tenant) it builds the Octopus input, evaluates every active policy, applies the
 * exceptions of `oclhub.ocl`, and points each finding at the step it concerns. Earlier layers' OCL,
 * schema and template diagnostics are reported alongside.
 *
 * Every finding names its project and the repository its file is in: the hub, or a project's own
 * repository (registered with `repository = …`, or a folder given on the command line), at the commit
 * it was read at. Inside the engine a project's result leaves `repository` unset for the project's
 * own files and sets it only for files elsewhere (the hub's oclhub.ocl, a template at its tag);
 * `attachRepository` fills in the project's repository after the cache, so a cached result never
 * carries a stale commit.
 *
 * Fail closed: a registered project whose folder is missing or holds no project files, and a process
 * whose template usages do not resolve, are contexts that could not be decided (`Evaluation.errors`,
 * every decision `error`), never "0 projects … passed". Input the run lacks (a release version) is
 * left out, and decisions that read it are `inconclusive` (see policy/evaluate.ts).
 *
 * Rule settings (`rule "<CODE>" { … }` in the hub's oclhub.ocl, and in a project repository's own
 * oclhub.ocl for that repository's files) re-grade or turn off diagnostics; turned-off findings go to
 * `report.suppressed`. They never change policy decisions — waiving a decision is what `exception`
 * blocks are for (with an owner and an expiry) — nor the errors of an undecided context.
 *
 * Speed: each policy is compiled once (the policy layer caches compilations by content, and lint asks
 * for bare decisions, without raw rule values), the environment-independent part of the input (Steps,
 * Execution) is built once per process, oclhub.ocl's entries are looked up by slug, and whole project
 * results are cached on disk (see cache.ts) under a key of everything they depend on, a new one
 * written out as soon as it is computed. A project in the hub's repository is stored as the bytes its
 * evaluations take in the JSON report (result-entry.ts, report/lint-pieces.ts), rendered once: a run
 * that takes it from the cache writes those bytes into a JSON report without decoding them and counts
 * them from the tally stored beside them; only its small record (diagnostics, facts) is decoded.
 * After a commit that changed a few projects, the untouched ones are taken from the last stored JSON
 * report instead (report-snapshot.ts): their pieces read from its body, their records from one index.
 *
 * Sharding (`shard`, see shard.ts): only the shard's projects are linted; shard 1 also gathers every
 * other project's facts for the hub-wide rules, which only it runs.
 */
import path from 'node:path';
import { compareDiagnostics, type Diagnostic, type Range, type RelatedInformation, type SourceRepository } from '../diagnostics.js';
import { HUB_REPOSITORY_ID, type LintHub as Hub, type LintWorkerSource } from './hub-view.js';
import { pathInFolder, projectFolderOf } from '../model/folder-path.js';
import type { HubConfigDocument, HubProjectModel, HubRuleSettingModel } from '../model/types.js';
import { ruleSettingsApplier, type RuleSetting } from '../model/rule-settings.js';
import { suggest } from '../model/suggest.js';
import { validateFile } from '../model/validate.js';
import { ENGINE_VERSION, sha } from './report-key.js';

export { renderedReportKey } from './report-key.js';
import { anyPolicyVolatile } from '../policy/clock.js';
import { loadActivePolicies } from '../policy/active.js';
import { declareStepTemplatesFix, describeUnknownActionTypes, evaluatePolicy, policyInputFields, type EvaluatePolicyOptions, type PolicyEvaluation, type UnknownActionTypeStep } from '../policy/evaluate.js';
import { applyExceptions } from '../policy/exceptions.js';
import { buildInput, contextFromConfig, processSteps, stepTemplateTypesOf, type BuiltInput, type ContextRequest, type InputStepLocation, type OctopusInput, type ProcessSteps, type ReleaseContext } from '../policy/input.js';
import type { PolicySource, PolicyValidator } from '../policy/load.js';
import { sourceKey, type DecisionLocation, type Evaluation, type FailLevel, type LintReport, type LintShard, type PolicyAction, type PolicyDecision } from '../report/lint-report.js';
import type { ResolvedProcess } from '../templates/resolve.js';
import type { ProjectResolution } from '../templates/project.js';
import { parseLock, type LockFile } from '../templates/lock.js';
import { LintCache } from './cache.js';
import { fileIdsDigest, projectFilesAt, TreeListings } from './tree-listings.js';
import { RunManifest, type ManifestProject } from './run-manifest.js';
import { attachRepository, compact, decodeEntry, encodeEntry, encodeEntryWithRecord, ENTRY_RECORD_LINES, expand, expandCached, placeCachedRecord, type CompactResult, type DecodedEntry, type ProjectPlace, type ProjectResult, type SourceEntry, type TalliedPiece } from './result-entry.js';
import type { ReportSnapshot } from './report-snapshot.js';
import { PieceWriter } from '../report/lint-json-stream.js';
import { decodePiece, evaluationScope, segmentEvaluations, segmentTally, withEvaluationSegments, type EvaluationSegment, type PieceOrigin } from '../report/lint-pieces.js';
import { cachedHubPractices } from '../practices/hub-cache.js';
import { configContentKey } from '../hub/config-cache.js';
import { practiceProjectFromResolution, projectPractices, type ProjectFacts } from '../practices/index.js';
import { lintDiagnostic } from './codes.js';
import { modelDiagnostic } from '../model/codes.js';
import { ownsProjectFile } from './project-files.js';
import { inShard, runsHubRules, type ShardSpec } from './shard.js';
import { workerCount } from './workers/jobs.js';
import { LintWorkerThread, NotStarted, ProjectSchedule, WorkerLane, type Lane, type StartedWorkers } from './workers/pool.js';
import type { LintWorkerInit, ProjectOutcome, WireTarget } from './workers/protocol.js';

/** Rule settings of a project repository's own oclhub.ocl, for that repository's findings. */
export interface RepositoryRules {
  settings: RuleSetting[];
  /** Where they were read, as people see it (`../payments/oclhub.ocl`): shown with what they changed. */
  file: string;
}

export interface LintProjectTarget {
  slug: string;
  /** OCL text by path (paths as shown in findings). */
  files: ReadonlyMap<string, string>;
  /** Path → content id (blob oid or hash); computed from the text when absent. */
  fileIds?: ReadonlyMap<string, string>;
  /**
   * Reads the files when they are needed (then `files` is empty and `fileIds` names every file): a
   * cached project is never read.
   */
  load?: () => Promise<ReadonlyMap<string, string>>;
  /** Environments to evaluate (default: the project's, else every environment of the hub). */
  environments?: readonly string[];
  registered?: HubProjectModel;
  /** Resolve to these versions (`--locked`); differences from floating resolution are errors. */
  lock?: LockFile;
  /** The repository `files` are relative to; absent: the repository the command ran in. */
  repository?: SourceRepository;
  /**
   * Why the project cannot be linted at all (its folder is missing or holds no project files, its
   * repository cannot be read, `--locked` without a lock file): each of its contexts is undecided.
   */
  problems?: Diagnostic[];
  /** Other findings about the project's repository (e.g. its own oclhub.ocl does not parse). */
  diagnostics?: Diagnostic[];
  /** Rule settings of the project's own repository (its oclhub.ocl), applied to its files' findings. */
  rules?: RepositoryRules;
}

export interface LintOptions {
  /** Projects to lint (default: every project registered in oclhub.ocl). */
  projects?: LintProjectTarget[];
  /** Only these environments / tenants. */
  environments?: readonly string[];
  tenants?: readonly string[];
  /** Evaluate the working policy files instead of the active published versions. */
  drafts?: boolean;
  onError?: PolicyAction;
  failOn?: FailLevel;
  /** Where results are cached; false disables the cache. */
  cacheDir?: string | false;
  /** "Now" for exception expiry. */
  now?: Date;
  /** The release deployed; without one, decisions that read `input.Release` are inconclusive. */
  release?: ReleaseContext;
  /** Resolve registered projects to their repository's oclhub.lock.json (a missing lock is an error). */
  locked?: boolean;
  /** The id of the repository the command runs in (`LintReport.home`). */
  home?: string;
  /** Where remote project repositories are cloned. */
  projectCacheDir?: string;
  /** Also cache the whole run's results under the hub commit (default true; the CLI caches the rendered report instead). */
  wholeRunCache?: boolean;
  /** Called after each project (for progress on a TTY). */
  progress?: (done: number, total: number, project: string) => void;
  toolVersion?: string;
  /** Lint one shard of the projects (`--shard I/N`, see shard.ts). */
  shard?: ShardSpec;
  /**
   * Keep the files' texts in `report.sources` (default true) for code frames and snippets; a JSON
   * report has none, and a big hub's texts are a large part of its memory.
   */
  keepSources?: boolean;
  /**
   * Keep the evaluations of projects in the hub as the stored pieces of the JSON report (result-entry.ts)
   * instead of decoding them: for a caller that writes the JSON report with `lintJsonParts` (the CLI's
   * `--format json`). Any other reader of `report.evaluations` decodes them then (report/lint-pieces.ts).
   */
  jsonPieces?: boolean;
  /**
   * Store the outline of each project's findings beside its piece (report/findings-outline.ts), which
   * a SARIF report reads instead of decoding the piece: for a caller that writes SARIF. Without it the
   * stored outline is 0 (a SARIF report written from such an entry decodes its piece, as it would
   * with a damaged outline), and a run writing another format does not pay for making and storing it.
   */
  findingsOutlines?: boolean;
  /**
   * With `jsonPieces`: stored pieces are left in the lint cache's files and read when the report is
   * written (lint/cache.ts `deferAfterLines`), for a caller that writes them to a file it publishes
   * only after `checkDeferredReads` and that releases them (`releaseDeferredReads`); on a
   * `DeferredReadError` it must run the lint again without this.
   */
  deferStoredPieces?: boolean;
  /**
   * Threads evaluating projects (`--jobs`: the CLI's default, auto, is one per 1.3 idle CPUs; here the default is 1,
   * so that a library caller or a server never starts threads it did not ask for). With more than
   * one, and enough decisions to make, worker threads take part (see workers/pool.ts); 1 keeps every
   * project in this thread. The report is the same either way.
   */
  jobs?: number;
  /** Decisions to make per worker thread below which it is not started (default `DECISIONS_PER_WORKER`, measured; tests lower it). */
  decisionsPerWorker?: number;
  /**
   * Worker threads started before the run (the CLI starts them while it opens the hub): the run takes
   * those it needs instead of starting new ones, and ends the others once it knows what it needs. The
   * caller closes them if the run never gets that far.
   */
  startedWorkers?: StartedWorkers;
  /**
   * Whether this thread evaluates projects too when workers are started (default true). With false it
   * only reads, merges and writes, and evaluates what no worker can (all of them failed or died):
   * tests use it to be sure that workers evaluate.
   */
  evaluateHere?: boolean;
  /** Validates the active policies' files (default: validated every run; the CLI keeps validations in its cache folder, src/hub/policy-cache.ts). */
  validatePolicy?: PolicyValidator;
  /**
   * The last stored JSON report's pieces (report-snapshot.ts): with `deferStoredPieces` and without
   * sources, a run keyed from the run manifest takes the untouched projects' results from it (their
   * lint cache entries kept, not read), and reads only the lint cache's shards it needs.
   */
  snapshot?: ReportSnapshot;
}

export interface LintRun {
  report: LintReport;
  /**
   * An active policy is volatile (it reads the clock or chance: src/policy/clock.ts): the run's results
   * were not cached and its report must not be either — the same content may be decided otherwise later.
   */
  volatile?: true;
  /** Projects whose results came from the cache. */
  cached: number;
  /** Decisions made (those taken from the cache excluded; one repeated from the project's previous context included). */
  evaluated: number;
  /** Of the evaluated projects, those evaluated on worker threads (see `LintOptions.jobs`). */
  onWorkers: number;
  policies: PolicySource[];
}

/**
 * The hub ref the engine reads policies from: the pinned commit, else the working tree. Drafts of a
 * local working copy read at HEAD come from the working tree: authors lint what they are editing.
 */
function policyRef(hub: Hub, drafts: boolean | undefined): string {
  if (drafts && hub.ref === 'HEAD' && !hub.store.bare && !/^https?:/i.test(hub.location)) return 'WORKTREE';
  return hub.commit ?? 'WORKTREE';
}

/** Every registered project as a lint target, read from the hub (or its own repository). */
export async function registeredTargets(
  hub: Hub,
  options: {
    only?: readonly string[];
    cacheDir?: string;
    lazy?: boolean;
    locked?: boolean;
    listings?: TreeListings;
    /** The key a project untouched since the last run had then (run-manifest.ts): its target is made without listing it. */
    reuse?: (slug: string, folder: string) => string | undefined;
  } = {},
): Promise<{ targets: LintProjectTarget[]; diagnostics: Diagnostic[] }> {
  const projects = (hub.config?.projects ?? []).filter((p) => !options.only || options.only.includes(p.slug));
  const lazyAt = (project: HubProjectModel) => (options.lazy && !options.locked && hub.commit !== null && project.repository === undefined && project.path !== undefined && projectFolderOf(project) !== undefined ? hub.commit : undefined);
  // Untouched projects first, without a read; the others' reads overlap (Git object reads wait on the disk); results keep oclhub.ocl's order.
  // Worked out once per project: both passes below ask.
  const readAt = projects.map(lazyAt);
  const reused = projects.map((project, index) => {
    const commit = readAt[index];
    const key = commit !== undefined ? options.reuse?.(project.slug, projectFolderOf(project)!) : undefined;
    if (key === undefined) return undefined;
    options.listings?.retain(projectFolderOf(project)!);
    return reusedTarget(hub, project, commit!, key, options.listings);
  });
  const targets = await mapConcurrently(projects, READ_CONCURRENCY, async (project, index): Promise<LintProjectTarget> => {
    if (reused[index]) return reused[index];
    const commit = readAt[index];
    if (commit !== undefined) {
      const lazy = await lazyTarget(hub, project, commit, options.listings);
      if (lazy) return lazy;
    }
    return readTarget(hub, project, options);
  });
  return { targets, diagnostics: [] };
}

/** A registered project read in full (see `Hub.readProject`), its lock and rule settings parsed. */
async function readTarget(hub: Hub, project: HubProjectModel, options: { cacheDir?: string; locked?: boolean }): Promise<LintProjectTarget> {
  const read = await hub.readProject(project, { ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}), ...(options.locked ? { lock: true } : {}) });
  const target: LintProjectTarget = {
    slug: project.slug,
    files: read.files,
    registered: project,
    repository: read.repository,
    ...(project.environments.length > 0 ? { environments: project.environments } : {}),
  };
  const problems = [...read.problems];
  const range = project.labelRange ?? project.headerRange;
  const where = { file: 'oclhub.ocl', ...(range ? { range } : {}), project: project.slug, repository: hub.repository };
  if (options.locked && problems.length === 0) {
    if (read.lockText === undefined) {
      problems.push(lintDiagnostic('HUB042', `--locked: project "${project.slug}" has no oclhub.lock.json in ${project.repository ?? 'the hub repository'} (run \`oclhub lock\` there)`, where));
    } else {
      const parsed = parseLock(read.lockText);
      if ('lock' in parsed) target.lock = parsed.lock;
      else problems.push(lintDiagnostic('HUB042', `--locked: the oclhub.lock.json of project "${project.slug}" cannot be read: ${parsed.diagnostics[0]?.summary ?? 'invalid'}`, where));
    }
  }
  if (problems.length > 0) target.problems = problems;
  if (read.settingsText !== undefined) {
    const settings = repositorySettings(read.settingsText, `${read.repository.location.replace(/\/+$/, '')}/oclhub.ocl`);
    if (settings.rules) target.rules = settings.rules;
    if (settings.diagnostics.length > 0) target.diagnostics = settings.diagnostics;
  }
  return target;
}

/** The rule settings of a project repository's own oclhub.ocl (paths relative to that repository). */
export function repositorySettings(text: string, file = 'oclhub.ocl'): { rules?: RepositoryRules; diagnostics: Diagnostic[] } {
  // Diagnostics name the file as the repository knows it; the settings' origin as people see it.
  const checked = validateFile({ path: 'oclhub.ocl', text, context: { kind: 'oclhub' } });
  const diagnostics = checked.diagnostics.filter((d) => d.severity === 'error');
  if (checked.document?.kind !== 'oclhub' || checked.document.rules.length === 0) return { diagnostics };
  return { rules: { settings: checked.document.rules.map(ruleSetting), file }, diagnostics };
}

/** A `rule` block of oclhub.ocl as the rule-settings model takes it. */
export function ruleSetting(rule: HubRuleSettingModel): RuleSetting {
  const range = rule.labelRange ?? rule.headerRange;
  return {
    code: rule.code,
    paths: rule.paths,
    ...(rule.severity !== undefined ? { severity: rule.severity } : {}),
    ...(rule.reason !== undefined ? { reason: rule.reason } : {}),
    ...(range ? { range } : {}),
  };
}

const READ_CONCURRENCY = 8;

/** `items.map(fn)` with at most `limit` calls in flight; the results keep the items' order. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const at = next++;
      out[at] = await fn(items[at]!, at);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The hub commit a lazy target's files are read at: a worker thread reads them there itself. */
const lazyCommits = new WeakMap<LintProjectTarget, string>();

/** The digest of a lazy target's file list, when its listing came with it (tree-listings.ts). */
const fileIdDigests = new WeakMap<LintProjectTarget, string>();

/** An in-hub project listed by blob ids only (a tree walk, or its folder's tree id in `listings`), its files read on demand. */
async function lazyTarget(hub: Hub, project: HubProjectModel, commit: string, listings: TreeListings | undefined): Promise<LintProjectTarget | undefined> {
  const folder = projectFolderOf(project)!;
  try {
    const listing = await projectFilesAt(hub.store, commit, folder, listings);
    // Missing or empty: readProject says why, with a did-you-mean.
    if (listing === undefined || listing.projectFiles === 0) return undefined;
    const { fileIds } = listing;
    const target = deferredTarget(hub, project, () => readFilesAt(hub, commit, fileIds.keys()), fileIds);
    lazyCommits.set(target, commit);
    fileIdDigests.set(target, listing.digest);
    return target;
  } catch {
    return undefined; // readProject reports the problem
  }
}

/** The keys of targets made from the last run's manifest (see `reusedTarget`). */
const reusedKeys = new WeakMap<LintProjectTarget, string>();

/**
 * An in-hub project untouched since the last run, as a target keyed by that run's key for it
 * (run-manifest.ts): nothing is listed or read unless its result has to be computed after all (its
 * entry is missing or damaged), when `load` lists and reads its files.
 */
function reusedTarget(hub: Hub, project: HubProjectModel, commit: string, key: string, listings: TreeListings | undefined): LintProjectTarget {
  const target = deferredTarget(hub, project, async () => {
    const listing = await projectFilesAt(hub.store, commit, projectFolderOf(project)!, listings);
    return readFilesAt(hub, commit, listing?.fileIds.keys() ?? []);
  });
  reusedKeys.set(target, key);
  return target;
}

/** An in-hub project's target whose files `load` reads when the project is evaluated. */
function deferredTarget(hub: Hub, project: HubProjectModel, load: () => Promise<Map<string, string>>, fileIds?: Map<string, string>): LintProjectTarget {
  return { slug: project.slug, files: new Map(), ...(fileIds ? { fileIds } : {}), load, registered: project, repository: hub.repository, ...(project.environments.length > 0 ? { environments: project.environments } : {}) };
}

/** The text of each file at `commit`, by path, read one after the other. */
async function readFilesAt(hub: Hub, commit: string, paths: Iterable<string>): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const file of paths) files.set(file, await hub.store.readTextFile(commit, file));
  return files;
}

/** The target with its files read (lazy targets are read now). */
export async function withFiles(target: LintProjectTarget): Promise<LintProjectTarget> {
  if (!target.load) return target;
  const { load, ...rest } = target;
  return { ...rest, files: await load() };
}

interface Contexts {
  environment: string;
  tenant?: string;
}

/** The (environment, tenant) pairs a project is evaluated in. */
export function projectContexts(config: HubConfigDocument | undefined, target: LintProjectTarget, filter: { environments?: readonly string[]; tenants?: readonly string[] }): Contexts[] {
  let environments = target.environments && target.environments.length > 0 ? [...target.environments] : (config?.environments ?? []).map((e) => e.slug);
  if (filter.environments && filter.environments.length > 0) environments = environments.filter((e) => filter.environments!.includes(e));
  const mode = target.registered?.tenanted ?? 'Untenanted';
  const out: Contexts[] = [];
  for (const environment of environments) {
    if (mode !== 'Tenanted' && !(filter.tenants && filter.tenants.length > 0)) out.push({ environment });
    if (mode === 'Untenanted' && !(filter.tenants && filter.tenants.length > 0)) continue;
    for (const tenant of config?.tenants ?? []) {
      if (filter.tenants && filter.tenants.length > 0 && !filter.tenants.includes(tenant.slug)) continue;
      if (tenant.projects.length > 0 && !tenant.projects.includes(target.slug)) continue;
      if (tenant.environments.length > 0 && !tenant.environments.includes(environment)) continue;
      out.push({ environment, tenant: tenant.slug });
    }
  }
  return out;
}

const WHOLE_FILE: Range = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };

const templateRepositories = new WeakMap<Hub, Map<string, SourceRepository>>();

/** The hub's repository at a template tag's commit: where a template line a finding cites is read. */
function templateRepository(hub: Hub, commit: string): SourceRepository {
  let byCommit = templateRepositories.get(hub);
  if (!byCommit) templateRepositories.set(hub, (byCommit = new Map()));
  let repository = byCommit.get(commit);
  if (!repository) {
    const { ref: _ref, ...at } = hub.repository;
    byCommit.set(commit, (repository = { ...at, commit }));
  }
  return repository;
}

/**
 * Where a decision points: the step its reason names (policies that list offending steps by slug),
 * else the process file as a whole. A template child's related line names the hub repository at the
 * template's tag when `hub` is given.
 */
export function locateDecision(decision: Pick<PolicyDecision, 'reason' | 'error'>, built: Pick<BuiltInput, 'locations'>, process: ResolvedProcess, hub?: Hub): DecisionLocation {
  const text = decision.reason ?? '';
  let best: InputStepLocation | undefined;
  if (text !== '') {
    for (const location of built.locations.values()) {
      for (const slug of location.slug === location.step ? [location.slug] : [location.slug, location.step]) {
        if (best && slug.length <= best.slug.length) continue;
        const at = text.indexOf(slug);
        if (at < 0) continue;
        const before = at === 0 ? '' : text[at - 1]!;
        const after = text[at + slug.length] ?? '';
        if (/[A-Za-z0-9_-]/.test(before) || /[A-Za-z0-9_-]/.test(after)) continue;
        best = location;
      }
    }
  }
  if (!best) return { file: process.file, range: WHOLE_FILE };
  return stepLocation(best, hub);
}

/** A decision's location at one step of the input (see `locateDecision`). */
function stepLocation(step: InputStepLocation, hub: Hub | undefined): DecisionLocation {
  const commit = step.templateCommit;
  const related: RelatedInformation[] = step.related.map((r) => (hub && commit !== undefined ? { ...r, repository: templateRepository(hub, commit) } : r));
  return { file: step.file, range: step.range, step: step.step, ...(related.length > 0 ? { related } : {}) };
}

/** SEM043 for `oclhub input` and `oclhub evaluate`: which steps the input leaves `ActionType` out of, at the first. */
function unknownActionTypesDiagnostic(steps: readonly UnknownActionTypeStep[]): Diagnostic {
  const first = steps[0]!.location;
  return modelDiagnostic('SEM043', `ActionType is unknown for ${describeUnknownActionTypes(steps)}: the input leaves it out, as oclhub.ocl does not declare the step template`, {
    file: first?.file,
    range: first?.range,
    detail: `A policy that may read ActionType decides error (blocks). Declare the template's action type (Octopus.Manual, Octopus.Script, …) in oclhub.ocl:\n${declareStepTemplatesFix(steps)}`,
  });
}

/**
 * The steps of a process whose ActionType is unknown, each with where it is written, for
 * `evaluatePolicy`'s `unknownActionTypes` (an error decision is located at the first); undefined when none.
 */
function unknownActionTypeSteps(steps: ProcessSteps, hub: Hub): UnknownActionTypeStep[] | undefined {
  if (steps.unknownActionTypes.length === 0) return undefined;
  return steps.unknownActionTypes.map((u) => {
    const at = steps.locations.get(u.id);
    return at ? { ...u, location: stepLocation(at, hub) } : u;
  });
}

/**
 * Where the findings of one process point, in all its contexts (every input built from
 * `steps`), each place made once: a reason names the same step in every context, and an inconclusive
 * decision points at the same file. Locations are only read once made (report writers;
 * `attachRepository` copies them), so decisions may share one.
 */
class ProcessPlaces {
  private readonly byReason = new Map<string, DecisionLocation>();
  private wholeFile: DecisionLocation | undefined;

  constructor(
    private readonly process: ResolvedProcess,
    private readonly steps: Pick<ProcessSteps, 'locations'>,
    private readonly hub: Hub,
  ) {}

  /**
   * Where a finding points: violations and errors at the step (or the process); an inconclusive decision
   * at the process file as a whole (it is about input the run lacks, not about a line); others nowhere.
   */
  finding(decision: PolicyDecision): DecisionLocation | undefined {
    // The policy layer placed it already (an unknown ActionType: at the step).
    if (decision.location !== undefined) return decision.location;
    if (decision.outcome === 'violation' || decision.outcome === 'error') {
      const reason = decision.reason ?? '';
      let location = this.byReason.get(reason);
      if (location === undefined) this.byReason.set(reason, (location = locateDecision(decision, this.steps, this.process, this.hub)));
      return location;
    }
    if (decision.outcome === 'inconclusive') return (this.wholeFile ??= { file: this.process.file });
    return undefined;
  }
}

function diagnosticKey(d: Diagnostic): string {
  return `${d.code}\u0000${d.repository?.id ?? ''}\u0000${d.file ?? ''}\u0000${d.range?.start.offset ?? ''}\u0000${d.summary}`;
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = diagnosticKey(d);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function decisionOf(evaluation: PolicyEvaluation): PolicyDecision {
  const { evaluate: _e, result: _r, errorCode: _c, ...decision } = evaluation;
  return decision;
}

/** `N errors (TPL103 at file:line: summary; …)`: the diagnostics an undecided context names. */
function undecidedMessage(why: string, errors: readonly Diagnostic[]): string {
  const listed = errors.slice(0, 3).map((d) => `${d.code}${d.file ? ` at ${d.file}${d.range ? `:${d.range.start.line}` : ''}` : ''}: ${d.summary}`);
  const more = errors.length > 3 ? `; and ${errors.length - 3} more` : '';
  return `not evaluated: ${why} (${listed.join('; ')}${more})`;
}

/** The decision of a policy in a context that could not be decided: an error that blocks (fail closed). */
function undecided(policy: PolicySource, why: string, errors: readonly Diagnostic[], location: DecisionLocation | undefined): PolicyDecision {
  return {
    policy: policy.slug,
    ...(policy.document.name !== undefined ? { policyName: policy.document.name } : {}),
    ...(policy.version !== undefined ? { version: policy.version } : {}),
    inScope: true,
    allowed: false,
    action: 'block',
    outcome: 'error',
    error: undecidedMessage(why, errors),
    ...(location ? { location } : {}),
  };
}

/** Where an undecided context points: its first error's place, when it has one. */
function errorLocation(errors: readonly Diagnostic[]): DecisionLocation | undefined {
  const first = errors.find((d) => d.file !== undefined);
  if (!first) return undefined;
  return { file: first.file!, ...(first.range ? { range: first.range } : {}), ...(first.repository ? { repository: first.repository } : {}) };
}

/** The resolution errors that make a process's input incomplete (a usage that did not resolve contributes no steps). */
function unresolvedErrors(process: ResolvedProcess): Diagnostic[] {
  return process.diagnostics.filter((d) => d.severity === 'error');
}

const UNRESOLVED = 'the deployment process does not resolve, so its input would miss steps';

/**
 * Gives diagnostics about files outside the project (the hub's oclhub.ocl, a template at its tag) their
 * repository; the project's own files are left for `attachRepository`.
 */
function placeDiagnostics(hub: Hub, target: LintProjectTarget, diagnostics: readonly Diagnostic[], templates: ReadonlyMap<string, string>): Diagnostic[] {
  const place = <T extends { file?: string; repository?: SourceRepository }>(item: T): T => {
    if (item.file === undefined || item.repository !== undefined || target.files.has(item.file)) return item;
    const commit = templates.get(item.file);
    return { ...item, repository: commit !== undefined ? templateRepository(hub, commit) : hub.repository };
  };
  return diagnostics.map((d) => {
    const placed = place(d);
    return d.related ? { ...placed, related: d.related.map(place) } : placed;
  });
}

/**
 * What the hub-wide rules need from a project another shard lints: its cached facts, else its files
 * resolved (no policy is evaluated). A project that cannot be read has none, as in `lintProject`.
 */
async function projectFacts(hub: Hub, given: LintProjectTarget, cached: CompactResult | undefined): Promise<ProjectFacts[]> {
  if (cached) return cached.facts ?? [];
  if (given.problems && given.problems.length > 0) return [];
  try {
    const target = await withFiles(given);
    const environments = target.environments ?? hub.environments(target.registered);
    const resolution = await hub.resolveProject({ files: target.files, environments, ...(target.lock ? { lock: target.lock } : {}) });
    return [projectPractices(hub.config, practiceProjectFromResolution(target, resolution)).facts];
  } catch {
    return []; // its own shard reports why it cannot be read
  }
}

async function lintProject(hub: Hub, target: LintProjectTarget, policies: readonly PolicySource[], options: LintOptions): Promise<{ result: ProjectResult; evaluated: number }> {
  const diagnostics: Diagnostic[] = [...(target.diagnostics ?? [])];
  const contexts = projectContexts(hub.config, target, { ...(options.environments ? { environments: options.environments } : {}), ...(options.tenants ? { tenants: options.tenants } : {}) });
  if (target.problems && target.problems.length > 0) {
    diagnostics.push(...target.problems);
    const location = errorLocation(target.problems);
    const evaluations = contexts.map((context) => ({
      ...emptyEvaluation(target.slug, context),
      errors: target.problems!,
      decisions: policies.map((policy) => undecided(policy, `project "${target.slug}" cannot be read`, target.problems!, location)),
    }));
    return { result: { diagnostics: dedupe(diagnostics), evaluations, sources: [] }, evaluated: 0 };
  }
  const environments = target.environments ?? hub.environments(target.registered);
  const resolution = await hub.resolveProject({ files: target.files, environments, ...(target.lock ? { lock: target.lock } : {}) });
  const found: Diagnostic[] = [...resolution.validation, ...resolution.diagnostics];
  const practices = projectPractices(hub.config, practiceProjectFromResolution(target, resolution));
  found.push(...practices.diagnostics);
  if (target.lock) found.push(...hub.checkLock(target.lock, await hub.resolveProject({ files: target.files, environments })));
  const sources: SourceEntry[] = [];
  for (const [file, text] of target.files) sources.push([file, text.replace(/^\uFEFF/, '')]);
  const deployment = resolution.processes.find((p) => p.kind === 'deployment_process');
  const templates = new Map<string, string>();
  const evaluations: Evaluation[] = [];
  let evaluated = 0;
  if (deployment) {
    const loaded = new Set<string>();
    for (const usage of deployment.usages) {
      if (usage.templateFile === undefined || usage.version === undefined || usage.templateSlug === undefined || usage.commit === undefined) continue;
      templates.set(usage.templateFile, usage.commit);
      if (loaded.has(`${usage.templateFile}@${usage.commit}`)) continue;
      loaded.add(`${usage.templateFile}@${usage.commit}`);
      const text = (await hub.catalog.loadProcessTemplate(usage.templateSlug, usage.version)).text.replace(/^\uFEFF/, '');
      sources.push([usage.templateFile, text, templateRepository(hub, usage.commit)]);
    }
    const unresolved = placeDiagnostics(hub, target, unresolvedErrors(deployment), templates);
    evaluated = decideContexts(hub, target, deployment, contexts, policies, options, unresolved, evaluations, found);
  } else if (!resolution.diagnostics.some((d) => d.severity === 'error')) {
    // A runbook-only project is a project like any other: there is just no deployment to gate.
    const runbooks = resolution.processes.some((p) => p.kind === 'runbook');
    found.push(
      lintDiagnostic('HUB004', `Project "${target.slug}" has no deployment_process.ocl: nothing to evaluate${runbooks ? ' (runbooks are evaluated with `oclhub evaluate --runbook`)' : ''}`, {
        ...(runbooks ? { severity: 'info' as const } : {}),
        project: target.slug,
        ...(target.registered ? { file: 'oclhub.ocl', range: target.registered.headerRange, repository: hub.repository } : {}),
      }),
    );
  }
  diagnostics.push(...placeDiagnostics(hub, target, found, templates));
  return { result: { diagnostics: dedupe(diagnostics), evaluations, sources, facts: [practices.facts] }, evaluated };
}

/** A context's evaluation before its decisions. */
function emptyEvaluation(project: string, context: Contexts): Evaluation {
  return { project, environment: context.environment, ...(context.tenant !== undefined ? { tenant: context.tenant } : {}), decisions: [] };
}

/**
 * The decisions of a project's deployment process in each of its contexts, appended to `evaluations`
 * (a context oclhub.ocl cannot build goes to `found` instead); returns the policy evaluations made.
 * The environment-independent part of the input (Steps, Execution) is built once, here, for every
 * context. Kept synchronous and apart from `lintProject`'s awaits: it is the run's hottest loop.
 */
function decideContexts(
  hub: Hub,
  target: LintProjectTarget,
  deployment: ResolvedProcess,
  contexts: readonly Contexts[],
  policies: readonly PolicySource[],
  options: LintOptions,
  unresolved: Diagnostic[],
  evaluations: Evaluation[],
  found: Diagnostic[],
): number {
  let evaluated = 0;
  const steps: ProcessSteps = processSteps(deployment, target.slug, stepTemplateTypesOf(hub.config));
  // One options object per list of unknown paths (one list per answer, see `unknownInput`): the
  // policy layer keeps per-list work by identity.
  const unknownTypes = unknownActionTypeSteps(steps, hub);
  // Said once per project, even where no policy reads ActionType (then nothing else would say it).
  if (unknownTypes) found.push(unknownActionTypesDiagnostic(unknownTypes));
  const common = { ...policyOptions(hub, options.onError), ...(unknownTypes ? { unknownActionTypes: unknownTypes } : {}) };
  let evaluateOptions: EvaluatePolicyOptions | undefined;
  const places = new ProcessPlaces(deployment, steps, hub);
  // The previous context's decisions, each taken again where the policy reads the very same input
  // parts (see `repeatedDecision`); none with unknown action types (the policy layer guards that input).
  const fields = unknownTypes ? undefined : readFieldsOf(policies);
  let previous: { input: OctopusInput; options: EvaluatePolicyOptions; decisions: readonly PolicyDecision[] } | undefined;
  for (const context of contexts) {
    // One literal (contextFromConfig reads an absent field and an undefined one alike), not spreads per context.
    const request: ContextRequest = { project: target.slug, environment: context.environment, tenant: context.tenant, release: options.release };
    const built = contextFromConfig(hub.config, request);
    if ('error' in built) {
      found.push(lintDiagnostic('HUB003', built.error, { file: 'oclhub.ocl', repository: hub.repository, project: target.slug }));
      continue;
    }
    const evaluation = emptyEvaluation(target.slug, context);
    if (unresolved.length > 0) {
      const location = errorLocation(unresolved);
      evaluation.errors = unresolved;
      evaluation.decisions = policies.map((policy) => undecided(policy, UNRESOLVED, unresolved, location));
      evaluations.push(evaluation);
      continue;
    }
    const input = buildInput(steps, built);
    if (evaluateOptions?.unknownInput !== input.unknown) evaluateOptions = { unknownInput: input.unknown, decisionOnly: true, reuseInputParts: true, ...common };
    const before = previous !== undefined && previous.options === evaluateOptions ? previous : undefined;
    for (let p = 0; p < policies.length; p++) {
      // Counted as made, a repeat too: `LintRun.evaluated` is the decisions this run made, not those taken from the cache.
      evaluated++;
      const repeated = before && fields ? repeatedDecision(before.decisions[p], fields[p], input.input, before.input) : undefined;
      if (repeated) {
        evaluation.decisions.push(repeated);
        continue;
      }
      const decision: PolicyDecision = evaluatePolicy(policies[p]!, input.input, evaluateOptions);
      const location = places.finding(decision);
      // Decisions may be shared (a repeat above, or a pass or skipped one the policy layer hands out again,
      // `reuseInputParts`): only a located outcome gets a location, the same for every context of the project.
      if (location) decision.location = location;
      evaluation.decisions.push(decision);
    }
    previous = { input: input.input, options: evaluateOptions, decisions: evaluation.decisions };
    evaluations.push(evaluation);
  }
  return evaluated;
}

const readFields = new WeakMap<readonly PolicySource[], readonly (readonly string[] | undefined)[]>();

/** The input fields each policy of a run reads (`policyInputFields`), worked out once per list of policies. */
function readFieldsOf(policies: readonly PolicySource[]): readonly (readonly string[] | undefined)[] {
  let fields = readFields.get(policies);
  if (!fields || fields.length !== policies.length) readFields.set(policies, (fields = policies.map(policyInputFields)));
  return fields;
}

/**
 * A decision of the project's previous context, taken again: the policy reads only `fields` of the
 * input (`policyInputFields`), and each of them is the very same value in both inputs (lint builds a
 * project's inputs from shared parts: Steps, Project; a new Release object per context, so a policy
 * reading it is evaluated again), under the same options. Its location is the project's, made for the
 * same reason. Never an error (a time limit may hit one evaluation and not the next); undefined
 * when the policy must be evaluated.
 */
function repeatedDecision(before: PolicyDecision | undefined, fields: readonly string[] | undefined, input: OctopusInput, previous: OctopusInput): PolicyDecision | undefined {
  if (before === undefined || fields === undefined || before.outcome === 'error') return undefined;
  const now = input as unknown as Record<string, unknown>;
  const then = previous as unknown as Record<string, unknown>;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const value = now[field];
    if (value !== then[field] || (value === undefined && Object.hasOwn(now, field) !== Object.hasOwn(then, field))) return undefined;
  }
  return before;
}

/** How every policy is evaluated: the error action asked for, under the hub's `limits` (oclhub.ocl). */
function policyOptions(hub: Hub, onError: PolicyAction | undefined): EvaluatePolicyOptions {
  const out: EvaluatePolicyOptions = {};
  if (onError) out.onError = onError;
  if (hub.config?.limits) out.limits = hub.config.limits;
  return out;
}

function fileIdsOf(target: LintProjectTarget): string {
  const known = fileIdDigests.get(target);
  if (known !== undefined) return known;
  const names = target.load && target.fileIds ? [...target.fileIds.keys()] : [...target.files.keys()];
  return fileIdsDigest(names, (file) => target.fileIds?.get(file) ?? sha([target.files.get(file)!]));
}

/** The policies a lint evaluates: the active published versions, or the drafts. */
export function lintPolicies(hub: Hub, drafts: boolean | undefined, validate?: PolicyValidator): ReturnType<typeof loadActivePolicies> {
  return loadActivePolicies({ store: hub.store, ref: policyRef(hub, drafts), ...(hub.config ? { config: hub.config } : {}), ...(drafts ? { drafts: true } : {}), ...(validate ? { validate } : {}) });
}

/** A policy as the run evaluates it (slug, version, text): worker threads check they evaluate the same. */
export function policyKey(policy: PolicySource): string {
  return `${policy.slug}@${policy.version ?? 'draft'}:${sha([policy.text])}`;
}

/** One project's result as its cache entry's text (what a worker thread sends back, see workers/protocol.ts). */
export async function lintProjectEncoded(hub: Hub, target: LintProjectTarget, policies: readonly PolicySource[], options: LintOptions): Promise<{ entry: Uint8Array; evaluated: number }> {
  const run = await lintProject(hub, target, policies, options);
  const pieces = pieceWriter(hub);
  if (!pieces || !pieceableIn(hub, target)) return { entry: entryBytes(encodeEntry(run.result)), evaluated: run.evaluated };
  // The piece writer fills in the locations' repository (see `settle` in lintUncached).
  const place = placeIn(hub, target);
  const { evaluations } = attachRepository(run.result, place, { leaveLocations: true });
  return { entry: entryBytes(encodeEntry(run.result, talliedPiece(pieces, evaluations, place.repository, options.findingsOutlines === true))), evaluated: run.evaluated };
}

/**
 * A project's piece with its tally, as one literal: `{ ...piece, tally }` gets a map of its own on every
 * call on Node 20's V8 (a spread's copy has no transition to share), and so did every object built from it.
 */
function talliedPiece(pieces: PieceWriter, evaluations: readonly Evaluation[], repository: SourceRepository | undefined, outlined: boolean): TalliedPiece {
  const written = pieces.piece(evaluations, repository);
  return { bytes: written.bytes, commits: written.commits, tally: segmentTally(evaluations, outlined) };
}

/**
 * An entry's parts as one buffer with a memory of its own, which a worker thread hands over to the
 * starting thread without copying it (a transfer). As a string it was copied into the starting
 * thread's heap and encoded again there: hundreds of megabytes of short-lived strings over a
 * 5,000-project run, which that thread's heap grew by (about 100 MB more peak memory than one thread).
 */
function entryBytes(parts: readonly (string | Uint8Array)[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += typeof part === 'string' ? Buffer.byteLength(part) : part.byteLength;
  const bytes = Buffer.allocUnsafeSlow(length);
  let at = 0;
  for (const part of parts) {
    if (typeof part === 'string') at += bytes.write(part, at);
    else {
      bytes.set(part, at);
      at += part.byteLength;
    }
  }
  return bytes;
}

const pieceWriters = new WeakMap<Hub, PieceWriter | null>();

/**
 * The writer of stored pieces at the hub's commit (result-entry.ts): results are stored as pieces of
 * the JSON report for the projects in the hub's repository (or in none), whose only run-dependent
 * content is the hub commit. None for a hub read from a working tree.
 */
function pieceWriter(hub: Hub): PieceWriter | undefined {
  let writer = pieceWriters.get(hub);
  if (writer === undefined) {
    writer = hub.commit !== null && hub.repository.commit === hub.commit ? new PieceWriter(hub.repository, hub.commit.length) : null;
    pieceWriters.set(hub, writer);
  }
  return writer ?? undefined;
}

/** Whether the target's result is stored as a piece (see `pieceWriter`): its files are in the hub's repository at the hub commit, or in none. */
function pieceableIn(hub: Hub, target: Pick<LintProjectTarget, 'repository'>): boolean {
  const r = target.repository;
  const h = hub.repository;
  return pieceWriter(hub) !== undefined && (r === undefined || (r.id === h.id && r.location === h.location && r.ref === h.ref && r.commit === h.commit));
}

/** Where a result's own files are: for a piece, the hub repository object itself (the piece writer stands its commit in there). */
function placeIn(hub: Hub, target: LintProjectTarget): ProjectPlace {
  return pieceableIn(hub, target) ? { slug: target.slug, ...(target.repository ? { repository: hub.repository } : {}) } : target;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A target whose files could not be read: each of its contexts is undecided. */
function unreadableTarget(hub: Hub, target: LintProjectTarget, why: string): LintProjectTarget {
  const summary = `Cannot read project "${target.slug}": ${why}`;
  return { ...target, files: new Map(), problems: [lintDiagnostic('HUB002', summary, { file: 'oclhub.ocl', repository: hub.repository, project: target.slug, ...(target.registered ? { range: target.registered.headerRange } : {}) })] };
}

/** A project whose evaluation failed (a worker thread that threw or died): each of its contexts is undecided (fail closed). */
function failedTarget(hub: Hub, target: LintProjectTarget, why: string): LintProjectTarget {
  const summary = `Project "${target.slug}" could not be evaluated: ${why}`;
  return { ...target, files: new Map(), problems: [lintDiagnostic('HUB006', summary, { file: 'oclhub.ocl', repository: hub.repository, project: target.slug, ...(target.registered ? { range: target.registered.headerRange } : {}) })] };
}

/**
 * The projects at `pending` (indices into `targets`) evaluated on worker threads and this one, when
 * the run asks for more than one thread and there are enough of them (see workers/pool.ts); undefined
 * otherwise. `result(index)` must be asked in the order of `pending`.
 */
/** A project evaluated by a lane: on a worker thread (its cache entry's text, see workers/protocol.ts) or on this one. */
type LaneOutcome = ProjectOutcome | { result: ProjectResult; evaluated: number };

function startLanes(hub: Hub, options: LintOptions, targets: readonly LintProjectTarget[], pending: readonly number[], policies: readonly PolicySource[]): { result(index: number): Promise<LaneOutcome>; close(): Promise<void> } | undefined {
  const filter = { ...(options.environments ? { environments: options.environments } : {}), ...(options.tenants ? { tenants: options.tenants } : {}) };
  const jobs = options.jobs ?? 1;
  // One thread starts no worker whatever the decisions (workerCount): they are not counted then, a context list per project.
  const decisions = jobs > 1 ? pending.reduce((sum, index) => sum + projectContexts(hub.config, targets[index]!, filter).length * policies.length, 0) : 0;
  const count = workerCount(jobs, decisions, options.decisionsPerWorker);
  const source = count > 0 ? hub.lintWorker?.() : undefined;
  const threads = source ? (options.startedWorkers?.take(source, count) ?? []) : [];
  // Threads started early for a run that turned out to need fewer (most projects cached, say) end now.
  void options.startedWorkers?.close();
  if (!source) return undefined;
  // What a worker is sent: a lazy target's blob list and commit (the worker reads the files), else the files read here.
  const wire = async (position: number): Promise<WireTarget> => {
    const target = targets[pending[position]!]!;
    const readAt = lazyCommits.get(target);
    const { load: _load, ...rest } = readAt !== undefined ? target : await withFiles(target);
    return readAt !== undefined ? { ...rest, readAt } : rest;
  };
  while (threads.length < count) {
    try {
      threads.push(new LintWorkerThread(source));
    } catch {
      break; // no worker entry to start: this thread evaluates them all
    }
  }
  const init = lintWorkerInit(source, options);
  const keys = policies.map(policyKey);
  const workers = threads.map((thread) => new WorkerLane(thread, init, keys, wire));
  const evaluateHere = async (position: number): Promise<LaneOutcome> => {
    const target = targets[pending[position]!]!;
    let loaded: LintProjectTarget;
    try {
      loaded = await withFiles(target);
    } catch (error) {
      return { unreadable: messageOf(error) };
    }
    const out = await lintProject(hub, loaded, policies, options);
    // Lets the workers' results in (and sends them their next project) between two projects.
    await new Promise((resolve) => setImmediate(resolve));
    return out;
  };
  // One project at a time on this thread, whether its own lane took it or a dead worker handed it back.
  let hereQueue: Promise<unknown> = Promise.resolve();
  const runHere = (position: number): Promise<LaneOutcome> => {
    const out = hereQueue.then(() => evaluateHere(position));
    hereQueue = out.catch(() => undefined);
    return out;
  };
  const here: Lane<LaneOutcome> = {
    ready: options.evaluateHere === false ? Promise.all(workers.map((w) => w.stoppedOrDone)).then(() => true) : Promise.resolve(true),
    concurrency: 1,
    run: runHere,
  };
  // A project a worker took but never started (it died first) is evaluated here, not failed with it.
  const rescued = workers.map((lane): Lane<LaneOutcome> => ({
    ready: lane.ready,
    concurrency: lane.concurrency,
    get stopped() {
      return lane.stopped;
    },
    run: (position) => lane.run(position).catch((error: unknown) => (error instanceof NotStarted ? runHere(position) : Promise.reject(error))),
  }));
  const schedule = new ProjectSchedule<LaneOutcome>(pending.length, [here, ...rescued]);
  const positions = new Map(pending.map((index, position) => [index, position]));
  return {
    result: (index) => schedule.result(positions.get(index)!),
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

/** What a worker thread of this run opens and evaluates with. */
function lintWorkerInit(source: LintWorkerSource, options: LintOptions): LintWorkerInit {
  return {
    hub: source.hub,
    ...(options.drafts ? { drafts: true } : {}),
    lint: {
      ...(options.environments ? { environments: options.environments } : {}),
      ...(options.tenants ? { tenants: options.tenants } : {}),
      ...(options.release ? { release: options.release } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
      ...(options.findingsOutlines ? { findingsOutlines: true } : {}),
    },
  };
}

/** Project folders a run keyed from the run manifest lists from Git before it reads the stored listings (tree-listings.ts). */
const LISTED_FROM_GIT_FIRST = 8;

/** Files the project results are split into (cache.ts). */
const RESULT_SHARDS = 16;

/** Runs the lint over the hub (see the file comment). Never throws on repository content. */
export async function lintHub(hub: Hub, options: LintOptions = {}): Promise<LintRun> {
  // Threads started before the run open the hub and load the policies while this one keys and lists the projects (see startLanes).
  const early = options.startedWorkers?.size ? hub.lintWorker?.() : undefined;
  if (early) options.startedWorkers!.open(early, lintWorkerInit(early, options));
  // Without the whole run's cache (the CLI's), its file is not even opened.
  const runCache = options.cacheDir && options.wholeRunCache !== false ? await LintCache.open(options.cacheDir, 'lint-run') : undefined;
  const runKey = runCache ? await wholeRunKey(hub, options) : undefined;
  const hit = runKey !== undefined ? runCache!.get<CompactResult & { cached: number; repositories: SourceRepository[]; rules: [string, RepositoryRules][] }>(runKey) : undefined;
  let result: AssembledResult;
  let cached = 0;
  let evaluated = 0;
  let onWorkers = 0;
  let policies: PolicySource[] = [];
  let volatile = false;
  let repositories: SourceRepository[];
  let repositoryRules: Map<string, RepositoryRules>;
  if (hit) {
    const { evaluations, ...rest } = expand(hit);
    result = { ...rest, segments: [{ project: '', evaluations }] };
    cached = hit.cached;
    repositories = hit.repositories;
    repositoryRules = new Map(hit.rules);
  } else {
    // Sharded: after a commit that changed a few projects, only their shards are written again.
    // Deferred: the pieces this run stores are read back from the cache's new files too, not held to the end.
    const deferAfterLines = options.deferStoredPieces && options.jsonPieces ? { deferAfterLines: ENTRY_RECORD_LINES, deferWritten: true } : {};
    const lazy = snapshotUsable(options) ? { lazy: true } : {};
    const cache = options.cacheDir ? await LintCache.open(options.cacheDir, 'lint-results', { shards: RESULT_SHARDS, ...deferAfterLines, ...lazy }) : undefined;
    const run = await lintUncached(hub, options, cache);
    result = run.result;
    cached = run.cached;
    evaluated = run.evaluated;
    onWorkers = run.onWorkers;
    policies = run.policies;
    repositories = run.repositories;
    repositoryRules = run.rules;
    volatile = run.volatile;
    await cache?.save();
    if (runKey !== undefined && !volatile) {
      const { segments, ...rest } = result;
      runCache!.set(runKey, { ...compact({ ...rest, evaluations: segments.flatMap(segmentEvaluations) }), cached: run.total, repositories, rules: [...repositoryRules] });
      await runCache!.save();
    }
  }
  const now = options.now ?? new Date();
  const segments: EvaluationSegment[] = [];
  const found: Diagnostic[] = [...result.diagnostics];
  // Hub-wide best practices run after the caches: BP028 depends on the date, like exceptions.
  const publishedPolicies = await hub.catalog.slugs('policies').catch(() => [] as string[]);
  const linted = options.projects ? new Set(options.projects.map((p) => p.slug)) : undefined;
  // Linting chosen projects (a project repository's CI): only the hub-wide findings about them.
  const hubCache = options.cacheDir ? { dir: options.cacheDir, toolVersion: options.toolVersion ?? '' } : undefined;
  const practices = runsHubRules(options.shard)
    ? (await cachedHubPractices(hub.config, result.facts ?? [], { now, publishedPolicies }, hubCache)).filter((d) => !linted || (d.project !== undefined && linted.has(d.project)))
    : [];
  // A hub-wide finding (or related place) that names no repository is in the hub's: only other repositories' facts carry one.
  // Object.assign, not `{ ...item, repository }`: on Node 20's V8 a spread's copy with a field added gets a
  // map of its own on every call, and each such finding then missed the inline caches of the report's writers.
  const inHub = <T extends { file?: string; repository?: SourceRepository }>(item: T): T =>
    item.file !== undefined && item.repository === undefined ? Object.assign({}, item, { repository: hub.repository }) : item;
  found.push(...practices.map((d) => (d.related ? Object.assign({}, inHub(d), { related: d.related.map(inHub) }) : inHub(d))));
  const exceptions = hub.config?.exceptions ?? [];
  for (const segment of result.segments) {
    // Without exceptions every decision stands as it is (applyExceptions would copy them unchanged).
    // An exception names its project: a stored piece of a project none names is written as it is.
    if (exceptions.length === 0 || !('evaluations' in segment || exceptions.some((e) => e.project === segment.project))) {
      segments.push(segment);
      continue;
    }
    const evaluations: Evaluation[] = [];
    for (const evaluation of segmentEvaluations(segment)) {
      const applied = applyExceptions(evaluation.decisions, exceptions, { project: evaluation.project, environment: evaluation.environment, tenant: evaluation.tenant }, { now });
      found.push(...applied.diagnostics.map((d) => (d.file !== undefined && d.repository === undefined ? { ...d, repository: hub.repository } : d)));
      evaluations.push({ ...evaluation, decisions: applied.decisions });
    }
    segments.push({ project: segment.project, evaluations });
  }
  const settled = applySettings(hub, dedupe(found), repositoryRules);
  const report = withEvaluationSegments(
    {
      tool: { name: 'oclhub', version: options.toolVersion ?? '0.0.0' },
      ...(hub.commit ? { hubRef: hub.commit } : {}),
      diagnostics: settled.diagnostics.sort(compareDiagnostics),
      sources: new Map(result.sources.map(([file, text, repository]) => [sourceKey(file, repository), text])),
      failOn: options.failOn ?? 'block',
      ...(settled.suppressed.length > 0 ? { suppressed: settled.suppressed.sort(compareDiagnostics) } : {}),
      repositories,
      ...(options.home !== undefined ? { home: options.home } : {}),
    },
    segments,
  );
  if (options.shard) report.shard = { index: options.shard.index, count: options.shard.count, ...evaluationScope(report) };
  return { report, cached, evaluated, onWorkers, policies, ...(volatile ? { volatile: true as const } : {}) };
}

/** The run's results: the projects' evaluations as report segments (decoded, or stored pieces), the rest decoded. */
type AssembledResult = Omit<ProjectResult, 'evaluations'> & { segments: EvaluationSegment[] };

/**
 * The hub's rule settings over every diagnostic, then each project repository's own over its files'
 * (see the file comment). Returns what is still reported and what was turned off.
 */
function applySettings(hub: Hub, diagnostics: readonly Diagnostic[], repositoryRules: ReadonlyMap<string, RepositoryRules>): { diagnostics: Diagnostic[]; suppressed: Diagnostic[] } {
  const hubRules = (hub.config?.rules ?? []).map(ruleSetting);
  const first = ruleSettingsApplier(hubRules, { file: 'oclhub.ocl' })(diagnostics);
  if (repositoryRules.size === 0) return first;
  const kept: Diagnostic[] = [];
  const suppressed = [...first.suppressed];
  const byRepository = new Map<string, Diagnostic[]>();
  for (const d of first.diagnostics) {
    const id = d.repository?.id;
    if (id === undefined || !repositoryRules.has(id)) kept.push(d);
    else byRepository.set(id, [...(byRepository.get(id) ?? []), d]);
  }
  for (const [id, list] of byRepository) {
    const rules = repositoryRules.get(id)!;
    const applied = ruleSettingsApplier(rules.settings, { file: rules.file })(list);
    kept.push(...applied.diagnostics);
    suppressed.push(...applied.suppressed);
  }
  return { diagnostics: kept, suppressed };
}

/**
 * A key for the whole run, when one exists: linting every registered project of a hub commit whose
 * projects all live in the hub. The commit fixes oclhub.ocl and the project files; tags are immutable,
 * so the tag list fixes the published templates and policies. Undefined otherwise (per-project keys).
 */
export async function wholeRunKey(hub: Hub, options: LintOptions): Promise<string | undefined> {
  if (options.projects || options.drafts || hub.commit === null || !hub.config) return undefined;
  if (hub.config.projects.some((p) => p.repository !== undefined)) return undefined;
  let tags: string[];
  try {
    tags = (await hub.store.listTags()).sort();
  } catch {
    return undefined;
  }
  return sha([
    'run',
    ENGINE_VERSION,
    options.toolVersion ?? '',
    hub.commit,
    hub.location,
    tags.join('\n'),
    options.onError ?? 'block',
    options.locked ? 'locked' : '',
    JSON.stringify(options.environments ?? []),
    JSON.stringify(options.tenants ?? []),
    JSON.stringify(options.release ?? null),
    options.shard ? `${options.shard.index}/${options.shard.count}` : '',
  ]);
}

/**
 * oclhub.ocl in the key of every project's stored result: the key of its text (config-cache.ts, which
 * covers the tool's and the cache engine's versions), else (a configuration validated without that
 * cache) its content, positions included. Not its content without positions: a project's result may
 * cite oclhub.ocl's lines (HUB004 at the project's block), and an edit that only moves them (blank
 * lines) left such findings at the old lines in a re-run. The text's key is also computed already,
 * where the content had to be written out as JSON at every run.
 */
function configKey(config: HubConfigDocument | undefined): string {
  if (config === undefined) return 'no oclhub.ocl';
  return configContentKey(config) ?? JSON.stringify(config);
}

/** Whether the run may take results from `options.snapshot` (see `LintOptions.snapshot`). */
function snapshotUsable(options: LintOptions): boolean {
  return options.snapshot !== undefined && options.jsonPieces === true && options.deferStoredPieces === true && options.keepSources === false && !options.shard && !options.locked && !options.projects;
}

async function lintUncached(
  hub: Hub,
  options: LintOptions,
  cache: LintCache | undefined,
): Promise<{
  result: AssembledResult;
  cached: number;
  evaluated: number;
  onWorkers: number;
  total: number;
  policies: PolicySource[];
  repositories: SourceRepository[];
  rules: Map<string, RepositoryRules>;
  volatile: boolean;
}> {
  const diagnostics: Diagnostic[] = [...hub.configDiagnostics.filter((d) => d.severity !== 'info')];
  const active = await lintPolicies(hub, options.drafts, options.validatePolicy);
  diagnostics.push(...active.diagnostics.filter((d) => d.severity !== 'info'));
  const policies = active.policies;
  // Decisions that may change with the clock have no content key: nothing of this run is cached.
  const volatile = anyPolicyVolatile(policies);
  if (volatile) cache = undefined;
  const pieces = cache ? pieceWriter(hub) : undefined;
  const pieceable = (target: LintProjectTarget) => pieces !== undefined && pieceableIn(hub, target);
  const placeOf = (target: LintProjectTarget): ProjectPlace => (pieces !== undefined ? placeIn(hub, target) : target);
  const tags = cache ? (await hub.store.listTags('process-templates/').catch(() => [] as string[])).sort() : [];
  const sharedKey = cache
    ? sha([
        ENGINE_VERSION,
        options.toolVersion ?? '',
        hub.location,
        configKey(hub.config),
        tags.join('\n'),
        ...policies.map((p) => `${p.slug}@${p.version ?? 'draft'}:${sha([p.text])}`),
        options.onError ?? 'block',
        JSON.stringify(options.environments ?? []),
        JSON.stringify(options.tenants ?? []),
        JSON.stringify(options.release ?? null),
        // Where stored pieces name the hub (its commit is written in by each run).
        pieces ? JSON.stringify([hub.repository.id, hub.repository.location, hub.repository.ref ?? null, hub.commit!.length]) : 'no pieces',
      ])
    : '';
  let targets = options.projects;
  const shard = options.shard;
  let listings: TreeListings | undefined;
  let manifest: RunManifest | undefined;
  if (!targets) {
    // A shard reads only its own projects, except shard 1, which needs every project's facts for the hub-wide rules.
    const only = shard && !runsHubRules(shard) ? (hub.config?.projects ?? []).map((p) => p.slug).filter((slug) => inShard(slug, shard)) : undefined;
    // Project folders listed by tree id (tree-listings.ts): after a commit, only the changed ones are read from Git.
    listings = cache !== undefined && options.cacheDir ? await TreeListings.open(options.cacheDir) : undefined;
    // The last run's keys of the projects a tree diff shows untouched (run-manifest.ts): a whole hub, at a commit.
    manifest = listings && !shard && !options.locked && hub.commit !== null && options.cacheDir ? await RunManifest.open(options.cacheDir) : undefined;
    const reuse = manifest ? await manifest.reusable(hub.store, hub.commit!, sharedKey) : undefined;
    // Keyed from the manifest, most projects are not looked up: the few a commit changed are listed from Git first.
    if (reuse) listings!.lookUpFromGitFirst(LISTED_FROM_GIT_FIRST);
    const registered = await registeredTargets(hub, {
      lazy: cache !== undefined || shard !== undefined,
      ...(listings ? { listings } : {}),
      ...(reuse ? { reuse } : {}),
      ...(only ? { only } : {}),
      ...(options.locked ? { locked: true } : {}),
      ...(options.projectCacheDir !== undefined ? { cacheDir: options.projectCacheDir } : {}),
    });
    targets = registered.targets;
    diagnostics.push(...registered.diagnostics);
  }
  // Projects of other shards: only their facts, in shard 1 (see shard.ts).
  const others = shard ? targets.filter((t) => !inShard(t.slug, shard)) : [];
  if (shard) targets = targets.filter((t) => inShard(t.slug, shard));
  const repositories: SourceRepository[] = [hub.repository];
  const rules = new Map<string, RepositoryRules>();
  for (const target of targets) {
    if (target.repository && !repositories.some((r) => r.id === target.repository!.id)) repositories.push(target.repository);
    if (target.rules && target.repository) rules.set(target.repository.id, target.rules);
  }
  const segments: EvaluationSegment[] = [];
  const sources: SourceEntry[] = [];
  const seenSources = new Set<string>();
  const facts: ProjectFacts[] = [];
  let cached = 0;
  let evaluated = 0;
  let onWorkers = 0;
  const cacheable = (target: LintProjectTarget) => cache !== undefined && !(target.problems && target.problems.length > 0);
  const keyOf = (target: LintProjectTarget) =>
    cacheable(target)
      ? (reusedKeys.get(target) ??
        sha([sharedKey, target.slug, fileIdsOf(target), JSON.stringify(target.environments ?? []), JSON.stringify(target.lock ?? null), pieceable(target) ? (target.repository ? 'piece:hub' : 'piece:none') : '']))
      : '';
  const keys = targets.map(keyOf);
  const commitLength = hub.commit?.length ?? 0;
  // Untouched projects (keyed from the run manifest) whose result the last stored report holds: taken from it, their cache entries kept unread.
  const snapshot = pieces !== undefined && snapshotUsable(options) ? options.snapshot : undefined;
  const snapped: (DecodedEntry & { line: PieceOrigin })[] = [];
  if (snapshot) {
    targets.forEach((target, index) => {
      const taken = keys[index] !== '' && reusedKeys.has(target) && pieceableIn(hub, target) ? snapshot.take(target.slug, keys[index]!, commitLength) : undefined;
      if (taken) snapped[index] = taken;
    });
  }
  // Keys are compared without decoding the entries; an entry is decoded when its project's turn comes.
  const stored = keys.map((key, index) => key !== '' && (snapped[index] !== undefined || cache!.has(key)));
  // An untouched project whose entry is gone after all: listed and keyed as any other.
  for (const [index, target] of targets.entries()) {
    if (stored[index] || !reusedKeys.has(target) || !target.registered) continue;
    const listed = (await lazyTarget(hub, target.registered, hub.commit!, listings)) ?? (await readTarget(hub, target.registered, {}));
    targets[index] = listed;
    keys[index] = keyOf(listed);
    stored[index] = keys[index] !== '' && cache!.has(keys[index]!);
  }
  // Written while the projects are evaluated (awaited at the end).
  const listingsSaved = listings?.save();
  // Evaluations are kept as objects unless the caller writes them as the JSON report's pieces.
  const keepObjects = options.jsonPieces !== true;
  /**
   * A project's result (before `attachRepository`) stored under `key` ('' = not stored) and made the
   * run's: a project in the hub becomes a piece of the JSON report once, both its cache entry and
   * what the report writes.
   */
  const settle = (target: LintProjectTarget, result: ProjectResult, key: string): { record: Omit<ProjectResult, 'evaluations'>; segment: EvaluationSegment } => {
    const place = placeOf(target);
    // A result kept only as a piece has its decisions' locations placed by the piece writer, not copied to be placed.
    const asPiece = key !== '' && pieceable(target);
    const { evaluations, ...record } = attachRepository(result, place, { leaveLocations: asPiece && !keepObjects });
    let segment: EvaluationSegment = { project: target.slug, evaluations };
    if (asPiece) {
      const piece = talliedPiece(pieces!, evaluations, place.repository, options.findingsOutlines === true);
      const entry = encodeEntryWithRecord(result, piece);
      // The piece is the entry's last part: read back from the cache's file when it hands it out (`deferWritten`).
      const stored = cache!.setEncoded(key, entry.parts);
      if (!keepObjects) segment = { project: target.slug, piece: stored && stored.length === piece.bytes.length ? { bytes: stored, commits: piece.commits, tally: piece.tally } : piece, commit: hub.commit!, tally: piece.tally, origin: { key, record: entry.record } };
    } else if (key !== '') {
      cache!.setEncoded(key, encodeEntry(result));
    }
    return { record, segment };
  };
  /**
   * Stores a worker's entry as it came; a piece kept as the report's (the entry's tail, `decodeEntry`)
   * is then read back from the cache's file when it hands it out (`deferWritten`), as `settle` does.
   */
  const storeWorkerEntry = (key: string, entry: Buffer, taken: { segment: EvaluationSegment }): void => {
    const segment = taken.segment;
    const bytes = 'piece' in segment ? segment.piece.bytes : undefined;
    const at = bytes instanceof Uint8Array && bytes.buffer === entry.buffer ? bytes.byteOffset - entry.byteOffset : -1;
    if (at < 0 || at + bytes!.length !== entry.length || !('piece' in segment)) {
      cache!.setEncoded(key, entry);
      return;
    }
    const stored = cache!.setEncoded(key, [entry.subarray(0, at), entry.subarray(at)]);
    if (stored && stored.length === bytes!.length) taken.segment = { ...segment, piece: { ...segment.piece, bytes: stored } };
  };
  /** A project's stored result (a cache entry, or a worker's) made the run's, or undefined when it does not decode (a miss). */
  const fromEntry = (target: LintProjectTarget, bytes: Uint8Array | undefined, key: string): { record: Omit<ProjectResult, 'evaluations'>; segment: EvaluationSegment } | undefined => {
    const entry = bytes && decodeEntry(bytes, options.keepSources !== false, commitLength);
    return entry && fromDecoded(target, entry, entry.record !== undefined && key !== '' ? { key, record: entry.record } : undefined);
  };
  /** A decoded result (a cache entry's, a worker's or the stored report's) made the run's; undefined when it is not one of this project. */
  const fromDecoded = (target: LintProjectTarget, entry: DecodedEntry, origin: PieceOrigin | undefined): { record: Omit<ProjectResult, 'evaluations'>; segment: EvaluationSegment } | undefined => {
    // A piece is an entry of a project in the hub's repository at this commit, and only such a project's entry is one.
    if ((entry.piece !== undefined) !== pieceableIn(hub, target)) return undefined;
    if (!entry.piece) {
      const { evaluations, ...record } = expandCached(entry.result, target);
      return { record, segment: { project: target.slug, evaluations } };
    }
    const record = placeCachedRecord(entry.result, placeIn(hub, target));
    const segment: EvaluationSegment =
      keepObjects || pieces === undefined
        ? { project: target.slug, evaluations: decodePiece(entry.piece, hub.commit!) }
        : { project: target.slug, piece: entry.piece, commit: hub.commit!, tally: entry.piece.tally, ...(origin ? { origin } : {}) };
    return { record, segment };
  };
  // Files of the next uncached projects are read while the current one is evaluated.
  const loads = new Map<number, Promise<LintProjectTarget>>();
  const prefetch = (from: number) => {
    for (let i = from; i < Math.min(targets.length, from + READ_CONCURRENCY); i++) {
      if (!stored[i] && !loads.has(i)) {
        const load = withFiles(targets[i]!);
        load.catch(() => undefined); // awaited (and reported) in turn
        loads.set(i, load);
      }
    }
  };
  // Projects without a cache entry, evaluated on several threads when there are many (see workers/pool.ts).
  const lanes = startLanes(hub, options, targets, targets.flatMap((_, index) => (stored[index] ? [] : [index])), policies);
  const fromLanes = async (index: number, target: LintProjectTarget, key: string): Promise<ReturnType<typeof settle>> => {
    let outcome: LaneOutcome;
    try {
      outcome = await lanes!.result(index);
    } catch (error) {
      return settle(target, (await lintProject(hub, failedTarget(hub, target, messageOf(error)), policies, options)).result, '');
    }
    if ('unreadable' in outcome) return settle(target, (await lintProject(hub, unreadableTarget(hub, target, outcome.unreadable), policies, options)).result, '');
    evaluated += outcome.evaluated;
    if ('result' in outcome) return settle(target, outcome.result, key);
    // A worker's result is its cache entry, piece and all: stored as it came, its record decoded.
    const entry = Buffer.from(outcome.entry.buffer, outcome.entry.byteOffset, outcome.entry.byteLength);
    const taken = fromEntry(target, entry, key);
    if (taken) {
      onWorkers++;
      if (key !== '') storeWorkerEntry(key, entry, taken);
      return taken;
    }
    // An entry this thread cannot take (the worker read the hub otherwise): the project is evaluated here.
    let loaded: LintProjectTarget;
    try {
      loaded = await withFiles(target);
    } catch (error) {
      loaded = unreadableTarget(hub, target, messageOf(error));
    }
    return settle(target, (await lintProject(hub, loaded, policies, options)).result, key);
  };
  /**
   * One project's turn: its result taken from the cache, a worker or an evaluation here, and made the
   * run's. A function of its own, not the loop's body: the loop ran a thousand times inside this
   * function, which made V8 compile all of lintUncached with TurboFan (a large function, and
   * deoptimised again after the loop); 4–5% of a cold lint's CPU at 1,000 projects.
   */
  const takeTarget = async (index: number, target: LintProjectTarget): Promise<void> => {
    const key = keys[index]!;
    const fromSnapshot = snapped[index];
    let taken = fromSnapshot ? fromDecoded(target, fromSnapshot, fromSnapshot.line) : stored[index] ? fromEntry(target, cache!.bytes(key), key) : undefined;
    if (fromSnapshot && taken) cache!.keep(key);
    else if (fromSnapshot) taken = fromEntry(target, cache!.bytes(key), key);
    if (taken) {
      cached++;
    } else if (lanes && !stored[index]) {
      taken = await fromLanes(index, target, key);
    } else {
      stored[index] = false; // an entry that does not decode is a miss
      if (!lanes) prefetch(index);
      let loaded: LintProjectTarget;
      try {
        loaded = await (loads.get(index) ?? withFiles(target));
        loads.delete(index);
        if (!lanes) prefetch(index + 1);
      } catch (error) {
        loaded = unreadableTarget(hub, target, messageOf(error));
      }
      const run = await lintProject(hub, loaded, policies, options);
      evaluated += run.evaluated;
      taken = settle(target, run.result, key);
    }
    const { record, segment } = taken;
    diagnostics.push(...record.diagnostics);
    for (const entry of options.keepSources === false ? [] : record.sources) {
      const id = sourceKey(entry[0], entry[2]);
      if (seenSources.has(id)) continue;
      seenSources.add(id);
      sources.push(entry);
    }
    segments.push(segment);
    facts.push(...(record.facts ?? []));
    options.progress?.(index + 1, targets.length, target.slug);
    await cache?.backlog();
  };
  try {
    for (let index = 0; index < targets.length; index++) await takeTarget(index, targets[index]!);
  } finally {
    await lanes?.close();
  }
  // The keys of this run's in-hub projects at this commit, for the next run (run-manifest.ts).
  if (manifest) {
    const projects: ManifestProject[] = [];
    targets.forEach((target, index) => {
      if (keys[index] !== '' && target.registered && (reusedKeys.has(target) || lazyCommits.get(target) === hub.commit)) projects.push([target.slug, projectFolderOf(target.registered)!, keys[index]!]);
    });
    await manifest.save(hub.commit!, sharedKey, projects);
  }
  await listingsSaved;
  if (runsHubRules(shard)) {
    for (const target of others) {
      const key = keyOf(target);
      const bytes = key !== '' ? cache!.bytes(key) : undefined;
      facts.push(...(await projectFacts(hub, target, bytes && decodeEntry(bytes, false, commitLength)?.result)));
    }
  }
  const placed = diagnostics.map((d) => (d.file !== undefined && d.repository === undefined ? { ...d, repository: hub.repository } : d));
  return { result: { diagnostics: dedupe(placed), segments, sources, facts: withRepositories(facts, [...targets, ...others]) }, cached, evaluated, onWorkers, total: targets.length, policies, repositories, rules, volatile };
}

/**
 * Facts are stored without their repository (a cached result takes its repository's current commit):
 * those of a project in another repository get it here, so that a hub-wide finding in its files names
 * that repository, not the hub. In-hub projects' facts stay without one (the hub's, as findings place it),
 * which keeps the hub-wide findings' cache key free of the hub commit.
 */
function withRepositories(facts: ProjectFacts[], targets: readonly LintProjectTarget[]): ProjectFacts[] {
  const elsewhere = new Map(targets.flatMap((t) => (t.repository && t.repository.id !== HUB_REPOSITORY_ID ? [[t.slug, t.repository] as const] : [])));
  if (elsewhere.size === 0) return facts;
  return facts.map((f) => (f.repository === undefined && elsewhere.has(f.slug) ? { ...f, repository: elsewhere.get(f.slug)! } : f));
}

/** A project folder on disk as a lint target: slug from oclhub.ocl when registered, else the folder name. */
export function targetForFolder(hub: Hub, files: ReadonlyMap<string, string>, root: string, hubDir: string | undefined): LintProjectTarget {
  const registered = (hub.config?.projects ?? []).find((p) => {
    // A path that names no folder matches none (SEM042 in oclhub.ocl says why).
    const folder = projectFolderOf(p);
    if (folder === undefined) return false;
    if (p.repository !== undefined && !/^https?:/i.test(p.repository) && hubDir !== undefined) {
      if (path.resolve(hubDir, p.repository) !== root) return false;
      return [...files.keys()].some((f) => {
        const inFolder = pathInFolder(folder, f);
        return inFolder !== undefined && ownsProjectFile(inFolder);
      });
    }
    // An in-hub project: its path is a folder of the hub. A remote project's path lies in its own repository.
    if (p.repository === undefined && p.path !== undefined && hubDir !== undefined) {
      const absolute = path.resolve(hubDir, folder);
      return [...files.keys()].some((f) => {
        const file = path.resolve(root, f);
        return file.startsWith(absolute + path.sep) && ownsProjectFile(path.relative(absolute, file).split(path.sep).join('/'));
      });
    }
    return false;
  });
  const slug = registered?.slug ?? path.basename(root);
  return { slug, files, ...(registered ? { registered } : {}), ...(registered && registered.environments.length > 0 ? { environments: registered.environments } : {}) };
}

export interface EvaluateTargetOptions {
  environment: string;
  tenant?: string;
  /** The release deployed; without one, decisions that read `input.Release` are inconclusive. */
  release?: ReleaseContext;
  /** Evaluate a run of this runbook instead of a deployment. */
  runbook?: string;
  runbookGitRef?: string;
  skippedSteps?: readonly string[];
  requiresApproval?: boolean;
  drafts?: boolean;
  onError?: PolicyAction;
  now?: Date;
  /** Policies already loaded (skips loading them again). */
  policies?: readonly PolicySource[];
}

export interface TargetEvaluation {
  /** Absent when the context or the process could not be built (see diagnostics). */
  input?: BuiltInput;
  /**
   * Absent when the context cannot exist (unknown environment or tenant, an unknown step to skip, no
   * such process). Present with `errors` when the process does not resolve: its decisions are errors.
   */
  evaluation?: Evaluation;
  /** Whether the deployment may go ahead: no blocking violation or error, and no error diagnostic. */
  allowed: boolean;
  diagnostics: Diagnostic[];
  /** Source texts by `sourceKey(file, repository)`. */
  sources: Map<string, string>;
  policies: PolicySource[];
  /** Diagnostics a rule setting of oclhub.ocl turned off. */
  suppressed: Diagnostic[];
}

function runbookName(files: ReadonlyMap<string, string>, file: string): string | undefined {
  const text = files.get(file);
  if (text === undefined) return undefined;
  const document = validateFile({ path: file, text }).document;
  return document?.kind === 'runbook' ? document.name : undefined;
}

/** Error diagnostics for `--skip-step` slugs the process does not have, with did-you-mean. */
function unknownSkippedSteps(skipped: readonly string[], steps: ProcessSteps): Diagnostic[] {
  const known = [...steps.idsBySlug.keys()];
  return skipped
    .filter((slug) => !steps.idsBySlug.has(slug))
    .map((slug) => {
      const near = suggest(slug, known);
      return lintDiagnostic('HUB003', `No step "${slug}" to skip in the process${near !== undefined ? ` (did you mean "${near}"?)` : ''}`, { detail: `Steps: ${known.join(', ')}` });
    });
}

/** A project's files and resolution, computed once per project version and reused for every context and release. */
interface PreparedProject {
  target: LintProjectTarget;
  resolution: () => Promise<ProjectResolution>;
}

const PREPARED_LIMIT = 256;
const preparedProjects = new WeakMap<Hub, Map<string, Promise<PreparedProject>>>();

/**
 * The target with its files read and a (memoised) resolution. At a hub commit, a project listed by
 * blob ids (a lazy target) is the same content every time: its preparation is kept per hub (which is
 * one commit's) under the blob ids, environments and lock, so the deployment gate asked again with a
 * new release version re-runs only the policies. Anything else is prepared afresh.
 */
function prepareProject(hub: Hub, given: LintProjectTarget): Promise<PreparedProject> {
  const make = async (): Promise<PreparedProject> => {
    const target = await withFiles(given);
    let resolution: Promise<ProjectResolution> | undefined;
    const environments = target.environments ?? hub.environments(target.registered);
    return { target, resolution: () => (resolution ??= hub.resolveProject({ files: target.files, environments, ...(target.lock ? { lock: target.lock } : {}) })) };
  };
  if (hub.commit === null || !given.load || !given.fileIds || (given.problems && given.problems.length > 0) || given.diagnostics || given.rules) return make();
  const key = sha([hub.commit, given.slug, fileIdsOf(given), JSON.stringify(given.environments ?? null), JSON.stringify(given.lock ?? null), given.repository?.id ?? '', given.registered ? 'registered' : '']);
  let byKey = preparedProjects.get(hub);
  if (!byKey) preparedProjects.set(hub, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit) return hit;
  const made = make();
  byKey.set(key, made);
  made.catch(() => byKey!.delete(key)); // a failed read is tried again next time
  if (byKey.size > PREPARED_LIMIT) byKey.delete(byKey.keys().next().value!);
  return made;
}

const activeByHub = new WeakMap<Hub, Map<string, ReturnType<typeof loadActivePolicies>>>();

/** The active policies at the hub's policy ref: loaded once per hub at a commit (immutable), read afresh from a working tree. */
function activePolicies(hub: Hub, drafts: boolean | undefined): ReturnType<typeof loadActivePolicies> {
  const ref = policyRef(hub, drafts);
  const load = () => loadActivePolicies({ store: hub.store, ref, ...(hub.config ? { config: hub.config } : {}), ...(drafts ? { drafts: true } : {}) });
  if (ref === 'WORKTREE') return load();
  let byRef = activeByHub.get(hub);
  if (!byRef) activeByHub.set(hub, (byRef = new Map()));
  const key = `${ref}\u0000${drafts ? 'drafts' : ''}`;
  let loaded = byRef.get(key);
  if (!loaded) {
    loaded = load();
    byRef.set(key, loaded);
    loaded.catch(() => byRef!.delete(key));
  }
  return loaded;
}

/** One project in one context: the deployment gate (`oclhub evaluate`) and `oclhub input`. Never throws. */
export async function evaluateTarget(hub: Hub, given: LintProjectTarget, options: EvaluateTargetOptions): Promise<TargetEvaluation> {
  let target: LintProjectTarget;
  let prepared: PreparedProject;
  try {
    prepared = await prepareProject(hub, given);
    target = prepared.target;
  } catch (error) {
    const summary = `Cannot read project "${given.slug}": ${error instanceof Error ? error.message : String(error)}`;
    return { allowed: false, diagnostics: [lintDiagnostic('HUB002', summary, { project: given.slug })], sources: new Map(), policies: [], suppressed: [] };
  }
  const diagnostics: Diagnostic[] = [...(target.diagnostics ?? [])];
  const sources: SourceEntry[] = [];
  for (const [file, text] of target.files) sources.push([file, text.replace(/^\uFEFF/, '')]);
  let policies = options.policies ? [...options.policies] : undefined;
  if (!policies) {
    const active = await activePolicies(hub, options.drafts);
    diagnostics.push(...active.diagnostics.filter((d) => d.severity !== 'info'));
    policies = [...active.policies];
  }
  const finish = (result: Omit<TargetEvaluation, 'diagnostics' | 'sources' | 'policies' | 'suppressed'>, templates: ReadonlyMap<string, string> = new Map()): TargetEvaluation => {
    const placed = attachRepository(
      { diagnostics: placeDiagnostics(hub, target, diagnostics, templates), evaluations: result.evaluation ? [result.evaluation] : [], sources },
      target,
    );
    const hubPlaced = placed.diagnostics.map((d) => (d.file !== undefined && d.repository === undefined ? { ...d, repository: hub.repository } : d));
    const settled = applySettings(hub, dedupe(hubPlaced), new Map(target.rules && target.repository ? [[target.repository.id, target.rules]] : []));
    return {
      ...result,
      ...(placed.evaluations[0] ? { evaluation: placed.evaluations[0] } : {}),
      diagnostics: settled.diagnostics.sort(compareDiagnostics),
      suppressed: settled.suppressed.sort(compareDiagnostics),
      sources: new Map(placed.sources.map(([file, text, repository]) => [sourceKey(file, repository), text])),
      policies: policies!,
    };
  };
  if (target.problems && target.problems.length > 0) {
    diagnostics.push(...target.problems);
    return finish({ allowed: false });
  }
  const request: ContextRequest = {
    project: target.slug,
    environment: options.environment,
    ...(options.tenant !== undefined ? { tenant: options.tenant } : {}),
    ...(options.release ? { release: options.release } : {}),
    ...(options.skippedSteps ? { skippedSteps: options.skippedSteps } : {}),
    ...(options.requiresApproval !== undefined ? { requiresApproval: options.requiresApproval } : {}),
  };
  const resolution = await prepared.resolution();
  // The files' own findings are reported (rule settings apply to them); only resolution errors block.
  diagnostics.push(...resolution.validation, ...resolution.diagnostics);
  const process = options.runbook !== undefined ? resolution.processes.find((p) => p.kind === 'runbook' && p.runbook === options.runbook) : resolution.processes.find((p) => p.kind === 'deployment_process');
  if (!process) {
    const runbooks = resolution.processes.filter((p) => p.kind === 'runbook').map((p) => p.runbook!);
    const near = options.runbook !== undefined ? suggest(options.runbook, runbooks) : undefined;
    diagnostics.push(
      lintDiagnostic(
        'HUB005',
        options.runbook !== undefined
          ? `Project "${target.slug}" has no runbook "${options.runbook}"${near !== undefined ? ` (did you mean "${near}"?)` : ''}${runbooks.length ? ` (runbooks: ${runbooks.join(', ')})` : ''}`
          : `Project "${target.slug}" has no deployment process`,
      ),
    );
    return finish({ allowed: false });
  }
  if (options.runbook !== undefined) {
    request.runbook = { slug: options.runbook, name: runbookName(target.files, process.file) ?? options.runbook, ...(options.runbookGitRef !== undefined ? { gitRef: options.runbookGitRef } : {}) };
    delete request.release;
  }
  const context = contextFromConfig(hub.config, request);
  if ('error' in context) {
    diagnostics.push(lintDiagnostic('HUB003', context.error));
    return finish({ allowed: false });
  }
  const steps = processSteps(process, target.slug, stepTemplateTypesOf(hub.config));
  const unknownSteps = unknownSkippedSteps(options.skippedSteps ?? [], steps);
  if (unknownSteps.length > 0) {
    diagnostics.push(...unknownSteps);
    return finish({ allowed: false });
  }
  const templates = new Map<string, string>();
  const loaded = new Set<string>();
  for (const usage of process.usages) {
    if (usage.templateFile === undefined || usage.version === undefined || usage.templateSlug === undefined || usage.commit === undefined) continue;
    templates.set(usage.templateFile, usage.commit);
    if (loaded.has(`${usage.templateFile}@${usage.commit}`)) continue;
    loaded.add(`${usage.templateFile}@${usage.commit}`);
    sources.push([usage.templateFile, (await hub.catalog.loadProcessTemplate(usage.templateSlug, usage.version)).text.replace(/^\uFEFF/, ''), templateRepository(hub, usage.commit)]);
  }
  const evaluation: Evaluation = { project: target.slug, environment: options.environment, ...(options.tenant !== undefined ? { tenant: options.tenant } : {}), decisions: [] };
  const unresolved = placeDiagnostics(hub, target, unresolvedErrors(process), templates);
  if (unresolved.length > 0) {
    const location = errorLocation(unresolved);
    evaluation.errors = unresolved;
    evaluation.decisions = policies.map((policy) => undecided(policy, UNRESOLVED, unresolved, location));
    return finish({ evaluation, allowed: false }, templates);
  }
  const input = buildInput(steps, context);
  const unknownTypes = unknownActionTypeSteps(steps, hub);
  if (unknownTypes) diagnostics.push(unknownActionTypesDiagnostic(unknownTypes));
  const places = new ProcessPlaces(process, steps, hub);
  const decisions = policies.map((policy) => {
    const decision = decisionOf(evaluatePolicy(policy, input.input, { unknownInput: input.unknown, ...policyOptions(hub, options.onError), ...(unknownTypes ? { unknownActionTypes: unknownTypes } : {}) }));
    const location = places.finding(decision);
    if (location) decision.location = location;
    return decision;
  });
  const applied = applyExceptions(decisions, hub.config?.exceptions ?? [], { project: target.slug, environment: options.environment, tenant: options.tenant }, { now: options.now ?? new Date() });
  diagnostics.push(...applied.diagnostics);
  evaluation.decisions = applied.decisions;
  const blocked = applied.decisions.some((d) => (d.outcome === 'violation' || d.outcome === 'error') && d.action === 'block');
  const broken = resolution.diagnostics.some((d) => d.severity === 'error');
  return finish({ input, evaluation, allowed: !blocked && !broken }, templates);
}
