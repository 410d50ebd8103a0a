/**
 * bench/lint.ts compares `oclhub lint` with a hand-written floor (bench/_lint-floor.ts: the generated
 * hub's 25 policies as JavaScript). The comparison only means something while the floor reaches the
 * same decisions as lint; the bench checks that on every run, and this test checks it without timing
 * anything, so that a change to the generated policies, the policy input or the engine that breaks the
 * mirror is seen in `npm test` too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionLine, floorDecisions } from '../../bench/_lint-floor.js';
import { generateHub } from '../../bench/generate-hub.js';
import { openHub } from '../../src/hub/index.js';
import { lintHub } from '../../src/lint/engine.js';

describe('the lint bench floor', () => {
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'oclhub-floor-test-'));
    // 14 projects cover every generated variant: template users, manual steps, external feeds, disabled steps.
    await generateHub(dir, 14, 4, 25);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reaches the decisions lint reaches, one by one', async () => {
    const { hub } = await openHub({ dir });
    const run = await lintHub(hub!, { cacheDir: false });
    const lint = run.report.evaluations.flatMap((e) => e.decisions.map((d) => decisionLine(e.project, e.environment, d.policy, d.outcome, d.action, d.reason ?? '')));
    const floor = floorDecisions(dir, { lines: true });
    expect(lint).toHaveLength(14 * 4 * 25);
    expect([...floor.lines].sort()).toEqual([...lint].sort());
  });

  it('sees every kind of outcome on the generated hub', () => {
    const { counts } = floorDecisions(dir);
    expect(Object.keys(counts).sort()).toEqual(['inconclusive', 'pass', 'skipped', 'violation/block', 'violation/warn']);
  });
});
