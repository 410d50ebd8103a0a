/**
 * One hub base path, spelled the ways people write `base_path` in oclhub.ocl (`./…/`, a trailing `/`,
 * `//`, `\`): publishing and activating, the template catalogue resolving a project's usage, the active
 * policies loaded for evaluation, `validate --hub`, `lint` and the language server's view of the hub's
 * templates and policies give the same answers as for the plain spelling — for the default `.octopus`
 * and for a folder of the hub's own choosing. A base path that names no folder is SEM037 everywhere and
 * nothing is read under it. Real Git repositories (the git CLI) on temp folders.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { activatePolicy, type Hub } from '../../src/hub/index.js';
import { hubFiles } from '../../src/lsp/facts.js';
import type { LspContext } from '../../src/lsp/server.js';
import { Workspace } from '../../src/lsp/workspace.js';
import { hubBasePath } from '../../src/model/folder-path.js';
import type { HubConfigDocument } from '../../src/model/types.js';
import { validateFile } from '../../src/model/validate.js';
import { loadActivePolicies } from '../../src/policy/active.js';
import type { LintJson } from '../../src/report/lint-json.js';
import { run, tempTree } from '../cli/helpers.js';
import { initRepo } from '../git/helpers.js';
import { NO_DISABLED_STEPS, scriptStep } from '../lint/repos.js';
import { open, processText, PUBLISHER, templateText, tracked } from './helpers.js';

const GROUPS: Array<{ folder: string; spellings: string[] }> = [
  { folder: '.octopus', spellings: ['.octopus', './.octopus/', '.octopus/', '.\\.octopus', '.octopus//'] },
  { folder: 'platform', spellings: ['platform', './platform/', 'platform\\', './/platform'] },
];

const PROJECT = 'projects/web-app/.octopus';
const AUTHOR = { name: 'Ada Admin', email: 'ada@example.com' };

/** oclhub.ocl with `base_path` last, so that no position after it depends on how it is spelled. */
function config(basePath: string): string {
  return `environment "production" {
    name = "Production"
    order = 1
}

project "web-app" {
    name = "Web App"
    path = "${PROJECT}"
}

base_path = ${JSON.stringify(basePath)}
`;
}

/** A hub whose templates and policies live in `folder`, with base_path spelled `basePath`. */
function hubDir(folder: string, basePath: string): string {
  return tracked(
    initRepo({
      'oclhub.ocl': config(basePath),
      [`${folder}/process-templates/deploy-web.ocl`]: templateText(),
      [`${folder}/policies/no_disabled_steps.ocl`]: NO_DISABLED_STEPS,
      [`${PROJECT}/deployment_process.ocl`]: processText('1.0.x') + '\n' + scriptStep('web-off', { disabled: true }),
    }),
  );
}

/** The language server's context over the hub's folder, as far as `hubFiles` reads it: the files on disk and oclhub.ocl. */
async function lspContext(dir: string, configText: string): Promise<LspContext> {
  const workspace = new Workspace(dir);
  await workspace.scan();
  const built = validateFile({ path: 'oclhub.ocl', text: configText, context: { kind: 'oclhub' } }).document;
  const document = built?.kind === 'oclhub' ? built : undefined;
  return { workspace, config: () => Promise.resolve(document) } as unknown as LspContext;
}

function brief(d: Diagnostic): string {
  return `${d.severity} ${d.code} ${d.file ?? '-'}:${d.range?.start.line ?? 0}:${d.range?.start.column ?? 0} ${d.summary}`;
}

/** `value` without what differs between two hubs built alike: the temp folder, commit ids and byte offsets (lines and columns stay). */
function masked(value: unknown, dir: string): unknown {
  const text = JSON.stringify(value, (key, item: unknown) => (key === 'offset' ? undefined : item));
  return JSON.parse(text.split(dir).join('<hub>').replace(/\b[0-9a-f]{40}\b/g, '<commit>')) as unknown;
}

interface Answers {
  published: unknown;
  activation: unknown;
  templates: unknown;
  resolution: unknown;
  policies: unknown;
  validate: { code: number; json: unknown };
  lint: { code: number; json: LintJson };
  lsp: unknown;
}

