import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectCache, openRepository } from '../../src/git/index.js';
import { git, initRepo, removeDir } from './helpers.js';

describe('ObjectCache', () => {
  it('loads each key once, counts hits and misses, and joins concurrent loads', async () => {
    const cache = new ObjectCache({ maxBytes: 1000 });
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return 'value';
    };
    const results = await Promise.all([cache.getOrLoad('a', load, () => 10), cache.getOrLoad('a', load, () => 10)]);
    expect(results).toEqual(['value', 'value']);
    expect(await cache.getOrLoad('a', load, () => 10)).toBe('value');
    expect(loads).toBe(1);
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 1, joined: 1, entries: 1, bytes: 10 });
  });

  it('evicts least recently used entries to stay within its byte budget', async () => {
    const cache = new ObjectCache({ maxBytes: 100 });
    const put = (key: string, bytes: number) => cache.getOrLoad(key, async () => key, () => bytes);
    await put('a', 40);
    await put('b', 40);
    await put('a', 40); // touch a: b is now the least recent
    await put('c', 40);
    expect(cache.has('a')).toBe(true);
    expect(cache.has('b')).toBe(false);
    expect(cache.has('c')).toBe(true);
    expect(cache.stats()).toMatchObject({ evictions: 1, entries: 2, bytes: 80 });
    await put('huge', 500); // larger than the budget: returned, never kept
    expect(cache.has('huge')).toBe(false);
    expect(cache.stats().bytes).toBeLessThanOrEqual(100);
  });

  it('does not cache failed loads', async () => {
    const cache = new ObjectCache();
    await expect(cache.getOrLoad('x', async () => Promise.reject(new Error('boom')), () => 1)).rejects.toThrow('boom');
    expect(await cache.getOrLoad('x', async () => 'ok', () => 1)).toBe('ok');
    expect(cache.stats()).toMatchObject({ misses: 2, entries: 1 });
  });
});

describe('GitStore object cache', () => {
  let dir: string;
  beforeAll(() => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 5; i++) files[`.octopus/p${i}/variables.ocl`] = `x = ${i}\n`;
    files['.octopus/shared/a.ocl'] = 'same = true\n';
    files['.octopus/shared/b.ocl'] = 'same = true\n'; // same content, so the same blob oid
    dir = initRepo(files);
  });
  afterAll(() => removeDir(dir));

  it('reads a tree or blob at the same oid only once', async () => {
    const store = await openRepository({ dir });
    const files = await store.listFiles('main', '.octopus');
    const afterList = store.cacheStats();
    // Objects read: commit, root tree, .octopus tree, 6 folder trees (one each).
    const trees = Number(git(dir, ['ls-tree', '-r', '-t', '--format=%(objecttype)', 'main']).split('\n').filter((t) => t === 'tree').length) + 1;
    expect(afterList.misses).toBe(1 + trees);
    for (const file of files) await store.readFile('main', file.path);
    const afterCold = store.cacheStats();
    const distinctBlobs = new Set(files.map((f) => f.oid)).size;
    expect(distinctBlobs).toBe(files.length - 1);
    expect(afterCold.misses - afterList.misses).toBe(distinctBlobs);
    for (const file of files) await store.readFile('main', file.path);
    await store.listFiles('main', '.octopus');
    const afterWarm = store.cacheStats();
    expect(afterWarm.misses).toBe(afterCold.misses);
    expect(afterWarm.hits).toBeGreaterThan(afterCold.hits);
  });

  it('is shared between stores when passed in, and bounded by the byte budget', async () => {
    const shared = new ObjectCache({ maxBytes: 4096 });
    const one = await openRepository({ dir, cache: shared });
    const two = await openRepository({ dir, cache: shared });
    await one.readTextFile('main', '.octopus/p0/variables.ocl');
    const misses = shared.stats().misses;
    await two.readTextFile('main', '.octopus/p0/variables.ocl');
    expect(shared.stats().misses).toBe(misses);
    const tiny = await openRepository({ dir, cacheBytes: 600 });
    for (const file of await tiny.listFiles('main')) await tiny.readFile('main', file.path);
    expect(tiny.cacheStats().bytes).toBeLessThanOrEqual(600);
    expect(tiny.cacheStats().evictions).toBeGreaterThan(0);
  });
});
