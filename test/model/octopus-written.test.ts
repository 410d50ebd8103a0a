/**
 * No false positives on what Octopus writes or accepts (issue 10 §1): account and certificate
 * sub-properties, templated_project_values.ocl, kinds never guessed from content, required attributes
 * with their did-you-mean, and old-writer heredocs checked without their schema_version.ocl.
 * Every file here is hand-written in the shapes Octopus writes.
 */
import { describe, expect, it } from 'vitest';
import { validateFile, validateHub, type TemplatedProjectValuesDocument } from '../../src/model/index.js';
import { lineOf, only } from './helpers.js';

const parameter = (name: string, controlType: string) => `parameter "${name}" {
    display_settings = {
        Octopus.ControlType = "${controlType}"
    }
    label = "${name}"
}
`;

/** A process template whose one script step holds `script`. */
function template(parameters: string, script: string): string {
  return `name = "Typed parameters"

${parameters}
step "run" {
    name = "Run"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.Script.ScriptBody = <<-EOT
                ${script.split('\n').join('\n                ')}
                EOT
            Octopus.Action.Script.ScriptSource = "Inline"
            Octopus.Action.Script.Syntax = "PowerShell"
        }
    }
}
`;
}

const TEMPLATE_PATH = '.octopus/process-templates/typed.ocl';
const TYPED = [
  parameter('Template.Docker.Account', 'UsernamePasswordAccount'),
  parameter('Template.Cert', 'Certificate'),
  parameter('Template.Aws', 'AmazonWebServicesAccount'),
  parameter('Template.Azure', 'AzureAccount'),
  parameter('Template.Gcp', 'GoogleCloudAccount'),
  parameter('Template.Oidc', 'GenericOidcAccount'),
  parameter('Template.Site', 'SingleLineText'),
].join('\n');

function check(script: string) {
  const text = template(TYPED, script);
  const r = validateFile({ path: TEMPLATE_PATH, text });
  return { text, diagnostics: r.diagnostics.filter((d) => /^TPL0(04|05|16)$/.test(d.code)) };
}

