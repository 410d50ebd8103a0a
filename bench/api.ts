/**
 * HTTP API throughput and latency: the real server (bench/_api-server.ts, a child process running a
 * private esbuild transpile of this working copy, bench/_build.ts) under C keep-alive connections from
 * autocannon (bench/_load.ts). Every measured route runs right after the trivial Hono route on the same
 * server (the same-run baseline; the machine is shared), --runs times, and the figures are medians.
 *
 * Issue 16's rows:
 * - the gate with a new release version on every call (every real deployment has one: no cache hit),
 *   demo hub. Goal ≥ 25% of the trivial route's throughput, p99 ≤ 25 ms.
 * - the gate with the same request repeated (cache hit), demo hub. Goal ≥ 50%, p99 ≤ 2× the trivial
 *   route's.
 * - the same on a generated 1,000-project hub after `git gc` + `git pack-refs --all` (packed refs, as a
 *   clone has them; the demo hub keeps its branch as a loose ref, a fast path). Same goal.
 * - GET /api/compliance on that hub: cold (the first request after the server starts; a new server per
 *   run) and warm (one connection, sequential requests). Goal warm ≤ 10 ms.
 * Other routes are measured once for information (skip them with --issue-only).
 *
 * Beside throughput and latency, the server's CPU time per request (user + system, all its threads,
 * from /proc) of each route and of the trivial route in the same run: throughput on this shared
 * machine moves with whatever else runs, and the load generator shares the cores; CPU per request
 * moves far less. Latency percentiles are of every 2xx response's own latency (bench/_load.ts), not of
 * autocannon's whole-millisecond histogram: a p99 of a few ms and its ratio to another need the fraction.
 *
 *   npx tsx bench/api.ts [connections=50] [seconds=3] [--runs 3] [--projects 1000] [--issue-only]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildForBench } from './_build.js';
import { formatLoad, runLoad, type LoadOptions, type LoadResult } from './_load.js';
import { childEnv, countOption, flag, machineLine, median, millis, percent, positionals, reportRow, seconds, times } from './_report.js';
import { generateHub } from './generate-hub.js';
import { buildDemoHub } from '../src/demo/build.js';

const argv = process.argv.slice(2);
const [connectionsArg, secondsArg] = positionals(argv, ['runs', 'projects']);
const CONNECTIONS = Number(connectionsArg ?? 50);
const SECONDS = Number(secondsArg ?? 3);
const RUNS = countOption(argv, 'runs', 3);
const PROJECTS = countOption(argv, 'projects', 1000);
const ISSUE_ONLY = flag(argv, 'issue-only');

type Route = Omit<LoadOptions, 'url' | 'connections' | 'seconds'>;

const build = buildForBench();
const SERVER = build.file('bench/_api-server.ts');

interface Server {
  url: string;
  child: ChildProcess;
  /** From spawn until it printed its URL. */
  startMs: number;
}

async function startServer(hubDir: string): Promise<Server> {
  const start = performance.now();
  const child = spawn(process.execPath, [SERVER, hubDir], { stdio: ['ignore', 'pipe', 'inherit'], env: childEnv({ OCLHUB_HUB: undefined }) });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.on('exit', (code) => reject(new Error(`the API server exited (${code}) before listening`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline > 0) resolve(out.slice(0, newline).trim());
    });
  });
  child.removeAllListeners('exit');
  return { url, child, startMs: performance.now() - start };
}

async function stopServer(server: Server): Promise<void> {
  const exited = new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
  server.child.kill('SIGTERM');
  await exited;
}

let releaseCounter = 0;
/** The gate for `project` in production, with a release version never sent before. */
function freshReleaseGate(project: string): Route {
  return {
    path: '/api/evaluations',
    method: 'POST',
    bodies: () => ({ project, environment: 'production', release: { version: `2.0.${++releaseCounter}` } }),
  };
}

