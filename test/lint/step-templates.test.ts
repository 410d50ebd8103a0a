/**
 * Step templates: Octopus writes no `action_type` for an action based on a step template, yet its
 * policy input carries the template's type. oclhub takes it from `step_template "<Id>" { action_type }`
 * in oclhub.ocl, and without one leaves `ActionType` out and fails closed: every decision of a policy
 * that may read it is an error, located at the step, on every surface (lint, evaluate, input, the API).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { LintJson } from '../../src/report/lint-json.js';
import type { SarifLog } from '../../src/report/sarif.js';
import { hubPort } from '../../src/api/hub-port.js';
import { openHub } from '../../src/hub/index.js';
import { expectJson, startApi } from '../api/helpers.js';
import { commitAll } from '../git/helpers.js';
import { NO_DISABLED_STEPS, lineOf, repoSet, scriptStep, type RepoSet } from './repos.js';

const FILE = '.octopus/deployment_process.ocl';
const STARTER = fs.readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), '../../templates/policies/manual_intervention_in_production.ocl'), 'utf8');

/** A plan step, then an approval that is step template ActionTemplates-3 (a manual intervention, as Octopus writes it: no action_type). */
const PROCESS = `${scriptStep('plan')}
step "approve-plan" {
    name = "Approve Plan"

    action {
        properties = {
            Octopus.Action.Template.Id = "ActionTemplates-3"
            Octopus.Action.Template.Version = "2"
            Octopus.Action.Manual.Instructions = "Check the plan"
        }
    }
}
`;

const DECLARED = `
step_template "ActionTemplates-3" {
    name = "Approve Terraform Plan"
    action_type = "Octopus.Manual"
}
`;

