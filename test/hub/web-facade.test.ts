/**
 * Façade methods the web pages read: template consumers, policy unit tests from Git, the ref list,
 * and every policy's outcome per compliance context. Over the demo hub (real Git history and publishes).
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoHub, type DemoHub } from '../../src/demo/build.js';
import { openHub, type Hub } from '../../src/hub/index.js';

const AUTHOR = { name: 'Test', email: 'test@example.com' };
let demo: DemoHub;

beforeAll(async () => {
  demo = await buildDemoHub();
});
afterAll(() => rmSync(demo.dir, { recursive: true, force: true }));

/** Commits `files` on main and opens the hub at the new commit. */
async function commitAndOpen(files: Record<string, string>): Promise<Hub> {
  const head = (await demo.hub.store.resolveRef('main')).oid!;
  await demo.hub.store.commitChanges({ branch: 'main', expectedOid: head, changes: Object.entries(files).map(([path, content]) => ({ path, content })), message: 'test change', author: AUTHOR });
  const { hub } = await openHub({ dir: demo.dir, ref: 'main' });
  return hub!;
}

describe('web façade', () => {
  it('lists the consumers of a process template with masks, resolved versions and newer majors', async () => {
    const result = await demo.hub.templateConsumers('deploy-web-app');
    expect(result.consumers.map((c) => c.project).sort()).toEqual(['payments-api', 'storefront']);
    const storefront = result.consumers.find((c) => c.project === 'storefront')!;
    expect(storefront.usages).toEqual([
      expect.objectContaining({ usage: 'deploy-storefront', mask: '1.X', resolved: '1.1.0', resolvedBy: 'mask', newestAllowed: '1.1.0', newestOverall: '2.0.0', behind: false, newerMajors: ['2.0.0'] }),
    ]);
    expect((await demo.hub.templateConsumers('manual-approval')).consumers.map((c) => c.project)).toEqual(['payments-api']);
    expect((await demo.hub.templateConsumers('no-such-template')).consumers).toEqual([]);
  });

  it('reports a usage pinned by the hub lock behind its mask', async () => {
    const file = 'projects/storefront/.octopus/deployment_process.ocl';
    const lock = { lockfileVersion: 1, usages: { [`${file}#deploy-storefront`]: { template: 'deploy-web-app', mask: '1.X', version: '1.0.0', contentHash: '' } } };
    const hub = await commitAndOpen({ 'oclhub.lock.json': JSON.stringify(lock) });
    const storefront = (await hub.templateConsumers('deploy-web-app')).consumers.find((c) => c.project === 'storefront')!;
    expect(storefront.usages[0]).toMatchObject({ resolved: '1.0.0', resolvedBy: 'lock', newestAllowed: '1.1.0', behind: true, newerMajors: ['2.0.0'] });
  });

  it('runs a policy\'s unit tests read from the hub at its ref', async () => {
    const hub = await commitAndOpen({
      'policy-tests/no_disabled_steps/passes.json': JSON.stringify({ description: 'no steps, no finding', input: { Steps: [] }, expect: { allowed: true } }),
      'policy-tests/no_disabled_steps/wrong.json': JSON.stringify({ input: { Steps: [{ Slug: 'a', Enabled: false }] }, expect: { allowed: true } }),
      'policy-tests/no_disabled_steps/broken.json': '{ not json',
    });
    const run = await hub.policyTests('no_disabled_steps');
    expect(run.file).toBe('.octopus/policies/no_disabled_steps.ocl');
    expect(run.summary).toEqual({ total: 3, passed: 1, failed: 2 });
    expect(run.cases.find((c) => c.file.endsWith('passes.json'))).toMatchObject({ passed: true, description: 'no steps, no finding' });
    expect(run.cases.find((c) => c.file.endsWith('wrong.json'))!.failures).toEqual(['expected allowed true, got false']);
    expect(run.diagnostics.map((d) => d.code)).toEqual(['POL130']);
    expect((await hub.policyTests('require_manual_approval_in_production')).summary.total).toBe(0);
  });

  it('lists branches and tags', async () => {
    const refs = await demo.hub.refs();
    expect(refs.branches).toEqual(['main']);
    expect(refs.head).toBe('main');
    expect(refs.tags).toContain('process-templates/deploy-web-app/v2.0.0');
  });

  it('gives every active policy\'s outcome per compliance context, passes and out-of-scope ones included', async () => {
    const { rows } = await demo.hub.compliance({ cacheDir: false });
    const production = rows.find((r) => r.project === 'reporting' && r.environment === 'production')!;
    expect(production.outcomes).toEqual({ require_manual_approval_in_production: 'violation', no_disabled_steps: 'violation', use_web_app_template_for_critical: 'skipped' });
    const development = rows.find((r) => r.project === 'reporting' && r.environment === 'development')!;
    expect(development.outcomes['no_disabled_steps']).toBe('excepted');
    expect(development.outcomes['require_manual_approval_in_production']).toBe('skipped');
  });
});
