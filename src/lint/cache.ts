/**
 * The on-disk lint cache: one JSON file of project results keyed by a hash of everything a result
 * depends on (the project's files, the hub's oclhub.ocl, the published process-template tags, the
 * policies evaluated and the options). Tags are immutable, so a tag list stands for template content.
 * A run keeps only the entries it used, so the file does not grow without bound. A missing, corrupt or
 * foreign cache file is simply a cold start.
 */
import { crc32 } from 'node:zlib';
import { once } from 'node:events';
import { closeSync, createWriteStream, existsSync, fstatSync, openSync, readdirSync, readSync, renameSync, statSync, unlinkSync, type Stats, type WriteStream } from 'node:fs';
import { copyFile, open, readFile, rename, rm, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import * as nodeFs from 'node:fs';
import { replaceFileSync, tempPath, writeFileAtomicWith } from '../git/durable.js';
import type { FsLike } from '../git/repo.js';
import { RACY_MS } from './worktree.js';
import { hasIdentity, HEADER_MAX, identityOf, RENDERED, RENDERED_BODY, renderedHeader, renderedHeaderLine, startStoredCopy, type FileIdentity } from './fast-rerun.js';
import { registerDeferredTail, type DeferredBytes } from '../report/lint-pieces.js';
import { makeCacheDir, makeCacheDirSync } from './cache-folder.js';

const FORMAT = 'oclhub-lint-cache/5';
const HEADER = Buffer.from(`${FORMAT}\n`);
const NEWLINE = Buffer.from('\n');

/** An entry's bytes in the file read, and its whole record (header line, bytes, newline) there. */
interface StoredEntry {
  data: Buffer;
  crc: number;
  /** Whether the checksum was found right (checked on first use). */
  checked?: boolean;
  /** The file (shard) it was read from, and its record's place there. */
  shard: number;
  record: [start: number, end: number];
  /** The entry's bytes after `data`, left in the file (see `deferAfterLines`); `data` is then only their head. */
  tail?: FileRun;
}

/** Bytes of entries set and not yet written (see `LintCache.backlog`). */
const BACKLOG_BYTES = 8 << 20;

/**
 * Bytes of entries a shard's stream gathers (corked) before it writes them out in one request. Written
 * as they were set, a cold lint that turns the event loop after every project (--jobs 2: each
 * worker's result comes in as a message) wrote each entry with a request of its own or two, each a
 * round through the thread pool that the main thread starts and finishes: the 1,000-project bench hub's
 * cold lint made 2,294 write/writev calls with --jobs 2 (446 with --jobs 1), 873 gathered (December
 * 2026, 16 alternating pairs at load ~5: --jobs 2 CPU 0.93×, wall 0.93×; --jobs 1 CPU 0.96×).
 * At most 16 shards × this much is held, under BACKLOG_BYTES.
 */
const CORKED_BYTES = 256 << 10;

/** A shard's next file, written as entries are set. */
interface NextFile {
  temp: string;
  stream?: WriteStream;
  failed: boolean;
  /** Bytes given to `stream` so far: where the next ones land in the file. */
  queued: number;
  /** Bytes given to `stream` since it was corked (0: not corked), see CORKED_BYTES. */
  corked: number;
  /** The new file, opened for reading back what was set (see `setEncoded`'s `deferred`). */
  reader?: DeferredSource;
}

/** Has `next`'s stream write what it gathered while corked (see CORKED_BYTES). */
function uncorked(next: NextFile): void {
  if (next.corked === 0) return;
  next.corked = 0;
  next.stream?.uncork();
}

/** A shard file's stat as the checks below compare it: [size, mtimeMs, ctimeMs, inode]. */
type ShardStat = [number, number, number, number];

function shardStat(info: Stats): ShardStat {
  return [info.size, info.mtimeMs, info.ctimeMs, info.ino];
}

function sameShardStat(a: readonly number[] | null | undefined, b: ShardStat | undefined): boolean {
  return Array.isArray(a) && a.length === 4 && b !== undefined && a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

/** A shard file as read: its bytes and its stat, taken before and after the read (undefined: none, or unreadable). */
interface ReadShard {
  bytes: Buffer;
  /** The stat after the read, when the one before it was the same (no write in between moved it). */
  steady?: ShardStat;
}

/** Reads a whole file (a shard, or a cache file of one piece) through one descriptor, synchronously (a few files, read once each, with nothing to overlap), with its stat before and after (see `ReadShard`). */
function readShard(file: string): ReadShard | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const before = shardStat(fstatSync(fd));
    const bytes = Buffer.allocUnsafeSlow(before[0]);
    let at = 0;
    while (at < bytes.length) {
      const n = readSync(fd, bytes, at, bytes.length - at, at);
      if (n === 0) break;
      at += n;
    }
    const after = shardStat(fstatSync(fd));
    const read = at === bytes.length ? bytes : bytes.subarray(0, at);
    return sameShardStat(before, after) && at === bytes.length ? { bytes: read, steady: after } : { bytes: read };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * A stored piece could not be read from its cache file as it was when the run took it (the file was
 * changed in place or cut short since, or its descriptor was released): what was written with it must
 * not be published, and the run is done again without deferred reads (see `LintCache.open`).
 */
export class DeferredReadError extends Error {
  constructor(file: string) {
    super(`the lint cache file ${file} changed while the report was written from it`);
    this.name = 'DeferredReadError';
  }
}

/** Cache files whose records' tails are read when written out: open until `releaseDeferredReads`. */
const deferredSources = new Set<DeferredSource>();

/**
 * A shard vouched for by its stat whose records' tails stay in the file: its descriptor, and that stat.
 * Or (`identityOnly`) a stored report body (report-snapshot.ts), vouched for by its identity
 * ([size, mtime, inode], fast-rerun.ts): its change time moves when it is renamed aside or a link to
 * it goes, which leaves its bytes as they were.
 */
export class DeferredSource {
  private open = true;
  /** The whole file once read (see `whole`). */
  private held: Buffer | undefined;

  constructor(
    readonly file: string,
    private readonly fd: number,
    /** Undefined for a file this run is writing until it is complete (see `vouchWritten`): no read of it is steady before. */
    private stat: ShardStat | undefined,
    private readonly identityOnly = false,
  ) {
    deferredSources.add(this);
  }

  /** The stat compared: a shard's, or a body's identity (its change time left out). */
  private stamp(info: Stats): ShardStat {
    return this.identityOnly ? [info.size, info.mtimeMs, 0, info.ino] : shardStat(info);
  }

  /** Takes the file this run wrote for what it is now, complete (and renamed into place). */
  vouchWritten(): void {
    if (!this.open) return;
    try {
      this.stat = this.stamp(fstatSync(this.fd));
    } catch {
      // Never steady then: what was read from it is not published.
    }
  }

  /** Reads `length` bytes at `position` into `target` at `offset`, all of them, or throws `DeferredReadError`. */
  readInto(target: Uint8Array, offset: number, position: number, length: number): void {
    if (this.held) {
      if (position + length > this.held.length) throw new DeferredReadError(this.file);
      target.set(this.held.subarray(position, position + length), offset);
      return;
    }
    if (!this.open) throw new DeferredReadError(this.file);
    let at = 0;
    try {
      while (at < length) {
        const n = readSync(this.fd, target, offset + at, length - at, position + at);
        if (n === 0) break;
        at += n;
      }
    } catch {
      throw new DeferredReadError(this.file);
    }
    if (at < length) throw new DeferredReadError(this.file);
  }

  /** Whether the file still shows the stat it was vouched for with (so every read gave the bytes verified). */
  steady(): boolean {
    if (this.held) return true;
    if (!this.open || this.stat === undefined) return false;
    try {
      return sameShardStat(this.stat, this.stamp(fstatSync(this.fd)));
    } catch {
      return false;
    }
  }

  /**
   * The whole file, as it was vouched for (throws `DeferredReadError` when it is not that any more),
   * read once and held: later reads are served from it. A run that writes the shard again needs it, and
   * its rename over the file changes the file's stat (its change time) for the reads after it.
   */
  whole(): Buffer {
    if (this.held) return this.held;
    if (this.stat === undefined) throw new DeferredReadError(this.file);
    const bytes = Buffer.allocUnsafe(this.stat[0]);
    this.readInto(bytes, 0, 0, bytes.length);
    if (!this.steady()) throw new DeferredReadError(this.file);
    this.held = bytes;
    this.close();
    return bytes;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    deferredSources.delete(this);
    try {
      closeSync(this.fd);
    } catch {
      // Closed already.
    }
  }

  /**
   * Closes the file on the thread pool: the last descriptor of a file removed meanwhile (a stored body
   * set aside, cache.ts `discardStoredBody`) frees its blocks and pages as it closes, ~15 ms for a
   * 1,000-project report, which the main thread need not wait for.
   */
  closeInBackground(): void {
    if (!this.open) return;
    this.open = false;
    deferredSources.delete(this);
    nodeFs.close(this.fd, () => undefined);
  }
}

/** A run of a deferred source's bytes (report/lint-pieces.ts `DeferredBytes`). */
export class FileRun implements DeferredBytes {
  constructor(
    private readonly source: DeferredSource,
    private readonly position: number,
    readonly length: number,
  ) {}

  readInto(target: Uint8Array, offset: number): void {
    this.source.readInto(target, offset, this.position, this.length);
  }

  read(): Buffer {
    const bytes = Buffer.allocUnsafe(this.length);
    this.readInto(bytes, 0);
    return bytes;
  }

  joinedWith(next: DeferredBytes, gap: number): DeferredBytes | undefined {
    if (!(next instanceof FileRun) || next.source !== this.source || next.position !== this.position + this.length + gap) return undefined;
    return new FileRun(this.source, this.position, this.length + gap + next.length);
  }
}

/**
 * Throws `DeferredReadError` unless every cache file whose tails this process deferred still shows the
 * stat it was taken on: called after the last deferred read and before what was written is published.
 */
export function checkDeferredReads(): void {
  for (const source of deferredSources) if (!source.steady()) throw new DeferredReadError(source.file);
}

/** How many cache files are held open for deferred reads now (tests). */
export function deferredReadsHeld(): number {
  return deferredSources.size;
}

/** Closes the cache files held open for deferred reads (any read after this throws `DeferredReadError`). */
export function releaseDeferredReads(): void {
  for (const source of [...deferredSources]) source.close();
}

/** How much of a deferred shard is read at a time while its records are listed: a record's head line and its first lines. */
const SCAN_WINDOW = 8192;
/** The buffer windows are read into, one after the other (see `scanDeferred`). */
const SCAN_ARENA = 32 * SCAN_WINDOW;

/**
 * The records of shard file `file` whose stat vouched for it (`stat`, from its descriptor `fd`), each
 * entry's bytes up to and including its `lines`-th newline read and the rest left in the file
 * (`tail`); each record read this way is checked as `parseRecords` checks one, with the newline that
 * ends it. Undefined (and `fd` closed) when any is not whole, as the file must be after a verification.
 */
function scanDeferred(file: string, fd: number, stat: ShardStat, shard: number, lines: number): { entries: Map<string, StoredEntry>; source: DeferredSource } | undefined {
  const size = stat[0];
  const source = new DeferredSource(file, fd, stat);
  const entries = new Map<string, StoredEntry>();
  // Windows are read one after the other into a larger buffer, each where the last one's head ended:
  // an entry's head stays where it was read (a view), instead of being copied out of a reused window.
  let arena = Buffer.allocUnsafeSlow(SCAN_ARENA);
  let used = 0;
  const readAt = (position: number, length: number, into?: Buffer): Buffer | undefined => {
    if (into === undefined && used + length > arena.length) {
      arena = Buffer.allocUnsafeSlow(SCAN_ARENA);
      used = 0;
    }
    const target = into ?? arena;
    const offset = into === undefined ? used : 0;
    try {
      source.readInto(target, offset, position, length);
      return target.subarray(offset, offset + length);
    } catch {
      return undefined;
    }
  };
  const first = readAt(0, Math.min(HEADER.length, size));
  if (!first?.equals(HEADER)) return failed();
  // Each window starts at the newline that ends the record before (the header's, for the first).
  let at = HEADER.length - 1;
  while (at < size - 1) {
    const got = readAt(at, Math.min(SCAN_WINDOW, size - at));
    if (!got || got[0] !== 10) return failed();
    const newline = got.indexOf(10, 1);
    const record = recordHead(got, 1, newline);
    if (!record) return failed();
    const start = at + newline + 1;
    const end = start + record.length;
    if (end >= size) return failed();
    // The entry's first `lines` lines: in this window, or read on their own when longer.
    let cut = -1;
    let inArena = true;
    let view = got.subarray(newline + 1, Math.min(got.length, newline + 1 + (end - start)));
    for (let tries = 0; cut < 0; tries++) {
      let from = 0;
      let seen = 0;
      while (seen < lines) {
        const next = view.indexOf(10, from);
        if (next < 0) break;
        seen++;
        from = next + 1;
      }
      if (seen === lines) cut = from;
      else if (view.length === end - start || tries > 0) break;
      else {
        const whole = readAt(start, end - start, Buffer.allocUnsafe(end - start));
        if (!whole) return failed();
        view = whole;
        inArena = false;
      }
    }
    if (cut < 0) return failed();
    // In the arena, the head stays where it was read (the next window is read after it); read with its
    // whole record, it is copied out (the rest of the record is not kept in memory).
    const head = inArena ? view.subarray(0, cut) : Buffer.from(view.subarray(0, cut));
    if (inArena) used += newline + 1 + cut;
    const tail = new FileRun(source, start + cut, end - start - cut);
    entries.set(record.key, { data: head, crc: record.crc, checked: true, shard, record: [at + 1, end + 1], tail });
    at = end;
  }
  const last = readAt(size - 1, 1);
  if (last?.[0] !== 10 || at !== size - 1) return failed();
  for (const entry of entries.values()) registerDeferredTail(entry.data, entry.tail!);
  return { entries, source };

  function failed(): undefined {
    source.close();
    return undefined;
  }
}

/**
 * Shard `file` with its records' tails deferred (see `scanDeferred`), when its stat as stored vouches
 * for it; undefined otherwise (the shard is then read whole, as without deferring).
 */
function openDeferred(file: string, stored: ShardStats, shard: number, lines: number): { entries: Map<string, StoredEntry>; source: DeferredSource; stat: ShardStat } | undefined {
  const recorded = stored.shards[shard];
  if (!Array.isArray(recorded) || !(recorded[1]! < stored.verifiedAt - RACY_MS)) return undefined;
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  let stat: ShardStat;
  try {
    stat = shardStat(fstatSync(fd));
  } catch {
    closeSync(fd);
    return undefined;
  }
  if (!sameShardStat(recorded, stat)) {
    closeSync(fd);
    return undefined;
  }
  const scanned = scanDeferred(file, fd, stat, shard, lines);
  if (!scanned) return undefined;
  if (scanned.entries.size === 0) {
    // No records: nothing to defer (the file is read as it is).
    scanned.source.close();
    return undefined;
  }
  return { ...scanned, stat };
}

/** A sharded cache's files, `<dir>/<name>.<0-f>.json` (see `LintCache`). */
function shardFiles(dir: string, name: string, shards: number): string[] {
  return Array.from({ length: shards }, (_, i) => path.join(dir, `${name}.${i.toString(16)}.json`));
}

/**
 * What a sharded cache knows of its shard files between runs, as Git's index knows a working tree's
 * files (`<name>.stat.json`): each shard's stat when a run read it and found every record whole and
 * every checksum right, and when (`verifiedAt`, ms since the epoch, taken before any shard was read).
 * A shard that shows that stat now, whose modification time was older than the verification by more
 * than a file system clock's slack (RACY_MS, as worktree.ts), holds the bytes verified: a write after
 * the verification would have moved its modification time (and any write, rename or truncation its
 * change time, which no one can set). Its records are taken without computing their checksums — the
 * 36 MB of a thousand projects' results are otherwise checksummed on every run. A shard written or
 * changed since, a stat that moved or was racy when verified, a missing or unreadable file: the
 * checksums are computed, as without it.
 */
interface ShardStats {
  format: typeof SHARD_STATS_FORMAT;
  verifiedAt: number;
  shards: (ShardStat | null)[];
}

const SHARD_STATS_FORMAT = 'oclhub-lint-shard-stats/1';

function readShardStats(file: string, shards: number): ShardStats | undefined {
  const text = readShard(file);
  if (!text) return undefined;
  try {
    const value = JSON.parse(text.bytes.toString('utf8')) as Partial<ShardStats>;
    if (value.format !== SHARD_STATS_FORMAT || typeof value.verifiedAt !== 'number' || !Array.isArray(value.shards) || value.shards.length !== shards) return undefined;
    return value as ShardStats;
  } catch {
    return undefined;
  }
}

/**
 * The file is a header line (`oclhub-lint-cache/5`) and one record per entry: a line
 * `<key>\t<byte length>\t<CRC-32, hex>`, the entry's bytes, a newline. A run finds its keys by reading
 * the record lines only, checks and hands out an entry's bytes when it uses them (a project's result
 * is stored as the bytes it contributes to the JSON report, see engine.ts: they are written out
 * without ever being decoded), and writes the records it used back as they were read. A new entry is
 * written to the next file as soon as it is set, so a run never holds its results twice. A record
 * that is torn or whose bytes do not match their checksum is a miss, and so is everything after a
 * record line that cannot be read.
 *
 * A cache may be split into shards by the first hex digit of the key (`<name>.<digit>.json`, each a
 * file of the format above): a run that set entries in a shard writes that shard again (with the
 * entries it used from it), and leaves the others as they are — after a commit that changed one
 * project of a thousand, one file of a sixteenth of the results instead of all of them. A shard left
 * alone keeps entries no run used lately until a run sets an entry in it. A shard whose stat vouches
 * for the bytes a run verified (see `ShardStats`) is not checksummed again.
 *
 * A small cache of one file (`small`: the run manifest, the project listings) keeps the entries set in
 * memory and writes the file in one synchronous call on save: a few hundred kilobytes at most, where a
 * stream's opening, writes, closing and rename each wait for a thread of the pool and a turn of the
 * event loop — tens of milliseconds at the end of a re-run on a busy machine.
 */
export class LintCache {
  /** Keys of entries read this run (written back on save). */
  private readonly hits = new Set<string>();
  /** Keys of entries set this run: already in the next file, not held in memory. */
  private readonly written = new Set<string>();
  private readonly next = new Map<number, NextFile>();
  /** Entries' last parts set this run are read back from the new files (see `open`'s `deferWritten`). */
  private deferWritten = false;
  /** A small cache's records set this run, as written (see the class comment); undefined for any other cache. */
  private pending: Buffer[] | undefined;

  private constructor(
    /** The file of each shard. */
    private readonly files: readonly string[],
    private readonly entries: Map<string, StoredEntry>,
    /** Each shard's file as read (entries' bytes are views of them), or its records' deferred reader (see `deferAfterLines`); unset: not read yet (`lazy`). */
    private readonly sources: (Buffer | DeferredSource | undefined)[],
    /** Sharded: what is known of the shards' stats (see `ShardStats`). */
    private readonly stats?: {
      file: string;
      verifiedAt: number;
      /** The stats as stored (undefined: none). */
      stored: ShardStats | undefined;
      /** Each shard's stat as read, when steady and every record of it read whole. */
      read: (ShardStat | undefined)[];
      /** Whether each shard's records were taken without checksums (its stored stat vouched for them). */
      trusted: boolean[];
    },
    /** A sharded cache's records are read up to this many lines, the rest left in the file (see `open`). */
    private readonly deferAfterLines?: number,
    /** Shards are read when first needed, whole (see `open`). */
    private readonly lazy = false,
  ) {}

  /** Keys of entries this run took from elsewhere (see `keep`): written back with the shard, as hits are. */
  private readonly kept = new Set<string>();

  /** How many shards were taken on their stored stat, without checksums (see `ShardStats`; tests). */
  get shardsTrusted(): number {
    return this.stats?.trusted.filter(Boolean).length ?? 0;
  }

  /** How many shards were read (all of them unless opened `lazy`; tests). */
  get shardsRead(): number {
    return this.sources.filter((source) => source !== undefined).length;
  }

  /** The cache's file (its first shard's when sharded). */
  get file(): string {
    return this.files[0]!;
  }

  /** Whether `<dir>` holds a cache `name` (`open` with `shards` would find entries in some shard), without reading it. */
  static holdsEntries(dir: string, name = 'lint-results', shards = 16): boolean {
    return shardFiles(dir, name, shards).some((file) => existsSync(file));
  }

  /**
   * Opens `<dir>/<name>.json` (`lint-results` for project entries, `lint-run` for whole runs), or with
   * `shards` (16), its shards `<dir>/<name>.<0-f>.json`, each read in one go with its stat (see
   * `ShardStats`; `now`: the verification's time, for tests). `deferWritten`: `setEncoded` hands out
   * the last part of an entry it sets as deferred bytes of the shard's new file (see `DeferredBytes`),
   * so that its caller need not hold them, with the protocol of `deferAfterLines` (`checkDeferredReads`
   * before publishing what was written from them; they are steady only once `save` put the file in place).
   * `lazy` (sharded): a shard is read when a key of it is first asked for (or it is written again), whole
   * (`deferAfterLines` does not apply), so that a run taking most results from elsewhere (`keep`) reads
   * only the few shards it needs.
   */
  static async open(dir: string, name = 'lint-results', options: { shards?: 16; now?: number; deferAfterLines?: number; deferWritten?: boolean; small?: boolean; lazy?: boolean } = {}): Promise<LintCache> {
    const cache = await LintCache.opened(dir, name, options);
    cache.deferWritten = options.deferWritten === true;
    if (options.small && !options.shards) cache.pending = [];
    return cache;
  }

  private static async opened(dir: string, name: string, options: { shards?: 16; now?: number; deferAfterLines?: number; lazy?: boolean }): Promise<LintCache> {
    if (!options.shards) {
      // Missing or unreadable: a cold start.
      const file = path.join(dir, `${name}.json`);
      const bytes = readShard(file)?.bytes ?? Buffer.alloc(0);
      const entries = new Map<string, StoredEntry>();
      parseRecords(bytes, 0, entries, false);
      return new LintCache([file], entries, [bytes]);
    }
    // The one file of the same name before shards: garbage now (one that stays only takes room). unlink,
    // not rm: Node loads its rimraf module for rm.
    const removed = unlink(path.join(dir, `${name}.json`)).catch(() => undefined);
    const files = shardFiles(dir, name, options.shards);
    const statsFile = path.join(dir, `${name}.stat.json`);
    // Taken before any shard is read (see `ShardStats`).
    const verifiedAt = options.now ?? Date.now();
    const stored = readShardStats(statsFile, files.length);
    const cache = new LintCache(files, new Map(), [], { file: statsFile, verifiedAt, stored, read: files.map(() => undefined), trusted: files.map(() => false) }, options.deferAfterLines, options.lazy === true);
    // Read here, in one go each (a few large files), or (`lazy`) when a key of the shard is first asked for.
    if (!options.lazy) for (let shard = 0; shard < files.length; shard++) cache.loadShard(shard);
    await removed;
    return cache;
  }

  /** Reads shard `shard` (missing or unreadable: a cold start of that shard), once. */
  private loadShard(shard: number): void {
    const stats = this.stats;
    if (!stats || this.sources[shard] !== undefined) return;
    const file = this.files[shard]!;
    const { stored } = stats;
    const entries = this.entries;
    // A lazy cache reads the few shards it needs whole (one read each; a shard written again is read whole anyway).
    const deferred = this.deferAfterLines !== undefined && !this.lazy && stored ? openDeferred(file, stored, shard, this.deferAfterLines) : undefined;
    if (deferred) {
      for (const [key, entry] of deferred.entries) entries.set(key, entry);
      this.sources[shard] = deferred.source;
      stats.read[shard] = deferred.stat;
      stats.trusted[shard] = true;
      return;
    }
    const got = readShard(file);
    const recorded = stored?.shards[shard];
    const vouched = got?.steady !== undefined && sameShardStat(recorded, got.steady) && recorded![1] < stored!.verifiedAt - RACY_MS;
    const whole = got !== undefined && parseRecords(got.bytes, shard, entries, vouched);
    // A stat that vouches for a file no run verified whole vouches for nothing.
    if (vouched && !whole) for (const entry of entries.values()) if (entry.shard === shard) delete entry.checked;
    this.sources[shard] = got?.bytes ?? Buffer.alloc(0);
    stats.read[shard] = whole ? got.steady : undefined;
    stats.trusted[shard] = vouched && whole;
  }

  /** The entry of `key`, its shard read first when it was not (see `open`'s `lazy`). */
  private entryOf(key: string): StoredEntry | undefined {
    if (this.stats && this.sources[this.shardOf(key)] === undefined) this.loadShard(this.shardOf(key));
    return this.entries.get(key);
  }

  /**
   * Keeps the entry of `key` as used this run without reading it (its result was taken from a copy of
   * it elsewhere, see report-snapshot.ts): a shard written again keeps it, as if `bytes` had been read.
   */
  keep(key: string): void {
    if (!this.written.has(key) && !this.hits.has(key)) this.kept.add(key);
  }

  /** The shard of a key: the value of its first hex digit (0 for any other key, and without shards). */
  private shardOf(key: string): number {
    if (this.files.length === 1) return 0;
    const digit = parseInt(key.charAt(0), 16);
    return Number.isNaN(digit) ? 0 : digit;
  }

  /** Whether an entry exists (without reading it). */
  has(key: string): boolean {
    return this.entryOf(key) !== undefined && !this.written.has(key);
  }

  /**
   * The entry's bytes (a view of the file read: not to be changed); undefined when absent, damaged,
   * or set by this run (it is on its way to disk, not kept).
   */
  bytes(key: string): Buffer | undefined {
    if (this.written.has(key)) return undefined;
    const entry = this.entryOf(key);
    if (entry === undefined) return undefined;
    if (entry.checked === undefined) entry.checked = crc32(entry.data) === entry.crc;
    if (!entry.checked) return undefined; // A damaged entry is a miss.
    this.hits.add(key);
    this.kept.delete(key);
    return entry.data;
  }

  /** The entry, decoded as JSON; undefined when absent or damaged (see `bytes`). */
  get<T>(key: string): T | undefined {
    const data = this.bytes(key);
    if (data === undefined) return undefined;
    try {
      const tail = this.entries.get(key)!.tail;
      return JSON.parse((tail ? Buffer.concat([data, tail.read()]) : data).toString('utf8')) as T;
    } catch {
      this.hits.delete(key);
      return undefined;
    }
  }

  set(key: string, value: unknown): void {
    this.setEncoded(key, JSON.stringify(value));
  }

  /**
   * Sets an entry to these bytes (parts written one after the other). Opened with `deferWritten`, the
   * entry's last part as deferred bytes of the new file (undefined when it cannot be read back from it).
   */
  setEncoded(key: string, data: string | Uint8Array | readonly (string | Uint8Array)[]): DeferredBytes | undefined {
    const next = this.pending ? undefined : this.openNext(this.shardOf(key));
    this.hits.delete(key);
    this.kept.delete(key);
    this.written.add(key);
    if (next?.failed) return undefined;
    const parts = (Array.isArray(data) ? data : [data]).map((part) => (typeof part === 'string' ? Buffer.from(part) : part));
    let length = 0;
    let crc = 0;
    for (const part of parts) {
      length += part.length;
      crc = crc32(part, crc);
    }
    const head = Buffer.from(`${key}\t${length}\t${crc.toString(16)}\n`);
    if (next === undefined) {
      this.pending!.push(head, ...parts, NEWLINE);
      return undefined;
    }
    if (next.corked === 0) next.stream!.cork();
    next.stream!.write(head);
    for (const part of parts) next.stream!.write(part);
    // A Buffer, not '\n': the stream would make one of a string on every call.
    next.stream!.write(NEWLINE);
    const last = parts.at(-1);
    const lastAt = next.queued + head.length + length - (last?.length ?? 0);
    next.queued += head.length + length + 1;
    next.corked += head.length + length + 1;
    if (next.corked >= CORKED_BYTES) uncorked(next);
    return next.reader && last ? new FileRun(next.reader, lastAt, last.length) : undefined;
  }

  /**
   * Waits, when more than BACKLOG_BYTES of the entries set are not written to their files yet, until
   * they are: a stream holds what it is given until its write is done, which is only when the event
   * loop turns, and a cold lint turns it seldom (its reads are synchronous), so without this a whole
   * run's entries were held to the end (200 MB of a 5,000-project lint's peak). Never throws.
   */
  async backlog(): Promise<void> {
    let waiting = 0;
    for (const next of this.next.values()) waiting += next.failed ? 0 : (next.stream?.writableLength ?? 0);
    if (waiting <= BACKLOG_BYTES) return;
    // A corked stream drains only once uncorked.
    for (const next of this.next.values()) uncorked(next);
    await Promise.all(
      [...this.next.values()].map((next) => (!next.failed && next.stream?.writableNeedDrain ? once(next.stream, 'drain').catch(() => undefined) : undefined)),
    );
  }

  private openNext(shard: number): NextFile {
    const open = this.next.get(shard);
    if (open) return open;
    const file = this.files[shard]!;
    const temp = tempPath(path.dirname(file), `.${path.basename(file)}.tmp-`);
    const next: NextFile = { temp, failed: false, queued: 0, corked: 0 };
    try {
      makeCacheDirSync(path.dirname(file));
      // Read back from (deferWritten): the file exists before the stream writes to it, and is read through a descriptor of its own.
      const fd = this.deferWritten ? openSync(temp, 'wx') : undefined;
      if (fd !== undefined) {
        try {
          next.reader = new DeferredSource(temp, openSync(temp, 'r'), undefined);
        } catch {
          closeSync(fd);
          throw new Error('not readable');
        }
      }
      const stream = createWriteStream(temp, fd === undefined ? {} : { fd });
      // A cache that cannot be written only costs speed.
      stream.on('error', () => void (next.failed = true));
      stream.write(HEADER);
      next.queued = HEADER.length;
      next.stream = stream;
    } catch {
      next.failed = true;
    }
    this.next.set(shard, next);
    return next;
  }

  /**
   * Writes each shard in which this run set an entry, with the entries it used from that shard
   * (atomically: a concurrent reader sees the old or the new file). A shard this run only read is
   * left alone (and keeps entries other runs use).
   */
  async save(): Promise<void> {
    if (this.pending) {
      this.saveSmall(this.pending);
      return;
    }
    const shards = [...this.next];
    this.next.clear();
    const written = new Set(shards.map(([shard]) => shard));
    await Promise.all(shards.map(([shard, next]) => this.saveShard(shard, next)));
    this.saveStats(written);
  }

  /**
   * Records the stat of each shard this run verified whole (see `ShardStats`): taken on its stored stat,
   * or every record of it read whole with its checksum right. A shard written by this run is not
   * recorded (its new file is verified by the next run that reads it). Written only when that changes
   * what is known; never throws (it only costs speed).
   */
  private saveStats(written: ReadonlySet<number>): void {
    const stats = this.stats;
    if (!stats) return;
    const recordable = stats.read.map((stat, shard) => stat !== undefined && !written.has(shard));
    // The records of a shard this run did not take on its stat: each checksum computed (the ones not used yet now).
    for (const entry of this.entries.values()) {
      if (!recordable[entry.shard] || stats.trusted[entry.shard]) continue;
      if (entry.checked === undefined) entry.checked = crc32(entry.data) === entry.crc;
      if (!entry.checked) recordable[entry.shard] = false;
    }
    // A shard this run never read (`lazy`) keeps the stat recorded for it when that stat vouched for it
    // then: a file still showing it holds the bytes verified, whichever later run looks.
    const carried = (shard: number): ShardStat | null => {
      const recorded = stats.stored?.shards[shard];
      return this.sources[shard] === undefined && !written.has(shard) && Array.isArray(recorded) && recorded[1]! < stats.stored!.verifiedAt - RACY_MS ? recorded : null;
    };
    const shards = stats.read.map((stat, shard): ShardStat | null => (recordable[shard] ? stat! : carried(shard)));
    // Nothing new to say: every stat recorded already vouches for its shard, and no other one could.
    const unchanged = shards.every((stat, shard) => (stat === null ? (stats.stored?.shards[shard] ?? null) === null : stats.trusted[shard] || this.sources[shard] === undefined));
    if (unchanged) return;
    try {
      // The folder holds the shards it vouches for (some of them were read from it).
      const record: ShardStats = { format: SHARD_STATS_FORMAT, verifiedAt: stats.verifiedAt, shards };
      replaceFileSync(stats.file, JSON.stringify(record));
    } catch {
      // Only costs speed.
    }
  }

  /** Writes a small cache's file (see the class comment) when this run set an entry: the records it set, then those it used, as read (a shard's order). */
  private saveSmall(pending: Buffer[]): void {
    if (pending.length === 0) return;
    try {
      this.pending = [];
      const parts: Uint8Array[] = [HEADER, ...pending, ...this.usedRuns(0, this.sources[0] as Buffer)];
      makeCacheDirSync(path.dirname(this.files[0]!));
      replaceFileSync(this.files[0]!, Buffer.concat(parts));
    } catch {
      // Only costs speed.
    }
  }

  /** The records of shard `shard` used this run (read, or kept: see `keep`), as runs of `source`'s bytes (neighbours in the file as one). */
  private usedRuns(shard: number, source: Buffer): Buffer[] {
    const runs: Buffer[] = [];
    let run: [number, number] | undefined;
    for (const key of this.kept.size === 0 ? this.hits : [...this.hits, ...this.kept]) {
      const entry = this.entries.get(key);
      if (entry === undefined || entry.shard !== shard) continue;
      const [start, end] = entry.record;
      if (run && run[1] === start) run[1] = end;
      else {
        if (run) runs.push(source.subarray(run[0], run[1]));
        run = [start, end];
      }
    }
    if (run) runs.push(source.subarray(run[0], run[1]));
    return runs;
  }

  private async saveShard(shard: number, next: NextFile): Promise<void> {
    try {
      const stream = next.stream;
      if (!stream) throw new Error('not written');
      uncorked(next);
      // The records used, as read: neighbours in the file read are written as one run of bytes. A shard
      // whose records' tails were deferred is read whole now, as it was verified (else it is not written).
      this.loadShard(shard);
      const held = this.sources[shard]!;
      const source = held instanceof DeferredSource ? held.whole() : held;
      for (const run of this.usedRuns(shard, source)) if (!next.failed) stream.write(run);
      await new Promise<void>((resolve, reject) => {
        stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
      });
      if (next.failed) throw new Error('not written');
      // Synchronous: two metadata calls that would each wait for a thread of the pool (see `makeCacheDirSync`).
      // The rename stays on the pool: replacing a file, ext4 starts writing the new one back inside it.
      makeCacheDirSync(path.dirname(this.files[shard]!));
      await rename(next.temp, this.files[shard]!);
      next.reader?.vouchWritten();
    } catch {
      await rm(next.temp, { force: true }).catch(() => undefined);
    }
  }
}

/**
 * Adds the records of a cache file (see `LintCache`) read as shard `shard` to `entries`; none when it
 * is not one. `checked`: their checksums are known to be right (see `ShardStats`). Whether every byte
 * of the file was read as a record.
 */
/**
 * A record's head line, `key<TAB>length<TAB>crc32 in hex` of at most 256 bytes, from `from` to the
 * newline at `newline` (-1: none) in `bytes`; undefined when it is not one.
 */
function recordHead(bytes: Buffer, from: number, newline: number): { key: string; length: number; crc: number } | undefined {
  if (newline < 0 || newline - from > 256) return undefined;
  const [key, lengthText, crcText] = bytes.toString('latin1', from, newline).split('\t');
  if (key === undefined || key === '' || !/^\d+$/.test(lengthText ?? '') || !/^[0-9a-f]{1,8}$/.test(crcText ?? '')) return undefined;
  return { key, length: Number(lengthText), crc: parseInt(crcText!, 16) };
}

function parseRecords(bytes: Buffer, shard: number, entries: Map<string, StoredEntry>, checked: boolean): boolean {
  if (bytes.length < HEADER.length || !bytes.subarray(0, HEADER.length).equals(HEADER)) return false;
  let at = HEADER.length;
  while (at < bytes.length) {
    const newline = bytes.indexOf(10, at);
    const record = recordHead(bytes, at, newline);
    if (!record) break;
    const start = newline + 1;
    const end = start + record.length;
    if (end >= bytes.length || bytes[end] !== 10) break;
    entries.set(record.key, { data: bytes.subarray(start, end), crc: record.crc, ...(checked ? { checked } : {}), shard, record: [at, end + 1] });
    at = end + 1;
  }
  return at === bytes.length;
}

/**
 * The last rendered report, found by its key. Only the head file (fast-rerun.ts) is read to compare
 * keys: the report itself (tens of megabytes for a big hub) is read or copied only on a hit, from the
 * body as it was when the head was read (its handle stays open, so a concurrent writer's rename does
 * not mix two reports).
 */
export interface RenderedReport {
  exitCode: number;
  /** The GitHub job summary rendered with the report, if any. */
  summary?: string;
  /** The report's text. */
  text(): Promise<string>;
  /** Copies the report's bytes to a file without decoding them (atomically: temp file + rename). */
  /** Replaces `file` (a regular file or none) with the report; false, with nothing written, when a FIFO, device or link took the name meanwhile. */
  copyTo(file: string): Promise<boolean>;
  close(): Promise<void>;
}

/** The head of the stored report of `key`: its exit code, job summary and body's identity. */
async function readRenderedHead(dir: string, key: string): Promise<{ exitCode: number; summary?: string; body: FileIdentity } | undefined> {
  const bytes = await readFile(path.join(dir, RENDERED));
  const newline = bytes.indexOf(10);
  if (newline < 0 || newline > HEADER_MAX) return undefined;
  const header = renderedHeader(bytes.toString('utf8', 0, newline), key);
  if (!header || newline + 1 + Math.max(0, header.summaryBytes) !== bytes.length) return undefined;
  return { exitCode: header.exitCode, ...(header.summaryBytes >= 0 ? { summary: bytes.toString('utf8', newline + 1) } : {}), body: header.body };
}

/** The stored report of `key` (layout: see fast-rerun.ts), or undefined. */
export async function readRenderedReport(dir: string, key: string): Promise<RenderedReport | undefined> {
  let handle: FileHandle | undefined;
  try {
    const head = await readRenderedHead(dir, key);
    if (!head) return undefined;
    const bodyFile = path.join(dir, RENDERED_BODY);
    handle = await open(bodyFile, 'r');
    if (!hasIdentity(await handle.stat(), head.body)) throw new Error('another body');
    const file = handle;
    const size = head.body[0];
    return {
      exitCode: head.exitCode,
      ...(head.summary !== undefined ? { summary: head.summary } : {}),
      async text() {
        const bytes = Buffer.alloc(size);
        for (let at = 0; at < size; ) {
          const { bytesRead } = await file.read(bytes, at, size - at, at);
          if (bytesRead === 0) throw new Error('the stored report is torn');
          at += bytesRead;
        }
        return bytes.toString('utf8');
      },
      async copyTo(target: string) {
        // A copy made by the kernel; when the body was replaced since it was opened, from the open handle.
        const copy = startStoredCopy(bodyFile, head.body, target, true);
        if (copy && (await copy.finish())) return true;
        let replaced = true;
        await writeFileAtomicWith(
          nodeFs as unknown as FsLike,
          target,
          async (out) => {
            const piece = Buffer.alloc(1 << 20);
            for (let at = 0; at < size; ) {
              const { bytesRead } = await file.read(piece, 0, Math.min(piece.length, size - at), at);
              if (bytesRead === 0) throw new Error('the stored report is torn');
              await out.write(piece.subarray(0, bytesRead));
              at += bytesRead;
            }
          },
          undefined,
          undefined,
          async () => void (replaced = false),
        );
        return replaced;
      },
      close: () => file.close(),
    };
  } catch {
    await handle?.close().catch(() => undefined);
    return undefined;
  }
}

/** Body files are created with the mode report files get (git/durable.ts), which a kernel copy keeps. */
const BODY_MODE = 0o644;

/** Name prefix of a stored body moved aside to be removed (see `discardStoredBody`). */
const DISCARDED = `.${RENDERED_BODY}.old-`;

/** Bodies this process set aside for the next run to remove (see `discardStoredBody`). */
const keptAside = new Set<string>();

/**
 * Moves the stored report's body aside and removes it on the thread pool, while the new body is being
 * written: a run that is about to publish another body, or (exported) a run that has just found the stored
 * report is not its answer, so that the removal runs while it lints. Renamed over instead, the old body (tens of
 * megabytes) would be freed inside the publishing rename, on the main thread at the very end of the run,
 * and the file system may start writing the new body back there too (ext4 does when a rename replaces a
 * file). The head still names the old body until the new one is published: a reader in between finds
 * no body of that identity, a miss, as when a body is replaced. Bodies a run that died left aside are
 * removed too. Never throws (only costs speed).
 *
 * `keepForNextRun`: the body is still read from (the report snapshot, report-snapshot.ts, holds it
 * open while the new report is written), so removing it now only frees it when the last descriptor
 * closes, at the end of the run, beside the new report's flush: for a 1,000-project report ~10 ms of
 * kernel work that the run's last steps (the flush, the renames, the folder's flush, which waits for
 * the journal that frees it) and its exit waited for. Set aside under the same prefix, it is left for
 * the next run to remove as it starts (this process does not remove it: the files it set aside are
 * remembered), which costs one more body's space in the lint cache folder between two runs.
 */
export function discardStoredBody(dir: string, keepForNextRun = false): Promise<void> {
  const removals: Promise<void>[] = [];
  try {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (name.startsWith(DISCARDED) && !keptAside.has(file)) removals.push(unlink(file).catch(() => undefined));
    }
    const aside = tempPath(dir, DISCARDED);
    renameSync(path.join(dir, RENDERED_BODY), aside);
    if (keepForNextRun) keptAside.add(aside);
    else removals.push(unlink(aside).catch(() => undefined));
  } catch {
    // No body (a first run), or a folder that cannot be read or written.
  }
  return Promise.all(removals).then(() => undefined);
}

/**
 * Publishes a stored report whose body is complete in `bodyTemp`: the body renamed into place first,
 * then the head naming it (see fast-rerun.ts). The body's identity, or undefined when not published.
 */
function publishRendered(dir: string, bodyTemp: string, key: string, exitCode: number, summary?: string, linkedAs?: FileIdentity): FileIdentity | undefined {
  // Synchronous: a few metadata calls and a short head, each of which would otherwise wait for a thread
  // of the pool at the very end of the run.
  try {
    // Taken before the rename (which keeps size, time and inode): another run's body renamed in meanwhile is not this one.
    const body = identityOf(statSync(bodyTemp));
    // A body shared with the report file: written by no one since it was linked (see `stageRenderedCopy`).
    if (linkedAs !== undefined && !hasIdentity({ size: body[0], mtimeMs: body[1], ino: body[2] }, linkedAs)) throw new Error('the report file was written to');
    renameSync(bodyTemp, path.join(dir, RENDERED_BODY));
    const summaryBytes = summary === undefined ? -1 : Buffer.byteLength(summary);
    replaceFileSync(path.join(dir, RENDERED), `${renderedHeaderLine(key, exitCode, summaryBytes, body)}${summary ?? ''}`);
    return body;
  } catch {
    try {
      unlinkSync(bodyTemp);
    } catch {
      // Renamed already, or never written.
    }
    return undefined;
  }
}

/** Stores the rendered report (and the GitHub job summary rendered with it, if any). */
export async function writeRenderedReport(dir: string, key: string, output: string, exitCode: number, summary?: string): Promise<void> {
  try {
    await makeCacheDir(dir);
    const temp = tempPath(dir, `.${RENDERED_BODY}.tmp-`);
    const discarded = discardStoredBody(dir);
    await writeFile(temp, output, { mode: BODY_MODE });
    await discarded;
    publishRendered(dir, temp, key, exitCode, summary);
  } catch {
    // Only costs speed.
  }
}

/** A stored report's body staged in the cache folder, not yet published (see `stageRenderedCopy`). */
export interface StagedRenderedReport {
  /** Publishes the body with its head (see `writeRenderedReport`): the body's identity, or undefined when not published. */
  done(): Promise<FileIdentity | undefined>;
  abort(): Promise<void>;
}

/**
 * Stages the complete report file `source` (a report file's temporary file, just written and flushed)
 * as the stored report's body, so that the report's bytes leave JavaScript once, for the report file,
 * instead of twice: a second name for the same file (a hard link: no bytes copied, none written back
 * to disk again) when its stat can vouch for its bytes from then on, else a copy made by the kernel
 * (copy_file_range, or a reflink). Undefined when neither could be made (only costs speed).
 *
 * A linked body is also the user's report file, which anyone may write to in place, while a stored body
 * is otherwise never rewritten. Git's "racily clean" rule keeps its identity ([size, mtime, inode])
 * sound: the link, made while the report file is still a temporary file only this run writes, sets the
 * file's change time, so when the last write came in an earlier clock tick (mtime < ctime), every later
 * write — by anyone, once the file is the report — moves the mtime past the one recorded. A body whose
 * last write and link fall in one tick is copied instead, and one written to between the link and
 * publishing is not published (`publishRendered`).
 */
export async function stageRenderedCopy(dir: string, key: string, exitCode: number, source: string): Promise<StagedRenderedReport | undefined> {
  let temp: string | undefined;
  try {
    await makeCacheDir(dir);
    temp = tempPath(dir, `.${RENDERED_BODY}.tmp-`);
    const discarded = discardStoredBody(dir);
    const linkedAs = await linkedBody(source, temp);
    await Promise.all([linkedAs ? undefined : copyFile(source, temp, nodeFs.constants.COPYFILE_EXCL), discarded]);
    const body = temp;
    return {
      done: async () => publishRendered(dir, body, key, exitCode, undefined, linkedAs),
      abort: () => rm(body, { force: true }).catch(() => undefined),
    };
  } catch {
    if (temp !== undefined) await rm(temp, { force: true }).catch(() => undefined);
    return undefined;
  }
}

/**
 * Links `source` as `temp` (see `stageRenderedCopy`): the linked file's identity when its last write
 * came before the link's clock tick, else undefined with nothing left at `temp` (another file system, a
 * file system without hard links, or a write too recent to tell).
 */
async function linkedBody(source: string, temp: string): Promise<FileIdentity | undefined> {
  try {
    // Linked once its bytes are on disk (the caller flushes it meanwhile; this waits for that): a
    // file-system clock tick is a few ms, so the link's tick is then most often a later one than the
    // last write's. Timestamps are coarse (a jiffy on Linux): linked at once, it is nearly always the same.
    const handle = await open(source, 'r');
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
    nodeFs.linkSync(source, temp);
  } catch {
    return undefined;
  }
  try {
    const info = statSync(temp);
    if (info.isFile() && info.mtimeMs < info.ctimeMs) return identityOf(info);
  } catch {
    // Removed below.
  }
  try {
    unlinkSync(temp);
  } catch {
    // Gone already.
  }
  return undefined;
}

/** A rendered report written as it is produced; `done` publishes it, `abort` drops it. */
export interface RenderedReportWriter {
  /** Several chunks at once (the stream is corked around them, so they leave in one `writev`); resolves once the stream is done with them. */
  writeAll(chunks: readonly Uint8Array[]): Promise<void>;
  /** Publishes the body with its head: the body's identity, or undefined when not published. */
  done(): Promise<FileIdentity | undefined>;
  abort(): Promise<void>;
}

/** Starts storing a rendered report (see `writeRenderedReport`); undefined when the folder cannot be written. */
export async function renderedReportWriter(dir: string, key: string, exitCode: number): Promise<RenderedReportWriter | undefined> {
  try {
    await makeCacheDir(dir);
    const temp = tempPath(dir, `.${RENDERED_BODY}.tmp-`);
    const discarded = discardStoredBody(dir);
    const stream = createWriteStream(temp, { mode: BODY_MODE });
    let failed = false;
    const failure = new Promise<void>((resolve) => stream.once('error', () => resolve(void (failed = true))));
    const end = () => new Promise<void>((resolve) => stream.end(() => resolve()));
    return {
      async writeAll(chunks) {
        if (failed || chunks.length === 0) return;
        // The last chunk's callback: the stream is done with every chunk (written, or failed), and the caller may write over them.
        const written = new Promise<void>((resolve) => {
          stream.cork();
          chunks.forEach((chunk, i) => stream.write(chunk, i === chunks.length - 1 ? () => resolve() : undefined));
          stream.uncork();
        });
        await Promise.race([written, failure]);
      },
      async done() {
        await Promise.all([end(), discarded]);
        // Only costs speed when it fails.
        if (failed) {
          await rm(temp, { force: true }).catch(() => undefined);
          return undefined;
        }
        return publishRendered(dir, temp, key, exitCode);
      },
      async abort() {
        await Promise.all([end(), discarded]);
        await rm(temp, { force: true }).catch(() => undefined);
      },
    };
  } catch {
    return undefined;
  }
}
