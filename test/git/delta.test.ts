/**
 * Delta resolution: the WebAssembly module is the one delta.wat assembles to; it and the JavaScript
 * path give git's bytes on real packs (deep chains, objects too large for the scratch memory), and the
 * same error, in Git's terms, for every way a delta can be damaged — on packs written here byte by
 * byte, since git never writes a damaged one.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { deflateSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openRepository, type FsLike } from '../../src/git/index.js';
import { deltaEngine, useWasmDelta } from '../../src/git/delta-wasm.js';
import { CorruptObjectError, ObjectDatabase } from '../../src/git/object-database.js';
import { assembleDelta } from './assemble-delta.js';
import { commitAll, git, initRepo, removeDir, tempDir } from './helpers.js';

const PATHS = [
  { name: 'WebAssembly', wasm: true },
  { name: 'JavaScript', wasm: false },
];

afterEach(() => useWasmDelta(true));

it('embeds exactly the module delta.wat assembles to', async () => {
  const source = fs.readFileSync(new URL('../../src/git/delta-wasm.ts', import.meta.url), 'utf8');
  const embedded = /const MODULE_BASE64 =\s*'([^']+)'/.exec(source)?.[1];
  expect(embedded).toBe(Buffer.from(await assembleDelta()).toString('base64'));
});

// --- a pack written byte by byte ---------------------------------------------------------------

const OFS_DELTA = 6;
const BLOB = 3;

function sha1(...parts: Buffer[]): Buffer {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

const blobId = (content: Buffer) => sha1(Buffer.from(`blob ${content.length}\0`), content).toString('hex');

function varint(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    bytes.push(byte);
  } while (value > 0);
  return bytes;
}

/** A copy instruction: only the non-zero offset and size bytes are written, as git does. */
function copy(offset: number, size: number): number[] {
  let op = 0x80;
  const operands: number[] = [];
  for (let i = 0; i < 4; i++) {
    const byte = (offset >>> (8 * i)) & 0xff;
    if (byte) {
      op |= 1 << i;
      operands.push(byte);
    }
  }
  for (let i = 0; i < 3; i++) {
    const byte = (size >>> (8 * i)) & 0xff;
    if (byte) {
      op |= 0x10 << i;
      operands.push(byte);
    }
  }
  return [op, ...operands];
}

const insert = (text: string) => [text.length, ...Buffer.from(text)];
const delta = (baseSize: number, targetSize: number, ...instructions: number[][]) => Buffer.from([...varint(baseSize), ...varint(targetSize), ...instructions.flat()]);

type Entry = { id: string; content: Buffer } & ({ kind: 'blob' } | { kind: 'delta'; base: number });

function entryHeader(kind: number, size: number): number[] {
  const bytes = [(kind << 4) | (size & 15)];
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes[bytes.length - 1]! |= 0x80;
    bytes.push(rest & 0x7f);
    rest = Math.floor(rest / 128);
  }
  return bytes;
}

/** Git's offset encoding for OFS_DELTA (big-endian groups of 7 bits, each but the last one less). */
function baseDistance(distance: number): number[] {
  const bytes = [distance & 127];
  while ((distance = Math.floor(distance / 128)) > 0) bytes.unshift(0x80 | (--distance & 127));
  return bytes;
}

/** Writes `objects/pack/pack-test.{pack,idx}` (index version 1) holding `entries` in order; returns the entries' offsets. */
function writePack(gitdir: string, entries: Entry[], damage: (pack: Buffer) => Buffer = (pack) => pack): number[] {
  const chunks: Buffer[] = [Buffer.from('PACK'), Buffer.from([0, 0, 0, 2]), Buffer.alloc(4)];
  chunks[2]!.writeUInt32BE(entries.length);
  let at = 12;
  const offsets: number[] = [];
  for (const entry of entries) {
    offsets.push(at);
    const header =
      entry.kind === 'blob' ? entryHeader(BLOB, entry.content.length) : [...entryHeader(OFS_DELTA, entry.content.length), ...baseDistance(at - offsets[entry.base]!)];
    const chunk = Buffer.concat([Buffer.from(header), deflateSync(entry.content)]);
    chunks.push(chunk);
    at += chunk.length;
  }
  const body = Buffer.concat(chunks);
  const pack = damage(Buffer.concat([body, sha1(body)]));
  const sorted = entries.map((entry, i) => ({ id: Buffer.from(entry.id, 'hex'), offset: offsets[i]! })).sort((a, b) => Buffer.compare(a.id, b.id));
  const fanout = Buffer.alloc(256 * 4);
  for (let byte = 0; byte < 256; byte++) fanout.writeUInt32BE(sorted.filter((e) => e.id[0]! <= byte).length, byte * 4);
  const rows = sorted.map((e) => {
    const row = Buffer.alloc(24);
    row.writeUInt32BE(e.offset);
    e.id.copy(row, 4);
    return row;
  });
  const index = Buffer.concat([fanout, ...rows, sha1(body)]);
  fs.mkdirSync(`${gitdir}/objects/pack`, { recursive: true });
  fs.writeFileSync(`${gitdir}/objects/pack/pack-test.pack`, pack);
  fs.writeFileSync(`${gitdir}/objects/pack/pack-test.idx`, Buffer.concat([index, sha1(index)]));
  return offsets;
}

