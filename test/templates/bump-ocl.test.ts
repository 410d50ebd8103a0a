/** The bump check over parsed OCL text: project-owned fixtures, then the real templates in ../shared. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseOcl } from '../../src/ocl/index.js';
import type { OclDocument } from '../../src/ocl/ast.js';
import { computeRequiredBump, extractShape, type TemplateFile } from '../../src/templates/index.js';

function parse(text: string): OclDocument {
  const { document, diagnostics } = parseOcl(text);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return document;
}

const V1 = `name = "Restart web site"
description = "Restarts an IIS site"

parameter "Template.Worker.Pool" {
    display_settings = {
        Octopus.ControlType = "WorkerPool"
    }
    help_text = ""
    label = "Worker Pool"
}

parameter "Template.Site.Name" {
    display_settings = {
        Octopus.ControlType = "SingleLineText"
    }
    help_text = "The IIS site"
    label = "Site name"

    value "Default Web Site" {}
}

step "restart-site" {
    name = "Restart site"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.Script.ScriptBody = "Restart-WebAppPool #{Template.Site.Name}"
        }
        worker_pool_variable = "#{Template.Worker.Pool}"
    }
}`;

function edit(text: string, from: string, to: string): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}

describe('bump check on OCL text', () => {
  it('is none for the same text and patch for re-indentation', () => {
    expect(computeRequiredBump(parse(V1), parse(V1)).required).toBe('none');
    const reindented = V1.replace(/\n\n/g, '\n\n\n');
    const result = computeRequiredBump([{ path: 't.ocl', document: parse(V1), text: V1 }], [{ path: 't.ocl', document: parse(reindented), text: reindented }]);
    expect(result.reasons.map((r) => r.code)).toEqual(['TPL_BUMP_FORMATTING']);
  });

  it('reports a removed parameter at its line in the previous version', () => {
    const v2 = edit(V1, `parameter "Template.Site.Name" {
    display_settings = {
        Octopus.ControlType = "SingleLineText"
    }
    help_text = "The IIS site"
    label = "Site name"

    value "Default Web Site" {}
}

`, '');
    const result = computeRequiredBump(parse(V1), parse(v2));
    expect(result.required).toBe('major');
    expect(result.reasons[0]).toMatchObject({ code: 'TPL_BUMP_PARAMETER_REMOVED', previousRange: { start: { line: 12, column: 1 }, end: { line: 20, column: 2 } } });
  });

  it('reports a new required parameter at its line in the new version', () => {
    const v2 = edit(V1, 'step "restart-site" {', `parameter "Template.App.Pool" {
    display_settings = {
        Octopus.ControlType = "SingleLineText"
    }
    help_text = ""
    label = "App pool"
}

step "restart-site" {`);
    const result = computeRequiredBump(parse(V1), parse(v2));
    expect(result.required).toBe('major');
    expect(result.reasons[0]).toMatchObject({ code: 'TPL_BUMP_PARAMETER_ADDED_REQUIRED', range: { start: { line: 22 } } });
  });

  it('is patch for a script edit and says which property changed', () => {
    const v2 = edit(V1, 'Restart-WebAppPool #{Template.Site.Name}', 'Restart-WebAppPool -Name #{Template.Site.Name}');
    const result = computeRequiredBump(parse(V1), parse(v2));
    expect(result.reasons.map((r) => r.message)).toEqual(['changed step "restart-site" (action.properties["Octopus.Action.Script.ScriptBody"])']);
  });

  it('is minor for is_optional on a new parameter', () => {
    const v2 = edit(V1, 'step "restart-site" {', `parameter "Template.Reason" {
    display_settings = {
        Octopus.ControlType = "MultiLineText"
    }
    help_text = ""
    is_optional = true
    label = "Reason"
}

step "restart-site" {`);
    expect(computeRequiredBump(parse(V1), parse(v2)).required).toBe('minor');
  });

  it('is major for a changed control type', () => {
    const v2 = edit(V1, 'Octopus.ControlType = "SingleLineText"', 'Octopus.ControlType = "MultiLineText"');
    expect(computeRequiredBump(parse(V1), parse(v2)).reasons.map((r) => r.code)).toEqual(['TPL_BUMP_PARAMETER_CONTROL_TYPE']);
  });
});

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(repoRoot, '../shared/corpus/ocl/valid');
const corpusExists = existsSync(corpus);
if (!corpusExists) console.warn(`skipping the corpus bump tests: ${corpus} is absent`);

describe.skipIf(!corpusExists)('bump check on the real process templates of ../shared/corpus', () => {
  const templates = corpusExists ? readdirSync(corpus).filter((f) => f.includes('__process-templates__')) : [];

  it('finds some', () => {
    expect(templates.length).toBeGreaterThan(0);
  });

  it.each(templates)('%s: identical is none; dropping a parameter is major; dropping a step is major', (file) => {
    const text = readFileSync(path.join(corpus, file), 'utf8');
    const document = parse(text);
    const files: TemplateFile[] = [{ path: file, document, text }];
    expect(computeRequiredBump(files, [{ path: file, document: parse(text), text }])).toEqual({ required: 'none', reasons: [] });

    const shape = extractShape(document);
    const [firstParameter] = shape.parameters.values();
    if (firstParameter) {
      const without = { ...document, body: document.body.filter((e) => e !== firstParameter.block) };
      const result = computeRequiredBump(document, without);
      expect(result.required).toBe('major');
      expect(result.reasons).toEqual([expect.objectContaining({ code: 'TPL_BUMP_PARAMETER_REMOVED', message: `removed parameter "${firstParameter.name}"` })]);
      // Adding it back is minor or major, depending on whether it has a default.
      const back = computeRequiredBump(without, document);
      expect(back.required).toBe(firstParameter.hasDefault || firstParameter.isOptional ? 'minor' : 'major');
    }
    const lastStep = shape.steps[shape.steps.length - 1];
    if (lastStep) {
      const without = { ...document, body: document.body.filter((e) => e !== lastStep.block) };
      expect(computeRequiredBump(document, without).reasons).toEqual([expect.objectContaining({ code: 'TPL_BUMP_STEP_REMOVED' })]);
      expect(computeRequiredBump(without, document)).toMatchObject({ required: 'minor', reasons: [{ code: 'TPL_BUMP_STEP_ADDED' }] });
    }
  });

  it('reads the project template of the demo hub as one set of files', () => {
    const prefix = 'OctopusSolutionsEngineering__demo-platform-hub__.octopus__project-templates__sox-compliant-api__';
    const names = readdirSync(corpus).filter((f) => f.startsWith(prefix));
    if (names.length === 0) return;
    const files = names.map((f) => ({ path: f.slice(prefix.length), document: parse(readFileSync(path.join(corpus, f), 'utf8')) }));
    const shape = extractShape(files);
    expect(shape.parameters.size).toBeGreaterThan(0);
    const withoutParameters = files.map((f) => (f.path === 'parameters.ocl' ? { ...f, document: { ...f.document, body: [] } } : f));
    const result = computeRequiredBump(files, withoutParameters);
    expect(result.reasons.filter((r) => r.code === 'TPL_BUMP_PARAMETER_REMOVED')).toHaveLength(shape.parameters.size);
    expect(result.reasons.every((r) => r.previousFile === 'parameters.ocl')).toBe(true);
  });
});
