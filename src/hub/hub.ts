/**
 * The hub façade: every surface (CLI, API, web) opens a hub here and calls these methods, so no
 * surface holds logic of its own. A hub is a Git repository (local folder or remote URL) read at one
 * ref: its `oclhub.ocl`, its published versions (tags), and the projects it evaluates.
 * User input never throws out of here: failures come back as diagnostics.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { compareDiagnostics, type Diagnostic, type SourceRepository } from '../diagnostics.js';
import { GitErrorCode, isGitStoreError, isomorphicGit, openRemote, openRepository, parseHubUrl, type GitStore, type ObjectCache } from '../git/index.js';
import { findRepositoryRoot } from '../git/find-root.js';
import { DEFAULT_BASE_PATH } from '../model/build.js';
import { folderPath, hubBase, invalidProjectPathSummary, type HubBase } from '../model/folder-path.js';
import { suggest } from '../model/suggest.js';
import { scopeReferenceChecks } from '../model/validate.js';
import type { HubConfigDocument, HubProjectModel } from '../model/types.js';
import { kindFolder, notReadWithoutBase, TemplateCatalog, type CatalogStore, type LoadedTemplate, type PublishedVersion } from '../templates/catalog.js';
import { buildLock, compareLock, LOCK_FILE_NAME, outdated, pinsFromLock, type LockFile, type OutdatedEntry } from '../templates/lock.js';
import { resolveFiles, usageKey, type ProjectResolution } from '../templates/project.js';
import { publishTemplate, readTemplateFiles, type PublishRequest, type PublishResult } from '../templates/publish.js';
import { tplDiagnostic } from '../templates/resolve-codes.js';
import type { Publisher } from '../templates/tag-message.js';
import type { TemplateKind } from '../templates/version-tags.js';
import { newestOverall } from '../templates/version-mask.js';
import { evaluateTarget, lintHub, registeredTargets, type EvaluateTargetOptions, type LintOptions, type LintProjectTarget, type LintRun, type TargetEvaluation } from '../lint/engine.js';
import type { HubDiff } from '../lint/diff.js';
import { diffHubRefs } from './diff.js';
import { templateConsumers, type TemplateConsumers } from './consumers.js';
import { hubPolicyTests, type HubPolicyTests } from './policy-tests.js';
import { isProjectFile, ownsProjectFile, projectFoldersOf } from '../lint/project-files.js';
import { HUB_REPOSITORY_ID, projectRepositoryId, type LintWorkerEntry, type LintWorkerSource, type ProjectRead } from '../lint/hub-view.js';
import { defaultFs } from '../git/repo.js';
import { oclWorktreeMatches } from '../lint/worktree.js';
import { validatedConfig, type ConfigCacheOptions } from './config-cache.js';
import { lintDiagnostic, type LintCode } from '../lint/codes.js';
import type { OctopusInput } from '../policy/input.js';
import { contextStatus, isFinding, type ContextStatus, type PolicyDecision } from '../report/lint-report.js';

export interface OpenHubOptions {
  /** A local hub repository (working copy or bare). */
  dir?: string;
  /** A remote hub: `https://host/repo.git` or `https://host/repo.git#<ref>`. */
  url?: string;
  /** Branch, tag or commit to read (default: HEAD for a folder, the remote's default branch for a URL). */
  ref?: string;
  /** Where remote hubs are cloned (required with `url`). */
  cacheDir?: string;
  /** Use a cached remote clone without contacting the remote. */
  offline?: boolean;
  /**
   * See only the template versions published at or before the ref (tags on the ref's commit or its
   * ancestors), as the hub looked then; default: every published version (tags are global in Git).
   */
  templatesAsOfRef?: boolean;
  /**
   * Local commands' default: with no `ref`, read the working tree when it differs from HEAD (and HEAD
   * when it does not, so that results can be cached by commit). Ignored for remote and bare hubs.
   */
  workingTree?: boolean;
  /** Where `workingTree` remembers what it verified, so an unchanged tree is checked by stat alone. */
  worktreeStateDir?: string;
  /** Git objects already read by the caller (equal ids are equal content), for a local hub. */
  objectCache?: ObjectCache;
  /**
   * The commit whose OCL files the caller found the working tree to hold (`workingTree`), checked just
   * before (lint's report key): when HEAD is still that commit, the check is not made again.
   */
  worktreeVerified?: string;
  /** Where oclhub.ocl, once validated, is kept for the next run with the same text (hub/config-cache.ts). */
  configCache?: ConfigCacheOptions;
}


export interface ComplianceRow {
  project: string;
  environment: string;
  tenant?: string;
  /** See `ContextStatus`: error (not decided), blocked, inconclusive, warned or allowed. */
  status: ContextStatus;
  /** Violations, errors, inconclusive and excepted decisions. */
  findings: PolicyDecision[];
  /** Every active policy's outcome in this context (passes and out-of-scope ones included), by policy slug. */
  outcomes: Record<string, PolicyDecision['outcome']>;
  /** Why the context could not be decided (status `error` without an error decision). */
  errors?: Diagnostic[];
}

export interface ComplianceMatrix {
  hubRef?: string;
  rows: ComplianceRow[];
  diagnostics: Diagnostic[];
  /** Diagnostics a rule setting turned off. */
  suppressed: Diagnostic[];
}

export interface OpenHubResult {
  hub?: Hub;
  diagnostics: Diagnostic[];
}

export interface TemplateSummary {
  kind: TemplateKind;
  slug: string;
  /** Published versions, ascending. */
  versions: string[];
  latest?: string;
  latestStable?: string;
  /** Whether the hub ref holds the template's file (it may be unpublished). */
  inRef: boolean;
}

