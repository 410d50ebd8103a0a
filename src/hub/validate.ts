/**
 * Validation entry points behind `oclhub validate`: files on disk (syntax → schema → semantic checks,
 * from src/model) and a whole hub repository at a Git ref (or its working directory), each with
 *
 * - the Octopus compatibility checks `oclhub test` runs on policies (POL101–POL104),
 * - the rule settings of the governing `oclhub.ocl` (the hub's; for files outside a hub, the one at
 *   their repository root), with what they silenced kept apart and counted, never dropped,
 * - for a hub: the registered projects' folders (SEM041) and the repositories of registered external
 *   projects — reachable (HUB020), ref exists (HUB021), project folder present (SEM041), their files
 *   valid and their environment and tenant-tag scopes known to oclhub.ocl (SEM039, SEM040).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { compareDiagnostics, hasErrors, LineIndex, type Diagnostic, type Range, type SourceRepository } from '../diagnostics.js';
import { isGitStoreError } from '../git/errors.js';
import type { GitStore } from '../git/index.js';
import { DEFAULT_BASE_PATH } from '../model/build.js';
import { directoryReader } from '../model/directory-reader.js';
import { folderPath, pathInFolder } from '../model/folder-path.js';
import { classifyPath } from '../model/kinds.js';
import { unsettledHeredocRule } from '../model/checks/legacy.js';
import { parseOcl } from '../ocl/parser.js';
import { ruleSettingsApplier, ruleSettingsOf, type RuleSetting } from '../model/rule-settings.js';
import type { HubConfigDocument, HubProjectModel } from '../model/types.js';
import {
  checkProjectFolder,
  readSchemaVersion,
  scopeReferenceChecks,
  validateFile as validateModelFile,
  validateHub,
  type FileValidationResult,
  type HubFileReader,
  type HubValidationResult,
} from '../model/validate.js';
import { projectRepositoryId } from '../lint/hub-view.js';
import { ownsProjectFile } from '../lint/project-files.js';
import { decodeOclBytes } from '../ocl/encoding.js';
import type { HeredocMode } from '../ocl/printer.js';
import { checkPolicyCompat } from '../policy/compat.js';
import { stepTemplateUses, undeclaredStepTemplates, type StepTemplateUse } from '../model/checks/step-templates.js';
import { checkPolicyCompiles } from '../policy/compile-check.js';
import { checkBestPractices, practiceInputFromValidation, publishedFromTags } from '../practices/index.js';

/** The Git layer (isomorphic-git and its dependencies) loads only when a repository is read: checking files starts faster. */
const loadGit = () => import('../git/index.js');

export interface ValidateFileOptions {
  /** The project's schema version (from its schema_version.ocl): below 6 heredocs use the legacy unindent rule. */
  schemaVersion?: number;
  now?: Date;
}

/** One file: the model's checks plus, for a policy, the Octopus compatibility checks. No rule settings. */
export function validateFile(file: string, text: string, options: ValidateFileOptions = {}): FileValidationResult {
  const context: { schemaVersion?: number; now?: Date } = {};
  if (options.schemaVersion !== undefined) context.schemaVersion = options.schemaVersion;
  if (options.now) context.now = options.now;
  const result = validateModelFile({ path: file, text, context });
  return withPolicyCompat(result, text);
}

/**
 * POL101–POL104 on a policy document (`validate` and `test` report the same), and POL105: Rego that
 * parses but does not compile would fail every evaluation in Octopus, so validate fails on it too.
 */
function withPolicyCompat(result: FileValidationResult, text: string): FileValidationResult {
  if (result.document?.kind !== 'policy') return result;
  const lines = new LineIndex(text.replace(/^\uFEFF/, ''));
  const compat = [...checkPolicyCompat(result.document, { file: result.path, lines }), ...checkPolicyCompiles(result.document, { file: result.path, lines })];
  if (compat.length === 0) return result;
  return { ...result, diagnostics: [...result.diagnostics, ...compat].sort(compareDiagnostics) };
}

