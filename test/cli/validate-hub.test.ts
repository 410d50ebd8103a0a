/** `oclhub validate --hub <dir> [--ref REF]` on a real Git repository built from the demo hub. */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { commitAll, git, removeDir, startGitHttpServer, tempDir } from '../git/helpers.js';
import { run } from './helpers.js';

const demo = path.resolve(__dirname, '../../templates/demo');
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));

function demoRepository(): string {
  const dir = tempDir('oclhub-validate-hub-');
  dirs.push(dir);
  git(dir, ['init', '-q', '-b', 'main']);
  cpSync(demo, dir, { recursive: true });
  commitAll(dir, {}, 'demo hub');
  return dir;
}

describe('oclhub validate --hub', () => {
  it('validates the committed demo hub cleanly', async () => {
    const dir = demoRepository();
    const result = await run(dir, 'validate', '--hub', '.', '--ref', 'main', '--format', 'json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { summary: { files: number; errors: number } };
    expect(report.summary.errors).toBe(0);
    expect(report.summary.files).toBeGreaterThan(5);
  });

  it('sees uncommitted edits through WORKTREE but not at the committed ref', async () => {
    const dir = demoRepository();
    const policy = path.join(dir, '.octopus/policies/no_disabled_steps.ocl');
    const original = readFileSync(policy, 'utf8');
    expect(original).toMatch(/violation_action = "(block|warn)"/);
    writeFileSync(policy, original.replace(/violation_action = "(block|warn)"/, 'violation_action = "deny"'));
    const edited = original.split('\n').findIndex((line) => line.includes('violation_action')) + 1;

    const worktree = await run(dir, 'validate', '--hub', '.');
    expect(worktree.code).toBe(1);
    expect(worktree.stdout).toContain(`.octopus/policies/no_disabled_steps.ocl:${edited}:`);
    expect(worktree.stdout).toContain('POL001');

    const committed = await run(dir, 'validate', '--hub', '.', '--ref', 'main');
    expect(committed.code).toBe(0);
  });

  it('reports an unknown ref as a usage error', async () => {
    const dir = demoRepository();
    const result = await run(dir, 'validate', '--hub', '.', '--ref', 'no-such-branch');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no-such-branch/);
  });

  it('refuses --hub together with paths, and --ref without --hub', async () => {
    const dir = demoRepository();
    expect((await run(dir, 'validate', '--hub', '.', 'x.ocl')).code).toBe(2);
    expect((await run(dir, 'validate', '--ref', 'main', '.')).code).toBe(2);
  });
});

describe('oclhub validate (files) runs schema and semantic checks', () => {
  it('points at a misspelt attribute with a suggestion', async () => {
    const dir = tempDir('oclhub-validate-schema-');
    dirs.push(dir);
    const text = 'step "deploy" {\n    name = "Deploy"\n\n    action {\n        action_typ = "Octopus.Script"\n    }\n}\n';
    mkdirSync(path.join(dir, '.octopus'));
    writeFileSync(path.join(dir, '.octopus/deployment_process.ocl'), text);
    const result = await run(dir, 'validate', '.octopus/deployment_process.ocl');
    expect(result.stdout).toContain('.octopus/deployment_process.ocl:5:9');
    expect(result.stdout).toMatch(/did you mean .?action_type/i);
  });
});

/** A demo hub whose oclhub.ocl gets `extra` appended (new projects), committed. */
function demoWith(extra: string, files: Record<string, string> = {}): string {
  const dir = demoRepository();
  const config = path.join(dir, 'oclhub.ocl');
  writeFileSync(config, readFileSync(config, 'utf8') + extra);
  commitAll(dir, files, 'register projects');
  return dir;
}

interface JsonRun {
  files: { file: string; repository?: { id: string; location: string; commit?: string }; diagnostics: Diagnostic[] }[];
  summary: { errors: number; warnings: number };
}

async function hubJson(dir: string, ...args: string[]): Promise<{ code: number; report: JsonRun; all: Diagnostic[] }> {
  const r = await run(dir, 'validate', '--hub', '.', '--format', 'json', ...args);
  const report = JSON.parse(r.stdout) as JsonRun;
  return { code: r.code, report, all: report.files.flatMap((f) => f.diagnostics) };
}

const lineIn = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('validate --hub: registered project folders', () => {
  it('reports a path that does not exist as an error at the project block, failing the run', async () => {
    const dir = demoWith('\nproject "billing" {\n    name = "Billing"\n    path = "projects/bilings/.octopus"\n}\n');
    const { code, all } = await hubJson(dir);
    expect(code).toBe(1);
    const config = readFileSync(path.join(dir, 'oclhub.ocl'), 'utf8');
    expect(all.filter((d) => d.code === 'SEM041').map((d) => [d.file, d.severity, d.range?.start.line, d.summary])).toEqual([
      ['oclhub.ocl', 'error', lineIn(config, 'project "billing"'), 'Project "billing": `projects/bilings/.octopus` does not exist'],
    ]);
  });

  it('reports a folder with no Octopus project files, suggesting the project folder below it', async () => {
    const dir = demoWith('\nproject "storefront-root" {\n    name = "Storefront root"\n    path = "projects/storefront"\n}\n');
    const { code, all } = await hubJson(dir);
    expect(code).toBe(1);
    const found = all.filter((d) => d.code === 'SEM041');
    expect(found.map((d) => d.summary)).toEqual(['Project "storefront-root": `projects/storefront` holds no Octopus project files']);
    expect(found[0]!.detail).toContain('Did you mean "projects/storefront/.octopus"?');
  });

  it('accepts a runbook-only project, and a templated project with an empty process', async () => {
    const dir = demoWith(
      '\nproject "ops" {\n    name = "Ops"\n    path = "projects/ops/.octopus"\n}\n\nproject "agent" {\n    name = "Agent"\n    path = "projects/agent/.octopus"\n}\n',
      {
        'projects/ops/.octopus/runbooks/rotate-keys.ocl': 'name = "Rotate keys"\n',
        'projects/agent/.octopus/deployment_process.ocl': '',
        'projects/agent/.octopus/templated_project_values.ocl': 'parameter "ProjectTemplate.Replicas" {\n    value = "2"\n}',
      },
    );
    const { code, all } = await hubJson(dir);
    expect(all.filter((d) => d.severity === 'error')).toEqual([]);
    expect(code).toBe(0);
  });
});

