import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffEvaluations, decisionState } from '../../src/lint/diff.js';
import { evaluateTarget, lintHub, locateDecision, projectContexts, registeredTargets, renderedReportKey } from '../../src/lint/engine.js';
import { buildInput, contextFromConfig } from '../../src/policy/input.js';
import type { Evaluation } from '../../src/report/lint-report.js';
import { removeDir, tempDir } from '../git/helpers.js';
import { openHub } from '../../src/hub/index.js';
import { commitAll, demoHub, git, openAt } from '../e2e/demo-hub.js';

let dir: string;
let cacheDir: string;

beforeAll(async () => {
  dir = await demoHub();
  cacheDir = tempDir('oclhub-engine-cache-');
}, 60_000);

afterAll(() => {
  removeDir(dir);
  removeDir(cacheDir);
});

function decisionsOf(evaluations: Evaluation[]): string[] {
  return evaluations.flatMap((e) => e.decisions.map((d) => `${e.project}/${e.environment}/${e.tenant ?? '-'} ${d.policy} ${d.outcome}`));
}

describe('projectContexts', () => {
  it('expands tenanted projects to their connected tenants and keeps untenanted ones plain', async () => {
    const hub = await openAt(dir);
    const { targets } = await registeredTargets(hub);
    const bySlug = new Map(targets.map((t) => [t.slug, t]));
    expect(projectContexts(hub.config, bySlug.get('reporting')!, {})).toEqual([{ environment: 'development' }, { environment: 'production' }]);
    const payments = projectContexts(hub.config, bySlug.get('payments-api')!, { environments: ['production'] });
    expect(payments).toEqual([{ environment: 'production' }, { environment: 'production', tenant: 'acme' }, { environment: 'production', tenant: 'globex' }]);
    expect(projectContexts(hub.config, bySlug.get('payments-api')!, { environments: ['production'], tenants: ['globex'] })).toEqual([{ environment: 'production', tenant: 'globex' }]);
    // storefront is untenanted: a tenant filter leaves it nothing to evaluate.
    expect(projectContexts(hub.config, bySlug.get('storefront')!, { tenants: ['acme'] })).toEqual([]);
  });
});

describe('locateDecision', () => {
  it('points at the step a reason names, with the template line for template children', async () => {
    const hub = await openAt(dir);
    const resolution = await hub.resolveRegisteredProject('storefront');
    const process = resolution.processes.find((p) => p.kind === 'deployment_process')!;
    const context = contextFromConfig(hub.config, { project: 'storefront', environment: 'production' });
    if ('error' in context) throw new Error(context.error);
    const built = buildInput(process, context);
    const child = locateDecision({ reason: 'Steps without a smoke test: deploy-storefront-smoke-test' }, built, process);
    expect(child.step).toBe('deploy-storefront-smoke-test');
    expect(child.file).toBe('projects/storefront/.octopus/deployment_process.ocl');
    expect(child.related?.[0]?.file).toBe('.octopus/process-templates/deploy-web-app.ocl');
    const text = fs.readFileSync(path.join(dir, child.file), 'utf8').split('\n');
    expect(text[child.range!.start.line - 1]).toContain('process_template "deploy-storefront"');
    // "approve-production" is a whole word here; "notify-start" must not match "notify-start-extra".
    expect(locateDecision({ reason: 'approve-production is disabled' }, built, process).step).toBe('approve-production');
    const none = locateDecision({ reason: 'notify-start-extra is missing' }, built, process);
    expect(none.step).toBeUndefined();
    expect(none.file).toBe(process.file);
    expect(none.range?.start.line).toBe(1);
  });
});

