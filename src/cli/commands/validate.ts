/**
 * `oclhub validate [--format text|json] <files|dirs...>` checks OCL files: syntax, the JSON Schema
 * of each document kind (detected from the path), semantic checks, and the Octopus compatibility checks
 * on policies. `oclhub validate --hub <dir> [--ref REF]` checks a whole hub repository at a Git ref
 * (default: the working directory, uncommitted edits included), with cross-file checks and the
 * repositories of registered external projects. Rule settings in the governing oclhub.ocl apply; what
 * they silence is counted in the summary and listed under `suppressed` in JSON.
 * Exit 0 without errors, 1 with errors, 2 on usage errors.
 */
import path from 'node:path';
import { Option } from 'commander';
import { countBySeverity, type Diagnostic } from '../../diagnostics.js';
import { renderDiagnostics, renderSummary } from '../../report/text.js';
import { validateHubAt, validatePaths, type ValidationRun } from '../../hub/validate.js';
import { isGitStoreError } from '../../git/errors.js';
import { cacheDirFor } from '../cache-dirs.js';
import { resolveInputs } from '../inputs.js';
import { readOclFile, reportFileProblems } from '../files.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';

export interface ValidateCommandOptions {
  paths: string[];
  format: 'text' | 'json';
  stdinFilename?: string;
  hub?: string;
  ref?: string;
  cacheDir?: string;
}

export const registerValidate: RegisterCommand = (program, ctx) => {
  program
    .command('validate')
    .description('check OCL files for syntax, schema and semantic errors (directories are searched for *.ocl)')
    .argument('[paths...]', 'OCL files, directories or quoted patterns; - reads standard input')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--hub <dir>', 'validate a whole hub repository (with cross-file checks and registered project repositories)')
    .option('--ref <ref>', 'with --hub: the branch, tag or commit to read (default WORKTREE: the working directory)')
    .option('--cache-dir <dir>', 'with --hub: where remote project repositories are cloned (default $OCLHUB_CACHE_DIR or ~/.cache/oclhub)')
    .option('--stdin-filename <path>', 'with -: the path standard input stands for (decides its document kind, e.g. .octopus/deployment_process.ocl)')
    .action(async (paths: string[], options: { format: 'text' | 'json'; hub?: string; ref?: string; cacheDir?: string; stdinFilename?: string }) => {
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
  if (options.ref !== undefined || options.cacheDir !== undefined) {
    io.stderr(`oclhub validate: ${options.ref !== undefined ? '--ref' : '--cache-dir'} needs --hub <dir>\n`);
    return EXIT_USAGE;
  }
  if (options.paths.length === 0) {
    io.stderr('oclhub validate: give files or directories to check, or --hub <dir>\n');
    return EXIT_USAGE;
  }
  const inputs = await resolveInputs(options.paths, io, options.stdinFilename !== undefined ? { stdinFilename: options.stdinFilename } : {});
  if ('error' in inputs) {
    io.stderr(`oclhub validate: ${inputs.error}\n`);
    return EXIT_USAGE;
  }
  const { missing, problems, stdin } = inputs;
  const files = stdin ? [{ path: stdin.path, display: stdin.display, text: stdin.text }] : inputs.files;
  if (missing.length > 0) {
    for (const arg of missing) io.stderr(`oclhub validate: no such file or directory: ${arg}\n`);
    return EXIT_USAGE;
  }
  const unreadableFolders = reportFileProblems('validate', problems, io.stderr);
  const run = await validatePaths(files, { cwd: io.cwd, read: readOclFile });
  if ('error' in run) {
    io.stderr(`oclhub validate: ${run.error}\n`);
    return EXIT_USAGE;
  }
  for (const line of run.unreadable) io.stderr(`oclhub validate: ${line}\n`);
  const code = report(run, files.length, options.format, io, () => undefined);
  // Whatever could not be read was not checked: never "no problems" over it.
  return unreadableFolders || run.unreadable.length > 0 ? EXIT_USAGE : code;
}

async function validateHubCommand(options: ValidateCommandOptions, io: CliIo): Promise<number> {
  const dir = path.resolve(io.cwd, options.hub!);
  // A hub is a Git repository: a missing folder or a plain one is a usage error, never "no problems".
  // The Git layer loads only here: checking files does not need it.
  const { openRepository } = await import('../../git/index.js');
  const opened = await openRepository({ dir }).catch((error: unknown) => error);
  if (isGitStoreError(opened)) {
    io.stderr(`oclhub validate: ${opened.message}\n`);
    return EXIT_USAGE;
  }
  const outcome = await validateHubAt({ dir, ...(options.ref ? { ref: options.ref } : {}), cacheDir: cacheDirFor(options, io) });
  if ('error' in outcome) {
    io.stderr(`oclhub validate: ${outcome.error.summary}\n`);
    return EXIT_USAGE;
  }
  const { result, run } = outcome;
  const externalFiles = [...run.repositorySources.values()].reduce((n, sources) => n + sources.size, 0);
  // Another repository's files are shown where they are: its folder (relative to here) or URL, then the path.
  const location = (d: Diagnostic): string | undefined => {
    if (!d.repository || d.file === undefined) return undefined;
    const where = /^https?:\/\//i.test(d.repository.location) ? d.repository.location.replace(/\/+$/, '') : path.relative(io.cwd, path.resolve(dir, d.repository.location)) || '.';
    return `${where}/${d.file}`;
  };
  return report(run, result.files.length + externalFiles, options.format, io, location);
}

function report(run: ValidationRun, fileCount: number, format: 'text' | 'json', io: CliIo, externalLocation: (d: Diagnostic) => string | undefined): number {
  const all: Diagnostic[] = run.files.flatMap((f) => f.diagnostics);
  const counts = countBySeverity(all);
  if (format === 'json') {
    const json = {
      files: run.files.map((f) => ({ file: f.file, ...(f.repository ? { repository: f.repository } : {}), diagnostics: f.diagnostics })),
      summary: { files: fileCount, errors: counts.error, warnings: counts.warning, infos: counts.info, suppressed: run.suppressed.length },
      suppressed: run.suppressed,
    };
    io.stdout(JSON.stringify(json, null, 2) + '\n');
  } else {
    const own = all.filter((d) => d.repository === undefined);
    io.stdout(renderDiagnostics(own, { sources: run.sources, colors: io.colors }));
    for (const [id, sources] of run.repositorySources) {
      const theirs = all.filter((d) => d.repository?.id === id);
      if (theirs.length === 0) continue;
      const shown = new Map<string, string>();
      const relabelled = theirs.map((d) => {
        const at = externalLocation(d);
        if (at === undefined) return d;
        const text = sources.get(d.file!);
        if (text !== undefined) shown.set(at, text);
        return { ...d, file: at };
      });
      io.stdout(renderDiagnostics(relabelled, { sources: shown, colors: io.colors }));
    }
    const silenced = run.suppressed.length > 0 ? ` (${run.suppressed.length} suppressed by rule settings in ${run.settingsFiles.join(', ') || 'oclhub.ocl'})` : '';
    io.stdout(renderSummary(all, fileCount, io.colors) + silenced + '\n');
  }
  return counts.error > 0 ? EXIT_FINDINGS : EXIT_OK;
}