function sameGate(project: string): Route {
  return { path: '/api/evaluations', method: 'POST', body: { project, environment: 'production', release: { version: '1.4.0' } } };
}

const TRIVIAL: Route = { path: '/bench/trivial' };

interface Paired {
  runs: { baseline: LoadResult; measured: LoadResult }[];
  /** Median of the per-run throughput ratios (measured / trivial). */
  throughput: number;
  p99: number;
  baselineP99: number;
  /** Median of the per-run p99 ratios (measured / trivial). */
  p99Ratio: number;
  /** Median server CPU µs per request of the route and of the trivial route, and of their per-run ratios (undefined without /proc). */
  cpuUs?: number;
  baselineCpuUs?: number;
  cpuRatio?: number;
  problems: number;
}

/** RUNS × (trivial route, then the route), each for SECONDS at `connections`. */
async function paired(server: Server, label: string, route: Route, connections = CONNECTIONS): Promise<Paired> {
  const runs: Paired['runs'] = [];
  const url = server.url;
  const serverPid = server.child.pid;
  for (let run = 0; run < RUNS; run++) {
    const baseline = await runLoad({ url, connections, seconds: SECONDS, ...TRIVIAL, ...(serverPid !== undefined ? { serverPid } : {}) });
    const measured = await runLoad({ url, connections, seconds: SECONDS, ...route, ...(serverPid !== undefined ? { serverPid } : {}) });
    console.log(formatLoad(`  baseline GET /bench/trivial (same server)`, baseline));
    const cpu = measured.serverCpuUs !== undefined && baseline.serverCpuUs !== undefined ? `, ${times(measured.serverCpuUs / baseline.serverCpuUs)} its CPU per request` : '';
    console.log(formatLoad(`  ${label}`, measured, `${percent(measured.rps / baseline.rps)} of the trivial route${cpu}`));
    runs.push({ baseline, measured });
  }
  const withCpu = runs.filter((r) => r.measured.serverCpuUs !== undefined && r.baseline.serverCpuUs !== undefined);
  return {
    runs,
    throughput: median(runs.map((r) => r.measured.rps / r.baseline.rps)),
    p99: median(runs.map((r) => r.measured.p99)),
    baselineP99: median(runs.map((r) => r.baseline.p99)),
    p99Ratio: median(runs.map((r) => r.measured.p99 / r.baseline.p99)),
    ...(withCpu.length > 0
      ? {
          cpuUs: median(withCpu.map((r) => r.measured.serverCpuUs!)),
          baselineCpuUs: median(withCpu.map((r) => r.baseline.serverCpuUs!)),
          cpuRatio: median(withCpu.map((r) => r.measured.serverCpuUs! / r.baseline.serverCpuUs!)),
        }
      : {}),
    problems: runs.reduce((n, r) => n + r.measured.non2xx + r.measured.errors, 0),
  };
}

function describe(p: Paired): string {
  const rps = median(p.runs.map((r) => r.measured.rps));
  const cpu = p.cpuUs !== undefined ? `, server CPU ${p.cpuUs.toFixed(0)} µs/request` : '';
  return `${rps.toFixed(0)} req/s, p99 ${millis(p.p99)}${cpu} (median of ${RUNS} runs of ${SECONDS} s at ${CONNECTIONS} connections)${p.problems ? `; ${p.problems} non-2xx or errors` : ''}`;
}

function describeBaseline(p: Paired): string {
  const cpu = p.baselineCpuUs !== undefined ? `, server CPU ${p.baselineCpuUs.toFixed(0)} µs/request` : '';
  return `trivial Hono route on the same server ${median(p.runs.map((r) => r.baseline.rps)).toFixed(0)} req/s, p99 ${millis(p.baselineP99)}${cpu}`;
}

/** The CPU-per-request ratio, for the ratio line (empty without /proc). */
function cpuRatio(p: Paired): string {
  return p.cpuRatio !== undefined ? `; server CPU per request ${times(p.cpuRatio)} the trivial route's` : '';
}

