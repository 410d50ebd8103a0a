/**
 * `oclhub init [DIR] [--starter-policies|--no-starter-policies]`: makes DIR a hub.
 *
 * - A new folder gets `oclhub.ocl` with three environments, the starter policies in `.octopus/policies/`
 *   and their unit tests in `policy-tests/` (outside the Octopus base path).
 * - An existing hub (a folder that already has `.octopus/`, or policies and templates elsewhere) gets only
 *   `oclhub.ocl`, registering what is there: its policies (not activated: activation names a published
 *   version), the project folders, and the environments those projects name; starter policies only with
 *   `--starter-policies`.
 * - `base_path` is the folder that holds the hub's `policies/`, `process-templates/` and
 *   `project-templates/`: `.octopus` for a new hub, else where they are found (`.` for a library such as
 *   OctopusSamples/PlatformHubLibrary that keeps them at the root). Found in several folders, init asks for
 *   `--base-path` instead of guessing and ignoring the others.
 *
 * Never overwrites: an existing `oclhub.ocl` is a usage error, other existing files are kept, and
 * `oclhub.ocl` is created in one step that fails if another process created it meanwhile. The next steps
 * printed name the folder init ran on.
 */
import { copyFile, link, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { openRepository, isGitStoreError } from '../../git/index.js';
import { folderOf, tempPath } from '../../git/durable.js';
import { DEFAULT_BASE_PATH } from '../../model/build.js';
import { folderPath } from '../../model/folder-path.js';
import { directoryReader } from '../../model/directory-reader.js';
import { classifyPath, type DocumentKind } from '../../model/kinds.js';
import { validateHub } from '../../model/validate.js';
import { quote } from '../../ocl/printer.js';
import { templateFileCandidates } from '../../templates/catalog.js';
import { EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';
import { DEFAULT_POLICY_TESTS_DIR } from './test.js';

/** The repository's templates/ folder (the same relative place from src/ and dist/). */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../../templates/', import.meta.url));

const DEFAULT_ENVIRONMENTS: ReadonlyArray<{ slug: string; name: string; tags: string[] }> = [
  { slug: 'development', name: 'Development', tags: ['tier/non-production'] },
  { slug: 'staging', name: 'Staging', tags: ['tier/non-production'] },
  { slug: 'production', name: 'Production', tags: ['tier/production'] },
];

export interface InitOptions {
  dir?: string | undefined;
  /** Copy the starter policies and their tests: default for a new hub, off for an existing one. */
  starterPolicies?: boolean | undefined;
  /** The folder of policies and templates (`base_path`); default: where they are, else `.octopus`. */
  basePath?: string | undefined;
}

export const registerInit: RegisterCommand = (program, ctx) => {
  program
    .command('init')
    .description('make a folder a hub: oclhub.ocl (registering an existing hub\'s policies and projects), starter policies and their tests')
    .argument('[dir]', 'folder to create the hub in (default: the current directory)')
    .option('--starter-policies', 'copy the starter policies and their tests (default for a new hub)')
    .option('--no-starter-policies', 'do not copy the starter policies (default for a folder that already has .octopus/ or policies and templates elsewhere)')
    .option('--base-path <folder>', 'the folder of policies/, process-templates/ and project-templates/ ("." for the root; default: where they are found, else .octopus)')
    .action(async (dir: string | undefined, options: { starterPolicies?: boolean; basePath?: string }) => {
      ctx.setExitCode(await runInit({ dir, starterPolicies: options.starterPolicies, basePath: options.basePath }, ctx.io));
    });
};

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined)) !== undefined;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out.sort();
}

