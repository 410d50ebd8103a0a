/**
 * What the bump check needs from a template version: its parameters and steps, read straight from
 * the OCL AST (the typed model does not cover process templates yet). A template version is one
 * document (process template) or a set of files (project template: parameters.ocl,
 * deployment_process.ocl, template.ocl, variables.ocl, channels/*.ocl …). Parameters are the
 * top-level `parameter "<name>"` blocks of any file; steps are the top-level `step "<slug>"` and
 * `process_template "<slug>"` (usage) blocks, in order.
 */
import type { Range } from '../diagnostics.js';
import type { OclBlock, OclDocument, OclElement, OclLiteral, OclMap, OclValue } from '../ocl/ast.js';
import { semanticValue } from '../ocl/semantic.js';

export interface TemplateFile {
  /** Path inside the template folder (`parameters.ocl`, `channels/default.ocl`), or '' for a lone document. */
  path: string;
  document: OclDocument;
  /** The source text, when known: lets the check tell formatting-only edits from identical files exactly. */
  text?: string;
}

/** One process template document, or the files of a project template. */
export type TemplateSnapshot = OclDocument | readonly TemplateFile[];

export interface ShapeParameter {
  name: string;
  file: string;
  block: OclBlock;
  /** `display_settings = { Octopus.ControlType = "…" }`. */
  controlType?: string;
  /** Has a `value "<default>" {}` block. */
  hasDefault: boolean;
  /** `is_optional = true`. */
  isOptional: boolean;
}

export interface ShapeAction {
  /** The action's label, or its step's slug for an unlabelled action (Octopus's single-action steps). */
  slug: string;
  name?: string;
  block: OclBlock;
}

export interface ShapeStep {
  slug: string;
  kind: 'step' | 'process_template';
  name?: string;
  file: string;
  block: OclBlock;
  actions: ShapeAction[];
}

export interface ShapeChannel {
  /** The channel file's name without `.ocl`. */
  slug: string;
  name?: string;
  file: string;
  document: OclDocument;
}

/** Any other top-level element, keyed by file and element name/labels. */
export interface ShapeOther {
  key: string;
  /** `name`, `icon`, `variable "X"` … */
  display: string;
  file: string;
  element: OclElement;
}

export interface TemplateShape {
  files: TemplateFile[];
  parameters: Map<string, ShapeParameter>;
  steps: ShapeStep[];
  channels: Map<string, ShapeChannel>;
  others: Map<string, ShapeOther>;
}

export function toFiles(snapshot: TemplateSnapshot): TemplateFile[] {
  return isDocument(snapshot) ? [{ path: '', document: snapshot }] : [...snapshot];
}

function isDocument(snapshot: TemplateSnapshot): snapshot is OclDocument {
  return !Array.isArray(snapshot) && (snapshot as OclDocument).type === 'document';
}

const CHANNEL_FILE = /^channels\/([^/]+)\.ocl$/i;

export function extractShape(snapshot: TemplateSnapshot): TemplateShape {
  const files = toFiles(snapshot);
  const shape: TemplateShape = { files, parameters: new Map(), steps: [], channels: new Map(), others: new Map() };
  const stepSlugs = new Set<string>();
  for (const file of files) {
    const channel = CHANNEL_FILE.exec(file.path);
    if (channel) {
      const name = stringAttribute(file.document.body, 'name');
      shape.channels.set(channel[1]!, { slug: channel[1]!, file: file.path, document: file.document, ...(name !== undefined && { name }) });
      continue;
    }
    const seen = new Map<string, number>();
    for (const element of file.document.body) {
      if (element.type === 'block' && element.name === 'parameter' && element.labels.length === 1) {
        const name = element.labels[0]!.value;
        if (!shape.parameters.has(name)) shape.parameters.set(name, readParameter(name, file.path, element));
        continue;
      }
      if (element.type === 'block' && (element.name === 'step' || element.name === 'process_template') && element.labels.length === 1) {
        const slug = element.labels[0]!.value;
        if (!stepSlugs.has(slug)) {
          stepSlugs.add(slug);
          shape.steps.push(readStep(slug, file.path, element));
        }
        continue;
      }
      const display = displayName(element);
      const count = seen.get(display) ?? 0;
      seen.set(display, count + 1);
      const key = `${file.path}\u0000${display}\u0000${count}`;
      shape.others.set(key, { key, display, file: file.path, element });
    }
  }
  return shape;
}

function readParameter(name: string, file: string, block: OclBlock): ShapeParameter {
  let controlType: string | undefined;
  const settings = findAttribute(block.body, 'display_settings');
  if (settings?.type === 'map') {
    const entry = settings.entries.find((e) => e.key === 'Octopus.ControlType');
    if (entry && (entry.value.type === 'string' || entry.value.type === 'heredoc')) controlType = entry.value.value;
  }
  const optional = findAttribute(block.body, 'is_optional');
  const isOptional =
    optional?.type === 'bool' ? optional.value : (optional?.type === 'string' && optional.value.toLowerCase() === 'true');
  const hasDefault = block.body.some((e) => e.type === 'block' && e.name === 'value');
  return { name, file, block, hasDefault, isOptional, ...(controlType !== undefined && { controlType }) };
}

