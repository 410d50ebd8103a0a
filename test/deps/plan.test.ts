/**
 * The dependency plan and what the Verify Dependencies template would decide for each dependency, row by
 * row of its decision table, from a deployed-versions file.
 */
import { describe, expect, it } from 'vitest';
import { collectDependencies, parseDeployedVersions, planDependencies, type DeployedVersions } from '../../src/deps/index.js';
import { config, HUB } from './helpers.js';

function hubWith(blocks: string): string {
  return HUB.replace('    path = "projects/web/.octopus"\n', `    path = "projects/web/.octopus"\n\n${blocks}`);
}

function deployed(json: object): DeployedVersions {
  const parsed = parseDeployedVersions(JSON.stringify(json), 'deployed.json');
  if (!parsed.deployed) throw new Error(parsed.diagnostics.map((d) => d.summary).join('; '));
  return parsed.deployed;
}

function decide(action: string, versions: object, pattern = '>4.5.2', environment = 'prod', tenant?: string) {
  const set = collectDependencies(config(hubWith(`    dependency "spear" {\n        version = "${pattern}"\n        action = "${action}"\n    }\n`)), []);
  const plan = planDependencies(set.graph, set.index, 'web', {
    environment: set.index.environment(environment)!,
    deployed: deployed(versions),
    ...(tenant ? { tenant: set.index.tenants.get(tenant)! } : {}),
  });
  const entry = plan.groups[0]!.dependencies[0]!;
  return { plan, check: entry.check! };
}

describe('the template decision table', () => {
  // The template's own examples: pattern >4.5.2, Production behind Test.
  it('Test 1: 4.1.2 in production, 4.5.7 in test — both deploy actions deploy 4.5.7', () => {
    for (const action of ['DeployNewerMatching', 'DeployNoMatchingInTarget']) {
      const { check, plan } = decide(action, { spear: { prod: '4.1.2', test: '4.5.7' } });
      expect([check.status, check.outcome, check.deployVersion, check.sourceEnvironments]).toEqual(['unsatisfied', 'deploy', '4.5.7', ['test']]);
      expect(plan.blocked).toBe(false);
    }
  });

  it('Test 2: 4.5.3 in production, 4.5.7 in test — only DeployNewerMatching deploys', () => {
    expect(decide('DeployNewerMatching', { spear: { prod: '4.5.3', test: '4.5.7' } }).check).toMatchObject({ status: 'satisfied', outcome: 'deploy', deployVersion: '4.5.7' });
    expect(decide('DeployNoMatchingInTarget', { spear: { prod: '4.5.3', test: '4.5.7' } }).check).toMatchObject({ status: 'satisfied', outcome: 'none' });
    expect(decide('Stop', { spear: { prod: '4.5.3', test: '4.5.7' } }).check).toMatchObject({ status: 'satisfied', outcome: 'none' });
  });

  it('a matching version and nothing newer is satisfied whatever the action', () => {
    for (const action of ['Stop', 'Continue', 'DeployNoMatchingInTarget', 'DeployNewerMatching']) {
      const { check } = decide(action, { spear: { prod: '4.6.0', test: '4.5.9' } });
      expect([action, check.status, check.outcome]).toEqual([action, 'satisfied', 'none']);
    }
  });

  it('no matching version: Stop fails, Continue continues, a deploy action deploys what the previous environment has', () => {
    const versions = { spear: { prod: '4.1.2', test: '4.5.7' } };
    const stop = decide('Stop', versions);
    expect([stop.check.outcome, stop.plan.blocked]).toEqual(['fail', true]);
    expect(stop.check.reason).toBe('spear has 4.1.2 in prod, which does not match ">4.5.2"; 4.5.7 in test matches. The action is Stop: the deployment fails');
    expect(decide('Continue', versions).check).toMatchObject({ outcome: 'continue', approvalRequired: false });
  });

  it('no matching version anywhere: deploy actions fail too (nothing to deploy)', () => {
    const versions = { spear: { prod: '4.1.2', test: '4.2.0' } };
    expect(decide('DeployNewerMatching', versions).check.outcome).toBe('fail');
    expect(decide('DeployNoMatchingInTarget', versions).check.outcome).toBe('fail');
    expect(decide('Continue', versions).check.outcome).toBe('continue');
  });

  it('compares 4-part versions and ignores pre-release tags, as the template does', () => {
    const { check } = decide('DeployNewerMatching', { spear: { prod: '1.0.53', test: '1.0.53.1' } }, '>1.0.53');
    expect(check).toMatchObject({ status: 'satisfied', outcome: 'deploy', deployVersion: '1.0.53.1' });
    expect(decide('Stop', { spear: { prod: '4.5.3-hotfix.2' } }).check.status).toBe('satisfied');
  });

  it('the first environment has no source environment', () => {
    const { check } = decide('DeployNewerMatching', { spear: { dev: '4.1.0' } }, '>4.5.2', 'dev');
    expect(check).toMatchObject({ outcome: 'fail', sourceEnvironments: [] });
    expect(check.reason).toMatch(/there is no earlier environment to deploy from/);
  });

  it('fails closed: a project missing from the file is unknown and counts unless the action is Continue', () => {
    expect(decide('Stop', { taka: { prod: '1.0.0' } }).check).toMatchObject({ status: 'unknown', outcome: 'fail' });
    expect(decide('Continue', { taka: { prod: '1.0.0' } }).check).toMatchObject({ status: 'unknown', outcome: 'continue' });
    // A version the template cannot convert makes its step throw, whatever the action.
    expect(decide('Continue', { spear: { prod: 'banana' } }).check).toMatchObject({ status: 'unknown', outcome: 'fail' });
  });

  it('reads projects and environments by slug or Octopus name, and per-tenant versions', () => {
    expect(decide('Stop', { Spear: { Production: '4.6.0' } }).check.status).toBe('satisfied');
    const set = collectDependencies(config(hubWith('    dependency "store-hub" {\n        version = ">1.0.0"\n        tenant = "internal"\n    }\n')), []);
    const versions = deployed({ StoreHub: { prod: { Internal: '1.2.0', acme: '0.9.0' } } });
    const plan = planDependencies(set.graph, set.index, 'web', { environment: set.index.environment('prod')!, deployed: versions });
    expect(plan.groups[0]!.dependencies[0]!.check).toMatchObject({ status: 'satisfied', deployedVersion: '1.2.0' });
  });
});

