/**
 * The lint caches on a real temporary folder: project results (a line per entry, decoded on use,
 * written as set) and the rendered report (the key compared from the header line, the report copied
 * without decoding).
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkDeferredReads, DeferredReadError, deferredReadsHeld, discardStoredBody, LintCache, readRenderedReport, releaseDeferredReads, renderedReportWriter, stageRenderedCopy, writeRenderedReport } from '../../src/lint/cache.js';
import { deferredTailOf, type DeferredBytes } from '../../src/report/lint-pieces.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(tmpdir(), 'oclhub-lint-cache-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('LintCache', () => {
  it('keeps the entries a run used, re-writing unchanged ones as read, and drops the rest', async () => {
    const first = await LintCache.open(dir);
    first.set('a', { n: 1, text: 'tab\there\nnewline' });
    first.set('b', { n: 2 });
    first.set('c', { n: 3 });
    await first.save();
    const file = path.join(dir, 'lint-results.json');
    expect(fs.readFileSync(file, 'utf8').split('\n')[0]).toBe('oclhub-lint-cache/5');

    const second = await LintCache.open(dir);
    expect(second.has('a') && second.has('b') && second.has('c')).toBe(true);
    expect(second.get('a')).toEqual({ n: 1, text: 'tab\there\nnewline' });
    second.set('d', { n: 4 });
    expect(second.get('d')).toBeUndefined(); // on its way to disk, not held
    await second.save();

    const third = await LintCache.open(dir);
    expect(third.get('a')).toEqual({ n: 1, text: 'tab\there\nnewline' });
    expect(third.get('d')).toEqual({ n: 4 });
    expect(third.has('b')).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('small: writes the same file in one call on save, as a stream-written cache writes it, and leaves it alone when nothing was set', async () => {
    const streamed = path.join(dir, 'streamed');
    const small = path.join(dir, 'small');
    for (const [folder, options] of [
      [streamed, {}],
      [small, { small: true }],
    ] as const) {
      const first = await LintCache.open(folder, 'lint-manifest', options);
      first.set('a', { n: 1, text: 'tab\there\nnewline' });
      first.setEncoded('b', ['{"n":', Buffer.from('2}')]);
      first.set('c', { n: 3 });
      // Set, not held to be read back.
      expect(first.get('a')).toBeUndefined();
      await first.save();
      const second = await LintCache.open(folder, 'lint-manifest', options);
      expect(second.get('a')).toEqual({ n: 1, text: 'tab\there\nnewline' });
      expect(second.get('b')).toEqual({ n: 2 });
      second.set('d', { n: 4 });
      await second.save();
      // Only read: not written again.
      const file = path.join(folder, 'lint-manifest.json');
      const before = fs.statSync(file);
      const reader = await LintCache.open(folder, 'lint-manifest', options);
      expect(reader.get('d')).toEqual({ n: 4 });
      await reader.save();
      expect(fs.statSync(file).ino).toBe(before.ino);
      expect(fs.readdirSync(folder).sort()).toEqual(['.gitignore', 'lint-manifest.json']);
    }
    // The entries set, then those used (c was not): byte for byte the stream's file.
    expect(fs.readFileSync(path.join(small, 'lint-manifest.json'), 'utf8')).toBe(fs.readFileSync(path.join(streamed, 'lint-manifest.json'), 'utf8'));
    const last = await LintCache.open(small, 'lint-manifest', { small: true });
    expect([last.has('a'), last.has('b'), last.has('c'), last.has('d')]).toEqual([true, true, false, true]);
  });

  it('leaves the file alone on a run that only read it', async () => {
    const first = await LintCache.open(dir);
    first.set('a', { n: 1 });
    first.set('b', { n: 2 });
    await first.save();
    const file = path.join(dir, 'lint-results.json');
    const before = fs.readFileSync(file, 'utf8');
    const reader = await LintCache.open(dir);
    expect(reader.get('a')).toEqual({ n: 1 });
    await reader.save();
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  it('hands out an entry set in parts as its bytes, and writes a used entry back as it was read', async () => {
    const first = await LintCache.open(dir);
    const piece = Buffer.from('\n    {\n      "x": "ünï\tcödé"\n    }');
    first.setEncoded('piece', ['{"n":1}\n[]\n', piece]);
    first.set('other', { n: 2 });
    await first.save();
    const second = await LintCache.open(dir);
    expect(second.bytes('piece')!.toString('utf8')).toBe(`{"n":1}\n[]\n${piece.toString('utf8')}`);
    second.set('new', { n: 3 });
    await second.save();
    const third = await LintCache.open(dir);
    expect(third.bytes('piece')!.toString('utf8')).toBe(`{"n":1}\n[]\n${piece.toString('utf8')}`);
    expect(third.get('new')).toEqual({ n: 3 });
    expect(third.has('other')).toBe(false);
  });

  it('takes a damaged entry, a torn file, a foreign file or no file for a miss', async () => {
    const first = await LintCache.open(dir);
    first.set('a', { n: 1 });
    first.set('b', { text: 'bbbbbbbb' });
    first.set('c', { n: 3 });
    await first.save();
    const file = path.join(dir, 'lint-results.json');
    const good = fs.readFileSync(file);
    // One byte of b's bytes changed: its checksum no longer matches; the entries around it stand.
    const flipped = Buffer.from(good);
    flipped[good.indexOf('bbbbbbbb')] = 'c'.charCodeAt(0);
    fs.writeFileSync(file, flipped);
    let cache = await LintCache.open(dir);
    expect(cache.get('a')).toEqual({ n: 1 });
    expect(cache.bytes('b')).toBeUndefined();
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toEqual({ n: 3 });
    // Torn in the middle of b: a and nothing after.
    fs.writeFileSync(file, good.subarray(0, good.indexOf('bbbbbbbb')));
    cache = await LintCache.open(dir);
    expect(cache.get('a')).toEqual({ n: 1 });
    expect(cache.has('b') || cache.has('c')).toBe(false);
    // A record line that does not read (a length past the end): nothing from there on.
    fs.writeFileSync(file, Buffer.concat([good.subarray(0, good.indexOf('\nb\t') + 1), Buffer.from('b\t999999\t0\n{}\n')]));
    cache = await LintCache.open(dir);
    expect(cache.get('a')).toEqual({ n: 1 });
    expect(cache.has('b')).toBe(false);
    fs.writeFileSync(file, 'oclhub-lint-cache/2\ngood\t{"n":1}\n');
    expect((await LintCache.open(dir)).has('good')).toBe(false);
    expect((await LintCache.open(path.join(dir, 'absent'))).has('good')).toBe(false);
  });
});

describe('LintCache in shards', () => {
  const key = (digit: string, n: number) => `${digit}${String(n).padStart(63, '0')}`;
  const shard = (digit: string) => path.join(dir, `lint-results.${digit}.json`);

  it('writes again only the shards in which entries were set, keeping what it used there', async () => {
    const first = await LintCache.open(dir, 'lint-results', { shards: 16 });
    for (const digit of ['0', '7', 'f']) for (const n of [1, 2]) first.set(key(digit, n), { digit, n });
    first.set('not-hex', { n: 0 });
    await first.save();
    expect(fs.readdirSync(dir).filter((name) => name.startsWith('lint-results')).sort()).toEqual(['lint-results.0.json', 'lint-results.7.json', 'lint-results.f.json']);
    const untouched = [fs.statSync(shard('7')), fs.readFileSync(shard('7'))] as const;

    const second = await LintCache.open(dir, 'lint-results', { shards: 16 });
    expect(second.get(key('7', 1))).toEqual({ digit: '7', n: 1 });
    expect(second.get(key('f', 1))).toEqual({ digit: 'f', n: 1 });
    expect(second.get('not-hex')).toEqual({ n: 0 });
    second.set(key('f', 3), { digit: 'f', n: 3 });
    await second.save();
    // Shard 7 was only read: the same file. Shard f: what was used from it and the new entry.
    expect(fs.statSync(shard('7')).ino).toBe(untouched[0].ino);
    expect(fs.readFileSync(shard('7'))).toEqual(untouched[1]);
    const third = await LintCache.open(dir, 'lint-results', { shards: 16 });
    expect(third.get(key('f', 1))).toEqual({ digit: 'f', n: 1 });
    expect(third.get(key('f', 3))).toEqual({ digit: 'f', n: 3 });
    expect(third.has(key('f', 2))).toBe(false);
    expect(third.get(key('7', 2))).toEqual({ digit: '7', n: 2 });
    expect(third.get(key('0', 2))).toEqual({ digit: '0', n: 2 });
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('writes out the entries set so far when asked and more than a few megabytes wait, and saves them as set', async () => {
    const cache = await LintCache.open(dir, 'lint-results', { shards: 16 });
    const temps = () => fs.readdirSync(dir).filter((name) => name.includes('.tmp-'));
    const written = () => temps().reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
    // A little: nothing to wait for.
    cache.setEncoded(key('3', 0), ['{"n":0}\n[]\n', Buffer.alloc(1000, 'a')]);
    await cache.backlog();
    // 24 MB set without the event loop turning (as a cold lint does): held by the streams until asked.
    const entry = Buffer.alloc(1 << 20, 'b');
    for (let n = 1; n <= 24; n++) cache.setEncoded(key(n % 2 === 0 ? '3' : 'c', n), ['{"n":1}\n[]\n', entry]);
    expect(written()).toBeLessThan(1 << 20);
    await cache.backlog();
    expect(written()).toBeGreaterThanOrEqual(24 * (1 << 20) - (8 << 20));
    expect(temps()).toHaveLength(2);
    await cache.save();
    const reread = await LintCache.open(dir, 'lint-results', { shards: 16 });
    expect(reread.bytes(key('3', 0))?.toString()).toBe(`{"n":0}\n[]\n${'a'.repeat(1000)}`);
    for (let n = 1; n <= 24; n++) expect(reread.bytes(key(n % 2 === 0 ? '3' : 'c', n))?.equals(Buffer.concat([Buffer.from('{"n":1}\n[]\n'), entry]))).toBe(true);
    expect(temps()).toEqual([]);
  });

  it('gathers entries set between turns of the event loop into writes of a quarter megabyte, and writes out what it gathered when asked or saved', async () => {
    const cache = await LintCache.open(dir, 'lint-results', { shards: 16, deferWritten: true });
    const temp = (digit: string) => fs.readdirSync(dir).find((name) => name.startsWith(`.lint-results.${digit}.json.tmp-`));
    const written = (digit: string) => fs.statSync(path.join(dir, temp(digit)!)).size;
    const turns = async (count: number) => {
      for (let i = 0; i < count; i++) await new Promise((resolve) => setTimeout(resolve, 1));
    };
    const entry = (n: number) => Buffer.alloc(10_000, String.fromCharCode(97 + (n % 26)));
    const tails: DeferredBytes[] = [];
    // 20 entries of 10 kB, the event loop turning after each (as results come in from worker threads): held.
    for (let n = 0; n < 20; n++) {
      tails.push(cache.setEncoded(key('5', n), ['{"n":2}\n[]\n', entry(n)])!);
      await turns(1);
    }
    await turns(20);
    const header = written('5');
    expect(header).toBeLessThan(100);
    // Past a quarter megabyte: written out, all at once.
    for (let n = 20; n < 30; n++) tails.push(cache.setEncoded(key('5', n), ['{"n":2}\n[]\n', entry(n)])!);
    for (let waited = 0; waited < 200 && written('5') === header; waited++) await turns(1);
    expect(written('5')).toBeGreaterThan(256 << 10);
    // 12 MB more in two other shards without a turn of the event loop, and 100 kB held in a third: asked,
    // it writes out what it held too (a stream holding what it was given never drains).
    const big = Buffer.alloc(1 << 20, 'z');
    for (let n = 0; n < 12; n++) cache.setEncoded(key(n % 2 === 0 ? '3' : 'c', n), ['{"n":3}\n[]\n', big]);
    for (let n = 0; n < 5; n++) cache.setEncoded(key('7', n), ['{"n":4}\n[]\n', entry(n)]);
    const before = written('7');
    await cache.backlog();
    for (let waited = 0; waited < 200 && written('7') === before; waited++) await turns(1);
    expect(written('7')).toBeGreaterThan(5 * 10_000);
    await cache.save();
    // The entries' tails read back from the file saved, and every entry as set.
    tails.forEach((tail, n) => expect(Buffer.from(tail.read()).equals(entry(n))).toBe(true));
    releaseDeferredReads();
    const reread = await LintCache.open(dir, 'lint-results', { shards: 16 });
    for (let n = 0; n < 30; n++) expect(reread.bytes(key('5', n))?.equals(Buffer.concat([Buffer.from('{"n":2}\n[]\n'), entry(n)]))).toBe(true);
    for (let n = 0; n < 12; n++) expect(reread.bytes(key(n % 2 === 0 ? '3' : 'c', n))?.equals(Buffer.concat([Buffer.from('{"n":3}\n[]\n'), big]))).toBe(true);
    for (let n = 0; n < 5; n++) expect(reread.bytes(key('7', n))?.equals(Buffer.concat([Buffer.from('{"n":4}\n[]\n'), entry(n)]))).toBe(true);
  });

  it('takes a damaged or foreign shard for misses of its keys only, and removes the unsharded file of before', async () => {
    fs.writeFileSync(path.join(dir, 'lint-results.json'), 'oclhub-lint-cache/5\n');
    const first = await LintCache.open(dir, 'lint-results', { shards: 16 });
    first.set(key('3', 1), { n: 1 });
    first.set(key('a', 1), { n: 2 });
    await first.save();
    const bytes = fs.readFileSync(shard('3'));
    bytes[bytes.length - 3] ^= 1;
    fs.writeFileSync(shard('3'), bytes);
    fs.writeFileSync(shard('5'), 'something else\n');
    const second = await LintCache.open(dir, 'lint-results', { shards: 16 });
    expect(second.get(key('3', 1))).toBeUndefined();
    expect(second.get(key('a', 1))).toEqual({ n: 2 });
    expect(fs.existsSync(path.join(dir, 'lint-results.json'))).toBe(false);
  });
});

describe('LintCache opened lazy, with entries kept from elsewhere', () => {
  const key = (digit: string, n: number) => `${digit}${String(n).padStart(63, '0')}`;
  const shard = (digit: string) => path.join(dir, `lint-results.${digit}.json`);
  const open = (options: { lazy?: boolean; now?: number } = {}) => LintCache.open(dir, 'lint-results', { shards: 16, ...options });

  it('reads only the shards it is asked about or writes, keeps what it was told it used, and leaves the other shards and their stats alone', async () => {
    const first = await open();
    for (const digit of ['2', '9']) for (const n of [1, 2, 3]) first.set(key(digit, n), { digit, n });
    await first.save();
    // Verified long enough after they were written (see the stat tests below): both recorded.
    await (await open({ now: Date.now() + 10_000 })).save();
    const statsFile = path.join(dir, 'lint-results.stat.json');
    const stats = fs.readFileSync(statsFile, 'utf8');
    const untouched = [fs.statSync(shard('9')), fs.readFileSync(shard('9'))] as const;

    const lazy = await open({ lazy: true, now: Date.now() + 10_000 });
    expect(lazy.shardsRead).toBe(0);
    // Taken elsewhere (the last stored report): kept without being read; one entry replaced.
    lazy.keep(key('2', 1));
    lazy.keep(key('9', 1));
    expect(lazy.shardsRead).toBe(0);
    expect(lazy.has(key('2', 3))).toBe(true);
    expect(lazy.shardsRead).toBe(1);
    lazy.setEncoded(key('2', 2), JSON.stringify({ digit: '2', n: 20 }));
    await lazy.save();
    expect(lazy.shardsRead).toBe(1);
    // Shard 9 was never read: the same file, and its stat still vouches for it.
    expect(fs.statSync(shard('9')).ino).toBe(untouched[0].ino);
    expect(fs.readFileSync(shard('9'))).toEqual(untouched[1]);
    const shardStats = (text: string) => (JSON.parse(text) as { shards: (number[] | null)[] }).shards;
    expect(shardStats(fs.readFileSync(statsFile, 'utf8'))[9]).toEqual(shardStats(stats)[9]);
    expect(shardStats(fs.readFileSync(statsFile, 'utf8'))[2]).toBeNull();
    const after = await open({ now: Date.now() + 10_000 });
    expect(after.shardsTrusted).toBe(1);
    // Shard 2: the entry kept, the one set, and none of the others (neither read nor kept).
    expect(after.get(key('2', 1))).toEqual({ digit: '2', n: 1 });
    expect(after.get(key('2', 2))).toEqual({ digit: '2', n: 20 });
    expect(after.has(key('2', 3))).toBe(false);
    expect(after.get(key('9', 3))).toEqual({ digit: '9', n: 3 });
  });

  it('keeps a stat it did not read only when it vouched for its shard when recorded', async () => {
    const first = await open();
    for (const digit of ['2', '9']) first.set(key(digit, 1), { digit });
    await first.save();
    // Recorded racy (right after the shards were written): vouches for nothing, and is not carried by a lazy run.
    await (await open()).save();
    const lazy = await open({ lazy: true, now: Date.now() + 10_000 });
    lazy.setEncoded(key('2', 2), '{}');
    await lazy.save();
    expect((await open({ now: Date.now() + 20_000 })).shardsTrusted).toBe(0);
  });
});

describe('LintCache shards vouched for by their stat', () => {
  const key = (digit: string, n: number) => `${digit}${String(n).padStart(63, '0')}`;
  const shard = (digit: string) => path.join(dir, `lint-results.${digit}.json`);
  const open = (now?: number) => LintCache.open(dir, 'lint-results', { shards: 16, ...(now !== undefined ? { now } : {}) });
  /** Long enough after the shards were written that their modification times are not racy. */
  const later = () => Date.now() + 10_000;

  async function written(): Promise<void> {
    const first = await open();
    for (const digit of ['2', '9']) for (const n of [1, 2]) first.set(key(digit, n), { text: `${digit}-${n}-xxxxxxxx` });
    await first.save();
  }

  it('takes a shard on its stat only after a run verified it whole, long enough after it was written', async () => {
    await written();
    // Verified right after it was written: its time is racy, so its records are checksummed again next time.
    const racy = await open();
    expect(racy.shardsTrusted).toBe(0);
    expect(racy.get(key('2', 1))).toEqual({ text: '2-1-xxxxxxxx' });
    await racy.save();
    expect((await open()).shardsTrusted).toBe(0);
    // Verified later (every record read, every checksum right, the stat the same before and after): recorded.
    const verifier = await open(later());
    expect(verifier.shardsTrusted).toBe(0);
    await verifier.save();
    const stats = JSON.parse(fs.readFileSync(path.join(dir, 'lint-results.stat.json'), 'utf8')) as { shards: (number[] | null)[] };
    expect(stats.shards.filter((s) => s !== null)).toHaveLength(2);
    const trusting = await open(later());
    expect(trusting.shardsTrusted).toBe(2);
    expect(trusting.get(key('9', 2))).toEqual({ text: '9-2-xxxxxxxx' });
    expect(trusting.get(key('2', 1))).toEqual({ text: '2-1-xxxxxxxx' });
  });

  it('checksums a shard again when it changed in any way since it was verified', async () => {
    await written();
    await (await open(later())).save();
    expect((await open(later())).shardsTrusted).toBe(2);
    // One byte flipped in place: same size, a new modification and change time.
    const bytes = fs.readFileSync(shard('2'));
    bytes[bytes.indexOf('2-2-xxxxxxxx') + 5] ^= 1;
    fs.writeFileSync(shard('2'), bytes);
    let cache = await open(later());
    expect(cache.shardsTrusted).toBe(1);
    expect(cache.get(key('2', 2))).toBeUndefined();
    expect(cache.get(key('2', 1))).toEqual({ text: '2-1-xxxxxxxx' });
    expect(cache.get(key('9', 1))).toEqual({ text: '9-1-xxxxxxxx' });
    await cache.save();
    // The damaged shard is not recorded; the other stays vouched for.
    expect((await open(later())).shardsTrusted).toBe(1);
    // Torn, and removed.
    fs.writeFileSync(shard('9'), fs.readFileSync(shard('9')).subarray(0, 60));
    fs.rmSync(shard('2'));
    cache = await open(later());
    expect(cache.shardsTrusted).toBe(0);
    expect(cache.has(key('9', 2)) || cache.has(key('2', 1))).toBe(false);
    // A stats file that does not read is no stats.
    fs.writeFileSync(path.join(dir, 'lint-results.stat.json'), '{"format":"oclhub-lint-shard-stats/1","verifiedAt":');
    expect((await open(later())).shardsTrusted).toBe(0);
  });

  it('does not vouch for a shard this run wrote again', async () => {
    await written();
    await (await open(later())).save();
    const writer = await open(later());
    expect(writer.shardsTrusted).toBe(2);
    writer.get(key('2', 1));
    writer.set(key('2', 3), { text: 'new' });
    await writer.save();
    // Shard 9, only read, stays vouched for; shard 2's new file is checksummed.
    const next = await open(later());
    expect(next.shardsTrusted).toBe(1);
    expect(next.get(key('2', 3))).toEqual({ text: 'new' });
    expect(next.get(key('2', 1))).toEqual({ text: '2-1-xxxxxxxx' });
  });
});

