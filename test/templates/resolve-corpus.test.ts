/**
 * Expansion of real Platform Hub templates (OctopusSamples/PlatformHubLibrary and the demo hub, read
 * from ../shared at test time and committed into a temporary hub) used by project-owned fixtures.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { printOcl } from '../../src/ocl/printer.js';
import { parseOcl } from '../../src/ocl/index.js';
import { git, hubRepo, open, PUBLISHER } from '../hub/helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VALID = path.resolve(ROOT, '../shared/corpus/ocl/valid');
const VERIFY = 'OctopusSamples__PlatformHubLibrary__process-templates__verify-build-artifacts__verify-build-artifacts.ocl';
const IIS = 'OctopusSolutionsEngineering__demo-platform-hub__.octopus__process-templates__iis-restart-web-site.ocl';
const available = existsSync(path.join(VALID, VERIFY)) && existsSync(path.join(VALID, IIS));
if (!available) console.warn(`skipping template corpus expansion: ${VALID} is absent`);

/** `step "<slug>"` labels and `name = "…"` of each top-level step, read with a regular expression (not the code under test). */
function stepsOf(text: string): { slug: string; name: string }[] {
  const out: { slug: string; name: string }[] = [];
  let current: { slug: string; name: string } | undefined;
  for (const line of text.split(/\r?\n/)) {
    const open = /^step "([^"]+)" \{$/.exec(line);
    if (open) current = { slug: open[1]!, name: open[1]! };
    const name = /^    name = "([^"]*)"$/.exec(line);
    if (current && name) current.name = name[1]!;
    if (current && line === '}') {
      out.push(current);
      current = undefined;
    }
  }
  if (current) out.push(current);
  return out;
}

const PROCESS = `process_template "verify-supply-chain" {
    name = "Verify Supply Chain"
    process_template_slug = "verify-build-artifacts"
    version_mask = "1.X"

    package_parameter "Template.SBOM.Artifact" {
        feed = "octopus-server-built-in"
        package_id = "Shop.SBOM"
    }

    parameter "Template.Git.AuthToken" {
        value = "#{Shop.GitHub.Token}"
    }

    parameter "Template.Verify.WorkerPool" {
        value = "WorkerPools-1"
    }

    parameter "Template.Verify.ExecutionContainerFeed" {
        value = "Feeds-1"
    }

    parameter "Template.Verify.IncludeMedium" {
        value = "True"
    }
}

step "deploy" {
    name = "Deploy"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.Script.ScriptBody = "echo deploy"
        }
        worker_pool = "hosted-ubuntu"
    }
}
`;

const RUNBOOK = `name = "Restart site"

process {
    process_template "restart" {
        name = "Restart"
        process_template_slug = "iis-restart-web-site"
        version_mask = "1.X"

        parameter "Template.Worker.Pool" {
            value = "WorkerPools-1"
        }

        parameter "Template.Target.Tags" {
            value = "web"
        }

        parameter "Template.Site.Name" {
            value = "Shop"
        }

        parameter "Template.Site.Url" {
            value = "https://shop.example.com"
        }

        parameter "Template.Notification.Teams" {
            value = "Teams-1"
        }
    }
}
`;

