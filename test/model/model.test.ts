import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOcl } from '../../src/ocl/index.js';
import {
  buildDocument,
  findReferences,
  isWorkerExecuted,
  validateFile,
  type DeploymentProcessDocument,
  type DeploymentSettingsDocument,
  type ProcessTemplateDocument,
  type RunbookDocument,
  type VariablesDocument,
} from '../../src/model/index.js';
import { REPO_ROOT, lineOf } from './helpers.js';

const DEMO = path.join(REPO_ROOT, 'templates/demo');
const demo = (p: string) => readFileSync(path.join(DEMO, p), 'utf8');

describe('deployment process model', () => {
  const text = demo('projects/storefront/.octopus/deployment_process.ocl');
  const doc = validateFile({ path: 'projects/storefront/.octopus/deployment_process.ocl', text }).document as DeploymentProcessDocument;

  it('keeps steps and usages in execution order', () => {
    expect(doc.items.map((i) => `${i.type}:${i.slug}`)).toEqual(['step:notify-start', 'step:approve-production', 'process_template:deploy-storefront']);
  });
  it('gives an unlabelled action its step slug and keeps source ranges', () => {
    const step = doc.steps[1]!;
    expect(step.actions[0]!.slug).toBe('approve-production');
    expect(step.actions[0]!.label).toBeUndefined();
    expect(step.labelRange?.start.line).toBe(lineOf(text, 'step "approve-production"'));
    expect(step.actions[0]!.attributeRanges['environments']?.start.line).toBe(lineOf(text, 'environments = ["production"]'));
    expect(step.actions[0]!.properties.ranges['Octopus.Action.Manual.Instructions']?.start.line).toBe(lineOf(text, 'Octopus.Action.Manual.Instructions'));
    expect(step.actions[0]!.environments).toEqual(['production']);
    expect(step.condition).toBe('Success');
    expect(step.startTrigger).toBe('StartAfterPrevious');
  });
  it('reads process template usages with parameters and package parameters', () => {
    const usage = doc.usages[0]!;
    expect(usage).toMatchObject({ slug: 'deploy-storefront', name: 'Deploy storefront', processTemplateSlug: 'deploy-web-app', versionMask: '1.X' });
    expect(usage.packageParameters[0]).toMatchObject({ name: 'Template.Web.Package', feed: 'octopus-server-built-in', packageId: 'Storefront.Web' });
    expect(usage.parameters.map((p) => p.name)).toEqual(['Template.Site.Url', 'Template.Target.Tags', 'Template.WorkerPool']);
    expect(usage.parameters[1]!.value).toBe('storefront-web');
  });
});

describe('process template model', () => {
  const text = demo('.octopus/process-templates/deploy-web-app.ocl');
  const doc = validateFile({ path: '.octopus/process-templates/deploy-web-app.ocl', text }).document as ProcessTemplateDocument;
  it('reads name, icon, parameters with control types and defaults', () => {
    expect(doc.slug).toBe('deploy-web-app');
    expect(doc.icon).toMatchObject({ color: '#1A77CA', id: 'box-fragile' });
    expect(doc.parameters.map((p) => p.controlType)).toEqual(['WorkerPool', 'TargetTags', 'Package', 'SingleLineText', 'SingleLineText']);
    const retries = doc.parameters.find((p) => p.name === 'Template.Smoke.Retries')!;
    expect(retries.isOptional).toBe(true);
    expect(retries.defaults.map((d) => d.value)).toEqual(['3']);
  });
  it('classifies worker-executed actions by Octopus.Action.RunOnServer', () => {
    expect(doc.steps.map((s) => isWorkerExecuted(s.actions[0]!))).toEqual([true, false, true]);
    expect(doc.steps[1]!.actions[0]!.packages[0]!.properties.values['PackageParameterName']).toBe('Template.Web.Package');
  });
  it('parses Select options', () => {
    const { document } = parseOcl(
      'parameter "P" {\n    display_settings = {\n        Octopus.ControlType = "Select"\n        Octopus.SelectOptions = <<-EOT\n            a|Alpha\n            b\n            EOT\n    }\n}\n',
    );
    const t = buildDocument('project_template_parameters', document);
    expect(t.kind === 'project_template_parameters' && t.parameters[0]!.selectOptions).toEqual([
      { value: 'a', label: 'Alpha' },
      { value: 'b', label: 'b' },
    ]);
  });
});

describe('other project documents', () => {
  it('variables: labelled, multi-line and scoped values', () => {
    const doc = validateFile({ path: 'x/.octopus/variables.ocl', text: demo('projects/storefront/.octopus/variables.ocl') }).document as VariablesDocument;
    expect(doc.variables.map((v) => [v.name, v.type])).toEqual([
      ['Storefront.Cdn.Host', 'String'],
      ['Storefront.Banner', 'String'],
    ]);
    expect(doc.variables[0]!.values[1]).toMatchObject({ value: 'cdn.storefront.example.com', scopes: { environment: ['production'] } });
    expect(doc.variables[1]!.values[0]!.value).toBe('Welcome to the storefront.\nOrders ship within two days.');
  });
  it('runbook: settings and process', () => {
    const doc = validateFile({ path: 'x/.octopus/runbooks/restart-site.ocl', text: demo('projects/storefront/.octopus/runbooks/restart-site.ocl') }).document as RunbookDocument;
    expect(doc).toMatchObject({ slug: 'restart-site', name: 'Restart site', environmentScope: 'Specified', environments: ['production'], migratedDraft: false });
    expect(doc.runRetentionPolicy?.type).toBe('Default');
    expect(doc.process?.steps[0]?.properties.values['Octopus.Action.TargetRoles']).toBe('storefront-web');
  });
  it('deployment settings: the pre-2021-08 two-label donor package still yields step and package', () => {
    const r = validateFile({ path: 'x/.octopus/deployment_settings.ocl', text: 'versioning_strategy {\n    donor_package "push" "cli" {\n    }\n}\n' });
    const doc = r.document as DeploymentSettingsDocument;
    expect(doc.versioningStrategy?.donorPackage).toMatchObject({ step: 'push', package: 'cli' });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['SCH105']);
  });
  it('Dec-2020 steps/actions are modelled as steps and actions', () => {
    const r = validateFile({ path: 'x/.octopus/deployment-process.ocl', text: 'steps "Say hi" {\n    actions "Say hi" {\n        action_type = "Octopus.Script"\n    }\n}\n' });
    const doc = r.document as DeploymentProcessDocument;
    expect(doc.steps.map((s) => [s.slug, s.actions.length])).toEqual([['Say hi', 1]]);
    expect(r.diagnostics.every((d) => d.severity === 'warning')).toBe(true);
    expect(r.diagnostics.map((d) => d.code).sort()).toEqual(['SCH101', 'SCH103', 'SCH104']);
  });
});

