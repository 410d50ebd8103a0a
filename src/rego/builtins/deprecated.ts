/**
 * Builtins OPA deprecated (cast_*, set_diff, net.cidr_overlap), kept for v0 modules and marked
 * `deprecated` so that v1 modules can be refused as OPA 1.x does.
 */
import { type Value, RegoSet, isObject } from '../value.js';
import type { Builtin } from './registry.js';
import { def, set, typeError } from './util.js';
import { NET } from './net.js';

const deprecated = { deprecated: true } as const;

function same(name: string, test: (v: Value) => boolean, type: string): Builtin {
  return def(
    name,
    1,
    ([v]) => {
      if (!test(v!)) throw typeError(name, 1, v!, type);
      return v!;
    },
    deprecated,
  );
}

const cidrContains = NET.find((b) => b.name === 'net.cidr_contains')!.fn;

export const DEPRECATED: Builtin[] = [
  def(
    'cast_array',
    1,
    ([v]) => {
      if (Array.isArray(v)) return v;
      if (v instanceof RegoSet) return v.values().slice();
      throw typeError('cast_array', 1, v!, 'array', 'set');
    },
    deprecated,
  ),
  def(
    'cast_set',
    1,
    ([v]) => {
      if (v instanceof RegoSet) return v;
      if (Array.isArray(v)) return new RegoSet(v);
      throw typeError('cast_set', 1, v!, 'array', 'set');
    },
    deprecated,
  ),
  same('cast_string', (v) => typeof v === 'string', 'string'),
  same('cast_boolean', (v) => typeof v === 'boolean', 'boolean'),
  same('cast_null', (v) => v === null, 'null'),
  same('cast_object', (v) => isObject(v), 'object'),
  def(
    'set_diff',
    2,
    (args) => {
      const a = set('set_diff', args, 0);
      const b = set('set_diff', args, 1);
      return new RegoSet(a.values().filter((x) => !b.has(x)));
    },
    deprecated,
  ),
  def('net.cidr_overlap', 2, (args, ctx) => cidrContains(args, ctx), deprecated),
];
