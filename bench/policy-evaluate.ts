/**
 * Policy decisions per second through src/policy/evaluate.ts (scope then conditions, result shape
 * checks, decision): the six starter policies (templates/policies) on generated deployment inputs of
 * 25 steps each, with the content-hash compile cache warm, against a baseline in the same run that
 * clears the cache before every policy evaluation (compile + evaluate, what an uncached lint would pay).
 * `oclhub lint`'s target (issue 6) is 100,000 evaluations in under 10 s, i.e. ≥ 10,000 decisions/s
 * including everything else; this measures the policy share alone.
 * Run: npx tsx bench/policy-evaluate.ts [inputs=2000]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { clearCompiledPolicyCache, evaluatePolicy, type PolicyEvaluation } from '../src/policy/evaluate.js';
import { loadPolicyText, type PolicySource } from '../src/policy/load.js';

const INPUTS = Number(process.argv[2] ?? 2000);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const policiesDir = join(repoRoot, 'templates/policies');

const policies: PolicySource[] = readdirSync(policiesDir)
  .filter((f) => f.endsWith('.ocl'))
  .sort()
  .map((f) => loadPolicyText(`.octopus/policies/${f}`, readFileSync(join(policiesDir, f), 'utf8')).policy!);

function input(i: number): unknown {
  const steps = Array.from({ length: 25 }, (_, s) => ({
    Id: `Steps-${s}`,
    Slug: `step-${s}`,
    ActionType: s === 0 ? 'Octopus.Manual' : 'Octopus.Script',
    Enabled: (i + s) % 97 !== 0,
    IsRequired: s % 5 === 0,
    IsConditional: false,
    Source: s % 3 === 0 ? { Type: 'Process Template', SlugOrId: 'deploy', Version: i % 10 === 0 ? '2.0.0-beta.1' : '2.0.0' } : { Type: 'Step', SlugOrId: `step-${s}` },
    Packages: [{ Id: `P${s}`, Name: `pkg-${s}`, Version: '1.0.0', GitRef: i % 7 === 0 ? 'refs/heads/dev' : 'refs/heads/main' }],
  }));
  const env = ['development', 'staging', 'production', 'production-eu'][i % 4]!;
  return {
    Environment: { Id: `E-${env}`, Name: env, Slug: env, Tags: [] },
    Project: { Id: `Projects-${i}`, Name: `P${i}`, Slug: `p${i}`, Tags: [] },
    Space: { Id: 'Spaces-1', Name: 'Default', Slug: 'default' },
    ProjectGroup: { Id: 'PG-1', Name: 'G', Slug: 'g' },
    Steps: steps,
    SkippedSteps: i % 11 === 0 ? ['Steps-5'] : [],
    Execution: [{ StartTrigger: 'StartAfterPrevious', Steps: steps.map((s) => s.Id) }],
    RequiresApproval: false,
    Release: { Id: `R-${i}`, Name: '1.0.0', Version: '1.0.0' },
  };
}

const inputs = Array.from({ length: INPUTS }, (_, i) => input(i));

function run(clearEachTime: boolean, count: number): { ms: number; decisions: PolicyEvaluation[] } {
  const decisions: PolicyEvaluation[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    for (const policy of policies) {
      if (clearEachTime) clearCompiledPolicyCache();
      decisions.push(evaluatePolicy(policy, inputs[i]!));
    }
  }
  return { ms: performance.now() - start, decisions };
}

run(false, Math.min(200, INPUTS)); // warm up the JIT
const baselineCount = Math.max(1, Math.floor(INPUTS / 10));
const baseline = run(true, baselineCount);
const warm = run(false, INPUTS);

const perSecond = (n: number, ms: number) => Math.round((n / ms) * 1000);
const outcomes = new Map<string, number>();
for (const d of warm.decisions) outcomes.set(d.outcome, (outcomes.get(d.outcome) ?? 0) + 1);
const warmRate = perSecond(warm.decisions.length, warm.ms);
const baseRate = perSecond(baseline.decisions.length, baseline.ms);
console.log(`policies: ${policies.length}, inputs: ${INPUTS} (25 steps each)`);
console.log(`cached compile : ${warm.decisions.length} decisions in ${warm.ms.toFixed(0)} ms = ${warmRate} decisions/s (${((warm.ms * 1000) / warm.decisions.length).toFixed(1)} µs each)`);
console.log(`compile each   : ${baseline.decisions.length} decisions in ${baseline.ms.toFixed(0)} ms = ${baseRate} decisions/s (baseline)`);
console.log(`cache speed-up : ${(warmRate / baseRate).toFixed(1)}x`);
console.log(`outcomes       : ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}`);
