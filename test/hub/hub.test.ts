import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Hub, openHub } from '../../src/hub/index.js';
import { git, initRepo, startGitHttpServer, tempDir } from '../git/helpers.js';
import { commitAll, hubRepo, open, processText, PUBLISHER, TEMPLATE_PATH, templateText, tracked } from './helpers.js';

describe('openHub', () => {
  it('returns diagnostics instead of throwing for a folder that is not a repository', async () => {
    const dir = tracked(tempDir());
    const opened = await openHub({ dir });
    expect(opened.hub).toBeUndefined();
    expect(opened.diagnostics[0]).toMatchObject({ severity: 'error', code: 'HUB001' });
    expect((await openHub({})).diagnostics[0]!.code).toBe('HUB001');
    expect((await openHub({ url: 'https://example.invalid/hub.git' })).diagnostics[0]!.summary).toContain('cache folder');
  });

  it('reads a working tree that differs from HEAD unless the caller verified HEAD just before; keeps the validated oclhub.ocl when asked', async () => {
    const dir = hubRepo({ [TEMPLATE_PATH]: templateText() });
    const head = git(dir, ['rev-parse', 'HEAD']).trim();
    writeFileSync(path.join(dir, TEMPLATE_PATH), `${templateText()}\n# edited\n`);
    expect((await openHub({ dir, workingTree: true })).hub!.ref).toBe('WORKTREE');
    // The caller's check (lint's report key) saw HEAD's files: the hub reads HEAD, as that check decided.
    expect((await openHub({ dir, workingTree: true, worktreeVerified: head })).hub!.ref).toBe('HEAD');
    // A verification of another commit vouches for nothing.
    expect((await openHub({ dir, workingTree: true, worktreeVerified: '0'.repeat(40) })).hub!.ref).toBe('WORKTREE');

    const cacheDir = tracked(tempDir());
    const plain = (await openHub({ dir })).hub!;
    const first = (await openHub({ dir, configCache: { dir: cacheDir, toolVersion: '1.0.0' } })).hub!;
    const second = (await openHub({ dir, configCache: { dir: cacheDir, toolVersion: '1.0.0' } })).hub!;
    expect(readdirSync(cacheDir)).toContain('hub-config.json');
    expect(second.config).toStrictEqual(plain.config);
    expect(first.config).toStrictEqual(plain.config);
    expect(second.configDiagnostics).toStrictEqual(plain.configDiagnostics);
    expect(second.basePath).toBe(plain.basePath);
  });

  it('reads oclhub.ocl at the ref: base path, environments, registered projects', async () => {
    const hub = await open(hubRepo({ [TEMPLATE_PATH]: templateText() }));
    expect(hub.basePath).toBe('.octopus');
    expect(hub.environments()).toEqual(['development', 'production']);
    expect(hub.config?.projects.map((p) => p.slug)).toEqual(['web-app']);
    expect(hub.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('lists templates that are published or present at the ref', async () => {
    const dir = hubRepo({ [TEMPLATE_PATH]: templateText(), '.octopus/process-templates/unpublished.ocl': templateText() });
    const hub = await open(dir);
    await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'major', publisher: PUBLISHER });
    await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'prerelease', publisher: PUBLISHER });
    const listed = await hub.listTemplates('process-templates');
    expect(listed).toEqual([
      { kind: 'process-templates', slug: 'deploy-web', versions: ['1.0.0', '1.0.1-prerelease.1'], latest: '1.0.1-prerelease.1', latestStable: '1.0.0', inRef: true },
      { kind: 'process-templates', slug: 'unpublished', versions: [], inRef: true },
    ]);
  });

  it('shares loaded templates between hubs over one store (tag content never changes)', async () => {
    const dir = hubRepo({ [TEMPLATE_PATH]: templateText() });
    const hub = await open(dir);
    expect((await hub.catalog.loadProcessTemplate('deploy-web', '1.0.0')).diagnostics[0]!.code).toBe('TPL104');
    await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'major', publisher: PUBLISHER });
    const first = await hub.catalog.loadProcessTemplate('deploy-web', '1.0.0');
    expect(first.diagnostics).toEqual([]);
    const other = new Hub(hub.store, hub.location, 'main', dir);
    await other.load();
    expect(await other.catalog.loadProcessTemplate('deploy-web', '1.0.0')).toBe(first);
  });

  it('resolves a project folder on disk with paths relative to its repository root', async () => {
    const dir = hubRepo({ [TEMPLATE_PATH]: templateText() });
    const hub = await open(dir);
    await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'major', publisher: PUBLISHER });
    const project = tracked(initRepo({ 'services/web/.octopus/deployment_process.ocl': processText('1.X') }));
    const resolution = await hub.resolveProject({ projectDir: path.join(project, 'services/web') });
    expect(resolution.root).toBe(project);
    expect(resolution.processes.map((p) => p.file)).toEqual(['services/web/.octopus/deployment_process.ocl']);
    expect(resolution.processes[0]!.usages[0]!.version).toBe('1.0.0');
    const missing = await hub.resolveProject({ projectDir: path.join(project, 'nope') });
    expect(missing.diagnostics[0]!.code).toBe('HUB001');
  });

  it('reads registered projects from another local repository', async () => {
    const project = tracked(initRepo({ '.octopus/deployment_process.ocl': processText('1.X') }));
    const config = `base_path = ".octopus"\n\nproject "remote-app" {\n    name = "Remote App"\n    repository = "${project}"\n    path = ".octopus"\n}\n`;
    const dir = hubRepo({ [TEMPLATE_PATH]: templateText() });
    commitAll(dir, { 'oclhub.ocl': config }, 'register');
    const hub = await open(dir);
    await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'major', publisher: PUBLISHER });
    commitAll(dir, { [TEMPLATE_PATH]: templateText({ helpText: 'changed' }) }, 'patch');
    const dry = await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'patch', dryRun: true, publisher: PUBLISHER });
    const registered = await hub.resolveRegisteredProject('remote-app');
    expect(registered.processes[0]!.usages[0]!.version).toBe('1.0.0');
    expect((await hub.resolveRegisteredProject('nope')).diagnostics[0]!.summary).toContain('remote-app');
    expect(dry.impact).toEqual([
      { project: 'remote-app', name: 'Remote App', usages: [{ file: '.octopus/deployment_process.ocl', usage: 'web', mask: '1.X', before: '1.0.0', after: '1.0.1', floats: true }], newDiagnostics: [] },
    ]);
  });

  it('opens a remote hub over HTTP and resolves against its tags', async () => {
    const work = hubRepo({ [TEMPLATE_PATH]: templateText() });
    const local = await open(work);
    await local.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'major', publisher: PUBLISHER });
    const root = tracked(tempDir());
    git(root, ['clone', '-q', '--bare', work, 'hub.git']);
    const cacheDir = tracked(tempDir());
    const server = await startGitHttpServer(root);
    try {
      const { hub, diagnostics } = await openHub({ url: `${server.url}/hub.git#main`, cacheDir });
      expect(diagnostics).toEqual([]);
      const files = new Map([['.octopus/deployment_process.ocl', processText('1.X')]]);
      const resolution = await hub!.resolveProject({ files });
      expect(resolution.diagnostics).toEqual([]);
      expect(resolution.processes[0]!.steps.map((s) => s.slug)).toEqual(['web-deploy', 'notify']);
    } finally {
      await server.close();
    }
  });

  it('reads a hub repository without commits through the working tree', async () => {
    const dir = tracked(tempDir());
    git(dir, ['init', '-q', '-b', 'main']);
    mkdirSync(path.join(dir, '.octopus/process-templates'), { recursive: true });
    writeFileSync(path.join(dir, TEMPLATE_PATH), templateText());
    const hub = await open(dir);
    expect(hub.commit).toBeNull();
    expect((await hub.listTemplates('process-templates')).map((t) => t.slug)).toEqual(['deploy-web']);
    const refused = await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'major', publisher: PUBLISHER });
    expect(refused.ok).toBe(false);
    expect(refused.diagnostics[0]!.code).toBe('TPL205');
  });
});

