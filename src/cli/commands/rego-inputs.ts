/**
 * What the Rego commands (`oclhub rego eval`, `oclhub rego test`) read: directories expanded as OPA's
 * loader expands them, data documents mounted and merged, and the evaluation budget options.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { RegoLimits } from '../../rego/index.js';
import { emptyObject, isPlainObject, setOwn, type PlainObject } from '../../rego/value.js';

/** Never policy or data: a repository's Git folder, installed packages, oclhub's caches. */
function skippedFolder(relative: string): boolean {
  return relative.split(path.sep).some((segment) => segment === '.git' || segment === 'node_modules' || segment === '.oclhub-cache');
}

/**
 * Every file below each directory of `paths` whose name matches `names`, with the folder path its data is
 * mounted at (OPA's loader: a data file under a directory argument sits at its folder's path); a path that
 * is not a directory is itself, mounted at the root. Sorted within each directory.
 */
export async function expandDirectories(paths: readonly string[], cwd: string, names: RegExp): Promise<Array<{ file: string; mount: string[] }>> {
  const out: Array<{ file: string; mount: string[] }> = [];
  for (const p of paths) {
    const absolute = path.resolve(cwd, p);
    let isDir = false;
    try {
      isDir = (await stat(absolute)).isDirectory();
    } catch {
      // reported when the file is read
    }
    if (!isDir) {
      out.push({ file: p, mount: [] });
      continue;
    }
    const entries = await readdir(absolute, { recursive: true, withFileTypes: true });
    // `parentPath` from Node 20.12 on; `path` before it.
    const folderOf = (e: (typeof entries)[number]) => e.parentPath ?? (e as unknown as { path: string }).path;
    const files = entries
      .filter((e) => e.isFile() && names.test(e.name) && !skippedFolder(path.relative(absolute, folderOf(e))))
      .map((e) => path.join(folderOf(e), e.name))
      .sort();
    for (const f of files) {
      const mount = path.relative(absolute, path.dirname(f)).split(path.sep).filter(Boolean);
      out.push({ file: path.relative(cwd, f), mount });
    }
  }
  return out;
}

export function isRegoFile(file: string): boolean {
  return file.toLowerCase().endsWith('.rego');
}

/** Deep merge of data documents (later files win on scalar conflicts). */
export function mergeObjects(a: PlainObject, b: PlainObject): PlainObject {
  const out = emptyObject();
  for (const k of Object.keys(a)) setOwn(out, k, a[k]!);
  for (const k of Object.keys(b)) {
    const x = out[k];
    const y = b[k]!;
    setOwn(out, k, x !== undefined && isPlainObject(x) && isPlainObject(y) ? mergeObjects(x, y) : y);
  }
  return out;
}

/** `data` with `doc` merged in at the folder path `mount` (a data file under a directory argument). */
export function mergeMounted(data: PlainObject, doc: PlainObject, mount: readonly string[]): PlainObject {
  let mounted = doc;
  for (const segment of [...mount].reverse()) {
    const o = emptyObject();
    setOwn(o, segment, mounted);
    mounted = o;
  }
  return mergeObjects(data, mounted);
}

/** Why a file could not be read, in a few words. */
export function unreadableReason(error: unknown): string {
  return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

/** The budget options as parsed (`budgetOptions`). */
export interface BudgetOptions {
  maxSteps?: number;
  maxMillis?: number;
  maxMemoryMb?: number;
}

/** `--max-steps`, `--max-millis` and `--max-memory-mb` (docs/rego-limits.md); `per` says what one budget covers. */
export function budgetOptions(command: Command, per: string, defaultMillis: number): Command {
  return command
    .option('--max-steps <n>', `evaluation step budget${per} (default 10000000)`, positiveInt)
    .option('--max-millis <n>', `evaluation time budget${per} in milliseconds (default ${defaultMillis})`, positiveInt)
    .option('--max-memory-mb <n>', `memory budget${per} for the values an evaluation creates, in MiB (default 256)`, positiveInt);
}

/** The engine limits the budget options set; unset ones keep the engine's (or the command's) defaults. */
export function budgetLimits(options: BudgetOptions): RegoLimits {
  const limits: RegoLimits = {};
  if (options.maxSteps !== undefined) limits.maxSteps = options.maxSteps;
  if (options.maxMillis !== undefined) limits.maxMillis = options.maxMillis;
  if (options.maxMemoryMb !== undefined) limits.maxMemoryBytes = options.maxMemoryMb * 1024 * 1024;
  return limits;
}
