/**
 * Typed read access to an OCL body for the model builders. Never throws and never reports: a value of
 * the wrong type reads as undefined (the schema layer reports it, with its position).
 */
import type { Range } from '../diagnostics.js';
import type { OclAttribute, OclBlock, OclElement } from '../ocl/ast.js';
import { blockHeaderRange, literalToJson, type JsonValue } from './projection.js';

export class BodyReader {
  readonly attributes = new Map<string, OclAttribute>();
  readonly blocks = new Map<string, OclBlock[]>();

  constructor(readonly body: readonly OclElement[]) {
    for (const element of body) {
      if (element.type === 'attribute') {
        if (!this.attributes.has(element.name)) this.attributes.set(element.name, element);
      } else {
        const list = this.blocks.get(element.name);
        if (list) list.push(element);
        else this.blocks.set(element.name, [element]);
      }
    }
  }

  string(name: string): string | undefined {
    const v = this.attributes.get(name)?.value;
    return v && (v.type === 'string' || v.type === 'heredoc') ? v.value : undefined;
  }

  bool(name: string): boolean | undefined {
    const v = this.attributes.get(name)?.value;
    return v?.type === 'bool' ? v.value : undefined;
  }

  int(name: string): number | undefined {
    const v = this.attributes.get(name)?.value;
    return v?.type === 'int' ? v.value : undefined;
  }

  stringList(name: string): string[] | undefined {
    const v = this.attributes.get(name)?.value;
    if (v?.type !== 'array') return undefined;
    return v.items.map((item) => (item.type === 'string' ? item.value : String(item.value)));
  }

  /** A map attribute as string values (non-string literals are stringified), with each entry's range. */
  map(name: string): { values: Record<string, string>; ranges: Record<string, Range> } {
    const values: Record<string, string> = {};
    const ranges: Record<string, Range> = {};
    const v = this.attributes.get(name)?.value;
    if (v?.type === 'map') {
      for (const entry of v.entries) {
        const value = entry.value;
        values[entry.key] =
          value.type === 'string' || value.type === 'heredoc'
            ? value.value
            : value.type === 'null'
              ? ''
              : value.type === 'array'
                ? JSON.stringify(literalToJson(value))
                : String(literalToJson(value));
        ranges[entry.key] = entry.range;
      }
    }
    return { values, ranges };
  }

  blockList(name: string): OclBlock[] {
    return this.blocks.get(name) ?? [];
  }

  block(name: string): OclBlock | undefined {
    return this.blocks.get(name)?.[0];
  }

  /** Full ranges of every attribute, by name. */
  attributeRanges(): Record<string, Range> {
    const out: Record<string, Range> = {};
    for (const [name, attribute] of this.attributes) out[name] = attribute.range;
    return out;
  }

  /** Attributes not in `known`, as JSON (kept so that nothing Octopus writes is lost in the model). */
  extra(known: readonly string[]): Record<string, JsonValue> {
    const out: Record<string, JsonValue> = {};
    for (const [name, attribute] of this.attributes) if (!known.includes(name)) out[name] = literalToJson(attribute.value);
    return out;
  }
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
