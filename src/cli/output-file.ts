/**
 * Writing a file the user named (`--output report.sarif`, a file `fmt` rewrites), the way Git writes
 * through its lock files:
 * - a regular file (or a name not taken yet) is replaced atomically: a temporary file in the same
 *   folder, flushed, renamed over it, so a reader or a crash never sees half a report;
 * - a symbolic link is followed and its target replaced, so the link stays a link (renaming over the
 *   link itself would turn it into a copy and leave its target stale);
 * - anything else that exists — `/dev/null`, `/dev/stdout`, a FIFO, the `/dev/fd/N` of a shell's
 *   process substitution — is written in place: it cannot be replaced, and renaming a file over it
 *   would destroy it (as root, `--output /dev/null` used to replace the device with a regular file).
 */
import { lstat, mkdir, open, readlink } from 'node:fs/promises';
import * as nodeFs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicWith, type TempFileWriter } from '../git/durable.js';
import { errnoCode } from '../git/errors.js';
import type { FsLike } from '../git/repo.js';

/** Where the bytes for a named file go: replaced atomically at `path`, or written in place into a stream-like file. */
export type OutputTarget = { kind: 'file'; path: string } | { kind: 'stream'; path: string };

/** Links followed before giving up (Linux's own limit for one path lookup). */
const MAX_LINKS = 40;

/** The target `file` (absolute) names once symbolic links are followed; a folder is refused (EISDIR). */
export async function outputTarget(file: string): Promise<OutputTarget> {
  let current = file;
  for (let links = 0; links <= MAX_LINKS; links++) {
    let info: nodeFs.Stats;
    try {
      info = await lstat(current);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return { kind: 'file', path: current };
      throw error;
    }
    if (info.isSymbolicLink()) {
      // Followed one step at a time: a link to a name not taken yet creates that file (as `>` does in a shell).
      current = path.resolve(path.dirname(current), await readlink(current));
      continue;
    }
    if (info.isFile()) return { kind: 'file', path: current };
    if (info.isDirectory()) throw Object.assign(new Error(`${file} is a folder`), { code: 'EISDIR' });
    return { kind: 'stream', path: current };
  }
  throw Object.assign(new Error(`${file}: too many levels of symbolic links`), { code: 'ELOOP' });
}

/**
 * Writes content produced in pieces to the file the user named (see the module comment), creating its
 * folder. `written` is called with a temporary file holding every byte before it is renamed into place
 * (see `writeFileAtomicWith`); a stream-like target has no such file and `written` is not called.
 */
export async function writeOutputFile(file: string, fill: (out: TempFileWriter) => Promise<void>, written?: (temp: string) => Promise<void>, mode?: number): Promise<OutputTarget> {
  const target = await outputTarget(file);
  if (target.kind === 'stream') {
    const handle = await open(target.path, 'w');
    try {
      // writeFile writes until every byte is taken: a pipe takes a large write in parts.
      await fill({
        write: (piece) => handle.writeFile(piece),
        writev: async (pieces) => {
          for (const piece of pieces) await handle.writeFile(piece);
        },
      });
    } finally {
      await handle.close();
    }
    return target;
  }
  await mkdir(path.dirname(target.path), { recursive: true });
  await writeFileAtomicWith(nodeFs as unknown as FsLike, target.path, fill, mode, written);
  return target;
}

/** `writeOutputFile` for content already in memory. */
export function writeOutputText(file: string, data: string | Uint8Array, mode?: number): Promise<OutputTarget> {
  return writeOutputFile(file, (out) => out.write(data).then(() => undefined), undefined, mode);
}
