/**
 * `oclhub activate` (src/cli/commands/activate.ts): publish then activate from the CLI on a real hub
 * repository, as the next steps of `oclhub init` and the BP027 hint tell a platform engineer to.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { git, HUB_CONFIG, hubRepo, NO_ROOT_POLICY as POLICY } from '../hub/helpers.js';

const ENV = { GIT_AUTHOR_NAME: 'Casey CLI', GIT_AUTHOR_EMAIL: 'casey@example.com' };

async function oclhub(cwd: string, env: Record<string, string>, ...argv: string[]) {
  const io = { ...memoryIo(cwd), env };
  const code = await main(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

function hubWithPolicy(): string {
  return hubRepo({ '.octopus/policies/no_root.ocl': POLICY });
}

describe('oclhub activate', () => {
  it('activates a published version as one commit, leaves the rest of oclhub.ocl alone, and deactivates with --off', async () => {
    const dir = hubWithPolicy();
    expect((await oclhub(dir, ENV, 'publish', 'policy', 'no_root', '--bump', 'major')).code).toBe(0);
    const before = git(dir, ['rev-parse', 'HEAD']).trim();

    const activated = await oclhub(dir, ENV, 'activate', 'no_root', '1.0.0');
    expect(activated.stderr).toBe('');
    expect(activated.code).toBe(0);
    expect(activated.stdout).toMatch(/^Activated policy "no_root" 1\.0\.0 \(was inactive\) on main in commit [0-9a-f]{12}\n/);
    const expected = `${HUB_CONFIG.trimEnd()}\n\npolicy "no_root" {\n    active_version = "1.0.0"\n}\n`;
    expect(git(dir, ['show', 'HEAD:oclhub.ocl'])).toBe(expected);
    expect(git(dir, ['rev-parse', 'HEAD^']).trim()).toBe(before);
    expect(git(dir, ['log', '-1', '--format=%an <%ae>'])).toBe('Casey CLI <casey@example.com>\n');
    // The checked-out branch: the working copy follows, so `git status` shows nothing to revert.
    expect(readFileSync(path.join(dir, 'oclhub.ocl'), 'utf8')).toBe(expected);
    expect(git(dir, ['status', '--porcelain'])).toBe('');
    // The hub now evaluates it: the lint names the policy's active version.
    const lint = await oclhub(dir, ENV, 'lint', '--hub', dir, '--format', 'json', '--no-cache');
    expect(lint.stderr).not.toContain('POL122');
    expect(lint.stdout).toContain('"version": "1.0.0"');

    const again = await oclhub(dir, ENV, 'activate', 'no_root', '1.0.0', '--format', 'json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, changed: false, version: '1.0.0', previousVersion: '1.0.0' });
    expect(git(dir, ['rev-parse', 'HEAD^']).trim()).toBe(before);

    const off = await oclhub(dir, ENV, 'activate', 'no_root', '--off');
    expect(off.code).toBe(0);
    expect(off.stdout).toContain('Deactivated policy "no_root" (was 1.0.0)');
    expect(git(dir, ['show', 'HEAD:oclhub.ocl'])).toBe(HUB_CONFIG);
  });

  it('refuses an unpublished version, uncommitted changes to oclhub.ocl, and a remote hub, committing nothing', async () => {
    const dir = hubWithPolicy();
    const head = () => git(dir, ['rev-parse', 'HEAD']).trim();
    const start = head();

    const unpublished = await oclhub(dir, ENV, 'activate', 'no_root', '1.0.0');
    expect(unpublished.code).toBe(1);
    expect(unpublished.stdout).toBe('Not changed: policy "no_root" (not-published)\n');
    expect(unpublished.stderr).toContain('has no published versions');
    expect(head()).toBe(start);

    expect((await oclhub(dir, ENV, 'publish', 'policy', 'no_root', '--bump', 'major')).code).toBe(0);
    const wrongVersion = await oclhub(dir, ENV, 'activate', 'no_root', '2.0.0');
    expect(wrongVersion.code).toBe(1);
    expect(wrongVersion.stderr).toContain('not published');

    writeFileSync(path.join(dir, 'oclhub.ocl'), `${HUB_CONFIG}\n# editing\n`);
    const dirty = await oclhub(dir, ENV, 'activate', 'no_root', '1.0.0', '--format', 'json');
    expect(dirty.code).toBe(1);
    expect(JSON.parse(dirty.stdout)).toMatchObject({ ok: false, refusal: 'worktree-dirty', changed: false });
    expect(head()).toBe(start);
    expect(readFileSync(path.join(dir, 'oclhub.ocl'), 'utf8')).toBe(`${HUB_CONFIG}\n# editing\n`);

    const remote = await oclhub(dir, ENV, 'activate', 'no_root', '1.0.0', '--hub', 'https://example.invalid/hub.git');
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain('needs a local hub repository');
  });

  it('is a usage error without a version or with both a version and --off, and without a Git identity', async () => {
    const dir = hubWithPolicy();
    expect((await oclhub(dir, ENV, 'activate', 'no_root')).code).toBe(2);
    const both = await oclhub(dir, ENV, 'activate', 'no_root', '1.0.0', '--off');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
    // No identity anywhere: no GIT_AUTHOR_*, no user in the repository config, HOME and the global config missing.
    const anonymous = await oclhub(dir, { HOME: path.join(dir, 'no-home'), GIT_CONFIG_GLOBAL: path.join(dir, 'no-config') }, 'activate', 'no_root', '1.0.0');
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr).toContain('no Git identity');
  });

  it('the BP027 hint at a policy block without active_version names the command, and following it clears the finding', async () => {
    const dir = hubRepo({ '.octopus/policies/no_root.ocl': POLICY, 'oclhub.ocl': `${HUB_CONFIG}\npolicy "no_root" {}\n` });
    expect((await oclhub(dir, ENV, 'publish', 'policy', 'no_root', '--bump', 'major')).code).toBe(0);
    const before = await oclhub(dir, ENV, 'validate', '--hub', '.', '--format', 'json');
    const hint = JSON.stringify(JSON.parse(before.stdout)).match(/"detail":"(Activate a published version: oclhub activate no_root <version>[^"]*)"/);
    expect(hint, before.stdout).not.toBeNull();
    const activated = await oclhub(dir, ENV, 'activate', 'no_root', '1.0.0');
    expect(activated.code, activated.stderr).toBe(0);
    const after = await oclhub(dir, ENV, 'validate', '--hub', '.', '--format', 'json');
    expect(after.stdout).not.toContain('BP027');
  });
});
