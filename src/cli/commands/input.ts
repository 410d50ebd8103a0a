/**
 * `oclhub input --project DIR|SLUG --environment SLUG [context flags]`: prints the Octopus policy input
 * object oclhub builds for that context, so policy authors see exactly what their policy sees.
 */
import { evaluateTarget } from '../../lint/engine.js';
import { renderDiagnostics } from '../../report/text.js';
import { addHubOptions, openHubForCli, type HubCliOptions } from '../hub-option.js';
import { EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';
import { addContextOptions, evaluateOptionsFrom, singleTarget, type ContextCliOptions } from '../lint-targets.js';

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
    .option('--ref <ref>', 'hub branch, tag or commit to read (default HEAD)')
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
  const hub = await openHubForCli(options, io, 'input');
  if (!hub) return EXIT_USAGE;
  const found = await singleTarget(hub, options.project, io, options.locked ? { locked: true } : {});
  if (!found.target) {
    io.stderr(`oclhub input: ${found.error}\n`);
    return EXIT_USAGE;
  }
  // No policies are needed to build the input.
  const result = await evaluateTarget(hub, found.target, { ...evaluateOptions, policies: [] });
  const problems = result.diagnostics.filter((d) => d.severity === 'error');
  if (problems.length > 0) io.stderr(renderDiagnostics(problems, { sources: result.sources, colors: io.colors }));
  if (!result.input) return EXIT_USAGE;
  io.stdout(`${JSON.stringify(result.input.input, null, 2)}\n`);
  return EXIT_OK;
}
