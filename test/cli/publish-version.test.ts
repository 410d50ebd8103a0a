/**
 * `oclhub publish --version`: explicit numbering beside Octopus-assigned versions, the bump check on
 * the jump, the conditional form with --bump, rule settings that silence a finding, and a publish lock
 * held by a live publisher (TPL210: retry).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { openHub } from '../../src/hub/index.js';
import { publishTemplate } from '../../src/templates/publish.js';
import { commitAll, git, HUB_CONFIG, hubRepo, SMOKE_STEP, TEMPLATE_PATH, templateText } from '../hub/helpers.js';

const ENV = { GIT_AUTHOR_NAME: 'Casey CLI', GIT_AUTHOR_EMAIL: 'casey@example.com' };

async function oclhub(cwd: string, ...argv: string[]) {
  const io = { ...memoryIo(cwd), env: ENV };
  const code = await main(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

describe('oclhub publish --version', () => {
  it('publishes an explicit version above every published one, bump-checked against the previous', async () => {
    const dir = hubRepo({ [TEMPLATE_PATH]: templateText() });
    // Versions Octopus assigned before the hub used oclhub.
    git(dir, ['tag', '-a', 'process-templates/deploy-web/v9.0.0', '-m', 'Octopus 9.0.0']);
    git(dir, ['tag', '-a', 'process-templates/deploy-web/v11.2.0', '-m', 'Octopus 11.2.0']);
    commitAll(dir, { [TEMPLATE_PATH]: templateText({ extraSteps: SMOKE_STEP }) }, 'smoke test');

    const patch = await oclhub(dir, 'publish', 'process-template', 'deploy-web', '--version', '11.2.1');
    expect(patch.code).toBe(1);
    expect(patch.stderr).toContain('TPL202');
    expect(patch.stderr).toContain('11.2.1 is only a patch step from v11.2.0');

    const lower = await oclhub(dir, 'publish', 'process-template', 'deploy-web', '--version', '10.0.0');
    expect(lower.code).toBe(1);
    expect(lower.stderr).toContain('not higher than every published version (the highest is 11.2.0)');

    const minor = await oclhub(dir, 'publish', 'process-template', 'deploy-web', '--version', '11.3.0', '--notes', 'Smoke test');
    expect(minor.code).toBe(0);
    expect(minor.stdout).toContain('Published process template "deploy-web" 11.3.0 (tag process-templates/deploy-web/v11.3.0)');
    expect(git(dir, ['tag', '-l', '--format=%(contents)', 'process-templates/deploy-web/v11.3.0'])).toContain('Requested-Bump: minor');

    // With --bump, --version is the version the bump must give.
    const stale = await oclhub(dir, 'publish', 'process-template', 'deploy-web', '--bump', 'patch', '--version', '11.3.5');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('the next patch is 11.3.1');
    expect(git(dir, ['tag', '-l', 'process-templates/deploy-web/v11.3.*']).trim()).toBe('process-templates/deploy-web/v11.3.0');

    expect((await oclhub(dir, 'publish', 'process-template', 'deploy-web')).code).toBe(2);
    // The program's own --version still works before a command.
    const version = await oclhub(dir, '--version');
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('honours rule settings: a silenced error no longer refuses publish, and the output says what was silenced', async () => {
    const broken = templateText({ extraSteps: SMOKE_STEP.replace('curl -f https://example.com', 'curl -f #{Template.SiteUrl}') });
    const dir = hubRepo({ [TEMPLATE_PATH]: broken });
    const refused = await oclhub(dir, 'publish', 'process-template', 'deploy-web', '--bump', 'major');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('TPL201');
    expect(refused.stderr).toContain('TPL004');
    commitAll(dir, { 'oclhub.ocl': `${HUB_CONFIG}\nrule "TPL004" {\n    severity = "off"\n    reason = "SiteUrl is a library variable"\n}\n` }, 'silence TPL004');
    const published = await oclhub(dir, 'publish', 'process-template', 'deploy-web', '--bump', 'major', '--format', 'json');
    expect(published.code).toBe(0);
    const body = JSON.parse(published.stdout) as { published: boolean; suppressed: { code: string; adjusted: { reason: string } }[] };
    expect(body.published).toBe(true);
    expect(body.suppressed).toEqual([expect.objectContaining({ code: 'TPL004', adjusted: expect.objectContaining({ reason: 'SiteUrl is a library variable' }) })]);
    commitAll(dir, { [TEMPLATE_PATH]: `${broken}\n` }, 'touch');
    const text = await oclhub(dir, 'publish', 'process-template', 'deploy-web', '--bump', 'patch', '--dry-run');
    expect(text.stdout).toContain('Rule settings in oclhub.ocl turned off 1 finding:');
    expect(text.stdout).toContain('(SiteUrl is a library variable)');
  });

  it('a publish lock held by a live publisher: TPL210 with a retry hint, nothing tagged', async () => {
    const dir = hubRepo({ [TEMPLATE_PATH]: templateText() });
    const lock = path.join(dir, '.git/oclhub/locks/publish/process-templates/deploy-web.lock');
    mkdirSync(path.dirname(lock), { recursive: true });
    writeFileSync(lock, `${process.pid} live\n`);
    const { hub } = await openHub({ dir });
    const result = await publishTemplate(hub!.store, hub!.catalog, { kind: 'process-templates', slug: 'deploy-web', bump: 'major', publisher: { name: 'A', email: 'a@example.com' }, lockTimeoutMs: 100 });
    expect(result.diagnostics.map((d) => d.code)).toEqual(['TPL210']);
    expect(result.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(git(dir, ['tag', '-l']).trim()).toBe('');
    // oclhub's lock folder is invisible to git.
    expect(git(dir, ['status', '--porcelain']).trim()).toBe('');
  });
});
