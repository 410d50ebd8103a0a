/**
 * The on-disk lint cache: one JSON file of project results keyed by a hash of everything a result
 * depends on (the project's files, the hub's oclhub.ocl, the published process-template tags, the
 * policies evaluated and the options). Tags are immutable, so a tag list stands for template content.
 * A run keeps only the entries it used, so the file does not grow without bound. A missing, corrupt or
 * foreign cache file is simply a cold start.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import * as nodeFs from 'node:fs';
import { writeFileAtomicWith } from '../git/durable.js';
import type { FsLike } from '../git/repo.js';
import type { JsonFragment } from '../report/lint-json-stream.js';
import { hasIdentity, HEADER_MAX, identityOf, RENDERED, RENDERED_BODY, renderedHeader, renderedHeaderLine, startStoredCopy, type FileIdentity } from './fast-rerun.js';

/** Creates the cache folder with a `.gitignore` of `*`, so that no repository ever commits it. */
async function makeCacheDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, '.gitignore'), '*\n', { flag: 'wx' }).catch(() => undefined);
}

const FORMAT = 'oclhub-lint-cache/2';

/**
 * The file is a header line (`oclhub-lint-cache/2`) and one line per entry, `<key>\t<JSON value>`: a
 * run finds its keys by splitting lines, decodes only the entries it uses, and writes the entries it
 * did not change back as the text it read (a run after one project changed decodes and re-encodes
 * one entry's worth of new work, not the whole file). A new entry is written to the next file as
 * soon as it is set, so a run never holds its results twice (once for the report, once for the cache).
 */
export class LintCache {
  /** Keys of entries read this run (written back on save); their text stays in `entries`. */
  private readonly hits = new Set<string>();
  /** Keys of entries set this run: already in the next file, not held in memory. */
  private readonly written = new Set<string>();
  private next: { temp: string; stream?: WriteStream; failed: boolean } | undefined;

  private constructor(
    readonly file: string,
    private readonly entries: Map<string, string>,
  ) {}

  /** Opens `<dir>/<name>.json` (`lint-results` for project entries, `lint-run` for whole runs). */
  static async open(dir: string, name = 'lint-results'): Promise<LintCache> {
    const entries = new Map<string, string>();
    const file = path.join(dir, `${name}.json`);
    try {
      const text = await readFile(file, 'utf8');
      let at = text.indexOf('\n');
      if (at >= 0 && text.slice(0, at) === FORMAT) {
        while (at >= 0 && at < text.length - 1) {
          const next = text.indexOf('\n', at + 1);
          const line = text.slice(at + 1, next < 0 ? text.length : next);
          const tab = line.indexOf('\t');
          if (tab > 0) entries.set(line.slice(0, tab), line.slice(tab + 1));
          at = next;
        }
      }
    } catch {
      // Cold start.
    }
    return new LintCache(file, entries);
  }

  /** Whether an entry exists (without decoding it). */
  has(key: string): boolean {
    return this.entries.has(key) && !this.written.has(key);
  }

  /** The entry, decoded; undefined when absent, damaged, or set by this run (it is on its way to disk, not kept). */
  get<T>(key: string): T | undefined {
    if (this.written.has(key)) return undefined;
    const text = this.entries.get(key);
    if (text === undefined) return undefined;
    try {
      const value = JSON.parse(text) as T;
      this.hits.add(key);
      return value;
    } catch {
      return undefined; // A damaged line is a miss.
    }
  }

  set(key: string, value: unknown): void {
    this.setEncoded(key, JSON.stringify(value));
  }

  /** `set` with the value already JSON-encoded (a lint worker thread's result is its entry's text). */
  setEncoded(key: string, text: string): void {
    const next = this.openNext();
    this.hits.delete(key);
    this.written.add(key);
    if (!next.failed) next.stream!.write(`${key}\t${text}\n`);
  }

  private openNext(): NonNullable<LintCache['next']> {
    if (this.next) return this.next;
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const next: NonNullable<LintCache['next']> = { temp, failed: false };
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const stream = createWriteStream(temp);
      // A cache that cannot be written only costs speed.
      stream.on('error', () => void (next.failed = true));
      stream.write(`${FORMAT}\n`);
      next.stream = stream;
    } catch {
      next.failed = true;
    }
    return (this.next = next);
  }

  /** Writes the entries used by this run (atomically: a concurrent reader sees the old or the new file). */
  async save(): Promise<void> {
    // A run that only read the cache leaves the file alone (and keeps entries other runs use).
    const next = this.next;
    if (!next) return;
    this.next = undefined;
    try {
      const stream = next.stream;
      if (!stream) throw new Error('not written');
      for (const key of this.hits) if (!next.failed) stream.write(`${key}\t${this.entries.get(key)!}\n`);
      await new Promise<void>((resolve, reject) => {
        stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
      });
      if (next.failed) throw new Error('not written');
      await makeCacheDir(path.dirname(this.file));
      await rename(next.temp, this.file);
    } catch {
      await rm(next.temp, { force: true }).catch(() => undefined);
    }
  }
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
  copyTo(file: string): Promise<void>;
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
        if (copy && (await copy.finish())) return;
        await writeFileAtomicWith(nodeFs as unknown as FsLike, target, async (out) => {
          const piece = Buffer.alloc(1 << 20);
          for (let at = 0; at < size; ) {
            const { bytesRead } = await file.read(piece, 0, Math.min(piece.length, size - at), at);
            if (bytesRead === 0) throw new Error('the stored report is torn');
            await out.write(piece.subarray(0, bytesRead));
            at += bytesRead;
          }
        });
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

