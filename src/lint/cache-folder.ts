/**
 * The lint cache folder (`.oclhub-cache/` at a repository's root by default) is made with a `.gitignore`
 * of `*` wherever it is made, so that no repository ever commits it or lists it as untracked: the
 * working-tree state a re-run writes first can make the folder before any result is stored. Node's own
 * modules only: the re-run fast path writes through this before anything else is loaded.
 */
const fs: typeof import('node:fs') = process.getBuiltinModule?.('node:fs') ?? (await import('node:fs'));
const path: typeof import('node:path') = process.getBuiltinModule?.('node:path') ?? (await import('node:path'));

const IGNORE_ALL = '*\n';

/** Makes `dir` (and its parents) with its `.gitignore`; a `.gitignore` already there is left as it is. */
export function makeCacheDirSync(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  try {
    fs.writeFileSync(path.join(dir, '.gitignore'), IGNORE_ALL, { flag: 'wx' });
  } catch {
    // There already (EEXIST), or not writable: the folder itself is what the caller needs.
  }
}

/** `makeCacheDirSync` without blocking the event loop. */
export async function makeCacheDir(dir: string): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true });
  await fs.promises.writeFile(path.join(dir, '.gitignore'), IGNORE_ALL, { flag: 'wx' }).catch(() => undefined);
}
