/**
 * The route table. Every route is declared once — method, path, scope, query parameters, request
 * and response schemas, handler — and that declaration both registers it on Hono (with its
 * parameter, auth and body-validation middleware) and becomes its OpenAPI operation.
 */
import type { Context, Handler } from 'hono';
import { Hono } from 'hono';
import type { ApiEnv } from './env.js';
import { authorize, type AuthOptions } from './middleware/auth.js';
import { checkPathParams } from './middleware/paths.js';
import { jsonBodyBytes, parseJsonBody } from './middleware/validate.js';
import { apiSchemas } from './schemas.js';
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
  /** Response headers a client should read, by name. */
  headers?: Record<string, { description: string }>;
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
  /**
   * The answer to a request this route has answered before, found by the exact bytes of its body
   * (`bodyKey`: one latin1 character per byte) once the checks every request gets have passed
   * (parameters, scope, media type, size) and before the body is parsed; undefined to handle the
   * request in full. The handler gets the same key (`c.get('bodyKey')`) to remember its answer by.
   */
  answerFromBody?(c: Context<ApiEnv>, bodyKey: string): Promise<Response | undefined>;
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

/**
 * A Hono router holding `specs`. Each route is one handler that runs its checks in order — path
 * parameters, scope, then the JSON body's media type, bytes, syntax and schema — before the route's
 * own handler: the same checks as a middleware chain, without a promise per link.
 */
export function buildRouter(specs: readonly RouteSpec[], ctx: RouterContext): Hono<ApiEnv> {
  const router = new Hono<ApiEnv>();
  for (const spec of specs) {
    const parameters = pathParameters(spec.path);
    const validate = spec.body !== undefined ? apiSchemas().validator(spec.body) : undefined;
    const answerFromBody = spec.answerFromBody?.bind(spec);
    const handler: Handler<ApiEnv> = async (c) => {
      if (parameters.length > 0) checkPathParams(c, parameters);
      authorize(c, spec.scope, ctx.auth);
      if (validate) {
        const bytes = await jsonBodyBytes(c);
        // Only a route that answers from the body's bytes needs them as a key (a copy of the whole body).
        if (answerFromBody) {
          const bodyKey = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
          const known = await answerFromBody(c, bodyKey);
          if (known !== undefined) return known;
          c.set('bodyKey', bodyKey);
        }
        c.set('body', parseJsonBody(bytes, validate));
      }
      return spec.handler(c);
    };
    router.on(spec.method.toUpperCase(), [spec.path], handler);
  }
  return router;
}
