/**
 * What the path arguments of `fmt`, `validate` and `convert` name, beyond plain files and folders
 * (src/cli/files.ts): `-` is standard input; a pattern such as `'**\/*.ocl'` that names nothing on
 * disk is expanded here, for shells that do not expand it (Windows, or a quoted pattern); no
 * argument at all can mean the current folder.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { collectOclFiles, type FileProblem, type InputFile } from './files.js';
import type { CliIo } from './io.js';

export const STDIN_ARG = '-';
/** How standard input is shown when `--stdin-filename` does not name it. */
export const STDIN_DISPLAY = '<stdin>';

export interface StdinInput {
  text: string;
  /** `--stdin-filename`, or `<stdin>`. */
  display: string;
  /** Where the text is taken to live: decides its document kind and the project folder it belongs to. */
  path: string;
}

export interface ResolvedInputs {
  files: InputFile[];
  /** Arguments that name nothing on disk, and patterns that match nothing. */
  missing: string[];
  /** Folders and files that could not be read, dangling links, and skipped non-regular files. */
  problems: FileProblem[];
  /** Set when the only argument was `-`. */
  stdin?: StdinInput;
}

export interface ResolveInputsOptions {
  /** With no argument, use the current folder (fmt) instead of nothing. */
  defaultToCurrentFolder?: boolean;
  /** The path standard input stands for (`--stdin-filename`). */
  stdinFilename?: string;
}

/** Folders no pattern descends into, as for folder arguments. */
const IGNORED = ['**/node_modules/**', '**/.git/**'];

export async function resolveInputs(args: readonly string[], io: CliIo, options: ResolveInputsOptions = {}): Promise<ResolvedInputs | { error: string }> {
  if (args.includes(STDIN_ARG)) {
    if (args.length > 1) return { error: `${STDIN_ARG} (standard input) cannot be combined with other paths` };
    const stdin = await readStdinInput(io, options.stdinFilename);
    return 'error' in stdin ? stdin : { files: [], missing: [], problems: [], stdin };
  }
  if (options.stdinFilename !== undefined) return { error: `--stdin-filename needs ${STDIN_ARG} (standard input) as the path` };
  const wanted = args.length === 0 && options.defaultToCurrentFolder ? ['.'] : args;
  const paths: string[] = [];
  const unmatched: string[] = [];
  for (const arg of wanted) {
    const exists = (await stat(path.resolve(io.cwd, arg)).catch(() => undefined)) !== undefined;
    if (exists || !isDynamicPattern(arg)) {
      paths.push(arg);
      continue;
    }
    const matches = await glob(arg, { cwd: io.cwd, absolute: true, onlyFiles: true, ignore: IGNORED, expandDirectories: false });
    if (matches.length === 0) unmatched.push(arg);
    paths.push(...matches.map((m) => path.normalize(m)).sort());
  }
  const collected = await collectOclFiles(paths, io.cwd);
  return { files: collected.files, missing: [...collected.missing, ...unmatched], problems: collected.problems };
}

/** Standard input, standing for `stdinFilename` (or `<stdin>` in the current folder). */
export async function readStdinInput(io: CliIo, stdinFilename?: string): Promise<StdinInput | { error: string }> {
  if (!io.readStdin) return { error: 'no standard input to read' };
  const display = stdinFilename ?? STDIN_DISPLAY;
  return { text: await io.readStdin(), display, path: path.resolve(io.cwd, display) };
}
