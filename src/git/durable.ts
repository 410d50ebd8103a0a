/**
 * Durable file writes, the way Git writes objects and refs: the bytes go to a new temporary file in
 * the destination's folder (created exclusively, so two writers never share one), are flushed to
 * disk (fsync), and only then is the temporary file renamed over the destination — an atomic step —
 * after which the folder itself is flushed so the new name survives a power cut. A crash at any point
 * leaves either the old file or the new one, never a truncated file; a leftover temporary file is
 * garbage, never data.
 */
import { errnoCode } from './errors.js';
import type { FileHandleLike, FsLike } from './repo.js';

export interface DurableWriteOptions {
  /** File mode of the result (default 0o644), set exactly (not reduced by the umask). */
  mode?: number;
}

/**
 * `<folder>/<prefix><pid><random>`: unique per call, in the destination's folder so the rename never
 * crosses file systems. The 48 random bits only keep a process's own names apart (the pid keeps
 * processes apart, and the writers here create their file exclusively or under a name no other
 * process uses); they need not be unpredictable, so they come from Math.random, not node:crypto,
 * whose loading would cost the re-run fast path (lint/fast-rerun.ts) 4–5 ms.
 */
export function tempPath(folder: string, prefix: string): string {
  return `${folder}/${prefix}${process.pid.toString(36)}${Math.floor(Math.random() * 2 ** 48)
    .toString(16)
    .padStart(12, '0')}`;
}

export function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? (slash === 0 ? '/' : '.') : path.slice(0, slash);
}

// Node's own fs, not the ES-module facade an `import` builds: the re-run fast path loads this module.
const nodeFs: typeof import('node:fs') = process.getBuiltinModule?.('node:fs') ?? (await import('node:fs'));

/**
 * Replaces `file` with `data` atomically, synchronously, on Node's file system, without the flushes
 * of `writeFileAtomic`: for caches and records whose loss only costs speed (readers check what they
 * read), where a crash may leave the old file but never a torn one. The temporary file is created
 * exclusively and removed when the write fails, unless its name was taken (EEXIST): that one is not ours.
 */
export function replaceFileSync(file: string, data: string | Uint8Array): void {
  const temp = tempPath(folderOf(file), `.${file.slice(file.lastIndexOf('/') + 1)}.tmp-`);
  let created = false;
  try {
    nodeFs.writeFileSync(temp, data, { flag: 'wx' });
    created = true;
    nodeFs.renameSync(temp, file);
  } catch (error) {
    // A write that failed part-way created the file (only EEXIST means it did not).
    if (created || errnoCode(error) !== 'EEXIST') nodeFs.rmSync(temp, { force: true });
    throw error;
  }
}

