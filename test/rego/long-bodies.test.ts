/**
 * The compile paths a long rule body or query takes (bench/rego-limits.ts times them): binary
 * operators parsed by precedence climbing, a body translated one literal at a time, `input` and
 * `data` resolved without searching the scopes until a local takes one of those names. Each gives
 * the same trees, results and error positions as before, in short texts and late in long ones.
 */
import { describe, expect, it } from 'vitest';
import { compile, type RegoError } from '../../src/rego/index.js';
import { parseModule } from '../../src/rego/parser.js';

function valueOf(source: string, query = 'data.t.p', input?: unknown): unknown {
  const r = compile([{ file: 'p.rego', source }]);
  if (!r.policy) throw new Error(JSON.stringify(r.diagnostics));
  const out = r.policy.eval(query, { input: input as never });
  if (out.error) throw new Error(JSON.stringify(out.error));
  return out.results[0]?.expressions[0]?.value;
}

function errorsOf(source: string): Array<[string, string, number | undefined, number | undefined]> {
  const r = compile([{ file: 'p.rego', source }]);
  expect(r.policy).toBeUndefined();
  return r.diagnostics.map((d: RegoError) => [d.code, d.message, d.location?.line, d.location?.column]);
}

const setOf = (v: unknown): unknown[] => [...(v as { values(): Iterable<unknown> }).values()];

describe('binary operators', () => {
  it('bind from loosest (relations) to tightest (* / %), each left-associative', () => {
    expect(valueOf('package t\np := 1 + 2 * 3 - 4 / 2 % 3\n')).toBe(5);
    expect(valueOf('package t\np := 10 - 3 - 2\n')).toBe(5);
    expect(valueOf('package t\np := 8 / 2 / 2\n')).toBe(2);
    expect(valueOf('package t\np := 2 * 3 % 4 * 5\n')).toBe(10);
    expect(valueOf('package t\np := -1 - -2\n')).toBe(1);
    expect(valueOf('package t\np := (1 + 2) * 3\n')).toBe(9);
    expect(valueOf('package t\np := [1 + 2 * 3, 7 - 2 - 1]\n')).toEqual([7, 4]);
    expect(setOf(valueOf('package t\np := {1, 2} | {3} & {3, 4}\n'))).toEqual([1, 2, 3]);
    expect(setOf(valueOf('package t\np := {1, 2} & {2} | {5}\n'))).toEqual([2, 5]);
    expect(valueOf('package t\np := 1 + 2 == 3\n')).toBe(true);
    expect(valueOf('package t\np := 1 < 2 == true\n')).toBe(true);
    expect(valueOf('package t\np := 1 + 2 in [3]\n')).toBe(true);
  });

  it('make calls spanning from the start of their left operand chain', () => {
    const m = parseModule('package t\np if { a * b + c == d | e & f - g }\n').module!;
    const shape = JSON.parse(
      JSON.stringify(m.rules[0]!.body[0]!.expr, (k, v: { line: number; column: number; endOffset: number }) =>
        k === 'location' ? `${v.line}:${v.column}-${v.endOffset}` : v,
      ),
    ) as unknown;
    const v = (name: string, column: number) => ({ type: 'var', name, location: `2:${column}-${column + 10}` });
    expect(shape).toEqual({
      type: 'term',
      term: {
        type: 'call',
        name: ['equal'],
        args: [
          {
            type: 'call',
            name: ['plus'],
            args: [{ type: 'call', name: ['mul'], args: [v('a', 8), v('b', 12)], location: '2:8-22' }, v('c', 16)],
            location: '2:8-26',
          },
          {
            type: 'call',
            name: ['or'],
            args: [
              v('d', 21),
              {
                type: 'call',
                name: ['and'],
                args: [v('e', 25), { type: 'call', name: ['minus'], args: [v('f', 29), v('g', 33)], location: '2:29-43' }],
                location: '2:25-43',
              },
            ],
            location: '2:21-43',
          },
        ],
        location: '2:8-43',
      },
      location: '2:8-43',
    });
  });

  it('report errors where they did', () => {
    expect(errorsOf('package t\np if { x := 1\n  y := x + "a" * 2 }\n')).toEqual([['rego_type_error', 'mul: invalid argument(s)', 3, 12]]);
    expect(errorsOf('package t\np if { x := "a" + 1 - 2 }\n')).toEqual([['rego_type_error', 'plus: invalid argument(s)', 2, 13]]);
    expect(errorsOf('package t\np if { 1 + 2 == "3" + 4 }\n')).toEqual([['rego_type_error', 'plus: invalid argument(s)', 2, 17]]);
    expect(errorsOf('package t\np := {1} | 2 & {3}\n')).toEqual([['rego_type_error', 'and: invalid argument(s)', 2, 12]]);
    expect(errorsOf('package t\np := 1 +\n')).toEqual([['rego_parse_error', 'unexpected eof token', 3, 1]]);
    expect(errorsOf('package t\np := 1 + * 2\n')).toEqual([['rego_parse_error', 'unexpected * token', 2, 10]]);
  });
});

