/**
 * Local commands as users expect them on the demo hub: the working tree by default and `--ref` for a
 * commit; a syntax error in oclhub.ocl reported as itself by every command; a bad question answered
 * with what was wrong and the closest right answer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { LintJson } from '../../src/report/lint-json.js';
import { removeDir, tempDir } from '../git/helpers.js';
import { demoHub, git } from './demo-hub.js';

const REPORTING = 'projects/reporting/.octopus/deployment_process.ocl';
const STOREFRONT = 'projects/storefront/.octopus/deployment_process.ocl';

async function cli(cwd: string, argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = { ...memoryIo(cwd), env };
  const code = await main(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

let hub: string;
let cacheDir: string;

beforeAll(async () => {
  hub = await demoHub();
  cacheDir = tempDir('oclhub-local-cache-');
}, 120_000);

afterAll(() => {
  removeDir(hub);
  removeDir(cacheDir);
});

describe('the working tree by default, --ref for a commit', () => {
  it('lint, evaluate and input read uncommitted changes; --ref HEAD reads the commit', async () => {
    const file = path.join(hub, REPORTING);
    const committed = fs.readFileSync(file, 'utf8');
    const env = { OCLHUB_CACHE_DIR: cacheDir };
    try {
      // A clean tree: the report is rendered, then re-printed from the cache.
      const clean = await cli(hub, ['lint', '--format', 'json'], env);
      expect(clean.code).toBe(1);
      expect((await cli(hub, ['lint', '--format', 'json'], env)).stdout).toBe(clean.stdout);
      // Enabling the disabled step without committing: the working tree is what lint reads now.
      fs.writeFileSync(file, committed.replace('        is_disabled = true\n', ''));
      const edited = JSON.parse((await cli(hub, ['lint', '--format', 'json'], env)).stdout) as LintJson;
      const outcome = (json: LintJson) => json.evaluations.find((e) => e.project === 'reporting' && e.environment === 'production')!.decisions.find((d) => d.policy === 'no_disabled_steps')!.outcome;
      expect(outcome(edited)).toBe('pass');
      expect(edited.hubRef).toBeUndefined();
      const atHead = JSON.parse((await cli(hub, ['lint', '--ref', 'HEAD', '--format', 'json'], env)).stdout) as LintJson;
      expect(outcome(atHead)).toBe('violation');
      expect(atHead.hubRef).toBe(git(hub, ['rev-parse', 'HEAD']).trim());

      const gate = JSON.parse((await cli(hub, ['evaluate', '--project', 'reporting', '--environment', 'production', '--format', 'json'])).stdout) as { decisions: { policy: string; outcome: string }[] };
      expect(gate.decisions.find((d) => d.policy === 'no_disabled_steps')!.outcome).toBe('pass');
      const gateAtHead = JSON.parse((await cli(hub, ['evaluate', '--ref', 'HEAD', '--project', 'reporting', '--environment', 'production', '--format', 'json'])).stdout) as typeof gate;
      expect(gateAtHead.decisions.find((d) => d.policy === 'no_disabled_steps')!.outcome).toBe('violation');

      const input = JSON.parse((await cli(hub, ['input', '--project', 'reporting', '--environment', 'production'])).stdout) as { Steps: { Slug: string; Enabled: boolean }[] };
      expect(input.Steps.find((s) => s.Slug === 'export-to-warehouse')!.Enabled).toBe(true);
    } finally {
      fs.writeFileSync(file, committed);
    }
    expect(git(hub, ['status', '--porcelain'])).toBe('');
  });

  it('resolve takes --ref too', async () => {
    const head = git(hub, ['rev-parse', 'HEAD']).trim();
    const r = await cli(hub, ['resolve', '--project', 'projects/storefront', '--ref', head]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { processes: unknown[] }).processes.length).toBeGreaterThan(0);
  });
});

describe('a syntax error in oclhub.ocl is reported as that syntax error', () => {
  it('by lint, evaluate, input, resolve, versions and test; --ref reads the committed file', async () => {
    const file = path.join(hub, 'oclhub.ocl');
    const committed = fs.readFileSync(file, 'utf8');
    const broken = committed.replace('environment "staging" {', 'environment "staging" {{');
    const line = broken.split('\n').findIndex((l) => l.includes('{{')) + 1;
    fs.writeFileSync(file, broken);
    try {
      for (const argv of [
        ['lint', '--no-cache'],
        ['evaluate', '--project', 'storefront', '--environment', 'production'],
        ['input', '--project', 'storefront', '--environment', 'production'],
        ['resolve', '--project', 'projects/storefront'],
        ['versions', 'policy', 'no_disabled_steps'],
        ['test'],
      ]) {
        const r = await cli(hub, argv);
        expect(r.code, argv.join(' ')).toBe(2);
        expect(r.stderr, argv.join(' ')).toMatch(new RegExp(`oclhub\\.ocl:${line}:\\d+: error OCL\\d+`));
        expect(r.stderr, argv.join(' ')).not.toMatch(/has no oclhub\.ocl/);
      }
      expect((await cli(hub, ['lint', '--no-cache', '--ref', 'HEAD'])).code).toBe(1);
    } finally {
      fs.writeFileSync(file, committed);
    }
  });
});

describe('a bad question gets what was wrong and the closest right answer', () => {
  it('unknown project slug, environment, tenant of an untenanted project, runbook and step to skip', async () => {
    const project = await cli(hub, ['evaluate', '--project', 'storefrnt', '--environment', 'production']);
    expect(project.code).toBe(2);
    expect(project.stderr).toContain('No project "storefrnt": neither a folder nor a project in oclhub.ocl (did you mean "storefront"?)');
    const environment = await cli(hub, ['evaluate', '--project', 'storefront', '--environment', 'prod']);
    expect(environment.code).toBe(2);
    expect(environment.stderr).toContain('No environment "prod" in oclhub.ocl (did you mean "production"? environments: development, staging, production)');
    const tenant = await cli(hub, ['evaluate', '--project', 'storefront', '--environment', 'production', '--tenant', 'acme']);
    expect(tenant.code).toBe(2);
    expect(tenant.stderr).toContain('Project "storefront" is not tenanted');
    const runbook = await cli(hub, ['evaluate', '--project', 'storefront', '--environment', 'production', '--runbook', 'restart']);
    expect(runbook.code).toBe(2);
    expect(runbook.stderr).toContain('has no runbook "restart" (did you mean "restart-site"?)');
    const skip = await cli(hub, ['input', '--project', 'storefront', '--environment', 'production', '--skip-step', 'aprove-production']);
    expect(skip.code).toBe(2);
    expect(skip.stdout).toBe('');
    expect(skip.stderr).toContain('No step "aprove-production" to skip in the process (did you mean "approve-production"?)');
    const lintEnvironment = await cli(hub, ['lint', '--environment', 'prodution']);
    expect(lintEnvironment.code).toBe(2);
    expect(lintEnvironment.stderr).toContain('no environment "prodution" in oclhub.ocl (did you mean "production"?');
  });

  it('versions of a template or policy that does not exist: exit 1 with did-you-mean, not an empty list', async () => {
    const nope = await cli(hub, ['versions', 'policy', 'nope']);
    expect(nope.code).toBe(1);
    expect(nope.stdout).toBe('');
    expect(nope.stderr).toContain('no policy "nope"');
    const near = await cli(hub, ['versions', 'policy', 'no_disabled_step']);
    expect(near.code).toBe(1);
    expect(near.stderr).toContain('(did you mean "no_disabled_steps"?)');
    expect((await cli(hub, ['versions', 'process-template', 'deploy-web'])).stderr).toContain('(did you mean "deploy-web-app"?)');
    expect((await cli(hub, ['versions', 'policy', 'no_disabled_steps'])).code).toBe(0);
  });

  it('a policy test case whose input is not an object', async () => {
    const dir = path.join(hub, 'policy-tests/no_disabled_steps');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'array-input.json'), JSON.stringify({ input: [], expect: { allowed: true } }));
    try {
      const r = await cli(hub, ['test']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('POL130: Invalid policy test: "input" must be an object (the Octopus policy input), got an array');
    } finally {
      fs.rmSync(path.join(hub, 'policy-tests'), { recursive: true, force: true });
    }
  });
});
