/**
 * What belongs to one project folder. A folder registered as a project (`path = ".octopus"`) owns the
 * files directly in it and its `runbooks/`; a sub-folder holding project files of its own (e.g.
 * `.octopus/telemetry/`) is another project, never merged into this one. A folder counts as a project
 * only when it holds a file Octopus writes into project folders (a runbook-only project counts).
 */
import { classifyPath } from '../model/kinds.js';

const PROJECT_KINDS = new Set(['deployment_process', 'deployment_settings', 'variables', 'schema_version', 'runbook', 'channels']);

/** Whether a path relative to the project folder is the folder's own: directly in it, or under `runbooks/`. */
export function ownsProjectFile(relative: string): boolean {
  // The first '/'-separated part is the whole path, or `runbooks` (without splitting: lint asks for every file of every project).
  return !relative.includes('/') || relative.startsWith('runbooks/');
}

/** Whether a path relative to a project folder is a file Octopus writes there (runbooks only under `runbooks/`). */
export function isProjectFile(relative: string): boolean {
  const known = projectFileAnswers.get(relative);
  if (known !== undefined) return known;
  const answer = classifiedAsProjectFile(relative);
  if (projectFileAnswers.size < PROJECT_FILE_ANSWERS) projectFileAnswers.set(relative, answer);
  return answer;
}

function classifiedAsProjectFile(relative: string): boolean {
  if (/(^|\/)templated_project_values\.ocl$/i.test(relative)) return true;
  const kind = classifyPath(relative)?.kind;
  if (relative.split('/')[0] === 'runbooks') return kind === 'runbook';
  return kind !== undefined && PROJECT_KINDS.has(kind);
}

/**
 * `isProjectFile`'s answers by path: a function of the path alone, asked for every file of every project
 * when a hub is listed, where a thousand projects hold the same few names (`deployment_process.ocl`).
 * Bounded: past this many paths, new ones are classified every time.
 */
const projectFileAnswers = new Map<string, boolean>();
const PROJECT_FILE_ANSWERS = 4096;

/** The project folders among repository-relative OCL paths (for did-you-mean and for splitting a repository). */
export function projectFoldersOf(paths: Iterable<string>): string[] {
  const folders = new Set<string>();
  for (const file of paths) {
    if (!file.toLowerCase().endsWith('.ocl')) continue;
    const parts = file.split('/');
    const runbook = parts.length >= 2 && parts[parts.length - 2] === 'runbooks';
    const folder = parts.slice(0, runbook ? -2 : -1).join('/');
    if (isProjectFile(parts.slice(runbook ? -2 : -1).join('/'))) folders.add(folder);
  }
  return [...folders].sort();
}
