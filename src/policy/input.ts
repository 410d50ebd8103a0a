/**
 * The Octopus policy input object (platform-hub.md §4.5, schema `input-schema.docs-2026-06.json`) for one
 * resolved process in one context: project × environment (× tenant), as a deployment of a release or a
 * runbook run. Policies written for Octopus read exactly this shape.
 *
 * Decisions the Octopus docs leave to the implementation, and what oclhub does:
 * - Ids are deterministic, so that the same repository gives the same input (and decisions) everywhere:
 *   `Environments-<slug>`, `Projects-<slug>`, `Spaces-<slug>`, `ProjectGroups-<slug>`, `Tenants-<slug>`,
 *   `Releases-<project>-<version>`, `Runbooks-<project>-<runbook>`, `Feeds-<feed slug>`. Step and package
 *   Ids are GUID-shaped (as in Octopus) and derived from a SHA-1 of `<project>/<process>/<action slug>`
 *   (version-5-UUID style), so they are stable across runs and machines.
 * - One `Steps` entry per action (a multi-action step gives several entries); every step of the process
 *   is listed, including steps scoped away from the environment (Octopus does the same).
 * - `Source`: a template child is `{Type: "Process Template", SlugOrId: <template slug>, Version}`; an
 *   action with `Octopus.Action.Template.Id` is `{Type: "Step Template", SlugOrId: <id>, Version}`; any
 *   other is `{Type: "Step", SlugOrId: <action slug>}`.
 * - `IsConditional`: a non-default step run condition (`condition` other than `Success`), an action
 *   condition, or an action scoped by environments, excluded environments, channels or tenant tags.
 * - `Execution`: consecutive steps whose `start_trigger` is `StartWithPrevious` join the previous group
 *   (they run in parallel with it); a group's `StartTrigger` is its first step's trigger.
 * - `SkippedSteps`: the Ids of the actions whose slug, step slug or process-template usage slug is in `skippedSteps`.
 * - `Release`: only when a release version is known. A deployment without one leaves `Release` out
 *   (`BuiltInput.unknown`), so a policy that reads it is inconclusive instead of judging an invented
 *   `0.0.0`.
 * - `ActionType`: Octopus writes no `action_type` for an action based on a step template (only
 *   `Octopus.Action.Template.Id`), yet its own input carries the template's type. oclhub takes it from
 *   `step_template "<Id>" { action_type = "…" }` in oclhub.ocl; without one the field is left out of
 *   that step (never invented) and the step listed in `unknownActionTypes`: a policy that may read
 *   `ActionType` decides `error` there (evaluate.ts).
 * - `Packages`: only for deployments (the schema says they are absent for runbook runs). A template
 *   package reference bound through a `package_parameter` takes the usage's feed and package id.
 */
import * as crypto from 'node:crypto';
import type { Range, RelatedInformation } from '../diagnostics.js';
import type { ActionModel, HubConfigDocument, PackageReferenceModel } from '../model/types.js';
import type { ResolvedStep } from '../templates/expand.js';
import type { ParameterBinding } from '../templates/parameters.js';
import type { ResolvedProcess } from '../templates/resolve.js';
import { suggest } from '../model/suggest.js';
import { stepTemplateIdOf, untypedStepTemplateId } from '../model/checks/step-templates.js';

export interface NamedEntity {
  slug: string;
  name: string;
  tags?: readonly string[];
}

export interface ReleaseContext {
  version: string;
  /** `refs/heads/main` form. */
  gitRef?: string;
}

export interface RunbookContext {
  slug: string;
  name: string;
  /** Snapshot name (default `Snapshot <content hash prefix>` is left to the caller; `Lint` when omitted). */
  snapshot?: string;
  gitRef?: string;
}