describe('deploy groups', () => {
  it('orders numbered groups ascending, then each ungrouped dependency alone, in declaration order', () => {
    const set = collectDependencies(
      config(
        hubWith(`    dependency "spear" {
        version = ">1.0.0"
    }

    dependency "taka" {
        version = ">1.0.0"
        deploy_group = 2
    }

    dependency "tawa" {
        version = ">1.0.0"
        deploy_group = 1
    }

    dependency "store-hub" {
        version = ">1.0.0"
        deploy_group = 2
    }
`),
      ),
      [],
    );
    const plan = planDependencies(set.graph, set.index, 'web');
    expect(plan.groups.map((g) => [g.group, g.dependencies.map((d) => d.project)])).toEqual([
      [1, ['tawa']],
      [2, ['taka', 'store-hub']],
      [null, ['spear']],
    ]);
    expect(plan.blocked).toBeUndefined();
  });
});

describe('the deployed-versions file', () => {
  it('reports JSON and shape errors with their position', () => {
    const bad = parseDeployedVersions('{\n  "spear": { "prod": 4 }\n}', 'deployed.json');
    expect(bad.deployed).toBeUndefined();
    expect(bad.diagnostics.map((d) => `${d.code} ${d.file}:${d.range?.start.line}:${d.range?.start.column} ${d.summary}`)).toEqual([
      'DEP020 deployed.json:2:22 The version of "spear" in "prod" must be a string (or an object of tenant versions)',
    ]);
    expect(parseDeployedVersions('{ "spear": ', 'd.json').diagnostics[0]!.summary).toMatch(/^Not valid JSON/);
    expect(parseDeployedVersions('[]', 'd.json').diagnostics[0]!.summary).toMatch(/top level must be an object/);
  });
});
