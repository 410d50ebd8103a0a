/**
 * Formatting is `oclhub fmt` (src/ocl/format.ts: print, then verify the printed text means the same):
 * a file with syntax errors is left alone. Range formatting applies the whole-file formatting's edits
 * that touch the range's top-level elements, and only when the result still means the same document.
 */
import type { DocumentFormattingParams, DocumentRangeFormattingParams, TextEdit } from 'vscode-languageserver';
import { formatOcl } from '../ocl/format.js';
import { parseOcl } from '../ocl/index.js';
import { sameSemantics } from '../ocl/semantic.js';
import type { LspContext } from './server.js';
import { lineEdits, type LineEdit } from './text-edits.js';

async function formatted(context: LspContext, uri: string): Promise<{ text: string; formatted: string; heredocMode: 'current' | 'legacy' } | undefined> {
  const file = context.fileOf(uri);
  if (file === undefined) return undefined;
  const analysis = await context.analysis(file);
  if (!analysis) return undefined;
  const result = formatOcl(analysis.text, { file, heredocMode: analysis.heredocMode });
  if (result.formatted === undefined) return undefined;
  return { text: analysis.text, formatted: result.formatted, heredocMode: analysis.heredocMode };
}

export async function formatDocument(context: LspContext, params: DocumentFormattingParams): Promise<TextEdit[] | null> {
  const f = await formatted(context, params.textDocument.uri);
  if (!f) return null;
  return strip(lineEdits(f.text, f.formatted));
}

export async function formatRange(context: LspContext, params: DocumentRangeFormattingParams): Promise<TextEdit[] | null> {
  const f = await formatted(context, params.textDocument.uri);
  if (!f) return null;
  const all = lineEdits(f.text, f.formatted);
  // Widen the range to the top-level elements it touches: formatting inside one element is self-contained.
  const document = parseOcl(f.text, { heredocMode: f.heredocMode }).document;
  let first = params.range.start.line;
  let last = params.range.end.line;
  for (const element of document.body) {
    const start = element.range.start.line - 1;
    const end = element.range.end.line - 1;
    if (end >= first && start <= last) {
      first = Math.min(first, start);
      last = Math.max(last, end);
    }
  }
  const chosen = all.filter((e) => e.endLine > first - 1 && e.firstLine <= last + 1);
  if (chosen.length === all.length) return strip(all);
  const applied = apply(f.text, chosen);
  const reparsed = parseOcl(applied, { heredocMode: f.heredocMode });
  // A partial formatting that would change the meaning (it never should) falls back to the whole file's.
  if (reparsed.diagnostics.some((d) => d.severity === 'error') || !sameSemantics(reparsed.document, document)) return strip(all);
  return strip(chosen);
}

function strip(edits: LineEdit[]): TextEdit[] {
  return edits.map(({ range, newText }) => ({ range, newText }));
}

/** Applies line edits (sorted, non-overlapping) to a text. */
function apply(text: string, edits: readonly LineEdit[]): string {
  const lines = text.split(/(?<=\n)/);
  const out: string[] = [];
  let line = 0;
  for (const edit of edits) {
    out.push(...lines.slice(line, edit.firstLine), edit.newText);
    line = edit.endLine;
  }
  out.push(...lines.slice(line));
  return out.join('');
}