export async function runInit(options: InitOptions, io: CliIo): Promise<number> {
  const target = path.resolve(io.cwd, options.dir ?? '.');
  const shown = (p: string) => path.relative(io.cwd, p).split(path.sep).join('/') || '.';
  const configPath = path.join(target, 'oclhub.ocl');
  if (await exists(configPath)) {
    io.stderr(`oclhub init: ${shown(configPath)} already exists: this is already a hub\n`);
    return EXIT_USAGE;
  }
  const contentFolders = await hubContentFolders(target);
  let base: string;
  if (options.basePath !== undefined) {
    const checked = folderPath(options.basePath);
    if (!checked.valid) {
      io.stderr(`oclhub init: --base-path ${JSON.stringify(options.basePath)} is not a folder inside the hub: ${checked.reason}\n`);
      return EXIT_USAGE;
    }
    base = checked.folder;
  } else if (contentFolders.size > 1) {
    const where = [...contentFolders].sort().map((f) => (f === '' ? '. (the root)' : f));
    io.stderr(`oclhub init: policies or templates are in several folders: ${where.join(', ')}. Say which one the hub reads with --base-path\n`);
    return EXIT_USAGE;
  } else {
    base = contentFolders.size === 1 ? [...contentFolders][0]! : DEFAULT_BASE_PATH;
  }
  const existingHub = contentFolders.size > 0 || (await exists(path.join(target, DEFAULT_BASE_PATH)));
  const starter = options.starterPolicies ?? !existingHub;
  const baseShown = base === '' ? '.' : base;

  const copies: Array<{ from: string; to: string }> = [];
  if (starter) {
    for (const [source, destination] of [
      ['policies', path.join(base, 'policies')],
      ['policy-tests', DEFAULT_POLICY_TESTS_DIR],
    ] as const) {
      const from = path.join(TEMPLATES_DIR, source);
      if (!(await exists(from))) {
        io.stderr(`oclhub init: the starter files are missing from this installation (${from})\n`);
        return EXIT_USAGE;
      }
      for (const file of await filesUnder(from)) copies.push({ from: file, to: path.join(target, destination, path.relative(from, file)) });
    }
  }
  await mkdir(target, { recursive: true });
  for (const { from, to } of copies) {
    if (await exists(to)) {
      io.stdout(`kept    ${shown(to)} (exists)\n`);
      continue;
    }
    await mkdir(path.dirname(to), { recursive: true });
    await copyFile(from, to);
    io.stdout(`created ${shown(to)}\n`);
  }

  const found = await survey(target, base);
  const environments = found.environments.length > 0 ? found.environments.map((slug) => ({ slug, name: displayName(slug), tags: [] as string[] })) : DEFAULT_ENVIRONMENTS;
  const config = renderConfig({ basePath: baseShown, environments, projects: found.projects, policies: found.policies.map((p) => p.slug) });
  if (!(await createExclusive(configPath, config))) {
    io.stderr(`oclhub init: ${shown(configPath)} was created by someone else meanwhile: this is already a hub\n`);
    return EXIT_USAGE;
  }
  io.stdout(`created ${shown(configPath)}\n`);
  if (existingHub) {
    const list = (what: string, items: readonly string[]) => (items.length > 0 ? `${what}: ${items.join(', ')}` : `no ${what}`);
    io.stdout(
      `\nRegistered in oclhub.ocl: ${list('policies', found.policies.map((p) => p.slug))}; ${list('projects', found.projects.map((p) => `${p.slug} (${p.path})`))}; ` +
        `environments ${found.environments.length > 0 ? `named by the projects: ${found.environments.join(', ')}` : 'development, staging, production (no project names any)'}.\n` +
        `Policies and templates are read from ${base === '' ? 'the repository root' : `${base}/`} (base_path): ${list('process templates', found.processTemplates)}; ${list('project templates', found.projectTemplates)}.\n`,
    );
    if (found.unreadable.length > 0) {
      io.stdout(
        `\nNot read by the hub (it reads a policy or process template from the file named by its slug, directly in its folder or in a folder of that name):\n` +
          found.unreadable.map((u) => `  ${u.file}: move it to ${u.expected}\n`).join(''),
      );
    }
  }
  io.stdout(nextSteps(shown(target), found));
  return EXIT_OK;
}

