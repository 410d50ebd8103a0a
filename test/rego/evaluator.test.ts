/** Semantics of the compiler and evaluator on small project-owned policies. */
import { describe, expect, it } from 'vitest';
import { compile, evaluateRule, type EvalOptions } from '../../src/rego/index.js';
import { RegoSet, toJSON } from '../../src/rego/value.js';

function policy(...sources: string[]) {
  const r = compile(sources.map((source, i) => ({ file: `m${i}.rego`, source })));
  if (!r.policy) throw new Error(JSON.stringify(r.diagnostics));
  return r.policy;
}

function value(src: string, ref: string, opts: EvalOptions = {}) {
  const v = evaluateRule(policy(src), ref, opts);
  return v === undefined ? undefined : toJSON(v);
}

function compileError(...sources: string[]) {
  const r = compile(sources.map((source, i) => ({ file: `m${i}.rego`, source })));
  expect(r.policy).toBeUndefined();
  return r.diagnostics[0]!;
}

function evalError(src: string, query: string, opts: EvalOptions = {}) {
  const r = policy(src).eval(query, opts);
  expect(r.error).toBeDefined();
  return r.error!;
}

describe('rules', () => {
  it('complete rules, defaults and undefined propagation', () => {
    const src = `package t
default allow := false
allow if input.user.role == "admin"
name := input.user.name`;
    expect(value(src, 'data.t.allow', { input: { user: { role: 'admin' } } })).toBe(true);
    expect(value(src, 'data.t.allow', { input: {} })).toBe(false);
    expect(value(src, 'data.t.name', { input: {} })).toBeUndefined();
  });

  it('else chains pick the first body that succeeds', () => {
    const src = `package t
grade := "a" if input.score > 90
else := "b" if input.score > 50
else := "c"`;
    expect(value(src, 'data.t.grade', { input: { score: 95 } })).toBe('a');
    expect(value(src, 'data.t.grade', { input: { score: 60 } })).toBe('b');
    expect(value(src, 'data.t.grade', { input: { score: 1 } })).toBe('c');
  });

  it('partial sets, partial objects and multi-level ref heads', () => {
    const src = `package t
names contains s.name if some s in input.steps
by_id[s.id] := s.name if some s in input.steps
tree.a[x][y] := x + y if { some x in [1, 2]; some y in [10] }`;
    const input = { steps: [{ id: 'x', name: 'n1' }, { id: 'y', name: 'n2' }, { id: 'z', name: 'n1' }] };
    expect(value(src, 'data.t.names', { input })).toEqual(['n1', 'n2']);
    expect(value(src, 'data.t.by_id', { input })).toEqual({ x: 'n1', y: 'n2', z: 'n1' });
    expect(value(src, 'data.t.tree', {})).toEqual({ a: { '1': { '10': 11 }, '2': { '10': 12 } } });
  });

  it('functions with patterns, multiple definitions and defaults', () => {
    const src = `package t
f([a, b]) := a + b
f(x) := x if is_number(x)
default g(_) := "none"
g(x) := "big" if x > 10
r := [f([1, 2]), f(5), g(1), g(11)]`;
    expect(value(src, 'data.t.r')).toEqual([3, 5, 'none', 'big']);
  });

  it('merges base documents with virtual documents and exposes packages as objects', () => {
    const lib = `package lib.util
double(x) := x * 2
two := double(1)`;
    const main = `package main
import data.lib.util
v := util.two + data.base.n
pkg := data.lib`;
    const p = policy(lib, main);
    expect(toJSON(evaluateRule(p, 'data.main.v', { data: { base: { n: 40 } } })!)).toBe(42);
    expect(toJSON(evaluateRule(p, 'data.main.pkg')!)).toEqual({ util: { two: 2 } });
  });

  it('reorders bodies so bindings come before uses', () => {
    const src = `package t
p := y if {
  y == x + 1
  x = input.n
  y = x + 1
}`;
    expect(value(src, 'data.t.p', { input: { n: 1 } })).toBe(2);
    // With `:=` the same body is an error in OPA: a variable is declared where it is first seen.
    expect(compileError(src.replace('x = input.n', 'x := input.n'))).toMatchObject({ code: 'rego_compile_error', message: 'var x referenced above' });
  });

  it('runs a call argument that binds a variable before the arguments that read it', () => {
    // The index is bound by iterating the ref on the right, then compared on the left.
    const src = `package t
fixed contains i if {
  some i
  i == input.perm[i]
}
moved contains i if i != input.perm[i]
pairs contains [i, j] if startswith(input.names[i], input.names[j])`;
    const input = { perm: [0, 2, 1, 3], names: ['ab', 'a'] };
    expect(value(src, 'data.t.fixed', { input })).toEqual([0, 3]);
    expect(value(src, 'data.t.moved', { input })).toEqual([1, 2]);
    expect(value(src, 'data.t.pairs', { input })).toEqual([[0, 0], [0, 1], [1, 1]]);
  });

  it('without `import future.keywords.not`, evaluates the operands OPA moves out of a negation before it', () => {
    // OPA binds refs given to a call, nested calls and dynamic ref keys to variables ahead of the
    // negated expression, so an undefined one fails the body; `==` keeps its sides, like `=`.
    const src = `package t
obj := {"k": 1}
banned(name) if startswith(name, "x-")
default allow := false
allow if not banned(input.user)
default low := false
low if not count(input.xs) > 2
default absent := false
absent if not obj[input.key]
default differ := false
differ if not input.a == input.b
default missing := false
missing if not input.user`;
    const names = ['allow', 'low', 'absent', 'differ', 'missing'];
    const all = (input: EvalOptions['input']) => names.map((n) => value(src, `data.t.${n}`, { input }));
    expect(all({})).toEqual([false, false, false, true, true]);
    expect(all({ user: 'bob', xs: [1], key: 'z', a: 1, b: 2 })).toEqual([true, true, true, true, false]);
    expect(all({ user: 'x-1', xs: [1, 2, 3], key: 'k', a: 1, b: 1 })).toEqual([false, false, false, false, false]);
    // Inside comprehensions and `every` too; `import future.keywords` keeps the parts inside, as OPA 1.17+.
    const nested = `package t
names := [n | some n in ["a", "b"]; not startswith(input.prefix, n)]`;
    expect(value(nested, 'data.t.names', { input: {} })).toEqual([]);
    expect(value(nested, 'data.t.names', { input: { prefix: 'ab' } })).toEqual(['b']);
    expect(value(nested.replace('package t', 'package t\nimport future.keywords'), 'data.t.names', { input: {} })).toEqual(['a', 'b']);
  });

  it('with `import future.keywords.not`, an undefined operand inside a negated call makes the negation succeed', () => {
    const src = `package t
import future.keywords.not
banned(name) if startswith(name, "x-")
default allow := false
allow if not banned(input.user)
total_ok if not input.a + input.b > 10`;
    expect(value(src, 'data.t.allow', { input: {} })).toBe(true);
    expect(value(src, 'data.t.allow', { input: { user: 'x-1' } })).toBe(false);
    expect(value(src, 'data.t.total_ok', { input: { a: 1 } })).toBe(true);
    expect(value(src, 'data.t.total_ok', { input: { a: 9, b: 9 } })).toBeUndefined();
  });

  it('some, every, in, comprehensions and unification patterns', () => {
    const src = `package t
all_even if every x in input.xs { x % 2 == 0 }
has_three if 3 in input.xs
pairs := {k: v | some k, v in input.obj}
firsts := [a | [a, _] = input.tuples[_]]
doubled := {y | some x in input.xs; y := x * 2}`;
    const input = { xs: [2, 4], obj: { a: 1 }, tuples: [[1, 'x'], [2, 'y']] };
    expect(value(src, 'data.t.all_even', { input })).toBe(true);
    expect(value(src, 'data.t.has_three', { input })).toBeUndefined();
    expect(value(src, 'data.t.pairs', { input })).toEqual({ a: 1 });
    expect(value(src, 'data.t.firsts', { input })).toEqual([1, 2]);
    expect(value(src, 'data.t.doubled', { input })).toEqual([4, 8]);
  });

  it('with replaces input, data and functions only inside its literal, without leaking memoised values', () => {
    const src = `package t
role := input.role
f(x) := x + 1
a := r if r := role with input.role as "m"
b := role
c := r if r := f(1) with f as 10
d := r if r := data.cfg.v with data.cfg.v as 7
mocked := [a, b, c, d, role]`;
    expect(value(src, 'data.t.mocked', { input: { role: 'r' }, data: { cfg: { v: 1 } } })).toEqual(['m', 'r', 10, 7, 'r']);
  });

  it('query results carry expressions and bindings', () => {
    const r = policy('package t\nxs := [1, 2]').eval('x := data.t.xs[i]; x > 1');
    expect(r.error).toBeUndefined();
    expect(r.results).toEqual([
      {
        expressions: [
          { value: true, text: 'x := data.t.xs[i]' },
          { value: true, text: 'x > 1' },
        ],
        bindings: { x: 2, i: 1 },
      },
    ]);
  });

  it('accepts a query as a rule path and reports false values of plain refs', () => {
    const p = policy('package a.b\ndefault allow := false');
    expect(p.eval(['a', 'b', 'allow']).results?.[0]?.expressions[0]).toEqual({ value: false, text: 'data.a.b.allow' });
    expect(p.eval('data.a.b.allow == true').results).toEqual([]);
  });

  it('sets are values: equality, ordering and set operators', () => {
    const v = evaluateRule(policy('package t\ns := {3, 1} | {2}'), 'data.t.s');
    expect(v).toBeInstanceOf(RegoSet);
    expect(toJSON(v!)).toEqual([1, 2, 3]);
  });
});

