/**
 * The validated-oclhub.ocl cache (hub/config-cache.ts): a hit gives exactly what validating gives at
 * that time, and every change it depends on is a miss — the text, the tool version, the time crossing
 * an exception's expiry (or going back before the validation), a damaged or foreign file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exactJson, validatedConfig, validUntil } from '../../src/hub/config-cache.js';
import { parseExpiry, validateFile, type HubConfigDocument } from '../../src/model/index.js';
import { removeDir, tempDir } from '../git/helpers.js';
import { REPO_ROOT } from '../model/helpers.js';

const DEMO = fs.readFileSync(path.join(REPO_ROOT, 'templates/demo/oclhub.ocl'), 'utf8');
const FIXTURE = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/model/hub/oclhub.ocl'), 'utf8');
const NOW = Date.parse('2026-06-01T00:00:00Z');
const VERSION = '1.2.3';

function uncached(text: string, now: number) {
  const r = validateFile({ path: 'oclhub.ocl', text, context: { kind: 'oclhub', now: new Date(now) } });
  return { diagnostics: r.diagnostics, ...(r.document?.kind === 'oclhub' ? { document: r.document } : {}) };
}

/** What Hub.load takes from a result (without the hit flag). */
function taken(result: Awaited<ReturnType<typeof validatedConfig>>) {
  const { fromCache: _, ...rest } = result;
  return rest;
}

let dir: string;
beforeEach(() => {
  dir = tempDir('oclhub-config-cache-');
});
afterEach(() => removeDir(dir));

describe('validatedConfig', () => {
  it('gives back from the cache exactly what validating gives, for valid and invalid files', async () => {
    const broken = DEMO.replace('base_path', 'base_path = = ');
    const unknownProject = `${DEMO}\nexception "x" {\n    policy = "no_disabled_steps"\n    project = "nowhere"\n    reason = "r"\n}\n`;
    for (const text of [DEMO, FIXTURE, broken, unknownProject, '']) {
      const cache = { dir, toolVersion: VERSION };
      const first = await validatedConfig(text, cache, NOW);
      expect(first.fromCache).toBe(false);
      expect(taken(first)).toStrictEqual(uncached(text, NOW));
      expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe('*\n'); // a cache folder no repository commits
    const second = await validatedConfig(text, cache, NOW + 1000);
      expect(second.fromCache).toBe(true);
      expect(taken(second)).toStrictEqual(uncached(text, NOW + 1000));
    }
  });

  it('misses on another text, another tool version, or no cache at all', async () => {
    await validatedConfig(DEMO, { dir, toolVersion: VERSION }, NOW);
    expect((await validatedConfig(DEMO, { dir, toolVersion: VERSION }, NOW)).fromCache).toBe(true);
    expect((await validatedConfig(`${DEMO}\n`, { dir, toolVersion: VERSION }, NOW)).fromCache).toBe(false);
    // The entry now holds the other text: the first one is validated again.
    expect((await validatedConfig(DEMO, { dir, toolVersion: VERSION }, NOW)).fromCache).toBe(false);
    expect((await validatedConfig(DEMO, { dir, toolVersion: '1.2.4' }, NOW)).fromCache).toBe(false);
    expect((await validatedConfig(DEMO, undefined, NOW)).fromCache).toBe(false);
  });

  it('is used only before the next exception expiry and not before the validation; after it, SEM033 appears as uncached', async () => {
    const doc = uncached(DEMO, NOW).document as HubConfigDocument;
    const expiry = parseExpiry(doc.exceptions.find((e) => e.expires !== undefined)!.expires!)!.getTime();
    expect(expiry).toBeGreaterThan(NOW);
    expect(validUntil(doc, NOW)).toBe(expiry);
    const cache = { dir, toolVersion: VERSION };
    await validatedConfig(DEMO, cache, NOW);
    expect((await validatedConfig(DEMO, cache, expiry - 1)).fromCache).toBe(true);
    expect((await validatedConfig(DEMO, cache, NOW - 1)).fromCache).toBe(false); // the clock went back
    await validatedConfig(DEMO, cache, NOW);
    const after = await validatedConfig(DEMO, cache, expiry);
    expect(after.fromCache).toBe(false);
    expect(after.diagnostics.map((d) => d.code)).toContain('SEM033');
    expect(taken(after)).toStrictEqual(uncached(DEMO, expiry));
    // Validated after the expiry: the expired exception stays expired, with no end to the window.
    expect((await validatedConfig(DEMO, cache, expiry + 1)).fromCache).toBe(true);
    expect(validUntil(after.document, expiry)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('misses on a damaged, torn or foreign file, and replaces it', async () => {
    const cache = { dir, toolVersion: VERSION };
    await validatedConfig(DEMO, cache, NOW);
    const file = path.join(dir, 'hub-config.json');
    const good = fs.readFileSync(file);
    const newline = good.indexOf(10);
    const damaged = [
      Buffer.concat([good.subarray(0, good.length - 10), Buffer.from('"x"}      ')]), // same length, other bytes: CRC
      good.subarray(0, good.length - 1), // torn
      Buffer.concat([good, Buffer.from(' ')]), // longer than its header says
      Buffer.concat([Buffer.from('oclhub-hub-config/0'), good.subarray(good.indexOf(32))]), // another format
      good.subarray(newline + 1), // no header
      Buffer.from(''),
    ];
    for (const bytes of damaged) {
      fs.writeFileSync(file, bytes);
      const r = await validatedConfig(DEMO, cache, NOW);
      expect(r.fromCache).toBe(false);
      expect(taken(r)).toStrictEqual(uncached(DEMO, NOW));
      expect(fs.readFileSync(file)).toEqual(good); // replaced by a good entry
    }
    // A body that passes its checksum but is not a validation result is no entry either.
    const body = Buffer.from(JSON.stringify({ diagnostics: 'no', document: { kind: 'oclhub' } }));
    const { crc32 } = await import('node:zlib');
    const fields = good.toString('latin1', 0, newline).split(' ');
    fs.writeFileSync(file, Buffer.concat([Buffer.from(`${fields.slice(0, 4).join(' ')} ${body.length} ${crc32(body).toString(16)}\n`), body]));
    expect((await validatedConfig(DEMO, cache, NOW)).fromCache).toBe(false);
    expect(fs.readdirSync(dir).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('works without a writable cache folder (validates every time)', async () => {
    const blocker = path.join(dir, 'file');
    fs.writeFileSync(blocker, 'x');
    const cache = { dir: path.join(blocker, 'sub'), toolVersion: VERSION };
    for (let i = 0; i < 2; i++) {
      const r = await validatedConfig(DEMO, cache, NOW);
      expect(r.fromCache).toBe(false);
      expect(taken(r)).toStrictEqual(uncached(DEMO, NOW));
    }
  });
});

describe('exactJson', () => {
  it('takes what JSON gives back as it is, and nothing else', () => {
    const plain = { a: [1, 'two', true, null, { b: -1.5 }], c: '' };
    expect(JSON.parse(exactJson(plain)!)).toStrictEqual(plain);
    class Point {
      x = 1;
    }
    const sparse = [1, 2];
    delete sparse[0];
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const value of [{ a: undefined }, [undefined], { d: new Date(0) }, { m: new Map() }, { s: new Set() }, { z: -0 }, { n: NaN }, { i: Infinity }, { p: new Point() }, { f: () => 1 }, sparse, { o: Object.create(null) }, { j: { toJSON: () => 1 } }, { b: 1n }, cycle]) {
      expect(exactJson(value), String(value)).toBeUndefined();
    }
  });
});
