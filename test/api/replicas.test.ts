/**
 * Two stateless API replicas over one hub remote (docs/topology.md): two real servers on 127.0.0.1,
 * each over its own clone of one bare repository. A publish on one reaches the remote and is seen by
 * the other; concurrent publishes of the same version on both: exactly one wins (201), the other is
 * refused by the remote and answered 409, and no replica keeps a tag the remote does not have.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replicaPort, type ReplicaPort } from '../../src/api/replica-port.js';
import { openReplica } from '../../src/hub/index.js';
import { git, removeDir, tempDir } from '../git/helpers.js';
import { runServe } from '../../src/cli/commands/serve.js';
import { memoryIo } from '../../src/cli/io.js';
import { buildHub, PUBLISH_TOKEN, startApi, TOKEN_FILE, type Api } from './helpers.js';

let root: string;
let remote: string;
const ports: ReplicaPort[] = [];
let a: Api;
let b: Api;

async function replicaApi(name: string): Promise<Api> {
  const { replica, diagnostics } = await openReplica({ remote, dir: path.join(root, `${name}.git`) });
  if (!replica) throw new Error(JSON.stringify(diagnostics));
  const port = replicaPort(replica, { syncMs: 100, tagTtlMs: 0 });
  ports.push(port);
  return startApi(port);
}

beforeAll(async () => {
  root = tempDir('oclhub-replicas-');
  remote = path.join(root, 'remote.git');
  git(root, ['clone', '-q', '--bare', buildHub().dir, remote]);
  [a, b] = await Promise.all([replicaApi('a'), replicaApi('b')]);
}, 60_000);

afterAll(async () => {
  // A background sync may be fetching into a clone: removing it under the fetch fails (ENOTEMPTY).
  await Promise.all(ports.map((port) => port.close()));
  removeDir(root);
});

const publish = (api: Api, body: unknown) => api.post('/api/process-templates/deploy-web/versions', body, { token: PUBLISH_TOKEN });

/** The versions a replica lists (the route's body is `{ versions: [...] }` or an array, depending on the route version). */
async function listed(api: Api): Promise<string[]> {
  const response = await api.get('/api/process-templates/deploy-web/versions');
  expect(response.status).toBe(200);
  const body = (await response.json()) as unknown;
  const items = (Array.isArray(body) ? body : (body as { versions: unknown[] }).versions) as { version: string }[];
  return items.map((v) => v.version);
}

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const remoteTags = () => git(remote, ['tag', '-l', 'process-templates/deploy-web/*']).trim().split('\n').sort();

describe('two replicas over one hub remote', () => {
  it('a publish on one replica is on the remote at once and seen by the other', async () => {
    const response = await publish(a, { bump: 'patch', notes: 'from replica a' });
    expect(response.status).toBe(201);
    const { version, tag } = (await response.json()) as { version: string; tag: string };
    expect(version).toBe('1.1.1');
    expect(remoteTags()).toContain(tag);
    expect(git(remote, ['tag', '-l', '--format=%(contents)', tag]).trim()).toContain('from replica a');
    const seen = await eventually(() => listed(b), (versions) => versions.includes(version));
    expect(seen).toContain(version);
  });

  it('concurrent publishes of the same version on both replicas: exactly one wins, the other is 409, nothing else is created', async () => {
    for (let round = 2; round <= 6; round++) {
      const expected = `1.1.${round}`;
      const before = remoteTags();
      const answers = await Promise.all([a, b].map((api) => publish(api, { bump: 'patch', version: expected, notes: `round ${round}` })));
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses, `round ${round}`).toEqual([201, 409]);
      const winner = answers.find((r) => r.status === 201)!;
      expect(((await winner.json()) as { version: string }).version).toBe(expected);
      const loser = answers.find((r) => r.status === 409)!;
      expect(loser.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const after = remoteTags();
      expect(after.filter((t) => !before.includes(t))).toEqual([`process-templates/deploy-web/v${expected}`]);
      // Both replicas end up with the remote's tag object, not one of their own.
      const remoteOid = git(remote, ['rev-parse', `process-templates/deploy-web/v${expected}`]).trim();
      for (const name of ['a', 'b']) {
        const clone = path.join(root, `${name}.git`);
        const local = await eventually(
          async () => git(clone, ['rev-parse', '--verify', '-q', `refs/tags/process-templates/deploy-web/v${expected}`]).trim(),
          (oid) => oid === remoteOid,
        );
        expect(local, `replica ${name}`).toBe(remoteOid);
      }
    }
  });

  it('an activation on one replica is pushed to the remote branch and read by the other', async () => {
    const response = await a.post('/api/policies/no_root/activation', { version: '1.0.0' }, { token: PUBLISH_TOKEN });
    expect(response.status).toBe(200);
    const { commit, changed } = (await response.json()) as { commit: string; changed: boolean };
    expect(changed).toBe(true);
    expect(git(remote, ['rev-parse', 'main']).trim()).toBe(commit);
    expect(git(remote, ['show', 'main:oclhub.ocl'])).toMatch(/policy "no_root" \{\s*active_version = "1\.0\.0"/);
    const onB = await eventually(
      async () => ((await (await b.get('/api/projects')).json()) as { commit: string }).commit,
      (seen) => seen === commit,
    );
    expect(onB).toBe(commit);
  });

  it('a replica whose local listing is behind still refuses a version the remote has (409), and both list the same versions', async () => {
    const response = await publish(b, { bump: 'patch', version: '1.1.2' });
    expect(response.status).toBe(409);
    const [onA, onB] = await Promise.all([eventually(() => listed(a), (v) => v.includes('1.1.6')), eventually(() => listed(b), (v) => v.includes('1.1.6'))]);
    expect(onA).toEqual(onB);
  });
});

describe('oclhub serve --replica-of', () => {
  it('serves a replica over its own clone: a publish through it is pushed to the remote', async () => {
    const tokens = path.join(root, 'tokens');
    writeFileSync(tokens, TOKEN_FILE);
    const clone = path.join(root, 'served.git');
    const io = memoryIo(root);
    const shutdown = new AbortController();
    let url = '';
    const done = runServe({ replicaOf: remote, clone, host: '127.0.0.1', port: 0, tokenFile: tokens }, io, {
      shutdown: shutdown.signal,
      handleSignals: false,
      onListening: (server) => (url = server.url),
    });
    while (url === '' && io.err.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(io.err.join('')).toBe('');
    const before = remoteTags();
    const response = await fetch(`${url}/api/process-templates/deploy-web/versions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${PUBLISH_TOKEN}` },
      body: JSON.stringify({ bump: 'patch', notes: 'through the served replica' }),
    });
    expect(response.status).toBe(201);
    const { tag } = (await response.json()) as { tag: string };
    expect(remoteTags()).toEqual([...before, tag].sort());
    expect(git(clone, ['tag', '-l', tag]).trim()).toBe(tag);
    shutdown.abort();
    expect(await done).toBe(0);
    expect(io.out.join('')).toContain(`a replica of ${remote}`);
  }, 60_000);

  it('refuses --replica-of with --hub, and --clone without --replica-of (exit 2)', async () => {
    const io = memoryIo(root);
    expect(await runServe({ replicaOf: remote, hub: root, host: '127.0.0.1', port: 0 }, io, { handleSignals: false })).toBe(2);
    expect(await runServe({ clone: path.join(root, 'x.git'), host: '127.0.0.1', port: 0 }, io, { handleSignals: false })).toBe(2);
    expect(io.err.join('')).toMatch(/--replica-of and --hub[\s\S]*--clone is the clone of a replica/);
  });
});
