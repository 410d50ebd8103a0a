/**
 * Git's index file (`.git/index`, the "dircache"), read and written byte-compatibly with git for the
 * one thing oclhub does to it: after committing to a checked-out branch, point a few entries at the
 * new blobs, so `git status` is clean and the next `git commit -a` keeps the commit instead of reverting
 * it. Versions 2, 3 and 4 (prefix-compressed paths) are read and written back in the version they came
 * in; every entry and extension not touched is kept byte for byte, except the cache-tree extension
 * (`TREE`), which is optional and would name the old trees — git rebuilds it. An index with a required
 * extension oclhub does not know (split or sparse index) is refused: rewriting it would lose data.
 *
 * Format: Documentation/gitformat-index.txt in git.git.
 */
import { createHash } from 'node:crypto';
import { statTimeMs } from './stat-time.js';

export interface IndexEntry {
  /** Repository path, as raw bytes decoded latin1 (one char per byte: ordering is git's memcmp order). */
  path: string;
  stage: number;
  /** The fixed-size part of the entry (62 bytes, or 64 with extended flags), flags included. */
  head: Buffer;
}

export interface IndexFile {
  version: 2 | 3 | 4;
  entries: IndexEntry[];
  /** Extensions after the entries, raw (signature + size + data), in order. */
  extensions: Buffer[];
}

export class IndexFormatError extends Error {}

const ENTRY_FIXED = 62;
const EXTENDED = 0x4000;

/** An entry of an index as `walkIndex` meets it. */
interface WalkedEntry {
  /** Where the entry starts in the index's bytes. */
  offset: number;
  /** The length of its fixed-size part: 62, or 64 with extended flags (version 3 and later). */
  fixed: number;
  flags: number;
  /** The path's bytes: a view of the index's bytes, or (version 4) the path rebuilt from the previous one. */
  name: Buffer;
}

/** What `walkIndex` found besides the entries. */
interface IndexWalk {
  version: 2 | 3 | 4;
  /** Where the trailing checksum starts. */
  end: number;
  /** Where the last extension ends: `end`, unless fewer bytes than an extension's header are left over. */
  extensionsEnd: number;
}

/**
 * The one reading of an index's layout that `parseIndex` and `indexedBlobs` share: the header, the
 * checksum (a trailer of zeros, `index.skipHash`, does not match), every entry within the bytes before
 * the checksum, and the extensions, none of which may be one a reader must understand (split or sparse
 * index). `entry` is called with each entry in order, `extension` with each extension's start and
 * size. Throws an IndexFormatError on anything else. Bytes left after the extensions, too few for
 * another one, are the caller's to judge (`extensionsEnd`).
 */
