/**
 * Reads Git objects the way `git cat-file` does, in process: pack indexes (versions 1 and 2) searched by
 * binary search, pack entries and loose files inflated with node's native zlib, deltas applied in
 * WebAssembly (delta-wasm.ts; in JavaScript here for objects too large for its scratch memory).
 * isomorphic-git's reader, which this replaces for reads, inflates in JavaScript, copies every buffer
 * a few times and probes the loose-object folder of every object before looking in the packs; in a
 * packed repository (every clone, every repository after `git gc`) that was most of a cold read.
 *
 * Order, as Git's: the packs first (a packed repository never touches `objects/xx/`), then the loose
 * file. A miss is not final: packs and loose files appear when another process fetches, repacks or
 * commits, so the caller calls `invalidate()` (the pack listing is read again) and retries once.
 *
 * Once the pack listing and a pack are loaded, its objects are read synchronously (`readNow`): a cold
 * read of a few thousand objects otherwise spends much of its time handing promises down a dozen
 * async calls per object (repo.ts readObjectNow).
 *
 * JavaScript and WebAssembly over node's zlib (one reused native inflate stream, inflate.ts) and the
 * store's fs (node's, or memfs's): no Git installation is needed. A long-lived `git cat-file --batch` was the
 * other candidate: it would need Git, a process per store, and a round trip per tree on every walk.
 *
 * Loose objects are checked against their id (a crash can leave an empty or truncated file; Git's
 * own readers trust the name, isomorphic-git checks it, and so do we). Packed objects are not hashed
 * (Git does not either): a pack is written whole and renamed into place.
 */
import * as nodeFs from 'node:fs';
import { errnoCode } from './errors.js';
import { deltaEngine, LIMIT_BYTES, REASONS } from './delta-wasm.js';
import { inflateInto, inflateSized } from './inflate.js';
import { checkLooseObject, checkLooseObjectSync } from './loose-objects.js';
import { LruMap } from './lru.js';
import type { FsLike } from './repo.js';

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

export interface RawObject {
  type: ObjectType;
  /** The object's content (no header). Owned by the caller: nothing else holds it. */
  content: Buffer;
}

/** Thrown for an object that is present but cannot be read (the message says why, in Git's terms). */
export class CorruptObjectError extends Error {
  override name = 'CorruptObjectError';
}

/** Inside readPacked: a delta's base is outside the pack and not loaded yet. */
class NeedsBase extends Error {
  constructor(readonly oid: string) {
    super(`delta base ${oid} is not loaded`);
  }
}

/** Thrown for an object that is in no pack and has no loose file (isomorphic-git's name, which repo.ts tests for). */
export class ObjectNotFoundError extends Error {
  override name = 'NotFoundError';
  constructor(readonly oid: string) {
    super(`Could not find ${oid}.`);
  }
}

/**
 * Packs up to this size are read synchronously on node's fs. A cold read waits for the pack listing,
 * the index and the pack in turn; through the thread pool each is a hand-off that costs milliseconds
 * of waiting for a core on a busy machine (bench/git.ts saw 2-3x its CPU time as wall time), and a
 * read of a few MB blocks the event loop for about a millisecond once per pack. Larger packs stay
 * asynchronous.
 */
const SYNC_PACK_BYTES = 16 << 20;

/** Budget of resolved delta bases kept per repository (as Git's delta_base_cache). */
const DELTA_BASE_BYTES = 16 << 20;
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
const TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;

interface Pack {
  name: string;
  /** Added to an entry's offset for its key in the delta base cache (numbers hash faster than `name:offset`). */
  keyBase: number;
  /** The whole .idx file. */
  index: Buffer;
  count: number;
  /** Where the fan-out table, the ids (every `idStride` bytes) and the offsets start in `index`. */
  fanoutAt: number;
  idsAt: number;
  idStride: number;
  offsetsAt: number;
  /** Where version 2's 8-byte offsets start; -1 for version 1 (4-byte offsets beside the ids). */
  largeAt: number;
  /** The .pack file, read on the first object taken from it. */
  data?: Promise<Buffer>;
  /** The same, once read: objects are then read without waiting (readNow). */
  loaded?: Buffer;
}

