/**
 * `oclhub lint [--hub DIR|URL#REF] [--ref REF] [--project DIR]... [--environment SLUG]... [--tenant SLUG]...
 *  [--format text|json|sarif|junit|github] [--output FILE] [--fail-on block|warn|error] [--drafts] [--locked]
 *  [--on-error warn|block] [--no-cache]`
 *
 * In a project repository: lints its `.octopus` folder(s) against the hub. In the hub repository
 * (no --project): lints every project registered in oclhub.ocl. Exit 0 clean, 1 when a finding reaches
 * the fail level, 2 on usage or tool errors. Progress goes to stderr on a TTY only.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Option } from 'commander';
import { findRepositoryRoot } from '../../git/find-root.js';
import { readRenderedReport, writeRenderedReport } from '../../lint/cache.js';
import type { LintOptions } from '../../lint/engine.js';
import { renderedReportKey } from '../../lint/report-key.js';
import type { LintFormat } from '../../report/lint-formats.js';
import type { FailLevel, PolicyAction } from '../../report/lint-report.js';
import { collect, lintCacheDir } from '../cache-dirs.js';
import { addHubOptions, openHubForCli, type HubCliOptions } from '../hub-option.js';
import { EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';

export interface LintCommandOptions extends HubCliOptions {
  project?: string[];
  environment?: string[];
  tenant?: string[];
  format?: LintFormat;
  output?: string;
  failOn?: FailLevel;
  drafts?: boolean;
  locked?: boolean;
  onError?: PolicyAction;
  cache?: boolean;
}

export const registerLint: RegisterCommand = (program, ctx) => {
  const command = program
    .command('lint')
    .description('evaluate the active policies on every project × environment (× tenant) and report violations and diagnostics')
    .option('--ref <ref>', 'hub branch, tag or commit to read (default HEAD)')
    .option('--project <dir>', 'project folder to lint (repeatable; default: every project in oclhub.ocl, or the current folder)', collect, [])
    .option('--environment <slug>', 'only this environment (repeatable)', collect, [])
    .option('--tenant <slug>', 'only this tenant (repeatable)', collect, [])
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif', 'junit', 'github']).default('text'))
    .option('--output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <level>', 'fail on blocking findings, also warnings, or only errors').choices(['block', 'warn', 'error']).default('block'))
    .option('--drafts', 'evaluate the working policy files instead of the active published versions')
    .option('--locked', 'resolve templates to the versions in oclhub.lock.json; a stale lock is an error')
    .addOption(new Option('--on-error <action>', 'what a policy that cannot be evaluated does').choices(['block', 'warn']).default('block'))
    .option('--no-cache', 'do not read or write cached results (.oclhub-cache/ or $OCLHUB_CACHE_DIR/lint)');
  addHubOptions(command).action(async (options: LintCommandOptions) => {
    ctx.setExitCode(await runLint(options, ctx.io));
  });
};

export async function runLint(options: LintCommandOptions, io: CliIo): Promise<number> {
  const format = options.format ?? 'text';
  // An unchanged hub re-prints the report it rendered last time, before anything is parsed (colour is part of the rendering).
  const quick = await quickReport(options, io, format);
  if (quick.previous) return emit(quick.previous.output, quick.previous.exitCode, options, io);
  // Loaded only now: an unchanged hub's report above is re-printed without loading the parser or the engine.
  const [{ lintHub }, { isHubFolder, targetsForFolders }, { renderLint }, { lintExitCode, summarize }] = await Promise.all([
    import('../../lint/engine.js'),
    import('../lint-targets.js'),
    import('../../report/lint-formats.js'),
    import('../../report/lint-report.js'),
  ]);
  const hub = await openHubForCli(options, io, 'lint');
  if (!hub) return EXIT_USAGE;
  const lintOptions: LintOptions = baseOptions(options, await toolVersion());
  const folders = options.project ?? [];
  if (!hub.config) {
    io.stderr(`oclhub lint: ${hub.location} has no oclhub.ocl (environments, projects, policy activation): name the hub with --hub DIR|URL or $OCLHUB_HUB\n`);
    return EXIT_USAGE;
  }
  for (const [what, given, declared] of [
    ['environment', options.environment ?? [], hub.config?.environments ?? []],
    ['tenant', options.tenant ?? [], hub.config?.tenants ?? []],
  ] as const) {
    const known = new Set(declared.map((e) => e.slug));
    const unknown = given.filter((e) => !known.has(e));
    if (unknown.length > 0) {
      io.stderr(`oclhub lint: no ${what} ${unknown.map((e) => `"${e}"`).join(', ')} in oclhub.ocl (${what}s: ${[...known].join(', ') || 'none'})\n`);
      return EXIT_USAGE;
    }
  }
  const hubMode = folders.length === 0 && (await isHubFolder(hub, io.cwd));
  const root = (await findRepositoryRoot(io.cwd)) ?? io.cwd;
  if (!hubMode) {
    const found = await targetsForFolders(hub, folders, io, options.locked ? { locked: true } : {});
    if (found.error) {
      io.stderr(`oclhub lint: ${found.error}\n`);
      return EXIT_USAGE;
    }
    lintOptions.projects = found.targets;
  }
  lintOptions.cacheDir = lintCacheDir(options, io, root);
  if (quick.key !== undefined) lintOptions.wholeRunCache = false;
  if (io.isTTY) {
    lintOptions.progress = (done, total, project) => io.stderr(`\r\u001b[Klinting ${done}/${total} ${project}`);
  }
  const run = await lintHub(hub, lintOptions);
  if (io.isTTY) io.stderr('\r\u001b[K');
  const rendered = renderLint(run.report, format, { text: { colors: io.colors } });
  const exitCode = lintExitCode(summarize(run.report));
  if (quick.key !== undefined && quick.dir !== undefined) await writeRenderedReport(quick.dir, quick.key, rendered, exitCode);
  return emit(rendered, exitCode, options, io);
}

function baseOptions(options: LintCommandOptions, version: string): LintOptions {
  return {
    failOn: options.failOn ?? 'block',
    onError: options.onError ?? 'block',
    toolVersion: version,
    ...(options.environment && options.environment.length > 0 ? { environments: options.environment } : {}),
    ...(options.tenant && options.tenant.length > 0 ? { tenants: options.tenant } : {}),
    ...(options.drafts ? { drafts: true } : {}),
  };
}

/** The whole-hub rendered-report cache: only for a local hub linted from its own folder, with the cache on. */
async function quickReport(options: LintCommandOptions, io: CliIo, format: string): Promise<{ key?: string; dir?: string; previous?: { output: string; exitCode: number } }> {
  const value = options.hub ?? io.env.OCLHUB_HUB;
  if (options.cache === false || (options.project ?? []).length > 0 || (value !== undefined && /^https?:\/\//i.test(value))) return {};
  const root = (await findRepositoryRoot(io.cwd)) ?? io.cwd;
  const hubDir = value !== undefined ? path.resolve(io.cwd, value) : root;
  if (hubDir !== root) return {};
  const dir = lintCacheDir(options, io, root);
  if (dir === false) return {};
  const key = await renderedReportKey(hubDir, options.ref ?? 'HEAD', baseOptions(options, await toolVersion()), `${format}:${io.colors.red('x')}`);
  if (key === undefined) return {};
  const previous = await readRenderedReport(dir, key);
  return previous ? { key, dir, previous } : { key, dir };
}

async function emit(rendered: string, exitCode: number, options: LintCommandOptions, io: CliIo): Promise<number> {
  if (options.output !== undefined) {
    const file = path.resolve(io.cwd, options.output);
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, rendered);
    } catch (error) {
      io.stderr(`oclhub lint: cannot write ${options.output}: ${error instanceof Error ? error.message : String(error)}\n`);
      return EXIT_USAGE;
    }
  } else {
    io.stdout(rendered.endsWith('\n') ? rendered : `${rendered}\n`);
  }
  return exitCode;
}

async function toolVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  try {
    return (JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
