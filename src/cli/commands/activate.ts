/**
 * `oclhub activate <policy> <version> | --off [--branch B] [--hub DIR] [--format text|json]`: sets (or
 * removes) `active_version` in the policy's block of oclhub.ocl as a commit on the hub's branch, the
 * CLI twin of `POST /api/policies/:slug/activation` (hub/activation.ts does the work for both).
 * Without it the only way to activate was to edit oclhub.ocl by hand, and the one-line block a user
 * naturally types (`policy "x" { active_version = "1.0.0" }`) is not valid OCL.
 *
 * Only a version published as a tag can be activated. The author is the Git identity publish uses.
 * Exit 0 activated (or already so), 1 refused (not published, dirty oclhub.ocl, busy branch...),
 * 2 usage error.
 */
import { Option } from 'commander';
import type { ActivationResult } from '../../hub/activation.js';
import { renderDiagnostics } from '../../report/text.js';
import { addHubOptions, openHubForCli, type HubCliOptions } from '../hub-option.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';

export interface ActivateCommandOptions extends HubCliOptions {
  off?: boolean;
  branch?: string;
  format?: 'text' | 'json';
}

export const registerActivate: RegisterCommand = (program, ctx) => {
  const command = program
    .command('activate')
    .description('activate a published policy version (or deactivate with --off): commits active_version to oclhub.ocl')
    .argument('<policy>', 'policy slug')
    .argument('[version]', 'published version to activate')
    .option('--off', 'deactivate the policy (remove active_version)')
    .option('--branch <branch>', "hub branch to commit to (default: the hub's checked-out branch)")
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'));
  addHubOptions(command).action(async (slug: string, version: string | undefined, options: ActivateCommandOptions) => {
    ctx.setExitCode(await runActivate(slug, version, options, ctx.io));
  });
  command.addHelpText('after', '\nExamples:\n  $ oclhub publish policy no_disabled_steps --bump major\n  $ oclhub activate no_disabled_steps 1.0.0\n  $ oclhub activate no_disabled_steps --off\n');
};

export async function runActivate(slug: string, version: string | undefined, options: ActivateCommandOptions, io: CliIo): Promise<number> {
  if ((version === undefined) === (options.off !== true)) {
    io.stderr(`oclhub activate: give the version to activate, or --off to deactivate (not both)\n`);
    return EXIT_USAGE;
  }
  const where = options.hub ?? io.env.OCLHUB_HUB;
  if (where !== undefined && /^https?:\/\//i.test(where)) {
    // A commit in the local clone of a remote hub would be activation nobody sees.
    io.stderr('oclhub activate: needs a local hub repository (a folder); activate in a clone and push, or use the API of a server over the hub\n');
    return EXIT_USAGE;
  }
  const hub = await openHubForCli(options, io, 'activate');
  if (!hub) return EXIT_USAGE;
  const author = await hub.defaultPublisher(io.env);
  if (!author) {
    io.stderr('oclhub activate: no Git identity for the commit: set user.name and user.email (git config) or GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL\n');
    return EXIT_USAGE;
  }
  const { activatePolicy } = await import('../../hub/activation.js');
  const result = await activatePolicy(hub, { slug, version: version ?? null, author, ...(options.branch !== undefined ? { branch: options.branch } : {}) });
  if (options.format === 'json') {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    io.stdout(renderActivation(result));
    if (result.diagnostics.length > 0) io.stderr(renderDiagnostics(result.diagnostics, { colors: io.colors }));
  }
  return result.ok ? EXIT_OK : EXIT_FINDINGS;
}

function renderActivation(result: ActivationResult): string {
  const what = `policy "${result.policy}"`;
  if (!result.ok) return `Not changed: ${what} (${result.refusal})\n`;
  const lines: string[] = [];
  const state = result.version === null ? 'inactive' : `active at ${result.version}`;
  if (!result.changed) lines.push(`${what} is already ${state} on ${result.branch}: nothing to commit`);
  else {
    const was = result.previousVersion === null ? 'inactive' : result.previousVersion;
    lines.push(`${result.version === null ? 'Deactivated' : 'Activated'} ${what}${result.version === null ? '' : ` ${result.version}`} (was ${was}) on ${result.branch} in commit ${result.commit?.slice(0, 12)}`);
  }
  if (result.worktreeUpdated) lines.push('oclhub.ocl in the working copy was updated with the commit');
  if (result.worktreeBehind) lines.push(`The working copy still shows the old oclhub.ocl: run ${result.worktreeAction}`);
  return `${lines.join('\n')}\n`;
}
