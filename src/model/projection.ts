/**
 * The JSON projection of an OCL document that the JSON Schemas validate, plus a map from every JSON
 * pointer back to the OCL element it came from, so that schema errors point at OCL source, not at JSON.
 *
 * Projection rules:
 * - a body (document or block) becomes an object;
 * - an attribute becomes a property holding its value (heredocs become strings, ints and decimals numbers,
 *   maps objects);
 * - blocks are grouped by name into an array under that name, in source order; each block object holds
 *   its labels under `$labels` (always present, possibly empty) and its body's properties.
 */
import type { Diagnostic, Range } from '../diagnostics.js';
import type { OclBlock, OclDocument, OclElement, OclValue, OclLiteral } from '../ocl/ast.js';
import type { BlockCache } from './block-cache.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const LABELS_KEY = '$labels';

export type PointerTarget =
  | { kind: 'document'; range: Range }
  | { kind: 'block'; name: string; range: Range; nameRange: Range; block: OclBlock }
  /** The array of all blocks of one name in a body: points at the first one. */
  | { kind: 'blocks'; name: string; range: Range; nameRange: Range; blocks: OclBlock[] }
  | { kind: 'attribute'; name: string; range: Range; nameRange: Range; valueRange: Range }
  | { kind: 'labels'; range: Range; block: OclBlock }
  | { kind: 'label'; range: Range }
  | { kind: 'map-entry'; name: string; range: Range; nameRange: Range; valueRange: Range }
  | { kind: 'array-item'; range: Range };

