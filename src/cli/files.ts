/**
 * Finding the OCL files a command works on: explicit files as given, directories searched
 * recursively for `*.ocl` (skipping `node_modules` and `.git`), in a stable order.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface InputFile {
  /** Absolute path. */
  path: string;
  /** What to show the user: relative to the working directory when inside it. */
  display: string;
}

export interface CollectedFiles {
  files: InputFile[];
  /** Arguments that name nothing on disk. */
  missing: string[];
}

const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git']);

export async function collectOclFiles(args: readonly string[], cwd: string): Promise<CollectedFiles> {
  const seen = new Set<string>();
  const files: InputFile[] = [];
  const missing: string[] = [];
  const add = (absolute: string) => {
    if (seen.has(absolute)) return;
    seen.add(absolute);
    files.push({ path: absolute, display: displayPath(absolute, cwd) });
  };
  for (const arg of args) {
    const absolute = path.resolve(cwd, arg);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) missing.push(arg);
    else if (info.isDirectory()) for (const file of await walk(absolute)) add(file);
    else add(absolute);
  }
  return { files, missing };
}

async function walk(directory: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) found.push(...(await walk(full)));
    } else if (entry.name.endsWith('.ocl')) {
      // Symbolic links to files count; links to directories are not followed (no cycles).
      const info = entry.isFile() ? entry : await stat(full).catch(() => undefined);
      if (info?.isFile()) found.push(full);
    }
  }
  return found;
}

export function displayPath(absolute: string, cwd: string): string {
  const relative = path.relative(cwd, absolute);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : absolute;
}