interface Located {
  pack: Pack;
  offset: number;
}

export class ObjectDatabase {
  private packs: Promise<Pack[]> | undefined;
  /** The same listing, once read. */
  private listed: Pack[] | undefined;
  private readonly packDir: string;
  /** Keyed by pack entry (a number, Pack.keyBase + offset) or, for a thin pack's outside base, by oid. */
  private readonly bases = new LruMap<number | string, RawObject>();
  private baseBytes = 0;
  private readonly packNumbers = new Map<string, number>();

  /** `onNodeFs`: `fs` is node's own, so its synchronous calls may be used for the pack listing and small packs. */
  constructor(
    private readonly fs: FsLike,
    private readonly gitdir: string,
    private readonly onNodeFs = false,
  ) {
    this.packDir = `${gitdir}/objects/pack`;
  }

  /** Forget the pack listing (new packs appear after a fetch or a repack). Loaded packs stay valid. */
  invalidate(): void {
    this.packs = undefined;
    this.listed = undefined;
  }

  /** The object, or ObjectNotFoundError; CorruptObjectError when it is present but cannot be read. */
  async read(oid: string): Promise<RawObject> {
    if (oid === EMPTY_TREE) return { type: 'tree', content: Buffer.alloc(0) };
    const id = Buffer.from(oid, 'hex');
    const found = this.locate(await this.loadPacks(), id);
    if (found) return this.readPacked(found.pack, found.offset);
    const loose = await this.readLoose(oid);
    if (loose) return loose;
    throw new ObjectNotFoundError(oid);
  }

  /**
   * The object if it can be read without waiting: the pack listing and the pack holding it are already
   * loaded (every read after the first few of a cold read). Undefined otherwise — also when it cannot
   * be read at all: `read` then says why, so errors have one path.
   */
  readNow(oid: string): RawObject | undefined {
    const packs = this.listed;
    if (packs === undefined || oid.length !== 40) return undefined;
    const found = this.locate(packs, Buffer.from(oid, 'hex'));
    const data = found?.pack.loaded;
    if (found === undefined || data === undefined) return undefined;
    try {
      return this.readAt(found.pack, data, found.offset, 0);
    } catch {
      return undefined;
    }
  }

  private loadPacks(): Promise<Pack[]> {
    if (this.packs === undefined) {
      const packs = this.listPacks();
      this.packs = packs;
      packs.then(
        (list) => {
          if (this.packs === packs) this.listed = list;
        },
        () => undefined,
      );
    }
    return this.packs;
  }

  private async listPacks(): Promise<Pack[]> {
    let names: string[];
    try {
      names = (this.onNodeFs ? nodeFs.readdirSync(this.packDir) : ((await this.fs.promises.readdir(this.packDir)) as unknown[])).map(String);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return [];
      throw error;
    }
    const present = new Set(names);
    const packs: Pack[] = [];
    for (const name of names.sort()) {
      if (!name.endsWith('.idx') || !present.has(`${name.slice(0, -4)}.pack`)) continue;
      const file = `${this.packDir}/${name}`;
      const index = this.onNodeFs ? nodeFs.readFileSync(file) : Buffer.from(await this.fs.promises.readFile(file));
      const pack = parseIndex(name.slice(0, -4), index, this.packNumber(name));
      if (pack === undefined) throw new CorruptObjectError(`the pack index ${name} is of a version this reader does not know, or damaged`);
      packs.push(pack);
    }
    return packs;
  }

  /** A number per pack name, kept across listings: the base cache's keys must not move when packs come and go. */
  private packNumber(name: string): number {
    let number = this.packNumbers.get(name);
    if (number === undefined) this.packNumbers.set(name, (number = this.packNumbers.size));
    return number;
  }

  private locate(packs: readonly Pack[], id: Buffer): Located | undefined {
    for (const pack of packs) {
      const at = findInIndex(pack, id);
      if (at >= 0) return { pack, offset: packOffset(pack, at) };
    }
    return undefined;
  }

