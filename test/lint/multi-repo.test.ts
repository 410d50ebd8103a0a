/**
 * Three project repositories registered in a hub by path, each with a violation on a different line:
 * every output format names the right repository, file, line and source line for every finding.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { SourceRepository } from '../../src/diagnostics.js';
import type { LintJson } from '../../src/report/lint-json.js';
import type { SarifLog } from '../../src/report/sarif.js';
import { git } from '../git/helpers.js';
import { parseXml, type XmlElement } from '../report/xml.js';
import { lineOf, repoSet, scriptStep, type RepoSet } from './repos.js';

const FILE = '.octopus/deployment_process.ocl';

async function cli(cwd: string, argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = { ...memoryIo(cwd), env };
  const code = await main(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

/** alpha's disabled step is its first, beta's its second, gamma's its third: three different lines. */
const PROJECTS = {
  alpha: [scriptStep('alpha-off', { disabled: true })],
  beta: [scriptStep('beta-1'), scriptStep('beta-off', { disabled: true })],
  gamma: [scriptStep('gamma-1'), scriptStep('gamma-2'), scriptStep('gamma-off', { disabled: true })],
};

interface Expected {
  slug: string;
  location: string;
  commit: string;
  line: number;
  source: string;
}

let set: RepoSet;
let expected: Expected[];

beforeAll(async () => {
  set = await repoSet({
    projects: Object.entries(PROJECTS).map(([slug, steps]) => ({ slug, files: { [FILE]: steps.join('\n'), '.octopus/schema_version.ocl': 'version = 14\n' } })),
  });
  expected = Object.keys(PROJECTS).map((slug) => {
    const text = fs.readFileSync(path.join(set.repos[slug]!, FILE), 'utf8');
    const line = lineOf(text, `step "${slug}-off"`);
    return { slug, location: `../${slug}`, commit: set.commits[slug]!, line, source: text.split('\n')[line - 1]! };
  });
}, 120_000);

afterAll(() => set?.remove());

