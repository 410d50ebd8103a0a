/**
 * Document kinds and how they are recognised from a file path (Octopus CaC project folders, the
 * Platform Hub layout under the base path, and oclhub's own `oclhub.ocl`).
 */
import type { OclDocument } from '../ocl/ast.js';

export const DOCUMENT_KINDS = [
  'deployment_process',
  'deployment_settings',
  'variables',
  'schema_version',
  'runbook',
  'templated_project_values',
  'channels',
  'process_template',
  'project_template',
  'project_template_parameters',
  'project_template_channel',
  'project_template_lifecycle',
  'policy',
  'oclhub',
] as const;

export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** What a path says about a document beyond its kind. */
export interface PathInfo {
  kind: DocumentKind;
  /** Slug implied by the path: policy / process template file name, project template folder, runbook file name. */
  slug?: string;
  /** The file uses a name Octopus no longer writes (`deployment-process.ocl`, `schema-version.ocl`, `channels.ocl`). */
  legacyName?: string;
  /** The file belongs to a project template folder (`project-templates/<slug>/…`). */
  projectTemplate?: string;
  /** `runbooks/migrated-drafts/<slug>.ocl`: ignored by Octopus until moved up. */
  migratedDraft?: boolean;
}

const PROJECT_FILE_NAMES = new Set([
  'deployment_process.ocl',
  'deployment-process.ocl',
  'deployment_settings.ocl',
  'variables.ocl',
  'schema_version.ocl',
  'schema-version.ocl',
  'channels.ocl',
  'templated_project_values.ocl',
]);

function stripOcl(name: string): string {
  return name.toLowerCase().endsWith('.ocl') ? name.slice(0, -4) : name;
}

/** `project-templates/<slug>/{template,deployment_process,parameters,variables}.ocl` and `channels/`, `lifecycles/`. */
function classifyProjectTemplateFile(dirs: string[], base: string, file: string): PathInfo | undefined {
  const ptIndex = dirs.lastIndexOf('project-templates');
  if (ptIndex < 0 || ptIndex + 1 >= dirs.length) return undefined;
  const projectTemplate = dirs[ptIndex + 1]!;
  const rest = dirs.slice(ptIndex + 2);
  if (rest.length === 0) {
    switch (base) {
      case 'template.ocl':
        return { kind: 'project_template', slug: projectTemplate, projectTemplate };
      case 'deployment_process.ocl':
        return { kind: 'deployment_process', projectTemplate };
      case 'parameters.ocl':
        return { kind: 'project_template_parameters', projectTemplate };
      case 'variables.ocl':
        return { kind: 'variables', projectTemplate };
      default:
        return undefined;
    }
  }
  if (rest.length === 1 && rest[0] === 'channels') return { kind: 'project_template_channel', slug: stripOcl(file), projectTemplate };
  if (rest.length === 1 && rest[0] === 'lifecycles') return { kind: 'project_template_lifecycle', slug: stripOcl(file), projectTemplate };
  return undefined;
}

export function classifyPath(path: string): PathInfo | undefined {
  const normal = path.includes('\\') ? path.replace(/\\/g, '/') : path;
  // A project template's file is told by a folder anywhere in the path: split in full (rare).
  if (normal.includes('project-templates')) {
    const segments = normal.split('/').filter((s) => s !== '' && s !== '.');
    return classifyFile(segments[segments.length - 1], segments[segments.length - 2], segments[segments.length - 3], segments);
  }
  // Anywhere else only the file name and the two folders above it matter. Lint classifies every file of
  // every project: they are found from the end (empty and `.` segments skipped, as above), not by
  // splitting the whole path, which cost more than everything else here.
  let file: string | undefined;
  let parent: string | undefined;
  let grandparent: string | undefined;
  let end = normal.length;
  while (end > 0 && grandparent === undefined) {
    const slash = normal.lastIndexOf('/', end - 1);
    const segment = normal.slice(slash + 1, end);
    end = slash < 0 ? 0 : slash;
    if (segment === '' || segment === '.') continue;
    if (file === undefined) file = segment;
    else if (parent === undefined) parent = segment;
    else grandparent = segment;
  }
  return classifyFile(file, parent, grandparent, undefined);
}