export interface ResolveProjectOptions {
  /** A project folder on disk (its repository root, `.octopus`, or a folder holding `.octopus`). */
  projectDir?: string;
  /** Or the project's OCL files by path. */
  files?: ReadonlyMap<string, string>;
  /** Environments for account-parameter coverage (default: the hub's environments). */
  environments?: readonly string[];
  /** Resolve to the versions in this lock instead of floating. */
  lock?: LockFile;
}

export interface HubProjectResolution extends ProjectResolution {
  /** The folder paths are relative to (the project repository root), for `projectDir`. */
  root?: string;
}

export interface ImpactUsage {
  file: string;
  usage: string;
  mask?: string;
  before?: string;
  after?: string;
  /** The usage's mask takes the new version. */
  floats: boolean;
}

export interface ImpactEntry {
  project: string;
  name: string;
  usages: ImpactUsage[];
  /** Errors the new version would cause that the project does not have today. */
  newDiagnostics: Diagnostic[];
  /** The project could not be read. */
  error?: string;
}

export interface HubPublishRequest extends Omit<PublishRequest, 'publisher'> {
  /** Default: the Git author identity (GIT_AUTHOR_NAME/EMAIL, then git config user.name/email). */
  publisher?: Publisher;
  env?: NodeJS.ProcessEnv;
}

export interface HubPublishResult extends PublishResult {
  /** For a dry run of a process template: every registered project's view of the new version. */
  impact?: ImpactEntry[];
}

const WORKER_OBJECT_CACHE_BYTES = 8 << 20;

/** What a lint worker thread needs to open a hub (`Hub.lintWorker`, `Hub.forWorker`). */
export interface HubWorkerSource {
  store: { dir: string | null; gitdir: string; bare: boolean };
  location: string;
  ref: string;
  commit: string | null;
  dir?: string;
  config?: HubConfigDocument;
  basePath: HubBase;
  templatesAsOfRef: boolean;
  readsWorkingTree: boolean;
}

/**
 * The lint worker's entry module. In the CLI bundles (scripts/bundle-cli.mjs) every module's
 * `import.meta.url` names its twin in dist/, so each bundle defines where its worker entry is relative
 * to that twin: for the ES-module bundle, its own lint-worker module; for the one-file script that
 * bin/oclhub.js runs with the V8 code cache (`OCLHUB_CODE_CACHED_BUNDLE`: that script's URL),
 * src/startup/lint-worker.ts (bundled as dist/bundle/lint-worker.cjs), which runs the same script with the same code cache, so that the worker
 * compiles none of what the lint's last run compiled (see that module). Elsewhere (dist/, tsx, vitest)
 * it is this folder's lint-worker module.
 */
declare const OCLHUB_BUNDLED_LINT_WORKER: string | undefined;
declare const OCLHUB_CODE_CACHED_BUNDLE: string | undefined;
const LINT_WORKER: LintWorkerEntry = {
  entry: new URL(typeof OCLHUB_BUNDLED_LINT_WORKER === 'string' ? OCLHUB_BUNDLED_LINT_WORKER : './lint-worker.js', import.meta.url),
  ...(typeof OCLHUB_CODE_CACHED_BUNDLE === 'string' ? { workerData: { bundle: OCLHUB_CODE_CACHED_BUNDLE } } : {}),
};

/** How this build starts a lint worker thread, before any hub is open (the CLI starts one early: see src/lint/workers/early.ts). */
export function lintWorkerEntry(): LintWorkerEntry {
  return LINT_WORKER;
}

export async function openHub(options: OpenHubOptions): Promise<OpenHubResult> {
  let store: GitStore;
  let ref = options.ref;
  let location: string;
  try {
    if (options.url !== undefined) {
      const parsed = parseHubUrl(options.url);
      ref = ref ?? parsed.ref;
      if (!options.cacheDir) return { diagnostics: [hubError('A cache folder is required to open a remote hub')] };
      const remote = await openRemote({ url: parsed.url, ...(ref !== undefined ? { ref } : {}), cacheDir: options.cacheDir, ...(options.offline ? { offline: true } : {}) });
      store = remote.store;
      ref = remote.resolved.oid ?? remote.ref;
      location = parsed.url;
    } else if (options.dir !== undefined) {
      store = await openRepository({ dir: options.dir, ...(options.objectCache ? { cache: options.objectCache } : {}) });
      location = options.dir;
      if (ref === undefined && options.workingTree && !(await readsAsCommit(store, options.dir, options.worktreeStateDir, options.worktreeVerified))) ref = 'WORKTREE';
    } else {
      return { diagnostics: [hubError('Name a hub: a folder (dir) or a URL')] };
    }
  } catch (error) {
    return { diagnostics: [hubError(`Cannot open hub ${options.url ?? options.dir}: ${messageOf(error)}`)] };
  }
  const hub = new Hub(store, location, ref ?? 'HEAD', options.dir);
  if (options.configCache) hub.configCache = options.configCache;
  if (options.templatesAsOfRef) hub.templatesAsOfRef = true;
  if (options.workingTree && options.ref === undefined) hub.readsWorkingTree = true;
  const diagnostics = await hub.load();
  if (diagnostics.some((d) => d.code === GitErrorCode.RefNotFound || d.code === GitErrorCode.InvalidRefName)) return { diagnostics };
  return { hub, diagnostics };
}