function walkIndex(data: Buffer, entry: (walked: WalkedEntry) => void, extension?: (offset: number, size: number) => void): IndexWalk {
  if (data.length < 12 + 20 || data.toString('latin1', 0, 4) !== 'DIRC') throw new IndexFormatError('not a Git index file');
  const trailer = data.subarray(data.length - 20);
  if (trailer.every((byte) => byte === 0) || !createHash('sha1').update(data.subarray(0, data.length - 20)).digest().equals(trailer)) {
    throw new IndexFormatError('the index checksum does not match (a damaged index)');
  }
  const version = data.readUInt32BE(4);
  if (version !== 2 && version !== 3 && version !== 4) throw new IndexFormatError(`index version ${version} is not supported`);
  const count = data.readUInt32BE(8);
  const end = data.length - 20;
  let offset = 12;
  let previous: Buffer = Buffer.alloc(0);
  for (let i = 0; i < count; i++) {
    if (offset + ENTRY_FIXED > end) throw new IndexFormatError('the index is truncated');
    const flags = data.readUInt16BE(offset + 60);
    const fixed = ENTRY_FIXED + (version >= 3 && (flags & EXTENDED) !== 0 ? 2 : 0);
    let cursor = offset + fixed;
    if (cursor > end || (version === 4 && cursor >= end)) throw new IndexFormatError('the index is truncated');
    let name: Buffer;
    if (version === 4) {
      const [strip, after] = readVarint(data, cursor);
      const nul = data.indexOf(0, after);
      if (nul < 0 || strip > previous.length) throw new IndexFormatError('damaged path in the index');
      if (nul >= end) throw new IndexFormatError('the index is truncated');
      name = Buffer.concat([previous.subarray(0, previous.length - strip), data.subarray(after, nul)]);
      cursor = nul + 1;
    } else {
      const nul = data.indexOf(0, cursor);
      if (nul < 0) throw new IndexFormatError('damaged path in the index');
      if (nul >= end) throw new IndexFormatError('the index is truncated');
      name = data.subarray(cursor, nul);
      // Entries are padded with 1-8 NULs to a multiple of 8 bytes.
      cursor = offset + ((fixed + (nul - cursor) + 8) & ~7);
    }
    if (cursor > end) throw new IndexFormatError('the index is truncated');
    entry({ offset, fixed, flags, name });
    previous = name;
    offset = cursor;
  }
  while (offset + 8 <= end) {
    const signature = data.toString('latin1', offset, offset + 4);
    const size = data.readUInt32BE(offset + 4);
    if (offset + 8 + size > end) throw new IndexFormatError(`index extension ${signature} is truncated`);
    // Lower case: an extension Git requires a reader to understand (split index "link", sparse index "sdir").
    if (!/^[A-Z]/.test(signature)) throw new IndexFormatError(`the index uses the "${signature}" extension (split or sparse index), which oclhub cannot update`);
    extension?.(offset, size);
    offset += 8 + size;
  }
  return { version: version as 2 | 3 | 4, end, extensionsEnd: offset };
}

/**
 * The index `data` as entries and extensions to rewrite (worktree-follow.ts). Throws an IndexFormatError
 * for anything `walkIndex` refuses; bytes left over after the extensions, too few for another, are
 * taken as they always were (and not written back).
 */
export function parseIndex(data: Buffer): IndexFile {
  const entries: IndexEntry[] = [];
  const extensions: Buffer[] = [];
  const { version } = walkIndex(
    data,
    ({ offset, fixed, flags, name }) => entries.push({ path: name.toString('latin1'), stage: (flags >> 12) & 3, head: Buffer.from(data.subarray(offset, offset + fixed)) }),
    (offset, size) => {
      if (data.toString('latin1', offset, offset + 4) !== 'TREE') extensions.push(Buffer.from(data.subarray(offset, offset + 8 + size)));
    },
  );
  return { version, entries, extensions };
}

export function serializeIndex(index: IndexFile): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.write('DIRC', 0, 'latin1');
  header.writeUInt32BE(index.version, 4);
  header.writeUInt32BE(index.entries.length, 8);
  parts.push(header);
  let previous = '';
  for (const entry of index.entries) {
    const head = Buffer.from(entry.head);
    const nameLength = Math.min(entry.path.length, 0xfff);
    // Keep assume-valid and extended (0xc000); stage and name length follow the entry.
    head.writeUInt16BE((head.readUInt16BE(60) & 0xc000) | (entry.stage << 12) | nameLength, 60);
    parts.push(head);
    if (index.version === 4) {
      let common = 0;
      while (common < previous.length && common < entry.path.length && previous[common] === entry.path[common]) common++;
      parts.push(writeVarint(previous.length - common), Buffer.from(`${entry.path.slice(common)}\0`, 'latin1'));
    } else {
      const total = (head.length + entry.path.length + 8) & ~7;
      const name = Buffer.alloc(total - head.length);
      name.write(entry.path, 0, 'latin1');
      parts.push(name);
    }
    previous = entry.path;
  }
  parts.push(...index.extensions);
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash('sha1').update(body).digest()]);
}

