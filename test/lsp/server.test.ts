/**
 * `oclhub lsp` as an editor sees it: the server runs as a child process and a real LSP client
 * (vscode-languageserver-protocol) talks to it over stdio, on the demo hub as a Git repository with its
 * templates and policies published.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CodeActionRequest,
  CompletionRequest,
  DefinitionRequest,
  DocumentFormattingRequest,
  DocumentRangeFormattingRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  ReferencesRequest,
  type CompletionItem,
  type CompletionList,
  type DocumentSymbol,
  type Hover,
  type Location,
  type MarkupContent,
} from 'vscode-languageserver-protocol';
import { formatOcl } from '../../src/ocl/format.js';
import { serverOnDemoHub } from './client.js';
import { applyEdits, editsFor, lineOf, positionOf } from './helpers.js';

const PROCESS = 'projects/storefront/.octopus/deployment_process.ocl';
const TEMPLATE = '.octopus/process-templates/deploy-web-app.ocl';
const POLICY = '.octopus/policies/no_disabled_steps.ocl';
const CONFIG = 'oclhub.ocl';

const server = serverOnDemoHub();
const read = (file: string) => readFileSync(path.join(server.dir, file), 'utf8');

function labels(result: CompletionList | CompletionItem[] | null): string[] {
  const items = Array.isArray(result) ? result : (result?.items ?? []);
  return items.map((i) => i.label);
}

function hoverText(result: Hover | null): string {
  return (result?.contents as MarkupContent | undefined)?.value ?? '';
}

async function completeAt(file: string, text: string, needle: string, delta: number) {
  return server.client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: server.client.uri(file) }, position: positionOf(text, needle, delta) });
}

describe('oclhub lsp over stdio', () => {
  it('publishes positioned diagnostics for a document with errors and clears them once it is fixed', async () => {
    const file = 'projects/reporting/.octopus/deployment_process.ocl';
    const good = read(file);
    // Two syntax errors far apart: both are reported (the parser recovers), each at its line.
    const bad = good.replace(/name = "([^"]*)"/, 'name =').replace('action {', 'action {\n        # a comment');
    server.client.open(file, bad, 1);
    const published = await server.client.waitFor(file, (p) => p.version === 1 && p.diagnostics.length > 0);
    const syntax = published.diagnostics.filter((d) => String(d.code).startsWith('OCL'));
    expect(syntax.map((d) => d.range.start.line)).toEqual(expect.arrayContaining([lineOf(bad, 'name ='), lineOf(bad, '# a comment')]));
    // Fix the syntax: the schema error becomes visible, at the misspelt attribute.
    const misspelt = good.replace('action {', 'action {\n        action_tpye = "Octopus.Script"');
    server.client.change(file, 2, [{ text: misspelt }]);
    const schema = await server.client.waitFor(file, (p) => p.version === 2);
    const unknown = schema.diagnostics.find((d) => d.code === 'SCH001');
    expect(unknown?.range.start).toEqual(positionOf(misspelt, 'action_tpye'));
    // An incremental edit that deletes the line clears them.
    const line = lineOf(misspelt, 'action_tpye');
    server.client.change(file, 3, [{ range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, text: '' }]);
    const cleared = await server.client.waitFor(file, (p) => p.version === 3);
    expect(cleared.diagnostics).toEqual([]);
    server.client.close(file);
  });

  it('positions Rego errors of a policy heredoc on the .ocl line', async () => {
    const text = read(POLICY).replace('not step.Enabled', 'not step.Enabled\n                undefined_name == 1');
    server.client.open(POLICY, text, 1);
    const published = await server.client.waitFor(POLICY, (p) => p.diagnostics.some((d) => d.code === 'POL105'));
    const compile = published.diagnostics.find((d) => d.code === 'POL105')!;
    expect(compile.range.start.line).toBe(lineOf(text, 'undefined_name'));
    expect(compile.range.start.character).toBe(positionOf(text, 'undefined_name').character);
    const syntax = text.replace('default result :=', 'default result :=:=');
    server.client.change(POLICY, 2, [{ text: syntax }]);
    const parse = await server.client.waitFor(POLICY, (p) => p.version === 2);
    expect(parse.diagnostics.find((d) => d.code === 'POL008')?.range.start.line).toBe(lineOf(syntax, 'default result'));
    server.client.close(POLICY);
  });

  it('formats like oclhub fmt, the whole document and a range', async () => {
    const file = 'projects/storefront/.octopus/variables.ocl';
    const messy = read(file).replace(/\n {4}/g, '\n  ').replace(/ = /g, '   =   ');
    server.client.open(file, messy, 1);
    const edits = await server.client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: server.client.uri(file) }, options: { tabSize: 4, insertSpaces: true } });
    expect(edits?.length).toBeGreaterThan(0);
    expect(applyEdits(messy, edits!)).toBe(formatOcl(messy, { file }).formatted);
    const first = messy.indexOf('variable "');
    const second = messy.indexOf('variable "', first + 1);
    expect(second).toBeGreaterThan(0);
    const line = positionOf(messy, 'variable "', 0, 2).line;
    const ranged = await server.client.connection.sendRequest(DocumentRangeFormattingRequest.type, {
      textDocument: { uri: server.client.uri(file) },
      range: { start: { line, character: 0 }, end: { line, character: 1 } },
      options: { tabSize: 4, insertSpaces: true },
    });
    const partly = applyEdits(messy, ranged ?? []);
    expect(partly).not.toBe(messy);
    expect(partly.slice(0, second)).toBe(messy.slice(0, second));
    server.client.close(file);
  });

  it('completes block and attribute names, enum values, action types, template slugs, masks, parameters and oclhub.ocl slugs', async () => {
    const text = read(PROCESS);
    server.client.open(PROCESS, text.replace('step "approve-production"', 'step "new-step" {\n    \n}\n\nstep "approve-production"'), 1);
    const withNew = text.replace('step "approve-production"', 'step "new-step" {\n    \n}\n\nstep "approve-production"');
    const topLevelItems = await completeAt(PROCESS, withNew, 'step "new-step" {\n    \n}\n\n', 'step "new-step" {\n    \n}\n\n'.length);
    expect(labels(topLevelItems)).toEqual(expect.arrayContaining(['step', 'process_template']));
    const stepItem = (Array.isArray(topLevelItems) ? topLevelItems : (topLevelItems?.items ?? [])).find((i) => i.label === 'step');
    expect(stepItem?.textEdit && 'newText' in stepItem.textEdit ? stepItem.textEdit.newText : '').toBe('step "${1}" {\n\t${0}\n}');
    const inStep = labels(await completeAt(PROCESS, withNew, 'step "new-step" {\n    ', 'step "new-step" {\n    '.length));
    expect(inStep).toEqual(expect.arrayContaining(['action', 'condition', 'start_trigger', 'name']));
    const inAction = labels(await completeAt(PROCESS, withNew, 'worker_pool = "hosted-ubuntu"', 0));
    expect(inAction).toEqual(expect.arrayContaining(['is_disabled', 'environments', 'container']));
    expect(inAction).not.toContain('action_type'); // already set in this action
    const actionTypes = labels(await completeAt(PROCESS, withNew, 'action_type = "Octopus.Script"', 'action_type = "'.length));
    expect(actionTypes).toEqual(expect.arrayContaining(['Octopus.Script', 'Octopus.Manual', 'Octopus.KubernetesRunScript']));
    const slugs = labels(await completeAt(PROCESS, withNew, 'process_template_slug = "deploy-web-app"', 'process_template_slug = "'.length));
    expect(slugs).toEqual(expect.arrayContaining(['deploy-web-app', 'manual-approval']));
    const masks = labels(await completeAt(PROCESS, withNew, 'version_mask = "1.X"', 'version_mask = "'.length));
    expect(masks).toEqual(['1.X', '1.0.X']);
    const environments = labels(await completeAt(PROCESS, withNew, 'environments = ["production"]', 'environments = ["'.length));
    expect(environments).toEqual(['development', 'staging', 'production']);
    const usageParameters = labels(await completeAt(PROCESS, withNew, 'parameter "Template.Site.Url"', 'parameter "'.length));
    expect(usageParameters).toEqual(expect.arrayContaining(['Template.Site.Url', 'Template.WorkerPool', 'Template.Smoke.Retries']));
    expect(usageParameters).not.toContain('Template.Web.Package'); // a Package parameter: package_parameter
    server.client.close(PROCESS);

    const template = read(TEMPLATE);
    server.client.open(TEMPLATE, template, 1);
    const references = labels(await completeAt(TEMPLATE, template, 'if [ -z "#{Template.Site.Url}"', 'if [ -z "#{'.length));
    expect(references).toEqual(expect.arrayContaining(['Template.Site.Url', 'Template.WorkerPool', 'Template.Target.Tags']));
    const controlTypes = labels(await completeAt(TEMPLATE, template, 'Octopus.ControlType = "WorkerPool"', 'Octopus.ControlType = "'.length));
    expect(controlTypes).toEqual(expect.arrayContaining(['SingleLineText', 'Select', 'WorkerPool', 'Package']));
    server.client.close(TEMPLATE);

    const policy = read(POLICY);
    server.client.open(POLICY, policy, 1);
    expect(labels(await completeAt(POLICY, policy, 'violation_action = "warn"', 'violation_action = "'.length))).toEqual(['block', 'warn']);
    server.client.close(POLICY);

    const config = read(CONFIG);
    server.client.open(CONFIG, config, 1);
    expect(labels(await completeAt(CONFIG, config, 'environment = "development"\n', 'environment = "'.length))).toEqual(['development', 'staging', 'production']);
    expect(labels(await completeAt(CONFIG, config, 'policy = "no_disabled_steps"', 'policy = "'.length))).toEqual(
      expect.arrayContaining(['no_disabled_steps', 'require_manual_approval_in_production', 'use_web_app_template_for_critical']),
    );
    expect(labels(await completeAt(CONFIG, config, 'active_version = "1.0.0"', 'active_version = "'.length))).toEqual(['1.0.0']);
    server.client.close(CONFIG);
  });

  it('hovers with schema documentation, the version a usage resolves to, and a policy’s active version and failures', async () => {
    const text = read(PROCESS);
    server.client.open(PROCESS, text, 1);
    const onAttribute = await server.client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: server.client.uri(PROCESS) }, position: positionOf(text, 'version_mask', 2) });
    expect(hoverText(onAttribute)).toContain('Which published versions to take');
    const onUsage = await server.client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: server.client.uri(PROCESS) }, position: positionOf(text, '"deploy-web-app"', 3) });
    expect(hoverText(onUsage)).toContain('**1.0.0**');
    expect(hoverText(onUsage)).toContain('Checks the inputs, deploys a web package');
    server.client.close(PROCESS);

    const config = read(CONFIG);
    server.client.open(CONFIG, config, 1);
    const onPolicy = await server.client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: server.client.uri(CONFIG) }, position: positionOf(config, 'policy "require_manual_approval_in_production"', 10) });
    const shown = hoverText(onPolicy);
    expect(shown).toContain('Active version: **1.0.0**');
    // The demo's reporting project skips the manual intervention in production.
    expect(shown).toMatch(/Where it fails \(at [0-9a-f]{12}\):\n- reporting → production: block:/);
    server.client.close(CONFIG);
  });

  it('goes to definitions across files and finds references', async () => {
    const text = read(PROCESS);
    server.client.open(PROCESS, text, 1);
    const toTemplate = (await server.client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: server.client.uri(PROCESS) }, position: positionOf(text, '"deploy-web-app"', 5) })) as Location[];
    expect(toTemplate.map((l) => l.uri)).toEqual([server.client.uri(TEMPLATE)]);
    const toParameter = (await server.client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: server.client.uri(PROCESS) }, position: positionOf(text, 'parameter "Template.Site.Url"', 15) })) as Location[];
    expect(toParameter[0]?.uri).toBe(server.client.uri(TEMPLATE));
    expect(toParameter[0]?.range.start.line).toBe(lineOf(read(TEMPLATE), 'parameter "Template.Site.Url"'));
    server.client.close(PROCESS);

    const template = read(TEMPLATE);
    server.client.open(TEMPLATE, template, 1);
    const fromReference = (await server.client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: server.client.uri(TEMPLATE) }, position: positionOf(template, '#{Template.Site.Url}', 5) })) as Location[];
    expect(fromReference.map((l) => [l.uri, l.range.start.line])).toEqual([[server.client.uri(TEMPLATE), lineOf(template, 'parameter "Template.Site.Url"')]]);
    const usages = (await server.client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: server.client.uri(TEMPLATE) },
      position: positionOf(template, 'name = "Deploy web app"', 2),
      context: { includeDeclaration: false },
    })) as Location[];
    expect(usages.map((l) => l.uri).sort()).toEqual(
      ['projects/payments-api/.octopus/deployment_process.ocl', 'projects/storefront/.octopus/deployment_process.ocl'].map((f) => server.client.uri(f)).filter((u) => usages.some((l) => l.uri === u)),
    );
    expect(usages.some((l) => l.uri === server.client.uri(PROCESS))).toBe(true);
    const parameterUses = (await server.client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: server.client.uri(TEMPLATE) },
      position: positionOf(template, 'parameter "Template.Site.Url"', 12),
      context: { includeDeclaration: true },
    })) as Location[];
    expect(parameterUses.filter((l) => l.uri === server.client.uri(TEMPLATE)).length).toBeGreaterThanOrEqual(4);
    expect(parameterUses.some((l) => l.uri === server.client.uri(PROCESS))).toBe(true);
    server.client.close(TEMPLATE);

    const config = read(CONFIG);
    server.client.open(CONFIG, config, 1);
    const toPolicy = (await server.client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: server.client.uri(CONFIG) }, position: positionOf(config, 'policy "no_disabled_steps"', 10) })) as Location[];
    expect(toPolicy.map((l) => l.uri)).toEqual([server.client.uri(POLICY)]);
    server.client.close(CONFIG);
  });

  it('offers quick fixes for diagnostics that carry one, and applying them clears the finding', async () => {
    const file = 'projects/payments-api/.octopus/deployment_process.ocl';
    const text = read(file).replace('version_mask', 'version_maks');
    server.client.open(file, text, 1);
    const published = await server.client.waitFor(file, (p) => p.version === 1 && p.diagnostics.some((d) => d.code === 'SCH001'));
    const finding = published.diagnostics.find((d) => d.code === 'SCH001')!;
    const actions = await server.client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: server.client.uri(file) }, range: finding.range, context: { diagnostics: [finding] } });
    const rename = actions?.find((a) => 'title' in a && a.title === 'Rename to `version_mask`');
    expect(rename).toBeDefined();
    const fixed = applyEdits(text, editsFor('edit' in rename! ? rename.edit : undefined, server.client.uri(file)));
    expect(fixed).toBe(read(file));
    server.client.change(file, 2, [{ text: fixed }]);
    const after = await server.client.waitFor(file, (p) => p.version === 2);
    expect(after.diagnostics.filter((d) => d.code === 'SCH001' || d.code === 'SCH003')).toEqual([]);
    server.client.close(file);
  });

  it('outlines steps, usages and parameters and folds blocks and heredocs', async () => {
    const template = read(TEMPLATE);
    server.client.open(TEMPLATE, template, 1);
    const symbols = (await server.client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: server.client.uri(TEMPLATE) } })) as DocumentSymbol[];
    const names = symbols.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['name', 'parameter "Template.WorkerPool"', 'step "check-inputs"', 'step "smoke-test"']));
    expect(symbols.find((s) => s.name === 'step "check-inputs"')?.children?.map((c) => c.name)).toEqual(['action']);
    const folds = await server.client.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri: server.client.uri(TEMPLATE) } });
    const stepLine = lineOf(template, 'step "check-inputs"');
    expect(folds?.some((f) => f.startLine === stepLine)).toBe(true);
    expect(folds?.some((f) => f.startLine === lineOf(template, 'Octopus.Action.Script.ScriptBody = <<-EOT'))).toBe(true);
    server.client.close(TEMPLATE);
  });
});
