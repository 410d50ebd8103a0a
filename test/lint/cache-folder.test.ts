import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { worktreeStatesWritten } from '../../src/lint/worktree.js';
import { run } from '../cli/helpers.js';
import { git, initRepo } from '../git/helpers.js';
import { processText, tracked } from '../hub/helpers.js';

describe('the lint cache folder', () => {
  it('is never listed by git, even when a lint in a project repository without a hub writes only its working-tree state', async () => {
    const dir = tracked(initRepo({ '.octopus/deployment_process.ocl': processText('1.X'), '.octopus/schema_version.ocl': 'version = 16\n' }));
    const lint = await run(dir, 'lint');
    await worktreeStatesWritten();
    expect(lint.code).toBe(2);
    expect(lint.stderr).toContain('has no oclhub.ocl');
    // The re-run check wrote its state before the hub was found missing: the folder exists, ignoring itself.
    expect(existsSync(path.join(dir, '.oclhub-cache'))).toBe(true);
    expect(readFileSync(path.join(dir, '.oclhub-cache', '.gitignore'), 'utf8')).toBe('*\n');
    expect(git(dir, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
  });
});