/** Git's byte order of index entries: path bytes, then stage. */
export function compareEntries(a: { path: string; stage: number }, b: { path: string; stage: number }): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return a.stage - b.stage;
}

export interface EntryStat {
  ctimeMs: number;
  mtimeMs: number;
  dev: number;
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  size: number;
}

/** A stage-0 entry for `path` with the file's stat data and blob id (flags: no extended bits). */
export function makeEntry(path: string, oid: string, stat: EntryStat, executable: boolean): IndexEntry {
  const head = Buffer.alloc(ENTRY_FIXED);
  writeTime(head, 0, stat.ctimeMs);
  writeTime(head, 8, stat.mtimeMs);
  head.writeUInt32BE(stat.dev >>> 0, 16);
  head.writeUInt32BE(stat.ino >>> 0, 20);
  head.writeUInt32BE(executable ? 0o100755 : 0o100644, 24);
  head.writeUInt32BE(stat.uid >>> 0, 28);
  head.writeUInt32BE(stat.gid >>> 0, 32);
  head.writeUInt32BE(stat.size >>> 0, 36);
  Buffer.from(oid, 'hex').copy(head, 40);
  head.writeUInt16BE(Math.min(path.length, 0xfff), 60);
  return { path, stage: 0, head };
}

export function entryOid(entry: IndexEntry): string {
  return entry.head.toString('hex', 40, 60);
}

export function entryMode(entry: IndexEntry): number {
  return entry.head.readUInt32BE(24);
}

/** Whether the entry's cached stat data still describes the file (git's "stat clean" test; racy entries fail it). */
export function statMatches(entry: IndexEntry, stat: EntryStat, indexMtimeMs: number): boolean {
  const head = entry.head;
  const mtimeSeconds = head.readUInt32BE(8);
  const mtimeNanos = head.readUInt32BE(12);
  const same =
    mtimeSeconds === Math.floor(stat.mtimeMs / 1000) &&
    Math.abs(mtimeNanos / 1e6 - (stat.mtimeMs % 1000)) < 1 &&
    head.readUInt32BE(36) === stat.size >>> 0 &&
    head.readUInt32BE(20) === stat.ino >>> 0;
  // "Racy git": a file changed in the same instant the index was written may differ with equal stat data.
  return same && Math.floor(stat.mtimeMs / 1000) < Math.floor(indexMtimeMs / 1000);
}

function writeTime(buffer: Buffer, at: number, ms: number): void {
  const seconds = Math.floor(ms / 1000);
  buffer.writeUInt32BE(seconds >>> 0, at);
  buffer.writeUInt32BE(Math.max(0, Math.round((ms - seconds * 1000) * 1e6)) >>> 0, at + 4);
}

/** Git's offset varint (varint.c), used by index v4 for the number of path bytes to strip. */
function readVarint(data: Buffer, at: number): [number, number] {
  let byte = data[at++]!;
  let value = byte & 127;
  while (byte & 128) {
    value += 1;
    byte = data[at++]!;
    value = (value << 7) + (byte & 127);
  }
  return [value, at];
}

function writeVarint(value: number): Buffer {
  const bytes = [value & 127];
  while ((value >>= 7)) bytes.unshift(128 | (--value & 127));
  return Buffer.from(bytes);
}

/** The part of a file's stat data an index entry is compared with (Node's `fs.Stats` has it). */
export interface IndexedStat {
  ctimeMs: number;
  mtimeMs: number;
  ino: number;
  uid: number;
  gid: number;
  size: number;
  isFile(): boolean;
}

/**
 * What an index says of working-tree files, read-only: for a path whose file still has the stat data
 * recorded in its entry, the blob the file held when they were recorded — how `git status` knows a file
 * unchanged without reading it. Every doubt is "unknown" (undefined): the caller hashes the file.
 */
