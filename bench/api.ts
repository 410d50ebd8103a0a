/**
 * HTTP API throughput and latency: the real server (child process, hubPort over a git-CLI-built hub)
 * under C keep-alive connections, for a trivial Hono route on the same server (the baseline) and for
 * the API's read routes on a warm cache. Prints requests/s, p50 and p99 per route and the ratio to
 * a baseline run just before it.   Run: npx tsx bench/api.ts [connections=50] [seconds=3]
 * (POST /api/evaluations is not benchmarked until the façade provides evaluation.)
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);

if (process.argv[2] === '--serve') {
  const { openHub } = await import('../src/hub.js');
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
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.com' };
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8' });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oclhub-bench-api-'));
  git(dir, 'init', '-q', '-b', 'main');
  const file = path.join(dir, '.octopus/process-templates/deploy-web.ocl');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (let v = 1; v <= 10; v++) {
    const steps = Array.from({ length: v }, (_, i) => `step "step-${i}" {\n    name = "Step ${i}"\n\n    action {\n        action_type = "Octopus.Script"\n        properties = {\n            Octopus.Action.Script.ScriptBody = "echo ${i}"\n        }\n        worker_pool = "hosted-ubuntu"\n    }\n}\n`);
    fs.writeFileSync(file, `name = "Deploy web"\n\n${steps.join('\n')}`);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', `v${v}`);
    git(dir, 'tag', '-a', `process-templates/deploy-web/v${v}.0.0`, '-m', `Release ${v}`);
  }

  const child = spawn(process.execPath, ['--import', 'tsx', here, '--serve', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(line.trim());
    });
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });

  function get(target: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = http.get(url + target, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
    });
  }

  async function load(target: string): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
    for (let i = 0; i < 200; i++) await get(target); // warm the caches and the connections
    const latencies: number[] = [];
    let errors = 0;
    const end = performance.now() + SECONDS * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (performance.now() < end) {
          const t = performance.now();
          const status = await get(target);
          latencies.push(performance.now() - t);
          if (status !== 200) errors++;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    return { rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), errors };
  }

  // The machine is shared: each route is measured right after its own baseline run.
  const routes = ['/api/health', '/api/process-templates', '/api/process-templates/deploy-web/versions', '/api/process-templates/deploy-web/versions/10.0.0', '/api/process-templates/deploy-web/releases'];
  console.log(`${CONNECTIONS} connections, ${SECONDS} s per run, server in a child process (load generator: node http, keep-alive)`);
  const show = (route: string, r: Awaited<ReturnType<typeof load>>, ratio: string) =>
    console.log(`${route.padEnd(52)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms  ${ratio}${r.errors ? `  ${r.errors} non-200` : ''}`);
  for (const route of routes) {
    const baseline = await load('/bench/trivial');
    show('  baseline /bench/trivial (Hono, same server)', baseline, '');
    const r = await load(route);
    show(route, r, `${(r.rps / baseline.rps).toFixed(2)}× baseline throughput`);
  }
  agent.destroy();
  child.kill('SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
}
