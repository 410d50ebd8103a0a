/** Policy activation as a commit (src/hub-activation.ts): the OCL edit, and the commit on a real repository. */
import { describe, expect, it } from 'vitest';
import { activatePolicy, editActivation } from '../../src/hub/index.js';
import { formatOcl } from '../../src/ocl/format.js';
import { fsck } from '../git/helpers.js';
import { git, HUB_CONFIG, hubRepo, NO_ROOT_POLICY as POLICY, open } from './helpers.js';

const WITH_POLICIES = `${HUB_CONFIG}
policy "alpha" {
    active_version = "1.0.0"
}

policy "beta" {
    active_version = "2.0.0"
}
`;

function edit(text: string, slug: string, version: string | null): string {
  const result = editActivation(text, slug, version);
  if ('error' in result) throw new Error(result.error);
  return result.text;
}

describe('editActivation', () => {
  it('replaces an active version in place, leaving every other byte alone', () => {
    const text = edit(WITH_POLICIES, 'alpha', '1.1.0');
    expect(text).toBe(WITH_POLICIES.replace('active_version = "1.0.0"', 'active_version = "1.1.0"'));
    expect(editActivation(WITH_POLICIES, 'beta', '3.0.0')).toEqual({ text: WITH_POLICIES.replace('"2.0.0"', '"3.0.0"'), previous: '2.0.0' });
  });

  it('adds a block after the last activation, or at the end of a file without any', () => {
    expect(edit(WITH_POLICIES, 'gamma', '0.1.0')).toBe(`${WITH_POLICIES.trimEnd()}\n\npolicy "gamma" {\n    active_version = "0.1.0"\n}\n`);
    const added = edit(HUB_CONFIG, 'gamma', '0.1.0');
    expect(added).toBe(`${HUB_CONFIG.trimEnd()}\n\npolicy "gamma" {\n    active_version = "0.1.0"\n}\n`);
    expect(formatOcl(added).changed).toBe(false);
    expect(edit('', 'gamma', '0.1.0')).toBe('policy "gamma" {\n    active_version = "0.1.0"\n}\n');
  });

  it('removes a block with its separator, so that add then remove is the identity', () => {
    expect(edit(edit(HUB_CONFIG, 'gamma', '0.1.0'), 'gamma', null)).toBe(HUB_CONFIG);
    expect(edit(WITH_POLICIES, 'beta', null)).toBe(`${HUB_CONFIG}\npolicy "alpha" {\n    active_version = "1.0.0"\n}\n`);
    const first = 'policy "alpha" {\n    active_version = "1.0.0"\n}\n\npolicy "beta" {\n    active_version = "2.0.0"\n}\n';
    expect(edit(first, 'alpha', null)).toBe('policy "beta" {\n    active_version = "2.0.0"\n}\n');
    expect(editActivation(HUB_CONFIG, 'gamma', null)).toEqual({ text: HUB_CONFIG, previous: null });
  });

  it('keeps the rest of a hand-laid-out file, CRLF line endings and a byte-order mark', () => {
    const loose = WITH_POLICIES.replace('base_path = ".octopus"', 'base_path   =   ".octopus"');
    expect(edit(loose, 'beta', '2.1.0')).toBe(loose.replace('"2.0.0"', '"2.1.0"'));
    const crlf = `\uFEFF${WITH_POLICIES.replace(/\n/g, '\r\n')}`;
    const edited = edit(crlf, 'gamma', '1.0.0');
    expect(edited.startsWith('\uFEFF')).toBe(true);
    expect(edited.replace(/\r\n/g, '')).not.toContain('\n');
    expect(edited).toContain('policy "gamma" {\r\n    active_version = "1.0.0"\r\n}\r\n');
  });

  it('refuses a file that does not parse', () => {
    expect(editActivation('policy "a" {', 'a', '1.0.0')).toHaveProperty('error');
  });
});

describe('activatePolicy', () => {
  it('commits on the branch as the author; concurrent writers are reconciled by compare-and-swap', async () => {
    const dir = hubRepo({ '.octopus/policies/no_root.ocl': POLICY, '.octopus/policies/no_sudo.ocl': POLICY.replace(/no_root/g, 'no_sudo') });
    git(dir, ['tag', '-a', 'policies/no_root/v1.0.0', '-m', 'First']);
    git(dir, ['tag', '-a', 'policies/no_sudo/v1.0.0', '-m', 'First']);
    const hub = await open(dir);
    const author = { name: 'Ada Admin', email: 'ada@example.com' };
    const refused = await activatePolicy(hub, { slug: 'no_root', version: '2.0.0', author });
    expect(refused).toMatchObject({ ok: false, refusal: 'not-published', changed: false });
    expect(refused.diagnostics[0]!.severity).toBe('error');
    expect(await activatePolicy(hub, { slug: 'unknown', version: null, author })).toMatchObject({ ok: false, refusal: 'unknown-policy' });

    // Two writers read the same tip: one commits, the other meets a moved branch and re-applies its edit.
    const results = await Promise.all([
      activatePolicy(hub, { slug: 'no_root', version: '1.0.0', author }),
      activatePolicy(hub, { slug: 'no_sudo', version: '1.0.0', author }),
    ]);
    expect(results.map((r) => [r.ok, r.changed])).toEqual([
      [true, true],
      [true, true],
    ]);
    const text = git(dir, ['show', 'main:oclhub.ocl']);
    expect(text).toContain('policy "no_root" {\n    active_version = "1.0.0"\n}');
    expect(text).toContain('policy "no_sudo" {\n    active_version = "1.0.0"\n}');
    expect(git(dir, ['log', '-2', '--format=%an <%ae>', 'main']).trim().split('\n')).toEqual(['Ada Admin <ada@example.com>', 'Ada Admin <ada@example.com>']);
    expect(fsck(dir)).toEqual({ status: 0, output: '' });
  });
});
