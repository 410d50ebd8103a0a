/**
 * `oclhub evaluate --project DIR|SLUG --environment SLUG [--tenant SLUG] [--release-version V] [--git-ref REF]
 *  [--skip-step SLUG]... [--runbook SLUG] [--format text|json]`: the deployment gate. Evaluates the active
 * policies on the project's process in one context. Exit 0 allowed (warnings and inconclusive decisions
 * are printed), 1 blocked or not decided (a process that does not resolve, a project that cannot be
 * read), 2 on usage or tool errors (an unknown project, environment, tenant, runbook or step to skip,
 * with did-you-mean). Without --ref a local hub is read from its working tree.
 */
import { Option } from 'commander';
import { evaluateTarget } from '../../lint/engine.js';
import { renderLintText } from '../../report/lint-text.js';
import { contextName, contextStatus, decisionMessage, displayPath, policyLabel, sourceKey, type LintReport } from '../../report/lint-report.js';
import { renderDiagnostics } from '../../report/text.js';
import type { Diagnostic } from '../../diagnostics.js';
import type { TargetEvaluation } from '../../lint/engine.js';
import { cacheDirFor } from '../cache-dirs.js';
import { addHubOptions, openHubForCli, type HubCliOptions } from '../hub-option.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';
import { addContextOptions, evaluateOptionsFrom, homeRepository, singleTarget, type ContextCliOptions } from '../lint-targets.js';

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
    .option('--ref <ref>', 'hub branch, tag or commit to read (default: the working tree)')
    .option('--locked', 'resolve templates to the versions in oclhub.lock.json')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'));
  addHubOptions(addContextOptions(command)).action(async (options: EvaluateCommandOptions) => {
    ctx.setExitCode(await runEvaluate(options, ctx.io));
  });
};

/** Codes of diagnostics that mean the question itself was wrong (exit 2), not that the answer is no. */
const CONTEXT_CODES = new Set(['HUB003', 'HUB005']);

/** Whether a run without an evaluation failed because of the request (2) or because of the project (1). */
export function failureExit(result: Pick<TargetEvaluation, 'diagnostics'>): number {
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  return errors.length > 0 && errors.every((d) => CONTEXT_CODES.has(d.code)) ? EXIT_USAGE : EXIT_FINDINGS;
}

/** Diagnostics as text, frames read from each one's repository. */
export function renderTargetDiagnostics(diagnostics: readonly Diagnostic[], result: Pick<TargetEvaluation, 'sources'>, report: Pick<LintReport, 'home'>, io: CliIo): string {
  return renderDiagnostics(diagnostics, { sources: result.sources, colors: io.colors, place: (file, repository) => ({ key: sourceKey(file, repository), shown: displayPath(report, file, repository) }) });
}

export async function runEvaluate(options: EvaluateCommandOptions, io: CliIo): Promise<number> {
  const evaluateOptions = evaluateOptionsFrom(options);
  if ('error' in evaluateOptions) {
    io.stderr(`oclhub evaluate: ${evaluateOptions.error}\n`);
    return EXIT_USAGE;
  }
  const hub = await openHubForCli(options, io, 'evaluate', { workingTree: true });
  if (!hub) return EXIT_USAGE;
  const found = await singleTarget(hub, options.project, io, { ...(options.locked ? { locked: true } : {}), cacheDir: cacheDirFor(options, io) });
  if (!found.target) {
    io.stderr(`oclhub evaluate: ${found.error}\n`);
    return EXIT_USAGE;
  }
  const home = await homeRepository(hub, [found.target], io);
  const result = await evaluateTarget(hub, found.target, evaluateOptions);
  if (!result.evaluation) {
    io.stderr(renderTargetDiagnostics(result.diagnostics, result, { home }, io));
    return failureExit(result);
  }
  const evaluation = result.evaluation;
  const status = result.allowed ? contextStatus(evaluation) : contextStatus(evaluation) === 'error' ? 'error' : 'blocked';
  if (options.format === 'json') {
    io.stdout(
      `${JSON.stringify(
        {
          allowed: result.allowed,
          decision: status,
          project: evaluation.project,
          environment: evaluation.environment,
          ...(evaluation.tenant !== undefined ? { tenant: evaluation.tenant } : {}),
          ...(hub.commit ? { hubRef: hub.commit } : {}),
          decisions: evaluation.decisions,
          ...(evaluation.errors ? { errors: evaluation.errors } : {}),
          diagnostics: result.diagnostics,
          ...(result.suppressed.length > 0 ? { suppressed: result.suppressed } : {}),
        },
        null,
        2,
      )}\n`,
    );
    return result.allowed ? EXIT_OK : EXIT_FINDINGS;
  }
  const report: LintReport = {
    tool: { name: 'oclhub', version: '' },
    evaluations: [evaluation],
    diagnostics: result.diagnostics,
    sources: result.sources,
    failOn: 'block',
    ...(result.suppressed.length > 0 ? { suppressed: result.suppressed } : {}),
    home,
  };
  const findings = evaluation.decisions.filter((d) => d.outcome !== 'pass' && d.outcome !== 'skipped');
  if (findings.length > 0 || result.diagnostics.length > 0 || (evaluation.errors?.length ?? 0) > 0) {
    const text = renderLintText(report, { colors: io.colors });
    // The report's own summary line counts findings; the gate's verdict below is what matters here.
    io.stdout(text.split('\n').filter((line, i, all) => !(i >= all.length - 2 && line.includes(' — '))).join('\n').replace(/\n*$/, '\n'));
  }
  const c = io.colors;
  const applied = evaluation.decisions.filter((d) => d.outcome !== 'skipped');
  for (const d of evaluation.decisions.filter((x) => x.outcome === 'pass')) io.stdout(`${c.green('pass')} ${policyLabel(d)}${d.reason ? `: ${decisionMessage(d)}` : ''}\n`);
  const inconclusive = evaluation.decisions.filter((d) => d.outcome === 'inconclusive').length;
  const verdict = status === 'error' ? c.red('NOT DECIDED') : result.allowed ? c.green('ALLOWED') : c.red('BLOCKED');
  const pending = inconclusive > 0 ? ` (${inconclusive} inconclusive: give --release-version to decide ${inconclusive === 1 ? 'it' : 'them'})` : '';
  io.stdout(`${verdict}: ${contextName(evaluation)} — ${applied.length} of ${evaluation.decisions.length} policies in scope${pending}\n`);
  return result.allowed ? EXIT_OK : EXIT_FINDINGS;
}
