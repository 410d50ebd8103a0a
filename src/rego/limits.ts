/**
 * Execution limits for one evaluation. Policies are user-authored, so an evaluation must end and
 * must not take the process down with it:
 * - a step budget: literals, iterations, and builtin work (a builtin call costs one step plus one
 *   per `builtinBytesPerStep` bytes of what it reads or produces);
 * - a wall-clock budget, checked whenever the step count passes a checkpoint (every
 *   CLOCK_CHECK_INTERVAL steps), so long-running builtins that charge their work see it too. The
 *   clock starts at the first checkpoint (FIRST_CHECK steps): reading it costs as much as a small
 *   evaluation, and the work before it is bounded by the step charges;
 * - a memory budget: the estimated size of all values the evaluation creates (composite
 *   elements and string bytes, see `valueBytes`), counted as they are created, never freed;
 * - a cap on the size of the query output.
 * Each limit reports its own REGO_LIMIT message naming the limit that was hit.
 */
import { RegoEvalError } from './errors.js';
import { RegoObject, RegoSet, type Value } from './value.js';

export interface RegoLimits {
  /** Maximum evaluation steps (default 10,000,000). */
  maxSteps?: number;
  /** Maximum wall-clock milliseconds (default 2,000). */
  maxMillis?: number;
  /** Maximum number of values (nodes) in the query output (default 1,000,000). */
  maxOutputNodes?: number;
  /** Maximum estimated bytes of values one evaluation creates (default 256 MiB). */
  maxMemoryBytes?: number;
  /** Bytes of builtin input/output work that cost one step (default 256); `Infinity` charges one step per call. */
  builtinBytesPerStep?: number;
}

export const DEFAULT_LIMITS: Readonly<Required<RegoLimits>> = Object.freeze({
  maxSteps: 10_000_000,
  maxMillis: 2_000,
  maxOutputNodes: 1_000_000,
  maxMemoryBytes: 256 * 1024 * 1024,
  builtinBytesPerStep: 256,
});

export const LIMIT_CODE = 'REGO_LIMIT';
const CLOCK_CHECK_INTERVAL = 4096;
/** Steps before the clock starts (see above). */
const FIRST_CHECK = 512;

/** Estimated heap bytes of the composite or string itself (not of the values it holds). */
export const STRING_HEADER_BYTES = 16;
export const ELEMENT_BYTES = 8;
export const ENTRY_BYTES = 32;

/** The estimated size of one value, shallow: its own elements or characters. */
export function valueBytes(v: Value | undefined): number {
  if (typeof v === 'string') return STRING_HEADER_BYTES + 2 * v.length;
  if (v === null || typeof v !== 'object') return 0;
  if (Array.isArray(v)) return 16 + ELEMENT_BYTES * v.length;
  if (v instanceof RegoSet || v instanceof RegoObject) return 16 + ENTRY_BYTES * v.size;
  let n = 0;
  for (const _ in v) n++;
  return 16 + ENTRY_BYTES * n;
}

/** Limits with their defaults filled in; shared by every evaluation that uses the same settings. */
export interface ResolvedLimits {
  readonly maxSteps: number;
  readonly maxMillis: number;
  readonly maxOutputNodes: number;
  readonly maxMemoryBytes: number;
  readonly bytesPerStep: number;
}

const DEFAULT_RESOLVED: ResolvedLimits = Object.freeze({
  maxSteps: DEFAULT_LIMITS.maxSteps,
  maxMillis: DEFAULT_LIMITS.maxMillis,
  maxOutputNodes: DEFAULT_LIMITS.maxOutputNodes,
  maxMemoryBytes: DEFAULT_LIMITS.maxMemoryBytes,
  bytesPerStep: DEFAULT_LIMITS.builtinBytesPerStep,
});

/**
 * `limits` with defaults filled in. `previous` (the last result for the same caller) is returned
 * when it holds the same values, so a caller passing the same settings on every evaluation does
 * not allocate per evaluation; the values are compared, not the object, since a caller may
 * change its limits object between evaluations.
 */
