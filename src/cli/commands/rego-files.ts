/**
 * Files the Rego commands read (`oclhub rego eval -d`, `oclhub rego test`): directories expanded as OPA's
 * loader expands them, and data documents merged.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
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