/** Requires a manual intervention, found through a step's values without naming ActionType: the text check cannot see it read the type. */
const MANUAL_BY_VALUE = `name = "A manual intervention (by value)"
violation_action = "block"

conditions {
    rego = <<-EOT
        package manual_by_value

        default result := {"allowed": false, "reason": "no manual intervention"}

        result := {"allowed": true} if {
            some step in input.Steps
            some value in step
            value == "Octopus.Manual"
        }
        EOT
}

scope {
    rego = <<-EOT
        package manual_by_value

        default evaluate := true
        EOT
}
`;

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = memoryIo(cwd);
  const code = await main(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

describe('a step-template step whose template oclhub.ocl does not declare', () => {
  let set: RepoSet;
  beforeAll(async () => {
    set = await repoSet({
      projects: [{ slug: 'infra', files: { [FILE]: PROCESS } }],
      policies: { manual_intervention_in_production: STARTER, no_disabled_steps: NO_DISABLED_STEPS, manual_by_value: MANUAL_BY_VALUE },
    });
  }, 120_000);
  afterAll(() => set?.remove());

  it('lint: a policy that reads ActionType decides error at the step, with the fix; one that does not decides as before', async () => {
    const r = await cli(set.hub, 'lint', '--no-cache', '--format', 'json');
    expect(r.code, r.stderr).toBe(1);
    const json = JSON.parse(r.stdout) as LintJson;
    const decisions = json.evaluations[0]!.decisions;
    const manual = decisions.find((d) => d.policy === 'manual_intervention_in_production')!;
    expect(manual.outcome).toBe('error');
    expect(manual.action).toBe('block');
    expect(manual.error).toContain('step "approve-plan" (step template "ActionTemplates-3")');
    expect(manual.error).toContain('step_template "ActionTemplates-3" {\n    action_type = "..."\n}');
    expect(manual.location).toMatchObject({ file: FILE, step: 'approve-plan', range: { start: { line: lineOf(PROCESS, 'step "approve-plan"') } } });
    expect(manual.location?.repository?.location).toContain('infra');
    expect(decisions.find((d) => d.policy === 'no_disabled_steps')!.outcome).toBe('pass');
    // A policy that reaches the type through the step's values is refused in the evaluation, at the step.
    const byValue = decisions.find((d) => d.policy === 'manual_by_value')!;
    expect(byValue).toMatchObject({ outcome: 'error', action: 'block', location: { file: FILE, step: 'approve-plan' } });
    expect(byValue.error).toContain('step "approve-plan" (step template "ActionTemplates-3")');
    // The project's own finding says which steps have no ActionType, whatever the policies read.
    const sem043 = JSON.stringify(json).match(/"code":\s*"SEM043"/g) ?? [];
    expect(sem043).toHaveLength(1);

    const warned = await cli(set.hub, 'lint', '--no-cache', '--on-error', 'warn');
    expect(warned.code, warned.stderr).toBe(0);

    const sarif = JSON.parse((await cli(set.hub, 'lint', '--no-cache', '--format', 'sarif')).stdout) as SarifLog;
    const results = sarif.runs.flatMap((run) => run.results ?? []);
    const result = results.find((x) => JSON.stringify(x).includes('ActionTemplates-3'))!;
    expect(result).toBeDefined();
    expect(JSON.stringify(result.locations)).toContain('deployment_process.ocl');
    expect(result.locations?.[0]?.physicalLocation?.region?.startLine).toBe(lineOf(PROCESS, 'step "approve-plan"'));
  });

  it('evaluate blocks (exit 1); input leaves ActionType out of that step and says so', async () => {
    const gate = await cli(set.hub, 'evaluate', '--project', 'infra', '--environment', 'production', '--release-version', '1.0.0', '--format', 'json');
    expect(gate.code, gate.stderr).toBe(1);
    const body = JSON.parse(gate.stdout) as { decision: string; decisions: { policy: string; outcome: string; error?: string; location?: { file: string } }[] };
    expect(body.decision).toBe('blocked');
    expect(body.decisions.find((d) => d.policy === 'manual_intervention_in_production')).toMatchObject({ outcome: 'error', location: { file: FILE } });

    const input = await cli(set.hub, 'input', '--project', 'infra', '--environment', 'production', '--release-version', '1.0.0');
    expect(input.code, input.stderr).toBe(0);
    const steps = (JSON.parse(input.stdout) as { Steps: Record<string, unknown>[] }).Steps;
    expect(steps.find((s) => s['Slug'] === 'plan')!['ActionType']).toBe('Octopus.Script');
    const approve = steps.find((s) => s['Slug'] === 'approve-plan')!;
    expect(approve).not.toHaveProperty('ActionType');
    expect(approve['Source']).toEqual({ Type: 'Step Template', SlugOrId: 'ActionTemplates-3', Version: '2' });
    expect(input.stderr).toContain('SEM043');
    expect(input.stderr).toContain('approve-plan');
  });

  it('the HTTP gate (POST /api/evaluations) answers blocked with the message, located at the step', async () => {
    const { hub, diagnostics } = await openHub({ dir: set.hub });
    if (!hub) throw new Error(JSON.stringify(diagnostics));
    const api = await startApi(hubPort(hub, { tagTtlMs: 0 }));
    const gate = await expectJson<{ decision: string; policies: { policy: string; outcome: string; error?: string; location?: { file: string; step?: string } }[] }>(
      await api.post('/api/evaluations', { project: 'infra', environment: 'production', release: { version: '1.0.0' } }),
      200,
      'evaluation-response',
    );
    expect(gate.decision).toBe('blocked');
    const manual = gate.policies.find((d) => d.policy === 'manual_intervention_in_production')!;
    expect(manual).toMatchObject({ outcome: 'error', location: { file: FILE, step: 'approve-plan' } });
    expect(manual.error).toContain('step_template "ActionTemplates-3" {\n    action_type = "..."\n}');
    expect(gate.policies.find((d) => d.policy === 'no_disabled_steps')!.outcome).toBe('pass');
  });

  it('GET /api/projects/:slug/input leaves ActionType out and says so in an Oclhub-Warning header, located at the step', async () => {
    const { hub, diagnostics } = await openHub({ dir: set.hub });
    if (!hub) throw new Error(JSON.stringify(diagnostics));
    const api = await startApi(hubPort(hub, { tagTtlMs: 0 }));
    for (const attempt of ['computed', 'cached']) {
      const response = await api.get('/api/projects/infra/input?environment=production');
      const warning = response.headers.get('oclhub-warning');
      const input = await expectJson<{ Steps: { Slug: string; ActionType?: string }[] }>(response, 200, 'policy-input');
      expect(input.Steps.find((s) => s.Slug === 'approve-plan'), attempt).not.toHaveProperty('ActionType');
      const parsed = /^SEM043; repository="infra"; commit="[0-9a-f]{40}"; file="([^"]*)"; line=(\d+); column=1; summary=("(?:[^"\\]|\\.)*")$/.exec(warning ?? '');
      expect(parsed, `${attempt}: ${warning}`).not.toBeNull();
      expect([parsed![1], Number(parsed![2])]).toEqual([FILE, lineOf(PROCESS, 'step "approve-plan"')]);
      expect(JSON.parse(parsed![3]!)).toBe('ActionType is unknown for step "approve-plan" (step template "ActionTemplates-3"): the input leaves it out, as oclhub.ocl does not declare the step template');
    }
  });

  it('validate --hub warns once, at the first use, naming the project', async () => {
    const r = await cli(set.hub, 'validate', '--hub', '.', '--format', 'json', '--cache-dir', path.join(set.root, 'cache'));
    const json = JSON.parse(r.stdout) as { files: { file: string; diagnostics: { code: string; severity: string; summary: string }[] }[] };
    const found = json.files.flatMap((f) => f.diagnostics.filter((d) => d.code === 'SEM043').map((d) => ({ ...d, file: f.file })));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'warning', file: FILE });
    expect(found[0]!.summary).toContain('ActionTemplates-3');
    expect(found[0]!.summary).toContain('infra');
  });

  it('with the declaration: ActionType is the declared type and the run passes; the cache sees the change', async () => {
    const before = await cli(set.hub, 'lint', '--format', 'json');
    expect(before.code).toBe(1);
    const config = fs.readFileSync(path.join(set.hub, 'oclhub.ocl'), 'utf8');
    commitAll(set.hub, { 'oclhub.ocl': `${config}${DECLARED}` }, 'declare ActionTemplates-3');
    const after = await cli(set.hub, 'lint', '--format', 'json');
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout).not.toContain('SEM043');
    const decisions = (JSON.parse(after.stdout) as LintJson).evaluations[0]!.decisions;
    expect(decisions.map((d) => [d.policy, d.outcome])).toEqual([
      ['manual_intervention_in_production', 'pass'],
      ['no_disabled_steps', 'pass'],
      ['manual_by_value', 'pass'],
    ]);
    // An uncommitted edit of oclhub.ocl (the working tree is what lint reads) is seen by the cache too.
    fs.writeFileSync(path.join(set.hub, 'oclhub.ocl'), config);
    expect((await cli(set.hub, 'lint', '--format', 'json')).code).toBe(1);
    fs.writeFileSync(path.join(set.hub, 'oclhub.ocl'), `${config}${DECLARED}`);
    expect((await cli(set.hub, 'lint', '--format', 'json')).code).toBe(0);
    const input = await cli(set.hub, 'input', '--project', 'infra', '--environment', 'production');
    expect((JSON.parse(input.stdout) as { Steps: Record<string, unknown>[] }).Steps.find((s) => s['Slug'] === 'approve-plan')!['ActionType']).toBe('Octopus.Manual');
    expect(input.stderr).not.toContain('SEM043');
    const validate = await cli(set.hub, 'validate', '--hub', '.', '--format', 'json', '--cache-dir', path.join(set.root, 'cache'));
    const files = (JSON.parse(validate.stdout) as { files: { file: string; diagnostics: { code: string; severity: string }[] }[] }).files;
    expect((files.find((f) => f.file === 'oclhub.ocl')?.diagnostics ?? []).filter((d) => d.severity !== 'info')).toEqual([]);
    expect(validate.stdout).not.toContain('SEM043');
  });

  it('fmt keeps a step_template block as written', async () => {
    const folder = path.join(set.root, 'formatted');
    fs.mkdirSync(folder);
    const text = `base_path = ".octopus"\n${DECLARED}`;
    fs.writeFileSync(path.join(folder, 'oclhub.ocl'), text);
    const r = await cli(folder, 'fmt', '--check', 'oclhub.ocl');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(folder, 'oclhub.ocl'), 'utf8')).toBe(text);
  });
});

