/** Builds the process model (steps, actions, process-template usages) shared by deployment processes, runbooks and process templates. */
import type { OclBlock, OclDocument, OclElement } from '../ocl/ast.js';
import type { BlockCache } from './block-cache.js';
import { BodyReader, blockSource } from './body.js';
import { projectDocument } from './projection.js';
import type {
  ActionModel,
  ContainerModel,
  GitDependencyModel,
  PackageReferenceModel,
  ProcessItem,
  ProcessModel,
  ProcessTemplateUsageModel,
  PropertyMap,
  StepModel,
  TemplateParameterModel,
  UsagePackageParameterModel,
  UsageParameterModel,
} from './types.js';

export interface ProcessBuildOptions {
  /** Block names to treat as `step` / `action` (the Dec-2020 `steps` / `actions` form). */
  legacyBlockNames?: boolean;
  /** Items built for an earlier version of the file (see block-cache.ts). */
  cache?: BlockCache;
}

const STEP_ATTRIBUTES = ['name', 'condition', 'package_requirement', 'properties', 'start_trigger'];
const ACTION_ATTRIBUTES = [
  'action_type',
  'channels',
  'condition',
  'environments',
  'environments_variable',
  'excluded_environments',
  'is_disabled',
  'is_required',
  'name',
  'notes',
  'properties',
  'step_package_version',
  'tenant_tags',
  'worker_pool',
  'worker_pool_variable',
];

function propertyMap(reader: BodyReader, name = 'properties'): PropertyMap {
  return reader.map(name);
}

export function buildProcess(body: readonly OclElement[], options: ProcessBuildOptions = {}): ProcessModel {
  const items: ProcessItem[] = [];
  const cache = options.cache;
  const setting = options.legacyBlockNames ? 'legacy' : '';
  for (const element of body) {
    if (element.type !== 'block') continue;
    const step = element.name === 'step' || (options.legacyBlockNames === true && element.name === 'steps');
    if (!step && element.name !== 'process_template') continue;
    let item = cache?.processItems.get(element, setting);
    if (!item) {
      item = step ? buildStep(element, options) : buildUsage(element);
      cache?.processItems.set(element, setting, item);
    }
    items.push(item);
  }
  return {
    items,
    steps: items.filter((i): i is StepModel => i.type === 'step'),
    usages: items.filter((i): i is ProcessTemplateUsageModel => i.type === 'process_template'),
  };
}

export function buildStep(block: OclBlock, options: ProcessBuildOptions = {}): StepModel {
  const reader = new BodyReader(block.body);
  const slug = block.labels[0]?.value ?? '';
  const explicitName = reader.string('name');
  const actionBlocks = [...reader.blockList('action'), ...(options.legacyBlockNames ? reader.blockList('actions') : [])];
  // Object.assign, not `{ ...source, a, b, … }`: V8 (Node 20) defines each property after a spread through a
  // slow runtime path, which made building a large process several times slower than parsing it.
  const step: StepModel = Object.assign({ type: 'step' as const }, blockSource(block, reader), {
    slug,
    name: explicitName ?? slug,
    hasExplicitName: explicitName !== undefined,
    condition: reader.string('condition') ?? 'Success',
    startTrigger: reader.string('start_trigger') ?? 'StartAfterPrevious',
    properties: propertyMap(reader),
    actions: [] as ActionModel[],
    extra: reader.extra(STEP_ATTRIBUTES),
  });
  const packageRequirement = reader.string('package_requirement');
  if (packageRequirement !== undefined) step.packageRequirement = packageRequirement;
  step.actions = actionBlocks.map((b) => buildAction(b, slug));
  return step;
}

function assignDefined<T extends object>(target: T, values: Partial<T>): void {
  // for…in visits a literal's keys in the order Object.entries lists them, without an array of pairs per call.
  for (const key in values) {
    const value = values[key];
    if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  }
}

export function buildAction(block: OclBlock, stepSlug: string): ActionModel {
  const reader = new BodyReader(block.body);
  const label = block.labels[0]?.value;
  const action: ActionModel = Object.assign(blockSource(block, reader), {
    slug: label ?? stepSlug,
    channels: reader.stringList('channels') ?? [],
    environments: reader.stringList('environments') ?? [],
    excludedEnvironments: reader.stringList('excluded_environments') ?? [],
    isDisabled: reader.bool('is_disabled') ?? false,
    isRequired: reader.bool('is_required') ?? false,
    properties: propertyMap(reader),
    tenantTags: reader.stringList('tenant_tags') ?? [],
    gitDependencies: reader.blockList('git_dependencies').map(buildGitDependency),
    packages: reader.blockList('packages').map(buildPackage),
    extra: reader.extra(ACTION_ATTRIBUTES),
  });
  assignDefined(action, {
    label,
    name: reader.string('name'),
    actionType: reader.string('action_type'),
    condition: reader.string('condition'),
    environmentsVariable: reader.string('environments_variable'),
    notes: reader.string('notes'),
    stepPackageVersion: reader.string('step_package_version'),
    workerPool: reader.string('worker_pool'),
    workerPoolVariable: reader.string('worker_pool_variable'),
  });
  const container = reader.block('container');
  if (container) action.container = buildContainer(container);
  const inputs = reader.block('inputs');
  if (inputs) action.inputs = projectDocument(asDocument(inputs)).json;
  return action;
}

