/**
 * The route table. Every route is declared once — method, path, scope, query parameters, request
 * and response schemas, handler — and that declaration both registers it on Hono (with its
 * parameter, auth and body-validation middleware) and becomes its OpenAPI operation.
 */
import type { Context, Handler, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import type { ApiEnv } from './env.js';
import { requireScope, type AuthOptions } from './middleware/auth.js';
import { checkParams } from './middleware/paths.js';
import { validateJsonBody } from './middleware/validate.js';
import type { HubPort } from './ports.js';
import type { KeyedMutex } from './mutex.js';
import type { Scope } from './tokens.js';

export interface QueryParameter {
  name: string;
  description: string;
  required?: boolean;
}

export interface ResponseSpec {
  description: string;
  /** A schema name in schemas/api. */
  schema?: string;
  /** Default application/json (problem+json for error statuses). */
  contentType?: string;
}

export interface RouteSpec {
  method: 'get' | 'post';
  /** Hono path syntax (`/api/policies/:slug`). */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  scope: Scope;
  query?: QueryParameter[];
  /** The schema the JSON request body is validated with. */
  body?: string;
  /** Success and specific error responses; every route also documents 400/401/403/404/500 as problems. */
  responses: Record<number, ResponseSpec>;
  /** False for a route whose port method is missing: it answers 501. */
  implemented?: boolean;
  handler(c: Context<ApiEnv>): Promise<Response> | Response;
}

export interface RouterContext {
  port: HubPort;
  auth: AuthOptions;
  publishLock: KeyedMutex;
  version: string;
  /** Filled by createApp: the routes of every router, for the OpenAPI document. */
  routes: RouteSpec[];
}

export function pathParameters(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
}

/** A Hono router holding `specs`, each behind its parameter checks, auth and body validation. */
export function buildRouter(specs: readonly RouteSpec[], ctx: RouterContext): Hono<ApiEnv> {
  const router = new Hono<ApiEnv>();
  for (const spec of specs) {
    const parameters = pathParameters(spec.path);
    const handlers: MiddlewareHandler<ApiEnv>[] = [...(parameters.length > 0 ? [checkParams(parameters)] : []), requireScope(spec.scope, ctx.auth)];
    if (spec.body) handlers.push(validateJsonBody(spec.body));
    const handler: Handler<ApiEnv> = (c) => spec.handler(c);
    router.on(spec.method.toUpperCase(), [spec.path], ...([...handlers, handler] as [Handler<ApiEnv>]));
  }
  return router;
}