describe('account and certificate sub-properties of template parameters', () => {
  it('accepts the sub-properties Octopus documents for each account type and certificates', () => {
    const { diagnostics } = check(
      [
        '$u = $OctopusParameters["Template.Docker.Account.Username"]',
        '$p = $OctopusParameters["Template.Docker.Account.Password"]',
        'Write-Host "#{Template.Cert.Thumbprint} #{Template.Cert.PrivateKeyPem} #{Template.Cert.ChainPem} #{Template.Cert.NotAfter}"',
        '$k = $OctopusParameters["Template.Cert.PrivateKey"]',
        'aws: #{Template.Aws.AccessKey} #{Template.Aws.SecretKey} #{Template.Aws.RoleArn} #{Template.Aws.OpenIdConnect.Jwt}',
        'azure: #{Template.Azure.Client} #{Template.Azure.TenantId} #{Template.Azure.SubscriptionNumber} #{Template.Azure.OpenIdConnect.Jwt}',
        'gcp: #{Template.Gcp.JsonKey} #{Template.Gcp.Audience} #{Template.Gcp.OpenIdConnect.TokenLifetimeSeconds}',
        'oidc: #{Template.Oidc.Audience} #{Template.Oidc.OpenIdConnect.Jwt}',
      ].join('\n'),
    );
    expect(diagnostics).toEqual([]);
  });

  it('compares names case-insensitively, as Octopus looks variables up', () => {
    expect(check('$p = $OctopusParameters["template.docker.account.password"]\n#{TEMPLATE.SITE}').diagnostics).toEqual([]);
  });

  it('reports an undocumented sub-property as a warning with the likely one, never as TPL004', () => {
    const { text, diagnostics } = check('Write-Host "#{Template.Cert.Thumbprnt}"\n$x = $OctopusParameters["Template.Docker.Account.Token"]');
    expect(diagnostics.map((d) => [d.code, d.severity, d.range?.start.line])).toEqual([
      ['TPL016', 'warning', lineOf(text, 'Thumbprnt')],
      ['TPL016', 'warning', lineOf(text, 'Account.Token')],
    ]);
    expect(diagnostics[0]!.detail).toContain('Did you mean "Thumbprint"?');
    expect(diagnostics[1]!.summary).toContain('UsernamePasswordAccount parameter "Template.Docker.Account"');
  });

  it('still reports a dotted name under a text parameter, which has no sub-properties', () => {
    const { diagnostics } = check('#{Template.Site.Name}');
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([['TPL004', 'error']]);
  });

  it('says nothing about keys assembled at run time', () => {
    const { diagnostics } = check(
      [
        '$name = "Template.Oidc"',
        '$audience = $OctopusParameters["$($name).Audience"]',
        '$jwt = $OctopusParameters["$name.OpenIdConnect.Jwt"]',
        '$pass = $OctopusParameters["#{Template.Docker.Account}.Password"]',
        'Write-Host "#{Template.Accounts[#{Octopus.Environment.Name}].Username}"',
      ].join('\n'),
    );
    expect(diagnostics).toEqual([]);
  });

  it('applies to a project template process through its parameters.ocl', async () => {
    const folder = '.octopus/project-templates/api';
    const process = `step "login" {
    name = "Login"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.Script.ScriptBody = "docker login -u #{Template.Registry.Username} -p #{Template.Registry.Password} #{Template.Registry.Pasword}"
            Octopus.Action.Script.ScriptSource = "Inline"
        }
    }
}
`;
    const files = new Map([
      [`${folder}/parameters.ocl`, parameter('Template.Registry', 'UsernamePasswordAccount')],
      [`${folder}/deployment_process.ocl`, process],
    ]);
    const r = await validateHub({ files });
    expect(r.diagnostics.filter((d) => d.code.startsWith('TPL')).map((d) => [d.code, d.severity])).toEqual([['TPL016', 'warning']]);
  });
});

const VALUES = `package_parameter "ProjectTemplate.Api.Image" {
    feed = "docker-hub"
    package_id = "acme/api"
}

parameter "ProjectTemplate.Registry.Account" {
    value = "Shared.Registry.Account"
}

parameter "ProjectTemplate.TargetTags" {
    value = "k8s"
}

parameter "ProjectTemplate.Token" {
    value = "#{Shared.GitHub.Token}"
}`;

describe('templated_project_values.ocl', () => {
  it('is a kind of its own, validated against its schema without findings', () => {
    const r = validateFile({ path: '.octopus/templated_project_values.ocl', text: VALUES });
    expect(r.kind).toBe('templated_project_values');
    expect(r.diagnostics).toEqual([]);
    const doc = r.document as TemplatedProjectValuesDocument;
    expect(doc.parameters.map((p) => [p.name, p.value])).toEqual([
      ['ProjectTemplate.Registry.Account', 'Shared.Registry.Account'],
      ['ProjectTemplate.TargetTags', 'k8s'],
      ['ProjectTemplate.Token', '#{Shared.GitHub.Token}'],
    ]);
    expect(doc.packageParameters).toMatchObject([{ name: 'ProjectTemplate.Api.Image', feed: 'docker-hub', packageId: 'acme/api' }]);
  });

  it('reports a parameter set twice, and an unknown attribute as a warning with did-you-mean', () => {
    const text = `${VALUES}\n\nparameter "ProjectTemplate.TargetTags" {\n    valeu = "web"\n}\n`;
    const r = validateFile({ path: '.octopus/templated_project_values.ocl', text });
    expect(only(r.diagnostics, 'SEM005').map((d) => d.range?.start.line)).toEqual([lineOf(text, 'parameter "ProjectTemplate.TargetTags"', 2)]);
    expect(only(r.diagnostics, 'SCH001')[0]).toMatchObject({ severity: 'warning' });
    expect(only(r.diagnostics, 'SCH001')[0]?.detail).toContain('`value`');
  });

  it('sits in a project folder with an empty deployment process: the whole folder validates cleanly', async () => {
    const files = new Map([
      ['.octopus/deployment_process.ocl', ''],
      ['.octopus/schema_version.ocl', 'version = 10'],
      ['.octopus/templated_project_values.ocl', VALUES],
      ['.octopus/variables.ocl', 'variable "Api.Replicas" {\n    value "3" {}\n}'],
    ]);
    expect((await validateHub({ files })).diagnostics).toEqual([]);
  });
});

