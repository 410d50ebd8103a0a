/**
 * `oclhub validate [--format text|json] <files|dirs...>`: checks OCL files and reports every
 * diagnostic. Exit 0 without errors, 1 with errors, 2 on usage errors.
 */
import { readFile } from 'node:fs/promises';
import { Option } from 'commander';
import { compareDiagnostics, countBySeverity, type Diagnostic } from '../../diagnostics.js';
import { renderJsonReport, type FileDiagnostics } from '../../report/json.js';
import { renderDiagnostics, renderSummary } from '../../report/text.js';
import { heredocModeForFile, validateFile } from '../../validate.js';
import type { HeredocMode } from '../../ocl/printer.js';
import { collectOclFiles } from '../files.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';

export interface ValidateCommandOptions {
  paths: string[];
  format: 'text' | 'json';
}

export const registerValidate: RegisterCommand = (program, ctx) => {
  program
    .command('validate')
    .description('check OCL files for errors (directories are searched for *.ocl)')
    .argument('<paths...>', 'OCL files or directories')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (paths: string[], options: { format: 'text' | 'json' }) => {
      ctx.setExitCode(await runValidate({ paths, format: options.format }, ctx.io));
    });
};

export async function runValidate(options: ValidateCommandOptions, io: CliIo): Promise<number> {
  const { files, missing } = await collectOclFiles(options.paths, io.cwd);
  if (missing.length > 0) {
    for (const arg of missing) io.stderr(`oclhub validate: no such file or directory: ${arg}\n`);
    return EXIT_USAGE;
  }
  const results: FileDiagnostics[] = [];
  const sources = new Map<string, string>();
  const modes = new Map<string, HeredocMode>();
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file.path, 'utf8');
    } catch (error) {
      io.stderr(`oclhub validate: cannot read ${file.display}: ${(error as Error).message}\n`);
      return EXIT_USAGE;
    }
    sources.set(file.display, text.replace(/^\uFEFF/, ''));
    const heredocMode = await heredocModeForFile(file.path, undefined, modes);
    const diagnostics = [...validateFile(file.display, text, { heredocMode }).diagnostics].sort(compareDiagnostics);
    results.push({ file: file.display, diagnostics });
  }
  const all: Diagnostic[] = results.flatMap((r) => r.diagnostics);
  if (options.format === 'json') io.stdout(renderJsonReport(results));
  else {
    io.stdout(renderDiagnostics(all, { sources, colors: io.colors }));
    io.stdout(renderSummary(all, files.length, io.colors) + '\n');
  }
  return countBySeverity(all).error > 0 ? EXIT_FINDINGS : EXIT_OK;
}