export interface InputContext {
  space: NamedEntity;
  project: NamedEntity;
  projectGroup: NamedEntity;
  environment: NamedEntity;
  tenant?: NamedEntity;
  /** A deployment of this release, or (with `runbook`) a runbook run. */
  release?: ReleaseContext;
  runbook?: RunbookContext;
  /** Step or action slugs skipped for this deployment. */
  skippedSteps?: readonly string[];
  requiresApproval?: boolean;
}

export interface OctopusFeed {
  Id: string;
  Name: string;
  Slug: string;
  Type: string;
}

export interface OctopusPackage {
  Id: string;
  Name: string;
  Version?: string;
  GitRef?: string;
  Feed?: OctopusFeed;
}

export interface OctopusStepSource {
  Type: 'Step' | 'Step Template' | 'Process Template';
  SlugOrId: string;
  Version?: string;
}

export interface OctopusStep {
  Id: string;
  Slug: string;
  /** Absent for a step-template action whose template oclhub.ocl does not declare (see `UnknownActionType`). */
  ActionType?: string;
  Enabled: boolean;
  IsRequired: boolean;
  IsConditional: boolean;
  Source: OctopusStepSource;
  Packages?: OctopusPackage[];
}

export interface OctopusInput {
  Environment: { Id: string; Name: string; Slug: string; Tags: string[] };
  Project: { Id: string; Name: string; Slug: string; Tags: string[] };
  Space: { Id: string; Name: string; Slug: string };
  ProjectGroup: { Id: string; Name: string; Slug: string };
  Tenant?: { Id: string; Name: string; Slug: string; Tags: string[] };
  Steps: OctopusStep[];
  SkippedSteps: string[];
  Execution: { StartTrigger: string; Steps: string[] }[];
  RequiresApproval: boolean;
  Release?: { Id: string; Name: string; Version: string; GitRef?: string };
  Runbook?: { Id: string; Name: string; Snapshot: string; GitRef?: string };
}

/** Where an input step comes from: the project file and range, plus the template line for template children. */
export interface InputStepLocation {
  id: string;
  slug: string;
  /** The step's slug in the process (the expanded slug for template children). */
  step: string;
  file: string;
  range: Range;
  related: RelatedInformation[];
  /** For a template child: the commit of the template's tag (the file `related` names is read there). */
  templateCommit?: string;
}

export interface BuiltInput {
  input: OctopusInput;
  /** Step Id → where the step is written. */
  locations: Map<string, InputStepLocation>;
  /** Input paths the context does not know (see `unknownInput`); pass them to `evaluatePolicy`. */
  unknown: readonly string[];
  /** The steps whose `ActionType` is unknown (left out): pass them to `evaluatePolicy` as `unknownActionTypes`. */
  unknownActionTypes: readonly UnknownActionType[];
}

/** A step-template action whose template oclhub.ocl does not declare: its `ActionType` is unknown. */
export interface UnknownActionType {
  /** The step's Id in the input. */
  id: string;
  /** The action's slug. */
  slug: string;
  /** `Octopus.Action.Template.Id`. */
  templateId: string;
}

const STEP_TEMPLATE_VERSION = 'Octopus.Action.Template.Version';
const BUILT_IN_FEED = 'octopus-server-built-in';

/**
 * SHA-1 of a text, hex: the one-shot `crypto.hash` where Node has it (20.12+), about 2.5× faster than a
 * Hash object for the short texts of step ids (a 1,000-project lint makes tens of thousands).
 */
const sha1Hex: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => (crypto as unknown as { hash(algorithm: string, data: string, encoding: 'hex'): string }).hash('sha1', text, 'hex')
    : (text) => crypto.createHash('sha1').update(text).digest('hex');

