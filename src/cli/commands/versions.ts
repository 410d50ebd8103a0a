/**
 * `oclhub versions <kind> <slug> [--hub DIR|URL] [--format text|json]`: published versions with dates,
 * notes and flags. A slug the hub has neither published nor holds is an error (exit 1) with
 * did-you-mean, never an empty list.
 */
import { Option } from 'commander';
import { suggest } from '../../model/suggest.js';
import { notReadWithoutBase } from '../../templates/catalog.js';
import { describeKind } from '../../templates/publish.js';
import { renderDiagnostics } from '../../report/text.js';
import { addHubOptions, KIND_CHOICES, openHubForCli, parseKind, type HubCliOptions } from '../hub-option.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';

export const registerVersions: RegisterCommand = (program, ctx) => {
  const command = program
    .command('versions')
    .description('list the published versions of a process template, project template or policy')
    .argument('<kind>', KIND_CHOICES)
    .argument('<slug>', 'template or policy slug')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'));
  addHubOptions(command).action(async (kind: string, slug: string, options: HubCliOptions & { format: 'text' | 'json' }) => {
    ctx.setExitCode(await runVersions(kind, slug, options, ctx.io));
  });
};

export async function runVersions(kindArg: string, slug: string, options: HubCliOptions & { format?: 'text' | 'json' }, io: CliIo): Promise<number> {
  const kind = parseKind(kindArg);
  if (!kind) {
    io.stderr(`oclhub versions: unknown kind "${kindArg}" (use ${KIND_CHOICES})\n`);
    return EXIT_USAGE;
  }
  const hub = await openHubForCli(options, io, 'versions', { workingTree: true });
  if (!hub) return EXIT_USAGE;
  const { versions, diagnostics } = await hub.versions(kind, slug);
  if (diagnostics.length > 0) {
    io.stderr(renderDiagnostics(diagnostics, { colors: io.colors }));
    return EXIT_FINDINGS;
  }
  if (versions.length === 0 && typeof hub.basePath !== 'string') {
    // Not "no such template" nor "not published yet": the hub's files were not looked at.
    io.stderr(renderDiagnostics([notReadWithoutBase('TPL205', `${describeKind(kind)} "${slug}"`, hub.basePath)], { colors: io.colors }));
    return EXIT_FINDINGS;
  }
  if (versions.length === 0) {
    const known = await hub.listTemplates(kind);
    if (!known.some((t) => t.slug === slug)) {
      const slugs = known.map((t) => t.slug);
      const near = suggest(slug, slugs);
      const what = kind === 'policies' ? 'policy' : kind === 'process-templates' ? 'process template' : 'project template';
      io.stderr(`oclhub versions: no ${what} "${slug}" in ${hub.location}${near !== undefined ? ` (did you mean "${near}"?)` : ''}${slugs.length ? ` (${kind}: ${slugs.join(', ')})` : ''}\n`);
      return EXIT_FINDINGS;
    }
  }
  if (options.format === 'json') {
    // Newest first, as the text output lists them.
    io.stdout(`${JSON.stringify({ kind, slug, versions: [...versions].reverse() }, null, 2)}\n`);
    return EXIT_OK;
  }
  if (versions.length === 0) {
    io.stdout(`${slug}: no published versions\n`);
    return EXIT_OK;
  }
  for (const v of [...versions].reverse()) {
    const flags = [v.prerelease ? 'pre-release' : '', v.forced ? 'forced' : ''].filter(Boolean);
    const who = v.publisher ? ` by ${v.publisher.name} <${v.publisher.email}>` : '';
    io.stdout(`${v.version}\t${v.date?.slice(0, 10) ?? '?'}${who}${flags.length ? ` [${flags.join(', ')}]` : ''}\n`);
    const notes = v.notes.trim();
    if (notes !== '') io.stdout(`${notes.split('\n').map((l) => `    ${l}`).join('\n')}\n`);
  }
  return EXIT_OK;
}
