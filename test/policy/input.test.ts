import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub/index.js';
import { buildInput, contextFromConfig, processSteps, stableGuid, type InputContext, type OctopusInput } from '../../src/policy/input.js';
import type { ResolvedProcess } from '../../src/templates/resolve.js';
import { removeDir } from '../git/helpers.js';
import { demoHub, openAt, REPO_ROOT } from '../e2e/demo-hub.js';

const SHARED = path.resolve(REPO_ROOT, '../shared');
const SCHEMA_FILE = path.join(SHARED, 'policy-examples/inputs/input-schema.docs-2026-06.json');
const hasSchema = fs.existsSync(SCHEMA_FILE);
if (!hasSchema) console.warn(`input schema tests skipped: ${SCHEMA_FILE} not found`);

/** A project process exercising every Step field: step templates, multi-action steps, triggers, scoping, packages. */
const PROCESS = `step "build-info" {
    name = "Build info"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.Script.ScriptBody = "echo hi"
            Octopus.Action.Template.Id = "ActionTemplates-42"
            Octopus.Action.Template.Version = "7"
        }
    }
}

step "deploy-pair" {
    name = "Deploy pair"
    start_trigger = "StartWithPrevious"

    action "deploy-api" {
        action_type = "Octopus.TentaclePackage"
        is_required = true

        packages {
            acquisition_location = "Server"
            feed = "octopus-server-built-in"
            package_id = "Acme.Api"
        }
    }

    action "deploy-worker" {
        action_type = "Octopus.TentaclePackage"
        is_disabled = true
        environments = ["production"]
    }
}

step "notify" {
    name = "Notify"
    condition = "Always"

    action {
        action_type = "Octopus.Email"
    }
}
`;

const PROD: InputContext = {
  space: { slug: 'default', name: 'Default' },
  project: { slug: 'acme', name: 'ACME', tags: ['lang/dotnet'] },
  projectGroup: { slug: 'web', name: 'Web' },
  environment: { slug: 'production', name: 'Production', tags: ['tier/critical'] },
  release: { version: '1.2.3', gitRef: 'refs/heads/main' },
};

let dir: string;
let hub: Hub;
let own: ResolvedProcess;
let storefront: ResolvedProcess;

