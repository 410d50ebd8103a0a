/** Resolving the project named by `--project` (default: the current folder) for resolve, lock and outdated. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { Diagnostic } from '../diagnostics.js';
import { findRepositoryRoot, LOCK_FILE_NAME, parseLock, type Hub, type HubProjectResolution, type LockFile } from '../hub/index.js';
import type { HubProjectModel } from '../model/types.js';
import { renderDiagnostics } from '../report/text.js';
import type { CliIo } from './io.js';
import { projectNamed } from './project-name.js';

export function addProjectOption(command: Command, options: { slugs?: boolean } = {}): Command {
  return options.slugs
    ? command.option('--project <dir|slug>', 'project folder (its repository root, .octopus, or a folder holding .octopus; default: current folder), or the slug of a project in oclhub.ocl')
    : command.option('--project <dir>', 'project folder (its repository root, .octopus, or a folder holding .octopus; default: current folder)');
}

export interface ProjectRun {
  resolution: HubProjectResolution;
  /** Source texts by displayed path, for code frames. */
  sources: Map<string, string>;
  root: string;
  /** The project's oclhub.lock.json, when asked for and present. */
  lock?: LockFile;
  /** With a lock: the resolution without it (what `checkLock` compares the lock with). */
  floating?: HubProjectResolution;
}

export interface ResolveForCliOptions {
  project?: string;
  /** `required`: resolve to the project's lock, a usage error without one; `if-present`: to its lock when it has one. */
  lock?: 'required' | 'if-present';
  /**
   * A `--project` that names no folder may name a project registered in oclhub.ocl, read from its
   * repository at its ref with that repository's lock, as lint, evaluate and input take it. Not for
   * `lock`, which writes into the folder.
   */
  slugs?: boolean;
  cacheDir?: string;
  /** The command's name, for messages. */
  command: string;
}

/** Resolves the project `--project` names (default: the current folder); undefined after printing why it cannot (a usage error). */
export async function resolveForCli(hub: Hub, options: ResolveForCliOptions, io: CliIo): Promise<ProjectRun | undefined> {
  if (options.slugs && options.project !== undefined) {
    const named = await projectNamed(hub, options.project, io.cwd);
    if ('error' in named) {
      io.stderr(`oclhub ${options.command}: ${named.error}\n`);
      return undefined;
    }
    if ('registered' in named) return resolveRegisteredForCli(hub, named.registered, options, io);
  }
  const projectDir = path.resolve(io.cwd, options.project ?? '.');
  const lock = options.lock ? lockToUse(await readLockFile((await findRepositoryRoot(projectDir)) ?? projectDir), options, ' (run `oclhub lock`)', io) : undefined;
  if (lock === false) return undefined;
  const resolution = await hub.resolveProject({ projectDir, ...(lock ? { lock } : {}) });
  const root = resolution.root ?? projectDir;
  if (resolution.processes.length === 0 && resolution.diagnostics.some((d) => d.code === 'HUB001')) {
    io.stderr(renderDiagnostics(resolution.diagnostics, { colors: io.colors }));
    return undefined;
  }
  const sources = new Map<string, string>();
  for (const process of resolution.processes) {
    const text = await readFile(path.join(root, process.file), 'utf8').catch(() => undefined);
    if (text !== undefined) sources.set(process.file, text.replace(/^\uFEFF/, ''));
  }
  const floating = lock && options.lock === 'required' ? await hub.resolveProject({ projectDir }) : undefined;
  return { resolution, sources, root, ...(lock ? { lock } : {}), ...(floating ? { floating } : {}) };
}

async function resolveRegisteredForCli(hub: Hub, project: HubProjectModel, options: ResolveForCliOptions, io: CliIo): Promise<ProjectRun | undefined> {
  const read = await hub.readProject(project, { ...(options.lock ? { lock: true } : {}), ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}) });
  if (read.problems.length > 0) {
    io.stderr(renderDiagnostics(read.problems, { colors: io.colors }));
    return undefined;
  }
  const where = ` in ${project.repository ?? 'the hub repository'} (run \`oclhub lock\` there)`;
  const lock = options.lock ? lockToUse(lockFromText(read.lockText), options, where, io) : undefined;
  if (lock === false) return undefined;
  const environments = hub.environments(project);
  const resolution = await hub.resolveProject({ files: read.files, environments, ...(lock ? { lock } : {}) });
  const sources = new Map<string, string>();
  for (const [file, text] of read.files) sources.set(file, text.replace(/^\uFEFF/, ''));
  const floating = lock && options.lock === 'required' ? await hub.resolveProject({ files: read.files, environments }) : undefined;
  return { resolution, sources, root: read.repository.location, ...(lock ? { lock } : {}), ...(floating ? { floating } : {}) };
}

/**
 * The lock a run resolves to: with `lock: 'required'`, a missing or unreadable one prints why (`where`
 * says where to make one) and gives `false`; with `if-present`, the lock when it is readable.
 */
function lockToUse(read: { lock?: LockFile; diagnostics: Diagnostic[] }, options: ResolveForCliOptions, where: string, io: CliIo): LockFile | undefined | false {
  if (options.lock === 'required' && (read.diagnostics.length > 0 || !read.lock)) {
    io.stderr(read.lock ? '' : `oclhub ${options.command}: --locked needs an oclhub.lock.json${where}\n`);
    printDiagnostics(read.diagnostics, undefined, io);
    return false;
  }
  return read.lock;
}

/** Reads `oclhub.lock.json` at the project root: the lock, undefined when absent, or diagnostics. */
export async function readLockFile(root: string): Promise<{ lock?: LockFile; diagnostics: Diagnostic[] }> {
  return lockFromText(await readFile(path.join(root, LOCK_FILE_NAME), 'utf8').catch(() => undefined));
}

/** `oclhub.lock.json`'s text (undefined: there is none) as a lock, or diagnostics. */
function lockFromText(text: string | undefined): { lock?: LockFile; diagnostics: Diagnostic[] } {
  if (text === undefined) return { diagnostics: [] };
  const parsed = parseLock(text);
  return 'lock' in parsed ? { lock: parsed.lock, diagnostics: [] } : { diagnostics: parsed.diagnostics };
}

export function printDiagnostics(diagnostics: readonly Diagnostic[], run: ProjectRun | undefined, io: CliIo): void {
  if (diagnostics.length > 0) io.stderr(renderDiagnostics(diagnostics, { sources: run?.sources ?? new Map(), colors: io.colors }));
}
