import { describe, expect, it } from 'vitest';
import type { Module, Rule, Term } from '../../src/rego/ast.js';
import { parseModule, parseQuery, parseTerm } from '../../src/rego/parser.js';
import { showBody, showRule, showTerm } from './ast-show.js';

function mod(src: string): Module {
  const r = parseModule(src, 'test.rego');
  expect(r.errors).toEqual([]);
  return r.module!;
}
/** Parses `package t` + the given rules and renders each rule. */
function rules(src: string): string[] {
  return mod(`package t\n${src}`).rules.map(showRule);
}
function rule(src: string): Rule {
  const rs = mod(`package t\n${src}`).rules;
  expect(rs).toHaveLength(1);
  return rs[0]!;
}
function query(src: string): string {
  const r = parseQuery(src);
  expect(r.errors).toEqual([]);
  return showBody(r.query!);
}
function term(src: string): string {
  const r = parseTerm(src);
  expect(r.errors).toEqual([]);
  return showTerm(r.term!);
}
/** Errors of a module, as `line:column message`. */
function errors(src: string): string[] {
  const r = parseModule(src);
  expect(r.module).toBeUndefined();
  return r.errors.map((e) => `${e.location.line}:${e.location.column} ${e.message}`);
}
function queryErrors(src: string): string[] {
  const r = parseQuery(src);
  expect(r.query).toBeUndefined();
  return r.errors.map((e) => `${e.location.line}:${e.location.column} ${e.message}`);
}

describe('parser: package and imports', () => {
  it('reads dotted and bracketed package paths', () => {
    expect(mod('package a.b.c').package).toEqual(['a', 'b', 'c']);
    expect(mod('package a["b-c"].d').package).toEqual(['a', 'b-c', 'd']);
    expect(mod('package x').packageLocation).toEqual({ line: 1, column: 1, offset: 0, endOffset: 9, file: 'test.rego' });
  });

  it('reads imports with and without aliases', () => {
    const m = mod('package p\nimport rego.v1\nimport future.keywords\nimport future.keywords.in\nimport data.lib.x as y\nimport input\n');
    expect(m.imports.map((i) => [showTerm(i.path), i.alias])).toEqual([
      ['ref(rego, "v1")', undefined],
      ['ref(future, "keywords")', undefined],
      ['ref(future, "keywords", "in")', undefined],
      ['ref(data, "lib", "x")', 'y'],
      ['input', undefined],
    ]);
    expect(m.imports[3]!.location).toMatchObject({ line: 5, column: 1, endOffset: m.source!.indexOf('as y') + 4 });
  });

  it('accepts the future keyword `not` (OPA 1.17)', () => {
    // Under this import OPA keeps every part of a negated expression inside the negation, so an
    // undefined operand makes `not` succeed (evaluator tests).
    expect(mod('package p\nimport future.keywords.not\nq if not input.a + 1 == 2\n').imports.map((i) => showTerm(i.path))).toEqual([
      'ref(future, "keywords", "not")',
    ]);
  });

  it('rejects bad import paths', () => {
    expect(errors('package p\nimport foo.bar')).toEqual([
      '2:8 unexpected import path, must begin with one of: {data, future, input, rego}, got: foo',
    ]);
    expect(errors('package p\nimport rego.v2')).toEqual(['2:8 invalid import `rego.v2`, must be `rego.v1`']);
    expect(errors('package p\nimport future.keywords.nope')).toEqual([
      '2:8 unexpected keyword, must be one of [contains every if in not]',
    ]);
    expect(errors('package p\nimport future.keywords as k')).toEqual(['2:8 `future` imports cannot be aliased']);
    expect(errors('package p\nimport data.x[y]')).toEqual(['2:15 unexpected var token: expecting string']);
  });

  it('requires exactly one leading package', () => {
    expect(errors('p := 1')).toEqual(['1:1 package expected']);
    expect(errors('package a\npackage b')).toEqual(['2:1 unexpected package']);
    expect(errors('')).toEqual(['1:1 empty module']);
    expect(errors('# just a comment\n')).toEqual(['2:1 empty module']);
  });

  it('keeps the source text and file name', () => {
    const m = mod('package x\np := 1\n');
    expect(m.file).toBe('test.rego');
    expect(m.source).toBe('package x\np := 1\n');
  });
});

