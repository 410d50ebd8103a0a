/**
 * The on-disk lint cache: one JSON file of project results keyed by a hash of everything a result
 * depends on (the project's files, the hub's oclhub.ocl, the published process-template tags, the
 * policies evaluated and the options). Tags are immutable, so a tag list stands for template content.
 * A run keeps only the entries it used, so the file does not grow without bound. A missing, corrupt or
 * foreign cache file is simply a cold start.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';

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
 * one entry's worth of new work, not the whole file).
 */
export class LintCache {
  /** Entries used by this run: the value, or the line's JSON text while it is not needed decoded. */
  private readonly used = new Map<string, { text: string } | { value: unknown }>();
  private dirty = false;

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
    return this.entries.has(key) || this.used.has(key);
  }

  get<T>(key: string): T | undefined {
    const seen = this.used.get(key);
    if (seen && 'value' in seen) return seen.value as T;
    const text = seen?.text ?? this.entries.get(key);
    if (text === undefined) return undefined;
    try {
      const value = JSON.parse(text) as T;
      this.used.set(key, { text });
      return value;
    } catch {
      return undefined; // A damaged line is a miss.
    }
  }

  set(key: string, value: unknown): void {
    this.used.set(key, { value });
    this.dirty = true;
  }

  /** Writes the entries used by this run (atomically: a concurrent reader sees the old or the new file). */
  async save(): Promise<void> {
    // A run that only read the cache leaves the file alone (and keeps entries other runs use).
    if (!this.dirty) return;
    const file = this.file;
    const temp = `${file}.${process.pid}.tmp`;
    try {
      await makeCacheDir(path.dirname(file));
      const out = createWriteStream(temp);
      const lines = (function* (used) {
        yield `${FORMAT}\n`;
        for (const [key, entry] of used) yield `${key}\t${'text' in entry ? entry.text : JSON.stringify(entry.value)}\n`;
      })(this.used);
      await pipeline(Readable.from(lines), out);
      await rename(temp, file);
    } catch {
      // A cache that cannot be written only costs speed.
      await rm(temp, { force: true }).catch(() => undefined);
    }
  }
}

const RENDERED = 'lint-output.txt';
/** The header's first word; a file of another layout (or none) is a miss. */
const RENDERED_FORMAT = 'oclhub-rendered/2';
/** A header is one short line: the format, a sha-256 key, the exit code and a byte count. */
const HEADER_MAX = 256;

/**
 * The last rendered report, found by its key. Only the header line is read to compare keys: the
 * report itself (tens of megabytes for a big hub) is read or copied only on a hit, from the file as
 * it was when the header was read (the handle stays open, so a concurrent writer's rename does not
 * mix two reports).
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

/** The file layout: `oclhub-rendered/2 <key> <exit code> <summary bytes>\n<job summary><report>`. */
export async function readRenderedReport(dir: string, key: string): Promise<RenderedReport | undefined> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path.join(dir, RENDERED), 'r');
    const head = Buffer.alloc(HEADER_MAX);
    const { bytesRead } = await handle.read(head, 0, HEADER_MAX, 0);
    const newline = head.subarray(0, bytesRead).indexOf(10);
    if (newline < 0) throw new Error('no header');
    const [format, storedKey, code, summaryBytes] = head.toString('utf8', 0, newline).split(' ');
    if (format !== RENDERED_FORMAT || storedKey !== key || code === undefined || summaryBytes === undefined) throw new Error('another report');
    const exitCode = Number(code);
    const summaryLength = Math.max(0, Number(summaryBytes));
    const bodyStart = newline + 1 + summaryLength;
    let summary: string | undefined;
    if (Number(summaryBytes) >= 0) {
      const bytes = Buffer.alloc(summaryLength);
      await handle.read(bytes, 0, summaryLength, newline + 1);
      summary = bytes.toString('utf8');
    }
    const file = handle;
    const size = (await file.stat()).size;
    return {
      exitCode,
      ...(summary !== undefined ? { summary } : {}),
      async text() {
        const bytes = Buffer.alloc(size - bodyStart);
        await file.read(bytes, 0, bytes.length, bodyStart);
        return bytes.toString('utf8');
      },
      async copyTo(target: string) {
        const temp = `${target}.${process.pid}.tmp`;
        try {
          await pipeline(file.createReadStream({ start: bodyStart, autoClose: false }), createWriteStream(temp));
          await rename(temp, target);
        } catch (error) {
          await rm(temp, { force: true });
          throw error;
        }
      },
      close: () => file.close(),
    };
  } catch {
    await handle?.close().catch(() => undefined);
    return undefined;
  }
}

/** Stores the rendered report (and the GitHub job summary rendered with it, if any). */
export async function writeRenderedReport(dir: string, key: string, output: string, exitCode: number, summary?: string): Promise<void> {
  try {
    await makeCacheDir(dir);
    const file = path.join(dir, RENDERED);
    const temp = `${file}.${process.pid}.tmp`;
    const summaryBytes = summary === undefined ? -1 : Buffer.byteLength(summary);
    await writeFile(temp, `${RENDERED_FORMAT} ${key} ${exitCode} ${summaryBytes}\n${summary ?? ''}${output}`);
    await rename(temp, file);
  } catch {
    // Only costs speed.
  }
}
