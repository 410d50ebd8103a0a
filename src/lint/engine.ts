/**
 * The lint engine behind `oclhub lint`, `oclhub evaluate` and `oclhub diff`: for every project ×
 * environment (× tenant) it builds the Octopus input, evaluates every active policy, applies the
 * exceptions of `oclhub.ocl`, and points each finding at the step it concerns. Earlier layers' OCL,
 * schema and template diagnostics are reported alongside.
 *
 * Speed: each policy is compiled once (the policy layer caches compilations by content), the
 * environment-independent part of the input (Steps, Execution) is built once per process, and whole
 * project results are cached on disk (see cache.ts) under a key of everything they depend on.
 */
import path from 'node:path';
import { compareDiagnostics, type Diagnostic, type Range } from '../diagnostics.js';
import type { LintHub as Hub } from './hub-view.js';
import type { HubConfigDocument, HubProjectModel } from '../model/types.js';
import { validateFile } from '../model/validate.js';
import { ENGINE_VERSION, sha } from './report-key.js';

export { renderedReportKey } from './report-key.js';
import { loadActivePolicies } from '../policy/active.js';
import { evaluatePolicy, type EvaluatePolicyOptions, type PolicyEvaluation } from '../policy/evaluate.js';
import { applyExceptions } from '../policy/exceptions.js';
import { buildInput, contextFromConfig, processSteps, type BuiltInput, type ContextRequest, type InputStepLocation, type ProcessSteps, type ReleaseContext } from '../policy/input.js';
import type { PolicySource } from '../policy/load.js';
import type { DecisionLocation, Evaluation, FailLevel, LintReport, PolicyAction, PolicyDecision } from '../report/lint-report.js';
import type { ResolvedProcess } from '../templates/resolve.js';
import type { LockFile } from '../templates/lock.js';
import { LintCache } from './cache.js';

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
  release?: ReleaseContext;
  /** Also cache the whole run's results under the hub commit (default true; the CLI caches the rendered report instead). */
  wholeRunCache?: boolean;
  /** Called after each project (for progress on a TTY). */
  progress?: (done: number, total: number, project: string) => void;
  toolVersion?: string;
}

export interface LintRun {
  report: LintReport;
  /** Projects whose results came from the cache. */
  cached: number;
  /** Policy evaluations performed (cache hits excluded). */
  evaluated: number;
  policies: PolicySource[];
}

interface ProjectResult {
  diagnostics: Diagnostic[];
  /** Decisions before exceptions (exceptions depend on the date, so they apply after the cache). */
  evaluations: Evaluation[];
  sources: [string, string][];
}


/**
 * Cached results are stored compactly: the policy's name and version live once in a table, and each
 * decision refers to it by index (100,000 decisions would otherwise repeat them 100,000 times).
 */
interface CompactResult {
  policies: [string, string | null, string | null][];
  diagnostics: Diagnostic[];
  evaluations: { project: string; environment: string; tenant?: string; decisions: [number, Omit<PolicyDecision, 'policy' | 'policyName' | 'version'>][] }[];
  sources: [string, string][];
}

function compact(result: ProjectResult): CompactResult {
  const table = new Map<string, number>();
  const policies: CompactResult['policies'] = [];
  const evaluations = result.evaluations.map((e) => ({
    ...e,
    decisions: e.decisions.map((d): [number, Omit<PolicyDecision, 'policy' | 'policyName' | 'version'>] => {
      const { policy, policyName, version, ...rest } = d;
      const key = `${policy}\u0000${policyName ?? ''}\u0000${version ?? ''}`;
      let at = table.get(key);
      if (at === undefined) {
        at = policies.length;
        table.set(key, at);
        policies.push([policy, policyName ?? null, version ?? null]);
      }
      return [at, rest];
    }),
  }));
  return { policies, diagnostics: result.diagnostics, evaluations, sources: result.sources };
}

