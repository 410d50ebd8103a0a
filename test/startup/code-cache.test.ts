/**
 * The V8 code cache the CLI bundle runs with (src/startup/code-cache.ts): real scripts compiled by V8
 * in this process, cache files in a temporary folder. A cache that is missing, damaged, stale, foreign
 * or refused by V8 must give the same module as no cache at all, and never an error; the end-to-end
 * check (the CLI's one-file bundle, `oclhub lint` with and without a cache) is in
 * test/startup/code-cache-cli.test.ts.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeCacheDir, commandLabel, loadBundle, loadCliBundle, readCacheFile } from '../../src/startup/code-cache.js';

/** A CommonJS module with enough functions for V8 to cache; `value()` names what it was built from. */
function moduleSource(name: string): string {
  const functions = Array.from({ length: 50 }, (_, i) => `function f${i}(x) { return x.map((y) => y * ${i + 1}).reduce((a, b) => a + b, 0); }`).join('\n');
  return `${functions}\nexports.value = () => ${JSON.stringify(name)} + ':' + [${Array.from({ length: 50 }, (_, i) => `f${i}([1, 2])`).join(', ')}].join(',');\nexports.dirname = __dirname;\n`;
}

const processCpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

const expected = (name: string) => `${name}:${Array.from({ length: 50 }, (_, i) => 3 * (i + 1)).join(',')}`;

