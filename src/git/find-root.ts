/** Finding the repository a folder belongs to, without opening it (cheap: used on the CLI's start path). */
import { stat } from 'node:fs/promises';
import path from 'node:path';

/** The nearest folder at or above `start` that holds a `.git` (folder or file), or undefined. */
export async function findRepositoryRoot(start: string): Promise<string | undefined> {
  let dir = path.resolve(start);
  for (;;) {
    if (await stat(path.join(dir, '.git')).catch(() => undefined)) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