export class Hub {
  /** The commit the hub is read at, or null when it reads the working tree (no commit yet). */
  commit: string | null = null;
  /**
   * The folder of policies and templates: `base_path` read by the one rule for configured folders
   * (`hubBase`), so every spelling of one folder is that folder (`''` the root). When it names none
   * (SEM037 among `configDiagnostics`), why and where, and nothing of the hub's content is read.
   */
  basePath: HubBase = DEFAULT_BASE_PATH;
  config?: HubConfigDocument;
  configDiagnostics: Diagnostic[] = [];
  catalog!: TemplateCatalog;
  /** See OpenHubOptions.templatesAsOfRef. */
  templatesAsOfRef = false;
  /** Whether the ref holds an oclhub.ocl (it may still fail to parse: see `configErrors`). */
  hasConfigFile = false;
  /** Opened with `workingTree`: local project repositories without a ref are read from their working trees too. */
  readsWorkingTree = false;
  /** See OpenHubOptions.configCache. */
  configCache?: ConfigCacheOptions;
  /**
   * For long-lived servers that keep one file map per project commit (src/api): `resolveProject` of
   * the same map object returns the same resolution until `refreshTemplates()` (new tags may resolve
   * a mask to a new version). Treat a reused resolution as read-only.
   */
  reuseResolutions = false;
  private resolutions = new WeakMap<ReadonlyMap<string, string>, Map<string, Promise<HubProjectResolution>>>();

  constructor(
    readonly store: GitStore,
    /** The folder or URL the hub was opened from. */
    readonly location: string,
    readonly ref: string,
    private readonly dir?: string,
  ) {}

  /** Reads oclhub.ocl at the ref. Called by openHub. */
  async load(): Promise<Diagnostic[]> {
    let readRef = this.ref;
    try {
      this.commit = (await this.store.resolveRef(this.ref)).oid;
    } catch (error) {
      if (this.ref === 'HEAD' && !this.store.bare) readRef = 'WORKTREE';
      else {
        this.catalog = new TemplateCatalog(this.store, this.basePath);
        // An unknown or malformed ref is said as such (with did-you-mean), and openHub opens no hub.
        if (isGitStoreError(error, GitErrorCode.RefNotFound) || isGitStoreError(error, GitErrorCode.InvalidRefName)) return [{ severity: 'error', code: error.code, summary: error.message }];
        return [hubError(`Cannot read hub ref ${this.ref}: ${messageOf(error)}`)];
      }
    }
    const at = this.commit ?? readRef;
    try {
      if ((await this.store.pathType(at, 'oclhub.ocl')) === 'file') {
        this.hasConfigFile = true;
        const text = await this.store.readTextFile(at, 'oclhub.ocl');
        const checked = await validatedConfig(text, this.configCache);
        this.configDiagnostics = checked.diagnostics;
        if (checked.document) {
          this.config = checked.document;
          this.basePath = hubBase(checked.document);
        }
      }
    } catch (error) {
      // A corrupt repository is not "no oclhub.ocl": it fails the whole operation (CLI exit 2, HTTP 503).
      if (isGitStoreError(error, GitErrorCode.ObjectUnreadable)) throw error;
      this.configDiagnostics = [hubError(`Cannot read oclhub.ocl at ${this.ref}: ${messageOf(error)}`)];
    }
    this.catalog = this.newCatalog();
    return this.configDiagnostics;
  }

  private newCatalog(): TemplateCatalog {
    return new TemplateCatalog(this.templatesAsOfRef && this.commit !== null ? tagsReachableFrom(this.store, this.commit) : this.store, this.basePath);
  }

  /** How a lint worker thread opens this hub (see `openHubForWorker`); undefined for a repository on another file system. */
  lintWorker(): LintWorkerSource | undefined {
    if (this.store.fs !== defaultFs) return undefined;
    const source: HubWorkerSource = {
      store: { dir: this.store.dir, gitdir: this.store.gitdir, bare: this.store.bare },
      location: this.location,
      ref: this.ref,
      commit: this.commit,
      ...(this.dir !== undefined ? { dir: this.dir } : {}),
      ...(this.config ? { config: this.config } : {}),
      basePath: this.basePath,
      templatesAsOfRef: this.templatesAsOfRef,
      readsWorkingTree: this.readsWorkingTree,
    };
    return { ...LINT_WORKER, hub: source };
  }

  /** Takes the state `load` read in the thread that started a worker (see `openHubForWorker`). */
  private adopt(source: HubWorkerSource): this {
    this.commit = source.commit;
    if (source.config) this.config = source.config;
    this.basePath = source.basePath;
    this.templatesAsOfRef = source.templatesAsOfRef;
    this.readsWorkingTree = source.readsWorkingTree;
    this.catalog = this.newCatalog();
    return this;
  }

  /**
   * The hub a lint worker thread reads: the same repository and commit as the thread that started it,
   * and the oclhub.ocl that thread read (not read again: a working tree may have changed since).
   */
  static async forWorker(source: HubWorkerSource): Promise<Hub> {
    // A worker reads each project's files once: a small object cache (the default holds 64 MiB) keeps its heap small.
    const store = await openRepository({ dir: source.store.dir ?? source.store.gitdir, gitdir: source.store.gitdir, bare: source.store.bare, cacheBytes: WORKER_OBJECT_CACHE_BYTES });
    return new Hub(store, source.location, source.ref, source.dir).adopt(source);
  }

  /**
   * The errors that kept oclhub.ocl from being read (a syntax error, an unreadable file), when the ref
   * has one but `config` could not be built from it; every command reports these instead of "no oclhub.ocl".
   */
  get configErrors(): Diagnostic[] {
    if (this.config) return [];
    return this.configDiagnostics.filter((d) => d.severity === 'error');
  }

  /** The ref reads go to: the pinned commit, or WORKTREE for a repository without commits. */
  private get readRef(): string {
    return this.commit ?? 'WORKTREE';
  }

