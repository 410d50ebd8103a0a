/**
 * Builtin call cost for the builtins Octopus policies use most (sprintf, regex.match, glob.match,
 * semver.compare, startswith, count), each against the closest native JavaScript operation in the
 * same run (template literal, RegExp.test on a prebuilt RegExp, String.startsWith, ...), plus the
 * cost of patterns that backtrack exponentially or polynomially in V8 (re2.ts sends them to re2js).
 * Run: npx tsx bench/rego-builtins.ts [iterations=200000]
 */
import { performance } from 'node:perf_hooks';
import { BUILTINS } from '../src/rego/builtins/index.js';
import type { BuiltinContext } from '../src/rego/builtins/registry.js';
import type { Value } from '../src/rego/value.js';

const N = Number(process.argv[2] ?? 200000);
const ctx: BuiltinContext = { strict: true, nowNs: 0n, cache: new Map(), seed: 1, tick() {}, alloc() {} };

function time(fn: (i: number) => unknown): number {
  for (let i = 0; i < Math.min(N, 10000); i++) fn(i); // warm-up
  const t0 = performance.now();
  let sink = 0;
  for (let i = 0; i < N; i++) if (fn(i)) sink++;
  const ns = ((performance.now() - t0) * 1e6) / N;
  if (sink < 0) console.log(sink);
  return ns;
}

function builtin(name: string): (args: Value[]) => Value | undefined {
  const b = BUILTINS.get(name)!;
  return (args) => b.fn(args, ctx);
}

const names = ['Deploy web', 'Run smoke tests', 'Manual approval', 'Notify'];
const sprintf = builtin('sprintf');
const regexMatch = builtin('regex.match');
const globMatch = builtin('glob.match');
const semverCompare = builtin('semver.compare');
const startswith = builtin('startswith');
const count = builtin('count');
const native = /^(Deploy|Run) [a-z ]+$/i;

const rows: Array<[string, number, number]> = [
  [
    'sprintf("step %s (%d)")',
    time((i) => sprintf(['step %s (%d)', [names[i & 3]!, i]])),
    time((i) => `step ${names[i & 3]!} (${i})`),
  ],
  [
    'regex.match (cached)',
    time((i) => regexMatch(['(?i)^(Deploy|Run) [a-z ]+$', names[i & 3]!])),
    time((i) => native.test(names[i & 3]!)),
  ],
  [
    'regex.match (re2js engine)',
    time((i) => regexMatch(['^(Deploy|Run) ([a-z]+ ?)+$', names[i & 3]!])),
    time((i) => /^(Deploy|Run) ([a-z]+ ?)+$/.test(names[i & 3]!)),
  ],
  [
    'glob.match("Deploy*")',
    time((i) => globMatch(['Deploy*', null, names[i & 3]!])),
    time((i) => names[i & 3]!.startsWith('Deploy')),
  ],
  ['semver.compare', time(() => semverCompare(['1.10.2-rc.1', '1.9.0'])), time(() => '1.10.2-rc.1'.localeCompare('1.9.0'))],
  ['startswith', time((i) => startswith([names[i & 3]!, 'Run'])), time((i) => names[i & 3]!.startsWith('Run'))],
  ['count(array)', time(() => count([names])), time(() => names.length)],
];

// RE2 guarantees linear time; these backtrack exponentially or polynomially in a plain JavaScript
// RegExp (seconds to hours for these inputs), so only the builtins are timed.
function once(label: string, fn: () => unknown, n: number): void {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  console.log(`${label}: ${(((performance.now() - t0) * 1000) / n).toFixed(1)} µs/call`);
}
console.log(`iterations: ${N}`);
once('regex.match("^(a+)+$", 28 x "a" + "!")', () => regexMatch(['^(a+)+$', 'a'.repeat(28) + '!']), 100);
const long = 'a'.repeat(400_000);
once('glob.match("*a*a*a*a*a*b", 400,000 x "a")', () => globMatch(['*a*a*a*a*a*b', null, long]), 5);
once('regex.match("(a|aa)*c", 400,000 x "a")', () => regexMatch(['(a|aa)*c', long]), 5);
console.log('builtin'.padEnd(28) + 'ns/call'.padStart(10) + 'native ns'.padStart(12) + 'ratio'.padStart(9));
for (const [label, ours, base] of rows) {
  console.log(label.padEnd(28) + ours.toFixed(1).padStart(10) + base.toFixed(1).padStart(12) + (ours / base).toFixed(1).padStart(9));
}
