/**
 * `oclhub evaluate --project DIR|SLUG --environment SLUG [--tenant SLUG] [--release-version V] [--git-ref REF]
 *  [--skip-step SLUG]... [--runbook SLUG] [--format text|json]`: the deployment gate. Evaluates the active
 * policies on the project's process in one context. Exit 0 allowed (warnings are printed), 1 blocked,
 * 2 on usage or tool errors.
 */
import { Option } from 'commander';
import { evaluateTarget } from '../../lint/engine.js';
import { renderLintText } from '../../report/lint-text.js';
import { contextName, decisionMessage, policyLabel, type LintReport } from '../../report/lint-report.js';
import { renderDiagnostics } from '../../report/text.js';
import { addHubOptions, openHubForCli, type HubCliOptions } from '../hub-option.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';
import { addContextOptions, evaluateOptionsFrom, singleTarget, type ContextCliOptions } from '../lint-targets.js';

export interface EvaluateCommandOptions extends HubCliOptions, ContextCliOptions {
  project?: string;
  ref?: string;
  format?: 'text' | 'json';
  locked?: boolean;
}

export const registerEvaluate: RegisterCommand = (program, ctx) => {
  const command = program
    .command('evaluate')
    .description('the deployment gate: may this project deploy to this environment? (exit 0 allowed, 1 blocked)')
    .option('--project <dir|slug>', 'project folder, or the slug of a project registered in oclhub.ocl (default: current folder)')
    .requiredOption('--environment <slug>', 'the environment deployed to')
    .option('--ref <ref>', 'hub branch, tag or commit to read (default HEAD)')
    .option('--locked', 'resolve templates to the versions in oclhub.lock.json')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'));
  addHubOptions(addContextOptions(command)).action(async (options: EvaluateCommandOptions) => {
    ctx.setExitCode(await runEvaluate(options, ctx.io));
  });
};

export async function runEvaluate(options: EvaluateCommandOptions, io: CliIo): Promise<number> {
  const evaluateOptions = evaluateOptionsFrom(options);
  if ('error' in evaluateOptions) {
    io.stderr(`oclhub evaluate: ${evaluateOptions.error}\n`);
    return EXIT_USAGE;
  }
  const hub = await openHubForCli(options, io, 'evaluate');
  if (!hub) return EXIT_USAGE;
  const found = await singleTarget(hub, options.project, io, options.locked ? { locked: true } : {});
  if (!found.target) {
    io.stderr(`oclhub evaluate: ${found.error}\n`);
    return EXIT_USAGE;
  }
  const result = await evaluateTarget(hub, found.target, evaluateOptions);
  if (!result.evaluation) {
    io.stderr(renderDiagnostics(result.diagnostics, { sources: result.sources, colors: io.colors }));
    return EXIT_USAGE;
  }
  const evaluation = result.evaluation;
  if (options.format === 'json') {
    io.stdout(
      `${JSON.stringify(
        {
          allowed: result.allowed,
          project: evaluation.project,
          environment: evaluation.environment,
          ...(evaluation.tenant !== undefined ? { tenant: evaluation.tenant } : {}),
          ...(hub.commit ? { hubRef: hub.commit } : {}),
          decisions: evaluation.decisions,
          diagnostics: result.diagnostics,
        },
        null,
        2,
      )}\n`,
    );
    return result.allowed ? EXIT_OK : EXIT_FINDINGS;
  }
  const report: LintReport = { tool: { name: 'oclhub', version: '' }, evaluations: [evaluation], diagnostics: result.diagnostics, sources: result.sources, failOn: 'block' };
  const findings = evaluation.decisions.filter((d) => d.outcome !== 'pass' && d.outcome !== 'skipped');
  if (findings.length > 0 || result.diagnostics.length > 0) {
    const text = renderLintText(report, { colors: io.colors });
    // The report's own summary line counts findings; the gate's verdict below is what matters here.
    io.stdout(text.split('\n').filter((line, i, all) => !(i >= all.length - 2 && line.includes(' — '))).join('\n').replace(/\n*$/, '\n'));
  }
  const c = io.colors;
  const applied = evaluation.decisions.filter((d) => d.outcome !== 'skipped');
  for (const d of evaluation.decisions.filter((x) => x.outcome === 'pass')) io.stdout(`${c.green('pass')} ${policyLabel(d)}${d.reason ? `: ${decisionMessage(d)}` : ''}\n`);
  const verdict = result.allowed ? c.green('ALLOWED') : c.red('BLOCKED');
  io.stdout(`${verdict}: ${contextName(evaluation)} — ${applied.length} of ${evaluation.decisions.length} policies in scope\n`);
  return result.allowed ? EXIT_OK : EXIT_FINDINGS;
}
