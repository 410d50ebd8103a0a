/**
 * Project dependencies: declarations (oclhub.ocl `dependency` blocks and the Verify Dependencies
 * template's JSON), their checks, the graph and its cycles, and the plan a deployment follows.
 * `collectDependencies` is the pure core; `loadDependencies` reads a hub's projects for the CLI and API.
 */
import { compareDiagnostics, type Diagnostic } from '../diagnostics.js';
import type { HubConfigDocument, HubProjectModel } from '../model/types.js';
import { readSchemaVersion, validateFile } from '../model/validate.js';
import { depDiagnostic } from './codes.js';
import { declarationsFromConfig, type DependencyDeclaration } from './declarations.js';
import { buildGraph, cycleDiagnostics, duplicateDiagnostics, type DependencyGraph } from './graph.js';
import { HubIndex } from './hub-index.js';
import { declarationsFromTemplate, type ProjectDocumentSource } from './template-json.js';

export * from './codes.js';
export * from './declarations.js';
export * from './deployed.js';
export * from './graph.js';
export { HubIndex } from './hub-index.js';
export * from './plan.js';
export * from './report.js';
export * from './template-json.js';
export * from './version-pattern.js';

export interface ProjectDependencyInput {
  slug: string;
  /** The project's documents (only deployment processes are read). */
  documents: readonly ProjectDocumentSource[];
}

/** The template declarations of one project and the findings about them (the per-project half of the checks). */
export function projectDependencies(config: HubConfigDocument | undefined, project: ProjectDependencyInput, index = new HubIndex(config)): { declarations: DependencyDeclaration[]; diagnostics: Diagnostic[] } {
  const declarations: DependencyDeclaration[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const source of project.documents) {
    const found = declarationsFromTemplate(project.slug, source, index);
    declarations.push(...found.declarations);
    diagnostics.push(...found.diagnostics);
  }
  return { declarations, diagnostics };
}

export interface DependencySet {
  index: HubIndex;
  graph: DependencyGraph;
  declarations: DependencyDeclaration[];
  diagnostics: Diagnostic[];
  /** The project files read (loadDependencies), for code frames. */
  sources?: Map<string, string>;
}

/**
 * The hub-wide half: oclhub.ocl's declarations plus the projects' template declarations, the graph, its
 * cycles (DEP006 on every project in one) and duplicate declarations.
 */
export function combineDependencies(config: HubConfigDocument | undefined, templateDeclarations: readonly DependencyDeclaration[], options: { configFile?: string; index?: HubIndex } = {}): DependencySet {
  const index = options.index ?? new HubIndex(config);
  const fromConfig = declarationsFromConfig(config, index, options.configFile);
  const declarations = [...fromConfig.declarations, ...templateDeclarations];
  const graph = buildGraph(declarations);
  const diagnostics = [...fromConfig.diagnostics, ...cycleDiagnostics(graph), ...duplicateDiagnostics(graph)];
  return { index, graph, declarations, diagnostics };
}

/** Both halves over documents already parsed (validate --hub, tests). */
export function collectDependencies(config: HubConfigDocument | undefined, projects: readonly ProjectDependencyInput[], options: { configFile?: string } = {}): DependencySet {
  const index = new HubIndex(config);
  const perProject = projects.map((p) => projectDependencies(config, p, index));
  const set = combineDependencies(config, perProject.flatMap((p) => p.declarations), { ...options, index });
  set.diagnostics.unshift(...perProject.flatMap((p) => p.diagnostics));
  set.diagnostics.sort(compareDiagnostics);
  return set;
}

/** What reading a hub's dependencies needs: the façade's Hub satisfies it. */
export interface DependencyHub {
  readonly config?: HubConfigDocument;
  projectFiles(project: HubProjectModel, options?: { cacheDir?: string }): Promise<{ files: Map<string, string> } | { error: string }>;
}

const PROCESS_FILE = /(^|\/)deployment_process\.ocl$/;

/**
 * Reads every registered project's deployment process (only those files: the template's JSON lives
 * there) and collects the hub's dependencies. A project that cannot be read is reported (DEP021): its
 * template declarations are unknown, so the graph may miss edges.
 */
export async function loadDependencies(hub: DependencyHub, options: { cacheDir?: string } = {}): Promise<DependencySet> {
  const projects: ProjectDependencyInput[] = [];
  const unread: Diagnostic[] = [];
  const sources = new Map<string, string>();
  for (const project of hub.config?.projects ?? []) {
    const read = await hub.projectFiles(project, options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {});
    if ('error' in read) {
      unread.push(depDiagnostic('DEP021', read.error, { file: 'oclhub.ocl', range: project.labelRange ?? project.headerRange, project: project.slug, detail: 'Dependencies it declares through the Verify Dependencies template are not in the graph.' }));
      continue;
    }
    const documents: ProjectDocumentSource[] = [];
    for (const [file, text] of read.files) {
      if (!PROCESS_FILE.test(file)) continue;
      const versionText = read.files.get(file.replace(PROCESS_FILE, '$1schema_version.ocl'));
      const schemaVersion = versionText === undefined ? undefined : readSchemaVersion(versionText);
      const checked = validateFile({ path: file, text, ...(schemaVersion !== undefined ? { context: { schemaVersion } } : {}) });
      if (checked.document) documents.push({ file, text, document: checked.document });
      sources.set(file, text.replace(/^\uFEFF/, ''));
    }
    projects.push({ slug: project.slug, documents });
  }
  const set = collectDependencies(hub.config, projects);
  set.diagnostics.push(...unread);
  set.diagnostics.sort(compareDiagnostics);
  set.sources = sources;
  return set;
}
