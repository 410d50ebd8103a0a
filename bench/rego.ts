/**
 * Rego evaluation speed per decision, against hand-written JavaScript making the same decision,
 * measured in the same run (issue 12 goal: engine ≤ 10× the hand-written JS):
 * - small: an Octopus-style conditions module (some/in/not, default result) over 30 steps;
 * - heavy: comprehensions, partial sets, `every`, `startswith`, `regex.match`, sprintf over 200 steps;
 * - example 01 of the Octopus docs (../shared/policy-examples, skipped when absent) over synth-A.
 * Every evaluation gets a fresh JSON.parse'd input (parsed in batches outside the timed loop), as a
 * server would; both sides must agree on every input before anything is timed. The batch does not
 * fit in the CPU caches, so both sides also pay for reading the input from memory; the "hot"
 * columns reuse a few parsed inputs (cache-resident), which is where the engine's own overhead shows.
 * Reported: median over rounds of CPU µs per decision, engine/JS ratio per round, median ratio.
 * Then each policy again alone in a fresh process: in the table's process every policy after the
 * first runs where V8 has seen the others' shapes (shared engine paths turn megamorphic, which a
 * server with many policies also sees), so a row's figure depends on the rows before it.
 * Then cold start, in fresh processes: importing the engine and the first compile + evaluation,
 * next to an import of nothing (the process floor).
 * The engine timed is a compiled build: this working copy's private build (bench/_build.ts, removed at
 * exit), or the one in REGO_ENGINE_DIR (bench/_rego-engine.ts).
 * Run: npx tsx bench/rego.ts [rounds=21] [--case=NAME: that policy's row only, nothing else]
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as EngineModule from '../src/rego/index.js';
import type * as ValueModule from '../src/rego/value.js';
import type { Value } from '../src/rego/value.js';
import { CASES, type Case } from './_rego-policies.js';
import { compiledEngine } from './_rego-engine.js';

// The engine compiled as users run it, not through tsx (bench/_rego-engine.ts): tsx compiles with
// esbuild's keepNames, which wraps every closure the evaluator creates in a __name() call and makes
// evaluation about twice as slow as the shipped build.
const engineDir = compiledEngine();
const { compile } = (await import(pathToFileURL(resolve(engineDir, 'index.js')).href)) as typeof EngineModule;
const { equals } = (await import(pathToFileURL(resolve(engineDir, 'value.js')).href)) as typeof ValueModule;

const ROUNDS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 21);
const ONLY = process.argv.find((a) => a.startsWith('--case='))?.slice('--case='.length);
const cases = ONLY === undefined ? CASES : CASES.filter((c) => c.name === ONLY);
if (cases.length === 0) throw new Error(`no policy named ${JSON.stringify(ONLY)} in bench/_rego-policies.ts`);
const GOAL = 10;

// ---------------------------------------------------------------------------------------------
// Timing

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function freshBatch(c: Case): unknown[] {
  return Array.from({ length: c.batch }, (_, i) => JSON.parse(c.inputs[i % c.inputs.length]!) as unknown);
}

/** The same few parsed inputs over and over: they stay in the CPU caches. */
function hotBatch(c: Case): unknown[] {
  const few = c.inputs.slice(0, 4).map((text) => JSON.parse(text) as unknown);
  // Ten times the fresh batch: a collection of earlier garbage landing in one batch weighs less.
  return Array.from({ length: c.batch * 10 }, (_, i) => few[i % few.length]);
}

/**
 * µs per call of `fn` over one batch of fresh inputs: process CPU time (user + system), which
 * other processes on a shared machine do not inflate the way they inflate wall time.
 */
function timeBatch(fn: (input: never) => unknown, batch: unknown[]): number {
  let sink = 0;
  const start = process.cpuUsage();
  for (const input of batch) if (fn(input as never) !== undefined) sink++;
  const used = process.cpuUsage(start);
  const us = (used.user + used.system) / batch.length;
  if (sink !== batch.length) throw new Error('unexpected undefined result');
  return us;
}