/** A GUID-shaped id derived from the text (SHA-1, version-5 layout): stable across runs and machines. */
export function stableGuid(text: string): string {
  const h = sha1Hex(text);
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function entityId(kind: 'Environments' | 'Projects' | 'Spaces' | 'ProjectGroups' | 'Tenants' | 'Feeds', slug: string): string {
  return `${kind}-${slug}`;
}

/** The process-dependent part of the input (Steps, Execution, locations): the same for every environment. */
export interface ProcessSteps {
  steps: OctopusStep[];
  execution: { StartTrigger: string; Steps: string[] }[];
  /** Action slug and step slug → step Ids, for SkippedSteps. */
  idsBySlug: Map<string, string[]>;
  locations: Map<string, InputStepLocation>;
  /** Step-template actions whose type oclhub.ocl does not declare, in process order (empty: the shared `NO_UNKNOWN_ACTION_TYPES`). */
  unknownActionTypes: readonly UnknownActionType[];
}

/** Template Id → declared action type (`step_template` blocks); the first block of an Id wins, as `bySlug`. */
export type StepTemplateTypes = ReadonlyMap<string, string>;

const NO_UNKNOWN_ACTION_TYPES: readonly UnknownActionType[] = Object.freeze([]);
const stepTemplateTypes = new WeakMap<HubConfigDocument, StepTemplateTypes>();
const NO_STEP_TEMPLATES: StepTemplateTypes = new Map();

/** The declared step-template action types of a hub (none without oclhub.ocl), one map per document. */
export function stepTemplateTypesOf(config: HubConfigDocument | undefined): StepTemplateTypes {
  if (!config || config.stepTemplates.length === 0) return NO_STEP_TEMPLATES;
  let types = stepTemplateTypes.get(config);
  if (!types) {
    const map = new Map<string, string>();
    for (const t of config.stepTemplates) if (!map.has(t.id) && t.actionType !== undefined && t.actionType !== '') map.set(t.id, t.actionType);
    stepTemplateTypes.set(config, (types = map));
  }
  return types;
}

function feedType(feed: string): string {
  if (feed === BUILT_IN_FEED) return 'BuiltIn';
  if (/docker|ghcr|ecr|acr|container/i.test(feed)) return 'Docker';
  if (/helm/i.test(feed)) return 'Helm';
  if (/github/i.test(feed)) return 'GitHub';
  if (/maven/i.test(feed)) return 'Maven';
  if (/nuget/i.test(feed)) return 'NuGet';
  return 'External';
}

/** Feed objects by slug: nothing changes an input once built, so packages of every project share them (at most FEEDS_KEPT kept). */
const feeds = new Map<string, OctopusFeed>();
const FEEDS_KEPT = 1024;

/** A package's Feed: the same few feeds over a hub's projects, each typed once (feedType tries up to six patterns). */
function feedObject(feed: string): OctopusFeed {
  let object = feeds.get(feed);
  if (!object) {
    if (feeds.size >= FEEDS_KEPT) feeds.clear();
    feeds.set(feed, (object = { Id: entityId('Feeds', feed), Name: feed === BUILT_IN_FEED ? 'Octopus Server (built-in)' : feed, Slug: feed, Type: feedType(feed) }));
  }
  return object;
}

function isConditional(step: ResolvedStep, action: ActionModel): boolean {
  return (
    (step.step.condition !== '' && step.step.condition !== 'Success') ||
    (action.condition !== undefined && action.condition !== '' && action.condition !== 'Success') ||
    action.environments.length > 0 ||
    action.excludedEnvironments.length > 0 ||
    action.channels.length > 0 ||
    action.tenantTags.length > 0 ||
    (action.environmentsVariable !== undefined && action.environmentsVariable !== '')
  );
}

function packageOf(ref: PackageReferenceModel, idSeed: string, bindings: ReadonlyMap<string, ParameterBinding> | undefined): OctopusPackage {
  let packageId = ref.packageId ?? '';
  let feed = ref.feed;
  const parameter = ref.properties.values['PackageParameterName'] ?? ref.name;
  const bound = parameter !== undefined ? bindings?.get(parameter) : undefined;
  if (bound && (packageId === '' || packageId.includes('#{'))) {
    if (bound.packageId !== undefined) packageId = bound.packageId;
    if (bound.feed !== undefined) feed = bound.feed;
  }
  const out: OctopusPackage = { Id: stableGuid(`${idSeed}#package:${ref.name ?? ''}`), Name: packageId };
  if (feed !== undefined && feed !== '') out.Feed = feedObject(feed);
  return out;
}

function sourceOf(step: ResolvedStep, action: ActionModel): OctopusStepSource {
  if (step.provenance.type === 'process_template') {
    return { Type: 'Process Template', SlugOrId: step.provenance.templateSlug, Version: step.provenance.version };
  }
  const templateId = stepTemplateIdOf(action);
  if (templateId !== undefined) {
    const source: OctopusStepSource = { Type: 'Step Template', SlugOrId: templateId };
    const version = action.properties.values[STEP_TEMPLATE_VERSION];
    if (version !== undefined && version !== '') source.Version = version;
    return source;
  }
  return { Type: 'Step', SlugOrId: action.slug };
}

function locationOf(step: ResolvedStep, action: ActionModel, id: string): InputStepLocation {
  const p = step.provenance;
  if (p.type === 'step') return { id, slug: action.slug, step: step.slug, file: p.file, range: action.label !== undefined ? action.headerRange : step.step.headerRange, related: [] };
  return {
    id,
    slug: action.slug,
    step: step.slug,
    file: p.usageFile,
    range: p.usageRange,
    related: [{ file: p.templateFile, range: p.templateRange, message: `step "${p.templateStep}" of process template ${p.templateSlug} ${p.version} (tag ${p.tag})` }],
    templateCommit: p.commit,
  };
}

/**
 * The environment-independent part of the input for one process. Compute it once per process and pass
 * it to `buildInput` for every environment and tenant.
 */
export function processSteps(process: ResolvedProcess, projectSlug: string, stepTemplates: StepTemplateTypes = NO_STEP_TEMPLATES): ProcessSteps {
  const bindings = new Map<string, Map<string, ParameterBinding>>();
  for (const usage of process.usages) bindings.set(usage.slug, new Map(usage.parameters.map((b) => [b.name, b])));
  const steps: OctopusStep[] = [];
  const execution: ProcessSteps['execution'] = [];
  const idsBySlug = new Map<string, string[]>();
  const locations = new Map<string, InputStepLocation>();
  let unknownActionTypes: UnknownActionType[] | undefined;
  const processKey = process.runbook !== undefined ? `runbook:${process.runbook}` : 'deployment';
  const addId = (slug: string, id: string) => {
    const list = idsBySlug.get(slug);
    if (list) list.push(id);
    else idsBySlug.set(slug, [id]);
  };
  for (const step of process.steps) {
    const usageBindings = step.provenance.type === 'process_template' ? bindings.get(step.provenance.usage) : undefined;
    const ids: string[] = [];
    for (const action of step.step.actions) {
      const seed = `${projectSlug}/${processKey}/${action.slug}`;
      const id = stableGuid(seed);
      const templateId = untypedStepTemplateId(action);
      const actionType = templateId !== undefined ? stepTemplates.get(templateId) : (action.actionType ?? '');
      const enabled = !action.isDisabled;
      const conditional = isConditional(step, action);
      const source = sourceOf(step, action);
      const packages = action.packages.map((ref) => packageOf(ref, seed, usageBindings));
      // A runbook run's entry (without Packages) is made from this one when a runbook asks (`runbookStepsOf`).
      const withPackages: OctopusStep = {
        Id: id,
        Slug: action.slug,
        ActionType: actionType,
        Enabled: enabled,
        IsRequired: action.isRequired,
        IsConditional: conditional,
        Source: source,
        Packages: packages,
      };
      if (actionType === undefined) {
        // Unknown: left out of the input, never invented (the key goes, so JSON and Rego see no field).
        delete withPackages.ActionType;
        (unknownActionTypes ??= []).push({ id, slug: action.slug, templateId: templateId! });
      }
      steps.push(withPackages);
      ids.push(id);
      addId(action.slug, id);
      if (step.slug !== action.slug) addId(step.slug, id);
      // Skipping a process-template usage skips every step it expands to.
      if (step.provenance.type === 'process_template') addId(step.provenance.usage, id);
      locations.set(id, locationOf(step, action, id));
    }
    const trigger = step.step.startTrigger || 'StartAfterPrevious';
    const previous = execution[execution.length - 1];
    if (trigger === 'StartWithPrevious' && previous) previous.Steps.push(...ids);
    else execution.push({ StartTrigger: trigger, Steps: ids });
  }
  return { steps, execution, idsBySlug, locations, unknownActionTypes: unknownActionTypes ?? NO_UNKNOWN_ACTION_TYPES };
}

const runbookSteps = new WeakMap<ProcessSteps, OctopusStep[]>();

/**
 * The steps of a runbook run: the same entries without `Packages` (the schema has none for runbook
 * runs), made on first need and then the same list for every context (see `reuseInputParts`). Lint
 * evaluates deployments only, and made them for every project before.
 */
function runbookStepsOf(parts: ProcessSteps): OctopusStep[] {
  let list = runbookSteps.get(parts);
  if (!list) {
    // Written out as literals, not copied by a spread: a copy made a map per object (see processSteps's history).
    list = parts.steps.map((s): OctopusStep =>
      'ActionType' in s
        ? { Id: s.Id, Slug: s.Slug, ActionType: s.ActionType, Enabled: s.Enabled, IsRequired: s.IsRequired, IsConditional: s.IsConditional, Source: s.Source }
        : { Id: s.Id, Slug: s.Slug, Enabled: s.Enabled, IsRequired: s.IsRequired, IsConditional: s.IsConditional, Source: s.Source },
    );
    runbookSteps.set(parts, list);
  }
  return list;
}

/**
 * One input object per entity (and per process for the skipped-step list): the inputs of a project's
 * contexts share their parts, and every project's input for an environment shares its `Environment`,
 * so the policy layer recognises a part it has evaluated by identity (`reuseInputParts`). Nothing
 * changes an input once built.
 */
type Tagged = { Id: string; Name: string; Slug: string; Tags: string[] };
const taggedParts = { Environments: new WeakMap<NamedEntity, Tagged>(), Projects: new WeakMap<NamedEntity, Tagged>(), Tenants: new WeakMap<NamedEntity, Tagged>() };
const namedParts = { Spaces: new WeakMap<NamedEntity, OctopusInput['Space']>(), ProjectGroups: new WeakMap<NamedEntity, OctopusInput['ProjectGroup']>() };
const noSkippedSteps = new WeakMap<ProcessSteps, string[]>();

function tagged(entity: NamedEntity, kind: 'Environments' | 'Projects' | 'Tenants'): Tagged {
  let part = taggedParts[kind].get(entity);
  if (!part) taggedParts[kind].set(entity, (part = { Id: entityId(kind, entity.slug), Name: entity.name, Slug: entity.slug, Tags: [...(entity.tags ?? [])] }));
  return part;
}

function named(entity: NamedEntity, kind: 'Spaces' | 'ProjectGroups'): { Id: string; Name: string; Slug: string } {
  let part = namedParts[kind].get(entity);
  if (!part) namedParts[kind].set(entity, (part = { Id: entityId(kind, entity.slug), Name: entity.name, Slug: entity.slug }));
  return part;
}

/** The input object for one process in one context (see the file comment). Never throws. */
export function buildInput(process: ResolvedProcess | ProcessSteps, context: InputContext, stepTemplates?: StepTemplateTypes): BuiltInput {
  const parts = 'execution' in process ? process : processSteps(process, context.project.slug, stepTemplates);
  const isRunbook = context.runbook !== undefined;
  let skipped: string[] = [];
  for (const slug of context.skippedSteps ?? []) for (const id of parts.idsBySlug.get(slug) ?? []) if (!skipped.includes(id)) skipped.push(id);
  if (skipped.length === 0) {
    const none = noSkippedSteps.get(parts);
    if (none) skipped = none;
    else noSkippedSteps.set(parts, skipped);
  }
  const input: OctopusInput = {
    Environment: tagged(context.environment, 'Environments'),
    Project: tagged(context.project, 'Projects'),
    Space: named(context.space, 'Spaces'),
    ProjectGroup: named(context.projectGroup, 'ProjectGroups'),
    Steps: isRunbook ? runbookStepsOf(parts) : parts.steps,
    SkippedSteps: skipped,
    Execution: parts.execution,
    RequiresApproval: context.requiresApproval ?? false,
  };
  if (context.tenant) input.Tenant = tagged(context.tenant, 'Tenants');
  if (context.runbook) {
    const r = context.runbook;
    input.Runbook = { Id: `Runbooks-${context.project.slug}-${r.slug}`, Name: r.name, Snapshot: r.snapshot ?? 'Lint' };
    if (r.gitRef !== undefined) input.Runbook.GitRef = r.gitRef;
  } else if (context.release) {
    const release = context.release;
    input.Release = { Id: `Releases-${context.project.slug}-${release.version}`, Name: release.version, Version: release.version };
    if (release.gitRef !== undefined) input.Release.GitRef = release.gitRef;
  }
  return { input, locations: parts.locations, unknown: unknownInput(context), unknownActionTypes: parts.unknownActionTypes };
}

/**
 * The input a context lacks: a deployment always has a release, so without one `Release` is unknown
 * (left out of the input, never invented); a decision that reads it is inconclusive.
 */
export function unknownInput(context: Pick<InputContext, 'release' | 'runbook'>): readonly string[] {
  return context.runbook === undefined && context.release === undefined ? UNKNOWN_RELEASE : NOTHING_UNKNOWN;
}

/**
 * One list per answer, frozen: the policy layer keeps what it worked out per list (its paths split,
 * which policies may read them) by identity, and lint asks once per context.
 */
const UNKNOWN_RELEASE: readonly string[] = Object.freeze(['Release']);
const NOTHING_UNKNOWN: readonly string[] = Object.freeze([]);

export const DEFAULT_PROJECT_GROUP: NamedEntity = { slug: 'default-project-group', name: 'Default Project Group' };
export const DEFAULT_SPACE: NamedEntity = { slug: 'default', name: 'Default' };

export interface ContextRequest {
  project: string;
  environment: string;
  tenant?: string;
  release?: ReleaseContext;
  runbook?: RunbookContext;
  skippedSteps?: readonly string[];
  requiresApproval?: boolean;
}

/** ` (did you mean "x"? environments: a, b)`: the closest known slug and the list, or nothing when there is none. */
export function choices(given: string, known: readonly string[], what: string): string {
  if (known.length === 0) return '';
  const near = suggest(given, known);
  return ` (${near !== undefined ? `did you mean "${near}"? ` : ''}${what}: ${known.join(', ')})`;
}

const slugIndexes = new WeakMap<readonly { slug: string }[], { length: number; index: Map<string, { slug: string }> }>();

/**
 * A list of oclhub.ocl entries by slug (the first entry of a slug wins, as `find` would), built once
 * per list: lint asks for a context per project × environment, and a `find` over 5,000 projects per
 * context made it super-linear. Rebuilt if the list's length changes.
 */
export function bySlug<T extends { slug: string }>(list: readonly T[]): ReadonlyMap<string, T> {
  let entry = slugIndexes.get(list);
  if (!entry || entry.length !== list.length) {
    const index = new Map<string, { slug: string }>();
    for (const item of list) if (!index.has(item.slug)) index.set(item.slug, item);
    slugIndexes.set(list, (entry = { length: list.length, index }));
  }
  return entry.index as Map<string, T>;
}

const entities = new WeakMap<object, NamedEntity>();

/** An oclhub.ocl entry as a context entity: one object per entry (see `tagged`). */
function entityOf(entry: { slug: string; name: string; tags?: readonly string[] }, withTags: boolean): NamedEntity {
  let entity = entities.get(entry);
  if (!entity) entities.set(entry, (entity = withTags ? { slug: entry.slug, name: entry.name, tags: entry.tags ?? [] } : { slug: entry.slug, name: entry.name }));
  return entity;
}

/**
 * The context for slugs named in `oclhub.ocl`. Unknown project or environment slugs give an error string;
 * a project not registered still gets a context (its slug as name, no tags), as a project repository
 * linted on its own is not always registered.
 */
export function contextFromConfig(config: HubConfigDocument | undefined, request: ContextRequest): InputContext | { error: string } {
  const environment = config ? bySlug(config.environments).get(request.environment) : undefined;
  if (!environment) return { error: `No environment "${request.environment}" in oclhub.ocl${choices(request.environment, (config?.environments ?? []).map((e) => e.slug), 'environments')}` };
  const project = config ? bySlug(config.projects).get(request.project) : undefined;
  if (project && project.environments.length > 0 && !project.environments.includes(request.environment)) {
    return { error: `Project "${project.slug}" does not deploy to environment "${request.environment}"${choices(request.environment, project.environments, 'its environments')}` };
  }
  let tenant: NamedEntity | undefined;
  if (request.tenant !== undefined) {
    const t = config ? bySlug(config.tenants).get(request.tenant) : undefined;
    if (!t) return { error: `No tenant "${request.tenant}" in oclhub.ocl${choices(request.tenant, (config?.tenants ?? []).map((x) => x.slug), 'tenants')}` };
    if (project && (project.tenanted ?? 'Untenanted') === 'Untenanted') {
      return { error: `Project "${project.slug}" is not tenanted: it deploys without a tenant (drop --tenant, or set tenanted = "Tenanted" or "TenantedOrUntenanted" in oclhub.ocl)` };
    }
    if (t.projects.length > 0 && !t.projects.includes(request.project)) {
      return { error: `Tenant "${t.slug}" is not connected to project "${request.project}" (its projects: ${t.projects.join(', ')})` };
    }
    tenant = entityOf(t, true);
  } else if (project?.tenanted === 'Tenanted') {
    const connected = (config?.tenants ?? []).filter((t) => t.projects.length === 0 || t.projects.includes(project.slug)).map((t) => t.slug);
    return { error: `Project "${project.slug}" is tenanted: name a tenant${connected.length ? ` (tenants: ${connected.join(', ')})` : ''}` };
  }
  const spaceSlug = project?.space ?? environment.space ?? config?.defaultSpace;
  const space = spaceSlug !== undefined ? ((config ? bySlug(config.spaces).get(spaceSlug) : undefined) ?? { slug: spaceSlug, name: spaceSlug }) : DEFAULT_SPACE;
  const group = project?.group !== undefined ? ((config ? bySlug(config.projectGroups).get(project.group) : undefined) ?? { slug: project.group, name: project.group }) : DEFAULT_PROJECT_GROUP;
  const context: InputContext = {
    space: entityOf(space, false),
    project: project ? entityOf(project, true) : { slug: request.project, name: request.project, tags: [] },
    projectGroup: entityOf(group, false),
    environment: entityOf(environment, true),
  };
  if (tenant) context.tenant = tenant;
  if (request.release) context.release = request.release;
  if (request.runbook) context.runbook = request.runbook;
  if (request.skippedSteps) context.skippedSteps = request.skippedSteps;
  if (request.requiresApproval !== undefined) context.requiresApproval = request.requiresApproval;
  return context;
}
