/**
 * Runaway and hostile policies end with REGO_LIMIT naming the limit they hit, and the engine keeps
 * working; the heap grows by less than twice the memory budget. (How close to the configured time
 * they stop is measured, not asserted, since tests make no timing assertions: bench/rego-limits.ts.)
 */
import { describe, expect, it } from 'vitest';
import { BUILTINS } from '../../src/rego/builtins/index.js';
import { compile, DEFAULT_LIMITS, type EvalOptions } from '../../src/rego/index.js';

const SRC = `package t
cross := count([1 | some a in input.xs; some b in input.xs; some c in input.xs; some d in input.xs])
small := count(input.xs)`;

function evalRule(source: string, ref: string, options: EvalOptions = {}) {
  const c = compile([{ file: 'hostile.rego', source }]);
  expect(c.diagnostics).toEqual([]);
  return c.policy!.eval(ref, options);
}

/** `name0 := seed`, then `name<i+1> := step(name<i>)` n times. */
function chain(name: string, seed: string, step: (prev: string) => string, n: number): string {
  const lines = [`${name}0 := ${seed}`];
  for (let i = 0; i < n; i++) lines.push(`${name}${i + 1} := ${step(`${name}${i}`)}`);
  return lines.join('\n');
}

describe('limits', () => {
  const { policy, diagnostics } = compile([{ file: 'limits.rego', source: SRC }]);
  const input = { xs: Array.from({ length: 200 }, (_, i) => i) };

  it('compiles', () => expect(diagnostics).toEqual([]));

  it('has documented defaults', () => {
    expect(DEFAULT_LIMITS).toEqual({
      maxSteps: 10_000_000,
      maxMillis: 2_000,
      maxOutputNodes: 1_000_000,
      maxMemoryBytes: 256 * 1024 * 1024,
      builtinBytesPerStep: 256,
    });
  });

  it('stops an exponential body on the step budget', () => {
    const r = policy!.eval('data.t.cross', { input, limits: { maxSteps: 100_000 } });
    expect(r.error).toMatchObject({ code: 'REGO_LIMIT', message: 'evaluation exceeded the step limit (100000 steps)' });
  });

  it('stops on the wall-clock budget', () => {
    const r = policy!.eval('data.t.cross', { input, limits: { maxSteps: 1e12, maxMillis: 50 } });
    expect(r.error).toMatchObject({ code: 'REGO_LIMIT', message: 'evaluation exceeded the time limit (50 ms)' });
  });

  const hasRange = BUILTINS.has('numbers.range');
  if (!hasRange) console.warn('numbers.range is not registered: its limit test is skipped');
  it.skipIf(!hasRange)('counts builtin work (numbers.range) toward the budget', () => {
    const huge = compile([{ file: 'huge.rego', source: 'package h\nhuge := count([x | some x in numbers.range(1, 1000000000)])' }]);
    const r = huge.policy!.eval('data.h.huge', { limits: { maxSteps: 1_000_000 } });
    expect(r.error).toMatchObject({ code: 'REGO_LIMIT' });
  });

  it('caps the output size', () => {
    const r = policy!.eval('x := [i | some i in input.xs]', { input, limits: { maxOutputNodes: 50 } });
    expect(r.error).toMatchObject({ code: 'REGO_LIMIT' });
    expect(r.error!.message).toMatch(/size/);
  });

  it('counts the output over every row: many small rows past the limit stop, the same rows under it pass', () => {
    // Each row: 1 + expression `true` (1) + binding i (1) = 3 values; 200 rows = 600.
    const over = policy!.eval('some i in input.xs', { input, limits: { maxOutputNodes: 599 } });
    expect(over.error).toMatchObject({ code: 'REGO_LIMIT' });
    expect(over.error!.message).toMatch(/size/);
    const under = policy!.eval('some i in input.xs', { input, limits: { maxOutputNodes: 600 } });
    expect(under.results).toHaveLength(200);
    expect(under.results![199]!.bindings).toEqual({ i: 199 });
  });

  it('evalFirst counts every row as eval does, and gives the first row\'s first value', () => {
    const over = policy!.evalFirst('some i in input.xs', { input, limits: { maxOutputNodes: 599 } });
    expect(over.error).toMatchObject({ code: 'REGO_LIMIT' });
    expect(over.error!.message).toMatch(/size/);
    const under = policy!.evalFirst('some i in input.xs', { input, limits: { maxOutputNodes: 600 } });
    expect(under).toEqual({ value: true });
    expect(policy!.evalFirst('x := [i | some i in input.xs]', { input, limits: { maxOutputNodes: 50 } }).error).toMatchObject({ code: 'REGO_LIMIT' });
    expect(policy!.evalFirst('data.t.small', { input })).toEqual({ value: 200 });
    expect(policy!.evalFirst('data.t.missing', { input })).toEqual({ value: undefined });
    expect(policy!.evalFirst('input.xs[_] > 1000', { input })).toEqual({ value: undefined });
    expect(policy!.evalFirst('data.t.small', { input, recordInputReads: true })).toEqual({ value: 200, inputReads: [['xs']] });
    expect(policy!.evalFirst('data.t[', { input }).error).toMatchObject({ code: 'rego_parse_error' });
  });

  it('evaluates normally afterwards', () => {
    const r = policy!.eval('data.t.small', { input });
    expect(r.results?.[0]?.expressions[0]?.value).toBe(200);
  });
});

