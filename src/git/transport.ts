/**
 * Reaching remote repositories over HTTP(S) the way Git users already have it set up:
 *
 * - Proxies: `HTTPS_PROXY` / `HTTP_PROXY` (and lower-case), with `NO_PROXY`, as curl and Git read them
 *   (proxy-from-env), through https-proxy-agent (CONNECT) and http-proxy-agent.
 * - Credentials, asked for only when the server answers 401 (isomorphic-git's onAuth), from the first
 *   source that has some, the next one when they are refused:
 *   1. `OCLHUB_GIT_TOKEN` (user name `OCLHUB_GIT_USERNAME`, default `x-access-token`, which GitHub,
 *      GitLab, Azure DevOps and Bitbucket accept with a token as the password); sent over HTTPS only
 *      (plain HTTP to this machine excepted);
 *   2. `~/.netrc` (or `$NETRC`), the `machine` entry of the host, as curl — and so Git — read it;
 *   3. `git credential fill`: the user's credential helpers (the OS keychain, Git Credential Manager,
 *      `gh auth git-credential`…), then `GIT_ASKPASS`, then a terminal prompt when there is a terminal.
 *      What Git supplied is approved or rejected afterwards, so helpers keep or forget it as with Git.
 * Credentials written in the URL (`https://user:token@host/…`) are used as they are, before all these.
 */
// node:child_process, node:net and node:tls are loaded where they are used (`await import`): every
// command that reads the hub loads this module (src/git/index.ts), and those three cost a start-up
// about 6 ms, which a lint of a local hub, reaching no remote, never needs.
import { readFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import { homedir } from 'node:os';
import path from 'node:path';
import type { PeerCertificate } from 'node:tls';
import type { AuthCallback, AuthFailureCallback, AuthSuccessCallback, GitAuth, HttpClient } from 'isomorphic-git';
import { getProxyForUrl } from 'proxy-from-env';

export interface RemoteTransport {
  http: HttpClient;
  onAuth: AuthCallback;
  onAuthSuccess: AuthSuccessCallback;
  onAuthFailure: AuthFailureCallback;
}

export interface RemoteTransportOptions {
  /** Where OCLHUB_GIT_TOKEN, NETRC, HOME and Git's own variables are read (default process.env). Proxies come from process.env. */
  env?: NodeJS.ProcessEnv;
  /** The isomorphic-git HTTP client to send through (default isomorphic-git/http/node, with the proxy agents). */
  http?: HttpClient;
  /** Let `git credential` prompt on the terminal (default: when standard input is a terminal). */
  interactive?: boolean;
}

type Source = 'token' | 'netrc' | 'git';
const SOURCES: readonly Source[] = ['token', 'netrc', 'git'];

export function remoteTransport(options: RemoteTransportOptions = {}): RemoteTransport {
  const env = options.env ?? process.env;
  const interactive = options.interactive ?? Boolean(process.stdin.isTTY);
  /** Per URL: the source whose credentials are being tried. */
  const tried = new Map<string, Source>();

  async function from(source: Source, url: string): Promise<GitAuth | undefined> {
    if (source === 'token') return tokenCredentials(url, env);
    if (source === 'netrc') return netrcCredentials(url, env);
    return gitCredential('fill', url, env, interactive);
  }

  /** The first source after `after` that has credentials for `url`. */
  async function next(url: string, after: Source | undefined): Promise<GitAuth | undefined> {
    for (const source of SOURCES.slice(after === undefined ? 0 : SOURCES.indexOf(after) + 1)) {
      const auth = await from(source, url);
      if (auth) {
        tried.set(url, source);
        return auth;
      }
    }
    tried.delete(url);
    return undefined;
  }

  return {
    http: options.http ?? proxiedHttp(),
    onAuth: (url) => next(url, undefined),
    onAuthSuccess: async (url, auth) => {
      if (tried.get(url) === 'git') await gitCredential('approve', url, env, false, auth);
    },
    onAuthFailure: async (url, auth) => {
      const failed = tried.get(url);
      if (failed === 'git') await gitCredential('reject', url, env, false, auth);
      // Nothing else to offer: isomorphic-git reports the 401.
      return next(url, failed);
    },
  };
}

/**
 * isomorphic-git's Node client, sending each request through the proxy the environment names for its
 * URL. The client and the proxy agents are loaded with the first request: a process that reads only
 * local repositories never loads them.
 */
export function proxiedHttp(given?: HttpClient): HttpClient {
  const agents = new Map<string, Agent>();
  let base: Promise<HttpClient> | undefined;
  const client = () => (base ??= given ? Promise.resolve(given) : import('isomorphic-git/http/node').then((m) => m.default));
  return {
    async request(request) {
      const proxy = getProxyForUrl(request.url);
      if (!proxy) return (await client()).request(request);
      const target = new URL(request.url);
      const secure = target.protocol === 'https:';
      const key = `${secure ? 's' : ''} ${proxy}`;
      let agent = agents.get(key);
      if (!agent) {
        const made = secure ? new (await import('https-proxy-agent')).HttpsProxyAgent(proxy, { keepAlive: true }) : new (await import('http-proxy-agent')).HttpProxyAgent(proxy, { keepAlive: true });
        // Another request may have made one while the module loaded: all of them share the first.
        agent = agents.get(key) ?? made;
        agents.set(key, agent);
      }
      // https-proxy-agent checks an IP-address host's certificate against "localhost": check the real one.
      const ip = secure && (await import('node:net')).isIP(target.hostname.replace(/^\[|\]$/g, '')) !== 0;
      const tlsCheckServerIdentity = ip ? (await import('node:tls')).checkServerIdentity : undefined;
      const checkServerIdentity = (_host: string, cert: PeerCertificate) => tlsCheckServerIdentity!(target.hostname.replace(/^\[|\]$/g, ''), cert);
      return (await client()).request({ ...request, agent, ...(ip ? { fetchOptions: { ...request.fetchOptions, checkServerIdentity } } : {}) });
    },
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

function tokenCredentials(url: string, env: NodeJS.ProcessEnv): GitAuth | undefined {
  const token = env.OCLHUB_GIT_TOKEN;
  if (!token) return undefined;
  const target = new URL(url);
  if (target.protocol !== 'https:' && !isLoopback(target.hostname)) return undefined;
  return { username: env.OCLHUB_GIT_USERNAME || 'x-access-token', password: token };
}

/** The `machine` (or `default`) entry of a netrc file for the URL's host. */
export function netrcCredentials(url: string, env: NodeJS.ProcessEnv): GitAuth | undefined {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  const candidates = env.NETRC ? [env.NETRC] : [path.join(home, '.netrc'), path.join(home, '_netrc')];
  for (const file of candidates) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    return parseNetrc(text, new URL(url).hostname);
  }
  return undefined;
}

/** netrc as curl reads it: whitespace-separated tokens (double quotes allowed), `macdef` bodies skipped. */
export function parseNetrc(text: string, host: string): GitAuth | undefined {
  const tokens: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const before = tokens.length;
    for (const m of lines[i]!.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) tokens.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
    if (tokens.slice(before).includes('macdef')) {
      // A macro runs to the next empty line.
      while (i + 1 < lines.length && lines[i + 1]!.trim() !== '') i++;
    }
  }
  let current: { machine?: string; login?: string; password?: string } | undefined;
  let fallback: typeof current;
  const entries: NonNullable<typeof current>[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === 'machine') {
      current = { machine: tokens[++i] };
      entries.push(current);
    } else if (token === 'default') {
      current = {};
      fallback = current;
    } else if ((token === 'login' || token === 'password') && current) current[token] = tokens[++i];
    else if (token === 'account' || token === 'macdef' || token === 'port') i++;
  }
  const entry = entries.find((e) => e.machine?.toLowerCase() === host.toLowerCase()) ?? fallback;
  if (!entry || (entry.login === undefined && entry.password === undefined)) return undefined;
  return { ...(entry.login !== undefined ? { username: entry.login } : {}), ...(entry.password !== undefined ? { password: entry.password } : {}) };
}

