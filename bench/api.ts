/**
 * HTTP API throughput and latency: the real server (child process, hubPort over the embedded demo
 * hub — templates/demo as a bare repository with published templates and active policies) under C
 * keep-alive connections from autocannon (bench/_load.ts). Each route is measured right after a baseline run of a
 * trivial Hono route on the same server (the machine is shared), and printed with the ratio.
 *
 * The headline is `POST /api/evaluations` on a warm cache (the pre-deployment gate a pipeline calls):
 * target ≥ 25% of the trivial route's throughput and p99 < 20 ms at 50 connections.
 *
 * Run: npx tsx bench/api.ts [connections=50] [seconds=3]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatLoad, runLoad, type LoadOptions, type LoadResult } from './_load.js';

const here = fileURLToPath(import.meta.url);

if (process.argv[2] === '--serve') {
  const { openHub } = await import('../src/hub/index.js');
  const { createApp, hubPort, startServer } = await import('../src/api/index.js');
  const { hub } = await openHub({ dir: process.argv[3]! });
  const app = createApp(hubPort(hub!));
  app.get('/bench/trivial', (c) => c.text('ok'));
  const server = await startServer({ app, host: '127.0.0.1', port: 0 });
  process.stdout.write(`${server.url}\n`);
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
} else {
  const CONNECTIONS = Number(process.argv[2] ?? 50);
  const SECONDS = Number(process.argv[3] ?? 3);
  const { buildDemoHub } = await import('../src/demo/build.js');
  const demo = await buildDemoHub();

  const child = spawn(process.execPath, ['--import', 'tsx', here, '--serve', demo.dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(line.trim());
    });
  });

  const common = { url, connections: CONNECTIONS, seconds: SECONDS };
  const gate = (project: string, extra: Record<string, unknown> = {}): Omit<LoadOptions, 'url' | 'connections' | 'seconds'> => ({
    path: '/api/evaluations',
    method: 'POST',
    body: { project, environment: 'production', ...extra },
  });
  const runs: [string, Omit<LoadOptions, 'url' | 'connections' | 'seconds'>][] = [
    ['POST /api/evaluations (reporting → blocked)', gate('reporting')],
    ['POST /api/evaluations (storefront, release → allowed)', gate('storefront', { release: { version: '1.4.0' } })],
    ['GET /api/health', { path: '/api/health' }],
    ['GET /api/process-templates', { path: '/api/process-templates' }],
    ['GET /api/process-templates/deploy-web-app/versions', { path: '/api/process-templates/deploy-web-app/versions' }],
    ['GET /api/process-templates/deploy-web-app/releases', { path: '/api/process-templates/deploy-web-app/releases' }],
    ['GET /api/compliance', { path: '/api/compliance' }],
  ];

  console.log(`${CONNECTIONS} connections, ${SECONDS} s per run; server in a child process over the demo hub; load generator: autocannon (bench/_load.ts)`);
  // One discarded second of each kind first, so that the first measured run is not the JIT's warm-up.
  await runLoad({ ...common, seconds: 1, path: '/bench/trivial' });
  await runLoad({ ...common, seconds: 1, ...runs[0]![1] });
  const results: { label: string; r: LoadResult; baseline: LoadResult }[] = [];
  for (const [label, options] of runs) {
    const baseline = await runLoad({ ...common, path: '/bench/trivial' });
    console.log(formatLoad('  baseline GET /bench/trivial (Hono, same server)', baseline));
    const r = await runLoad({ ...common, ...options });
    console.log(formatLoad(label, r, `${((100 * r.rps) / baseline.rps).toFixed(0)}% of baseline throughput`));
    results.push({ label, r, baseline });
  }
  console.log('');
  for (const { label, r, baseline } of results.filter((x) => x.label.startsWith('POST /api/evaluations'))) {
    const ratio = r.rps / baseline.rps;
    console.log(
      `${label}: ${(ratio * 100).toFixed(0)}% of the trivial route (target ≥ 25%: ${ratio >= 0.25 ? 'met' : 'NOT met'}), p99 ${r.p99.toFixed(2)} ms (target < 20 ms: ${r.p99 < 20 ? 'met' : 'NOT met'})`,
    );
  }
  child.kill('SIGTERM');
  fs.rmSync(demo.dir, { recursive: true, force: true });
}
