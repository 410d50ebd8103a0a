/**
 * Typed documents built from the OCL AST. Every element keeps its source location (`BlockSource`) so
 * that later layers (templates, policy) can point a finding at the step or attribute that caused it.
 */
import type { Range } from '../diagnostics.js';
import type { BlockSource } from './body.js';
import type { DocumentKind } from './kinds.js';
import type { JsonObject, JsonValue } from './projection.js';

export type { BlockSource } from './body.js';

/** Location of a document-level element set: top-level attributes have ranges, the document has none of its own header. */
export interface DocumentSource {
  range: Range;
  attributeRanges: Record<string, Range>;
}

export interface PropertyMap {
  values: Record<string, string>;
  ranges: Record<string, Range>;
}

export interface ContainerModel extends BlockSource {
  feed?: string;
  image?: string;
  dockerfile?: string;
}

export interface GitDependencyModel extends BlockSource {
  name?: string;
  defaultBranch?: string;
  filePathFilters: string[];
  gitCredentialType?: string;
  gitCredentialId?: string;
  repositoryUri?: string;
  extra: Record<string, JsonValue>;
}

export interface PackageReferenceModel extends BlockSource {
  /** Label; undefined for the primary package. */
  name?: string;
  acquisitionLocation?: string;
  feed?: string;
  packageId?: string;
  properties: PropertyMap;
  extra: Record<string, JsonValue>;
}

export interface ActionModel extends BlockSource {
  /** The label as written; undefined when the action is unlabelled. */
  label?: string;
  /** The action's slug: its label, or the step slug when unlabelled (Octopus's solitary-action rule). */
  slug: string;
  /** The action's name attribute; undefined means "same as the step name". */
  name?: string;
  actionType?: string;
  channels: string[];
  condition?: string;
  environments: string[];
  environmentsVariable?: string;
  excludedEnvironments: string[];
  isDisabled: boolean;
  isRequired: boolean;
  notes?: string;
  properties: PropertyMap;
  stepPackageVersion?: string;
  tenantTags: string[];
  workerPool?: string;
  workerPoolVariable?: string;
  container?: ContainerModel;
  gitDependencies: GitDependencyModel[];
  packages: PackageReferenceModel[];
  /** Step-package inputs (free-form, Octopus defines them per step package). */
  inputs?: JsonObject;
  extra: Record<string, JsonValue>;
}

export interface StepModel extends BlockSource {
  type: 'step';
  slug: string;
  /** Display name: the `name` attribute, or the slug when omitted. */
  name: string;
  hasExplicitName: boolean;
  condition: string;
  packageRequirement?: string;
  startTrigger: string;
  properties: PropertyMap;
  actions: ActionModel[];
  extra: Record<string, JsonValue>;
}

export interface UsageParameterModel extends BlockSource {
  name: string;
  value?: string;
}

export interface UsagePackageParameterModel extends BlockSource {
  name: string;
  feed?: string;
  packageId?: string;
  version?: string;
}

/** A `process_template "<slug>" { … }` usage step. */
export interface ProcessTemplateUsageModel extends BlockSource {
  type: 'process_template';
  slug: string;
  name: string;
  hasExplicitName: boolean;
  processTemplateSlug?: string;
  versionMask?: string;
  condition: string;
  startTrigger: string;
  properties: PropertyMap;
  parameters: UsageParameterModel[];
  packageParameters: UsagePackageParameterModel[];
  extra: Record<string, JsonValue>;
}

export type ProcessItem = StepModel | ProcessTemplateUsageModel;

export interface ProcessModel {
  /** Steps and usages in execution order. */
  items: ProcessItem[];
  steps: StepModel[];
  usages: ProcessTemplateUsageModel[];
}

interface DocumentBase {
  file?: string;
  source: DocumentSource;
}

export interface DeploymentProcessDocument extends DocumentBase, ProcessModel {
  kind: 'deployment_process';
  /** Set when the file sits in a project template folder. */
  projectTemplate?: string;
}

export interface ConnectivityPolicyModel extends BlockSource {
  allowDeploymentsToNoTargets?: boolean;
  excludeUnhealthyTargets?: boolean;
  skipMachineBehavior?: string;
  targetRoles: string[];
}

export interface DeploymentSettingsDocument extends DocumentBase {
  kind: 'deployment_settings';
  cancelQueuedTasks?: boolean;
  cancelRunningTasks?: boolean;
  defaultGuidedFailureMode?: string;
  deploymentChangesTemplate?: string;
  releaseNotesTemplate?: string;
  connectivityPolicy?: ConnectivityPolicyModel;
  versioningStrategy?: BlockSource & {
    template?: string;
    donorPackage?: BlockSource & { step?: string; package?: string };
  };
  extra: Record<string, JsonValue>;
}