describe('hostile policies', () => {
  const MEMORY = /^evaluation exceeded the memory limit/;

  it('stops array doubling on the memory budget before the heap fills up', () => {
    const src = `package h\n${chain('a', '[1]', (p) => `array.concat(${p}, ${p})`, 35)}\nr := count(a35)`;
    const r = evalRule(src, 'data.h.r', { limits: { maxMemoryBytes: 32 * 1024 * 1024 } });
    expect(r.error).toMatchObject({ code: 'REGO_LIMIT', message: 'evaluation exceeded the memory limit (33554432 bytes of values created)' });
  });

  it('stops within twice the memory budget: the heap grows by less than 2x the limit', () => {
    // heapUsed right after the evaluation still holds everything it built (nothing forces a
    // collection), so the growth is an upper bound on what the stopped evaluation allocated.
    const budget = 64 * 1024 * 1024;
    const src = `package h\n${chain('a', '[1]', (p) => `array.concat(${p}, ${p})`, 35)}\nr := count(a35)`;
    const c = compile([{ file: 'hostile.rego', source: src }]);
    const before = process.memoryUsage().heapUsed;
    const r = c.policy!.eval('data.h.r', { limits: { maxMemoryBytes: budget } });
    const grown = process.memoryUsage().heapUsed - before;
    expect(r.error).toMatchObject({ code: 'REGO_LIMIT', message: `evaluation exceeded the memory limit (${budget} bytes of values created)` });
    expect(grown).toBeLessThan(2 * budget);
  });

  it('stops string doubling on the memory budget, saying so', () => {
    const src = `package h\n${chain('s', '"abcdefghij"', (p) => `concat("", [${p}, ${p}])`, 40)}\nr := count(s40)`;
    const r = evalRule(src, 'data.h.r', { limits: { maxMemoryBytes: 16 * 1024 * 1024 } });
    expect(r.error).toMatchObject({ code: 'REGO_LIMIT' });
    expect(r.error!.message).toMatch(MEMORY);
  });

  it('stops serialising a value built from shared parts (json.marshal, set keys, equality)', () => {
    const dag = chain('x', '["abcdefgh"]', (p) => `[${p}, ${p}]`, 40);
    const dag2 = chain('y', '["abcdefgh"]', (p) => `[${p}, ${p}]`, 40);
    const limits = { maxSteps: 200_000 };
    expect(evalRule(`package h\n${dag}\nr := count(json.marshal(x40))`, 'data.h.r', { limits }).error).toMatchObject({ code: 'REGO_LIMIT' });
    expect(evalRule(`package h\n${dag}\nr := count({x40, 1})`, 'data.h.r', { limits }).error).toMatchObject({ code: 'REGO_LIMIT' });
    expect(evalRule(`package h\n${dag}\n${dag2}\nr := x40 == y40`, 'data.h.r', { limits }).error).toMatchObject({
      code: 'REGO_LIMIT',
      message: 'evaluation exceeded the step limit (200000 steps)',
    });
    expect(evalRule(`package h\n${dag}\nr := sprintf("%v", [x40])`, 'data.h.r', { limits }).error).toMatchObject({ code: 'REGO_LIMIT' });
    expect(evalRule(`package h\n${dag}\nr := count([p | walk(x40, [p, _])])`, 'data.h.r', { limits }).error).toMatchObject({ code: 'REGO_LIMIT' });
  });

  it('charges builtins for the size of what they read and produce', () => {
    // 200 calls formatting a 1 MB input: 2 MB each against a 64 MB budget.
    const src = 'package h\nr := count([s | some i in numbers.range(1, 200); s := sprintf("%v-%d", [input, i])])';
    const r = evalRule(src, 'data.h.r', { input: { blob: 'x'.repeat(1_000_000) }, limits: { maxMemoryBytes: 64 * 1024 * 1024, maxMillis: 120_000 } });
    expect(r.error).toMatchObject({ code: 'REGO_LIMIT' });
    expect(r.error!.message).toMatch(MEMORY);
    const wide = evalRule('package h\nr := count(sprintf("%2000000000d", [1]))', 'data.h.r');
    expect(wide.error!.message).toMatch(MEMORY);
  });

  it('matches globs and regexes on long policy-built strings in linear time', () => {
    const src = `package h\n${chain('s', '"ab"', (p) => `concat("", [${p}, ${p}])`, 18)}\nr := [glob.match("*a*a*a*a*a*a*a*c", [], s18), regex.match("(a|ab)*c$", s18)]`;
    const r = evalRule(src, 'data.h.r');
    expect(r.results?.[0]?.expressions[0]?.value).toEqual([false, false]);
  });

  it('charges a regex or glob compilation more than a match (cached patterns are not charged again)', () => {
    // 300 distinct patterns: each compilation costs 64 + 4 × its length in steps.
    const distinct = 'package h\nr := count([x | some i in numbers.range(1, 300); x := regex.match(sprintf("^a%d+$", [i]), "a1")])';
    expect(evalRule(distinct, 'data.h.r', { limits: { maxSteps: 20_000 } }).error).toMatchObject({ code: 'REGO_LIMIT' });
    const same = 'package h\nr := count([x | some i in numbers.range(1, 300); x := regex.match("^a1+$", "a1")])';
    expect(evalRule(same, 'data.h.r', { limits: { maxSteps: 20_000 } }).results?.[0]?.expressions[0]?.value).toBe(300);
    const globs = 'package h\nr := count([x | some i in numbers.range(1, 300); x := glob.match(sprintf("a%d*", [i]), [], "a1")])';
    expect(evalRule(globs, 'data.h.r', { limits: { maxSteps: 20_000 } }).error).toMatchObject({ code: 'REGO_LIMIT' });
  });

  it('counts every builtin call, so a budget also bounds cheap calls in a loop', () => {
    const src = 'package h\nr := count([x | some i in numbers.range(1, 100000); x := upper("a")])';
    expect(evalRule(src, 'data.h.r', { limits: { maxSteps: 50_000 } }).error).toMatchObject({ code: 'REGO_LIMIT' });
  });

  it('compiles and runs a 5,000-literal body and a 1,000-literal query without running out of stack', () => {
    // Compile time is linear in the body (bench/rego-limits.ts times 50,000 literals).
    const body = Array.from({ length: 5_000 }, (_, i) => `  x${i} := [y | some y in input.a; y > ${i % 7}]`).join('\n');
    const r = evalRule(`package p\nallow if {\n${body}\n  count(x4999) == 1\n}\n`, 'data.p.allow', { input: { a: [1, 9] } });
    expect(r.results?.[0]?.expressions[0]?.value).toBe(true);
    const c = compile([{ file: 'q.rego', source: 'package q\nz := 1' }]);
    const q = Array.from({ length: 1000 }, (_, i) => `some y${i} in [${i}]`).join('; ');
    expect(c.policy!.eval(q).results).toHaveLength(1);
  }, 60_000);

  it('keeps at most 1 MiB of query text compiled, and answers long queries alike cached or not', () => {
    const c = compile([{ file: 'q.rego', source: 'package q\n' }]);
    // About 400 KB each: two fit in the cache, a third evicts the oldest.
    const query = (k: number) => Array.from({ length: 20_000 }, (_, i) => `x${i} := ${i * k}`).join('; ');
    const held = () => [...(c.policy as unknown as { queries: Map<string, unknown> }).queries.keys()].reduce((n, t) => n + t.length, 0);
    for (const k of [1, 2, 3, 1]) {
      const rows = c.policy!.eval(query(k)).results;
      expect(rows?.[0]?.bindings['x19999']).toBe(19_999 * k);
      expect(held()).toBeLessThanOrEqual(1 << 20);
    }
    const huge = Array.from({ length: 80_000 }, (_, i) => `x${i} := ${i}`).join('; ');
    expect(huge.length).toBeGreaterThan(1 << 20);
    for (let round = 0; round < 2; round++) expect(c.policy!.eval(huge).results?.[0]?.bindings['x79999']).toBe(79_999);
    expect(held()).toBeLessThanOrEqual(1 << 20);
  }, 60_000);

  it('compiles 50,000-literal bodies and queries and 50,000-element literals, and answers correctly', () => {
    // The goal's sizes (the time is measured by bench/rego-limits.ts, not asserted here).
    const n = 50_000;
    const input = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`a${i}`, i]));
    const body = Array.from({ length: n }, (_, i) => `  x${i} := input.a${i % 10} + ${i}`).join('\n');
    const rule = evalRule(`package p\nlast := x if {\n${body}\n  x := x${n - 1}\n}\n`, 'data.p.last', { input });
    expect(rule.results?.[0]?.expressions[0]?.value).toBe(n - 1 + ((n - 1) % 10));
    const c = compile([{ file: 'q.rego', source: 'package q\n' }]);
    const query = Array.from({ length: n }, (_, i) => `x${i} := input.a${i % 10} * ${i}`).join('; ');
    const rows = c.policy!.eval(query, { input }).results;
    expect(rows).toHaveLength(1);
    expect(rows?.[0]?.bindings[`x${n - 1}`]).toBe((n - 1) * ((n - 1) % 10));
    const array = evalRule(`package p\nxs := [${Array.from({ length: n }, (_, i) => `input.a${i % 10}`).join(', ')}]\nr := [count(xs), xs[${n - 1}]]\n`, 'data.p.r', { input });
    expect(array.results?.[0]?.expressions[0]?.value).toEqual([n, (n - 1) % 10]);
    const object = evalRule(`package p\nxs := {${Array.from({ length: n }, (_, i) => `"k${i}": input.a${i % 10}`).join(', ')}}\nr := [count(xs), xs.k${n - 3}]\n`, 'data.p.r', { input });
    expect(object.results?.[0]?.expressions[0]?.value).toEqual([n, (n - 3) % 10]);
  }, 120_000);
});
