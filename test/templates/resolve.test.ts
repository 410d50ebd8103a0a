import { beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub/index.js';
import { parseOcl } from '../../src/ocl/index.js';
import { processToOcl, resolutionToJson } from '../../src/templates/render.js';
import { hubWithHistory, processText } from '../hub/helpers.js';

const FILE = '.octopus/deployment_process.ocl';
let hub: Hub;

beforeAll(async () => {
  ({ hub } = await hubWithHistory());
}, 60_000);

async function resolve(text: string, extraFiles: Record<string, string> = {}) {
  const resolution = await hub.resolveProject({ files: new Map(Object.entries({ [FILE]: text, ...extraFiles })) });
  return { resolution, process: resolution.processes[0]!, usage: resolution.processes[0]?.usages[0] };
}

const urlParameter = `    parameter "Template.WorkerPool" {
        value = "WorkerPools-1"
    }

    parameter "Template.Url" {
        value = "https://example.com"
    }
`;

describe('version masks against published tags', () => {
  it('1.X takes the newest 1.x (1.1.0), never 2.0.0', async () => {
    const { usage, process } = await resolve(processText('1.X'));
    expect(usage?.version).toBe('1.1.0');
    expect(usage?.available).toEqual(['1.0.0', '1.0.1', '1.1.0', '2.0.0', '3.0.0-prerelease.1']);
    expect(process.diagnostics).toEqual([]);
  });

  it('sorts a template\'s versions once per tag listing, and hands every usage and caller a list of its own', async () => {
    const sorted = await hub.catalog.sortedVersions('process-templates', 'deploy-web');
    expect(Object.isFrozen(sorted)).toBe(true);
    expect(await hub.catalog.sortedVersions('process-templates', 'deploy-web')).toBe(sorted);
    const first = await resolve(processText('1.X'));
    first.usage!.available.push('9.9.9');
    const again = await resolve(processText('1.X'));
    expect(again.usage?.available).toEqual([...sorted]);
    expect(again.usage?.version).toBe('1.1.0');
    const listed = await hub.catalog.versions('process-templates', 'deploy-web');
    listed.pop();
    expect(await hub.catalog.versions('process-templates', 'deploy-web')).toEqual([...sorted]);
    // A refresh lists the tags anew: a new list, sorted again.
    hub.catalog.refresh();
    const refreshed = await hub.catalog.sortedVersions('process-templates', 'deploy-web');
    expect(refreshed).not.toBe(sorted);
    expect(refreshed).toEqual(sorted);
  });

  it('2.X takes 2.0.0 and 1.0.X the latest 1.0 patch', async () => {
    expect((await resolve(processText('2.X', urlParameter))).usage?.version).toBe('2.0.0');
    expect((await resolve(processText('1.0.X'))).usage?.version).toBe('1.0.1');
    expect((await resolve(processText('1.x'))).usage?.version).toBe('1.1.0');
  });

  it('takes pre-releases only when the project opts in', async () => {
    const { usage } = await resolve(processText('prerelease', urlParameter));
    expect(usage?.version).toBe('3.0.0-prerelease.1');
    const none = await resolve(processText('3.X', urlParameter));
    expect(none.usage?.version).toBeUndefined();
    const d = none.process.diagnostics.find((x) => x.code === 'TPL103')!;
    expect(d.summary).toContain('3.X');
    expect(d.detail).toContain('2.0.0');
    expect(d.detail).toContain('3.0.0-prerelease.1');
    expect(d.range?.start.line).toBe(4);
  });

  it('names the mask and the published versions when nothing matches', async () => {
    const { process } = await resolve(processText('7.X'));
    const d = process.diagnostics.find((x) => x.code === 'TPL103')!;
    expect(d.detail).toMatch(/7\.X/);
    expect(d.detail).toContain('1.0.0, 1.0.1, 1.1.0, 2.0.0');
  });

  it('reports an unknown template with a suggestion', async () => {
    const { process } = await resolve(processText('1.X').replace('"deploy-web"', '"deploy-wbe"'));
    const d = process.diagnostics.find((x) => x.code === 'TPL102')!;
    expect(d.detail).toContain('deploy-web');
  });

  it('for a template nothing resembles, names both fixes: publish the file the hub has, or add or correct it', async () => {
    const { process } = await resolve(processText('1.X').replace('"deploy-web"', '"key-vault-retrieve-secrets"'));
    const d = process.diagnostics.find((x) => x.code === 'TPL102')!;
    expect(d.summary).toBe('Process template "key-vault-retrieve-secrets" has no published versions');
    // Publishing a template the hub does not have fails: the detail must not send the user there unconditionally.
    expect(d.detail).toContain(`(.octopus/process-templates/key-vault-retrieve-secrets.ocl), publish it with \`oclhub publish process-template key-vault-retrieve-secrets --bump major\``);
    expect(d.detail).toContain('add it to the hub or correct `process_template_slug`');
  });
});

describe('parameters', () => {
  it('applies defaults and keeps the usage values', async () => {
    const { usage } = await resolve(processText('1.X'));
    const byName = new Map(usage!.parameters.map((p) => [p.name, p]));
    expect(byName.get('Template.WorkerPool')).toMatchObject({ source: 'usage', value: 'WorkerPools-1', controlType: 'WorkerPool' });
    expect(byName.get('Template.Region')).toMatchObject({ source: 'default', value: 'eu', controlType: 'Select' });
  });

  it('requires parameters without a default (2.0.0 added Template.Url)', async () => {
    const { process } = await resolve(processText('2.X'));
    const d = process.diagnostics.find((x) => x.code === 'TPL111')!;
    expect(d.summary).toContain('Template.Url');
    expect(d.related?.[0]?.file).toBe('.octopus/process-templates/deploy-web.ocl');
  });

  it('rejects unknown names with a suggestion, bad Select values and package bindings of text parameters', async () => {
    const parameters = `    parameter "Template.WorkerPol" {
        value = "WorkerPools-1"
    }

    parameter "Template.WorkerPool" {
        value = "WorkerPools-1"
    }

    parameter "Template.Region" {
        value = "asia"
    }
`;
    const { process } = await resolve(processText('1.X', parameters));
    const codes = process.diagnostics.map((d) => d.code).sort();
    expect(codes).toEqual(['TPL110', 'TPL112']);
    expect(process.diagnostics.find((d) => d.code === 'TPL110')!.detail).toContain('Did you mean "Template.WorkerPool"');
    expect(process.diagnostics.find((d) => d.code === 'TPL112')!.detail).toContain('eu (Europe)');
    const expression = await resolve(processText('1.X', parameters.replace('"asia"', '"#{Project.Region}"').replace('WorkerPol"', 'WorkerPool"')));
    expect(expression.process.diagnostics).toEqual([]);
  });
});

describe('expansion', () => {
  it('replaces the usage by <usage>-<child> steps with provenance in the template and the project', async () => {
    const { process } = await resolve(processText('1.X'));
    expect(process.steps.map((s) => [s.slug, s.name])).toEqual([
      ['web-deploy', 'Web-Deploy'],
      ['web-smoke-test', 'Web-Smoke test'],
      ['notify', 'Notify'],
    ]);
    const first = process.steps[0]!;
    expect(first.provenance).toMatchObject({
      type: 'process_template',
      templateSlug: 'deploy-web',
      version: '1.1.0',
      tag: 'process-templates/deploy-web/v1.1.0',
      usage: 'web',
      templateStep: 'deploy',
      templateFile: '.octopus/process-templates/deploy-web.ocl',
      usageFile: FILE,
    });
    if (first.provenance.type !== 'process_template') throw new Error('expected template provenance');
    expect(first.provenance.usageRange.start.line).toBe(1);
    expect(first.provenance.templateRange.start.line).toBeGreaterThan(1);
    expect(first.step.actions[0]!.slug).toBe('web-deploy');
    expect(first.block.labels[0]!.value).toBe('web-deploy');
    expect(process.steps[2]!.provenance).toMatchObject({ type: 'step', file: FILE });
  });

  it('resolves runbook processes the same way', async () => {
    const runbook = `name = "Redeploy"

process {
${processText('1.0.X')
  .split('\n')
  .map((l) => (l === '' ? l : `    ${l}`))
  .join('\n')}}
`;
    const resolution = await hub.resolveProject({ files: new Map([['.octopus/runbooks/redeploy.ocl', runbook]]) });
    const process = resolution.processes[0]!;
    expect(process.kind).toBe('runbook');
    expect(process.runbook).toBe('redeploy');
    expect(process.usages[0]!.version).toBe('1.0.1');
    expect(process.steps.map((s) => s.slug)).toEqual(['web-deploy', 'notify']);
    // Printed as OCL: the runbook keeps its attributes, its process holds the expanded steps.
    const printed = parseOcl(processToOcl(process)!);
    expect(printed.diagnostics).toEqual([]);
    const [name, block] = printed.document.body;
    expect(name).toMatchObject({ type: 'attribute', name: 'name' });
    if (block?.type !== 'block') throw new Error('expected the process block');
    expect(block.body.map((e) => (e.type === 'block' ? `${e.name} ${e.labels[0]?.value}` : e.name))).toEqual(['step web-deploy', 'step notify']);
  });

  it('serialises the resolution as JSON with provenance and without model source ranges', async () => {
    const { resolution } = await resolve(processText('1.X'));
    const json = JSON.parse(JSON.stringify(resolutionToJson(resolution))) as { processes: { steps: { provenance: { templateRange?: unknown }; step: Record<string, unknown> }[] }[] };
    const step = json.processes[0]!.steps[0]!;
    expect(step.provenance.templateRange).toBeDefined();
    expect(step.step['range']).toBeUndefined();
    expect(step.step['slug']).toBe('web-deploy');
    expect(json.processes[0]).not.toHaveProperty('source');
    expect((json.processes[0] as unknown as { usages: { steps: string[] }[] }).usages[0]!.steps).toEqual(['web-deploy', 'web-smoke-test']);
  });

  it('reports expanded slugs that collide with the project steps', async () => {
    const text = processText('1.X').replace('step "notify"', 'step "web-deploy"');
    const { process } = await resolve(text);
    expect(process.diagnostics.map((d) => d.code)).toContain('TPL118');
  });
});
