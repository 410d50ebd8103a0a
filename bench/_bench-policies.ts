/**
 * The generated hub's policies (bench/generate-hub.ts): each one's Rego, and the same rules as
 * JavaScript, which the hand-written floor (bench/_lint-floor.ts) runs. Kept apart from the generator
 * so that the floor loads only what it uses (oclhub's OCL parser and this file): imported through
 * generate-hub.ts, it also loaded the whole hub façade (about half a second of module loading, a
 * fixed cost that made the floor look slower, and flatter across hub sizes, than it is).
 */
/**
 * The subset of the Octopus policy input (src/policy/input.ts) that the bench policies read. The
 * hand-written floor of bench/lint.ts builds exactly this from the parsed OCL.
 */
export interface FloorStep {
  Id: string;
  Slug: string;
  ActionType: string;
  Enabled: boolean;
  IsRequired: boolean;
  Source: { Type: string; SlugOrId: string };
  Packages: readonly { Name: string; Feed?: { Slug: string } }[];
}

export interface FloorInput {
  Environment: { Slug: string; Tags: readonly string[] };
  Project: { Slug: string };
  Steps: readonly FloorStep[];
  SkippedSteps: readonly string[];
  Execution: readonly { Steps: readonly string[] }[];
  Release?: { Version: string };
  Runbook?: unknown;
}

/** A bench policy's Rego, and the same two rules written as JavaScript (the floor's checks). */
interface PolicyShape {
  scope: string;
  conditions: string;
  /** `data.<slug>.evaluate`, true or false (every shape has a default). */
  inScope: (input: FloorInput) => boolean;
  /** `data.<slug>.result`. */
  result: (input: FloorInput) => { allowed: boolean; reason?: string };
  /** Reads `input.Release`, which lint leaves out when no release is named: such a decision is inconclusive. */
  readsRelease?: boolean;
}

export interface BenchPolicy {
  slug: string;
  name: string;
  action: 'block' | 'warn';
  violationReason: string;
  rego: { scope: string; conditions: string };
  inScope: (input: FloorInput) => boolean;
  result: (input: FloorInput) => { allowed: boolean; reason?: string };
  readsRelease: boolean;
}

/** Rego's `concat(", ", set)`: a set's members are sorted and unique. */
function setText(values: Iterable<string>): string {
  return [...new Set(values)].sort().join(', ');
}

/**
 * 7 rule shapes taken from the Octopus docs' example policies; policy i takes shape i % 7 with its own
 * parameters. Each shape's Rego sits next to the JavaScript that computes the same rules: change one,
 * change the other (bench/lint.ts checks that the outcomes of both agree decision by decision).
 */
