/**
 * The hub's oclhub.ocl validated once per content: a 1,000-project hub's file takes 70–130 ms to parse
 * and check at every start (a cold JIT), while the result, stored as JSON, reads back in 5–10 ms. The
 * lint command keeps one entry in its cache folder, so a re-run after a commit that did not touch
 * oclhub.ocl skips the validation.
 *
 * An entry is used only when it is exactly what validating would give now:
 * - its key covers the text, the tool's version and the cache engine's version (ENGINE_VERSION: bumped
 *   when cached results change shape or meaning), and this module's format;
 * - time enters validation only through expired policy exceptions (SEM033): an entry records the window
 *   in which no exception's `expires` passes (from the validation until the next expiry), and is used
 *   only inside it;
 * - it is stored only when JSON gives the result back as it is (plain objects, arrays, strings, finite
 *   numbers, booleans, null: no `undefined`, dates, maps, class instances or -0); anything else is not
 *   stored and is validated every time;
 * - the file is written to a temporary file and renamed into place, and carries its byte length and a
 *   CRC-32: a torn or damaged file is a miss.
 * Any doubt is a miss, and a miss validates (and replaces the entry).
 */
import { createHash } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { Diagnostic } from '../diagnostics.js';
import { tempPath } from '../git/durable.js';
import { makeCacheDir } from '../lint/cache-folder.js';
import { ENGINE_VERSION } from '../lint/fast-rerun.js';
import { parseExpiry } from '../model/checks/hub-config.js';
import type { HubConfigDocument } from '../model/types.js';
import { validateFile } from '../model/validate.js';

/** Where the validated oclhub.ocl is kept, and the tool version it is valid for. */
export interface ConfigCacheOptions {
  dir: string;
  toolVersion: string;
}

/** What Hub.load takes from validating oclhub.ocl. */
export interface ValidatedConfig {
  diagnostics: Diagnostic[];
  /** The hub configuration; absent when the file does not parse or is not an oclhub.ocl. */
  document?: HubConfigDocument;
}

const FILE = 'hub-config.json';
const FORMAT = 'oclhub-hub-config/1';
const HEADER_MAX = 256;

function keyOf(text: string, toolVersion: string): string {
  return createHash('sha256').update(JSON.stringify([FORMAT, ENGINE_VERSION, toolVersion])).update('\0').update(text).digest('hex');
}

/** Validates oclhub.ocl `text` at `now` (no cache). */
function validate(text: string, now: number): ValidatedConfig {
  const checked = validateFile({ path: 'oclhub.ocl', text, context: { kind: 'oclhub', now: new Date(now) } });
  return { diagnostics: checked.diagnostics, ...(checked.document?.kind === 'oclhub' ? { document: checked.document } : {}) };
}

/**
 * Until when (ms since the epoch) a validation made at `now` stays what it is: the first `expires` of
 * an exception still ahead (at that instant SEM033 starts to apply). Exceptions already expired stay so.
 */
export function validUntil(document: HubConfigDocument | undefined, now: number): number {
  let until = Number.MAX_SAFE_INTEGER;
  for (const exception of document?.exceptions ?? []) {
    if (exception.expires === undefined) continue;
    const expiry = parseExpiry(exception.expires)?.getTime();
    if (expiry !== undefined && expiry > now) until = Math.min(until, expiry);
  }
  return until;
}

/**
 * The result as JSON text when JSON gives it back exactly (see the file comment), else undefined. The
 * replacer sees every value before it is written, and the object it belongs to.
 */
