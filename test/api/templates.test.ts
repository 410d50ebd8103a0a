/** Read endpoints over a real hub repository (git CLI tags), through the real server and fetch. */
import { beforeAll, describe, expect, it } from 'vitest';
import { git } from '../git/helpers.js';
import { gitPort } from './git-port.js';
import { buildHub, rawRequest, DEPLOY_WEB, expectJson, expectProblem, NO_ROOT, startApi, STARTER, type Api, type TestHub } from './helpers.js';

let hub: TestHub;
let api: Api;

beforeAll(async () => {
  hub = buildHub();
  api = await startApi(await gitPort(hub.dir));
});

/** A file's text at a ref, as the git CLI prints it. */
const show = (ref: string, path: string) => git(hub.dir, ['show', `${ref}:${path}`]);
/** Tag facts as the git CLI reports them. */
const tagFact = (name: string, field: string) => git(hub.dir, ['for-each-ref', `--format=%(${field})`, `refs/tags/${name}`]).trim();

describe('GET /api/health', () => {
  it('answers ok with the version', async () => {
    const body = await expectJson(await api.get('/api/health'), 200, 'health');
    expect(body.status).toBe('ok');
  });
});

describe('GET /api/<kind>', () => {
  it('lists process templates with their published versions', async () => {
    const body = await expectJson<{ commit: string; templates: { slug: string; versions: string[]; latest: string; latestStable: string; inRef: boolean }[] }>(
      await api.get('/api/process-templates'),
      200,
      'template-list',
    );
    expect(body.commit).toBe(git(hub.dir, ['rev-parse', 'main']).trim());
    expect(body.templates).toEqual([
      { slug: 'deploy-web', versions: ['1.0.0', '1.1.0', '2.0.0-prerelease.1'], latest: '2.0.0-prerelease.1', latestStable: '1.1.0', inRef: true },
    ]);
  });

  it('lists policies and unpublished project templates', async () => {
    const policies = await expectJson<{ templates: { slug: string; versions: string[] }[] }>(await api.get('/api/policies'), 200, 'template-list');
    expect(policies.templates.map((t) => [t.slug, t.versions])).toEqual([['no_root', ['1.0.0']]]);
    const projects = await expectJson<{ templates: { slug: string; versions: string[]; inRef: boolean }[] }>(await api.get('/api/project-templates'), 200, 'template-list');
    expect(projects.templates).toEqual([{ slug: 'starter', versions: [], inRef: true }]);
  });

  it('reads at ?ref=', async () => {
    const body = await expectJson<{ commit: string }>(await api.get(`/api/process-templates?ref=${hub.commits[0]}`), 200, 'template-list');
    expect(body.commit).toBe(hub.commits[0]);
  });

  it('answers 404 problem+json for an unknown ref', async () => {
    const problem = await expectProblem(await api.get('/api/process-templates?ref=no-such-branch'), 404, 'not-found');
    expect(problem.code).toBe('GIT002');
    expect(problem.detail).toContain('no-such-branch');
  });

  it('answers 400 for a ref that is not a ref name', async () => {
    await expectProblem(await api.get('/api/process-templates?ref=..%2F..%2Fetc'), 400);
    await expectProblem(await api.get('/api/process-templates?ref=main%00'), 400);
  });
});

describe('GET /api/<kind>/:slug', () => {
  it('returns the OCL text exactly as committed, and its JSON form', async () => {
    const body = await expectJson<{ slug: string; files: { path: string; ocl: string; json: { body: { block?: string; labels?: string[] }[] } }[] }>(
      await api.get('/api/process-templates/deploy-web'),
      200,
      'template-content',
    );
    expect(body.files).toHaveLength(1);
    expect(body.files[0]!.path).toBe(DEPLOY_WEB);
    expect(body.files[0]!.ocl).toBe(show('main', DEPLOY_WEB));
    const stepLabels = body.files[0]!.json.body.filter((e) => e.block === 'step').map((e) => e.labels?.[0]);
    expect(stepLabels).toEqual(['deploy', 'smoke-test']);
  });

  it('reads a project template folder and a policy', async () => {
    const starter = await expectJson<{ files: { path: string; ocl: string }[] }>(await api.get('/api/project-templates/starter'), 200, 'template-content');
    expect(starter.files.map((f) => f.path)).toEqual([`${STARTER}/deployment_process.ocl`]);
    const policy = await expectJson<{ files: { ocl: string }[] }>(await api.get('/api/policies/no_root'), 200, 'template-content');
    expect(policy.files[0]!.ocl).toBe(show('main', NO_ROOT));
  });

  it('answers 404 for an unknown slug', async () => {
    const problem = await expectProblem(await api.get('/api/process-templates/deploy-api'), 404, 'not-found');
    expect(problem.detail).toContain('deploy-api');
  });

  it.each([
    ['upper case', 'Deploy-Web'],
    ['dot', 'deploy.web'],
    ['encoded slash traversal', '..%2F..%2Fetc%2Fpasswd'],
    ['absolute path', '%2Fetc%2Fpasswd'],
    ['NUL', 'deploy%00web'],
    ['backslash', 'deploy%5Cweb'],
  ])('answers 400 for a malformed slug (%s)', async (_what, slug) => {
    const response = await api.get(`/api/process-templates/${slug}`);
    const problem = await expectProblem(response, 400);
    expect(['https://oclhub.dev/problems/invalid-parameter', 'https://oclhub.dev/problems/invalid-path']).toContain(problem.type);
  });

  it.each(['/api/process-templates/../../../etc/passwd', '/api/process-templates/%2e%2e/%2E%2E/etc', '/api/policies/..\\..\\x'])(
    'answers 400 for the raw target %s, which URL parsing would otherwise resolve away',
    async (target) => {
      const raw = await rawRequest(api.url, target);
      expect(raw.status).toBe(400);
      expect(raw.headers['content-type']).toBe('application/problem+json');
      expect(JSON.parse(raw.body).type).toBe('https://oclhub.dev/problems/invalid-path');
    },
  );
});

