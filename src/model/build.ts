/** OCL AST → typed document, per kind. Never throws; shape problems are the schema layer's job. */
import type { OclBlock, OclDocument } from '../ocl/ast.js';
import type { BlockCache } from './block-cache.js';
import { BodyReader, blockSource } from './body.js';
import type { DocumentKind, PathInfo } from './kinds.js';
import { buildProcess, buildTemplateParameter, buildUsagePackageParameter, buildUsageParameter } from './process.js';
import { projectDocument } from './projection.js';
import type {
  ChannelsDocument,
  ConnectivityPolicyModel,
  DeploymentProcessDocument,
  DeploymentSettingsDocument,
  DocumentSource,
  HubConfigDocument,
  HubLimitsModel,
  HubProjectModel,
  HubRuleSettingModel,
  ModelDocument,
  PolicyDocument,
  ProcessTemplateDocument,
  ProjectTemplateDocument,
  ProjectTemplateParametersDocument,
  RegoSourceModel,
  RunbookDocument,
  SchemaVersionDocument,
  TemplatedProjectValuesDocument,
  VariableModel,
  VariablesDocument,
} from './types.js';

export const DEFAULT_BASE_PATH = '.octopus';

export interface BuildOptions {
  file?: string;
  path?: PathInfo;
  /** Treat `steps`/`actions` as `step`/`action` (Dec-2020 pre-release form). */
  legacyBlockNames?: boolean;
  /** Top-level blocks built for an earlier version of the file (see block-cache.ts). */
  cache?: BlockCache;
}

function documentSource(document: OclDocument, reader: BodyReader): DocumentSource {
  return { range: document.range, attributeRanges: reader.attributeRanges() };
}

function withFile<T extends { file?: string }>(doc: T, file: string | undefined): T {
  if (file !== undefined) doc.file = file;
  return doc;
}

/** Copies the defined values onto target (optional properties stay absent rather than `undefined`). */
function set<T extends object, U extends Record<string, unknown>>(target: T, values: U): T & { [K in keyof U]?: Exclude<U[K], undefined> } {
  for (const key in values) if (values[key] !== undefined) (target as Record<string, unknown>)[key] = values[key];
  return target as T & { [K in keyof U]?: Exclude<U[K], undefined> };
}

function connectivityPolicy(block: OclBlock | undefined): ConnectivityPolicyModel | undefined {
  if (!block) return undefined;
  const r = new BodyReader(block.body);
  return set(
    Object.assign(blockSource(block, r), { targetRoles: r.stringList('target_roles') ?? [] }),
    {
      allowDeploymentsToNoTargets: r.bool('allow_deployments_to_no_targets'),
      excludeUnhealthyTargets: r.bool('exclude_unhealthy_targets'),
      skipMachineBehavior: r.string('skip_machine_behavior'),
    },
  );
}

function regoSource(block: OclBlock | undefined): RegoSourceModel | undefined {
  if (!block) return undefined;
  const r = new BodyReader(block.body);
  const model: RegoSourceModel = blockSource(block, r);
  const attribute = r.attributes.get('rego');
  const rego = r.string('rego');
  if (attribute && rego !== undefined) {
    model.rego = rego;
    model.regoRange = attribute.value.range;
    model.firstLine = attribute.value.type === 'heredoc' ? attribute.value.range.start.line + 1 : attribute.value.range.start.line;
  }
  return model;
}

