import { describe, expect, it } from 'vitest';
import type { OclDocument } from '../../src/ocl/ast.js';
import { compareBump, computeRequiredBump, summarizeBump, type BumpResult } from '../../src/templates/index.js';
import { attr, block, doc, findBlock, heredoc, map, parameter, step } from './ast-helpers.js';

interface Parts {
  header?: string[];
  parameters?: string[];
  steps?: string[];
}

function template(parts: Parts = {}): OclDocument {
  return doc(
    ...(parts.header ?? [attr('name', 'Deploy web') + '\n' + attr('description', 'Deploys the web app')]),
    ...(parts.parameters ?? [
      parameter('Template.WorkerPool', { controlType: 'WorkerPool' }),
      parameter('Template.Ref', { controlType: 'SingleLineText', default: 'main' }),
    ]),
    ...(parts.steps ?? [step('build', { name: 'Build' }), step('deploy', { name: 'Deploy' })]),
  );
}

const defaultParameters = () => [
  parameter('Template.WorkerPool', { controlType: 'WorkerPool' }),
  parameter('Template.Ref', { controlType: 'SingleLineText', default: 'main' }),
];

function codes(result: BumpResult): string[] {
  return result.reasons.map((r) => r.code);
}

describe('computeRequiredBump: none and patch', () => {
  it('is none for identical content', () => {
    expect(computeRequiredBump(template(), template())).toEqual({ required: 'none', reasons: [] });
  });

  it('is patch for formatting only (ranges moved)', () => {
    const before = template();
    const result = computeRequiredBump(before, doc(attr('name', 'Deploy web'), attr('description', 'Deploys the web app'), ...defaultParameters(), step('build', { name: 'Build' }), step('deploy', { name: 'Deploy' })));
    expect(result.required).toBe('patch');
    expect(codes(result)).toEqual(['TPL_BUMP_FORMATTING']);
  });

  it('uses the texts when given: same meaning and same text is none, other text is formatting', () => {
    const a = template();
    const b = doc(attr('name', 'Deploy web'), attr('description', 'Deploys the web app'), ...defaultParameters(), step('build', { name: 'Build' }), step('deploy', { name: 'Deploy' }));
    expect(computeRequiredBump([{ path: 'x.ocl', document: a, text: 'same' }], [{ path: 'x.ocl', document: b, text: 'same' }]).required).toBe('none');
    expect(codes(computeRequiredBump([{ path: 'x.ocl', document: a, text: 'a' }], [{ path: 'x.ocl', document: a, text: 'a ' }]))).toEqual(['TPL_BUMP_FORMATTING']);
  });

  it('treats a heredoc and a string with the same value, and attribute order, as formatting', () => {
    const before = template({ header: [`${attr('name', 'Deploy web')}\n${attr('description', 'Line')}`] });
    const after = template({ header: [`${attr('description', heredoc('Line'))}\n${attr('name', 'Deploy web')}`] });
    expect(codes(computeRequiredBump(before, after))).toEqual(['TPL_BUMP_FORMATTING']);
  });

  it('is patch for a description change, naming the element', () => {
    const after = template({ header: [`${attr('name', 'Deploy web')}\n${attr('description', 'Deploys it better')}`] });
    const result = computeRequiredBump(template(), after);
    expect(result.required).toBe('patch');
    expect(result.reasons).toEqual([
      expect.objectContaining({ code: 'TPL_BUMP_ELEMENT_CHANGED', message: 'changed description', element: { kind: 'element', name: 'description' } }),
    ]);
  });

  it('is patch for a parameter label, help text or default value change, and says which', () => {
    const after = template({
      parameters: [
        parameter('Template.WorkerPool', { controlType: 'WorkerPool', helpText: 'Where to run', label: 'Pool' }),
        parameter('Template.Ref', { controlType: 'SingleLineText', default: 'develop' }),
      ],
    });
    const result = computeRequiredBump(template(), after);
    expect(result.required).toBe('patch');
    expect(result.reasons.map((r) => r.message)).toEqual([
      'changed parameter "Template.WorkerPool" (help_text, label)',
      'changed parameter "Template.Ref" (default value "main" → "develop")',
    ]);
  });

  it('is patch for a step property or script change, with the ranges of both versions', () => {
    const changed = step('deploy', { name: 'Deploy', actions: [{ properties: { 'Octopus.Action.Script.ScriptBody': 'echo bye' } }] });
    const before = template();
    const after = template({ steps: [step('build', { name: 'Build' }), changed] });
    const result = computeRequiredBump(before, after);
    expect(result.required).toBe('patch');
    const [reason] = result.reasons;
    expect(reason).toMatchObject({ code: 'TPL_BUMP_STEP_CHANGED', message: 'changed step "deploy" (action.properties["Octopus.Action.Script.ScriptBody"])', element: { kind: 'step', name: 'deploy' } });
    expect(reason!.range).toEqual(findBlock(after, 'step', 'deploy').range);
    expect(reason!.previousRange).toEqual(findBlock(before, 'step', 'deploy').range);
    expect(reason!.range!.start.line).toBe(reason!.previousRange!.start.line);
    expect(reason!.file).toBeUndefined();
  });

  it('is patch for reordered steps', () => {
    const after = template({ steps: [step('deploy', { name: 'Deploy' }), step('build', { name: 'Build' })] });
    const result = computeRequiredBump(template(), after);
    expect(result).toMatchObject({ required: 'patch', reasons: [{ code: 'TPL_BUMP_STEPS_REORDERED', message: 'changed the order of the steps (deploy, build)' }] });
  });
});

