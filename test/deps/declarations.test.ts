/**
 * Dependency declarations from both places — oclhub.ocl `dependency` blocks and the Verify Dependencies
 * template's JSON — checked against the hub, every finding positioned in the OCL.
 */
import { describe, expect, it } from 'vitest';
import { collectDependencies, effectiveAction } from '../../src/deps/index.js';
import { config, documentOf, HUB, positionOf, verifyDependenciesProcess } from './helpers.js';

const FILE = 'projects/web/.octopus/deployment_process.ocl';

function templateRun(json: string, extra = '', hub = HUB) {
  const text = verifyDependenciesProcess(json, extra);
  const set = collectDependencies(config(hub), [{ slug: 'web', documents: [documentOf(FILE, text)] }]);
  return { text, ...set };
}

function codes(diagnostics: { code: string }[]): string[] {
  return diagnostics.map((d) => d.code);
}

describe('the Verify Dependencies JSON', () => {
  it('reads the documented example: names, patterns, groups, tenants, prompted variables and actions', () => {
    const { declarations, diagnostics } = templateRun(`[
  {
    "projectName": "Spear",
    "versionPattern": ">1.0.54",
    "deployGroup": 1,
    "promptedVariables": [ { "name": "Prompted.Input.Variable", "value": "Dependency Checker" } ]
  },
  { "projectName": "TAKA", "versionPattern": "~2.4.0", "deployGroup": 1 },
  { "projectName": "tawa", "versionPattern": "^4.0.0", "dependencyAction": "continue", "deployGroup": 2 },
  { "projectName": "StoreHub", "versionPattern": ">1.0.3", "tenantName": "Internal", "deployGroup": 3 },
]`);
    expect(diagnostics).toEqual([]);
    expect(declarations.map((d) => [d.dependsOn, d.versionPattern, d.deployGroup, effectiveAction(d), d.tenant ?? null])).toEqual([
      ['spear', '>1.0.54', 1, 'Stop', null],
      ['taka', '~2.4.0', 1, 'Stop', null],
      ['tawa', '^4.0.0', 2, 'Continue', null],
      ['store-hub', '>1.0.3', 3, 'Stop', 'internal'],
    ]);
    expect(declarations[0]!.promptedVariables).toEqual([{ name: 'Prompted.Input.Variable', value: 'Dependency Checker' }]);
    expect(declarations.every((d) => d.approvalRequested && d.source.kind === 'template' && d.source.usage === 'verify-dependencies')).toBe(true);
  });

  it('points a JSON syntax error at its line and column in the heredoc', () => {
    const { text, diagnostics } = templateRun(`[
  { "projectName": "Spear", "versionPattern": ">1.0.54" }
  { "projectName": "TAKA", "versionPattern": "~2.4.0" }
]`);
    const error = diagnostics.find((d) => d.code === 'DEP001')!;
    expect(error.summary).toMatch(/a comma is expected/);
    expect(error.file).toBe(FILE);
    expect(error.range?.start).toMatchObject(positionOf(text, '{ "projectName": "TAKA"'));
  });

  it('names unknown projects with did-you-mean, and explains that the template finds projects by name, not slug', () => {
    const { text, diagnostics } = templateRun(`[
  { "projectName": "Speer", "versionPattern": ">1.0.0" },
  { "projectName": "store-hub", "versionPattern": ">1.0.0" }
]`);
    const unknown = diagnostics.filter((d) => d.code === 'DEP003');
    expect(unknown.map((d) => d.detail)).toEqual([
      'Did you mean "Spear"? The template finds projects by name (case-insensitive).',
      '"store-hub" is a project slug; the template finds projects by name: write "StoreHub".',
    ]);
    expect(unknown[0]!.range?.start).toMatchObject(positionOf(text, '"Speer"'));
    expect(unknown.every((d) => d.severity === 'error' && d.project === 'web')).toBe(true);
  });

  it('rejects patterns the template would never match, at the pattern', () => {
    const { text, diagnostics } = templateRun(`[
  { "projectName": "Spear", "versionPattern": ">1.2" },
  { "projectName": "TAKA", "versionPattern": ">=2.4.0" },
  { "projectName": "TAWA", "versionPattern": "^4.0.0-beta" }
]`);
    const invalid = diagnostics.filter((d) => d.code === 'DEP004');
    expect(invalid.map((d) => d.range?.start)).toEqual([expect.objectContaining(positionOf(text, '">1.2"')), expect.objectContaining(positionOf(text, '">=2.4.0"'))]);
    expect(invalid[0]!.detail).toBe('Fix: write >1.2.0.');
    const ignored = diagnostics.find((d) => d.code === 'DEP010')!;
    expect(ignored.summary).toBe('The template ignores "-beta" in "^4.0.0-beta": it means 4.0.0.0 or greater within the same major version');
    expect(ignored.severity).toBe('warning');
  });

  it('checks the shape as the script reads it: missing fields, unknown keys, group types, actions, prompted variables', () => {
    const { diagnostics } = templateRun(`[
  { "versionPattern": ">1.0.0" },
  { "projectName": "Spear" },
  { "projectName": "TAKA", "versionPatern": ">1.0.0" },
  { "projectName": "TAWA", "versionPattern": ">1.0.0", "deployGroup": "2" },
  { "projectName": "TAWA", "versionPattern": ">1.0.0", "deployGroup": "first" },
  { "projectName": "Spear", "versionPattern": ">1.0.0", "dependencyAction": "Contnue" },
  { "projectName": "TAKA", "versionPattern": ">1.0.0", "promptedVariables": [ { "name": "X" } ] },
  "Spear"
]`);
    const messages = diagnostics.filter((d) => d.code === 'DEP002' || d.code === 'DEP005').map((d) => `${d.severity} ${d.summary}${d.detail ? ` | ${d.detail}` : ''}`);
    expect(messages).toEqual([
      'error A dependency has no "projectName": the template stops the deployment',
      'error The dependency on "Spear" has no "versionPattern": the template stops the deployment',
      'error The dependency on "TAKA" has no "versionPattern": the template stops the deployment',
      'warning The template does not read "versionPatern" | Did you mean "versionPattern"?',
      'warning "deployGroup" should be a whole number: the template converts "2" to 2 but orders groups by the value as written',
      'error "deployGroup" must be a whole number, not the string "first": the template stops the deployment',
      'warning "Contnue" is not a dependency action: the template ignores it and uses the default (Stop) | Did you mean "Continue"? One of Stop, Continue, DeployNoMatchingInTarget, DeployNewerMatching.',
      'error A prompted variable of the dependency on "TAKA" has no "value": the template stops the deployment',
      'error A dependency must be a JSON object, not the string "Spear" | Write { "projectName": "…", "versionPattern": "…" }.',
    ]);
  });

  it('reads the usage default action and approval, and rejects an unknown default action', () => {
    const ok = templateRun('[ { "projectName": "Spear", "versionPattern": ">1.0.0" } ]', `
    parameter "Template.Dependency.Action" {
        value = "DeployNewerMatching"
    }

    parameter "Template.Dependency.Approval" {
        value = "No"
    }
`);
    expect(ok.diagnostics).toEqual([]);
    expect(effectiveAction(ok.declarations[0]!)).toBe('DeployNewerMatching');
    expect(ok.declarations[0]!.approvalRequested).toBe(false);
    const bad = templateRun('[ { "projectName": "Spear", "versionPattern": ">1.0.0" } ]', `
    parameter "Template.Dependency.Action" {
        value = "Deploy"
    }
`);
    expect(codes(bad.diagnostics)).toEqual(['DEP005']);
    expect(bad.diagnostics[0]!.severity).toBe('error');
  });

  it('does not guess Octopus variables: a bound parameter or #{…} fields are reported as not checked', () => {
    const bound = templateRun('#{Project.Dependencies}');
    expect(bound.declarations).toEqual([]);
    expect(bound.diagnostics.map((d) => `${d.code} ${d.severity}`)).toEqual(['DEP009 info']);
    const field = templateRun('[ { "projectName": "#{Dependency.Name}", "versionPattern": ">1.0.0" } ]');
    expect(field.declarations[0]!.dependsOn).toBeUndefined();
    expect(field.declarations[0]!.unchecked).toEqual(['projectName']);
    expect(codes(field.diagnostics)).toEqual(['DEP009']);
  });

  it('reports an empty value and an empty array', () => {
    expect(codes(templateRun('[]').diagnostics)).toEqual(['DEP002']);
    expect(templateRun('[]').diagnostics[0]!.summary).toMatch(/empty array/);
  });

  it('checks tenants by name, and warns when the tenant is not connected to the project depended on', () => {
    const { diagnostics } = templateRun(`[
  { "projectName": "StoreHub", "versionPattern": ">1.0.0", "tenantName": "Internl" },
  { "projectName": "StoreHub", "versionPattern": ">1.0.0", "tenantName": "Acme Corp" }
]`);
    expect(diagnostics.map((d) => `${d.code} ${d.detail ?? d.summary}`)).toEqual([
      'DEP008 Did you mean "Internal"? The template finds tenants by name.',
      'DEP011 The template then checks deployments of "StoreHub" that are not for this tenant.',
    ]);
  });
});

