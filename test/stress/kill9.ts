/**
 * kill -9 stress (not part of `npm test`): rounds of a real `oclhub serve` publishing, activating and
 * answering gate calls on a hub working copy, killed with SIGKILL at a random moment, each followed by
 * `git fsck --full --strict` and checks that nothing was lost or corrupted:
 *   - fsck is clean (no missing, empty or damaged object; every ref names a sound object);
 *   - no object file is empty (a write is a flushed temporary file renamed into place);
 *   - the working copy never has the branch's activation reverted and staged behind the user's back
 *     (at most the state a follow completes: files ahead of the index, never the reverse);
 *   - locks left by the kill are reported; they are then aged past the stale bound (the time a real
 *     operator would wait) so the next round shows that they are taken over, not answered 500.
 * After the last round a fresh server must publish and activate successfully.
 *
 *     npx tsx test/stress/kill9.ts [rounds=25]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serveProcess } from '../api/serve-process.js';
import { demoHub } from '../e2e/demo-hub.js';

const ROUNDS = Number(process.argv[2] ?? 25);
const PUBLISH_TOKEN = 'stress-publish-token-0123456789abcdef';
const TOKEN_FILE = `${PUBLISH_TOKEN} publish Stress Publisher <stress@example.com>\n`;
const POLICIES = ['require_manual_approval_in_production', 'no_disabled_steps', 'use_web_app_template_for_critical'];

function git(dir: string, args: string[]): { status: number | null; out: string } {
  const result = spawnSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });
  return { status: result.status, out: `${result.stdout}${result.stderr}`.trim() };
}

async function post(url: string, body: unknown): Promise<number> {
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${PUBLISH_TOKEN}` }, body: JSON.stringify(body) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0; // the server was killed under the request
  }
}

/** Writers and readers hammering the server until it dies; status → count. */
function load(url: string, statuses: Map<number, number>): { stop(): void } {
  let running = true;
  const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
  const loop = async (next: (i: number) => Promise<number>) => {
    for (let i = 0; running; i++) {
      const status = await next(i);
      count(status);
      if (status === 0) return;
    }
  };
  void loop((i) => post(`${url}/api/policies/${POLICIES[i % POLICIES.length]}/versions`, { bump: 'patch', notes: `stress ${i}` }));
  void loop((i) => post(`${url}/api/process-templates/deploy-web-app/versions`, { bump: 'patch', notes: `stress ${i}` }));
  void loop((i) => post(`${url}/api/policies/${POLICIES[(i + 1) % POLICIES.length]}/activation`, { version: i % 2 === 0 ? null : '1.0.0' }));
  void loop((i) => post(`${url}/api/policies/${POLICIES[(i + 2) % POLICIES.length]}/activation`, { version: i % 2 === 0 ? '1.0.0' : null }));
  void loop(() => post(`${url}/api/evaluations`, { project: 'storefront', environment: 'production' }));
  return { stop: () => void (running = false) };
}

function walk(dir: string, into: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, into);
    else into.push(full);
  }
  return into;
}

interface RoundResult {
  round: number;
  killedAfterMs: number;
  requests: string;
  fsck: 'clean' | string;
  emptyObjects: number;
  tempObjects: number;
  locks: string[];
  indexBehind: boolean;
  revertStaged: boolean;
}

