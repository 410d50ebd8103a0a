/**
 * `oclhub lint` re-runs after an edit of oclhub.ocl that moves its lines without changing what it says
 * (blank lines; OCL has no comments): a project's stored result may cite oclhub.ocl (HUB004 at the project's
 * block, for a project with no deployment process), so the cached run must cite the lines where they
 * are now, as a run without any cache does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitAll, initRepo, removeDir } from '../git/helpers.js';
import { expectLintSameAsUncached } from '../cli/helpers.js';
import { lineOf, scriptStep } from './repos.js';

const FORMATS = ['json', 'sarif'];

const CONFIG = `base_path = ".octopus"

environment "production" {
    name = "Production"
}

project "shop" {
    name = "Shop"
    path = "projects/shop/.octopus"
}

project "ops" {
    name = "Ops"
    path = "projects/ops/.octopus"
}
`;

/** A runbook whose process is one script step: the project holding only this has no deployment process. */
const RUNBOOK = `name = "Restart"\n\nprocess {\n${scriptStep('restart')
  .split('\n')
  .map((line) => (line === '' ? line : `    ${line}`))
  .join('\n')}}\n`;

/** Where the JSON report's HUB004 (a project with no deployment process) points in oclhub.ocl. */
function hub004Line(json: string): number | undefined {
  const report = JSON.parse(json) as { diagnostics: { code: string; file?: string; range?: { start: { line: number } } }[] };
  const found = report.diagnostics.find((d) => d.code === 'HUB004' && d.file === 'oclhub.ocl');
  return found?.range?.start.line;
}

let hub: string;
beforeAll(() => {
  hub = initRepo({
    'oclhub.ocl': CONFIG,
    'projects/shop/.octopus/schema_version.ocl': 'version = 9\n',
    'projects/shop/.octopus/deployment_process.ocl': scriptStep('deploy'),
    'projects/ops/.octopus/schema_version.ocl': 'version = 9\n',
    'projects/ops/.octopus/runbooks/restart.ocl': RUNBOOK,
  });
});
afterAll(() => {
  if (hub) removeDir(hub);
});

describe('oclhub lint after oclhub.ocl moves its lines', () => {
  it('cites the lines where they are now, as a run without cache does', async () => {
    const first = await expectLintSameAsUncached(hub, 'first run', FORMATS, 2);
    const ops = lineOf(CONFIG, 'project "ops"');
    expect(hub004Line(first)).toBe(ops);

    commitAll(hub, { 'oclhub.ocl': `\n\n${CONFIG}` }, 'two blank lines on top');
    const moved = await expectLintSameAsUncached(hub, 'lines moved', FORMATS);
    expect(hub004Line(moved)).toBe(ops + 2);
  }, 120_000);
});
