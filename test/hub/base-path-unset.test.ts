/**
 * `base_path = ""` names no folder (SEM037): it is neither the repository root nor `.octopus`. A library
 * caller that opens the hub and goes on (SEM037 does not keep `config` from being built) must not get
 * the templates and policies that sit at the repository root: each reader of hub content reads nothing
 * and says so at `base_path` in oclhub.ocl. The hub here holds at its root exactly what `base_path = "."`
 * would read, published while it said so. Real Git repositories (the git CLI) on temp folders.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { hubPort } from '../../src/api/hub-port.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { activatePolicy, type Hub } from '../../src/hub/index.js';
import { hubPolicyTests } from '../../src/hub/policy-tests.js';
import { validateHub } from '../../src/model/validate.js';
import { directoryReader } from '../../src/model/directory-reader.js';
import { practiceInputFromValidation } from '../../src/practices/index.js';
import { expectProblem, startApi } from '../api/helpers.js';
import { run } from '../cli/helpers.js';
import { commitAll, initRepo } from '../git/helpers.js';
import { NO_DISABLED_STEPS, scriptStep } from '../lint/repos.js';
import { open, processText, PUBLISHER, templateText, tracked } from './helpers.js';

const PROJECT = 'projects/web-app/.octopus';
const AUTHOR = { name: 'Ada Admin', email: 'ada@example.com' };
const CASE = JSON.stringify({ input: { Environment: { Id: 'E', Name: 'p', Slug: 'p', Tags: [] }, Steps: [], SkippedSteps: [] }, expect: { allowed: true } });

/** oclhub.ocl with `base_path` on line 6. */
function config(basePath: string): string {
  return `project "web-app" {
    name = "Web App"
    path = "${PROJECT}"
}

base_path = ${JSON.stringify(basePath)}
`;
}
const BASE_PATH_LINE = 6;

let dir: string;
let hub: Hub;

beforeAll(async () => {
  dir = tracked(
    initRepo({
      'oclhub.ocl': config('.'),
      'process-templates/deploy-web.ocl': templateText(),
      'process-templates/draft-web.ocl': templateText(),
      'policies/no_disabled_steps.ocl': NO_DISABLED_STEPS,
      'policy-tests/no_disabled_steps/empty.json': CASE,
      [`${PROJECT}/deployment_process.ocl`]: processText('1.0.x') + '\n' + scriptStep('web-off', { disabled: true }),
    }),
  );
  // Published and activated while base_path named the root, so that what the root holds is there to be (wrongly) read.
  const atRoot = await open(dir);
  for (const kind of ['process-templates', 'policies'] as const) {
    const slug = kind === 'policies' ? 'no_disabled_steps' : 'deploy-web';
    const published = await atRoot.publish({ kind, slug, bump: 'major', publisher: PUBLISHER });
    expect([slug, published.ok, published.diagnostics]).toEqual([slug, true, []]);
  }
  expect((await activatePolicy(await open(dir), { slug: 'no_disabled_steps', version: '1.0.0', author: AUTHOR })).ok).toBe(true);
  const configText = (await open(dir)).store.readTextFile('HEAD', 'oclhub.ocl');
  commitAll(dir, { 'oclhub.ocl': (await configText).replace('base_path = "."', 'base_path = ""') }, 'base_path names no folder');
  hub = await open(dir);
}, 120_000);

function atBasePath(d: Diagnostic | undefined): unknown {
  return d && [d.severity, d.code, d.file, d.range?.start.line];
}