export function buildDocument(kind: DocumentKind, document: OclDocument, options: BuildOptions = {}): ModelDocument {
  const reader = new BodyReader(document.body);
  const source = documentSource(document, reader);
  const file = options.file;
  const path = options.path;
  switch (kind) {
    case 'deployment_process': {
      // The process's fields named, not spread: a spread's copy gets a map of its own on every call (Node 20).
      const process = buildProcess(document.body, { legacyBlockNames: options.legacyBlockNames ?? false, cache: options.cache });
      const doc: DeploymentProcessDocument = { kind, source, items: process.items, steps: process.steps, usages: process.usages };
      if (path?.projectTemplate) doc.projectTemplate = path.projectTemplate;
      return withFile(doc, file);
    }
    case 'deployment_settings': {
      const doc: DeploymentSettingsDocument = {
        kind,
        source,
        extra: reader.extra([
          'cancel_queued_tasks',
          'cancel_running_tasks',
          'default_guided_failure_mode',
          'deployment_changes_template',
          'release_notes_template',
        ]),
      };
      set(doc, {
        cancelQueuedTasks: reader.bool('cancel_queued_tasks'),
        cancelRunningTasks: reader.bool('cancel_running_tasks'),
        defaultGuidedFailureMode: reader.string('default_guided_failure_mode'),
        deploymentChangesTemplate: reader.string('deployment_changes_template'),
        releaseNotesTemplate: reader.string('release_notes_template'),
        connectivityPolicy: connectivityPolicy(reader.block('connectivity_policy')),
      });
      const vs = reader.block('versioning_strategy');
      if (vs) {
        const vr = new BodyReader(vs.body);
        doc.versioningStrategy = set(blockSource(vs, vr), { template: vr.string('template') });
        const donor = vr.block('donor_package');
        if (donor) {
          const dr = new BodyReader(donor.body);
          // Before 2021-08-31 the donor was written as two labels: `donor_package "<step>" "<package>" {}`.
          doc.versioningStrategy.donorPackage = set(
            blockSource(donor, dr),
            { step: dr.string('step') ?? donor.labels[0]?.value, package: dr.string('package') ?? donor.labels[1]?.value },
          );
        }
      }
      return withFile(doc, file);
    }
    case 'variables': {
      const doc: VariablesDocument = { kind, source, variables: reader.blockList('variable').map((b) => buildVariable(b, options.cache)) };
      if (path?.projectTemplate) doc.projectTemplate = path.projectTemplate;
      return withFile(doc, file);
    }
    case 'schema_version': {
      const doc: SchemaVersionDocument = { kind, source };
      return withFile(set(doc, { version: reader.int('version') }), file);
    }
    case 'runbook': {
      const doc: RunbookDocument = {
        kind,
        source,
        migratedDraft: path?.migratedDraft ?? false,
        environments: reader.stringList('environments') ?? [],
        extra: reader.extra([
          'name',
          'description',
          'environment_scope',
          'environments',
          'multi_tenancy_mode',
          'default_guided_failure_mode',
        ]),
      };
      set(doc, {
        slug: path?.slug,
        name: reader.string('name'),
        description: reader.string('description'),
        environmentScope: reader.string('environment_scope'),
        multiTenancyMode: reader.string('multi_tenancy_mode'),
        defaultGuidedFailureMode: reader.string('default_guided_failure_mode'),
        connectivityPolicy: connectivityPolicy(reader.block('connectivity_policy')),
      });
      const retention = reader.block('run_retention_policy');
      if (retention) {
        const rr = new BodyReader(retention.body);
        doc.runRetentionPolicy = set(blockSource(retention, rr), { type: rr.string('type'), quantityToKeep: rr.int('quantity_to_keep') });
      }
      const process = reader.block('process');
      if (process) {
        const pr = new BodyReader(process.body);
        doc.process = Object.assign(blockSource(process, pr), buildProcess(process.body));
      }
      return withFile(doc, file);
    }
    case 'channels': {
      const doc: ChannelsDocument = {
        kind,
        source,
        channels: reader.blockList('channel').map((b) => {
          const r = new BodyReader(b.body);
          return set(
            Object.assign(blockSource(b, r), { name: b.labels[0]?.value ?? '', isDefault: r.bool('is_default') ?? false }),
            { description: r.string('description'), lifecycle: r.string('lifecycle') ?? r.string('lifecycle_id') },
          );
        }),
      };
      return withFile(doc, file);
    }
    case 'process_template': {
      const doc: ProcessTemplateDocument = {
        kind,
        source,
        ...buildProcess(document.body, { cache: options.cache }),
        parameters: reader.blockList('parameter').map(buildTemplateParameter),
      };
      set(doc, { slug: path?.slug, name: reader.string('name'), description: reader.string('description') });
      const icon = reader.block('icon');
      if (icon) {
        const ir = new BodyReader(icon.body);
        doc.icon = set(blockSource(icon, ir), { color: ir.string('color'), id: ir.string('id') });
      }
      return withFile(doc, file);
    }
    case 'project_template': {
      const doc: ProjectTemplateDocument = { kind, source, extra: reader.extra(['name', 'description']) };
      return withFile(set(doc, { slug: path?.slug, name: reader.string('name'), description: reader.string('description') }), file);
    }
    case 'project_template_parameters': {
      const doc: ProjectTemplateParametersDocument = { kind, source, parameters: reader.blockList('parameter').map(buildTemplateParameter) };
      if (path?.projectTemplate) doc.projectTemplate = path.projectTemplate;
      return withFile(doc, file);
    }
    case 'templated_project_values': {
      const doc: TemplatedProjectValuesDocument = {
        kind,
        source,
        parameters: reader.blockList('parameter').map(buildUsageParameter),
        packageParameters: reader.blockList('package_parameter').map(buildUsagePackageParameter),
      };
      return withFile(doc, file);
    }
    case 'project_template_channel':
    case 'project_template_lifecycle': {
      const doc = { kind, source, json: projectDocument(document).json };
      return withFile(set(doc as ModelDocument & { kind: typeof kind }, { projectTemplate: path?.projectTemplate, slug: path?.slug, name: reader.string('name') }), file);
    }
    case 'policy': {
      const violationAction = reader.string('violation_action');
      const doc: PolicyDocument = {
        kind,
        source,
        effectiveViolationAction: violationAction === 'warn' ? 'warn' : 'block',
      };
      set(doc, {
        slug: path?.slug,
        name: reader.string('name'),
        description: reader.string('description'),
        violationReason: reader.string('violation_reason'),
        violationAction,
        scope: regoSource(reader.block('scope')),
        conditions: regoSource(reader.block('conditions')),
      });
      return withFile(doc, file);
    }
    case 'oclhub':
      return withFile(buildHubConfig(reader, source), file);
  }
}

