/** Publishing over HTTP: created tags checked with the git CLI, conflicts, and concurrent publishers. */
import { describe, expect, it } from 'vitest';
import { git } from '../git/helpers.js';
import { gitPort } from './git-port.js';
import { buildHub, expectJson, expectProblem, PUBLISH_TOKEN, startApi } from './helpers.js';

const tags = (dir: string, prefix: string) => git(dir, ['tag', '-l', `${prefix}*`]).trim().split('\n').filter((t) => t !== '');
const tagField = (dir: string, name: string, field: string) => git(dir, ['for-each-ref', `--format=%(${field})`, `refs/tags/${name}`]).trim();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('POST /api/<kind>/:slug/versions', () => {
  it('publishes: 201, Location, and an annotated tag by the token identity on the branch head', async () => {
    const { dir } = buildHub();
    const api = await startApi(await gitPort(dir));
    const response = await api.post('/api/process-templates/deploy-web/versions', { bump: 'patch', notes: 'Fix the help text' }, { token: PUBLISH_TOKEN });
    const body = await expectJson<{ published: boolean; version: string; tag: string }>(response, 201, 'publish-response');
    expect(body).toMatchObject({ published: true, version: '1.1.1', tag: 'process-templates/deploy-web/v1.1.1' });
    expect(response.headers.get('location')).toBe('/api/process-templates/deploy-web/versions/1.1.1');
    expect(tagField(dir, body.tag, 'objecttype')).toBe('tag');
    expect(tagField(dir, body.tag, 'taggername')).toBe('Pat Publisher');
    expect(tagField(dir, body.tag, 'taggeremail')).toBe('<pat@example.com>');
    expect(tagField(dir, body.tag, 'contents')).toBe('Fix the help text');
    expect(git(dir, ['rev-parse', `${body.tag}^{commit}`]).trim()).toBe(git(dir, ['rev-parse', 'main']).trim());
    // The new version is served at once.
    const version = await expectJson<{ version: { notes: string } }>(await api.get('/api/process-templates/deploy-web/versions/1.1.1'), 200, 'template-content');
    expect(version.version.notes).toBe('Fix the help text');
  });

  it('previews with dryRun: 200 and no tag', async () => {
    const { dir } = buildHub();
    const api = await startApi(await gitPort(dir));
    const before = tags(dir, 'process-templates/');
    const body = await expectJson<{ ok: boolean; published: boolean; dryRun: boolean; version: string }>(
      await api.post('/api/process-templates/deploy-web/versions', { bump: 'major', dryRun: true }, { token: PUBLISH_TOKEN }),
      200,
      'publish-response',
    );
    expect(body).toMatchObject({ ok: true, published: false, dryRun: true, version: '2.0.0' });
    expect(tags(dir, 'process-templates/')).toEqual(before);
  });

  it('answers 409 for a version already published, with the diagnostics', async () => {
    const { dir } = buildHub();
    const api = await startApi(await gitPort(dir));
    await expectJson(await api.post('/api/policies/no_root/versions', { bump: 'minor', version: '1.1.0' }, { token: PUBLISH_TOKEN }), 201);
    const problem = await expectProblem(await api.post('/api/policies/no_root/versions', { bump: 'minor', version: '1.1.0' }, { token: PUBLISH_TOKEN }), 409, 'version-exists');
    expect(problem.code).toBe('TPL203');
    expect(problem.errors).toEqual([expect.objectContaining({ code: 'TPL203', severity: 'error' })]);
    expect(tags(dir, 'policies/')).toEqual(['policies/no_root/v1.0.0', 'policies/no_root/v1.1.0']);
  });

  it('answers 422 for a refused bump, 404 for an unknown template or ref', async () => {
    const { dir } = buildHub();
    const api = await startApi(await gitPort(dir));
    const refused = await expectProblem(await api.post('/api/policies/no_root/versions', { bump: 'prerelease' }, { token: PUBLISH_TOKEN }), 422, 'publish-refused');
    expect(refused.code).toBe('TPL206');
    await expectProblem(await api.post('/api/policies/nothing/versions', { bump: 'major' }, { token: PUBLISH_TOKEN }), 404, 'not-found');
    await expectProblem(await api.post('/api/policies/no_root/versions', { bump: 'major', ref: 'no-such-branch' }, { token: PUBLISH_TOKEN }), 404, 'not-found');
  });

  it('two concurrent publishes of the same version: exactly one 201 and one 409', async () => {
    const { dir } = buildHub();
    const api = await startApi(await gitPort(dir, { beforeTag: () => sleep(50) }));
    const request = () => api.post('/api/process-templates/deploy-web/versions', { bump: 'minor', version: '1.2.0' }, { token: PUBLISH_TOKEN });
    const responses = await Promise.all([request(), request()]);
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409]);
    await expectProblem(responses.find((r) => r.status === 409)!, 409, 'version-exists');
    expect(tags(dir, 'process-templates/deploy-web/v1.2')).toEqual(['process-templates/deploy-web/v1.2.0']);
  });

  it('serialises publishes of one template within a server: concurrent bumps get consecutive versions', async () => {
    const { dir } = buildHub();
    const api = await startApi(await gitPort(dir, { beforeTag: () => sleep(50) }));
    const request = () => api.post('/api/process-templates/deploy-web/versions', { bump: 'minor' }, { token: PUBLISH_TOKEN });
    const responses = await Promise.all([request(), request(), request()]);
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201]);
    const versions = await Promise.all(responses.map(async (r) => ((await r.json()) as { version: string }).version));
    expect(versions.sort()).toEqual(['1.2.0', '1.3.0', '1.4.0']);
  });

  it('across servers, the atomic tag creation decides: one 201 and one 409', async () => {
    const { dir } = buildHub();
    // Two servers (two processes' worth of state) over one repository; the delay lets both compute 1.2.0.
    const first = await startApi(await gitPort(dir, { beforeTag: () => sleep(100) }));
    const second = await startApi(await gitPort(dir, { beforeTag: () => sleep(100) }));
    const body = { bump: 'minor' };
    const responses = await Promise.all([
      first.post('/api/process-templates/deploy-web/versions', body, { token: PUBLISH_TOKEN }),
      second.post('/api/process-templates/deploy-web/versions', body, { token: PUBLISH_TOKEN }),
    ]);
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(tags(dir, 'process-templates/deploy-web/v1.2')).toEqual(['process-templates/deploy-web/v1.2.0']);
    expect(tags(dir, 'process-templates/deploy-web/v1.3')).toEqual([]);
  });
});