function expand(result: CompactResult): ProjectResult {
  return {
    diagnostics: result.diagnostics,
    sources: result.sources,
    evaluations: result.evaluations.map((e) => ({
      ...e,
      decisions: e.decisions.map(([at, rest]) => {
        const [policy, policyName, version] = result.policies[at]!;
        return { policy, ...(policyName !== null ? { policyName } : {}), ...(version !== null ? { version } : {}), ...rest };
      }),
    })),
  };
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
  options: { only?: readonly string[]; cacheDir?: string; lazy?: boolean } = {},
): Promise<{ targets: LintProjectTarget[]; diagnostics: Diagnostic[] }> {
  const targets: LintProjectTarget[] = [];
  const diagnostics: Diagnostic[] = [];
  const projects = (hub.config?.projects ?? []).filter((p) => !options.only || options.only.includes(p.slug));
  // Reads overlap (Git object reads wait on the disk), results keep oclhub.ocl's order.
  const read = await mapConcurrently(projects, READ_CONCURRENCY, async (project): Promise<LintProjectTarget | Diagnostic> => {
    if (options.lazy && hub.commit !== null && project.repository === undefined && project.path !== undefined) {
      const lazy = await lazyTarget(hub, project, hub.commit);
      if (lazy) return lazy;
    }
    const files = await hub.projectFiles(project, options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {});
    if ('error' in files) return { severity: 'error', code: 'HUB002', summary: files.error, file: 'oclhub.ocl', range: project.labelRange ?? project.headerRange };
    return { slug: project.slug, files: files.files, registered: project, ...(project.environments.length > 0 ? { environments: project.environments } : {}) };
  });
  for (const entry of read) {
    if ('severity' in entry) diagnostics.push(entry);
    else targets.push(entry);
  }
  return { targets, diagnostics };
}

const READ_CONCURRENCY = 8;

/** `items.map(fn)` with at most `limit` calls in flight; the results keep the items' order. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const at = next++;
      out[at] = await fn(items[at]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** An in-hub project listed by blob ids only (a tree walk), its files read on demand. */