  /** Templates of a kind: those published (tags) and those present at the hub ref. */
  async listTemplates(kind: TemplateKind): Promise<TemplateSummary[]> {
    const slugs = new Set(await this.catalog.slugs(kind));
    const inRef = new Set<string>();
    // With no base folder, no file is looked for (SEM037 says why): none is said to be in the ref.
    const folder = typeof this.basePath === 'string' ? kindFolder(this.basePath, kind) : undefined;
    const listed = folder === undefined ? [] : await this.store.listFiles(this.readRef, folder, { recursive: true }).catch(() => []); // no folder for this kind at the ref
    for (const entry of listed) {
      if (!entry.path.toLowerCase().endsWith('.ocl')) continue;
      const parts = entry.path.slice(folder!.length + 1).split('/');
      // <slug>.ocl, or the library layout <slug>/<slug>.ocl; project templates are folders.
      const slug = kind === 'project-templates' ? parts[0]! : parts.length === 1 ? parts[0]!.replace(/\.ocl$/i, '') : parts[0]!;
      if (kind !== 'project-templates' && parts.length > 2) continue;
      inRef.add(slug);
      slugs.add(slug);
    }
    const out: TemplateSummary[] = [];
    for (const slug of [...slugs].sort()) {
      const versions = await this.catalog.versions(kind, slug);
      const summary: TemplateSummary = { kind, slug, versions, inRef: inRef.has(slug) };
      if (versions.length > 0) summary.latest = versions[versions.length - 1]!;
      const stable = newestOverall(versions);
      if (stable !== undefined) summary.latestStable = stable;
      out.push(summary);
    }
    return out;
  }

  /** Published versions with tag details (date, notes, publisher, pre-release flag), ascending. */
  async versions(kind: TemplateKind, slug: string): Promise<{ versions: PublishedVersion[]; diagnostics: Diagnostic[] }> {
    try {
      return { versions: await this.catalog.history(kind, slug), diagnostics: [] };
    } catch (error) {
      return { versions: [], diagnostics: [hubError(`Cannot read the versions of ${slug}: ${messageOf(error)}`)] };
    }
  }

  /**
   * The files of one published version, read at its tag (policies at their `active_version`, a
   * project template's folder, a process template's file).
   */
  async publishedFiles(
    kind: TemplateKind,
    slug: string,
    version: string,
  ): Promise<{ tag: string; commit: string; files: { path: string; text: string }[]; diagnostics: Diagnostic[] }> {
    const tag = `${kind}/${slug}/v${version}`;
    const base = this.basePath;
    if (typeof base !== 'string') return { tag, commit: '', files: [], diagnostics: [notReadWithoutBase('TPL104', `${slug} ${version}`, base)] };
    try {
      const info = await this.catalog.versionInfo(kind, slug, version);
      const read = await readTemplateFiles(this.store, info.commit, base, kind, slug);
      if (!read) return { tag, commit: info.commit, files: [], diagnostics: [tplDiagnostic('TPL104', `${slug} ${version} has no files at tag ${tag}`)] };
      return { tag, commit: info.commit, files: read.files.map((f) => ({ path: f.path, text: f.text })), diagnostics: [] };
    } catch (error) {
      return { tag, commit: '', files: [], diagnostics: [tplDiagnostic('TPL104', `Cannot read ${tag}: ${messageOf(error)}`)] };
    }
  }

  /** The environment slugs oclhub.ocl declares (account-parameter coverage is checked against them). */
  environments(project?: HubProjectModel): string[] {
    if (project && project.environments.length > 0) return [...project.environments];
    return (this.config?.environments ?? []).map((e) => e.slug);
  }

  /** Forgets the tag listing and every resolution made with it (see `reuseResolutions`). */
  refreshTemplates(): void {
    this.catalog.refresh();
    this.resolutions = new WeakMap();
  }

  /** Resolves a project's processes against the published templates. */
  resolveProject(options: ResolveProjectOptions): Promise<HubProjectResolution> {
    const files = options.files;
    if (!this.reuseResolutions || files === undefined || options.lock !== undefined || options.projectDir !== undefined) return this.resolveProjectNow(options);
    let byEnvironments = this.resolutions.get(files);
    if (!byEnvironments) this.resolutions.set(files, (byEnvironments = new Map()));
    const key = (options.environments ?? this.environments()).join('\u0000');
    let resolution = byEnvironments.get(key);
    if (!resolution) {
      const made = this.resolveProjectNow(options);
      resolution = made;
      byEnvironments.set(key, made);
      made.catch(() => byEnvironments!.get(key) === made && byEnvironments!.delete(key));
    }
    return resolution;
  }

  private async resolveProjectNow(options: ResolveProjectOptions): Promise<HubProjectResolution> {
    let files = options.files;
    let root: string | undefined;
    if (!files) {
      if (options.projectDir === undefined) return { processes: [], diagnostics: [hubError('Name a project folder or give its files')], validation: [] };
      const read = await readProjectDir(options.projectDir);
      if ('error' in read) return { processes: [], diagnostics: [hubError(read.error)], validation: [] };
      files = read.files;
      root = read.root;
    }
    const environments = options.environments ?? this.environments();
    const resolution = await resolveFiles({
      catalog: this.catalog,
      files,
      ...(environments.length > 0 ? { environments } : {}),
      ...(options.lock ? { pinned: pinsFromLock(options.lock) } : {}),
    });
    // Environments and tenant tags the project scopes to that oclhub.ocl does not know (SEM039, SEM040), as
    // `validate --hub` reports them: a typo in `environments` silently drops a step from every context.
    if (this.config && resolution.documents) {
      const scopes = scopeReferenceChecks(
        resolution.documents.map((d) => ({ path: d.file, document: d.document })),
        this.config,
      );
      if (scopes.length > 0) resolution.validation.push(...scopes);
    }
    return root === undefined ? resolution : { ...resolution, root };
  }

