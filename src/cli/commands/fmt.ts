/**
 * `oclhub fmt [--check] [--stdout] <files|dirs...>`: formats OCL files the way Octopus writes them.
 * Rewrites only files whose text changes, never a file with syntax errors or bytes that are not UTF-8
 * (those are reported and make the exit code 1). `--check` lists the files that would change (exit 1
 * if any) and writes nothing; `--stdout` prints the formatted text instead of writing.
 * A rewrite is atomic (files.ts replaceFile): killed or out of disk space mid-write, the original stays.
 * Files that cannot be read or written are reported one line each, and the exit code is then 2.
 */
import { compareDiagnostics, hasErrors, type Diagnostic } from '../../diagnostics.js';
import { formatOcl } from '../../ocl/format.js';
import { renderDiagnostics } from '../../report/text.js';
import { heredocModeForFile, unsettledHeredocsForFile } from '../../hub/validate.js';
import { collectOclFiles, fileErrorReason, readOclFile, replaceFile, reportFileProblems } from '../files.js';
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
  const { files, missing, problems: fileProblems } = await collectOclFiles(options.paths, io.cwd);
  if (missing.length > 0) {
    for (const arg of missing) io.stderr(`oclhub fmt: no such file or directory: ${arg}\n`);
    return EXIT_USAGE;
  }
  let toolError = reportFileProblems('fmt', fileProblems, io.stderr);
  const schemaVersions = new Map<string, number | undefined>();
  const problems: Diagnostic[] = [];
  const sources = new Map<string, string>();
  let failed = false;
  let wouldChange = false;
  for (const file of files) {
    const read = await readOclFile(file.path, file.display);
    if ('error' in read) {
      io.stderr(`oclhub fmt: ${read.error}\n`);
      toolError = true;
      continue;
    }
    if ('diagnostic' in read) {
      problems.push(read.diagnostic);
      failed = true;
      continue;
    }
    const text = read.text;
    const unsettled = await unsettledHeredocsForFile(file.path, file.display, text, schemaVersions);
    if (unsettled) {
      // Left as it is: re-indenting would guess the project's schema version.
      sources.set(file.display, text.replace(/^\uFEFF/, ''));
      problems.push(unsettled);
      if (options.stdout) io.stdout(text);
      continue;
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
      try {
        await replaceFile(file.path, result.formatted);
      } catch (error) {
        io.stderr(`oclhub fmt: cannot write ${file.display}: ${fileErrorReason(error)}; the file is unchanged\n`);
        toolError = true;
        continue;
      }
      io.stdout(`${file.display}\n`);
    }
  }
  if (problems.length > 0) io.stderr(renderDiagnostics(problems.sort(compareDiagnostics), { sources, colors: io.colors }));
  if (toolError) return EXIT_USAGE;
  if (failed) return EXIT_FINDINGS;
  return options.check && wouldChange ? EXIT_FINDINGS : EXIT_OK;
}