/** `segments`: the whole path's, when it may be in a project template folder. */
function classifyFile(file: string | undefined, parent: string | undefined, grandparent: string | undefined, segments: string[] | undefined): PathInfo | undefined {
  if (file === undefined) return undefined;
  const base = file.toLowerCase();
  if (!base.endsWith('.ocl')) return undefined;
  if (base === 'oclhub.ocl') return { kind: 'oclhub' };

  const inProjectTemplate = segments && classifyProjectTemplateFile(segments.slice(0, -1), base, file);
  if (inProjectTemplate) return inProjectTemplate;

  if (parent === 'runbooks') return { kind: 'runbook', slug: stripOcl(file) };
  if (parent === 'migrated-drafts' && grandparent === 'runbooks') return { kind: 'runbook', slug: stripOcl(file), migratedDraft: true };
  // Hub files sit directly in policies/ or process-templates/; libraries such as OctopusSamples/PlatformHubLibrary
  // add one folder per item (`policies/check-supply-chain/check_supply_chain.ocl`).
  if (!PROJECT_FILE_NAMES.has(base)) {
    if (parent === 'policies' || grandparent === 'policies') return { kind: 'policy', slug: stripOcl(file) };
    if (parent === 'process-templates' || grandparent === 'process-templates') return { kind: 'process_template', slug: stripOcl(file) };
  }

  switch (base) {
    case 'deployment_process.ocl':
      return { kind: 'deployment_process' };
    case 'deployment-process.ocl':
      return { kind: 'deployment_process', legacyName: file };
    case 'deployment_settings.ocl':
      return { kind: 'deployment_settings' };
    case 'variables.ocl':
      return { kind: 'variables' };
    case 'schema_version.ocl':
      return { kind: 'schema_version' };
    case 'schema-version.ocl':
      return { kind: 'schema_version', legacyName: file };
    case 'channels.ocl':
      return { kind: 'channels', legacyName: file };
    case 'templated_project_values.ocl':
      return { kind: 'templated_project_values' };
    default:
      return undefined;
  }
}

/** The document kind a path implies, or undefined when the path is not one oclhub recognises. */
export function detectDocumentKind(path: string): DocumentKind | undefined {
  return classifyPath(path)?.kind;
}

/**
 * A best guess from the content, for files whose path says nothing (fixtures, copies outside a
 * project folder). Only ever a hint in a message: a guessed kind is never validated against, since a
 * wrong guess would report errors against a schema the file never meant to follow. Returns undefined
 * when the top level matches no kind.
 */
export function guessKindFromDocument(document: OclDocument): DocumentKind | undefined {
  const blocks = new Set<string>();
  const attributes = new Set<string>();
  for (const element of document.body) (element.type === 'block' ? blocks : attributes).add(element.name);
  if (blocks.has('scope') || blocks.has('conditions') || attributes.has('violation_action')) return 'policy';
  if (blocks.has('parameter') && (blocks.has('step') || attributes.has('name'))) return 'process_template';
  // Values of a templated project are `parameter "X" { value = "…" }`; declarations give defaults as `value "…" {}` blocks.
  const valueAttribute = document.body.some(
    (e) => e.type === 'block' && e.name === 'parameter' && e.body.some((c) => c.type === 'attribute' && c.name === 'value'),
  );
  if (blocks.has('package_parameter') || valueAttribute) return 'templated_project_values';
  if (blocks.has('parameter')) return 'project_template_parameters';
  if (blocks.has('process') || attributes.has('environment_scope') || blocks.has('run_retention_policy')) return 'runbook';
  if (blocks.has('step') || blocks.has('process_template') || blocks.has('steps')) return 'deployment_process';
  if (blocks.has('variable')) return 'variables';
  if (blocks.has('channel')) return 'channels';
  if (blocks.has('environment') || blocks.has('project') || attributes.has('base_path')) return 'oclhub';
  if (blocks.has('connectivity_policy') || blocks.has('versioning_strategy') || attributes.has('release_notes_template')) {
    return 'deployment_settings';
  }
  if (attributes.size === 1 && attributes.has('version') && blocks.size === 0) return 'schema_version';
  return undefined;
}
