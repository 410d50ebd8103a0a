/**
 * Shared by `lint`, `evaluate` and `input`: opening the hub for policy work and turning `--project`
 * folders into lint targets. A project repository may hold several projects (`.octopus/<name>/`):
 * each folder with a `deployment_process.ocl` is one target.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { findRepositoryRoot, readProjectDir, type Hub } from '../hub/index.js';
import { registeredTargets, targetForFolder, type EvaluateTargetOptions, type LintProjectTarget } from '../lint/engine.js';
import type { LockFile } from '../templates/lock.js';
import { collect, lintCacheDir } from './cache-dirs.js';
import type { HubCliOptions } from './hub-option.js';
import type { CliIo } from './io.js';
import { readLockFile } from './project-option.js';

export { collect, lintCacheDir };

export function addContextOptions(command: Command): Command {
  return command
    .option('--tenant <slug>', 'evaluate for this tenant')
    .option('--release-version <version>', 'release version (default 0.0.0)')
    .option('--git-ref <ref>', 'the release (or runbook) Git ref, e.g. refs/heads/main')
    .option('--skip-step <slug>', 'a step skipped in this deployment (repeatable)', collect, [])
    .option('--runbook <slug>', 'evaluate a run of this runbook instead of a deployment')
    .option('--requires-approval', 'the execution requires an approval (ITSM)')
    .option('--drafts', 'evaluate the working policy files instead of the active published versions')
    .option('--on-error <action>', 'what a policy that cannot be evaluated does: block (default) or warn');
}

/** Splits one project folder's files into targets (one per folder holding a deployment process). */
export function splitProjects(files: ReadonlyMap<string, string>): Map<string, Map<string, string>> {
  const roots = [...files.keys()].filter((f) => /(^|\/)deployment_process\.ocl$/i.test(f)).map((f) => f.slice(0, Math.max(0, f.lastIndexOf('/'))));
  const out = new Map<string, Map<string, string>>();
  if (roots.length <= 1) {
    out.set(roots[0] ?? '', new Map(files));
    return out;
  }
  roots.sort((a, b) => b.length - a.length);
  for (const [file, text] of files) {
    const root = roots.find((r) => r === '' || file.startsWith(`${r}/`)) ?? roots[roots.length - 1]!;
    let group = out.get(root);
    if (!group) out.set(root, (group = new Map()));
    group.set(file, text);
  }
  return out;
}

export interface FolderTargets {
  targets: LintProjectTarget[];
  /** The repository root of each folder, for reading locks and showing paths. */
  roots: string[];
  error?: string;
}

/** Lint targets for `--project` folders (default: the current folder). */
export async function targetsForFolders(hub: Hub, folders: readonly string[], io: CliIo, options: { locked?: boolean } = {}): Promise<FolderTargets> {
  const out: FolderTargets = { targets: [], roots: [] };
  const hubDir = hub.location.startsWith('http') ? undefined : path.resolve(io.cwd, hub.location);
  for (const folder of folders.length > 0 ? folders : ['.']) {
    const read = await readProjectDir(path.resolve(io.cwd, folder));
    if ('error' in read) return { ...out, error: read.error };
    let lock: LockFile | undefined;
    if (options.locked) {
      const lockRead = await readLockFile(read.root);
      if (!lockRead.lock) return { ...out, error: `--locked needs an oclhub.lock.json in ${read.root} (run \`oclhub lock\`)` };
      lock = lockRead.lock;
    }
    const groups = splitProjects(read.files);
    for (const [groupRoot, files] of groups) {
      const target = targetForFolder(hub, files, read.root, hubDir);
      if (groups.size > 1 && !target.registered) target.slug = path.basename(groupRoot) || target.slug;
      if (lock) target.lock = lock;
      out.targets.push(target);
    }
    out.roots.push(read.root);
  }
  return out;
}

/** Whether the folder is the hub repository itself (then lint every registered project). */
export async function isHubFolder(hub: Hub, cwd: string): Promise<boolean> {
  if (hub.location.startsWith('http')) return false;
  const root = (await findRepositoryRoot(cwd)) ?? cwd;
  return path.resolve(cwd, hub.location) === root;
}


/**
 * The one project `evaluate` and `input` work on: `--project` is a folder, or the slug of a project
 * registered in oclhub.ocl (read from the hub).
 */
export async function singleTarget(hub: Hub, project: string | undefined, io: CliIo, options: { locked?: boolean } = {}): Promise<{ target?: LintProjectTarget; error?: string }> {
  const value = project ?? '.';
  const isFolder = (await stat(path.resolve(io.cwd, value)).catch(() => undefined))?.isDirectory() ?? false;
  if (!isFolder && hub.config?.projects.some((p) => p.slug === value)) {
    const found = await registeredTargets(hub, { only: [value] });
    const target = found.targets[0];
    return target ? { target } : { error: found.diagnostics[0]?.summary ?? `cannot read project ${value}` };
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
  } else if (options.releaseVersion !== undefined || options.gitRef !== undefined) {
    out.release = { version: options.releaseVersion ?? '0.0.0', ...(options.gitRef !== undefined ? { gitRef: options.gitRef } : {}) };
  }
  if (options.skipStep && options.skipStep.length > 0) out.skippedSteps = options.skipStep;
  if (options.requiresApproval) out.requiresApproval = true;
  if (options.drafts) out.drafts = true;
  if (options.onError === 'warn' || options.onError === 'block') out.onError = options.onError;
  return out;
}
