/**
 * Execution limits for one evaluation. Policies are user-authored, so an evaluation must end:
 * a step budget (literals, iterations and builtin work), a wall-clock budget (checked every
 * CLOCK_CHECK_INTERVAL steps so the clock is cheap) and a cap on the size of the output.
 */
import { RegoEvalError } from './errors.js';

export interface RegoLimits {
  /** Maximum evaluation steps (default 1e7). */
  maxSteps?: number;
  /** Maximum wall-clock milliseconds (default 2000). */
  maxMillis?: number;
  /** Maximum number of values (nodes) in the query output (default 1e6). */
  maxOutputNodes?: number;
}

export const DEFAULT_LIMITS: Required<RegoLimits> = { maxSteps: 1e7, maxMillis: 2000, maxOutputNodes: 1e6 };
export const LIMIT_CODE = 'REGO_LIMIT';
const CLOCK_CHECK_INTERVAL = 4096;

export class LimitTracker {
  steps = 0;
  private nextClockCheck = CLOCK_CHECK_INTERVAL;
  private readonly deadline: number;
  readonly maxSteps: number;
  readonly maxOutputNodes: number;

  constructor(limits: RegoLimits | undefined) {
    const l = { ...DEFAULT_LIMITS, ...(limits ?? {}) };
    this.maxSteps = l.maxSteps;
    this.maxOutputNodes = l.maxOutputNodes;
    this.deadline = performance.now() + l.maxMillis;
    this.maxMillis = l.maxMillis;
  }
  private readonly maxMillis: number;

  /** Counts `units` steps; throws a REGO_LIMIT error when a budget is exhausted. */
  tick(units = 1): void {
    this.steps += units;
    if (this.steps >= this.nextClockCheck) this.slowCheck();
  }

  private slowCheck(): void {
    if (this.steps > this.maxSteps) {
      throw new RegoEvalError(LIMIT_CODE, `evaluation exceeded the step limit (${this.maxSteps} steps)`);
    }
    if (performance.now() > this.deadline) {
      throw new RegoEvalError(LIMIT_CODE, `evaluation exceeded the time limit (${this.maxMillis} ms)`);
    }
    this.nextClockCheck = Math.min(this.steps + CLOCK_CHECK_INTERVAL, this.maxSteps + 1);
  }

  outputTooLarge(nodes: number): RegoEvalError {
    return new RegoEvalError(LIMIT_CODE, `evaluation output exceeded the size limit (${nodes} > ${this.maxOutputNodes} values)`);
  }
}