describe('decisions of a project\'s contexts', () => {
  it('are what each context decides on its own, though lint takes a decision again where a policy reads the same input parts', async () => {
    const hub = await openAt(dir);
    const { targets } = await registeredTargets(hub);
    const now = new Date('2026-06-01T00:00:00Z');
    for (const release of [undefined, { version: '1.2.3' }]) {
      const run = await lintHub(hub, { cacheDir: false, now, ...(release ? { release } : {}) });
      expect(run.evaluated).toBe((3 + 9 + 2) * 3);
      for (const evaluation of run.report.evaluations) {
        const target = targets.find((t) => t.slug === evaluation.project)!;
        const alone = await evaluateTarget(hub, target, { environment: evaluation.environment, now, ...(evaluation.tenant !== undefined ? { tenant: evaluation.tenant } : {}), ...(release ? { release } : {}) });
        expect(evaluation.decisions, `${evaluation.project}/${evaluation.environment}/${evaluation.tenant ?? '-'}`).toEqual(alone.evaluation!.decisions);
      }
    }
  });
});

describe('lintHub cache', () => {
  it('reuses project results on an unchanged repository and recomputes only the changed project', async () => {
    const first = await lintHub(await openAt(dir), { cacheDir });
    expect(first.cached).toBe(0);
    expect(first.evaluated).toBe((3 + 9 + 2) * 3);
    const second = await lintHub(await openAt(dir), { cacheDir });
    expect(second.cached).toBe(3);
    expect(second.evaluated).toBe(0);
    expect(decisionsOf(second.report.evaluations)).toEqual(decisionsOf(first.report.evaluations));
    expect(second.report.evaluations).toEqual(first.report.evaluations);

    const file = 'projects/reporting/.octopus/deployment_process.ocl';
    const text = fs.readFileSync(path.join(dir, file), 'utf8').replace('is_disabled = true\n', '');
    commitAll(dir, { [file]: text }, 'enable the export');
    const third = await lintHub(await openAt(dir), { cacheDir });
    expect(third.cached).toBe(2);
    expect(third.evaluated).toBe(2 * 3);
    const reporting = third.report.evaluations.filter((e) => e.project === 'reporting');
    expect(reporting.flatMap((e) => e.decisions).filter((d) => d.policy === 'no_disabled_steps').map((d) => d.outcome)).toEqual(['pass', 'pass']);
  });

  it('keys a rendered report by commit, format and the exceptions in force', async () => {
    const a = await renderedReportKey(dir, 'HEAD', {}, 'json');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await renderedReportKey(dir, 'HEAD', {}, 'json')).toBe(a);
    expect(await renderedReportKey(dir, 'HEAD', {}, 'text')).not.toBe(a);
    expect(await renderedReportKey(dir, 'HEAD~1', {}, 'json')).not.toBe(a);
    // The demo exception expires on 2027-06-30: after that day the same commit renders differently.
    expect(await renderedReportKey(dir, 'HEAD', { now: new Date('2027-07-01T00:00:00Z') }, 'json')).not.toBe(a);
    expect(await renderedReportKey(dir, 'HEAD', { drafts: true }, 'json')).toBeUndefined();
  });
});

describe('diffEvaluations', () => {
  const ev = (decisions: Evaluation['decisions']): Evaluation[] => [{ project: 'p', environment: 'e', decisions }];
  const base = { inScope: true, allowed: false, action: 'block' as const };

  it('classifies newly blocked, newly allowed, changed and reason changed, and ignores version-only changes', () => {
    const before = ev([
      { policy: 'a', ...base, outcome: 'pass', allowed: true },
      { policy: 'b', ...base, outcome: 'violation', reason: 'x' },
      { policy: 'c', ...base, action: 'warn', outcome: 'violation', reason: 'x' },
      { policy: 'd', ...base, outcome: 'violation', reason: 'old' },
      { policy: 'e', ...base, outcome: 'pass', allowed: true, version: '1.0.0' },
    ]);
    const after = ev([
      { policy: 'a', ...base, outcome: 'violation', reason: 'now' },
      { policy: 'b', ...base, outcome: 'excepted', reason: 'x' },
      { policy: 'c', ...base, action: 'warn', outcome: 'pass', allowed: true },
      { policy: 'd', ...base, outcome: 'violation', reason: 'new' },
      { policy: 'e', ...base, outcome: 'pass', allowed: true, version: '1.1.0' },
      { policy: 'f', ...base, outcome: 'error', error: 'boom' },
    ]);
    expect(diffEvaluations(before, after).map((c) => [c.policy, c.kind, c.before.state, c.after.state])).toEqual([
      ['a', 'newly-blocked', 'allowed', 'blocked'],
      ['b', 'newly-allowed', 'blocked', 'excepted'],
      ['c', 'changed', 'warned', 'allowed'],
      ['d', 'reason-changed', 'blocked', 'blocked'],
      ['f', 'newly-blocked', 'allowed', 'blocked'],
    ]);
    expect(decisionState(undefined)).toBe('allowed');
  });
});