/** One GET of the whole body, timed until its last byte. */
async function timedGet(url: string): Promise<{ ms: number; bytes: number; status: number }> {
  const start = performance.now();
  const response = await fetch(url);
  const body = await response.arrayBuffer();
  return { ms: performance.now() - start, bytes: body.byteLength, status: response.status };
}

async function demoHub(): Promise<void> {
  const demo = await buildDemoHub();
  const server = await startServer(demo.dir);
  try {
    const loose = fs.existsSync(path.join(demo.dir, 'refs/heads/main'));
    console.log(`\ndemo hub (templates/demo, ${loose ? 'branch as a loose ref' : 'packed refs'}): server ready in ${seconds(server.startMs)}`);
    // Discarded: the JIT's warm-up, and the first evaluation of each kind.
    await runLoad({ url: server.url, connections: CONNECTIONS, seconds: 1, ...TRIVIAL });
    await runLoad({ url: server.url, connections: CONNECTIONS, seconds: 1, ...sameGate('storefront') });
    await runLoad({ url: server.url, connections: CONNECTIONS, seconds: 1, ...freshReleaseGate('storefront') });

    const miss = await paired(server, 'POST /api/evaluations, new release version each call', freshReleaseGate('storefront'));
    reportRow({
      id: 'api-gate-miss',
      figure: describe(miss),
      baseline: describeBaseline(miss),
      ratio: `${percent(miss.throughput)} of the trivial route's throughput, p99 ${millis(miss.p99)}${cpuRatio(miss)}`,
      met: miss.throughput >= 0.25 && miss.p99 <= 25 && miss.problems === 0,
    });
    const hit = await paired(server, 'POST /api/evaluations, same request (cache hit)', sameGate('storefront'));
    reportRow({
      id: 'api-gate-hit',
      figure: describe(hit),
      baseline: describeBaseline(hit),
      ratio: `${percent(hit.throughput)} of the trivial route's throughput, p99 ${times(hit.p99Ratio)} the trivial route's${cpuRatio(hit)}`,
      met: hit.throughput >= 0.5 && hit.p99Ratio <= 2 && hit.problems === 0,
    });

    if (!ISSUE_ONLY) {
      console.log('\nother routes, demo hub (one run each, for information):');
      const routes: [string, Route][] = [
        ['POST /api/evaluations (reporting → blocked)', { path: '/api/evaluations', method: 'POST', body: { project: 'reporting', environment: 'production' } }],
        ['GET /api/health', { path: '/api/health' }],
        ['GET /api/process-templates', { path: '/api/process-templates' }],
        ['GET /api/process-templates/deploy-web-app/versions', { path: '/api/process-templates/deploy-web-app/versions' }],
        ['GET /api/process-templates/deploy-web-app/releases', { path: '/api/process-templates/deploy-web-app/releases' }],
        ['GET /api/compliance', { path: '/api/compliance' }],
      ];
      for (const [label, route] of routes) {
        const baseline = await runLoad({ url: server.url, connections: CONNECTIONS, seconds: SECONDS, ...TRIVIAL });
        const r = await runLoad({ url: server.url, connections: CONNECTIONS, seconds: SECONDS, ...route });
        console.log(formatLoad('  baseline GET /bench/trivial (same server)', baseline));
        console.log(formatLoad(`  ${label}`, r, `${percent(r.rps / baseline.rps)} of the trivial route`));
      }
    }
  } finally {
    await stopServer(server);
    fs.rmSync(demo.dir, { recursive: true, force: true });
  }
}

