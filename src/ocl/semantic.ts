/**
 * What an OCL document means, without how it is written: the values Octopus would read. Used to
 * check that formatting never changes a document (fmt re-parses its output and compares) and by
 * tests. Dropped on purpose: source ranges, quoted-string vs heredoc (and heredoc tag and flavour),
 * int spelling (`007`), map key quoting and map entry order (Octopus maps are dictionaries), the
 * element type of an empty array, line endings, final newline and BOM.
 */
import type { OclDocument, OclElement, OclLiteral, OclValue } from './ast.js';

export type SemanticValue =
  | null
  | boolean
  | string
  | { int: number }
  | { decimal: string }
  | SemanticValue[]
  | { map: [string, SemanticValue][] };

export type SemanticElement =
  | { block: string; labels: string[]; body: SemanticElement[] }
  | { attribute: string; value: SemanticValue };

export function semanticForm(doc: OclDocument): SemanticElement[] {
  return doc.body.map(semanticElement);
}

export function sameSemantics(a: OclDocument, b: OclDocument): boolean {
  return JSON.stringify(semanticForm(a)) === JSON.stringify(semanticForm(b));
}

function semanticElement(element: OclElement): SemanticElement {
  if (element.type === 'block') {
    return { block: element.name, labels: element.labels.map((l) => l.value), body: element.body.map(semanticElement) };
  }
  return { attribute: element.name, value: semanticValue(element.value) };
}

export function semanticValue(value: OclValue): SemanticValue {
  if (value.type === 'map') {
    const entries = value.entries.map((e): [string, SemanticValue] => [e.key, semanticLiteral(e.value)]);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { map: entries };
  }
  return semanticLiteral(value);
}

function semanticLiteral(value: OclLiteral): SemanticValue {
  switch (value.type) {
    case 'null':
      return null;
    case 'bool':
      return value.value;
    case 'int':
      return { int: value.value };
    case 'decimal':
      return { decimal: value.value };
    case 'string':
    case 'heredoc':
      return value.value;
    case 'array':
      return value.items.map((item) => semanticLiteral(item));
  }
}