describe('parser: rule forms', () => {
  it('parses complete rules with := and =', () => {
    expect(rules('p := 1\nq = "a"\nr := input.x')).toEqual(['p := 1', 'q = "a"', 'r := ref(input, "x")']);
    const r = rule('p := 1');
    // The tree as data (nodes read their locations on demand: JSON is where every field is written out).
    expect(JSON.parse(JSON.stringify(r.head))).toEqual({
      ref: [{ type: 'string', value: 'p', location: { line: 2, column: 1, offset: 10, endOffset: 11, file: 'test.rego' } }],
      value: { type: 'number', raw: '1', location: { line: 2, column: 6, offset: 15, endOffset: 16, file: 'test.rego' } },
      assign: ':=',
      valueImplied: false,
      contains: false,
      location: { line: 2, column: 1, offset: 10, endOffset: 16, file: 'test.rego' },
    });
    expect(r.body).toEqual([]);
    expect(r.elses).toEqual([]);
    expect(r.isDefault).toBe(false);
  });

  it('parses rules with bodies: braces, single expression, value and if', () => {
    expect(rules('p if { input.a; input.b }')).toEqual(['p =implied if { ref(input, "a"); ref(input, "b") }']);
    expect(rules('p if input.a > 1')).toEqual(['p =implied if { gt(ref(input, "a"), 1) }']);
    expect(rules('p := 2 if {\n  input.a\n  input.b\n}')).toEqual(['p := 2 if { ref(input, "a"); ref(input, "b") }']);
    expect(rules('p := 2 if not input.a')).toEqual(['p := 2 if { not ref(input, "a") }']);
    expect(rules('p if some x in input.xs')).toEqual(['p =implied if { some x in ref(input, "xs") }']);
  });

  it('reads `p if { x }` as a body, not a set literal, and `p if {}` as the empty object', () => {
    expect(rules('p if { x }')).toEqual(['p =implied if { x }']);
    expect(rules('p if {}')).toEqual(['p =implied if { obj() }']);
    expect(rules('p if {"a": 1}')).toEqual(['p =implied if { obj("a": 1) }']);
  });

  it('parses partial set rules with and without bodies', () => {
    expect(rules('s contains x if { some x in input.xs }')).toEqual(['s contains x if { some x in ref(input, "xs") }']);
    expect(rules('s contains "a"')).toEqual(['s contains "a"']);
    const r = rule('s contains x if x := 1');
    expect(r.head.contains).toBe(true);
    expect(r.head.value).toBeUndefined();
    expect(r.head.valueImplied).toBe(false);
    expect(showTerm(r.head.key!)).toBe('x');
  });

  it('parses ref heads', () => {
    expect(rules('a.b.c := 1')).toEqual(['a["b"]["c"] := 1']);
    expect(rules('a.b[k] := v if { some k, v in input.m }')).toEqual(['a["b"][k] := v if { some k, v in ref(input, "m") }']);
    expect(rules('a.b[k] contains v if { some k, v in input.m }')).toEqual([
      'a["b"][k] contains v if { some k, v in ref(input, "m") }',
    ]);
    expect(rules('p[x] if { x := "a" }')).toEqual(['p[x] =implied if { x := "a" }']);
    expect(rules('p["x"].y if true')).toEqual(['p["x"]["y"] =implied if { true }']);
    expect(rules('p[x] := 1 if x := 2')).toEqual(['p[x] := 1 if { x := 2 }']);
  });

  it('parses functions', () => {
    expect(rules('f(x) := x + 1')).toEqual(['f(x) := plus(x, 1)']);
    expect(rules('f(x, y) := z if { z := x * y }')).toEqual(['f(x, y) := z if { z := mul(x, y) }']);
    expect(rules('f(x) if x > 0')).toEqual(['f(x) =implied if { gt(x, 0) }']);
    expect(rules('a.b.f([x, _], {"k": v}) := v')).toEqual(['a["b"]["f"]([x, _], obj("k": v)) := v']);
    expect(rules('f(x)')).toEqual(['f(x) =implied']);
    expect(rules('f (x) := 1 if true')).toEqual(['f(x) := 1 if { true }']);
    // Without a body the statement is a query, where `f (x)` is not a call (as in OPA).
    expect(errors('package t\nf (x) := 1')).toEqual(['2:1 var cannot be used for rule name']);
  });

  it('parses default rules and default functions', () => {
    expect(rules('default p := false\ndefault q = {"a": [1, null]}\ndefault f(_, y) := 0')).toEqual([
      'default p := false',
      'default q = obj("a": [1, null])',
      'default f(_, y) := 0',
    ]);
    expect(rule('default p := 1').isDefault).toBe(true);
    expect(rules('default p := [x | x := 1]')).toEqual(['default p := [x | x := 1]']);
  });

  it('rejects non-constant default values and bad default arguments', () => {
    expect(errors('package t\ndefault p := input.x')).toEqual(['2:1 illegal default rule (value cannot contain ref)']);
    expect(errors('package t\ndefault p := [x]')).toEqual(['2:1 illegal default rule (value cannot contain var)']);
    expect(errors('package t\ndefault p := count([])')).toEqual(['2:1 illegal default rule (value cannot contain call)']);
    expect(errors('package t\ndefault f(x, x) := 1')).toEqual(['2:1 illegal default rule (arguments cannot be repeated x)']);
    expect(errors('package t\ndefault f(1) := 1')).toEqual(['2:1 illegal default rule (arguments cannot contain number)']);
    expect(errors('package t\ndefault p contains 1')).toEqual(['2:1 illegal default rule (must have a value)']);
  });

  it('parses else chains with and without values, if and bodies', () => {
    expect(rules('p := 1 if { input.a } else := 2 if { input.b } else = 3 if { input.c } else := 4')).toEqual([
      'p := 1 if { ref(input, "a") } else = 2 { ref(input, "b") } else = 3 { ref(input, "c") } else = 4',
    ]);
    expect(rules('p := "x" if input.x else := "y"')).toEqual(['p := "x" if { ref(input, "x") } else = "y"']);
    expect(rules('f(x) := 1 if x > 0 else if x == 0 else := 3')).toEqual([
      'f(x) := 1 if { gt(x, 0) } else { equal(x, 0) } else = 3',
    ]);
    const r = rule('p := 1 if {\n  false\n} else := 2');
    expect(r.elses[0]!.location).toMatchObject({ line: 4, column: 3 });
    expect(r.elses[0]!.body).toEqual([]);
  });

  it('requires `if` before an else body, as OPA checks every rule of the chain', () => {
    expect(errors('package t\np := 1 if { input.a } else = 2 { input.b }')).toEqual(['2:23 `if` keyword is required before rule body']);
    expect(errors('package t\nf(x) := 1 if { x } else { true }')).toEqual(['2:20 `if` keyword is required before function body']);
  });

  it('rejects else on multi-value rules and on heads with variables', () => {
    expect(errors('package t\np contains 1 if { true } else := 2')).toEqual([
      '2:26 else keyword cannot be used on multi-value rules',
    ]);
    expect(errors('package t\np[x] := 1 if { x := 1 } else := 2')).toEqual([
      '2:25 else keyword cannot be used on rules with variables in head',
    ]);
  });

  it('splits chained bodies into separate definitions, as OPA does', () => {
    expect(rules('p := 1 if { input.a } { input.b }')).toEqual(['p := 1 if { ref(input, "a") }', 'p := 1 if { ref(input, "b") }']);
    expect(errors('package t\np := 1 if { true } else := 2 if { false } { true }')).toEqual(['2:43 expected else keyword']);
  });

  it('converts plain statements into rules like OPA', () => {
    expect(rules('p = 1\nq.r := 2\ns[x] = y\nf(1) = 2')).toEqual(['p = 1', 'q["r"] := 2', 's[x] = y', 'f(1) = 2']);
    expect(errors('package t\n"a" := 1')).toEqual(['2:1 string cannot be used for rule name']);
    expect(errors('package t\nx == 1')).toEqual(['2:3 unexpected == token']);
    expect(errors('package t\n1 == x')).toEqual(['2:1 rule name conflicts with built-in function']);
    expect(errors('package t\np := 1; q := 2')).toEqual(['2:1 multiple expressions cannot be used for rule head']);
    expect(errors('package t\nnot p')).toEqual(['2:1 negated expressions cannot be used for rule head']);
    expect(errors('package t\nsome x')).toEqual(["2:1 'some' declarations cannot be used for rule head"]);
    expect(errors('package t\nx')).toEqual(['2:1 var cannot be used for rule name']);
    expect(errors('package t\nf()')).toEqual(['2:1 rule argument list must take at least one argument']);
  });
});