function readStep(slug: string, file: string, block: OclBlock): ShapeStep {
  const actions: ShapeAction[] = [];
  for (const element of block.body) {
    if (element.type !== 'block' || element.name !== 'action') continue;
    const actionSlug = element.labels[0]?.value ?? slug;
    if (actions.some((a) => a.slug === actionSlug)) continue;
    const name = stringAttribute(element.body, 'name');
    actions.push({ slug: actionSlug, block: element, ...(name !== undefined && { name }) });
  }
  const name = stringAttribute(block.body, 'name');
  const kind = block.name === 'step' ? 'step' : 'process_template';
  return { slug, kind, file, block, actions, ...(name !== undefined && { name }) };
}

function findAttribute(body: readonly OclElement[], name: string): OclValue | undefined {
  for (const element of body) if (element.type === 'attribute' && element.name === name) return element.value;
  return undefined;
}

function stringAttribute(body: readonly OclElement[], name: string): string | undefined {
  const value = findAttribute(body, name);
  return value && (value.type === 'string' || value.type === 'heredoc') ? value.value : undefined;
}

/** `name`, or `block "label" "label"` for blocks. */
export function displayName(element: OclElement): string {
  if (element.type === 'attribute') return element.name;
  return [element.name, ...element.labels.map((l) => JSON.stringify(l.value))].join(' ');
}

export function elementRange(element: OclElement): Range {
  return element.range;
}

/**
 * A JSON string that is equal for two elements exactly when they mean the same to Octopus:
 * source ranges, quoting, heredoc versus string, integer spelling and attribute order are ignored;
 * block order is kept (repeated blocks are lists). `withoutLabels` ignores the element's own labels,
 * for rename detection.
 */
export function meaningKey(element: OclElement, withoutLabels = false): string {
  if (withoutLabels) return JSON.stringify(canonicalElement(element, true));
  let key = meaningKeys.get(element);
  if (key === undefined) {
    key = JSON.stringify(canonicalElement(element));
    meaningKeys.set(element, key);
  }
  return key;
}

/** ASTs are not mutated once parsed, so an element's key can be remembered. */
const meaningKeys = new WeakMap<OclElement, string>();

export function bodyMeaningKey(body: readonly OclElement[]): string {
  return JSON.stringify(canonicalBody(body));
}

function canonicalElement(element: OclElement, withoutLabels = false): unknown {
  if (element.type === 'attribute') return ['=', element.name, semanticValue(element.value)];
  return ['{', element.name, withoutLabels ? [] : element.labels.map((l) => l.value), canonicalBody(element.body)];
}

function canonicalBody(body: readonly OclElement[]): unknown[] {
  const attributes = body.filter((e) => e.type === 'attribute').sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const blocks = body.filter((e) => e.type === 'block');
  return [...attributes, ...blocks].map((e) => canonicalElement(e));
}

/**
 * Where two bodies differ in meaning, as short paths: `help_text`, `value "main"`,
 * `action.properties["Octopus.Action.Script.ScriptBody"]`. Descends into a block or a map that
 * occurs once on both sides, so a sentence can say *what* changed, not just that something did.
 */
export function changedChildren(previous: readonly OclElement[], next: readonly OclElement[], prefix = ''): string[] {
  const group = (body: readonly OclElement[]) => {
    const map = new Map<string, OclElement[]>();
    for (const element of body) {
      const name = displayName(element);
      map.set(name, [...(map.get(name) ?? []), element]);
    }
    return map;
  };
  const a = group(previous);
  const b = group(next);
  const changed: string[] = [];
  for (const name of new Set([...a.keys(), ...b.keys()])) {
    const before = a.get(name) ?? [];
    const after = b.get(name) ?? [];
    if (JSON.stringify(before.map((e) => meaningKey(e))) === JSON.stringify(after.map((e) => meaningKey(e)))) continue;
    const path = `${prefix}${name}`;
    const [x, y] = [before[0], after[0]];
    if (before.length === 1 && after.length === 1 && x!.type === 'block' && y!.type === 'block') {
      const inner = changedChildren(x!.body, y!.body, `${path}.`);
      changed.push(...(inner.length > 0 ? inner : [path]));
    } else if (before.length === 1 && after.length === 1 && x!.type === 'attribute' && y!.type === 'attribute' && x!.value.type === 'map' && y!.value.type === 'map') {
      const keys = (m: OclMap) => new Map(m.entries.map((e) => [e.key, JSON.stringify(semanticValue(e.value))]));
      const [ka, kb] = [keys(x!.value), keys(y!.value)];
      const differing = [...new Set([...ka.keys(), ...kb.keys()])].filter((k) => ka.get(k) !== kb.get(k));
      changed.push(...(differing.length > 0 ? differing.map((k) => `${path}[${JSON.stringify(k)}]`) : [path]));
    } else {
      changed.push(path);
    }
  }
  return changed;
}
