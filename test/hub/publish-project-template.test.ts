import { execSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitAll, git, hubRepo, open, PUBLISHER } from './helpers.js';

const FOLDER = '.octopus/project-templates/web-api';
const PARAMETERS = `parameter "Template.Project.WorkerPool" {
    display_settings = {
        Octopus.ControlType = "WorkerPool"
    }
    help_text = ""
    label = "Worker Pool"
}
`;
const PROCESS = `step "deploy" {
    name = "Deploy"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.Script.ScriptBody = "echo deploy"
        }
        worker_pool_variable = "#{Template.Project.WorkerPool}"
    }
}
`;

describe('publishing a project template (a folder)', () => {
  it('tags the folder with the dirhash of its files and checks the bump across files', async () => {
    const dir = hubRepo({ [`${FOLDER}/parameters.ocl`]: PARAMETERS, [`${FOLDER}/deployment_process.ocl`]: PROCESS });
    const hub = await open(dir);
    const first = await hub.publish({ kind: 'project-templates', slug: 'web-api', bump: 'major', publisher: PUBLISHER });
    expect(first.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(first.tag).toBe('project-templates/web-api/v1.0.0');
    expect(first.files).toEqual([`${FOLDER}/deployment_process.ocl`, `${FOLDER}/parameters.ocl`]);
    // The content hash is what the documented shell pipeline prints for the folder.
    const expected = execSync("LC_ALL=C sha256sum $(find . -type f | sed 's|^\\./||' | LC_ALL=C sort) | sha256sum", {
      cwd: path.join(dir, FOLDER),
      encoding: 'utf8',
      shell: '/bin/sh',
    }).split(' ')[0];
    expect(first.contentHash).toBe(`sha256:${expected}`);
    expect(git(dir, ['tag', '-l', '--format=%(contents)', first.tag!])).toContain(`Content-Hash: sha256:${expected}`);

    // Removing the parameter from parameters.ocl needs a major.
    commitAll(dir, { [`${FOLDER}/parameters.ocl`]: '', [`${FOLDER}/deployment_process.ocl`]: PROCESS.replace('#{Template.Project.WorkerPool}', 'hosted') }, 'drop parameter');
    const refused = await hub.publish({ kind: 'project-templates', slug: 'web-api', bump: 'patch', publisher: PUBLISHER });
    expect(refused.ok).toBe(false);
    expect(refused.diagnostics.find((d) => d.code === 'TPL202')?.detail).toContain('Template.Project.WorkerPool');
  });
});