describe('errors', () => {
  it('conflicts are returned, not thrown', () => {
    expect(evalError('package t\np := x if { some x in [1, 2] }', 'data.t.p')).toMatchObject({
      code: 'eval_conflict_error',
      message: 'complete rules must not produce multiple outputs',
    });
    expect(evalError('package t\nf(x) := 1\nf(x) := 2\nr := f(0)', 'data.t.r')).toMatchObject({
      code: 'eval_conflict_error',
      message: 'functions must not produce multiple outputs for same inputs',
    });
    expect(evalError('package t\no[k] := v if { some k, v in {"a": 1}} \no["a"] := 2', 'data.t.o').message).toBe('object keys must be unique');
  });

  it('unsafe variables, recursion, arity, undefined and forbidden functions are compile errors', () => {
    expect(compileError('package t\np if { x > 1 }')).toMatchObject({ code: 'rego_unsafe_var_error', message: 'var x is unsafe' });
    expect(compileError('package t\np if q\nq if p').code).toBe('rego_recursion_error');
    expect(compileError('package t\np := count(1, 2, 3)').code).toBe('rego_type_error');
  });

  it('finds recursion through every way a rule can refer to another', () => {
    // The recursion check skips rules whose terms refer to no rule at all: each kind of reference
    // must count as one.
    const recursive = (...sources: string[]) => expect(compileError(...sources).code).toBe('rego_recursion_error');
    recursive('package t\np if { x := 1; x > 0; q }\nq if p');
    recursive('package t\np if data.t.q\nq if { data.t.p }');
    recursive('package t\np if { d := data; d.t.q }\nq if p');
    recursive('package t\nimport data.t.q as other\np if other\nq if p');
    recursive('package t\nf(x) := y if { y := g(x) }\ng(x) := y if { y := f(x) }\np := f(1)');
    recursive('package t\nf() := 1 if p\np if f()');
    recursive('package t\np if { count([x | x := 1; q]) > 0 }\nq if p');
    recursive('package t\np if { every x in [1] { q } }\nq if p');
    recursive('package t\nf(x) := x if p\np if { true with count as f }');
    recursive('package a\np if data.b.q', 'package b\nimport data.a\nq if a.p');
    expect(compile([{ file: 'p.rego', source: 'package t\np if { x := 1; x > 0 }\nq if p' }]).diagnostics).toEqual([]);
    expect(compileError('package t\np := nope(1)')).toMatchObject({ code: 'rego_type_error', message: 'undefined function nope' });
    expect(compileError('package t\np := http.send({})').message).toContain('http.send');
    expect(compileError('package t\ndefault p := x').code).toMatch(/^rego_(parse|compile)_error$/);
  });

  it('parse errors are positioned diagnostics', () => {
    const d = compileError('package t\np := [1,');
    expect(d.code).toBe('rego_parse_error');
    expect(d.location?.line).toBeGreaterThanOrEqual(2);
  });

  it('builtin errors give undefined unless strict', () => {
    const src = 'package t\np := to_number("x")';
    expect(value(src, 'data.t.p')).toBeUndefined();
    expect(evalError(src, 'data.t.p', { strict: true }).code).toMatch(/^eval_/);
  });
});

