/**
 * What is under the cursor, as something that has a definition and references across files:
 * a process template (a usage's `process_template_slug`, or the template file itself), a template
 * parameter (`#{Template.X}`, a `parameter "X"` block, a usage's `parameter "X"`), a policy (its slug
 * in `oclhub.ocl`, or the policy file) and an environment (its slug anywhere, its block in `oclhub.ocl`).
 */
import type { DefinitionParams, Location, ReferenceParams } from 'vscode-languageserver';
import type { Range } from '../diagnostics.js';
import { classifyPath } from '../model/kinds.js';
import { findReferences } from '../model/checks/references.js';
import type { OclBlock, OclElement } from '../ocl/ast.js';
import type { FileAnalysis } from './analysis.js';
import { hubFiles, parametersFor } from './facts.js';
import { locate, stringAttribute, type AtOffset } from './locate.js';
import { bomShift, toLspRange } from './positions.js';
import type { LspContext } from './server.js';

export type Subject =
  | { kind: 'template'; slug: string; range: Range }
  | { kind: 'parameter'; name: string; /** The file declaring it (template or parameters.ocl). */ declaredIn?: string; template?: string; range: Range }
  | { kind: 'policy'; slug: string; range: Range }
  | { kind: 'environment'; slug: string; range: Range }
  | { kind: 'usage'; usage: OclBlock; slug?: string; range: Range };

const CONFIG_FILE = 'oclhub.ocl';
const ENVIRONMENT_ATTRIBUTES = new Set(['environments', 'excluded_environments', 'environment']);

/** The `#{…}` reference around an offset inside a string, as a parameter name. */
function referenceAt(analysis: FileAnalysis, at: AtOffset, offset: number): { name: string; range: Range } | undefined {
  if (!at.string) return undefined;
  const text = analysis.lines.text;
  const start = at.string.range.start.offset;
  const slice = text.slice(start, at.string.range.end.offset);
  for (const reference of findReferences(slice).references) {
    const from = start + reference.offset;
    const to = from + reference.raw.length;
    if (offset >= from && offset <= to) return { name: reference.name.split('[')[0]!, range: analysis.lines.range(from, to) };
  }
  return undefined;
}

export async function subjectAt(context: LspContext, analysis: FileAnalysis, offset: number): Promise<Subject | undefined> {
  const at = locate(analysis.ast, offset);
  const kind = analysis.kind ?? classifyPath(analysis.file)?.kind;
  const innermost = at.blocks[at.blocks.length - 1];
  const reference = referenceAt(analysis, at, offset);
  if (reference) {
    const visible = await parametersFor(context, analysis);
    return { kind: 'parameter', name: reference.name, ...(visible ? { declaredIn: visible.file } : {}), range: reference.range };
  }
  if (at.attribute && at.string) {
    const name = at.attribute.name;
    if (name === 'process_template_slug') return { kind: 'template', slug: at.string.value, range: at.string.range };
    if (kind === 'oclhub' && name === 'policy' && innermost?.name === 'exception') return { kind: 'policy', slug: at.string.value, range: at.string.range };
    if (ENVIRONMENT_ATTRIBUTES.has(name)) return { kind: 'environment', slug: at.string.value, range: at.string.range };
    if (name === 'version_mask' && innermost?.name === 'process_template') {
      const slug = stringAttribute(innermost, 'process_template_slug');
      return { kind: 'usage', usage: innermost, ...(slug !== undefined ? { slug } : {}), range: at.string.range };
    }
  }
  if (at.label) {
    const { block, label } = at.label;
    const value = label.value;
    if (kind === 'oclhub' && at.blocks.length === 1 && block.name === 'policy') return { kind: 'policy', slug: value, range: label.range };
    if (kind === 'oclhub' && at.blocks.length === 1 && block.name === 'environment') return { kind: 'environment', slug: value, range: label.range };
    if (block.name === 'process_template') {
      const slug = stringAttribute(block, 'process_template_slug');
      return { kind: 'usage', usage: block, ...(slug !== undefined ? { slug } : {}), range: label.range };
    }
    if (block.name === 'parameter' || block.name === 'package_parameter') {
      const usage = at.blocks[at.blocks.length - 2];
      if (usage?.name === 'process_template') {
        const slug = stringAttribute(usage, 'process_template_slug');
        return { kind: 'parameter', name: value, ...(slug !== undefined ? { template: slug } : {}), range: label.range };
      }
      if (at.blocks.length === 1) return { kind: 'parameter', name: value, declaredIn: analysis.file, range: label.range };
    }
  }
  if (kind === 'process_template' && at.blocks.length === 0) {
    const slug = classifyPath(analysis.file)?.slug;
    if (slug !== undefined) return { kind: 'template', slug, range: at.attribute?.range ?? analysis.ast.range };
  }
  if (kind === 'policy' && at.blocks.length === 0) {
    const slug = classifyPath(analysis.file)?.slug;
    if (slug !== undefined) return { kind: 'policy', slug, range: at.attribute?.range ?? analysis.ast.range };
  }
  return undefined;
}

