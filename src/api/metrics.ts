/**
 * Prometheus metrics for `oclhub serve` (`GET /metrics`, text exposition format), with prom-client
 * on a registry of its own (never the library's global one, so embedding apps keep theirs):
 *
 * - `oclhub_http_requests_total{method,route,status}` and `oclhub_http_request_duration_seconds`
 *   (route = the matched route pattern, e.g. `/api/policies/:slug`, so slugs do not explode labels);
 * - `oclhub_evaluations_total{decision}` deployment-gate evaluations computed (allowed|warned|blocked),
 *   `oclhub_policy_decisions_total{outcome}` the policy decisions in them;
 * - `oclhub_cache_requests_total{cache,result}` the decision caches (hit|miss);
 * - `oclhub_limit_hits_total{limit}` requests over the body limit (`body`) and policy evaluations
 *   stopped by the Rego step/time/size limits (`evaluation`);
 * - Node's process metrics (`oclhub_process_*`, `oclhub_nodejs_*`).
 */
import type { MiddlewareHandler } from 'hono';
import { answeringRoute } from './middleware/route-pattern.js';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PolicyDecision } from '../report/lint-report.js';
import type { RouteSpec } from './router.js';

/** What the decision endpoints report as they work (see hub-decisions.ts). */
export interface DecisionObserver {
  /** A decision cache was asked: `hit` when the answer was already there (or being computed). */
  cache(name: string, hit: boolean): void;
  /** A deployment-gate evaluation was computed (not served from the cache). */
  evaluated(result: { decision: string; policies: readonly PolicyDecision[] }): void;
}

export interface ApiMetrics extends DecisionObserver {
  readonly registry: Registry;
  /** Counts and times every request; mount it before anything else. */
  readonly middleware: MiddlewareHandler;
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

export interface ApiMetricsOptions {
  /** Node's process metrics (CPU, memory, event loop, GC); default true. */
  processMetrics?: boolean;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** How src/policy/evaluate.ts describes a decision stopped by a Rego limit (`REGO_LIMIT`). */
const LIMIT_ERROR = /^(scope|conditions) hit an evaluation limit/;

export function createApiMetrics(options: ApiMetricsOptions = {}): ApiMetrics {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({ name: 'oclhub_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status', labelNames: ['method', 'route', 'status'] as const, registers });
  const latency = new Histogram({ name: 'oclhub_http_request_duration_seconds', help: 'Time to answer HTTP requests, by method and route pattern', labelNames: ['method', 'route'] as const, buckets: LATENCY_BUCKETS, registers });
  const evaluations = new Counter({ name: 'oclhub_evaluations_total', help: 'Deployment-gate evaluations computed (cache misses), by decision', labelNames: ['decision'] as const, registers });
  const decisions = new Counter({ name: 'oclhub_policy_decisions_total', help: 'Policy decisions in computed evaluations, by outcome', labelNames: ['outcome'] as const, registers });
  const caches = new Counter({ name: 'oclhub_cache_requests_total', help: 'Decision cache look-ups, by cache and result (hit or miss)', labelNames: ['cache', 'result'] as const, registers });
  const limits = new Counter({ name: 'oclhub_limit_hits_total', help: 'Limits hit: request bodies over the size limit (body), policy evaluations stopped by the Rego limits (evaluation)', labelNames: ['limit'] as const, registers });
  // Present from the first scrape, so rate() and alerts see a zero rather than nothing.
  for (const limit of ['body', 'evaluation']) limits.inc({ limit }, 0);
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'oclhub_' });

  // Label-bound children, looked up once per method, route and status: cheaper than labels per request.
  const bound = new Map<string, { count: { inc(): void }; time: { observe(seconds: number): void } }>();
  const middleware: MiddlewareHandler = async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = answeringRoute(c) ?? 'unmatched';
      const status = c.res.status;
      const key = `${c.req.method} ${status} ${route}`;
      let series = bound.get(key);
      if (!series) {
        series = { count: requests.labels({ method: c.req.method, route, status: String(status) }), time: latency.labels({ method: c.req.method, route }) };
        bound.set(key, series);
      }
      series.count.inc();
      series.time.observe((performance.now() - started) / 1000);
      if (status === 413) limits.inc({ limit: 'body' });
    }
  };

  return {
    registry,
    middleware,
    cache: (name, hit) => caches.inc({ cache: name, result: hit ? 'hit' : 'miss' }),
    evaluated(result) {
      evaluations.inc({ decision: result.decision });
      for (const d of result.policies) {
        decisions.inc({ outcome: d.outcome });
        if (d.outcome === 'error' && d.error !== undefined && LIMIT_ERROR.test(d.error)) limits.inc({ limit: 'evaluation' });
      }
    },
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}

/** `GET /metrics`, in the route table like every route (so it is in the OpenAPI document and honours --auth-reads). */
export function metricsRoutes(metrics: ApiMetrics): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/metrics',
      tag: 'meta',
      scope: 'read',
      summary: 'Prometheus metrics: requests and latencies by route, evaluations, cache hits, limit hits',
      responses: { 200: { description: 'Prometheus text exposition format', contentType: 'text/plain; version=0.0.4' } },
      handler: async (c) => {
        const { contentType, body } = await metrics.render();
        return c.body(body, 200, { 'Content-Type': contentType });
      },
    },
  ];
}
