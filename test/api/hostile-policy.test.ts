/**
 * A hostile policy through the pre-deployment gate of a real server (demo hub, git CLI, HTTP on an
 * ephemeral port): the policy doubles an array until something gives. The evaluation stops on the
 * memory budget set in oclhub.ocl (`limits { ... }`), the gate fails closed with a decision that
 * names the limit, the server answers the next request normally, and the heap is back to where it
 * was once the garbage is collected.
 */
import v8 from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubPort } from '../../src/api/hub-port.js';
import { openHub } from '../../src/hub/index.js';
import { removeDir } from '../git/helpers.js';
import { demoFiles, demoHub } from '../e2e/demo-hub.js';
import { expectJson, startApi, type Api } from './helpers.js';

const doublings = Array.from({ length: 40 }, (_, i) => `            a${i + 1} := array.concat(a${i}, a${i})`).join('\n');
const HOSTILE = `name = "Hostile"
description = "Doubles an array forty times"
violation_action = "block"

conditions {
    rego = <<-EOT
            package hostile

            a0 := [1]
${doublings}

            default result := {"allowed": true}

            result := {"allowed": false, "reason": "too big"} if count(a40) > 0
            EOT
}

scope {
    rego = <<-EOT
            package hostile

            default evaluate := true
            EOT
}
`;

const MEMORY_MB = 64;

interface Decision {
  policy: string;
  outcome: string;
  action: string;
  error?: string;
}
interface Evaluation {
  decision: 'allowed' | 'warned' | 'blocked';
  policies: Decision[];
}

/**
 * The heap in use after a full garbage collection. No V8 flag is set at run time (`--expose-gc`
 * through v8.setFlagsFromString is unsupported once the process runs): taking a heap snapshot makes
 * V8 collect all garbage first, and the snapshot stream itself is discarded.
 */
async function heapAfterGc(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  } else {
    const snapshot = v8.getHeapSnapshot();
    snapshot.resume();
    await new Promise<void>((resolve, reject) => snapshot.once('end', resolve).once('error', reject));
  }
  return process.memoryUsage().heapUsed;
}

let dir: string;
let api: Api;

beforeAll(async () => {
  const files = demoFiles();
  const config = `${files['oclhub.ocl']!.trimEnd()}\n\npolicy "hostile" {\n    active_version = "1.0.0"\n}\n\nlimits {\n    max_memory_mb = ${MEMORY_MB}\n    max_millis = 10000\n}\n`;
  dir = await demoHub({ 'oclhub.ocl': config, '.octopus/policies/hostile.ocl': HOSTILE });
  const { hub, diagnostics } = await openHub({ dir });
  if (!hub) throw new Error(JSON.stringify(diagnostics));
  api = await startApi(hubPort(hub, { tagTtlMs: 0 }));
}, 120_000);

afterAll(() => removeDir(dir));

const evaluate = async (body: unknown) => expectJson<Evaluation>(await api.post('/api/evaluations', body), 200, 'evaluation-response');

describe('a hostile policy through the HTTP gate', () => {
  it('is stopped by the memory budget, and the server answers the next request normally with its memory back', async () => {
    // A first request compiles and caches everything; its other decisions are the reference.
    const development = { project: 'reporting', environment: 'development' };
    const reference = (await evaluate(development)).policies.filter((d) => d.policy !== 'hostile');
    const before = await heapAfterGc();

    const hostile = await evaluate({ project: 'reporting', environment: 'production' });
    expect(hostile.decision).toBe('blocked');
    const decision = hostile.policies.find((d) => d.policy === 'hostile')!;
    expect(decision).toMatchObject({ outcome: 'error', action: 'block' });
    expect(decision.error).toContain(`evaluation exceeded the memory limit (${MEMORY_MB * 1024 * 1024} bytes of values created)`);

    // The server is still up and answers as before: every other policy decided as usual.
    const next = await evaluate(development);
    expect(next.policies.filter((d) => d.policy !== 'hostile')).toEqual(reference);
    expect(next.policies.find((d) => d.policy === 'hostile')).toMatchObject({ outcome: 'error', action: 'block' });
    const health = await api.get('/api/projects/reporting/input?environment=production');
    expect(health.status).toBe(200);

    // What the evaluation built was garbage once it stopped: the heap is back within a fraction of the budget.
    const after = await heapAfterGc();
    expect(after - before).toBeLessThan((MEMORY_MB / 4) * 1024 * 1024);
  }, 120_000);
});