  private async readLoose(oid: string): Promise<RawObject | undefined> {
    const file = `${this.gitdir}/objects/${oid.slice(0, 2)}/${oid.slice(2)}`;
    const found = this.onNodeFs ? checkLooseObjectSync(file, oid) : await checkLooseObject(this.fs, file, oid);
    if (found.state === 'absent') return undefined;
    if (found.state === 'corrupt') throw new CorruptObjectError(found.reason);
    return { type: found.type, content: found.content };
  }

  private async readPacked(pack: Pack, offset: number): Promise<RawObject> {
    if (pack.data === undefined) {
      const loading = this.loadPack(`${this.packDir}/${pack.name}.pack`);
      pack.data = loading;
      loading.then(
        (bytes) => (pack.loaded = bytes),
        () => undefined,
      );
    }
    const data = await pack.data;
    // Synchronous from here: a delta chain is resolved in one go, so concurrent reads of objects that
    // share bases find them in the base cache instead of each inflating the whole chain again.
    for (;;) {
      try {
        return this.readAt(pack, data, offset, 0);
      } catch (error) {
        if (!(error instanceof NeedsBase)) throw error;
        // A thin pack's delta against an object stored elsewhere (another pack, a loose file).
        const base = await this.read(error.oid);
        this.remember(error.oid, base);
      }
    }
  }

