import { describe, expect, it } from 'vitest';
import { validateFile } from '../../src/model/index.js';
import { fixture, lineOf, only } from './helpers.js';

const NOW = new Date('2026-06-01T00:00:00Z');

function run(relative: string) {
  const f = fixture(relative);
  const result = validateFile({ path: f.path, text: f.text, context: { now: NOW } });
  return { ...result, text: f.text };
}

/** Asserts exactly one diagnostic with `code` and that it sits on `line`. */
function expectOne(result: ReturnType<typeof run>, code: string, line: number, severity?: string) {
  const found = only(result.diagnostics, code);
  expect(found.map((d) => d.range?.start.line), `${code} lines`).toEqual([line]);
  if (severity) expect(found[0]!.severity).toBe(severity);
  expect(found[0]!.file).toBe(result.path);
  return found[0]!;
}

describe('process checks', () => {
  const r = run('process/.octopus/deployment_process.ocl');
  it('SEM001 duplicate step slug points at the second label, with the first as related', () => {
    const d = expectOne(r, 'SEM001', lineOf(r.text, 'step "build"', 2), 'error');
    expect(d.related?.[0]?.range?.start.line).toBe(lineOf(r.text, 'step "build"', 1));
  });
  it('SEM002 duplicate action slug', () => expectOne(r, 'SEM002', lineOf(r.text, 'action "compile"', 2), 'error'));
  it('SEM003 duplicate step name and duplicate action name', () => {
    const lines = only(r.diagnostics, 'SEM003').map((d) => d.range?.start.line);
    expect(lines).toEqual([lineOf(r.text, 'name = "Build"', 2), lineOf(r.text, 'name = "Restart site"', 2)]);
  });
  it('SEM004 exact version as a mask', () => {
    const d = expectOne(r, 'SEM004', lineOf(r.text, 'version_mask'), 'error');
    expect(d.detail).toContain('<major>.<minor>.X');
  });
  it('SEM005 usage parameter set twice', () => expectOne(r, 'SEM005', lineOf(r.text, 'parameter "Template.Worker.Pool"', 2)));
});

describe('process template checks', () => {
  const r = run('templates/.octopus/process-templates/deploy-web.ocl');
  it('TPL001 default on a WorkerPool parameter', () => expectOne(r, 'TPL001', lineOf(r.text, 'value "hosted-ubuntu"'), 'error'));
  it('TPL002 worker-executed step without a WorkerPool parameter', () => {
    const d = expectOne(r, 'TPL002', lineOf(r.text, 'Octopus.Action.RunOnServer', 1), 'error');
    expect(d.detail).toContain('#{Template.WorkerPool}');
  });
  it('TPL003 worker_pool_variable bound to a non-WorkerPool parameter', () => expectOne(r, 'TPL003', lineOf(r.text, 'worker_pool_variable'), 'error'));
  it('TPL004 undeclared Template.* reference inside a heredoc, exact line and column', () => {
    const line = lineOf(r.text, '#{Template.Site.Nmae}');
    const d = expectOne(r, 'TPL004', line, 'error');
    expect(d.range!.start.column).toBe(r.text.split('\n')[line - 1]!.indexOf('#{Template.Site.Nmae}') + 1);
    expect(d.detail).toContain('Template.Site.Name');
  });
  it('TPL005 reference to a project variable', () => expectOne(r, 'TPL005', lineOf(r.text, '#{Project.Database.Name}'), 'warning'));
  it('system variables and declared parameters are not flagged', () => {
    const refs = [...only(r.diagnostics, 'TPL004'), ...only(r.diagnostics, 'TPL005')];
    expect(refs.some((d) => d.summary.includes('Octopus.Environment.Name'))).toBe(false);
    expect(refs.some((d) => d.summary.includes('{Template.Site.Name}'))).toBe(false);
  });
  it('TPL006 duplicate parameter', () => expectOne(r, 'TPL006', lineOf(r.text, 'parameter "Template.Site.Name"', 2)));
  it('TPL007 unknown control type suggests the Octopus name of the UI kind', () => {
    const d = expectOne(r, 'TPL007', lineOf(r.text, '"Dropdwn"'), 'warning');
    expect(d.detail).toContain('Select');
  });
  it('TPL008 hard-coded environments', () => expectOne(r, 'TPL008', lineOf(r.text, 'environments = ["production"]'), 'warning'));
  it('TPL009 hard-coded worker pool', () => expectOne(r, 'TPL009', lineOf(r.text, 'worker_pool = "hosted-windows"'), 'warning'));
  it('TPL010 select default outside its options', () => expectOne(r, 'TPL010', lineOf(r.text, 'value "slow"'), 'warning'));
  it('TPL012 parameter without a control type', () => expectOne(r, 'TPL012', lineOf(r.text, 'parameter "Template.Notes"'), 'warning'));
  it('TPL011 sensitive default in a project template parameter', () => {
    const p = run('templates/.octopus/project-templates/web-api/parameters.ocl');
    expect(p.kind).toBe('project_template_parameters');
    expectOne(p, 'TPL011', lineOf(p.text, 'value "10d00c16'), 'error');
  });
});

