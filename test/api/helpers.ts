/** A real hub repository (git CLI), the API served on an ephemeral port, and fetch helpers. */
import { afterAll } from 'vitest';
import { createApp, type ApiOptions } from '../../src/api/app.js';
import type { HubPort } from '../../src/api/ports.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { parseTokenFile } from '../../src/api/tokens.js';
import { apiSchemas } from '../../src/api/schemas.js';
import { commitAll, git, initRepo, removeDir } from '../git/helpers.js';
import { templateText, SMOKE_STEP } from '../hub/helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export const PUBLISH_TOKEN = 'publish-token-0123456789abcdef';
export const READ_TOKEN = 'read-token-0123456789abcdef0123';
export const TOKEN_FILE = `# tokens for tests
${PUBLISH_TOKEN} publish Pat Publisher <pat@example.com>

${READ_TOKEN} read
`;
export const TOKENS = parseTokenFile(TOKEN_FILE).tokens;

export const DEPLOY_WEB = '.octopus/process-templates/deploy-web.ocl';
export const NO_ROOT = '.octopus/policies/no_root.ocl';
export const STARTER = '.octopus/project-templates/starter';

export const POLICY_TEXT = `name = "No root"
description = "Steps must not run as root"
violation_action = "block"

scope {
    rego = <<-EOT
        package no_root
        default evaluate := true
        EOT
}

conditions {
    rego = <<-EOT
        package no_root
        default result := {"allowed": true}
        EOT
}
`;

export const STARTER_PROCESS = `step "hello" {
    name = "Hello"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.Script.ScriptBody = "echo hello"
        }
        worker_pool = "hosted-ubuntu"
    }
}
`;

/** git CLI: an annotated tag with `notes` as its message. */
export function tag(dir: string, name: string, notes: string, target = 'HEAD'): void {
  git(dir, ['tag', '-a', name, '-m', notes, target]);
}

export interface TestHub {
  dir: string;
  /** Commits of main, oldest first. */
  commits: string[];
}

/**
 * deploy-web published 1.0.0 and 1.1.0 (and a 2.0.0-prerelease.1), a policy no_root published 1.0.0,
 * a project template `starter` unpublished; tags made with the git CLI.
 */
export function buildHub(): TestHub {
  const dir = initRepo({ [DEPLOY_WEB]: templateText(), [NO_ROOT]: POLICY_TEXT, [`${STARTER}/deployment_process.ocl`]: STARTER_PROCESS });
  cleanups.push(() => removeDir(dir));
  const first = git(dir, ['rev-parse', 'HEAD']).trim();
  tag(dir, 'process-templates/deploy-web/v1.0.0', 'First release');
  tag(dir, 'policies/no_root/v1.0.0', 'Initial policy');
  const second = commitAll(dir, { [DEPLOY_WEB]: templateText({ extraSteps: SMOKE_STEP }) }, 'smoke test');
  tag(dir, 'process-templates/deploy-web/v1.1.0', 'Adds a smoke test');
  tag(dir, 'process-templates/deploy-web/v2.0.0-prerelease.1', 'Preview of 2.0');
  return { dir, commits: [first, second] };
}

export interface Api {
  url: string;
  server: RunningServer;
  logs: string[];
  errors: string[];
  get(path: string, init?: RequestInit): Promise<Response>;
  post(path: string, body: unknown, init?: { token?: string; headers?: Record<string, string> }): Promise<Response>;
}

export async function startApi(port: HubPort, options: ApiOptions = {}): Promise<Api> {
  const logs: string[] = [];
  const errors: string[] = [];
  const app = createApp(port, { tokens: TOKENS, log: (l) => logs.push(l), logError: (m) => errors.push(m), ...options });
  const server = await startServer({ app, host: '127.0.0.1', port: 0 });
  cleanups.push(() => server.close());
  return {
    url: server.url,
    server,
    logs,
    errors,
    get: (path, init) => fetch(server.url + path, init),
    post: (path, body, init = {}) =>
      fetch(server.url + path, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
          ...init.headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
  };
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: unknown[];
  code?: string;
}

/** Asserts the RFC 9457 shape and returns the parsed problem. */
export async function expectProblem(response: Response, status: number, type?: string): Promise<ProblemBody> {
  const text = await response.text();
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${text}`);
  if (!(response.headers.get('content-type') ?? '').startsWith('application/problem+json')) {
    throw new Error(`expected application/problem+json, got ${response.headers.get('content-type')}: ${text}`);
  }
  const body = JSON.parse(text) as ProblemBody;
  const validate = apiSchemas().validator('problem');
  if (!validate(body)) throw new Error(`problem does not match schemas/api/problem.schema.json: ${JSON.stringify(validate.errors)}`);
  if (body.status !== status) throw new Error(`problem status ${body.status} != ${status}`);
  if (type !== undefined && body.type !== `https://oclhub.dev/problems/${type}`) throw new Error(`expected problem type ${type}, got ${body.type}`);
  if (/\bat .+:\d+:\d+\)?/.test(text)) throw new Error(`problem carries a stack trace: ${text}`);
  return body;
}

/** Parses a JSON body and checks it against a response schema in schemas/api. */
export async function expectJson<T = Record<string, unknown>>(response: Response, status: number, schema?: string): Promise<T> {
  const text = await response.text();
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${text}`);
  const body = JSON.parse(text) as T;
  if (schema) {
    const validate = apiSchemas().validator(schema);
    if (!validate(body)) throw new Error(`response does not match ${schema}: ${JSON.stringify(validate.errors)}\n${text.slice(0, 2000)}`);
  }
  return body;
}

export function cleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

/** A request with the target sent byte for byte (fetch would normalise `..` and `%2e%2e` away). */
export async function rawRequest(url: string, target: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = http.request(url, { path: target, method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
