/**
 * Completion from the document kind's JSON Schema and the workspace: block and attribute names at the
 * cursor's block path, enum values, action types, template slugs (working tree and published), version
 * masks from published versions, `#{Template.…}` parameter names, and the slugs `oclhub.ocl` declares
 * (environments, tenants, projects, groups, policies). The context is read from the raw text
 * (cursor.ts), so it works while the file is half-typed.
 */
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type CompletionList, type CompletionParams, type Range as LspRange } from 'vscode-languageserver';
import { classifyPath, guessKindFromDocument, type DocumentKind } from '../model/kinds.js';
import { VIOLATION_ACTIONS } from '../model/checks/policy.js';
import { CONTROL_TYPES } from '../model/checks/template.js';
import { RULE_SEVERITIES } from '../model/rule-settings.js';
import type { HubConfigDocument } from '../model/types.js';
import { parseVersion } from '../templates/versions.js';
import { KNOWN_CODES, type FileAnalysis } from './analysis.js';
import { blockFrames, cursorContext, type CursorContext } from './cursor.js';
import { hubFiles, parametersFor, templateDocument } from './facts.js';
import { KNOWN_ACTION_TYPES, DISPLAY_SETTING_KEYS, PROPERTY_KEYS } from './known-values.js';
import { locate, schemaPath, stringAttribute } from './locate.js';
import { propertiesAt, propertyAt } from './schema-docs.js';
import type { LspContext } from './server.js';

interface Request {
  context: LspContext;
  analysis: FileAnalysis;
  kind: DocumentKind | undefined;
  cursor: CursorContext;
  offset: number;
  line: number;
  character: number;
  config: HubConfigDocument | undefined;
}

export async function complete(context: LspContext, params: CompletionParams): Promise<CompletionList | null> {
  const file = context.fileOf(params.textDocument.uri);
  const analysis = file === undefined ? undefined : await context.analysis(file);
  if (!analysis) return null;
  const text = analysis.lines.text;
  const lineIndex = Math.max(0, params.position.line);
  if (lineIndex >= analysis.lines.lineCount) return { isIncomplete: false, items: [] };
  const offset = analysis.offsetAt(lineIndex, params.position.character);
  const character = analysis.lines.position(offset).column - 1 + (lineIndex === 0 ? analysis.text.length - text.length : 0);
  const cursor = cursorContext(text, offset);
  const kind = analysis.kind ?? classifyPath(analysis.file)?.kind ?? guessKindFromDocument(analysis.ast);
  const request: Request = { context, analysis, kind, cursor, offset, line: lineIndex, character, config: await context.config() };
  const items = await itemsFor(request);
  return { isIncomplete: false, items };
}

async function itemsFor(request: Request): Promise<CompletionItem[]> {
  const { cursor } = request;
  const inText = cursor.heredoc?.textBefore ?? cursor.string;
  if (inText !== undefined) {
    const reference = /#\{([^{}]*)$/.exec(inText);
    if (reference) return parameterReferences(request, reference[1]!);
  }
  if (cursor.heredoc) return [];
  const top = cursor.frames[cursor.frames.length - 1];
  const before = cursor.before;
  if (top?.kind === 'map') {
    const value = /^\s*"?([^"=\s]+)"?\s*=\s*"?([^"]*)$/.exec(before);
    if (value) return mapValues(request, top.attribute, value[1]!, value[2]!);
    const key = /^\s*"?([\w.]*)$/.exec(before);
    if (key) return mapKeys(request, top.attribute, key[1]!);
    return [];
  }
  const attribute = /^\s*([A-Za-z_][\w-]*)\s*=\s*(.*)$/.exec(before);
  if (attribute) {
    const rest = attribute[2]!;
    const partial = /"([^"]*)$/.exec(rest)?.[1] ?? (/^\s*$/.test(rest) || /[[,]\s*$/.test(rest) ? '' : undefined);
    if (partial === undefined) return [];
    return attributeValues(request, attribute[1]!, partial, /"[^"]*$/.test(rest));
  }
  const label = /^\s*([A-Za-z_][\w-]*)\s+"([^"]*)$/.exec(before);
  if (label) return labels(request, label[1]!, label[2]!);
  const name = /^\s*([A-Za-z_][\w-]*)?$/.exec(before);
  if (name) return names(request, name[1] ?? '');
  return [];
}

