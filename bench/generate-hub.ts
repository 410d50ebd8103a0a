/**
 * Generates a large hub repository for bench/lint.ts: N projects (each a folder in the hub with a
 * deployment process of 5–8 steps, a third of them using a process template), E environments and
 * P policies (realistic Octopus-style rules, each with its own parameters so their content differs),
 * committed with the git CLI, the template and every policy published as 1.0.0 and activated. Each
 * policy's rules also exist as JavaScript (`benchPolicy`): bench/lint.ts's hand-written floor runs them.
 *   npx tsx bench/generate-hub.ts <dir> [projects] [environments] [policies] [--packed]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openHub } from '../src/hub/index.js';

const PUBLISHER = { name: 'Bench', email: 'bench@example.com' };

/** git with a fixed identity and no automatic gc (a background `gc --auto` after a big commit would hold gc's lock when packHub runs). */
export function git(cwd: string, args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', '-c', 'commit.gpgsign=false', '-c', 'gc.auto=0', ...args], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

const ENV_NAMES = ['development', 'test', 'staging', 'production', 'dr', 'sandbox', 'uat', 'perf'];

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((l) => (l === '' ? l : pad + l))
    .join('\n');
}

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

function policyText(i: number): string {
  const policy = benchPolicy(i);
  return `name = "${policy.name}"
description = "Generated policy ${i}"
violation_reason = "${policy.violationReason}"
violation_action = "${policy.action}"

conditions {
    rego = <<-EOT
${indent(policy.rego.conditions, 8)}        EOT
}

scope {
    rego = <<-EOT
${indent(policy.rego.scope, 8)}        EOT
}
`;
}

const TEMPLATE = `name = "Deploy service"
description = "Deploys a service package and smoke-tests it."

parameter "Template.Service.Package" {
    display_settings = {
        Octopus.ControlType = "Package"
    }
    help_text = "The service package."
    label = "Service package"
}

step "deploy-package" {
    name = "Deploy package"

    action {
        action_type = "Octopus.TentaclePackage"
        properties = {
            Octopus.Action.Package.DownloadOnTentacle = "False"
        }

        packages "Template.Service.Package" {
            acquisition_location = "Server"
            feed = "octopus-server-built-in"
            package_id = ""
            properties = {
                Extract = "True"
                PackageParameterName = "Template.Service.Package"
                SelectionMode = "deferred"
            }
        }
    }
}

step "smoke-test" {
    name = "Smoke test"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.Script.ScriptBody = "curl -f https://example.com/health"
            Octopus.Action.Script.ScriptSource = "Inline"
            Octopus.Action.Script.Syntax = "Bash"
        }
    }
}
`;

function scriptStep(slug: string, extra = ''): string {
  return `step "${slug}" {
    name = "${slug}"

    action {
        action_type = "Octopus.Script"${extra}
        properties = {
            Octopus.Action.Script.ScriptBody = "echo ${slug}"
            Octopus.Action.Script.ScriptSource = "Inline"
            Octopus.Action.Script.Syntax = "Bash"
        }
    }
}
`;
}

function processText(p: number): string {
  const steps: string[] = [scriptStep('prepare'), scriptStep(`build-${p % 7}`)];
  if (p % 4 !== 0) {
    steps.push(`step "approve" {
    name = "Approve"

    action {
        action_type = "Octopus.Manual"
        environments = ["production"]
        properties = {
            Octopus.Action.Manual.Instructions = "Approve"
        }
    }
}
`);
  }
  if (p % 3 === 0) {
    steps.push(`process_template "deploy" {
    name = "Deploy"
    process_template_slug = "deploy-service"
    version_mask = "1.X"

    package_parameter "Template.Service.Package" {
        feed = "octopus-server-built-in"
        package_id = "Service${p}"
    }
}
`);
  } else {
    steps.push(`step "deploy" {
    name = "Deploy"

    action {
        action_type = "Octopus.TentaclePackage"
        is_required = true

        packages {
            acquisition_location = "Server"
            feed = "${p % 5 === 0 ? 'docker-hub' : 'octopus-server-built-in'}"
            package_id = "Service${p}"
        }
    }
}
`);
  }
  steps.push(scriptStep('notify', p % 6 === 0 ? '\n        is_disabled = true' : ''));
  return steps.join('\n');
}

export function projectSlug(p: number): string {
  return `${p % 2 === 0 ? 'svc' : 'app'}-${String(p).padStart(4, '0')}`;
}

export interface GenerateOptions {
  /**
   * Pack objects and refs afterwards (`git gc`, `git pack-refs --all`), as a clone is: a CI checkout
   * or a server's clone holds packs and a packed-refs file, not thousands of loose objects.
   */
  packed?: boolean;
}

export async function generateHub(dir: string, projects: number, environments: number, policies: number, options: GenerateOptions = {}): Promise<void> {
  mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  const config: string[] = ['base_path = ".octopus"', ''];
  for (let e = 0; e < environments; e++) {
    const slug = ENV_NAMES[e] ?? `env-${e}`;
    config.push(`environment "${slug}" {\n    name = "${slug}"\n    order = ${e + 1}\n    tags = ["tier/${slug === 'production' ? 'critical' : 'standard'}", "tier/critical-${e}"]\n}\n`);
  }
  for (let p = 0; p < projects; p++) {
    const slug = projectSlug(p);
    config.push(`project "${slug}" {\n    name = "Project ${p}"\n    tags = ["team/t${p % 10}"]\n    path = "projects/${slug}/.octopus"\n}\n`);
    write(`projects/${slug}/.octopus/deployment_process.ocl`, processText(p));
    write(`projects/${slug}/.octopus/schema_version.ocl`, 'version = 9\n');
  }
  for (let i = 0; i < policies; i++) {
    write(`.octopus/policies/${policySlug(i)}.ocl`, policyText(i));
    config.push(`policy "${policySlug(i)}" {\n    active_version = "1.0.0"\n}\n`);
  }
  write('.octopus/process-templates/deploy-service.ocl', TEMPLATE);
  write('oclhub.ocl', config.join('\n'));
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'generated hub']);
  const { hub, diagnostics } = await openHub({ dir });
  if (!hub) throw new Error(JSON.stringify(diagnostics));
  const publish = async (kind: 'process-templates' | 'policies', slug: string) => {
    const r = await hub.publish({ kind, slug, bump: 'major', publisher: PUBLISHER });
    if (!r.published) throw new Error(`publish ${slug}: ${JSON.stringify(r.diagnostics)}`);
  };
  await publish('process-templates', 'deploy-service');
  for (let i = 0; i < policies; i++) await publish('policies', policySlug(i));
  if (options.packed) packHub(dir);
}

/** Packs a repository's objects and refs the way a clone has them. */
export function packHub(dir: string): void {
  git(dir, ['gc', '-q']);
  git(dir, ['pack-refs', '--all']);
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const args = process.argv.slice(2).filter((a) => a !== '--packed');
  const [dir, projects, environments, policies] = args;
  if (!dir) {
    // Run by bench/run.ts with no arguments: this is bench/lint.ts's generator, not a bench of its own.
    process.stdout.write('generator for bench/lint.ts and bench/api.ts; usage: npx tsx bench/generate-hub.ts <dir> [projects] [environments] [policies] [--packed]\n');
  } else {
    await generateHub(path.resolve(dir), Number(projects ?? 1000), Number(environments ?? 4), Number(policies ?? 25), { packed: process.argv.includes('--packed') });
    process.stdout.write(`generated ${dir}\n`);
  }
}
