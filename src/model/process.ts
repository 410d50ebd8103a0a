/** Builds the process model (steps, actions, process-template usages) shared by deployment processes, runbooks and process templates. */
import type { OclBlock, OclDocument, OclElement } from '../ocl/ast.js';
import type { BlockCache } from './block-cache.js';
import { BodyReader, blockSource, boolOf, mapOf, positionsOf, readAttributes, stringListOf, stringOf, type AttributeRead, type BlockSource } from './body.js';
import { blockHeaderRange, projectDocument } from './projection.js';
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

/** What steps and process template usages read alike: first in both lists, so at the same positions. */
const ITEM_ATTRIBUTES = ['name', 'condition', 'start_trigger', 'properties'] as const;
const ITEM = positionsOf(ITEM_ATTRIBUTES);
const STEP_ATTRIBUTES = [...ITEM_ATTRIBUTES, 'package_requirement'] as const;
const STEP = positionsOf(STEP_ATTRIBUTES);
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
] as const;
const ACTION = positionsOf(ACTION_ATTRIBUTES);
const PACKAGE_ATTRIBUTES = ['acquisition_location', 'feed', 'package_id', 'properties', 'feed_id_or_name'] as const;
const PACKAGE = positionsOf(PACKAGE_ATTRIBUTES);
const USAGE_ATTRIBUTES = [...ITEM_ATTRIBUTES, 'process_template_slug', 'version_mask'] as const;
const USAGE = positionsOf(USAGE_ATTRIBUTES);
const USAGE_PARAMETER_ATTRIBUTES = ['value'] as const;
const USAGE_PACKAGE_PARAMETER_ATTRIBUTES = ['feed', 'package_id', 'version'] as const;
const USAGE_PACKAGE_PARAMETER = positionsOf(USAGE_PACKAGE_PARAMETER_ATTRIBUTES);

function propertyMap(reader: BodyReader, name = 'properties'): PropertyMap {
  return reader.map(name);
}

export function buildProcess(body: readonly OclElement[], options: ProcessBuildOptions = {}): ProcessModel {
  const items: ProcessItem[] = [];
  const steps: StepModel[] = [];
  const usages: ProcessTemplateUsageModel[] = [];
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
    if (item.type === 'step') steps.push(item);
    else usages.push(item);
  }
  return { items, steps, usages };
}

// Steps, actions and packages are built from one pass over their attributes (readAttributes), as object
// literals holding every field: one with the label's range, one without, so that the fields and their order
// are blockSource's and then the builder's as before. Object.assign of a temporary object, and each field
// added one by one growing the object's storage, cost more than the rest of building them.

export function buildStep(block: OclBlock, options: ProcessBuildOptions = {}): StepModel {
  const label = block.labels[0];
  const { values, range, headerRange, attributeRanges, slug, name, hasExplicitName, condition, startTrigger, properties, extra } = readItem(block, STEP_ATTRIBUTES);
  const type = 'step';
  const actions = blocksNamed(block.body, 'action', options.legacyBlockNames ? 'actions' : undefined).map((b) => buildAction(b, slug));
  const step: StepModel =
    label === undefined
      ? { type, range, headerRange, attributeRanges, slug, name, hasExplicitName, condition, startTrigger, properties, actions, extra }
      : { type, range, headerRange, attributeRanges, labelRange: label.range, slug, name, hasExplicitName, condition, startTrigger, properties, actions, extra };
  const packageRequirement = stringOf(values[STEP.package_requirement]);
  if (packageRequirement !== undefined) step.packageRequirement = packageRequirement;
  return step;
}

/** A step's or process template usage's attributes (`known` starts with ITEM_ATTRIBUTES) and the fields both have. */
function readItem(block: OclBlock, known: readonly string[]) {
  const { values, attributeRanges, extra } = readAttributes(block.body, known);
  const slug = block.labels[0]?.value ?? '';
  const explicitName = stringOf(values[ITEM.name]);
  return {
    values,
    range: block.range,
    headerRange: blockHeaderRange(block),
    attributeRanges,
    slug,
    name: explicitName ?? slug,
    hasExplicitName: explicitName !== undefined,
    condition: stringOf(values[ITEM.condition]) ?? 'Success',
    startTrigger: stringOf(values[ITEM.start_trigger]) ?? 'StartAfterPrevious',
    properties: mapOf(values[ITEM.properties]),
    extra,
  };
}

/** The blocks named `name` in body order, then those named `alsoNamed` (the legacy `actions` after `action`). */
function blocksNamed(body: readonly OclElement[], name: string, alsoNamed: string | undefined): OclBlock[] {
  const out: OclBlock[] = [];
  for (const element of body) if (element.type === 'block' && element.name === name) out.push(element);
  if (alsoNamed !== undefined) for (const element of body) if (element.type === 'block' && element.name === alsoNamed) out.push(element);
  return out;
}