describe('base_path = "" through the library, past SEM037', () => {
  it('the hub holds no base folder, and its configuration says why at base_path', () => {
    expect(typeof hub.basePath).not.toBe('string');
    expect(hub.configDiagnostics.filter((d) => d.code === 'SEM037').map(atBasePath)).toEqual([['error', 'SEM037', 'oclhub.ocl', BASE_PATH_LINE]]);
  });

  it('resolves no template usage from the root: the usage is an error pointing at base_path', async () => {
    const resolved = await hub.resolveRegisteredProject('web-app');
    const usages = resolved.processes.flatMap((p) => p.usages);
    expect(usages.map((u) => u.templateFile)).not.toContain('process-templates/deploy-web.ocl');
    expect(resolved.processes.flatMap((p) => p.steps.map((s) => s.slug))).not.toContain('deploy');
    const errors = resolved.diagnostics.filter((d) => d.code === 'TPL104');
    expect(errors.map((d) => [d.severity, d.file])).toEqual([['error', `${PROJECT}/deployment_process.ocl`]]);
    expect(errors[0]!.related?.map((r) => [r.file, r.range?.start.line])).toEqual([['oclhub.ocl', BASE_PATH_LINE]]);
  });

  it('publishes nothing, shows no published files and lists no template as in the ref', async () => {
    const published = await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'minor', publisher: PUBLISHER });
    expect([published.ok, published.published, published.diagnostics.map(atBasePath)]).toEqual([false, false, [['error', 'TPL205', 'oclhub.ocl', BASE_PATH_LINE]]]);
    const files = await hub.publishedFiles('process-templates', 'deploy-web', '1.0.0');
    expect([files.files, files.diagnostics.map(atBasePath)]).toEqual([[], [['error', 'TPL104', 'oclhub.ocl', BASE_PATH_LINE]]]);
    // The published versions are tags (global in Git) and stay listed; no file was looked for in the ref.
    const listed = await hub.listTemplates('process-templates');
    expect(listed.map((t) => [t.slug, t.versions, t.inRef])).toEqual([['deploy-web', ['1.0.0'], false]]);
  });

  it('oclhub versions says the hub was not read, for a template at the root that is not published', async () => {
    const versions = await run(dir, 'versions', 'process-template', 'draft-web');
    expect(versions.code).toBe(1);
    expect(versions.stdout).toBe('');
    expect(versions.stderr).toContain('oclhub.ocl:6:1: error TPL205: process template "draft-web" is not read: base_path "" is not a folder inside the hub repository');
  });

  it('runs the policy tests against no policy: the case fails and POL122 says why', async () => {
    const tests = await hubPolicyTests(hub, 'no_disabled_steps');
    expect(tests.file).toBeUndefined();
    expect(tests.summary).toEqual({ total: 1, passed: 0, failed: 1 });
    expect(tests.diagnostics.map(atBasePath)).toEqual([['error', 'POL122', 'oclhub.ocl', BASE_PATH_LINE]]);
  });

  it('the API serves no template content: a 422 naming base_path, not the root file', async () => {
    const api = await startApi(hubPort(await open(dir)));
    const problem = await expectProblem(await api.get('/api/process-templates/deploy-web'), 422, 'evaluation-failed');
    expect(problem.detail).toContain('base_path ""');
  });

  it('validate takes no file at the root for a hub policy in the best-practice input', async () => {
    const validated = await validateHub({ files: directoryReader(dir) });
    expect(validated.basePath).toBeUndefined();
    expect(practiceInputFromValidation(validated, new Map()).policies).toEqual([]);
  });

  it('lint evaluates no template or policy from the root, and fails', async () => {
    const linted = await run(dir, 'lint', '--format', 'json', '--no-cache');
    expect(linted.code).not.toBe(0);
    const report = JSON.parse(linted.stdout) as { evaluations: Array<{ decisions: Array<{ outcome: string }> }> };
    expect(linted.stdout).not.toContain('"process-templates/deploy-web.ocl"');
    expect(report.evaluations.flatMap((e) => e.decisions).filter((d) => d.outcome === 'pass')).toEqual([]);
    expect(linted.stdout).toMatch(/"code": ?"TPL104"/);
    // base_path's place is cited in the hub at the commit linted, not at a tag nothing was read from.
    expect(linted.stdout).not.toMatch(/"commit": ?""/);
  });
});
