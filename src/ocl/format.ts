/**
 * Formatting with a guarantee: the printed text is parsed again and must mean exactly what the
 * document meant (./semantic.ts), otherwise nothing is returned and a diagnostic says why. A
 * formatter that silently changed a deployment script would be worse than none.
 */
import type { Diagnostic } from '../diagnostics.js';
import { hasErrors } from '../diagnostics.js';
import type { OclDocument } from './ast.js';
import { parseOcl } from './index.js';
import { printOcl, type HeredocMode, type PrintOptions } from './printer.js';
import { semanticForm } from './semantic.js';

export const FormatCodes = {
  /** The printed text would not read back as the same document (a printer limitation or bug). */
  notRoundTrippable: 'OCL290',
} as const;

export interface FormatOptions {
  file?: string;
  heredocMode?: HeredocMode;
}

export interface FormatResult {
  /** The parsed document (also when it has errors). */
  document: OclDocument;
  /** The formatted text; absent when the input has syntax errors or could not be printed safely. */
  formatted?: string;
  /** Whether `formatted` differs from the input. */
  changed: boolean;
  diagnostics: Diagnostic[];
}

/** Parses, prints and verifies an OCL text. */
export function formatOcl(text: string, options: FormatOptions = {}): FormatResult {
  const parsed = parseOcl(text, { file: options.file, heredocMode: options.heredocMode });
  if (hasErrors(parsed.diagnostics)) return { document: parsed.document, changed: false, diagnostics: parsed.diagnostics };
  const printed = printVerified(parsed.document, options);
  const diagnostics = [...parsed.diagnostics, ...printed.diagnostics];
  if (printed.text === undefined) return { document: parsed.document, changed: false, diagnostics };
  return { document: parsed.document, formatted: printed.text, changed: printed.text !== text, diagnostics };
}

/** Prints a document and checks that the text parses back to the same values. */
export function printVerified(
  document: OclDocument,
  options: FormatOptions & Omit<PrintOptions, 'heredocMode'> = {},
): { text?: string; diagnostics: Diagnostic[] } {
  const text = printOcl(document, options);
  const reparsed = parseOcl(text, { file: options.file, heredocMode: options.heredocMode });
  if (!hasErrors(reparsed.diagnostics) && JSON.stringify(semanticForm(reparsed.document)) === JSON.stringify(semanticForm(document))) {
    return { text, diagnostics: [] };
  }
  const diagnostic: Diagnostic = {
    severity: 'error',
    code: FormatCodes.notRoundTrippable,
    summary: 'the formatted text would not read back as the same document; nothing was written',
    detail: [
      'This is a limitation or bug of the printer; please report it with the input file.',
      ...reparsed.diagnostics.filter((d) => d.severity === 'error').map((d) => `reparse: ${d.code} ${d.summary}`),
    ].join('\n'),
  };
  if (options.file !== undefined) diagnostic.file = options.file;
  return { diagnostics: [diagnostic] };
}
