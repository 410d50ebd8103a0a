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

const NETWORK = 'network access is not available to policies';
const JWT = 'JWT builtins (signing and verification) are not provided by oclhub';
const X509 = 'certificate and key parsing is not provided by oclhub';
const GRAPHQL = 'GraphQL parsing is not provided by oclhub';
const INTERNAL = "an OPA-internal builtin that policies do not call (use print)";

/**
 * OPA v1 builtins oclhub deliberately does not provide: network, cloud and runtime access, which
 * an offline evaluation must not have, and the families that are out of scope (JWT, X.509,
 * GraphQL, the parser and METADATA annotations). Every OPA builtin is either in the builtin table or here, so a policy calling one gets a compile error naming it and the reason
 * (never OPA's "undefined function", which reads like a typo), and the conformance runner skips
 * cases that call one with this reason. Their declared signatures are in signatures.ts, so a
 * policy's tests can still replace one with `with`.
 */
export const FORBIDDEN_BUILTINS: Readonly<Record<string, string>> = {
  'http.send': NETWORK,
  'net.lookup_ip_addr': NETWORK,
  'providers.aws.sign_req': 'cloud credentials and request signing are not available to policies',
  'opa.runtime': 'the runtime environment is not exposed to policies',
  'rego.parse_module': 'the Rego parser is not exposed to policies',
  'rego.metadata.chain': 'METADATA annotations are not read by oclhub',
  'rego.metadata.rule': 'METADATA annotations are not read by oclhub',
  'internal.print': INTERNAL,
  'internal.test_case': INTERNAL,
  'crypto.parse_private_keys': X509,
  'crypto.x509.parse_and_verify_certificates': X509,
  'crypto.x509.parse_and_verify_certificates_with_options': X509,
  'crypto.x509.parse_certificate_request': X509,
  'crypto.x509.parse_certificates': X509,
  'crypto.x509.parse_keypair': X509,
  'crypto.x509.parse_rsa_private_key': X509,
  'io.jwt.decode': JWT,
  'io.jwt.decode_verify': JWT,
  'io.jwt.encode_sign': JWT,
  'io.jwt.encode_sign_raw': JWT,
  'io.jwt.verify_eddsa': JWT,
  'io.jwt.verify_es256': JWT,
  'io.jwt.verify_es384': JWT,
  'io.jwt.verify_es512': JWT,
  'io.jwt.verify_hs256': JWT,
  'io.jwt.verify_hs384': JWT,
  'io.jwt.verify_hs512': JWT,
  'io.jwt.verify_ps256': JWT,
  'io.jwt.verify_ps384': JWT,
  'io.jwt.verify_ps512': JWT,
  'io.jwt.verify_rs256': JWT,
  'io.jwt.verify_rs384': JWT,
  'io.jwt.verify_rs512': JWT,
  'graphql.is_valid': GRAPHQL,
  'graphql.parse': GRAPHQL,
  'graphql.parse_and_verify': GRAPHQL,
  'graphql.parse_query': GRAPHQL,
  'graphql.parse_schema': GRAPHQL,
  'graphql.schema_is_valid': GRAPHQL,
};
