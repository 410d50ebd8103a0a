/**
 * "Decide only from what is known": no invented release (inconclusive decisions), release versions
 * checked with Octopus's rules, registered projects that cannot be read fail closed, nested project
 * folders stay separate projects, and a process whose template usage does not resolve is not decided.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { openHub } from '../../src/hub/index.js';
import type { LintJson } from '../../src/report/lint-json.js';
import type { SarifLog } from '../../src/report/sarif.js';
import { commitAll, git } from '../git/helpers.js';
import { MIN_RELEASE, NO_DISABLED_STEPS, repoSet, scriptStep, type RepoSet } from './repos.js';

const FILE = '.octopus/deployment_process.ocl';

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = memoryIo(cwd);
  const code = await main(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

const RUNBOOK = `name = "Restart"
environment_scope = "All"

connectivity_policy {
    allow_deployments_to_no_targets = true
}

run_retention_policy {
    type = "Default"
}

process {
${scriptStep('restart').replace(/^/gm, '    ').replace(/ +$/gm, '')}}
`;

const UNRESOLVED_USAGE = `${scriptStep('prepare')}
process_template "deploy" {
    name = "Deploy"
    process_template_slug = "deploy-web-ap"
    version_mask = "1.X"
}
`;

describe('a release version: never invented, checked like Octopus checks it', () => {
  let set: RepoSet;
  beforeAll(async () => {
    set = await repoSet({ projects: [{ slug: 'clean', files: { [FILE]: scriptStep('deploy') } }] });
  }, 120_000);
  afterAll(() => set?.remove());

  it('without --release-version a policy that reads input.Release is inconclusive, and the run passes', async () => {
    const r = await cli(set.hub, 'lint', '--no-cache');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('inconclusive min_release: needs a release version (--release-version): the policy reads input.Release');
    expect(r.stdout).toMatch(/1 project × 1 environment: 0 blocked, 0 warnings, 1 inconclusive, 0 errors — passed/);
    const json = JSON.parse((await cli(set.hub, 'lint', '--no-cache', '--format', 'json')).stdout) as LintJson;
    const decision = json.evaluations[0]!.decisions.find((d) => d.policy === 'min_release')!;
    expect(decision).toMatchObject({ outcome: 'inconclusive', needs: ['Release'], allowed: true, location: { file: FILE } });
    expect(json.summary.inconclusive).toBe(1);
    // The other policy did not read the release: decided as usual.
    expect(json.evaluations[0]!.decisions.find((d) => d.policy === 'no_disabled_steps')!.outcome).toBe('pass');
  });

  it('is in every format: SARIF kind open, JUnit skipped, a GitHub notice', async () => {
    const sarif = JSON.parse((await cli(set.hub, 'lint', '--no-cache', '--format', 'sarif')).stdout) as SarifLog;
    expect(sarif.runs[0].results.find((x) => x.ruleId === 'min_release')).toMatchObject({ kind: 'open', level: 'none', properties: { outcome: 'inconclusive', needs: ['Release'] } });
    const junit = (await cli(set.hub, 'lint', '--no-cache', '--format', 'junit')).stdout;
    expect(junit).toMatch(/<testcase classname="clean\.production" name="min_release"[^>]*>\s*<skipped message="inconclusive: needs a release version/);
    const github = await cli(set.hub, 'lint', '--no-cache', '--format', 'github');
    expect(github.code).toBe(0);
    expect(github.stdout).toMatch(/^::notice file=\.\.\/clean\/\.octopus|^notice: \.\.\/clean\/\.octopus\/deployment_process\.ocl: Minimum release version \(inconclusive\)/m);
  });

  it('--release-version decides it: below the minimum is a violation, above it passes, 4-part versions count', async () => {
    const low = await cli(set.hub, 'lint', '--no-cache', '--release-version', '1.4.0', '--git-ref', 'refs/heads/main');
    expect(low.code).toBe(1);
    expect(low.stdout).toContain('blocked min_release: Release 1.4.0 is below 2.0.0');
    expect((await cli(set.hub, 'lint', '--no-cache', '--release-version', '2.1.0')).code).toBe(0);
    expect((await cli(set.hub, 'lint', '--no-cache', '--release-version', '2.1.0.7')).code).toBe(0);
    expect((await cli(set.hub, 'lint', '--no-cache', '--release-version', '2.0.0-beta.1+build.5')).code).toBe(1);
  });

  it('refuses what Octopus would refuse, as a usage error', async () => {
    const bad = await cli(set.hub, 'lint', '--release-version', 'notsemver');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--release-version: "notsemver" is not a release version');
    expect((await cli(set.hub, 'lint', '--release-version', '1.2.3.4.5')).code).toBe(2);
    expect((await cli(set.hub, 'evaluate', '--project', 'clean', '--environment', 'production', '--release-version', '1..2')).code).toBe(2);
    const gitRefAlone = await cli(set.hub, 'lint', '--git-ref', 'refs/heads/main');
    expect(gitRefAlone.code).toBe(2);
    expect(gitRefAlone.stderr).toContain('--git-ref needs --release-version');
  });

  it('evaluate and input: no Release without a version, the gate says what it could not decide', async () => {
    const input = JSON.parse((await cli(set.hub, 'input', '--project', 'clean', '--environment', 'production')).stdout) as Record<string, unknown>;
    expect('Release' in input).toBe(false);
    const gate = await cli(set.hub, 'evaluate', '--project', 'clean', '--environment', 'production');
    expect(gate.code).toBe(0);
    expect(gate.stdout).toMatch(/ALLOWED: clean\/production — .*\(1 inconclusive: give --release-version to decide it\)/);
    const json = JSON.parse((await cli(set.hub, 'evaluate', '--project', 'clean', '--environment', 'production', '--format', 'json')).stdout) as { decision: string; allowed: boolean };
    expect(json).toMatchObject({ decision: 'inconclusive', allowed: true });
  });

  it('the compliance matrix and oclhub diff show inconclusive decisions', async () => {
    const hub = (await openHub({ dir: set.hub })).hub!;
    const matrix = await hub.compliance({ cacheDir: false });
    expect(matrix.rows).toEqual([expect.objectContaining({ project: 'clean', environment: 'production', status: 'inconclusive', findings: [expect.objectContaining({ policy: 'min_release', outcome: 'inconclusive' })] })]);
    // Deactivating the policy: the decision it made (none) is gone; activating it again: newly inconclusive.
    const before = git(set.hub, ['rev-parse', 'HEAD']).trim();
    const text = fs.readFileSync(path.join(set.hub, 'oclhub.ocl'), 'utf8');
    const without = commitAll(set.hub, { 'oclhub.ocl': text.replace(/policy "min_release" \{[^}]*\}\n/, '') }, 'deactivate min_release');
    const diff = JSON.parse((await cli(set.hub, 'diff', without, before, '--format', 'json')).stdout) as { changes: { kind: string; policy: string; after: { state: string; reason?: string } }[] };
    expect(diff.changes).toEqual([expect.objectContaining({ kind: 'inconclusive', policy: 'min_release', after: expect.objectContaining({ state: 'inconclusive' }) })]);
    const decided = JSON.parse((await cli(set.hub, 'diff', without, before, '--format', 'json', '--release-version', '1.0.0')).stdout) as { changes: { kind: string }[] };
    expect(decided.changes.map((c) => c.kind)).toEqual(['newly-blocked']);
    const textDiff = await cli(set.hub, 'diff', without, before);
    expect(textDiff.stdout).toMatch(/inconclusive\s+clean\/production\s+min_release/);
    commitAll(set.hub, { 'oclhub.ocl': text }, 'activate min_release again');
  });
});

describe('registered projects that cannot be read fail closed', () => {
  let set: RepoSet;
  beforeAll(async () => {
    set = await repoSet({
      projects: [
        { slug: 'ok', files: { [FILE]: scriptStep('deploy') } },
        { slug: 'typo', files: { [FILE]: scriptStep('deploy') }, block: '    repository = "../typo"\n    path = ".octpus"' },
        { slug: 'nested-only', files: { '.octopus/telemetry/deployment_process.ocl': scriptStep('collect') } },
        { slug: 'runbooks-only', files: { '.octopus/runbooks/restart.ocl': RUNBOOK } },
      ],
      config: 'project "gone" {\n    name = "Gone"\n    repository = "../nowhere"\n}\n',
      policies: { no_disabled_steps: NO_DISABLED_STEPS },
    });
  }, 120_000);
  afterAll(() => set?.remove());

  it('a mistyped path, a folder with only a nested project, a missing repository: errors, exit 1, never "0 projects … passed"', async () => {
    const r = await cli(set.hub, 'lint', '--no-cache');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('error HUB040: Project "typo": path ".octpus" does not exist in ../typo. Did you mean path = ".octopus"?');
    expect(r.stdout).toContain('error HUB041: Project "nested-only": path ".octopus" holds no Octopus project files');
    expect(r.stdout).toContain('It holds the project folder .octopus/telemetry: register it with its own path.');
    expect(r.stdout).toMatch(/error HUB002: Cannot read project "gone" from \.\.\/nowhere/);
    // Each undecided context says so under its project.
    expect(r.stdout).toMatch(/project typo\n {2}environment production\n {4}error: not decided, 1 policy not evaluated\n {6}oclhub\.ocl:\d+:\d+: HUB040/);
    expect(r.stdout).toMatch(/4 projects × 1 environment: 0 blocked, 0 warnings, 3 errors, 3 contexts not decided; 3 diagnostic errors, 0 diagnostic warnings — failed/);
  });

  it('a runbook-only project is fine', async () => {
    const r = await cli(set.hub, 'lint', '--no-cache', '--format', 'json');
    const json = JSON.parse(r.stdout) as LintJson;
    expect(json.evaluations.filter((e) => e.project === 'runbooks-only')).toEqual([]);
    // Best-practice findings (BP…: e.g. the project is in no group) are beside the point here.
    expect(json.diagnostics.filter((d) => d.project === 'runbooks-only' && !d.code.startsWith('BP')).map((d) => [d.severity, d.code])).toEqual([['info', 'HUB004']]);
    expect(json.evaluations.find((e) => e.project === 'ok')!.errors).toBeUndefined();
  });

  it('the compliance matrix has an error cell for each, naming why', async () => {
    const hub = (await openHub({ dir: set.hub })).hub!;
    const matrix = await hub.compliance({ cacheDir: false });
    const status = Object.fromEntries(matrix.rows.map((row) => [row.project, row.status]));
    expect(status).toEqual({ ok: 'allowed', typo: 'error', 'nested-only': 'error', gone: 'error' });
    expect(matrix.rows.find((row) => row.project === 'typo')!.errors!.map((d) => d.code)).toEqual(['HUB040']);
  });

  it('evaluate and input name the problem and exit 1', async () => {
    const gate = await cli(set.hub, 'evaluate', '--project', 'typo', '--environment', 'production');
    expect(gate.code).toBe(1);
    expect(gate.stderr).toContain('HUB040');
    expect((await cli(set.hub, 'input', '--project', 'typo', '--environment', 'production')).code).toBe(1);
  });
});

describe('nested project folders are separate projects', () => {
  let set: RepoSet;
  beforeAll(async () => {
    set = await repoSet({
      projects: [
        {
          slug: 'mono',
          files: { [FILE]: scriptStep('deploy-api'), '.octopus/telemetry/deployment_process.ocl': scriptStep('collect', { disabled: true }) },
        },
      ],
      config: 'project "telemetry" {\n    name = "Telemetry"\n    repository = "../mono"\n    path = ".octopus/telemetry"\n}\n',
      policies: { no_disabled_steps: NO_DISABLED_STEPS },
    });
  }, 120_000);
  afterAll(() => set?.remove());

  it('a registered path selects exactly one folder; the repository is named once', async () => {
    const json = JSON.parse((await cli(set.hub, 'lint', '--no-cache', '--format', 'json')).stdout) as LintJson;
    const outcome = (project: string) => json.evaluations.find((e) => e.project === project)!.decisions[0]!.outcome;
    expect(outcome('mono')).toBe('pass');
    expect(outcome('telemetry')).toBe('violation');
    expect(json.evaluations.find((e) => e.project === 'telemetry')!.decisions[0]!.location).toMatchObject({ file: '.octopus/telemetry/deployment_process.ocl', repository: { id: 'mono', location: '../mono' } });
    expect(json.repositories!.map((r) => r.id)).toEqual(['hub', 'mono']);
  });

  it('--project .octopus is that one project; the repository root holds two', async () => {
    const mono = set.repos['mono']!;
    const one = JSON.parse((await cli(mono, 'lint', '--no-cache', '--hub', set.hub, '--project', '.octopus', '--format', 'json')).stdout) as LintJson;
    expect(one.evaluations.map((e) => [e.project, e.decisions[0]!.outcome])).toEqual([['mono', 'pass']]);
    const both = JSON.parse((await cli(mono, 'lint', '--no-cache', '--hub', set.hub, '--format', 'json')).stdout) as LintJson;
    expect(both.evaluations.map((e) => [e.project, e.decisions[0]!.outcome])).toEqual([
      ['mono', 'pass'],
      ['telemetry', 'violation'],
    ]);
    expect((await cli(mono, 'evaluate', '--hub', set.hub, '--project', '.octopus', '--environment', 'production')).code).toBe(0);
    const ambiguous = await cli(mono, 'evaluate', '--hub', set.hub, '--project', '.', '--environment', 'production');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('holds several projects (mono, telemetry)');
  });
});

describe('a process-template usage that does not resolve: the context is not decided', () => {
  let set: RepoSet;
  beforeAll(async () => {
    set = await repoSet({ projects: [{ slug: 'web', files: { [FILE]: UNRESOLVED_USAGE } }], policies: { no_disabled_steps: NO_DISABLED_STEPS, min_release: MIN_RELEASE } });
  }, 120_000);
  afterAll(() => set?.remove());

  it('lint: every decision is an error naming the resolution diagnostic; every format shows it', async () => {
    const r = await cli(set.hub, 'lint', '--no-cache');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error: not decided, 2 policies not evaluated\n\s+\.\.\/web\/\.octopus\/deployment_process\.ocl:\d+:\d+: TPL10\d: /);
    const json = JSON.parse((await cli(set.hub, 'lint', '--no-cache', '--format', 'json')).stdout) as LintJson;
    const evaluation = json.evaluations[0]!;
    expect(evaluation.errors!.map((d) => d.code)).toEqual([expect.stringMatching(/^TPL10[23]$/)]);
    expect(evaluation.errors![0]!.repository).toMatchObject({ id: 'web', location: '../web' });
    for (const d of evaluation.decisions) {
      expect(d.outcome).toBe('error');
      expect(d.error).toMatch(/^not evaluated: the deployment process does not resolve, so its input would miss steps \(TPL10\d at \.octopus\/deployment_process\.ocl:\d+: /);
    }
    const sarif = JSON.parse((await cli(set.hub, 'lint', '--no-cache', '--format', 'sarif')).stdout) as SarifLog;
    expect(sarif.runs[0].results.filter((x) => x.properties['outcome'] === 'error').map((x) => x.ruleId).sort()).toEqual(['min_release', 'no_disabled_steps']);
    const junit = (await cli(set.hub, 'lint', '--no-cache', '--format', 'junit')).stdout;
    expect(junit.match(/<error message="policy evaluation failed: not evaluated: the deployment process does not resolve/g)).toHaveLength(2);
  });

  it('evaluate says NOT DECIDED (exit 1); input has no complete input to print (exit 1)', async () => {
    const gate = await cli(set.hub, 'evaluate', '--project', 'web', '--environment', 'production', '--release-version', '3.0.0');
    expect(gate.code).toBe(1);
    expect(gate.stdout).toMatch(/NOT DECIDED: web\/production/);
    const input = await cli(set.hub, 'input', '--project', 'web', '--environment', 'production');
    expect(input.code).toBe(1);
    expect(input.stdout).toBe('');
    expect(input.stderr).toMatch(/TPL10\d/);
    expect(input.stderr).toContain('the process does not resolve');
    const hub = (await openHub({ dir: set.hub })).hub!;
    expect((await hub.compliance({ cacheDir: false })).rows.map((row) => row.status)).toEqual(['error']);
  });
});

describe('--locked for registered project repositories', () => {
  let set: RepoSet;
  beforeAll(async () => {
    set = await repoSet({ projects: [{ slug: 'app', files: { [FILE]: scriptStep('deploy') } }], policies: { no_disabled_steps: NO_DISABLED_STEPS } });
  }, 120_000);
  afterAll(() => set?.remove());

  it('needs the repository\'s own oclhub.lock.json, and then uses it', async () => {
    const missing = await cli(set.hub, 'lint', '--no-cache', '--locked');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('HUB042: --locked: project "app" has no oclhub.lock.json in ../app');
    const app = set.repos['app']!;
    expect((await cli(app, 'lock', '--hub', set.hub)).code).toBe(0);
    commitAll(app, {}, 'add the lock');
    expect((await cli(set.hub, 'lint', '--no-cache', '--locked')).code).toBe(0);
  });
});
