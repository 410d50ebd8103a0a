/**
 * `oclhub deps --project P [--environment E] [--tenant T] [--deployed FILE] [--format text|json]`: a
 * project's dependencies — deploy groups in order, each dependency's version pattern and action — and,
 * with a deployed-versions file, what the Verify Dependencies template would decide for each one.
 * Exit 0; 1 when a dependency would fail the deployment (a Stop dependency unsatisfied, a deploy action
 * with nothing to deploy, or a version that cannot be decided) or a declaration has an error; 2 on
 * usage or tool errors (unknown project, unreadable or invalid deployed-versions file).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Option } from 'commander';
import { hasErrors } from '../../diagnostics.js';
import type { DependencyReport, ReportDependency } from '../../deps/report.js';
import { renderDiagnostics } from '../../report/text.js';
import { addHubOptions, cacheDirFor, openHubForCli, type HubCliOptions } from '../hub-option.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIo, type Colors } from '../io.js';
import type { RegisterCommand } from '../main.js';

export interface DepsCommandOptions extends HubCliOptions {
  project: string;
  environment?: string;
  tenant?: string;
  deployed?: string;
  format?: 'text' | 'json';
}

export const registerDeps: RegisterCommand = (program, ctx) => {
  const command = program
    .command('deps')
    .description("a project's dependency plan and, with --deployed, whether each dependency is satisfied (exit 1 when one would fail the deployment)")
    .requiredOption('--project <slug>', 'the project (slug or name in oclhub.ocl)')
    .option('--environment <slug>', 'the environment deployed to (needed with --deployed)')
    .option('--tenant <slug>', 'the tenant deployed (dependencies without their own tenant use it)')
    .option('--deployed <file>', 'JSON file of deployed versions: { "<project>": { "<environment>": "<version>" } }')
    .option('--ref <ref>', 'hub branch, tag or commit to read (default HEAD)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'));
  addHubOptions(command).action(async (options: DepsCommandOptions) => {
    ctx.setExitCode(await runDeps(options, ctx.io));
  });
};

export async function runDeps(options: DepsCommandOptions, io: CliIo): Promise<number> {
  if (options.deployed !== undefined && options.environment === undefined) {
    io.stderr('oclhub deps: --deployed needs --environment (the environment deployed to)\n');
    return EXIT_USAGE;
  }
  const deps = await import('../../deps/index.js');
  let deployed;
  if (options.deployed !== undefined) {
    const file = path.resolve(io.cwd, options.deployed);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      io.stderr(`oclhub deps: cannot read ${options.deployed}: ${(error as Error).message}\n`);
      return EXIT_USAGE;
    }
    const parsed = deps.parseDeployedVersions(text, options.deployed);
    if (!parsed.deployed) {
      io.stderr(renderDiagnostics(parsed.diagnostics, { sources: new Map([[options.deployed, text]]), colors: io.colors }));
      return EXIT_USAGE;
    }
    deployed = parsed.deployed;
  }
  const hub = await openHubForCli(options, io, 'deps');
  if (!hub) return EXIT_USAGE;
  const set = await deps.loadDependencies(hub, { cacheDir: cacheDirFor(options, io) });
  const built = deps.buildDependencyReport(set, {
    project: options.project,
    ...(options.environment !== undefined ? { environment: options.environment } : {}),
    ...(options.tenant !== undefined ? { tenant: options.tenant } : {}),
    ...(deployed ? { deployed } : {}),
  });
  if ('error' in built) {
    io.stderr(`oclhub deps: ${built.error}\n`);
    return EXIT_USAGE;
  }
  const report = built.report;
  const failed = report.blocked === true || hasErrors(report.diagnostics);
  if (options.format === 'json') {
    io.stdout(`${JSON.stringify({ ...(hub.commit ? { hubRef: hub.commit } : {}), ...report }, null, 2)}\n`);
  } else {
    io.stdout(renderText(report, io.colors));
    if (report.diagnostics.length > 0) io.stdout(`\n${renderDiagnostics(report.diagnostics, { ...(set.sources ? { sources: set.sources } : {}), colors: io.colors })}`);
    io.stdout(`\n${verdict(report, failed, io.colors)}\n`);
  }
  return failed ? EXIT_FINDINGS : EXIT_OK;
}

const OUTCOME_WORDS: Record<string, string> = { none: 'ok', deploy: 'deploy', continue: 'continue', fail: 'FAIL' };

function line(d: ReportDependency, c: Colors): string {
  const where = `${d.source.file}:${d.source.line}`;
  const tenant = d.tenant !== undefined ? ` tenant ${d.tenant}` : '';
  const head = `${d.project}  ${d.versionPattern}  ${d.action}${tenant}`;
  if (!d.check) return `  ${head}${d.meaning ? c.dim(`  (${d.meaning})`) : ''}  ${c.dim(where)}`;
  const word = OUTCOME_WORDS[d.check.outcome]!;
  const paint = d.check.outcome === 'fail' ? c.red : d.check.outcome === 'none' ? c.green : c.yellow;
  const approval = d.check.approvalRequired ? ' (after a manual approval)' : '';
  return `  ${paint(word.padEnd(8))} ${head}  ${c.dim(where)}\n           ${d.check.reason}${approval}`;
}

function renderText(report: DependencyReport, c: Colors): string {
  const context = report.environment !== undefined ? ` → ${report.environment}${report.tenant !== undefined ? ` (tenant ${report.tenant})` : ''}` : '';
  const out = [`Dependencies of ${report.project} (${report.name})${context}`];
  const count = report.groups.reduce((n, g) => n + g.dependencies.length, 0);
  if (count === 0) out.push('  none declared');
  for (const group of report.groups) {
    out.push(group.group === null ? 'Without a deploy group (deployed on its own, after the groups):' : `Deploy group ${group.group}:`);
    for (const d of group.dependencies) out.push(line(d, c));
  }
  if (report.dependents.length > 0) out.push(`Depended on by: ${[...new Set(report.dependents.map((d) => d.project))].join(', ')}`);
  for (const cycle of report.cycles) out.push(c.red(`In a dependency cycle: ${[...cycle, cycle[0]].join(' → ')}`));
  return `${out.join('\n')}\n`;
}

function verdict(report: DependencyReport, failed: boolean, c: Colors): string {
  if (report.blocked) return c.red(`BLOCKED: a dependency of ${report.project} would fail the deployment to ${report.environment}`);
  if (failed) return c.red(`FAILED: ${report.project}'s dependency declarations have errors`);
  if (report.blocked === false) return c.green(`OK: every dependency of ${report.project} lets the deployment to ${report.environment} go ahead`);
  return `${report.groups.reduce((n, g) => n + g.dependencies.length, 0)} dependencies; give --environment and --deployed to check them against deployed versions`;
}