  /** Resolves a project registered in oclhub.ocl by slug (its folder in the hub, or its own repository). */
  async resolveRegisteredProject(slug: string, options: { cacheDir?: string; lock?: LockFile } = {}): Promise<HubProjectResolution> {
    const project = this.config?.projects.find((p) => p.slug === slug);
    if (!project) {
      const known = (this.config?.projects ?? []).map((p) => p.slug);
      return { processes: [], diagnostics: [hubError(`No project "${slug}" in oclhub.ocl${known.length ? ` (projects: ${known.join(', ')})` : ''}`)], validation: [] };
    }
    const read = await this.projectFiles(project, options);
    if ('error' in read) return { processes: [], diagnostics: [hubError(read.error)], validation: [] };
    return this.resolveProject({ files: read.files, environments: this.environments(project), ...(options.lock ? { lock: options.lock } : {}) });
  }

  /** The OCL files of a project registered in oclhub.ocl, by path relative to the project folder's repository. */
  async projectFiles(project: HubProjectModel, options: { cacheDir?: string } = {}): Promise<{ files: Map<string, string> } | { error: string }> {
    const read = await this.readProject(project, options);
    const problem = read.problems.find((d) => d.severity === 'error');
    return problem ? { error: problem.summary } : { files: read.files };
  }

  /** The repository the hub is read from, as findings name it (one object per commit: findings share it). */
  get repository(): SourceRepository {
    if (!this.repositoryMemo || this.repositoryMemo.commit !== (this.commit ?? undefined)) {
      this.repositoryMemo = {
        id: HUB_REPOSITORY_ID,
        location: this.location,
        ...(this.commit !== null ? { commit: this.commit } : {}),
        // The ref the user named; a commit id (the API's hubs at a commit) says nothing `commit` does not.
        ...(this.ref !== 'HEAD' && this.ref !== 'WORKTREE' && this.ref !== this.commit ? { ref: this.ref } : {}),
      };
    }
    return this.repositoryMemo;
  }

  private repositoryMemo: SourceRepository | undefined;

  /**
   * A registered project read in full: its folder's files (the folder's own files and `runbooks/`; a
   * sub-folder holding project files is another project), the repository they are read from, with
   * `lock` the repository's `oclhub.lock.json`, and, for a repository of its own, its `oclhub.ocl`
   * (rule settings). A folder that does not exist or holds no project files is a problem with a
   * did-you-mean, never an empty project. Never throws.
   */
  async readProject(project: HubProjectModel, options: { cacheDir?: string; lock?: boolean } = {}): Promise<ProjectRead> {
    const range = project.labelRange ?? project.headerRange;
    const at = { file: 'oclhub.ocl', ...(range ? { range } : {}), project: project.slug, repository: this.repository };
    const fail = (summary: string, code: LintCode = 'HUB002', repository?: SourceRepository): ProjectRead => ({
      files: new Map(),
      repository: repository ?? this.repository,
      problems: [lintDiagnostic(code, summary, at)],
    });
    if (project.repository === undefined && project.path === undefined) return fail(`Project "${project.slug}" has neither path nor repository`);
    const checked = folderPath(project.path);
    if (!checked.valid) return fail(invalidProjectPathSummary(project, checked.reason));
    const folder = checked.folder;
    let store: GitStore;
    let ref: string;
    let repository: SourceRepository;
    try {
      if (project.repository === undefined) {
        store = this.store;
        ref = this.readRef;
        repository = this.repository;
      } else if (/^https?:\/\//i.test(project.repository)) {
        if (!options.cacheDir) return fail(`Project "${project.slug}" lives in ${project.repository}: a cache folder is needed to read it`);
        const remote = await openRemote({ url: project.repository, ...(project.ref ? { ref: project.ref } : {}), cacheDir: options.cacheDir });
        store = remote.store;
        ref = remote.resolved.oid ?? remote.ref;
        repository = { id: projectRepositoryId(this.config?.projects ?? [], project), location: project.repository, ...(remote.resolved.oid ? { commit: remote.resolved.oid } : {}), ...(project.ref ? { ref: project.ref } : {}) };
      } else {
        store = await openRepository({ dir: path.resolve(this.dir ?? process.cwd(), project.repository) });
        ref = project.ref ?? 'HEAD';
        // A local command reading the hub's working tree reads a sibling repository's working tree too, when it has changes.
        if (project.ref === undefined && this.readsWorkingTree && !(await readsAsCommit(store, store.dir ?? ''))) ref = 'WORKTREE';
        const resolved = await store.resolveRef(ref);
        ref = resolved.oid ?? 'WORKTREE';
        repository = { id: projectRepositoryId(this.config?.projects ?? [], project), location: project.repository, ...(resolved.oid ? { commit: resolved.oid } : {}), ...(project.ref ? { ref: project.ref } : {}) };
      }
    } catch (error) {
      return fail(`Cannot read project "${project.slug}" from ${project.repository ?? this.location}${project.ref ? ` at ${project.ref}` : ''}: ${messageOf(error)}`);
    }
    try {
      const listed = await projectFolderFiles(store, ref, folder);
      if (listed.kind !== 'project') {
        const where = project.repository === undefined ? 'the hub' : project.repository;
        const what = listed.kind === 'missing' ? `does not exist in ${where}` : `holds no Octopus project files (deployment_process.ocl, variables.ocl, runbooks/…)`;
        let hint = '';
        if (listed.nested.length > 0) hint = ` It holds the project folder${listed.nested.length > 1 ? 's' : ''} ${listed.nested.join(', ')}: register ${listed.nested.length > 1 ? 'each' : 'it'} with its own path.`;
        else {
          const near = suggest(folder, await projectFolders(store, ref));
          if (near !== undefined) hint = ` Did you mean path = "${near}"?`;
        }
        const code: LintCode = listed.kind === 'missing' ? 'HUB040' : 'HUB041';
        return fail(`Project "${project.slug}": path "${folder}" ${what}.${hint}`, code, repository);
      }
      const files = new Map<string, string>();
      for (const file of listed.files) files.set(file, await store.readTextFile(ref, file));
      const out: ProjectRead = { files, repository, problems: [] };
      const lockText = options.lock ? await readOptional(store, ref, LOCK_FILE_NAME) : undefined;
      if (lockText !== undefined) out.lockText = lockText;
      if (project.repository !== undefined) {
        const settingsText = await readOptional(store, ref, 'oclhub.ocl');
        if (settingsText !== undefined) out.settingsText = settingsText;
      }
      return out;
    } catch (error) {
      return fail(`Cannot read project "${project.slug}": ${messageOf(error)}`, 'HUB002', repository);
    }
  }