describe('code cache', () => {
  let work: string;
  let file: string;
  let dir: string;

  beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), 'oclhub-code-cache-'));
    file = path.join(work, 'bundle.cjs');
    dir = path.join(work, 'cache');
    writeFileSync(file, moduleSource('alpha'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  let copies = 0;
  /**
   * Loads `file` as the CLI would, runs the module, saves; the status and what the module returned.
   * Each load is of a copy under a new name: V8 keeps what this process compiled by source and name,
   * and a second load of the same name would be served from memory, whatever the cache file holds.
   */
  function run(label = 'lint', env: NodeJS.ProcessEnv = {}): { status: string; value: string; saved: boolean; cacheFile: string | undefined } {
    const copy = path.join(work, `bundle-${++copies}.cjs`);
    copyFileSync(file, copy);
    const loaded = loadBundle({ file: copy, dir, label, env });
    const exports = loaded.exports as { value(): string; dirname: string };
    expect(exports.dirname).toBe(work);
    const value = exports.value();
    return { status: loaded.status, value, saved: loaded.save(), cacheFile: loaded.cacheFile };
  }

  const cacheFiles = () => readdirSync(dir).filter((name) => name.endsWith('.v8cache'));

  it('writes a cache after the first run and uses it on the next, with the same module', () => {
    const first = run();
    expect(first).toMatchObject({ status: 'none', value: expected('alpha'), saved: true });
    expect(cacheFiles()).toHaveLength(1);
    const second = run();
    expect(second).toMatchObject({ status: 'accepted', value: expected('alpha'), saved: false });
    expect(second.cacheFile).toBe(first.cacheFile);
    // Nothing but the cache file is left (no temporary file).
    expect(readdirSync(dir)).toEqual(cacheFiles());
  });

  it('never hands a damaged file to V8: a flipped payload byte, a truncated file, a foreign header, an empty file', () => {
    const { cacheFile } = run();
    const good = readFileSync(cacheFile!);
    const header = good.indexOf(10) + 1;
    const flipped = Buffer.from(good);
    flipped[header + Math.floor((good.length - header) / 2)]! ^= 0x40;
    for (const bytes of [flipped, good.subarray(0, good.length - 100), good.subarray(0, header), Buffer.from('oclhub-code-cache/1 x y 1\n'), Buffer.alloc(0), Buffer.concat([Buffer.from('something else\n'), good.subarray(header)])]) {
      writeFileSync(cacheFile!, bytes);
      const damaged = run();
      expect(damaged).toMatchObject({ status: 'damaged', value: expected('alpha'), saved: true });
      // The file written in its place is whole again.
      expect(run()).toMatchObject({ status: 'accepted', value: expected('alpha') });
    }
  });

  it('falls back to the source when V8 refuses the cached code', () => {
    const { cacheFile } = run();
    const good = readFileSync(cacheFile!);
    const header = good.indexOf(10) + 1;
    // A well-formed file of ours around bytes V8 does not take for its cache: same key, a checksum that holds.
    const junk = Buffer.alloc(good.length - header, 7);
    const [magic, key] = good.subarray(0, header - 1).toString('latin1').split(' ');
    writeFileSync(cacheFile!, Buffer.concat([Buffer.from(`${magic} ${key} ${createHash('sha256').update(junk).digest('hex')} 1\n`), junk]));
    expect(readCacheFile(cacheFile!, key!)).not.toBe('damaged');
    expect(run()).toMatchObject({ status: 'rejected', value: expected('alpha'), saved: true });
    expect(run()).toMatchObject({ status: 'accepted', value: expected('alpha') });
  });

  it('keys the cache by the bundle content, not its length (V8 checks only the length)', () => {
    run();
    run();
    const before = readFileSync(file, 'utf8');
    writeFileSync(file, moduleSource('bravo'));
    expect(readFileSync(file, 'utf8')).toHaveLength(before.length);
    const changed = run();
    expect(changed).toMatchObject({ status: 'none', value: expected('bravo'), saved: true });
    expect(cacheFiles()).toHaveLength(2);
    expect(run()).toMatchObject({ status: 'accepted', value: expected('bravo') });
  });

  it('keeps one cache per command, and one per set of V8 flags', () => {
    run('lint');
    expect(run('validate')).toMatchObject({ status: 'none', saved: true });
    expect(run('lint', { NODE_OPTIONS: '--max-old-space-size=4096' }).status).toBe('none');
    expect(cacheFiles()).toHaveLength(3);
    expect(run('lint').status).toBe('accepted');
  });

  it('writes the cache again when a run did much more than the one that wrote it', () => {
    const { cacheFile } = run();
    const bytes = readFileSync(cacheFile!);
    const newline = bytes.indexOf(10);
    const fields = bytes.subarray(0, newline).toString('latin1').split(' ');
    // As if written by a run of 1 ms CPU (the header's last field; the payload checksum still holds).
    writeFileSync(cacheFile!, Buffer.concat([Buffer.from(`${fields.slice(0, 3).join(' ')} 1`), bytes.subarray(newline)]));
    // The run must also have used at least REFRESH_MS (200 ms) of CPU; a fresh test process on a fast
    // machine may not have yet (CI once failed here), so spend it.
    while (processCpuMs() < 400) Math.sqrt(Math.random());
    expect(run()).toMatchObject({ status: 'accepted', saved: true });
    expect(run()).toMatchObject({ status: 'accepted', saved: false });
  });

  it('runs without a cache when the folder cannot be written, and with none when turned off', () => {
    writeFileSync(dir, 'a file where the folder would be');
    expect(run()).toMatchObject({ status: 'none', value: expected('alpha'), saved: false });
    expect(run()).toMatchObject({ status: 'none', value: expected('alpha'), saved: false });
    const off = loadBundle({ file, dir: undefined, label: 'lint' });
    expect((off.exports as { value(): string }).value()).toBe(expected('alpha'));
    expect(off.save()).toBe(false);
  });

  it('keeps the folder bounded and removes leftovers of interrupted writes', () => {
    run();
    rmSync(dir, { recursive: true });
    for (let i = 0; i < 20; i++) {
      writeFileSync(file, moduleSource(`v${String(i).padStart(2, '0')}`));
      run();
      const leftover = path.join(dir, `.x.v8cache.tmp-${i}`);
      writeFileSync(leftover, 'partial');
      if (i % 2 === 0) utimesSync(leftover, new Date(0), new Date(0));
    }
    expect(cacheFiles()).toHaveLength(16);
    // The newest stays; old leftovers go, recent ones (perhaps another process's write in progress) stay.
    expect(run().status).toBe('accepted');
    const leftovers = readdirSync(dir).filter((name) => name.includes('.tmp-'));
    expect(leftovers.length).toBeGreaterThan(0);
    expect(leftovers.every((name) => Number(name.split('-').pop()) % 2 === 1)).toBe(true);
  });

  it('keeps a lint re-run\'s compiled code in a file of its own, each kind of run using its own', () => {
    // A tier-up budget given: loadCliBundle leaves V8's flags (of this test process) alone.
    const env = { OCLHUB_CODE_CACHE_DIR: dir, NODE_OPTIONS: '--interrupt-budget=264000' };
    const load = (rerun: boolean) => {
      const copy = path.join(work, `bundle-${++copies}.cjs`);
      copyFileSync(file, copy);
      const loaded = loadCliBundle(copy, ['lint', '--format', 'json'], env, work, rerun);
      loaded.done();
      return cacheFiles();
    };
    const cold = load(false);
    expect(cold).toHaveLength(1);
    const both = load(true);
    expect(both).toHaveLength(2);
    // Each kind finds its own file again: none is written anew.
    const stamps = () => cacheFiles().map((name) => statSync(path.join(dir, name)).ino);
    const before = stamps();
    load(true);
    load(false);
    expect(cacheFiles()).toEqual(both);
    expect(stamps()).toEqual(before);
  });

  it('finds its folder from the environment', () => {
    expect(codeCacheDir({ HOME: '/home/u' }, '/work')).toBe('/home/u/.cache/oclhub/code');
    expect(codeCacheDir({ HOME: '/home/u', OCLHUB_CACHE_DIR: 'caches' }, '/work')).toBe('/work/caches/code');
    expect(codeCacheDir({ HOME: '/home/u', OCLHUB_CODE_CACHE_DIR: '/tmp/cc' }, '/work')).toBe('/tmp/cc');
    for (const off of ['off', 'OFF', '0', 'false']) expect(codeCacheDir({ HOME: '/home/u', OCLHUB_CODE_CACHE: off }, '/work')).toBeUndefined();
    expect(commandLabel(['lint', '--jobs', '1'])).toBe('lint');
    expect(commandLabel(['--no-color', 'validate'])).toBe('validate');
    expect(commandLabel([])).toBe('other');
    expect(commandLabel(['../../etc'])).toBe('other');
  });
});
