/** startServer's graceful shutdown and `oclhub serve`, in-process and as a real process with SIGTERM. */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import type { HubPort } from '../../src/api/ports.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { memoryIo } from '../../src/cli/io.js';
import { runServe } from '../../src/cli/commands/serve.js';
import { git, tempDir, removeDir } from '../git/helpers.js';
import { gitPort } from './git-port.js';
import { buildHub, cleanup, expectJson, expectProblem, PUBLISH_TOKEN, TOKEN_FILE } from './helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('startServer', () => {
  it('close() stops accepting connections but lets the in-flight request finish', async () => {
    const port = await gitPort(buildHub().dir);
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow: HubPort = {
      ...port,
      listTemplates: async (kind, ref) => {
        entered();
        await released;
        return port.listTemplates(kind, ref);
      },
    };
    const server = await startServer({ app: createApp(slow), host: '127.0.0.1', port: 0 });
    const inFlight = fetch(`${server.url}/api/process-templates`);
    await inHandler;

    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await connects(server.port)).toBe(false);
    expect(closed).toBe(false);

    release();
    const body = await expectJson<{ templates: { slug: string }[] }>(await inFlight, 200, 'template-list');
    expect(body.templates.map((t) => t.slug)).toEqual(['deploy-web']);
    await closing;
    expect(closed).toBe(true);
  });

  it('binds an ephemeral port on the given host and reports its URL', async () => {
    const server: RunningServer = await startServer({ app: createApp(await gitPort(buildHub().dir)), host: '127.0.0.1', port: 0 });
    cleanup(() => server.close());
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
  });
});

describe('oclhub serve', () => {
  it('serves the hub through the façade, logs each request, and shuts down on request with exit 0', async () => {
    const { dir } = buildHub();
    const tokens = path.join(tempDir('oclhub-tokens-'), 'tokens');
    cleanup(() => removeDir(path.dirname(tokens)));
    writeFileSync(tokens, TOKEN_FILE);
    const io = memoryIo(dir);
    const shutdown = new AbortController();
    let url = '';
    const done = runServe({ hub: dir, host: '127.0.0.1', port: 0, tokenFile: tokens, cors: 'https://portal.example.com' }, io, {
      shutdown: shutdown.signal,
      handleSignals: false,
      onListening: (server) => (url = server.url),
    });
    while (url === '') await new Promise((resolve) => setTimeout(resolve, 10));

    const listing = await expectJson<{ templates: { slug: string; versions: string[] }[] }>(await fetch(`${url}/api/process-templates`), 200, 'template-list');
    expect(listing.templates).toEqual([expect.objectContaining({ slug: 'deploy-web', versions: ['1.0.0', '1.1.0', '2.0.0-prerelease.1'] })]);
    const cors = await fetch(`${url}/api/health`, { headers: { Origin: 'https://portal.example.com' } });
    expect(cors.headers.get('access-control-allow-origin')).toBe('https://portal.example.com');
    // no_root is published but not activated: deactivating it changes nothing and commits nothing.
    const activation = await expectJson<{ changed: boolean }>(
      await fetch(`${url}/api/policies/no_root/activation`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${PUBLISH_TOKEN}` }, body: '{"version":null}' }),
      200,
      'activation-response',
    );
    expect(activation.changed).toBe(false);

    shutdown.abort();
    expect(await done).toBe(0);
    const out = io.out.join('');
    expect(out).toContain(`at ${url}`);
    expect(out).toMatch(/^GET \/api\/process-templates 200 \d+(\.\d+)?ms$/m);
    expect(out).toMatch(/^POST \/api\/policies\/no_root\/activation 200 /m);
    expect(out).toContain('oclhub serve: stopped');
  });

  it('refuses a token file with errors (exit 2)', async () => {
    const { dir } = buildHub();
    const tokens = path.join(tempDir('oclhub-tokens-'), 'tokens');
    cleanup(() => removeDir(path.dirname(tokens)));
    writeFileSync(tokens, 'abcdefghijklmnopq root\n');
    const io = memoryIo(dir);
    expect(await runServe({ hub: dir, host: '127.0.0.1', port: 0, tokenFile: tokens }, io, { handleSignals: false })).toBe(2);
    expect(io.err.join('')).toContain('unknown scope "root"');
  });

  it('exits 0 on SIGTERM as a real process', async () => {
    const { dir } = buildHub();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/api/serve-main.ts'), 'serve', '--hub', dir, '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${stdout}${stderr}`)));
    });
    const head = git(dir, ['rev-parse', 'main']).trim();
    const listing = await expectJson<{ commit: string }>(await fetch(`${url}/api/policies`), 200, 'template-list');
    expect(listing.commit).toBe(head);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/^GET \/api\/policies 200 /m);
    expect(stdout).toContain('oclhub serve: stopped');
  });
});
