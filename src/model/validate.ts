/**
 * The model layer's entry points: `validateFile` (syntax → schema → semantic checks for one file) and
 * `validateHub` (every file of a hub repository plus cross-file checks).
 */
import { compareDiagnostics, hasErrors, LineIndex, type Diagnostic, type Range } from '../diagnostics.js';
import type { OclDocument } from '../ocl/ast.js';
import { parseOcl, type HeredocMode, type ParseOclResult } from '../ocl/index.js';
import type { BlockCache } from './block-cache.js';
import { buildDocument, DEFAULT_BASE_PATH } from './build.js';
import { checkRunbook, checkVariables } from './checks/documents.js';
import { checkHubConfig } from './checks/hub-config.js';
import { legacyPass } from './checks/legacy.js';
import { checkPolicy } from './checks/policy.js';
import { checkParameterValues, checkProcess } from './checks/process.js';
import { checkParameters, checkProcessTemplate, scanParameterReferences } from './checks/template.js';
import { modelDiagnostic } from './codes.js';
import { insertIntoBlockFix, oclString, replaceFix } from './fixes.js';
import { folderPath, hubBaseFolder, singleFileCandidates } from './folder-path.js';
import { suggest } from './suggest.js';
import { classifyPath, guessKindFromDocument, type DocumentKind, type PathInfo } from './kinds.js';
import { projectDocument } from './projection.js';
import { validateProjection } from './schema.js';
import { fitsSchema } from './schema-shortcut.js';
import type { HubConfigDocument, HubProjectModel, ModelDocument, ProcessModel, TemplateParameterModel } from './types.js';

export interface ValidationContext {
  /** Overrides kind detection from the path. */
  kind?: DocumentKind;
  /**
   * The project's schema version (from the sibling schema_version.ocl). Below 6, `<<-` heredocs are read
   * with the legacy indentation rule; below 4, name-labelled steps are expected (and warned about).
   */
  schemaVersion?: number;
  /** "Now" for time-dependent checks (exception expiry). */
  now?: Date;
}

export interface ValidateFileOptions {
  path: string;
  text: string;
  context?: ValidationContext;
  /**
   * The parse of `text` when the caller has one (the language server parses incrementally): it must be
   * what `parseOcl(text, { file: path, heredocMode: heredocModeOf(context.schemaVersion) })` gives.
   */
  parsed?: ParseOclResult;
  /** The line index of `text` (without byte-order mark) when the caller has one. */
  lines?: LineIndex;
  /**
   * Per-block results kept from validating earlier versions of this file, with `parsed` coming from
   * incremental parsing (see block-cache.ts): unchanged blocks are not projected or built again.
   */
  cache?: BlockCache;
}

export interface FileValidationResult {
  path: string;
  kind?: DocumentKind;
  /** The typed document; absent when the file does not parse or its kind is unknown. */
  document?: ModelDocument;
  /** The OCL syntax tree, when the file parsed. */
  ast?: OclDocument;
  diagnostics: Diagnostic[];
}

