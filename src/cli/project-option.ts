/** Resolving the project named by `--project` (default: the current folder) for resolve, lock and outdated. */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { Diagnostic } from '../diagnostics.js';
import { findRepositoryRoot, LOCK_FILE_NAME, parseLock, type Hub, type HubProjectResolution, type LockFile } from '../hub/index.js';
import type { HubProjectModel } from '../model/types.js';
import { renderDiagnostics } from '../report/text.js';
import type { CliIo } from './io.js';
import { noSuchProject } from './lint-targets.js';

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
  const value = options.project ?? '.';
  const projectDir = path.resolve(io.cwd, value);
  if (options.slugs && options.project !== undefined && !(await stat(projectDir).catch(() => undefined))?.isDirectory()) {
    const registered = hub.config?.projects.find((p) => p.slug === value);
    if (registered) return resolveRegisteredForCli(hub, registered, options, io);
    io.stderr(`oclhub ${options.command}: ${noSuchProject(value, (hub.config?.projects ?? []).map((p) => p.slug))}\n`);
    return undefined;
  }
  let lock: LockFile | undefined;
  if (options.lock) {
    const read = await readLockFile((await findRepositoryRoot(projectDir)) ?? projectDir);
    if (options.lock === 'required' && (read.diagnostics.length > 0 || !read.lock)) {
      io.stderr(read.lock ? '' : `oclhub ${options.command}: --locked needs an oclhub.lock.json (run \`oclhub lock\`)\n`);
      printDiagnostics(read.diagnostics, undefined, io);
      return undefined;
    }
    lock = read.lock;
  }
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
  let lock: LockFile | undefined;
  if (options.lock) {
    const parsed = read.lockText !== undefined ? parseLock(read.lockText) : undefined;
    if (options.lock === 'required' && (!parsed || !('lock' in parsed))) {
      io.stderr(parsed ? '' : `oclhub ${options.command}: --locked needs an oclhub.lock.json in ${project.repository ?? 'the hub repository'} (run \`oclhub lock\` there)\n`);
      if (parsed && 'diagnostics' in parsed) printDiagnostics(parsed.diagnostics, undefined, io);
      return undefined;
    }
    if (parsed && 'lock' in parsed) lock = parsed.lock;
  }
  const environments = hub.environments(project);
  const resolution = await hub.resolveProject({ files: read.files, environments, ...(lock ? { lock } : {}) });
  const sources = new Map<string, string>();
  for (const [file, text] of read.files) sources.set(file, text.replace(/^\uFEFF/, ''));
  const floating = lock && options.lock === 'required' ? await hub.resolveProject({ files: read.files, environments }) : undefined;
  return { resolution, sources, root: read.repository.location, ...(lock ? { lock } : {}), ...(floating ? { floating } : {}) };
}

/** Reads `oclhub.lock.json` at the project root: the lock, undefined when absent, or diagnostics. */
export async function readLockFile(root: string): Promise<{ lock?: LockFile; diagnostics: Diagnostic[] }> {
  const text = await readFile(path.join(root, LOCK_FILE_NAME), 'utf8').catch(() => undefined);
  if (text === undefined) return { diagnostics: [] };
  const parsed = parseLock(text);
  return 'lock' in parsed ? { lock: parsed.lock, diagnostics: [] } : { diagnostics: parsed.diagnostics };
}

export function printDiagnostics(diagnostics: readonly Diagnostic[], run: ProjectRun | undefined, io: CliIo): void {
  if (diagnostics.length > 0) io.stderr(renderDiagnostics(diagnostics, { sources: run?.sources ?? new Map(), colors: io.colors }));
}
