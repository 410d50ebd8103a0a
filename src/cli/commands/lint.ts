/**
 * `oclhub lint [--hub DIR|URL#REF] [--ref REF] [--project DIR]... [--environment SLUG]... [--tenant SLUG]...
 *  [--release-version V [--git-ref REF]] [--format text|json|sarif|junit|github|gitlab] [--output FILE]
 *  [--output-json FILE] [--output-sarif FILE] [--output-junit FILE] [--output-gitlab FILE]
 *  [--fail-on block|warn|error] [--drafts] [--locked] [--on-error warn|block] [--no-cache]`
 *
 * In a project repository: lints its `.octopus` folder(s) against the hub. In the hub repository
 * (no --project): lints every project registered in oclhub.ocl, each read from its own repository.
 * Without --ref a local hub is read from its working tree. Without --release-version, decisions that
 * read `input.Release` are inconclusive (reported, never failing). Exit 0 clean, 1 when a finding
 * reaches the fail level (or a project could not be decided), 2 on usage or tool errors. Progress goes
 * to stderr on a TTY only. With `--format github` and `$GITHUB_STEP_SUMMARY` set, the job summary
 * (every finding, with its repository) is appended there. `--output-<format> FILE` writes that format
 * of the same run to FILE as well (one evaluation, several reports: e.g. text in the log, SARIF and
 * JUnit for the CI to publish). Every report file is written atomically (temporary file + rename): a
 * CI step never uploads half a report.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Option } from 'commander';
import { findRepositoryRoot } from '../../git/find-root.js';
import { checkDeferredReads, DeferredReadError, discardStoredBody, LintCache, readRenderedReport, releaseDeferredReads, renderedReportWriter, stageRenderedCopy, writeRenderedReport, type RenderedReport, type StagedRenderedReport } from '../../lint/cache.js';
import { ReportSnapshot, writeSnapshotIndex, type WrittenPiece } from '../../lint/report-snapshot.js';
import type { FileIdentity } from '../../lint/fast-rerun.js';
import type { LintOptions } from '../../lint/engine.js';
import { rerunRecorder, type RerunOptions } from '../../lint/fast-rerun.js';
import { renderedReportKeyUntil } from '../../lint/report-key.js';
import { parseShard, type ShardSpec } from '../../lint/shard.js';
import { earlyWorkerCount } from '../../lint/workers/early.js';
import { parseJobs } from '../../lint/workers/jobs.js';
import { StartedWorkers } from '../../lint/workers/pool.js';
import { releaseFrom } from '../../policy/release-version.js';
import { ObjectCache } from '../../git/index.js';
import { openPolicyValidations } from '../../hub/policy-cache.js';
import type { LintFormat, LintRenderOptions } from '../../report/lint-formats.js';
import { isDeferred, type PieceBytes } from '../../report/lint-pieces.js';
import type { FailLevel, PolicyAction } from '../../report/lint-report.js';
import { cacheDirFor, collect, lintCacheDir } from '../cache-dirs.js';
import { fileErrorReason } from '../files.js';
import { outputTarget, writeOutputFile, writeOutputText } from '../output-file.js';
import { addHubOptions, openHubForCli, type HubCliOptions } from '../hub-option.js';
import { EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';

export interface LintCommandOptions extends HubCliOptions {
  project?: string[];
  environment?: string[];
  tenant?: string[];
  format?: LintFormat;
  output?: string;
  outputJson?: string;
  outputSarif?: string;
  outputJunit?: string;
  outputGitlab?: string;
  failOn?: FailLevel;
  drafts?: boolean;
  locked?: boolean;
  onError?: PolicyAction;
  cache?: boolean;
  releaseVersion?: string;
  gitRef?: string;
  shard?: string;
  jobs?: string;
}

export const registerLint: RegisterCommand = (program, ctx) => {
  const command = program
    .command('lint')
    .description('evaluate the active policies on every project × environment (× tenant) and report violations and diagnostics')
    .option('--ref <ref>', 'hub branch, tag or commit to read (default: the working tree)')
    .option('--project <dir|slug>', 'project to lint: a folder, or the slug of a project in oclhub.ocl (repeatable; default: every project in oclhub.ocl, or the current folder)', collect, [])
    .option('--environment <slug>', 'only this environment (repeatable)', collect, [])
    .option('--tenant <slug>', 'only this tenant (repeatable)', collect, [])
    .option('--release-version <version>', 'the release deployed (semver or 4-part); without it, policies that read input.Release are inconclusive')
    .option('--git-ref <ref>', "the release's Git ref, e.g. refs/heads/main (with --release-version)")
    .addOption(new Option('--format <format>', 'output format (gitlab: GitLab Code Quality)').choices(['text', 'json', 'sarif', 'junit', 'github', 'gitlab']).default('text'))
    .option('--output <file>', 'write the report to a file instead of stdout')
    .option('--output-json <file>', 'also write the JSON report to this file (same run)')
    .option('--output-sarif <file>', 'also write the SARIF report to this file (same run)')
    .option('--output-junit <file>', 'also write the JUnit XML report to this file (same run)')
    .option('--output-gitlab <file>', 'also write the GitLab Code Quality report to this file (same run)')
    .addOption(new Option('--fail-on <level>', 'fail on blocking findings, also warnings, or only errors').choices(['block', 'warn', 'error']).default('block'))
    .option('--drafts', 'evaluate the working policy files instead of the active published versions')
    .option('--locked', "resolve templates to the versions in each project repository's oclhub.lock.json; a missing or stale lock is an error")
    .addOption(new Option('--on-error <action>', 'what a policy that cannot be evaluated does').choices(['block', 'warn']).default('block'))
    .option('--no-cache', 'do not read or write cached results (.oclhub-cache/ or $OCLHUB_CACHE_DIR/lint)')
    .option('--shard <I/N>', 'lint only shard I of N (a deterministic 1/N of the projects, by slug); combine the shard reports with `oclhub report merge`')
    .option('--jobs <n>', 'threads evaluating projects: a number, or auto (default, $OCLHUB_JOBS: one per 1.3 CPUs not already busy, so one on two cores); 1 keeps every project on the main thread. Worker threads start only when there are many projects to evaluate');
  addHubOptions(command).action(async (options: LintCommandOptions) => {
    ctx.setExitCode(await runLint(options, ctx.io));
  });
};

export async function runLint(options: LintCommandOptions, io: CliIo): Promise<number> {
  // Worker threads started early (see startWorkersEarly) end with the command, whichever way it ends.
  const workers = new StartedWorkers();
  try {
    return await lint(options, io, workers);
  } finally {
    await workers.close();
  }
}

async function lint(options: LintCommandOptions, io: CliIo, workers: StartedWorkers): Promise<number> {
  const format = options.format ?? 'text';
  const release = releaseFrom(options);
  if ('error' in release) {
    io.stderr(`oclhub lint: ${release.error}\n`);
    return EXIT_USAGE;
  }
  const extras = extraOutputs(options, io.cwd);
  if ('error' in extras) {
    io.stderr(`oclhub lint: ${extras.error}\n`);
    return EXIT_USAGE;
  }
  const shard = options.shard !== undefined ? parseShard(options.shard) : undefined;
  if (shard && 'error' in shard) {
    io.stderr(`oclhub lint: ${shard.error}\n`);
    return EXIT_USAGE;
  }
  const jobs = parseJobs(options.jobs ?? (io.env.OCLHUB_JOBS || undefined) ?? 'auto');
  if (typeof jobs === 'object') {
    io.stderr(`oclhub lint: ${options.jobs !== undefined ? '' : '$OCLHUB_JOBS: '}${jobs.error}\n`);
    return EXIT_USAGE;
  }
  const where = await lintLocation(options, io);
  if (jobs > 1) await startWorkersEarly(options, io, where, jobs, shard, workers);
  // What bin/oclhub.js's fast path (lint/fast-rerun.ts) needs to answer the next identical run, observed
  // before the report's key is computed; recorded once the report is stored.
  const recorder = extras.length === 0 ? await rerunRecorderFor(options, io, where) : undefined;
  // An unchanged hub re-prints the report it rendered last time, before anything is parsed (colour is
  // part of the rendering). Extra report files need the report itself: no shortcut then.
  const quick = extras.length > 0 ? {} : await quickReport(options, io, format, release.release, where, shard);
  const record = () => {
    if (recorder && quick.key !== undefined && quick.until !== undefined) recorder(quick.key, quick.until);
  };
  if (quick.previous) {
    const previous = quick.previous;
    try {
      return await emit(previous, previous.exitCode, options, io, previous.summary);
    } finally {
      await previous.close();
      record();
    }
  }
  // Loaded only now: an unchanged hub's report above is re-printed without loading the parser or the engine.
  const [{ lintHub }, { homeRepository, isHubFolder, targetsForProjects }, { renderLint, renderGithubStepSummary }, { lintExitCode, summarize }, { sarifChunks }, { junitChunks }, { gitlabChunks }] = await Promise.all([
    import('../../lint/engine.js'),
    import('../lint-targets.js'),
    import('../../report/lint-formats.js'),
    import('../../report/lint-report.js'),
    import('../../report/sarif.js'),
    import('../../report/junit.js'),
    import('../../report/gitlab.js'),
  ]);
  const root = where.cacheRoot;
  const stateDir = lintCacheDir(options, io, root);
  const hub = await openHubForCli(options, io, 'lint', {
    workingTree: true,
    stateDir,
    objectCache: quick.objects,
    // The report key's check of the working tree, made a moment ago, is not made twice.
    ...(quick.verified !== undefined ? { worktreeVerified: quick.verified } : {}),
    ...(stateDir !== false ? { configCache: { dir: stateDir, toolVersion: await toolVersion() } } : {}),
  });
  if (!hub) return EXIT_USAGE;
  const lintOptions: LintOptions = baseOptions(options, await toolVersion(), release.release, shard);
  lintOptions.jobs = jobs;
  lintOptions.startedWorkers = workers;
  const folders = options.project ?? [];
  if (!hub.config) {
    io.stderr(`oclhub lint: ${hub.location} has no oclhub.ocl (environments, projects, policy activation): name the hub with --hub DIR|URL or $OCLHUB_HUB\n`);
    return EXIT_USAGE;
  }
  for (const [what, given, declared] of [
    ['environment', options.environment ?? [], hub.config?.environments ?? []],
    ['tenant', options.tenant ?? [], hub.config?.tenants ?? []],
  ] as const) {
    const known = declared.map((e) => e.slug);
    const unknown = given.filter((e) => !known.includes(e));
    if (unknown.length > 0) {
      const { choices } = await import('../../policy/input.js');
      io.stderr(`oclhub lint: no ${what} ${unknown.map((e) => `"${e}"`).join(', ')} in oclhub.ocl${choices(unknown[0]!, known, `${what}s`) || ` (${what}s: none)`}\n`);
      return EXIT_USAGE;
    }
  }
  const hubMode = folders.length === 0 && (where.hubFromOutside || (await isHubFolder(hub, io.cwd)));
  if (!hubMode) {
    const found = await targetsForProjects(hub, folders, io, { ...(options.locked ? { locked: true } : {}), cacheDir: cacheDirFor(options, io) });
    if (found.error) {
      io.stderr(`oclhub lint: ${found.error}\n`);
      return EXIT_USAGE;
    }
    lintOptions.projects = found.targets;
    // The repository the command runs in: its files are the ones CI annotates.
    lintOptions.home = await homeRepository(hub, found.targets, io);
  } else {
    lintOptions.home = 'hub';
    if (options.locked) lintOptions.locked = true;
  }
  lintOptions.projectCacheDir = cacheDirFor(options, io);
  lintOptions.cacheDir = lintCacheDir(options, io, root);
  // The whole run's cache would decode every project's stored piece into one object and one string
  // (hundreds of megabytes at 5,000 projects, a peak above the rest of the run); a lint of the hub's
  // projects is served by their own entries, pieces as they are, instead. The rendered report's cache
  // serves the rest.
  if (quick.key !== undefined || hubMode) lintOptions.wholeRunCache = false;
  if (io.isTTY) {
    lintOptions.progress = (done, total, project) => io.stderr(`\r\u001b[Klinting ${done}/${total} ${project}`);
  }
  // Every format is written from the projects' stored pieces (report/lint-pieces.ts): JSON as they are,
  // the others decoding one project at a time, so that the whole hub's evaluations are never objects at
  // once (5,000 projects' are hundreds of megabytes). JSON has no code frames: the report need not hold
  // the projects' texts.
  lintOptions.jsonPieces = true;
  if (format === 'json' && extras.length === 0) lintOptions.keepSources = false;
  if (format === 'sarif' || extras.some((extra) => extra.format === 'sarif')) lintOptions.findingsOutlines = true;
  // Stored pieces are read from the lint cache when the report is written (straight into its slabs,
  // or to be decoded), not held in memory, where what is written can still be taken back when a
  // cache file changes under it: a file renamed into place when complete (not a stream), or a
  // format rendered whole before anything is written. The extra report files are such files.
  if (lintOptions.cacheDir !== false) {
    const toFile = options.output !== undefined && (await outputTarget(path.resolve(io.cwd, options.output)).catch(() => undefined))?.kind === 'file';
    lintOptions.deferStoredPieces = toFile || WHOLE_FORMATS.has(format);
    if (quick.snapshot) lintOptions.snapshot = quick.snapshot;
  }
  // One "now" for everything the run decides by the date (exceptions, expiry rules).
  lintOptions.now = new Date();
  // Published policies validated once per content (src/hub/policy-cache.ts).
  const policyValidations = lintOptions.cacheDir !== false ? await openPolicyValidations(lintOptions.cacheDir, await toolVersion()) : undefined;
  if (policyValidations) lintOptions.validatePolicy = policyValidations.validate;
  let run: Awaited<ReturnType<typeof lintHub>>;
  for (;;) {
    try {
      run = await lintHub(hub, lintOptions);
      break;
    } catch (error) {
      // A stored piece the lint itself decodes (to apply an exception, say) may come from a cache file
      // that changed since it was opened (another run writing the same cache): cut short, or rewritten
      // into bytes that do not decode. The lint again, reading the cache whole, as when the report's own
      // reads find a change (below).
      const changed = lintOptions.deferStoredPieces === true && (error instanceof DeferredReadError || !deferredReadsSteady());
      releaseDeferredReads();
      if (!changed) throw error;
      lintOptions.deferStoredPieces = false;
    }
  }
  await policyValidations?.save();
  if (io.isTTY) io.stderr('\r\u001b[K');
  const hubDir = hub.location.startsWith('http') ? undefined : path.resolve(io.cwd, hub.location);
  const renderOptions: LintRenderOptions = {
    text: { colors: io.colors },
    sarif: {
      // Local repositories' roots, for originalUriBaseIds and versionControlProvenance.
      repositoryRoot: (repository) =>
        /^[a-z][a-z0-9+.-]*:\/\//i.test(repository.location) ? undefined : pathToFileURL(path.resolve(hubDir ?? io.cwd, repository.location)).href.replace(/\/?$/, '/'),
    },
  };
  // JSON, SARIF, JUnit and GitLab's report are written as they are produced (a 5,000-project report is hundreds of
  // megabytes as one string; as one log object and one string, a 1,000-project run's SARIF doubled the
  // lint's peak memory); the projects taken from the cache are written as the bytes stored for them,
  // or decoded one at a time (report/lint-pieces.ts).
  const lintJsonParts = format === 'json' || extras.some((extra) => extra.format === 'json') ? (await import('../../report/lint-json-stream.js')).lintJsonParts : undefined;
  const streamed = (report: typeof run.report, format: LintFormat, onPiece?: (piece: WrittenPiece) => void): Iterable<string | PieceBytes> | undefined =>
    format === 'sarif'
      ? sarifChunks(report, renderOptions.sarif)
      : format === 'junit'
        ? junitChunks(report, renderOptions.junit)
        : format === 'gitlab'
          ? gitlabChunks(report, renderOptions.gitlab)
          : format === 'json'
            ? lintJsonParts?.(report, {}, onPiece && ((segment, offset) => onPiece({ segment, offset })))
            : undefined;
  /** Renders a format whole (with GitHub's job summary); DEFERRED_CHANGED when a deferred piece's cache file changed under it. */
  const renderWhole = (report: typeof run.report, format: LintFormat, withSummary = false): { text: string; summary?: string } | typeof DEFERRED_CHANGED => {
    try {
      const text = renderLint(report, format, renderOptions);
      const summary = withSummary && format === 'github' ? renderGithubStepSummary(report) : undefined;
      // Every deferred piece was read from its file as it was verified: else nothing is written.
      if (lintOptions.deferStoredPieces === true) checkDeferredReads();
      return summary === undefined ? { text } : { text, summary };
    } catch (error) {
      if (error instanceof DeferredReadError) return DEFERRED_CHANGED;
      throw error;
    }
  };
  const writeReports = async (): Promise<number> => {
    const deferred = lintOptions.deferStoredPieces === true;
    for (const extra of extras) {
      const chunks = streamed(run.report, extra.format);
      if (chunks) {
        const code = await emitChunks(chunks, 0, { output: extra.file }, io, undefined, deferred);
        if (code !== 0) return code;
        continue;
      }
      const rendered = renderWhole(run.report, extra.format);
      if (rendered === DEFERRED_CHANGED) return DEFERRED_CHANGED;
      if (!(await writeReport(extra.file, rendered.text, io))) return EXIT_USAGE;
    }
    const exitCode = lintExitCode(summarize(run.report));
    // A volatile run (a policy reads the clock: src/policy/clock.ts) is never stored for re-printing.
    const cache = quick.key !== undefined && quick.dir !== undefined && !run.volatile ? { dir: quick.dir, key: quick.key } : undefined;
    // The pieces of a stored JSON report, indexed beside it once it is published (report-snapshot.ts).
    const written: WrittenPiece[] = [];
    const indexed = cache && format === 'json' && run.report.hubRef !== undefined ? written : undefined;
    const chunks = streamed(run.report, format, indexed && ((piece) => indexed.push(piece)));
    if (chunks) {
      const stored = cache && indexed ? { ...cache, published: (body: FileIdentity) => writeSnapshotIndex(cache.dir, body, run.report.hubRef!.length, indexed) } : cache;
      // The last stored body, once every piece read from it is checked, let go while the report is flushed.
      const code = await emitChunks(chunks, exitCode, options, io, stored, deferred, () => quick.snapshot?.close());
      if (cache && code !== DEFERRED_CHANGED) record();
      return code;
    }
    const rendered = renderWhole(run.report, format, true);
    if (rendered === DEFERRED_CHANGED) return DEFERRED_CHANGED;
    if (cache) {
      await writeRenderedReport(cache.dir, cache.key, rendered.text, exitCode, rendered.summary);
      record();
    }
    return emit(rendered.text, exitCode, options, io, rendered.summary);
  };
  try {
    for (;;) {
      const code = await writeReports();
      if (code !== DEFERRED_CHANGED) return code;
      // A cache file changed under the report (nothing was published from it): the lint again, reading
      // the cache whole (and checksumming what changed), as when no stat vouches for it.
      releaseDeferredReads();
      lintOptions.deferStoredPieces = false;
      run = await lintHub(hub, lintOptions);
    }
  } finally {
    quick.snapshot?.close();
    releaseDeferredReads();
  }
}