describe('oclhub.ocl dependency blocks', () => {
  const hub = (blocks: string) => HUB.replace('    path = "projects/web/.octopus"\n', `    path = "projects/web/.octopus"\n\n${blocks}`);

  it('builds declarations with the oclhub dialect (2-part short forms allowed)', () => {
    const text = hub(`    dependency "spear" {
        version = "~2.4"
        deploy_group = 1
        action = "DeployNewerMatching"
    }

    dependency "store-hub" {
        version = "^1.0.0.5"
        tenant = "internal"
    }
`);
    const { declarations, diagnostics } = collectDependencies(config(text), []);
    expect(diagnostics).toEqual([]);
    expect(declarations.map((d) => [d.project, d.dependsOn, d.pattern?.operator, d.deployGroup ?? null, effectiveAction(d), d.tenant ?? null, d.source.kind])).toEqual([
      ['web', 'spear', 'tilde', 1, 'DeployNewerMatching', null, 'oclhub'],
      ['web', 'store-hub', 'caret', null, 'Stop', 'internal', 'oclhub'],
    ]);
  });

  it('positions unknown projects, tenants and bad patterns at the block or attribute', () => {
    const text = hub(`    dependency "speer" {
        version = ">=1.0.0"
        tenant = "acmee"
    }
`);
    const { diagnostics } = collectDependencies(config(text), []);
    expect(diagnostics.map((d) => `${d.code}@${d.range?.start.line}:${d.range?.start.column} ${d.detail}`)).toEqual([
      `DEP003@${positionOf(text, '"speer"').line}:${positionOf(text, '"speer"').column} Did you mean "spear"?`,
      `DEP004@${positionOf(text, 'version = ">=').line}:9 Fix: ">1.0.0" already accepts 1.0.0 itself and every later version.`,
      `DEP008@${positionOf(text, 'tenant = "acmee"').line}:9 Did you mean "acme"?`,
    ]);
    expect(diagnostics.every((d) => d.file === 'oclhub.ocl' && d.project === 'web')).toBe(true);
  });
});

