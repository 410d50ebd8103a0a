/**
 * `oclhub validate` honours rule settings (`rule "<CODE>" { … }` in oclhub.ocl) — the hub's for
 * `--hub`, and for files the oclhub.ocl at their repository root — and reports what they silenced;
 * it runs the same policy compatibility checks as `oclhub test`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { commitAll, git } from '../git/helpers.js';
import { run, tempTree } from './helpers.js';

/** A process template with one TPL005 (a project variable) on the script line. */
const TEMPLATE = `name = "Greet"

parameter "Template.Name" {
    display_settings = {
        Octopus.ControlType = "SingleLineText"
    }
    label = "Name"
}

step "greet" {
    name = "Greet"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.Script.ScriptBody = "Write-Host #{Template.Name} #{Project.Greeting}"
            Octopus.Action.Script.ScriptSource = "Inline"
        }
    }
}
`;

/** A deployment process whose action has an unknown attribute (SCH001 warning). */
const PROCESS = 'step "deploy" {\n    name = "Deploy"\n\n    action {\n        action_type = "Octopus.Script"\n        colour = "blue"\n    }\n}\n';

interface JsonRun {
  files: { file: string; diagnostics: Diagnostic[] }[];
  summary: { files: number; errors: number; warnings: number; infos: number; suppressed: number };
  suppressed: Diagnostic[];
}

async function json(cwd: string, ...args: string[]): Promise<{ code: number; report: JsonRun }> {
  const r = await run(cwd, 'validate', '--format', 'json', ...args);
  return { code: r.code, report: JSON.parse(r.stdout) as JsonRun };
}

describe('validate <files> with the rule settings of the repository root', () => {
  async function projectRepository(rules: string): Promise<string> {
    const root = await tempTree({
      '.octopus/process-templates/greet.ocl': TEMPLATE,
      '.octopus/deployment_process.ocl': PROCESS,
      'oclhub.ocl': rules,
    });
    mkdirSync(path.join(root, '.git'));
    return root;
  }

  it('silences a code for the files its paths match, counts it in the summary and lists it in JSON', async () => {
    const root = await projectRepository('rule "TPL005" {\n    paths = [".octopus/process-templates/**"]\n    reason = "Greeting comes from the library set"\n    severity = "off"\n}\n');
    const text = await run(root, 'validate', '.octopus');
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain('TPL005');
    expect(text.stdout.trimEnd().split('\n').at(-1)).toBe('0 errors, 1 warning in 2 files (1 suppressed by rule settings in oclhub.ocl)');

    const { report } = await json(root, '.octopus');
    expect(report.summary).toEqual({ files: 2, errors: 0, warnings: 1, infos: 0, suppressed: 1 });
    expect(report.suppressed).toHaveLength(1);
    expect(report.suppressed[0]).toMatchObject({
      code: 'TPL005',
      severity: 'warning',
      file: '.octopus/process-templates/greet.ocl',
      adjusted: { originalSeverity: 'warning', reason: 'Greeting comes from the library set', file: 'oclhub.ocl', range: { start: { line: 1 } } },
    });
  });

  it('matches paths from the repository root whatever folder validate runs in', async () => {
    const root = await projectRepository('rule "TPL005" {\n    paths = [".octopus/process-templates/*.ocl"]\n    severity = "off"\n}\n');
    const { report } = await json(path.join(root, '.octopus'), 'process-templates');
    expect(report.files.map((f) => f.file)).toEqual(['process-templates/greet.ocl']);
    expect(report.summary.suppressed).toBe(1);
    expect(report.suppressed[0]!.file).toBe('process-templates/greet.ocl');
    expect(report.suppressed[0]!.adjusted?.file).toBe('../oclhub.ocl');
  });

  it('raises a severity: an unknown attribute made an error fails the run, marked as adjusted', async () => {
    const root = await projectRepository('rule "SCH001" {\n    reason = "We keep our files exactly as Octopus writes them"\n    severity = "error"\n}\n');
    const { code, report } = await json(root, '.octopus/deployment_process.ocl');
    expect(code).toBe(1);
    const found = report.files[0]!.diagnostics.find((d) => d.code === 'SCH001')!;
    expect(found).toMatchObject({ severity: 'error', adjusted: { originalSeverity: 'warning' } });
  });

  it('reports settings that name unknown codes, at their rule block, with did-you-mean', async () => {
    const root = await projectRepository('rule "TPL05" {\n    severity = "off"\n}\n');
    const { code, report } = await json(root, '.octopus');
    expect(code).toBe(0);
    const settings = report.files.find((f) => f.file === 'oclhub.ocl')!;
    expect(settings.diagnostics.map((d) => [d.code, d.severity, d.range?.start.line])).toEqual([['HUB031', 'warning', 1]]);
    expect(settings.diagnostics[0]!.summary).toContain('did you mean "TPL005"?');
    expect(report.summary.suppressed).toBe(0);
  });

  it('never lowers a syntax error, and says so about the setting that tries', async () => {
    const root = await projectRepository('rule "OCL*" {\n    severity = "off"\n}\n');
    writeFileSync(path.join(root, '.octopus/deployment_process.ocl'), 'step "deploy" {\n    name = Deploy\n}\n');
    const { code, report } = await json(root, '.octopus/deployment_process.ocl');
    expect(code).toBe(1);
    expect(report.files.flatMap((f) => f.diagnostics).map((d) => `${d.severity} ${d.code}`).sort()).toEqual(['error OCL011', 'warning HUB030']);
    expect(report.summary.suppressed).toBe(0);
  });

  it('reports an oclhub.ocl that cannot be parsed and silences nothing', async () => {
    const root = await projectRepository('rule "TPL005" {\n    severity = off\n}\n');
    const { code, report } = await json(root, '.octopus');
    expect(code).toBe(1);
    expect(report.files.find((f) => f.file === 'oclhub.ocl')!.diagnostics.map((d) => d.code)).toEqual(['OCL011']);
    expect(report.files.flatMap((f) => f.diagnostics).some((d) => d.code === 'TPL005')).toBe(true);
    expect(report.summary.suppressed).toBe(0);
  });

  it('does not look past the repository root for an oclhub.ocl', async () => {
    const outer = await tempTree({ 'oclhub.ocl': 'rule "TPL005" {\n    severity = "off"\n}\n', 'app/.octopus/process-templates/greet.ocl': TEMPLATE });
    mkdirSync(path.join(outer, 'app/.git'));
    const { report } = await json(path.join(outer, 'app'), '.octopus');
    expect(report.summary.suppressed).toBe(0);
    expect(report.files[0]!.diagnostics.map((d) => d.code)).toEqual(['TPL005']);
  });
});