  /**
   * For every project registered in oclhub.ocl: whether its usages of the candidate's template float
   * onto the candidate version, and which errors it would newly have.
   */
  async impact(candidate: LoadedTemplate, options: { cacheDir?: string } = {}): Promise<ImpactEntry[]> {
    const after = this.catalog.withCandidate(candidate);
    const out: ImpactEntry[] = [];
    for (const project of this.config?.projects ?? []) {
      const entry: ImpactEntry = { project: project.slug, name: project.name, usages: [], newDiagnostics: [] };
      const read = await this.projectFiles(project, options);
      if ('error' in read) {
        entry.error = read.error;
        out.push(entry);
        continue;
      }
      const environments = this.environments(project);
      const common = { files: read.files, ...(environments.length > 0 ? { environments } : {}) };
      const before = await resolveFiles({ catalog: this.catalog, ...common });
      const next = await resolveFiles({ catalog: after, ...common });
      const previous = new Map<string, string | undefined>();
      for (const p of before.processes) for (const u of p.usages) previous.set(usageKey(p.file, u.slug), u.version);
      for (const p of next.processes) {
        for (const u of p.usages) {
          if (u.templateSlug !== candidate.slug) continue;
          const usage: ImpactUsage = { file: p.file, usage: u.slug, floats: u.version === candidate.version };
          if (u.mask !== undefined) usage.mask = u.mask;
          const was = previous.get(usageKey(p.file, u.slug));
          if (was !== undefined) usage.before = was;
          if (u.version !== undefined) usage.after = u.version;
          entry.usages.push(usage);
        }
      }
      const known = new Set(before.diagnostics.map(diagnosticKey));
      entry.newDiagnostics = next.diagnostics.filter((d) => d.severity === 'error' && !known.has(diagnosticKey(d)));
      out.push(entry);
    }
    return out;
  }

  /** Publishes a template version (see templates/publish.ts); a dry run of a process template adds the impact preview. */
  async publish(request: HubPublishRequest, options: { cacheDir?: string } = {}): Promise<HubPublishResult> {
    const publisher = request.publisher ?? (await this.defaultPublisher(request.env ?? process.env));
    if (!publisher) {
      return {
        ok: false,
        published: false,
        dryRun: request.dryRun === true,
        kind: request.kind,
        slug: request.slug,
        ref: request.ref ?? 'HEAD',
        files: [],
        diagnostics: [tplDiagnostic('TPL207', 'No publisher identity: set GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL, or git config user.name and user.email')],
      };
    }
    const { env: _env, publisher: _publisher, ...rest } = request;
    const result: HubPublishResult = await publishTemplate(this.store, this.catalog, { ...rest, publisher });
    // publishTemplate refreshed the catalog: resolutions made before may float onto the new version.
    this.resolutions = new WeakMap();
    // A refused dry run still shows the impact: it is what the publisher needs to decide on --force.
    if (result.dryRun && result.candidate) result.impact = await this.impact(result.candidate, options);
    return result;
  }

  /** The Git author identity: GIT_AUTHOR_NAME/EMAIL, then the repository's and the user's git config. */
  async defaultPublisher(env: NodeJS.ProcessEnv): Promise<Publisher | undefined> {
    let name = env.GIT_AUTHOR_NAME;
    let email = env.GIT_AUTHOR_EMAIL;
    if (!name || !email) {
      try {
        const git = await isomorphicGit();
        const fromRepo = async (key: string) => (await git.getConfig({ fs: this.store.fs as never, gitdir: this.store.gitdir, path: key })) as string | undefined;
        name = name || (await fromRepo('user.name'));
        email = email || (await fromRepo('user.email'));
      } catch {
        // No readable repository config.
      }
    }
    if (!name || !email) {
      const global = await readGlobalGitIdentity(env);
      name = name || global.name;
      email = email || global.email;
    }
    return name && email ? { name, email } : undefined;
  }

  /** Lints projects × environments (× tenants) against the active policies: see lint/engine.ts. */
  lint(options: LintOptions = {}): Promise<LintRun> {
    return lintHub(this, options);
  }

  /** The deployment gate for one project in one context: decisions, input and whether it may deploy. */
  evaluate(target: LintProjectTarget, options: EvaluateTargetOptions): Promise<TargetEvaluation> {
    return evaluateTarget(this, target, options);
  }

