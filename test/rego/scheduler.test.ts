/**
 * Body reordering for safety (scheduler.ts), including the shortcuts a long body relies on:
 * `x = <term>` decided from the uses collected once per literal, and nested bodies scheduled only
 * in the literals that hold one.
 */
import { describe, expect, it } from 'vitest';
import { compile, type Value } from '../../src/rego/index.js';

function value(source: string, query: string, input: Value): unknown {
  const c = compile([{ file: 't.rego', source }]);
  expect(c.diagnostics).toEqual([]);
  const r = c.policy!.eval(query, { input });
  expect(r.error).toBeUndefined();
  return r.results![0]?.expressions[0]?.value;
}

describe('scheduler', () => {
  it('moves an assignment before the literal that reads its variable', () => {
    expect(value('package t\nallow if {\n  y = x + 1\n  x = input.a\n  y == 3\n}', 'data.t.allow', { a: 2 })).toBe(true);
  });

  it('reports a variable that only its own assignment reads as unsafe, at that literal', () => {
    const c = compile([{ file: 't.rego', source: 'package t\np if {\n  x = x + 1\n}' }]);
    expect(c.diagnostics).toEqual([
      { code: 'rego_unsafe_var_error', message: 'var x is unsafe', location: { line: 3, column: 3, offset: 19, endOffset: 28, file: 't.rego' } },
    ]);
  });

  // A compiled literal keeps only the index of its syntax-tree node (its location is made for the
  // error): each place a compiled literal comes from still reports its own position.
  it('reports unsafe variables at their literal in comprehensions, every bodies, rewritten arguments and queries', () => {
    const at = (source: string) => compile([{ file: 't.rego', source }]).diagnostics.map((d) => [d.code, d.message, d.location?.line, d.location?.column]);
    expect(at('package t\nxs := [v |\n  v := 1\n  w > v\n]')).toEqual([['rego_unsafe_var_error', 'var w is unsafe', 4, 3]]);
    expect(at('package t\nok if {\n  every n in input.ns {\n    n > 0\n    m > n\n  }\n}')).toEqual([['rego_unsafe_var_error', 'var m is unsafe', 5, 5]]);
    // OPA rewrites a non-pattern argument into an equality checked with the body: at the head.
    expect(at('package t\nf(x + y) := 1 if {\n  true\n}')).toEqual([
      ['rego_unsafe_var_error', 'var x is unsafe', 2, 1],
      ['rego_unsafe_var_error', 'var y is unsafe', 2, 1],
    ]);
    const q = compile([{ file: 't.rego', source: 'package t\n' }]).policy!.prepare('a := 1; b > a');
    expect(q).toMatchObject({ code: 'rego_unsafe_var_error', message: 'var b is unsafe', location: { line: 1, column: 9, offset: 8, endOffset: 13 } });
  });

  it('reorders inside comprehensions and every bodies', () => {
    expect(value('package t\nxs := [v | v = w * 2; w = input.ns[_]]', 'data.t.xs', { ns: [1, 2] })).toEqual([2, 4]);
    expect(value('package t\nok if {\n  every n in input.ns {\n    m > 1\n    m = n + 1\n  }\n}', 'data.t.ok', { ns: [1, 2] })).toBe(true);
  });

  it('waits for an outer variable a comprehension reads, also inside a call', () => {
    expect(value('package t\nr := s if {\n  s = count([1 | a = b; b = input.ns[_]]) + t\n  t = 1\n}', 'data.t.r', { ns: [1, 2] })).toBe(3);
    const set = value('package t\nq := z if {\n  z = {k | k := input.ns[_] + y}\n  y = 10\n}', 'data.t.q', { ns: [1, 2] });
    expect([...(set as Iterable<unknown>)].sort()).toEqual([11, 12]);
  });
});
