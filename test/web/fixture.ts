/**
 * The demo hub (src/demo/build.ts, what `npm start` serves) with three additions for the page tests:
 * an XSS payload as a step's name, policy unit tests, and a branch `relax-approval` whose oclhub.ocl no
 * longer activates the manual-approval policy (so switching the ref changes the matrix). Served by the
 * real API app on an ephemeral port.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp, type ApiOptions } from '../../src/api/app.js';
import { hubPort } from '../../src/api/hub-port.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { buildDemoHub, DEMO_SOURCE, type DemoHub } from '../../src/demo/build.js';

/** Markup a browser would run if the pages did not escape it. */
export const XSS_NAME = '<script>window.__xss = 1</script><img src=x onerror=window.__xss=2>Export';
export const RELAX_BRANCH = 'relax-approval';
const REPORTING = 'projects/reporting/.octopus/deployment_process.ocl';

export interface WebHub {
  demo: DemoHub;
  cleanup(): void;
}

export async function buildWebHub(): Promise<WebHub> {
  const source = mkdtempSync(path.join(tmpdir(), 'oclhub-web-source-'));
  cpSync(DEMO_SOURCE, source, { recursive: true });
  const processFile = path.join(source, REPORTING);
  const text = readFileSync(processFile, 'utf8');
  if (!text.includes('name = "Export to warehouse"')) throw new Error(`${REPORTING} changed: the fixture cannot place its payload`);
  writeFileSync(processFile, text.replace('name = "Export to warehouse"', `name = "${XSS_NAME}"`));
  const tests = path.join(source, 'policy-tests/no_disabled_steps');
  mkdirSync(tests, { recursive: true });
  writeFileSync(path.join(tests, 'enabled-steps-pass.json'), JSON.stringify({ description: 'enabled steps raise nothing', input: { Steps: [{ Slug: 'a', Enabled: true }] }, expect: { allowed: true } }));
  writeFileSync(path.join(tests, 'disabled-step-warns.json'), JSON.stringify({ description: 'a disabled step warns', input: { Steps: [{ Slug: 'b', Enabled: false }] }, expect: { allowed: false, action: 'warn' } }));
  const demo = await buildDemoHub({ source });
  rmSync(source, { recursive: true, force: true });

  const main = (await demo.hub.store.resolveRef('main')).oid!;
  execFileSync('git', ['--git-dir', demo.dir, 'branch', RELAX_BRANCH, main]);
  const config = await demo.hub.store.readTextFile(main, 'oclhub.ocl');
  const relaxed = config.replace(/policy "require_manual_approval_in_production" \{\n[^}]*\}\n\n/, '');
  if (relaxed === config) throw new Error('oclhub.ocl changed: the fixture cannot deactivate require_manual_approval_in_production');
  await demo.hub.store.commitChanges({ branch: RELAX_BRANCH, expectedOid: main, changes: [{ path: 'oclhub.ocl', content: relaxed }], message: 'Relax: no manual approval policy', author: { name: 'Test', email: 'test@example.com' } });
  return { demo, cleanup: () => rmSync(demo.dir, { recursive: true, force: true }) };
}

export async function serve(demo: DemoHub, options: ApiOptions = {}): Promise<RunningServer> {
  return startServer({ app: createApp(hubPort(demo.hub), { logError: (m) => process.stderr.write(`${m}\n`), ...options }), host: '127.0.0.1', port: 0 });
}