/**
 * One hub file's findings as `validate --hub` reports them for it: the model's checks, the policy
 * compatibility checks and the hub's rule settings (what they silenced is returned apart). For
 * surfaces that show a single file of a hub (the API's template and policy documents).
 */
export function validateHubFileText(
  config: Pick<HubConfigDocument, 'rules'> | undefined,
  file: string,
  text: string,
  options: ValidateFileOptions = {},
): { diagnostics: Diagnostic[]; suppressed: Diagnostic[] } {
  const result = validateFile(file, text, options);
  return ruleSettingsApplier(ruleSettingsOf(config))(result.diagnostics.map((d) => (d.file === undefined ? { ...d, file } : d)));
}

/** The first schema version whose files use today's heredoc rule (Octopus schema migration 6). */
export const CURRENT_HEREDOC_SCHEMA_VERSION = 6;

/**
 * The schema version of the project folder a file belongs to: the `version` in `schema_version.ocl`
 * (or the pre-2022 `schema-version.ocl`) of the file's folder, or of the project folder for files under
 * `runbooks/` and `runbooks/migrated-drafts/`. Undefined when there is none.
 */
export async function schemaVersionForFile(
  filePath: string,
  read: (file: string) => Promise<string> = (file) => readFile(file, 'utf8'),
  cache: Map<string, number | undefined> = new Map(),
): Promise<number | undefined> {
  let folder = path.dirname(filePath);
  if (path.basename(folder) === 'migrated-drafts') folder = path.dirname(folder);
  if (path.basename(folder) === 'runbooks') folder = path.dirname(folder);
  if (cache.has(folder)) return cache.get(folder);
  let version: number | undefined;
  for (const name of ['schema_version.ocl', 'schema-version.ocl']) {
    try {
      version = readSchemaVersion(await read(path.join(folder, name)));
      break;
    } catch {
      // no such file: try the older name, then give up
    }
  }
  cache.set(folder, version);
  return version;
}

/**
 * Octopus wrote heredoc end tags 4 spaces shallower than the content before schema version 6, and
 * read them with the old unindent rule (ocl-spec §2.2): such files are read with the `legacy` rule.
 */
export async function heredocModeForFile(
  filePath: string,
  read?: (file: string) => Promise<string>,
  cache: Map<string, number | undefined> = new Map(),
): Promise<HeredocMode> {
  const version = await schemaVersionForFile(filePath, read, cache);
  return version !== undefined && version < CURRENT_HEREDOC_SCHEMA_VERSION ? 'legacy' : 'current';
}

/**
 * For commands that rewrite or convert a file outside a full validation (fmt, convert): SCH108 when the
 * file is a project file with heredocs in the pre-v6 writer's shape and no schema_version.ocl beside it
 * says which unindent rule applies. Reformatting such a file would re-indent it to a shape no Octopus
 * writer produces, so callers leave it alone and show this instead.
 */
export async function unsettledHeredocsForFile(
  filePath: string,
  display: string,
  text: string,
  cache: Map<string, number | undefined> = new Map(),
): Promise<Diagnostic | undefined> {
  if (!text.includes('<<-')) return undefined;
  const kind = classifyPath(filePath)?.kind;
  if (kind === undefined) return undefined;
  if ((await schemaVersionForFile(filePath, undefined, cache)) !== undefined) return undefined;
  const { document } = parseOcl(text, { file: display });
  return unsettledHeredocRule(kind, document, new LineIndex(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text), display);
}

// ---- results ---------------------------------------------------------------------------------------

/** The findings of one file, after rule settings. */
export interface ValidatedFile {
  /** As shown to the user: relative to the working directory (files) or to its repository (hub). */
  file: string;
  /** The repository the file belongs to, when it is not the one validated (a registered external project). */
  repository?: SourceRepository;
  diagnostics: Diagnostic[];
}