describe.skipIf(!available)('expansion of Platform Hub library and demo hub templates', () => {
  it('names expanded steps <usage>-<child> with provenance, in deployment processes and runbooks', async () => {
    const verifyText = readFileSync(path.join(VALID, VERIFY), 'utf8');
    const iisText = readFileSync(path.join(VALID, IIS), 'utf8');
    const dir = hubRepo({
      '.octopus/process-templates/verify-build-artifacts.ocl': verifyText,
      '.octopus/process-templates/iis-restart-web-site.ocl': iisText,
    });
    const hub = await open(dir);
    for (const slug of ['verify-build-artifacts', 'iis-restart-web-site']) {
      const published = await hub.publish({ kind: 'process-templates', slug, bump: 'major', publisher: PUBLISHER });
      expect(published.diagnostics.filter((d) => d.severity === 'error'), slug).toEqual([]);
    }
    expect(git(dir, ['tag', '-l']).trim().split('\n').sort()).toEqual([
      'process-templates/iis-restart-web-site/v1.0.0',
      'process-templates/verify-build-artifacts/v1.0.0',
    ]);

    const resolution = await hub.resolveProject({
      files: new Map([
        ['.octopus/deployment_process.ocl', PROCESS],
        ['.octopus/runbooks/restart-site.ocl', RUNBOOK],
      ]),
    });
    expect(resolution.diagnostics).toEqual([]);
    const [deployment, runbook] = resolution.processes;

    const verifySteps = stepsOf(verifyText);
    expect(verifySteps.length).toBe(4);
    expect(deployment!.steps.map((s) => s.slug)).toEqual([...verifySteps.map((s) => `verify-supply-chain-${s.slug}`), 'deploy']);
    expect(deployment!.steps.slice(0, 4).map((s) => s.name)).toEqual(verifySteps.map((s) => `Verify Supply Chain-${s.name}`));
    for (const [i, step] of deployment!.steps.slice(0, 4).entries()) {
      expect(step.provenance).toMatchObject({
        type: 'process_template',
        templateSlug: 'verify-build-artifacts',
        version: '1.0.0',
        usage: 'verify-supply-chain',
        templateStep: verifySteps[i]!.slug,
        templateFile: '.octopus/process-templates/verify-build-artifacts.ocl',
        usageFile: '.octopus/deployment_process.ocl',
      });
      if (step.provenance.type !== 'process_template') continue;
      // The template range points at the child's `step "<slug>"` line in the file at the tag.
      const line = verifyText.split(/\r?\n/)[step.provenance.templateRange.start.line - 1];
      expect(line).toBe(`step "${verifySteps[i]!.slug}" {`);
      expect(step.provenance.usageRange.start.line).toBe(1);
    }
    // The package reference keeps the parameter's name; defaults and bindings are recorded.
    const attach = deployment!.steps[1]!;
    expect(attach.step.actions[0]!.packages.map((p) => p.name)).toEqual(['Template.SBOM.Artifact']);
    const bindings = new Map(deployment!.usages[0]!.parameters.map((p) => [p.name, p]));
    expect(bindings.get('Template.SBOM.Artifact')).toMatchObject({ source: 'usage', feed: 'octopus-server-built-in', packageId: 'Shop.SBOM' });
    expect(bindings.get('Template.Verify.Attestations')).toMatchObject({ source: 'default', value: 'True' });

    const iisSteps = stepsOf(iisText);
    expect(runbook!.kind).toBe('runbook');
    expect(runbook!.steps.map((s) => s.slug)).toEqual(iisSteps.map((s) => `restart-${s.slug}`));
    const rectify = runbook!.steps.find((s) => s.slug === 'restart-rectify')!;
    expect(rectify.step.actions.map((a) => a.slug)).toEqual(['restart-restart-site', 'restart-verify-site']);
    expect(rectify.step.actions.map((a) => a.name)).toEqual(['Restart-♻️ Restart site', 'Restart-🔍 Verify site']);

    // The expanded process prints as OCL that parses back with the renamed steps.
    const printed = printOcl({ type: 'document', body: deployment!.steps.map((s) => s.block), lineEnding: '\n', finalNewline: true, bom: false, range: deployment!.steps[0]!.block.range });
    const reparsed = parseOcl(printed);
    expect(reparsed.diagnostics).toEqual([]);
    expect(reparsed.document.body.map((e) => (e.type === 'block' ? e.labels[0]?.value : undefined))).toEqual(deployment!.steps.map((s) => s.slug));
  });

  it('reports a Checkbox value, a missing package id and a missing required parameter against the library template', async () => {
    const dir = hubRepo({ '.octopus/process-templates/verify-build-artifacts.ocl': readFileSync(path.join(VALID, VERIFY), 'utf8') });
    const hub = await open(dir);
    await hub.publish({ kind: 'process-templates', slug: 'verify-build-artifacts', bump: 'major', publisher: PUBLISHER });
    const broken = PROCESS.replace('value = "True"', 'value = "yes"')
      .replace('package_id = "Shop.SBOM"', 'package_id = ""')
      .replace(/    parameter "Template.Verify.WorkerPool" \{\n.*\n    \}\n\n/, '');
    const resolution = await hub.resolveProject({ files: new Map([['.octopus/deployment_process.ocl', broken]]) });
    expect(resolution.diagnostics.map((d) => d.code).sort()).toEqual(['TPL111', 'TPL113', 'TPL114']);
    expect(resolution.diagnostics.find((d) => d.code === 'TPL111')!.summary).toContain('Template.Verify.WorkerPool');
  });
});