/** A document wrapper around a block body, so the projection can turn free-form blocks into JSON. */
function asDocument(block: OclBlock): OclDocument {
  return { type: 'document', body: block.body, lineEnding: '\n', finalNewline: false, bom: false, range: block.range };
}

function buildContainer(block: OclBlock): ContainerModel {
  const reader = new BodyReader(block.body);
  const container: ContainerModel = blockSource(block, reader);
  assignDefined(container, { feed: reader.string('feed'), image: reader.string('image'), dockerfile: reader.string('dockerfile') });
  return container;
}

function buildGitDependency(block: OclBlock): GitDependencyModel {
  const reader = new BodyReader(block.body);
  const dep: GitDependencyModel = Object.assign(blockSource(block, reader), {
    filePathFilters: reader.stringList('file_path_filters') ?? [],
    extra: reader.extra(['default_branch', 'file_path_filters', 'git_credential_type', 'git_credential_id', 'repository_uri']),
  });
  assignDefined(dep, {
    name: block.labels[0]?.value,
    defaultBranch: reader.string('default_branch'),
    gitCredentialType: reader.string('git_credential_type'),
    gitCredentialId: reader.string('git_credential_id'),
    repositoryUri: reader.string('repository_uri'),
  });
  return dep;
}

function buildPackage(block: OclBlock): PackageReferenceModel {
  const reader = new BodyReader(block.body);
  const pkg: PackageReferenceModel = Object.assign(blockSource(block, reader), {
    properties: propertyMap(reader),
    extra: reader.extra(['acquisition_location', 'feed', 'package_id', 'properties', 'feed_id_or_name']),
  });
  assignDefined(pkg, {
    name: block.labels[0]?.value,
    acquisitionLocation: reader.string('acquisition_location'),
    feed: reader.string('feed') ?? reader.string('feed_id_or_name'),
    packageId: reader.string('package_id'),
  });
  return pkg;
}

/** `parameter "<name>" { value = "…" }`: in a process-template usage, and in templated_project_values.ocl. */
export function buildUsageParameter(block: OclBlock): UsageParameterModel {
  const r = new BodyReader(block.body);
  const p = Object.assign(blockSource(block, r), { name: block.labels[0]?.value ?? '' });
  const value = r.string('value');
  return value === undefined ? p : { ...p, value };
}

/** `package_parameter "<name>" { feed = "…" package_id = "…" }`. */
export function buildUsagePackageParameter(block: OclBlock): UsagePackageParameterModel {
  const r = new BodyReader(block.body);
  const p: UsagePackageParameterModel = Object.assign(blockSource(block, r), { name: block.labels[0]?.value ?? '' });
  assignDefined(p, { feed: r.string('feed'), packageId: r.string('package_id'), version: r.string('version') });
  return p;
}

export function buildUsage(block: OclBlock): ProcessTemplateUsageModel {
  const reader = new BodyReader(block.body);
  const slug = block.labels[0]?.value ?? '';
  const explicitName = reader.string('name');
  const usage: ProcessTemplateUsageModel = Object.assign({ type: 'process_template' as const }, blockSource(block, reader), {
    slug,
    name: explicitName ?? slug,
    hasExplicitName: explicitName !== undefined,
    condition: reader.string('condition') ?? 'Success',
    startTrigger: reader.string('start_trigger') ?? 'StartAfterPrevious',
    properties: propertyMap(reader),
    parameters: reader.blockList('parameter').map(buildUsageParameter),
    packageParameters: reader.blockList('package_parameter').map(buildUsagePackageParameter),
    extra: reader.extra(['name', 'process_template_slug', 'version_mask', 'condition', 'start_trigger', 'properties']),
  });
  assignDefined(usage, { processTemplateSlug: reader.string('process_template_slug'), versionMask: reader.string('version_mask') });
  return usage;
}

export function buildTemplateParameter(block: OclBlock): TemplateParameterModel {
  const reader = new BodyReader(block.body);
  const displaySettings = reader.map('display_settings');
  const parameter: TemplateParameterModel = Object.assign(blockSource(block, reader), {
    name: block.labels[0]?.value ?? '',
    isOptional: reader.bool('is_optional') ?? false,
    displaySettings,
    defaults: reader.blockList('value').map((b) => {
      const r = new BodyReader(b.body);
      const d = Object.assign(blockSource(b, r), { environments: r.stringList('environment') ?? [] });
      const value = b.labels[0]?.value ?? r.string('value');
      return value === undefined ? d : { ...d, value };
    }),
  });
  assignDefined(parameter, {
    label: reader.string('label'),
    helpText: reader.string('help_text'),
    controlType: displaySettings.values['Octopus.ControlType'],
  });
  const options = displaySettings.values['Octopus.SelectOptions'];
  if (options !== undefined) {
    parameter.selectOptions = options
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const bar = line.indexOf('|');
        return bar < 0 ? { value: line.trim(), label: line.trim() } : { value: line.slice(0, bar).trim(), label: line.slice(bar + 1).trim() };
      });
  }
  return parameter;
}