export interface ValidationRun {
  /** Every file checked, in order, with the findings still reported; findings without a file come last under `file: ''`. */
  files: ValidatedFile[];
  /** The findings a rule setting turned off (each with `adjusted` naming the setting). */
  suppressed: Diagnostic[];
  /** Source text by displayed file name, for code frames (the validated repository's files). */
  sources: Map<string, string>;
  /** Source text of external repositories' files, by repository id, then path. */
  repositorySources: Map<string, Map<string, string>>;
  /** The oclhub.ocl files whose rule settings applied, as displayed. */
  settingsFiles: string[];
  /** Files that could not be read, one line each: the run fails (exit 2), it never passes over them. */
  unreadable: string[];
}

// ---- files on disk ---------------------------------------------------------------------------------

export interface InputFile {
  /** Absolute path. */
  path: string;
  /** As shown to the user. */
  display: string;
  /** The file's text when it does not come from disk (standard input); `path` still decides its kind and settings. */
  text?: string;
}

export interface ValidatePathsOptions {
  /** The folder displayed paths are relative to (for the oclhub.ocl path in findings about it). */
  cwd: string;
  now?: Date;
  /**
   * Reads one file: its text, a diagnostic instead of a text (e.g. OCL031, not UTF-8), or a one-line
   * error (unreadable). Default: read and decode as UTF-8, refusing other encodings.
   */
  read?: (file: string, display: string) => Promise<{ text: string } | { diagnostic: Diagnostic } | { error: string }>;
}

/** The rule settings governing a folder: an `oclhub.ocl` at the root of the repository holding it. */
interface SettingsScope {
  /** The folder settings paths are relative to. */
  root: string;
  /** Absolute path of the oclhub.ocl. */
  file: string;
  settings: RuleSetting[];
  /** Findings that make the settings unreadable (syntax errors) or that are about the `rule` blocks. */
  findings: Diagnostic[];
}

/**
 * Validates files on disk, each with its project folder's schema version, the policy compatibility
 * checks, and the rule settings of the oclhub.ocl at its repository root: the nearest oclhub.ocl above
 * the file, looking no further up than the folder holding `.git`. An oclhub.ocl that cannot be parsed
 * is reported (its rules are unknown, so nothing is silenced).
 */
export async function validatePaths(files: readonly InputFile[], options: ValidatePathsOptions): Promise<ValidationRun | { error: string }> {
  const run: ValidationRun = { files: [], suppressed: [], sources: new Map(), repositorySources: new Map(), settingsFiles: [], unreadable: [] };
  const schemaVersions = new Map<string, number | undefined>();
  const scopes = new Map<string, Promise<SettingsScope | undefined>>();
  const reported = new Set<string>();
  const validated = new Set(files.map((f) => f.path));
  const trailing: Diagnostic[] = [];
  const read = options.read ?? readDecoded;
  for (const file of files) {
    const got = file.text !== undefined ? { text: file.text } : await read(file.path, file.display);
    if ('error' in got) {
      run.unreadable.push(got.error);
      continue;
    }
    if ('diagnostic' in got) {
      run.files.push({ file: file.display, diagnostics: [got.diagnostic] });
      continue;
    }
    const text = got.text;
    run.sources.set(file.display, text.replace(/^\uFEFF/, ''));
    const schemaVersion = await schemaVersionForFile(file.path, undefined, schemaVersions);
    const options_: ValidateFileOptions = {};
    if (schemaVersion !== undefined) options_.schemaVersion = schemaVersion;
    if (options.now) options_.now = options.now;
    const { diagnostics } = validateFile(file.display, text, options_);
    const scope = await settingsScopeFor(path.dirname(file.path), scopes);
    if (!scope) {
      run.files.push({ file: file.display, diagnostics: [...diagnostics].sort(compareDiagnostics) });
      continue;
    }
    const settingsDisplay = displayPath(scope.file, options.cwd);
    if (!reported.has(scope.file)) {
      reported.add(scope.file);
      run.settingsFiles.push(settingsDisplay);
      // Findings about the settings themselves, unless the oclhub.ocl is validated in this run anyway.
      if (!validated.has(scope.file) && scope.findings.length > 0) {
        trailing.push(...scope.findings.map((d) => ({ ...d, file: settingsDisplay })));
        const text = await readFile(scope.file, 'utf8').catch(() => undefined);
        if (text !== undefined) run.sources.set(settingsDisplay, text.replace(/^\uFEFF/, ''));
      }
    }
    // Setting paths are relative to the repository root; findings are shown relative to the working directory.
    const relative = path.relative(scope.root, file.path).split(path.sep).join('/');
    const applied = ruleSettingsApplier(scope.settings, { file: settingsDisplay })(diagnostics.map((d) => (d.file === file.display ? { ...d, file: relative } : d)));
    const back = (d: Diagnostic): Diagnostic => (d.file === relative ? { ...d, file: file.display } : d);
    run.files.push({ file: file.display, diagnostics: applied.diagnostics.map(back).sort(compareDiagnostics) });
    run.suppressed.push(...applied.suppressed.map(back));
  }
  for (const d of trailing) {
    const group = run.files.find((f) => f.file === d.file);
    if (group) group.diagnostics.push(d);
    else run.files.push({ file: d.file!, diagnostics: [d] });
  }
  return run;
}

