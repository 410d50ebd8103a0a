/**
 * What the lint engine needs from a hub. The façade's `Hub` satisfies it structurally; the engine
 * depends on this narrow view instead of the façade, so `hub/` → `lint/` is the only direction.
 */
import type { Diagnostic, SourceRepository } from '../diagnostics.js';
import type { GitStore } from '../git/index.js';
import type { HubConfigDocument, HubProjectModel } from '../model/types.js';
import type { TemplateCatalog } from '../templates/catalog.js';
import type { LockFile } from '../templates/lock.js';
import type { ProjectResolution } from '../templates/project.js';

export interface LintHubResolveOptions {
  files?: ReadonlyMap<string, string>;
  environments?: readonly string[];
  lock?: LockFile;
}

/** The id of the hub's own repository in findings (`SourceRepository.id`); project repositories use a project slug. */
export const HUB_REPOSITORY_ID = 'hub';

/**
 * The id findings give a registered project's own repository, one rule for every command and surface:
 * the slug of the first project oclhub.ocl registers from the same repository at the same ref. Projects
 * registered from one repository (nested project folders) so name it alike, whichever of them is read,
 * linted or evaluated alone, and each output names that repository once.
 */
export function projectRepositoryId(projects: readonly HubProjectModel[], project: HubProjectModel): string {
  return projects.find((p) => p.repository === project.repository && p.ref === project.ref)?.slug ?? project.slug;
}

/** A registered project as read by `LintHub.readProject`. */
export interface ProjectRead {
  /** OCL text by path relative to `repository`. */
  files: Map<string, string>;
  repository: SourceRepository;
  /** `oclhub.lock.json` at the repository root, when asked for and there is one. */
  lockText?: string;
  /** The `oclhub.ocl` of a project repository of its own (its rule settings), when there is one. */
  settingsText?: string;
  /** Why the project cannot be linted (error diagnostics at its block in oclhub.ocl); empty when it can. */
  problems: Diagnostic[];
}

export interface LintHub {
  readonly store: GitStore;
  readonly location: string;
  readonly ref: string;
  readonly commit: string | null;
  readonly config?: HubConfigDocument;
  readonly configDiagnostics: readonly Diagnostic[];
  readonly catalog: TemplateCatalog;
  environments(project?: HubProjectModel): string[];
  resolveProject(options: LintHubResolveOptions): Promise<ProjectResolution>;
  checkLock(lock: LockFile, resolution: ProjectResolution): Diagnostic[];
  projectFiles(project: HubProjectModel, options?: { cacheDir?: string }): Promise<{ files: Map<string, string> } | { error: string }>;
  /** A registered project's files, repository, lock and settings, or why it cannot be read. */
  readProject(project: HubProjectModel, options?: { cacheDir?: string; lock?: boolean }): Promise<ProjectRead>;
  /** The hub's own repository as findings name it (id `hub`). */
  readonly repository: SourceRepository;
  /**
   * How a lint worker thread opens this same hub (src/lint/workers); absent, or undefined when it
   * cannot (a repository only this thread can read): then every project is linted in this thread.
   */
  lintWorker?(): LintWorkerSource | undefined;
}

/** How a lint worker thread is started: what it runs, before it is told which hub to open. */
export interface LintWorkerEntry {
  /** The worker's entry module: it calls `serveLintWorker` (src/lint/workers/serve.ts), which opens the hub it is sent. */
  entry: URL;
  /** The thread's `workerData`, for the entry module itself (structured-cloneable). */
  workerData?: unknown;
}

/** A worker thread's way to the hub the starting thread reads. */
export interface LintWorkerSource extends LintWorkerEntry {
  /** What the entry needs to open the hub at the same commit (structured-cloneable). */
  hub: unknown;
}
