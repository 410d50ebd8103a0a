/**
 * `oclhub validate [--format text|json] <files|dirs...>` checks OCL files: syntax, the JSON Schema
 * of each document kind (detected from the path), and semantic checks.
 * `oclhub validate --hub <dir> [--ref REF]` checks a whole hub repository at a Git ref (default: the
 * working directory, uncommitted edits included), with cross-file checks.
 * Exit 0 without errors, 1 with errors, 2 on usage errors.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Option } from 'commander';
import { compareDiagnostics, countBySeverity, type Diagnostic } from '../../diagnostics.js';
import { renderJsonReport, type FileDiagnostics } from '../../report/json.js';
import { renderDiagnostics, renderSummary } from '../../report/text.js';
import { schemaVersionForFile, validateFile, validateHubAt } from '../../hub/validate.js';
import { collectOclFiles } from '../files.js';
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
  const { files, missing } = await collectOclFiles(options.paths, io.cwd);
  if (missing.length > 0) {
    for (const arg of missing) io.stderr(`oclhub validate: no such file or directory: ${arg}\n`);
    return EXIT_USAGE;
  }
  const results: FileDiagnostics[] = [];
  const sources = new Map<string, string>();
  const schemaVersions = new Map<string, number | undefined>();
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file.path, 'utf8');
    } catch (error) {
      io.stderr(`oclhub validate: cannot read ${file.display}: ${(error as Error).message}\n`);
      return EXIT_USAGE;
    }
    sources.set(file.display, text.replace(/^\uFEFF/, ''));
    const schemaVersion = await schemaVersionForFile(file.path, undefined, schemaVersions);
    const { diagnostics } = validateFile(file.display, text, schemaVersion === undefined ? {} : { schemaVersion });
    results.push({ file: file.display, diagnostics: [...diagnostics].sort(compareDiagnostics) });
  }
  return report(results, sources, files.length, options.format, io);
}

async function validateHubCommand(options: ValidateCommandOptions, io: CliIo): Promise<number> {
  const dir = path.resolve(io.cwd, options.hub!);
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
