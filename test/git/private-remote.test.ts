/**
 * Private hubs: a real `git http-backend` behind basic auth (and, where openssl exists, over HTTPS with
 * a certificate made for the test), reached with the credentials Git users already have — a token in
 * OCLHUB_GIT_TOKEN, ~/.netrc, `git credential` helpers, GIT_ASKPASS — and through a local proxy
 * (HTTPS_PROXY with CONNECT, HTTP_PROXY with absolute-form requests).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitErrorCode, GitStoreError, openRemote, remoteTransport } from '../../src/git/index.js';
import { parseNetrc } from '../../src/git/transport.js';
import { git, initRepo, removeDir, startGitHttpServer, tempDir, type GitHttpServer } from './helpers.js';

const USER = 'ci';
const TOKEN = 'tok-0123456789';
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

interface Proxy {
  url: string;
  seen: string[];
  close(): Promise<void>;
}

/** A forward proxy: CONNECT tunnels (HTTPS) and absolute-form requests (HTTP); records what it was asked. */
async function startProxy(): Promise<Proxy> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url!);
    const upstream = http.request({ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = req.url!.split(':');
    const upstream = net.connect(Number(port), host!, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An environment with none of the machine's Git configuration, credentials or proxies. */
function cleanEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: path.join(home, '.gitconfig'), ...extra };
}

let work: string;
let root: string;
let plain: GitHttpServer;
let home: string;
const cleanups: string[] = [];
const dir = (): string => {
  const d = tempDir();
  cleanups.push(d);
  return d;
};

beforeAll(async () => {
  work = initRepo({ '.octopus/policies/no-root.ocl': 'name = "No root"\n', 'oclhub.ocl': 'base_path = ".octopus"\n' });
  git(work, ['tag', '-a', 'policies/no-root/v1.0.0', '-m', 'first publish']);
  root = tempDir();
  git(root, ['clone', '-q', '--bare', work, 'hub.git']);
  plain = await startGitHttpServer(root, { basicAuth: { username: USER, password: TOKEN } });
  home = dir();
});

afterAll(async () => {
  await plain.close();
  for (const d of [work, root, ...cleanups]) removeDir(d);
});

async function failure(promise: Promise<unknown>): Promise<GitStoreError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GitStoreError);
    return error as GitStoreError;
  }
  throw new Error('expected the open to fail');
}

describe('credentials for a private hub over HTTP(S)', () => {
  it('without credentials: a clear 401 failure, and nothing left in the cache', async () => {
    const cacheDir = dir();
    const error = await failure(openRemote({ url: `${plain.url}/hub.git`, cacheDir, transport: remoteTransport({ env: cleanEnv(home), interactive: false }) }));
    expect(error.code).toBe(GitErrorCode.RemoteFailed);
    expect(error.message).toMatch(/401/);
    expect(fs.readdirSync(cacheDir)).toEqual([]);
  });

  it('OCLHUB_GIT_TOKEN (with OCLHUB_GIT_USERNAME) clones, then fetches', async () => {
    const cacheDir = dir();
    const env = cleanEnv(home, { OCLHUB_GIT_TOKEN: TOKEN, OCLHUB_GIT_USERNAME: USER });
    const first = await openRemote({ url: `${plain.url}/hub.git`, cacheDir, transport: remoteTransport({ env, interactive: false }) });
    expect(first.cloned).toBe(true);
    expect(await first.store.readTextFile('policies/no-root/v1.0.0', '.octopus/policies/no-root.ocl')).toBe('name = "No root"\n');
    const again = await openRemote({ url: `${plain.url}/hub.git`, cacheDir, ref: 'main', transport: remoteTransport({ env, interactive: false }) });
    expect(again).toMatchObject({ cloned: false, fetched: true });
  });

  it('a refused token falls through to ~/.netrc', async () => {
    const netrcHome = dir();
    fs.writeFileSync(path.join(netrcHome, '.netrc'), `machine example.com login other password nope\nmachine 127.0.0.1\n  login ${USER}\n  password ${TOKEN}\n`);
    const env = cleanEnv(netrcHome, { OCLHUB_GIT_TOKEN: 'wrong', OCLHUB_GIT_USERNAME: USER });
    const opened = await openRemote({ url: `${plain.url}/hub.git`, cacheDir: dir(), transport: remoteTransport({ env, interactive: false }) });
    expect(opened.resolved.oid).toBe(git(work, ['rev-parse', 'main']).trim());
  });

  it('git credential helpers: a stored credential is used, and a refused one is erased', async () => {
    const helperHome = dir();
    const store = path.join(helperHome, 'credentials');
    const host = new URL(plain.url).host;
    fs.writeFileSync(path.join(helperHome, '.gitconfig'), `[credential]\n\thelper = store --file=${store}\n`);
    fs.writeFileSync(store, `http://${USER}:${TOKEN}@${host}\n`);
    const env = cleanEnv(helperHome);
    const opened = await openRemote({ url: `${plain.url}/hub.git`, cacheDir: dir(), transport: remoteTransport({ env, interactive: false }) });
    expect(opened.cloned).toBe(true);
    expect(fs.readFileSync(store, 'utf8')).toContain(`${USER}:${TOKEN}@`);

    fs.writeFileSync(store, `http://${USER}:stale@${host}\n`);
    const error = await failure(openRemote({ url: `${plain.url}/hub.git`, cacheDir: dir(), transport: remoteTransport({ env, interactive: false }) }));
    expect(error.message).toMatch(/401/);
    // `git credential reject` told the helper: the stale entry is gone.
    expect(fs.readFileSync(store, 'utf8')).not.toContain('stale');
  });

  it('GIT_ASKPASS answers Git’s prompts', async () => {
    const askHome = dir();
    const askpass = path.join(askHome, 'askpass.sh');
    fs.writeFileSync(askpass, `#!/bin/sh\ncase "$1" in\n  Username*) echo ${USER} ;;\n  *) echo ${TOKEN} ;;\nesac\n`, { mode: 0o755 });
    const env = cleanEnv(askHome, { GIT_ASKPASS: askpass });
    const opened = await openRemote({ url: `${plain.url}/hub.git`, cacheDir: dir(), transport: remoteTransport({ env, interactive: false }) });
    expect(opened.cloned).toBe(true);
  });

  it('never offers OCLHUB_GIT_TOKEN over plain HTTP to another machine', async () => {
    const transport = remoteTransport({ env: cleanEnv(home, { OCLHUB_GIT_TOKEN: TOKEN }), interactive: false });
    expect(await transport.onAuth('http://git.example.com/hub.git', {})).toBeUndefined();
    expect(await transport.onAuth('https://git.example.com/hub.git', {})).toEqual({ username: 'x-access-token', password: TOKEN });
  });
});