if (ONLY === undefined) console.log(
  `${'policy'.padEnd(28)} ${'engine µs'.padStart(10)} ${'JS µs'.padStart(9)} ${'ratio'.padStart(8)}   ${'hot: engine'.padStart(11)} ${'JS'.padStart(7)} ${'ratio'.padStart(7)}   goal`,
);
for (const c of cases) {
  const compiled = compile([{ file: `${c.name}.rego`, source: c.source }]);
  if (!compiled.policy) throw new Error(`${c.name}: ${JSON.stringify(compiled.diagnostics)}`);
  const policy = compiled.policy;
  const engine = (input: Value): Value | undefined => {
    const r = policy.eval(c.query, { input });
    if (r.error) throw new Error(r.error.message);
    return r.results[0]?.expressions[0]?.value;
  };
  for (const text of c.inputs) {
    const want = c.js(JSON.parse(text) as never) as Value;
    const got = engine(JSON.parse(text) as Value);
    if (got === undefined || !equals(got, JSON.parse(JSON.stringify(want)) as Value)) {
      throw new Error(`${c.name}: engine and JS disagree: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
    }
  }
  for (let i = 0; i < 3; i++) {
    timeBatch(engine as (input: never) => unknown, freshBatch(c));
    timeBatch(c.js, freshBatch(c));
  }
  // Hot first, before the fresh batches have filled the heap with garbage to collect.
  const hot = measure(engine as (input: never) => unknown, c.js, () => hotBatch(c));
  const fresh = measure(engine as (input: never) => unknown, c.js, () => freshBatch(c));
  const met = (ratio: number) => (ratio <= GOAL ? '(met)' : '(not met)');
  console.log(
    `${c.name.padEnd(28)} ${fresh.engineUs.toFixed(2).padStart(10)} ${fresh.jsUs.toFixed(3).padStart(9)} ${(fresh.ratio.toFixed(1) + 'x').padStart(8)}   ` +
      `${hot.engineUs.toFixed(2).padStart(11)} ${hot.jsUs.toFixed(3).padStart(7)} ${(hot.ratio.toFixed(1) + 'x').padStart(7)}   ` +
      `≤ ${GOAL}x: fresh ${met(fresh.ratio)}, hot ${met(hot.ratio)}`,
  );
}

/** Median CPU µs per decision of each side and median per-round ratio, alternating which side runs first. */
function measure(engine: (input: never) => unknown, js: (input: never) => unknown, batch: () => unknown[]) {
  const engineUs: number[] = [];
  const jsUs: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which side runs first, so neither always inherits the other's garbage.
    const first = round % 2 === 0;
    const b0 = first ? 0 : timeBatch(js, batch());
    const a = timeBatch(engine, batch());
    const b = first ? timeBatch(js, batch()) : b0;
    engineUs.push(a);
    jsUs.push(b);
    ratios.push(a / b);
  }
  return { engineUs: median(engineUs), jsUs: median(jsUs), ratio: median(ratios) };
}

// ---------------------------------------------------------------------------------------------
// Cold start: a fresh process per sample (median of 5), CPU ms measured inside the child.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIRST_POLICY = CASES[0]!;

function coldStart(entry: string | undefined, loader: string[]): { importMs: number; firstMs: number } {
  const script = `
    const c0 = process.cpuUsage();
    const m = ${entry ? `await import(${JSON.stringify(entry)})` : 'undefined'};
    const c1 = process.cpuUsage(c0);
    if (m) {
      const { policy } = m.compile([{ file: 'first.rego', source: ${JSON.stringify(FIRST_POLICY.source)} }]);
      policy.eval(${JSON.stringify(FIRST_POLICY.query)}, { input: JSON.parse(${JSON.stringify(FIRST_POLICY.inputs[0])}) });
    }
    const c2 = process.cpuUsage(c0);
    console.log(JSON.stringify({ importMs: (c1.user + c1.system) / 1000, firstMs: (c2.user + c2.system - c1.user - c1.system) / 1000 }));`;
  const samples: Array<{ importMs: number; firstMs: number }> = [];
  for (let i = 0; i < 5; i++) {
    const r = spawnSync(process.execPath, [...loader, '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cold start child failed: ${r.stderr}`);
    samples.push(JSON.parse(r.stdout.trim()) as { importMs: number; firstMs: number });
  }
  return { importMs: median(samples.map((s) => s.importMs)), firstMs: median(samples.map((s) => s.firstMs)) };
}

if (ONLY !== undefined) process.exit(0);

console.log(`\neach policy alone in a fresh process (V8 has seen no other policy's shapes; ${ROUNDS} rounds)`);
for (const c of CASES) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), String(ROUNDS), `--case=${c.name}`], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${c.name} alone: ${r.stderr}`);
  process.stdout.write(r.stdout);
}

console.log('\ncold start (fresh process, CPU ms, median of 5)        import   first compile+eval (small policy)');
const rows: Array<[string, string | undefined, string[]]> = [
  ['import of nothing (floor)', undefined, []],
  ['src/rego/index.ts through tsx', pathToFileURL(resolve(root, 'src/rego/index.ts')).href, ['--import', 'tsx']],
];
rows.push(['dist/rego/index.js (what bin/oclhub.js loads)', pathToFileURL(resolve(engineDir, 'index.js')).href, []]);
for (const [name, entry, loader] of rows) {
  const { importMs, firstMs } = coldStart(entry, loader);
  console.log(`${name.padEnd(52)} ${importMs.toFixed(0).padStart(7)}   ${entry ? firstMs.toFixed(1).padStart(8) : ''}`);
}