describe('parser: Rego v1 requirements', () => {
  it('requires `if` before a rule body', () => {
    expect(errors('package t\np { true }')).toEqual(['2:1 `if` keyword is required before rule body']);
    expect(errors('package t\nf(x) = 1 { true }')).toEqual(['2:1 `if` keyword is required before function body']);
    expect(errors('package t\np := 1 { true }')).toEqual(['2:1 `if` keyword is required before rule body']);
  });

  it('requires `contains` for multi-value rules (Rego v0 partial sets)', () => {
    expect(errors('package t\np[x] { x := 1 }')).toEqual([
      '2:1 `if` keyword is required before rule body',
      '2:1 `contains` keyword is required for partial set rules',
    ]);
    expect(errors('package t\np[x]')).toEqual(['2:1 `contains` keyword is required for partial set rules']);
  });

  it('requires a value or a body, and no keyword as rule name', () => {
    expect(errors('package t\na.b.c')).toEqual(['2:1 rule must have value assignment and/or body declaration']);
    expect(errors('package t\ncontains := 1')).toEqual(['2:1 contains keyword cannot be used for rule name']);
  });

  it('reports v1 errors of every rule, not only the first', () => {
    expect(errors('package t\np { true }\nq := 1\nr { true }')).toEqual([
      '2:1 `if` keyword is required before rule body',
      '4:1 `if` keyword is required before rule body',
    ]);
  });
});

