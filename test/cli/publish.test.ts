import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { commitAll, git, hubRepo, processText, REQUIRED_PARAMETER, SMOKE_STEP, TEMPLATE_PATH, templateText, tracked } from '../hub/helpers.js';
import { initRepo } from '../git/helpers.js';

const ENV = { GIT_AUTHOR_NAME: 'Casey CLI', GIT_AUTHOR_EMAIL: 'casey@example.com' };

async function oclhub(cwd: string, ...argv: string[]) {
  const io = { ...memoryIo(cwd), env: ENV };
  const code = await main(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

describe('oclhub publish / versions', () => {
  it('publishes, lists versions, refuses re-publishing and insufficient bumps, and records --force', async () => {
    const dir = hubRepo({ [TEMPLATE_PATH]: templateText() });
    const first = await oclhub(dir, 'publish', 'process-template', 'deploy-web', '--bump', 'major', '--notes', 'First cut');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Published process template "deploy-web" 1.0.0 (tag process-templates/deploy-web/v1.0.0)');
    expect(git(dir, ['tag', '-l'])).toBe('process-templates/deploy-web/v1.0.0\n');
    const shown = git(dir, ['show', '--no-patch', 'process-templates/deploy-web/v1.0.0']);
    expect(shown).toContain('Tagger: Casey CLI <casey@example.com>');
    expect(shown).toContain('First cut');

    // Nothing changed: a patch is allowed and says so; the version is new, never reused.
    const same = await oclhub(dir, 'publish', 'process-template', 'deploy-web', '--bump', 'patch', '--dry-run');
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('Would publish process template "deploy-web" 1.0.1');
    expect(same.stderr).toContain('TPL209');

    // Removing a parameter needs a major: --bump minor is refused with the reason, exit 1.
    commitAll(dir, { [TEMPLATE_PATH]: templateText({ withoutRegion: true }) }, 'drop region');
    const refused = await oclhub(dir, 'publish', 'process-template', 'deploy-web', '--bump', 'minor');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('TPL202');
    expect(refused.stderr).toContain('removed parameter "Template.Region"');
    expect(git(dir, ['tag', '-l']).trim().split('\n')).toHaveLength(1);

    const forced = await oclhub(dir, 'publish', 'process-template', 'deploy-web', '--bump', 'minor', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('(overridden with --force)');
    const message = git(dir, ['tag', '-l', '--format=%(contents)', 'process-templates/deploy-web/v1.1.0']);
    expect(message).toContain('Forced: true');
    expect(message).toContain('Bump-Reason: removed parameter "Template.Region"');

    // A version tag made with git itself counts as published: the next major skips it (versions are never reused).
    commitAll(dir, { [TEMPLATE_PATH]: templateText({ withoutRegion: true, extraSteps: SMOKE_STEP }) }, 'smoke');
    git(dir, ['tag', '-a', '-m', 'someone else', 'process-templates/deploy-web/v2.0.0', 'HEAD']);
    const major = await oclhub(dir, 'publish', 'process-template', 'deploy-web', '--bump', 'major', '--dry-run');
    expect(major.stdout).toContain('3.0.0');

    const versions = await oclhub(dir, 'versions', 'process-template', 'deploy-web', '--format', 'json');
    expect(versions.code).toBe(0);
    const listed = JSON.parse(versions.stdout) as { versions: { version: string; forced?: boolean; notes: string; messageError?: string }[] };
    // Newest first, as the text output.
    expect(listed.versions.map((v) => v.version)).toEqual(['2.0.0', '1.1.0', '1.0.0']);
    expect(listed.versions[2]!.notes).toBe('First cut');
    expect(listed.versions[1]!.forced).toBe(true);
    expect(listed.versions[0]!.messageError).toBeDefined();
    const text = await oclhub(dir, 'versions', 'process-template', 'deploy-web');
    expect(text.stdout.split('\n')[0]).toMatch(/^2\.0\.0\t\d{4}-\d\d-\d\d/);
    expect(text.stdout).toContain('[forced]');
  });

  it('refuses a dirty template unless --ref names a commit, and rejects unknown kinds', async () => {
    const dir = hubRepo({ [TEMPLATE_PATH]: templateText() });
    writeFileSync(path.join(dir, TEMPLATE_PATH), templateText({ extraSteps: SMOKE_STEP }));
    const dirty = await oclhub(dir, 'publish', 'process-template', 'deploy-web', '--bump', 'major');
    expect(dirty.code).toBe(1);
    expect(dirty.stderr).toContain('TPL204');
    const atRef = await oclhub(dir, 'publish', 'process-template', 'deploy-web', '--bump', 'major', '--ref', 'main');
    expect(atRef.code).toBe(0);
    expect((await oclhub(dir, 'publish', 'template', 'deploy-web', '--bump', 'major')).code).toBe(2);
    expect((await oclhub(dir, 'publish', 'process-template', 'deploy-web', '--bump', 'huge')).code).toBe(2);
  });

  it('--dry-run prints the impact on projects registered in oclhub.ocl', async () => {
    const dir = hubRepo({ [TEMPLATE_PATH]: templateText(), 'projects/web-app/.octopus/deployment_process.ocl': processText('1.X') });
    expect((await oclhub(dir, 'publish', 'process-template', 'deploy-web', '--bump', 'major')).code).toBe(0);
    commitAll(dir, { [TEMPLATE_PATH]: templateText({ extraParameters: REQUIRED_PARAMETER }) }, 'url');
    const dry = await oclhub(dir, 'publish', 'process-template', 'deploy-web', '--bump', 'minor', '--force', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Would publish process template "deploy-web" 1.1.0');
    expect(dry.stdout).toContain('Requested bump: minor; required since 1.0.0: major (overridden with --force)');
    expect(dry.stdout).toContain('web-app: projects/web-app/.octopus/deployment_process.ocl usage "web" (mask 1.X): floats 1.0.0 -> 1.1.0');
    expect(dry.stdout).toMatch(/new error TPL111: .*Template\.Url/);
    expect(git(dir, ['tag', '-l']).trim().split('\n')).toHaveLength(1);
  });
});

describe('oclhub resolve / lock / outdated', () => {
  it('resolves a project in another repository against the hub, writes the lock and reports outdated usages', async () => {
    const hubDir = hubRepo({ [TEMPLATE_PATH]: templateText() });
    expect((await oclhub(hubDir, 'publish', 'process-template', 'deploy-web', '--bump', 'major')).code).toBe(0);
    const project = tracked(initRepo({ '.octopus/deployment_process.ocl': processText('1.X') }));

    const json = await oclhub(project, 'resolve', '--hub', hubDir);
    expect(json.code).toBe(0);
    const resolved = JSON.parse(json.stdout) as { processes: { steps: { slug: string; provenance: { type: string; version?: string } }[] }[] };
    expect(resolved.processes[0]!.steps.map((s) => s.slug)).toEqual(['web-deploy', 'notify']);
    expect(resolved.processes[0]!.steps[0]!.provenance).toMatchObject({ type: 'process_template', version: '1.0.0' });

    const ocl = await oclhub(project, 'resolve', '--hub', hubDir, '--format', 'ocl');
    expect(ocl.code).toBe(0);
    expect(ocl.stdout).toContain('step "web-deploy" {');
    expect(ocl.stdout).toContain('name = "Web-Deploy"');
    expect(ocl.stdout).not.toContain('process_template "web"');

    const locked = await oclhub(path.join(project, '.octopus'), 'lock', '--hub', hubDir);
    expect(locked.code).toBe(0);
    const lock = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(path.join(project, 'oclhub.lock.json'), 'utf8')));
    expect(lock.usages['.octopus/deployment_process.ocl#web']).toMatchObject({ template: 'deploy-web', mask: '1.X', version: '1.0.0' });

    commitAll(hubDir, { [TEMPLATE_PATH]: templateText({ extraSteps: SMOKE_STEP }) }, 'smoke');
    expect((await oclhub(hubDir, 'publish', 'process-template', 'deploy-web', '--bump', 'minor')).code).toBe(0);
    commitAll(hubDir, { [TEMPLATE_PATH]: templateText({ extraSteps: SMOKE_STEP, withoutRegion: true }) }, 'no region');
    expect((await oclhub(hubDir, 'publish', 'process-template', 'deploy-web', '--bump', 'major')).code).toBe(0);

    const drift = await oclhub(project, 'resolve', '--hub', hubDir, '--locked');
    expect(drift.code).toBe(1);
    expect(drift.stderr).toContain('TPL120');

    const outdated = await oclhub(project, 'outdated', '--hub', hubDir, '--format', 'json');
    expect(outdated.code).toBe(1);
    expect(JSON.parse(outdated.stdout).usages).toEqual([
      { file: '.octopus/deployment_process.ocl', usage: 'web', template: 'deploy-web', mask: '1.X', resolved: '1.0.0', newestAllowed: '1.1.0', newestOverall: '2.0.0', needsManualAcceptance: true },
    ]);
    const table = await oclhub(project, 'outdated', '--hub', hubDir);
    expect(table.stdout).toContain('new major: needs manual acceptance');
  });

  it('resolve and outdated take a registered project by slug from the hub, read from its repository with its lock; lock takes folders only', async () => {
    const hubDir = hubRepo({ [TEMPLATE_PATH]: templateText() });
    expect((await oclhub(hubDir, 'publish', 'process-template', 'deploy-web', '--bump', 'major')).code).toBe(0);
    const project = tracked(initRepo({ '.octopus/deployment_process.ocl': processText('1.X') }));
    expect((await oclhub(project, 'lock', '--hub', hubDir)).code).toBe(0);
    commitAll(project, {}, 'lock');
    commitAll(hubDir, { 'oclhub.ocl': `${git(hubDir, ['show', 'HEAD:oclhub.ocl'])}\nproject "web" {\n    name = "Web"\n    repository = ${JSON.stringify(project)}\n}\n` }, 'register web');

    // The same answers by slug from the hub as by folder from the project.
    for (const argv of [['resolve'], ['resolve', '--format', 'ocl'], ['outdated', '--format', 'json']]) {
      const byFolder = await oclhub(project, ...argv, '--hub', hubDir);
      const bySlug = await oclhub(hubDir, ...argv, '--project', 'web');
      expect(bySlug.code, bySlug.stderr).toBe(byFolder.code);
      expect(bySlug.stdout).toBe(byFolder.stdout);
    }
    // The lock read is the project repository's: a new major is drift for --locked, by slug as by folder.
    commitAll(hubDir, { [TEMPLATE_PATH]: templateText({ extraSteps: SMOKE_STEP, withoutRegion: true }) }, 'no region');
    expect((await oclhub(hubDir, 'publish', 'process-template', 'deploy-web', '--bump', 'major')).code).toBe(0);
    commitAll(project, { '.octopus/deployment_process.ocl': processText('2.X') }, 'move to 2.X');
    const drift = await oclhub(hubDir, 'resolve', '--project', 'web', '--locked');
    expect(drift.code).toBe(1);
    expect(drift.stderr).toContain('TPL120');
    expect(drift.stderr).toContain('.octopus/deployment_process.ocl:');

    const typo = await oclhub(hubDir, 'outdated', '--project', 'wbe');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('oclhub outdated: No project "wbe": neither a folder nor a project in oclhub.ocl (did you mean "web"?) (projects: web-app, web)\n');
    // lock writes oclhub.lock.json into the folder it is given: a slug is not one.
    const lock = await oclhub(hubDir, 'lock', '--project', 'web');
    expect(lock.code).toBe(2);
  });

  it('exits 1 with positioned diagnostics when a usage does not resolve', async () => {
    const hubDir = hubRepo({ [TEMPLATE_PATH]: templateText() });
    expect((await oclhub(hubDir, 'publish', 'process-template', 'deploy-web', '--bump', 'major')).code).toBe(0);
    const project = tracked(initRepo({ '.octopus/deployment_process.ocl': processText('4.X') }));
    const result = await oclhub(project, 'resolve', '--hub', hubDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('.octopus/deployment_process.ocl:4:');
    expect(result.stderr).toContain('TPL103');
    expect(result.stderr).toContain('published versions: 1.0.0');
  });
});

describe('oclhub publish --dry-run when the bump is refused', () => {
  it('still prints the impact, and exits 1', async () => {
    const dir = hubRepo({ [TEMPLATE_PATH]: templateText(), 'projects/web-app/.octopus/deployment_process.ocl': processText('1.X') });
    const first = await oclhub(dir, 'publish', 'process-template', 'deploy-web', '--bump', 'major');
    expect(first.stdout).toContain('no stable version published yet');
    commitAll(dir, { [TEMPLATE_PATH]: templateText({ extraParameters: REQUIRED_PARAMETER }) }, 'url');
    const dry = await oclhub(dir, 'publish', 'process-template', 'deploy-web', '--bump', 'patch', '--dry-run');
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain('Not published: process template "deploy-web" 1.0.1');
    expect(dry.stdout).toMatch(/floats 1\.0\.0 -> 1\.0\.1\n\s+new error TPL111/);
    expect(dry.stderr).toContain('TPL202');
  });
});