export function exactJson(value: unknown): string | undefined {
  let exact = true;
  let text: string;
  try {
    text = JSON.stringify(value, function (this: unknown, key: string, converted: unknown) {
      const original = key === '' ? value : (this as Record<string, unknown>)[key];
      if (original === null || typeof original === 'string' || typeof original === 'boolean') return converted;
      if (typeof original === 'number') {
        if (!Number.isFinite(original) || Object.is(original, -0)) exact = false;
        return converted;
      }
      if (typeof original === 'object') {
        const proto = Object.getPrototypeOf(original) as unknown;
        if (proto === Array.prototype) {
          // A hole reads back as null.
          for (let i = 0; i < (original as unknown[]).length; i++) if (!(i in (original as unknown[]))) exact = false;
          return converted;
        }
        if (proto === Object.prototype && !('toJSON' in original)) return converted;
      }
      exact = false; // undefined, a function, a symbol, a date, a map, a class instance…
      return converted;
    });
  } catch {
    return undefined; // a cycle, a bigint
  }
  return exact ? text : undefined;
}

/** The stored result for `key` at `now`, or undefined. */
async function readEntry(file: string, key: string, now: number): Promise<ValidatedConfig | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return undefined;
  }
  const newline = bytes.indexOf(10);
  if (newline < 0 || newline > HEADER_MAX) return undefined;
  const [format, storedKey, from, until, length, crc, ...rest] = bytes.toString('latin1', 0, newline).split(' ');
  if (format !== FORMAT || storedKey !== key || rest.length > 0) return undefined;
  if (![from, until, length].every((field) => /^\d{1,16}$/.test(field ?? '')) || !/^[0-9a-f]{1,8}$/.test(crc ?? '')) return undefined;
  if (!(now >= Number(from) && now < Number(until))) return undefined;
  const body = bytes.subarray(newline + 1);
  if (body.length !== Number(length) || crc32(body) !== parseInt(crc!, 16)) return undefined;
  try {
    const entry = JSON.parse(body.toString('utf8')) as ValidatedConfig;
    if (!Array.isArray(entry.diagnostics) || (entry.document !== undefined && entry.document.kind !== 'oclhub')) return undefined;
    return entry;
  } catch {
    return undefined;
  }
}

async function writeEntry(dir: string, key: string, from: number, result: ValidatedConfig): Promise<void> {
  const json = exactJson(result);
  if (json === undefined) return;
  const body = Buffer.from(json);
  const head = `${FORMAT} ${key} ${from} ${validUntil(result.document, from)} ${body.length} ${crc32(body).toString(16)}\n`;
  await makeCacheDir(dir);
  const temp = tempPath(dir, `.${FILE}.tmp-`);
  try {
    await writeFile(temp, Buffer.concat([Buffer.from(head), body]), { flag: 'wx' });
    await rename(temp, path.join(dir, FILE));
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * The key of the text each hub configuration document returned here was validated from (covering the
 * tool's and the cache engine's versions): a later cache keyed on the document (the hub-wide
 * best-practice findings) uses it instead of hashing the document again. Only documents this module
 * returned have one; nothing is changed in them afterwards (Hub.load keeps them as they are).
 */
const contentKeys = new WeakMap<HubConfigDocument, string>();

/** The key of the oclhub.ocl text `document` was validated from (see `contentKeys`), else undefined. */
export function configContentKey(document: HubConfigDocument): string | undefined {
  return contentKeys.get(document);
}

function keyed<T extends ValidatedConfig>(result: T, key: string): T {
  if (result.document) contentKeys.set(result.document, key);
  return result;
}

/**
 * oclhub.ocl `text` validated at `now` (ms since the epoch; default: the clock), from the cache when
 * it holds this text's result for this tool and time; with no cache, or on a miss, validated (and the
 * entry replaced). A cache that cannot be read or written only costs speed.
 */
export async function validatedConfig(text: string, cache: ConfigCacheOptions | undefined, now = Date.now()): Promise<ValidatedConfig & { fromCache: boolean }> {
  if (cache === undefined) return { ...validate(text, now), fromCache: false };
  const key = keyOf(text, cache.toolVersion);
  const file = path.join(cache.dir, FILE);
  const stored = await readEntry(file, key, now);
  if (stored) return keyed({ ...stored, fromCache: true }, key);
  const result = validate(text, now);
  await writeEntry(cache.dir, key, now, result).catch(() => undefined);
  return keyed({ ...result, fromCache: false }, key);
}
