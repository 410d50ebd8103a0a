/**
 * What OPA rejects before evaluation, oclhub rejects too, with OPA's code, message and position:
 * arity and argument types of calls, local variable declarations, Rego v1 module rules.
 */
import { describe, expect, it } from 'vitest';
import { compile, type RegoError } from '../../src/rego/index.js';
import { formatRegoError } from '../../src/rego/errors.js';

function errorsOf(source: string): RegoError[] {
  const r = compile([{ file: 'p.rego', source }]);
  expect(r.policy).toBeUndefined();
  return r.diagnostics;
}

function firstError(source: string): { code: string; message: string; at: string } {
  const e = errorsOf(source)[0]!;
  return { code: e.code, message: e.message, at: `${e.location?.line}:${e.location?.column}` };
}

function compiles(source: string): void {
  const r = compile([{ file: 'p.rego', source }]);
  expect(r.diagnostics).toEqual([]);
}

const pkg = (body: string) => `package t\n${body}\n`;

describe('calls: arity and argument types (OPA type checker)', () => {
  it('rejects a call used as a value with an extra argument', () => {
    expect(firstError(pkg('x := abs(-9, 9)'))).toEqual({ code: 'rego_type_error', message: 'abs: too many arguments', at: '2:6' });
    expect(firstError(pkg('p := startswith("abc", "a", true)'))).toMatchObject({ code: 'rego_type_error', message: 'startswith: too many arguments' });
    expect(firstError(pkg('p if { count([1], 2) > 0 }'))).toMatchObject({ message: 'count: too many arguments' });
  });

  it('rejects too few arguments', () => {
    expect(firstError(pkg('p if startswith("abc")'))).toMatchObject({ code: 'rego_type_error', message: 'startswith: too few arguments' });
    expect(firstError(pkg('f(a, b) := a + b\np := f(1)'))).toMatchObject({ code: 'rego_type_error', message: 'data.t.f: too few arguments' });
  });

  it('checks an output argument against the declared result type', () => {
    compiles(pkg('p if startswith("abc", "a", true)'));
    compiles(pkg('p := x if startswith("abc", "a", x)'));
    expect(firstError(pkg('p if startswith("abc", "a", 5)'))).toMatchObject({ code: 'rego_type_error', message: 'startswith: invalid argument(s)' });
  });

  it('rejects constant arguments of the wrong type, with the have/want details', () => {
    const e = errorsOf(pkg('p := upper(1)'))[0]!;
    expect(e).toMatchObject({ code: 'rego_type_error', message: 'upper: invalid argument(s)' });
    expect(e.details).toEqual(['have: (number, string)', 'want: (string)']);
    expect(formatRegoError(e)).toContain('rego_type_error: upper: invalid argument(s)\n\thave: (number, string)\n\twant: (string)');
    expect(firstError(pkg('p := concat(",", [1, 2])'))).toMatchObject({ message: 'concat: invalid argument(s)' });
    expect(firstError(pkg('p := 1 + "a"'))).toMatchObject({ message: 'plus: invalid argument(s)' });
    expect(firstError(pkg('p := {1} | [1]'))).toMatchObject({ message: 'or: invalid argument(s)' });
  });

  it('knows the result types of builtins and of variables assigned from them', () => {
    expect(firstError(pkg('p := upper(count([1]))'))).toMatchObject({ message: 'upper: invalid argument(s)' });
    expect(firstError(pkg('p if { x := "a"; y := x + 1; y > 0 }'))).toMatchObject({ message: 'plus: invalid argument(s)' });
  });

  it('accepts what the type checker cannot refute', () => {
    compiles(pkg('p := upper(input.name)'));
    compiles(pkg('p := {1} - 1')); // each operand may be a number or a set: a run-time error
    compiles(pkg('p := concat(",", [input.a, "b"])'));
    compiles(pkg('p := count({"a": 1})'));
    compiles(pkg('p := time.date([0, "UTC"])'));
  });
});

