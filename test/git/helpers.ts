import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitStoreError } from '../../src/git/index.js';

/** The GitStoreError a promise rejects with (fails the test if it resolves or rejects with something else). */
export async function gitFailure(promise: Promise<unknown>): Promise<GitStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof GitStoreError)) throw new Error(`expected a GitStoreError, got ${String(error)}`);
  return error;
}

/** A fixed identity so the real git CLI never depends on the machine's config. */
export const gitEnv: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Committer',
  GIT_COMMITTER_EMAIL: 'committer@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
};

const identityArgs = ['-c', 'user.name=Test Author', '-c', 'user.email=author@example.com', '-c', 'init.defaultBranch=main'];

/** Runs the real git CLI and returns stdout (throws with stderr on failure). */
export function git(cwd: string, args: string[], input?: string): string {
  return execFileSync('git', [...identityArgs, ...args], {
    cwd,
    env: gitEnv,
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Runs git and returns status and both streams without throwing. */
export function gitResult(cwd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('git', [...identityArgs, ...args], { cwd, env: gitEnv, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function tempDir(prefix = 'oclhub-git-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [relative, content] of Object.entries(files)) {
    const full = path.join(root, relative);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
}

/** `git init -b main` in a new temp folder, optionally with a first commit of `files`. */
export function initRepo(files?: Record<string, string>): string {
  const dir = tempDir();
  git(dir, ['init', '-q', '-b', 'main']);
  if (files) commitAll(dir, files, 'initial');
  return dir;
}

export function commitAll(dir: string, files: Record<string, string>, message: string): string {
  writeFiles(dir, files);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', message]);
  return git(dir, ['rev-parse', 'HEAD']).trim();
}

/** `git fsck --strict` output and status: clean means status 0 and no error/warning lines. */
export function fsck(gitdirOrDir: string): { status: number | null; output: string } {
  const result = gitResult(gitdirOrDir, ['fsck', '--strict', '--no-dangling', '--no-progress']);
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

export const OCL_PROCESS = `step "deploy-web" {
    name = "Deploy web"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.Script.ScriptBody = "echo hello"
        }
    }
}
`;

export interface GitHttpServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

export interface GitHttpServerOptions {
  /** Answer 401 (with a Basic challenge) unless the request carries these credentials. */
  basicAuth?: { username: string; password: string };
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
}

/**
 * Serves every repository under `projectRoot` over smart HTTP on 127.0.0.1 (ephemeral port) by running
 * the real `git http-backend` as a CGI program per request; optionally over HTTPS, behind basic auth.
 */
export async function startGitHttpServer(projectRoot: string, options: GitHttpServerOptions = {}): Promise<GitHttpServer> {
  const http = await import('node:http');
  const https = await import('node:https');
  const { spawn } = await import('node:child_process');
  const execPath = execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim();
  const backend = path.join(execPath, 'git-http-backend');
  const requests: string[] = [];
  const expected = options.basicAuth ? `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}` : undefined;
  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${req.method} ${url.pathname}${url.search}${expected !== undefined && req.headers.authorization !== expected ? ' 401' : ''}`);
    if (expected !== undefined && req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' });
      res.end();
      return;
    }
    const child = spawn(backend, [], {
      env: {
        ...gitEnv,
        GIT_PROJECT_ROOT: projectRoot,
        GIT_HTTP_EXPORT_ALL: '1',
        GATEWAY_INTERFACE: 'CGI/1.1',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.replace(/^\?/, ''),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        REMOTE_ADDR: '127.0.0.1',
        HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
        HTTP_GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      },
    });
    req.pipe(child.stdin);
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('close', () => {
      const output = Buffer.concat(chunks);
      let split = output.indexOf('\r\n\r\n');
      let gap = 4;
      if (split === -1) {
        split = output.indexOf('\n\n');
        gap = 2;
      }
      const head = output.subarray(0, split).toString('utf8');
      let status = 200;
      for (const line of head.split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon === -1) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else res.setHeader(name, value);
      }
      res.statusCode = status;
      res.end(output.subarray(split + gap));
    });
  };
  const server = options.tls ? https.createServer(options.tls, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