describe('Octostache reference scanner', () => {
  it('finds plain, conditional, loop and filtered references and script lookups', () => {
    const { references, locals } = findReferences(
      '#{A.B} #{if C}x#{/if} #{each m in D.E}#{m.Name}#{/each} #{F | ToLower} ##{Escaped} $OctopusParameters["G.H"] #{Octopus.Action[Step one].Output.X}',
    );
    expect(references.map((r) => r.name)).toEqual(['A.B', 'C', 'D.E', 'm.Name', 'F', 'Octopus.Action[Step one].Output.X', 'G.H']);
    expect([...locals]).toEqual(['m']);
  });
});

describe('model fields read from attributes', () => {
  const text = [
    'step "build" {',
    '    name = "Build"',
    '    name = "Second name"',
    '    colour = "blue"',
    '    condition = 3',
    '',
    '    action "compile" {',
    '        action_type = "Octopus.Script"',
    '        action_type = "Octopus.Manual"',
    '        is_required = "yes"',
    '        environments = ["dev", "prod"]',
    '        shape = { a = 1 }',
    '        worker_pool = "pool"',
    '',
    '        packages "app" {',
    '            feed_id_or_name = "legacy-feed"',
    '            package_id = "App"',
    '            size = 3',
    '        }',
    '    }',
    '}',
    '',
    'process_template "deploy" {',
    '    process_template_slug = "deploy-service"',
    '    version_mask = "1.X"',
    '    flavour = true',
    '',
    '    parameter "Template.A" {',
    '        value = "one"',
    '    }',
    '',
    '    package_parameter "Template.P" {',
    '        feed = "f"',
    '        package_id = "p"',
    '    }',
    '}',
    '',
  ].join('\n');
  const doc = validateFile({ path: '.octopus/deployment_process.ocl', text }).document as DeploymentProcessDocument;
  const step = doc.steps[0]!;
  const action = step.actions[0]!;

  it('reads the first attribute of each name, and a value of another type as absent', () => {
    expect(step.name).toBe('Build');
    expect(step.attributeRanges['name']!.start.line).toBe(2);
    expect(step.condition).toBe('Success');
    expect(action.actionType).toBe('Octopus.Script');
    expect(action.isRequired).toBe(false);
    expect(action.environments).toEqual(['dev', 'prod']);
    expect(action.packages[0]!.feed).toBe('legacy-feed');
  });

  it('keeps the attributes it does not model as JSON, in source order', () => {
    expect(step.extra).toEqual({ colour: 'blue' });
    expect(action.extra).toEqual({ shape: { a: 1 } });
    expect(action.packages[0]!.extra).toEqual({ size: 3 });
    expect(doc.usages[0]!.extra).toEqual({ flavour: true });
  });

  it('gives each object its fields in one order: the block source, then the builder\'s, then the optional ones set', () => {
    expect(Object.keys(step)).toEqual(['type', 'range', 'headerRange', 'attributeRanges', 'labelRange', 'slug', 'name', 'hasExplicitName', 'condition', 'startTrigger', 'properties', 'actions', 'extra']);
    expect(Object.keys(step.attributeRanges)).toEqual(['name', 'colour', 'condition']);
    expect(Object.keys(action)).toEqual([
      'range', 'headerRange', 'attributeRanges', 'labelRange', 'slug', 'channels', 'environments', 'excludedEnvironments', 'isDisabled', 'isRequired', 'properties',
      'tenantTags', 'gitDependencies', 'packages', 'extra', 'label', 'actionType', 'workerPool',
    ]);
    expect(Object.keys(action.packages[0]!)).toEqual(['range', 'headerRange', 'attributeRanges', 'labelRange', 'properties', 'extra', 'name', 'feed', 'packageId']);
    const usage = doc.usages[0]!;
    expect(Object.keys(usage)).toEqual([
      'type', 'range', 'headerRange', 'attributeRanges', 'labelRange', 'slug', 'name', 'hasExplicitName', 'condition', 'startTrigger', 'properties', 'parameters',
      'packageParameters', 'extra', 'processTemplateSlug', 'versionMask',
    ]);
    expect(Object.keys(usage.parameters[0]!)).toEqual(['range', 'headerRange', 'attributeRanges', 'labelRange', 'name', 'value']);
    expect(Object.keys(usage.packageParameters[0]!)).toEqual(['range', 'headerRange', 'attributeRanges', 'labelRange', 'name', 'feed', 'packageId']);
  });
});
