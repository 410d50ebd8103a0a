/**
 * The fixes diagnostics carry (`Diagnostic.fix`), which the language server offers as quick fixes:
 * each one, applied to the text, makes its finding go away and introduces no new one.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic, Fix } from '../../src/diagnostics.js';
import { validateFile } from '../../src/model/validate.js';

function apply(text: string, fix: Fix): string {
  const edits = [...fix.edits].sort((a, b) => b.range.start.offset - a.range.start.offset);
  let out = text;
  for (const edit of edits) out = out.slice(0, edit.range.start.offset) + edit.newText + out.slice(edit.range.end.offset);
  return out;
}

function check(path: string, text: string, code: string): { fixed: string; before: Diagnostic[]; after: Diagnostic[]; fix: Fix } {
  const before = validateFile({ path, text }).diagnostics;
  const finding = before.find((d) => d.code === code);
  if (!finding?.fix) throw new Error(`no ${code} with a fix in ${JSON.stringify(before.map((d) => d.code))}`);
  const fixed = apply(text, finding.fix);
  const after = validateFile({ path, text: fixed }).diagnostics;
  return { fixed, before, after, fix: finding.fix };
}

const codes = (diagnostics: Diagnostic[]) => diagnostics.map((d) => d.code).sort();

const STEP = `step "run" {
    name = "Run"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.Script.ScriptBody = "echo hi"
        }
    }
}
`;

const POLICY = `name = "Approvals"

scope {
    rego = <<-EOT
        package approvals
        default evaluate := true
        EOT
}

conditions {
    rego = <<-EOT
        package approvals
        default result := {"allowed": true}
        EOT
}
`;

describe('fixes carried by diagnostics', () => {
  it('renames a misspelt attribute (SCH001) and block (SCH002)', () => {
    const attribute = check('.octopus/deployment_process.ocl', STEP.replace('action_type', 'action_tpye'), 'SCH001');
    expect(attribute.fix.title).toBe('Rename to `action_type`');
    expect(attribute.fixed).toBe(STEP);
    const block = check('.octopus/deployment_process.ocl', STEP.replace('    action {', '    actoin {'), 'SCH002');
    expect(block.fixed).toBe(STEP);
  });

  it('replaces a value that is not one of the allowed ones (SCH005, POL001, TPL007)', () => {
    const condition = check('.octopus/deployment_process.ocl', STEP.replace('name = "Run"', 'name = "Run"\n    condition = "Sucess"'), 'SCH005');
    expect(condition.fixed).toContain('condition = "Success"');
    expect(codes(condition.after)).toEqual([]);
    const action = check('.octopus/policies/approvals.ocl', POLICY.replace('name = "Approvals"', 'name = "Approvals"\nviolation_action = "blok"'), 'POL001');
    expect(action.fixed).toContain('violation_action = "block"');
    expect(codes(action.after)).toEqual([]);
    const template = `name = "T"\n\nparameter "Template.Choice" {\n    display_settings = {\n        Octopus.ControlType = "Dropdown"\n    }\n    label = "Choice"\n}\n\n${STEP}`;
    const control = check('.octopus/process-templates/t.ocl', template, 'TPL007');
    expect(control.fixed).toContain('Octopus.ControlType = "Select"');
    expect(codes(control.after)).not.toContain('TPL007');
  });

  it('adds a missing required attribute (SCH003)', () => {
    const { fixed, after } = check('.octopus/policies/approvals.ocl', POLICY.replace('name = "Approvals"\n\n', ''), 'SCH003');
    expect(fixed.startsWith('name = ""\n')).toBe(true);
    expect(codes(after)).not.toContain('SCH003');
    const usage = 'process_template "use" {\n    process_template_slug = "t"\n}\n';
    const added = check('.octopus/deployment_process.ocl', usage, 'SCH003');
    expect(added.fixed).toBe('process_template "use" {\n    process_template_slug = "t"\n    version_mask = ""\n}\n');
  });

  it('fixes a template reference (TPL004) and a policy package (POL003)', () => {
    const template = `name = "T"\n\nparameter "Template.Site" {\n    display_settings = {\n        Octopus.ControlType = "SingleLineText"\n    }\n    label = "Site"\n}\n\n${STEP.replace('echo hi', 'echo #{Template.Stie}')}`;
    const reference = check('.octopus/process-templates/t.ocl', template, 'TPL004');
    expect(reference.fixed).toContain('echo #{Template.Site}');
    expect(codes(reference.after)).not.toContain('TPL004');
    const pkg = check('.octopus/policies/approvals.ocl', POLICY.replace('package approvals\n        default result', 'package aprovals\n        default result'), 'POL003');
    expect(pkg.fixed).toBe(POLICY);
  });

  it('migrates legacy forms (SCH104 steps/actions, SCH106 attribute names, SCH101 file names)', () => {
    const legacy = STEP.replace('step "run"', 'steps "run"').replace('    action {', '    actions {');
    const steps = check('.octopus/deployment_process.ocl', legacy, 'SCH104');
    expect(steps.fixed).toBe(STEP);
    const feed = STEP.replace('        properties = {', '        packages {\n            feed_id_or_name = "feeds-builtin"\n        }\n        properties = {');
    expect(check('.octopus/deployment_process.ocl', feed, 'SCH106').fixed).toContain('            feed = "feeds-builtin"');
    const renamed = check('.octopus/deployment-process.ocl', STEP, 'SCH101');
    expect(renamed.fix.renameFileTo).toBe('deployment_process.ocl');
    expect(renamed.fix.edits).toEqual([]);
  });
});