describe('cycles and duplicates', () => {
  it('reports a cycle on every project in it, at the declaration that closes it', () => {
    const text = HUB.replace('    path = "projects/spear/.octopus"\n', '    path = "projects/spear/.octopus"\n\n    dependency "taka" {\n        version = ">1.0.0"\n    }\n')
      .replace('    path = "projects/taka/.octopus"\n', '    path = "projects/taka/.octopus"\n\n    dependency "tawa" {\n        version = ">1.0.0"\n    }\n')
      .replace('    tenanted = "TenantedOrUntenanted"\n', '    tenanted = "TenantedOrUntenanted"\n\n    dependency "web" {\n        version = ">1.0.0"\n    }\n');
    // web → spear through the template, closing spear → taka → tawa → web.
    const process = documentOf(FILE, verifyDependenciesProcess('[ { "projectName": "Spear", "versionPattern": ">1.0.0" } ]'));
    const { diagnostics, graph } = collectDependencies(config(text), [{ slug: 'web', documents: [process] }]);
    const cycles = diagnostics.filter((d) => d.code === 'DEP006');
    expect(graph.cycles.map((c) => [...c].sort())).toEqual([['spear', 'taka', 'tawa', 'web']]);
    expect(cycles.map((d) => d.project).sort()).toEqual(['spear', 'taka', 'tawa', 'web']);
    expect(cycles.find((d) => d.project === 'taka')!.summary).toBe('Dependency cycle: taka → tawa → web → spear → taka');
    const onWeb = cycles.find((d) => d.project === 'web')!;
    expect(onWeb.file).toBe(FILE);
    expect(onWeb.related?.map((r) => r.message)).toEqual(['spear depends on taka', 'taka depends on tawa', 'tawa depends on web']);
    expect(cycles.find((d) => d.project === 'spear')!.range?.start.line).toBe(positionOf(text, 'dependency "taka"').line);
  });

  it('reports a project depending on itself, and no cycle for a chain', () => {
    const self = HUB.replace('    path = "projects/spear/.octopus"\n', '    path = "projects/spear/.octopus"\n\n    dependency "spear" {\n        version = ">1.0.0"\n    }\n');
    expect(collectDependencies(config(self), []).diagnostics.map((d) => d.summary)).toEqual(['Dependency cycle: spear → spear']);
    const chain = HUB.replace('    path = "projects/spear/.octopus"\n', '    path = "projects/spear/.octopus"\n\n    dependency "taka" {\n        version = ">1.0.0"\n    }\n');
    expect(collectDependencies(config(chain), []).diagnostics).toEqual([]);
  });

  it('warns when one project declares the same dependency in oclhub.ocl and in the template', () => {
    const text = HUB.replace('    path = "projects/web/.octopus"\n', '    path = "projects/web/.octopus"\n\n    dependency "spear" {\n        version = ">1.0.0"\n    }\n');
    const process = documentOf(FILE, verifyDependenciesProcess('[ { "projectName": "Spear", "versionPattern": "^1.2.0" } ]'));
    const { diagnostics } = collectDependencies(config(text), [{ slug: 'web', documents: [process] }]);
    expect(diagnostics.map((d) => `${d.code} ${d.summary}`)).toEqual(['DEP007 Project "web" declares its dependency on "spear" twice with a different pattern (">1.0.0" and "^1.2.0")']);
  });
});
