import { describe, expect, it } from 'vitest';
import { hubRepo, open, PUBLISHER } from '../hub/helpers.js';

const TEMPLATE = `name = "Cloud deploy"

parameter "Template.Account" {
    display_settings = {
        Octopus.ControlType = "UsernamePasswordAccount"
    }
    help_text = ""
    label = "Account"

    value "Accounts-123" {
        environment = ["development"]
    }
}

parameter "Template.Package" {
    display_settings = {
        Octopus.ControlType = "Package"
    }
    help_text = ""
    label = "Package"
}

parameter "Template.Verbose" {
    display_settings = {
        Octopus.ControlType = "Checkbox"
    }
    help_text = ""
    label = "Verbose"
    is_optional = true
}

step "run" {
    name = "Run"

    action {
        action_type = "Octopus.Manual"
        properties = {
            Octopus.Action.Manual.Instructions = "Approve"
        }
    }
}
`;

function usage(body: string): string {
  return `process_template "cloud" {
    name = "Cloud"
    process_template_slug = "cloud-deploy"
    version_mask = "1.X"

${body}}
`;
}

const PACKAGE = `    package_parameter "Template.Package" {
        feed = "octopus-server-built-in"
        package_id = "Shop"
    }
`;

async function setUp() {
  const hub = await open(hubRepo({ '.octopus/process-templates/cloud-deploy.ocl': TEMPLATE }));
  const published = await hub.publish({ kind: 'process-templates', slug: 'cloud-deploy', bump: 'major', publisher: PUBLISHER });
  expect(published.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return async (text: string, environments = ['development', 'staging', 'production'], file = '.octopus/deployment_process.ocl') =>
    hub.resolveProject({ files: new Map([[file, text]]), environments });
}

describe('account parameter precedence (platform-hub.md §2.2)', () => {
  it('an unscoped project value wins everywhere, including over the template scoped value', async () => {
    const resolve = await setUp();
    const r = await resolve(usage(`    parameter "Template.Account" {\n        value = "Project.Account"\n    }\n\n${PACKAGE}`));
    expect(r.diagnostics).toEqual([]);
    const account = r.processes[0]!.usages[0]!.parameters.find((p) => p.name === 'Template.Account')!;
    expect(account.byEnvironment).toEqual({
      development: { value: 'Project.Account', source: 'project' },
      staging: { value: 'Project.Account', source: 'project' },
      production: { value: 'Project.Account', source: 'project' },
    });
  });

  it('project scoped values cover their environments, the template covers the rest, uncovered environments are warned', async () => {
    const resolve = await setUp();
    const scoped = `    parameter "Template.Account" {
        value "Project.Staging.Account" {
            environment = ["staging"]
        }
    }

${PACKAGE}`;
    const r = await resolve(usage(scoped));
    const account = r.processes[0]!.usages[0]!.parameters.find((p) => p.name === 'Template.Account')!;
    expect(account.byEnvironment).toEqual({
      development: { value: 'Accounts-123', source: 'template' },
      staging: { value: 'Project.Staging.Account', source: 'project' },
    });
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([['TPL117', 'warning']]);
    expect(r.diagnostics[0]!.summary).toContain('"production"');
  });

  it('the template scoped default alone does not make an unbound account an error, but leaves environments uncovered', async () => {
    const resolve = await setUp();
    const r = await resolve(usage(PACKAGE), ['development']);
    expect(r.diagnostics).toEqual([]);
    const r2 = await resolve(usage(PACKAGE), ['development', 'production']);
    expect(r2.diagnostics.map((d) => d.code)).toEqual(['TPL117']);
  });
});

describe('package parameters', () => {
  it('must be bound with package_parameter in a project, but may name a project-template parameter in a project template', async () => {
    const resolve = await setUp();
    const asParameter = usage(`    parameter "Template.Package" {\n        value = "Template.Project.Package"\n    }\n`);
    const r = await resolve(asParameter);
    expect(r.diagnostics.map((d) => d.code)).toContain('TPL115');
    const inTemplate = await resolve(asParameter, ['development'], '.octopus/project-templates/web/deployment_process.ocl');
    expect(inTemplate.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('is required when not optional; optional parameters may stay unset; text parameters refuse package_parameter', async () => {
    const resolve = await setUp();
    const r = await resolve(usage(`    package_parameter "Template.Verbose" {\n        feed = "f"\n        package_id = "p"\n    }\n`), ['development']);
    expect(r.diagnostics.map((d) => d.code).sort()).toEqual(['TPL111', 'TPL116']);
    expect(r.diagnostics.find((d) => d.code === 'TPL111')!.summary).toContain('Template.Package');
  });
});