/**
 * Publishes a stored report whose body is complete in `bodyTemp`: the body renamed into place first,
 * then the head naming it (see fast-rerun.ts). The body's identity, or undefined when not published.
 */
async function publishRendered(dir: string, bodyTemp: string, key: string, exitCode: number, summary?: string): Promise<FileIdentity | undefined> {
  try {
    // Taken before the rename (which keeps size, time and inode): another run's body renamed in meanwhile is not this one.
    const body = identityOf(await stat(bodyTemp));
    await rename(bodyTemp, path.join(dir, RENDERED_BODY));
    const file = path.join(dir, RENDERED);
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const summaryBytes = summary === undefined ? -1 : Buffer.byteLength(summary);
    await writeFile(temp, `${renderedHeaderLine(key, exitCode, summaryBytes, body)}${summary ?? ''}`);
    await rename(temp, file);
    return body;
  } catch {
    await rm(bodyTemp, { force: true }).catch(() => undefined);
    return undefined;
  }
}

/** Stores the rendered report (and the GitHub job summary rendered with it, if any). */
export async function writeRenderedReport(dir: string, key: string, output: string, exitCode: number, summary?: string): Promise<void> {
  try {
    await makeCacheDir(dir);
    const temp = path.join(dir, `${RENDERED_BODY}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(temp, output, { mode: BODY_MODE });
    await publishRendered(dir, temp, key, exitCode, summary);
  } catch {
    // Only costs speed.
  }
}

/** A rendered report written as it is produced; `done` publishes it, `abort` drops it. */
export interface RenderedReportWriter {
  write(chunk: string | Uint8Array): Promise<void>;
  /** A piece of the report (bytes from the report's start) to keep for the next report (see `readReportFragments`). */
  fragment(fragment: JsonFragment): void;
  done(): Promise<void>;
  abort(): Promise<void>;
}

/** Where a report's fragments are (see `readReportFragments`). */
const FRAGMENTS = 'lint-output.fragments.json';
const FRAGMENTS_FORMAT = 'oclhub-fragments/2';

interface FragmentIndex {
  format: typeof FRAGMENTS_FORMAT;
  /** The report's key, and its body's identity: no other file's offsets apply. */
  key: string;
  body: FileIdentity;
  /** Fragment key → [offset in the report, length, commit offsets in the fragment]. */
  fragments: Record<string, [number, number, number[]]>;
}

/** Starts storing a rendered report (see `writeRenderedReport`); undefined when the folder cannot be written. */
export async function renderedReportWriter(dir: string, key: string, exitCode: number): Promise<RenderedReportWriter | undefined> {
  try {
    await makeCacheDir(dir);
    const temp = path.join(dir, `${RENDERED_BODY}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const stream = createWriteStream(temp, { mode: BODY_MODE });
    let failed = false;
    const failure = new Promise<void>((resolve) => stream.once('error', () => resolve(void (failed = true))));
    const write = async (chunk: string | Uint8Array) => {
      if (failed) return;
      if (!stream.write(chunk)) await Promise.race([once(stream, 'drain').catch(() => undefined), failure]);
    };
    const fragments: FragmentIndex['fragments'] = {};
    let kept = 0;
    const end = () => new Promise<void>((resolve) => stream.end(() => resolve()));
    return {
      write,
      fragment(f) {
        fragments[f.key] = [f.at, f.length, f.commits];
        kept++;
      },
      async done() {
        await end();
        // Only costs speed when it fails.
        if (failed) {
          await rm(temp, { force: true }).catch(() => undefined);
          return;
        }
        const body = await publishRendered(dir, temp, key, exitCode);
        if (body === undefined || kept === 0) return;
        try {
          const index: FragmentIndex = { format: FRAGMENTS_FORMAT, key, body, fragments };
          const target = path.join(dir, FRAGMENTS);
          const indexTemp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
          await writeFile(indexTemp, JSON.stringify(index));
          await rename(indexTemp, target);
        } catch {
          // Only costs speed.
        }
      },
      async abort() {
        await end();
        await rm(temp, { force: true }).catch(() => undefined);
      },
    };
  } catch {
    return undefined;
  }
}

/**
 * The fragments of the last stored report (report/lint-json-stream.ts): its body's bytes, read once,
 * and the index written with it. Nothing when the index is not the stored body's (another report was
 * stored since, or either file is torn or missing).
 */
export async function readReportFragments(dir: string): Promise<(key: string) => { bytes: Uint8Array; commits: number[] } | undefined> {
  const none = () => undefined;
  let handle: FileHandle | undefined;
  try {
    const index = JSON.parse(await readFile(path.join(dir, FRAGMENTS), 'utf8')) as FragmentIndex;
    if (index.format !== FRAGMENTS_FORMAT || !Array.isArray(index.body)) return none;
    handle = await open(path.join(dir, RENDERED_BODY), 'r');
    if (!hasIdentity(await handle.stat(), index.body)) return none;
    const bytes = Buffer.allocUnsafe(index.body[0]);
    for (let at = 0; at < bytes.length; ) {
      const { bytesRead } = await handle.read(bytes, at, bytes.length - at, at);
      if (bytesRead === 0) return none;
      at += bytesRead;
    }
    return (key) => {
      const entry = index.fragments[key];
      if (!entry || !Object.hasOwn(index.fragments, key)) return undefined;
      const [at, length, commits] = entry;
      if (at + length > bytes.length) return undefined;
      return { bytes: bytes.subarray(at, at + length), commits };
    };
  } catch {
    return none;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
