/**
 * `oclhub deps` on a real Git hub: the plan, the checks against a deployed-versions file (text and JSON),
 * exit codes, cycles, bad input, and rule settings changing or silencing DEP findings.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initRepo, removeDir } from '../git/helpers.js';
import { run } from '../cli/helpers.js';
import { verifyDependenciesProcess } from './helpers.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));

const CONFIG = `environment "test" {
    name = "Test"
    order = 1
}

environment "production" {
    name = "Production"
    order = 2
}

project "storefront" {
    name = "Storefront"
    path = "projects/storefront/.octopus"

    dependency "orders" {
        version = "^2.4.0"
        deploy_group = 2
        action = "DeployNewerMatching"
    }

    dependency "catalog" {
        version = "~1.3"
        deploy_group = 1
    }
}

project "orders" {
    name = "Orders API"
    path = "projects/orders/.octopus"
}

project "catalog" {
    name = "Catalog API"
    path = "projects/catalog/.octopus"
}

project "billing" {
    name = "Billing"
    path = "projects/billing/.octopus"
}
`;

const STEP = `step "hello" {
    name = "Say hello"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.RunOnServer = "true"
            Octopus.Action.Script.ScriptBody = "echo hello"
        }
        worker_pool = "hosted-ubuntu"
    }
}
`;

/** billing depends, through the Verify Dependencies template, on the Orders API. */
const BILLING = `${STEP}
${verifyDependenciesProcess('[\n  { "projectName": "Orders API", "versionPattern": ">2.4.0.7", "dependencyAction": "Continue" }\n]')}`;

function hub(config = CONFIG, extra: Record<string, string> = {}): string {
  const dir = initRepo({
    'oclhub.ocl': config,
    'projects/storefront/.octopus/deployment_process.ocl': STEP,
    'projects/orders/.octopus/deployment_process.ocl': STEP,
    'projects/catalog/.octopus/deployment_process.ocl': STEP,
    'projects/billing/.octopus/deployment_process.ocl': BILLING,
    ...extra,
  });
  dirs.push(dir);
  return dir;
}

function deployedFile(dir: string, versions: object, name = 'deployed.json'): string {
  writeFileSync(path.join(dir, name), JSON.stringify(versions, null, 2));
  return name;
}

