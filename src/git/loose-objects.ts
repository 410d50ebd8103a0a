/**
 * Loose object files, written and checked the way Git writes them (object-file.c): the deflated object
 * goes to `objects/xx/tmp_obj_<random>` created exclusively, is flushed (fsync), and is then renamed
 * to `objects/xx/<38 hex>`; the folder is flushed after. Git links and keeps an existing file; we also
 * look at the existing file first, because isomorphic-git (and Git) trust any file with the right name:
 * an empty or truncated file left by a crash would otherwise be "the object" forever. A file that is
 * empty, does not inflate, or does not hash to its name is replaced — rename is atomic, so a reader
 * sees the broken file or the good one, never a mix.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { cleanGitMessage } from './corruption.js';
import { errnoCode } from './errors.js';
import { ensureFolder, syncFolder, tempPath, writeNewFileSynced } from './durable.js';
import type { FsLike } from './repo.js';

export const LOOSE_OBJECT_PATH = /\/objects\/([0-9a-f]{2})\/([0-9a-f]{38})$/;

export type LooseObjectState =
  | { state: 'absent' }
  | { state: 'valid'; type: 'blob' | 'tree' | 'commit' | 'tag'; content: Buffer }
  | { state: 'corrupt'; reason: string };

/** Whether the loose file for `oid` is absent, a valid object, or corrupt (and why). */
export async function checkLooseObject(fs: FsLike, file: string, oid: string): Promise<LooseObjectState> {
  let data: Uint8Array;
  try {
    data = await fs.promises.readFile(file);
  } catch (error) {
    return unreadableLooseObject(error);
  }
  return inspectLooseBytes(data, oid);
}

/**
 * `checkLooseObject` on Node's own file system, read synchronously: a loose object is a small file
 * (those a commit just wrote: its trees, its blobs), and read through the thread pool it is four
 * hand-offs (open, stat, read, close), each of which waits for a core on a busy machine.
 */
export function checkLooseObjectSync(file: string, oid: string): LooseObjectState {
  let data: Uint8Array;
  try {
    data = readFileSync(file);
  } catch (error) {
    return unreadableLooseObject(error);
  }
  return inspectLooseBytes(data, oid);
}

/** A loose object file that could not be read: absent, or corrupt (and why). */
function unreadableLooseObject(error: unknown): LooseObjectState {
  const code = errnoCode(error);
  if (code === 'ENOENT' || code === 'ENOTDIR') return { state: 'absent' };
  return { state: 'corrupt', reason: `the object file cannot be read (${code ?? cleanGitMessage(error)})` };
}

/** Checks the bytes of a loose object file against the id it is stored under; a valid one comes with its content. */
export function inspectLooseBytes(data: Uint8Array, oid: string): LooseObjectState {
  if (data.byteLength === 0) return { state: 'corrupt', reason: 'the object file is empty (a write was interrupted)' };
  let raw: Buffer;
  try {
    raw = inflateSync(data);
  } catch {
    return { state: 'corrupt', reason: 'the object file is truncated or damaged (it does not decompress)' };
  }
  const nul = raw.indexOf(0);
  const header = nul > 0 && nul < 32 ? raw.toString('latin1', 0, nul) : '';
  const match = /^(blob|tree|commit|tag) (\d+)$/.exec(header);
  if (!match || Number(match[2]) !== raw.byteLength - nul - 1) {
    return { state: 'corrupt', reason: 'the object file is truncated or damaged (its header does not match its length)' };
  }
  if (createHash('sha1').update(raw).digest('hex') !== oid) {
    return { state: 'corrupt', reason: 'the object file does not hash to its name' };
  }
  return { state: 'valid', type: match[1] as 'blob' | 'tree' | 'commit' | 'tag', content: raw.subarray(nul + 1) };
}

/**
 * Writes a deflated object durably under its id, replacing whatever is at that path (callers check
 * first: a valid existing file is left alone, as Git does).
 */
export async function writeLooseObjectFile(fs: FsLike, file: string, deflated: Uint8Array): Promise<void> {
  const folder = file.slice(0, file.lastIndexOf('/'));
  await ensureFolder(fs, folder);
  const temp = tempPath(folder, 'tmp_obj_');
  try {
    await writeNewFileSynced(fs, temp, deflated, 0o644);
    // Read-only like Git's object files (set after writing: some file systems check the mode on open).
    await fs.promises.chmod?.(temp, 0o444).catch(() => undefined);
    await fs.promises.rename(temp, file);
  } catch (error) {
    await fs.promises.unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncFolder(fs, folder);
  // A new `objects/xx` folder is itself an entry of `objects/`.
  await syncFolder(fs, folder.slice(0, folder.lastIndexOf('/')));
}
