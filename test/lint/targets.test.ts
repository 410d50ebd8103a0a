import { describe, expect, it } from 'vitest';
import { splitProjects } from '../../src/cli/lint-targets.js';

describe('splitProjects', () => {
  it('keeps a single project folder whole', () => {
    const files = new Map([
      ['.octopus/deployment_process.ocl', 'a'],
      ['.octopus/runbooks/restart.ocl', 'b'],
    ]);
    expect([...splitProjects(files).entries()].map(([root, f]) => [root, [...f.keys()]])).toEqual([['.octopus', ['.octopus/deployment_process.ocl', '.octopus/runbooks/restart.ocl']]]);
  });

  it('splits .octopus/<name>/ projects, runbooks going with their project', () => {
    const files = new Map([
      ['.octopus/api/deployment_process.ocl', 'a'],
      ['.octopus/api/runbooks/restart.ocl', 'b'],
      ['.octopus/web/deployment_process.ocl', 'c'],
      ['.octopus/web/schema_version.ocl', 'd'],
    ]);
    const groups = splitProjects(files);
    expect([...groups.keys()].sort()).toEqual(['.octopus/api', '.octopus/web']);
    expect([...groups.get('.octopus/api')!.keys()]).toEqual(['.octopus/api/deployment_process.ocl', '.octopus/api/runbooks/restart.ocl']);
    expect([...groups.get('.octopus/web')!.keys()]).toEqual(['.octopus/web/deployment_process.ocl', '.octopus/web/schema_version.ocl']);
  });
});
