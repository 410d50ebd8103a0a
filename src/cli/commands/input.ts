/**
 * `oclhub input --project DIR|SLUG --environment SLUG [context flags]`: prints the Octopus policy input
 * object oclhub builds for that context, so policy authors see exactly what their policy sees. Without
 * --release-version a deployment's input has no `Release` (oclhub never invents one). Exit 0 with the
 * input; 1 when no complete input exists (a process-template usage that does not resolve, a project
 * that cannot be read), with the reasons on stderr; 2 on usage errors (unknown project, environment,
 * tenant or step to skip, with did-you-mean).
 */
import { evaluateTarget } from '../../lint/engine.js';
import { cacheDirFor } from '../cache-dirs.js';
import { addHubOptions, openHubForCli, type HubCliOptions } from '../hub-option.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';
import { addContextOptions, evaluateOptionsFrom, homeRepository, singleTarget, type ContextCliOptions } from '../lint-targets.js';
import { failureExit, renderTargetDiagnostics } from './evaluate.js';

export interface InputCommandOptions extends HubCliOptions, ContextCliOptions {
  project?: string;
  ref?: string;
  locked?: boolean;
}

export const registerInput: RegisterCommand = (program, ctx) => {
  const command = program
    .command('input')
    .description('print the Octopus policy input object for a project in an environment')
    .option('--project <dir|slug>', 'project folder, or the slug of a project registered in oclhub.ocl (default: current folder)')
    .requiredOption('--environment <slug>', 'the environment deployed to')
    .option('--ref <ref>', 'hub branch, tag or commit to read (default: the working tree)')
    .option('--locked', 'resolve templates to the versions in oclhub.lock.json');
  addHubOptions(addContextOptions(command)).action(async (options: InputCommandOptions) => {
    ctx.setExitCode(await runInput(options, ctx.io));
  });
};

export async function runInput(options: InputCommandOptions, io: CliIo): Promise<number> {
  const evaluateOptions = evaluateOptionsFrom(options);
  if ('error' in evaluateOptions) {
    io.stderr(`oclhub input: ${evaluateOptions.error}\n`);
    return EXIT_USAGE;
  }
  const hub = await openHubForCli(options, io, 'input', { workingTree: true });
  if (!hub) return EXIT_USAGE;
  const found = await singleTarget(hub, options.project, io, { ...(options.locked ? { locked: true } : {}), cacheDir: cacheDirFor(options, io) });
  if (!found.target) {
    io.stderr(`oclhub input: ${found.error}\n`);
    return EXIT_USAGE;
  }
  // No policies are needed to build the input.
  const result = await evaluateTarget(hub, found.target, { ...evaluateOptions, policies: [] });
  // The resolution errors of an undecided context are among the diagnostics too.
  // And the steps whose ActionType the input leaves out (SEM043): a reader of the input must know it is not ''.
  const problems = result.diagnostics.filter((d) => d.severity === 'error' || d.code === 'SEM043');
  const report = { home: await homeRepository(hub, [found.target], io) };
  if (problems.length > 0) io.stderr(renderTargetDiagnostics(problems, result, report, io));
  if (!result.input) {
    if (result.evaluation?.errors) io.stderr('oclhub input: the process does not resolve: no complete input exists for it\n');
    return result.evaluation ? EXIT_FINDINGS : failureExit(result);
  }
  io.stdout(`${JSON.stringify(result.input.input, null, 2)}\n`);
  return EXIT_OK;
}