describe('netrc', () => {
  it('reads machine, default, quoted values, and skips macro bodies', () => {
    const text = 'machine a.example login alice password "p w\\"d"\nmacdef init\nmachine evil login x password y\n\ndefault login anon password guest\n';
    expect(parseNetrc(text, 'a.example')).toEqual({ username: 'alice', password: 'p w"d' });
    expect(parseNetrc(text, 'A.EXAMPLE')).toEqual({ username: 'alice', password: 'p w"d' });
    expect(parseNetrc(text, 'evil')).toEqual({ username: 'anon', password: 'guest' });
    expect(parseNetrc('machine only login u password p', 'other')).toBeUndefined();
  });
});

/**
 * `oclhub versions` from source in a child process, with exactly `env` (the real environment path).
 * Asynchronous: the servers it talks to run in this process.
 */
async function versions(hubUrl: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', TSX, path.join(ROOT, 'test/api/serve-main.ts'), 'versions', 'policy', 'no-root', '--hub', hubUrl, '--cache-dir', dir()], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stdout, stderr };
}

describe('through a proxy, from the command line', () => {
  let proxy: Proxy;
  beforeAll(async () => {
    proxy = await startProxy();
  });
  afterAll(() => proxy.close());

  it('HTTP_PROXY carries plain HTTP requests (absolute form), with the token', async () => {
    const r = await versions(`${plain.url}/hub.git`, cleanEnv(home, { HTTP_PROXY: proxy.url, OCLHUB_GIT_TOKEN: TOKEN, OCLHUB_GIT_USERNAME: USER }));
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^1\.0\.0\t/);
    expect(proxy.seen).toContain(`GET ${plain.url}/hub.git/info/refs?service=git-upload-pack`);
  });

  it('NO_PROXY bypasses it', async () => {
    const before = proxy.seen.length;
    const r = await versions(`${plain.url}/hub.git`, cleanEnv(home, { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1', OCLHUB_GIT_TOKEN: TOKEN, OCLHUB_GIT_USERNAME: USER }));
    expect(r.stdout).toMatch(/^1\.0\.0\t/);
    expect(proxy.seen.length).toBe(before);
  });

  const openssl = spawnSync('openssl', ['version']).status === 0;
  if (!openssl) console.log('private-remote: openssl not found, skipping the HTTPS proxy test');
  it.skipIf(!openssl)('HTTPS_PROXY tunnels HTTPS (CONNECT) to a private hub with a token', async () => {
    const certs = dir();
    const key = path.join(certs, 'key.pem');
    const cert = path.join(certs, 'cert.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const secure = await startGitHttpServer(root, { basicAuth: { username: USER, password: TOKEN }, tls: { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') } });
    try {
      const env = cleanEnv(home, { HTTPS_PROXY: proxy.url, OCLHUB_GIT_TOKEN: TOKEN, OCLHUB_GIT_USERNAME: USER, NODE_EXTRA_CA_CERTS: cert });
      const r = await versions(`${secure.url}/hub.git`, env);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^1\.0\.0\t/);
      expect(proxy.seen).toContain(`CONNECT ${new URL(secure.url).host}`);
      // The server saw the refused first request, then authenticated ones.
      expect(secure.requests[0]).toMatch(/ 401$/);
      expect(secure.requests.filter((r) => !r.endsWith(' 401')).length).toBeGreaterThan(1);
      const without = await versions(`${secure.url}/hub.git`, { ...env, OCLHUB_GIT_TOKEN: '' });
      expect(without.code).toBe(2);
      expect(without.stderr).toMatch(/401/);
    } finally {
      await secure.close();
    }
  });
});