describe('computeRequiredBump: minor', () => {
  it('is minor for a new parameter with a default', () => {
    const added = parameter('Template.Timeout', { controlType: 'SingleLineText', default: '300' });
    const after = template({ parameters: [...defaultParameters(), added] });
    const result = computeRequiredBump(template(), after);
    expect(result.required).toBe('minor');
    expect(result.reasons).toEqual([
      { bump: 'minor', code: 'TPL_BUMP_PARAMETER_ADDED_OPTIONAL', message: 'new optional parameter "Template.Timeout"', element: { kind: 'parameter', name: 'Template.Timeout' }, range: findBlock(after, 'parameter', 'Template.Timeout').range },
    ]);
  });

  it('is minor for a new is_optional parameter without a default', () => {
    const added = parameter('Template.Notes', { controlType: 'MultiLineText', optional: true });
    expect(computeRequiredBump(template(), template({ parameters: [...defaultParameters(), added] })).required).toBe('minor');
  });

  it('is minor for a new step, and for a new action in a step', () => {
    const withStep = template({ steps: [step('build', { name: 'Build' }), step('deploy', { name: 'Deploy' }), step('smoke-test', { name: 'Smoke test' })] });
    const result = computeRequiredBump(template(), withStep);
    expect(result).toMatchObject({ required: 'minor', reasons: [{ code: 'TPL_BUMP_STEP_ADDED', message: 'new step "smoke-test"' }] });

    const twoActions = template({
      steps: [step('build', { name: 'Build' }), step('deploy', { name: 'Deploy', actions: [{}, { slug: 'verify', name: 'Verify' }] })],
    });
    expect(computeRequiredBump(template(), twoActions)).toMatchObject({
      required: 'minor',
      reasons: [{ code: 'TPL_BUMP_ACTION_ADDED', message: 'new action "verify" in step "deploy"', element: { kind: 'action', name: 'verify' } }],
    });
  });
});

