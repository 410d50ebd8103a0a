/**
 * `oclhub validate [--format text|json] <files|dirs...>` checks OCL files: syntax, the JSON Schema
 * of each document kind (detected from the path), and semantic checks.
 * `oclhub validate --hub <dir> [--ref REF]` checks a whole hub repository at a Git ref (default: the
 * working directory, uncommitted edits included), with cross-file checks.
 * Exit 0 without errors, 1 with errors, 2 on usage errors.
 */
import path from 'node:path';
import { Option } from 'commander';
import { compareDiagnostics, countBySeverity, type Diagnostic } from '../../diagnostics.js';
import { renderJsonReport, type FileDiagnostics } from '../../report/json.js';
import { renderDiagnostics, renderSummary } from '../../report/text.js';
import { schemaVersionForFile, validateFile, validateHubAt } from '../../hub/validate.js';
import { isGitStoreError, openRepository } from '../../git/index.js';
import { collectOclFiles, readOclFile, reportFileProblems } from '../files.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';

export interface ValidateCommandOptions {
  paths: string[];
  format: 'text' | 'json';
  hub?: string;
  ref?: string;
}

export const registerValidate: RegisterCommand = (program, ctx) => {
  program
    .command('validate')
    .description('check OCL files for syntax, schema and semantic errors (directories are searched for *.ocl)')
    .argument('[paths...]', 'OCL files or directories')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--hub <dir>', 'validate a whole hub repository (with cross-file checks)')
    .option('--ref <ref>', 'with --hub: the branch, tag or commit to read (default WORKTREE: the working directory)')
    .action(async (paths: string[], options: { format: 'text' | 'json'; hub?: string; ref?: string }) => {
      ctx.setExitCode(await runValidate({ paths, ...options }, ctx.io));
    });
};

export async function runValidate(options: ValidateCommandOptions, io: CliIo): Promise<number> {
  if (options.hub !== undefined) {
    if (options.paths.length > 0) {
      io.stderr('oclhub validate: give either --hub <dir> or files/directories, not both\n');
      return EXIT_USAGE;
    }
    return validateHubCommand(options, io);
  }
  if (options.ref !== undefined) {
    io.stderr('oclhub validate: --ref needs --hub <dir>\n');
    return EXIT_USAGE;
  }
  if (options.paths.length === 0) {
    io.stderr('oclhub validate: give files or directories to check, or --hub <dir>\n');
    return EXIT_USAGE;
  }
  const { files, missing, problems } = await collectOclFiles(options.paths, io.cwd);
  if (missing.length > 0) {
    for (const arg of missing) io.stderr(`oclhub validate: no such file or directory: ${arg}\n`);
    return EXIT_USAGE;
  }
  let unreadable = reportFileProblems('validate', problems, io.stderr);
  const results: FileDiagnostics[] = [];
  const sources = new Map<string, string>();
  const schemaVersions = new Map<string, number | undefined>();
  for (const file of files) {
    const read = await readOclFile(file.path, file.display);
    if ('error' in read) {
      io.stderr(`oclhub validate: ${read.error}\n`);
      unreadable = true;
      continue;
    }
    if ('diagnostic' in read) {
      results.push({ file: file.display, diagnostics: [read.diagnostic] });
      continue;
    }
    const text = read.text;
    sources.set(file.display, text.replace(/^\uFEFF/, ''));
    const schemaVersion = await schemaVersionForFile(file.path, undefined, schemaVersions);
    const { diagnostics } = validateFile(file.display, text, schemaVersion === undefined ? {} : { schemaVersion });
    results.push({ file: file.display, diagnostics: [...diagnostics].sort(compareDiagnostics) });
  }
  const code = report(results, sources, files.length, options.format, io);
  return unreadable ? EXIT_USAGE : code;
}

async function validateHubCommand(options: ValidateCommandOptions, io: CliIo): Promise<number> {
  const dir = path.resolve(io.cwd, options.hub!);
  // A hub is a Git repository: a missing folder or a plain one is a usage error, never "no problems".
  const opened = await openRepository({ dir }).catch((error: unknown) => error);
  if (isGitStoreError(opened)) {
    io.stderr(`oclhub validate: ${opened.message}\n`);
    return EXIT_USAGE;
  }
  const outcome = await validateHubAt({ dir, ...(options.ref ? { ref: options.ref } : {}) });
  if ('error' in outcome) {
    io.stderr(`oclhub validate: ${outcome.error.summary}\n`);
    return EXIT_USAGE;
  }
  const { result, sources } = outcome;
  const byFile = new Map<string, Diagnostic[]>(result.files.map((f) => [f.path, []]));
  const unattached: Diagnostic[] = [];
  for (const d of result.diagnostics) {
    const list = d.file !== undefined ? byFile.get(d.file) : undefined;
    if (list) list.push(d);
    else if (d.file !== undefined) byFile.set(d.file, [d]);
    else unattached.push(d);
  }
  const results: FileDiagnostics[] = [...byFile].map(([file, diagnostics]) => ({ file, diagnostics }));
  if (unattached.length > 0) results.push({ file: '', diagnostics: unattached });
  return report(results, sources, result.files.length, options.format, io);
}

function report(results: FileDiagnostics[], sources: Map<string, string>, fileCount: number, format: 'text' | 'json', io: CliIo): number {
  const all: Diagnostic[] = results.flatMap((r) => r.diagnostics);
  if (format === 'json') io.stdout(renderJsonReport(results));
  else {
    io.stdout(renderDiagnostics(all, { sources, colors: io.colors }));
    io.stdout(renderSummary(all, fileCount, io.colors) + '\n');
  }
  return countBySeverity(all).error > 0 ? EXIT_FINDINGS : EXIT_OK;
}