describe('validate --hub: projects registered from other repositories', () => {
  const VARIABLES = 'variable "App.Url" {\n    value "https://app.example.com" {\n        environment = ["prod"]\n    }\n\n    value "https://eu.app.example.com" {\n        tenant_tag = ["region/eu-wset"]\n    }\n}\n';
  const PROCESS = 'step "deploy" {\n    name = "Deploy"\n\n    action {\n        action_type = "Octopus.Script"\n        properties = {\n            Octopus.Action.Script.ScriptBody = "./deploy.sh"\n        }\n    }\n}\n';

  function appRepository(): string {
    const app = tempDir('oclhub-validate-app-');
    dirs.push(app);
    git(app, ['init', '-q', '-b', 'main']);
    commitAll(app, { '.octopus/deployment_process.ocl': PROCESS, '.octopus/variables.ocl': VARIABLES, '.octopus/schema_version.ocl': 'version = 10' }, 'app');
    git(app, ['tag', 'v1']);
    return app;
  }

  it('checks the repository, its files and their scopes, naming the repository and the commit', async () => {
    const app = appRepository();
    const hub = demoWith(`\nproject "app" {\n    name = "App"\n    repository = "${app}"\n    ref = "v1"\n    path = ".octopus"\n}\n`);
    const { code, report } = await hubJson(hub);
    expect(code).toBe(0);
    const theirs = report.files.filter((f) => f.repository !== undefined);
    expect(theirs.map((f) => [f.file, f.repository!.id, f.repository!.location, f.repository!.commit])).toEqual([
      ['.octopus/variables.ocl', 'app', app, git(app, ['rev-parse', 'v1']).trim()],
    ]);
    expect(theirs[0]!.diagnostics.map((d) => [d.code, d.severity, d.range?.start.line, d.project])).toEqual([
      ['SEM039', 'warning', lineIn(VARIABLES, '"prod"'), 'app'],
      ['SEM040', 'warning', lineIn(VARIABLES, 'region/eu-wset'), 'app'],
    ]);
    expect(theirs[0]!.diagnostics[0]!.detail).toContain('"production"');
    expect(theirs[0]!.diagnostics[1]!.detail).toContain('"region/eu-west"');

    // Text: the finding shows the other repository's path and its own source line.
    const text = await run(hub, 'validate', '--hub', '.');
    const shown = `${path.relative(hub, app)}/.octopus/variables.ocl:${lineIn(VARIABLES, '"prod"')}:`;
    expect(text.stdout).toContain(shown);
    expect(text.stdout).toContain('environment = ["prod"]');
  });

  it('reports an unreachable repository, an unknown ref and a missing project folder at the project block', async () => {
    const app = appRepository();
    const hub = demoWith(
      [
        `\nproject "gone" {\n    name = "Gone"\n    repository = "${app}-missing"\n}\n`,
        `project "old" {\n    name = "Old"\n    repository = "${app}"\n    ref = "release/9"\n}\n`,
        `project "elsewhere" {\n    name = "Elsewhere"\n    repository = "${app}"\n    path = "deploy/.octopus"\n}\n`,
      ].join('\n'),
    );
    const { code, all } = await hubJson(hub);
    expect(code).toBe(1);
    const config = readFileSync(path.join(hub, 'oclhub.ocl'), 'utf8');
    const found = all.filter((d) => ['HUB020', 'HUB021', 'SEM041'].includes(d.code)).map((d) => [d.code, d.file, d.range?.start.line, d.project]);
    expect(found).toEqual([
      ['HUB020', 'oclhub.ocl', lineIn(config, 'project "gone"'), 'gone'],
      ['HUB021', 'oclhub.ocl', lineIn(config, 'project "old"'), 'old'],
      ['SEM041', 'oclhub.ocl', lineIn(config, 'project "elsewhere"'), 'elsewhere'],
    ]);
    expect(all.find((d) => d.code === 'HUB021')!.summary).toContain('"release/9"');
  });

  it('clones a repository registered by URL into the cache folder', async () => {
    const app = appRepository();
    const served = tempDir('oclhub-validate-served-');
    dirs.push(served);
    git(served, ['clone', '-q', '--bare', app, 'app.git']);
    const server = await startGitHttpServer(served);
    try {
      const cache = tempDir('oclhub-validate-cache-');
      dirs.push(cache);
      const url = `${server.url}/app.git`;
      const hub = demoWith(`\nproject "app" {\n    name = "App"\n    repository = "${url}"\n}\n\nproject "app-next" {\n    name = "App next"\n    repository = "${url}"\n    ref = "next"\n}\n`);
      const { code, report, all } = await hubJson(hub, '--cache-dir', cache);
      expect(code).toBe(1);
      expect(report.files.filter((f) => f.repository?.location === url).map((f) => f.file)).toEqual(['.octopus/variables.ocl']);
      expect(all.filter((d) => d.code === 'HUB021').map((d) => d.project)).toEqual(['app-next']);
      expect(server.requests.length).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});