/** Writes `data` to a new file and flushes it; the file must not exist (`wx`). */
export async function writeNewFileSynced(fs: FsLike, path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const open = fs.promises.open;
  if (!open) {
    await fs.promises.writeFile(path, data, { flag: 'wx', mode });
    return;
  }
  const handle = await open.call(fs.promises, path, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a folder's entries (a rename is durable only once its folder is). Best effort: not every platform can. */
export async function syncFolder(fs: FsLike, folder: string): Promise<void> {
  const open = fs.promises.open;
  if (!open) return;
  let handle;
  try {
    handle = await open.call(fs.promises, folder, 'r');
    await handle.sync();
  } catch {
    // EISDIR/EPERM/EINVAL on platforms that cannot open or flush folders: the rename is still atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * `syncFolder` on Node's file system, synchronously: for a caller with nothing else to do meanwhile (the
 * re-run fast path, after renaming its report into place), whose wait it spares three trips through the
 * thread pool (open, flush, close) and Node's promise-based file system.
 */
export function syncFolderSync(folder: string): void {
  try {
    const fd = nodeFs.openSync(folder, 'r');
    try {
      nodeFs.fsyncSync(fd);
    } finally {
      nodeFs.closeSync(fd);
    }
  } catch {
    // As in `syncFolder`: a platform that cannot open or flush folders still renamed atomically.
  }
}

/**
 * Replaces (or creates) `path` atomically and durably. On any failure the destination is untouched
 * and the temporary file is removed; the error is rethrown as it came.
 */
export async function writeFileAtomic(fs: FsLike, path: string, data: string | Uint8Array, options: DurableWriteOptions = {}): Promise<void> {
  const folder = folderOf(path);
  // `.<name>.tmp-<random>`: hidden, and never ending in the destination's extension (a leftover is not `*.ocl`).
  const temp = tempPath(folder, `.${path.slice(folder.length + 1)}.tmp-`);
  try {
    await writeNewFileSynced(fs, temp, data, options.mode ?? 0o644);
    if (options.mode !== undefined) await fs.promises.chmod?.(temp, options.mode);
    await fs.promises.rename(temp, path);
  } catch (error) {
    await fs.promises.unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncFolder(fs, folder);
}

/** An open temporary file that content produced in pieces is written to (`writeFileAtomicWith`). */
export interface TempFileWriter {
  write(piece: string | Uint8Array): Promise<unknown>;
  /** Several pieces in one call (one system call for all, no copy into one buffer). */
  writev(pieces: readonly Uint8Array[]): Promise<unknown>;
}

/**
 * `writeFileAtomic` for content produced in pieces (a report streamed as it is rendered): `fill`
 * writes to a new temporary file, which is flushed and renamed over `path` only when `fill` has
 * finished; if `fill` or any step fails, the destination is untouched and the temporary file removed.
 * `written`, when given, is called with the temporary file's path once it holds every byte, while it
 * is being flushed, and awaited before the rename (a copy of the file made there is of the complete
 * content); its failure fails the write.
 */
export async function writeFileAtomicWith(
  fs: FsLike,
  path: string,
  fill: (out: TempFileWriter) => Promise<void>,
  mode = 0o644,
  written?: (temp: string) => Promise<void>,
  /**
   * When given, the rename happens only if `path` is a regular file or absent just before it
   * (`renameOverRegular`); else this is called with the complete temporary file (removed after), and
   * whatever took the name meanwhile (a FIFO, a device, a link) is left to it.
   */
  notRegular?: (temp: string) => Promise<void>,
): Promise<void> {
  const open = fs.promises.open;
  if (!open) throw new Error('writeFileAtomicWith needs a file system with open()');
  const folder = folderOf(path);
  const temp = tempPath(folder, `.${path.slice(folder.length + 1)}.tmp-`);
  try {
    const handle = await open.call(fs.promises, temp, 'wx', mode);
    const behind = new WriteBehind(handle);
    try {
      await fill({
        write: (piece) => behind.after(handle.write(piece), byteLength(piece)),
        writev: async (pieces) => {
          let bytes = 0;
          for (const piece of pieces) bytes += piece.byteLength;
          if (handle.writev) return behind.after(handle.writev(pieces as Uint8Array[]), bytes);
          for (const piece of pieces) await handle.write(piece);
          return behind.after(Promise.resolve(), bytes);
        },
      });
      await behind.settled();
      await Promise.all([handle.sync(), written?.(temp)]);
    } finally {
      await behind.settled().catch(() => undefined);
      await handle.close();
    }
    if (!notRegular) await fs.promises.rename(temp, path);
    else if (!(await renameOverRegular(fs, temp, path))) {
      await notRegular(temp);
      await fs.promises.unlink(temp);
      return;
    }
  } catch (error) {
    await fs.promises.unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncFolder(fs, folder);
}

/** Bytes written between two flushes started while a file is still being written (see `WriteBehind`). */
export const WRITE_BEHIND_BYTES = 8 << 20;

function byteLength(piece: string | Uint8Array): number {
  return typeof piece === 'string' ? Buffer.byteLength(piece) : piece.byteLength;
}

/**
 * Flushes a file while it is written, as Git's pack writer asks the kernel to: every WRITE_BEHIND_BYTES
 * written, a flush of what is written so far starts (one at a time, not waited for by the writes), so
 * that the flush before the rename finds little left to write to disk — a report of tens of megabytes
 * otherwise waited for all of it there, after the last byte. The last flush is still made and waited
 * for as before; an early flush's error is the write's (`settled` throws it: reported once, the kernel
 * would not report it to the last flush again).
 */
class WriteBehind {
  private unflushed = 0;
  private flushing: Promise<void> | undefined;
  private failure: unknown;

  constructor(private readonly handle: FileHandleLike) {}

  /** `write`, the write of `bytes` bytes, and a flush started behind it when enough were written since the last. */
  async after(write: Promise<unknown>, bytes: number): Promise<unknown> {
    const result = await write;
    this.unflushed += bytes;
    if (this.unflushed >= WRITE_BEHIND_BYTES && this.flushing === undefined && this.failure === undefined) {
      this.unflushed = 0;
      const handle = this.handle;
      this.flushing = (handle.datasync ? handle.datasync() : handle.sync()).then(
        () => void (this.flushing = undefined),
        (error: unknown) => void ((this.failure = error ?? new Error('flush failed')), (this.flushing = undefined)),
      );
    }
    return result;
  }

  /** Waits for the flush in flight; throws the error of any early flush. */
  async settled(): Promise<void> {
    await this.flushing;
    if (this.failure !== undefined) throw this.failure;
  }
}

/**
 * Renames `temp` over `path` only if `path` is a regular file or absent as seen just before (not
 * following a link): a report produced over minutes is not renamed over a FIFO, device or link that took
 * the name meanwhile (which would destroy it). The look and the rename are two system calls apart; no
 * portable call renames only over a regular file. False, with `temp` left, when `path` is something else.
 */
export async function renameOverRegular(fs: FsLike, temp: string, path: string): Promise<boolean> {
  const info = await fs.promises.lstat(path).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  });
  if (info !== undefined && !info.isFile()) return false;
  await fs.promises.rename(temp, path);
  return true;
}

/** `renameOverRegular` on Node's file system, synchronously. */
export function renameOverRegularSync(temp: string, path: string): boolean {
  const info = nodeFs.lstatSync(path, { throwIfNoEntry: false });
  if (info !== undefined && !info.isFile()) return false;
  nodeFs.renameSync(temp, path);
  return true;
}

/** mkdir -p. */
export async function ensureFolder(fs: FsLike, folder: string): Promise<void> {
  try {
    await fs.promises.mkdir(folder, { recursive: true });
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw error;
  }
}
