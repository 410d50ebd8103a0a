/**
 * End to end on a real Git hub repository (templates/demo, built with the git CLI): process templates
 * and policies published with the hub façade and activated in oclhub.ocl, three projects, three
 * environments, two tenants. Runs the CLI in-process.
 */
import fs from 'node:fs';
import path from 'node:path';
import ajvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { HubDiff } from '../../src/lint/diff.js';
import type { Evaluation, PolicyDecision } from '../../src/report/lint-report.js';
import { initRepo, removeDir, tempDir } from '../git/helpers.js';
import { PUBLISHER, commitAll, demoFiles, demoHub, git, openAt } from './demo-hub.js';

type AjvClass = typeof ajvModule.default;
const Ajv: AjvClass = (ajvModule as unknown as { default?: AjvClass }).default ?? (ajvModule as unknown as AjvClass);
type AddFormats = typeof addFormatsModule.default;
const addFormats: AddFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

const REPORTING = 'projects/reporting/.octopus/deployment_process.ocl';
const APPROVAL_STEP = `
step "approve-release" {
    name = "Approve release"

    action {
        action_type = "Octopus.Manual"
        properties = {
            Octopus.Action.Manual.Instructions = "Approve the reporting release."
        }
    }
}
`;

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = memoryIo(cwd);
  const code = await main(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

interface Finding {
  context: string;
  policy: string;
  outcome: PolicyDecision['outcome'];
  action: PolicyDecision['action'];
}

function findings(evaluations: Evaluation[]): Finding[] {
  const out: Finding[] = [];
  for (const e of evaluations) {
    for (const d of e.decisions) {
      if (d.outcome === 'pass' || d.outcome === 'skipped') continue;
      out.push({ context: [e.project, e.environment, e.tenant].filter(Boolean).join('/'), policy: d.policy, outcome: d.outcome, action: d.action });
    }
  }
  return out.sort((a, b) => `${a.context} ${a.policy}`.localeCompare(`${b.context} ${b.policy}`));
}

let hub: string;
let cacheDir: string;
let commitA: string;

beforeAll(async () => {
  hub = await demoHub();
  commitA = git(hub, ['rev-parse', 'HEAD']).trim();
  cacheDir = tempDir('oclhub-lint-cache-');
}, 120_000);

afterAll(() => {
  removeDir(hub);
  removeDir(cacheDir);
});

describe('oclhub lint on the demo hub', () => {
  it('exits 1 and names the blocking violation, the warning and the excepted finding (text)', async () => {
    const r = await cli(hub, 'lint', '--no-cache');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/deployment_process\.ocl:1:1: blocked require_manual_approval_in_production: Production deployments need an enabled manual intervention step/);
    // The disabled step is located at its own block in the project file.
    const line = fs.readFileSync(path.join(hub, REPORTING), 'utf8').split('\n').findIndex((l) => l.includes('step "export-to-warehouse"')) + 1;
    expect(r.stdout).toContain(`${REPORTING}:${line}:1: warning no_disabled_steps: Disabled steps: export-to-warehouse`);
    expect(r.stdout).toMatch(/excepted no_disabled_steps/);
    expect(r.stdout).toMatch(/1 blocked, 1 warning, 1 excepted, 0 errors — failed \(fail on block\)/);
    expect(r.stderr).toBe(''); // no progress off a terminal (CI logs)
  });

  it('shows progress on a terminal', async () => {
    const io = { ...memoryIo(hub), isTTY: true };
    expect(await main(['lint', '--no-cache'], io)).toBe(1);
    expect(io.err.join('')).toContain('linting 3/3 reporting');
  });

  it('covers every project × environment (× tenant) with every active policy (json)', async () => {
    const r = await cli(hub, 'lint', '--no-cache', '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { evaluations: Evaluation[] };
    // storefront: 3 environments; payments-api (TenantedOrUntenanted, tenants acme + globex): 3 × 3; reporting: 2 environments.
    expect(report.evaluations).toHaveLength(3 + 9 + 2);
    for (const e of report.evaluations) expect(e.decisions.map((d) => d.policy).sort()).toEqual(['no_disabled_steps', 'require_manual_approval_in_production', 'use_web_app_template_for_critical']);
    expect(findings(report.evaluations)).toEqual([
      { context: 'reporting/development', policy: 'no_disabled_steps', outcome: 'excepted', action: 'warn' },
      { context: 'reporting/production', policy: 'no_disabled_steps', outcome: 'violation', action: 'warn' },
      { context: 'reporting/production', policy: 'require_manual_approval_in_production', outcome: 'violation', action: 'block' },
    ]);
  });

  it('writes SARIF 2.1.0 that validates against the schema, with the violation at the project file', async () => {
    const out = path.join(cacheDir, 'lint.sarif');
    const r = await cli(hub, 'lint', '--no-cache', '--format', 'sarif', '--output', out);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(fs.readFileSync(out, 'utf8')) as { runs: { results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(new URL('../fixtures/sarif-2.1.0.schema.json', import.meta.url), 'utf8')) as object);
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    const blocked = sarif.runs[0]!.results.filter((x) => x.ruleId.includes('require_manual_approval_in_production'));
    expect(blocked).toHaveLength(1);
    expect(blocked[0]!.level).toBe('error');
    expect(blocked[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toContain('projects/reporting/.octopus/deployment_process.ocl');
  });

  it('writes JUnit with one test case per policy × context, and GitHub workflow commands', async () => {
    const junit = await cli(hub, 'lint', '--no-cache', '--format', 'junit');
    expect(junit.code).toBe(1);
    const [policies, diagnostics = ''] = junit.stdout.split('<testsuite name="diagnostics"');
    expect(policies!.match(/<testcase\b/g)).toHaveLength(14 * 3);
    // The diagnostics suite holds the demo's best-practice infos (unused variables), which pass.
    expect(diagnostics.match(/<testcase\b/g)).toHaveLength(3);
    expect(diagnostics.match(/info BP010: Variable "[^"]+" is not referred to/g)).toHaveLength(3);
    expect(diagnostics).not.toMatch(/<failure\b/);
    expect(junit.stdout.match(/<failure\b/g)).toHaveLength(1);
    const github = await cli(hub, 'lint', '--no-cache', '--format', 'github');
    expect(github.code).toBe(1);
    expect(github.stdout).toMatch(/^::error file=projects\/reporting\/\.octopus\/deployment_process\.ocl,line=1,col=1,.*title=Require manual approval in production/m);
    expect(github.stdout).toMatch(/^::warning file=projects\/reporting\/\.octopus\/deployment_process\.ocl,line=\d+,col=1,.*No disabled steps/m);
  });

  it('applies --fail-on, --environment and --project filters', async () => {
    expect((await cli(hub, 'lint', '--no-cache', '--fail-on', 'error')).code).toBe(0);
    expect((await cli(hub, 'lint', '--no-cache', '--environment', 'development')).code).toBe(0);
    expect((await cli(hub, 'lint', '--no-cache', '--environment', 'development', '--fail-on', 'warn')).code).toBe(0);
    const only = await cli(hub, 'lint', '--no-cache', '--format', 'json', '--project', 'projects/storefront');
    expect(only.code).toBe(0);
    expect((JSON.parse(only.stdout) as { evaluations: Evaluation[] }).evaluations.map((e) => `${e.project}/${e.environment}`)).toEqual([
      'storefront/development',
      'storefront/staging',
      'storefront/production',
    ]);
    expect((await cli(hub, 'lint', '--environment', 'qa')).code).toBe(2);
    expect((await cli(hub, 'lint', '--tenant', 'initech')).code).toBe(2);
    const tenant = await cli(hub, 'lint', '--no-cache', '--format', 'json', '--tenant', 'acme');
    expect((JSON.parse(tenant.stdout) as { evaluations: Evaluation[] }).evaluations.map((e) => `${e.project}/${e.environment}/${e.tenant}`)).toEqual([
      'payments-api/development/acme',
      'payments-api/staging/acme',
      'payments-api/production/acme',
    ]);
  });

  it('reuses cached results on an unchanged repository', async () => {
    const env = { OCLHUB_CACHE_DIR: cacheDir };
    const run = async () => {
      const io = { ...memoryIo(hub), env };
      const code = await main(['lint', '--format', 'json'], io);
      return { code, stdout: io.out.join('') };
    };
    const cold = await run();
    expect(fs.readdirSync(path.join(cacheDir, 'lint')).some((name) => /^lint-results\.[0-9a-f]\.json$/.test(name))).toBe(true);
    const warm = await run();
    expect(warm.code).toBe(cold.code);
    expect(warm.stdout).toBe(cold.stdout);
  });

  it('lints a separate project repository against the hub', async () => {
    const files = demoFiles();
    const project: Record<string, string> = {};
    for (const [file, text] of Object.entries(files)) if (file.startsWith('projects/reporting/')) project[file.slice('projects/reporting/'.length)] = text;
    const repo = initRepo(project);
    try {
      const noHub = await cli(repo, 'lint', '--no-cache');
      expect(noHub.code).toBe(2);
      expect(noHub.stderr).toMatch(/has no oclhub\.ocl.*--hub/);
      const r = await cli(repo, 'lint', '--hub', hub, '--no-cache', '--format', 'json');
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as { evaluations: Evaluation[] };
      // Not registered under this path: every hub environment, no exception (the slug is the folder name).
      expect(report.evaluations.map((e) => e.environment)).toEqual(['development', 'staging', 'production']);
      expect(findings(report.evaluations).filter((f) => f.action === 'block')).toEqual([{ context: expect.stringMatching(/\/production$/), policy: 'require_manual_approval_in_production', outcome: 'violation', action: 'block' }]);
      commitAll(repo, { '.octopus/deployment_process.ocl': project['.octopus/deployment_process.ocl']! + APPROVAL_STEP }, 'add approval');
      expect((await cli(repo, 'lint', '--hub', hub, '--no-cache')).code).toBe(0);
      // With the cache on, results go to .oclhub-cache/, which ignores itself: the repository stays clean.
      expect((await cli(repo, 'lint', '--hub', hub)).code).toBe(0);
      expect(fs.readdirSync(path.join(repo, '.oclhub-cache')).some((name) => /^lint-results\.[0-9a-f]\.json$/.test(name))).toBe(true);
      expect(git(repo, ['status', '--porcelain'])).toBe('');
    } finally {
      removeDir(repo);
    }
  });
});

describe('oclhub evaluate and input', () => {
  it('allows and blocks with exit codes 0 and 1', async () => {
    const allowed = await cli(hub, 'evaluate', '--project', 'projects/storefront', '--environment', 'production');
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/ALLOWED: storefront\/production/);
    const blocked = await cli(hub, 'evaluate', '--project', 'reporting', '--environment', 'production', '--format', 'json');
    expect(blocked.code).toBe(1);
    const json = JSON.parse(blocked.stdout) as { allowed: boolean; decisions: PolicyDecision[] };
    expect(json.allowed).toBe(false);
    expect(json.decisions.filter((d) => d.outcome === 'violation').map((d) => d.policy).sort()).toEqual(['no_disabled_steps', 'require_manual_approval_in_production']);
    // A warning alone does not block (development has no production approval rule; the disabled step is excepted there).
    expect((await cli(hub, 'evaluate', '--project', 'reporting', '--environment', 'development')).code).toBe(0);
    // reporting deploys to development and production only: staging is a question with no answer.
    const staging = await cli(hub, 'evaluate', '--project', 'reporting', '--environment', 'staging');
    expect(staging.code).toBe(2);
    expect(staging.stderr).toContain('Project "reporting" does not deploy to environment "staging" (its environments: development, production)');
    expect((await cli(hub, 'evaluate', '--project', 'reporting', '--environment', 'nowhere')).code).toBe(2);
  });

  it('skipping the approval step is still seen by the policy input', async () => {
    const r = await cli(hub, 'input', '--project', 'storefront', '--environment', 'production', '--skip-step', 'approve-production', '--release-version', '2.1.0', '--git-ref', 'refs/heads/main');
    expect(r.code).toBe(0);
    const input = JSON.parse(r.stdout) as { SkippedSteps: string[]; Steps: { Id: string; Slug: string }[]; Release: { Version: string; GitRef: string } };
    const approve = input.Steps.find((s) => s.Slug === 'approve-production')!;
    expect(input.SkippedSteps).toEqual([approve.Id]);
    expect(input.Release).toMatchObject({ Version: '2.1.0', GitRef: 'refs/heads/main' });
  });
});

describe('fixing the project, changing the hub, and oclhub diff', () => {
  let commitB: string;
  let commitC: string;

  beforeAll(async () => {
    const text = fs.readFileSync(path.join(hub, REPORTING), 'utf8');
    commitB = commitAll(hub, { [REPORTING]: text + APPROVAL_STEP }, 'reporting: approve production releases');
    // A new major of no_disabled_steps that blocks, published and activated.
    const policyFile = '.octopus/policies/no_disabled_steps.ocl';
    const policy = fs.readFileSync(path.join(hub, policyFile), 'utf8').replace('violation_action = "warn"', 'violation_action = "block"');
    commitAll(hub, { [policyFile]: policy }, 'no_disabled_steps: block');
    const opened = await openAt(hub);
    const published = await opened.publish({ kind: 'policies', slug: 'no_disabled_steps', bump: 'major', publisher: PUBLISHER });
    expect(published.version).toBe('2.0.0');
    const config = fs.readFileSync(path.join(hub, 'oclhub.ocl'), 'utf8').replace(/(policy "no_disabled_steps" \{\s*active_version = )"1\.0\.0"/, '$1"2.0.0"');
    commitC = commitAll(hub, { 'oclhub.ocl': config }, 'activate no_disabled_steps 2.0.0');
  }, 120_000);

  it('the fixed project passes at the fail level, then the new policy version blocks it', async () => {
    expect((await cli(hub, 'lint', '--no-cache', '--ref', commitB)).code).toBe(0);
    const now = await cli(hub, 'lint', '--no-cache', '--format', 'json');
    expect(now.code).toBe(1);
    expect(findings((JSON.parse(now.stdout) as { evaluations: Evaluation[] }).evaluations).filter((f) => f.outcome === 'violation')).toEqual([
      { context: 'reporting/production', policy: 'no_disabled_steps', outcome: 'violation', action: 'block' },
    ]);
  });

  it('lists exactly the changed decisions between hub commits', async () => {
    const ab = await cli(hub, 'diff', commitA, commitB, '--format', 'json');
    expect(ab.code).toBe(0);
    const diffAB = JSON.parse(ab.stdout) as HubDiff;
    expect(diffAB.changes.map((c) => [c.kind, c.context, c.policy])).toEqual([['newly-allowed', 'reporting/production', 'require_manual_approval_in_production']]);
    const bc = JSON.parse((await cli(hub, 'diff', commitB, commitC, '--format', 'json')).stdout) as HubDiff;
    expect(bc.changes).toEqual([
      {
        kind: 'newly-blocked',
        context: 'reporting/production',
        project: 'reporting',
        environment: 'production',
        policy: 'no_disabled_steps',
        before: { state: 'warned', version: '1.0.0', reason: 'Disabled steps: export-to-warehouse' },
        after: { state: 'blocked', version: '2.0.0', reason: 'Disabled steps: export-to-warehouse' },
      },
    ]);
    const text = await cli(hub, 'diff', commitB, commitC, '--fail-on-new-blocks');
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/newly blocked\s+reporting\/production\s+no_disabled_steps/);
    expect(text.stdout).toMatch(/1 change over 14 contexts: 1 newly blocked/);
    expect((await cli(hub, 'diff', commitA, 'no-such-ref')).code).toBe(2);
  });
});

describe('oclhub lint --drafts', () => {
  const DRAFT = `name = "No smoke tests"
violation_reason = "Smoke tests are not allowed"

conditions {
    rego = <<-EOT
        package no_smoke

        smoke contains step.Slug if {
            some step in input.Steps
            endswith(step.Slug, "smoke-test")
        }

        default result := {"allowed": true}

        result := {"allowed": false, "reason": sprintf("Smoke steps: %s", [concat(", ", smoke)])} if count(smoke) > 0
        EOT
}

scope {
    rego = <<-EOT
        package no_smoke

        default evaluate := true
        EOT
}
`;

  it('evaluates the uncommitted policy files and points a template step at its usage and template lines', async () => {
    const draftHub = await demoHub();
    try {
      fs.writeFileSync(path.join(draftHub, '.octopus/policies/no_smoke.ocl'), DRAFT);
      // Not active, not published: only --drafts sees it.
      expect((await cli(draftHub, 'lint', '--no-cache', '--project', 'projects/storefront')).code).toBe(0);
      const r = await cli(draftHub, 'lint', '--drafts', '--no-cache', '--project', 'projects/storefront', '--environment', 'production');
      expect(r.code).toBe(1);
      const usageLine = fs.readFileSync(path.join(draftHub, 'projects/storefront/.octopus/deployment_process.ocl'), 'utf8').split('\n').findIndex((l) => l.startsWith('process_template "deploy-storefront"')) + 1;
      const templateLine = fs.readFileSync(path.join(draftHub, '.octopus/process-templates/deploy-web-app.ocl'), 'utf8').split('\n').findIndex((l) => l.startsWith('step "smoke-test"')) + 1;
      expect(r.stdout).toContain(`projects/storefront/.octopus/deployment_process.ocl:${usageLine}:1: blocked no_smoke: Smoke steps: deploy-storefront-smoke-test`);
      expect(r.stdout).toContain(`note: .octopus/process-templates/deploy-web-app.ocl:${templateLine}:1: step "smoke-test" of process template deploy-web-app 1.0.0`);
    } finally {
      removeDir(draftHub);
    }
  });
});
