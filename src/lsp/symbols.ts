/**
 * The outline (steps, actions, usages, parameters, policies, environments … every block, named by its
 * label) and folding ranges (multi-line blocks, maps and heredocs), from the syntax tree — also the
 * partial tree of a file with syntax errors.
 */
import { FoldingRangeKind, SymbolKind, type DocumentSymbol, type DocumentSymbolParams, type FoldingRange, type FoldingRangeParams } from 'vscode-languageserver';
import type { OclBlock, OclElement } from '../ocl/ast.js';
import { bomShift, toLspRange } from './positions.js';
import type { LspContext } from './server.js';

const KINDS: Record<string, SymbolKind> = {
  step: SymbolKind.Function,
  steps: SymbolKind.Function,
  action: SymbolKind.Method,
  actions: SymbolKind.Method,
  process_template: SymbolKind.Module,
  parameter: SymbolKind.Variable,
  package_parameter: SymbolKind.Variable,
  variable: SymbolKind.Variable,
  value: SymbolKind.Constant,
  policy: SymbolKind.Object,
  exception: SymbolKind.Event,
  rule: SymbolKind.Key,
  environment: SymbolKind.EnumMember,
  tenant: SymbolKind.Struct,
  project: SymbolKind.Package,
  project_group: SymbolKind.Namespace,
  space: SymbolKind.Namespace,
  scope: SymbolKind.Namespace,
  conditions: SymbolKind.Namespace,
  packages: SymbolKind.File,
};

function nameAttribute(block: OclBlock): string | undefined {
  for (const element of block.body) {
    if (element.type === 'attribute' && element.name === 'name' && element.value.type === 'string') return element.value.value;
  }
  return undefined;
}

function blockSymbol(block: OclBlock, shift: number): DocumentSymbol {
  const label = block.labels.map((l) => l.value).join(' ');
  const displayName = nameAttribute(block);
  const symbol: DocumentSymbol = {
    name: label !== '' ? `${block.name} "${label}"` : block.name,
    kind: KINDS[block.name] ?? SymbolKind.Object,
    range: toLspRange(block.range, shift),
    selectionRange: toLspRange(block.labels[0]?.range ?? block.nameRange, shift),
    children: symbolsOf(block.body, shift, false),
  };
  if (displayName !== undefined && displayName !== label) symbol.detail = displayName;
  return symbol;
}

function symbolsOf(body: readonly OclElement[], shift: number, topLevel: boolean): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const element of body) {
    if (element.type === 'block') out.push(blockSymbol(element, shift));
    else if (topLevel) {
      out.push({ name: element.name, kind: SymbolKind.Property, range: toLspRange(element.range, shift), selectionRange: toLspRange(element.nameRange, shift) });
    }
  }
  return out;
}

export async function documentSymbols(context: LspContext, params: DocumentSymbolParams): Promise<DocumentSymbol[] | null> {
  const file = context.fileOf(params.textDocument.uri);
  const analysis = file === undefined ? undefined : await context.analysis(file);
  if (!analysis) return null;
  return symbolsOf(analysis.ast.body, bomShift(analysis.text), true);
}

export async function foldingRanges(context: LspContext, params: FoldingRangeParams): Promise<FoldingRange[] | null> {
  const file = context.fileOf(params.textDocument.uri);
  const analysis = file === undefined ? undefined : await context.analysis(file);
  if (!analysis) return null;
  const out: FoldingRange[] = [];
  const add = (startLine: number, endLine: number, kind?: FoldingRangeKind) => {
    // The closing line stays visible.
    if (endLine - 1 > startLine - 1) out.push({ startLine: startLine - 1, endLine: endLine - 2, ...(kind ? { kind } : {}) });
  };
  const visit = (body: readonly OclElement[]) => {
    for (const element of body) {
      if (element.type === 'block') {
        add(element.range.start.line, element.range.end.line);
        visit(element.body);
      } else if (element.value.type === 'map' || element.value.type === 'heredoc') {
        add(element.range.start.line, element.value.range.end.line, element.value.type === 'heredoc' ? FoldingRangeKind.Region : undefined);
        if (element.value.type === 'map') {
          for (const entry of element.value.entries) if (entry.value.type === 'heredoc') add(entry.range.start.line, entry.value.range.end.line, FoldingRangeKind.Region);
        }
      }
    }
  };
  visit(analysis.ast.body);
  return out;
}