describe('validate --hub over projects in the hub and in other repositories', () => {
  let set: RepoSet;
  const IN_HUB = 'projects/web/.octopus/deployment_process.ocl';
  beforeAll(async () => {
    set = await repoSet({
      projects: [
        { slug: 'web', files: { 'README.md': 'web\n' }, block: '    path = "projects/web/.octopus"' },
        { slug: 'infra', files: { [FILE]: PROCESS } },
      ],
      hubFiles: { [IN_HUB]: PROCESS },
      policies: { no_disabled_steps: NO_DISABLED_STEPS },
    });
  }, 120_000);
  afterAll(() => set?.remove());

  it('warns once per undeclared template Id, at the first use (the hub project, registered first), naming both projects', async () => {
    const r = await cli(set.hub, 'validate', '--hub', '.', '--format', 'json', '--cache-dir', path.join(set.root, 'cache'));
    const json = JSON.parse(r.stdout) as { files: { file: string; repository?: unknown; diagnostics: { code: string; summary: string; range?: { start: { line: number } } }[] }[] };
    const found = json.files.flatMap((f) => f.diagnostics.filter((d) => d.code === 'SEM043').map((d) => ({ ...d, file: f.file, repository: f.repository })));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: IN_HUB, range: { start: { line: lineOf(PROCESS, 'step "approve-plan"') } } });
    expect(found[0]!.repository).toBeUndefined();
    expect(found[0]!.summary).toContain('used by projects "web", "infra"');
  });
});
