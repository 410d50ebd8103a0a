/**
 * `oclhub fmt [--check] [--diff] [--stdout] [files|dirs|patterns...]`: formats OCL files the way
 * Octopus writes them (the current folder when no path is given). Rewrites only files whose text
 * changes, never a file with syntax errors or bytes that are not UTF-8 (those are reported and make the
 * exit code 1). `--check` lists the files that would change (exit 1 if any) and writes nothing; `--diff`
 * prints those changes as a unified diff instead (exit 1 if any); `--stdout` prints the formatted text
 * instead of writing. `oclhub fmt -` formats standard input to standard output.
 * A rewrite is atomic (files.ts replaceFile): killed or out of disk space mid-write, the original stays.
 * Files that cannot be read or written are reported one line each, and the exit code is then 2.
 */
import { compareDiagnostics, hasErrors, type Diagnostic } from '../../diagnostics.js';
import { formatOcl } from '../../ocl/format.js';
import { renderDiagnostics } from '../../report/text.js';
import { heredocModeForFile, unsettledHeredocsForFile } from '../../hub/validate.js';
import { fileErrorReason, readOclFile, replaceFile, reportFileProblems } from '../files.js';
import { resolveInputs } from '../inputs.js';
import { unifiedDiff } from '../unified-diff.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';

export interface FmtCommandOptions {
  paths: string[];
  check?: boolean;
  stdout?: boolean;
  diff?: boolean;
  stdinFilename?: string;
}

export const registerFmt: RegisterCommand = (program, ctx) => {
  program
    .command('fmt')
    .description('format OCL files in place the way Octopus writes them (directories are searched for *.ocl)')
    .argument('[paths...]', 'OCL files, directories or quoted patterns (default: the current folder); - reads standard input')
    .option('--check', 'list the files that would change and exit 1 if any; write nothing')
    .option('--diff', 'print what would change as a unified diff and exit 1 if anything would; write nothing')
    .option('--stdout', 'print the formatted text instead of writing files')
    .option('--stdin-filename <path>', 'with -: the path standard input stands for (its project folder decides the heredoc style)')
    .action(async (paths: string[], options: { check?: boolean; stdout?: boolean; diff?: boolean; stdinFilename?: string }) => {
      ctx.setExitCode(await runFmt({ paths, ...options }, ctx.io));
    });
};

export async function runFmt(options: FmtCommandOptions, io: CliIo): Promise<number> {
  const inputs = await resolveInputs(options.paths, io, { defaultToCurrentFolder: true, ...(options.stdinFilename !== undefined ? { stdinFilename: options.stdinFilename } : {}) });
  if ('error' in inputs) {
    io.stderr(`oclhub fmt: ${inputs.error}\n`);
    return EXIT_USAGE;
  }
  const { missing, problems: fileProblems, stdin } = inputs;
  // Standard input is formatted to standard output, never written back.
  const files = stdin ? [{ path: stdin.path, display: stdin.display, text: stdin.text }] : inputs.files;
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
    const read = 'text' in file ? { text: file.text } : await readOclFile(file.path, file.display);
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
    if (options.stdout || (stdin && !options.check && !options.diff)) io.stdout(result.formatted);
    if (!result.changed) continue;
    wouldChange = true;
    if (options.diff) {
      io.stdout(unifiedDiff(file.display, text, result.formatted, io.colors));
    } else if (options.check) {
      if (!options.stdout) io.stdout(`${file.display}\n`);
    } else if (!options.stdout && !stdin) {
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
  return (options.check || options.diff) && wouldChange ? EXIT_FINDINGS : EXIT_OK;
}