/**
 * `git credential fill|approve|reject` for the URL: Git's helpers, GIT_ASKPASS and prompts. Undefined
 * when Git is not installed or has nothing (its own complaint is not shown: a 401 follows).
 */
async function gitCredential(action: 'fill' | 'approve' | 'reject', url: string, env: NodeJS.ProcessEnv, interactive: boolean, auth?: GitAuth): Promise<GitAuth | undefined> {
  const { spawn } = await import('node:child_process');
  const lines = [`url=${url}`];
  if (auth?.username !== undefined) lines.push(`username=${auth.username}`);
  if (auth?.password !== undefined) lines.push(`password=${auth.password}`);
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn('git', ['credential', action], {
        env: { ...env, ...(interactive ? {} : { GIT_TERMINAL_PROMPT: '0' }) },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch {
      resolve(undefined);
      return;
    }
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.resume();
    child.once('error', () => resolve(undefined));
    child.once('close', (code) => {
      if (action !== 'fill' || code !== 0) return resolve(undefined);
      const answer = Object.fromEntries(out.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      resolve(answer.password !== undefined || answer.username !== undefined ? { ...(answer.username !== undefined ? { username: answer.username } : {}), ...(answer.password !== undefined ? { password: answer.password } : {}) } : undefined);
    });
    child.stdin.end(`${lines.join('\n')}\n\n`);
  });
}
