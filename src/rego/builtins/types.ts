/** Type tests, type_name, and to_number. */
import { type Value, isArray, isNumber, isObject, isSet, parseNumber, typeName } from '../value.js';
import type { Builtin } from './registry.js';
import { goQuote } from './goformat.js';
import { def, fail, typeError } from './util.js';

function toNumber([v]: Value[]): Value {
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isNumber(v)) return v;
  if (typeof v === 'string') {
    // Go's ParseFloat reads infinities and NaN (any case, any run of leading signs); OPA refuses
    // them as an operand type error before parsing.
    if (/^[+-]*(inf|infinity|nan)$/i.test(v)) throw typeError('to_number', 1, v, 'valid number string');
    // ParseFloat takes one leading sign, "+" included (it also reads hex floats, rare in policies).
    const text = /^\+[\d.]/.test(v) ? v.slice(1) : v;
    const n = parseNumber(text);
    if (n === undefined || text.trim() !== text) throw fail('to_number', `strconv.ParseFloat: parsing ${goQuote(v)}: invalid syntax`);
    // Beyond float64's range ParseFloat fails, where a Rego literal would stay exact.
    if (!Number.isFinite(Number(text))) throw fail('to_number', `strconv.ParseFloat: parsing ${goQuote(v)}: value out of range`);
    return n;
  }
  throw typeError('to_number', 1, v!, 'null', 'boolean', 'number', 'string');
}

export const TYPES: Builtin[] = [
  def('is_number', 1, ([v]) => isNumber(v), { fast: (v) => isNumber(v) }),
  def('is_string', 1, ([v]) => typeof v === 'string', { fast: (v) => typeof v === 'string' }),
  def('is_boolean', 1, ([v]) => typeof v === 'boolean', { fast: (v) => typeof v === 'boolean' }),
  def('is_array', 1, ([v]) => isArray(v), { fast: (v) => isArray(v) }),
  def('is_set', 1, ([v]) => isSet(v), { fast: (v) => isSet(v) }),
  def('is_object', 1, ([v]) => isObject(v), { fast: (v) => isObject(v) }),
  def('is_null', 1, ([v]) => v === null, { fast: (v) => v === null }),
  def('type_name', 1, ([v]) => typeName(v!)),
  def('to_number', 1, toNumber),
];
