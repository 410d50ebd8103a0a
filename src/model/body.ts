/**
 * Typed read access to an OCL body for the model builders. Never throws and never reports: a value of
 * the wrong type reads as undefined (the schema layer reports it, with its position).
 */
import type { Range } from '../diagnostics.js';
import type { OclAttribute, OclBlock, OclElement, OclValue } from '../ocl/ast.js';
import { blockHeaderRange, literalToJson, type JsonValue } from './projection.js';

/** Bodies up to this many elements are searched by scanning; larger ones through maps made on first use. */
const SMALL = 16;

export class BodyReader {
  /**
   * The first attribute of each name, in body order (a later one of the same name is never read). A
   * model builder asks a few elements for a dozen names: scanning them costs less than filling two maps
   * per block, which lint did for every step, action and package of every project.
   */
  private readonly firsts: OclAttribute[];
  private attributeMap: Map<string, OclAttribute> | undefined;
  private blockMap: Map<string, OclBlock[]> | undefined;

  constructor(readonly body: readonly OclElement[]) {
    this.firsts = firstAttributes(body);
  }

  /** The first attribute of each name. */
  get attributes(): ReadonlyMap<string, OclAttribute> {
    if (this.attributeMap === undefined) {
      const map = new Map<string, OclAttribute>();
      for (const attribute of this.firsts) map.set(attribute.name, attribute);
      this.attributeMap = map;
    }
    return this.attributeMap;
  }

  /** Every block of each name, in body order. */
  get blocks(): ReadonlyMap<string, OclBlock[]> {
    if (this.blockMap === undefined) {
      const map = new Map<string, OclBlock[]>();
      for (const element of this.body) {
        if (element.type !== 'block') continue;
        const list = map.get(element.name);
        if (list) list.push(element);
        else map.set(element.name, [element]);
      }
      this.blockMap = map;
    }
    return this.blockMap;
  }

  /** The first attribute named `name`. */
  attribute(name: string): OclAttribute | undefined {
    const firsts = this.firsts;
    if (firsts.length > SMALL) return this.attributes.get(name);
    for (let i = 0; i < firsts.length; i++) if (firsts[i]!.name === name) return firsts[i];
    return undefined;
  }

  string(name: string): string | undefined {
    return stringOf(this.attribute(name)?.value);
  }

  bool(name: string): boolean | undefined {
    return boolOf(this.attribute(name)?.value);
  }

  int(name: string): number | undefined {
    const v = this.attribute(name)?.value;
    return v?.type === 'int' ? v.value : undefined;
  }

  stringList(name: string): string[] | undefined {
    return stringListOf(this.attribute(name)?.value);
  }

  /** A map attribute as string values (non-string literals are stringified), with each entry's range. */
  map(name: string): { values: Record<string, string>; ranges: Record<string, Range> } {
    return mapOf(this.attribute(name)?.value);
  }

  /** Every block named `name`, in body order. */
  blockList(name: string): OclBlock[] {
    const body = this.body;
    if (body.length > SMALL) return this.blocks.get(name) ?? [];
    const out: OclBlock[] = [];
    for (let i = 0; i < body.length; i++) {
      const element = body[i]!;
      if (element.type === 'block' && element.name === name) out.push(element);
    }
    return out;
  }

  block(name: string): OclBlock | undefined {
    const body = this.body;
    if (body.length > SMALL) return this.blocks.get(name)?.[0];
    for (let i = 0; i < body.length; i++) {
      const element = body[i]!;
      if (element.type === 'block' && element.name === name) return element;
    }
    return undefined;
  }

  /** Full ranges of every attribute, by name. */
  attributeRanges(): Record<string, Range> {
    const out: Record<string, Range> = {};
    for (const attribute of this.firsts) out[attribute.name] = attribute.range;
    return out;
  }

  /** Attributes not in `known`, as JSON (kept so that nothing Octopus writes is lost in the model). */
  extra(known: readonly string[]): Record<string, JsonValue> {
    const out: Record<string, JsonValue> = {};
    for (const attribute of this.firsts) if (!known.includes(attribute.name)) out[attribute.name] = literalToJson(attribute.value);
    return out;
  }
}