  /** The Octopus policy input for one project in one context (undefined with diagnostics when it cannot be built). */
  async policyInput(target: LintProjectTarget, options: EvaluateTargetOptions): Promise<{ input?: OctopusInput; diagnostics: Diagnostic[] }> {
    const result = await evaluateTarget(this, target, { ...options, policies: [] });
    return { ...(result.input ? { input: result.input.input } : {}), diagnostics: result.diagnostics };
  }

  /** Every project registered in oclhub.ocl as a lint target (files read at the hub ref). */
  registeredTargets(options: { only?: readonly string[]; cacheDir?: string } = {}): Promise<{ targets: LintProjectTarget[]; diagnostics: Diagnostic[] }> {
    return registeredTargets(this, options);
  }

  /**
   * The compliance matrix: for every registered project × environment (× tenant), whether a deployment
   * would be allowed, warned or blocked, with the findings behind it.
   */
  async compliance(options: LintOptions = {}): Promise<ComplianceMatrix> {
    const run = await lintHub(this, options);
    const rows = run.report.evaluations.map((evaluation): ComplianceRow => {
      const findings = evaluation.decisions.filter(isFinding);
      const outcomes = Object.fromEntries(evaluation.decisions.map((d) => [d.policy, d.outcome]));
      return {
        project: evaluation.project,
        environment: evaluation.environment,
        ...(evaluation.tenant !== undefined ? { tenant: evaluation.tenant } : {}),
        status: contextStatus(evaluation),
        findings,
        outcomes,
        ...(evaluation.errors ? { errors: evaluation.errors } : {}),
      };
    });
    return { ...(run.report.hubRef ? { hubRef: run.report.hubRef } : {}), rows, diagnostics: run.report.diagnostics, suppressed: run.report.suppressed ?? [] };
  }

  /** The policy decisions that change between two refs of this hub's folder. */
  diff(refA: string, refB: string, options: Omit<LintOptions, 'projects'> = {}): Promise<HubDiff> {
    if (this.dir === undefined) return Promise.resolve({ refA, refB, changes: [], contexts: 0, diagnostics: [hubError('diff needs a hub folder')] });
    return diffHubFolder(this.dir, refA, refB, options);
  }

  /** The registered projects that use a process template, with masks, resolved versions and newer majors (see consumers.ts). */
  templateConsumers(slug: string, options: { cacheDir?: string } = {}): Promise<TemplateConsumers> {
    return templateConsumers(this, slug, options);
  }

  /** A policy's unit tests (`policy-tests/<slug>/*.json`) run against its file at the hub ref. */
  policyTests(slug: string): Promise<HubPolicyTests> {
    return hubPolicyTests(this, slug);
  }

  /** The repository's branches and tags (for choosing a ref), and the branch HEAD names. */
  async refs(): Promise<{ branches: string[]; tags: string[]; head?: string }> {
    const fs = this.store.fs as never;
    const [branches, tags, head] = await Promise.all([
      isomorphicGit()
        .then((git) => git.listBranches({ fs, gitdir: this.store.gitdir }))
        .catch(() => [] as string[]),
      this.store.listTags().catch(() => [] as string[]),
      this.store.currentBranch().catch(() => null),
    ]);
    return { branches: [...branches].sort(), tags: [...tags].sort(), ...(head ? { head } : {}) };
  }

  lock(resolution: ProjectResolution): LockFile {
    return buildLock(resolution);
  }

  checkLock(lock: LockFile, resolution: ProjectResolution): Diagnostic[] {
    return compareLock(lock, resolution);
  }

  outdated(resolution: ProjectResolution): OutdatedEntry[] {
    return outdated(resolution);
  }
}

/** The store as a catalog sees it, listing only the tags on `commit` or its ancestors. */
function tagsReachableFrom(store: GitStore, commit: string): CatalogStore {
  const reachable = new Map<string, Promise<boolean>>();
  const isReachable = (target: string): Promise<boolean> => {
    let known = reachable.get(target);
    if (!known) {
      known =
        target === commit
          ? Promise.resolve(true)
          : isomorphicGit()
              .then((git) => git.isDescendent({ fs: store.fs as never, gitdir: store.gitdir, oid: commit, ancestor: target, depth: -1 }))
              .catch(() => false);
      reachable.set(target, known);
    }
    return known;
  };
  return {
    listTags: async (prefix?: string) => {
      const out: string[] = [];
      for (const name of await store.listTags(prefix)) {
        const target = await store.readTag(name).then((t) => t.target, () => undefined);
        if (target !== undefined && (await isReachable(target))) out.push(name);
      }
      return out;
    },
    readTag: (name) => store.readTag(name),
    readTextFile: (ref, file) => store.readTextFile(ref, file),
    pathType: (ref, file) => store.pathType(ref, file),
  };
}

function diagnosticKey(d: Diagnostic): string {
  return `${d.code}\u0000${d.file ?? ''}\u0000${d.summary}`;
}

/**
 * Whether a local repository's working tree may be read at its HEAD commit: a bare repository, or one
 * whose OCL files are HEAD's (see lint/worktree.ts). A repository without commits is read as it is.
 */
async function readsAsCommit(store: GitStore, dir: string, stateDir?: string, verified?: string): Promise<boolean> {
  if (store.bare || store.dir === null) return true;
  const head = await store.resolveRef('HEAD').catch(() => undefined);
  if (!head?.oid) return false;
  return head.oid === verified || oclWorktreeMatches(store, head.oid, dir, stateDir);
}

async function readOptional(store: GitStore, ref: string, file: string): Promise<string | undefined> {
  if ((await store.pathType(ref, file).catch(() => null)) !== 'file') return undefined;
  return store.readTextFile(ref, file);
}

type FolderListing =
  | { kind: 'project'; files: string[] }
  | { kind: 'missing' | 'empty'; nested: string[] };