async function answers(folder: string, basePath: string): Promise<Answers> {
  const dir = hubDir(folder, basePath);
  let hub: Hub = await open(dir);
  const published = [
    await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'major', publisher: PUBLISHER }),
    await hub.publish({ kind: 'policies', slug: 'no_disabled_steps', bump: 'major', publisher: PUBLISHER }),
  ].map((r) => ({ ok: r.ok, version: r.version, diagnostics: r.diagnostics.map(brief) }));
  const activation = [
    await activatePolicy(hub, { slug: 'no_disabled_steps', version: '2.0.0', author: AUTHOR }),
    await activatePolicy(hub, { slug: 'no_disabled_steps', version: '1.0.0', author: AUTHOR }),
  ].map((r) => ({ ok: r.ok, changed: r.changed, refusal: r.refusal, diagnostics: r.diagnostics.map(brief) }));
  hub = await open(dir);
  const templates = {
    processTemplates: await hub.listTemplates('process-templates'),
    policies: await hub.listTemplates('policies'),
    published: (await hub.publishedFiles('process-templates', 'deploy-web', '1.0.0')).files.map((f) => f.path),
  };
  const resolved = await hub.resolveRegisteredProject('web-app');
  const resolution = {
    usages: resolved.processes.flatMap((p) => p.usages.map((u) => ({ file: p.file, slug: u.slug, version: u.version, templateFile: u.templateFile, available: u.available }))),
    steps: resolved.processes.flatMap((p) => p.steps.map((s) => s.slug)),
    diagnostics: [...resolved.diagnostics, ...resolved.validation].map(brief),
  };
  const active = await loadActivePolicies({ store: hub.store, ref: hub.commit! });
  const drafts = await loadActivePolicies({ store: hub.store, ref: 'WORKTREE', drafts: true });
  const policies = [active, drafts].map((loaded) => ({
    policies: loaded.policies.map((p) => ({ slug: p.slug, file: p.file, version: p.version, tag: p.tag })),
    diagnostics: loaded.diagnostics.map(brief),
  }));
  const validated = await run(dir, 'validate', '--hub', '.', '--format', 'json');
  const linted = await run(dir, 'lint', '--format', 'json', '--no-cache');
  const configText = (await hub.store.readTextFile(hub.commit!, 'oclhub.ocl')) as string;
  const context = await lspContext(dir, configText);
  const lsp = { templates: [...(await hubFiles(context, 'process_template'))], policies: [...(await hubFiles(context, 'policy'))] };
  return masked(
    {
      published,
      activation,
      templates,
      resolution,
      policies,
      validate: { code: validated.code, json: JSON.parse(validated.stdout) as unknown },
      lint: { code: linted.code, json: JSON.parse(linted.stdout) as LintJson },
      lsp,
    },
    dir,
  ) as Answers;
}

const results = new Map<string, Answers>();

beforeAll(async () => {
  for (const group of GROUPS) for (const spelling of group.spellings) results.set(spelling, await answers(group.folder, spelling));
}, 600_000);

afterAll(() => results.clear());

describe('one hub base path, many spellings', () => {
  for (const group of GROUPS) {
    const [plain, ...others] = group.spellings as [string, ...string[]];

    it(`"${plain}": every surface finds the templates and policies in ${group.folder}/`, () => {
      const a = results.get(plain)!;
      expect(a.published).toEqual([
        { ok: true, version: '1.0.0', diagnostics: [] },
        { ok: true, version: '1.0.0', diagnostics: [] },
      ]);
      expect(a.activation).toMatchObject([{ ok: false, refusal: 'not-published' }, { ok: true, changed: true }]);
      const templates = a.templates as { processTemplates: Array<{ slug: string; inRef: boolean; versions: string[] }>; policies: Array<{ slug: string; inRef: boolean }>; published: string[] };
      expect(templates.processTemplates.map((t) => [t.slug, t.inRef, t.versions])).toEqual([['deploy-web', true, ['1.0.0']]]);
      expect(templates.policies.map((t) => [t.slug, t.inRef])).toEqual([['no_disabled_steps', true]]);
      expect(templates.published).toEqual([`${group.folder}/process-templates/deploy-web.ocl`]);
      const resolution = a.resolution as { usages: Array<{ version?: string; templateFile?: string }>; steps: string[]; diagnostics: string[] };
      expect(resolution.usages).toMatchObject([{ version: '1.0.0', templateFile: `${group.folder}/process-templates/deploy-web.ocl` }]);
      expect(resolution.diagnostics.filter((d) => d.startsWith('error'))).toEqual([]);
      expect(a.policies).toEqual([
        { policies: [{ slug: 'no_disabled_steps', file: `${group.folder}/policies/no_disabled_steps.ocl`, version: '1.0.0', tag: 'policies/no_disabled_steps/v1.0.0' }], diagnostics: [] },
        { policies: [{ slug: 'no_disabled_steps', file: `${group.folder}/policies/no_disabled_steps.ocl` }], diagnostics: [] },
      ]);
      // validate: no errors (a policy activated without its file, or a template usage not found, would be).
      const validated = a.validate.json as { diagnostics?: Array<{ severity: string; code: string }> };
      expect(JSON.stringify(validated)).not.toMatch(/"severity":"error"/);
      expect(a.validate.code).toBe(0);
      // lint: the disabled step blocks the deployment, found by the published policy.
      const decisions = a.lint.json.evaluations.flatMap((e) => e.decisions);
      expect(decisions.map((d) => [d.policy, d.outcome, d.reason])).toEqual([['no_disabled_steps', 'violation', 'Disabled steps: web-off']]);
      expect(a.lint.code).toBe(1);
      expect(a.lsp).toEqual({
        templates: [['deploy-web', `${group.folder}/process-templates/deploy-web.ocl`]],
        policies: [['no_disabled_steps', `${group.folder}/policies/no_disabled_steps.ocl`]],
      });
    });

    for (const spelling of others) {
      it(`"${spelling}" gives the answers of "${plain}" on every surface`, () => {
        const a = results.get(spelling)!;
        const b = results.get(plain)!;
        expect(a.published).toEqual(b.published);
        expect(a.activation).toEqual(b.activation);
        expect(a.templates).toEqual(b.templates);
        expect(a.resolution).toEqual(b.resolution);
        expect(a.policies).toEqual(b.policies);
        expect(a.validate).toEqual(b.validate);
        expect(a.lint).toEqual(b.lint);
        expect(a.lsp).toEqual(b.lsp);
      });
    }
  }
});

