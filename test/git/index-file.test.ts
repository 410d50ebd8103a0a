/**
 * Git's index file as index-file.ts reads it: `parseIndex` (worktree-follow.ts rewrites entries and
 * refuses an index it cannot rewrite safely) and `indexedBlobs` (the cold working-tree check, which takes
 * nothing it cannot vouch for) share one walk over the file. Each damaged layout is refused by both; bytes
 * left over after the extensions are refused by `indexedBlobs` only (`parseIndex` has always taken them).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IndexFormatError, indexedBlobs, makeEntry, parseIndex, serializeIndex, type EntryStat, type IndexFile } from '../../src/git/index-file.js';
import { git, initRepo, removeDir } from './helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

const STAT: EntryStat = { ctimeMs: 1_000_000, mtimeMs: 1_000_000, dev: 1, ino: 2, mode: 0o100644, uid: 0, gid: 0, size: 5 };
const OID = 'ce013625030ba8dba906f756967f9e9ca394464a';
/** Long after the entries' times: no entry is racily clean. */
const INDEX_MTIME = 2_000_000;

function indexOf(paths: string[], version: 2 | 3 | 4 = 2, extensions: Buffer[] = []): IndexFile {
  return { version, entries: paths.map((p) => makeEntry(p, OID, STAT, false)), extensions };
}

/** `body` (an index without its checksum) with the checksum Git would write. */
function withChecksum(body: Buffer): Buffer {
  return Buffer.concat([body, createHash('sha1').update(body).digest()]);
}

function bodyOf(data: Buffer): Buffer {
  return data.subarray(0, data.length - 20);
}

function extension(signature: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(signature, 0, 'latin1');
  head.writeUInt32BE(data.length, 4);
  return Buffer.concat([head, data]);
}

/** What each reader makes of `data`: parseIndex's error message (or 'ok'), and whether indexedBlobs takes it. */
function read(data: Buffer): { parsed: string; indexed: boolean } {
  let parsed = 'ok';
  try {
    parseIndex(data);
  } catch (error) {
    expect(error).toBeInstanceOf(IndexFormatError);
    parsed = (error as Error).message;
  }
  return { parsed, indexed: indexedBlobs(data, INDEX_MTIME) !== undefined };
}

const FILE = { ...STAT, isFile: () => true };

