/**
 * Git's delta instructions applied in WebAssembly (source: delta.wat beside this file; the bytes below
 * are what wabt assembles from it, which test/git/delta.test.ts checks).
 *
 * Why not JavaScript: a delta is mostly short copies and inserts (lint's 9 KB files average 57-byte
 * copies and 5-byte inserts, 265 instructions a file), and each one in JavaScript is either a byte
 * loop or a typed-array view allocated to hand to `set`; applying 2,000 such deltas took 30-50 ms,
 * a third of a cold read of lint's files (bench/git.ts), and in WebAssembly takes about 6. Git's own
 * patch_delta is the same loop over memcpy.
 *
 * The module's memory is scratch space, reused for every delta on this thread (a module instance per
 * worker): the caller lays out the base, the inflated instructions and room for the target, calls
 * `apply`, and copies the target out. Memory grows for a large object and is dropped after it
 * (`release`), so a long-lived process keeps at most KEEP_BYTES. Anything above LIMIT_BYTES, or a
 * runtime without WebAssembly, takes the JavaScript path in object-database.ts.
 */

/** Layouts larger than this (base + instructions + target) are left to the JavaScript path. */
export const LIMIT_BYTES = 8 << 20;
/** Memory above this is given back after the object that needed it. */
const KEEP_BYTES = 1 << 20;
const PAGE = 1 << 16;

const MODULE_BASE64 =
  'AGFzbQEAAAABCwFgBn9/f39/fwF/AwIBAAUDAQABBxICBm1lbW9yeQIABWFwcGx5AAAK+AIB9QIBA38CQANAIAIgA08NASACLQAAIQYgAkEBaiECIAZBgAFxBEBBACEHQQAhCCAGQQFxBEAgAi0AACEHIAJBAWohAgsgBkECcQRAIAcgAi0AAEEIdHIhByACQQFqIQILIAZBBHEEQCAHIAItAABBEHRyIQcgAkEBaiECCyAGQQhxBEAgByACLQAAQRh0ciEHIAJBAWohAgsgBkEQcQRAIAItAAAhCCACQQFqIQILIAZBIHEEQCAIIAItAABBCHRyIQggAkEBaiECCyAGQcAAcQRAIAggAi0AAEEQdHIhCCACQQFqIQILIAIgA0sEQEF8DwsgCEUEQEGAgAQhCAsgB60gCK18IAGtVgRAQX8PCyAIIAUgBGtLBEBBfw8LIAQgACAHaiAI/AoAACAEIAhqIQQFIAZFBEBBfQ8LIAYgAyACa0sEQEF+DwsgBiAFIARrSwRAQX4PCyAEIAIgBvwKAAAgBCAGaiEEIAIgBmohAgsMAAsLIAQL';

export interface DeltaEngine {
  /** The scratch memory, at least `bytes` long. Growing it detaches earlier views: use the one returned last. */
  reserve(bytes: number): Uint8Array;
  /**
   * Applies the instructions in [at, end) to the base in [base, base + baseLength), writing from `out`
   * up to at most `outEnd`: where the writing stopped, or a negative code (see REASONS). Throws a
   * WebAssembly.RuntimeError when an operand lies outside the memory.
   */
  apply(base: number, baseLength: number, at: number, end: number, out: number, outEnd: number): number;
  /** Gives back memory grown for a large object. */
  release(): void;
}

/** What each negative result of `apply` means, in Git's terms. */
export const REASONS: Record<number, string> = {
  [-1]: 'a delta copies outside its base',
  [-2]: 'a delta inserts past its end',
  [-3]: 'a delta holds a reserved instruction',
  [-4]: "a delta's last instruction runs past its end",
};

let compiled: WebAssembly.Module | null | undefined;
let engine: DeltaEngine | null | undefined;

function compile(): WebAssembly.Module | null {
  try {
    return new WebAssembly.Module(Buffer.from(MODULE_BASE64, 'base64'));
  } catch {
    return null;
  }
}

function instantiate(module: WebAssembly.Module): DeltaEngine {
  const instance = new WebAssembly.Instance(module);
  const memory = instance.exports.memory as WebAssembly.Memory;
  const apply = instance.exports.apply as DeltaEngine['apply'];
  let heap = new Uint8Array(memory.buffer);
  const created: DeltaEngine = {
    reserve(bytes) {
      if (heap.length < bytes) {
        memory.grow(Math.ceil((bytes - heap.length) / PAGE));
        heap = new Uint8Array(memory.buffer);
      }
      return heap;
    },
    apply,
    release() {
      // A fresh instance next time: wasm memory cannot shrink.
      if (heap.length > KEEP_BYTES && engine === created) engine = undefined;
    },
  };
  return created;
}

/** This thread's engine, or null where WebAssembly is unavailable (then the JavaScript path runs). */
export function deltaEngine(): DeltaEngine | null {
  if (engine !== undefined) return engine;
  if (compiled === undefined) compiled = compile();
  engine = compiled === null ? null : instantiate(compiled);
  return engine;
}

/** For tests: apply deltas in JavaScript only (`false`), or in WebAssembly again (`true`). */
export function useWasmDelta(use: boolean): void {
  engine = use ? undefined : null;
}
