/**
 * RFC 9457 problem details. Every error the API returns is one of these, with a stable `type` URI
 * that clients can switch on; `detail` says what happened to this request; `errors` lists the
 * individual findings (schema errors, diagnostics). Stack traces never leave the server.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { httpStatusFor, isGitStoreError, GitErrorCode, type GitStoreError } from '../git/index.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_BASE = 'https://oclhub.dev/problems/';

/** Stable problem types: name → [status, title]. */
export const PROBLEM_TYPES = {
  'not-found': [404, 'Not found'],
  'invalid-path': [400, 'Invalid path'],
  'invalid-parameter': [400, 'Invalid parameter'],
  'invalid-request': [400, 'Invalid request'],
  'malformed-json': [400, 'Malformed JSON body'],
  'validation-failed': [400, 'Request body does not match its schema'],
  unauthorized: [401, 'Authentication required'],
  forbidden: [403, 'Insufficient scope'],
  'host-not-allowed': [403, 'Host not allowed'],
  'method-not-allowed': [405, 'Method not allowed'],
  conflict: [409, 'Conflict'],
  'version-exists': [409, 'Version already published'],
  'payload-too-large': [413, 'Request body too large'],
  'unsupported-media-type': [415, 'Unsupported media type'],
  'publish-refused': [422, 'Publish refused'],
  'version-not-published': [422, 'Version not published'],
  'evaluation-failed': [422, 'The project cannot be evaluated'],
  'request-header-fields-too-large': [431, 'Request header fields too large'],
  'internal-error': [500, 'Internal server error'],
  'not-implemented': [501, 'Not implemented'],
  'bad-gateway': [502, 'Remote hub unavailable'],
  'repository-busy': [503, 'Hub repository busy'],
  'repository-corrupt': [503, 'Hub repository corrupt'],
  'repository-unavailable': [503, 'Hub repository unavailable'],
  'request-timeout': [408, 'Request timeout'],
} as const satisfies Record<string, readonly [number, string]>;

export type ProblemTypeName = keyof typeof PROBLEM_TYPES;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** Individual findings: ajv errors or diagnostics. */
  errors?: unknown[];
  /** A stable code from the layer that failed (e.g. GIT002, TPL203). */
  code?: string;
}

/** Thrown by routes and middleware; turned into a problem response by the global error handler. */
export class ProblemError extends Error {
  readonly problem: Problem;
  readonly headers: Record<string, string>;

  constructor(name: ProblemTypeName, detail?: string, extra: { errors?: unknown[]; code?: string; headers?: Record<string, string> } = {}) {
    super(detail ?? PROBLEM_TYPES[name][1]);
    this.name = 'ProblemError';
    this.problem = problem(name, detail, extra);
    this.headers = extra.headers ?? {};
  }
}

export function problem(name: ProblemTypeName, detail?: string, extra: { errors?: unknown[]; code?: string } = {}): Problem {
  const [status, title] = PROBLEM_TYPES[name];
  const p: Problem = { type: PROBLEM_BASE + name, title, status };
  if (detail !== undefined) p.detail = detail;
  if (extra.code !== undefined) p.code = extra.code;
  if (extra.errors !== undefined) p.errors = extra.errors;
  return p;
}

export function problemResponse(c: Context, p: Problem, headers: Record<string, string> = {}): Response {
  const body: Problem = { ...p };
  // Whatever layer wrote them, details and findings never carry the server's folders to a client.
  if (body.detail !== undefined) body.detail = withoutPaths(body.detail);
  if (body.errors !== undefined) body.errors = JSON.parse(withoutPaths(JSON.stringify(body.errors))) as unknown[];
  if (body.instance === undefined) body.instance = c.req.path;
  return c.body(JSON.stringify(body), p.status as ContentfulStatusCode, { ...headers, 'Content-Type': PROBLEM_CONTENT_TYPE });
}

const GIT_PROBLEM: Record<number, ProblemTypeName> = { 400: 'invalid-request', 404: 'not-found', 409: 'conflict', 500: 'internal-error', 502: 'bad-gateway' };

/** The problem for anything a route threw: ProblemErrors as they are, GitStoreErrors by code, the rest a bare 500. */
export function problemFor(error: unknown): { problem: Problem; headers: Record<string, string> } {
  if (error instanceof ProblemError) return { problem: error.problem, headers: error.headers };
  if (isGitStoreError(error)) return gitProblem(error);
  return { problem: problem('internal-error', 'The server failed to handle the request'), headers: {} };
}

function gitProblem(error: GitStoreError): { problem: Problem; headers: Record<string, string> } {
  const extra = { code: error.code };
  switch (error.code) {
    case GitErrorCode.ObjectUnreadable:
      return { problem: problem('repository-corrupt', withoutPaths(error.message), extra), headers: {} };
    case GitErrorCode.RefLocked: {
      const seconds = error.details.retryAfterSeconds ?? 1;
      return { problem: problem('repository-busy', withoutPaths(error.message), extra), headers: { 'Retry-After': String(seconds) } };
    }
    case GitErrorCode.WriteFailed:
    case GitErrorCode.FileUnreadable:
      return { problem: problem('repository-unavailable', withoutPaths(error.message), extra), headers: {} };
    default: {
      const status = httpStatusFor(error.code);
      return { problem: problem(GIT_PROBLEM[status] ?? 'internal-error', withoutPaths(error.message), extra), headers: {} };
    }
  }
}

/**
 * A message with absolute file-system paths replaced: problem bodies go to clients, who must not learn
 * the server's folders. Request paths (`/api/...`) and `.git/...` names relative to the repository stay.
 */
export function withoutPaths(text: string): string {
  return text.replace(/(?<![\w.:/\\])\/(?!api\/)(?:[^\s'"()/\\]+\/)+[^\s'"(),:\\]*/g, '<path>');
}
