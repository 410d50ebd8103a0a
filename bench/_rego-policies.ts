/**
 * The policies bench/rego.ts times, with their hand-written JavaScript twins and inputs (also used by
 * profiling runs: `node --cpu-prof --import tsx -e "..."`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------------------------------------
// Inputs

interface Step {
  Id: string;
  Slug: string;
  Name: string;
  ActionType: string;
  Enabled: boolean;
  IsRequired: boolean;
  Source: { Type: string; SlugOrId: string; Version?: string };
  Packages: Array<{ Id: string; Name: string; Version: string; GitRef: string }>;
}
interface Input {
  Environment: { Id: string; Name: string; Slug: string };
  Steps: Step[];
  SkippedSteps: string[];
  Execution: Array<{ StartTrigger: string; Steps: string[] }>;
}

const ACTION_TYPES = ['Octopus.Script', 'Octopus.KubernetesDeployRawYaml', 'Octopus.AzurePowerShell', 'Octopus.TentaclePackage'];

/** Variant `v` differs in where the manual step is, what is skipped, disabled, unpinned or off main. */
function makeInput(steps: number, v: number): Input {
  const list: Step[] = Array.from({ length: steps }, (_, s) => ({
    Id: `Steps-${s}`,
    Slug: v % 5 === 4 && s === steps - 3 ? `deploy-${s}` : `step-${s}`,
    Name: `Step ${s}`,
    ActionType: s === Math.floor(steps * 0.7) + (v % 3) ? 'Octopus.Manual' : ACTION_TYPES[s % ACTION_TYPES.length]!,
    Enabled: !(v % 4 === 1 && s === 7),
    IsRequired: s % 5 === 0,
    Source:
      s % 4 === 0
        ? { Type: 'Process Template', SlugOrId: `template-${s % 7}`, Version: v % 6 === 2 && s === 8 ? '2.1.0-beta.1' : `2.${s % 3}.0` }
        : { Type: 'Step', SlugOrId: `step-${s}` },
    Packages: [{ Id: `P${s}`, Name: `pkg-${s}`, Version: '1.0.0', GitRef: v % 7 === 3 && s === 11 ? 'refs/heads/dev' : 'refs/heads/main' }],
  }));
  const manual = list.find((s) => s.ActionType === 'Octopus.Manual')!;
  return {
    Environment: { Id: 'Environments-3', Name: 'Production', Slug: 'production' },
    Steps: list,
    SkippedSteps: v % 8 === 5 ? [manual.Id] : v % 2 ? ['Steps-2'] : [],
    Execution: [{ StartTrigger: 'StartAfterPrevious', Steps: list.map((s) => s.Id) }],
  };
}

// ---------------------------------------------------------------------------------------------
// Policies and their hand-written twins

const SMALL = `package small

default result := {"allowed": false, "action": "warn"}

result := {"allowed": true} if {
    some step in input.Steps
    step.ActionType == "Octopus.Manual"
    step.Enabled
    not step.Id in input.SkippedSteps
}
`;

function smallJs(input: Input): unknown {
  const skipped = input.SkippedSteps;
  for (const step of input.Steps) {
    if (step.ActionType === 'Octopus.Manual' && step.Enabled === true && !skipped.includes(step.Id)) return { allowed: true };
  }
  return { allowed: false, action: 'warn' };
}

const HEAVY = `package heavy

default result := {"allowed": true}

template_steps := [s | some s in input.Steps; s.Source.Type == "Process Template"]

unpinned contains sprintf("%s@%s", [s.Slug, s.Source.Version]) if {
    some s in template_steps
    not regex.match(\`^[0-9]+\\.[0-9]+\\.[0-9]+$\`, s.Source.Version)
}

off_main contains sprintf("%s/%s", [s.Slug, p.Name]) if {
    some s in input.Steps
    some p in s.Packages
    not startswith(p.GitRef, "refs/heads/main")
}

disabled_required := {s.Slug | some s in input.Steps; s.IsRequired; not s.Enabled}

well_named if {
    every s in input.Steps {
        startswith(s.Slug, "step-")
    }
}

problems := (unpinned | off_main) | disabled_required

result := {"allowed": false, "reason": concat(", ", sort(problems))} if count(problems) > 0

result := {"allowed": false, "action": "warn", "reason": "steps must be named step-*"} if {
    count(problems) == 0
    not well_named
}
`;

const SEMVER_CORE = /^[0-9]+\.[0-9]+\.[0-9]+$/;

function heavyJs(input: Input): unknown {
  const problems = new Set<string>();
  for (const s of input.Steps) {
    if (s.Source.Type === 'Process Template' && !SEMVER_CORE.test(s.Source.Version!)) problems.add(`${s.Slug}@${s.Source.Version}`);
  }
  for (const s of input.Steps) for (const p of s.Packages) if (!p.GitRef.startsWith('refs/heads/main')) problems.add(`${s.Slug}/${p.Name}`);
  for (const s of input.Steps) if (s.IsRequired && !s.Enabled) problems.add(s.Slug);
  if (problems.size > 0) return { allowed: false, reason: [...problems].sort().join(', ') };
  if (!input.Steps.every((s) => s.Slug.startsWith('step-'))) return { allowed: false, action: 'warn', reason: 'steps must be named step-*' };
  return { allowed: true };
}

export interface Case {
  name: string;
  source: string;
  query: string;
  js: (input: never) => unknown;
  inputs: string[];
  batch: number;
}

export const CASES: Case[] = [
  { name: 'small (30 steps)', source: SMALL, query: 'data.small.result', js: smallJs, inputs: variants(30), batch: 2000 },
  { name: 'heavy (200 steps)', source: HEAVY, query: 'data.heavy.result', js: heavyJs, inputs: variants(200), batch: 200 },
];

function variants(steps: number): string[] {
  return Array.from({ length: 24 }, (_, v) => JSON.stringify(makeInput(steps, v)));
}

// Example 01 of the Octopus docs, when ../shared is here.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const examples = resolve(repoRoot, '../shared/policy-examples');
const example01 = resolve(examples, 'split/01-manual-intervention-required.conditions.rego');
const synthA = resolve(examples, 'inputs/synth-A-deploy-prod-compliant.json');
if (existsSync(example01) && existsSync(synthA)) {
  CASES.push({
    name: 'docs example 01 (synth-A)',
    source: readFileSync(example01, 'utf8'),
    query: 'data.manual_intervention_required.result',
    js: (input: { Steps?: Step[]; SkippedSteps?: string[] }) => {
      const steps = Array.isArray(input.Steps) ? input.Steps : [];
      const skipped = Array.isArray(input.SkippedSteps) ? input.SkippedSteps : [];
      if (steps.some((s) => s.ActionType === 'Octopus.Manual' && skipped.includes(s.Id))) {
        return { allowed: false, reason: 'A manual intervention step is required and cannot be skipped' };
      }
      if (steps.some((s) => s.ActionType === 'Octopus.Manual')) return { allowed: true };
      return { allowed: false, action: 'warn' };
    },
    inputs: [readFileSync(synthA, 'utf8')],
    batch: 2000,
  });
} else console.log(`(${examples} not found: docs example 01 skipped)`);

