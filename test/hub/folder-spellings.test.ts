/**
 * One project folder, spelled the ways people write it in oclhub.ocl (`./…/`, `\`, `//`, `.` segments):
 * lint (uncached, cached, from the project's own folder), `validate --hub` and the web page's project
 * entry give the same answers as for the plain spelling. Paths that name no folder of the repository
 * (`../x`, `/abs`, `C:\x`) are errors at `path` everywhere, and nothing of the project is evaluated.
 * Real Git repositories on temp folders: a hub with an in-hub project and a sibling project repository.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { openHub } from '../../src/hub/index.js';
import type { HubProjectModel } from '../../src/model/types.js';
import type { LintJson } from '../../src/report/lint-json.js';
import { buildMatrix, isBroken, projectDiagnostics } from '../../src/web/model.js';
import { run } from '../cli/helpers.js';
import { lineOf, repoSet, scriptStep, type RepoSet } from '../lint/repos.js';

/** The in-hub project's folder and the sibling repository's (with a non-ASCII name: Git compares bytes). */
const API = 'services/api/.octopus';
const ALPHA = 'deploy/dienst-ü/.octopus';

const SPELLINGS: Array<{ name: string; api: string; alpha: string }> = [
  { name: 'plain', api: API, alpha: ALPHA },
  { name: './ and trailing /', api: `./${API}/`, alpha: `./${ALPHA}/` },
  { name: 'backslashes', api: API.replace(/\//g, '\\'), alpha: `.\\${ALPHA.replace(/\//g, '\\')}\\` },
  { name: 'repeated / and . segments', api: 'services//api/./.octopus', alpha: 'deploy/./dienst-ü//.octopus//' },
];

/** The sibling repository's project at its root, as `path` may say so. */
const ROOT_SPELLINGS = ['.', './', '.\\', './/.'];

const ALPHA_PROCESS = [scriptStep('alpha-1'), scriptStep('alpha-off', { disabled: true })].join('\n');

/** A hub registering `api` (in the hub, at API) and `alpha` (a sibling repository, its files in `alphaFolder`). */
function projectSet(api: string, alpha: string, alphaFolder = ALPHA): Promise<RepoSet> {
  const inAlpha = (file: string) => (alphaFolder === '' ? file : `${alphaFolder}/${file}`);
  return repoSet({
    projects: [
      {
        slug: 'alpha',
        files: { [inAlpha('deployment_process.ocl')]: ALPHA_PROCESS, [inAlpha('schema_version.ocl')]: 'version = 14\n' },
        block: `    repository = "../alpha"\n    path = ${JSON.stringify(alpha)}\n    environments = ["production"]`,
      },
    ],
    // A second environment neither project deploys to: a folder linted as unregistered would be evaluated there too.
    config: `environment "staging" {\n    name = "Staging"\n    order = 2\n}\n\nproject "api" {\n    name = "api"\n    path = ${JSON.stringify(api)}\n    environments = ["production"]\n}\n`,
    hubFiles: { [`${API}/deployment_process.ocl`]: scriptStep('api-off', { disabled: true }), [`${API}/schema_version.ocl`]: 'version = 14\n' },
  });
}

/** What each surface answers for a hub, with commit ids (they differ between hubs) masked. */
interface Answers {
  lint: unknown;
  lintCached: unknown[];
  lintFolders: unknown[];
  validate: { code: number; json: unknown };
  web: unknown;
}

/**
 * `value` without what differs between two hubs built alike: commit ids, the temp folder, and offsets in
 * oclhub.ocl (a longer spelling of `path` shifts the text after it; lines and columns are compared).
 */
function masked<T>(value: T, root: string): T {
  const text = JSON.stringify(value).split(root).join('<root>').replace(/\b[0-9a-f]{40}\b/g, '<commit>');
  return withoutConfigOffsets(JSON.parse(text), false) as T;
}

function withoutConfigOffsets(value: unknown, inConfig: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => withoutConfigOffsets(item, inConfig));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const here = typeof object['file'] === 'string' ? object['file'] === 'oclhub.ocl' : inConfig;
  return Object.fromEntries(Object.entries(object).flatMap(([key, item]) => (here && key === 'offset' ? [] : [[key, withoutConfigOffsets(item, here)]])));
}

async function lintJson(cwd: string, ...args: string[]): Promise<LintJson> {
  const r = await run(cwd, 'lint', '--format', 'json', ...args);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as LintJson;
}

async function answers(set: RepoSet, alphaFolder = ALPHA): Promise<Answers> {
  const lint = await lintJson(set.hub, '--no-cache');
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'oclhub-folder-cache-'));
  try {
    // Cold, then warm: the second run reuses the first's per-project keys (lazy, manifest-keyed targets).
    const lintCached = [await lintJson(set.hub, '--cache-dir', cacheDir), await lintJson(set.hub, '--cache-dir', cacheDir)];
    // Each project's folder linted on its own: oclhub.ocl's registration is found from the folder.
    const lintFolders = [
      await lintJson(set.repos['alpha']!, '--no-cache', '--hub', set.hub, '--project', alphaFolder === '' ? '.' : alphaFolder),
      await lintJson(set.hub, '--no-cache', '--project', API),
    ];
    const validated = await run(set.hub, 'validate', '--hub', '.', '--format', 'json');
    const { hub } = await openHub({ dir: set.hub });
    const matrix = await hub!.compliance({ cacheDir: false });
    const answer = { commit: hub!.commit, rows: matrix.rows, diagnostics: matrix.diagnostics };
    const m = buildMatrix(hub!, answer);
    const web = hub!.config!.projects.map((project) => ({
      project: project.slug,
      broken: isBroken(project, answer.diagnostics),
      cells: Object.fromEntries([...m.groups.flatMap((g) => g.rows).find((r) => r.project.slug === project.slug)!.cells].map(([env, cell]) => [env, cell.status])),
      diagnostics: projectDiagnostics(project, answer.diagnostics).map(brief),
    }));
    return masked({ lint, lintCached, lintFolders, validate: { code: validated.code, json: JSON.parse(validated.stdout) as unknown }, web }, set.root);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

/** Surface by surface, so a failure names the surface that differs. */
function expectSameAnswers(spelled: Answers, plain: Answers): void {
  expect(spelled.lint).toEqual(plain.lint);
  expect(spelled.lintCached).toEqual(plain.lintCached);
  expect(spelled.lintFolders).toEqual(plain.lintFolders);
  expect(spelled.validate).toEqual(plain.validate);
  expect(spelled.web).toEqual(plain.web);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function brief(d: Diagnostic): string {
  return `${d.code} ${d.file ?? '-'}:${d.range?.start.line ?? 0} ${d.project ?? '-'} ${d.summary}`;
}

const sets: RepoSet[] = [];
const results = new Map<string, Answers>();
/** The in-hub project's registration as each hub reads it. */
const apiProjects = new Map<string, HubProjectModel>();

beforeAll(async () => {
  for (const spelling of SPELLINGS) {
    const set = await projectSet(spelling.api, spelling.alpha);
    sets.push(set);
    results.set(spelling.name, await answers(set));
    const { hub } = await openHub({ dir: set.hub });
    apiProjects.set(spelling.name, hub!.config!.projects.find((p) => p.slug === 'api')!);
  }
}, 300_000);

afterAll(() => sets.forEach((s) => s.remove()));

describe('one project folder, many spellings', () => {
  it('the plain spelling finds both disabled steps, in the right files and lines, on every surface', () => {
    const plain = results.get('plain')!;
    const lint = plain.lint as LintJson;
    const blocked = lint.evaluations.map((e) => [e.project, e.environment, e.errors?.map((d) => d.code) ?? [], e.decisions.filter((d) => d.outcome === 'violation').map((d) => d.policy)]);
    expect(blocked).toEqual([
      ['alpha', 'production', [], ['no_disabled_steps']],
      ['api', 'production', [], ['no_disabled_steps']],
    ]);
    const placed = lint.evaluations.flatMap((e) => e.decisions.filter((d) => d.outcome === 'violation').map((d) => `${e.project} ${d.location?.file}:${d.location?.range?.start.line}`));
    expect(placed).toEqual([`alpha ${ALPHA}/deployment_process.ocl:${lineOf(ALPHA_PROCESS, 'step "alpha-off"')}`, `api ${API}/deployment_process.ocl:1`]);
    expect((plain.lintFolders as LintJson[]).map((json) => json.evaluations.map((e) => `${e.project} ${e.environment} ${e.decisions.find((d) => d.outcome === 'violation')?.policy}`))).toEqual([
      ['alpha production no_disabled_steps'],
      ['api production no_disabled_steps'],
    ]);
    // No "folder missing" or "empty project" finding: validate found both folders.
    const codes = JSON.stringify(plain.validate.json);
    expect(codes).not.toMatch(/SEM041|SEM042|BP002|HUB02/);
    expect(plain.web).toEqual([
      { project: 'alpha', broken: false, cells: { production: 'blocked' }, diagnostics: [expect.stringMatching(/^BP021 oclhub\.ocl:\d+ alpha /)] },
      { project: 'api', broken: false, cells: { production: 'blocked' }, diagnostics: [expect.stringMatching(/^BP021 oclhub\.ocl:\d+ api /)] },
    ]);
  });

  it.each(SPELLINGS.slice(1).map((s) => s.name))('%s: the same lint report, validation and web entry as the plain spelling', (name) => {
    expectSameAnswers(results.get(name)!, results.get('plain')!);
  });

  it('the web page gives the in-hub project the diagnostics of its own files, not of a nested project or a look-alike folder', () => {
    const file = (folder: string, name = 'deployment_process.ocl'): Diagnostic => ({ severity: 'error', code: 'TPL101', summary: `in ${folder}`, file: `${folder}/${name}` });
    const diagnostics = [file(API), file(API, 'runbooks/restart.ocl'), file(`${API}/telemetry`), file('services/api-v2/.octopus'), file('services/.octopus')];
    for (const spelling of SPELLINGS) {
      const project = apiProjects.get(spelling.name)!;
      expect(project.path).toBe(spelling.api);
      expect(projectDiagnostics(project, diagnostics).map((d) => d.file)).toEqual([`${API}/deployment_process.ocl`, `${API}/runbooks/restart.ocl`]);
      expect(isBroken(project, diagnostics)).toBe(true);
      expect(isBroken(project, diagnostics.slice(2))).toBe(false);
    }
  });

  it('a cached run reports what the uncached run does', () => {
    for (const spelling of SPELLINGS) {
      const r = results.get(spelling.name)!;
      for (const cached of r.lintCached) expect((cached as LintJson).evaluations).toEqual((r.lint as LintJson).evaluations);
    }
  });
});

describe('a path that names no folder of its repository', () => {
  const INVALID = ['../services/api/.octopus', '/services/api/.octopus', 'C:\\services\\api\\.octopus', ''];
  /** The finding at `path`: an empty one is the schema's (SCH006), the others SEM042. */
  const codeFor = (written: string) => (written === '' ? 'SCH006' : 'SEM042');
  let invalidSets: Array<{ written: string; set: RepoSet }> = [];

  beforeAll(async () => {
    invalidSets = [];
    for (const written of INVALID) invalidSets.push({ written, set: await projectSet(written, written) });
  }, 300_000);
  afterAll(() => invalidSets.forEach(({ set }) => set.remove()));

  it('is SEM042 at `path` in validate --hub, for the in-hub and the sibling project, and nothing else about them', async () => {
    for (const { written, set } of invalidSets) {
      const r = await run(set.hub, 'validate', '--hub', '.', '--format', 'json');
      expect(r.code).toBe(1);
      const json = JSON.parse(r.stdout) as { files: { file: string; diagnostics: Diagnostic[] }[] };
      const config = json.files.find((f) => f.file === 'oclhub.ocl')!;
      const text = readFileSync(path.join(set.hub, 'oclhub.ocl'), 'utf8');
      const pathLines = text.split('\n').flatMap((line, i) => (line.startsWith('    path = ') ? [i + 1] : []));
      expect(config.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.range?.start.line}`)).toEqual(pathLines.map((line) => `${codeFor(written)} ${line}`));
      if (written !== '') expect(config.diagnostics.find((d) => d.code === 'SEM042')!.summary).toContain(`path ${JSON.stringify(written)} is not a folder inside its repository`);
      // Not read, so not judged: no missing folder, no empty project, no unreadable repository.
      expect(JSON.stringify(json)).not.toMatch(/SEM041|BP002|HUB020|HUB021/);
    }
  });

  it('makes lint, and the web page, report both projects as errors without evaluating them', async () => {
    for (const { written, set } of invalidSets) {
      for (const args of [['--no-cache'], ['--cache-dir', mkdtempSync(path.join(tmpdir(), 'oclhub-folder-cache-'))]]) {
        const r = await run(set.hub, 'lint', '--format', 'json', ...args);
        if (args[0] === '--cache-dir') rmSync(args[1]!, { recursive: true, force: true });
        expect(r.code).toBe(1);
        const json = JSON.parse(r.stdout) as LintJson;
        expect(json.evaluations.map((e) => ({ project: e.project, errors: e.errors?.map((d) => d.code), outcomes: [...new Set(e.decisions.map((d) => d.outcome))] }))).toEqual(
          ['alpha', 'api'].map((project) => ({ project, errors: ['HUB002'], outcomes: ['error'] })),
        );
        for (const e of json.evaluations) expect(e.errors![0]!.summary).toMatch(new RegExp(`^Project "${e.project}": path ${escape(JSON.stringify(written))} is not a folder inside its repository: `));
        expect(json.diagnostics.filter((d) => d.code === codeFor(written)).map((d) => d.file)).toEqual(['oclhub.ocl', 'oclhub.ocl']);
        // Nothing was read, so no rule judges the projects' content (an "empty project" would be a guess).
        expect(json.diagnostics.map((d) => d.code)).not.toContain('BP002');
      }
      const { hub } = await openHub({ dir: set.hub });
      const matrix = await hub!.compliance({ cacheDir: false });
      const answer = { commit: hub!.commit, rows: matrix.rows, diagnostics: matrix.diagnostics };
      const rows = buildMatrix(hub!, answer).groups.flatMap((g) => g.rows);
      for (const project of hub!.config!.projects) {
        expect(isBroken(project, answer.diagnostics)).toBe(true);
        expect(projectDiagnostics(project, answer.diagnostics).filter((d) => d.severity === 'error').map((d) => d.code).sort()).toEqual(['HUB002', codeFor(written)]);
        expect([...rows.find((row) => row.project.slug === project.slug)!.cells.values()].map((c) => c.status)).toEqual(['error']);
      }
    }
  });
});

describe('a project at the root of its repository', () => {
  const rootResults = new Map<string, Answers>();
  const rootSets: RepoSet[] = [];

  beforeAll(async () => {
    for (const written of ROOT_SPELLINGS) {
      const set = await projectSet(API, written, '');
      rootSets.push(set);
      rootResults.set(written, await answers(set, ''));
    }
  }, 300_000);
  afterAll(() => rootSets.forEach((s) => s.remove()));

  it('is found and evaluated when `path` is "."', () => {
    const dot = rootResults.get('.')!;
    const lint = dot.lint as LintJson;
    const alpha = lint.evaluations.find((e) => e.project === 'alpha')!;
    expect(alpha.errors).toBeUndefined();
    expect(alpha.decisions.filter((d) => d.outcome === 'violation').map((d) => `${d.policy} ${d.location?.file}:${d.location?.range?.start.line}`)).toEqual([
      `no_disabled_steps deployment_process.ocl:${lineOf(ALPHA_PROCESS, 'step "alpha-off"')}`,
    ]);
    expect((dot.lintFolders as LintJson[])[0]!.evaluations.map((e) => `${e.project} ${e.environment}`)).toEqual(['alpha production']);
    expect(JSON.stringify(dot.validate.json)).not.toMatch(/SEM041|SEM042|BP002|HUB02/);
  });

  it.each(ROOT_SPELLINGS.slice(1))('%j: the same answers as "."', (written) => {
    expectSameAnswers(rootResults.get(written)!, rootResults.get('.')!);
  });
});
