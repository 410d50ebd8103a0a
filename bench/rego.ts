/**
 * Rego evaluation speed per decision, against hand-written JavaScript making the same decision,
 * measured in the same run (issue 12 goal: engine ≤ 10× the hand-written JS):
 * - small: an Octopus-style conditions module (some/in/not, default result) over 30 steps;
 * - heavy: comprehensions, partial sets, `every`, `startswith`, `regex.match`, sprintf over 200 steps;
 * - example 01 of the Octopus docs (../shared/policy-examples, skipped when absent) over synth-A.
 * Every evaluation gets a fresh JSON.parse'd input (parsed in batches outside the timed loop), as a
 * server would; both sides must agree on every input before anything is timed.
 * Reported: median over rounds of CPU µs per decision, engine/JS ratio per round, median ratio.
 * Run: npx tsx bench/rego.ts [rounds=21]
 */
import { compile } from '../src/rego/index.js';
import { equals, type Value } from '../src/rego/value.js';
import { CASES, type Case } from './_rego-policies.js';

const ROUNDS = Number(process.argv[2] ?? 21);
const GOAL = 10;

// ---------------------------------------------------------------------------------------------
// Timing

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function freshBatch(c: Case): unknown[] {
  return Array.from({ length: c.batch }, (_, i) => JSON.parse(c.inputs[i % c.inputs.length]!) as unknown);
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

console.log(`${'policy'.padEnd(28)} ${'engine µs'.padStart(10)} ${'JS µs'.padStart(9)} ${'ratio'.padStart(8)}   goal`);
for (const c of CASES) {
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
  const engineUs: number[] = [];
  const jsUs: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which side runs first, so neither always inherits the other's garbage.
    const first = round % 2 === 0;
    const b0 = first ? 0 : timeBatch(c.js, freshBatch(c));
    const a = timeBatch(engine as (input: never) => unknown, freshBatch(c));
    const b = first ? timeBatch(c.js, freshBatch(c)) : b0;
    engineUs.push(a);
    jsUs.push(b);
    ratios.push(a / b);
  }
  const ratio = median(ratios);
  console.log(
    `${c.name.padEnd(28)} ${median(engineUs).toFixed(2).padStart(10)} ${median(jsUs).toFixed(3).padStart(9)} ${(ratio.toFixed(1) + 'x').padStart(8)}   ≤ ${GOAL}x ${ratio <= GOAL ? '(met)' : '(not met)'}`,
  );
}
