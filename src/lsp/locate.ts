/** What the syntax tree has at an offset: the enclosing blocks and the attribute, map entry, label or value under it. */
import type { OclAttribute, OclBlock, OclElement, OclLabel, OclMapEntry, OclDocument } from '../ocl/ast.js';
import { contains } from './positions.js';

export interface AtOffset {
  /** Enclosing blocks, outermost first (including a block whose header is under the offset). */
  blocks: OclBlock[];
  attribute?: OclAttribute;
  /** The offset is on the attribute's or block's name. */
  onName?: boolean;
  /** The block whose label is under the offset. */
  label?: { block: OclBlock; label: OclLabel; index: number };
  entry?: OclMapEntry;
  /** The string under the offset (an attribute value, a map entry value or an array item) and its range. */
  string?: { value: string; range: OclAttribute['range']; heredoc: boolean };
}

export function locate(document: OclDocument, offset: number): AtOffset {
  const out: AtOffset = { blocks: [] };
  let body: readonly OclElement[] = document.body;
  for (;;) {
    const element = body.find((e) => contains(e.range, offset));
    if (!element) return out;
    if (element.type === 'block') {
      out.blocks.push(element);
      if (contains(element.nameRange, offset)) {
        out.onName = true;
        return out;
      }
      const index = element.labels.findIndex((l) => contains(l.range, offset));
      if (index >= 0) {
        out.label = { block: element, label: element.labels[index]!, index };
        return out;
      }
      body = element.body;
      continue;
    }
    out.attribute = element;
    if (contains(element.nameRange, offset)) {
      out.onName = true;
      return out;
    }
    const value = element.value;
    if (value.type === 'string' || value.type === 'heredoc') {
      if (contains(value.range, offset)) out.string = { value: value.value, range: value.range, heredoc: value.type === 'heredoc' };
    } else if (value.type === 'array') {
      const item = value.items.find((i) => contains(i.range, offset));
      if (item?.type === 'string') out.string = { value: item.value, range: item.range, heredoc: false };
    } else if (value.type === 'map') {
      const entry = value.entries.find((e) => contains(e.range, offset));
      if (entry) {
        out.entry = entry;
        if (contains(entry.keyRange, offset)) out.onName = true;
        else if ((entry.value.type === 'string' || entry.value.type === 'heredoc') && contains(entry.value.range, offset)) {
          out.string = { value: entry.value.value, range: entry.value.range, heredoc: entry.value.type === 'heredoc' };
        }
      }
    }
    return out;
  }
}

/** Block names as the schemas know them (the Dec-2020 `steps`/`actions` are `step`/`action`). */
export function schemaPath(blocks: readonly { name: string }[]): string[] {
  return blocks.map((b) => (b.name === 'steps' ? 'step' : b.name === 'actions' ? 'action' : b.name));
}

/** A string attribute of a block, by name. */
export function stringAttribute(block: OclBlock | undefined, name: string): string | undefined {
  for (const element of block?.body ?? []) {
    if (element.type === 'attribute' && element.name === name && (element.value.type === 'string' || element.value.type === 'heredoc')) return element.value.value;
  }
  return undefined;
}