/** Formats rendered whole before anything is written (the others are written as they are produced). */
const WHOLE_FORMATS: ReadonlySet<LintFormat> = new Set(['text', 'github']);

function baseOptions(options: LintCommandOptions, version: string, release: LintOptions['release'], shard: ShardSpec | undefined): LintOptions {
  return {
    ...(shard ? { shard } : {}),
    failOn: options.failOn ?? 'block',
    onError: options.onError ?? 'block',
    toolVersion: version,
    ...(options.environment && options.environment.length > 0 ? { environments: options.environment } : {}),
    ...(options.tenant && options.tenant.length > 0 ? { tenants: options.tenant } : {}),
    ...(options.drafts ? { drafts: true } : {}),
    ...(release ? { release } : {}),
    ...(options.locked && (options.project ?? []).length === 0 ? { locked: true } : {}),
  };
}

/**
 * Where the command lints from. In the hub's folder, or naming a local hub (`--hub DIR`,
 * `$OCLHUB_HUB`) from a folder that holds no project files, it lints the hub, and the hub's folder
 * holds its cache; in a project repository naming the hub, it lints that repository's projects
 * against the hub, and the project repository holds the cache.
 */
async function lintLocation(options: LintCommandOptions, io: CliIo): Promise<{ cacheRoot: string; hubRoot?: string; hubFromOutside: boolean }> {
  const root = (await findRepositoryRoot(io.cwd)) ?? io.cwd;
  const value = options.hub ?? io.env.OCLHUB_HUB;
  if (value === undefined || /^https?:\/\//i.test(value)) return { cacheRoot: root, ...(value === undefined ? { hubRoot: root } : {}), hubFromOutside: false };
  const hubDir = path.resolve(io.cwd, value);
  const hubRoot = (await findRepositoryRoot(hubDir)) ?? hubDir;
  if (hubRoot === root || (options.project ?? []).length > 0) return { cacheRoot: root, hubRoot, hubFromOutside: false };
  const { holdsProjects } = await import('../lint-targets.js');
  if (await holdsProjects(io.cwd)) return { cacheRoot: root, hubRoot, hubFromOutside: false };
  return { cacheRoot: hubRoot, hubRoot, hubFromOutside: true };
}

/**
 * Starts lint worker threads now, while this thread keys the report and opens the hub, when the run
 * looks like a cold lint of a whole local hub with enough decisions for them (lint/workers/early.ts):
 * a worker's start then overlaps that set-up instead of following it. The engine takes them once it
 * knows which projects it evaluates, and ends those it does not need.
 */
async function startWorkersEarly(options: LintCommandOptions, io: CliIo, where: { cacheRoot: string; hubRoot?: string }, jobs: number, shard: ShardSpec | undefined, workers: StartedWorkers): Promise<void> {
  if ((options.project ?? []).length > 0 || options.ref !== undefined || where.hubRoot === undefined) return;
  // Stored results: a re-run, where most projects are likely taken from the cache.
  const cacheDir = lintCacheDir(options, io, where.cacheRoot);
  if (cacheDir !== false && LintCache.holdsEntries(cacheDir)) return;
  const config = await readFile(path.join(where.hubRoot, 'oclhub.ocl'), 'utf8').catch(() => undefined);
  const environments = options.environment?.length ? { environments: options.environment.length } : {};
  const count = config === undefined ? 0 : earlyWorkerCount(jobs, config, { ...(shard ? { shards: shard.count } : {}), ...environments });
  if (count === 0) return;
  const { lintWorkerEntry } = await import('../../hub/hub.js');
  workers.start(lintWorkerEntry(), count);
}

/**
 * The whole-hub rendered-report cache: only for a local hub linted as a whole (from its folder or
 * from outside it), with the cache on, at a commit (`--ref`, or a working tree without changes).
 */
async function quickReport(
  options: LintCommandOptions,
  io: CliIo,
  format: string,
  release: LintOptions['release'],
  where: { cacheRoot: string; hubRoot?: string; hubFromOutside: boolean },
  shard: ShardSpec | undefined,
): Promise<{ key?: string; until?: number; dir?: string; previous?: RenderedReport; objects?: ObjectCache; verified?: string; snapshot?: ReportSnapshot }> {
  if (options.cache === false || (options.project ?? []).length > 0 || where.hubRoot === undefined) return {};
  const hubDir = where.hubRoot;
  if (hubDir !== where.cacheRoot) return {};
  const dir = lintCacheDir(options, io, where.cacheRoot);
  if (dir === false) return {};
  const lintOptions = { ...baseOptions(options, await toolVersion(), release, shard), home: 'hub' };
  // The objects read to compute the key are read again by the lint on a miss: one cache for both.
  const objects = new ObjectCache();
  const keyed = await renderedReportKeyUntil(hubDir, options.ref ?? 'HEAD', lintOptions, `${format}:${io.colors.red('x')}`, { workingTree: options.ref === undefined, stateDir: dir, objectCache: objects });
  if (keyed === undefined) return { objects };
  const { key, until } = keyed;
  const verified = keyed.worktreeVerified ? { verified: keyed.commit } : {};
  const previous = await readRenderedReport(dir, key);
  // Not its answer, but a JSON report's pieces may still be (report-snapshot.ts): opened before the body goes.
  const snapshot = !previous && format === 'json' ? ReportSnapshot.open(dir) : undefined;
  // Not its answer: the stored body (tens of megabytes) is removed on the thread pool now, while the run
  // lints, not beside the new report's flush at the end (~9 ms of a 1,000-project re-run's report writing);
  // when the snapshot reads from it, by the next run (it would be freed only as the snapshot closes it).
  if (!previous) void discardStoredBody(dir, snapshot !== undefined);
  return previous ? { key, until, dir, previous, objects, ...verified } : { key, until, dir, objects, ...verified, ...(snapshot ? { snapshot } : {}) };
}

/**
 * The re-run recorder (see lint/fast-rerun.ts) for the invocations the fast path answers: a whole local
 * hub linted from its own folder, with the cache, at the working tree, with no option beyond those it
 * parses. Undefined otherwise.
 */
async function rerunRecorderFor(options: LintCommandOptions, io: CliIo, where: { hubRoot?: string; hubFromOutside: boolean }): Promise<((key: string, until: number) => void) | undefined> {
  if (options.cache === false || (options.project ?? []).length > 0 || options.ref !== undefined || options.drafts || options.locked || options.cacheDir !== undefined) return undefined;
  if (where.hubFromOutside || where.hubRoot === undefined || path.resolve(io.cwd) !== where.hubRoot) return undefined;
  const rerun: RerunOptions = {
    format: options.format ?? 'text',
    failOn: options.failOn ?? 'block',
    onError: options.onError ?? 'block',
    environment: options.environment ?? [],
    tenant: options.tenant ?? [],
    ...(options.output !== undefined ? { output: options.output } : {}),
    ...(options.releaseVersion !== undefined ? { releaseVersion: options.releaseVersion } : {}),
    ...(options.gitRef !== undefined ? { gitRef: options.gitRef } : {}),
    ...(options.shard !== undefined ? { shard: options.shard } : {}),
    ...(options.hub !== undefined ? { hub: options.hub } : {}),
  };
  return rerunRecorder(rerun, { cwd: io.cwd, env: io.env, colors: io.colors.red('x') !== 'x', toolVersion: await toolVersion() });
}

/** Prints or writes the report: a string just rendered, or a cached one (copied to `--output` without decoding). */
async function emit(rendered: string | RenderedReport, exitCode: number, options: LintCommandOptions, io: CliIo, stepSummary?: string): Promise<number> {
  if (options.output !== undefined) {
    if (typeof rendered === 'string') {
      if (!(await writeReport(options.output, rendered, io))) return EXIT_USAGE;
    } else {
      try {
        const file = path.resolve(io.cwd, options.output);
        const target = await outputTarget(file);
        let copied = false;
        if (target.kind === 'file') {
          await mkdir(path.dirname(target.path), { recursive: true });
          copied = await rendered.copyTo(target.path);
        }
        // A FIFO or device, from the start or since: written in place (output-file.ts decides which, when the bytes go).
        if (!copied) await writeOutputText(file, await rendered.text());
      } catch (error) {
        io.stderr(`oclhub lint: cannot write ${options.output}: ${fileErrorReason(error)}\n`);
        return EXIT_USAGE;
      }
    }
  } else {
    const text = typeof rendered === 'string' ? rendered : await rendered.text();
    io.stdout(text.endsWith('\n') ? text : `${text}\n`);
  }
  // GitHub Actions: findings that are not annotations (other repositories) are in the job summary.
  const summaryFile = io.env.GITHUB_STEP_SUMMARY;
  if (stepSummary !== undefined && summaryFile) {
    await appendFile(summaryFile, stepSummary.endsWith('\n') ? stepSummary : `${stepSummary}\n`).catch((error: unknown) => {
      io.stderr(`oclhub lint: cannot write the job summary to ${summaryFile}: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  }
  return exitCode;
}

/** The `--output-<format>` files, each named once (and not also `--output`). */
function extraOutputs(options: LintCommandOptions, cwd: string): { format: LintFormat; file: string }[] | { error: string } {
  const given = (
    [
      ['json', options.outputJson],
      ['sarif', options.outputSarif],
      ['junit', options.outputJunit],
      ['gitlab', options.outputGitlab],
    ] as const
  ).flatMap(([format, file]) => (file === undefined ? [] : [{ format, file }]));
  const files = [...given.map((g) => g.file), ...(options.output !== undefined ? [options.output] : [])].map((f) => path.resolve(cwd, f));
  const twice = files.find((f, i) => files.indexOf(f) !== i);
  if (twice !== undefined) return { error: `${path.relative(cwd, twice) || twice} is named by two report options: each report needs its own file` };
  return given;
}

/** Writes a report file atomically (a reader never sees half of it), creating its folder; false after telling why it could not. */
async function writeReport(name: string, text: string, io: CliIo): Promise<boolean> {
  const file = path.resolve(io.cwd, name);
  try {
    await writeOutputText(file, text);
    return true;
  } catch (error) {
    io.stderr(`oclhub lint: cannot write ${name}: ${fileErrorReason(error)}\n`);
    return false;
  }
}

/**
 * A report's chunks copied into slabs of `size` bytes, each written as one. A JSON report comes as one
 * or more chunks per project (a stored piece comes in parts around each place the hub commit goes, see
 * report/lint-pieces.ts): written one by one, each would be its own write call and thread pool round
 * trip, twice (the report file and the stored copy), and handed over as a list, each would be a Buffer
 * object of its own — tens of thousands of them for a thousand projects. Copying them into a slab is one
 * memory copy each and no object. A chunk is never split (a slab ends where a chunk does, so a slab is
 * whole UTF-8 text); a chunk larger than a slab goes alone. With `reuse`, two slabs take turns: one
 * is filled while the other is written, and a slab is filled again once the consumer asks for the one
 * after the next (it must be done with it by then; emitChunks awaits each write before asking for the slab after the next). Fresh memory for each would cost a page fault per
 * 4 KiB and make the garbage collector run for the external memory.
 */
export function* reportSlabs(chunks: Iterable<string | PieceBytes>, reuse: boolean, size = 1 << 20): Generator<Buffer> {
  const ring = reuse ? [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)] : [];
  let turn = 0;
  let slab = ring[0] ?? Buffer.allocUnsafeSlow(size);
  let used = 0;
  for (const chunk of chunks) {
    const length = typeof chunk === 'string' ? Buffer.byteLength(chunk) : isDeferred(chunk) ? chunk.length : chunk.byteLength;
    if (used > 0 && used + length > size) {
      yield slab.subarray(0, used);
      slab = reuse ? ring[++turn % 2]! : Buffer.allocUnsafeSlow(size);
      used = 0;
    }
    if (length > size) {
      yield typeof chunk === 'string' ? Buffer.from(chunk) : isDeferred(chunk) ? chunk.read() : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    } else if (typeof chunk === 'string') {
      used += slab.write(chunk, used);
    } else if (isDeferred(chunk)) {
      // Read from the lint cache's file straight into the slab (report/lint-pieces.ts `DeferredBytes`).
      chunk.readInto(slab, used);
      used += length;
    } else {
      slab.set(chunk, used);
      used += length;
    }
  }
  if (used > 0) yield slab.subarray(0, used);
}

/**
 * Writes a report produced in chunks to `--output` (atomically: a temporary file renamed when
 * complete) or stdout, and to the rendered-report cache alongside.
 */
async function emitChunks(
  chunks: Iterable<string | PieceBytes>,
  exitCode: number,
  options: LintCommandOptions,
  io: CliIo,
  cache: { dir: string; key: string; published?: (body: FileIdentity) => void } | undefined,
  deferred = false,
  checked?: () => void,
): Promise<number> {
  if (options.output === undefined) {
    const stored = cache ? await renderedReportWriter(cache.dir, cache.key, exitCode) : undefined;
    const stdoutBytes = io.stdoutBytes;
    if (stdoutBytes) {
      // The bytes as they are, and the two slabs taken in turn: each is written to stdout and the
      // stored copy, both done with it, before the next is filled. Decoded into text and encoded again
      // in fresh slabs, a 34 MB report cost ~20,000 more page faults (~12 us each here) than --output.
      for (const slab of reportSlabs(chunks, true)) await Promise.all([stored?.writeAll([slab]), stdoutBytes(slab)]);
    } else {
      // Not reused: text written may be held on to.
      for (const slab of reportSlabs(chunks, false)) {
        await stored?.writeAll([slab]);
        // Pieces are whole runs of JSON text: no character is split between two.
        io.stdout(slab.toString('utf8'));
      }
    }
    const body = await stored?.done();
    if (body) cache?.published?.(body);
    return exitCode;
  }
  const file = path.resolve(io.cwd, options.output);
  let stored: StagedRenderedReport | undefined;
  try {
    // Flushed and renamed into place only when complete (a CI step never uploads half a report). The
    // stored copy is the kernel's copy of the complete file, made while it is flushed (none when the
    // output is a FIFO or device, written in place: see output-file.ts).
    await writeOutputFile(
      file,
      async (out) => {
        // One slab written while the next is filled: each write is awaited before the slab after
        // the next is asked for (reportSlabs fills that one again), and writes stay in order, one at a time.
        let writing: Promise<unknown> | undefined;
        try {
          for (const slab of reportSlabs(chunks, true)) {
            await writing;
            writing = out.write(slab);
          }
          await writing;
          // Every deferred piece was read from its file as it was verified: else nothing is published.
          if (deferred) checkDeferredReads();
          checked?.();
        } finally {
          // A write still in flight when producing the report failed: waited for (its slab is ours until then).
          await writing?.catch(() => undefined);
        }
      },
      cache ? async (temp) => void (stored = await stageRenderedCopy(cache.dir, cache.key, exitCode, temp)) : undefined,
    );
  } catch (error) {
    await stored?.abort();
    if (error instanceof DeferredReadError) return DEFERRED_CHANGED;
    io.stderr(`oclhub lint: cannot write ${options.output}: ${fileErrorReason(error)}\n`);
    return EXIT_USAGE;
  }
  const body = await stored?.done();
  if (body) cache?.published?.(body);
  return exitCode;
}

/** Whether every cache file read from in place still shows the stat it was vouched for with. */
function deferredReadsSteady(): boolean {
  try {
    checkDeferredReads();
    return true;
  } catch (error) {
    if (error instanceof DeferredReadError) return false;
    throw error;
  }
}

/** What `emitChunks` returns when a deferred piece's file changed under it (see `DeferredReadError`): nothing was published. */
const DEFERRED_CHANGED = -1;

let versionRead: Promise<string> | undefined;

/** oclhub's version (package.json), read once per process: a lint asks for it five times. */
function toolVersion(): Promise<string> {
  versionRead ??= (async () => {
    const { readFile } = await import('node:fs/promises');
    try {
      return (JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      return '0.0.0';
    }
  })();
  return versionRead;
}