describe('oclhub deps', () => {
  it('prints the plan: deploy groups in order, each pattern and action, where it is declared', async () => {
    const dir = hub();
    const r = await run(dir, 'deps', '--project', 'storefront');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Dependencies of storefront (Storefront)');
    const lines = r.stdout.split('\n');
    const group1 = lines.indexOf('Deploy group 1:');
    const group2 = lines.indexOf('Deploy group 2:');
    expect(group1).toBeGreaterThan(0);
    expect(group2).toBeGreaterThan(group1);
    expect(lines[group1 + 1]).toMatch(/^ {2}catalog {2}~1\.3 {2}Stop {2}\(1\.3\.0\.0 or greater within the same major and minor version\) {2}oclhub\.ocl:\d+$/);
    expect(lines[group2 + 1]).toMatch(/^ {2}orders {2}\^2\.4\.0 {2}DeployNewerMatching/);
  });

  it('checks a deployed-versions file: satisfied, deploy-newer, and exit 0', async () => {
    const dir = hub();
    const file = deployedFile(dir, { catalog: { production: '1.3.9', test: '1.3.9' }, 'Orders API': { Production: '2.4.1', Test: '2.6.0' } });
    const r = await run(dir, 'deps', '--project', 'storefront', '--environment', 'production', '--deployed', file);
    expect(r.stdout).toMatch(/ok {7}catalog {2}~1\.3 {2}Stop/);
    expect(r.stdout).toMatch(/deploy {3}orders {2}\^2\.4\.0 {2}DeployNewerMatching/);
    expect(r.stdout).toContain('orders has 2.4.1 in production, which matches "^2.4.0"; 2.6.0 in test is newer and the action is DeployNewerMatching, so it is deployed');
    expect(r.stdout).toContain('OK: every dependency of storefront lets the deployment to production go ahead');
    expect(r.code).toBe(0);
  });

  it('exits 1 when a Stop dependency is not satisfied, saying why', async () => {
    const dir = hub();
    const file = deployedFile(dir, { catalog: { production: '1.2.9', test: '1.4.0' }, orders: { production: '2.5.0' } });
    const r = await run(dir, 'deps', '--project', 'storefront', '--environment', 'production', '--deployed', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL {5}catalog {2}~1\.3 {2}Stop/);
    expect(r.stdout).toContain('catalog has 1.2.9 in production, which does not match "~1.3", and no version in test matches. The action is Stop: the deployment fails');
    expect(r.stdout).toContain('BLOCKED: a dependency of storefront would fail the deployment to production');
  });

  it('prints JSON with the plan, the checks, the graph and who depends on the project', async () => {
    const dir = hub();
    const file = deployedFile(dir, { 'Orders API': { production: '2.4.0.7' } });
    const r = await run(dir, 'deps', '--project', 'billing', '--environment', 'production', '--deployed', file, '--format', 'json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.hubRef).toMatch(/^[0-9a-f]{40}$/);
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0].group).toBeNull();
    const dep = report.groups[0].dependencies[0];
    expect(dep).toMatchObject({ project: 'orders', name: 'Orders API', versionPattern: '>2.4.0.7', action: 'Continue', source: { kind: 'template', file: 'projects/billing/.octopus/deployment_process.ocl', usage: 'verify-dependencies' } });
    expect(dep.check).toMatchObject({ status: 'satisfied', outcome: 'none', deployedVersion: '2.4.0.7', approvalRequired: false });
    expect(report.blocked).toBe(false);
    const orders = JSON.parse((await run(dir, 'deps', '--project', 'orders', '--format', 'json')).stdout);
    expect(orders.dependents.map((d: { project: string }) => d.project).sort()).toEqual(['billing', 'storefront']);
    const storefront = JSON.parse((await run(dir, 'deps', '--project', 'Storefront', '--format', 'json')).stdout);
    expect(storefront.graph.nodes).toEqual(['storefront', 'orders', 'catalog']);
  });

  it('fails closed: a project missing from the deployed-versions file cannot be decided and counts', async () => {
    const dir = hub();
    const file = deployedFile(dir, { catalog: { production: '1.3.0' } });
    const r = await run(dir, 'deps', '--project', 'storefront', '--environment', 'production', '--deployed', file, '--format', 'json');
    expect(r.code).toBe(1);
    const orders = JSON.parse(r.stdout).groups[1].dependencies[0];
    expect(orders.check).toMatchObject({ status: 'unknown', outcome: 'fail', reason: 'orders is not in deployed.json' });
  });

  it('reports a cycle on every project in it and exits 1', async () => {
    const config = CONFIG.replace('    path = "projects/orders/.octopus"\n', '    path = "projects/orders/.octopus"\n\n    dependency "storefront" {\n        version = ">1.0.0"\n    }\n');
    const dir = hub(config);
    for (const project of ['storefront', 'orders']) {
      const r = await run(dir, 'deps', '--project', project);
      expect(r.code, project).toBe(1);
      expect(r.stdout).toContain('DEP006');
      expect(r.stdout).toMatch(/In a dependency cycle: (storefront → orders → storefront|orders → storefront → orders)/);
    }
  });

  it('rule settings in oclhub.ocl change or silence DEP findings', async () => {
    const config = `${CONFIG.replace('version = "~1.3"', 'version = "~1.3-beta"').replace('version = "^2.4.0"', 'version = ">=2.4.0"')}
rule "DEP010" {
    severity = "off"
    reason = "We know pre-release tags are ignored"
}

rule "DEP004" {
    severity = "warning"
}
`;
    const dir = hub(config);
    const r = await run(dir, 'deps', '--project', 'storefront', '--format', 'json');
    const report = JSON.parse(r.stdout);
    expect(report.diagnostics.map((d: { code: string; severity: string }) => `${d.code} ${d.severity}`)).toEqual(['DEP004 warning']);
    expect(report.suppressed.map((d: { code: string; adjusted: { reason: string } }) => `${d.code} ${d.adjusted.reason}`)).toEqual(['DEP010 We know pre-release tags are ignored']);
    // Lowered to a warning, the invalid pattern no longer fails the command.
    expect(r.code).toBe(0);
    const strict = hub(CONFIG.replace('version = "^2.4.0"', 'version = ">=2.4.0"'));
    expect((await run(strict, 'deps', '--project', 'storefront')).code).toBe(1);
  });

  it('usage errors: unknown project (with did-you-mean), --deployed without --environment, an invalid file', async () => {
    const dir = hub();
    const unknown = await run(dir, 'deps', '--project', 'storefrnt');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No project "storefrnt" in oclhub.ocl (did you mean "storefront"?)');
    expect((await run(dir, 'deps', '--project', 'storefront', '--deployed', 'x.json')).code).toBe(2);
    writeFileSync(path.join(dir, 'bad.json'), '{\n  "orders": { "production": 2 }\n}\n');
    const bad = await run(dir, 'deps', '--project', 'storefront', '--environment', 'production', '--deployed', 'bad.json');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad.json:2:29');
    expect(bad.stderr).toContain('DEP020');
    const env = await run(dir, 'deps', '--project', 'storefront', '--environment', 'prod');
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/No environment "prod" in oclhub\.ocl/);
  });
});