  private loadPack(file: string): Promise<Buffer> {
    if (this.onNodeFs) {
      try {
        if (nodeFs.statSync(file).size <= SYNC_PACK_BYTES) return Promise.resolve(nodeFs.readFileSync(file));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.fs.promises.readFile(file).then((bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  private readAt(pack: Pack, data: Buffer, offset: number, depth: number): RawObject {
    if (depth > 4096) throw new CorruptObjectError('a delta chain in the pack does not end');
    const key = pack.keyBase + offset;
    const base = this.bases.get(key);
    if (base) return base;
    if (offset + 2 > data.length - 20) throw new CorruptObjectError(`the pack has no object at offset ${offset}`);
    let at = offset;
    let byte = data[at++]!;
    const kind = (byte >> 4) & 7;
    let size = byte & 15;
    let shift = 4;
    while (byte & 0x80) {
      byte = data[at++]!;
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    }
    let result: RawObject;
    if (kind === OFS_DELTA || kind === REF_DELTA) {
      let baseObject: RawObject;
      if (kind === OFS_DELTA) {
        byte = data[at++]!;
        let distance = byte & 0x7f;
        while (byte & 0x80) {
          byte = data[at++]!;
          distance = (distance + 1) * 128 + (byte & 0x7f);
        }
        baseObject = this.readAt(pack, data, offset - distance, depth + 1);
      } else {
        const baseId = data.subarray(at, at + 20);
        at += 20;
        const inPack = findInIndex(pack, baseId);
        if (inPack >= 0) baseObject = this.readAt(pack, data, packOffset(pack, inPack), depth + 1);
        else {
          const oid = baseId.toString('hex');
          const external = this.bases.get(oid);
          if (!external) throw new NeedsBase(oid);
          baseObject = external;
        }
      }
      result = { type: baseObject.type, content: resolveDelta(baseObject.content, data, at, size) };
      this.remember(key, result);
    } else {
      const type = TYPES[kind];
      if (type === undefined) throw new CorruptObjectError(`the pack holds an object of unknown type ${kind} at offset ${offset}`);
      result = { type, content: inflateEntry(data, at, size) };
      // A whole entry is kept only as a base (read for a delta); one read for itself goes to the object cache.
      if (depth > 0) this.remember(key, result);
    }
    // A base handed out is also kept here: callers treat object bytes as read-only (GitStore.readFile says so).
    return result;
  }

  private remember(key: number | string, object: RawObject): void {
    const bytes = object.content.byteLength + 64;
    if (bytes > DELTA_BASE_BYTES / 4) return;
    const previous = this.bases.set(key, object);
    this.baseBytes += bytes - (previous ? previous.content.byteLength + 64 : 0);
    while (this.baseBytes > DELTA_BASE_BYTES) {
      const [oldest, entry] = this.bases.oldest()!;
      this.bases.delete(oldest);
      this.baseBytes -= entry.content.byteLength + 64;
    }
  }
}

/**
 * A pack index: version 2 (what `git index-pack` writes) or version 1 (older Git, or
 * `pack.indexVersion=1`); undefined for anything else.
 */
function parseIndex(name: string, index: Buffer, ordinal: number): Pack | undefined {
  // Offsets below 2^40 (a terabyte of pack) and a few thousand packs stay exact (below 2^53).
  const keyBase = ordinal * 2 ** 40;
  if (index.length >= 8 && index.readUInt32BE(0) === 0xff744f63) {
    if (index.readUInt32BE(4) !== 2 || index.length < 8 + 256 * 4 + 40) return undefined;
    const count = index.readUInt32BE(8 + 255 * 4);
    const idsAt = 8 + 256 * 4;
    const offsetsAt = idsAt + count * 24;
    const largeAt = offsetsAt + count * 4;
    if (index.length < largeAt + 40) return undefined;
    return { name, keyBase, index, count, fanoutAt: 8, idsAt, idStride: 20, offsetsAt, largeAt };
  }
  // Version 1: the fan-out table, then (4-byte offset, 20-byte id) per object.
  if (index.length < 256 * 4 + 40) return undefined;
  const count = index.readUInt32BE(255 * 4);
  if (index.length < 256 * 4 + count * 24 + 40) return undefined;
  return { name, keyBase, index, count, fanoutAt: 0, idsAt: 256 * 4 + 4, idStride: 24, offsetsAt: 256 * 4, largeAt: -1 };
}

/** The position of `id` in the index (binary search within its first byte's fan-out bucket), or -1. */
function findInIndex(pack: Pack, id: Buffer): number {
  if (id.length !== 20) return -1;
  const { index, idsAt, idStride, fanoutAt } = pack;
  const first = id[0]!;
  let low = first === 0 ? 0 : index.readUInt32BE(fanoutAt + (first - 1) * 4);
  let high = index.readUInt32BE(fanoutAt + first * 4);
  if (high > pack.count || low > high) throw new CorruptObjectError(`the pack index ${pack.name}.idx is damaged (its fan-out table)`);
  while (low < high) {
    const mid = (low + high) >>> 1;
    const order = compareId(id, index, idsAt + mid * idStride);
    if (order === 0) return mid;
    if (order < 0) high = mid;
    else low = mid + 1;
  }
  return -1;
}

/**
 * `id` against the 20 bytes of `index` at `at`. Ids differ within their first bytes, so a loop here
 * ends in a few steps, where Buffer#compare is a call into C++ each time (a dozen per lookup).
 */
function compareId(id: Buffer, index: Buffer, at: number): number {
  for (let i = 0; i < 20; i++) {
    const difference = id[i]! - index[at + i]!;
    if (difference !== 0) return difference;
  }
  return 0;
}

function packOffset(pack: Pack, position: number): number {
  if (pack.largeAt < 0) return pack.index.readUInt32BE(pack.offsetsAt + position * 24);
  const small = pack.index.readUInt32BE(pack.offsetsAt + position * 4);
  if ((small & 0x80000000) === 0) return small;
  const large = pack.largeAt + (small & 0x7fffffff) * 8;
  return pack.index.readUInt32BE(large) * 2 ** 32 + pack.index.readUInt32BE(large + 4);
}

/** Inflates the zlib stream at `at` (zlib stops at the stream's end: what follows is the next entry). */
function inflateEntry(data: Buffer, at: number, size: number): Buffer {
  const out = inflateSized(data, at, data.length - 20, size);
  if (out === undefined) throw undecompressable(at, size);
  return out;
}

function undecompressable(at: number, size: number): CorruptObjectError {
  return new CorruptObjectError(`the pack entry at offset ${at} does not decompress to the ${size} bytes its header says`);
}

/**
 * A delta entry's content: its instructions (the zlib stream at `at`, `size` bytes inflated) applied to
 * `base`. In WebAssembly (delta-wasm.ts) when it fits its scratch memory: base, instructions and
 * target laid out there, the instructions inflated straight into it; otherwise in JavaScript.
 */
function resolveDelta(base: Buffer, data: Buffer, at: number, size: number): Buffer {
  const engine = deltaEngine();
  if (engine === null || base.length + size + 1 > LIMIT_BYTES) return applyDelta(base, inflateEntry(data, at, size));
  try {
    const deltaAt = base.length;
    const outAt = deltaAt + size;
    let heap = engine.reserve(outAt + 1);
    if (!inflateInto(data, at, data.length - 20, size, heap, deltaAt)) throw undecompressable(at, size);
    const header = readDeltaHeader(heap, deltaAt, outAt, base.length);
    const outEnd = outAt + header.targetSize;
    if (outEnd > LIMIT_BYTES) return applyDelta(base, Buffer.from(heap.subarray(deltaAt, outAt)));
    heap = engine.reserve(outEnd);
    heap.set(base, 0);
    let end: number;
    try {
      end = engine.apply(0, base.length, header.at, outAt, outAt, outEnd);
    } catch {
      // An operand outside the memory: only a damaged delta's last instruction reads that far.
      end = -4;
    }
    if (end < 0) throw new CorruptObjectError(REASONS[end]!);
    if (end !== outEnd) throw new CorruptObjectError(`a delta produced ${end - outAt} bytes, it says ${header.targetSize}`);
    const out = Buffer.allocUnsafe(header.targetSize);
    out.set(heap.subarray(outAt, outEnd));
    return out;
  } finally {
    engine.release();
  }
}

/** A delta's header: the base's size (which must be `baseSize`) and the target's, as varints; `at` is where the instructions start. */
function readDeltaHeader(delta: Uint8Array, from: number, end: number, baseSize: number): { targetSize: number; at: number } {
  let at = from;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    let byte;
    do {
      if (at >= end) throw new CorruptObjectError('a delta ends inside its header');
      byte = delta[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  const sourceSize = varint();
  const targetSize = varint();
  if (sourceSize !== baseSize) throw new CorruptObjectError(`a delta expects a base of ${sourceSize} bytes, the base has ${baseSize}`);
  return { targetSize, at };
}

/** Git's delta format in JavaScript (objects too large for the WebAssembly scratch memory, or no WebAssembly). */
export function applyDelta(base: Buffer, delta: Buffer): Buffer {
  const { targetSize, at: start } = readDeltaHeader(delta, 0, delta.length, base.length);
  let at = start;
  const out = Buffer.allocUnsafe(targetSize);
  let written = 0;
  while (at < delta.length) {
    const op = delta[at++]!;
    if (op & 0x80) {
      let offset = 0;
      let length = 0;
      if (op & 0x01) offset = delta[at++]!;
      if (op & 0x02) offset |= delta[at++]! << 8;
      if (op & 0x04) offset |= delta[at++]! << 16;
      if (op & 0x08) offset = (offset | (delta[at++]! << 24)) >>> 0;
      if (op & 0x10) length = delta[at++]!;
      if (op & 0x20) length |= delta[at++]! << 8;
      if (op & 0x40) length |= delta[at++]! << 16;
      if (length === 0) length = 0x10000;
      if (at > delta.length) throw new CorruptObjectError(REASONS[-4]!);
      if (offset + length > base.length || written + length > targetSize) throw new CorruptObjectError('a delta copies outside its base');
      copyBytes(base, offset, length, out, written);
      written += length;
    } else if (op !== 0) {
      if (at + op > delta.length || written + op > targetSize) throw new CorruptObjectError('a delta inserts past its end');
      copyBytes(delta, at, op, out, written);
      at += op;
      written += op;
    } else {
      throw new CorruptObjectError('a delta holds a reserved instruction');
    }
  }
  if (written !== targetSize) throw new CorruptObjectError(`a delta produced ${written} bytes, it says ${targetSize}`);
  return out;
}

/**
 * `source[from, from + length)` into `target` at `to`. Deltas are mostly short copies and inserts:
 * Buffer#copy allocates a view per call, which cost more than the copying; a loop does not.
 */
function copyBytes(source: Buffer, from: number, length: number, target: Buffer, to: number): void {
  if (length > 64) {
    target.set(source.subarray(from, from + length), to);
    return;
  }
  for (let i = 0; i < length; i++) target[to + i] = source[from + i]!;
}