describe('Hub.compliance', () => {
  it('gives one row per context with its status', async () => {
    const hub = await openAt(dir);
    const matrix = await hub.compliance({ now: new Date('2026-01-01T00:00:00Z') });
    expect(matrix.rows).toHaveLength(14);
    const status = (context: string) => matrix.rows.find((r) => [r.project, r.environment, r.tenant].filter(Boolean).join('/') === context)?.status;
    expect(status('storefront/production')).toBe('allowed');
    expect(status('payments-api/production/acme')).toBe('allowed');
    expect(status('reporting/development')).toBe('allowed');
    // No manual intervention step in reporting's production deployments.
    expect(status('reporting/production')).toBe('blocked');
    expect(matrix.rows.find((r) => r.project === 'reporting' && r.environment === 'production')!.findings.map((d) => d.policy)).toEqual(['require_manual_approval_in_production']);
  });
});

describe('templates as of a ref', () => {
  it('hides template versions published after the ref', async () => {
    const before = git(dir, ['rev-parse', 'HEAD']).trim();
    const file = '.octopus/process-templates/manual-approval.ocl';
    const text = fs.readFileSync(path.join(dir, file), 'utf8').replace('Asks a team to approve', 'Asks a team to approve, politely,');
    commitAll(dir, { [file]: text }, 'manual-approval: wording');
    const published = await (await openAt(dir)).publish({ kind: 'process-templates', slug: 'manual-approval', bump: 'minor', publisher: { name: 'P', email: 'p@example.com' } });
    expect(published.version).toBe('1.1.0');
    const then = (await openHub({ dir, ref: before, templatesAsOfRef: true })).hub!;
    expect(await then.catalog.versions('process-templates', 'manual-approval')).toEqual(['1.0.0']);
    const now = (await openHub({ dir, templatesAsOfRef: true })).hub!;
    expect(await now.catalog.versions('process-templates', 'manual-approval')).toEqual(['1.0.0', '1.1.0']);
    const global = (await openHub({ dir, ref: before })).hub!;
    expect(await global.catalog.versions('process-templates', 'manual-approval')).toEqual(['1.0.0', '1.1.0']);
  });
});

describe('file diagnostics in the lint report', () => {
  it('reports each schema finding of a project file once, at its line, beside the policy decisions', async () => {
    const file = 'projects/storefront/.octopus/variables.ocl';
    const original = fs.readFileSync(path.join(dir, file), 'utf8');
    const lines = original.split('\n');
    const at = lines.findIndex((line) => /^\s+value "/.test(line));
    expect(at).toBeGreaterThan(0);
    lines.splice(at + 1, 0, '        environmnt = ["production"]');
    const hubDir = await demoHub({ [file]: lines.join('\n') });
    try {
      const run = await lintHub(await openAt(hubDir), { cacheDir: false });
      const found = run.report.diagnostics.filter((d) => d.file === file && /environmnt/.test(d.summary + (d.detail ?? '')));
      expect(found).toHaveLength(1);
      expect(found[0]!.range?.start.line).toBe(at + 2);
      expect(run.report.evaluations.length).toBeGreaterThan(0);
    } finally {
      removeDir(hubDir);
    }
  });
});
