/**
 * The files a command works on, and reading and writing them safely.
 *
 * Finding: explicit files as given, directories searched recursively for `*.ocl` (skipping
 * `node_modules` and `.git`), in a stable order. Nothing is skipped silently: a folder or file that
 * cannot be read, or a symbolic link to nothing, is reported (the command then exits 2); a FIFO, device
 * or socket named `*.ocl` is skipped with a warning (reading it would block or never end).
 *
 * Reading: OCL files must be UTF-8 — other bytes are refused with a positioned diagnostic (OCL031),
 * never decoded with replacement characters that a rewrite would then make permanent.
 *
 * Writing: a temporary file in the same folder, flushed, renamed over the original with the original's
 * mode — so a crash, Ctrl-C or a full disk leaves the original intact, never a truncated file.
 */
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import * as nodeFs from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { writeFileAtomic } from '../git/durable.js';
import { errnoText } from '../git/errors.js';
import type { FsLike } from '../git/repo.js';
import { decodeOclBytes } from '../ocl/encoding.js';
import { outputTarget } from './output-file.js';

export interface InputFile {
  /** Absolute path. */
  path: string;
  /** What to show the user: relative to the working directory when inside it. */
  display: string;
}

export interface FileProblem {
  /** `error`: the command cannot do its job on it (exit 2); `warning`: skipped on purpose. */
  severity: 'error' | 'warning';
  /** The path as the user should see it. */
  display: string;
  message: string;
}

export interface CollectedFiles {
  files: InputFile[];
  /** Arguments that name nothing on disk. */
  missing: string[];
  /** Folders and files that could not be read, dangling links, and skipped non-regular files. */
  problems: FileProblem[];
}

const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git']);

export async function collectOclFiles(args: readonly string[], cwd: string): Promise<CollectedFiles> {
  const seen = new Set<string>();
  const files: InputFile[] = [];
  const missing: string[] = [];
  const problems: FileProblem[] = [];
  const add = (absolute: string) => {
    if (seen.has(absolute)) return;
    seen.add(absolute);
    files.push({ path: absolute, display: displayPath(absolute, cwd) });
  };
  const problem = (absolute: string, severity: FileProblem['severity'], message: string) => problems.push({ severity, display: displayPath(absolute, cwd), message });
  for (const arg of args) {
    const absolute = path.resolve(cwd, arg);
    const info = await statOrProblem(absolute);
    if (info === 'missing') missing.push(arg);
    else if (typeof info === 'string') problem(absolute, 'error', info);
    else if (info.isDirectory()) await walk(absolute, add, problem);
    else if (info.isFile()) add(absolute);
    else problem(absolute, 'warning', `skipped: not a regular file (${fileKind(info)})`);
  }
  return { files, missing, problems };
}

/** stat that tells "nothing there" from "a link to nothing" and "cannot look". */
async function statOrProblem(absolute: string): Promise<nodeFs.Stats | 'missing' | string> {
  try {
    return await stat(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const link = await lstat(absolute).catch(() => undefined);
      return link?.isSymbolicLink() ? 'is a symbolic link to nothing (dangling link)' : 'missing';
    }
    return `cannot read: ${fileErrorReason(error)}`;
  }
}

async function walk(directory: string, add: (file: string) => void, problem: (file: string, severity: FileProblem['severity'], message: string) => void): Promise<void> {
  let entries: nodeFs.Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    problem(directory, 'error', `cannot read folder: ${fileErrorReason(error)}`);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) await walk(full, add, problem);
      continue;
    }
    if (!entry.name.endsWith('.ocl')) continue;
    if (entry.isFile()) {
      add(full);
      continue;
    }
    // Symbolic links to files count; links to directories are not followed (no cycles).
    const info = await statOrProblem(full);
    if (info === 'missing') problem(full, 'error', 'is a symbolic link to nothing (dangling link)');
    else if (typeof info === 'string') problem(full, 'error', info);
    else if (info.isFile()) add(full);
    else if (!info.isDirectory()) problem(full, 'warning', `skipped: not a regular file (${fileKind(info)})`);
  }
}

function fileKind(info: nodeFs.Stats): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a file';
}

/** Prints the problems of a collection, one line each; true when any is an error (the command exits 2). */
export function reportFileProblems(command: string, problems: readonly FileProblem[], stderr: (text: string) => void): boolean {
  for (const p of problems) stderr(`oclhub ${command}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.display}: ${p.message}\n`);
  return problems.some((p) => p.severity === 'error');
}

export type ReadOclResult = { text: string } | { diagnostic: Diagnostic } | { error: string };

/**
 * Reads an OCL file as UTF-8 text: the text, an OCL031 diagnostic for bytes that are not UTF-8, or a
 * one-line error (unreadable, not a regular file) for the command to print.
 */
export async function readOclFile(file: string, display: string): Promise<ReadOclResult> {
  let info: nodeFs.Stats;
  try {
    info = await stat(file);
  } catch (error) {
    return { error: `cannot read ${display}: ${fileErrorReason(error)}` };
  }
  if (!info.isFile()) return { error: `cannot read ${display}: not a regular file (${fileKind(info)})` };
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return { error: `cannot read ${display}: ${fileErrorReason(error)}` };
  }
  return decodeOclBytes(bytes, display);
}

/**
 * Replaces a file's content atomically and durably, keeping its mode. On any failure (full disk,
 * permissions, a signal) the original is untouched and no temporary file is left behind.
 */
export async function replaceFile(file: string, content: string): Promise<void> {
  // Through a symbolic link to its target: the link stays a link (see output-file.ts).
  const target = await outputTarget(file);
  const mode = (await stat(target.path)).mode & 0o7777;
  await writeFileAtomic(nodeFs as unknown as FsLike, target.path, content, { mode });
}

/** `permission denied (EACCES)`: why a file operation failed, without the path. */
export function fileErrorReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return `${errnoText(code)} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

/** A file-system error as one line: what failed, on which path, and why. */
export function fileErrorLine(error: NodeJS.ErrnoException & { dest?: string }): string {
  const what = error.syscall ? `${error.syscall} ` : '';
  const where = error.path !== undefined ? `${error.path}${error.dest !== undefined ? ` -> ${error.dest}` : ''}: ` : '';
  return `${what}${where}${fileErrorReason(error)}`;
}

export function displayPath(absolute: string, cwd: string): string {
  const relative = path.relative(cwd, absolute);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : absolute;
}
