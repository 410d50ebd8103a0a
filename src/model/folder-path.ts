/**
 * A project's folder as configured (the `path` of a `project` block in oclhub.ocl): the folder of its
 * repository that holds its OCL, which Octopus calls the project's Git base path (`.octopus` by default,
 * `services/api/.octopus` in a monorepo). Every surface (lint, validate, practices, the web page) turns
 * what was written into the folder Git names through `folderPath`, so one configured folder is one key.
 *
 * The rule. A folder is relative to the root of the repository it lives in:
 * - `\` is read as `/` (people on Windows type paths that way; Git paths never hold `\`, see git/paths.ts);
 * - empty segments and `.` segments go: `./.octopus/`, `.octopus//` and `./././.octopus` are `.octopus`;
 * - `.` and `./` are the repository root (as `pathSegments` takes them for folder arguments);
 * - absent is `.octopus`, Octopus's default; empty is refused (oclhub.ocl's schema says so, SCH006):
 *   it could mean the root or the default, and oclhub does not guess which;
 * - an absolute path (`/x`, `\\server\share`, `C:\x`, `C:x`), any `..` segment (even one that would
 *   come back inside), a `.git` segment and control characters are refused with the reason: such a
 *   value cannot name a folder of the repository, and guessing one would evaluate the wrong files;
 * - nothing else changes: case and Unicode (Git compares names byte for byte) stay as written.
 */
import type { Diagnostic, Range } from '../diagnostics.js';
import { DEFAULT_BASE_PATH } from './build.js';
import { modelDiagnostic } from './codes.js';
import type { HubConfigDocument, HubProjectModel } from './types.js';

/** A configured folder: the repository-relative folder (`''` for the root), or why it names none. */
export type FolderPath = { valid: true; folder: string } | { valid: false; reason: string };

export function folderPath(written: string | undefined): FolderPath {
  if (written === undefined) return { valid: true, folder: DEFAULT_BASE_PATH };
  if (written === '') return invalid('it is empty: write "." for the repository root, or leave it out for ".octopus"');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(written)) return invalid('it contains a control character');
  const slashed = written.replace(/\\/g, '/');
  if (slashed.startsWith('/')) return invalid('it is absolute: write it relative to the repository root');
  const segments = slashed.split('/').filter((segment) => segment !== '' && segment !== '.');
  // After `./` and `.` segments go: `./C:` is the drive-relative `C:` once they do.
  if (segments.length > 0 && /^[A-Za-z]:/.test(segments[0]!)) return invalid('it starts with a drive letter: write it relative to the repository root');
  if (segments.includes('..')) return invalid("it contains '..': the folder lies inside the repository");
  if (segments.some((segment) => segment.toLowerCase() === '.git')) return invalid("it reaches into the repository's .git folder");
  return { valid: true, folder: segments.join('/') };
}

function invalid(reason: string): FolderPath {
  return { valid: false, reason };
}

/** A registered project's folder (Octopus's default when `path` is absent), or undefined when its `path` names none. */
export function projectFolderOf(project: Pick<HubProjectModel, 'path'>): string | undefined {
  const known = projectFolders.get(project);
  if (known !== undefined && known[0] === project.path) return known[1];
  const checked = folderPath(project.path);
  const folder = checked.valid ? checked.folder : undefined;
  projectFolders.set(project, [project.path, folder]);
  return folder;
}

/** Each project's folder as worked out from its `path` (a lint asks several times per project, for a thousand of them). */
const projectFolders = new WeakMap<object, [path: string | undefined, folder: string | undefined]>();

/** The path of `file` inside `folder` (both repository-relative, `''` the root), or undefined when it lies elsewhere. */
export function pathInFolder(folder: string, file: string): string | undefined {
  if (folder === '') return file;
  return file.startsWith(`${folder}/`) ? file.slice(folder.length + 1) : undefined;
}

/** The summary every surface gives a project whose `path` names no folder of its repository. */
export function invalidProjectPathSummary(project: Pick<HubProjectModel, 'slug' | 'path'>, reason: string): string {
  return `Project "${project.slug}": path ${JSON.stringify(project.path ?? '')} is not a folder inside its repository: ${reason}`;
}