/** Writes `file` only if it does not exist, atomically: a complete temp file hard-linked into place. */
async function createExclusive(file: string, text: string): Promise<boolean> {
  const temp = tempPath(folderOf(file), `.${path.basename(file)}.tmp-`);
  try {
    await writeFile(temp, text, { encoding: 'utf8', flag: 'wx' });
  } catch (error) {
    // A write that failed part-way leaves our temporary file; a name already taken (EEXIST) is not ours.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  try {
    await link(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

interface Survey {
  policies: Array<{ slug: string; published?: string }>;
  processTemplates: string[];
  projectTemplates: string[];
  projects: Array<{ slug: string; path: string }>;
  /** Environment slugs the project files name, in order of first use. */
  environments: string[];
  /** Policies and process templates in a folder the hub does not read them from, and where it would. */
  unreadable: Array<{ file: string; expected: string }>;
  /** The folder is a Git repository. */
  git: boolean;
  /** Policy unit tests exist. */
  policyTests: boolean;
}

const PROJECT_KINDS: ReadonlySet<DocumentKind> = new Set(['deployment_process', 'deployment_settings', 'variables', 'runbook', 'templated_project_values']);

/** What a folder already holds: hub content under the base path, project folders, the environments they name. */
async function survey(target: string, baseFolder: string): Promise<Survey> {
  const validation = await validateHub({ files: directoryReader(target) });
  const base = baseFolder === '' ? '' : `${baseFolder}/`;
  const policies = new Set<string>();
  const processTemplates = new Set<string>();
  const projectTemplates = new Set<string>();
  const projectFolders = new Set<string>();
  const environments: string[] = [];
  const unreadable: Survey['unreadable'] = [];
  const seen = (slug: string) => {
    if (!environments.includes(slug)) environments.push(slug);
  };
  for (const file of validation.files) {
    const info = classifyPath(file.path);
    if (!info) continue;
    if (info.projectTemplate !== undefined) {
      if (file.path.startsWith(base)) projectTemplates.add(info.projectTemplate);
      continue;
    }
    // Registered only where the hub reads them (`<base>/policies/<slug>.ocl`, or a folder named as the slug):
    // a library's `policies/check-supply-chain/check_supply_chain.ocl` would be registered and never found.
    const kind = info.kind === 'policy' ? ({ folder: 'policies', slugs: policies } as const) : info.kind === 'process_template' ? ({ folder: 'process-templates', slugs: processTemplates } as const) : undefined;
    if (kind && info.slug && file.path.startsWith(`${base}${kind.folder}/`)) {
      const candidates = templateFileCandidates(baseFolder, kind.folder, info.slug);
      if (candidates.includes(file.path)) kind.slugs.add(info.slug);
      else unreadable.push({ file: file.path, expected: candidates[0]! });
    }
    if (PROJECT_KINDS.has(info.kind)) projectFolders.add(projectFolderOf(file.path));
    const doc = file.document;
    const process = doc?.kind === 'deployment_process' ? doc : doc?.kind === 'runbook' ? doc.process : undefined;
    for (const step of process?.steps ?? []) for (const action of step.actions) [...action.environments, ...action.excludedEnvironments].forEach(seen);
    if (doc?.kind === 'runbook') doc.environments.forEach(seen);
    if (doc?.kind === 'variables' && doc.projectTemplate === undefined) for (const v of doc.variables) for (const value of v.values) (value.scopes['environment'] ?? []).forEach(seen);
  }
  const projects: Survey['projects'] = [];
  const slugs = new Set<string>();
  for (const folder of [...projectFolders].sort()) {
    let slug = projectSlug(folder, path.basename(target));
    for (let n = 2; slugs.has(slug); n++) slug = `${projectSlug(folder, path.basename(target))}-${n}`;
    slugs.add(slug);
    projects.push({ slug, path: folder });
  }
  const published = await publishedPolicyVersions(target);
  return {
    policies: [...policies].sort().map((slug) => (published.has(slug) ? { slug, published: published.get(slug)! } : { slug })),
    processTemplates: [...processTemplates].sort(),
    projectTemplates: [...projectTemplates].sort(),
    projects,
    environments,
    unreadable,
    git: await exists(path.join(target, '.git')),
    policyTests: await exists(path.join(target, DEFAULT_POLICY_TESTS_DIR)),
  };
}

/**
 * The folders holding hub content (policies, process templates, project templates) as `classifyPath`
 * recognises it, among the files `validate` reads there: each the folder above `policies/`,
 * `process-templates/` or `project-templates/` (`''` for the root).
 */
async function hubContentFolders(target: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (const file of await directoryReader(target).list()) {
    const info = classifyPath(file);
    if (!info) continue;
    const folder = info.projectTemplate !== undefined ? 'project-templates' : info.kind === 'policy' ? 'policies' : info.kind === 'process_template' ? 'process-templates' : undefined;
    if (folder === undefined) continue;
    const dirs = file.split('/').slice(0, -1);
    const at = dirs.lastIndexOf(folder);
    if (at >= 0) out.add(dirs.slice(0, at).join('/'));
  }
  return out;
}

function projectFolderOf(file: string): string {
  let dir = path.posix.dirname(file);
  if (path.posix.basename(dir) === 'migrated-drafts') dir = path.posix.dirname(dir);
  if (path.posix.basename(dir) === 'runbooks') dir = path.posix.dirname(dir);
  return dir;
}

/** `projects/web/.octopus` → `web`; `.octopus/telemetry` → `telemetry`; `.octopus` → the repository folder's name. */
function projectSlug(folder: string, repositoryName: string): string {
  const parts = folder.split('/').filter((p) => p !== '' && p !== '.');
  const named = parts.filter((p) => p !== DEFAULT_BASE_PATH);
  const raw = named.length > 0 ? named[named.length - 1]! : repositoryName;
  return raw.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|-+$/g, '') || 'project';
}

function displayName(slug: string): string {
  return slug.split(/[-_.]+/).filter(Boolean).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
}

/** The highest published version of each policy, from its `policies/<slug>/v<semver>` tags (none outside Git). */
async function publishedPolicyVersions(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  try {
    const store = await openRepository({ dir });
    for (const tag of await store.listTags('policies/')) {
      const m = /^policies\/([^/]+)\/v(.+)$/.exec(tag);
      if (!m || semver.valid(m[2]!) === null) continue;
      const best = out.get(m[1]!);
      if (best === undefined || semver.gt(m[2]!, best)) out.set(m[1]!, m[2]!);
    }
  } catch (error) {
    if (!isGitStoreError(error)) throw error;
  }
  return out;
}

function renderConfig(options: {
  basePath: string;
  environments: ReadonlyArray<{ slug: string; name: string; tags: readonly string[] }>;
  projects: ReadonlyArray<{ slug: string; path: string }>;
  policies: readonly string[];
}): string {
  const blocks: string[] = [`base_path = ${quote(options.basePath)}\ndefault_space = "default"`, 'space "default" {\n    name = "Default"\n}'];
  options.environments.forEach((e, i) => {
    const tags = e.tags.length > 0 ? `\n    tags = [${e.tags.map(quote).join(', ')}]` : '';
    blocks.push(`environment ${quote(e.slug)} {\n    name = ${quote(e.name)}\n    order = ${i + 1}${tags}\n}`);
  });
  for (const p of options.projects) blocks.push(`project ${quote(p.slug)} {\n    name = ${quote(displayName(p.slug))}\n    path = ${quote(p.path)}\n}`);
  for (const slug of options.policies) blocks.push(`policy ${quote(slug)} {}`);
  return blocks.join('\n\n') + '\n';
}

function nextSteps(dir: string, found: Survey): string {
  const at = ` --hub ${dir}`;
  const git = dir === '.' ? 'git' : `git -C ${dir}`;
  const lines: Array<[string, string]> = [];
  // oclhub reads a hub through Git (validate --hub refuses a plain folder), so the repository comes first.
  if (!found.git) lines.push([`git init${dir === '.' ? '' : ` ${dir}`}`, 'a hub is a Git repository']);
  lines.push([`oclhub validate${at}`, 'check the hub: oclhub.ocl, projects, policies and templates']);
  if (found.policyTests) lines.push([`oclhub test${at}`, 'run the policy unit tests']);
  lines.push(found.git ? [`${git} add oclhub.ocl && ${git} commit`, 'commit the hub settings'] : [`${git} add -A && ${git} commit`, 'commit the hub']);
  const unpublished = found.policies.find((p) => p.published === undefined);
  const publishedOne = found.policies.find((p) => p.published !== undefined);
  if (publishedOne) lines.push([`oclhub activate ${publishedOne.slug} ${publishedOne.published!}${at}`, 'activate a published version (a commit to oclhub.ocl)']);
  if (unpublished) {
    lines.push([`oclhub publish policy ${unpublished.slug} --bump major${at}`, 'publish a policy']);
    lines.push([`oclhub activate ${unpublished.slug} 1.0.0${at}`, 'then activate it (a commit to oclhub.ocl)']);
  }
  const width = Math.max(...lines.map(([command]) => command.length)) + 3;
  return `\nNext steps:\n${lines.map(([command, why]) => `  ${command.padEnd(width)}${why}\n`).join('')}`;
}