describe('computeRequiredBump: major', () => {
  it('is major for a removed parameter, pointing at the old range', () => {
    const before = template();
    const removed = findBlock(before, 'parameter', 'Template.Ref');
    const result = computeRequiredBump(before, template({ parameters: [parameter('Template.WorkerPool', { controlType: 'WorkerPool' })] }));
    expect(result.reasons).toEqual([
      { bump: 'major', code: 'TPL_BUMP_PARAMETER_REMOVED', message: 'removed parameter "Template.Ref"', element: { kind: 'parameter', name: 'Template.Ref' }, previousRange: removed.range },
    ]);
    expect(result.required).toBe('major');
  });

  it('is major for a new parameter without a default', () => {
    const result = computeRequiredBump(template(), template({ parameters: [...defaultParameters(), parameter('Template.Region', { controlType: 'SingleLineText' })] }));
    expect(result.required).toBe('major');
    expect(result.reasons[0]!.message).toBe('new required parameter "Template.Region" (no default value and not is_optional: every consumer must set it)');
  });

  it('is major for is_optional = false without a default', () => {
    const result = computeRequiredBump(template(), template({ parameters: [...defaultParameters(), parameter('Template.Region', { controlType: 'SingleLineText', optional: false })] }));
    expect(codes(result)).toEqual(['TPL_BUMP_PARAMETER_ADDED_REQUIRED']);
  });

  it('is major for a changed control type', () => {
    const after = template({ parameters: [parameter('Template.WorkerPool', { controlType: 'SingleLineText' }), defaultParameters()[1]!] });
    const result = computeRequiredBump(template(), after);
    expect(result.reasons[0]).toMatchObject({ code: 'TPL_BUMP_PARAMETER_CONTROL_TYPE', message: 'changed the control type of parameter "Template.WorkerPool" from WorkerPool to SingleLineText' });
  });

  it('is major when an optional parameter loses its default', () => {
    const after = template({ parameters: [defaultParameters()[0]!, parameter('Template.Ref', { controlType: 'SingleLineText' })] });
    expect(codes(computeRequiredBump(template(), after))).toEqual(['TPL_BUMP_PARAMETER_NOW_REQUIRED']);
  });

  it('is minor when a required parameter gains a default', () => {
    const after = template({ parameters: [parameter('Template.WorkerPool', { controlType: 'WorkerPool', default: 'WorkerPools-1' }), defaultParameters()[1]!] });
    expect(computeRequiredBump(template(), after)).toMatchObject({ required: 'minor', reasons: [{ code: 'TPL_BUMP_PARAMETER_NOW_OPTIONAL' }] });
  });

  it('reports a renamed parameter once, as major', () => {
    const after = template({ parameters: [defaultParameters()[0]!, parameter('Template.GitRef', { controlType: 'SingleLineText', default: 'main', label: 'Template.Ref' })] });
    const result = computeRequiredBump(template(), after);
    expect(result.reasons).toHaveLength(1);
    expect(result.reasons[0]).toMatchObject({ bump: 'major', code: 'TPL_BUMP_PARAMETER_RENAMED', message: expect.stringContaining('renamed parameter "Template.Ref" to "Template.GitRef"') });
  });

  it('is major for a removed step, and reports a step whose slug changed as renamed', () => {
    const removed = computeRequiredBump(template(), template({ steps: [step('build', { name: 'Build' })] }));
    expect(removed.reasons).toEqual([expect.objectContaining({ bump: 'major', code: 'TPL_BUMP_STEP_REMOVED', message: 'removed step "deploy"' })]);

    const renamed = computeRequiredBump(template(), template({ steps: [step('build', { name: 'Build' }), step('release', { name: 'Deploy' })] }));
    expect(renamed.reasons).toEqual([expect.objectContaining({ bump: 'major', code: 'TPL_BUMP_STEP_RENAMED', message: 'renamed step "deploy" to "release"' })]);
  });

  it('is major when a step display name changes', () => {
    const result = computeRequiredBump(template(), template({ steps: [step('build', { name: 'Build' }), step('deploy', { name: 'Deploy to IIS' })] }));
    expect(result.reasons).toEqual([expect.objectContaining({ code: 'TPL_BUMP_STEP_RENAMED', message: expect.stringContaining('from "Deploy" to "Deploy to IIS"') })]);
  });

  it('is major for a removed or renamed action', () => {
    const two = () => step('deploy', { name: 'Deploy', actions: [{ slug: 'a', name: 'A' }, { slug: 'b', name: 'B' }] });
    const before = template({ steps: [two()] });
    expect(computeRequiredBump(before, template({ steps: [step('deploy', { name: 'Deploy', actions: [{ slug: 'a', name: 'A' }] })] })).reasons).toEqual([
      expect.objectContaining({ code: 'TPL_BUMP_ACTION_REMOVED', message: 'removed action "b" from step "deploy"' }),
    ]);
    expect(codes(computeRequiredBump(before, template({ steps: [step('deploy', { name: 'Deploy', actions: [{ slug: 'a', name: 'A' }, { slug: 'b', name: 'Bee' }] })] })))).toEqual([
      'TPL_BUMP_ACTION_RENAMED',
    ]);
  });

  it('lists major reasons before minor and patch ones', () => {
    const after = template({
      header: [`${attr('name', 'Deploy web 2')}\n${attr('description', 'Deploys the web app')}`],
      parameters: [defaultParameters()[0]!, parameter('Template.Timeout', { controlType: 'SingleLineText', default: '5' })],
      steps: [step('build', { name: 'Build' }), step('deploy', { name: 'Deploy' }), step('smoke', { name: 'Smoke' })],
    });
    const result = computeRequiredBump(template(), after);
    expect(result.required).toBe('major');
    expect(result.reasons.map((r) => r.bump)).toEqual(['major', 'minor', 'minor', 'patch']);
    expect(summarizeBump(result, '1.4.0')).toBe(
      'changes since v1.4.0 require a major version: removed parameter "Template.Ref"; new optional parameter "Template.Timeout"; new step "smoke"; changed name',
    );
  });
});