function location(context: LspContext, analysis: FileAnalysis, range: Range | undefined): Location {
  return { uri: context.workspace.uriOf(analysis.file), range: toLspRange(range, bomShift(analysis.text)) };
}

function topBlock(body: readonly OclElement[], name: string, label: string): OclBlock | undefined {
  return body.find((e): e is OclBlock => e.type === 'block' && e.name === name && e.labels[0]?.value === label);
}

async function templateFile(context: LspContext, slug: string): Promise<FileAnalysis | undefined> {
  const file = (await hubFiles(context, 'process_template')).get(slug);
  return file === undefined ? undefined : context.analysis(file);
}

export async function definitionOf(context: LspContext, subject: Subject): Promise<Location[]> {
  switch (subject.kind) {
    case 'template':
    case 'usage': {
      const slug = subject.slug;
      const template = slug === undefined ? undefined : await templateFile(context, slug);
      if (!template) return [];
      const name = template.ast.body.find((e) => e.type === 'attribute' && e.name === 'name');
      return [location(context, template, name?.range ?? { start: template.ast.range.start, end: template.ast.range.start })];
    }
    case 'parameter': {
      const file = subject.declaredIn ?? (subject.template !== undefined ? (await hubFiles(context, 'process_template')).get(subject.template) : undefined);
      const declaring = file === undefined ? undefined : await context.analysis(file);
      const block = declaring ? topBlock(declaring.ast.body, 'parameter', subject.name) : undefined;
      return declaring && block ? [location(context, declaring, block.labels[0]?.range ?? block.nameRange)] : [];
    }
    case 'policy': {
      const file = (await hubFiles(context, 'policy')).get(subject.slug);
      const policy = file === undefined ? undefined : await context.analysis(file);
      if (!policy) return [];
      const name = policy.ast.body.find((e) => e.type === 'attribute' && e.name === 'name');
      return [location(context, policy, name?.range ?? { start: policy.ast.range.start, end: policy.ast.range.start })];
    }
    case 'environment': {
      const config = await context.analysis(CONFIG_FILE);
      const block = config ? topBlock(config.ast.body, 'environment', subject.slug) : undefined;
      return config && block ? [location(context, config, block.labels[0]?.range ?? block.nameRange)] : [];
    }
  }
}