describe('local variable declarations (OPA rewriteLocalVars)', () => {
  it('rejects re-declaring a function argument', () => {
    expect(firstError(pkg('f(name) := name if { name := "alice" }'))).toEqual({ code: 'rego_compile_error', message: 'arg name redeclared', at: '2:22' });
  });

  it('rejects := on a name already assigned, declared or used in the same body', () => {
    expect(firstError(pkg('p if { x := 1; x := 2 }'))).toMatchObject({ code: 'rego_compile_error', message: 'var x assigned above' });
    expect(firstError(pkg('p if { some x; x := 2 }'))).toMatchObject({ code: 'rego_compile_error', message: 'var x declared above' });
    expect(firstError(pkg('p if { x == 1; x := 1 }'))).toMatchObject({ code: 'rego_compile_error', message: 'var x referenced above' });
    expect(firstError(pkg('p if { some x in [1]; some x in [2] }'))).toMatchObject({ message: 'var x declared above' });
  });

  // The translator does not look for a second `:=` of a name: these checks must find it in every
  // kind of body, at the second assignment, before anything is translated.
  it('rejects a second := of a name in a comprehension, every, else and function body, where it is', () => {
    expect(firstError(pkg('p if { ys := [y | y := 1; y := 2]; count(ys) > 0 }'))).toEqual({ code: 'rego_compile_error', message: 'var y assigned above', at: '2:27' });
    expect(firstError(pkg('p if { every v in [1] { w := v; w := 2 } }'))).toEqual({ code: 'rego_compile_error', message: 'var w assigned above', at: '2:33' });
    expect(firstError(pkg('p := 1 if { false } else := x if { x := 2; x := 3 }'))).toEqual({ code: 'rego_compile_error', message: 'var x assigned above', at: '2:44' });
    expect(firstError(pkg('f(a) := b if { b := a; b := 1 }'))).toEqual({ code: 'rego_compile_error', message: 'var b assigned above', at: '2:24' });
    const r = compile([{ file: 'p.rego', source: pkg('q := 1') }]);
    expect(r.policy!.eval('ys := {y | y := 1; y := 2}').error).toMatchObject({ code: 'rego_compile_error', message: 'var y assigned above', location: { line: 1, column: 20 } });
  });

  it('lets a comprehension or every body declare its own variables', () => {
    compiles(pkg('p if { x := 1; y := [x | x := 2]; y[0] == x + 1 }'));
    compiles(pkg('p if { x := 1; every y in [1] { x := y; x == 1 } }'));
  });

  it('rejects assignment inside not, to non-variables, and unused some declarations', () => {
    expect(firstError(pkg('p if { not x := 1 }'))).toMatchObject({ code: 'rego_compile_error', message: 'cannot assign vars inside negated expression' });
    expect(firstError(pkg('p if { 1 := 1 }'))).toMatchObject({ code: 'rego_compile_error', message: 'cannot assign to number' });
    expect(firstError(pkg('p if { some x; true }'))).toMatchObject({ code: 'rego_compile_error', message: 'declared var x unused' });
  });

  it('rejects calling a function whose name a local variable shadows', () => {
    expect(firstError(pkg('p if { count := 1; count([]) == 0 }'))).toMatchObject({ code: 'rego_compile_error', message: 'called function count shadowed' });
  });

  it('checks queries too', () => {
    const r = compile([{ file: 'p.rego', source: pkg('q := 1') }]);
    expect(r.policy!.eval('x := 1; x := 2').error).toMatchObject({ code: 'rego_compile_error', message: 'var x assigned above' });
  });
});

describe('Rego v1 module rules', () => {
  it('rejects rules, arguments and variables named input or data', () => {
    expect(firstError(pkg('input := 1'))).toMatchObject({ code: 'rego_compile_error', message: 'rules must not shadow input (use a different rule name)' });
    expect(firstError(pkg('data if true'))).toMatchObject({ message: 'rules must not shadow data (use a different rule name)' });
    expect(firstError(pkg('f(input) := 1'))).toMatchObject({ message: 'args must not shadow input (use a different variable name)' });
    expect(firstError(pkg('p if { data := 1; data == 1 }'))).toMatchObject({ message: 'variables must not shadow data (use a different variable name)' });
  });

  it('finds an assignment to input or data however it is spelled (the check is skipped only for texts that cannot hold one)', () => {
    // Whitespace, a line break or a comment between the name and `:=`.
    expect(firstError(pkg('p if {\n  x := 1\n  input   :=\t2\n}'))).toMatchObject({ message: 'variables must not shadow input (use a different variable name)', at: '4:3' });
    expect(firstError(pkg('p if {\n  x := 1\n  data # the root\n  := 2\n}'))).toMatchObject({ message: 'variables must not shadow data (use a different variable name)', at: '4:3' });
    // Inside a comprehension and an `every` body, late in a long body.
    const long = Array.from({ length: 300 }, (_, i) => `  x${i} := ${i}`).join('\n');
    expect(firstError(pkg(`p if {\n${long}\n  ys := [y | some y in [1]; data := y]\n}`))).toMatchObject({ message: 'variables must not shadow data (use a different variable name)', at: '303:29' });
    expect(firstError(pkg(`p if {\n${long}\n  every z in [1] { input := z }\n}`))).toMatchObject({ message: 'variables must not shadow input (use a different variable name)', at: '303:20' });
    // Texts that only mention the names compile.
    compiles(pkg('p if {\n  s := "input := 1"\n  # data := 2\n  myinput := 3\n  input_x := 4\n  s != "" ; myinput == 3; input_x == 4\n}'));
  });

  it('checks assignments to input or data in queries', () => {
    const policy = compile([{ file: 'p.rego', source: pkg('q := 1') }]).policy!;
    expect(policy.eval('x := 1; input := 2').error).toMatchObject({ code: 'rego_compile_error', message: 'variables must not shadow input (use a different variable name)' });
    expect(policy.eval('data\n:= 2').error).toMatchObject({ code: 'rego_compile_error', message: 'variables must not shadow data (use a different variable name)' });
    expect(policy.eval('x := "input := 1"').results?.[0]?.bindings).toEqual({ x: 'input := 1' });
  });

  it('rejects duplicate imports', () => {
    expect(firstError('package t\nimport data.a.b\nimport data.c.b\np := b')).toEqual({
      code: 'rego_compile_error',
      message: 'import must not shadow import data.a.b',
      at: '3:1',
    });
    compiles('package t\nimport data.a.b\nimport data.c.b as d\np := [b, d]');
  });

  it('requires if before an else body and rejects unary minus on a non-number', () => {
    expect(firstError(pkg('p := 1 if { input.a } else := 2 { true }'))).toEqual({
      code: 'rego_parse_error',
      message: '`if` keyword is required before rule body',
      at: '2:23',
    });
    expect(firstError(pkg('p := -input.n'))).toMatchObject({ code: 'rego_parse_error', message: 'unexpected ident token: expected number' });
  });
});
