/**
 * The files CI and developer tools read, held to what they claim: the pre-commit hooks run the
 * commands they name on the files they select, and the Renovate configurations of docs/renovate.md
 * find the usages of the demo hub's projects and of a lock written by `oclhub lock`, and their
 * datasource URL answers with the template's releases from a real server.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { createApp } from '../../src/api/app.js';
import { hubPort } from '../../src/api/hub-port.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { removeDir } from '../git/helpers.js';
import { demoHub, openAt } from '../e2e/demo-hub.js';
import { tempTree } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function cli(cwd: string, argv: string[]) {
  const io = memoryIo(cwd);
  const code = await main(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

interface Hook {
  id: string;
  entry: string;
  language: string;
  files: string;
}

describe('.pre-commit-hooks.yaml', () => {
  const hooks = YAML.parse(readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
  const byId = new Map(hooks.map((h) => [h.id, h]));
  /** What pre-commit does: the entry's words, then the staged files its `files` pattern selects. */
  const runHook = (id: string, cwd: string, staged: string[]) => {
    const hook = byId.get(id)!;
    const [command, ...args] = hook.entry.split(' ');
    expect(command).toBe('oclhub');
    return cli(cwd, [...args, ...staged.filter((f) => new RegExp(hook.files).test(f))]);
  };
  const UGLY = 'step "a" {\n  name = "A"\n    action {\n    action_type = "Octopus.Script"\n    }\n}\n';

  it('defines fmt, fmt --diff and validate hooks on *.ocl files, installed with npm', () => {
    expect([...byId.keys()]).toEqual(['oclhub-fmt', 'oclhub-fmt-check', 'oclhub-validate']);
    for (const hook of hooks) expect(hook).toMatchObject({ language: 'node', files: '\\.ocl$' });
  });

  it('oclhub-fmt rewrites the staged files; oclhub-fmt-check fails with a diff', async () => {
    const dir = await tempTree({ '.octopus/deployment_process.ocl': UGLY, 'README.md': '# x\n' });
    const check = await runHook('oclhub-fmt-check', dir, ['.octopus/deployment_process.ocl', 'README.md']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('+++ b/.octopus/deployment_process.ocl');
    const fmt = await runHook('oclhub-fmt', dir, ['.octopus/deployment_process.ocl', 'README.md']);
    expect(fmt).toEqual({ code: 0, stdout: '.octopus/deployment_process.ocl\n', stderr: '' });
    expect((await runHook('oclhub-fmt-check', dir, ['.octopus/deployment_process.ocl'])).code).toBe(0);
  });

  it('oclhub-validate fails on an invalid staged file and passes a valid one', async () => {
    const dir = await tempTree({ '.octopus/deployment_process.ocl': 'step "a" {\n    name = "A"\n}\n', '.octopus/variables.ocl': 'variable "A" {\n    value "1" {}\n}\n' });
    const bad = await runHook('oclhub-validate', dir, ['.octopus/deployment_process.ocl', '.octopus/variables.ocl']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('.octopus/deployment_process.ocl:1:1: error SCH003');
    expect((await runHook('oclhub-validate', dir, ['.octopus/variables.ocl'])).code).toBe(0);
  });
});

interface RenovateConfig {
  customDatasources: Record<string, { defaultRegistryUrlTemplate: string; format: string }>;
  customManagers: { customType: string; managerFilePatterns: string[]; matchStrings: string[]; datasourceTemplate: string }[];
}

describe('docs/renovate.md', () => {
  const configs = [...readFileSync(path.join(ROOT, 'docs/renovate.md'), 'utf8').matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as RenovateConfig);
  const [masks, locks] = configs;
  /** Renovate's `/…/` file patterns. */
  const filePattern = (p: string) => new RegExp(p.slice(1, -1));
  const matches = (pattern: string, text: string) => [...text.matchAll(new RegExp(pattern, 'g'))].map((m) => [m.groups!.depName, m.groups!.currentValue]);

  let dir: string;
  let server: RunningServer;
  beforeAll(async () => {
    dir = await demoHub();
    server = await startServer({ app: createApp(hubPort(await openAt(dir))), host: '127.0.0.1', port: 0 });
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    if (dir) removeDir(dir);
  });

  it('are two Renovate configurations using one oclhub datasource', () => {
    expect(configs).toHaveLength(2);
    for (const config of configs) {
      expect(config.customManagers[0]!.datasourceTemplate).toBe(`custom.${Object.keys(config.customDatasources)[0]}`);
    }
  });

  it('the version-mask manager finds every process-template usage of the demo projects', () => {
    const manager = masks!.customManagers[0]!;
    expect(filePattern(manager.managerFilePatterns[0]!).test('projects/payments-api/.octopus/deployment_process.ocl')).toBe(true);
    expect(filePattern(manager.managerFilePatterns[0]!).test('.octopus/runbooks/restart.ocl')).toBe(true);
    expect(filePattern(manager.managerFilePatterns[0]!).test('oclhub.ocl')).toBe(false);
    const text = readFileSync(path.join(ROOT, 'templates/demo/projects/payments-api/.octopus/deployment_process.ocl'), 'utf8');
    expect(matches(manager.matchStrings[0]!, text)).toEqual([
      ['manual-approval', '1.X'],
      ['deploy-web-app', '1.X'],
    ]);
  });

  it('the lock manager finds every entry of a lock written by oclhub lock', async () => {
    const project = path.join(dir, 'projects/payments-api');
    const locked = await cli(project, ['lock', '--hub', dir]);
    expect(locked.code, locked.stderr).toBe(0);
    const manager = locks!.customManagers[0]!;
    expect(filePattern(manager.managerFilePatterns[0]!).test('services/api/oclhub.lock.json')).toBe(true);
    // Written at the project's repository root: here, the hub repository that holds the demo projects.
    const lock = readFileSync(path.join(dir, 'oclhub.lock.json'), 'utf8');
    const usages = Object.values((JSON.parse(lock) as { usages: Record<string, { template: string; version: string }> }).usages).map((u) => [u.template, u.version]);
    expect(usages.length).toBeGreaterThan(0);
    expect(matches(manager.matchStrings[0]!, lock)).toEqual(usages);
  });

  it('the datasource URL answers with the template’s releases', async () => {
    const template = Object.values(masks!.customDatasources)[0]!.defaultRegistryUrlTemplate;
    const url = template.replace('https://oclhub.example.com', server.url).replace('{{packageName}}', 'deploy-web-app');
    const body = (await (await fetch(url)).json()) as { releases: { version: string; releaseTimestamp?: string }[] };
    expect(body.releases.map((r) => r.version)).toContain('1.0.0');
    expect(body.releases.every((r) => r.releaseTimestamp !== undefined)).toBe(true);
  });
});
