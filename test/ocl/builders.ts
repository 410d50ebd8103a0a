/** Small constructors for OCL ASTs in tests (ranges are irrelevant to the printer and converter). */
import type { Range } from '../../src/diagnostics.js';
import type {
  OclArray,
  OclArrayItem,
  OclAttribute,
  OclBlock,
  OclDocument,
  OclElement,
  OclLiteral,
  OclMap,
  OclValue,
} from '../../src/ocl/ast.js';

export const NO_RANGE: Range = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };

export function doc(body: OclElement[], extra: Partial<Pick<OclDocument, 'lineEnding' | 'finalNewline' | 'bom'>> = {}): OclDocument {
  return { type: 'document', body, lineEnding: '\n', finalNewline: false, bom: false, range: NO_RANGE, ...extra };
}

export function block(name: string, labels: string[], body: OclElement[] = []): OclBlock {
  return { type: 'block', name, nameRange: NO_RANGE, labels: labels.map((value) => ({ value, range: NO_RANGE })), body, range: NO_RANGE };
}

export function attr(name: string, value: OclValue): OclAttribute {
  return { type: 'attribute', name, nameRange: NO_RANGE, value, range: NO_RANGE };
}

export const str = (value: string): OclLiteral => ({ type: 'string', value, range: NO_RANGE });
export const heredoc = (value: string, tag = 'EOT', indented = true): OclLiteral => ({ type: 'heredoc', value, tag, indented, range: NO_RANGE });
export const int = (value: number, raw = String(value)): OclLiteral => ({ type: 'int', value, raw, range: NO_RANGE });
export const dec = (value: string): OclLiteral => ({ type: 'decimal', value, range: NO_RANGE });
export const bool = (value: boolean): OclLiteral => ({ type: 'bool', value, range: NO_RANGE });
export const nul = (): OclLiteral => ({ type: 'null', range: NO_RANGE });

export function arr(elementType: OclArray['elementType'], items: OclArrayItem[]): OclArray {
  return { type: 'array', elementType, items, range: NO_RANGE };
}

export function map(entries: [string, OclLiteral, boolean?][]): OclMap {
  return {
    type: 'map',
    entries: entries.map(([key, value, quoted]) => ({ key, quoted: quoted ?? false, keyRange: NO_RANGE, value, range: NO_RANGE })),
    range: NO_RANGE,
  };
}
