/**
 * The builtin table. Each family lives in its own module (strings.ts, aggregates.ts, ...) and
 * exports an array of `Builtin`s; `index.ts` registers them all in `BUILTINS`.
 *
 * A builtin receives already-evaluated arguments. It returns a value, or `undefined` for
 * "undefined" (no result). Errors are thrown as `BuiltinError` (OPA `eval_builtin_error`) or
 * `BuiltinTypeError` (OPA `eval_type_error`, e.g. wrong operand type); the evaluator turns them
 * into undefined unless strict mode is on.
 */
import type { Value } from '../value.js';

export interface BuiltinContext {
  /** Strict mode: builtin errors are raised instead of giving undefined. */
  readonly strict: boolean;
  /** Nanoseconds since the Unix epoch, fixed for one evaluation (OPA: time.now_ns is stable within a query). */
  readonly nowNs: bigint;
  /** Per-evaluation cache for nondeterministic builtins (uuid.rfc4122 returns the same value for the same key). */
  readonly cache: Map<string, Value>;
  /** Seed for deterministic pseudo-random builtins within one evaluation. */
  readonly seed: number;
  /** Called by expensive builtins (regex, walk, numbers.range) with a unit count, to enforce limits. */
  tick(units: number): void;
  /**
   * Called by builtins that build large values as they build them, with the estimated bytes
   * (limits.ts `valueBytes`), to enforce the memory budget before the value exists. The result
   * of every call is charged by the evaluator anyway.
   */
  alloc(bytes: number): void;
}

export type BuiltinFunction = (args: Value[], ctx: BuiltinContext) => Value | undefined;

export interface Builtin {
  /** Dotted name as used in Rego, e.g. `count`, `strings.replace_n`. */
  name: string;
  /** Number of arguments. */
  arity: number;
  fn: BuiltinFunction;
  /** Short description of argument types for error messages, e.g. ['array|set', 'string']. */
  argTypes?: string[];
  /**
   * A relation yields several results (OPA `walk`): `fn` returns an array holding one value per
   * result, and the evaluator iterates it instead of binding the array itself.
   */
  relation?: boolean;
  /**
   * For builtins of one or two arguments answering in constant time: the answer (a boolean or a
   * number, never an allocated value) for the common operand types without the context, or
   * undefined to take the full call (which also reports errors). The evaluator uses it when it can.
   */
  fast?: (a: Value, b: Value) => boolean | number | undefined;
  /**
   * Deprecated in OPA (any, all, re_match, ...): kept for v0 modules; OPA 1.x rejects them in v1
   * modules with "deprecated built-in function calls in expression: <name>".
   */
  deprecated?: boolean;
}

/** OPA `eval_builtin_error`. */
export class BuiltinError extends Error {
  readonly code: string = 'eval_builtin_error';
  constructor(builtin: string, message: string) {
    super(`${builtin}: ${message}`);
  }
}

/** OPA `eval_type_error`: "<name>: operand <n> must be <type> but got <type>". */
export class BuiltinTypeError extends BuiltinError {
  override readonly code: string = 'eval_type_error';
}

/**
 * Builtins oclhub deliberately does not provide (network, file, environment access). A policy
 * calling one gets a compile error naming it, never a silent undefined.
 */
export const FORBIDDEN_BUILTINS: Readonly<Record<string, string>> = {
  'http.send': 'network access is not available to policies',
  'net.lookup_ip_addr': 'network access is not available to policies',
  'providers.aws.sign_req': 'cloud credentials and request signing are not available to policies',
  'opa.runtime': 'the runtime environment is not exposed to policies',
  'rego.parse_module': 'not provided',
};
