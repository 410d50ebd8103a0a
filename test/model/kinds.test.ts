import { describe, expect, it } from 'vitest';
import { parseOcl } from '../../src/ocl/index.js';
import { classifyPath, detectDocumentKind, guessKindFromDocument } from '../../src/model/index.js';

describe('detectDocumentKind', () => {
  const cases: [string, string | undefined][] = [
    ['.octopus/deployment_process.ocl', 'deployment_process'],
    ['.octopus/argocd/deployment_process.ocl', 'deployment_process'],
    ['.octopus/deployment-process.ocl', 'deployment_process'],
    ['.octopus/deployment_settings.ocl', 'deployment_settings'],
    ['.octopus/variables.ocl', 'variables'],
    ['.octopus/schema_version.ocl', 'schema_version'],
    ['.octopus/schema-version.ocl', 'schema_version'],
    ['.octopus/channels.ocl', 'channels'],
    ['.octopus/templated_project_values.ocl', 'templated_project_values'],
    ['.octopus/telemetry/templated_project_values.ocl', 'templated_project_values'],
    ['.octopus/runbooks/restart.ocl', 'runbook'],
    ['.octopus/runbooks/migrated-drafts/create-cluster-1.ocl', 'runbook'],
    ['.octopus/policies/check_steps.ocl', 'policy'],
    ['policies/check-supply-chain/check_supply_chain.ocl', 'policy'],
    ['.octopus/process-templates/deploy-web.ocl', 'process_template'],
    ['.octopus/project-templates/api/template.ocl', 'project_template'],
    ['.octopus/project-templates/api/deployment_process.ocl', 'deployment_process'],
    ['.octopus/project-templates/api/parameters.ocl', 'project_template_parameters'],
    ['.octopus/project-templates/api/variables.ocl', 'variables'],
    ['.octopus/project-templates/api/channels/default.ocl', 'project_template_channel'],
    ['.octopus/project-templates/api/lifecycles/default.ocl', 'project_template_lifecycle'],
    ['oclhub.ocl', 'oclhub'],
    ['C:\\repo\\.octopus\\variables.ocl', 'variables'],
    ['.octopus/README.md', undefined],
    ['__tests__/test.ocl', undefined],
    ['.octopus/runbooks/nested/deeper/x.ocl', undefined],
    ['/home/ci/runbooks/app/.octopus/deployment_process.ocl', 'deployment_process'],
    ['/srv/process-templates/app/.octopus/variables.ocl', 'variables'],
    ['/srv/policies/team/repo/.octopus/runbooks/deploy.ocl', 'runbook'],
    ['/srv/project-templates/x/repo/.octopus/deployment_process.ocl', 'deployment_process'],
  ];
  for (const [path, kind] of cases) it(`${path} → ${kind}`, () => expect(detectDocumentKind(path)).toBe(kind));

  it('reports the slug, legacy names and project template folders', () => {
    expect(classifyPath('.octopus/policies/check_steps.ocl')).toEqual({ kind: 'policy', slug: 'check_steps' });
    expect(classifyPath('.octopus/deployment-process.ocl')?.legacyName).toBe('deployment-process.ocl');
    expect(classifyPath('.octopus/project-templates/api/parameters.ocl')?.projectTemplate).toBe('api');
    expect(classifyPath('.octopus/runbooks/migrated-drafts/a.ocl')).toEqual({ kind: 'runbook', slug: 'a', migratedDraft: true });
  });
});

describe('guessKindFromDocument', () => {
  const guess = (text: string) => guessKindFromDocument(parseOcl(text).document);
  it('recognises top-level shapes', () => {
    expect(guess('step "a" {\n    action {\n    }\n}\n')).toBe('deployment_process');
    expect(guess('name = "p"\n\nscope {\n    rego = "package p"\n}\n')).toBe('policy');
    expect(guess('version = 9')).toBe('schema_version');
    expect(guess('variable "A" {\n    value "1" {}\n}\n')).toBe('variables');
    expect(guess('base_path = ".octopus"\n')).toBe('oclhub');
    expect(guess('parameter "ProjectTemplate.X" {\n    value = "1"\n}\n')).toBe('templated_project_values');
    expect(guess('package_parameter "ProjectTemplate.Image" {\n    feed = "hub"\n}\n')).toBe('templated_project_values');
    expect(guess('parameter "Template.X" {\n    label = "X"\n\n    value "1" {}\n}\n')).toBe('project_template_parameters');
    expect(guess('action "x" {\n}\n')).toBeUndefined();
  });
});
