/**
 * A hub with an active policy that reads the clock: no lint cache (per-project results, whole run,
 * rendered report, the re-run fast path) may answer it, because the same content is decided otherwise
 * later (a freeze that starts at 17:00 must block the 17:01 run whatever the 16:59 run said).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { rerunFromCache } from '../../src/lint/fast-rerun.js';
import { removeDir } from '../git/helpers.js';
import { demoHub } from '../e2e/demo-hub.js';
import { CLOCK_POLICY_SLUG, withClockPolicy } from '../e2e/volatile-policy.js';

const VERSION = (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

let hub: string;

beforeAll(async () => {
  hub = await demoHub(withClockPolicy());
}, 120_000);
afterAll(() => {
  if (hub) removeDir(hub);
});

async function lint(argv: string[]) {
  const io = { ...memoryIo(hub), env: {} };
  const code = await main(['lint', ...argv], io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

interface JsonReport {
  evaluations: { project: string; environment: string; decisions: { policy: string; reason?: string }[] }[];
}

const freezeReasons = (stdout: string) =>
  (JSON.parse(stdout) as JsonReport).evaluations.flatMap((e) => e.decisions.filter((d) => d.policy === CLOCK_POLICY_SLUG && d.reason !== undefined).map((d) => `${e.project}/${e.environment}: ${d.reason}`));

describe('oclhub lint with a policy that reads the clock', () => {
  it('evaluates it again on every run, in every format, and leaves nothing for the re-run fast path', async () => {
    const first = await lint(['--format', 'json']);
    expect(first.code, first.stderr).toBe(1);
    const second = await lint(['--format', 'json']);
    const before = freezeReasons(first.stdout);
    const after = freezeReasons(second.stdout);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((r) => /: Asked at \d+$/.test(r))).toBe(true);
    expect(after).toHaveLength(before.length);
    for (let i = 0; i < before.length; i++) expect(after[i]).not.toBe(before[i]);

    const text = await lint(['--format', 'text']);
    const textAgain = await lint(['--format', 'text']);
    expect(text.stdout).toMatch(/Asked at \d+/);
    expect(textAgain.stdout.match(/Asked at \d+/g)).not.toEqual(text.stdout.match(/Asked at \d+/g));

    const out: Buffer[] = [];
    const fast = await rerunFromCache({ args: ['--format', 'json'], cwd: hub, env: {}, stdoutIsTTY: false, toolVersion: VERSION, stdout: (b) => void out.push(Buffer.from(b)), stderr: () => undefined });
    expect(fast).toBeUndefined();
    expect(out).toEqual([]);
    expect(fs.existsSync(path.join(hub, '.oclhub-cache'))).toBe(true);
  }, 120_000);
});