export interface PromptModel extends BlockSource {
  label?: string;
  description?: string;
  required: boolean;
  displaySettings: PropertyMap;
}

export interface VariableValueModel extends BlockSource {
  /** The value: the block label, or the `value` attribute of an unlabelled block; undefined for `value {}`. */
  value?: string;
  description?: string;
  /** Scopes by OCL name: environment, role, machine, channel, action, process, tenant_tag, … */
  scopes: Record<string, string[]>;
  prompt?: PromptModel;
}

export interface VariableModel extends BlockSource {
  name: string;
  /** `String` when omitted. */
  type: string;
  values: VariableValueModel[];
}

export interface VariablesDocument extends DocumentBase {
  kind: 'variables';
  variables: VariableModel[];
  projectTemplate?: string;
}

export interface SchemaVersionDocument extends DocumentBase {
  kind: 'schema_version';
  version?: number;
}

export interface RunbookDocument extends DocumentBase {
  kind: 'runbook';
  slug?: string;
  migratedDraft: boolean;
  name?: string;
  description?: string;
  environmentScope?: string;
  environments: string[];
  multiTenancyMode?: string;
  defaultGuidedFailureMode?: string;
  connectivityPolicy?: ConnectivityPolicyModel;
  runRetentionPolicy?: BlockSource & { type?: string; quantityToKeep?: number };
  process?: BlockSource & ProcessModel;
  extra: Record<string, JsonValue>;
}

export interface ChannelModel extends BlockSource {
  name: string;
  description?: string;
  isDefault: boolean;
  lifecycle?: string;
}

export interface ChannelsDocument extends DocumentBase {
  kind: 'channels';
  channels: ChannelModel[];
}

export interface ParameterDefaultModel extends BlockSource {
  value?: string;
  environments: string[];
}

export interface TemplateParameterModel extends BlockSource {
  name: string;
  label?: string;
  helpText?: string;
  isOptional: boolean;
  /** `display_settings["Octopus.ControlType"]`. */
  controlType?: string;
  displaySettings: PropertyMap;
  /** `Octopus.SelectOptions` parsed: `value|label` per line. */
  selectOptions?: { value: string; label: string }[];
  defaults: ParameterDefaultModel[];
}

export interface ProcessTemplateDocument extends DocumentBase, ProcessModel {
  kind: 'process_template';
  slug?: string;
  name?: string;
  description?: string;
  icon?: BlockSource & { color?: string; id?: string };
  parameters: TemplateParameterModel[];
}

export interface ProjectTemplateDocument extends DocumentBase {
  kind: 'project_template';
  slug?: string;
  name?: string;
  description?: string;
  extra: Record<string, JsonValue>;
}

export interface ProjectTemplateParametersDocument extends DocumentBase {
  kind: 'project_template_parameters';
  projectTemplate?: string;
  parameters: TemplateParameterModel[];
}

/**
 * `templated_project_values.ocl`: the values a project created from a project template gives the
 * template's parameters (Octopus writes it next to the project's other files; its deployment_process.ocl
 * is then empty). Project-template parameters cannot be scoped, so each value is one string.
 */
export interface TemplatedProjectValuesDocument extends DocumentBase {
  kind: 'templated_project_values';
  parameters: UsageParameterModel[];
  packageParameters: UsagePackageParameterModel[];
}

export interface GenericDocument extends DocumentBase {
  kind: 'project_template_channel' | 'project_template_lifecycle';
  projectTemplate?: string;
  slug?: string;
  name?: string;
  json: JsonObject;
}

export interface RegoSourceModel extends BlockSource {
  /** The Rego module text (heredoc content after dedent). */
  rego?: string;
  /** Range of the `rego` value in the OCL file. */
  regoRange?: Range;
  /** OCL line holding Rego line 1 (for mapping Rego positions back to the OCL file). */
  firstLine?: number;
}

export interface PolicyDocument extends DocumentBase {
  kind: 'policy';
  /** From the file name. */
  slug?: string;
  name?: string;
  description?: string;
  violationReason?: string;
  /** As written (may be invalid: POL001). */
  violationAction?: string;
  /** What Octopus applies: `block` when omitted. */
  effectiveViolationAction: 'block' | 'warn';
  scope?: RegoSourceModel;
  conditions?: RegoSourceModel;
}

// ---- oclhub.ocl ------------------------------------------------------------------------------------

export interface HubSpaceModel extends BlockSource {
  slug: string;
  name: string;
  description?: string;
}