async function readDecoded(file: string, display: string): Promise<{ text: string } | { diagnostic: Diagnostic } | { error: string }> {
  try {
    return decodeOclBytes(await readFile(file), display);
  } catch (error) {
    return { error: `cannot read ${display}: ${(error as Error).message}` };
  }
}

function displayPath(absolute: string, cwd: string): string {
  const relative = path.relative(cwd, absolute);
  return (relative === '' || path.isAbsolute(relative) ? absolute : relative).split(path.sep).join('/');
}

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined)) !== undefined;
}

function settingsScopeFor(folder: string, cache: Map<string, Promise<SettingsScope | undefined>>): Promise<SettingsScope | undefined> {
  let found = cache.get(folder);
  if (!found) {
    found = (async () => {
      if (await exists(path.join(folder, 'oclhub.ocl'))) return readSettings(folder);
      const parent = path.dirname(folder);
      if (parent === folder || (await exists(path.join(folder, '.git')))) return undefined;
      return settingsScopeFor(parent, cache);
    })();
    cache.set(folder, found);
  }
  return found;
}

async function readSettings(root: string): Promise<SettingsScope> {
  const file = path.join(root, 'oclhub.ocl');
  const text = await readFile(file, 'utf8').catch(() => '');
  const result = validateModelFile({ path: 'oclhub.ocl', text, context: { kind: 'oclhub' } });
  const config = result.document?.kind === 'oclhub' ? result.document : undefined;
  const rules = config?.rules ?? [];
  const inRule = (range: Range | undefined) => range !== undefined && rules.some((r) => r.range.start.offset <= range.start.offset && range.start.offset < r.range.end.offset);
  const findings = hasErrors(result.diagnostics) && !config
    ? result.diagnostics.filter((d) => d.severity === 'error')
    : result.diagnostics.filter((d) => /^HUB03\d$/.test(d.code) || inRule(d.range));
  return { root, file, settings: ruleSettingsOf(config), findings };
}

// ---- a hub repository ------------------------------------------------------------------------------

export interface ValidateHubAtOptions {
  /** The hub repository folder (a Git working copy, a bare repository, or a plain folder when `ref` is WORKTREE). */
  dir: string;
  /** A branch, tag or commit id; `WORKTREE` (default) reads the working directory, uncommitted edits included. */
  ref?: string;
  now?: Date;
  /** Where clones of registered projects' remote repositories are cached; without it they are reported unreachable. */
  cacheDir?: string;
  /** isomorphic-git HTTP client for remote project repositories (tests). */
  http?: unknown;
}