describe('parser: body literals', () => {
  it('parses some declarations', () => {
    expect(query('some x')).toBe('some x');
    expect(query('some x, y')).toBe('some x, y');
    expect(query('some x in xs')).toBe('some x in xs');
    expect(query('some k, v in input.m')).toBe('some k, v in ref(input, "m")');
    expect(query('some [a, b] in xs')).toBe('some [a, b] in xs');
    expect(query('some x in xs with input as 1')).toBe('some x in xs with input as 1');
  });

  it('parses every', () => {
    expect(query('every x in xs { x > 0 }')).toBe('every x in xs { gt(x, 0) }');
    expect(query('every k, v in {"a": 1} {\n  k != v\n  v\n}')).toBe('every k, v in obj("a": 1) { neq(k, v); v }');
    expect(queryErrors('every 1 in xs { true }')).toEqual(['1:15 unexpected { token: expected value to be a variable']);
    expect(queryErrors('every x in xs')).toEqual(['1:14 unexpected eof token: missing body']);
    expect(queryErrors('not every x in xs { true }')).toEqual(["1:5 unexpected every keyword: illegal negation of 'every'"]);
    expect(queryErrors('every x in xs {}')).toEqual(['1:16 found empty body']);
  });

  it('parses assignment, unification, negation and with modifiers', () => {
    expect(query('x := 1; y = x')).toBe('x := 1; y = x');
    expect(query('[a, {"k": b}] = input.v')).toBe('[a, obj("k": b)] = ref(input, "v")');
    expect(query('not input.x')).toBe('not ref(input, "x")');
    expect(query('data.t.p with input as {"a": 1} with data.lib.f as g with count as c')).toBe(
      'ref(data, "t", "p") with input as obj("a": 1) with ref(data, "lib", "f") as g with count as c',
    );
    expect(query('not p with input.x as 1')).toBe('not p with ref(input, "x") as 1');
  });

  it('separates literals by newlines or semicolons and continues expressions over newlines', () => {
    expect(query('a\nb;c')).toBe('a; b; c');
    expect(query('x := 1 +\n  2')).toBe('x := plus(1, 2)');
    expect(query('x := 1\n+ 2')).toBe('x := plus(1, 2)');
    expect(query('x := [\n1,\n2,\n]')).toBe('x := [1, 2]');
    expect(rules('p if {\n  a\n  b\n}')).toEqual(['p =implied if { a; b }']);
    expect(errors('package t\np if { a b }')).toEqual(['2:10 unexpected ident token: expected \\n or ; or }']);
    expect(errors('package t\np if { a; }')).toEqual(['2:11 unexpected } token']);
  });

  it('gives literal locations spanning the whole literal', () => {
    const r = parseQuery('x := 1\n  not y with input as 2');
    expect(r.query!.map((l) => l.location)).toEqual([
      { line: 1, column: 1, offset: 0, endOffset: 6 },
      { line: 2, column: 3, offset: 9, endOffset: 30 },
    ]);
    expect(r.query![1]!.with[0]!.location).toEqual({ line: 2, column: 9, offset: 15, endOffset: 30 });
  });

  it('gives each node the text from where it starts, across nested terms (the parser keeps start positions, not tokens)', () => {
    // The parser reads its tokens through one cursor; a node's start is a position read back from
    // the token table when the node is made. These constructs hold a start across nested terms.
    const src = 'package t\np if { x := $"a{input.b[c] + -1}z"; y := [k | some k, v in {"q": `r`}]; not f(x, y) == 2 * 3 }{ true }';
    const m = mod(src);
    const text = (l: { offset: number; endOffset: number }) => src.slice(l.offset, l.endOffset);
    expect(m.rules.map((r) => text(r.location))).toEqual([
      'p if { x := $"a{input.b[c] + -1}z"; y := [k | some k, v in {"q": `r`}]; not f(x, y) == 2 * 3 }',
      '{ true }',
    ]);
    const [a, b, c] = m.rules[0]!.body;
    expect(text(a!.location)).toBe('x := $"a{input.b[c] + -1}z"');
    const tpl = (a!.expr as { right: Term }).right;
    expect(text(tpl.location)).toBe('$"a{input.b[c] + -1}z"');
    const sum = (tpl as { parts: Array<string | Term> }).parts[1] as Term;
    expect(text(sum.location)).toBe('input.b[c] + -1');
    const [ref, neg] = (sum as { args: Term[] }).args;
    expect([text(ref!.location), text(neg!.location)]).toEqual(['input.b[c]', '-1']);
    expect(text((ref as { path: Term[] }).path[1]!.location)).toBe('c');
    const compr = (b!.expr as { right: Term }).right as { body: Array<{ location: { offset: number; endOffset: number } }> };
    expect(text(compr.body[0]!.location)).toBe('some k, v in {"q": `r`}');
    expect(text(c!.location)).toBe('not f(x, y) == 2 * 3');
    const eq = (c!.expr as { term: Term }).term as { args: Term[] };
    expect(eq.args.map((t) => text(t.location))).toEqual(['f(x, y)', '2 * 3']);
  });

  it('makes a node location when it is read: a new object each time, so a reader changing one changes no node', () => {
    const src = 'package t\np if { x := input.a + 1 } { `r` == $"{1 with input as 2}" }';
    const m = parseModule(src, 'f.rego').module!;
    const lit = m.rules[0]!.body[0]!;
    const first = lit.location;
    expect(first).toEqual({ line: 2, column: 8, offset: 17, endOffset: 33, file: 'f.rego' });
    expect(lit.location).not.toBe(first);
    first.line = 99;
    first.file = 'other.rego';
    expect(lit.location).toEqual({ line: 2, column: 8, offset: 17, endOffset: 33, file: 'f.rego' });
    // The compact position is no field of the tree: keys and JSON are what they were, location included.
    const sum = (lit.expr as { right: Term }).right;
    expect(Object.keys(sum)).toEqual(['type', 'name', 'args']);
    expect(JSON.parse(JSON.stringify(sum))).toMatchObject({ type: 'call', name: ['plus'], location: { offset: 22, endOffset: 33 } });
    const [raw, tpl] = ((m.rules[1]!.body[0]!.expr as { term: Term }).term as { args: Term[] }).args;
    expect(Object.keys(JSON.parse(JSON.stringify(raw)))).toEqual(['type', 'value', 'location', 'raw']);
    expect(Object.keys(JSON.parse(JSON.stringify(tpl)))).toEqual(['type', 'parts', 'location', 'with']);
    // Chained bodies: each rule has its own copy of the head, with the same locations.
    const [h0, h1] = [m.rules[0]!.head, m.rules[1]!.head];
    expect(h1).not.toBe(h0);
    expect(h1.ref[0]).not.toBe(h0.ref[0]);
    expect(JSON.stringify(h1)).toBe(JSON.stringify(h0));
    expect(h1.ref[0]!.location).toEqual({ line: 2, column: 1, offset: 10, endOffset: 11, file: 'f.rego' });
  });

  it('accepts a trailing semicolon at the end of a query only', () => {
    expect(query('x = 1;')).toBe('x = 1');
  });

  it('parses a query of 200,000 literals separated by `;` (no stack-bound copy of the list)', () => {
    const n = 200_000;
    const r = parseQuery(Array.from({ length: n }, (_, i) => `x${i} := ${i}`).join('; ') + '\ny := 1');
    expect(r.errors).toEqual([]);
    expect(r.query).toHaveLength(n + 1);
    expect(r.query![n - 1]!.location.line).toBe(1);
    expect(r.query![n]!.location).toMatchObject({ line: 2, column: 1 });
  }, 60_000);
});

