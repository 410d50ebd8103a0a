/**
 * A project that scopes a step to an environment oclhub.ocl does not declare (a typo: `prodution`) or a
 * tenant tag no declared tenant has: `validate --hub` says so (SEM039, SEM040), and so must `lint` in the
 * project's own CI, at the project's file and line, with the project's repository.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { LintJson } from '../../src/report/lint-json.js';
import { NO_DISABLED_STEPS, lineOf, repoSet, scriptStep, type RepoSet } from './repos.js';

const FILE = '.octopus/deployment_process.ocl';
const SCOPED = scriptStep('smoke-test').replace('        action_type = "Octopus.Script"', '        action_type = "Octopus.Script"\n        environments = ["prodution"]');
const PROCESS = `${scriptStep('deploy')}${SCOPED}`;

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = memoryIo(cwd);
  const code = await main(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

describe('scope references oclhub.ocl cannot satisfy', () => {
  let set: RepoSet;
  beforeAll(async () => {
    set = await repoSet({ projects: [{ slug: 'web', files: { [FILE]: PROCESS } }], policies: { no_disabled_steps: NO_DISABLED_STEPS } });
  }, 120_000);
  afterAll(() => set?.remove());

  it('lint reports SEM039 at the step, in the project repository, with did-you-mean; the warning does not fail the run', async () => {
    const r = await cli(set.hub, 'lint', '--no-cache', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as LintJson;
    const found = json.diagnostics.filter((d) => d.code === 'SEM039');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'warning', file: FILE, range: { start: { line: lineOf(PROCESS, '        environments = ["prodution"]') } } });
    expect(found[0]!.summary).toContain('"prodution"');
    expect(found[0]!.detail).toContain('Did you mean "production"?');
    expect(found[0]!.repository?.location).toContain('web');
  });

  it('a cached re-run reports it again', async () => {
    const first = await cli(set.hub, 'lint', '--format', 'json');
    const again = await cli(set.hub, 'lint', '--format', 'json');
    for (const r of [first, again]) {
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as LintJson).diagnostics.filter((d) => d.code === 'SEM039')).toHaveLength(1);
    }
  });

  it('validate --hub reports the same finding once', async () => {
    const r = await cli(set.hub, 'validate', '--hub', set.hub, '--format', 'json');
    expect((r.stdout.match(/SEM039/g) ?? []).length, r.stdout).toBe(1);
  });
});