describe('LintCache with records\' tails left in vouched shards', () => {
  const key = (digit: string, n: number) => `${digit}${String(n).padStart(63, '0')}`;
  const shard = (digit: string) => path.join(dir, `lint-results.${digit}.json`);
  const later = () => Date.now() + 10_000;
  const open = (deferred: boolean) => LintCache.open(dir, 'lint-results', { shards: 16, now: later(), ...(deferred ? { deferAfterLines: 2 } : {}) });
  /** An entry as the lint stores one: two record lines, then a piece; one whose second line is longer than a read window. */
  const entry = (digit: string, n: number) => `{"n":${n}}\n${n === 2 ? 'y'.repeat(20_000) : `"${digit}"`}\n${`piece ${digit}-${n} `.repeat(50)}`;
  const whole = (cache: LintCache, k: string) => {
    const head = cache.bytes(k);
    if (head === undefined) return undefined;
    const tail = deferredTailOf(head);
    return Buffer.concat([head, tail ? tail.read() : Buffer.alloc(0)]).toString('utf8');
  };

  afterEach(() => releaseDeferredReads());

  async function verified(): Promise<void> {
    const first = await open(false);
    for (const digit of ['3', 'c']) for (const n of [1, 2, 3]) first.setEncoded(key(digit, n), entry(digit, n));
    await first.save();
    // A run long enough after the write verifies them whole and records their stats.
    await (await open(false)).save();
  }

  it('hands out the last part of an entry it sets as read back from the new file, steady once saved, and fails reads of it changed since', async () => {
    const cache = await LintCache.open(dir, 'lint-results', { shards: 16, deferWritten: true });
    const piece = (digit: string, n: number) => Buffer.from(`\n    {"piece": "${digit}-${n} ünï"}`.repeat(n * 100));
    const set = new Map<string, DeferredBytes>();
    for (const digit of ['3', 'c']) for (const n of [1, 2, 3]) set.set(key(digit, n), cache.setEncoded(key(digit, n), [`{"n":${n}}\n[]\n`, piece(digit, n)])!);
    const empty = cache.setEncoded(key('3', 9), ['{"n":9}\n[]\n', Buffer.alloc(0)]);
    expect(deferredReadsHeld()).toBe(2);
    // Not steady before the files are complete and in place.
    expect(() => checkDeferredReads()).toThrow(DeferredReadError);
    await cache.save();
    expect(() => checkDeferredReads()).not.toThrow();
    for (const digit of ['3', 'c']) {
      for (const n of [1, 2, 3]) {
        const bytes = set.get(key(digit, n))!;
        expect(bytes.length).toBe(piece(digit, n).length);
        expect(bytes.read().equals(piece(digit, n))).toBe(true);
        const into = Buffer.alloc(bytes.length + 2, 0x2e);
        bytes.readInto(into, 1);
        expect(into.subarray(1, -1).equals(piece(digit, n))).toBe(true);
      }
    }
    expect(empty?.length).toBe(0);
    // The file as the cache reads it next time: the same entries.
    const reread = await open(false);
    expect(reread.bytes(key('c', 2))?.equals(Buffer.concat([Buffer.from('{"n":2}\n[]\n'), piece('c', 2)]))).toBe(true);
    // A change in place fails them.
    fs.appendFileSync(shard('c'), 'more');
    expect(() => checkDeferredReads()).toThrow(DeferredReadError);
  });

  it('does not take what it wrote for steady once another run\'s file was renamed over it', async () => {
    const cache = await LintCache.open(dir, 'lint-results', { shards: 16, deferWritten: true });
    const mine = cache.setEncoded(key('3', 1), ['{"n":1}\n[]\n', Buffer.from('mine')])!;
    await cache.save();
    expect(() => checkDeferredReads()).not.toThrow();
    const other = await LintCache.open(dir, 'lint-results', { shards: 16 });
    other.setEncoded(key('3', 1), ['{"n":1}\n[]\n', Buffer.from('other')]);
    await other.save();
    // The bytes read are still the ones this run wrote, but the file it published them from is gone: not published.
    expect(mine.read().toString()).toBe('mine');
    expect(() => checkDeferredReads()).toThrow(DeferredReadError);
  });

  it('reads nothing back when the new file cannot be written, and never vouches for it', async () => {
    fs.writeFileSync(path.join(dir, 'blocked'), '');
    const cache = await LintCache.open(path.join(dir, 'blocked'), 'lint-results', { shards: 16, deferWritten: true });
    expect(cache.setEncoded(key('3', 1), ['{"n":1}\n[]\n', Buffer.from('piece')])).toBeUndefined();
    await cache.save();
    expect(deferredReadsHeld()).toBe(0);
  });

  it('hands out each entry\'s record lines and reads the rest from the file when asked, the bytes that were stored', async () => {
    await verified();
    const cache = await open(true);
    expect(cache.shardsTrusted).toBe(2);
    expect(deferredReadsHeld()).toBe(2);
    for (const digit of ['3', 'c']) {
      for (const n of [1, 2, 3]) {
        const head = cache.bytes(key(digit, n))!;
        expect(head.toString('utf8')).toBe(entry(digit, n).split('\n').slice(0, 2).join('\n') + '\n');
        const tail = deferredTailOf(head)!;
        expect(tail.length).toBe(Buffer.byteLength(entry(digit, n)) - head.length);
        expect(whole(cache, key(digit, n))).toBe(entry(digit, n));
        // Read into a buffer at an offset.
        const into = Buffer.alloc(tail.length + 2, 0x2e);
        tail.readInto(into, 1);
        expect(into.toString('latin1')).toBe(`.${entry(digit, n).slice(head.length)}.`);
      }
    }
    expect(() => checkDeferredReads()).not.toThrow();
    // Setting an entry in a deferred shard writes it again with the entries used from it, as read.
    cache.setEncoded(key('3', 4), entry('3', 4));
    await cache.save();
    const tail = deferredTailOf(cache.bytes(key('c', 1))!)!;
    expect(() => checkDeferredReads()).not.toThrow(); // the shard written again was read whole first: its reads come from that
    const reread = await open(false);
    for (const n of [1, 2, 3, 4]) expect(whole(reread, key('3', n))).toBe(entry('3', n));
    releaseDeferredReads();
    expect(() => tail.read()).toThrow(DeferredReadError);
  });

  it('reads a shard whole when no stat vouches for it, and fails the reads of one changed or cut short after it was opened', async () => {
    await verified();
    // Changed since it was verified: read whole and checksummed, as without deferring.
    const bytes = fs.readFileSync(shard('c'));
    bytes[bytes.indexOf('piece c-3') + 2] ^= 1;
    fs.writeFileSync(shard('c'), bytes);
    const cache = await open(true);
    expect(cache.shardsTrusted).toBe(1);
    expect(deferredReadsHeld()).toBe(1);
    expect(deferredTailOf(cache.bytes(key('c', 1))!)).toBeUndefined();
    expect(cache.bytes(key('c', 3))).toBeUndefined(); // its checksum
    // Shard 3 changed in place after it was opened: the reads' check fails; cut short: the read itself.
    const tail = deferredTailOf(cache.bytes(key('3', 3))!)!;
    const original = fs.readFileSync(shard('3'));
    const changed = Buffer.from(original);
    changed[changed.indexOf('piece 3-1') + 2] ^= 1;
    fs.writeFileSync(shard('3'), changed);
    expect(() => checkDeferredReads()).toThrow(DeferredReadError);
    fs.writeFileSync(shard('3'), original.subarray(0, original.length - 100));
    expect(() => tail.read()).toThrow(DeferredReadError);
  });

  it('reads a vouched shard whole when its records do not read as it was verified', async () => {
    await verified();
    const stats = fs.readFileSync(path.join(dir, 'lint-results.stat.json'));
    // Same size, a record line broken: the stat changed, so it is not vouched; with the old stat put back
    // (as a file system whose times do not move would show it), the listing of its records still finds it torn.
    const bytes = fs.readFileSync(shard('3'));
    bytes[bytes.indexOf('\t')] = 0x20;
    const before = fs.statSync(shard('3'));
    fs.writeFileSync(shard('3'), bytes);
    fs.utimesSync(shard('3'), before.atime, before.mtime);
    const record = JSON.parse(stats.toString('utf8')) as { shards: (number[] | null)[] };
    const now = fs.statSync(shard('3'));
    record.shards[3] = [now.size, now.mtimeMs, now.ctimeMs, now.ino];
    fs.writeFileSync(path.join(dir, 'lint-results.stat.json'), JSON.stringify(record));
    const cache = await open(true);
    expect(deferredReadsHeld()).toBe(1);
    // As the whole read takes it: everything from the record line that does not read is a miss (here, all of it).
    for (const n of [1, 2, 3]) expect(cache.has(key('3', n))).toBe(false);
    expect(whole(cache, key('c', 2))).toBe(entry('c', 2));
    expect(deferredTailOf(cache.bytes(key('c', 2))!)).toBeDefined();
  });
});