export type ValidateHubAtResult = { result: HubValidationResult; run: ValidationRun } | { error: Diagnostic };

/**
 * Validates every file of a hub repository at a ref, with cross-file checks, the registered external
 * project repositories and the hub's rule settings. Git failures opening the hub become one diagnostic.
 */
export async function validateHubAt(options: ValidateHubAtOptions): Promise<ValidateHubAtResult> {
  const { openRepository, WORKTREE } = await loadGit();
  const ref = options.ref ?? WORKTREE;
  let reader: HubFileReader;
  let tags: string[] = [];
  try {
    const store = await openRepository({ dir: options.dir });
    const snapshot = await store.snapshot(ref);
    tags = await store.listTags().catch(() => []);
    reader = {
      list: async () => (await snapshot.listFiles()).map((f) => f.path),
      read: async (file) => {
        try {
          return await snapshot.readTextFile(file);
        } catch {
          return undefined;
        }
      },
    };
  } catch (error) {
    if (!isGitStoreError(error)) throw error;
    // A plain folder (not a repository) can still be validated as it is on disk.
    if (ref === WORKTREE && error.code === 'GIT008') reader = directoryReader(options.dir);
    else return { error: { severity: 'error', code: error.code, summary: error.message } };
  }
  const sources = new Map<string, string>();
  const recording: HubFileReader = {
    list: () => reader.list(),
    read: async (file) => {
      const text = await reader.read(file);
      if (text !== undefined) sources.set(file, text.replace(/^\uFEFF/, ''));
      return text;
    },
  };
  const result = await validateHub({ files: recording, ...(options.now ? { now: options.now } : {}) });
  // Best practices and dependency checks (BP…, DEP…) over the same parsed files.
  result.diagnostics.push(...checkBestPractices(practiceInputFromValidation(result, sources, { ...(options.now ? { now: options.now } : {}), ...publishedFromTags(tags) })));
  result.diagnostics.sort(compareDiagnostics);
  const diagnostics = [...result.diagnostics];
  for (const file of result.files) {
    const text = sources.get(file.path);
    if (file.document?.kind === 'policy' && text !== undefined) diagnostics.push(...withPolicyCompat({ ...file, diagnostics: [] }, text).diagnostics);
  }
  const external = result.config ? await checkExternalProjects(result.config, options) : { diagnostics: [], sources: new Map<string, Map<string, string>>(), stepTemplateUses: [] };
  // SEM043 once per undeclared step template over every registered project, the hub's first (as registered).
  if (result.config) external.diagnostics.push(...undeclaredStepTemplates([...inHubStepTemplateUses(result), ...external.stepTemplateUses], result.config));

  const settings = ruleSettingsOf(result.config);
  const apply = ruleSettingsApplier(settings);
  // Setting paths name files of the hub repository; another repository's files match only settings without paths.
  const applyExternal = ruleSettingsApplier(settings.filter((s) => s.paths.length === 0));
  // Findings about a registration sit in oclhub.ocl; the rest belong to the other repository's files.
  const hub = apply([...diagnostics, ...external.diagnostics.filter((d) => d.repository === undefined)]);
  const others = applyExternal(external.diagnostics.filter((d) => d.repository !== undefined));

  const byFile = new Map<string, ValidatedFile>(result.files.map((f) => [f.path, { file: f.path, diagnostics: [] }]));
  const unattached: Diagnostic[] = [];
  for (const d of hub.diagnostics.sort(compareDiagnostics)) {
    if (d.file === undefined) unattached.push(d);
    else (byFile.get(d.file) ?? byFile.set(d.file, { file: d.file, diagnostics: [] }).get(d.file)!).diagnostics.push(d);
  }
  const files = [...byFile.values()];
  const externalFiles = new Map<string, ValidatedFile>();
  for (const d of others.diagnostics.sort(compareDiagnostics)) {
    if (d.file === undefined || d.repository === undefined) {
      unattached.push(d);
      continue;
    }
    const key = `${d.repository.id}\u0000${d.file}`;
    let group = externalFiles.get(key);
    if (!group) externalFiles.set(key, (group = { file: d.file, repository: d.repository, diagnostics: [] }));
    group.diagnostics.push(d);
  }
  files.push(...externalFiles.values());
  if (unattached.length > 0) files.push({ file: '', diagnostics: unattached });
  const run: ValidationRun = {
    files,
    suppressed: [...hub.suppressed, ...others.suppressed],
    sources,
    repositorySources: external.sources,
    settingsFiles: settings.length > 0 ? ['oclhub.ocl'] : [],
    unreadable: [],
  };
  return { result, run };
}

