/**
 * A small bounded HTTP load generator (autocannon's model, without the dependency): C keep-alive
 * connections, each sending its next request as soon as the previous response has been read, for a
 * fixed duration (and at most `maxRequests`). Latency is measured per request from write to the end
 * of the response body; p50/p99 come from every sample. Non-2xx answers and socket errors are counted
 * and reported, never hidden.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadOptions {
  /** Base URL of the server (`http://127.0.0.1:8080`). */
  url: string;
  path: string;
  method?: 'GET' | 'POST';
  /** JSON body for POST. */
  body?: unknown;
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  /** Requests sent before measuring (warms caches and opens the connections). Default 2 × connections. */
  warmup?: number;
  /** Upper bound on measured requests (default 5,000,000). */
  maxRequests?: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  /** Responses outside 2xx. */
  non2xx: number;
  errors: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.path, options.url);
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const headers: Record<string, string | number> = { ...options.headers };
  if (payload) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = payload.length;
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections, maxFreeSockets: options.connections });
  const send = (): Promise<number> =>
    new Promise((resolve) => {
      const req = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: options.method ?? 'GET', headers, agent }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      });
      req.on('error', () => resolve(0));
      req.end(payload);
    });

  try {
    const warmup = options.warmup ?? options.connections * 2;
    await Promise.all(Array.from({ length: options.connections }, async (_, i) => {
      for (let n = i; n < warmup; n += options.connections) await send();
    }));

    const maxRequests = options.maxRequests ?? 5_000_000;
    const latencies = new Float64Array(maxRequests);
    let count = 0;
    let non2xx = 0;
    let errors = 0;
    const started = performance.now();
    const end = started + options.seconds * 1000;
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (count < maxRequests && performance.now() < end) {
          const t = performance.now();
          const status = await send();
          if (count < maxRequests) latencies[count++] = performance.now() - t;
          if (status === 0) errors++;
          else if (status < 200 || status > 299) non2xx++;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const sorted = latencies.subarray(0, count).sort();
    const at = (q: number) => (count === 0 ? NaN : sorted[Math.min(count - 1, Math.floor(q * count))]!);
    return { requests: count, rps: count / elapsed, p50: at(0.5), p99: at(0.99), max: at(1), non2xx, errors };
  } finally {
    agent.destroy();
  }
}

export function formatLoad(label: string, r: LoadResult, extra = ''): string {
  const problems = r.non2xx + r.errors > 0 ? `  ${r.non2xx} non-2xx, ${r.errors} errors` : '';
  return `${label.padEnd(58)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms${extra ? `  ${extra}` : ''}${problems}`;
}
