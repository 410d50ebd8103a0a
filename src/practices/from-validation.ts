/**
 * The best-practice input for `validate --hub`: the files it validated, grouped into projects — each
 * project registered in oclhub.ocl with a `path` in the hub, then any other project folder (an
 * unregistered `.octopus` folder) — and the hub's own policy files. Projects that live in other
 * repositories are not read by validate; they are marked unread so no rule judges their content.
 */
import type { HubConfigDocument, HubProjectModel, ModelDocument, PolicyDocument } from '../model/types.js';
import compare from 'semver/functions/compare.js';
import { folderPath } from '../model/folder-path.js';
import { projectFolder } from '../templates/project.js';
import { parseTagName } from '../templates/version-tags.js';
import type { PracticeDocument, PracticeInput, PracticeProject } from './types.js';

/** The semver functions used here, each loaded alone (the package's index loads all fifty of its modules). */
const semver = { compare };

export interface ValidatedHub {
  config?: HubConfigDocument;
  /** Undefined when `base_path` names no folder (SEM037): no file is then taken for the hub's own. */
  basePath: string | undefined;
  files: readonly { path: string; document?: ModelDocument }[];
}

export interface FromValidationOptions {
  now?: Date;
  /** Published process template versions by slug (from the hub's tags), for the outdated-template rule. */
  publishedVersions?: ReadonlyMap<string, readonly string[]>;
  publishedPolicies?: readonly string[];
}

const PROJECT_KINDS = new Set(['deployment_process', 'deployment_settings', 'variables', 'runbook', 'schema_version', 'channels']);

function under(path: string, folder: string): boolean {
  return folder === '' || path.startsWith(`${folder}/`);
}

/** A folder of the hub as Git names it; undefined when it names none (oclhub.ocl's checks say why), never a folder guessed from the text. */
function clean(folder: string | undefined): string | undefined {
  if (folder === undefined) return undefined;
  const checked = folderPath(folder);
  return checked.valid ? checked.folder : undefined;
}

export function practiceInputFromValidation(hub: ValidatedHub, sources: ReadonlyMap<string, string>, options: FromValidationOptions = {}): PracticeInput {
  const base = clean(hub.basePath);
  const hubOwned = base === undefined ? [] : ['policies', 'process-templates', 'project-templates'].map((kind) => (base === '' ? kind : `${base}/${kind}`));
  const policies: { file: string; document: PolicyDocument }[] = [];
  const projectDocuments: PracticeDocument[] = [];
  for (const file of hub.files) {
    const document = file.document;
    if (!document) continue;
    if (document.kind === 'policy' && hubOwned.length > 0 && under(file.path, hubOwned[0]!)) policies.push({ file: file.path, document });
    if (!PROJECT_KINDS.has(document.kind) || hubOwned.some((folder) => under(file.path, folder))) continue;
    const text = sources.get(file.path);
    projectDocuments.push(text !== undefined ? { file: file.path, text, document } : { file: file.path, document });
  }
  const projects: PracticeProject[] = [];
  const claimed = new Set<PracticeDocument>();
  const inHub = (hub.config?.projects ?? []).flatMap((p) => {
    const folder = p.repository === undefined ? clean(p.path) : undefined;
    return folder === undefined ? [] : [{ project: p, folder }];
  });
  // A file belongs to the registered project with the deepest folder holding it (a project may sit inside another's folder).
  const ownerOf = (file: string) => inHub.filter((p) => under(file, p.folder)).sort((a, b) => b.folder.length - a.folder.length)[0]?.project;
  for (const registered of hub.config?.projects ?? []) {
    const project: PracticeProject = { slug: registered.slug, registered, documents: [] };
    if (registered.repository !== undefined || registered.path === undefined || !folderPath(registered.path).valid) project.read = false;
    else {
      project.documents = projectDocuments.filter((d) => ownerOf(d.file) === registered);
      for (const d of project.documents) claimed.add(d);
    }
    if (options.publishedVersions) project.publishedVersions = options.publishedVersions;
    projects.push(project);
  }
  const unregistered = new Map<string, PracticeDocument[]>();
  for (const d of projectDocuments) {
    if (claimed.has(d)) continue;
    const folder = projectFolder(d.file);
    (unregistered.get(folder) ?? unregistered.set(folder, []).get(folder)!).push(d);
  }
  for (const [folder, documents] of unregistered) {
    projects.push({ slug: folder === '' ? '.' : folder, documents, ...(options.publishedVersions ? { publishedVersions: options.publishedVersions } : {}) });
  }
  return {
    ...(hub.config ? { config: hub.config } : {}),
    projects,
    policies,
    ...(options.publishedPolicies ? { publishedPolicies: options.publishedPolicies } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
}

/** Published process template versions (ascending) and published policy slugs, from a repository's tag names. */
export function publishedFromTags(tagNames: Iterable<string>): Required<Pick<FromValidationOptions, 'publishedVersions' | 'publishedPolicies'>> {
  const versions = new Map<string, string[]>();
  const policies = new Set<string>();
  for (const name of tagNames) {
    const tag = parseTagName(name);
    if (!tag) continue;
    if (tag.kind === 'policies') policies.add(tag.slug);
    else if (tag.kind === 'process-templates') {
      const list = versions.get(tag.slug);
      if (list) list.push(tag.version);
      else versions.set(tag.slug, [tag.version]);
    }
  }
  for (const list of versions.values()) list.sort(semver.compare);
  return { publishedVersions: versions, publishedPolicies: [...policies].sort() };
}

/** A lint target as a best-practice project: the documents its resolution built, their texts, and the template versions it saw. */
export function practiceProjectFromResolution(
  target: { slug: string; registered?: HubProjectModel; files: ReadonlyMap<string, string> },
  resolution: { documents?: { file: string; document: ModelDocument }[]; processes: { usages: { templateSlug?: string; available: string[] }[] }[] },
): PracticeProject {
  const publishedVersions = new Map<string, readonly string[]>();
  for (const process of resolution.processes) for (const usage of process.usages) if (usage.templateSlug !== undefined) publishedVersions.set(usage.templateSlug, usage.available);
  const documents = (resolution.documents ?? []).map((d) => {
    const text = target.files.get(d.file);
    // Not `{ ...d, text }`: on Node 20's V8 a spread's copy with a field added gets a map of its own on
    // every call (no transition to share), and every later reader of the document misses its inline cache.
    return text !== undefined ? Object.assign({}, d, { text }) : d;
  });
  return { slug: target.slug, ...(target.registered ? { registered: target.registered } : {}), documents, publishedVersions };
}
