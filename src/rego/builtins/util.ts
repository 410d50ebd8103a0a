/**
 * Shared helpers for builtin families: operand checks with OPA's exact error wording, number
 * conversions, and a small constructor for table entries.
 */
import {
  type PlainObject,
  type RegoNumber,
  type Value,
  RegoDecimal,
  RegoObject,
  RegoSet,
  isInteger,
  isObject,
  normalizeBigInt,
  typeName,
} from '../value.js';
import { type Builtin, type BuiltinFunction, BuiltinError, BuiltinTypeError } from './registry.js';

export function def(name: string, arity: number, fn: BuiltinFunction, extra?: Partial<Builtin>): Builtin {
  return { name, arity, fn, ...extra };
}

/** "operand <pos> must be <type> but got <type>" (OPA builtins.NewOperandTypeErr). `pos` is 1-based. */
export function typeError(name: string, pos: number, got: Value, ...expected: string[]): BuiltinTypeError {
  const want = expected.length === 1 ? expected[0]! : `one of {${expected.join(', ')}}`;
  return new BuiltinTypeError(name, `operand ${pos} must be ${want} but got ${typeName(got)}`);
}

/** OPA builtins.NewOperandElementErr: "operand 1 must be array of strings but got array containing number". */
export function elementError(name: string, pos: number, composite: Value, got: Value, ...expected: string[]): BuiltinTypeError {
  const t = typeName(composite);
  const msg =
    expected.length === 1
      ? `operand ${pos} must be ${t} of ${expected[0]}s but got ${t} containing ${typeName(got)}`
      : `operand ${pos} must be ${t} of (any of) {${expected.join(', ')}} but got ${t} containing ${typeName(got)}`;
  return new BuiltinTypeError(name, msg);
}

export function operandError(name: string, pos: number, message: string): BuiltinTypeError {
  return new BuiltinTypeError(name, `operand ${pos} ${message}`);
}

export function fail(name: string, message: string): BuiltinError {
  return new BuiltinError(name, message);
}

export function str(name: string, args: Value[], i: number): string {
  const v = args[i]!;
  if (typeof v !== 'string') throw typeError(name, i + 1, v, 'string');
  return v;
}

/** A number operand; an exact decimal (value.ts RegoDecimal) as its nearest double. */
export function num(name: string, args: Value[], i: number): RegoNumber {
  const v = args[i]!;
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (v instanceof RegoDecimal) return v.approx();
  throw typeError(name, i + 1, v, 'number');
}

/** An integer operand (OPA builtins.IntOperand); large values stay bigint. */
export function int(name: string, args: Value[], i: number): RegoNumber {
  const n = num(name, args, i);
  if (!isInteger(n)) throw operandError(name, i + 1, 'must be integer number but got floating-point number');
  return n;
}

/** An integer operand that must fit a JavaScript safe integer (indexes, counts). */
export function smallInt(name: string, args: Value[], i: number): number {
  const n = int(name, args, i);
  if (typeof n === 'bigint') throw operandError(name, i + 1, 'must be integer number but got floating-point number');
  return n;
}

export function arr(name: string, args: Value[], i: number): Value[] {
  const v = args[i]!;
  if (!Array.isArray(v)) throw typeError(name, i + 1, v, 'array');
  return v;
}

export function set(name: string, args: Value[], i: number): RegoSet {
  const v = args[i]!;
  if (!(v instanceof RegoSet)) throw typeError(name, i + 1, v, 'set');
  return v;
}

export function obj(name: string, args: Value[], i: number): PlainObject | RegoObject {
  const v = args[i]!;
  if (!isObject(v)) throw typeError(name, i + 1, v, 'object');
  return v;
}

/** Members of an array or a set (sets in sorted order). */
export function members(v: Value): Value[] | undefined {
  if (Array.isArray(v)) return v;
  if (v instanceof RegoSet) return v.values();
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Numbers

export function toBigInt(n: RegoNumber): bigint {
  return typeof n === 'bigint' ? n : BigInt(n);
}

export function toFloat(n: RegoNumber): number {
  return typeof n === 'bigint' ? Number(n) : n;
}

/**
 * A float result in canonical form: -0 becomes 0 (OPA prints both as 0), and an integral value
 * beyond the safe range becomes a bigint, as OPA turns integral floats into integers.
 */
export function fromFloat(x: number): RegoNumber {
  if (x === 0) return 0;
  if (Number.isInteger(x) && !Number.isSafeInteger(x)) return normalizeBigInt(BigInt(x));
  return x;
}

/** Builds a Rego number from an integer that may exceed the safe range. */
export function intResult(x: number | bigint): RegoNumber {
  if (typeof x === 'bigint') return normalizeBigInt(x);
  return x === 0 ? 0 : x;
}

// ---------------------------------------------------------------------------------------------
// Strings (OPA indexes strings by code point, Go's []rune)

export function codePoints(s: string): string[] {
  return Array.from(s);
}

/** Length in code points. */
export function runeLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Byte length of the UTF-8 encoding. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** OPA builtins.BigIntOperand: an integer of any size ("must be integer but got string"). */
export function bigIntOperand(name: string, args: Value[], i: number): bigint {
  const v = args[i]!;
  if (v instanceof RegoDecimal) throw operandError(name, i + 1, 'must be integer number but got floating-point number');
  if (typeof v !== 'number' && typeof v !== 'bigint') throw typeError(name, i + 1, v, 'integer');
  if (!isInteger(v)) throw operandError(name, i + 1, 'must be integer number but got floating-point number');
  return typeof v === 'bigint' ? v : BigInt(v);
}

export function isIntegral(v: Value): boolean {
  return (typeof v === 'number' || typeof v === 'bigint') && isInteger(v);
}