async function lazyTarget(hub: Hub, project: HubProjectModel, commit: string): Promise<LintProjectTarget | undefined> {
  const folder = project.path!.replace(/^\.\//, '').replace(/\/+$/, '');
  try {
    const fileIds = new Map<string, string>();
    for (const entry of await hub.store.listFiles(commit, folder, { recursive: true })) {
      if (!entry.path.toLowerCase().endsWith('.ocl')) continue;
      if (entry.oid === null) return undefined;
      fileIds.set(entry.path, entry.oid);
    }
    const load = async () => {
      const files = new Map<string, string>();
      for (const file of fileIds.keys()) files.set(file, await hub.store.readTextFile(commit, file));
      return files;
    };
    return { slug: project.slug, files: new Map(), fileIds, load, registered: project, ...(project.environments.length > 0 ? { environments: project.environments } : {}) };
  } catch {
    return undefined; // projectFiles reports the problem
  }
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

/**
 * Where a decision points: the step its reason names (policies that list offending steps by slug),
 * else the process file as a whole.
 */
export function locateDecision(decision: Pick<PolicyDecision, 'reason' | 'error'>, built: BuiltInput, process: ResolvedProcess): DecisionLocation {
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
  if (best) return { file: best.file, range: best.range, step: best.step, ...(best.related.length > 0 ? { related: best.related } : {}) };
  return { file: process.file, range: WHOLE_FILE };
}

function diagnosticKey(d: Diagnostic): string {
  return `${d.code}\u0000${d.file ?? ''}\u0000${d.range?.start.offset ?? ''}\u0000${d.summary}`;
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

async function lintProject(hub: Hub, target: LintProjectTarget, policies: readonly PolicySource[], options: LintOptions): Promise<{ result: ProjectResult; evaluated: number }> {
  const environments = target.environments ?? hub.environments(target.registered);
  const resolution = await hub.resolveProject({ files: target.files, environments, ...(target.lock ? { lock: target.lock } : {}) });
  const diagnostics: Diagnostic[] = [...resolution.validation, ...resolution.diagnostics];
  if (target.lock) diagnostics.push(...hub.checkLock(target.lock, await hub.resolveProject({ files: target.files, environments })));
  const sources = new Map<string, string>();
  for (const [file, text] of target.files) sources.set(file, text.replace(/^\uFEFF/, ''));
  const deployment = resolution.processes.find((p) => p.kind === 'deployment_process');
  const evaluations: Evaluation[] = [];
  let evaluated = 0;
  if (deployment) {
    for (const usage of deployment.usages) {
      if (usage.templateFile === undefined || usage.version === undefined || usage.templateSlug === undefined || sources.has(usage.templateFile)) continue;
      const template = await hub.catalog.loadProcessTemplate(usage.templateSlug, usage.version);
      sources.set(usage.templateFile, template.text.replace(/^\uFEFF/, ''));
    }
    const steps: ProcessSteps = processSteps(deployment, target.slug);
    for (const context of projectContexts(hub.config, target, options)) {
      const request: ContextRequest = { project: target.slug, environment: context.environment, ...(context.tenant !== undefined ? { tenant: context.tenant } : {}), ...(options.release ? { release: options.release } : {}) };
      const built = contextFromConfig(hub.config, request);
      const evaluation: Evaluation = { project: target.slug, environment: context.environment, ...(context.tenant !== undefined ? { tenant: context.tenant } : {}), decisions: [] };
      if ('error' in built) {
        diagnostics.push({ severity: 'error', code: 'HUB003', summary: built.error, file: 'oclhub.ocl' });
        continue;
      }
      const input = buildInput(steps, built);
      for (const policy of policies) {
        const decision = decisionOf(evaluatePolicy(policy, input.input, policyOptions(hub, options.onError)));
        evaluated++;
        if (decision.outcome === 'violation' || decision.outcome === 'error') decision.location = locateDecision(decision, input, deployment);
        evaluation.decisions.push(decision);
      }
      evaluations.push(evaluation);
    }
  } else if (!resolution.diagnostics.some((d) => d.severity === 'error')) {
    diagnostics.push({ severity: 'warning', code: 'HUB004', summary: `Project "${target.slug}" has no deployment_process.ocl: nothing to evaluate`, ...(target.registered ? { file: 'oclhub.ocl', range: target.registered.headerRange } : {}) });
  }
  return { result: { diagnostics: dedupe(diagnostics), evaluations, sources: [...sources] }, evaluated };
}

/** How every policy is evaluated: the error action asked for, under the hub's `limits` (oclhub.ocl). */
function policyOptions(hub: Hub, onError: PolicyAction | undefined): EvaluatePolicyOptions {
  const out: EvaluatePolicyOptions = {};
  if (onError) out.onError = onError;
  if (hub.config?.limits) out.limits = hub.config.limits;
  return out;
}

function fileIdsOf(target: LintProjectTarget): string {
  const parts: string[] = [];
  const names = target.load && target.fileIds ? [...target.fileIds.keys()] : [...target.files.keys()];
  for (const file of names.sort()) parts.push(file, target.fileIds?.get(file) ?? sha([target.files.get(file)!]));
  return sha(parts);
}

/** Runs the lint over the hub (see the file comment). Never throws on repository content. */
export async function lintHub(hub: Hub, options: LintOptions = {}): Promise<LintRun> {
  const runCache = options.cacheDir ? await LintCache.open(options.cacheDir, 'lint-run') : undefined;
  const runKey = runCache && options.wholeRunCache !== false ? await wholeRunKey(hub, options) : undefined;
  const hit = runKey !== undefined ? runCache!.get<CompactResult & { cached: number }>(runKey) : undefined;
  let result: ProjectResult;
  let cached = 0;
  let evaluated = 0;
  let policies: PolicySource[] = [];
  if (hit) {
    result = expand(hit);
    cached = hit.cached;
  } else {
    const cache = options.cacheDir ? await LintCache.open(options.cacheDir) : undefined;
    const run = await lintUncached(hub, options, cache);
    result = run.result;
    cached = run.cached;
    evaluated = run.evaluated;
    policies = run.policies;
    await cache?.save();
    if (runKey !== undefined) {
      runCache!.set(runKey, { ...compact(result), cached: run.total });
      await runCache!.save();
    }
  }
  const diagnostics = [...result.diagnostics];
  const evaluations: Evaluation[] = [];
  const now = options.now ?? new Date();
  for (const evaluation of result.evaluations) {
    const applied = applyExceptions(evaluation.decisions, hub.config?.exceptions ?? [], { project: evaluation.project, environment: evaluation.environment, tenant: evaluation.tenant }, { now });
    diagnostics.push(...applied.diagnostics);
    evaluations.push({ ...evaluation, decisions: applied.decisions });
  }
  const report: LintReport = {
    tool: { name: 'oclhub', version: options.toolVersion ?? '0.0.0' },
    ...(hub.commit ? { hubRef: hub.commit } : {}),
    evaluations,
    diagnostics: dedupe(diagnostics).sort(compareDiagnostics),
    sources: new Map(result.sources),
    failOn: options.failOn ?? 'block',
  };
  return { report, cached, evaluated, policies };
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
    tags.join('\n'),
    options.onError ?? 'block',
    JSON.stringify(options.environments ?? []),
    JSON.stringify(options.tenants ?? []),
    JSON.stringify(options.release ?? null),
  ]);
}

async function lintUncached(hub: Hub, options: LintOptions, cache: LintCache | undefined): Promise<{ result: ProjectResult; cached: number; evaluated: number; total: number; policies: PolicySource[] }> {
  const diagnostics: Diagnostic[] = [...hub.configDiagnostics.filter((d) => d.severity !== 'info')];
  const active = await loadActivePolicies({ store: hub.store, ref: policyRef(hub, options.drafts), ...(hub.config ? { config: hub.config } : {}), ...(options.drafts ? { drafts: true } : {}) });
  diagnostics.push(...active.diagnostics.filter((d) => d.severity !== 'info'));
  const policies = active.policies;
  let targets = options.projects;
  if (!targets) {
    const registered = await registeredTargets(hub, { lazy: cache !== undefined });
    targets = registered.targets;
    diagnostics.push(...registered.diagnostics);
  }
  const tags = cache ? (await hub.store.listTags('process-templates/').catch(() => [] as string[])).sort() : [];
  const sharedKey = cache
    ? sha([
        ENGINE_VERSION,
        options.toolVersion ?? '',
        JSON.stringify(hub.config ?? null, (k, v) => (k.endsWith('Range') || k === 'range' || k === 'attributeRanges' ? undefined : v)),
        tags.join('\n'),
        ...policies.map((p) => `${p.slug}@${p.version ?? 'draft'}:${sha([p.text])}`),
        options.onError ?? 'block',
        JSON.stringify(options.environments ?? []),
        JSON.stringify(options.tenants ?? []),
        JSON.stringify(options.release ?? null),
      ])
    : '';
  const evaluations: Evaluation[] = [];
  const sources = new Map<string, string>();
  let cached = 0;
  let evaluated = 0;
  const keys = targets.map((target) => (cache ? sha([sharedKey, target.slug, fileIdsOf(target), JSON.stringify(target.environments ?? []), JSON.stringify(target.lock ?? null)]) : ''));
  const stored = keys.map((key) => cache?.get<CompactResult>(key));
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
  for (const [index, target] of targets.entries()) {
    const key = keys[index]!;
    let result: ProjectResult;
    const hit = stored[index];
    if (hit) {
      result = expand(hit);
      cached++;
    } else {
      prefetch(index);
      let loaded: LintProjectTarget;
      try {
        loaded = await loads.get(index)!;
        loads.delete(index);
        prefetch(index + 1);
      } catch (error) {
        const summary = `Cannot read project "${target.slug}": ${error instanceof Error ? error.message : String(error)}`;
        diagnostics.push({ severity: 'error', code: 'HUB002', summary, file: 'oclhub.ocl', ...(target.registered ? { range: target.registered.headerRange } : {}) });
        continue;
      }
      const run = await lintProject(hub, loaded, policies, options);
      result = run.result;
      evaluated += run.evaluated;
      cache?.set(key, compact(result));
    }
    diagnostics.push(...result.diagnostics);
    for (const [file, text] of result.sources) if (!sources.has(file)) sources.set(file, text);
    evaluations.push(...result.evaluations);
    options.progress?.(index + 1, targets.length, target.slug);
  }
  return { result: { diagnostics: dedupe(diagnostics), evaluations, sources: [...sources] }, cached, evaluated, total: targets.length, policies };
}

/** A project folder on disk as a lint target: slug from oclhub.ocl when registered, else the folder name. */
export function targetForFolder(hub: Hub, files: ReadonlyMap<string, string>, root: string, hubDir: string | undefined): LintProjectTarget {
  const registered = (hub.config?.projects ?? []).find((p) => {
    if (p.repository !== undefined && !/^https?:/i.test(p.repository) && hubDir !== undefined) return path.resolve(hubDir, p.repository) === root;
    if (p.path !== undefined && hubDir !== undefined) {
      const folder = path.resolve(hubDir, p.path);
      return [...files.keys()].some((f) => path.resolve(root, f).startsWith(folder + path.sep));
    }
    return false;
  });
  const slug = registered?.slug ?? path.basename(root);
  return { slug, files, ...(registered ? { registered } : {}), ...(registered && registered.environments.length > 0 ? { environments: registered.environments } : {}) };
}

export interface EvaluateTargetOptions {
  environment: string;
  tenant?: string;
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
  evaluation?: Evaluation;
  /** Whether the deployment may go ahead: no blocking violation or error, and no error diagnostic. */
  allowed: boolean;
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
  policies: PolicySource[];
}

function runbookName(files: ReadonlyMap<string, string>, file: string): string | undefined {
  const text = files.get(file);
  if (text === undefined) return undefined;
  const document = validateFile({ path: file, text }).document;
  return document?.kind === 'runbook' ? document.name : undefined;
}

/** One project in one context: the deployment gate (`oclhub evaluate`) and `oclhub input`. Never throws. */
export async function evaluateTarget(hub: Hub, given: LintProjectTarget, options: EvaluateTargetOptions): Promise<TargetEvaluation> {
  let target: LintProjectTarget;
  try {
    target = await withFiles(given);
  } catch (error) {
    const summary = `Cannot read project "${given.slug}": ${error instanceof Error ? error.message : String(error)}`;
    return { allowed: false, diagnostics: [{ severity: 'error', code: 'HUB002', summary }], sources: new Map(), policies: [] };
  }
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  for (const [file, text] of target.files) sources.set(file, text.replace(/^\uFEFF/, ''));
  let policies = options.policies ? [...options.policies] : undefined;
  if (!policies) {
    const active = await loadActivePolicies({ store: hub.store, ref: policyRef(hub, options.drafts), ...(hub.config ? { config: hub.config } : {}), ...(options.drafts ? { drafts: true } : {}) });
    diagnostics.push(...active.diagnostics.filter((d) => d.severity !== 'info'));
    policies = active.policies;
  }
  const fail = (): TargetEvaluation => ({ allowed: false, diagnostics: dedupe(diagnostics).sort(compareDiagnostics), sources, policies: policies! });
  const request: ContextRequest = {
    project: target.slug,
    environment: options.environment,
    ...(options.tenant !== undefined ? { tenant: options.tenant } : {}),
    ...(options.release ? { release: options.release } : {}),
    ...(options.skippedSteps ? { skippedSteps: options.skippedSteps } : {}),
    ...(options.requiresApproval !== undefined ? { requiresApproval: options.requiresApproval } : {}),
  };
  const environments = target.environments ?? hub.environments(target.registered);
  const resolution = await hub.resolveProject({ files: target.files, environments, ...(target.lock ? { lock: target.lock } : {}) });
  diagnostics.push(...resolution.diagnostics);
  const process = options.runbook !== undefined ? resolution.processes.find((p) => p.kind === 'runbook' && p.runbook === options.runbook) : resolution.processes.find((p) => p.kind === 'deployment_process');
  if (!process) {
    const runbooks = resolution.processes.filter((p) => p.kind === 'runbook').map((p) => p.runbook);
    diagnostics.push({
      severity: 'error',
      code: 'HUB005',
      summary: options.runbook !== undefined ? `Project "${target.slug}" has no runbook "${options.runbook}"${runbooks.length ? ` (runbooks: ${runbooks.join(', ')})` : ''}` : `Project "${target.slug}" has no deployment process`,
    });
    return fail();
  }
  if (options.runbook !== undefined) {
    request.runbook = { slug: options.runbook, name: runbookName(target.files, process.file) ?? options.runbook, ...(options.runbookGitRef !== undefined ? { gitRef: options.runbookGitRef } : {}) };
    delete request.release;
  }
  const context = contextFromConfig(hub.config, request);
  if ('error' in context) {
    diagnostics.push({ severity: 'error', code: 'HUB003', summary: context.error });
    return fail();
  }
  for (const usage of process.usages) {
    if (usage.templateFile === undefined || usage.version === undefined || usage.templateSlug === undefined || sources.has(usage.templateFile)) continue;
    sources.set(usage.templateFile, (await hub.catalog.loadProcessTemplate(usage.templateSlug, usage.version)).text.replace(/^\uFEFF/, ''));
  }
  const input = buildInput(process, context);
  const decisions = policies.map((policy) => {
    const decision = decisionOf(evaluatePolicy(policy, input.input, policyOptions(hub, options.onError)));
    if (decision.outcome === 'violation' || decision.outcome === 'error') decision.location = locateDecision(decision, input, process);
    return decision;
  });
  const applied = applyExceptions(decisions, hub.config?.exceptions ?? [], { project: target.slug, environment: options.environment, tenant: options.tenant }, { now: options.now ?? new Date() });
  diagnostics.push(...applied.diagnostics);
  const evaluation: Evaluation = { project: target.slug, environment: options.environment, ...(options.tenant !== undefined ? { tenant: options.tenant } : {}), decisions: applied.decisions };
  const blocked = applied.decisions.some((d) => (d.outcome === 'violation' || d.outcome === 'error') && d.action === 'block');
  const broken = resolution.diagnostics.some((d) => d.severity === 'error');
  return { input, evaluation, allowed: !blocked && !broken, diagnostics: dedupe(diagnostics).sort(compareDiagnostics), sources, policies };
}