/** `n` filler literals `f<i> := input.a + <i>`, one a line, indented by two spaces. */
const filler = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `  f${from + i} := input.a + ${from + i}`).join('\n');

describe('long bodies', () => {
  const N = 3000;

  it('bind a variable late and use it early, with some, every, with and comprehensions among thousands of literals', () => {
    const source = `package t
double(x) := 2 * x
p := out if {
  early = late + 1
${filler(N)}
  some found in [f0, f${N - 1}]
  found > 1
  every v in [f1, f2] { v > f0 }
  squares := [s | some i in [1, 2, 3]; s := i * i]
  total := sum([v | some k, v in {"a": f10, "b": f20}])
  mocked := double(3) with double as triple
  late = f${N - 1} - f${N - 2}
  out := [early, late, squares, total, mocked, found]
}
triple(x) := 3 * x
`;
    expect(valueOf(source, 'data.t.p', { a: 1 })).toEqual([2, 1, [1, 4, 9], 32, 9, N]);
  });

  it('read one input field in every literal, also replaced by with and shadowed by a local input', () => {
    // The compiler shares one term for every `input.a` of a compilation: each must still read
    // the input its literal sees.
    const source = `package t
p := [first, replaced, last, shadowed] if {
  first := input.a
${filler(N)}
  replaced := input.a with input.a as 5
  last := input.a
  shadowed := [v | some input in [{"a": 7}]; v := input.a][0]
}
`;
    expect(valueOf(source, 'data.t.p', { a: 1 })).toEqual([1, 5, 1, 7]);
  });

  it('put errors in late literals where they are', () => {
    const head = `package t\np if {\n${filler(N)}\n`;
    // Line N + 3 is the first literal after the filler.
    expect(errorsOf(`${head}  y := count(f1, f2)\n}\n`)).toEqual([['rego_type_error', 'count: too many arguments', N + 3, 8]]);
    expect(errorsOf(`${head}  f7 := 1\n}\n`)).toEqual([['rego_compile_error', 'var f7 assigned above', N + 3, 3]]);
    expect(errorsOf(`${head}  z > f1\n}\n`)).toEqual([['rego_unsafe_var_error', 'var z is unsafe', N + 3, 3]]);
    expect(errorsOf(`${head}  ys := [y | some y in [f1]; y := 2]\n}\n`)).toEqual([['rego_compile_error', 'var y declared above', N + 3, 30]]);
    expect(errorsOf(`${head}  every v in [f1] { nope(v) }\n}\n`)).toEqual([['rego_type_error', 'undefined function nope', N + 3, 21]]);
  });

  it('find a name assigned with := where only a nested body, a with, a template or the head reads it', () => {
    // A body that reads a name only by slot keeps it out of its scope's map (Scope.declareUnlisted):
    // each of these reads it by name from elsewhere.
    expect(valueOf('package t\np := [v | v := x][0] if {\n  x := 1\n}\n')).toBe(1);
    expect(valueOf('package t\np if {\n  x := 2\n  every v in [2] { v == x }\n}\n')).toBe(true);
    expect(valueOf('package t\np := y if {\n  x := 3\n  y := input.a with input.a as x\n}\n', 'data.t.p', { a: 0 })).toBe(3);
    expect(valueOf('package t\np := $"{x}" if {\n  x := 4\n}\n')).toBe('4');
    expect(valueOf('package t\np := y if {\n  x := 5\n  y := $"{input with input as x}"\n}\n')).toBe('5');
    expect(valueOf('package t\np := x if {\n  x := 6\n}\n')).toBe(6);
  });

  it('bind a query variable no literal reads, in declaration order among the others', () => {
    const policy = compile([{ file: 'p.rego', source: 'package t\n' }]).policy!;
    const r = policy.eval('a := 1; b := [v | v := a]; _ = 2; c := b[0] + 1; x = 3', {});
    expect(r.error).toBeUndefined();
    expect(Object.entries(r.results![0]!.bindings)).toEqual([
      ['x', 3],
      ['a', 1],
      ['b', [1]],
      ['c', 2],
    ]);
  });

  it('compile as a query too, binding every variable', () => {
    const policy = compile([{ file: 'p.rego', source: 'package t\n' }]).policy!;
    const query = Array.from({ length: N }, (_, i) => `f${i} := input.a + ${i}`).join('; ') + `; last := f${N - 1}`;
    const r = policy.eval(query, { input: { a: 1 } });
    expect(r.error).toBeUndefined();
    expect(r.results![0]!.bindings.last).toBe(N);
    expect(Object.keys(r.results![0]!.bindings)).toHaveLength(N + 1);
  });
});

