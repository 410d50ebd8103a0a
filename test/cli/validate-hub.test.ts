/** `oclhub validate --hub <dir> [--ref REF]` on a real Git repository built from the demo hub. */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commitAll, git, removeDir, tempDir } from '../git/helpers.js';
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