export interface IndexedBlobs {
  /** The blob id of `path` (as listed, '/'-separated, UTF-8) when its stat `info` vouches for its entry, else undefined. */
  blobOf(path: string, info: IndexedStat): string | undefined;
}

/** Flags of an entry whose stat data do not vouch for the file: assume-valid; in the extended flags, skip-worktree and intent-to-add. */
const ASSUME_VALID = 0x8000;
const SKIP_WORKTREE = 0x4000;
const INTENT_TO_ADD = 0x2000;

/**
 * Index times turn into Node's `mtimeMs`/`ctimeMs` through `statTimeMs` (stat-time.ts). A caller of
 * `indexedBlobs` checks that on the index file itself (its nanosecond stat against its `mtimeMs`)
 * before relying on it.
 */
export { statTimeMs };

/**
 * The index `data` read for `IndexedBlobs`, its file having been modified at `indexMtimeMs` (Node's
 * `mtimeMs` of it). Undefined, so that every file is hashed, for anything this reading does not vouch
 * for: not an index, a version other than 2-4, a checksum that does not match or is left out
 * (`index.skipHash`), a required extension (split or sparse index), a damaged entry.
 *
 * An entry vouches for its file when the file's modification and change times, inode, owner and size are
 * exactly those recorded, it is a regular file recorded as one, and it was not "racily clean": modified
 * before the index was written, not in the same instant (a write in that instant, after Git hashed the
 * file, would leave the same stat data; Documentation/technical/racy-git.txt). A zero size is never
 * taken (Git zeroes it in racy entries it could not vouch for). Entries Git itself does not compare
 * with the file (assume-valid, skip-worktree), intent-to-add and conflict entries, and a path named
 * twice, vouch for nothing.
 */
export function indexedBlobs(data: Buffer, indexMtimeMs: number): IndexedBlobs | undefined {
  /** Path → where its entry starts, or -1 when it vouches for nothing. */
  const entries = new Map<string, number>();
  try {
    const { end, extensionsEnd } = walkIndex(data, ({ offset, fixed, flags, name }) => {
      const extendedFlags = fixed > ENTRY_FIXED ? data.readUInt16BE(offset + ENTRY_FIXED) : 0;
      const path = name.toString('utf8');
      const mode = data.readUInt32BE(offset + 24);
      const vouches =
        ((flags >> 12) & 3) === 0 &&
        (flags & ASSUME_VALID) === 0 &&
        (extendedFlags & (SKIP_WORKTREE | INTENT_TO_ADD)) === 0 &&
        (mode === 0o100644 || mode === 0o100755) &&
        // Not a name that only decodes to this path (invalid UTF-8 decodes lossily).
        Buffer.byteLength(path) === name.length;
      entries.set(path, entries.has(path) || !vouches ? -1 : offset);
    });
    // Stray bytes between the extensions and the checksum: not an index as Git writes one.
    if (extensionsEnd !== end) return undefined;
  } catch {
    return undefined;
  }
  return {
    blobOf(path, info) {
      const at = entries.get(path);
      if (at === undefined || at < 0 || !info.isFile()) return undefined;
      const size = data.readUInt32BE(at + 36);
      const mtimeMs = statTimeMs(data.readUInt32BE(at + 8), data.readUInt32BE(at + 12));
      if (
        size === 0 ||
        size !== info.size ||
        mtimeMs !== info.mtimeMs ||
        statTimeMs(data.readUInt32BE(at), data.readUInt32BE(at + 4)) !== info.ctimeMs ||
        data.readUInt32BE(at + 20) !== info.ino % 2 ** 32 ||
        data.readUInt32BE(at + 28) !== info.uid % 2 ** 32 ||
        data.readUInt32BE(at + 32) !== info.gid % 2 ** 32 ||
        !(mtimeMs < indexMtimeMs)
      ) {
        return undefined;
      }
      return data.toString('hex', at + 40, at + 60);
    },
  };
}
