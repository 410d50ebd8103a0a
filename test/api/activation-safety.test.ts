/**
 * Policy activation against a real working copy and competing writers: uncommitted edits to
 * oclhub.ocl refuse the activation (409, nothing committed), a branch that keeps moving is met by
 * re-applying the edit until a time bound (not after three attempts), and two servers activating at
 * once on one working copy all land, leaving `git status` clean.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubPort } from '../../src/api/hub-port.js';
import { openHub } from '../../src/hub/index.js';
import { fsck, removeDir } from '../git/helpers.js';
import { commitAll, demoHub, git } from '../e2e/demo-hub.js';
import { expectJson, expectProblem, PUBLISH_TOKEN, startApi, type Api } from './helpers.js';

const POLICIES = ['require_manual_approval_in_production', 'no_disabled_steps', 'use_web_app_template_for_critical'];

async function serverOn(dir: string): Promise<{ api: Api; store: NonNullable<Awaited<ReturnType<typeof openHub>>['hub']>['store'] }> {
  const { hub, diagnostics } = await openHub({ dir });
  if (!hub) throw new Error(JSON.stringify(diagnostics));
  return { api: await startApi(hubPort(hub, { tagTtlMs: 0 })), store: hub.store };
}

const activate = (api: Api, slug: string, version: string | null) => api.post(`/api/policies/${slug}/activation`, { version }, { token: PUBLISH_TOKEN });

let dir: string;
beforeAll(async () => {
  dir = await demoHub();
}, 120_000);
afterAll(() => removeDir(dir));

describe('activation and the checked-out working copy', () => {
  it('refuses with 409 when oclhub.ocl has uncommitted changes there: nothing committed, the edit kept', async () => {
    const { api } = await serverOn(dir);
    const head = git(dir, ['rev-parse', 'main']).trim();
    const file = path.join(dir, 'oclhub.ocl');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, `${original}\n`);
    try {
      const problem = await expectProblem(await activate(api, POLICIES[0]!, null), 409, 'conflict');
      expect(problem.detail).toContain('oclhub.ocl has uncommitted changes');
      expect(problem.detail).not.toContain(dir);
      expect(git(dir, ['rev-parse', 'main']).trim()).toBe(head);
      expect(readFileSync(file, 'utf8')).toBe(`${original}\n`);
    } finally {
      writeFileSync(file, original);
    }
  });

  it('keeps re-applying the edit while another writer keeps moving the branch (more than three times)', async () => {
    const { api, store } = await serverOn(dir);
    const commitChanges = store.commitChanges.bind(store);
    let moves = 0;
    // Another writer commits just before each of our first five attempts lands.
    store.commitChanges = async (options) => {
      if (moves < 5) {
        moves++;
        commitAll(dir, { [`notes/${moves}.txt`]: `${moves}\n` }, `other writer ${moves}`);
      }
      return commitChanges(options);
    };
    const body = await expectJson<{ changed: boolean; commit: string; worktreeUpdated?: boolean }>(await activate(api, POLICIES[0]!, null), 200, 'activation-response');
    expect(moves).toBe(5);
    expect(body).toMatchObject({ changed: true, worktreeUpdated: true });
    expect(git(dir, ['rev-parse', 'main']).trim()).toBe(body.commit);
    // The other writer's five commits are all below ours.
    expect(git(dir, ['log', '--format=%s', '-6', 'main']).trim().split('\n').slice(1)).toEqual([5, 4, 3, 2, 1].map((n) => `other writer ${n}`));
    expect(git(dir, ['show', 'main:oclhub.ocl'])).not.toContain(`policy "${POLICIES[0]}"`);
    expect(git(dir, ['status', '--porcelain']).trim()).toBe('');
    await expectJson(await activate(api, POLICIES[0]!, '1.0.0'), 200, 'activation-response');
  });

  it('two servers activating at once on one working copy: every activation lands, the working copy stays clean', async () => {
    const [a, b] = await Promise.all([serverOn(dir), serverOn(dir)]);
    const before = git(dir, ['rev-parse', 'main']).trim();
    let commits = 0;
    for (let round = 0; round < 4; round++) {
      const version = round % 2 === 0 ? null : '1.0.0';
      const answers = await Promise.all([activate(a.api, POLICIES[0]!, version), activate(b.api, POLICIES[1]!, version), activate(a.api, POLICIES[2]!, version), activate(b.api, POLICIES[2]!, version)]);
      const bodies = await Promise.all(answers.map((r) => expectJson<{ changed: boolean }>(r, 200, 'activation-response')));
      commits += bodies.filter((x) => x.changed).length;
    }
    expect(commits).toBe(12); // per round: two policies, and the third once (the second request finds it done)
    expect(Number(git(dir, ['rev-list', '--count', `${before}..main`]).trim())).toBe(12);
    const text = git(dir, ['show', 'main:oclhub.ocl']);
    for (const slug of POLICIES) expect(text).toContain(`policy "${slug}" {\n    active_version = "1.0.0"\n}`);
    expect(git(dir, ['status', '--porcelain']).trim()).toBe('');
    expect(fsck(dir)).toEqual({ status: 0, output: '' });
  }, 60_000);
});