export function buildAction(block: OclBlock, stepSlug: string): ActionModel {
  const firstLabel = block.labels[0];
  const label = firstLabel?.value;
  const { values, attributeRanges, extra } = readAttributes(block.body, ACTION_ATTRIBUTES);
  const gitDependencies: GitDependencyModel[] = [];
  const packages: PackageReferenceModel[] = [];
  let containerBlock: OclBlock | undefined;
  let inputsBlock: OclBlock | undefined;
  for (const element of block.body) {
    if (element.type !== 'block') continue;
    if (element.name === 'git_dependencies') gitDependencies.push(buildGitDependency(element));
    else if (element.name === 'packages') packages.push(buildPackage(element));
    else if (element.name === 'container') containerBlock ??= element;
    else if (element.name === 'inputs') inputsBlock ??= element;
  }
  const range = block.range;
  const headerRange = blockHeaderRange(block);
  const slug = label ?? stepSlug;
  const channels = stringListOf(values[ACTION.channels]) ?? [];
  const environments = stringListOf(values[ACTION.environments]) ?? [];
  const excludedEnvironments = stringListOf(values[ACTION.excluded_environments]) ?? [];
  const isDisabled = boolOf(values[ACTION.is_disabled]) ?? false;
  const isRequired = boolOf(values[ACTION.is_required]) ?? false;
  const properties = mapOf(values[ACTION.properties]);
  const tenantTags = stringListOf(values[ACTION.tenant_tags]) ?? [];
  const action: ActionModel =
    firstLabel === undefined
      ? { range, headerRange, attributeRanges, slug, channels, environments, excludedEnvironments, isDisabled, isRequired, properties, tenantTags, gitDependencies, packages, extra }
      : { range, headerRange, attributeRanges, labelRange: firstLabel.range, slug, channels, environments, excludedEnvironments, isDisabled, isRequired, properties, tenantTags, gitDependencies, packages, extra };
  const optional = {
    label,
    name: stringOf(values[ACTION.name]),
    actionType: stringOf(values[ACTION.action_type]),
    condition: stringOf(values[ACTION.condition]),
    environmentsVariable: stringOf(values[ACTION.environments_variable]),
    notes: stringOf(values[ACTION.notes]),
    stepPackageVersion: stringOf(values[ACTION.step_package_version]),
    workerPool: stringOf(values[ACTION.worker_pool]),
    workerPoolVariable: stringOf(values[ACTION.worker_pool_variable]),
  };
  assignDefined(action, optional);
  if (containerBlock) action.container = buildContainer(containerBlock);
  if (inputsBlock) action.inputs = projectDocument(asDocument(inputsBlock)).json;
  return action;
}

function assignDefined<T extends object>(target: T, values: Partial<T>): void {
  // for…in visits a literal's keys in the order Object.entries lists them, without an array of pairs per call.
  for (const key in values) {
    const value = values[key];
    if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  }
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
  const { values, attributeRanges, extra } = readAttributes(block.body, PACKAGE_ATTRIBUTES);
  const range = block.range;
  const headerRange = blockHeaderRange(block);
  const properties = mapOf(values[PACKAGE.properties]);
  const firstLabel = block.labels[0];
  const pkg: PackageReferenceModel =
    firstLabel === undefined
      ? { range, headerRange, attributeRanges, properties, extra }
      : { range, headerRange, attributeRanges, labelRange: firstLabel.range, properties, extra };
  assignDefined(pkg, {
    name: firstLabel?.value,
    acquisitionLocation: stringOf(values[PACKAGE.acquisition_location]),
    feed: stringOf(values[PACKAGE.feed]) ?? stringOf(values[PACKAGE.feed_id_or_name]),
    packageId: stringOf(values[PACKAGE.package_id]),
  });
  return pkg;
}

/** `parameter "<name>" { value = "…" }`: in a process-template usage, and in templated_project_values.ocl. */
export function buildUsageParameter(block: OclBlock): UsageParameterModel {
  const { parameter, values } = namedParameter(block, USAGE_PARAMETER_ATTRIBUTES);
  const value = stringOf(values[0]);
  if (value !== undefined) (parameter as UsageParameterModel).value = value;
  return parameter;
}

/** `package_parameter "<name>" { feed = "…" package_id = "…" }`. */
export function buildUsagePackageParameter(block: OclBlock): UsagePackageParameterModel {
  const { parameter, values } = namedParameter(block, USAGE_PACKAGE_PARAMETER_ATTRIBUTES);
  assignDefined(parameter as UsagePackageParameterModel, {
    feed: stringOf(values[USAGE_PACKAGE_PARAMETER.feed]),
    packageId: stringOf(values[USAGE_PACKAGE_PARAMETER.package_id]),
    version: stringOf(values[USAGE_PACKAGE_PARAMETER.version]),
  });
  return parameter;
}

/** A usage parameter block's source and name (its label), and the values of its `known` attributes. */
function namedParameter(block: OclBlock, known: readonly string[]): { parameter: BlockSource & { name: string }; values: AttributeRead['values'] } {
  const { values, attributeRanges } = readAttributes(block.body, known);
  const range = block.range;
  const headerRange = blockHeaderRange(block);
  const firstLabel = block.labels[0];
  const name = firstLabel?.value ?? '';
  const parameter =
    firstLabel === undefined ? { range, headerRange, attributeRanges, name } : { range, headerRange, attributeRanges, labelRange: firstLabel.range, name };
  return { parameter, values };
}

export function buildUsage(block: OclBlock): ProcessTemplateUsageModel {
  const label = block.labels[0];
  const { values, range, headerRange, attributeRanges, slug, name, hasExplicitName, condition, startTrigger, properties, extra } = readItem(block, USAGE_ATTRIBUTES);
  const type = 'process_template';
  const parameters = blocksNamed(block.body, 'parameter', undefined).map(buildUsageParameter);
  const packageParameters = blocksNamed(block.body, 'package_parameter', undefined).map(buildUsagePackageParameter);
  const usage: ProcessTemplateUsageModel =
    label === undefined
      ? { type, range, headerRange, attributeRanges, slug, name, hasExplicitName, condition, startTrigger, properties, parameters, packageParameters, extra }
      : { type, range, headerRange, attributeRanges, labelRange: label.range, slug, name, hasExplicitName, condition, startTrigger, properties, parameters, packageParameters, extra };
  assignDefined(usage, { processTemplateSlug: stringOf(values[USAGE.process_template_slug]), versionMask: stringOf(values[USAGE.version_mask]) });
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