async function main(): Promise<void> {
  const dir = await demoHub();
  const tokenDir = mkdtempSync(path.join(tmpdir(), 'oclhub-stress-'));
  const tokens = path.join(tokenDir, 'tokens');
  writeFileSync(tokens, TOKEN_FILE);
  const gitdir = path.join(dir, '.git');
  const results: RoundResult[] = [];
  console.log(`kill -9 stress: ${ROUNDS} rounds on ${dir}`);
  for (let round = 1; round <= ROUNDS; round++) {
    const { child, url } = await serveProcess(dir, tokens);
    // Warm: the first gate call loads the parser and the Rego engine; the kill should hit writes, not start-up.
    await post(`${url}/api/evaluations`, { project: 'storefront', environment: 'production' });
    const statuses = new Map<number, number>();
    const traffic = load(url, statuses);
    const killedAfterMs = 300 + Math.floor(Math.random() * 3200);
    await new Promise((resolve) => setTimeout(resolve, killedAfterMs));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    traffic.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));

    const fsck = git(dir, ['fsck', '--full', '--strict', '--no-dangling', '--no-progress']);
    const files = walk(path.join(gitdir, 'objects')).filter((f) => !f.includes(`${path.sep}pack${path.sep}`) && !f.includes(`${path.sep}info${path.sep}`));
    const emptyObjects = files.filter((f) => !path.basename(f).startsWith('tmp_obj_') && statSync(f).size === 0).length;
    const tempObjects = files.filter((f) => path.basename(f).startsWith('tmp_obj_')).length;
    const locks = walk(gitdir).filter((f) => f.endsWith('.lock') && !f.includes(`${path.sep}objects${path.sep}`));
    const staged = git(dir, ['diff', '--cached', '--name-only']).out;
    // Behind: the index names the parent's oclhub.ocl while branch and file are new (a follow cut short).
    const fileMatchesBranch = git(dir, ['diff', '--quiet', 'HEAD', '--', 'oclhub.ocl']).status === 0;
    const result: RoundResult = {
      round,
      killedAfterMs,
      requests: [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s === 0 ? 'cut' : s}×${n}`).join(' '),
      fsck: fsck.status === 0 && fsck.out === '' ? 'clean' : fsck.out,
      emptyObjects,
      tempObjects,
      locks: locks.map((l) => path.relative(dir, l)),
      indexBehind: staged.includes('oclhub.ocl') && fileMatchesBranch,
      revertStaged: staged.includes('oclhub.ocl') && !fileMatchesBranch,
    };
    results.push(result);
    console.log(
      `round ${String(round).padStart(2)}: killed after ${String(killedAfterMs).padStart(4)} ms | ${result.requests} | fsck ${result.fsck} | empty objects ${emptyObjects} | tmp_obj ${tempObjects} | locks ${result.locks.join(', ') || 'none'}${result.indexBehind ? ' | index behind (completed by the next follow)' : ''}${result.revertStaged ? ' | REVERT STAGED' : ''}`,
    );
    // Time passes for the locks a crash left (as for an operator who waits): the next round must take them over.
    const old = new Date(Date.now() - 61_000);
    for (const lock of locks) utimesSync(lock, old, old);
  }

  // Recovery: a fresh server publishes and activates.
  const { child, url } = await serveProcess(dir, tokens);
  // Every kind of lock a kill can leave is met again: each policy's and the template's publish lock and
  // tags, the branch and the index (activation).
  const publishes = [];
  for (const slug of POLICIES) publishes.push(await post(`${url}/api/policies/${slug}/versions`, { bump: 'patch', notes: 'after the stress' }));
  publishes.push(await post(`${url}/api/process-templates/deploy-web-app/versions`, { bump: 'patch', notes: 'after the stress' }));
  const published = publishes.every((status) => status === 201) ? 201 : Math.max(...publishes.filter((status) => status !== 201));
  // Two opposite activations: one of them commits, whatever state the rounds left.
  const activations = [await post(`${url}/api/policies/${POLICIES[1]}/activation`, { version: null }), await post(`${url}/api/policies/${POLICIES[1]}/activation`, { version: '1.0.0' })];
  const activated = activations.every((status) => status === 200) ? 200 : Math.max(...activations);
  const gate = await post(`${url}/api/evaluations`, { project: 'storefront', environment: 'production' });
  child.kill('SIGTERM');
  const finalFsck = git(dir, ['fsck', '--full', '--strict', '--no-dangling', '--no-progress']);
  const leftoverLocks = walk(gitdir).filter((f) => f.endsWith('.lock') && Date.now() - statSync(f).mtimeMs > 60_000);

  const bad = results.filter((r) => r.fsck !== 'clean' || r.emptyObjects > 0 || r.revertStaged);
  const tags = git(dir, ['tag', '-l']).out.split('\n').length;
  const commits = git(dir, ['rev-list', '--count', 'main']).out;
  console.log('');
  console.log(`rounds: ${results.length}; fsck clean after ${results.filter((r) => r.fsck === 'clean').length}; empty object files: ${results.reduce((n, r) => n + r.emptyObjects, 0)}; activation reverted in the index: ${results.filter((r) => r.revertStaged).length}`);
  console.log(`locks left by kills: ${results.filter((r) => r.locks.length > 0).length} rounds (${results.flatMap((r) => r.locks).length} files), all taken over: ${leftoverLocks.length === 0 ? 'yes' : `no (${leftoverLocks.join(', ')})`}`);
  console.log(`index behind after a kill (completed by the next activation): ${results.filter((r) => r.indexBehind).length} rounds; leftover tmp_obj files (garbage, never read): ${results[results.length - 1]?.tempObjects ?? 0}`);
  console.log(`after the stress: ${tags} tags, ${commits} commits on main; publish ${published}, activation ${activated}, gate ${gate}; final fsck ${finalFsck.status === 0 && finalFsck.out === '' ? 'clean' : finalFsck.out}`);
  rmSync(tokenDir, { recursive: true, force: true });
  const ok = bad.length === 0 && published === 201 && activated === 200 && gate === 200 && finalFsck.status === 0 && leftoverLocks.length === 0;
  console.log(ok ? 'RESULT: nothing lost, nothing corrupted' : `RESULT: FAILED (${bad.length} bad rounds)`);
  if (ok) rmSync(dir, { recursive: true, force: true });
  else console.log(`hub kept for inspection: ${dir}`);
  process.exitCode = ok ? 0 : 1;
}

await main();