describe('a kind is never guessed from content', () => {
  it('checks a file outside every known layout for syntax only and says so once, as info', () => {
    const r = validateFile({ path: 'values.ocl', text: VALUES });
    expect(r.kind).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([['SCH020', 'info']]);
    expect(r.diagnostics[0]!.detail).toContain("a templated project's values (.octopus/templated_project_values.ocl)");
  });

  it('reports no schema or semantic errors against a guess, however wrong the content would be', () => {
    const policyLike = 'name = "x"\nviolation_action = "deny"\n\nscope {\n    rego = "package nope"\n}\n';
    const r = validateFile({ path: 'fixtures/a.ocl', text: policyLike });
    expect(r.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(['info SCH020']);
    expect(r.diagnostics[0]!.detail).toContain('a policy');
    // The same text where a policy lives is checked as one.
    const placed = validateFile({ path: '.octopus/policies/a.ocl', text: policyLike });
    expect(placed.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toContain('POL001');
  });

  it('still reports syntax errors in an unrecognised file', () => {
    const r = validateFile({ path: 'notes/x.ocl', text: 'a = \n' });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['OCL010']);
  });
});

describe('attributes Octopus requires', () => {
  it('an action without action_type is an error at the action, with the misspelling it probably is', () => {
    const text = 'step "deploy" {\n    name = "Deploy"\n\n    action {\n        acton_type = "Octopus.Script"\n    }\n}\n';
    const r = validateFile({ path: '.octopus/deployment_process.ocl', text });
    const missing = only(r.diagnostics, 'SCH003');
    expect(missing.map((d) => [d.severity, d.range?.start.line, d.range?.start.column])).toEqual([['error', lineOf(text, 'action {'), 5]]);
    expect(missing[0]!.summary).toBe('Missing required attribute `action_type` in the `action` block');
    expect(missing[0]!.detail).toBe('Did you mean `action_type`? The block sets `acton_type`, which Octopus does not read.');
    expect(only(r.diagnostics, 'SCH001').map((d) => [d.severity, d.range?.start.line])).toEqual([['warning', lineOf(text, 'acton_type')]]);
    // Nothing else: in particular no "must match else schema".
    expect(r.diagnostics.map((d) => d.code).sort()).toEqual(['SCH001', 'SCH003']);
  });

  it('is required in runbook and process template steps too, without a hint when nothing resembles it', () => {
    const runbook = 'name = "Restart"\n\nprocess {\n    step "restart" {\n        action {\n            worker_pool = "hosted"\n        }\n    }\n}\n';
    const r = validateFile({ path: '.octopus/runbooks/restart.ocl', text: runbook });
    expect(only(r.diagnostics, 'SCH003').map((d) => [d.range?.start.line, d.detail])).toEqual([[lineOf(runbook, 'action {'), undefined]]);
  });

  it('a step-template action names its template instead and needs no action_type', () => {
    const text = `step "notify" {
    name = "Notify"

    action {
        properties = {
            Octopus.Action.Template.Id = "ActionTemplates-101"
            Octopus.Action.Template.Version = "3"
        }
        worker_pool = "hosted-ubuntu"
    }
}
`;
    expect(validateFile({ path: '.octopus/deployment_process.ocl', text }).diagnostics).toEqual([]);
  });
});

describe('old-writer heredocs checked without their schema_version.ocl', () => {
  const process = (endTagIndent: number) => `step "hello" {
    name = "Hello"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.Script.ScriptBody = <<-EOT
                Write-Host "hello"
                Write-Host "again"
${' '.repeat(endTagIndent)}EOT
        }
    }
}
`;

  it('warns (SCH108) at the first such heredoc instead of silently reading it with the current rule', () => {
    const text = process(12);
    const r = validateFile({ path: '.octopus/deployment_process.ocl', text });
    expect(r.diagnostics.map((d) => [d.code, d.severity, d.range?.start.line, d.range?.start.column])).toEqual([['SCH108', 'warning', lineOf(text, 'ScriptBody'), 13]]);
    expect(r.diagnostics[0]!.summary).toContain('no schema_version.ocl');
  });

  it('says nothing about the shape today’s writer produces, or when the schema version is known', () => {
    expect(validateFile({ path: '.octopus/deployment_process.ocl', text: process(16) }).diagnostics).toEqual([]);
    expect(validateFile({ path: '.octopus/deployment_process.ocl', text: process(12), context: { schemaVersion: 6 } }).diagnostics).toEqual([]);
    const legacy = validateFile({ path: '.octopus/deployment_process.ocl', text: process(12), context: { schemaVersion: 5 } });
    expect(legacy.diagnostics.map((d) => d.code)).toEqual(['SCH108']);
    expect(legacy.diagnostics[0]!.summary).toContain('schema_version 5');
  });

  it('leaves hub files alone: a policy never had a schema_version.ocl', () => {
    const policy = `name = "Ok"\n\nconditions {\n    rego = <<-EOT\n        package ok\n        result := {"allowed": true}\n    EOT\n}\n\nscope {\n    rego = <<-EOT\n        package ok\n        evaluate := true\n    EOT\n}\n`;
    expect(validateFile({ path: '.octopus/policies/ok.ocl', text: policy }).diagnostics.filter((d) => d.code === 'SCH108')).toEqual([]);
  });
});

describe('runbook run retention (SCH107)', () => {
  // Shapes Octopus writes: a count alone before schema_version 10; since 10 a `type`, "Default" alone or
  // "Count" with quantity_to_keep and unit (a public StoreHub runbook at schema_version 10 has the latter).
  const runbook = (retention: string) =>
    `name = "Provision"\ndefault_guided_failure_mode = "EnvironmentDefault"\n\nconnectivity_policy {\n    allow_deployments_to_no_targets = true\n}\n\nrun_retention_policy {\n${retention}}\n\nprocess {\n    step "hello" {\n        name = "Hello"\n\n        action {\n            action_type = "Octopus.Script"\n            properties = {\n                Octopus.Action.Script.ScriptBody = "echo hi"\n                Octopus.Action.Script.ScriptSource = "Inline"\n                Octopus.Action.Script.Syntax = "Bash"\n            }\n            worker_pool_variable = ""\n        }\n    }\n}\n`;
  const codes = (retention: string, schemaVersion: number) =>
    validateFile({ path: '.octopus/runbooks/provision.ocl', text: runbook(retention), context: { schemaVersion } }).diagnostics.map((d) => [d.code, d.range?.start.line]);

  it('says nothing about a count with its type and unit, the shape of schema_version 10', () => {
    expect(codes('    quantity_to_keep = 5\n    type = "Count"\n    unit = "Days"\n', 10)).toEqual([]);
    expect(codes('    type = "Default"\n', 10)).toEqual([]);
  });

  it('notes a count without a type in a schema_version 10 file, and nothing in an older one', () => {
    const text = runbook('    quantity_to_keep = 100\n');
    expect(codes('    quantity_to_keep = 100\n', 10)).toEqual([['SCH107', lineOf(text, 'quantity_to_keep')]]);
    expect(codes('    quantity_to_keep = 100\n', 9)).toEqual([]);
  });
});