/** The OCL files of one project folder at a ref: its own files and runbooks, never a nested project's. */
async function projectFolderFiles(store: GitStore, ref: string, folder: string): Promise<FolderListing> {
  const type = folder === '' ? 'folder' : await store.pathType(ref, folder);
  if (type !== 'folder') return { kind: 'missing', nested: [] };
  const files: string[] = [];
  const nested = new Set<string>();
  let projectFiles = 0;
  for (const entry of await store.listFiles(ref, folder, { recursive: true })) {
    if (!entry.path.toLowerCase().endsWith('.ocl')) continue;
    const relative = folder === '' ? entry.path : entry.path.slice(folder.length + 1);
    if (ownsProjectFile(relative)) {
      files.push(entry.path);
      if (isProjectFile(relative)) projectFiles++;
    } else if (isProjectFile(relative.slice(relative.indexOf('/') + 1)) && relative.split('/').length === 2) {
      nested.add(entry.path.slice(0, entry.path.lastIndexOf('/')));
    }
  }
  return projectFiles > 0 ? { kind: 'project', files } : { kind: 'empty', nested: [...nested].sort() };
}

/** Every folder of the repository that holds project files (for did-you-mean on a mistyped path). */
async function projectFolders(store: GitStore, ref: string): Promise<string[]> {
  return projectFoldersOf((await store.listFiles(ref, '', { recursive: true }).catch(() => [])).map((e) => e.path));
}

/** The policy decisions that change between two refs of the hub repository in `dir`. */
export function diffHubFolder(dir: string, refA: string, refB: string, options: Omit<LintOptions, 'projects'> = {}): Promise<HubDiff> {
  return diffHubRefs((ref) => openHub({ dir, ref, templatesAsOfRef: true }), refA, refB, options);
}

/**
 * Reads a project folder from disk: the named folder, or the `.octopus` folder inside it. Paths are
 * relative to the repository root holding it (the nearest folder with `.git`), or to the folder itself
 * outside a repository; `folder` is the named folder relative to that root (`''` for the root), so a
 * caller can tell "this project folder" from "the projects in this repository".
 */
export async function readProjectDir(projectDir: string): Promise<{ files: Map<string, string>; root: string; folder: string } | { error: string }> {
  const absolute = path.resolve(projectDir);
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isDirectory()) return { error: `No project folder at ${projectDir}` };
  const nested = path.join(absolute, '.octopus');
  const chosen = (await stat(nested).catch(() => undefined))?.isDirectory() ? nested : absolute;
  const root = (await findRepositoryRoot(absolute)) ?? absolute;
  const files = new Map<string, string>();
  for (const file of await walkOcl(chosen)) files.set(path.relative(root, file).split(path.sep).join('/'), await readFile(file, 'utf8'));
  return { files, root, folder: path.relative(root, absolute).split(path.sep).join('/') };
}

async function walkOcl(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '.git' && entry.name !== 'node_modules') out.push(...(await walkOcl(full)));
    } else if (entry.name.toLowerCase().endsWith('.ocl')) {
      out.push(full);
    }
  }
  return out;
}

async function readGlobalGitIdentity(env: NodeJS.ProcessEnv): Promise<{ name?: string; email?: string }> {
  const candidates = [
    env.GIT_CONFIG_GLOBAL,
    env.XDG_CONFIG_HOME ? path.join(env.XDG_CONFIG_HOME, 'git', 'config') : undefined,
    path.join(env.HOME ?? homedir(), '.gitconfig'),
  ].filter((p): p is string => typeof p === 'string' && p !== '');
  const found: { name?: string; email?: string } = {};
  for (const file of candidates) {
    const text = await readFile(file, 'utf8').catch(() => '');
    let section = '';
    for (const line of text.split(/\r?\n/)) {
      const header = /^\s*\[([^\]]+)\]/.exec(line);
      if (header) {
        section = header[1]!.trim().toLowerCase();
        continue;
      }
      const pair = /^\s*(\w+)\s*=\s*(.*?)\s*$/.exec(line);
      if (section !== 'user' || !pair) continue;
      const value = pair[2]!.replace(/^"(.*)"$/, '$1');
      if (pair[1]!.toLowerCase() === 'name' && !found.name) found.name = value;
      if (pair[1]!.toLowerCase() === 'email' && !found.email) found.email = value;
    }
    if (found.name && found.email) break;
  }
  return found;
}

function hubError(summary: string): Diagnostic {
  return { severity: 'error', code: 'HUB001', summary };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export { findRepositoryRoot };
export { LOCK_FILE_NAME, parseLock, formatLock } from '../templates/lock.js';
export type { LockFile, OutdatedEntry } from '../templates/lock.js';
export type { ProjectResolution } from '../templates/project.js';
export type { ResolvedProcess, ResolvedUsage } from '../templates/resolve.js';
export type { ResolvedStep, StepProvenance } from '../templates/expand.js';
export type { PublishedVersion, LoadedTemplate } from '../templates/catalog.js';
export type { PublishResult } from '../templates/publish.js';
export type { LintOptions, LintProjectTarget, LintRun, EvaluateTargetOptions, TargetEvaluation } from '../lint/engine.js';
export { HUB_REPOSITORY_ID, type ProjectRead } from '../lint/hub-view.js';
export { LINT_CODES, type LintCode } from '../lint/codes.js';
export type { HubDiff, DecisionChange } from '../lint/diff.js';
export type { TemplateConsumers, TemplateConsumer, TemplateConsumerUsage } from './consumers.js';
export type { HubPolicyTests } from './policy-tests.js';
export type { OctopusInput, InputContext } from '../policy/input.js';
