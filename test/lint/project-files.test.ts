/**
 * Which files a project folder owns and which of them Octopus writes (lint/project-files.ts): the answers
 * remembered by path must be those of the rule itself, asked once or many times.
 */
import { describe, expect, it } from 'vitest';
import { classifyPath } from '../../src/model/kinds.js';
import { isProjectFile, ownsProjectFile } from '../../src/lint/project-files.js';

const PROJECT_KINDS = new Set(['deployment_process', 'deployment_settings', 'variables', 'schema_version', 'runbook', 'channels']);

/** The rules as written before their answers were remembered (split paths, classified every time). */
function ownsBySplitting(relative: string): boolean {
  const parts = relative.split('/');
  return parts.length === 1 || parts[0] === 'runbooks';
}
function classifiedEveryTime(relative: string): boolean {
  if (/(^|\/)templated_project_values\.ocl$/i.test(relative)) return true;
  const kind = classifyPath(relative)?.kind;
  if (relative.split('/')[0] === 'runbooks') return kind === 'runbook';
  return kind !== undefined && PROJECT_KINDS.has(kind);
}

/** Every name under every folder: Octopus's file names (either spelling, either case), others, and odd paths. */
const NAMES = ['deployment_process.ocl', 'Deployment_Process.OCL', 'deployment-process.ocl', 'deployment_settings.ocl', 'variables.ocl', 'schema_version.ocl', 'schema-version.ocl', 'channels.ocl', 'templated_project_values.ocl', 'TEMPLATED_PROJECT_VALUES.OCL', 'restart.ocl', 'README.md'];
const FOLDERS = ['', 'runbooks/', 'runbooks/migrated-drafts/', 'runbooksX/', 'Runbooks/', 'telemetry/', 'telemetry/runbooks/', 'policies/', 'process-templates/', 'project-templates/web/', 'a//', './', 'a\\'];
const PATHS = ['', 'runbooks', ...FOLDERS.flatMap((folder) => NAMES.map((name) => folder + name))];

describe('project files', () => {
  it('owns and classifies every path as the rule does, the first time and from the remembered answer', () => {
    for (let round = 0; round < 3; round++) {
      for (const relative of PATHS) {
        expect([relative, ownsProjectFile(relative)]).toEqual([relative, ownsBySplitting(relative)]);
        expect([relative, isProjectFile(relative)]).toEqual([relative, classifiedEveryTime(relative)]);
      }
    }
    // The answers are not all alike: the comparison above tells files apart.
    expect(PATHS.filter(isProjectFile).length).toBeGreaterThan(5);
    expect(PATHS.filter((p) => !isProjectFile(p)).length).toBeGreaterThan(5);
  });

  it('still classifies paths past the number it remembers', () => {
    const many = Array.from({ length: 5000 }, (_, i) => (i % 2 === 0 ? `runbooks/r${i}.ocl` : `sub${i}/runbooks/r${i}.ocl`));
    for (const relative of many) expect(isProjectFile(relative)).toBe(classifiedEveryTime(relative));
    for (const relative of PATHS) expect(isProjectFile(relative)).toBe(classifiedEveryTime(relative));
  });
});