// ---- registered projects in other repositories ------------------------------------------------------

interface ExternalCheck {
  diagnostics: Diagnostic[];
  sources: Map<string, Map<string, string>>;
  /** The projects' step-template actions, for SEM043 (`undeclaredStepTemplates`). */
  stepTemplateUses: StepTemplateUse[];
}

/** The step-template actions of the projects registered in the hub's own repository, in registration order. */
function inHubStepTemplateUses(result: HubValidationResult): StepTemplateUse[] {
  const out: StepTemplateUse[] = [];
  for (const project of result.config?.projects ?? []) {
    if (project.repository !== undefined || project.path === undefined) continue;
    const checked = folderPath(project.path);
    if (!checked.valid) continue;
    for (const file of result.files) {
      const inside = pathInFolder(checked.folder, file.path);
      if (inside !== undefined && ownsProjectFile(inside)) out.push(...stepTemplateUses(project.slug, file.path, file.document));
    }
  }
  return out;
}

/**
 * For each project registered with `repository`: the repository can be opened (HUB020), the ref exists
 * (HUB021), the project folder holds Octopus project files (SEM041); then its files are validated and
 * their environment and tenant-tag scopes checked against oclhub.ocl (SEM039, SEM040). Every finding
 * names the project and the repository (with the commit read); findings about the registration sit at
 * the project block in oclhub.ocl.
 */
async function checkExternalProjects(config: HubConfigDocument, options: ValidateHubAtOptions): Promise<ExternalCheck> {
  const out: ExternalCheck = { diagnostics: [], sources: new Map(), stepTemplateUses: [] };
  for (const project of config.projects) {
    if (project.repository === undefined) continue;
    out.diagnostics.push(...(await checkExternalProject(project, project.repository, config, options, out.sources, out.stepTemplateUses)));
  }
  return out;
}