describe('versions', () => {
  it('lists versions with the tag facts git reports', async () => {
    const body = await expectJson<{ versions: { version: string; tag: string; commit: string; date: string; notes: string; prerelease: boolean }[] }>(
      await api.get('/api/process-templates/deploy-web/versions'),
      200,
      'version-list',
    );
    expect(body.versions.map((v) => v.version)).toEqual(['2.0.0-prerelease.1', '1.1.0', '1.0.0']);
    for (const v of body.versions) {
      expect(v.commit).toBe(git(hub.dir, ['rev-parse', `${v.tag}^{commit}`]).trim());
      expect(Date.parse(v.date)).toBe(Date.parse(tagFact(v.tag, 'taggerdate:iso-strict')));
      expect(v.notes).toBe(tagFact(v.tag, 'contents').trim());
      expect(v.prerelease).toBe(v.version.includes('-'));
    }
  });

  it('returns the file at the version tag, not at the branch', async () => {
    const body = await expectJson<{ commit: string; version: { version: string }; files: { ocl: string; json: unknown }[] }>(
      await api.get('/api/process-templates/deploy-web/versions/1.0.0'),
      200,
      'template-content',
    );
    expect(body.version.version).toBe('1.0.0');
    expect(body.commit).toBe(hub.commits[0]);
    expect(body.files[0]!.ocl).toBe(show('process-templates/deploy-web/v1.0.0', DEPLOY_WEB));
    expect(body.files[0]!.ocl).not.toBe(show('main', DEPLOY_WEB));
    expect(body.files[0]!.json).not.toBeNull();
  });

  it('answers 404 for an unpublished version, 400 for a malformed one', async () => {
    await expectProblem(await api.get('/api/process-templates/deploy-web/versions/9.9.9'), 404, 'not-found');
    await expectProblem(await api.get('/api/process-templates/deploy-web/versions/v1.0.0'), 400, 'invalid-parameter');
    await expectProblem(await api.get('/api/process-templates/deploy-web/versions/1.0'), 400, 'invalid-parameter');
  });

  it('lists no versions for an unpublished template, and 404 for an unknown one', async () => {
    const body = await expectJson<{ versions: unknown[] }>(await api.get('/api/project-templates/starter/versions'), 200, 'version-list');
    expect(body.versions).toEqual([]);
    await expectProblem(await api.get('/api/project-templates/nothing/versions'), 404, 'not-found');
  });
});

describe('GET /api/<kind>/:slug/releases (Renovate custom datasource)', () => {
  it('lists releases with timestamps and changelog from the tags', async () => {
    const body = await expectJson<{ releases: { version: string; releaseTimestamp?: string; changelogContent?: string }[] }>(
      await api.get('/api/process-templates/deploy-web/releases'),
      200,
      'releases',
    );
    expect(body.releases.map((r) => r.version)).toEqual(['1.0.0', '1.1.0', '2.0.0-prerelease.1']);
    expect(body.releases[1]!.changelogContent).toBe('Adds a smoke test');
    expect(Date.parse(body.releases[1]!.releaseTimestamp!)).toBe(Date.parse(tagFact('process-templates/deploy-web/v1.1.0', 'taggerdate:iso-strict')));
    expect(body.releases[2]!.changelogContent).toBe('Preview of 2.0');
  });

  it('works for policies and answers 404 for unknown slugs', async () => {
    const body = await expectJson<{ releases: { version: string }[] }>(await api.get('/api/policies/no_root/releases'), 200, 'releases');
    expect(body.releases.map((r) => r.version)).toEqual(['1.0.0']);
    await expectProblem(await api.get('/api/policies/unknown/releases'), 404, 'not-found');
  });
});

describe('unknown routes', () => {
  it('answer 404 problem+json', async () => {
    await expectProblem(await api.get('/api/nothing-here'), 404, 'not-found');
    await expectProblem(await api.get('/nothing-here'), 404, 'not-found');
  });

  it('log one line per request: method, path, status, ms', async () => {
    await api.get('/api/health');
    expect(api.logs.some((l) => /^GET \/api\/health 200 \d+(\.\d+)?ms$/.test(l))).toBe(true);
    expect(api.logs.some((l) => /^GET \/api\/process-templates\/deploy-api 404 /.test(l))).toBe(true);
  });
});
