/**
 * Content hashes recorded in version tags, so a published snapshot can be verified against the files.
 * - A single file (process template, policy): `sha256:` + the SHA-256 of its bytes, i.e. what
 *   `sha256sum <file>` prints.
 * - A folder (project template): Go's module "dirhash" construction with SHA-256 hex output: the
 *   SHA-256 of the lines `<sha256 hex of file>  <path>\n`, one per file in ascending path order
 *   (UTF-16 code-unit order, `/` separators, paths relative to the folder). That is what
 *   `cd <folder> && LC_ALL=C sha256sum $(find . -type f | sed 's|^\./||' | LC_ALL=C sort) | sha256sum`
 *   prints for ASCII paths. Hashing names as well as contents means renaming a file changes the hash.
 */
import { createHash } from 'node:crypto';
import type { TagError } from './version-tags.js';

export interface HashedFile {
  /** Path relative to the template folder, `/`-separated. */
  path: string;
  /** Strings are hashed as UTF-8. */
  content: string | Uint8Array;
}

function sha256Hex(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

export function hashFileContent(content: string | Uint8Array): string {
  return `sha256:${sha256Hex(content)}`;
}

export function hashFolderContent(files: readonly HashedFile[]): { hash: string } | { error: TagError } {
  const seen = new Set<string>();
  for (const file of files) {
    if (file.path === '' || /[\n\r]/.test(file.path)) {
      return { error: { code: 'TPL_HASH_PATH', message: `cannot hash the file path ${JSON.stringify(file.path)}: it is empty or contains a line break` } };
    }
    if (seen.has(file.path)) {
      return { error: { code: 'TPL_HASH_PATH', message: `the file "${file.path}" is listed twice` } };
    }
    seen.add(file.path);
  }
  const summary = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((file) => `${sha256Hex(file.content)}  ${file.path}\n`)
    .join('');
  return { hash: `sha256:${sha256Hex(summary)}` };
}
