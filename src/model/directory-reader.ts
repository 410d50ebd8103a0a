/**
 * A `HubFileReader` over a folder on disk (for `oclhub validate --hub <dir>` without a Git ref). Lists
 * every file, as a Git tree does; the validator reads only the `.ocl` ones.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { HubFileReader } from './validate.js';

/** Folders never part of a hub's content. */
const SKIPPED = new Set(['.git', 'node_modules']);

export function directoryReader(root: string): HubFileReader {
  return {
    async list() {
      const out: string[] = [];
      const walk = async (dir: string): Promise<void> => {
        let entries;
        try {
          entries = await readdir(dir, { withFileTypes: true });
        } catch {
          return;
        }
        for (const entry of entries) {
          const full = path.join(dir, entry.name);
          if (entry.isDirectory()) {
            if (!SKIPPED.has(entry.name)) await walk(full);
          } else if (entry.isFile()) {
            out.push(path.relative(root, full).split(path.sep).join('/'));
          }
        }
      };
      await walk(root);
      return out.sort();
    },
    async read(relative: string) {
      try {
        return await readFile(path.join(root, relative), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}
