/**
 * `oclhub publish process-template|project-template|policy <slug> (--bump major|minor|patch|prerelease
 * | --version X.Y.Z) [--notes TEXT] [--ref REF] [--dry-run] [--force] [--hub DIR] [--format text|json]`:
 * a thin shell over Hub.publish. `--version` alone publishes exactly that version (higher than every
 * published one, bump-checked); with `--bump` it is the version the bump must give (else refused).
 * Exit 0 published (or would publish), 1 refused (bump, validation, existing version, dirty tree),
 * 2 usage error, or another publish of the template holding its lock (retry).
 */
import { Option } from 'commander';
import { hasErrors } from '../../diagnostics.js';
import type { HubPublishResult } from '../../hub/index.js';
import { renderDiagnostics } from '../../report/text.js';
import { describeKind } from '../../templates/publish.js';
import { addHubOptions, cacheDirFor, KIND_CHOICES, openHubForCli, parseKind, type HubCliOptions } from '../hub-option.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';

export interface PublishCommandOptions extends HubCliOptions {
  bump?: string;
  version?: string;
  notes?: string;
  dryRun?: boolean;
  force?: boolean;
  format?: 'text' | 'json';
}

export const registerPublish: RegisterCommand = (program, ctx) => {
  const command = program
    .command('publish')
    .description('publish a version of a process template, project template or policy as an annotated Git tag')
    .argument('<kind>', KIND_CHOICES)
    .argument('<slug>', 'template or policy slug (its file or folder name)')
    .addOption(new Option('--bump <bump>', 'version bump').choices(['major', 'minor', 'patch', 'prerelease']))
    .option('--version <version>', 'publish exactly this version (higher than every published one; with --bump: the version the bump must give)')
    .option('--notes <text>', 'release notes recorded in the tag')
    .option('--ref <ref>', 'branch, tag or commit to publish (default: HEAD; the template must be committed)')
    .option('--dry-run', 'print the version, the bump check and the impact without tagging')
    .option('--force', 'publish even if the bump is smaller than the changes require (recorded in the tag)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'));
  addHubOptions(command).action(async (kind: string, slug: string, options: PublishCommandOptions) => {
    ctx.setExitCode(await runPublish(kind, slug, options, ctx.io));
  });
};

export async function runPublish(kindArg: string, slug: string, options: PublishCommandOptions, io: CliIo): Promise<number> {
  const kind = parseKind(kindArg);
  if (!kind) {
    io.stderr(`oclhub publish: unknown kind "${kindArg}" (use ${KIND_CHOICES})\n`);
    return EXIT_USAGE;
  }
  if (options.bump === undefined && options.version === undefined) {
    io.stderr('oclhub publish: give --bump major|minor|patch|prerelease, or --version X.Y.Z\n');
    return EXIT_USAGE;
  }
  const hub = await openHubForCli({ ...options, ...(options.ref ? { ref: options.ref } : {}) }, io, 'publish');
  if (!hub) return EXIT_USAGE;
  const result = await hub.publish(
    {
      kind,
      slug,
      ...(options.bump !== undefined ? { bump: options.bump } : {}),
      ...(options.version !== undefined ? { version: options.version } : {}),
      ...(options.notes !== undefined ? { notes: options.notes } : {}),
      ...(options.ref !== undefined ? { ref: options.ref } : {}),
      dryRun: options.dryRun === true,
      force: options.force === true,
      env: io.env,
    },
    { cacheDir: cacheDirFor(options, io) },
  );
  if (options.format === 'json') {
    const { candidate: _candidate, ...rest } = result;
    io.stdout(`${JSON.stringify(rest, null, 2)}\n`);
  } else {
    io.stdout(renderPublish(result));
    if (result.diagnostics.length > 0) io.stderr(renderDiagnostics(result.diagnostics, { colors: io.colors }));
  }
  if (result.diagnostics.some((d) => d.code === 'TPL210')) return EXIT_USAGE;
  return result.ok && !hasErrors(result.diagnostics) ? EXIT_OK : EXIT_FINDINGS;
}

function renderPublish(result: HubPublishResult): string {
  const lines: string[] = [];
  const what = `${describeKind(result.kind)} "${result.slug}"`;
  if (result.version) {
    const verb = result.published ? 'Published' : result.ok ? 'Would publish' : 'Not published:';
    lines.push(`${verb} ${what} ${result.version}${result.tag ? ` (tag ${result.tag})` : ''}${result.commit ? ` at ${result.commit.slice(0, 12)}` : ''}`);
  } else if (!result.ok) {
    lines.push(`Not published: ${what}`);
  }
  if (result.suppressed && result.suppressed.length > 0) {
    lines.push(`Rule settings in oclhub.ocl turned off ${result.suppressed.length} finding${result.suppressed.length === 1 ? '' : 's'}:`);
    for (const d of result.suppressed) lines.push(`  ${d.code} ${d.file ?? ''}${d.range ? `:${d.range.start.line}` : ''}: ${d.summary}${d.adjusted?.reason ? ` (${d.adjusted.reason})` : ''}`);
  }
  if (result.bump) {
    if (result.previous === undefined && result.bump.reasons.length === 0) {
      lines.push(`Requested bump: ${result.bump.requested} (no stable version published yet: nothing to compare with)`);
    } else {
      const since = result.previous ? ` since ${result.previous}` : '';
      lines.push(`Requested bump: ${result.bump.requested}; required${since}: ${result.bump.required}${result.bump.forced ? ' (overridden with --force)' : ''}`);
    }
    for (const reason of result.bump.reasons) lines.push(`  - ${reason.bump}: ${reason.message}`);
  }
  if (result.impact) {
    lines.push(result.impact.length === 0 ? 'Impact: no projects are registered in oclhub.ocl' : 'Impact on registered projects:');
    for (const entry of result.impact) {
      if (entry.error) {
        lines.push(`  ${entry.project}: cannot be read (${entry.error})`);
        continue;
      }
      if (entry.usages.length === 0) lines.push(`  ${entry.project}: does not use it`);
      for (const usage of entry.usages) {
        const move = usage.floats ? `floats ${usage.before ?? 'nothing'} -> ${usage.after}` : `stays on ${usage.after ?? usage.before ?? 'nothing'}`;
        lines.push(`  ${entry.project}: ${usage.file} usage "${usage.usage}" (mask ${usage.mask ?? '?'}): ${move}`);
      }
      for (const d of entry.newDiagnostics) lines.push(`    new ${d.severity} ${d.code}: ${d.summary}`);
    }
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