/** Every place in the workspace that refers to the subject. */
export async function referencesOf(context: LspContext, subject: Subject, includeDeclaration: boolean): Promise<Location[]> {
  const out: Location[] = includeDeclaration ? await definitionOf(context, subject) : [];
  const files = context.workspace.files();
  const visit = (body: readonly OclElement[], parents: OclBlock[], fn: (element: OclElement, parents: readonly OclBlock[]) => void) => {
    for (const element of body) {
      fn(element, parents);
      if (element.type === 'block') visit(element.body, [...parents, element], fn);
    }
  };
  const slugOf = (s: Subject) => (s.kind === 'usage' ? s.slug : s.kind === 'template' || s.kind === 'policy' || s.kind === 'environment' ? s.slug : undefined);
  const templateSlug = subject.kind === 'template' || subject.kind === 'usage' ? slugOf(subject) : undefined;
  let parameterTemplate: string | undefined;
  if (subject.kind === 'parameter') {
    parameterTemplate = subject.template ?? (subject.declaredIn !== undefined ? classifyPath(subject.declaredIn)?.slug : undefined);
  }
  for (const file of files) {
    const analysis = await context.analysis(file);
    if (!analysis) continue;
    const fileKind = analysis.kind ?? classifyPath(file)?.kind;
    visit(analysis.ast.body, [], (element, parents) => {
      const parent = parents[parents.length - 1];
      if (element.type === 'attribute') {
        const value = element.value;
        if (templateSlug !== undefined && element.name === 'process_template_slug' && value.type === 'string' && value.value === templateSlug) out.push(location(context, analysis, value.range));
        if (subject.kind === 'policy' && fileKind === 'oclhub' && parent?.name === 'exception' && element.name === 'policy' && value.type === 'string' && value.value === subject.slug) {
          out.push(location(context, analysis, value.range));
        }
        if (subject.kind === 'environment' && ENVIRONMENT_ATTRIBUTES.has(element.name)) {
          const items = value.type === 'array' ? value.items : value.type === 'string' ? [value] : [];
          for (const item of items) if (item.type === 'string' && item.value === subject.slug) out.push(location(context, analysis, item.range));
        }
      } else {
        if (subject.kind === 'policy' && fileKind === 'oclhub' && parents.length === 0 && element.name === 'policy' && element.labels[0]?.value === subject.slug) {
          out.push(location(context, analysis, element.labels[0].range));
        }
        if (subject.kind === 'parameter' && parameterTemplate !== undefined && (element.name === 'parameter' || element.name === 'package_parameter') && parent?.name === 'process_template') {
          if (element.labels[0]?.value === subject.name && stringAttribute(parent, 'process_template_slug') === parameterTemplate) out.push(location(context, analysis, element.labels[0].range));
        }
      }
    });
    if (subject.kind === 'parameter' && subject.declaredIn !== undefined && (file === subject.declaredIn || sameFolderProcess(file, subject.declaredIn))) {
      for (const reference of findReferences(analysis.lines.text).references) {
        if (reference.name.split('[')[0] !== subject.name) continue;
        out.push(location(context, analysis, analysis.lines.range(reference.offset, reference.offset + reference.raw.length)));
      }
    }
  }
  return dedupe(out);
}

/** A project template's deployment process refers to the parameters.ocl beside it. */
function sameFolderProcess(file: string, parametersFile: string): boolean {
  return parametersFile.endsWith('/parameters.ocl') && file === parametersFile.replace(/parameters\.ocl$/, 'deployment_process.ocl');
}

function dedupe(locations: Location[]): Location[] {
  const seen = new Set<string>();
  return locations.filter((l) => {
    const key = `${l.uri}:${l.range.start.line}:${l.range.start.character}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function subjectFor(context: LspContext, uri: string, line: number, character: number): Promise<{ analysis: FileAnalysis; subject: Subject } | undefined> {
  const file = context.fileOf(uri);
  const analysis = file === undefined ? undefined : await context.analysis(file);
  if (!analysis) return undefined;
  const offset = analysis.offsetAt(line, character);
  const subject = await subjectAt(context, analysis, offset);
  return subject ? { analysis, subject } : undefined;
}

export async function definition(context: LspContext, params: DefinitionParams): Promise<Location[] | null> {
  const found = await subjectFor(context, params.textDocument.uri, params.position.line, params.position.character);
  if (!found) return null;
  return definitionOf(context, found.subject);
}

export async function references(context: LspContext, params: ReferenceParams): Promise<Location[] | null> {
  const found = await subjectFor(context, params.textDocument.uri, params.position.line, params.position.character);
  if (!found) return null;
  return referencesOf(context, found.subject, params.context?.includeDeclaration ?? false);
}