describe('deltas in a pack written here', () => {
  let gitdir: string;
  beforeAll(() => {
    gitdir = tempDir('oclhub-delta-');
  });
  afterAll(() => removeDir(gitdir));

  const base = Buffer.from('step "deploy" {\n    name = "Deploy"\n}\n'.repeat(8));
  const target = Buffer.concat([base.subarray(0, 100), Buffer.from('inserted\n'), base.subarray(200)]);
  const good = delta(base.length, target.length, copy(0, 100), insert('inserted\n'), copy(200, base.length - 200));
  /** Made-up ids for damaged targets (nothing hashes to them). */
  const fake = (n: number) => n.toString(16).padStart(40, 'f');

  const damaged: Array<[string, Buffer, string]> = [
    ['a copy outside the base', delta(base.length, 120, copy(base.length - 10, 20), insert('x'.repeat(100))), 'a delta copies outside its base'],
    ['a copy past the target size', delta(base.length, 10, copy(0, 20)), 'a delta copies outside its base'],
    ['an insert past the delta', Buffer.concat([delta(base.length, 50), Buffer.from([50]), Buffer.from('short')]), 'a delta inserts past its end'],
    ['an insert past the target size', delta(base.length, 3, insert('four')), 'a delta inserts past its end'],
    ['the reserved instruction', delta(base.length, 1, [0], insert('x')), 'a delta holds a reserved instruction'],
    ['a copy cut off in its operands', Buffer.concat([delta(base.length, 300), Buffer.from([0x80 | 0x01 | 0x10, 7])]), "a delta's last instruction runs past its end"],
    ['a base of another size', delta(base.length + 1, 4, insert('four')), `a delta expects a base of ${base.length + 1} bytes, the base has ${base.length}`],
    ['fewer bytes than it says', delta(base.length, 50, insert('x')), 'a delta produced 1 bytes, it says 50'],
    ['a header cut short', Buffer.from([0x80 | 5]), 'a delta ends inside its header'],
  ];

  it('refuses a pack index whose fan-out table is damaged, never answering "missing"', async () => {
    writePack(gitdir, [{ kind: 'blob', id: blobId(base), content: base }]);
    const file = `${gitdir}/objects/pack/pack-test.idx`;
    const index = fs.readFileSync(file);
    const first = Buffer.from(blobId(base), 'hex')[0]!;
    index.writeUInt32BE(1000, first * 4);
    fs.writeFileSync(file, index);
    const odb = new ObjectDatabase(fs as unknown as FsLike, gitdir);
    await expect(odb.read(blobId(base))).rejects.toThrow(new CorruptObjectError('the pack index pack-test.idx is damaged (its fan-out table)'));
  });

  for (const { name, wasm } of PATHS) {
    it(`resolves a chain and refuses every damaged delta with git's reason (${name})`, async () => {
      useWasmDelta(wasm);
      const second = Buffer.concat([target, Buffer.from('appended\n')]);
      const entries: Entry[] = [
        { kind: 'blob', id: blobId(base), content: base },
        { kind: 'delta', base: 0, id: blobId(target), content: good },
        ...damaged.map(([, content], i): Entry => ({ kind: 'delta', base: 0, id: fake(i), content })),
        // A chain (a delta on a delta), last in the pack: just before the trailer.
        { kind: 'delta', base: 1, id: blobId(second), content: delta(target.length, second.length, copy(0, target.length), insert('appended\n')) },
      ];
      writePack(gitdir, entries);
      const odb = new ObjectDatabase(fs as unknown as FsLike, gitdir);
      expect((await odb.read(blobId(second))).content.equals(second)).toBe(true);
      expect((await odb.read(blobId(target))).content.equals(target)).toBe(true);
      for (const [i, [what, , reason]] of damaged.entries()) {
        const error = await odb.read(fake(i)).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, what).toBeInstanceOf(CorruptObjectError);
        expect((error as Error).message, what).toBe(reason);
      }
    });

    it(`refuses a pack cut short inside its last entry, and reads the entries before the cut (${name})`, async () => {
      useWasmDelta(wasm);
      const entries: Entry[] = [
        { kind: 'blob', id: blobId(base), content: base },
        { kind: 'delta', base: 0, id: blobId(target), content: good },
      ];
      const offsets = writePack(gitdir, entries, (pack) => pack.subarray(0, pack.length - 20 - 6));
      const odb = new ObjectDatabase(fs as unknown as FsLike, gitdir);
      expect((await odb.read(blobId(base))).content.equals(base)).toBe(true);
      const error = await odb.read(blobId(target)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CorruptObjectError);
      expect((error as Error).message).toMatch(/^the pack entry at offset \d+ does not decompress to the \d+ bytes its header says$/);
      expect(Number(/offset (\d+)/.exec((error as Error).message)![1])).toBeGreaterThan(offsets[1]!);
    });
  }
});

