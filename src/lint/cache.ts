/**
 * The on-disk lint cache: one JSON file of project results keyed by a hash of everything a result
 * depends on (the project's files, the hub's oclhub.ocl, the published process-template tags, the
 * policies evaluated and the options). Tags are immutable, so a tag list stands for template content.
 * A run keeps only the entries it used, so the file does not grow without bound. A missing, corrupt or
 * foreign cache file is simply a cold start.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Creates the cache folder with a `.gitignore` of `*`, so that no repository ever commits it. */
async function makeCacheDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, '.gitignore'), '*\n', { flag: 'wx' }).catch(() => undefined);
}

const FORMAT = 'oclhub-lint-cache/1';

export class LintCache {
  private readonly used = new Map<string, unknown>();
  private dirty = false;

  private constructor(
    readonly file: string,
    private readonly entries: Map<string, unknown>,
  ) {}

  /** Opens `<dir>/<name>.json` (`lint-results` for project entries, `lint-run` for whole runs). */
  static async open(dir: string, name = 'lint-results'): Promise<LintCache> {
    const entries = new Map<string, unknown>();
    const file = path.join(dir, `${name}.json`);
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as { format?: string; entries?: Record<string, unknown> };
      if (parsed.format === FORMAT && parsed.entries) for (const [k, v] of Object.entries(parsed.entries)) entries.set(k, v);
    } catch {
      // Cold start.
    }
    return new LintCache(file, entries);
  }

  get<T>(key: string): T | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) this.used.set(key, value);
    return value as T | undefined;
  }

  set(key: string, value: unknown): void {
    this.used.set(key, value);
    this.dirty = true;
  }

  /** Writes the entries used by this run (atomically: a concurrent reader sees the old or the new file). */
  async save(): Promise<void> {
    // A run that only read the cache leaves the file alone (and keeps entries other runs use).
    if (!this.dirty) return;
    try {
      const file = this.file;
      await makeCacheDir(path.dirname(file));
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, JSON.stringify({ format: FORMAT, entries: Object.fromEntries(this.used) }));
      await rename(temp, file);
    } catch {
      // A cache that cannot be written only costs speed.
    }
  }
}

const RENDERED = 'lint-output.txt';

/** The last rendered report: `<key> <exit code> <summary length>\n<job summary><report>`. */
export async function readRenderedReport(dir: string, key: string): Promise<{ output: string; exitCode: number; summary?: string } | undefined> {
  try {
    const text = await readFile(path.join(dir, RENDERED), 'utf8');
    const newline = text.indexOf('\n');
    const [storedKey, code, summaryLength] = text.slice(0, newline).split(' ');
    if (storedKey !== key || code === undefined || summaryLength === undefined) return undefined;
    const length = Number(summaryLength);
    const body = text.slice(newline + 1);
    if (length < 0) return { output: body, exitCode: Number(code) };
    return { output: body.slice(length), exitCode: Number(code), summary: body.slice(0, length) };
  } catch {
    return undefined;
  }
}

/** Stores the rendered report (and the GitHub job summary rendered with it, if any). */
export async function writeRenderedReport(dir: string, key: string, output: string, exitCode: number, summary?: string): Promise<void> {
  try {
    await makeCacheDir(dir);
    const file = path.join(dir, RENDERED);
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, `${key} ${exitCode} ${summary === undefined ? -1 : summary.length}\n${summary ?? ''}${output}`);
    await rename(temp, file);
  } catch {
    // Only costs speed.
  }
}