/** SEM042 at the `path` attribute of the project's block in oclhub.ocl (`file`). */
export function invalidProjectPath(project: HubProjectModel, reason: string, file?: string): Diagnostic {
  return modelDiagnostic('SEM042', invalidProjectPathSummary(project, reason), {
    file,
    range: project.attributeRanges['path'] ?? project.labelRange ?? project.headerRange,
    detail:
      'A project\'s `path` is the folder holding its OCL (Octopus\'s Git base path), relative to the root of the repository it lives in, with `/` between folders: ".octopus", "services/api/.octopus", or "." for the root. Nothing of this project is read until it names one.',
  });
}

/**
 * The hub's base path (`base_path` in oclhub.ocl): the folder of the hub repository holding `policies/`,
 * `process-templates/` and `project-templates/`. It is a configured folder like a project's `path`, so it
 * follows the same rule (`folderPath`): `./.octopus/`, `.octopus//`, `.\.octopus` and `.octopus` are one
 * folder, `.` is the root, absent is `.octopus`. `\` is read as `/` here too, rather than refused as it
 * used to be: Git paths never hold `\`, so it can only have meant a separator, and one text must not name
 * a folder in a project's `path` and be an error in `base_path` of the same file. Every surface (the hub
 * façade and its template catalogue, policy loading, `validate`, the language server) reads the hub's
 * content under the folder this returns, so each spelling finds the same files.
 */
export function hubBasePath(config: Pick<HubConfigDocument, 'basePath'> | undefined): FolderPath {
  return folderPath(config?.basePath);
}

/** The hub's base folder (see `hubBasePath`), or undefined when `base_path` names none (SEM037 says why). */
export function hubBaseFolder(config: Pick<HubConfigDocument, 'basePath'> | undefined): string | undefined {
  const checked = hubBasePath(config);
  return checked.valid ? checked.folder : undefined;
}

/**
 * The hub's base folder as the readers of hub content (the template catalogue, publishing, policy
 * tests, the API's template content) hold it: the folder (`''` the root), or, when `base_path` names
 * none, what was written, why it names none and where, so that each reader says at that place that it
 * read nothing instead of reading under a folder guessed from the text (`""` is not the root).
 */
export type HubBase = string | NoBaseFolder;

/** `base_path` names no folder of the hub repository (SEM037): nothing of the hub's content is read. */
export interface NoBaseFolder {
  readonly written: string;
  readonly reason: string;
  /** oclhub.ocl, and the range of `base_path` in it when known. */
  readonly file: string;
  readonly range?: Range;
}

export function hubBase(config: Pick<HubConfigDocument, 'basePath' | 'source'> | undefined, file = 'oclhub.ocl'): HubBase {
  const checked = hubBasePath(config);
  if (checked.valid) return checked.folder;
  const range = config?.source.attributeRanges['base_path'] ?? config?.source.range;
  return { written: config?.basePath ?? '', reason: checked.reason, file, ...(range ? { range } : {}) };
}

/** What a reader of hub content says when `base` names no folder: why it read nothing. */
export function noBaseFolderSummary(base: NoBaseFolder): string {
  return `base_path ${JSON.stringify(base.written)} is not a folder inside the hub repository (${base.reason})`;
}

/** SEM037 at `base_path` in oclhub.ocl (`file`) when it names no folder of the hub repository. */
export function checkBasePath(config: Pick<HubConfigDocument, 'basePath' | 'source'>, file?: string): Diagnostic | undefined {
  const checked = hubBasePath(config);
  if (checked.valid) return undefined;
  return modelDiagnostic('SEM037', `base_path ${JSON.stringify(config.basePath)} is not a folder inside the hub repository: ${checked.reason}`, {
    file,
    range: config.source.attributeRanges['base_path'] ?? config.source.range,
    detail:
      'base_path is the folder holding policies/, process-templates/ and project-templates/, relative to the root of the hub repository, with `/` between folders: ".octopus" (the default), "platform", or "." for the root. No policy or template is read until it names one.',
  });
}

/**
 * Where the hub reads the single-file template or policy `slug` in `folder` (its kind's folder under the
 * base path): the Octopus layout, then the library layout (OctopusSamples/PlatformHubLibrary's one folder per item).
 */
export function singleFileCandidates(folder: string, slug: string): string[] {
  const at = folder === '' ? '' : `${folder}/`;
  return [`${at}${slug}.ocl`, `${at}${slug}/${slug}.ocl`];
}
