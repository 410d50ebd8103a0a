/**
 * The API's decision endpoints over hand-written repositories, served on a real port: inconclusive
 * decisions, contexts that could not be decided (error cells), release versions checked like Octopus
 * does, findings naming their repository, and findings rule settings turned off.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubPort } from '../../src/api/hub-port.js';
import { openHub } from '../../src/hub/index.js';
import type { PolicyDecision } from '../../src/report/lint-report.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { expectJson, expectProblem, startApi, type Api } from '../api/helpers.js';
import { commitAll, git } from '../git/helpers.js';
import { repoSet, scriptStep, type RepoSet } from '../lint/repos.js';

const FILE = '.octopus/deployment_process.ocl';

interface Compliance {
  matrix: { project: string; environments: Record<string, string> }[];
  summary: Record<string, number>;
  rows: { project: string; status: string; findings: PolicyDecision[]; errors?: Diagnostic[] }[];
  suppressed: Diagnostic[];
}

interface Gate {
  decision: string;
  allowed: boolean;
  policies: PolicyDecision[];
  errors?: Diagnostic[];
  suppressed: Diagnostic[];
}

let set: RepoSet;
let api: Api;
let before: string;

beforeAll(async () => {
  set = await repoSet({
    projects: [
      { slug: 'clean', files: { [FILE]: scriptStep('deploy').replace('    name = "deploy"\n', '    name = "deploy"\n    colour = "red"\n') } },
      { slug: 'typo', files: { [FILE]: scriptStep('deploy') }, block: '    repository = "../typo"\n    path = ".octpus"' },
      {
        slug: 'unresolved',
        files: { [FILE]: `${scriptStep('prepare')}\nprocess_template "deploy" {\n    name = "Deploy"\n    process_template_slug = "missing"\n    version_mask = "1.X"\n}\n` },
      },
    ],
    config: 'rule "SCH001" {\n    severity = "off"\n    reason = "colours document the step"\n}\n',
  });
  // `before`: min_release not active yet; HEAD: active (the fixture's state).
  const config = fs.readFileSync(path.join(set.hub, 'oclhub.ocl'), 'utf8');
  const head = set.hubCommit;
  before = commitAll(set.hub, { 'oclhub.ocl': config.replace(/policy "min_release" \{[^}]*\}\n/, '') }, 'without min_release');
  commitAll(set.hub, { 'oclhub.ocl': config }, 'with min_release');
  expect(head).not.toBe(before);
  const hub = (await openHub({ dir: set.hub })).hub!;
  api = await startApi(hubPort(hub, { tagTtlMs: 0 }));
}, 120_000);

afterAll(() => set?.remove());

describe('decisions over the API', () => {
  it('the compliance matrix has error and inconclusive cells, each with why, and the suppressed findings', async () => {
    const body = await expectJson<Compliance>(await api.get('/api/compliance'), 200, 'compliance-response');
    expect(Object.fromEntries(body.matrix.map((row) => [row.project, row.environments['production']]))).toEqual({ clean: 'inconclusive', typo: 'error', unresolved: 'error' });
    expect(body.summary).toEqual({ allowed: 0, warned: 0, inconclusive: 1, blocked: 0, error: 2 });
    const typo = body.rows.find((row) => row.project === 'typo')!;
    expect(typo.errors!.map((d) => d.code)).toEqual(['HUB040']);
    const unresolved = body.rows.find((row) => row.project === 'unresolved')!;
    expect(unresolved.errors![0]).toMatchObject({ code: 'TPL102', file: FILE, repository: { id: 'unresolved', location: '../unresolved' } });
    expect(unresolved.findings.every((d) => d.outcome === 'error')).toBe(true);
    expect(body.rows.find((row) => row.project === 'clean')!.findings).toEqual([expect.objectContaining({ policy: 'min_release', outcome: 'inconclusive', needs: ['Release'] })]);
    expect(body.suppressed.map((d) => [d.code, d.project, d.adjusted?.reason])).toEqual([['SCH001', 'clean', 'colours document the step']]);
  });

  it('the gate: inconclusive without a release, decided with one, error when the process does not resolve', async () => {
    const open = await expectJson<Gate>(await api.post('/api/evaluations', { project: 'clean', environment: 'production' }), 200, 'evaluation-response');
    expect(open).toMatchObject({ decision: 'inconclusive', allowed: true });
    expect(open.suppressed.map((d) => d.code)).toEqual(['SCH001']);
    const low = await expectJson<Gate>(await api.post('/api/evaluations', { project: 'clean', environment: 'production', release: { version: '1.9.9' } }), 200, 'evaluation-response');
    expect(low).toMatchObject({ decision: 'blocked', allowed: false });
    // The violation says where in the project's repository it is, as lint does.
    expect(low.policies.find((d) => d.outcome === 'violation')!.location).toMatchObject({ file: FILE, repository: { id: 'clean' } });
    const high = await expectJson<Gate>(await api.post('/api/evaluations', { project: 'clean', environment: 'production', release: { version: '2.0.0.1', gitRef: 'refs/heads/main' } }), 200, 'evaluation-response');
    expect(high).toMatchObject({ decision: 'allowed', allowed: true });
    const broken = await expectJson<Gate>(await api.post('/api/evaluations', { project: 'unresolved', environment: 'production', release: { version: '3.0.0' } }), 200, 'evaluation-response');
    expect(broken).toMatchObject({ decision: 'error', allowed: false });
    expect(broken.errors!.map((d) => d.code)).toEqual(['TPL102']);
  });

  it('refuses a release version Octopus would refuse, and names what a project cannot be read for', async () => {
    const bad = await expectProblem(await api.post('/api/evaluations', { project: 'clean', environment: 'production', release: { version: 'notsemver' } }), 400, 'invalid-parameter');
    expect(bad.detail).toContain('"notsemver" is not a release version');
    const typo = await expectProblem(await api.post('/api/evaluations', { project: 'typo', environment: 'production' }), 422, 'evaluation-failed');
    expect(typo.detail).toContain('path ".octpus" does not exist in ../typo. Did you mean path = ".octopus"?');
    const environment = await expectProblem(await api.post('/api/evaluations', { project: 'clean', environment: 'prod' }), 404, 'not-found');
    expect(environment.detail).toContain('No environment "prod"');
  });

  it('an oclhub.ocl that does not parse is the answer, as its syntax error', async () => {
    const config = fs.readFileSync(path.join(set.hub, 'oclhub.ocl'), 'utf8');
    git(set.hub, ['checkout', '-q', '-b', 'broken']);
    commitAll(set.hub, { 'oclhub.ocl': config.replace('environment "production" {', 'environment "production" {{') }, 'break oclhub.ocl');
    git(set.hub, ['checkout', '-q', 'main']);
    const problem = await expectProblem(await api.post('/api/evaluations', { project: 'clean', environment: 'production', ref: 'broken' }), 422, 'evaluation-failed');
    expect(problem.code).toMatch(/^OCL/);
    expect(problem.detail).toMatch(/^oclhub\.ocl at [0-9a-f]{40} cannot be read: /);
    await expectProblem(await api.get('/api/compliance?ref=broken'), 422, 'evaluation-failed');
  });

  it('the decision diff shows a decision that became inconclusive', async () => {
    const body = await expectJson<{ summary: Record<string, number>; changes: { kind: string; context: string; policy: string }[] }>(
      await api.get(`/api/diff?from=${before}&to=main`),
      200,
      'diff-response',
    );
    expect(body.changes.filter((c) => c.context === 'clean/production')).toEqual([expect.objectContaining({ kind: 'inconclusive', policy: 'min_release' })]);
    expect(body.summary['inconclusive']).toBe(1);
    // In the contexts that cannot be decided, the newly active policy is one more error (fail closed).
    expect(body.changes.filter((c) => c.context !== 'clean/production').map((c) => [c.kind, c.context, c.policy])).toEqual([
      ['newly-blocked', 'typo/production', 'min_release'],
      ['newly-blocked', 'unresolved/production', 'min_release'],
    ]);
  });
});
