/**
 * Shared by `lint`, `evaluate` and `input`: opening the hub for policy work and turning `--project`
 * folders into lint targets. A project repository may hold several projects (`.octopus/` and
 * `.octopus/<name>/`): each project folder is one target with only its own files, and naming a project
 * folder selects exactly that project. Each target names the repository it was read from (its root,
 * read from the working tree); a project repository's own `oclhub.ocl` contributes its rule settings.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { findRepositoryRoot, readProjectDir, type Hub } from '../hub/index.js';
import type { SourceRepository } from '../diagnostics.js';
import { registeredTargets, repositorySettings, targetForFolder, type EvaluateTargetOptions, type LintProjectTarget } from '../lint/engine.js';
import { isProjectFile, ownsProjectFile, projectFoldersOf } from '../lint/project-files.js';
import { releaseFrom } from '../policy/release-version.js';
import type { LockFile } from '../templates/lock.js';
import { collect, lintCacheDir } from './cache-dirs.js';
import type { CliIo } from './io.js';
import { projectNamed } from './project-name.js';
import { readLockFile } from './project-option.js';

export { collect, lintCacheDir, releaseFrom };

export function addContextOptions(command: Command): Command {
  return command
    .option('--tenant <slug>', 'evaluate for this tenant')
    .option('--release-version <version>', 'the release deployed (semver or 4-part); without it, policies that read input.Release are inconclusive')
    .option('--git-ref <ref>', 'the release (or runbook) Git ref, e.g. refs/heads/main')
    .option('--skip-step <slug>', 'a step skipped in this deployment (repeatable)', collect, [])
    .option('--runbook <slug>', 'evaluate a run of this runbook instead of a deployment')
    .option('--requires-approval', 'the execution requires an approval (ITSM)')
    .option('--drafts', 'evaluate the working policy files instead of the active published versions')
    .option('--on-error <action>', 'what a policy that cannot be evaluated does: block (default) or warn');
}

/**
 * Splits files read under `selected` (a folder relative to the repository root) into projects: when
 * `selected` is a project folder itself, exactly that project (its own files, never a nested project's);
 * otherwise every project folder beneath it. Keys are project folders.
 */
export function splitProjects(files: ReadonlyMap<string, string>, selected = ''): Map<string, Map<string, string>> {
  const folders = projectFoldersOf(files.keys());
  const under = (folder: string) => selected === '' || folder === selected || folder.startsWith(`${selected}/`);
  const chosen = folders.includes(selected) ? [selected] : folders.filter(under);
  const out = new Map<string, Map<string, string>>();
  for (const folder of chosen) {
    const group = new Map<string, string>();
    for (const [file, text] of files) {
      const relative = folder === '' ? file : file.startsWith(`${folder}/`) ? file.slice(folder.length + 1) : undefined;
      if (relative !== undefined && ownsProjectFile(relative)) group.set(file, text);
    }
    out.set(folder, group);
  }
  return out;
}

export interface FolderTargets {
  targets: LintProjectTarget[];
  /** The repository root of each folder, for reading locks and showing paths. */
  roots: string[];
  error?: string;
}

/**
 * Lint targets for `--project` folders (default: the current folder). Each repository root becomes
 * one `SourceRepository` (id: the slug of its first project; location: the root folder; read from the
 * working tree, so no commit).
 */
export async function targetsForFolders(hub: Hub, folders: readonly string[], io: CliIo, options: { locked?: boolean } = {}): Promise<FolderTargets> {
  const out: FolderTargets = { targets: [], roots: [] };
  const hubDir = hub.location.startsWith('http') ? undefined : path.resolve(io.cwd, hub.location);
  const repositories = new Map<string, SourceRepository>();
  for (const folder of folders.length > 0 ? folders : ['.']) {
    const read = await readProjectDir(path.resolve(io.cwd, folder));
    if ('error' in read) return { ...out, error: read.error };
    let lock: LockFile | undefined;
    if (options.locked) {
      const lockRead = await readLockFile(read.root);
      if (!lockRead.lock) return { ...out, error: `--locked needs an oclhub.lock.json in ${read.root} (run \`oclhub lock\`)` };
      lock = lockRead.lock;
    }
    const groups = splitProjects(read.files, read.folder);
    if (groups.size === 0) {
      const named = read.folder === '' ? folder : read.folder;
      return { ...out, error: `${named} holds no Octopus project files (deployment_process.ocl, variables.ocl, runbooks/…)` };
    }
    // The repository's own oclhub.ocl (unless it is the hub's) contributes rule settings for its files.
    const own = read.root !== hubDir ? await readFile(path.join(read.root, 'oclhub.ocl'), 'utf8').catch(() => undefined) : undefined;
    const settings = own !== undefined ? repositorySettings(own, `${path.relative(io.cwd, read.root).split(path.sep).join('/') || '.'}/oclhub.ocl`) : undefined;
    for (const [groupRoot, files] of groups) {
      const target = targetForFolder(hub, files, read.root, hubDir);
      if (groups.size > 1 && !target.registered) target.slug = path.basename(groupRoot) || target.slug;
      if (lock) target.lock = lock;
      let repository = repositories.get(read.root);
      if (!repository) {
        repository = { id: target.slug === 'hub' ? 'project' : target.slug, location: read.root };
        repositories.set(read.root, repository);
      }
      if (read.root === hubDir) repository = hub.repository;
      target.repository = repository;
      if (settings?.rules) target.rules = settings.rules;
      if (settings && settings.diagnostics.length > 0) target.diagnostics = settings.diagnostics;
      out.targets.push(target);
    }
    out.roots.push(read.root);
  }
  return out;
}

