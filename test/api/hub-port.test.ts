/** The API over the real façade: hubPort(openHub(...)) on a hub repository built with the git CLI. */
import { beforeAll, describe, expect, it } from 'vitest';
import { hubPort } from '../../src/api/hub-port.js';
import { commitAll, git, hubRepo, open, processText, publishOk, SMOKE_STEP, TEMPLATE_PATH, templateText } from '../hub/helpers.js';
import { expectJson, expectProblem, PUBLISH_TOKEN, startApi, type Api } from './helpers.js';

const PROJECT_PROCESS = 'projects/web-app/.octopus/deployment_process.ocl';

let dir: string;
let api: Api;

beforeAll(async () => {
  dir = hubRepo({ [TEMPLATE_PATH]: templateText(), [PROJECT_PROCESS]: processText('1.X') });
  const hub = await open(dir);
  await publishOk(hub, 'deploy-web', 'major', { notes: 'First release' });
  commitAll(dir, { [TEMPLATE_PATH]: templateText({ extraSteps: SMOKE_STEP }) }, 'smoke test');
  await publishOk(hub, 'deploy-web', 'minor', { notes: 'Adds a smoke test' });
  api = await startApi(hubPort(await open(dir)));
});

describe('hubPort', () => {
  it('lists templates and versions with the publish metadata from the tag messages', async () => {
    const listing = await expectJson<{ templates: { slug: string; versions: string[]; latestStable: string }[] }>(await api.get('/api/process-templates'), 200, 'template-list');
    expect(listing.templates).toEqual([expect.objectContaining({ slug: 'deploy-web', versions: ['1.0.0', '1.1.0'], latestStable: '1.1.0' })]);
    const versions = await expectJson<{ versions: { version: string; notes: string; publisher: { email: string }; contentHash: string; previousVersion?: string }[] }>(
      await api.get('/api/process-templates/deploy-web/versions'),
      200,
      'version-list',
    );
    // Newest first, as `oclhub versions` lists them.
    expect(versions.versions.map((v) => [v.version, v.notes, v.publisher.email, v.previousVersion])).toEqual([
      ['1.1.0', 'Adds a smoke test', 'pat@example.com', '1.0.0'],
      ['1.0.0', 'First release', 'pat@example.com', undefined],
    ]);
    expect(versions.versions[0]!.contentHash).toMatch(/\S/);
  });

  it('serves the file at a version tag and at older commits', async () => {
    const v1 = await expectJson<{ files: { ocl: string }[] }>(await api.get('/api/process-templates/deploy-web/versions/1.0.0'), 200, 'template-content');
    expect(v1.files[0]!.ocl).toBe(git(dir, ['show', `process-templates/deploy-web/v1.0.0:${TEMPLATE_PATH}`]));
    const first = git(dir, ['rev-list', '--max-parents=0', 'main']).trim();
    const old = await expectJson<{ commit: string; files: { ocl: string }[] }>(await api.get(`/api/process-templates/deploy-web?ref=${first}`), 200, 'template-content');
    expect(old.commit).toBe(first);
    expect(old.files[0]!.ocl).toBe(git(dir, ['show', `${first}:${TEMPLATE_PATH}`]));
    await expectProblem(await api.get('/api/process-templates/deploy-web?ref=nope'), 404, 'not-found');
  });

  it('follows the default branch as it moves', async () => {
    const text = templateText({ extraSteps: SMOKE_STEP, helpText: 'Moved on' });
    const head = commitAll(dir, { [TEMPLATE_PATH]: text }, 'move main');
    const body = await expectJson<{ commit: string; files: { ocl: string }[] }>(await api.get('/api/process-templates/deploy-web'), 200, 'template-content');
    expect(body.commit).toBe(head);
    expect(body.files[0]!.ocl).toBe(text);
  });

  it('lists projects and resolves a process with template provenance', async () => {
    const projects = await expectJson<{ projects: { slug: string; path: string; environments: string[] }[] }>(await api.get('/api/projects'), 200, 'project-list');
    expect(projects.projects).toEqual([{ slug: 'web-app', name: 'Web App', path: 'projects/web-app/.octopus', environments: ['development', 'production'] }]);
    const resolved = await expectJson<{ processes: { steps: { slug: string; provenance: { type: string; version?: string; tag?: string } }[] }[] }>(
      await api.get('/api/projects/web-app/process?environment=production'),
      200,
      'resolved-process',
    );
    const steps = resolved.processes[0]!.steps;
    expect(steps.map((s) => s.slug)).toEqual(['web-deploy', 'web-smoke-test', 'notify']);
    expect(steps[0]!.provenance).toMatchObject({ type: 'process_template', version: '1.1.0', tag: 'process-templates/deploy-web/v1.1.0' });
    expect(steps[2]!.provenance.type).toBe('step');
    await expectProblem(await api.get('/api/projects/unknown/process'), 404, 'not-found');
  });

  it('publishes through the façade as the token identity, and refuses a stale expected version', async () => {
    const created = await expectJson<{ version: string; tag: string }>(
      await api.post('/api/process-templates/deploy-web/versions', { bump: 'patch', notes: 'Help text', version: '1.1.1' }, { token: PUBLISH_TOKEN }),
      201,
      'publish-response',
    );
    expect(created.version).toBe('1.1.1');
    // Visible at once through this port, whatever the tag-listing TTL.
    const listed = await expectJson<{ versions: { version: string }[] }>(await api.get('/api/process-templates/deploy-web/versions'), 200, 'version-list');
    expect(listed.versions.map((v) => v.version)).toContain('1.1.1');
    expect(git(dir, ['for-each-ref', '--format=%(contents)', `refs/tags/${created.tag}`])).toContain('Pat Publisher <pat@example.com>');
    const stale = await expectProblem(await api.post('/api/process-templates/deploy-web/versions', { bump: 'patch', version: '1.1.1' }, { token: PUBLISH_TOKEN }), 409, 'version-exists');
    expect(stale.detail).toContain('1.1.1 of process template "deploy-web" is already published');
    const ahead = await expectProblem(await api.post('/api/process-templates/deploy-web/versions', { bump: 'patch', version: '1.1.5' }, { token: PUBLISH_TOKEN }), 409, 'version-exists');
    expect(ahead.detail).toContain('the next patch is 1.1.2');
  });

  it('sees tags created by other processes (git CLI) once the tag TTL has passed', async () => {
    const fresh = await startApi(hubPort(await open(dir), { tagTtlMs: 0 }));
    const before = await expectJson<{ versions: { version: string }[] }>(await fresh.get('/api/process-templates/deploy-web/versions'), 200, 'version-list');
    expect(before.versions.map((v) => v.version)).not.toContain('5.0.0');
    git(dir, ['tag', '-a', 'process-templates/deploy-web/v5.0.0', '-m', 'Made with git']);
    const after = await expectJson<{ versions: { version: string; notes: string }[] }>(await fresh.get('/api/process-templates/deploy-web/versions'), 200, 'version-list');
    expect(after.versions.find((v) => v.version === '5.0.0')?.notes).toBe('Made with git');
  });

  it('provides the decision endpoints: with no active policy, every context is allowed', async () => {
    const compliance = await expectJson<{ rows: { project: string; environment: string; status: string }[] }>(await api.get('/api/compliance'), 200, 'compliance-response');
    expect(compliance.rows.map((r) => `${r.project}/${r.environment} ${r.status}`)).toEqual(['web-app/development allowed', 'web-app/production allowed']);
    const gate = await expectJson<{ decision: string; policies: unknown[] }>(await api.post('/api/evaluations', { project: 'web-app', environment: 'production' }), 200, 'evaluation-response');
    expect(gate).toMatchObject({ decision: 'allowed', policies: [] });
  });
});
