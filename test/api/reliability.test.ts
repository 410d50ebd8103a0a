/**
 * The API over the real façade when the repository is not healthy or the request is conditional:
 * corrupt objects answer 503 `repository-corrupt` (never 404 "no such project"), crashed publishers'
 * locks are taken over, live ones answer 503 with Retry-After (never 500), explicit versions, rule
 * settings honoured by publish, text that is not UTF-8 refused, unknown refs and environments 404.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hubPort } from '../../src/api/hub-port.js';
import { commitAll, git, HUB_CONFIG, hubRepo, open, processText, publishOk, SMOKE_STEP, TEMPLATE_PATH, templateText } from '../hub/helpers.js';
import { expectJson, expectProblem, PUBLISH_TOKEN, startApi, type Api } from './helpers.js';

const PROJECT_PROCESS = 'projects/web-app/.octopus/deployment_process.ocl';
const VERSIONS = '/api/process-templates/deploy-web/versions';

interface Published {
  version: string;
  tag: string;
  suppressed?: { code: string; adjusted?: { reason?: string } }[];
}

function objectFile(dir: string, oid: string): string {
  return path.join(dir, '.git/objects', oid.slice(0, 2), oid.slice(2));
}

function truncate(dir: string, oid: string, keep: number): void {
  const file = objectFile(dir, oid);
  const bytes = fs.readFileSync(file);
  fs.chmodSync(file, 0o644);
  fs.writeFileSync(file, bytes.subarray(0, keep));
}

function ageFile(file: string, seconds: number): void {
  const then = new Date(Date.now() - seconds * 1000);
  fs.utimesSync(file, then, then);
}

describe('a repository that became corrupt while the server runs', () => {
  let dir: string;
  let api: Api;
  beforeAll(async () => {
    dir = hubRepo({ [TEMPLATE_PATH]: templateText(), [PROJECT_PROCESS]: processText('1.X') });
    await publishOk(await open(dir), 'deploy-web', 'major');
    api = await startApi(hubPort(await open(dir), { tagTtlMs: 0 }));
    await expectJson(await api.post('/api/evaluations', { project: 'web-app', environment: 'production' }), 200, 'evaluation-response');
  });

  it('answers gate calls 503 repository-corrupt naming the object (not 404 "no project"), without server paths', async () => {
    // A later commit whose oclhub.ocl object was cut short by a crash.
    commitAll(dir, { 'oclhub.ocl': `${HUB_CONFIG}\n` }, 'touch config');
    const blob = git(dir, ['rev-parse', 'HEAD:oclhub.ocl']).trim();
    truncate(dir, blob, 10);
    for (const response of [await api.post('/api/evaluations', { project: 'web-app', environment: 'production' }), await api.get('/api/projects'), await api.get('/api/compliance')]) {
      const problem = await expectProblem(response, 503, 'repository-corrupt');
      expect(problem.code).toBe('GIT012');
      expect(problem.detail).toContain(blob);
      expect(problem.detail).toContain('oclhub.ocl');
      expect(JSON.stringify(problem)).not.toContain(dir);
    }
    // Routes that do not need the object still answer.
    await expectJson(await api.get('/api/health'), 200, 'health');
  });

  it('answers 503 for a project file that cannot be read, and recovers once the object is restored', async () => {
    commitAll(dir, { 'oclhub.ocl': HUB_CONFIG }, 'restore config'); // the old, sound blob
    const process = processText('1.X').replace('echo done', 'echo finished');
    commitAll(dir, { [PROJECT_PROCESS]: process }, 'edit process');
    const blob = git(dir, ['rev-parse', `HEAD:${PROJECT_PROCESS}`]).trim();
    const sound = fs.readFileSync(objectFile(dir, blob));
    truncate(dir, blob, 0);
    const problem = await expectProblem(await api.post('/api/evaluations', { project: 'web-app', environment: 'production' }), 503, 'repository-corrupt');
    expect(problem.detail).toContain(blob);
    // Nothing computed over the missing file was kept: once repaired, the gate answers again.
    fs.writeFileSync(objectFile(dir, blob), sound);
    await expectJson(await api.post('/api/evaluations', { project: 'web-app', environment: 'production' }), 200, 'evaluation-response');
  });
});

describe('publishing through the façade', () => {
  let dir: string;
  let api: Api;
  beforeAll(async () => {
    dir = hubRepo({ [TEMPLATE_PATH]: templateText(), [PROJECT_PROCESS]: processText('9.X') });
    api = await startApi(hubPort(await open(dir), { tagTtlMs: 0 }));
  });

  it('publishes explicit versions (Octopus-assigned numbering), higher than every published one and bump-checked', async () => {
    const first = await expectJson<Published>(await api.post(VERSIONS, { version: '9.2.0', notes: 'Continues Octopus numbering' }, { token: PUBLISH_TOKEN }), 201, 'publish-response');
    expect(first).toMatchObject({ version: '9.2.0', tag: 'process-templates/deploy-web/v9.2.0' });
    commitAll(dir, { [TEMPLATE_PATH]: templateText({ extraSteps: SMOKE_STEP }) }, 'smoke test');
    // A new step requires a minor version: 9.2.1 is only a patch step from 9.2.0.
    const small = await expectProblem(await api.post(VERSIONS, { version: '9.2.1' }, { token: PUBLISH_TOKEN }), 422, 'publish-refused');
    expect(small.code).toBe('TPL202');
    expect(small.detail).toContain('9.2.1 is only a patch step from v9.2.0');
    const published = await expectJson<Published>(await api.post(VERSIONS, { version: '11.0.0' }, { token: PUBLISH_TOKEN }), 201, 'publish-response');
    expect(published.version).toBe('11.0.0');
    expect(git(dir, ['tag', '-l', '--format=%(contents)', 'process-templates/deploy-web/v11.0.0'])).toContain('Requested-Bump: major');
    const lower = await expectProblem(await api.post(VERSIONS, { version: '10.5.0' }, { token: PUBLISH_TOKEN }), 422, 'publish-refused');
    expect(lower.detail).toContain('not higher than every published version (the highest is 11.0.0)');
    await expectProblem(await api.post(VERSIONS, { version: 'v12' }, { token: PUBLISH_TOKEN }), 422, 'publish-refused');
    await expectProblem(await api.post(VERSIONS, { notes: 'neither bump nor version' }, { token: PUBLISH_TOKEN }), 400, 'validation-failed');
  });

  it('a conditional publish whose expected version is not the one the bump gives is 409, and creates nothing', async () => {
    const before = git(dir, ['tag', '-l']).trim();
    const refused = await expectProblem(await api.post(VERSIONS, { bump: 'patch', version: '11.0.5' }, { token: PUBLISH_TOKEN }), 409, 'version-exists');
    expect(refused.detail).toContain('the next patch is 11.0.1');
    expect(git(dir, ['tag', '-l']).trim()).toBe(before);
  });

  it('takes over a tag lock left by a crashed publisher, and answers a live one 503 with Retry-After', async () => {
    const stale = path.join(dir, '.git/refs/tags/process-templates/deploy-web/v11.0.1.lock');
    fs.writeFileSync(stale, '');
    ageFile(stale, 120);
    await expectJson(await api.post(VERSIONS, { bump: 'patch', version: '11.0.1' }, { token: PUBLISH_TOKEN }), 201, 'publish-response');
    expect(fs.existsSync(stale)).toBe(false);

    const live = path.join(dir, '.git/refs/tags/process-templates/deploy-web/v11.0.2.lock');
    fs.writeFileSync(live, '');
    try {
      const response = await api.post(VERSIONS, { bump: 'patch' }, { token: PUBLISH_TOKEN });
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const problem = await expectProblem(response, 503, 'repository-busy');
      expect(problem.code).toBe('TPL210');
      expect(JSON.stringify(problem)).not.toContain(dir);
      expect(git(dir, ['tag', '-l', 'process-templates/deploy-web/v11.0.2']).trim()).toBe('');
    } finally {
      fs.rmSync(live);
    }
  });

  it('honours rule settings in oclhub.ocl: a silenced template error no longer refuses publish, and is reported', async () => {
    const broken = templateText({ extraSteps: SMOKE_STEP.replace('curl -f https://example.com', 'curl -f #{Template.SiteUrl}') });
    commitAll(dir, { [TEMPLATE_PATH]: broken }, 'uses an undeclared parameter');
    const refused = await expectProblem(await api.post(VERSIONS, { bump: 'patch', dryRun: true }, { token: PUBLISH_TOKEN }), 422, 'publish-refused');
    expect(refused.code).toBe('TPL201');
    expect(refused.errors).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'TPL004' })]));
    commitAll(dir, { 'oclhub.ocl': `${HUB_CONFIG}\nrule "TPL004" {\n    severity = "off"\n    reason = "SiteUrl comes from a library variable set"\n}\n` }, 'silence TPL004');
    const published = await expectJson<Published>(await api.post(VERSIONS, { bump: 'patch' }, { token: PUBLISH_TOKEN }), 201, 'publish-response');
    expect(published.suppressed).toEqual([expect.objectContaining({ code: 'TPL004', adjusted: expect.objectContaining({ reason: 'SiteUrl comes from a library variable set' }) })]);
  });

  it('refuses a template whose bytes are not UTF-8 (positioned OCL031), and serves it with that diagnostic', async () => {
    // `name = "Deploy café"` written as Latin-1: the é is the single byte 0xE9.
    const [head, tail] = templateText().split('Deploy web') as [string, string];
    const latin1 = Buffer.concat([Buffer.from(`${head}Deploy caf`), Buffer.from([0xe9]), Buffer.from(tail)]);
    fs.writeFileSync(path.join(dir, '.octopus/process-templates/latin.ocl'), latin1);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'latin-1 template']);
    const refused = await expectProblem(await api.post('/api/process-templates/latin/versions', { bump: 'major' }, { token: PUBLISH_TOKEN }), 422, 'publish-refused');
    expect(refused.errors).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'OCL031', range: expect.objectContaining({ start: expect.objectContaining({ line: 1, column: 19 }) }) })]));
    const served = await expectJson<{ files: { json: unknown; diagnostics: { code: string }[] }[] }>(await api.get('/api/process-templates/latin'), 200, 'template-content');
    expect(served.files[0]).toMatchObject({ json: null, diagnostics: [expect.objectContaining({ code: 'OCL031' })] });
  });

  it('refuses a request body that is not UTF-8', async () => {
    const response = await fetch(api.url + VERSIONS, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${PUBLISH_TOKEN}` },
      body: Buffer.concat([Buffer.from('{"bump":"patch","notes":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]),
    });
    const problem = await expectProblem(response, 400, 'malformed-json');
    expect(problem.detail).toContain('UTF-8');
  });
});

describe('refs and environments', () => {
  let dir: string;
  let api: Api;
  beforeAll(async () => {
    dir = hubRepo({ [TEMPLATE_PATH]: templateText(), [PROJECT_PROCESS]: processText('1.X') });
    await publishOk(await open(dir), 'deploy-web', 'major');
    commitAll(dir, { [TEMPLATE_PATH]: templateText({ helpText: 'second' }) }, 'second');
    api = await startApi(hubPort(await open(dir)));
  });

  it('accepts any revision git accepts, and answers an unknown one 404 with did-you-mean', async () => {
    const previous = git(dir, ['rev-parse', 'HEAD~1']).trim();
    for (const ref of ['HEAD~1', 'main^', 'main~1', previous.slice(0, 9)]) {
      const body = await expectJson<{ commit: string }>(await api.get(`/api/process-templates/deploy-web?ref=${encodeURIComponent(ref)}`), 200, 'template-content');
      expect(body.commit, ref).toBe(previous);
    }
    const unknown = await expectProblem(await api.get('/api/process-templates?ref=mian'), 404, 'not-found');
    expect(unknown.detail).toBe('Unknown ref "mian": no branch, tag or commit has that name. Did you mean "main"?');
  });

  it('answers an unknown environment 404 on /process, as the other endpoints do', async () => {
    const problem = await expectProblem(await api.get('/api/projects/web-app/process?environment=nope'), 404, 'not-found');
    expect(problem.detail).toContain('No environment "nope"');
    expect(problem.detail).toContain('development, production');
    await expectJson(await api.get('/api/projects/web-app/process?environment=production'), 200, 'resolved-process');
  });
});