describe('computeRequiredBump: project templates', () => {
  const files = (parameters: string[], steps: string[], extra: { path: string; document: OclDocument }[] = []) => [
    { path: 'parameters.ocl', document: doc(...parameters) },
    { path: 'deployment_process.ocl', document: doc(...steps) },
    ...extra,
  ];
  const usage = (slug: string, name: string, mask = '2.X') =>
    block('process_template', [slug], attr('name', name), attr('process_template_slug', 'verify-artifacts'), attr('version_mask', mask));

  it('applies the same rules across files, with file names in the reasons', () => {
    const before = files([parameter('Template.Project.WorkerPool', { controlType: 'WorkerPool' })], [usage('verify', 'Verify')]);
    const after = files([parameter('Template.Project.WorkerPool', { controlType: 'WorkerPool' }), parameter('Template.Project.Region', { controlType: 'SingleLineText' })], [usage('verify', 'Verify')]);
    const result = computeRequiredBump(before, after);
    expect(result.required).toBe('major');
    expect(result.reasons[0]).toMatchObject({ code: 'TPL_BUMP_PARAMETER_ADDED_REQUIRED', file: 'parameters.ocl' });
  });

  it('treats process template usages as steps', () => {
    const before = files([], [usage('verify', 'Verify'), step('deploy', { name: 'Deploy' })]);
    expect(computeRequiredBump(before, files([], [step('deploy', { name: 'Deploy' })])).reasons).toEqual([
      expect.objectContaining({ code: 'TPL_BUMP_STEP_REMOVED', message: 'removed process template usage "verify"', previousFile: 'deployment_process.ocl' }),
    ]);
    expect(computeRequiredBump(before, files([], [usage('verify', 'Verify', '3.X'), step('deploy', { name: 'Deploy' })])).reasons).toEqual([
      expect.objectContaining({ bump: 'patch', code: 'TPL_BUMP_STEP_CHANGED', message: 'changed process template usage "verify" (version_mask)' }),
    ]);
  });

  it('does not mind a parameter moving between files', () => {
    const p = () => parameter('Template.A', { controlType: 'SingleLineText' });
    const result = computeRequiredBump(files([p()], []), files([], [p()]));
    expect(result.reasons.some((r) => r.bump !== 'patch')).toBe(false);
  });

  it('reports removed and added files once, not element by element', () => {
    const variables = { path: 'variables.ocl', document: doc(block('variable', ['A'], block('value', ['1'])), block('variable', ['B'], block('value', ['2']))) };
    const before = files([], [], [variables]);
    expect(computeRequiredBump(before, files([], [])).reasons).toEqual([expect.objectContaining({ bump: 'patch', code: 'TPL_BUMP_FILE_REMOVED', message: 'removed file "variables.ocl"' })]);
    expect(codes(computeRequiredBump(files([], []), before))).toEqual(['TPL_BUMP_FILE_ADDED']);
    const changed = { path: 'variables.ocl', document: doc(block('variable', ['A'], block('value', ['1']))) };
    expect(computeRequiredBump(before, files([], [], [changed])).reasons).toEqual([
      expect.objectContaining({ code: 'TPL_BUMP_ELEMENT_REMOVED', message: 'removed variable "B" in variables.ocl', previousFile: 'variables.ocl' }),
    ]);
  });

  it('is major for a removed or renamed channel, minor for a new one', () => {
    const channel = (name: string, extra: string[] = []) => doc(attr('name', name), ...extra);
    const before = files([], [], [{ path: 'channels/default.ocl', document: channel('Default') }, { path: 'channels/hotfix.ocl', document: channel('Hotfix') }]);
    const removed = computeRequiredBump(before, files([], [], [{ path: 'channels/default.ocl', document: channel('Default') }]));
    expect(removed.reasons).toEqual([expect.objectContaining({ bump: 'major', code: 'TPL_BUMP_CHANNEL_REMOVED', message: expect.stringContaining('"Hotfix"') })]);
    const renamed = computeRequiredBump(before, files([], [], [{ path: 'channels/default.ocl', document: channel('Main') }, { path: 'channels/hotfix.ocl', document: channel('Hotfix') }]));
    expect(codes(renamed)).toEqual(['TPL_BUMP_CHANNEL_RENAMED']);
    const added = computeRequiredBump(files([], []), before);
    expect(added.required).toBe('minor');
    const edited = computeRequiredBump(before, files([], [], [{ path: 'channels/default.ocl', document: channel('Default', [attr('description', 'x')]) }, { path: 'channels/hotfix.ocl', document: channel('Hotfix') }]));
    expect(edited.reasons).toEqual([expect.objectContaining({ bump: 'patch', code: 'TPL_BUMP_CHANNEL_CHANGED', message: 'changed channel "Default" (description)' })]);
  });
});