function replacing(request: Request, length: number): LspRange {
  return { start: { line: request.line, character: request.character - length }, end: { line: request.line, character: request.character } };
}

/** Block and attribute names allowed at the cursor's block path, minus attributes already set. */
async function names(request: Request, typed: string): Promise<CompletionItem[]> {
  if (!request.kind) return [];
  const frames = blockFrames(request.cursor);
  const path = schemaPath(frames);
  const present = new Set<string>();
  const at = locate(request.analysis.ast, request.offset);
  const container = at.blocks[at.blocks.length - 1];
  const body = container && schemaPath(at.blocks).join('/') === path.join('/') ? container.body : path.length === 0 ? request.analysis.ast.body : [];
  for (const element of body) if (element.type === 'attribute') present.add(element.name);
  const items: CompletionItem[] = [];
  for (const property of propertiesAt(request.kind, path)) {
    if (!property.block && present.has(property.name)) continue;
    const item: CompletionItem = {
      label: property.name,
      kind: property.block ? CompletionItemKind.Module : CompletionItemKind.Property,
      detail: property.block ? `block${property.required ? ' (required)' : ''}` : `${property.type ?? 'value'}${property.required ? ' (required)' : ''}`,
      insertTextFormat: request.context.snippets ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
      textEdit: { range: replacing(request, typed.length), newText: request.context.snippets ? snippetFor(property.name, property.block, property.labels, property.type, property.values) : plainFor(property.name, property.block, property.type) },
      sortText: `${property.required ? '0' : '1'}${property.name}`,
    };
    if (property.description) item.documentation = { kind: 'markdown', value: property.description };
    items.push(item);
  }
  return items;
}

function snippetFor(name: string, block: boolean, labels: string | undefined, type: string | undefined, values: string[] | undefined): string {
  if (block) return labels === 'one' ? `${name} "\${1}" {\n\t\${0}\n}` : `${name} {\n\t\${0}\n}`;
  if (values && values.length > 0) return `${name} = "\${1|${values.map((v) => v.replace(/[,|]/g, '')).join(',')}|}"`;
  if (type === 'boolean') return `${name} = \${1|true,false|}`;
  if (type === 'integer' || type === 'number') return `${name} = \${1:0}`;
  if (type === 'array') return `${name} = [\${1}]`;
  if (type === 'object') return `${name} = {\n\t\${0}\n}`;
  return `${name} = "\${1}"`;
}

/** Without snippet support: the name and what makes it well-formed, nothing to tab through. */
function plainFor(name: string, block: boolean, type: string | undefined): string {
  if (block) return `${name} {\n}`;
  if (type === 'boolean') return `${name} = false`;
  if (type === 'integer' || type === 'number') return `${name} = 0`;
  if (type === 'array') return `${name} = []`;
  return `${name} = ""`;
}

function valueItems(request: Request, values: Iterable<string>, typed: string, quoted: boolean, kind: CompletionItemKind, detail?: (v: string) => string | undefined): CompletionItem[] {
  const out: CompletionItem[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) continue;
    seen.add(value);
    const item: CompletionItem = {
      label: value,
      kind,
      textEdit: { range: replacing(request, typed.length), newText: quoted ? value : `"${value}"` },
      filterText: value,
    };
    const d = detail?.(value);
    if (d) item.detail = d;
    out.push(item);
  }
  return out;
}

