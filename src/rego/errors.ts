/**
 * Errors of the Rego engine. `RegoError` is the public, plain-data shape; `RegoEvalError` is the
 * internal exception that carries one through the evaluator's stack to the public API, which
 * returns it instead of throwing.
 */
import type { Location } from './ast.js';

export interface RegoError {
  /** OPA-style code (`rego_parse_error`, `rego_unsafe_var_error`, `eval_conflict_error`, ...) or `REGO_LIMIT`. */
  code: string;
  message: string;
  location?: Location;
  /** Further lines OPA prints under the message (a type error's `have:` and `want:`). */
  details?: string[];
}

export class RegoEvalError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly location?: Location,
  ) {
    super(message);
  }

  toRegoError(): RegoError {
    return this.location ? { code: this.code, message: this.message, location: this.location } : { code: this.code, message: this.message };
  }
}

export const CONFLICT = 'eval_conflict_error';
export const MSG_COMPLETE_CONFLICT = 'complete rules must not produce multiple outputs';
export const MSG_FUNCTION_CONFLICT = 'functions must not produce multiple outputs for same inputs';
export const MSG_OBJECT_CONFLICT = 'object keys must be unique';

/** Formats `file:line:col: message` for human output. */
export function formatRegoError(e: RegoError): string {
  const loc = e.location;
  const where = loc ? `${loc.file ?? ''}${loc.file ? ':' : ''}${loc.line}:${loc.column}: ` : '';
  const details = e.details?.length ? e.details.map((d) => `\n\t${d}`).join('') : '';
  return `${where}${e.code}: ${e.message}${details}`;
}