describe('the rendered-report cache', () => {
  it('finds a report by its key and copies it byte for byte', async () => {
    const report = `{ "é": "ünïcödé ✓" }\n${'x'.repeat(100_000)}\n`;
    const summary = '## Résumé ✓\n';
    await writeRenderedReport(dir, 'k1', report, 1, summary);
    expect(await readRenderedReport(dir, 'k2')).toBeUndefined();
    const hit = (await readRenderedReport(dir, 'k1'))!;
    try {
      expect(hit.exitCode).toBe(1);
      expect(hit.summary).toBe(summary);
      expect(await hit.text()).toBe(report);
      const out = path.join(dir, 'out', 'copy.json');
      fs.mkdirSync(path.dirname(out));
      await hit.copyTo(out);
      expect(fs.readFileSync(out, 'utf8')).toBe(report);
    } finally {
      await hit.close();
    }
    await writeRenderedReport(dir, 'k3', 'plain', 0);
    const plain = (await readRenderedReport(dir, 'k3'))!;
    expect(plain.summary).toBeUndefined();
    expect(await plain.text()).toBe('plain');
    await plain.close();
  });

  it('moves the last body aside while a new report is stored: an open reader keeps it, nothing is left behind', async () => {
    const old = `${'o'.repeat(200_000)}\n`;
    await writeRenderedReport(dir, 'k1', old, 0);
    const reading = (await readRenderedReport(dir, 'k1'))!;
    // A body a run that died had moved aside.
    fs.writeFileSync(path.join(dir, '.lint-output.body.old-dead'), 'left over');
    const staged = (await stageRenderedCopy(dir, 'k2', 1, (() => {
      const source = path.join(dir, 'source.json');
      fs.writeFileSync(source, 'new report');
      return source;
    })()))!;
    try {
      // Until the new body is published, the head names a body that is gone: a miss, never the wrong bytes.
      expect(await readRenderedReport(dir, 'k1')).toBeUndefined();
      expect(await reading.text()).toBe(old);
    } finally {
      await reading.close();
    }
    await staged.done();
    const hit = (await readRenderedReport(dir, 'k2'))!;
    expect(await hit.text()).toBe('new report');
    await hit.close();
    expect(fs.readdirSync(dir).filter((name) => name.includes('.old-') || name.includes('.tmp-'))).toEqual([]);
    const writer = (await renderedReportWriter(dir, 'k3', 0))!;
    await writer.writeAll([Buffer.from('third')]);
    await writer.done();
    expect(await (await readRenderedReport(dir, 'k2'))?.text()).toBeUndefined();
    const third = (await readRenderedReport(dir, 'k3'))!;
    expect(await third.text()).toBe('third');
    await third.close();
    expect(fs.readdirSync(dir).filter((name) => name.includes('.old-') || name.includes('.tmp-'))).toEqual([]);
  });

  it('is done with the chunks a writer is given once writing them resolves: written over then, the stored report is what was given', async () => {
    const writer = (await renderedReportWriter(dir, 'k1', 0))!;
    // A small chunk and a large one, each used again (as the report's slabs are) once written.
    const small = Buffer.from('small ✓ ');
    const large = Buffer.alloc(1 << 20, 'L');
    for (let round = 0; round < 3; round++) {
      await writer.writeAll([small]);
      small.fill('s');
      await writer.writeAll([large, small]);
      large.fill('l');
      small.write('small ✓ ');
      large.fill('L');
    }
    await writer.done();
    const stored = (await readRenderedReport(dir, 'k1'))!;
    const expected = `small ✓ ${'L'.repeat(1 << 20)}ssssssssss`.repeat(3);
    expect(await stored.text()).toBe(expected);
    await stored.close();
  });

  it('removes the body of a report that is not the run\'s answer as soon as asked, and stores the run\'s own after', async () => {
    await writeRenderedReport(dir, 'k1', `${'o'.repeat(200_000)}\n`, 0);
    const reading = (await readRenderedReport(dir, 'k1'))!;
    const discarded = discardStoredBody(dir);
    // The head still names the old body, which is gone: a miss (an open reader keeps its bytes).
    expect(await readRenderedReport(dir, 'k1')).toBeUndefined();
    expect((await reading.text()).length).toBe(200_001);
    await reading.close();
    await discarded;
    expect(fs.readdirSync(dir).filter((name) => name.includes('.old-') || name.includes('.body'))).toEqual([]);
    // With no body left to move aside, the run's report is stored as usual.
    await writeRenderedReport(dir, 'k2', 'new report', 1);
    const hit = (await readRenderedReport(dir, 'k2'))!;
    expect(await hit.text()).toBe('new report');
    expect(hit.exitCode).toBe(1);
    await hit.close();
    // Nothing stored: nothing to remove.
    await discardStoredBody(path.join(dir, 'absent'));
  });

  it('leaves a body still read from aside for the next run, which removes it; this process does not', async () => {
    await writeRenderedReport(dir, 'k1', `${'o'.repeat(200_000)}\n`, 0);
    const reading = (await readRenderedReport(dir, 'k1'))!;
    await discardStoredBody(dir, true);
    const aside = fs.readdirSync(dir).filter((name) => name.startsWith('.lint-output.body.old-'));
    expect(aside).toHaveLength(1);
    expect(await readRenderedReport(dir, 'k1')).toBeUndefined();
    // Asked again (the run publishing its own body), this process keeps what it set aside for the next run.
    await writeRenderedReport(dir, 'k2', 'new report', 1);
    expect(fs.readdirSync(dir).filter((name) => name.startsWith('.lint-output.body.old-'))).toEqual(aside);
    expect((await reading.text()).length).toBe(200_001);
    await reading.close();
    // One another process set aside (a name this one did not make) is removed, as the next run removes this one's.
    const left = path.join(dir, '.lint-output.body.old-left-by-another-run');
    fs.writeFileSync(left, 'old body');
    await discardStoredBody(dir);
    expect(fs.existsSync(left)).toBe(false);
    expect(fs.readdirSync(dir).filter((name) => name.startsWith('.lint-output.body.old-'))).toEqual(aside);
    fs.rmSync(path.join(dir, aside[0]!));
  });

  it('keeps a flushed report file as the body by a second name, and never serves it once it was written to', async () => {
    const source = path.join(dir, 'report.json');
    const report = `${'r'.repeat(100_000)}\n`;
    fs.writeFileSync(source, report);
    // A clock tick (a few ms) after the last write: the link's change time is a later one.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const staged = (await stageRenderedCopy(dir, 'k1', 1, source))!;
    await staged.done();
    expect(fs.statSync(path.join(dir, 'lint-output.body')).ino).toBe(fs.statSync(source).ino);
    const hit = (await readRenderedReport(dir, 'k1'))!;
    expect(await hit.text()).toBe(report);
    await hit.close();
    // The report file rewritten in place with as many bytes: the body's stat no longer vouches for it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    fs.writeFileSync(source, report.replace('r', 'x'), { flag: 'r+' });
    expect(await readRenderedReport(dir, 'k1')).toBeUndefined();
  });

  it('does not publish a linked body the report file was written to before publishing', async () => {
    const source = path.join(dir, 'report.json');
    const report = `${'r'.repeat(100_000)}\n`;
    fs.writeFileSync(source, report);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const staged = (await stageRenderedCopy(dir, 'k1', 1, source))!;
    await new Promise((resolve) => setTimeout(resolve, 50));
    fs.writeFileSync(source, report.replace('r', 'x'), { flag: 'r+' });
    await staged.done();
    // Linked (as the test above shows it is here): the bytes written after would be served, so nothing is published.
    expect(await readRenderedReport(dir, 'k1')).toBeUndefined();
    expect(fs.readdirSync(dir).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('takes a report of the old layout for a miss', async () => {
    fs.writeFileSync(path.join(dir, 'lint-output.txt'), 'k1 0 -1\nreport');
    expect(await readRenderedReport(dir, 'k1')).toBeUndefined();
  });
});