async function attributeValues(request: Request, attribute: string, typed: string, quoted: boolean): Promise<CompletionItem[]> {
  const { config, context } = request;
  const frames = blockFrames(request.cursor);
  const path = schemaPath(frames);
  const parent = frames[frames.length - 1];
  const enumItems = (values: Iterable<string>, detail?: (v: string) => string | undefined) => valueItems(request, values, typed, quoted, CompletionItemKind.EnumMember, detail);
  const environments = () => enumItems((config?.environments ?? []).map((e) => e.slug), (slug) => config?.environments.find((e) => e.slug === slug)?.name);

  if (request.kind === 'oclhub') {
    if (parent?.name === 'exception' && attribute === 'environment') return environments();
    if (parent?.name === 'exception' && attribute === 'tenant') return enumItems((config?.tenants ?? []).map((t) => t.slug));
    if (parent?.name === 'exception' && attribute === 'project') return enumItems((config?.projects ?? []).map((p) => p.slug));
    if (parent?.name === 'exception' && attribute === 'policy') return enumItems(await policySlugs(context, config));
    if (parent?.name === 'project' && attribute === 'group') return enumItems((config?.projectGroups ?? []).map((g) => g.slug));
    if (parent?.name === 'project' && attribute === 'environments') return environments();
    if (parent?.name === 'tenant' && attribute === 'projects') return enumItems((config?.projects ?? []).map((p) => p.slug));
    if (parent?.name === 'tenant' && attribute === 'environments') return environments();
    if (attribute === 'space' || attribute === 'default_space') return enumItems((config?.spaces ?? []).map((s) => s.slug));
    if (parent?.name === 'rule' && attribute === 'severity') return enumItems(RULE_SEVERITIES);
    if (parent?.name === 'policy' && attribute === 'active_version' && parent.labels[0] !== undefined) {
      const catalog = await context.hub.freshCatalog();
      const versions = catalog ? await catalog.versions('policies', parent.labels[0]) : [];
      return enumItems([...versions].reverse());
    }
  }
  switch (attribute) {
    case 'action_type':
      return enumItems([...KNOWN_ACTION_TYPES, ...(await workspaceActionTypes(context))]);
    case 'process_template_slug':
      return enumItems(await templateSlugs(context), () => 'process template');
    case 'version_mask':
      return enumItems(await versionMasks(request), () => 'version mask');
    case 'environments':
    case 'excluded_environments':
    case 'environment':
      return environments();
    case 'violation_action':
      return enumItems(VIOLATION_ACTIONS);
    case 'worker_pool_variable':
    case 'environments_variable': {
      const visible = await parametersFor(context, request.analysis);
      const wanted = attribute === 'worker_pool_variable' ? 'WorkerPool' : 'Environments';
      const names = (visible?.parameters ?? []).filter((p) => p.controlType === wanted).map((p) => `#{${p.name}}`);
      return enumItems(names);
    }
  }
  if (request.kind) {
    const property = propertyAt(request.kind, path, attribute);
    if (property?.values) return enumItems(property.values);
    if (property?.type === 'boolean' && !quoted) {
      return ['true', 'false'].map((v) => ({ label: v, kind: CompletionItemKind.Value, textEdit: { range: replacing(request, typed.length), newText: v } }));
    }
  }
  return [];
}

async function labels(request: Request, block: string, typed: string): Promise<CompletionItem[]> {
  const frames = blockFrames(request.cursor);
  const parent = frames[frames.length - 1];
  const items = (values: Iterable<string>, detail?: (v: string) => string | undefined) => valueItems(request, values, typed, true, CompletionItemKind.Reference, detail);
  if (request.kind === 'oclhub' && frames.length === 0) {
    if (block === 'policy') return items(await policySlugs(request.context, request.config));
    if (block === 'rule') return items([...KNOWN_CODES].sort());
  }
  if ((block === 'parameter' || block === 'package_parameter') && parent?.name === 'process_template') {
    // A usage's parameters: the template's declared parameter names.
    const at = locate(request.analysis.ast, request.offset);
    const usage = [...at.blocks].reverse().find((b) => b.name === 'process_template');
    const slug = stringAttribute(usage, 'process_template_slug');
    const template = slug === undefined ? undefined : await templateDocument(request.context, slug);
    const parameters = template?.document.parameters ?? [];
    const packages = block === 'package_parameter';
    return items(
      parameters.filter((p) => (p.controlType === 'Package') === packages).map((p) => p.name),
      (name) => parameters.find((p) => p.name === name)?.label,
    );
  }
  return [];
}