describe('Hub.readProject', () => {
  const CONFIG = (projects: string) => `environment "production" {\n    name = "Production"\n}\n\n${projects}`;

  it('reads a registered folder\'s own files and runbooks, never a nested project\'s', async () => {
    const dir = tracked(
      initRepo({
        'oclhub.ocl': CONFIG('project "api" {\n    name = "API"\n    path = "apps/.octopus"\n}\n'),
        'apps/.octopus/deployment_process.ocl': processText('1.X'),
        'apps/.octopus/runbooks/restart.ocl': 'name = "Restart"\n',
        'apps/.octopus/telemetry/deployment_process.ocl': processText('1.X'),
      }),
    );
    const hub = await open(dir);
    const read = await hub.readProject(hub.config!.projects[0]!);
    expect(read.problems).toEqual([]);
    expect([...read.files.keys()].sort()).toEqual(['apps/.octopus/deployment_process.ocl', 'apps/.octopus/runbooks/restart.ocl']);
    expect(read.repository).toEqual({ id: 'hub', location: dir, commit: hub.commit });
  });

  it('says why a folder is not a project: missing (with did-you-mean) or holding only nested projects', async () => {
    const dir = tracked(
      initRepo({
        'oclhub.ocl': CONFIG('project "typo" {\n    name = "Typo"\n    path = "aps/.octopus"\n}\n\nproject "parent" {\n    name = "Parent"\n    path = "mono/.octopus"\n}\n'),
        'apps/.octopus/deployment_process.ocl': processText('1.X'),
        'mono/.octopus/a/deployment_process.ocl': processText('1.X'),
        'mono/.octopus/b/variables.ocl': 'variable "X" {\n    value "1" {}\n}\n',
      }),
    );
    const hub = await open(dir);
    const [typo, parent] = hub.config!.projects;
    const missing = await hub.readProject(typo!);
    expect(missing.problems).toEqual([expect.objectContaining({ severity: 'error', code: 'HUB040', file: 'oclhub.ocl', project: 'typo', summary: 'Project "typo": path "aps/.octopus" does not exist in the hub. Did you mean path = "apps/.octopus"?' })]);
    const nested = await hub.readProject(parent!);
    expect(nested.problems[0]!.code).toBe('HUB041');
    expect(nested.problems[0]!.summary).toContain('It holds the project folders mono/.octopus/a, mono/.octopus/b: register each with its own path.');
    expect(await hub.projectFiles(typo!)).toEqual({ error: missing.problems[0]!.summary });
  });

  it('reports an oclhub.ocl that does not parse as its errors, not as a missing file', async () => {
    const dir = tracked(initRepo({ 'oclhub.ocl': 'environment "production" {\n    name = "Production"\n' }));
    const hub = await open(dir);
    expect(hub.hasConfigFile).toBe(true);
    expect(hub.config).toBeUndefined();
    expect(hub.configErrors.length).toBeGreaterThan(0);
    expect(hub.configErrors[0]!.code).toMatch(/^OCL/);
    const fine = await open(tracked(initRepo({ 'oclhub.ocl': CONFIG('') })));
    expect(fine.configErrors).toEqual([]);
  });
});
