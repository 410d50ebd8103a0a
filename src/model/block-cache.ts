/**
 * Per-block results a caller keeps between versions of one file, so that re-validating after an edit
 * redoes only the blocks the edit touched (the language server, on every keystroke).
 *
 * Entries are keyed by syntax-tree block object. Incremental parsing (src/ocl/incremental.ts) keeps
 * every top-level block the edit did not touch as the same object and moves its positions in place; an
 * edited block is a new object and misses. Every cached result is a function of its block and of the
 * setting stored with it, and refers to positions only by sharing the block's own position objects, so
 * a moved block's results are moved with it. A full validation (`validateFile` without a cache) builds
 * the same results afresh: tests compare the two on random edits.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { OclBlock } from '../ocl/ast.js';
import type { ElementFindings } from './checks/legacy.js';
import type { JsonObject } from './projection.js';
import type { ProcessItem, VariableModel } from './types.js';

interface Entry<T> {
  /** The setting the result was computed under (rename table, legacy names). */
  setting: string;
  value: T;
}

/** A top-level block's JSON projection and the structural findings made while projecting it. */
export interface BlockProjection {
  json: JsonObject;
  diagnostics: Diagnostic[];
}

class Memo<T> {
  private readonly entries = new WeakMap<OclBlock, Entry<T>>();

  get(block: OclBlock, setting: string): T | undefined {
    const entry = this.entries.get(block);
    return entry && entry.setting === setting ? entry.value : undefined;
  }

  set(block: OclBlock, setting: string, value: T): T {
    this.entries.set(block, { setting, value });
    return value;
  }
}

export class BlockCache {
  /** Top-level blocks projected to JSON (projection.ts). */
  readonly projections = new Memo<BlockProjection>();
  /** Top-level steps and process template usages built into the model (process.ts). */
  readonly processItems = new Memo<ProcessItem>();
  /** Top-level variables built into the model (build.ts). */
  readonly variables = new Memo<VariableModel>();
  /** What the legacy pass finds in top-level blocks (checks/legacy.ts). */
  readonly legacy = new Memo<ElementFindings>();
}