async function checkExternalProject(
  project: HubProjectModel,
  repository: string,
  config: HubConfigDocument,
  options: ValidateHubAtOptions,
  allSources: Map<string, Map<string, string>>,
  uses: StepTemplateUse[],
): Promise<Diagnostic[]> {
  const at = { file: 'oclhub.ocl', range: project.labelRange ?? project.headerRange, project: project.slug };
  const registration = (code: 'HUB020' | 'HUB021', summary: string, detail: string): Diagnostic[] => [
    { severity: 'error', code, summary, detail, ...at, related: [{ file: 'oclhub.ocl', range: project.attributeRanges[code === 'HUB021' ? 'ref' : 'repository'] ?? at.range, message: code === 'HUB021' ? 'ref set here' : 'repository set here' }] },
  ];
  const checked = folderPath(project.path);
  // SEM042 at `path` comes from oclhub.ocl's own checks; the repository is not even opened.
  if (!checked.valid) return [];
  const folder = checked.folder;
  const { openRemote, openRepository, WORKTREE } = await loadGit();
  const isUrl = /^https?:\/\//i.test(repository);
  const location = isUrl ? repository : path.resolve(options.dir, repository);
  let store: GitStore;
  let commit: string | null;
  try {
    if (isUrl) {
      if (!options.cacheDir) return registration('HUB020', `Project "${project.slug}": ${repository} cannot be read without a cache folder`, 'Give --cache-dir (or set OCLHUB_CACHE_DIR) so the repository can be cloned.');
      const remote = await openRemote({ url: repository, ...(project.ref ? { ref: project.ref } : {}), cacheDir: options.cacheDir, ...(options.http ? { http: options.http } : {}) });
      store = remote.store;
      commit = remote.resolved.oid;
    } else {
      store = await openRepository({ dir: location });
      commit = (await store.resolveRef(project.ref ?? 'HEAD')).oid;
    }
  } catch (error) {
    if (!isGitStoreError(error)) throw error;
    if (error.code === 'GIT002') {
      return registration('HUB021', `Project "${project.slug}": ref "${project.ref ?? 'HEAD'}" does not exist in ${repository}`, `${error.message}. Set \`ref\` to an existing branch, tag or commit.`);
    }
    return registration('HUB020', `Project "${project.slug}": repository ${repository} cannot be read`, error.message);
  }
  const source: SourceRepository = { id: projectRepositoryId(config.projects, project), location: repository, ...(commit ? { commit } : {}), ...(project.ref ? { ref: project.ref } : {}) };
  const readRef = commit ?? WORKTREE;
  let allPaths: string[];
  try {
    allPaths = (await store.listFiles(readRef, undefined, { recursive: true })).map((f) => f.path);
  } catch (error) {
    if (!isGitStoreError(error)) throw error;
    return registration('HUB020', `Project "${project.slug}": repository ${repository} cannot be listed at ${readRef}`, error.message);
  }
  // The project's own files, as lint reads them: directly in its folder and under runbooks/. A sub-folder
  // with project files of its own is another project (registered or not), never this one's: its files are
  // validated once, as that project's, when it is registered.
  const inFolder = allPaths.filter((p) => p.toLowerCase().endsWith('.ocl') && pathInFolder(folder, p) !== undefined);
  const owned = inFolder.filter((p) => ownsProjectFile(pathInFolder(folder, p)!));
  // Projects of one repository own disjoint files of it: their texts go in one map, under its id.
  const sources = allSources.get(source.id) ?? new Map<string, string>();
  allSources.set(source.id, sources);
  const schemaVersions = new Map<string, number | undefined>();
  const results: FileValidationResult[] = [];
  for (const file of owned) {
    if (classifyPath(file) === undefined) continue;
    let text: string;
    try {
      text = await store.readTextFile(readRef, file);
    } catch (error) {
      if (!isGitStoreError(error)) throw error;
      continue;
    }
    sources.set(file, text.replace(/^\uFEFF/, ''));
    const schemaVersion = await schemaVersionForFile(file, (f) => store.readTextFile(readRef, f.split(path.sep).join('/')), schemaVersions);
    results.push(validateFile(file, text, { ...(schemaVersion !== undefined ? { schemaVersion } : {}), ...(options.now ? { now: options.now } : {}) }));
  }
  // The files below the folder, by name, for the did-you-mean of a folder that holds only nested projects.
  const ownedSet = new Set(owned);
  const below = inFolder.filter((p) => !ownedSet.has(p)).map((p) => ({ path: p, kind: classifyPath(p)?.kind }));
  const missing = checkProjectFolder(project, project.path ?? DEFAULT_BASE_PATH, [...results.map((r) => ({ path: r.path, kind: r.kind })), ...below], allPaths);
  if (missing) return [{ ...missing, ...at, detail: `${missing.detail ?? ''} Read from ${repository}${commit ? ` at ${commit.slice(0, 12)}` : ''}.`.trim() }];
  for (const r of results) uses.push(...stepTemplateUses(project.slug, r.path, r.document, source));
  const found = [...results.flatMap((r) => r.diagnostics), ...scopeReferenceChecks(results, config)];
  return found.map((d) => ({ ...d, project: project.slug, repository: source }));
}
