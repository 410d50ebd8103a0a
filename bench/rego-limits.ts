/**
 * How close to their configured limits hostile policies stop (issue 12 goal: within 2x of the
 * configured time and memory, naming the limit hit), and how compile time grows with body size
 * (goal: linear; a 50,000-literal body well under a second).
 * For each hostile policy: the limit reported, elapsed time / configured time, and the growth of
 * the V8 heap (heapUsed, sampled right after the evaluation, before any forced GC) / configured memory.
 * Run: node --expose-gc --import tsx bench/rego-limits.ts   (without --expose-gc heap figures include garbage)
 */
import { performance } from 'node:perf_hooks';
import { compile, type RegoLimits } from '../src/rego/index.js';

const GOAL = 2;

function chain(name: string, seed: string, step: (prev: string) => string, n: number): string {
  const lines = [`${name}0 := ${seed}`];
  for (let i = 0; i < n; i++) lines.push(`${name}${i + 1} := ${step(`${name}${i}`)}`);
  return lines.join('\n');
}

interface Case {
  name: string;
  source: string;
  input?: unknown;
  limits: RegoLimits;
}

const MB = 1024 * 1024;
const dag = chain('x', '["abcdefgh"]', (p) => `[${p}, ${p}]`, 40);
const CASES: Case[] = [
  {
    name: '35 array.concat doublings',
    source: `package h\n${chain('a', '[1]', (p) => `array.concat(${p}, ${p})`, 35)}\nr := count(a35)`,
    limits: { maxMemoryBytes: 128 * MB, maxMillis: 2000 },
  },
  {
    name: '40 string doublings',
    source: `package h\n${chain('s', '"abcdefghij"', (p) => `concat("", [${p}, ${p}])`, 40)}\nr := count(s40)`,
    limits: { maxMemoryBytes: 128 * MB, maxMillis: 2000 },
  },
  { name: 'json.marshal of shared parts', source: `package h\n${dag}\nr := count(json.marshal(x40))`, limits: { maxMillis: 2000 } },
  { name: 'set of a shared-parts value', source: `package h\n${dag}\nr := count({x40, 1})`, limits: { maxMillis: 2000 } },
  {
    name: 'sprintf %v of a 1 MB input x 1000',
    source: 'package h\nr := count([s | some i in numbers.range(1, 1000); s := sprintf("%v", [input])])',
    input: { blob: 'x'.repeat(1_000_000) },
    limits: { maxMillis: 2000 },
  },
  {
    name: 'glob.match on a 524,288-char string',
    source: `package h\n${chain('s', '"ab"', (p) => `concat("", [${p}, ${p}])`, 18)}\nr := glob.match("*a*a*a*a*a*a*a*c", [], s18)`,
    limits: { maxMillis: 2000 },
  },
  {
    name: 'exponential comprehension',
    source: 'package h\nr := count([1 | some a in numbers.range(1, 500); some b in numbers.range(1, 500); some c in numbers.range(1, 500)])',
    limits: { maxMillis: 500, maxSteps: 1e12 },
  },
];

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.log('(run with --expose-gc for heap figures without earlier garbage)');
console.log(`${'hostile policy'.padEnd(36)} ${'stopped by'.padEnd(12)} ${'time/limit'.padStart(10)} ${'heap/limit'.padStart(10)}   goal ≤ ${GOAL}x`);
for (const c of CASES) {
  const compiled = compile([{ file: `${c.name}.rego`, source: c.source }]);
  if (!compiled.policy) throw new Error(`${c.name}: ${JSON.stringify(compiled.diagnostics)}`);
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const r = compiled.policy.eval('data.h.r', { input: c.input as never, limits: c.limits });
  const ms = performance.now() - t0;
  const heap = process.memoryUsage().heapUsed - heap0;
  const which = r.error ? (/(step|time|memory|size|stack depth) limit/.exec(r.error.message)?.[1] ?? r.error.code) : `value ${JSON.stringify(r.results?.[0]?.expressions[0]?.value)}`;
  const timeRatio = ms / (c.limits.maxMillis ?? 2000);
  const heapRatio = heap / (c.limits.maxMemoryBytes ?? 256 * MB);
  const ok = timeRatio <= GOAL && heapRatio <= GOAL;
  console.log(
    `${c.name.padEnd(36)} ${which.padEnd(12)} ${timeRatio.toFixed(2).padStart(10)} ${heapRatio.toFixed(2).padStart(10)}   ${ok ? '(met)' : '(not met)'}`,
  );
}

console.log('\ncompile time of one rule body of n literals x<i> := input.a<k> + i (median of 3, after a warm-up compile)');
console.log('goal: linear (each doubling about 2x) and 50,000 literals well under a second');
const bodySource = (n: number) =>
  `package p\nallow if {\n${Array.from({ length: n }, (_, i) => `  x${i} := input.a${i % 10} + ${i}`).join('\n')}\n  x${n - 1} > 0\n}\n`;
compile([{ file: 'warm.rego', source: bodySource(5_000) }]);
let previous: number | undefined;
for (const n of [12_500, 25_000, 50_000]) {
  const source = bodySource(n);
  const cpuMs: number[] = [];
  const wallMs: number[] = [];
  for (let round = 0; round < 3; round++) {
    gc?.();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = compile([{ file: 'big.rego', source }]);
    wallMs.push(performance.now() - t0);
    const cpu = process.cpuUsage(c0);
    cpuMs.push((cpu.user + cpu.system) / 1000);
    if (!r.policy) throw new Error(JSON.stringify(r.diagnostics[0]));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
  const cpu = med(cpuMs);
  const growth = previous === undefined ? '' : `  (${(cpu / previous).toFixed(2)}x the half size)`;
  previous = cpu;
  console.log(`${String(n).padStart(6)} literals: ${cpu.toFixed(0).padStart(6)} ms CPU, ${med(wallMs).toFixed(0).padStart(6)} ms wall${growth}`);
}