/** A variable's model; kept per block between versions of a file when there is a cache (see block-cache.ts). */
function buildVariable(block: OclBlock, cache: BlockCache | undefined): VariableModel {
  const kept = cache?.variables.get(block, '');
  if (kept) return kept;
  const reader = new BodyReader(block.body);
  // Object.assign rather than `{ ...source, … }`: see buildStep (process.ts).
  const variable: VariableModel = Object.assign(blockSource(block, reader), {
    name: block.labels[0]?.value ?? '',
    type: reader.string('type') ?? 'String',
    values: reader.blockList('value').map((b) => {
      const r = new BodyReader(b.body);
      const scopes: Record<string, string[]> = {};
      for (const [name, attribute] of r.attributes) {
        if (attribute.value.type === 'array') scopes[name] = r.stringList(name) ?? [];
      }
      const value = set(Object.assign(blockSource(b, r), { scopes }), { value: b.labels[0]?.value ?? r.string('value'), description: r.string('description') });
      const prompt = r.block('prompt');
      if (prompt) {
        const pr = new BodyReader(prompt.body);
        (value as { prompt?: unknown }).prompt = set(
          Object.assign(blockSource(prompt, pr), { required: pr.bool('required') ?? false, displaySettings: pr.map('display_settings') }),
          { label: pr.string('label'), description: pr.string('description') },
        );
      }
      return value;
    }),
  });
  cache?.variables.set(block, '', variable);
  return variable;
}

/** A project block's optional text attributes, each read into the field of its name, in this order. */
const PROJECT_TEXT_FIELDS = ['space', 'group', 'description', 'path', 'repository', 'ref', 'tenanted'] as const satisfies readonly (keyof HubProjectModel)[];