export interface Projection {
  json: JsonObject;
  pointers: Map<string, PointerTarget>;
  /** Structural problems found while projecting (duplicate attributes, attribute/block name clashes). */
  diagnostics: Diagnostic[];
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function literalToJson(value: OclValue | OclLiteral): JsonValue {
  switch (value.type) {
    case 'null':
      return null;
    case 'bool':
      return value.value;
    case 'int':
      return value.value;
    case 'decimal':
      return Number(value.value);
    case 'string':
    case 'heredoc':
      return value.value;
    case 'array':
      return value.items.map((item) => literalToJson(item));
    case 'map': {
      const out: JsonObject = {};
      for (const entry of value.entries) out[entry.key] = literalToJson(entry.value);
      return out;
    }
  }
}

/** Block header range: from the block name to the end of its last label (what a reader sees as "the block"). */
export function blockHeaderRange(block: OclBlock): Range {
  const last = block.labels[block.labels.length - 1];
  return { start: block.nameRange.start, end: last ? last.range.end : block.nameRange.end };
}

export interface ProjectOptions {
  file?: string;
  /** Renames applied to block names while projecting (legacy forms validated as their modern equivalent). */
  renameBlocks?: Record<string, string>;
  /** Top-level blocks projected for an earlier version of the file (see block-cache.ts). */
  cache?: BlockCache;
}

export function projectDocument(document: OclDocument, options: ProjectOptions = {}): Projection {
  const diagnostics: Diagnostic[] = [];
  const cached = options.cache ? { cache: options.cache, setting: `${options.file ?? ''}\u0000${JSON.stringify(options.renameBlocks ?? {})}` } : undefined;
  const json = projectBody(document.body, '', undefined, diagnostics, options, {}, cached);
  // The pointer map is only needed to position errors, so it is built on first use (valid files never pay for it).
  let pointers: Map<string, PointerTarget> | undefined;
  return {
    json,
    diagnostics,
    get pointers() {
      if (!pointers) {
        pointers = new Map<string, PointerTarget>();
        pointers.set('', { kind: 'document', range: document.range });
        projectBody(document.body, '', pointers, [], options, {});
      }
      return pointers;
    },
  };
}

function projectBody(
  body: OclElement[],
  pointer: string,
  pointers: Map<string, PointerTarget> | undefined,
  diagnostics: Diagnostic[],
  options: ProjectOptions,
  out: JsonObject,
  /** Only for the document's own body, in the JSON pass. */
  cached?: { cache: BlockCache; setting: string },
): JsonObject {
  const attributeSeen = new Map<string, Range>();
  const blockGroups = new Map<string, OclBlock[]>();
  for (const element of body) {
    const name = element.type === 'block' ? (options.renameBlocks?.[element.name] ?? element.name) : element.name;
    if (element.type === 'attribute') {
      const earlier = attributeSeen.get(name);
      if (earlier) {
        diagnostics.push({
          severity: 'error',
          code: 'SCH009',
          summary: `Duplicate attribute \`${name}\``,
          detail: 'An attribute may appear only once in a block; Octopus keeps one of the values.',
          file: options.file,
          range: element.nameRange,
          related: [{ file: options.file, range: earlier, message: 'first defined here' }],
        });
        continue;
      }
      if (blockGroups.has(name)) {
        diagnostics.push(clash(name, element.nameRange, options.file));
        continue;
      }
      attributeSeen.set(name, element.nameRange);
      out[name] = literalToJson(element.value);
      if (!pointers) continue;
      const attrPointer = `${pointer}/${escapePointer(name)}`;
      pointers.set(attrPointer, {
        kind: 'attribute',
        name,
        range: element.range,
        nameRange: element.nameRange,
        valueRange: element.value.range,
      });
      if (element.value.type === 'map') {
        for (const entry of element.value.entries) {
          pointers.set(`${attrPointer}/${escapePointer(entry.key)}`, {
            kind: 'map-entry',
            name: entry.key,
            range: entry.range,
            nameRange: entry.keyRange,
            valueRange: entry.value.range,
          });
        }
      } else if (element.value.type === 'array') {
        element.value.items.forEach((item, i) => pointers.set(`${attrPointer}/${i}`, { kind: 'array-item', range: item.range }));
      }
    } else {
      if (attributeSeen.has(name)) {
        diagnostics.push(clash(name, element.nameRange, options.file));
        continue;
      }
      let group = blockGroups.get(name);
      if (!group) {
        group = [];
        blockGroups.set(name, group);
        out[name] = [];
      }
      const index = group.length;
      group.push(element);
      const blockPointer = pointers ? `${pointer}/${escapePointer(name)}/${index}` : '';
      if (pointers) {
        pointers.set(blockPointer, { kind: 'block', name, range: element.range, nameRange: blockHeaderRange(element), block: element });
        const labelsPointer = `${blockPointer}/${LABELS_KEY}`;
        pointers.set(labelsPointer, { kind: 'labels', range: blockHeaderRange(element), block: element });
        element.labels.forEach((label, i) => pointers.set(`${labelsPointer}/${i}`, { kind: 'label', range: label.range }));
      }
      if (cached) {
        let block = cached.cache.projections.get(element, cached.setting);
        if (!block) {
          const found: Diagnostic[] = [];
          block = cached.cache.projections.set(element, cached.setting, { json: projectBlock(element, blockPointer, pointers, found, options), diagnostics: found });
        }
        diagnostics.push(...block.diagnostics);
        (out[name] as JsonValue[]).push(block.json);
      } else {
        (out[name] as JsonValue[]).push(projectBlock(element, blockPointer, pointers, diagnostics, options));
      }
    }
  }
  if (!pointers) return out;
  for (const [name, blocks] of blockGroups) {
    const first = blocks[0]!;
    pointers.set(`${pointer}/${escapePointer(name)}`, {
      kind: 'blocks',
      name,
      range: first.range,
      nameRange: blockHeaderRange(first),
      blocks,
    });
  }
  return out;
}

function projectBlock(block: OclBlock, pointer: string, pointers: Map<string, PointerTarget> | undefined, diagnostics: Diagnostic[], options: ProjectOptions): JsonObject {
  const json: JsonObject = { [LABELS_KEY]: block.labels.map((l) => l.value) };
  return projectBody(block.body, pointer, pointers, diagnostics, options, json);
}

function clash(name: string, range: Range, file: string | undefined): Diagnostic {
  return {
    severity: 'error',
    code: 'SCH010',
    summary: `\`${name}\` is used both as an attribute and as a block`,
    detail: `Write \`${name}\` either as \`${name} = …\` or as \`${name} { … }\`, not both.`,
    file,
    range,
  };
}