async function mapKeys(request: Request, attribute: string, typed: string): Promise<CompletionItem[]> {
  const keys = attribute === 'display_settings' ? DISPLAY_SETTING_KEYS : attribute === 'properties' ? PROPERTY_KEYS : [];
  return keys.map((key) => ({
    label: key,
    kind: CompletionItemKind.Field,
    insertTextFormat: request.context.snippets ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    textEdit: { range: replacing(request, typed.length), newText: request.context.snippets ? `${key} = "\${1}"` : `${key} = ""` },
  }));
}

async function mapValues(request: Request, attribute: string, key: string, typed: string): Promise<CompletionItem[]> {
  if (attribute === 'display_settings' && key === 'Octopus.ControlType') return valueItems(request, CONTROL_TYPES, typed, /"[^"]*$/.test(request.cursor.before), CompletionItemKind.EnumMember);
  if (attribute === 'properties' && key === 'Octopus.Action.RunOnServer') return valueItems(request, ['true', 'false'], typed, /"[^"]*$/.test(request.cursor.before), CompletionItemKind.Value);
  return [];
}

/** `#{` … : the template parameters visible here, and the project's variables. */
async function parameterReferences(request: Request, typed: string): Promise<CompletionItem[]> {
  const visible = await parametersFor(request.context, request.analysis);
  const out: CompletionItem[] = [];
  for (const parameter of visible?.parameters ?? []) {
    const item: CompletionItem = {
      label: parameter.name,
      kind: CompletionItemKind.Variable,
      detail: parameter.controlType ?? 'parameter',
      textEdit: { range: replacing(request, typed.length), newText: parameter.name },
    };
    const doc = [parameter.label, parameter.helpText].filter((s) => s !== undefined && s !== '').join('\n\n');
    if (doc) item.documentation = { kind: 'markdown', value: doc };
    out.push(item);
  }
  return out;
}

async function templateSlugs(context: LspContext): Promise<string[]> {
  const slugs = new Set((await hubFiles(context, 'process_template')).keys());
  const catalog = await context.hub.freshCatalog().catch(() => undefined);
  for (const slug of catalog ? await catalog.slugs('process-templates') : []) slugs.add(slug);
  return [...slugs].sort();
}

async function policySlugs(context: LspContext, config: HubConfigDocument | undefined): Promise<string[]> {
  const slugs = new Set((await hubFiles(context, 'policy')).keys());
  for (const policy of config?.policies ?? []) slugs.add(policy.slug);
  return [...slugs].sort();
}

async function workspaceActionTypes(context: LspContext): Promise<string[]> {
  const out = new Set<string>();
  for (const file of context.workspace.files()) {
    const document = context.cached(file)?.result.document;
    const process = document?.kind === 'deployment_process' || document?.kind === 'process_template' ? document : document?.kind === 'runbook' ? document.process : undefined;
    for (const step of process?.steps ?? []) for (const action of step.actions) if (action.actionType) out.add(action.actionType);
  }
  return [...out].sort();
}

/** Masks a usage can take, newest first: `<major>.X` and `<major>.<minor>.X` of each published version. */
async function versionMasks(request: Request): Promise<string[]> {
  const at = locate(request.analysis.ast, request.offset);
  const usage = [...at.blocks].reverse().find((b) => b.name === 'process_template');
  const slug = stringAttribute(usage, 'process_template_slug') ?? slugNearby(request);
  if (slug === undefined) return [];
  const catalog = await request.context.hub.freshCatalog().catch(() => undefined);
  const versions = catalog ? await catalog.versions('process-templates', slug) : [];
  const masks: string[] = [];
  for (const version of [...versions].reverse()) {
    const v = parseVersion(version);
    if (!v) continue;
    for (const mask of [`${v.major}.X`, `${v.major}.${v.minor}.X`]) if (!masks.includes(mask)) masks.push(mask);
  }
  return masks;
}

/** The usage's template slug when the block does not parse yet: the nearest `process_template_slug` above. */
function slugNearby(request: Request): string | undefined {
  const text = request.analysis.lines.text.slice(0, request.offset);
  const matches = [...text.matchAll(/process_template_slug\s*=\s*"([^"]+)"/g)];
  const last = matches[matches.length - 1];
  if (!last) return undefined;
  const sinceBlockStart = text.lastIndexOf('process_template "');
  return last.index! > sinceBlockStart ? last[1] : undefined;
}
