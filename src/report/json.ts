/**
 * The machine-readable report shared by commands that check files (`validate`, later `lint`):
 * `{ "files": [{ "file", "diagnostics": [...] }], "summary": { "files", "errors", "warnings" } }`.
 * Diagnostics are the library's own `Diagnostic` objects, unchanged.
 */
import { countBySeverity, type Diagnostic } from '../diagnostics.js';

export interface FileDiagnostics {
  file: string;
  diagnostics: Diagnostic[];
}

export interface JsonReport {
  files: FileDiagnostics[];
  summary: { files: number; errors: number; warnings: number };
}

export function buildJsonReport(files: readonly FileDiagnostics[]): JsonReport {
  const all = files.flatMap((f) => f.diagnostics);
  const counts = countBySeverity(all);
  return {
    files: files.map((f) => ({ file: f.file, diagnostics: f.diagnostics })),
    summary: { files: files.length, errors: counts.error, warnings: counts.warning },
  };
}

export function renderJsonReport(files: readonly FileDiagnostics[]): string {
  return JSON.stringify(buildJsonReport(files), null, 2) + '\n';
}