describe('a base path that names no folder', () => {
  const config = (basePath: string) => validateFile({ path: 'oclhub.ocl', text: `base_path = ${JSON.stringify(basePath)}\n`, context: { kind: 'oclhub' } });

  it('is SEM037 at base_path with the reason, for every way out of the repository', () => {
    for (const [written, reason] of [
      ['', 'empty'],
      ['../outside', "'..'"],
      ['/srv/hub', 'absolute'],
      ['C:\\hub', 'drive letter'],
      ['.git/hooks', '.git'],
    ] as const) {
      const found = config(written).diagnostics.filter((d) => d.code === 'SEM037');
      expect(found.map((d) => [d.severity, d.range?.start.line])).toEqual([['error', 1]]);
      expect(found[0]!.summary).toContain(reason);
    }
    // What a project's `path` takes, base_path takes: one rule for the hub's configured folders.
    for (const written of ['./.octopus/', '.octopus//', '.\\.octopus', 'platform\\hub', '.']) expect(config(written).diagnostics.filter((d) => d.code === 'SEM037')).toEqual([]);
    expect(hubBasePath({ basePath: '.' })).toEqual({ valid: true, folder: '' });
  });

  it('reads nothing: no policy is loaded (and that is an error), the language server lists none, validate stops at SEM037', async () => {
    const dir = tracked(
      initRepo({
        'oclhub.ocl': `environment "production" {\n    name = "Production"\n}\n\npolicy "no_disabled_steps" {\n    active_version = "1.0.0"\n}\n\nbase_path = "../.octopus"\n`,
        '.octopus/policies/no_disabled_steps.ocl': NO_DISABLED_STEPS,
        '.octopus/process-templates/deploy-web.ocl': templateText(),
      }),
    );
    const { store, commit, config: document } = (await open(dir)) as Hub & { config: HubConfigDocument };
    const loaded = await loadActivePolicies({ store, ref: commit!, config: document });
    expect(loaded.policies).toEqual([]);
    expect(loaded.diagnostics.map((d) => [d.severity, d.code, d.file, d.range?.start.line])).toEqual([['error', 'POL122', 'oclhub.ocl', 9]]);
    const drafts = await loadActivePolicies({ store, ref: 'WORKTREE', drafts: true });
    expect(drafts.policies).toEqual([]);
    expect(drafts.diagnostics.map((d) => d.code)).toContain('POL122');
    const context = await lspContext(dir, await store.readTextFile(commit!, 'oclhub.ocl'));
    expect([...(await hubFiles(context, 'policy'))]).toEqual([]);
    const validated = await run(dir, 'validate', '--hub', '.', '--format', 'json');
    expect(validated.code).not.toBe(0);
    const codes = (JSON.stringify(JSON.parse(validated.stdout)).match(/"code":"[A-Z]+\d+"/g) ?? []).map((c) => c.slice(8, -1));
    expect(codes).toContain('SEM037');
    // Not also "policy has no file": nothing was looked for under a folder that is none.
    expect(codes).not.toContain('SEM031');
  });
});

describe('oclhub test reads the policies under the same folder', () => {
  const CASE = JSON.stringify({ input: { Environment: { Id: 'E', Name: 'p', Slug: 'p', Tags: [] }, Steps: [], SkippedSteps: [] }, expect: { allowed: true } });

  it('for every spelling of it, and refuses one outside the hub instead of reading there', async () => {
    const root = await tempTree({
      'hub/platform/policies/no_disabled_steps.ocl': NO_DISABLED_STEPS,
      'hub/policy-tests/no_disabled_steps/empty.json': CASE,
      // A folder beside the hub: "../platform" must not reach it.
      'platform/policies/no_disabled_steps.ocl': NO_DISABLED_STEPS,
    });
    const hub = path.join(root, 'hub');
    for (const spelling of ['platform', './platform/', 'platform\\', './/platform']) {
      await writeConfig(hub, spelling);
      const r = await run(hub, 'test');
      expect([spelling, r.code, r.stdout]).toEqual([spelling, 0, expect.stringContaining('1 test, 1 passed, 0 failed (1 policy)')]);
    }
    await writeConfig(hub, '../platform');
    const outside = await run(hub, 'test');
    expect(outside.code).toBe(2);
    expect(outside.stdout).toBe('');
    expect(outside.stderr).toContain('SEM037');
  });
});

async function writeConfig(dir: string, basePath: string): Promise<void> {
  await writeFile(path.join(dir, 'oclhub.ocl'), `base_path = ${JSON.stringify(basePath)}\n`);
}
