/**
 * The overview page at hub scale: a generated hub of 1,000 projects × 4 environments (bench/generate-hub.ts)
 * served by the real app; `GET /` is timed cold (the compliance matrix is computed), warm with the page
 * rendered afresh (the matrix from the port's cache; a new query string each run misses the rendered-page
 * cache) and warm as served (the rendered page cached too). Goal (issue 13): warm < 1 s. Baselines
 * measured in the same run: `GET /api/compliance` (the same cached answer as JSON) and `GET /api/health`.
 *   npx tsx bench/web.ts [projects] [environments] [policies]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createApp } from '../src/api/app.js';
import { hubPort } from '../src/api/hub-port.js';
import { startServer } from '../src/api/server.js';
import { openHub } from '../src/hub/index.js';
import { generateHub } from './generate-hub.js';

const projects = Number(process.argv[2] ?? 1000);
const environments = Number(process.argv[3] ?? 4);
const policies = Number(process.argv[4] ?? 10);
const WARM_RUNS = 15;

async function time(url: string): Promise<{ ms: number; bytes: number; status: number }> {
  const start = performance.now();
  const response = await fetch(url);
  const body = await response.arrayBuffer();
  return { ms: performance.now() - start, bytes: body.byteLength, status: response.status };
}

/** `url(i)` for run i: a fresh query each run defeats the rendered-page cache (the data stays cached). */
async function warm(url: string | ((run: number) => string)): Promise<{ median: number; max: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < WARM_RUNS; i++) {
    const r = await time(typeof url === 'string' ? url : url(i));
    if (r.status !== 200) throw new Error(`${url}: HTTP ${r.status}`);
    times.push(r.ms);
    bytes = r.bytes;
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, max: times[times.length - 1]!, bytes };
}

const work = mkdtempSync(path.join(tmpdir(), 'oclhub-bench-web-'));
try {
  let t = performance.now();
  await generateHub(work, projects, environments, policies);
  process.stdout.write(`generated ${projects} projects × ${environments} environments × ${policies} policies in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  const { hub, diagnostics } = await openHub({ dir: work });
  if (!hub) throw new Error(JSON.stringify(diagnostics));
  const server = await startServer({ app: createApp(hubPort(hub)), host: '127.0.0.1', port: 0 });
  try {
    t = performance.now();
    const cold = await time(`${server.url}/`);
    if (cold.status !== 200) throw new Error(`GET / answered ${cold.status}`);
    process.stdout.write(`cold GET / (computes the matrix: ${projects * environments} contexts): ${(cold.ms / 1000).toFixed(2)} s\n`);
    const fresh = await warm((run) => `${server.url}/?run=${run}`);
    const page = await warm(`${server.url}/`);
    const json = await warm(`${server.url}/api/compliance`);
    const health = await warm(`${server.url}/api/health`);
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    process.stdout.write(`\nwarm GET /api/health (baseline):         median ${ms(health.median)}, max ${ms(health.max)}\n`);
    process.stdout.write(`warm GET /api/compliance (same answer):  median ${ms(json.median)}, max ${ms(json.max)}, ${(json.bytes / 1e6).toFixed(1)} MB\n`);
    process.stdout.write(`warm GET / rendered afresh each time:    median ${ms(fresh.median)}, max ${ms(fresh.max)}, ${(fresh.bytes / 1e6).toFixed(1)} MB\n`);
    process.stdout.write(`warm GET / (rendered page cached):       median ${ms(page.median)}, max ${ms(page.max)}\n`);
    process.stdout.write(`overview rendered afresh / compliance JSON: ${(fresh.median / json.median).toFixed(2)}×; cached overview / compliance JSON: ${(page.median / json.median).toFixed(2)}×\n`);
    process.stdout.write(`goal: warm overview of ${projects} projects × ${environments} environments < 1 s — ${fresh.max < 1000 ? 'met' : 'NOT met'} (rendered afresh, max of ${WARM_RUNS} runs ${ms(fresh.max)})\n`);
  } finally {
    await server.close();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