describe('input and data named by locals', () => {
  it('a local named input or data shadows the root from its declaration on, also after a body that read the roots', () => {
    expect(valueOf('package t\np if { some input in [1, 2]; input == 2 }\n')).toBe(true);
    expect(setOf(valueOf('package t\np contains input if { some input in [1, 2] }\n'))).toEqual([1, 2]);
    expect(valueOf('package t\np if { every input in [1] { input == 1 } }\n')).toBe(true);
    expect(valueOf('package t\np if { some data; data = 1 }\n')).toBe(true);
    expect(valueOf('package t\np := [input | some input in [1, 2]]\n')).toEqual([1, 2]);
    expect(valueOf('package t\np := [x | some x in [1]; x == input.a]\n', 'data.t.p', { a: 1 })).toEqual([1]);
    expect(valueOf('package t\np if { x := input.a; some data in [x]; data == 1 }\n', 'data.t.p', { a: 1 })).toBe(true);
    expect(valueOf('package t\nq := data.t.r\nr := 4\np := [q, input.a, y] if { some input in [7]; y := input }\n', 'data.t.p', { a: 1 })).toBeUndefined();
    expect(valueOf('package t\nq := data.t.r\nr := 4\np := [q, input.a, y] if { y := [v | some input in [7]; v := input][0] }\n', 'data.t.p', { a: 1 })).toEqual([4, 1, 7]);
    expect(valueOf('package t\np if { some input in [{"a": 2}]; input.a == 2 }\n', 'data.t.p', { a: 1 })).toBe(true);
    expect(valueOf('package t\np if { every input in [{"a": 1}] { input.a == 1 }; input.b == 2 }\n', 'data.t.p', { a: 1, b: 2 })).toBe(true);
    expect(errorsOf('package t\np if { some input; input.a := 1 }\n')).toEqual([['rego_compile_error', 'cannot assign to ref', 2, 20]]);
    const policy = compile([{ file: 'p.rego', source: 'package t\n' }]).policy!;
    expect(policy.eval('x := input.a; some input in [2]', { input: { a: 1 } }).results?.[0]?.bindings).toEqual({ x: 1, input: 2 });
    expect(policy.eval('some data in [1]; y := data').results?.[0]?.bindings).toEqual({ data: 1, y: 1 });
  });
});