describe('oclhub lint over three project repositories', () => {
  it('puts each violation on a different line (the fixture is what the test says)', () => {
    expect(new Set(expected.map((e) => e.line)).size).toBe(3);
    for (const e of expected) expect(e.source).toBe(`step "${e.slug}-off" {`);
  });

  it('text: each finding at its repository path and line, with the source line from that repository', async () => {
    const r = await cli(set.hub, ['lint', '--no-cache']);
    expect(r.code).toBe(1);
    for (const e of expected) {
      const header = `${e.location}/${FILE}:${e.line}:1: blocked no_disabled_steps: Disabled steps: ${e.slug}-off`;
      const at = r.stdout.indexOf(header);
      expect(at, `${header}\n---\n${r.stdout}`).toBeGreaterThanOrEqual(0);
      // The frame right under it shows that repository's line, not the first repository's.
      const frame = r.stdout.slice(at).split('\n').slice(1, 4).join('\n');
      expect(frame).toContain(`${e.line} | ${e.source}`);
    }
    // No finding is shown at a bare path, as if it were in the hub.
    expect(r.stdout).not.toMatch(new RegExp(`^\\s*${FILE.replace(/\./g, '\\.')}:`, 'm'));
  });

  it('json: every decision names its project, repository (location and commit), file and line', async () => {
    const r = await cli(set.hub, ['lint', '--no-cache', '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as LintJson;
    expect(report.home).toBe('hub');
    expect(report.repositories!.map((x) => [x.id, x.location, x.commit])).toEqual([
      ['hub', set.hub, set.hubCommit],
      ...expected.map((e) => [e.slug, e.location, e.commit]),
    ]);
    for (const e of expected) {
      const evaluation = report.evaluations.find((x) => x.project === e.slug)!;
      const decision = evaluation.decisions.find((d) => d.policy === 'no_disabled_steps')!;
      expect(decision.outcome).toBe('violation');
      expect(decision.location).toMatchObject({ file: FILE, step: `${e.slug}-off`, repository: { id: e.slug, location: e.location, commit: e.commit } });
      expect(decision.location!.range!.start.line).toBe(e.line);
      // The line read from that repository at that commit is the step.
      const atCommit = git(set.repos[e.slug]!, ['show', `${e.commit}:${FILE}`]);
      expect(atCommit.split('\n')[e.line - 1]).toBe(e.source);
    }
  });

  it('--project <slug> lints that registered project from its repository, as the whole-hub lint does; a name that is neither a folder nor a slug is refused', async () => {
    const whole = JSON.parse((await cli(set.hub, ['lint', '--no-cache', '--format', 'json'])).stdout) as LintJson;
    const r = await cli(set.hub, ['lint', '--no-cache', '--format', 'json', '--project', 'beta', '--project', 'gamma']);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as LintJson;
    expect(report.home).toBe('hub');
    expect(report.evaluations.map((x) => x.project)).toEqual(['beta', 'gamma']);
    expect(report.evaluations).toEqual(whole.evaluations.filter((x) => x.project !== 'alpha'));
    expect(report.repositories!.map((x) => x.id)).toEqual(['hub', 'beta', 'gamma']);

    const typo = await cli(set.hub, ['lint', '--no-cache', '--project', 'gama']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('oclhub lint: No project "gama": neither a folder nor a project in oclhub.ocl (did you mean "gamma"?) (projects: alpha, beta, gamma)\n');
    // A folder of that name is the folder (as for evaluate and input): the hub has none called beta.
    fs.mkdirSync(path.join(set.hub, 'beta', '.octopus'), { recursive: true });
    fs.writeFileSync(path.join(set.hub, 'beta', '.octopus', 'deployment_process.ocl'), scriptStep('local-beta'));
    const folder = JSON.parse((await cli(set.hub, ['lint', '--no-cache', '--format', 'json', '--project', 'beta'])).stdout) as LintJson;
    fs.rmSync(path.join(set.hub, 'beta'), { recursive: true });
    expect(folder.evaluations[0]!.decisions.find((d) => d.policy === 'no_disabled_steps')!.outcome).toBe('pass');
  });

  it('sarif: one uriBaseId per repository, with its root and version control provenance', async () => {
    const r = await cli(set.hub, ['lint', '--no-cache', '--format', 'sarif']);
    expect(r.code).toBe(1);
    const run = (JSON.parse(r.stdout) as SarifLog).runs[0];
    for (const e of expected) {
      const result = run.results.find((x) => x.ruleId === 'no_disabled_steps' && x.properties['project'] === e.slug)!;
      const location = result.locations[0].physicalLocation;
      expect(location.artifactLocation).toEqual({ uri: FILE, uriBaseId: e.slug });
      expect(location.region).toMatchObject({ startLine: e.line, snippet: { text: e.source } });
      expect(run.originalUriBaseIds![e.slug]).toEqual({ uri: `${pathToFileURL(set.repos[e.slug]!).href}/` });
      expect(run.versionControlProvenance).toContainEqual({ repositoryUri: `${pathToFileURL(set.repos[e.slug]!).href}/`, revisionId: e.commit, mappedTo: { uriBaseId: e.slug } });
    }
    expect(run.versionControlProvenance).toContainEqual(expect.objectContaining({ revisionId: set.hubCommit, mappedTo: { uriBaseId: 'hub' } }));
  });

  it('junit: class names carry the project; file, line and source line of each failure are its repository\'s', async () => {
    const r = await cli(set.hub, ['lint', '--no-cache', '--format', 'junit']);
    expect(r.code).toBe(1);
    const cases = findAll(parseXml(r.stdout), 'testcase');
    for (const e of expected) {
      const testCase = cases.find((c) => c.attributes['classname'] === `${e.slug}.production` && c.attributes['name'] === 'no_disabled_steps')!;
      expect(testCase.attributes['file']).toBe(`${e.location}/${FILE}`);
      expect(testCase.attributes['line']).toBe(String(e.line));
      const failure = testCase.children.find((c) => c.name === 'failure')!;
      expect(failure.text).toContain(`at: ${e.location}/${FILE}:${e.line}:1 (step ${e.slug}-off)`);
      expect(failure.text).toContain(`${e.line} | ${e.source}`);
    }
  });

  it('github: no annotation names a file of another repository; those findings go to the log and the job summary', async () => {
    const summaryFile = path.join(set.root, 'step-summary.md');
    const r = await cli(set.hub, ['lint', '--no-cache', '--format', 'github'], { GITHUB_STEP_SUMMARY: summaryFile });
    expect(r.code).toBe(1);
    // The job runs in the hub: none of these files is in it.
    expect(r.stdout).not.toMatch(/^::error file=/m);
    const summary = fs.readFileSync(summaryFile, 'utf8');
    for (const e of expected) {
      expect(r.stdout).toContain(`error: ${e.location}/${FILE}:${e.line}:1: No disabled steps (blocked)`);
      expect(r.stdout).toContain(`    ${e.line} | ${e.source}`);
      const row = summary.split('\n').find((line) => line.includes(`Disabled steps: ${e.slug}-off`))!;
      expect(row).toContain(`${e.slug} (${e.location} @ ${e.commit.slice(0, 12)})`);
      // Markdown table cells escape `_`.
      expect(row).toContain(`${e.location}/${FILE}:${e.line}:1<br>step "${e.slug}-off" {`.replace(/_/g, '\\_'));
    }
    // Three blocks and three inconclusive decisions (no release version), all in the project repositories.
    expect(r.stdout).toMatch(/6 findings are in other repositories \(not annotated here\): see the job summary/);
    expect(r.stdout).toContain(`notice: ../alpha/${FILE}: Minimum release version (inconclusive) — alpha/production`);
  });

  it('github in a project repository: its own findings are annotations at its paths, the others are not', async () => {
    const alpha = expected[0]!;
    const r = await cli(set.repos['alpha']!, ['lint', '--no-cache', '--hub', set.hub, '--format', 'github']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^::error file=${FILE.replace(/\./g, '\\.')},line=${alpha.line},col=1,`, 'm'));
    const json = JSON.parse((await cli(set.repos['alpha']!, ['lint', '--no-cache', '--hub', set.hub, '--format', 'json'])).stdout) as LintJson;
    expect(json.home).toBe('alpha');
    const repository = json.evaluations[0]!.decisions.find((d) => d.policy === 'no_disabled_steps')!.location!.repository as SourceRepository;
    expect(repository).toMatchObject({ id: 'alpha', location: set.repos['alpha'] });
  });
  it('prints the same from cached project results as without the cache, in every format', async () => {
    const cacheDir = fs.mkdtempSync(path.join(set.hub, '..', 'cache-'));
    for (const format of ['text', 'json', 'sarif', 'junit', 'gitlab']) {
      const uncached = await cli(set.hub, ['lint', '--no-cache', '--format', format]);
      // The first run fills the per-project cache; the second takes every project from it.
      await cli(set.hub, ['lint', '--format', format, '--ref', 'HEAD'], { OCLHUB_CACHE_DIR: cacheDir });
      const cached = await cli(set.hub, ['lint', '--format', format, '--ref', 'HEAD'], { OCLHUB_CACHE_DIR: cacheDir });
      expect(cached.code, format).toBe(uncached.code);
      expect(cached.stdout, format).toBe(uncached.stdout);
    }
    // Only the per-project cache was there to answer (a hub with projects in other repositories has no whole-run or rendered-report key),
    // beside the validated oclhub.ocl and policies (hub/config-cache.ts, hub/policy-cache.ts) and the hub-wide best-practice
    // findings (practices/hub-cache.ts), which answer no run by themselves.
    const names = fs.readdirSync(path.join(cacheDir, 'lint')).sort();
    // The shards, and the stats that vouch for the ones verified (cache.ts ShardStats).
    const results = names.filter((name) => /^lint-results\.([0-9a-f]|stat)\.json$/.test(name));
    expect(results.filter((name) => name !== 'lint-results.stat.json').length).toBeGreaterThan(0);
    expect(names.filter((name) => !results.includes(name))).toEqual(['.gitignore', 'hub-config.json', 'lint-hub-practices.json', 'lint-policies.json']);
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });
});

function findAll(root: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (e.name === name) out.push(e);
    for (const child of e.children) walk(child);
  };
  walk(root);
  return out;
}