describe('compareBump', () => {
  it.each([
    ['major', 'major', true],
    ['major', 'none', true],
    ['minor', 'major', false],
    ['minor', 'minor', true],
    ['minor', 'patch', true],
    ['patch', 'minor', false],
    ['patch', 'patch', true],
    ['patch', 'none', true],
  ] as const)('requested %s for required %s: sufficient %s', (requested, required, sufficient) => {
    expect(compareBump(requested, required).sufficient).toBe(sufficient);
  });

  it('always lets a pre-release through, but says what the stable version will need', () => {
    const result = compareBump('prerelease', 'major');
    expect(result.sufficient).toBe(true);
    expect(result.message).toContain('major');
  });

  it('tells the user how to override', () => {
    expect(compareBump('patch', 'major').message).toBe('the changes require a major version, but a patch was requested (use --force to publish anyway)');
  });
});

describe('summarizeBump', () => {
  it('says there are no changes', () => {
    expect(summarizeBump({ required: 'none', reasons: [] }, '1.2.0')).toBe('no changes since v1.2.0');
    expect(summarizeBump({ required: 'none', reasons: [] })).toBe('no changes');
  });

  it('is usable with map-valued elements too', () => {
    const before = doc(attr('icon_settings', map({ color: '#fff' })));
    const after = doc(attr('icon_settings', map({ color: '#000' })));
    expect(summarizeBump(computeRequiredBump(before, after))).toBe('changes require a patch version: changed icon_settings');
  });
});
