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
import { benchPolicy, policySlug } from './_bench-policies.js';

export { benchPolicy, policySlug, type BenchPolicy, type FloorInput, type FloorStep } from './_bench-policies.js';

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
