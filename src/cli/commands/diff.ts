/**
 * `oclhub diff REF_A REF_B [--hub DIR] [--format text|json]`: evaluates every registered project ×
 * environment at both hub refs and lists the decisions that changed (newly blocked, newly allowed,
 * otherwise changed, reason changed). Exit 0 with or without changes (`--fail-on-new-blocks` exits 1
 * when a change newly blocks a deployment), 2 on usage or tool errors.
 */
import path from 'node:path';
import { Option } from 'commander';
import { diffHubFolder, findRepositoryRoot } from '../../hub/index.js';
import type { DecisionChange, HubDiff } from '../../lint/diff.js';
import { renderDiagnostics } from '../../report/text.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';
import { releaseFrom } from '../../policy/release-version.js';

export interface DiffCommandOptions {
  hub?: string;
  format?: 'text' | 'json';
  failOnNewBlocks?: boolean;
  releaseVersion?: string;
  gitRef?: string;
}

export const registerDiff: RegisterCommand = (program, ctx) => {
  program
    .command('diff')
    .description('list the policy decisions that change between two hub refs (every registered project × environment)')
    .argument('<refA>', 'the hub ref before (branch, tag or commit)')
    .argument('<refB>', 'the hub ref after')
    .option('--hub <dir>', 'hub repository folder (default: the repository of the current folder)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--fail-on-new-blocks', 'exit 1 when a change newly blocks a deployment')
    .option('--release-version <version>', 'evaluate deployments of this release (without it, policies that read input.Release are inconclusive at both refs)')
    .option('--git-ref <ref>', "the release's Git ref (with --release-version)")
    .action(async (refA: string, refB: string, options: DiffCommandOptions) => {
      ctx.setExitCode(await runDiff(refA, refB, options, ctx.io));
    });
};

const LABEL: Record<DecisionChange['kind'], string> = {
  'newly-blocked': 'newly blocked',
  'newly-allowed': 'newly allowed',
  inconclusive: 'inconclusive',
  changed: 'changed',
  'reason-changed': 'reason changed',
};

export async function runDiff(refA: string, refB: string, options: DiffCommandOptions, io: CliIo): Promise<number> {
  const release = releaseFrom(options);
  if ('error' in release) {
    io.stderr(`oclhub diff: ${release.error}\n`);
    return EXIT_USAGE;
  }
  const dir = options.hub !== undefined ? path.resolve(io.cwd, options.hub) : ((await findRepositoryRoot(io.cwd)) ?? io.cwd);
  const diff = await diffHubFolder(dir, refA, refB, release.release ? { release: release.release } : {});
  if (diff.commitA === undefined || diff.commitB === undefined) {
    io.stderr(`oclhub diff: cannot read both refs\n`);
    io.stderr(renderDiagnostics(diff.diagnostics, { colors: io.colors }));
    return EXIT_USAGE;
  }
  if (options.format === 'json') io.stdout(`${JSON.stringify(diff, null, 2)}\n`);
  else renderText(diff, io);
  return options.failOnNewBlocks && diff.changes.some((c) => c.kind === 'newly-blocked') ? EXIT_FINDINGS : EXIT_OK;
}

function describe(side: DecisionChange['before']): string {
  return `${side.state}${side.version ? ` (${side.version})` : ''}${side.reason ? `: ${side.reason}` : ''}`;
}

function renderText(diff: HubDiff, io: CliIo): void {
  const c = io.colors;
  if (diff.diagnostics.length > 0) io.stderr(renderDiagnostics(diff.diagnostics, { colors: c }));
  io.stdout(`Policy decisions from ${diff.refA} (${diff.commitA!.slice(0, 12)}) to ${diff.refB} (${diff.commitB!.slice(0, 12)}):\n`);
  for (const change of diff.changes) {
    const paint = change.kind === 'newly-blocked' ? c.red : change.kind === 'newly-allowed' ? c.green : c.yellow;
    io.stdout(`  ${paint(LABEL[change.kind].padEnd(14))} ${change.context}  ${c.bold(change.policy)}\n`);
    io.stdout(`      before: ${describe(change.before)}\n      after:  ${describe(change.after)}\n`);
  }
  const count = (kind: DecisionChange['kind']) => diff.changes.filter((x) => x.kind === kind).length;
  io.stdout(
    `${diff.changes.length} ${diff.changes.length === 1 ? 'change' : 'changes'} over ${diff.contexts} contexts: ${count('newly-blocked')} newly blocked, ${count('newly-allowed')} newly allowed, ${count('changed')} changed, ${count('reason-changed')} reason changed${count('inconclusive') > 0 ? `, ${count('inconclusive')} newly inconclusive` : ''}\n`,
  );
}