beforeAll(async () => {
  dir = await demoHub();
  hub = await openAt(dir);
  const resolved = await hub.resolveProject({ files: new Map([['.octopus/deployment_process.ocl', PROCESS]]) });
  expect(resolved.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  own = resolved.processes[0]!;
  const registered = await hub.resolveRegisteredProject('storefront');
  storefront = registered.processes.find((p) => p.kind === 'deployment_process')!;
}, 60_000);

afterAll(() => removeDir(dir));

describe('buildInput: project steps', () => {
  it('lists one entry per action in process order with Octopus field values', () => {
    const { input } = buildInput(own, PROD);
    expect(input.Steps.map((s) => s.Slug)).toEqual(['build-info', 'deploy-api', 'deploy-worker', 'notify']);
    const [info, api, worker, notify] = input.Steps;
    expect(info!.Source).toEqual({ Type: 'Step Template', SlugOrId: 'ActionTemplates-42', Version: '7' });
    expect(api!.Source).toEqual({ Type: 'Step', SlugOrId: 'deploy-api' });
    expect(api!.IsRequired).toBe(true);
    expect(api!.Enabled).toBe(true);
    expect(api!.IsConditional).toBe(false);
    expect(api!.ActionType).toBe('Octopus.TentaclePackage');
    expect(api!.Packages).toEqual([
      { Id: expect.any(String), Name: 'Acme.Api', Feed: { Id: 'Feeds-octopus-server-built-in', Name: 'Octopus Server (built-in)', Slug: 'octopus-server-built-in', Type: 'BuiltIn' } },
    ]);
    expect(worker!.Enabled).toBe(false);
    expect(worker!.IsConditional).toBe(true); // scoped to an environment
    expect(notify!.IsConditional).toBe(true); // run condition Always
    expect(notify!.ActionType).toBe('Octopus.Email');
  });

  it('groups StartWithPrevious steps with the previous group in Execution', () => {
    const { input } = buildInput(own, PROD);
    const ids = input.Steps.map((s) => s.Id);
    expect(input.Execution).toEqual([
      { StartTrigger: 'StartAfterPrevious', Steps: [ids[0], ids[1], ids[2]] },
      { StartTrigger: 'StartAfterPrevious', Steps: [ids[3]] },
    ]);
  });

  it('has deterministic GUID-shaped step ids and slug-derived entity ids', () => {
    const a = buildInput(own, PROD).input;
    const b = buildInput(processSteps(own, 'acme'), PROD).input;
    expect(a.Steps.map((s) => s.Id)).toEqual(b.Steps.map((s) => s.Id));
    for (const step of a.Steps) expect(step.Id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(a.Steps.map((s) => s.Id)).size).toBe(a.Steps.length);
    expect(a.Steps[0]!.Id).toBe(stableGuid('acme/deployment/build-info'));
    // The same id on every machine and Node version: SHA-1 229b87dabef872f5aacfaed472f8ca5e08683727 in the version-5 layout.
    expect(stableGuid('acme/deployment/build-info')).toBe('229b87da-bef8-52f5-aacf-aed472f8ca5e');
    expect(a.Environment).toEqual({ Id: 'Environments-production', Name: 'Production', Slug: 'production', Tags: ['tier/critical'] });
    expect(a.Project.Id).toBe('Projects-acme');
    expect(a.ProjectGroup).toEqual({ Id: 'ProjectGroups-web', Name: 'Web', Slug: 'web' });
    expect(a.Space).toEqual({ Id: 'Spaces-default', Name: 'Default', Slug: 'default' });
  });

  it('fills Release for deployments and Runbook (without Packages) for runbook runs', () => {
    const deploy = buildInput(own, PROD).input;
    expect(deploy.Release).toEqual({ Id: 'Releases-acme-1.2.3', Name: '1.2.3', Version: '1.2.3', GitRef: 'refs/heads/main' });
    expect(deploy.Runbook).toBeUndefined();
    expect(deploy.Tenant).toBeUndefined();
    const { release: _r, ...base } = PROD;
    const run = buildInput(own, { ...base, runbook: { slug: 'restart', name: 'Restart', snapshot: 'Snapshot 3' } }).input;
    expect(run.Release).toBeUndefined();
    expect(run.Runbook).toEqual({ Id: 'Runbooks-acme-restart', Name: 'Restart', Snapshot: 'Snapshot 3' });
    for (const step of run.Steps) expect(step.Packages).toBeUndefined();
  });

  it('lists skipped steps by Id (a step slug skips all its actions) and keeps them in Steps', () => {
    const { input } = buildInput(own, { ...PROD, skippedSteps: ['deploy-pair', 'notify'], requiresApproval: true });
    const bySlug = new Map(input.Steps.map((s) => [s.Slug, s.Id]));
    expect(input.SkippedSteps).toEqual([bySlug.get('deploy-api'), bySlug.get('deploy-worker'), bySlug.get('notify')]);
    expect(input.Steps).toHaveLength(4);
    expect(input.RequiresApproval).toBe(true);
  });

  it('maps each step back to its source line', () => {
    const built = buildInput(own, PROD);
    const api = built.input.Steps[1]!;
    const location = built.locations.get(api.Id)!;
    expect(location.file).toBe('.octopus/deployment_process.ocl');
    expect(PROCESS.split('\n')[location.range.start.line - 1]).toContain('action "deploy-api"');
  });
});

describe('buildInput: process templates and hub context', () => {
  it('expands template children with the template slug and resolved version as Source', () => {
    const context = contextFromConfig(hub.config, { project: 'storefront', environment: 'production' });
    if ('error' in context) throw new Error(context.error);
    const { input, locations } = buildInput(storefront, context);
    const children = input.Steps.filter((s) => s.Source.Type === 'Process Template');
    expect(children.map((s) => s.Slug)).toEqual(['deploy-storefront-check-inputs', 'deploy-storefront-deploy-package', 'deploy-storefront-smoke-test']);
    for (const child of children) expect(child.Source).toEqual({ Type: 'Process Template', SlugOrId: 'deploy-web-app', Version: '1.0.0' });
    const deploy = children[1]!;
    expect(deploy.Packages?.[0]?.Name).toBe('Storefront.Web');
    expect(deploy.Packages?.[0]?.Feed?.Slug).toBe('octopus-server-built-in');
    const location = locations.get(deploy.Id)!;
    expect(location.file).toBe('projects/storefront/.octopus/deployment_process.ocl');
    expect(location.related[0]!.file).toBe('.octopus/process-templates/deploy-web-app.ocl');
    expect(input.Steps.find((s) => s.Slug === 'approve-production')!.Source).toEqual({ Type: 'Step', SlugOrId: 'approve-production' });
  });

  it('takes names and tags from oclhub.ocl and adds the tenant', () => {
    const context = contextFromConfig(hub.config, { project: 'payments-api', environment: 'production', tenant: 'acme' });
    if ('error' in context) throw new Error(context.error);
    const { input } = buildInput(storefront, context);
    expect(input.Project).toEqual({ Id: 'Projects-payments-api', Name: 'Payments API', Slug: 'payments-api', Tags: ['team/payments', 'pci/in-scope'] });
    expect(input.ProjectGroup).toEqual({ Id: 'ProjectGroups-finance', Name: 'Finance', Slug: 'finance' });
    expect(input.Environment.Tags).toEqual(['tier/critical', 'region/eu-west']);
    expect(input.Tenant).toEqual({ Id: 'Tenants-acme', Name: 'Acme Corp', Slug: 'acme', Tags: ['customer-tier/gold', 'region/eu-west'] });
    expect(input.Space).toEqual({ Id: 'Spaces-default', Name: 'Default', Slug: 'default' });
  });

  it("builds the contexts of a project from shared parts, and every project's input for an environment with the same Environment", () => {
    const context = (project: string, environment: string) => {
      const built = contextFromConfig(hub.config, { project, environment });
      if ('error' in built) throw new Error(built.error);
      return built;
    };
    const steps = processSteps(storefront, 'storefront');
    const production = buildInput(steps, context('storefront', 'production')).input;
    const staging = buildInput(steps, context('storefront', 'staging')).input;
    for (const key of ['Project', 'ProjectGroup', 'Space', 'Steps', 'SkippedSteps', 'Execution'] as const) expect(staging[key], key).toBe(production[key]);
    expect(staging.Environment).not.toBe(production.Environment);
    const other = buildInput(processSteps(own, 'payments-api'), context('payments-api', 'production')).input;
    expect(other.Environment).toBe(production.Environment);
    expect(other.Project).not.toBe(production.Project);
    expect(other.SkippedSteps).not.toBe(production.SkippedSteps);
    // Skipped steps are the context's own.
    const skipping = buildInput(steps, { ...context('storefront', 'production'), skippedSteps: ['approve-production'] }).input;
    expect(skipping.SkippedSteps).toHaveLength(1);
    expect(production.SkippedSteps).toEqual([]);
  });

  it('names the unknown input with one frozen list per answer, shared by every context', () => {
    const steps = processSteps(own, 'acme');
    const { release: _release, ...noRelease } = PROD;
    const a = buildInput(steps, noRelease);
    const b = buildInput(steps, { ...noRelease, environment: { slug: 'staging', name: 'Staging' } });
    expect(a.unknown).toEqual(['Release']);
    expect(b.unknown).toBe(a.unknown);
    expect(a.input).not.toHaveProperty('Release');
    const known = buildInput(steps, PROD);
    expect(known.unknown).toEqual([]);
    expect(buildInput(steps, { ...PROD, runbook: { slug: 'r', name: 'R' } }).unknown).toBe(known.unknown);
    // A caller cannot change the list the next context is given.
    expect(Object.isFrozen(a.unknown) && Object.isFrozen(known.unknown)).toBe(true);
    expect(() => (a.unknown as string[]).push('Tenant')).toThrow(TypeError);
    expect(buildInput(steps, noRelease).unknown).toEqual(['Release']);
  });

  it('reports unknown environments and tenants', () => {
    const env = contextFromConfig(hub.config, { project: 'storefront', environment: 'qa' });
    expect('error' in env && env.error).toMatch(/No environment "qa".*development, staging, production/);
    const tenant = contextFromConfig(hub.config, { project: 'storefront', environment: 'production', tenant: 'initech' });
    expect('error' in tenant && tenant.error).toMatch(/No tenant "initech"/);
  });
});

describe.skipIf(!hasSchema)('buildInput: the documented input schema', () => {
  const validate = () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    return ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')) as object);
  };

  it('produces inputs the 2026-06 schema accepts (deployment, tenanted, runbook)', () => {
    const check = validate();
    const { release: _r, ...base } = PROD;
    const inputs: OctopusInput[] = [
      buildInput(own, PROD).input,
      buildInput(storefront, { ...PROD, tenant: { slug: 't', name: 'T', tags: ['a/b'] }, skippedSteps: ['notify-start'] }).input,
      buildInput(own, { ...base, runbook: { slug: 'r', name: 'R' } }).input,
    ];
    for (const input of inputs) {
      const ok = check(JSON.parse(JSON.stringify(input)));
      expect(check.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('produces the same top-level keys as the synthetic Octopus-shaped inputs', () => {
    const synth = JSON.parse(fs.readFileSync(path.join(SHARED, 'policy-examples/inputs/synth-A-deploy-prod-compliant.json'), 'utf8')) as Record<string, unknown>;
    const ours = buildInput(own, { ...PROD, tenant: { slug: 't', name: 'T' } }).input as unknown as Record<string, unknown>;
    expect(Object.keys(ours).sort()).toEqual(Object.keys(synth).sort());
    const synthStep = (synth.Steps as Record<string, unknown>[])[4]!;
    expect(Object.keys(buildInput(own, PROD).input.Steps[1]!).sort()).toEqual(Object.keys(synthStep).sort());
  });
});