describe('parser: operators and precedence', () => {
  it('uses OPA builtin names for operators', () => {
    expect(term('a + b - c * d / e % f')).toBe('minus(plus(a, b), rem(div(mul(c, d), e), f))');
    expect(term('a == b')).toBe('equal(a, b)');
    expect(term('a != b')).toBe('neq(a, b)');
    expect(term('a < b')).toBe('lt(a, b)');
    expect(term('a <= b')).toBe('lte(a, b)');
    expect(term('a > b')).toBe('gt(a, b)');
    expect(term('a >= b')).toBe('gte(a, b)');
    expect(term('a | b')).toBe('or(a, b)');
    expect(term('a & b')).toBe('and(a, b)');
  });

  it('binds, loosest first: in, comparison, |, &, + -, * / %', () => {
    expect(term('a | b & c + d * e')).toBe('or(a, and(b, plus(c, mul(d, e))))');
    expect(term('a == b | c')).toBe('equal(a, or(b, c))');
    expect(term('x in xs == true')).toBe('in(x, equal(xs, true))');
    expect(term('x + 1 in xs')).toBe('in(plus(x, 1), xs)');
    expect(term('(a + b) * c')).toBe('mul(plus(a, b), c)');
    expect(term('a - b - c')).toBe('minus(minus(a, b), c)');
    expect(term('a == b == c')).toBe('equal(equal(a, b), c)');
    expect(term('x in y in z')).toBe('in(in(x, y), z)');
  });

  it('parses membership with and without key', () => {
    expect(query('x in xs')).toBe('in(x, xs)');
    expect(query('k, v in xs')).toBe('in(k, v, xs)');
    expect(query('not "a" in input.tags')).toBe('not in("a", ref(input, "tags"))');
    expect(term('[x in xs, y]')).toBe('[in(x, xs), y]');
    expect(term('f(k, v in xs)')).toBe('f(k, in(v, xs))');
  });

  it('folds negative numbers and, like OPA, rejects a minus sign before anything else', () => {
    expect(term('-1')).toBe('-1');
    expect(term('- 2.5e3')).toBe('-2.5e3');
    expect(term('-.5')).toBe('-.5');
    expect(term('.5')).toBe('.5');
    expect(term('3 - -4')).toBe('minus(3, -4)');
    expect(term('x -1')).toBe('minus(x, 1)');
    expect(errors('package t\np := -x')).toEqual(['2:7 unexpected ident token: expected number']);
    expect(errors('package t\np := -(1 + 2)')).toEqual(['2:7 unexpected ( token: expected number']);
    expect(errors('package t\np := 3 * -input.n')).toEqual(['2:11 unexpected ident token: expected number']);
  });

  it('locates a binary call from its left operand to its right operand', () => {
    const r = parseTerm('ab + cd');
    expect(r.term!.location).toEqual({ line: 1, column: 1, offset: 0, endOffset: 7 });
  });
});