/** Reads the `version = N` of a schema_version.ocl text without a full parse; undefined when absent. */
export function readSchemaVersion(text: string): number | undefined {
  const m = /^\s*version\s*=\s*(\d+)\s*$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** How `<<-` heredocs are read in a project of this schema version (see ValidationContext.schemaVersion). */
export function heredocModeOf(schemaVersion: number | undefined): HeredocMode {
  return schemaVersion !== undefined && schemaVersion < 6 ? 'legacy' : 'current';
}

export function validateFile(options: ValidateFileOptions): FileValidationResult {
  const { path, text } = options;
  const context = options.context ?? {};
  const file = path;
  const pathInfo: PathInfo | undefined = classifyPath(path);
  const schemaVersion = context.schemaVersion;
  const parsed = options.parsed ?? parseOcl(text, { file, heredocMode: heredocModeOf(schemaVersion) });
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  const result: FileValidationResult = { path, diagnostics };
  if (hasErrors(parsed.diagnostics)) {
    const kind = context.kind ?? pathInfo?.kind;
    if (kind) result.kind = kind;
    diagnostics.sort(compareDiagnostics);
    return result;
  }
  const ast = parsed.document;
  result.ast = ast;
  // The kind comes from the path (or the caller), never from the content: a guess would report errors
  // against a schema the file was never meant to follow.
  const kind = context.kind ?? pathInfo?.kind;
  if (!kind) {
    const looksLike = guessKindFromDocument(ast);
    diagnostics.push(
      modelDiagnostic('SCH020', 'Unknown document kind: only the OCL syntax was checked', {
        file,
        range: { start: ast.range.start, end: ast.range.start },
        detail:
          (looksLike ? `The content looks like ${KIND_PLACES[looksLike]}: put it there to have it checked. ` : '') +
          'oclhub recognises documents by path: deployment_process.ocl, deployment_settings.ocl, variables.ocl, schema_version.ocl, templated_project_values.ocl, runbooks/*.ocl, policies/*.ocl, process-templates/*.ocl, project-templates/<slug>/*.ocl and oclhub.ocl.',
      }),
    );
    diagnostics.sort(compareDiagnostics);
    return result;
  }
  result.kind = kind;
  const effectivePath: PathInfo = pathInfo && pathInfo.kind === kind ? pathInfo : { kind };

  const lines = options.lines ?? new LineIndex(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const cache = options.cache;
  const legacy = legacyPass({ kind, document: ast, path: effectivePath, file, schemaVersion, lines, cache });
  diagnostics.push(...legacy.diagnostics);
  // A document that certainly fits its schema is not projected to JSON and run through ajv, which would
  // find nothing (schema-shortcut.ts); any doubt takes the long way, so the findings are the same.
  const shortcut = cache === undefined && !hasKeys(legacy.renameBlocks) && fitsSchema(kind, ast.body);
  if (!shortcut) {
    const projection = projectDocument(ast, { file, renameBlocks: legacy.renameBlocks, cache });
    diagnostics.push(...projection.diagnostics);
    diagnostics.push(...validateProjection(kind, projection, { file, suppressUnknown: legacy.suppressUnknown, lines }));
  }

  const document = buildDocument(kind, ast, { file, path: effectivePath, legacyBlockNames: legacy.legacyBlockNames, cache });
  result.document = document;
  diagnostics.push(...semanticChecks(document, ast, { file, lines, now: context.now }));
  diagnostics.sort(compareDiagnostics);
  return result;
}

function hasKeys(record: Record<string, unknown>): boolean {
  for (const _ in record) return true;
  return false;
}

/** Where a file of each kind lives, for "looks like" hints on files whose path says nothing. */
const KIND_PLACES: Record<DocumentKind, string> = {
  deployment_process: 'a deployment process (.octopus/deployment_process.ocl)',
  deployment_settings: 'deployment settings (.octopus/deployment_settings.ocl)',
  variables: 'project variables (.octopus/variables.ocl)',
  schema_version: 'a schema version (.octopus/schema_version.ocl)',
  runbook: 'a runbook (.octopus/runbooks/<slug>.ocl)',
  templated_project_values: "a templated project's values (.octopus/templated_project_values.ocl)",
  channels: 'legacy channels (.octopus/channels.ocl)',
  process_template: 'a process template (<base>/process-templates/<slug>.ocl)',
  project_template: 'a project template (<base>/project-templates/<slug>/template.ocl)',
  project_template_parameters: "a project template's parameters (<base>/project-templates/<slug>/parameters.ocl)",
  project_template_channel: "a project template's channel (<base>/project-templates/<slug>/channels/<slug>.ocl)",
  project_template_lifecycle: "a project template's lifecycle (<base>/project-templates/<slug>/lifecycles/<slug>.ocl)",
  policy: 'a policy (<base>/policies/<slug>.ocl)',
  oclhub: "oclhub's settings (oclhub.ocl at the repository root)",
};

function semanticChecks(document: ModelDocument, ast: OclDocument, options: { file: string; lines: LineIndex; now: Date | undefined }): Diagnostic[] {
  const { file, lines } = options;
  switch (document.kind) {
    case 'deployment_process':
      return checkProcess(document, file);
    case 'runbook':
      return [...checkRunbook(document, file), ...(document.process ? checkProcess(document.process, file) : [])];
    case 'process_template':
      return [...checkProcess(document, file), ...checkProcessTemplate(document, ast, { file, lines })];
    case 'project_template_parameters':
      return checkParameters(document.parameters, { file, projectTemplate: true, lines });
    case 'variables':
      return checkVariables(document, file);
    case 'templated_project_values':
      return checkParameterValues([...document.parameters, ...document.packageParameters], file);
    case 'policy':
      return checkPolicy(document, { file, lines });
    case 'oclhub':
      return checkHubConfig(document, { file, now: options.now });
    default:
      return [];
  }
}

// ---- whole hub -------------------------------------------------------------------------------------

/** Read access to a hub's files (e.g. a GitStore tree at a ref); paths are relative, with forward slashes. */
export interface HubFileReader {
  list(): Promise<string[]> | string[];
  read(path: string): Promise<string | undefined> | string | undefined;
}

export interface ValidateHubOptions {
  files: ReadonlyMap<string, string> | HubFileReader;
  now?: Date;
  /**
   * Check process-template usages against the templates in the working tree (TPL013–TPL015, default true).
   * Turn off when the caller resolves usages against published versions (src/templates, TPL1xx).
   */
  workingTreeUsageChecks?: boolean;
}

export interface HubValidationResult {
  /** The parsed oclhub.ocl, when present and valid enough to build. */
  config?: HubConfigDocument;
  /** The hub's base folder (`hubBaseFolder`: one folder for every spelling); undefined when `base_path` names none (SEM037). */
  basePath: string | undefined;
  files: FileValidationResult[];
  /** Diagnostics of every file plus cross-file findings, sorted. */
  diagnostics: Diagnostic[];
}

function normalise(path: string): string {
  return path.replace(/\\/g, '/').replace(/^\.\//, '');
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** The project folder a file belongs to (runbooks live one or two levels below it). */
function projectFolder(path: string): string {
  let dir = dirname(path);
  if (dir.endsWith('/migrated-drafts') || dir === 'migrated-drafts') dir = dirname(dir);
  if (dir.endsWith('/runbooks') || dir === 'runbooks') dir = dirname(dir);
  return dir;
}

function isUnder(path: string, folder: string): boolean {
  return folder === '' || path === folder || path.startsWith(folder.endsWith('/') ? folder : `${folder}/`);
}

export async function validateHub(options: ValidateHubOptions): Promise<HubValidationResult> {
  const source = options.files;
  const texts = new Map<string, string>();
  // Every file, OCL or not: a registered project folder that holds only other files still exists.
  const allPaths: string[] = [];
  if (source instanceof Map) {
    for (const [path, text] of source) {
      texts.set(normalise(path), text);
      allPaths.push(normalise(path));
    }
  } else {
    const reader = source as HubFileReader;
    for (const path of await reader.list()) {
      allPaths.push(normalise(path));
      if (!path.toLowerCase().endsWith('.ocl')) continue;
      const text = await reader.read(path);
      if (text !== undefined) texts.set(normalise(path), text);
    }
  }
  const paths = [...texts.keys()].filter((p) => p.toLowerCase().endsWith('.ocl')).sort();
  const files: FileValidationResult[] = [];
  const diagnostics: Diagnostic[] = [];

  let config: HubConfigDocument | undefined;
  const configText = texts.get('oclhub.ocl');
  if (configText !== undefined) {
    const r = validateFile({ path: 'oclhub.ocl', text: configText, context: { kind: 'oclhub', now: options.now } });
    files.push(r);
    if (r.document?.kind === 'oclhub') config = r.document;
  }
  const basePath = hubBaseFolder(config);

  for (const path of paths) {
    if (path === 'oclhub.ocl') continue;
    const info = classifyPath(path);
    if (!info || info.kind === 'oclhub') continue;
    const folder = projectFolder(path);
    const versionText = texts.get(join(folder, 'schema_version.ocl')) ?? texts.get(join(folder, 'schema-version.ocl'));
    const schemaVersion = versionText !== undefined ? readSchemaVersion(versionText) : undefined;
    const context: ValidationContext = {};
    if (schemaVersion !== undefined) context.schemaVersion = schemaVersion;
    if (options.now) context.now = options.now;
    files.push(validateFile({ path, text: texts.get(path)!, context }));
  }
  for (const f of files) diagnostics.push(...f.diagnostics);
  diagnostics.push(...crossFileDiagnostics({ files, texts, config, allPaths, workingTreeUsageChecks: options.workingTreeUsageChecks ?? true }));
  diagnostics.sort(compareDiagnostics);
  const result: HubValidationResult = { basePath, files, diagnostics };
  if (config) result.config = config;
  return result;
}

export interface CrossFileOptions {
  /** Every file of the hub, validated (validateFile), with repository-relative paths. */
  files: readonly FileValidationResult[];
  /** Their texts by the same paths. */
  texts: ReadonlyMap<string, string>;
  config?: HubConfigDocument | undefined;
  /** See ValidateHubOptions.workingTreeUsageChecks (default true). */
  workingTreeUsageChecks?: boolean;
  /** Every file of the repository, OCL or not (default: the `.ocl` paths of `texts`). */
  allPaths?: readonly string[];
}

/**
 * The findings `validateHub` adds to the files' own: activated policies and environments that exist,
 * usages against the working tree's templates, project-template parameter references. For callers that
 * validate files one at a time and keep the results (the language server).
 */
export function crossFileDiagnostics(options: CrossFileOptions): Diagnostic[] {
  const basePath = hubBaseFolder(options.config);
  const paths = options.allPaths ?? [...options.texts.keys()].filter((p) => p.toLowerCase().endsWith('.ocl')).sort();
  const files = [...options.files];
  return [...crossFileChecks(files, options.config, basePath, paths, options.workingTreeUsageChecks ?? true), ...projectTemplateChecks(files, options.texts)];
}

function crossFileChecks(
  files: FileValidationResult[],
  config: HubConfigDocument | undefined,
  /** Undefined when `base_path` names no folder: SEM037 says so, and nothing here is checked against hub content. */
  basePath: string | undefined,
  allPaths: readonly string[],
  workingTreeUsageChecks: boolean,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  // Project folders do not depend on the base path; hub content does, and is not looked for under none.
  const registered = config ? registeredFolderChecks(files, config, allPaths) : [];
  if (basePath === undefined) return [...(config ? scopeReferenceChecks(files, config) : []), ...registered];
  const policyDir = join(basePath, 'policies');
  const templateDir = join(basePath, 'process-templates');
  const hubPolicies = new Map<string, string>();
  const hubTemplates = new Map<string, FileValidationResult>();
  for (const f of files) {
    const dir = f.kind === 'policy' ? policyDir : f.kind === 'process_template' ? templateDir : undefined;
    if (dir === undefined || !isUnder(f.path, dir)) continue;
    const slug = classifyPath(f.path)?.slug;
    if (!slug) continue;
    // Anywhere else in the folder (`policies/check-supply-chain/check_supply_chain.ocl`) the hub never reads it:
    // activating, publishing or using it would fail, so it is not hub content and is said to be misplaced.
    const readAt = singleFileCandidates(dir, slug);
    if (!readAt.includes(f.path)) {
      const what = f.kind === 'policy' ? 'Policy' : 'Process template';
      out.push(
        modelDiagnostic('SEM044', `${what} "${slug}" is in a folder the hub does not read it from`, {
          file: f.path,
          detail: `Octopus reads ${readAt[0]} (the file name is the slug); oclhub also reads a library's ${readAt[1]}. Move it to ${readAt[0]}, or name the file after the slug it should have.`,
        }),
      );
      continue;
    }
    if (f.kind === 'policy') hubPolicies.set(slug, f.path);
    else hubTemplates.set(slug, f);
  }
  if (workingTreeUsageChecks) out.push(...usageChecks(files, hubTemplates, templateDir));
  // Files under the base path are hub content (templates, policies): their scopes name parameters, not slugs.
  if (config) out.push(...scopeReferenceChecks(files.filter((f) => !isUnder(f.path, basePath)), config));
  if (config) {
    const file = 'oclhub.ocl';
    for (const activation of config.policies) {
      if (!hubPolicies.has(activation.slug)) {
        out.push(
          modelDiagnostic('SEM031', `Policy "${activation.slug}" has no file ${join(policyDir, `${activation.slug}.ocl`)}`, {
            file,
            range: activation.labelRange ?? activation.headerRange,
            detail: hubPolicies.size > 0 ? `Policies in the hub: ${[...hubPolicies.keys()].join(', ')}.` : `No policy files under ${policyDir}/.`,
          }),
        );
      }
    }
    for (const exception of config.exceptions) {
      if (exception.policy !== undefined && !hubPolicies.has(exception.policy)) {
        out.push(
          modelDiagnostic('SEM031', `Exception "${exception.id}" names unknown policy "${exception.policy}"`, {
            file,
            range: exception.attributeRanges['policy'] ?? exception.headerRange,
          }),
        );
      }
    }
  }
  return [...out, ...registered];
}

/** SEM041 for each project of this repository whose folder is missing or holds no project files (see `checkProjectFolder`). */
function registeredFolderChecks(files: FileValidationResult[], config: HubConfigDocument, allPaths: readonly string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const project of config.projects) {
    if (project.repository !== undefined || project.path === undefined) continue;
    const missing = checkProjectFolder(project, project.path, files.map((f) => ({ path: f.path, kind: f.kind })), allPaths);
    if (missing) out.push({ ...missing, file: 'oclhub.ocl' });
  }
  return out;
}

/** Kinds whose presence makes a folder an Octopus project (a runbook alone is enough; schema_version.ocl alone is not). */
const PROJECT_CONTENT_KINDS: ReadonlySet<DocumentKind> = new Set(['deployment_process', 'deployment_settings', 'variables', 'runbook', 'templated_project_values']);

/**
 * SEM041 when a registered project's folder does not exist or holds no Octopus project files — a typo
 * in `path` must not turn into "0 projects … passed". `files` are the repository's OCL files with their
 * kinds (paths relative to its root), `allPaths` every file. The finding sits at the project block;
 * `file` is left for the caller (the oclhub.ocl that registers the project).
 */
export function checkProjectFolder(
  project: HubProjectModel,
  written: string,
  files: ReadonlyArray<{ path: string; kind?: DocumentKind | undefined }>,
  allPaths: readonly string[],
): Diagnostic | undefined {
  const checked = folderPath(written);
  // A path that names no folder has SEM042 from oclhub.ocl's own checks: no second finding here.
  if (!checked.valid) return undefined;
  const folder = checked.folder;
  const isProjectFile = (f: { path: string; kind?: DocumentKind | undefined }) => f.kind !== undefined && PROJECT_CONTENT_KINDS.has(f.kind) && classifyPath(f.path)?.projectTemplate === undefined;
  if (files.some((f) => isProjectFile(f) && projectFolder(f.path) === folder)) return undefined;
  const exists = folder === '' ? allPaths.length > 0 : allPaths.some((p) => isUnder(p, folder));
  // The folder that was probably meant: a project folder below the one written (`app` for `app/.octopus`).
  const below = [...new Set(files.filter((f) => isProjectFile(f) && isUnder(f.path, folder)).map((f) => projectFolder(f.path)))].sort();
  const where = `\`${written}\``;
  return modelDiagnostic('SEM041', exists ? `Project "${project.slug}": ${where} holds no Octopus project files` : `Project "${project.slug}": ${where} does not exist`, {
    range: project.labelRange ?? project.headerRange,
    detail:
      (below.length > 0 ? `Did you mean ${below.map((b) => `"${b}"`).join(' or ')}? ` : '') +
      '`path` names the folder holding the project\'s deployment_process.ocl, variables.ocl or runbooks/ (for example ".octopus"). Nothing of this project would be evaluated.',
    related: project.attributeRanges['path'] ? [{ range: project.attributeRanges['path'], message: 'path set here' }] : undefined,
  });
}

/**
 * Usages checked against the process templates in the hub's working tree. Warnings only: the version a
 * usage's mask resolves to may differ from the working tree (the templates layer checks the exact version).
 */
function usageChecks(files: FileValidationResult[], hubTemplates: Map<string, FileValidationResult>, templateDir: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const f of files) {
    const doc = f.document;
    const usages =
      doc?.kind === 'deployment_process' ? doc.usages : doc?.kind === 'runbook' ? (doc.process?.usages ?? []) : doc?.kind === 'process_template' ? doc.usages : [];
    for (const usage of usages) {
      if (usage.processTemplateSlug === undefined) continue;
      const template = hubTemplates.get(usage.processTemplateSlug)?.document;
      if (!template || template.kind !== 'process_template') {
        const hint = suggest(usage.processTemplateSlug, hubTemplates.keys());
        out.push(
          modelDiagnostic('TPL013', `Process template "${usage.processTemplateSlug}" is not in the hub (${templateDir}/)`, {
            file: f.path,
            range: usage.attributeRanges['process_template_slug'] ?? usage.headerRange,
            detail: hint ? `Did you mean "${hint}"?` : undefined,
            fix:
              hint !== undefined && usage.attributeRanges['process_template_slug']
                ? replaceFix(`Change to "${hint}"`, usage.attributeRanges['process_template_slug'], `process_template_slug = ${oclString(hint)}`)
                : undefined,
          }),
        );
        continue;
      }
      const declared = new Map(template.parameters.map((p) => [p.name, p]));
      const set = new Set<string>();
      for (const parameter of [...usage.parameters, ...usage.packageParameters]) {
        set.add(parameter.name);
        if (!declared.has(parameter.name)) {
          const hint = suggest(parameter.name, declared.keys());
          out.push(
            modelDiagnostic('TPL014', `Process template "${usage.processTemplateSlug}" has no parameter "${parameter.name}"`, {
              file: f.path,
              range: parameter.labelRange ?? parameter.headerRange,
              detail: hint ? `Did you mean "${hint}"?` : `Its parameters: ${[...declared.keys()].join(', ') || 'none'}.`,
              related: template.file ? [{ file: template.file, range: template.source.range, message: 'process template' }] : undefined,
              fix: hint !== undefined && parameter.labelRange ? replaceFix(`Rename to "${hint}"`, parameter.labelRange, oclString(hint)) : undefined,
            }),
          );
        }
      }
      for (const parameter of template.parameters) {
        if (parameter.isOptional || parameter.defaults.length > 0 || set.has(parameter.name)) continue;
        out.push(
          modelDiagnostic('TPL015', `Usage "${usage.slug}" does not set required parameter "${parameter.name}" of "${usage.processTemplateSlug}"`, {
            file: f.path,
            range: usage.labelRange ?? usage.headerRange,
            detail: 'Octopus shows an error on save or commit when a parameter without a default has no value.',
            related: template.file ? [{ file: template.file, range: parameter.headerRange, message: 'parameter declared here' }] : undefined,
            fix: insertIntoBlockFix(`Set parameter "${parameter.name}"`, usage.range, ['', `parameter ${oclString(parameter.name)} {`, `    value = ""`, '}']),
          }),
        );
      }
    }
  }
  return out;
}

/**
 * A project template's deployment process refers to the template's own parameters (parameters.ocl in the
 * same folder) as `#{Template.…}`: TPL004 for names that parameters.ocl does not declare.
 */
function projectTemplateChecks(files: FileValidationResult[], texts: ReadonlyMap<string, string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const parametersByFolder = new Map<string, TemplateParameterModel[]>();
  for (const f of files) {
    if (f.document?.kind === 'project_template_parameters') parametersByFolder.set(dirname(f.path), f.document.parameters);
  }
  for (const f of files) {
    if (f.document?.kind !== 'deployment_process' || f.document.projectTemplate === undefined || !f.ast) continue;
    const parameters = parametersByFolder.get(dirname(f.path));
    if (!parameters) continue;
    const text = texts.get(f.path) ?? '';
    out.push(
      ...scanParameterReferences(f.ast, {
        file: f.path,
        lines: new LineIndex(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text),
        parameters,
        blocks: ['step', 'process_template'],
      }),
    );
  }
  return out;
}

/**
 * Scope references in project files that oclhub.ocl cannot satisfy. SEM039: environment slugs (action
 * `environments`/`excluded_environments`, runbook `environments`, variable `environment` scopes) that it
 * does not declare — Octopus fails to load a file that refers to a missing slug (ocl-spec §3.5), so the
 * hub's model of the space should know them all. SEM040: variable and action tenant tags that no
 * declared tenant has — such a value never applies to any tenant the hub evaluates. Each check runs only
 * when oclhub.ocl declares environments (tenants) at all.
 */
export function scopeReferenceChecks(files: ReadonlyArray<Pick<FileValidationResult, 'path' | 'document'>>, config: HubConfigDocument): Diagnostic[] {
  const out: Diagnostic[] = [];
  const environments = new Set(config.environments.map((e) => e.slug));
  const tenantTags = new Set(config.tenants.flatMap((t) => t.tags));
  const checkEnvironments = environments.size > 0;
  const checkTenantTags = config.tenants.length > 0;
  const environment = (file: string, slug: string, range: Range | undefined) => {
    if (!checkEnvironments || environments.has(slug)) return;
    const hint = suggest(slug, environments);
    out.push(
      modelDiagnostic('SEM039', `Environment "${slug}" is not declared in oclhub.ocl`, {
        file,
        range,
        detail: (hint ? `Did you mean "${hint}"? ` : '') + 'Declare it with `environment "<slug>" { … }` or correct the slug.',
      }),
    );
  };
  const tenantTag = (file: string, tag: string, range: Range | undefined) => {
    if (!checkTenantTags || tenantTags.has(tag)) return;
    const hint = suggest(tag, tenantTags);
    out.push(
      modelDiagnostic('SEM040', `Tenant tag "${tag}" is on no tenant declared in oclhub.ocl`, {
        file,
        range,
        detail: (hint ? `Did you mean "${hint}"? ` : '') + 'Add it to the `tags` of the tenants that have it in Octopus, or correct the tag.',
      }),
    );
  };
  const steps = (file: string, process: ProcessModel | undefined) => {
    for (const step of process?.steps ?? []) {
      for (const action of step.actions) {
        for (const slug of action.environments) environment(file, slug, action.attributeRanges['environments']);
        for (const slug of action.excludedEnvironments) environment(file, slug, action.attributeRanges['excluded_environments']);
        for (const tag of action.tenantTags) tenantTag(file, tag, action.attributeRanges['tenant_tags']);
      }
    }
  };
  for (const f of files) {
    const doc = f.document;
    if (!doc) continue;
    if (doc.kind === 'deployment_process') steps(f.path, doc);
    else if (doc.kind === 'runbook') {
      for (const slug of doc.environments) environment(f.path, slug, doc.source.attributeRanges['environments']);
      steps(f.path, doc.process);
    } else if (doc.kind === 'variables' && doc.projectTemplate === undefined) {
      for (const variable of doc.variables) {
        for (const value of variable.values) {
          for (const slug of value.scopes['environment'] ?? []) environment(f.path, slug, value.attributeRanges['environment']);
          for (const tag of value.scopes['tenant_tag'] ?? []) tenantTag(f.path, tag, value.attributeRanges['tenant_tag']);
        }
      }
    }
  }
  return out;
}
