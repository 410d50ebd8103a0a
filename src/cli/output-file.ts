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
 *   A link the kernel resolves to no path (`/dev/stdout` and `/dev/fd/N` of a pipe name `pipe:[N]`) is
 *   such a file, opened through the link.
 * What the name is, is decided when the bytes go, not only when the run starts (a report may take
 * minutes, and a FIFO may take the name meanwhile): written in place only through a descriptor whose
 * own stat says it is not a regular file, and renamed over only a regular file or nothing, as seen
 * just before the rename (git/durable.ts `renameOverRegular`); else the complete report is written
 * in place into what took the name.
 */
import { lstat, mkdir, open, readlink, stat, type FileHandle } from 'node:fs/promises';
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
      // A pipe behind /dev/stdout or /dev/fd/N: the kernel follows such a link, a path cannot (a socket there
      // cannot be opened by name at all: the open says ENXIO, and the command that it cannot write).
      const reached = await stat(current).catch(() => undefined);
      if (reached && !reached.isFile() && !reached.isDirectory()) return { kind: 'stream', path: current };
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

/** How many times the name may change between looking at it and opening it before the write gives up. */
const MAX_ATTEMPTS = 8;

/**
 * Writes content produced in pieces to the file the user named (see the module comment), creating its
 * folder. `written` is called with a temporary file holding every byte before it is renamed into place
 * (see `writeFileAtomicWith`); a stream-like target has no such file and `written` is not called.
 * Returns what the bytes went to.
 */
export async function writeOutputFile(file: string, fill: (out: TempFileWriter) => Promise<void>, written?: (temp: string) => Promise<void>, mode?: number): Promise<OutputTarget> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const target = await outputTarget(file);
    if (target.kind === 'stream') {
      const handle = await openInPlace(target.path);
      // A regular file (or nothing) now: replaced atomically instead, as one.
      if (!handle) continue;
      try {
        await fill(writerOn(handle));
      } finally {
        await handle.close();
      }
      return target;
    }
    await mkdir(path.dirname(target.path), { recursive: true });
    let placed: OutputTarget = target;
    await writeFileAtomicWith(nodeFs as unknown as FsLike, target.path, fill, mode, written, async (temp) => void (placed = await writeLate(temp, file)));
    return placed;
  }
  throw changing(file);
}

/**
 * `file` opened for writing in place if it is not a regular file, as the descriptor's own stat says (what
 * is checked is what is written); undefined when it is a regular file or gone now. Opened without
 * creating or truncating, so a regular file that took the name is not touched.
 */
async function openInPlace(file: string): Promise<FileHandle | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, nodeFs.constants.O_WRONLY);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  if (!(await handle.stat()).isFile()) return handle;
  await handle.close();
  return undefined;
}

/** Every byte of each piece into `handle` (writeFile writes until all are taken: a pipe takes a large write in parts). */
function writerOn(handle: FileHandle): TempFileWriter {
  return {
    write: (piece) => handle.writeFile(piece),
    writev: async (pieces) => {
      for (const piece of pieces) await handle.writeFile(piece);
    },
  };
}

/** The complete report in `temp` written in place into the FIFO or device that took the name of `file` while it was produced. */
async function writeLate(temp: string, file: string): Promise<OutputTarget> {
  const target = await outputTarget(file);
  const handle = target.kind === 'stream' ? await openInPlace(target.path) : undefined;
  if (!handle) throw changing(file);
  try {
    for await (const chunk of nodeFs.createReadStream(temp, { highWaterMark: 1 << 20 })) await handle.writeFile(chunk as Buffer);
  } finally {
    await handle.close();
  }
  return target;
}

function changing(file: string): Error {
  return Object.assign(new Error(`${file} kept changing while it was written`), { code: 'EAGAIN' });
}

/** `writeOutputFile` for content already in memory. */
export function writeOutputText(file: string, data: string | Uint8Array, mode?: number): Promise<OutputTarget> {
  return writeOutputFile(file, (out) => out.write(data).then(() => undefined), undefined, mode);
}
