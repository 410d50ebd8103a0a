import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { directoryReader, parseExpiry, validateFile, validateHub, type HubConfigDocument } from '../../src/model/index.js';
import { REPO_ROOT, fixture, lineOf, only } from './helpers.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const DEMO = path.join(REPO_ROOT, 'templates/demo');

function readTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.set(path.relative(root, full).split(path.sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return out;
}

describe('oclhub.ocl model (demo hub)', () => {
  const text = readFileSync(path.join(DEMO, 'oclhub.ocl'), 'utf8');
  const r = validateFile({ path: 'oclhub.ocl', text, context: { now: NOW } });
  const doc = r.document as HubConfigDocument;

  it('is valid', () => expect(r.diagnostics).toEqual([]));
  it('reads settings, environments, tenants, groups and projects', () => {
    expect(doc.kind).toBe('oclhub');
    expect(doc.basePath).toBe('.octopus');
    expect(doc.spaces.map((s) => s.slug)).toEqual(['default']);
    const production = doc.environments.find((e) => e.slug === 'production')!;
    expect(production).toMatchObject({ name: 'Production', order: 3, tags: ['tier/critical', 'region/eu-west'] });
    expect(production.headerRange.start.line).toBe(lineOf(text, 'environment "production"'));
    expect(doc.tenants.find((t) => t.slug === 'acme')?.tags).toContain('region/eu-west');
    expect(doc.projects.find((p) => p.slug === 'payments-api')).toMatchObject({ group: 'finance', path: 'projects/payments-api/.octopus' });
  });
  it('reads policy activation and exceptions', () => {
    expect(doc.policies.map((p) => [p.slug, p.activeVersion])).toContainEqual(['no_disabled_steps', '1.0.0']);
    expect(doc.exceptions[0]).toMatchObject({ id: 'reporting-disabled-export', policy: 'no_disabled_steps', project: 'reporting', environment: 'development', expires: '2027-06-30' });
  });
  it('defaults base_path to .octopus and environment order to declaration order', () => {
    const d = validateFile({ path: 'oclhub.ocl', text: 'environment "a" {\n    name = "A"\n}\nenvironment "b" {\n    name = "B"\n}\n' }).document as HubConfigDocument;
    expect(d.basePath).toBe('.octopus');
    expect(d.environments.map((e) => e.order)).toEqual([0, 1]);
  });
});

describe('oclhub.ocl errors', () => {
  const f = fixture('hub/oclhub.ocl');
  const r = validateFile({ path: f.path, text: f.text, context: { now: NOW } });
  const lines = (code: string) => only(r.diagnostics, code).map((d) => d.range?.start.line);

  it('unknown attributes are errors with suggestions', () => {
    const [d] = only(r.diagnostics, 'SCH001');
    expect(d?.severity).toBe('error');
    expect(d?.range?.start.line).toBe(lineOf(f.text, 'enviroment_count'));
  });
  it('SEM030 duplicate slug', () => expect(lines('SEM030')).toEqual([lineOf(f.text, 'environment "staging"', 2)]));
  it('SEM031 unknown reference with suggestion', () => {
    expect(lines('SEM031')).toEqual([lineOf(f.text, 'group = "paymints"')]);
    expect(only(r.diagnostics, 'SEM031')[0]?.detail).toContain('"payments"');
  });
  it('SEM032 project location', () => expect(lines('SEM032')).toEqual([lineOf(f.text, 'project "orders"'), lineOf(f.text, 'ref = "main"')]));
  it('SEM033 expired exception (warning)', () => {
    expect(lines('SEM033')).toEqual([lineOf(f.text, 'expires = "2026-01-31"')]);
    expect(only(r.diagnostics, 'SEM033')[0]?.severity).toBe('warning');
  });
  it('SEM034 invalid date', () => expect(lines('SEM034')).toEqual([lineOf(f.text, 'next tuesday')]));
  it('SEM035 active_version not semver', () => expect(lines('SEM035')).toEqual([lineOf(f.text, 'active_version = "1.2"')]));
  it('SEM036 tag without a tag set', () => expect(lines('SEM036')).toEqual([lineOf(f.text, 'tags = ["critical"]')]));
  it('SEM037 base path outside the repository', () => expect(lines('SEM037')).toEqual([lineOf(f.text, 'base_path')]));
  it('SEM038 duplicate environment order', () => expect(lines('SEM038')).toEqual([lineOf(f.text, 'order = 1', 2)]));
  it('a syntax error is reported by the parser and no model is built', () => {
    const bad = validateFile({ path: 'oclhub.ocl', text: 'space "default" {\n    name = "x"\n' });
    expect(bad.document).toBeUndefined();
    expect(bad.diagnostics.some((d) => d.severity === 'error' && d.code.startsWith('OCL'))).toBe(true);
  });
});

describe('parseExpiry', () => {
  it('treats a date as valid through that day (UTC) and rejects impossible dates', () => {
    expect(parseExpiry('2026-01-31')?.toISOString()).toBe('2026-02-01T00:00:00.000Z');
    expect(parseExpiry('2026-02-30')).toBeUndefined();
    expect(parseExpiry('2026-03-01T10:00:00Z')?.toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(parseExpiry('soon')).toBeUndefined();
  });
});

describe('validateHub', () => {
  it('the demo hub validates without diagnostics', async () => {
    const r = await validateHub({ files: readTree(DEMO), now: NOW });
    expect(r.diagnostics.map((d) => `${d.file}:${d.range?.start.line} ${d.code} ${d.summary}`)).toEqual([]);
    expect(r.config?.projects.length).toBe(3);
    const kinds = new Set(r.files.map((f) => f.kind));
    for (const k of ['oclhub', 'policy', 'process_template', 'deployment_process', 'variables', 'runbook', 'schema_version', 'deployment_settings']) expect(kinds).toContain(k);
  });

  it('reads a hub folder from disk with directoryReader', async () => {
    const r = await validateHub({ files: directoryReader(DEMO), now: NOW });
    expect(r.files.length).toBe([...readTree(DEMO).keys()].filter((p) => p.endsWith('.ocl')).length);
    expect(r.diagnostics).toEqual([]);
  });

  it('cross-file: activation and exception of missing policies, empty project paths, usages vs templates', async () => {
    const files = readTree(DEMO);
    files.set(
      'oclhub.ocl',
      files.get('oclhub.ocl')!.replace('policy "no_disabled_steps"', 'policy "no_disabled_step"').replace('policy = "no_disabled_steps"', 'policy = "no_disabled_stepz"').replace('path = "projects/reporting/.octopus"', 'path = "projects/reports/.octopus"'),
    );
    files.set(
      'projects/payments-api/.octopus/deployment_process.ocl',
      files.get('projects/payments-api/.octopus/deployment_process.ocl')!.replace('"Template.Approvers"', '"Template.Approver"').replace('process_template_slug = "deploy-web-app"', 'process_template_slug = "deploy-webapp"'),
    );
    const r = await validateHub({ files, now: NOW });
    const got = r.diagnostics.map((d) => `${d.file}:${d.code}:${d.range?.start.line}`);
    const hub = files.get('oclhub.ocl')!;
    const usage = files.get('projects/payments-api/.octopus/deployment_process.ocl')!;
    expect(got).toContain(`oclhub.ocl:SEM031:${lineOf(hub, 'policy "no_disabled_step"')}`);
    expect(got).toContain(`oclhub.ocl:SEM031:${lineOf(hub, 'policy = "no_disabled_stepz"')}`);
    expect(got).toContain(`oclhub.ocl:SEM041:${lineOf(hub, 'project "reporting"')}`);
    expect(only(r.diagnostics, 'SEM041')[0]).toMatchObject({ severity: 'error', summary: 'Project "reporting": `projects/reports/.octopus` does not exist' });
    expect(got).toContain(`projects/payments-api/.octopus/deployment_process.ocl:TPL013:${lineOf(usage, 'deploy-webapp')}`);
    expect(got).toContain(`projects/payments-api/.octopus/deployment_process.ocl:TPL014:${lineOf(usage, '"Template.Approver"')}`);
    expect(got).toContain(`projects/payments-api/.octopus/deployment_process.ocl:TPL015:${lineOf(usage, 'process_template "approve"')}`);
    expect(only(r.diagnostics, 'TPL013')[0]?.detail).toContain('"deploy-web-app"');
    const withoutUsageChecks = await validateHub({ files, now: NOW, workingTreeUsageChecks: false });
    expect(withoutUsageChecks.diagnostics.filter((d) => /^TPL01[345]$/.test(d.code))).toEqual([]);
  });

  it('SEM044: a policy or template under its folder but not where the hub reads it; an activation of it has no file (SEM031)', async () => {
    const files = readTree(DEMO);
    const policy = files.get('.octopus/policies/no_disabled_steps.ocl')!;
    files.delete('.octopus/policies/no_disabled_steps.ocl');
    // A library's layout with the folder named otherwise than the file, and a team sub-folder.
    files.set('.octopus/policies/no-disabled-steps/no_disabled_steps.ocl', policy);
    files.set('.octopus/policies/no_disabled_steps_copy/no_disabled_steps_copy.ocl', policy); // the library layout: read
    const [templatePath, template] = [...files].find(([p]) => p.startsWith('.octopus/process-templates/'))!;
    files.set(templatePath.replace('/process-templates/', '/process-templates/team-a/'), template);
    const r = await validateHub({ files, now: NOW });
    const misplaced = only(r.diagnostics, 'SEM044');
    expect(misplaced.map((d) => [d.file, d.severity])).toEqual([
      ['.octopus/policies/no-disabled-steps/no_disabled_steps.ocl', 'warning'],
      [templatePath.replace('/process-templates/', '/process-templates/team-a/'), 'warning'],
    ]);
    expect(misplaced[0]!.detail).toBe(
      "Octopus reads .octopus/policies/no_disabled_steps.ocl (the file name is the slug); oclhub also reads a library's .octopus/policies/no_disabled_steps/no_disabled_steps.ocl. Move it to .octopus/policies/no_disabled_steps.ocl, or name the file after the slug it should have.",
    );
    const hub = files.get('oclhub.ocl')!;
    expect(r.diagnostics.filter((d) => d.code === 'SEM031').map((d) => d.range?.start.line)).toContain(lineOf(hub, 'policy "no_disabled_steps"'));
  });

  it('SEM039: project files naming environments that oclhub.ocl does not declare', async () => {
    const files = readTree(DEMO);
    const variables = files.get('projects/storefront/.octopus/variables.ocl')!.replace('environment = ["production"]', 'environment = ["prod"]');
    files.set('projects/storefront/.octopus/variables.ocl', variables);
    const r = await validateHub({ files, now: NOW });
    const found = only(r.diagnostics, 'SEM039');
    expect(found.map((d) => `${d.file}:${d.range?.start.line}`)).toEqual([`projects/storefront/.octopus/variables.ocl:${lineOf(variables, '["prod"]')}`]);
    expect(found[0]?.detail).toContain('"production"');
  });

  it('project templates: #{Template.…} references are checked against parameters.ocl of the same folder', async () => {
    const process = 'process_template "verify" {\n    process_template_slug = "verify"\n    version_mask = "1.X"\n\n    parameter "Template.Pool" {\n        value = "#{Template.Project.WorkerPool}"\n    }\n    parameter "Template.Feed" {\n        value = "#{Template.Project.WorkerPol}"\n    }\n}\n';
    const files = new Map([
      ['.octopus/project-templates/api/parameters.ocl', 'parameter "Template.Project.WorkerPool" {\n    display_settings = {\n        Octopus.ControlType = "WorkerPool"\n    }\n}\n'],
      ['.octopus/project-templates/api/deployment_process.ocl', process],
    ]);
    const r = await validateHub({ files });
    const tpl004 = only(r.diagnostics, 'TPL004');
    expect(tpl004.map((d) => `${d.file}:${d.range?.start.line}`)).toEqual([`.octopus/project-templates/api/deployment_process.ocl:${lineOf(process, 'WorkerPol}')}`]);
    expect(tpl004[0]?.detail).toContain('Template.Project.WorkerPool');
  });

  it('reads files through a reader and uses the sibling schema_version for legacy heredocs', async () => {
    const files = new Map([
      ['app/.octopus/schema_version.ocl', 'version = 3'],
      ['app/.octopus/deployment_process.ocl', 'step "Run Script" {\n    action {\n        action_type = "Octopus.Script"\n        properties = {\n            Octopus.Action.Script.ScriptBody = <<-EOT\n                echo hi\n            EOT\n        }\n    }\n}\n'],
      ['README.md', '# not OCL'],
    ]);
    const r = await validateHub({ files: { list: () => [...files.keys()], read: async (p) => files.get(p) } });
    expect(r.files.map((f) => f.path).sort()).toEqual(['app/.octopus/deployment_process.ocl', 'app/.octopus/schema_version.ocl']);
    expect(r.diagnostics.map((d) => d.code).sort()).toEqual(['SCH103', 'SCH108']);
  });
});

describe('docs/oclhub-ocl.md', () => {
  it('its complete example is a valid oclhub.ocl', () => {
    const md = readFileSync(path.join(REPO_ROOT, 'docs/oclhub-ocl.md'), 'utf8');
    const example = /```ocl\n([\s\S]*?)```/.exec(md)?.[1];
    expect(example).toBeDefined();
    const r = validateFile({ path: 'oclhub.ocl', text: example!, context: { now: NOW } });
    expect(r.diagnostics).toEqual([]);
    const doc = r.document as HubConfigDocument;
    expect(doc.projects.find((p) => p.slug === 'billing')).toMatchObject({ repository: 'https://github.com/example/billing.git', ref: 'main' });
  });
});

describe('SEM041: registered project folders', () => {
  const config = (p: string) => `project "web" {\n    name = "Web"\n    path = "${p}"\n}\n`;
  const check = async (p: string, files: Record<string, string>) =>
    only((await validateHub({ files: new Map([['oclhub.ocl', config(p)], ...Object.entries(files)]) })).diagnostics, 'SEM041').map((d) => d.summary);

  it('tells a folder holding only other files from one that does not exist', async () => {
    expect(await check('web', { 'web/README.md': '# web' })).toEqual(['Project "web": `web` holds no Octopus project files']);
    expect(await check('web', {})).toEqual(['Project "web": `web` does not exist']);
  });

  it('does not count schema_version.ocl alone, nor another project folder nested below', async () => {
    expect(await check('web/.octopus', { 'web/.octopus/schema_version.ocl': 'version = 10' })).toHaveLength(1);
    expect(await check('.octopus', { '.octopus/telemetry/deployment_process.ocl': '' })).toHaveLength(1);
    expect(await check('.octopus/telemetry', { '.octopus/telemetry/deployment_process.ocl': '' })).toEqual([]);
    expect(await check('./web/.octopus/', { 'web/.octopus/runbooks/restart.ocl': 'name = "Restart"' })).toEqual([]);
  });
});

describe('oclhub.ocl project blocks', () => {
  it('build each project with its optional attributes in one order, and without those not written', () => {
    const text = [
      'project "full" {',
      '    name = "Full"',
      '    tenanted = "TenantedOrUntenanted"',
      '    ref = "main"',
      '    repository = "../full"',
      '    path = ".octopus"',
      '    description = "All of them"',
      '    group = "core"',
      '    space = "Default"',
      '    dependency "bare" {',
      '        version = "~1.2.0"',
      '    }',
      '}',
      '',
      'project "bare" {',
      '    path = "projects/bare/.octopus"',
      '}',
      '',
    ].join('\n');
    const r = validateFile({ path: 'oclhub.ocl', text, context: { kind: 'oclhub', now: new Date('2026-01-01T00:00:00Z') } });
    const document = r.document as HubConfigDocument;
    const [full, bare] = document.projects;
    const fields = ['range', 'headerRange', 'attributeRanges', 'labelRange', 'slug', 'name', 'tags', 'environments', 'dependencies'];
    // Written in any order in the block, kept in the model's order.
    expect(Object.keys(full!)).toEqual([...fields, 'space', 'group', 'description', 'path', 'repository', 'ref', 'tenanted']);
    expect(full).toMatchObject({ slug: 'full', name: 'Full', space: 'Default', group: 'core', description: 'All of them', path: '.octopus', repository: '../full', ref: 'main', tenanted: 'TenantedOrUntenanted' });
    expect(full!.dependencies.map((d) => [d.project, d.version])).toEqual([['bare', '~1.2.0']]);
    expect(Object.keys(bare!)).toEqual([...fields, 'path']);
    expect(bare).toMatchObject({ slug: 'bare', name: 'bare', path: 'projects/bare/.octopus', tags: [], environments: [], dependencies: [] });
  });
});