export interface HubEnvironmentModel extends BlockSource {
  slug: string;
  name: string;
  space?: string;
  description?: string;
  /** Promotion order (lower first); declaration order when omitted. */
  order: number;
  tags: string[];
}

export interface HubTenantModel extends BlockSource {
  slug: string;
  name: string;
  space?: string;
  description?: string;
  tags: string[];
  /** Projects the tenant is connected to; empty = all. */
  projects: string[];
  environments: string[];
}

export interface HubProjectGroupModel extends BlockSource {
  slug: string;
  name: string;
  space?: string;
  description?: string;
}

export interface HubProjectModel extends BlockSource {
  slug: string;
  name: string;
  space?: string;
  group?: string;
  description?: string;
  tags: string[];
  /** A folder in the hub repository holding the project's `.octopus` files. */
  path?: string;
  /** Another repository (URL or local path), with `ref` (default: its default branch) and `path` inside it. */
  repository?: string;
  ref?: string;
  /** Environments the project deploys to; empty = every environment of its space. */
  environments: string[];
  tenanted?: string;
  /** `dependency "<project slug>" { … }` blocks: the projects this one depends on (see src/deps). */
  dependencies: HubProjectDependencyModel[];
}

/** `dependency "<project slug>" { version = "~2.4.0"  deploy_group = 1  action = "Stop"  tenant = "…" }`. */
export interface HubProjectDependencyModel extends BlockSource {
  /** The label: the slug of the project depended on. */
  project: string;
  /** The version pattern (src/deps/version-pattern.ts). */
  version?: string;
  deployGroup?: number;
  action?: string;
  tenant?: string;
}

export interface HubPolicyActivationModel extends BlockSource {
  slug: string;
  activeVersion?: string;
}

/**
 * `limits { ... }` in oclhub.ocl: the Rego evaluation budget of every policy decision the hub makes
 * (lint, evaluate, the HTTP API). Unset fields keep the engine defaults (docs/rego-limits.md).
 */
export interface HubLimitsModel extends BlockSource {
  maxSteps?: number;
  maxMillis?: number;
  maxMemoryBytes?: number;
  maxOutputNodes?: number;
  builtinBytesPerStep?: number;
}

export interface HubPolicyExceptionModel extends BlockSource {
  id: string;
  policy?: string;
  project?: string;
  environment?: string;
  tenant?: string;
  reason?: string;
  owner?: string;
  /** `YYYY-MM-DD` (the exception applies through that day, UTC) or an RFC 3339 timestamp. */
  expires?: string;
}

/**
 * `step_template "ActionTemplates-3" { action_type = "Octopus.Manual" }`: Octopus writes no `action_type`
 * for an action based on a step template (only `Octopus.Action.Template.Id`), yet its policy input carries
 * the template's type; this declaration is where oclhub learns it.
 */
export interface HubStepTemplateModel extends BlockSource {
  /** The label: the template Id exactly as in `Octopus.Action.Template.Id`. */
  id: string;
  name?: string;
  actionType?: string;
}

/** `rule "<CODE>" { severity, paths, reason }`: see src/model/rule-settings.ts. */
export interface HubRuleSettingModel extends BlockSource {
  code: string;
  severity?: 'off' | 'info' | 'warning' | 'error';
  paths: string[];
  reason?: string;
  /** For best-practice rules with a threshold (src/practices): the limit to check instead of the default. */
  threshold?: number;
}

export interface HubConfigDocument extends DocumentBase {
  kind: 'oclhub';
  basePath: string;
  defaultSpace?: string;
  spaces: HubSpaceModel[];
  environments: HubEnvironmentModel[];
  tenants: HubTenantModel[];
  projectGroups: HubProjectGroupModel[];
  projects: HubProjectModel[];
  policies: HubPolicyActivationModel[];
  exceptions: HubPolicyExceptionModel[];
  rules: HubRuleSettingModel[];
  limits?: HubLimitsModel;
  /** `step_template "<Id>" { action_type = "…" }`: the action types of step templates (docs/oclhub-ocl.md). */
  stepTemplates: HubStepTemplateModel[];
}

export type ModelDocument =
  | DeploymentProcessDocument
  | DeploymentSettingsDocument
  | VariablesDocument
  | SchemaVersionDocument
  | RunbookDocument
  | ChannelsDocument
  | ProcessTemplateDocument
  | ProjectTemplateDocument
  | ProjectTemplateParametersDocument
  | TemplatedProjectValuesDocument
  | GenericDocument
  | PolicyDocument
  | HubConfigDocument;

/** Compile-time check that every kind has a document type. */
export type DocumentOfKind<K extends DocumentKind> = Extract<ModelDocument, { kind: K }>;
