/**
 * What the Prometheus metrics of `oclhub serve` cost on the cheapest route (GET /api/health), two ways,
 * each comparing the same app over the demo hub with metrics (the default) and without
 * (`--no-metrics`), alternately so both share the machine's load:
 * 1. in process (`app.fetch`, no network): microseconds per request, batches alternated — the
 *    middleware's own cost, which a loaded machine blurs least;
 * 2. over HTTP: two servers in one child process, loaded alternately with autocannon.
 * Goal: metrics cost ≤ 10% of the trivial route's throughput.
 *
 * Run: npx tsx bench/metrics.ts [connections=20] [seconds=3] [rounds=3]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatLoad, runLoad, type LoadResult } from './_load.js';

const here = fileURLToPath(import.meta.url);

if (process.argv[2] === '--serve') {
  const { openHub } = await import('../src/hub/index.js');
  const { createApp, hubPort, startServer } = await import('../src/api/index.js');
  const { createApiMetrics } = await import('../src/api/metrics.js');
  const { hub } = await openHub({ dir: process.argv[3]! });
  const metrics = createApiMetrics();
  const withMetrics = await startServer({ app: createApp(hubPort(hub!, { observer: metrics }), { metrics }), host: '127.0.0.1', port: 0 });
  const without = await startServer({ app: createApp(hubPort(hub!)), host: '127.0.0.1', port: 0 });
  process.stdout.write(`${withMetrics.url} ${without.url}\n`);
  process.on('SIGTERM', () => void Promise.all([withMetrics.close(), without.close()]).then(() => process.exit(0)));
} else {
  const CONNECTIONS = Number(process.argv[2] ?? 20);
  const SECONDS = Number(process.argv[3] ?? 3);
  const ROUNDS = Number(process.argv[4] ?? 3);
  const { buildDemoHub } = await import('../src/demo/build.js');
  const demo = await buildDemoHub();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

  {
    const { createApp, hubPort } = await import('../src/api/index.js');
    const { createApiMetrics } = await import('../src/api/metrics.js');
    const metrics = createApiMetrics();
    const apps = { with: createApp(hubPort(demo.hub, { observer: metrics }), { metrics }), without: createApp(hubPort(demo.hub)) };
    const BATCH = 5000;
    const perRequest: Record<'with' | 'without', number[]> = { with: [], without: [] };
    for (let round = 0; round < 2 + ROUNDS * 3; round++) {
      for (const label of ['without', 'with'] as const) {
        const started = performance.now();
        for (let i = 0; i < BATCH; i++) await (await apps[label].fetch(new Request('http://localhost/api/health'))).arrayBuffer();
        // The first two rounds warm the JIT up.
        if (round >= 2) perRequest[label].push(((performance.now() - started) * 1000) / BATCH);
      }
    }
    const w = median(perRequest.with);
    const wo = median(perRequest.without);
    console.log(`in process: ${wo.toFixed(1)} µs/request without metrics, ${w.toFixed(1)} µs with: +${(w - wo).toFixed(1)} µs, cost ${(((w - wo) / w) * 100).toFixed(1)}% of the throughput (medians of ${perRequest.with.length} batches of ${BATCH})`);
    console.log(`goal (in process): metrics cost ≤ 10%: ${(w - wo) / w <= 0.1 ? 'met' : 'NOT met'}`);
  }

  const child = spawn(process.execPath, ['--import', 'tsx', here, '--serve', demo.dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [withUrl, withoutUrl] = await new Promise<string[]>((resolve) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!.trim().split(' '));
    });
  });
  const results: Record<'with' | 'without', LoadResult[]> = { with: [], without: [] };
  console.log(`${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} rounds alternating; GET /api/health on one server process`);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, url] of [['without', withoutUrl], ['with', withUrl]] as const) {
      const r = await runLoad({ url: url!, path: '/api/health', connections: CONNECTIONS, seconds: SECONDS });
      results[label].push(r);
      console.log(formatLoad(`  round ${round + 1} ${label.padEnd(7)} metrics`, r));
    }
  }
  const rpsWith = median(results.with.map((r) => r.rps));
  const rpsWithout = median(results.without.map((r) => r.rps));
  const cost = 1 - rpsWith / rpsWithout;
  console.log(`median: ${rpsWithout.toFixed(0)} req/s without metrics, ${rpsWith.toFixed(0)} req/s with: ratio ${(rpsWith / rpsWithout).toFixed(3)}, cost ${(cost * 100).toFixed(1)}%`);
  console.log(`goal (over HTTP): metrics cost ≤ 10% on the trivial route: ${cost <= 0.1 ? 'met' : 'NOT met'} (throughput on this shared machine varies more than that between rounds)`);
  child.kill('SIGTERM');
}