describe('policy checks', () => {
  it('POL002 dash in the file name (line 1)', () => {
    const r = run('templates/.octopus/policies/require-approval.ocl');
    const d = expectOne(r, 'POL002', 1, 'error');
    expect(d.detail).toContain('require_approval.ocl');
    expect(only(r.diagnostics, 'POL003')).toEqual([]);
  });
  it('POL001 violation_action other than block/warn; POL003/POL004 package mismatch; POL007 no result', () => {
    const r = run('templates/.octopus/policies/bad_action.ocl');
    expectOne(r, 'POL001', lineOf(r.text, 'violation_action'), 'error');
    expectOne(r, 'POL003', lineOf(r.text, 'package other_name'));
    expectOne(r, 'POL004', lineOf(r.text, 'package other_name'));
    expectOne(r, 'POL007', lineOf(r.text, 'rego = <<-EOT', 2));
    expect(only(r.diagnostics, 'POL006')).toEqual([]);
  });
  it('Rego positions map to the same OCL line and column in a CRLF file', () => {
    const f = fixture('templates/.octopus/policies/bad_action.ocl');
    const lf = validateFile({ path: f.path, text: f.text });
    const crlf = validateFile({ path: f.path, text: f.text.replace(/\n/g, '\r\n') });
    const pos = (r: typeof lf) => only(r.diagnostics, 'POL003').map((d) => [d.range?.start.line, d.range?.start.column]);
    expect(pos(crlf)).toEqual(pos(lf));
    const line = lineOf(f.text, 'package other_name');
    expect(pos(lf)).toEqual([[line, f.text.split('\n')[line - 1]!.indexOf('package') + 1]]);
  });
  it('POL005 no package line, POL006 no evaluate, POL008 Rego syntax errors mapped to the OCL line', () => {
    const r = run('templates/.octopus/policies/no_rules.ocl');
    expectOne(r, 'POL005', lineOf(r.text, 'rego = <<-EOT', 1));
    expectOne(r, 'POL006', lineOf(r.text, 'rego = <<-EOT', 1));
    const syntax = only(r.diagnostics, 'POL008').map((d) => d.range?.start.line);
    expect(syntax).toContain(lineOf(r.text, 'result := {"allowed": }'));
  });
  it('POL009 user-defined function', () => {
    const r = run('templates/.octopus/policies/udf_policy.ocl');
    expectOne(r, 'POL009', lineOf(r.text, 'is_prod(env) if'), 'error');
  });
  it('POL010 slug with upper-case letters', () => {
    const r = run('templates/.octopus/policies/BadSlug.ocl');
    expectOne(r, 'POL010', 1, 'error');
  });
  it('the policy model keeps the effective action and Rego source lines', () => {
    const r = run('templates/.octopus/policies/udf_policy.ocl');
    expect(r.document?.kind).toBe('policy');
    if (r.document?.kind !== 'policy') return;
    expect(r.document.slug).toBe('udf_policy');
    expect(r.document.effectiveViolationAction).toBe('warn');
    expect(r.document.conditions?.firstLine).toBe(lineOf(r.text, 'package udf_policy', 2));
  });
});

describe('project document checks', () => {
  it('SEM006 sensitive variable in variables.ocl', () => {
    const r = run('project/.octopus/variables.ocl');
    expectOne(r, 'SEM006', lineOf(r.text, 'type = "Sensitive"'), 'warning');
  });
  it('SEM007 migrated draft runbook', () => {
    const r = run('project/.octopus/runbooks/migrated-drafts/restart.ocl');
    expectOne(r, 'SEM007', 1, 'info');
    expect(r.document?.kind === 'runbook' && r.document.migratedDraft).toBe(true);
  });
});
