/**
 * Rule settings (`rule "<CODE>" { severity, paths, reason }`) in lint: the hub's apply to every
 * diagnostic, a project repository's own oclhub.ocl to its own files; what they turn off is counted,
 * listed (JSON), suppressed (SARIF), skipped (JUnit), and never fails a run. Policy decisions are not
 * rule settings' business (exceptions are).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { openHub } from '../../src/hub/index.js';
import type { LintJson } from '../../src/report/lint-json.js';
import type { SarifLog } from '../../src/report/sarif.js';
import { commitAll } from '../git/helpers.js';
import { NO_DISABLED_STEPS, lineOf, repoSet, scriptStep, type RepoSet } from './repos.js';

const FILE = '.octopus/deployment_process.ocl';

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = memoryIo(cwd);
  const code = await main(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

/** A step with an attribute Octopus does not know: an SCH001 warning at its line. */
const WITH_UNKNOWN_ATTRIBUTE = scriptStep('deploy').replace('    name = "deploy"\n', '    name = "deploy"\n    colour = "red"\n');

let set: RepoSet;

beforeAll(async () => {
  set = await repoSet({
    projects: [
      { slug: 'legacy', files: { [FILE]: WITH_UNKNOWN_ATTRIBUTE } },
      { slug: 'owned', files: { [FILE]: WITH_UNKNOWN_ATTRIBUTE, 'oclhub.ocl': 'rule "SCH001" {\n    severity = "off"\n    paths = [".octopus/**"]\n    reason = "owned by the app team: colours are documentation"\n}\n' } },
    ],
    policies: { no_disabled_steps: NO_DISABLED_STEPS },
  });
}, 120_000);

afterAll(() => set?.remove());

describe('rule settings in lint', () => {
  it('a project repository\'s own oclhub.ocl turns off its own findings; the other repository still warns', async () => {
    const r = await cli(set.hub, 'lint', '--no-cache', '--format', 'json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as LintJson;
    const reported = json.diagnostics.filter((d) => d.code === 'SCH001');
    expect(reported.map((d) => [d.project, d.repository?.id, d.range?.start.line])).toEqual([['legacy', 'legacy', lineOf(WITH_UNKNOWN_ATTRIBUTE, '    colour')]]);
    expect(json.suppressed!.map((d) => [d.code, d.project, d.adjusted])).toEqual([
      ['SCH001', 'owned', expect.objectContaining({ originalSeverity: 'warning', reason: 'owned by the app team: colours are documentation', file: '../owned/oclhub.ocl' })],
    ]);
    expect(json.summary.suppressed).toBe(1);
    // The warning of the other repository fails the run at --fail-on warn; the suppressed one never does.
    expect((await cli(set.hub, 'lint', '--no-cache', '--fail-on', 'warn')).code).toBe(1);
  });

  it('the hub\'s settings apply to every repository: off is suppressed in SARIF, counted in text, skipped in JUnit', async () => {
    const config = fs.readFileSync(path.join(set.hub, 'oclhub.ocl'), 'utf8');
    commitAll(set.hub, { 'oclhub.ocl': `${config}\nrule "SCH001" {\n    severity = "off"\n    reason = "colours are allowed here"\n}\n` }, 'silence SCH001');
    try {
      const text = await cli(set.hub, 'lint', '--no-cache', '--fail-on', 'warn');
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/; 2 suppressed by rule settings — passed \(fail on warn\)/);
      expect(text.stdout).not.toContain('SCH001');
      const sarif = JSON.parse((await cli(set.hub, 'lint', '--no-cache', '--format', 'sarif')).stdout) as SarifLog;
      const suppressed = sarif.runs[0].results.filter((x) => x.ruleId === 'SCH001');
      expect(suppressed).toHaveLength(2);
      for (const result of suppressed) {
        expect(result.level).toBe('warning');
        expect(result.suppressions).toEqual([expect.objectContaining({ kind: 'external', state: 'accepted' })]);
      }
      expect(suppressed.map((x) => x.suppressions![0]!.justification).sort()).toEqual(['colours are allowed here', 'colours are allowed here']);
      const junit = (await cli(set.hub, 'lint', '--no-cache', '--format', 'junit')).stdout;
      expect(junit).toMatch(/<testcase classname="legacy\.diagnostics" name="SCH001 \.\.\/legacy\/\.octopus\/deployment_process\.ocl:\d+:\d+"[^>]*>\s*<skipped message="suppressed by the rule setting at oclhub\.ocl:\d+:\d+: colours are allowed here/);
      // The API's answers carry them too (the façade the API serves).
      const hub = (await openHub({ dir: set.hub })).hub!;
      expect((await hub.compliance({ cacheDir: false })).suppressed.map((d) => d.project).sort()).toEqual(['legacy', 'owned']);
    } finally {
      commitAll(set.hub, { 'oclhub.ocl': config }, 'restore');
    }
  });

  it('raising a severity makes the finding fail the run, and says which setting did it', async () => {
    const config = fs.readFileSync(path.join(set.hub, 'oclhub.ocl'), 'utf8');
    commitAll(set.hub, { 'oclhub.ocl': `${config}\nrule "SCH001" {\n    severity = "error"\n    paths = [".octopus/*.ocl"]\n}\n` }, 'SCH001 is an error');
    try {
      const r = await cli(set.hub, 'lint', '--no-cache');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/\.\.\/legacy\/\.octopus\/deployment_process\.ocl:\d+:\d+: error SCH001/);
      expect(r.stdout).toMatch(/note: warning made error by the rule setting at oclhub\.ocl:\d+:\d+/);
    } finally {
      commitAll(set.hub, { 'oclhub.ocl': config }, 'restore');
    }
  });

  it('a project repository linted with a hub elsewhere applies its own oclhub.ocl', async () => {
    const r = await cli(set.repos['owned']!, 'lint', '--no-cache', '--hub', set.hub, '--fail-on', 'warn', '--format', 'json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as LintJson;
    expect(json.diagnostics.filter((d) => d.code === 'SCH001')).toEqual([]);
    expect(json.suppressed!.map((d) => [d.code, d.adjusted?.reason])).toEqual([['SCH001', 'owned by the app team: colours are documentation']]);
  });
});