describe('robustness', () => {
  it('never throws or reports an internal error on arbitrary JSON input', async () => {
    const fc = (await import('fast-check')).default;
    const p = policy(`package t
default result := {"allowed": false}
result := {"allowed": true} if {
  some i, step in input.Steps
  step.ActionType == "Octopus.Manual"
  not step.Id in input.SkippedSteps
  count(input.Steps) > i
}
names := {n | n := input.Steps[_].Name}
msg := $"{input.Environment.Name} has {count(input.Steps)} steps"
tags := [t | some t in input.Environment.Tags; startswith(t, "x")]`);
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.record({ Steps: fc.array(fc.jsonValue()), SkippedSteps: fc.jsonValue(), Environment: fc.jsonValue() })),
        (input) => {
          for (const q of ['data.t.result', 'data.t.names', 'data.t.msg', 'data.t.tags', 'data.t']) {
            const r = p.eval(q, { input: input as never });
            if (r.error) expect(r.error.code).not.toBe('internal_error');
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('print and template strings', () => {
  it('prints undefined arguments as <undefined> and formats values as Rego terms', () => {
    const out: string[] = [];
    const p = policy('package t\np if print("v", input.missing, {1}, [1, "a"])\ns := $"n={input.n} s={{2}}"');
    expect(p.eval('data.t.p', { print: (m) => out.push(m) }).results?.length).toBe(1);
    expect(out).toEqual(['v <undefined> {1} [1, "a"]']);
    expect(toJSON(evaluateRule(p, 'data.t.s', { input: { n: 3 } })!)).toBe('n=3 s={2}');
  });
});

describe('deprecated builtins', () => {
  it('are refused at compile time, as OPA 1.x does for v1 modules', () => {
    const { policy, diagnostics } = compile([{ file: 'p.rego', source: 'package p\n\nx if re_match("a", "a")\n' }]);
    expect(policy).toBeUndefined();
    expect(diagnostics[0]?.code).toBe('rego_type_error');
    expect(diagnostics[0]?.message).toContain('deprecated built-in function calls in expression: re_match');
  });
});

describe('input reads', () => {
  const src = `package p
import rego.v1
default allow := false
allow if input.Environment.Slug == "production"
allow if {
  some step in input.Steps
  step.Name == "x"
}
needs_release if input.Release.Version
whole := json.marshal(input)
`;
  it('records the constant leading keys of every input path read, only when asked', () => {
    const p = policy(src);
    const input = { Environment: { Slug: 'dev' }, Steps: [{ Name: 'y' }] };
    const r = p.eval('data.p.allow', { input, recordInputReads: true });
    expect(r.inputReads).toEqual([['Environment', 'Slug'], ['Steps']]);
    expect(p.eval('data.p.allow', { input }).inputReads).toBeUndefined();
  });
  it('records a read of a path the input does not have, and of the whole input', () => {
    const p = policy(src);
    expect(p.eval('data.p.needs_release', { input: {}, recordInputReads: true }).inputReads).toEqual([['Release', 'Version']]);
    expect(p.eval('data.p.whole', { input: {}, recordInputReads: true }).inputReads).toEqual([[]]);
  });
});

describe('documents OPA builds that are easy to miss', () => {
  it('reads a zero-argument "function" as a rule, by ref or by call', () => {
    expect(value('package t\nf() := 7\ng := data.t.f\nh := f()', 'data.t')).toEqual({ f: 7, g: 7, h: 7 });
  });

  it('gives a package without rules the empty object', () => {
    const p = policy('package empty\n', 'package q\nv := data.empty');
    expect(toJSON(evaluateRule(p, 'data.q.v')!)).toEqual({});
  });

  it('keeps integer literals beyond double range exact instead of turning them into null', () => {
    expect(value('package t\nx := 1e400 > 1e399\ny := 1e400 == 10 * 1e399', 'data.t')).toEqual({ x: true, y: true });
    expect(evaluateRule(policy('package t\nx := 1.5e30'), 'data.t.x')).toBe(1_500_000_000_000_000_000_000_000_000_000n);
  });

  it('treats Object.prototype member names and __proto__ as ordinary keys of objects it builds', () => {
    const src = `package t
o := {"constructor": 1, "__proto__": 2}
p := {"a": 1}
r := [o.constructor, o.__proto__, object.get(p, "constructor", "none"), object.get(p, "toString", "none"), count(p), object.keys(o)]
s := {k | some k, _ in p}
u if p.constructor`;
    expect(value(src, 'data.t.r')).toEqual([1, 2, 'none', 'none', 1, ['__proto__', 'constructor']]);
    expect(value(src, 'data.t.s')).toEqual(['a']);
    expect(value(src, 'data.t.u')).toBeUndefined();
  });

  it('lets base data win over a rule at the same key when the enclosing document is read whole, merging objects', () => {
    const p = policy('package cfg\nmode := "rule"\nlimits := {"cpu": 2, "mem": 4}\nextra := 1');
    const data = { cfg: { mode: 'base', limits: { cpu: 8, disk: 100 } } };
    // Reading the package merges the two documents, base values first.
    expect(toJSON(evaluateRule(p, 'data.cfg', { data })!)).toEqual({ mode: 'base', limits: { cpu: 8, mem: 4, disk: 100 }, extra: 1 });
    // Reading the rule itself evaluates the rule.
    expect(toJSON(evaluateRule(p, 'data.cfg.mode', { data })!)).toBe('rule');
    // The same holds a level up, through a package nested under the base document.
    const q = policy('package app.cfg\nmode := "rule"\nextra := 1');
    const nested = { app: { name: 'a', cfg: { mode: 'base', limits: { cpu: 8 } } } };
    expect(toJSON(evaluateRule(q, 'data.app', { data: nested })!)).toEqual({ name: 'a', cfg: { mode: 'base', limits: { cpu: 8 }, extra: 1 } });
    expect(toJSON(evaluateRule(q, 'data', { data: nested })!)).toEqual({ app: { name: 'a', cfg: { mode: 'base', limits: { cpu: 8 }, extra: 1 } } });
    // Base data that is not an object where a package lives stays as it is.
    expect(toJSON(evaluateRule(q, 'data.app', { data: { app: 'plain' } })!)).toBe('plain');
    expect(toJSON(evaluateRule(q, 'data', { data: { app: 'plain' } })!)).toEqual({ app: 'plain' });
    expect(toJSON(evaluateRule(q, 'data.app.cfg.extra', { data: { app: 'plain' } })!)).toBe(1);
  });

  it('reads a number key of a data ref as the member named by its decimal text, in base data only', () => {
    const src = `package t
codes := {"404": "page", "500": "server"}
top := data[7]
direct := data.http.codes[404]
nested := data.http.by_port[8080][0]
dynamic := [m | some c in [500, 404, 418]; m := data.http.codes[c]]
iterated := [p | p := data.http.list[_][1]]
copied := c[404] if c := data.http.codes
rule_value := data.t.codes[404]
under_with := d if d := data.t.direct with data.unrelated as 1`;
    const data = { '7': 'seven', http: { codes: { '404': 'not found', '500': 'error' }, by_port: { '8080': ['web'] }, list: [{ '1': 'one' }] } };
    expect(value(src, 'data.t', { data })).toMatchObject({ top: 'seven', direct: 'not found', nested: 'web', dynamic: ['error', 'not found'], iterated: ['one'], under_with: 'not found' });
    expect(value(src, 'data.t.copied', { data })).toBeUndefined();
    expect(value(src, 'data.t.rule_value', { data })).toBeUndefined();
    // An array in base data is indexed by a number or by a string of digits, a copy of it by a number only.
    const arr = 'package t\nx := [data.arr[1], data.arr["1"]]\ny := a["1"] if a := data.arr';
    expect(value(arr, 'data.t', { data: { arr: ['a', 'b'] } })).toEqual({ x: ['b', 'b'] });
  });

  it('compiles calls of builtins oclhub does not provide when a with replaces them, and fails closed otherwise', () => {
    const src = `package t
status := http.send({"method": "GET", "url": "https://example.com"}).status_code
test_ok if status == 200 with http.send as {"status_code": 200}`;
    const p = policy(src);
    expect(p.eval('data.t.test_ok').results![0]!.expressions[0]!.value).toBe(true);
    expect(p.eval('data.t.status').error).toMatchObject({ code: 'eval_builtin_error', message: expect.stringContaining('http.send: network access is not available') });
    expect(compileError('package t\nx := http.send({})')).toMatchObject({ code: 'rego_compile_error', message: expect.stringContaining('builtin http.send is not available') });
  });
});
