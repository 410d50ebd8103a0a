/**
 * `createApp(hub, options)`: the API as a Hono app, composed from one router per area, behind the
 * cross-cutting middleware (request log, CORS, body limit, path guard) and the problem+json error
 * handlers. The hub is a HubPort; `hubPort(hub)` adapts the façade.
 */
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { ApiEnv } from './env.js';
import { DEFAULT_BODY_LIMIT, limitBody } from './middleware/body-limit.js';
import { jsonRequestLogger } from './middleware/json-logger.js';
import { requestLogger, type RequestLog } from './middleware/logger.js';
import { metricsRoutes, type ApiMetrics } from './metrics.js';
import { pathGuard } from './middleware/paths.js';
import { failOnCorruption } from './middleware/corruption.js';
import { methodNotAllowedOr404, problemErrorHandler } from './middleware/problems.js';
import { KeyedMutex } from './mutex.js';
import type { HubPort, TemplateKind } from './ports.js';
import { buildRouter, type RouterContext, type RouteSpec } from './router.js';
import { complianceRoutes } from './routes/compliance.js';
import { dependencyRoutes } from './routes/dependencies.js';
import { evaluationRoutes } from './routes/evaluations.js';
import { healthRoutes } from './routes/health.js';
import { projectRoutes } from './routes/projects.js';
import { releaseRoutes } from './routes/releases.js';
import { templateRoutes } from './routes/templates.js';
import type { TokenEntry } from './tokens.js';
import { buildOpenApi } from './openapi.js';
import { webRoutes } from '../web/index.js';

export interface ApiOptions {
  /** Parsed token file (see tokens.ts). Without tokens every write answers 401. */
  tokens?: readonly TokenEntry[];
  /** Require a `read` token for reads too. */
  authReads?: boolean;
  /** Allow this origin (CORS); no CORS headers at all when absent. */
  cors?: string;
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** One line per request; default: none. */
  log?: RequestLog;
  /** `json`: each request line is a JSON object (see middleware/json-logger.ts); default text. */
  logFormat?: 'text' | 'json';
  /** Count requests, evaluations, cache and limit hits, served at GET /metrics (see metrics.ts). */
  metrics?: ApiMetrics;
  /** Where unexpected errors (with stacks) are reported; default: stderr. */
  logError?: (message: string) => void;
  /** Reported by /api/health and the OpenAPI document; default: package.json's version. */
  version?: string;
}

const KINDS: readonly TemplateKind[] = ['process-templates', 'project-templates', 'policies'];

export interface OclhubApp extends Hono<ApiEnv> {
  /** The route table the app was built from (also the source of /openapi.json). */
  readonly apiRoutes: readonly RouteSpec[];
}

export function createApp(hub: HubPort, options: ApiOptions = {}): OclhubApp {
  const ctx: RouterContext = {
    port: hub,
    auth: { tokens: options.tokens ?? [], authReads: options.authReads === true },
    publishLock: new KeyedMutex(),
    version: options.version ?? packageVersion(),
    routes: [],
  };
  const groups: RouteSpec[][] = [
    healthRoutes(ctx),
    ...KINDS.map((kind) => releaseRoutes(kind, ctx)),
    ...KINDS.map((kind) => templateRoutes(kind, ctx)),
    projectRoutes(ctx),
    dependencyRoutes(ctx),
    evaluationRoutes(ctx),
    complianceRoutes(ctx),
    ...(options.metrics ? [metricsRoutes(options.metrics)] : []),
  ];
  const app = new Hono<ApiEnv>();
  app.onError(problemErrorHandler(options.logError ?? ((m) => void process.stderr.write(`${m}\n`))));
  // A wrong method on an existing route is 405 with Allow (OPTIONS too, unless CORS answers it).
  app.notFound(methodNotAllowedOr404(ctx.routes, options.cors !== undefined));
  if (options.metrics) app.use('*', options.metrics.middleware);
  if (options.log) app.use('*', options.logFormat === 'json' ? jsonRequestLogger(options.log) : requestLogger(options.log));
  app.use('*', failOnCorruption);
  if (options.cors !== undefined) {
    app.use('*', cors({ origin: options.cors, allowHeaders: ['Authorization', 'Content-Type'], allowMethods: ['GET', 'POST', 'OPTIONS'], exposeHeaders: ['Location'], maxAge: 600 }));
  }
  app.use('*', pathGuard);
  app.use('*', limitBody(options.bodyLimit ?? DEFAULT_BODY_LIMIT));
  for (const group of groups) {
    ctx.routes.push(...group);
    app.route('/', buildRouter(group, ctx));
  }
  // The web pages (src/web): HTML over the same port, behind the same read authorisation.
  app.route('/', webRoutes({ port: hub, auth: ctx.auth, openApi: () => buildOpenApi(ctx.routes, { version: ctx.version }), ...(options.logError ? { logError: options.logError } : {}) }));
  return Object.assign(app, { apiRoutes: ctx.routes });
}

let cachedVersion: string | undefined;

function packageVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  try {
    cachedVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    cachedVersion = '0.0.0';
  }
  return cachedVersion;
}