export function resolveLimits(limits: RegoLimits | undefined, previous?: ResolvedLimits): ResolvedLimits {
  if (limits === undefined) return DEFAULT_RESOLVED;
  const maxSteps = limits.maxSteps ?? DEFAULT_LIMITS.maxSteps;
  const maxMillis = limits.maxMillis ?? DEFAULT_LIMITS.maxMillis;
  const maxOutputNodes = limits.maxOutputNodes ?? DEFAULT_LIMITS.maxOutputNodes;
  const maxMemoryBytes = limits.maxMemoryBytes ?? DEFAULT_LIMITS.maxMemoryBytes;
  const bytesPerStep = limits.builtinBytesPerStep ?? DEFAULT_LIMITS.builtinBytesPerStep;
  const same = (p: ResolvedLimits | undefined): p is ResolvedLimits =>
    p !== undefined &&
    p.maxSteps === maxSteps &&
    p.maxMillis === maxMillis &&
    p.maxOutputNodes === maxOutputNodes &&
    p.maxMemoryBytes === maxMemoryBytes &&
    p.bytesPerStep === bytesPerStep;
  if (same(previous)) return previous;
  if (same(DEFAULT_RESOLVED)) return DEFAULT_RESOLVED;
  return Object.freeze({ maxSteps, maxMillis, maxOutputNodes, maxMemoryBytes, bytesPerStep });
}

/**
 * The budget of one evaluation; the evaluator's run state extends it so the counters are its own
 * fields. The limits themselves live in a shared `ResolvedLimits`: only the counters are per
 * evaluation, and `startBudget` resets them so a run state can be reused.
 */
export class Budget {
  steps = 0;
  nextCheck = FIRST_CHECK;
  memory = 0;
  limits: ResolvedLimits = DEFAULT_RESOLVED;
  /** 0 until the first checkpoint starts the clock. */
  private deadline = 0;

  constructor(limits?: ResolvedLimits) {
    if (limits) this.startBudget(limits);
  }

  /** Starts a fresh budget under `limits`. */
  startBudget(limits: ResolvedLimits): void {
    this.limits = limits;
    this.steps = 0;
    this.memory = 0;
    this.deadline = 0;
    this.nextCheck = limits.maxSteps < FIRST_CHECK ? limits.maxSteps + 1 : FIRST_CHECK;
  }

  /** Counts `units` steps; throws a REGO_LIMIT error when the step or time budget is exhausted. */
  tick(units: number): void {
    if ((this.steps += units) >= this.nextCheck) this.checkpoint();
  }

  /** Charges `bytes` of newly created values (and the work of creating them). */
  alloc(bytes: number): void {
    const l = this.limits;
    if ((this.memory += bytes) > l.maxMemoryBytes) throw this.memoryExceeded();
    if (bytes >= l.bytesPerStep) this.tick((bytes / l.bytesPerStep) | 0);
  }

  /** Charges a builtin's result: one step for the call, plus its size in memory and work. */
  chargeResult(v: Value | undefined): void {
    const bytes = valueBytes(v);
    if (bytes > 0) {
      const l = this.limits;
      if ((this.memory += bytes) > l.maxMemoryBytes) throw this.memoryExceeded();
      this.tick(1 + ((bytes / l.bytesPerStep) | 0));
    } else if (++this.steps >= this.nextCheck) this.checkpoint();
  }

  /** Called when the step count reaches the next checkpoint. */
  checkpoint(): void {
    const l = this.limits;
    if (this.steps > l.maxSteps) {
      throw new RegoEvalError(LIMIT_CODE, `evaluation exceeded the step limit (${l.maxSteps} steps)`);
    }
    if (this.deadline === 0) this.deadline = performance.now() + l.maxMillis;
    else if (performance.now() > this.deadline) {
      throw new RegoEvalError(LIMIT_CODE, `evaluation exceeded the time limit (${l.maxMillis} ms)`);
    }
    this.nextCheck = Math.min(this.steps + CLOCK_CHECK_INTERVAL, l.maxSteps + 1);
  }

  memoryExceeded(): RegoEvalError {
    return new RegoEvalError(LIMIT_CODE, `evaluation exceeded the memory limit (${this.limits.maxMemoryBytes} bytes of values created)`);
  }

  outputTooLarge(nodes: number): RegoEvalError {
    return new RegoEvalError(LIMIT_CODE, `evaluation output exceeded the size limit (${nodes} > ${this.limits.maxOutputNodes} values)`);
  }
}
