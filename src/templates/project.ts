/**
 * Resolution of a whole project folder: every deployment process and runbook among its OCL files is
 * resolved against the catalog. Files are given as text by repository-relative path, so the same code
 * serves a working directory, a Git ref and an API request body.
 */
import { compareDiagnostics, type Diagnostic } from '../diagnostics.js';
import { validateFile, type FileValidationResult } from '../model/validate.js';
import { readSchemaVersion } from '../model/validate.js';
import type { ModelDocument } from '../model/types.js';
import type { TemplateCatalog } from './catalog.js';
import { resolveProcess, type ResolvedProcess } from './resolve.js';

export interface ProjectResolution {
  processes: ResolvedProcess[];
  /** Resolution diagnostics of every process, plus files that could not be read as OCL. */
  diagnostics: Diagnostic[];
  /** Syntax, schema and semantic diagnostics (warnings and errors) of every OCL file, from the one validation pass. */
  validation: Diagnostic[];
  /** The typed document of every file that built one, from the same pass (for checks that read the model). */
  documents?: { file: string; document: ModelDocument }[];
}

export interface ResolveFilesOptions {
  catalog: TemplateCatalog;
  /** OCL text by path (`/`-separated). Non-process files are ignored. */
  files: ReadonlyMap<string, string>;
  environments?: readonly string[];
  /** usage key (`<file>#<usage slug>`) → version, e.g. from a lock file. */
  pinned?: ReadonlyMap<string, string>;
}

/** The key a usage has in lock files and pins: the process file and the usage slug. */
export function usageKey(file: string, usage: string): string {
  return `${file}#${usage}`;
}

export async function resolveFiles(options: ResolveFilesOptions): Promise<ProjectResolution> {
  const processes: ResolvedProcess[] = [];
  const diagnostics: Diagnostic[] = [];
  const validation: Diagnostic[] = [];
  const documents: { file: string; document: ModelDocument }[] = [];
  const paths = [...options.files.keys()].filter((p) => p.toLowerCase().endsWith('.ocl')).sort();
  for (const path of paths) {
    const text = options.files.get(path)!;
    const folder = projectFolder(path);
    const versionText = options.files.get(folder === '' ? 'schema_version.ocl' : `${folder}/schema_version.ocl`);
    const schemaVersion = versionText === undefined ? undefined : readSchemaVersion(versionText);
    const checked = validateFile({ path, text, context: schemaVersion === undefined ? {} : { schemaVersion } });
    validation.push(...checked.diagnostics.filter((d) => d.severity !== 'info'));
    const document = checked.document;
    if (document) documents.push({ file: path, document });
    if (!checked.ast || !document) {
      if (checked.kind === 'deployment_process' || checked.kind === 'runbook') diagnostics.push(...checked.diagnostics.filter((d) => d.severity === 'error'));
      continue;
    }
    const resolved = await resolveValidatedFile({ catalog: options.catalog, checked, ...(options.pinned ? { pinned: options.pinned } : {}), ...(options.environments ? { environments: options.environments } : {}) });
    if (resolved) processes.push(resolved);
  }
  for (const process of processes) diagnostics.push(...process.diagnostics);
  diagnostics.sort(compareDiagnostics);
  return { processes, diagnostics, validation, documents };
}

export interface ResolveValidatedFileOptions {
  catalog: TemplateCatalog;
  /** The file as `validateFile` returned it. */
  checked: FileValidationResult;
  environments?: readonly string[];
  /** usage key (`<file>#<usage slug>`) → version. */
  pinned?: ReadonlyMap<string, string>;
}

/**
 * Resolves the process of one validated file (a deployment process, or a runbook's `process` block);
 * undefined for other kinds and migrated drafts. For callers that keep validation results (the language server).
 */
export async function resolveValidatedFile(options: ResolveValidatedFileOptions): Promise<ResolvedProcess | undefined> {
  const { checked } = options;
  const document = checked.document;
  const path = checked.path;
  if (!checked.ast || !document) return undefined;
  const pinned = new Map<string, string>();
  for (const [key, version] of options.pinned ?? []) {
    if (key.startsWith(`${path}#`)) pinned.set(key.slice(path.length + 1), version);
  }
  // One literal with every field (resolveProcess reads absent and undefined alike): Node 20's V8 gives
  // `{ ...common, kind, … }` a map of its own on every call (a spread's copy has no transitions to share),
  // which cost each project new maps and missed inline caches wherever the options were read.
  if (document.kind === 'deployment_process') {
    const resolved = await resolveProcess({
      catalog: options.catalog,
      file: path,
      pinned,
      environments: options.environments,
      kind: 'deployment_process',
      runbook: undefined,
      process: document,
      body: checked.ast.body,
      inProjectTemplate: document.projectTemplate !== undefined,
    });
    resolved.source = checked.ast;
    return resolved;
  }
  if (document.kind === 'runbook' && document.process && !document.migratedDraft) {
    const processStart = document.process.range.start.offset;
    const block = checked.ast.body.find((e) => e.type === 'block' && e.range.start.offset === processStart);
    const resolved = await resolveProcess({
      catalog: options.catalog,
      file: path,
      pinned,
      environments: options.environments,
      kind: 'runbook',
      runbook: document.slug,
      process: document.process,
      body: block?.type === 'block' ? block.body : [],
      inProjectTemplate: undefined,
    });
    resolved.source = checked.ast;
    return resolved;
  }
  return undefined;
}

/** The project folder of a project file (runbooks sit one or two levels below it). */
export function projectFolder(path: string): string {
  const parts = path.split('/');
  parts.pop();
  if (parts[parts.length - 1] === 'migrated-drafts') parts.pop();
  if (parts[parts.length - 1] === 'runbooks') parts.pop();
  return parts.join('/');
}
