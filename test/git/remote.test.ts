import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheFolderName, GitErrorCode, GitStoreError, openRemote, parseHubUrl } from '../../src/git/index.js';
import { commitAll, git, initRepo, removeDir, startGitHttpServer, tempDir, type GitHttpServer } from './helpers.js';

describe('parseHubUrl and cacheFolderName', () => {
  it('splits --hub <url>#<ref> and names cache folders without credentials', () => {
    expect(parseHubUrl('https://example.com/hub.git#policies/a/v1.0.0')).toEqual({ url: 'https://example.com/hub.git', ref: 'policies/a/v1.0.0' });
    expect(parseHubUrl('https://example.com/hub.git')).toEqual({ url: 'https://example.com/hub.git' });
    expect(parseHubUrl('https://example.com/hub.git#')).toEqual({ url: 'https://example.com/hub.git' });
    const name = cacheFolderName('https://user:secret@example.com:8443/org/hub.git');
    expect(name).not.toContain('secret');
    expect(name).toMatch(/^example\.com-8443-org-hub\.git-[0-9a-f]{12}\.git$/);
    expect(cacheFolderName('https://example.com/a.git')).not.toBe(cacheFolderName('https://example.com/b.git'));
  });
});

describe('openRemote over HTTP (git http-backend on 127.0.0.1)', () => {
  let work: string;
  let root: string;
  let cacheDir: string;
  let server: GitHttpServer;
  let url: string;

  beforeAll(async () => {
    work = initRepo({ '.octopus/policies/no-root.ocl': 'name = "No root"\n', 'oclhub.ocl': 'base_path = ".octopus"\n' });
    git(work, ['tag', '-a', 'policies/no-root/v1.0.0', '-m', 'first publish']);
    git(work, ['tag', 'light']);
    root = tempDir();
    git(root, ['clone', '-q', '--bare', work, 'hub.git']);
    cacheDir = tempDir();
    server = await startGitHttpServer(root);
    url = `${server.url}/hub.git`;
  });
  afterAll(async () => {
    await server.close();
    for (const d of [work, root, cacheDir]) removeDir(d);
  });

  it('clones into the cache, then reuses it and fetches new commits and tags', async () => {
    const first = await openRemote({ url, cacheDir });
    expect(first).toMatchObject({ cloned: true, fetched: true, ref: 'HEAD' });
    expect(first.resolved.oid).toBe(git(work, ['rev-parse', 'main']).trim());
    expect(await first.store.readTextFile('main', '.octopus/policies/no-root.ocl')).toBe('name = "No root"\n');
    const tag = await first.store.readTag('policies/no-root/v1.0.0');
    expect(tag).toMatchObject({ annotated: true, message: 'first publish', target: first.resolved.oid });
    expect(await first.store.listTags()).toEqual(['light', 'policies/no-root/v1.0.0']);
    expect(fs.readdirSync(cacheDir)).toEqual([cacheFolderName(url)]);

    // A new commit and tag on the server.
    const next = commitAll(work, { '.octopus/policies/no-root.ocl': 'name = "No root v2"\n' }, 'v2');
    git(work, ['tag', '-a', 'policies/no-root/v2.0.0', '-m', 'second publish']);
    git(work, ['push', '-q', path.join(root, 'hub.git'), 'main', '--tags']);

    const second = await openRemote({ url, cacheDir, ref: 'main' });
    expect(second).toMatchObject({ cloned: false, fetched: true });
    expect(second.resolved.oid).toBe(next);
    expect(await second.store.readTextFile('main', '.octopus/policies/no-root.ocl')).toBe('name = "No root v2"\n');
    expect(await second.store.readTextFile('policies/no-root/v1.0.0', '.octopus/policies/no-root.ocl')).toBe('name = "No root"\n');
    expect((await second.store.readTag('policies/no-root/v2.0.0')).target).toBe(next);
    // The fetch reused the cache: the second upload-pack negotiation sent only what was missing.
    expect(server.requests.filter((r) => r.startsWith('POST')).length).toBe(2);
    expect(fs.readdirSync(cacheDir)).toHaveLength(1);
  });

  it('serves a cached commit id and offline reads without contacting the server', async () => {
    const head = git(work, ['rev-parse', 'main']).trim();
    const before = server.requests.length;
    const byOid = await openRemote({ url, cacheDir, ref: head });
    expect(byOid).toMatchObject({ fetched: false, cloned: false });
    expect(byOid.resolved.oid).toBe(head);
    const offline = await openRemote({ url, cacheDir, ref: 'policies/no-root/v1.0.0', offline: true });
    expect(offline.fetched).toBe(false);
    expect(await offline.store.readTextFile(offline.ref, 'oclhub.ocl')).toBe('base_path = ".octopus"\n');
    expect(server.requests.length).toBe(before);
  });

  it('maps failures to GitStoreError codes', async () => {
    const attempt = async (options: Parameters<typeof openRemote>[0]) => {
      try {
        await openRemote(options);
        return null;
      } catch (error) {
        expect(error).toBeInstanceOf(GitStoreError);
        return (error as GitStoreError).code;
      }
    };
    expect(await attempt({ url: `${server.url}/missing.git`, cacheDir })).toBe(GitErrorCode.RemoteFailed);
    expect(await attempt({ url: 'file:///etc', cacheDir })).toBe(GitErrorCode.RemoteFailed);
    expect(await attempt({ url: `${server.url}/never-cached.git`, cacheDir, offline: true })).toBe(GitErrorCode.RemoteFailed);
    expect(await attempt({ url, cacheDir, ref: 'no-such-ref' })).toBe(GitErrorCode.RefNotFound);
    // A failed first clone leaves nothing behind in the cache.
    expect(fs.readdirSync(cacheDir)).toEqual([cacheFolderName(url)]);
  });

  it('two concurrent first opens of one URL share one complete clone', async () => {
    const fresh = tempDir();
    try {
      const [a, b] = await Promise.all([openRemote({ url, cacheDir: fresh }), openRemote({ url, cacheDir: fresh })]);
      expect(a.resolved.oid).toBe(b.resolved.oid);
      expect(fs.readdirSync(fresh)).toEqual([cacheFolderName(url)]);
      expect(await b.store.readTextFile('main', 'oclhub.ocl')).toBe('base_path = ".octopus"\n');
      expect(git(path.join(fresh, cacheFolderName(url)), ['fsck', '--no-dangling']).trim()).toBe('');
    } finally {
      removeDir(fresh);
    }
  });
});