async function generatedHub(): Promise<void> {
  const work = fs.mkdtempSync(path.join(tmpdir(), 'oclhub-bench-api-'));
  try {
    const hub = path.join(work, 'hub');
    const start = performance.now();
    await generateHub(hub, PROJECTS, 4, 25, { packed: true });
    const packedRefs = fs.existsSync(path.join(hub, '.git/packed-refs')) && !fs.existsSync(path.join(hub, '.git/refs/heads/main'));
    if (!packedRefs) throw new Error('the generated hub still has a loose branch ref after git pack-refs --all');
    console.log(`\ngenerated hub: ${PROJECTS} projects × 4 environments × 25 policies, git gc + pack-refs --all, in ${seconds(performance.now() - start)}`);
    const project = 'svc-0000';

    const colds: { ms: number; bytes: number }[] = [];
    let warm: Paired | undefined;
    let hit: Paired | undefined;
    for (let run = 0; run < RUNS; run++) {
      const server = await startServer(hub);
      try {
        // A few trivial requests first: the connection and the route are warm, the compliance matrix is not.
        await runLoad({ url: server.url, connections: 1, seconds: 1, ...TRIVIAL });
        const cold = await timedGet(`${server.url}/api/compliance`);
        if (cold.status !== 200) throw new Error(`GET /api/compliance answered ${cold.status}`);
        colds.push(cold);
        console.log(`  GET /api/compliance, cold (new server ${run + 1}/${RUNS}): ${seconds(cold.ms)}, ${(cold.bytes / 1024 / 1024).toFixed(1)} MB`);
        if (run > 0) continue;
        warm = await paired(server, 'GET /api/compliance, warm (1 connection)', { path: '/api/compliance' }, 1);
        await runLoad({ url: server.url, connections: CONNECTIONS, seconds: 1, ...sameGate(project) });
        hit = await paired(server, `POST /api/evaluations, same request (cache hit), ${project}`, sameGate(project));
      } finally {
        await stopServer(server);
      }
    }
    reportRow({
      id: 'api-gate-hit-packed',
      figure: describe(hit!),
      baseline: describeBaseline(hit!),
      ratio: `${percent(hit!.throughput)} of the trivial route's throughput, p99 ${times(hit!.p99Ratio)} the trivial route's${cpuRatio(hit!)}`,
      met: hit!.throughput >= 0.5 && hit!.p99Ratio <= 2 && hit!.problems === 0,
      ...(PROJECTS !== 1000 ? { note: `measured at ${PROJECTS} projects` } : {}),
    });
    reportRow({
      id: 'api-compliance-cold',
      figure: `${seconds(median(colds.map((c) => c.ms)))} (median of ${RUNS} new servers: ${colds.map((c) => seconds(c.ms)).join(', ')}), ${(colds[0]!.bytes / 1024 / 1024).toFixed(1)} MB body`,
      baseline: '— (the lint bench\'s floor is the floor for computing the same decisions)',
      ratio: '—',
      ...(PROJECTS !== 1000 ? { note: `measured at ${PROJECTS} projects` } : {}),
    });
    const warmP50 = median(warm!.runs.map((r) => r.measured.p50));
    reportRow({
      id: 'api-compliance-warm',
      figure: `p50 ${millis(warmP50)}, p99 ${millis(warm!.p99)}, ${median(warm!.runs.map((r) => r.measured.rps)).toFixed(1)} req/s (median of ${RUNS} runs of ${SECONDS} s, 1 connection)`,
      baseline: `trivial route, 1 connection: p50 ${millis(median(warm!.runs.map((r) => r.baseline.p50)))}, p99 ${millis(warm!.baselineP99)}`,
      ratio: `p50 ${millis(warmP50)} against 10 ms: ${times(warmP50 / 10)} the goal`,
      met: warmP50 <= 10 && warm!.problems === 0,
      ...(PROJECTS !== 1000 ? { note: `measured at ${PROJECTS} projects` } : {}),
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

try {
  console.log(machineLine());
  console.log(`${CONNECTIONS} connections, ${SECONDS} s per run, ${RUNS} runs per figure; server in a child process (private esbuild build, ${seconds(build.ms)}); load generator: autocannon in this process`);
  await demoHub();
  await generatedHub();
} finally {
  build.remove();
}