describe('parser: terms', () => {
  it('parses scalars', () => {
    const t = (src: string): Term => parseTerm(src).term!;
    expect(t('null')).toMatchObject({ type: 'null' });
    expect(t('true')).toMatchObject({ type: 'boolean', value: true });
    expect(t('false')).toMatchObject({ type: 'boolean', value: false });
    expect(t('18446744073709551616')).toMatchObject({ type: 'number', raw: '18446744073709551616' });
    expect(t('"a\\nb"')).toMatchObject({ type: 'string', value: 'a\nb' });
    expect(t('`a\\nb`')).toMatchObject({ type: 'string', value: 'a\\nb', raw: true });
    expect(t('_')).toMatchObject({ type: 'var', name: '_' });
  });

  it('rejects numbers with leading zeros and absurd exponents', () => {
    expect(parseTerm('01').errors.map((e) => e.message)).toEqual(['unexpected number token: expected number without leading zero']);
    expect(term('0.5')).toBe('0.5');
    expect(term('0e5')).toBe('0e5');
    expect(parseTerm('1e999999').errors.map((e) => e.message)).toEqual(['number too big']);
    expect(term('1e308')).toBe('1e308');
  });

  it('finds numbers too big by their decimal exponent, with or without an exponent part', () => {
    const errors = (text: string) => parseTerm(text).errors.map((e) => e.message);
    expect(errors('9'.repeat(30000))).toEqual([]);
    expect(errors('1' + '0'.repeat(30000))).toEqual(['number too big']);
    expect(errors('-' + '1'.repeat(30001))).toEqual(['number too big']);
    expect(errors('1' + '0'.repeat(29999) + '.5')).toEqual([]);
    expect(errors('0.' + '0'.repeat(30000) + '1')).toEqual([]);
    expect(errors('1e30000')).toEqual(['number too big']);
    expect(errors('1E30001')).toEqual(['number too big']);
    expect(errors('1.5e-30001')).toEqual([]);
    expect(errors('12345.678')).toEqual([]);
  });

  it('parses refs with dots, brackets and keywords after dots', () => {
    expect(term('input.a[0].b["c"][x]')).toBe('ref(input, "a", 0, "b", "c", x)');
    expect(term('input.in.if.contains')).toBe('ref(input, "in", "if", "contains")');
    expect(term('[1, 2][0]')).toBe('ref([1, 2], 0)');
    expect(term('{"a": 1}.a')).toBe('ref(obj("a": 1), "a")');
    expect(term('f(x)[0].y')).toBe('ref(f(x), 0, "y")');
    expect(term('input.x[_]')).toBe('ref(input, "x", _)');
  });

  it('does not continue a ref over whitespace', () => {
    expect(errors('package t\np if { a [0] }')).toEqual(['2:10 unexpected [ token: expected \\n or ; or }']);
    expect(parseTerm('[a [0]]').errors.map((e) => e.message)).toEqual(['unexpected [ token: expected "," or "]"']);
    // A top-level query, like OPA's, reads `a [0]` as two literals.
    expect(query('a [0]')).toBe('a; [0]');
  });

  it('parses calls', () => {
    expect(term('count(x)')).toBe('count(x)');
    expect(term('strings.replace_n({"a": "b"}, s)')).toBe('strings.replace_n(obj("a": "b"), s)');
    expect(term('data.lib.f(1, 2,)')).toBe('data.lib.f(1, 2)');
    expect(term('contains("abc", "b")')).toBe('contains("abc", "b")');
    expect(term('time.now_ns()')).toBe('time.now_ns()');
    const call = parseTerm('a.b(1)').term!;
    expect(call).toMatchObject({ type: 'call', name: ['a', 'b'], location: { offset: 0, endOffset: 6 } });
  });

  it('parses arrays, sets, objects and the empty collections', () => {
    expect(term('[]')).toBe('[]');
    expect(term('[1, "a", [2]]')).toBe('[1, "a", [2]]');
    expect(term('{}')).toBe('obj()');
    expect(term('set()')).toBe('set()');
    expect(term('{1}')).toBe('set(1)');
    expect(term('{1, 2,}')).toBe('set(1, 2)');
    expect(term('{"a": 1, b: [2], 3: c, [4]: {5}}')).toBe('obj("a": 1, b: [2], 3: c, [4]: set(5))');
    expect(term('{x + 1: y}')).toBe('obj(plus(x, 1): y)');
    expect(term('{"a"\n: 1}')).toBe('obj("a": 1)');
  });

  it('parses comprehensions, preferring them over `|` unions', () => {
    expect(term('[x | x := input[_]]')).toBe('[x | x := ref(input, _)]');
    expect(term('{x | some x in xs; x > 1}')).toBe('{x | some x in xs; gt(x, 1)}');
    expect(term('{k: v | some k, v in m\n v > 1}')).toBe('{k: v | some k, v in m; gt(v, 1)}');
    expect(term('{a | b}')).toBe('{a | b}');
    expect(term('{a | b, c}')).toBe('set(or(a, b), c)');
    expect(term('[a | b, c]')).toBe('[or(a, b), c]');
    expect(term('{x + 1: y | y := x}')).toBe('{plus(x, 1): y | y := x}');
  });

  it('parses template strings', () => {
    expect(term('$"a {x} b {input.y + 1}"')).toBe('tpl("a ", {x}, " b ", {plus(ref(input, "y"), 1)})');
    expect(term('$""')).toBe('tpl()');
    expect(term('$"\\{x}"')).toBe('tpl("{x}")');
    expect(term('$"{$"{a}"}!"')).toBe('tpl({tpl({a})}, "!")');
    expect(term('$"{{"a": 1}}"')).toBe('tpl({obj("a": 1)})');
    expect(term('$`multi\nline {x}`')).toBe('tpl("multi\\nline ", {x})');
    const t = parseTerm('$"{a with input as 1} {b}"').term!;
    expect(t.type === 'template' && t.with?.map((w) => w?.length)).toEqual([1, undefined, undefined]);
    expect(parseTerm('$"{x := 1}"').errors.map((e) => e.message)).toEqual([
      "unexpected assignment (':=') in template-string expression",
    ]);
    expect(parseTerm('$"{not x}"').errors.map((e) => e.message)).toEqual([
      "unexpected negation ('not') in template-string expression",
    ]);
  });
});