describe('parseIndex and indexedBlobs', () => {
  it('read the index Git writes, in versions 2, 3 and 4, as the same entries', () => {
    const dir = initRepo({ 'a.ocl': 'a\n', 'dir/b.ocl': 'b\n', 'dir/sub/c.ocl': 'c\n', 'résumé.ocl': 'd\n' });
    dirs.push(dir);
    const file = path.join(dir, '.git/index');
    const paths = (data: Buffer) => parseIndex(data).entries.map((e) => Buffer.from(e.path, 'latin1').toString('utf8'));
    const blob = (data: Buffer, name: string) => {
      // Read a second after the files were written: no entry is racily clean.
      return indexedBlobs(data, fs.statSync(file).mtimeMs + 2000)?.blobOf(name, fs.statSync(path.join(dir, name)));
    };
    const committed = (name: string) => git(dir, ['rev-parse', `HEAD:${name}`]).trim();
    const v2 = fs.readFileSync(file);
    expect(parseIndex(v2).version).toBe(2);
    expect(paths(v2)).toEqual(['a.ocl', 'dir/b.ocl', 'dir/sub/c.ocl', 'résumé.ocl']);
    expect(blob(v2, 'dir/sub/c.ocl')).toBe(committed('dir/sub/c.ocl'));
    expect(blob(v2, 'résumé.ocl')).toBe(committed('résumé.ocl'));
    // Version 3: an intent-to-add entry has extended flags (and vouches for nothing).
    fs.writeFileSync(path.join(dir, 'new.ocl'), 'n\n');
    git(dir, ['add', '-N', 'new.ocl']);
    const v3 = fs.readFileSync(file);
    expect(parseIndex(v3).version).toBe(3);
    expect(paths(v3)).toEqual(['a.ocl', 'dir/b.ocl', 'dir/sub/c.ocl', 'new.ocl', 'résumé.ocl']);
    expect(blob(v3, 'new.ocl')).toBeUndefined();
    expect(blob(v3, 'dir/sub/c.ocl')).toBe(committed('dir/sub/c.ocl'));
    // Version 4: paths compressed against the previous one.
    git(dir, ['update-index', '--index-version', '4']);
    const v4 = fs.readFileSync(file);
    expect(parseIndex(v4).version).toBe(4);
    expect(paths(v4)).toEqual(paths(v3));
    expect(blob(v4, 'dir/sub/c.ocl')).toBe(committed('dir/sub/c.ocl'));
    expect(blob(v4, 'résumé.ocl')).toBe(committed('résumé.ocl'));
    // Written back, it reads as the same entries.
    expect(parseIndex(serializeIndex(parseIndex(v4))).entries).toEqual(parseIndex(v4).entries);
  });

  it('both refuse a file that is not an index, a damaged or left-out checksum, an unknown version', () => {
    const good = serializeIndex(indexOf(['a.ocl', 'b.ocl']));
    expect(read(good)).toEqual({ parsed: 'ok', indexed: true });
    expect(indexedBlobs(good, INDEX_MTIME)?.blobOf('a.ocl', FILE)).toBe(OID);
    expect(read(good.subarray(0, 31))).toEqual({ parsed: 'not a Git index file', indexed: false });
    const notDirc = Buffer.from(good);
    notDirc.write('DIRX', 0, 'latin1');
    expect(read(notDirc)).toEqual({ parsed: 'not a Git index file', indexed: false });
    const flipped = Buffer.from(good);
    flipped[20] = flipped[20]! ^ 1;
    expect(read(flipped)).toEqual({ parsed: 'the index checksum does not match (a damaged index)', indexed: false });
    // index.skipHash: Git writes zeros instead of the checksum.
    expect(read(Buffer.concat([bodyOf(good), Buffer.alloc(20)]))).toEqual({ parsed: 'the index checksum does not match (a damaged index)', indexed: false });
    const v5 = Buffer.from(bodyOf(good));
    v5.writeUInt32BE(5, 4);
    expect(read(withChecksum(v5))).toEqual({ parsed: 'index version 5 is not supported', indexed: false });
  });

  it('both refuse entries that run past the checksum, however they are cut', () => {
    for (const version of [2, 4] as const) {
      const good = bodyOf(serializeIndex(indexOf(['a.ocl', 'dir/b.ocl'], version)));
      // One entry more than the file holds.
      const more = Buffer.from(good);
      more.writeUInt32BE(3, 8);
      expect(read(withChecksum(more)), `v${version} count`).toEqual({ parsed: 'the index is truncated', indexed: false });
      // Cut inside the last entry's fixed part, inside its path, and just before its path's NUL.
      for (const cut of [12 + 62 + 20, good.length - 4, good.length - 1]) {
        const result = read(withChecksum(good.subarray(0, cut)));
        expect(result.indexed, `v${version} cut at ${cut}`).toBe(false);
        expect(result.parsed, `v${version} cut at ${cut}`).not.toBe('ok');
      }
    }
  });

  it("both refuse a version 4 path that strips more than the previous path's length", () => {
    const good = bodyOf(serializeIndex(indexOf(['a.ocl', 'b.ocl'], 4)));
    // The second entry's strip count (one byte after its 62-byte head) says 9 bytes of a 5-byte path.
    const second = 12 + 62 + 1 + 'a.ocl'.length + 1;
    const damaged = Buffer.from(good);
    expect(damaged[second + 62]).toBe(5);
    damaged[second + 62] = 9;
    expect(read(withChecksum(damaged))).toEqual({ parsed: 'damaged path in the index', indexed: false });
  });

  it('both refuse an extension a reader must understand (split or sparse index) or one cut short', () => {
    const link = serializeIndex(indexOf(['a.ocl'], 2, [extension('link', Buffer.alloc(20))]));
    expect(read(link)).toEqual({ parsed: 'the index uses the "link" extension (split or sparse index), which oclhub cannot update', indexed: false });
    const cut = Buffer.from(bodyOf(serializeIndex(indexOf(['a.ocl'], 2, [extension('REUC', Buffer.alloc(10))]))));
    cut.writeUInt32BE(11, cut.length - 14);
    expect(read(withChecksum(cut))).toEqual({ parsed: 'index extension REUC is truncated', indexed: false });
    // An optional extension is kept (and TREE dropped, as Git rebuilds it).
    const optional = serializeIndex(indexOf(['a.ocl'], 2, [extension('TREE', Buffer.alloc(3)), extension('REUC', Buffer.alloc(10))]));
    expect(read(optional)).toEqual({ parsed: 'ok', indexed: true });
    expect(parseIndex(optional).extensions.map((e) => e.toString('latin1', 0, 4))).toEqual(['REUC']);
  });

  it('leaves bytes after the extensions, too few for another, to parseIndex to take and indexedBlobs to refuse', () => {
    const stray = withChecksum(Buffer.concat([bodyOf(serializeIndex(indexOf(['a.ocl']))), Buffer.from([1, 2, 3, 4])]));
    expect(read(stray)).toEqual({ parsed: 'ok', indexed: false });
    expect(parseIndex(stray).entries.map((e) => e.path)).toEqual(['a.ocl']);
  });

  it('vouches only for entries Git compares with their files, named once, in valid UTF-8', () => {
    const index = indexOf(['a.ocl', 'b.ocl', 'b.ocl', 'c.ocl']);
    index.entries[3]!.head.writeUInt16BE(index.entries[3]!.head.readUInt16BE(60) | 0x8000, 60); // assume-valid
    const invalid = makeEntry('\xff.ocl', OID, STAT, false);
    index.entries.push(invalid);
    const blobs = indexedBlobs(serializeIndex(index), INDEX_MTIME)!;
    expect(blobs.blobOf('a.ocl', FILE)).toBe(OID);
    expect(blobs.blobOf('b.ocl', FILE)).toBeUndefined();
    expect(blobs.blobOf('c.ocl', FILE)).toBeUndefined();
    expect(blobs.blobOf('\ufffd.ocl', FILE)).toBeUndefined();
    expect(blobs.blobOf('a.ocl', { ...FILE, size: 6 })).toBeUndefined();
    // Racily clean: modified in the second the index was written.
    expect(indexedBlobs(serializeIndex(index), STAT.mtimeMs)!.blobOf('a.ocl', FILE)).toBeUndefined();
  });
});
