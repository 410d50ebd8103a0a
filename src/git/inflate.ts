/**
 * Inflating pack entries whose size is known (a pack entry's header gives it) with one long-lived
 * native zlib stream instead of a new one per object.
 *
 * `zlib.inflateSync` builds a whole stream object per call (a Transform, a native handle with a
 * finaliser, a 16 KiB-or-so output chunk): about 5 µs of CPU and, worse, garbage the collector must
 * finalise — on a cold read of a few thousand small objects that was the largest single cost after the
 * tree walk itself (bench/git.ts). Here one `zlib.Inflate`'s native handle is reset and written
 * synchronously for each entry, straight from the pack buffer (no subarray) into an output buffer of
 * the entry's size plus one byte: the spare byte lets zlib read past the last output byte to the
 * stream's end and its checksum, so "more data than the header says", "less" and "the stream does not
 * end" are all told apart, as before.
 *
 * The handle (`_handle`, its `writeSync` and `reset`, the stream's `_writeState`) is Node's internal
 * API, stable since Node 10 and unchanged through Node 24; it is probed once (with a self-test) and
 * `inflateSync` is used whenever it is missing or misbehaves. Everything here is synchronous, so one
 * handle per thread (a module instance per worker) is never used by two reads at once.
 */
import { constants, deflateSync, Inflate, inflateSync } from 'node:zlib';

interface NativeInflate {
  reset(): void;
  writeSync(flush: number, input: Uint8Array, inOffset: number, inLength: number, output: Uint8Array, outOffset: number, outLength: number): void;
  onerror: (message: string, errno: number) => void;
}

interface Engine {
  handle: NativeInflate;
  /** After a write: [output bytes left unused, input bytes left unread]. */
  state: Uint32Array;
  /** Set by `onerror` during a write. */
  failed: string | undefined;
}

let engine: Engine | null | undefined;

function newEngine(): Engine | null {
  try {
    const stream = new Inflate() as unknown as { _handle?: NativeInflate; _writeState?: Uint32Array };
    const handle = stream._handle;
    const state = stream._writeState;
    if (!handle || typeof handle.writeSync !== 'function' || typeof handle.reset !== 'function' || !(state instanceof Uint32Array)) return null;
    const created: Engine = { handle, state, failed: undefined };
    // Errors come back through onerror; Node's own handler would destroy the stream (and the handle).
    handle.onerror = (message) => {
      created.failed = message || 'zlib error';
    };
    // The stream object is not kept: the handle holds what it needs, and is never closed.
    return selfTest(created) ? created : null;
  } catch {
    return null;
  }
}

/** The engine must inflate a known stream, stop at its end, and report damage, before it is trusted. */
function selfTest(candidate: Engine): boolean {
  const text = Buffer.from('tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor self-test\n'.repeat(3));
  const packed = Buffer.concat([Buffer.from([7, 7]), deflateSync(text), Buffer.from('next entry')]);
  const good = run(candidate, packed, 2, packed.length, text.length);
  if (good === undefined || !good.equals(text)) return false;
  const damaged = Buffer.from(packed);
  damaged[damaged.length - 12] ^= 0xff; // the checksum
  return run(candidate, damaged, 2, damaged.length, text.length) === undefined;
}

function run(current: Engine, data: Uint8Array, at: number, end: number, size: number): Buffer | undefined {
  const out = Buffer.allocUnsafe(size + 1);
  return write(current, data, at, end, size, out, 0) ? out.subarray(0, size) : undefined;
}

/** Inflates into `target[targetAt, targetAt + size]` (the last byte is the spare one); whether it inflated to exactly `size` bytes. */
function write(current: Engine, data: Uint8Array, at: number, end: number, size: number, target: Uint8Array, targetAt: number): boolean {
  current.failed = undefined;
  current.handle.reset();
  current.handle.writeSync(constants.Z_FINISH, data, at, end - at, target, targetAt, size + 1);
  // Exactly one byte unused: the stream ended (checksum read) after `size` bytes.
  return current.failed === undefined && current.state[0] === 1;
}

/**
 * The zlib stream starting at `data[at]` (ending before `end`; what follows it is ignored), which must
 * inflate to exactly `size` bytes. Undefined when it does not (damaged, truncated, another size).
 */
export function inflateSized(data: Buffer, at: number, end: number, size: number): Buffer | undefined {
  if (engine === undefined) engine = newEngine();
  if (engine === null) return fallback(data, at, end, size);
  try {
    return run(engine, data, at, end, size);
  } catch {
    // A handle in a state we did not expect: never reuse it.
    engine = null;
    return fallback(data, at, end, size);
  }
}

function fallback(data: Buffer, at: number, end: number, size: number): Buffer | undefined {
  try {
    // An output chunk of the object's size: one allocation, no concatenation (the default is 16 KiB).
    const out = inflateSync(data.subarray(at, end), { chunkSize: Math.max(64, size + 1) });
    return out.length === size ? out : undefined;
  } catch {
    return undefined;
  }
}

/**
 * inflateSized, writing into `target` at `targetAt` instead of a new buffer (delta instructions go
 * straight into the WebAssembly scratch memory). `target` must hold `size + 1` bytes from `targetAt`
 * (zlib's spare byte, see above); false when the stream does not inflate to exactly `size` bytes.
 */
export function inflateInto(data: Buffer, at: number, end: number, size: number, target: Uint8Array, targetAt: number): boolean {
  if (engine === undefined) engine = newEngine();
  if (engine !== null) {
    try {
      return write(engine, data, at, end, size, target, targetAt);
    } catch {
      engine = null;
    }
  }
  const out = fallback(data, at, end, size);
  if (out === undefined) return false;
  target.set(out, targetAt);
  return true;
}

/** For tests: inflate with Node's per-call `inflateSync` only (`false`), or the reused handle again (`true`). */
export function useReusedInflater(reuse: boolean): void {
  engine = reuse ? undefined : null;
}