/** The first attribute of each name in `body`, in body order: the ones a model is built from. */
export function firstAttributes(body: readonly OclElement[]): OclAttribute[] {
  const out: OclAttribute[] = [];
  if (body.length > SMALL) {
    const seen = new Set<string>();
    for (const element of body) {
      if (element.type !== 'attribute' || seen.has(element.name)) continue;
      seen.add(element.name);
      out.push(element);
    }
    return out;
  }
  for (let i = 0; i < body.length; i++) {
    const element = body[i]!;
    if (element.type === 'attribute' && !namedIn(out, element.name)) out.push(element);
  }
  return out;
}

function namedIn(attributes: readonly OclAttribute[], name: string): boolean {
  for (let i = 0; i < attributes.length; i++) if (attributes[i]!.name === name) return true;
  return false;
}

/** A block's attributes read in one pass (readAttributes). */
export interface AttributeRead {
  /** The value of the first attribute of each known name, by the name's position in the list. */
  values: (OclValue | undefined)[];
  /** Full ranges of every attribute, by name (BlockSource.attributeRanges). */
  attributeRanges: Record<string, Range>;
  /** The attributes of names not in the list, as JSON (BodyReader.extra). */
  extra: Record<string, JsonValue>;
}

/**
 * What a model builder reads of a block's attributes, in one pass: for the steps and actions of every
 * project in a lint, a reader's dozen look-ups per block cost more than the rest of building them.
 */
export function readAttributes(body: readonly OclElement[], known: readonly string[]): AttributeRead {
  const values: (OclValue | undefined)[] = [];
  for (let i = 0; i < known.length; i++) values.push(undefined);
  const attributeRanges: Record<string, Range> = {};
  const extra: Record<string, JsonValue> = {};
  for (const attribute of firstAttributes(body)) {
    attributeRanges[attribute.name] = attribute.range;
    const at = known.indexOf(attribute.name);
    if (at < 0) extra[attribute.name] = literalToJson(attribute.value);
    else values[at] = attribute.value;
  }
  return { values, attributeRanges, extra };
}

/** Each name's position in `names`, for reading `AttributeRead.values` by name. */
export function positionsOf<const T extends readonly string[]>(names: T): { readonly [K in T[number]]: number } {
  return Object.fromEntries(names.map((name, i) => [name, i])) as { [K in T[number]]: number };
}

// The typed reads of one attribute value (undefined when absent or of another type).

export function stringOf(value: OclValue | undefined): string | undefined {
  return value !== undefined && (value.type === 'string' || value.type === 'heredoc') ? value.value : undefined;
}

export function boolOf(value: OclValue | undefined): boolean | undefined {
  return value?.type === 'bool' ? value.value : undefined;
}

export function stringListOf(value: OclValue | undefined): string[] | undefined {
  if (value?.type !== 'array') return undefined;
  return value.items.map((item) => (item.type === 'string' ? item.value : String(item.value)));
}

export function mapOf(value: OclValue | undefined): { values: Record<string, string>; ranges: Record<string, Range> } {
  const values: Record<string, string> = {};
  const ranges: Record<string, Range> = {};
  if (value?.type === 'map') {
    for (const entry of value.entries) {
      const v = entry.value;
      values[entry.key] =
        v.type === 'string' || v.type === 'heredoc' ? v.value : v.type === 'null' ? '' : v.type === 'array' ? JSON.stringify(literalToJson(v)) : String(literalToJson(v));
      ranges[entry.key] = entry.range;
    }
  }
  return { values, ranges };
}

/** Source location of a model element built from a block. */
export interface BlockSource {
  /** The whole block. */
  range: Range;
  /** The block name and labels: where a finding "about this block" points. */
  headerRange: Range;
  /** Range of the first label, when there is one. */
  labelRange?: Range;
  /** Full range of each attribute of the block, by attribute name. */
  attributeRanges: Record<string, Range>;
}

export function blockSource(block: OclBlock, reader: BodyReader): BlockSource {
  const source: BlockSource = { range: block.range, headerRange: blockHeaderRange(block), attributeRanges: reader.attributeRanges() };
  if (block.labels[0]) source.labelRange = block.labels[0].range;
  return source;
}