describe('parser: errors', () => {
  it('reports positioned errors with the rego_parse_error code', () => {
    const r = parseModule('package t\n\np := [1, 2', 'bad.rego');
    expect(r.module).toBeUndefined();
    expect(r.errors).toEqual([
      {
        code: 'rego_parse_error',
        message: 'unexpected eof token: expected "," or "]"',
        location: { line: 3, column: 11, offset: 21, endOffset: 21, file: 'bad.rego' },
      },
    ]);
  });

  it('reports the lexer message at an illegal token', () => {
    expect(errors('package t\np := "abc')).toEqual(['2:6 non-terminated string']);
    expect(errors('package t\np := 1 ! 2')).toEqual(['2:8 illegal ! character']);
    expect(errors('package t\np := "\\x"')).toEqual(['2:6 illegal escape sequence']);
  });

  it('reports unclosed and unexpected brackets', () => {
    expect(errors('package t\np if { true')).toEqual(['2:12 unexpected eof token: expected \\n or ; or }']);
    expect(errors('package t\np := (1 + 2')).toEqual(['2:12 non-terminated expression']);
    expect(errors('package t\np := )')).toEqual(['2:6 unexpected ) token']);
  });

  it('rejects bad some declarations', () => {
    expect(queryErrors('some 1')).toEqual(['1:6 unexpected number token: expected var']);
    expect(queryErrors('some f(x)')).toEqual(['1:10 unexpected eof token: expected `x in xs` or `x, y in xs` expression']);
    expect(queryErrors('not some x in y')).toEqual(["1:5 unexpected some keyword: illegal negation of 'some'"]);
  });

  it('rejects an empty query and module-level statements in a query', () => {
    expect(queryErrors('')).toEqual(['1:1 empty query']);
    expect(queryErrors('package x')).toEqual(['1:1 unexpected package keyword: expected query']);
  });

  it('turns deep nesting into an error instead of a stack overflow', () => {
    for (const open of ['[', '(', '{', '{"a": ', 'f(', '$"{', 'x[', '[x | ']) {
      const r = parseModule(`package t\np := ${open.repeat(20000)}`);
      expect(r.errors.map((e) => e.message)).toEqual(['max parsing recursion depth exceeded']);
    }
    expect(parseTerm('['.repeat(200) + ']'.repeat(200)).errors).toEqual([]);
    expect(parseTerm('[[[1]]]', { maxDepth: 2 }).errors.map((e) => e.message)).toEqual(['max parsing recursion depth exceeded']);
  });
});
