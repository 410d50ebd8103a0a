/**
 * `oclhub fmt [--check] [--stdout] <files|dirs...>`: formats OCL files the way Octopus writes them.
 * Rewrites only files whose text changes, never a file with syntax errors (those are reported and
 * make the exit code 1). `--check` lists the files that would change (exit 1 if any) and writes
 * nothing; `--stdout` prints the formatted text instead of writing.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { compareDiagnostics, hasErrors, type Diagnostic } from '../../diagnostics.js';
import { formatOcl } from '../../ocl/format.js';
import { renderDiagnostics } from '../../report/text.js';
import { heredocModeForFile } from '../../hub/validate.js';
import { collectOclFiles } from '../files.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';

export interface FmtCommandOptions {
  paths: string[];
  check?: boolean;
  stdout?: boolean;
}

export const registerFmt: RegisterCommand = (program, ctx) => {
  program
    .command('fmt')
    .description('format OCL files in place the way Octopus writes them (directories are searched for *.ocl)')
    .argument('<paths...>', 'OCL files or directories')
    .option('--check', 'list the files that would change and exit 1 if any; write nothing')
    .option('--stdout', 'print the formatted text instead of writing files')
    .action(async (paths: string[], options: { check?: boolean; stdout?: boolean }) => {
      ctx.setExitCode(await runFmt({ paths, ...options }, ctx.io));
    });
};

export async function runFmt(options: FmtCommandOptions, io: CliIo): Promise<number> {
  const { files, missing } = await collectOclFiles(options.paths, io.cwd);
  if (missing.length > 0) {
    for (const arg of missing) io.stderr(`oclhub fmt: no such file or directory: ${arg}\n`);
    return EXIT_USAGE;
  }
  const schemaVersions = new Map<string, number | undefined>();
  const problems: Diagnostic[] = [];
  const sources = new Map<string, string>();
  let failed = false;
  let wouldChange = false;
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file.path, 'utf8');
    } catch (error) {
      io.stderr(`oclhub fmt: cannot read ${file.display}: ${(error as Error).message}\n`);
      return EXIT_USAGE;
    }
    const heredocMode = await heredocModeForFile(file.path, undefined, schemaVersions);
    const result = formatOcl(text, { file: file.display, heredocMode });
    if (result.diagnostics.length > 0) {
      sources.set(file.display, text.replace(/^\uFEFF/, ''));
      problems.push(...result.diagnostics);
    }
    if (result.formatted === undefined || hasErrors(result.diagnostics)) {
      failed = true;
      continue;
    }
    if (options.stdout) io.stdout(result.formatted);
    if (!result.changed) continue;
    wouldChange = true;
    if (options.check) {
      if (!options.stdout) io.stdout(`${file.display}\n`);
    } else if (!options.stdout) {
      await writeFile(file.path, result.formatted, 'utf8');
      io.stdout(`${file.display}\n`);
    }
  }
  if (problems.length > 0) io.stderr(renderDiagnostics(problems.sort(compareDiagnostics), { sources, colors: io.colors }));
  if (failed) return EXIT_FINDINGS;
  return options.check && wouldChange ? EXIT_FINDINGS : EXIT_OK;
}
