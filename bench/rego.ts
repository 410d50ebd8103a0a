/**
 * Rego evaluation speed: `data.manual_intervention_required.result` of policy example 01
 * (../shared/policy-examples/split/01-manual-intervention-required.conditions.rego) on the synth-A
 * input, after one compilation, against a hand-written JavaScript function computing the same
 * result, in the same run. The input is a fresh JSON.parse'd object for every evaluation of both
 * (parse time excluded: inputs are parsed in batches of 100 outside the timed loop).
 * Falls back to a copy of the example written here when ../shared is absent.
 * Target: within 100x of the JS function and well under 45 µs per evaluation.
 * Run: npx tsx bench/rego.ts [iterations=20000]
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { compile, type EvalOptions } from '../src/rego/index.js';
import { equals, type Value } from '../src/rego/value.js';

const ITERATIONS = Number(process.argv[2] ?? 20000);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const examples = resolve(repoRoot, '../shared/policy-examples');
const policyFile = resolve(examples, 'split/01-manual-intervention-required.conditions.rego');
const inputFile = resolve(examples, 'inputs/synth-A-deploy-prod-compliant.json');

const FALLBACK_POLICY = `package manual_intervention_required

default result := {"allowed": false, "action": "warn"}

result := {"allowed": true} if {
    some step in input.Steps
    step.ActionType == "Octopus.Manual"
    not manual_intervention_skipped
}

result := {"allowed": false, "reason": "A manual intervention step is required and cannot be skipped"} if {
    manual_intervention_skipped
}

manual_intervention_skipped if {
    some step in input.Steps
    step.Id in input.SkippedSteps
    step.ActionType == "Octopus.Manual"
}
`;
const FALLBACK_INPUT = JSON.stringify({
  Environment: { Id: 'Environments-3', Name: 'Production', Slug: 'production', Tags: [] },
  Steps: [
    { Id: 's1', Slug: 'scan', ActionType: 'Octopus.Script', Enabled: true },
    { Id: 's2', Slug: 'approve', ActionType: 'Octopus.Manual', Enabled: true },
    { Id: 's3', Slug: 'deploy', ActionType: 'Octopus.KubernetesDeployRawYaml', Enabled: true },
  ],
  SkippedSteps: [],
});

const shared = existsSync(policyFile) && existsSync(inputFile);
if (!shared) console.log(`(${examples} not found: using the built-in copy of example 01 and a small input)`);
const source = shared ? readFileSync(policyFile, 'utf8') : FALLBACK_POLICY;
const inputText = shared ? readFileSync(inputFile, 'utf8') : FALLBACK_INPUT;

interface Step {
  Id: string;
  ActionType: string;
}
interface Input {
  Steps?: Step[];
  SkippedSteps?: string[];
}

/** The same decision as example 01, written directly in JavaScript. */
function manualInterventionJs(input: Input): Record<string, unknown> {
  const steps = Array.isArray(input.Steps) ? input.Steps : [];
  const skipped = Array.isArray(input.SkippedSteps) ? input.SkippedSteps : [];
  const skippedManual = steps.some((s) => s.ActionType === 'Octopus.Manual' && skipped.includes(s.Id));
  if (skippedManual) return { allowed: false, reason: 'A manual intervention step is required and cannot be skipped' };
  if (steps.some((s) => s.ActionType === 'Octopus.Manual')) return { allowed: true };
  return { allowed: false, action: 'warn' };
}

const compiled = compile([{ file: 'example-01.rego', source }]);
if (!compiled.policy) throw new Error(JSON.stringify(compiled.diagnostics));
const policy = compiled.policy;
const query = 'data.manual_intervention_required.result';

function regoOnce(input: Value): Value | undefined {
  const r = policy.eval(query, { input } satisfies EvalOptions);
  if (r.error) throw new Error(r.error.message);
  return r.results[0]?.expressions[0]?.value;
}

// Both must agree before timing anything.
const check = JSON.parse(inputText) as Value;
const expected = manualInterventionJs(check as unknown as Input) as Value;
if (!equals(regoOnce(check)!, expected)) throw new Error(`Rego and JS disagree: ${JSON.stringify(regoOnce(check))} vs ${JSON.stringify(expected)}`);

/** Wall and CPU µs per call of `fn` over `n` fresh inputs, parsed in small batches outside the timed loop. */
function time(fn: (input: never) => unknown, n: number): { wall: number; cpu: number } {
  const BATCH = 100;
  let wall = 0;
  let cpu = 0;
  let sink = 0;
  for (let done = 0; done < n; done += BATCH) {
    const batch = Array.from({ length: BATCH }, () => JSON.parse(inputText) as unknown);
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    for (const input of batch) if (fn(input as never) !== undefined) sink++;
    wall += performance.now() - start;
    const used = process.cpuUsage(cpu0);
    cpu += (used.user + used.system) / 1000;
  }
  if (sink < n) throw new Error('unexpected undefined result');
  return { wall: (wall * 1000) / sink, cpu: (cpu * 1000) / sink };
}

// Warm-up, then the median of 7 rounds for each (the machine may be shared: CPU time is the steadier figure).
time(regoOnce, 2000);
time(manualInterventionJs, 2000);
const rounds: Record<'rego' | 'js', Array<{ wall: number; cpu: number }>> = { rego: [], js: [] };
for (let round = 0; round < 7; round++) {
  rounds.rego.push(time(regoOnce, ITERATIONS));
  rounds.js.push(time(manualInterventionJs, ITERATIONS));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rego = { wall: median(rounds.rego.map((r) => r.wall)), cpu: median(rounds.rego.map((r) => r.cpu)) };
const js = { wall: median(rounds.js.map((r) => r.wall)), cpu: median(rounds.js.map((r) => r.cpu)) };
console.log(`policy: example 01 (manual intervention), input: ${shared ? 'synth-A' : 'built-in'}, fresh JSON.parse'd input per evaluation`);
console.log(`                  wall µs/eval   CPU µs/eval`);
console.log(`rego evaluator  : ${rego.wall.toFixed(2).padStart(12)}  ${rego.cpu.toFixed(2).padStart(12)}`);
console.log(`hand-written JS : ${js.wall.toFixed(3).padStart(12)}  ${js.cpu.toFixed(3).padStart(12)}`);
console.log(`ratio           : ${(rego.wall / js.wall).toFixed(1).padStart(11)}x  ${(rego.cpu / js.cpu).toFixed(1).padStart(11)}x   (target ≤ 100x, rego well under 45 µs)`);