/**
 * The id of the repository the command runs in (`LintReport.home`): a target's repository whose root
 * is the current repository, else the hub when the command runs in the hub, else `project`.
 */
export async function homeRepository(hub: Hub, targets: readonly LintProjectTarget[], io: CliIo): Promise<string> {
  const root = (await findRepositoryRoot(io.cwd)) ?? io.cwd;
  const hubDir = hub.location.startsWith('http') ? undefined : path.resolve(io.cwd, hub.location);
  if (hubDir === root) return hub.repository.id;
  const here = targets.find((t) => t.repository && !/^[a-z][a-z0-9+.-]*:\/\//i.test(t.repository.location) && path.resolve(hubDir ?? io.cwd, t.repository.location) === root);
  return here?.repository?.id ?? 'project';
}

/**
 * Whether the command runs in a project repository: an `.octopus` folder here or at the repository
 * root (where Octopus writes project files), or project files directly in this folder. Not a
 * recursive search: a CI workspace that merely contains the hub's folder is not a project.
 */
export async function holdsProjects(cwd: string): Promise<boolean> {
  const root = (await findRepositoryRoot(cwd)) ?? cwd;
  for (const dir of new Set([cwd, root])) {
    if ((await stat(path.join(dir, '.octopus')).catch(() => undefined))?.isDirectory()) return true;
  }
  const entries = await readdir(cwd, { withFileTypes: true }).catch(() => []);
  return entries.some((e) => e.isFile() && isProjectFile(e.name));
}

/** Whether the folder is the hub repository itself (then lint every registered project). */
export async function isHubFolder(hub: Hub, cwd: string): Promise<boolean> {
  if (hub.location.startsWith('http')) return false;
  const root = (await findRepositoryRoot(cwd)) ?? cwd;
  return path.resolve(cwd, hub.location) === root;
}


/**
 * lint's `--project` values: each a folder (the project files in it, as the working tree holds them),
 * or, when no such folder exists, the slug of a project registered in oclhub.ocl, read from its
 * repository as a whole-hub lint reads it: the rule `evaluate` and `input` follow (`singleTarget`).
 * A value that is neither is an error naming the registered projects.
 */
export async function targetsForProjects(hub: Hub, values: readonly string[], io: CliIo, options: { locked?: boolean; cacheDir?: string } = {}): Promise<FolderTargets> {
  const folders: string[] = [];
  const named: string[] = [];
  for (const value of values) {
    const found = await projectNamed(hub, value, io.cwd);
    if ('error' in found) return { targets: [], roots: [], error: found.error };
    if ('folder' in found) folders.push(value);
    else named.push(value);
  }
  const out: FolderTargets = folders.length > 0 || named.length === 0 ? await targetsForFolders(hub, folders, io, options) : { targets: [], roots: [] };
  if (out.error || named.length === 0) return out;
  const found = await registeredTargets(hub, { only: named, ...(options.locked ? { locked: true } : {}), ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}) });
  out.targets.push(...found.targets);
  return out;
}

/**
 * The one project `evaluate` and `input` work on: `--project` is a folder, or the slug of a project
 * registered in oclhub.ocl (read from the hub). A name that is neither says so, with did-you-mean.
 */
export async function singleTarget(hub: Hub, project: string | undefined, io: CliIo, options: { locked?: boolean; cacheDir?: string } = {}): Promise<{ target?: LintProjectTarget; error?: string }> {
  const value = project ?? '.';
  const named = await projectNamed(hub, value, io.cwd);
  if ('error' in named) return { error: named.error };
  if ('registered' in named) {
    // A project that cannot be read comes back with its problems: evaluating it says why, and blocks.
    const found = await registeredTargets(hub, { only: [value], ...(options.locked ? { locked: true } : {}), ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}) });
    const target = found.targets[0];
    return target ? { target } : { error: `cannot read project ${value}` };
  }
  const found = await targetsForFolders(hub, [value], io, options);
  if (found.error) return { error: found.error };
  if (found.targets.length > 1) {
    return { error: `${value} holds several projects (${found.targets.map((t) => t.slug).join(', ')}): name one folder with --project` };
  }
  return found.targets[0] ? { target: found.targets[0] } : { error: `no project in ${value}` };
}

export interface ContextCliOptions {
  environment: string;
  tenant?: string;
  releaseVersion?: string;
  gitRef?: string;
  skipStep?: string[];
  runbook?: string;
  requiresApproval?: boolean;
  drafts?: boolean;
  onError?: string;
}

export function evaluateOptionsFrom(options: ContextCliOptions): EvaluateTargetOptions | { error: string } {
  if (options.onError !== undefined && options.onError !== 'block' && options.onError !== 'warn') return { error: `--on-error must be block or warn, got "${options.onError}"` };
  if (options.runbook !== undefined && options.releaseVersion !== undefined) return { error: '--release-version and --runbook exclude each other' };
  const out: EvaluateTargetOptions = { environment: options.environment };
  if (options.tenant !== undefined) out.tenant = options.tenant;
  if (options.runbook !== undefined) {
    out.runbook = options.runbook;
    if (options.gitRef !== undefined) out.runbookGitRef = options.gitRef;
  } else {
    const release = releaseFrom(options);
    if ('error' in release) return release;
    if (release.release) out.release = release.release;
  }
  if (options.skipStep && options.skipStep.length > 0) out.skippedSteps = options.skipStep;
  if (options.requiresApproval) out.requiresApproval = true;
  if (options.drafts) out.drafts = true;
  if (options.onError === 'warn' || options.onError === 'block') out.onError = options.onError;
  return out;
}
