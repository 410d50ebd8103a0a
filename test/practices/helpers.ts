/**
 * A small hub, as files, that breaks no best practice; tests change one thing in it and expect exactly
 * the rule about that thing. Findings come from the real pipeline: validateHub, then the practice input
 * validate --hub builds, then checkBestPractices.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../../src/diagnostics.js';
import { REPO_ROOT } from '../model/helpers.js';
import { validateHub } from '../../src/model/validate.js';
import { checkBestPractices, practiceInputFromValidation, type FromValidationOptions } from '../../src/practices/index.js';
import type { RuleSetting } from '../../src/model/rule-settings.js';
import type { HubConfigDocument } from '../../src/model/types.js';

export const NOW = new Date('2026-03-01T12:00:00Z');

/** A policy file from the shipped demo hub (it only needs to be a valid policy). */
const POLICY = readFileSync(path.join(REPO_ROOT, 'templates/demo/.octopus/policies/no_disabled_steps.ocl'), 'utf8');

export const CONFIG = `environment "dev" {
    name = "Development"
    order = 1
}

environment "prod" {
    name = "Production"
    order = 2
}

tenant "acme" {
    name = "Acme"
    projects = ["api"]
}

project_group "shop" {
    name = "Shop"
}

project "web" {
    name = "Web"
    group = "shop"
    path = "projects/web/.octopus"
}

project "api" {
    name = "API"
    group = "shop"
    path = "projects/api/.octopus"
    tenanted = "TenantedOrUntenanted"
}

policy "no_disabled_steps" {
    active_version = "1.0.0"
}
`;

/** A Bash script step on a worker; `extra` holds more action lines (8-space indent), by default the worker pool. */
export function scriptStep(slug: string, name: string, script: string, extra = '        worker_pool = "hosted-ubuntu"\n'): string {
  return `step "${slug}" {
    name = "${name}"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.RunOnServer = "true"
            Octopus.Action.Script.ScriptBody = ${script.includes('\n') ? `<<-EOT\n${script.split('\n').map((l) => `                ${l}`).join('\n')}\n                EOT` : JSON.stringify(script)}
            Octopus.Action.Script.ScriptSource = "Inline"
            Octopus.Action.Script.Syntax = "Bash"
        }
${extra}    }
}
`;
}

export function variables(name: string, value: string): string {
  return `variable "${name}" {
    value "${value}" {}
}
`;
}

export function cleanHub(): Record<string, string> {
  return {
    'oclhub.ocl': CONFIG,
    '.octopus/policies/no_disabled_steps.ocl': POLICY,
    'projects/web/.octopus/deployment_process.ocl': scriptStep('greet', 'Greet the web team', 'echo "#{Greeting}"'),
    'projects/web/.octopus/variables.ocl': variables('Greeting', 'hello web'),
    'projects/api/.octopus/deployment_process.ocl': scriptStep('greet', 'Greet the API team', 'echo "#{Greeting}"'),
    'projects/api/.octopus/variables.ocl': variables('Greeting', 'hello api'),
  };
}

export async function practicesOf(files: Record<string, string>, options: FromValidationOptions = {}): Promise<{ diagnostics: Diagnostic[]; config?: HubConfigDocument }> {
  const sources = new Map(Object.entries(files));
  const validated = await validateHub({ files: sources, now: NOW });
  const input = practiceInputFromValidation(validated, sources, { now: NOW, ...options });
  return { diagnostics: checkBestPractices(input), ...(validated.config ? { config: validated.config } : {}) };
}

/** The rule settings of a parsed oclhub.ocl, as src/model/rule-settings.ts takes them. */
export function settingsOf(config: HubConfigDocument | undefined): RuleSetting[] {
  return (config?.rules ?? []).map((r) => ({
    code: r.code,
    ...(r.severity !== undefined ? { severity: r.severity } : {}),
    paths: r.paths,
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    range: r.labelRange ?? r.headerRange,
  }));
}

export function summary(d: Diagnostic): string {
  return `${d.code} ${d.severity} ${d.file ?? '-'}:${d.range?.start.line ?? 0} ${d.summary}`;
}