// --- real packs --------------------------------------------------------------------------------

describe('deltas git wrote', () => {
  let dir: string;
  beforeAll(() => {
    dir = initRepo();
    const big = (round: number) => `${'a line of a large generated file\n'.repeat(160_000)}round ${round}\n`;
    for (let round = 0; round < 4; round++) {
      const files: Record<string, string> = { 'large.txt': big(round), 'medium.txt': big(round).slice(-1_500_000) };
      for (let p = 0; p < 20; p++) files[`projects/p${p}/deployment_process.ocl`] = `step "p${p}" {\n${'    x = "y"\n'.repeat(50 + p)}    round = ${round}\n}\n`;
      commitAll(dir, files, `round ${round}`);
    }
    git(dir, ['repack', '-adfq', '--depth=50', '--window=50']);
  });
  afterAll(() => removeDir(dir));

  it('gives back the scratch memory grown for a large object, and keeps it for small ones', async () => {
    const store = await openRepository({ dir });
    await store.readFile('main~1', 'projects/p3/deployment_process.ocl');
    const engine = deltaEngine();
    await store.readFile('main~1', 'projects/p4/deployment_process.ocl');
    expect(deltaEngine()).toBe(engine);
    // 1.5 MB, stored as a delta at all but one commit: base, instructions and target need about 3 MB of scratch memory.
    for (const ref of ['main', 'main~1', 'main~2', 'main~3']) expect((await store.readFile(ref, 'medium.txt')).byteLength).toBeGreaterThan(1_400_000);
    expect(deltaEngine()).not.toBe(engine);
    expect(deltaEngine()!.reserve(0).byteLength).toBeLessThan(1 << 20);
  });

  for (const { name, wasm } of PATHS) {
    it(`reads every file at every commit as git show does, large ones beyond the scratch memory too (${name})`, async () => {
      useWasmDelta(wasm);
      const store = await openRepository({ dir });
      let read = 0;
      for (let back = 0; back < 4; back++) {
        const ref = `main~${back}`;
        for (const file of await store.listFiles(ref)) {
          const bytes = Buffer.from(await store.readFile(ref, file.path));
          expect(bytes.equals(Buffer.from(git(dir, ['show', `${ref}:${file.path}`]))), `${ref}:${file.path}`).toBe(true);
          read++;
        }
      }
      expect(read).toBe(88);
      // The large file (5 MB, so base + delta + target pass the 8 MB scratch limit) is stored as a delta.
      const verify = git(dir, ['verify-pack', '-v', ...fs.readdirSync(`${dir}/.git/objects/pack`).filter((f) => f.endsWith('.idx')).map((f) => `.git/objects/pack/${f}`)]);
      const large = new Set(['main', 'main~1', 'main~2', 'main~3'].map((ref) => git(dir, ['rev-parse', `${ref}:large.txt`]).trim()));
      expect(verify.split('\n').filter((line) => large.has(line.split(' ')[0]!) && /blob\s+\d+\s+\d+\s+\d+\s+\d+\s+[0-9a-f]{40}/.test(line)).length).toBeGreaterThan(0);
    });
  }
});
