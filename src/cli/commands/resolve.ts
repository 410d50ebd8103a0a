/**
 * `oclhub resolve [--project DIR|SLUG] [--hub DIR|URL#REF] [--ref REF] [--format json|ocl] [--locked]`: the
 * project's processes with every process-template usage resolved and expanded, as JSON (with
 * provenance) or as OCL. The hub is read from its working tree unless --ref names a commit. Exit 1 when
 * resolution has errors.
 */
import { Option } from 'commander';
import { hasErrors } from '../../diagnostics.js';
import { processToOcl, resolutionToJson } from '../../templates/render.js';
import { addHubOptions, cacheDirFor, openHubForCli, type HubCliOptions } from '../hub-option.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';
import { addProjectOption, printDiagnostics, resolveForCli } from '../project-option.js';

export interface ResolveCommandOptions extends HubCliOptions {
  project?: string;
  format?: 'json' | 'ocl';
  locked?: boolean;
}

export const registerResolve: RegisterCommand = (program, ctx) => {
  const command = program
    .command('resolve')
    .description("resolve a project's process-template usages against the hub's published versions")
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'ocl']).default('json'))
    .option('--ref <ref>', 'hub branch, tag or commit to read (default: the working tree)')
    .option('--locked', 'resolve to the versions in oclhub.lock.json and fail when they differ from floating resolution');
  addHubOptions(addProjectOption(command, { slugs: true })).action(async (options: ResolveCommandOptions) => {
    ctx.setExitCode(await runResolve(options, ctx.io));
  });
};

export async function runResolve(options: ResolveCommandOptions, io: CliIo): Promise<number> {
  const hub = await openHubForCli(options, io, 'resolve', { workingTree: true });
  if (!hub) return EXIT_USAGE;
  const run = await resolveForCli(hub, { command: 'resolve', slugs: true, cacheDir: cacheDirFor(options, io), ...(options.project ? { project: options.project } : {}), ...(options.locked ? { lock: 'required' as const } : {}) }, io);
  if (!run) return EXIT_USAGE;
  const diagnostics = [...run.resolution.diagnostics];
  if (run.lock && run.floating) diagnostics.push(...hub.checkLock(run.lock, run.floating));
  if (options.format === 'ocl') {
    const many = run.resolution.processes.length > 1;
    for (const process of run.resolution.processes) {
      if (many) io.stderr(`oclhub resolve: ${process.file}\n`);
      io.stdout(processToOcl(process) ?? '');
      if (many) io.stdout('\n');
    }
  } else {
    io.stdout(`${JSON.stringify({ ...resolutionToJson(run.resolution), diagnostics }, null, 2)}\n`);
  }
  printDiagnostics(diagnostics, run, io);
  return hasErrors(diagnostics) ? EXIT_FINDINGS : EXIT_OK;
}