function policyShape(i: number): PolicyShape {
  const envs = ['production', 'staging', 'production', 'dr'];
  const env = envs[i % envs.length]!;
  // Rego treats a statement `x` as true when x is defined and not false.
  const truthy = (v: unknown) => v !== undefined && v !== false;
  const shapes: (() => PolicyShape)[] = [
    () => ({
      scope: `default evaluate := false\n\nevaluate if {\n    input.Environment.Slug == "${env}"\n    not input.Runbook\n}`,
      conditions: `default result := {"allowed": false}\n\nresult := {"allowed": true} if {\n    some step in input.Steps\n    step.ActionType == "Octopus.Manual"\n    step.Enabled\n}`,
      inScope: (input) => input.Environment.Slug === env && !truthy(input.Runbook),
      result: (input) => ({ allowed: input.Steps.some((step) => step.ActionType === 'Octopus.Manual' && truthy(step.Enabled)) }),
    }),
    () => ({
      scope: `default evaluate := true`,
      conditions: `disabled contains step.Slug if {\n    some step in input.Steps\n    not step.Enabled\n}\n\ndefault result := {"allowed": true}\n\nresult := {"allowed": false, "reason": sprintf("Disabled steps: %s", [concat(", ", disabled)])} if {\n    count(disabled) > 0\n}`,
      inScope: () => true,
      result: (input) => {
        const disabled = input.Steps.filter((step) => !truthy(step.Enabled)).map((step) => step.Slug);
        return disabled.length > 0 ? { allowed: false, reason: `Disabled steps: ${setText(disabled)}` } : { allowed: true };
      },
    }),
    () => ({
      scope: `default evaluate := false\n\nevaluate if {\n    "tier/critical-${i}" in input.Environment.Tags\n}`,
      conditions: `default result := {"allowed": false}\n\nresult := {"allowed": true} if {\n    some step in input.Steps\n    step.Source.Type == "Process Template"\n    step.Source.SlugOrId == "deploy-service"\n}`,
      inScope: (input) => input.Environment.Tags.includes(`tier/critical-${i}`),
      result: (input) => ({ allowed: input.Steps.some((step) => step.Source.Type === 'Process Template' && step.Source.SlugOrId === 'deploy-service') }),
    }),
    () => ({
      scope: `default evaluate := true`,
      conditions: `skipped_required contains step.Slug if {\n    some step in input.Steps\n    step.IsRequired\n    step.Id in input.SkippedSteps\n}\n\ndefault result := {"allowed": true}\n\nresult := {"allowed": false, "reason": sprintf("Required steps skipped: %s", [concat(", ", skipped_required)])} if {\n    count(skipped_required) > 0\n}`,
      inScope: () => true,
      result: (input) => {
        const skipped = input.Steps.filter((step) => truthy(step.IsRequired) && input.SkippedSteps.includes(step.Id)).map((step) => step.Slug);
        return skipped.length > 0 ? { allowed: false, reason: `Required steps skipped: ${setText(skipped)}` } : { allowed: true };
      },
    }),
    () => ({
      scope: `default evaluate := false\n\nevaluate if {\n    input.Release\n}`,
      conditions: `bad contains pkg.Name if {\n    some step in input.Steps\n    some pkg in step.Packages\n    pkg.Feed.Slug != "octopus-server-built-in"\n}\n\ndefault result := {"allowed": true}\n\nresult := {"allowed": false, "reason": sprintf("Packages from external feeds (${i}): %s", [concat(", ", bad)])} if {\n    count(bad) > 0\n}`,
      inScope: (input) => truthy(input.Release),
      readsRelease: true,
      result: (input) => {
        const bad: string[] = [];
        for (const step of input.Steps) for (const pkg of step.Packages) if (pkg.Feed !== undefined && pkg.Feed.Slug !== 'octopus-server-built-in') bad.push(pkg.Name);
        return bad.length > 0 ? { allowed: false, reason: `Packages from external feeds (${i}): ${setText(bad)}` } : { allowed: true };
      },
    }),
    () => ({
      scope: `default evaluate := false\n\nevaluate if {\n    startswith(input.Project.Slug, "svc-")\n    input.Environment.Slug != "development"\n}`,
      conditions: `default result := {"allowed": false, "reason": "No smoke test step (${i})"}\n\nresult := {"allowed": true} if {\n    some step in input.Steps\n    contains(step.Slug, "smoke")\n}`,
      inScope: (input) => input.Project.Slug.startsWith('svc-') && input.Environment.Slug !== 'development',
      result: (input) => (input.Steps.some((step) => step.Slug.includes('smoke')) ? { allowed: true } : { allowed: false, reason: `No smoke test step (${i})` }),
    }),
    () => ({
      scope: `default evaluate := true`,
      conditions: `default result := {"allowed": true}\n\nresult := {"allowed": false, "reason": "Too many parallel steps (${i})"} if {\n    some group in input.Execution\n    count(group.Steps) > ${3 + (i % 3)}\n}`,
      inScope: () => true,
      result: (input) => (input.Execution.some((group) => group.Steps.length > 3 + (i % 3)) ? { allowed: false, reason: `Too many parallel steps (${i})` } : { allowed: true }),
    }),
  ];
  return shapes[i % shapes.length]!();
}

export function policySlug(i: number): string {
  return `bench_policy_${String(i).padStart(2, '0')}`;
}

/** Policy i of a generated hub: its Rego (what the hub holds) and its rules as JavaScript (the floor). */
export function benchPolicy(i: number): BenchPolicy {
  const slug = policySlug(i);
  const shape = policyShape(i);
  return {
    slug,
    name: `Bench policy ${i}`,
    action: i % 3 === 1 ? 'warn' : 'block',
    violationReason: `Bench policy ${i} is not satisfied`,
    rego: { scope: `package ${slug}\n\n${shape.scope}\n`, conditions: `package ${slug}\n\n${shape.conditions}\n` },
    inScope: shape.inScope,
    result: shape.result,
    readsRelease: shape.readsRelease === true,
  };
}

