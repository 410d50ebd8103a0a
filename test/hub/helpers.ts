/** Hub repositories built with the real git CLI in temp folders, plus template and project texts. */
import { afterAll } from 'vitest';
import { commitAll, git, initRepo, removeDir, writeFiles } from '../git/helpers.js';
import { openHub, type Hub } from '../../src/hub/index.js';

const created: string[] = [];

afterAll(() => {
  for (const dir of created.splice(0)) removeDir(dir);
});

/** A policy that allows everything, for tests about publishing and activating policies rather than evaluating them. */
export const NO_ROOT_POLICY = `name = "No root"
violation_action = "block"

conditions {
    rego = <<-EOT
            package no_root

            default result := {"allowed": true}
            EOT
}

scope {
    rego = <<-EOT
            package no_root

            default evaluate := true
            EOT
}
`;

export const PUBLISHER = { name: 'Pat Publisher', email: 'pat@example.com' };

/** A hub repository with `oclhub.ocl` and the given files committed on `main`. */
export function hubRepo(files: Record<string, string> = {}): string {
  const dir = initRepo({ 'oclhub.ocl': HUB_CONFIG, ...files });
  created.push(dir);
  return dir;
}

export function tracked(dir: string): string {
  created.push(dir);
  return dir;
}

export async function open(dir: string, ref?: string): Promise<Hub> {
  const { hub, diagnostics } = await openHub({ dir, ...(ref ? { ref } : {}) });
  if (!hub) throw new Error(`cannot open hub: ${JSON.stringify(diagnostics)}`);
  return hub;
}

export { commitAll, git, writeFiles };

export const HUB_CONFIG = `base_path = ".octopus"

environment "development" {
    name = "Development"
    order = 1
}

environment "production" {
    name = "Production"
    order = 2
}

project "web-app" {
    name = "Web App"
    path = "projects/web-app/.octopus"
}
`;

export interface TemplateParts {
  /** Extra parameter blocks (OCL text) after the standard ones. */
  extraParameters?: string;
  /** Leave out the Region parameter. */
  withoutRegion?: boolean;
  /** Extra step blocks. */
  extraSteps?: string;
  helpText?: string;
}

/** A small process template: a WorkerPool parameter, an optional Select parameter and one worker step. */
export function templateText(parts: TemplateParts = {}): string {
  const region = parts.withoutRegion
    ? ''
    : `parameter "Template.Region" {
    display_settings = {
        Octopus.ControlType = "Select"
        Octopus.SelectOptions = <<-EOT
            eu|Europe
            us|United States
            EOT
    }
    help_text = "${parts.helpText ?? 'Where to deploy'}"
    label = "Region"

    value "eu" {}
}

`;
  return `name = "Deploy web"

parameter "Template.WorkerPool" {
    display_settings = {
        Octopus.ControlType = "WorkerPool"
    }
    help_text = ""
    label = "Worker Pool"
}

${region}${parts.extraParameters ?? ''}step "deploy" {
    name = "Deploy"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.Script.ScriptBody = "echo deploying"
        }
        worker_pool_variable = "#{Template.WorkerPool}"
    }
}
${parts.extraSteps ?? ''}`;
}

export const SMOKE_STEP = `
step "smoke-test" {
    name = "Smoke test"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.Script.ScriptBody = "curl -f https://example.com"
        }
        worker_pool_variable = "#{Template.WorkerPool}"
    }
}
`;

export const REQUIRED_PARAMETER = `parameter "Template.Url" {
    display_settings = {
        Octopus.ControlType = "SingleLineText"
    }
    help_text = ""
    label = "Site URL"
}

`;

export const TEMPLATE_PATH = '.octopus/process-templates/deploy-web.ocl';

/** A deployment process with one usage of deploy-web and one own step. */
export function processText(mask: string, parameters = `    parameter "Template.WorkerPool" {\n        value = "WorkerPools-1"\n    }\n`): string {
  return `process_template "web" {
    name = "Web"
    process_template_slug = "deploy-web"
    version_mask = "${mask}"

${parameters}}

step "notify" {
    name = "Notify"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.Script.ScriptBody = "echo done"
        }
        worker_pool = "hosted-ubuntu"
    }
}
`;
}

/** Publishes through the façade and fails the test with the diagnostics when refused. */
export async function publishOk(hub: Hub, slug: string, bump: string, extra: { notes?: string; force?: boolean; ref?: string } = {}) {
  const result = await hub.publish({ kind: 'process-templates', slug, bump, publisher: PUBLISHER, ...extra });
  if (!result.ok) throw new Error(`publish ${slug} --bump ${bump} refused: ${result.diagnostics.map((d) => `${d.code} ${d.summary} ${d.detail ?? ''}`).join('; ')}`);
  return result;
}

/** A hub with deploy-web published as 1.0.0, 1.0.1, 1.1.0, 2.0.0 and 3.0.0-prerelease.1. */
export async function hubWithHistory(): Promise<{ dir: string; hub: Hub }> {
  const dir = hubRepo({ [TEMPLATE_PATH]: templateText() });
  const hub = await open(dir);
  await publishOk(hub, 'deploy-web', 'major', { notes: 'First release' });
  commitAll(dir, { [TEMPLATE_PATH]: templateText({ helpText: 'Region to deploy to' }) }, 'help text');
  await publishOk(hub, 'deploy-web', 'patch');
  commitAll(dir, { [TEMPLATE_PATH]: templateText({ helpText: 'Region to deploy to', extraSteps: SMOKE_STEP }) }, 'smoke test');
  await publishOk(hub, 'deploy-web', 'minor', { notes: 'Adds a smoke test' });
  commitAll(dir, { [TEMPLATE_PATH]: templateText({ helpText: 'Region to deploy to', extraSteps: SMOKE_STEP, extraParameters: REQUIRED_PARAMETER }) }, 'url');
  await publishOk(hub, 'deploy-web', 'major', { notes: 'Requires the site URL' });
  commitAll(dir, { [TEMPLATE_PATH]: templateText({ helpText: 'Region to deploy to', extraSteps: SMOKE_STEP, extraParameters: REQUIRED_PARAMETER, withoutRegion: true }) }, 'no region');
  await publishOk(hub, 'deploy-web', 'prerelease');
  return { dir, hub };
}