// Elements are built as `Object.assign(blockSource(…), { … })`, not `{ ...blockSource(…), … }` (the same
// keys in the same order): V8 (Node 20) defines each property after a spread through a slow runtime
// path — about 10× slower for these shapes, measured — and oclhub.ocl lists every project of the hub.
function buildHubConfig(reader: BodyReader, source: DocumentSource): HubConfigDocument {
  const labelled = (b: OclBlock) => b.labels[0]?.value ?? '';
  const doc: HubConfigDocument = {
    kind: 'oclhub',
    source,
    basePath: reader.string('base_path') ?? DEFAULT_BASE_PATH,
    spaces: reader.blockList('space').map((b) => {
      const r = new BodyReader(b.body);
      return set(Object.assign(blockSource(b, r), { slug: labelled(b), name: r.string('name') ?? labelled(b) }), { description: r.string('description') });
    }),
    environments: reader.blockList('environment').map((b, i) => {
      const r = new BodyReader(b.body);
      return set(
        Object.assign(blockSource(b, r), { slug: labelled(b), name: r.string('name') ?? labelled(b), order: r.int('order') ?? i, tags: r.stringList('tags') ?? [] }),
        { space: r.string('space'), description: r.string('description') },
      );
    }),
    tenants: reader.blockList('tenant').map((b) => {
      const r = new BodyReader(b.body);
      return set(
        Object.assign(blockSource(b, r), {
          slug: labelled(b),
          name: r.string('name') ?? labelled(b),
          tags: r.stringList('tags') ?? [],
          projects: r.stringList('projects') ?? [],
          environments: r.stringList('environments') ?? [],
        }),
        { space: r.string('space'), description: r.string('description') },
      );
    }),
    projectGroups: reader.blockList('project_group').map((b) => {
      const r = new BodyReader(b.body);
      return set(Object.assign(blockSource(b, r), { slug: labelled(b), name: r.string('name') ?? labelled(b) }), { space: r.string('space'), description: r.string('description') });
    }),
    projects: reader.blockList('project').map((b) => {
      const r = new BodyReader(b.body);
      const project: HubProjectModel = Object.assign(blockSource(b, r), {
        slug: labelled(b),
        name: r.string('name') ?? labelled(b),
        tags: r.stringList('tags') ?? [],
        environments: r.stringList('environments') ?? [],
        dependencies: r.blockList('dependency').map((d) => {
          const dr = new BodyReader(d.body);
          return set(
            Object.assign(blockSource(d, dr), { project: labelled(d) }),
            { version: dr.string('version'), deployGroup: dr.int('deploy_group'), action: dr.string('action'), tenant: dr.string('tenant') },
          );
        }),
      });
      // The optional fields in `set`'s order, only when written: a thousand projects, each without a
      // record of seven (mostly undefined) values made and walked by a for-in.
      for (let i = 0; i < PROJECT_TEXT_FIELDS.length; i++) {
        const field = PROJECT_TEXT_FIELDS[i]!;
        const value = r.string(field);
        if (value !== undefined) project[field] = value;
      }
      return project;
    }),
    policies: reader.blockList('policy').map((b) => {
      const r = new BodyReader(b.body);
      return set(Object.assign(blockSource(b, r), { slug: labelled(b) }), { activeVersion: r.string('active_version') });
    }),
    exceptions: reader.blockList('exception').map((b) => {
      const r = new BodyReader(b.body);
      return set(
        Object.assign(blockSource(b, r), { id: labelled(b) }),
        {
          policy: r.string('policy'),
          project: r.string('project'),
          environment: r.string('environment'),
          tenant: r.string('tenant'),
          reason: r.string('reason'),
          owner: r.string('owner'),
          expires: r.string('expires'),
        },
      );
    }),
    rules: reader.blockList('rule').map((b) => {
      const r = new BodyReader(b.body);
      const written = r.string('severity');
      const severity = written === 'off' || written === 'info' || written === 'warning' || written === 'error' ? (written as HubRuleSettingModel['severity']) : undefined;
      return set(
        Object.assign(blockSource(b, r), { code: labelled(b), paths: r.stringList('paths') ?? [] }),
        { severity, reason: r.string('reason'), threshold: r.int('threshold') },
      );
    }),
    stepTemplates: reader.blockList('step_template').map((b) => {
      const r = new BodyReader(b.body);
      return set(Object.assign(blockSource(b, r), { id: labelled(b) }), { name: r.string('name'), actionType: r.string('action_type') });
    }),
  };
  set(doc, { defaultSpace: reader.string('default_space'), limits: hubLimits(reader.block('limits')) });
  return doc;
}

function hubLimits(block: OclBlock | undefined): HubLimitsModel | undefined {
  if (!block) return undefined;
  const r = new BodyReader(block.body);
  const mb = r.int('max_memory_mb');
  return set(
    blockSource(block, r),
    {
      maxSteps: r.int('max_steps'),
      maxMillis: r.int('max_millis'),
      maxMemoryBytes: mb === undefined ? undefined : mb * 1024 * 1024,
      maxOutputNodes: r.int('max_output_values'),
      builtinBytesPerStep: r.int('builtin_bytes_per_step'),
    },
  );
}
