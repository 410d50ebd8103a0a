import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../../src/diagnostics.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/model');
export const SHARED = path.resolve(REPO_ROOT, '../shared');

export function fixture(relative: string): { path: string; text: string } {
  return { path: relative, text: readFileSync(path.join(FIXTURES, relative), 'utf8') };
}

/** 1-based line of the `occurrence`-th line containing `needle` (so expectations come from the fixture text). */
export function lineOf(text: string, needle: string, occurrence = 1): number {
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.includes(needle) && ++seen === occurrence) return i + 1;
  }
  throw new Error(`fixture has no occurrence ${occurrence} of ${JSON.stringify(needle)}`);
}

export function codesAt(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.code}@${d.range?.start.line}`);
}

export function only(diagnostics: readonly Diagnostic[], code: string): Diagnostic[] {
  return diagnostics.filter((d) => d.code === code);
}
