/** Resolving the project named by `--project` (default: the current folder) for resolve, lock and outdated. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { Diagnostic } from '../diagnostics.js';
import { LOCK_FILE_NAME, parseLock, type Hub, type HubProjectResolution, type LockFile } from '../hub/index.js';
import { renderDiagnostics } from '../report/text.js';
import type { CliIo } from './io.js';

export function addProjectOption(command: Command): Command {
  return command.option('--project <dir>', 'project folder (its repository root, .octopus, or a folder holding .octopus; default: current folder)');
}

export interface ProjectRun {
  resolution: HubProjectResolution;
  /** Source texts by displayed path, for code frames. */
  sources: Map<string, string>;
  root: string;
}

export async function resolveForCli(hub: Hub, options: { project?: string; lock?: LockFile }, io: CliIo): Promise<ProjectRun | undefined> {
  const projectDir = path.resolve(io.cwd, options.project ?? '.');
  const resolution = await hub.resolveProject({ projectDir, ...(options.lock ? { lock: options.lock } : {}) });
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
  return { resolution, sources, root };
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
