/**
 * `oclhub outdated [--project DIR|SLUG] [--hub DIR|URL#REF] [--format text|json]`: per usage, the resolved
 * version (the lock's, when there is one), the newest its mask allows and the newest overall. Exit 1
 * when a usage is behind what its mask allows or a new major waits for manual acceptance.
 */
import { Option } from 'commander';
import { addHubOptions, cacheDirFor, openHubForCli, type HubCliOptions } from '../hub-option.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';
import { addProjectOption, printDiagnostics, resolveForCli } from '../project-option.js';

export const registerOutdated: RegisterCommand = (program, ctx) => {
  const command = program
    .command('outdated')
    .description('show, per process-template usage, the resolved version, the newest its mask allows and the newest overall')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'));
  addHubOptions(addProjectOption(command, { slugs: true })).action(async (options: HubCliOptions & { project?: string; format: 'text' | 'json' }) => {
    ctx.setExitCode(await runOutdated(options, ctx.io));
  });
};

export async function runOutdated(options: HubCliOptions & { project?: string; format?: 'text' | 'json' }, io: CliIo): Promise<number> {
  const hub = await openHubForCli(options, io, 'outdated', { workingTree: true });
  if (!hub) return EXIT_USAGE;
  const run = await resolveForCli(hub, { command: 'outdated', slugs: true, lock: 'if-present', cacheDir: cacheDirFor(options, io), ...(options.project ? { project: options.project } : {}) }, io);
  if (!run) return EXIT_USAGE;
  const entries = hub.outdated(run.resolution);
  if (options.format === 'json') {
    io.stdout(`${JSON.stringify({ usages: entries }, null, 2)}\n`);
  } else {
    const rows = [['USAGE', 'TEMPLATE', 'MASK', 'RESOLVED', 'ALLOWED', 'NEWEST', '']];
    for (const e of entries) {
      rows.push([
        `${e.file}#${e.usage}`,
        e.template ?? '-',
        e.mask ?? '-',
        e.resolved ?? '-',
        e.newestAllowed ?? '-',
        e.newestOverall ?? '-',
        e.needsManualAcceptance ? 'new major: needs manual acceptance' : '',
      ]);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const row of rows) io.stdout(`${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
  }
  printDiagnostics(run.resolution.diagnostics, run, io);
  const behind = entries.some((e) => e.needsManualAcceptance || (e.resolved !== undefined && e.newestAllowed !== undefined && e.resolved !== e.newestAllowed));
  return behind ? EXIT_FINDINGS : EXIT_OK;
}