const UNGUARDED_POLICY = `name = "Minimum release"
violation_reason = "Release too old"

conditions {
    rego = <<-EOT
        package minimum_release

        default result := {"allowed": true}

        result := {"allowed": false, "Reason": "too old"} if {
            input.Release.Version == "0.0.1"
        }
        EOT
}

scope {
    rego = <<-EOT
        package minimum_release

        default evaluate := true
        EOT
}
`;

describe('validate runs the policy compatibility checks of oclhub test', () => {
  it('on policy files', async () => {
    const root = await tempTree({ '.octopus/policies/minimum_release.ocl': UNGUARDED_POLICY });
    const { code, report } = await json(root, '.octopus');
    expect(code).toBe(0);
    const found = report.files[0]!.diagnostics.map((d) => [d.code, d.severity, d.range?.start.line]);
    expect(found).toEqual([
      ['POL104', 'warning', UNGUARDED_POLICY.split('\n').findIndex((l) => l.includes('"Reason"')) + 1],
      ['POL101', 'warning', UNGUARDED_POLICY.split('\n').findIndex((l) => l.includes('input.Release')) + 1],
    ]);
  });

  it('in a hub, where the hub’s rule settings apply to them', async () => {
    const root = await tempTree({
      '.octopus/policies/minimum_release.ocl': UNGUARDED_POLICY,
      'oclhub.ocl': 'rule "POL104" {\n    reason = "Octopus samples write Reason"\n    severity = "info"\n}\n',
    });
    git(root, ['init', '-q', '-b', 'main']);
    commitAll(root, {}, 'hub');
    const { report } = await json(root, '--hub', '.');
    const policy = report.files.find((f) => f.file === '.octopus/policies/minimum_release.ocl')!;
    // The policy is active nowhere (BP027, info): this test is about the POL checks.
    expect(policy.diagnostics.filter((d) => d.code.startsWith('POL')).map((d) => [d.code, d.severity])).toEqual([
      ['POL104', 'info'],
      ['POL101', 'warning'],
    ]);
    expect(policy.diagnostics.find((d) => d.code === 'POL104')!.adjusted).toMatchObject({ originalSeverity: 'warning', reason: 'Octopus samples write Reason' });
  });

  it('fails on Rego that parses but does not compile (POL105), at the OCL line of the Rego error', async () => {
    const policy = [
      'name = "Unsafe"',
      '',
      'conditions {',
      '    rego = <<-EOT',
      '        package unsafe',
      '',
      '        result := {"allowed": x}',
      '        EOT',
      '}',
      '',
      'scope {',
      '    rego = <<-EOT',
      '        package unsafe',
      '',
      '        default evaluate := true',
      '        EOT',
      '}',
      '',
    ].join('\n');
    const root = await tempTree({ '.octopus/policies/unsafe.ocl': policy });
    const { code, report } = await json(root, '.octopus');
    expect(code).toBe(1);
    expect(report.files[0]!.diagnostics.map((d) => [d.code, d.severity, d.range?.start.line])).toEqual([['POL105', 'error', 7]]);
  });
});
