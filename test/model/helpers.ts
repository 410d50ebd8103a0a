import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../../src/diagnostics.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/model');
export const SHARED = path.resolve(REPO_ROOT, '../shared');
/** The real-world OCL corpus; `INDEX.tsv` lists its valid files with their repository and original path. */
export const CORPUS = path.join(SHARED, 'corpus/ocl');

export interface CorpusRow {
  file: string;
  repo: string;
  commit: string;
  path: string;
}

/** The rows of the corpus's INDEX.tsv (the caller checks that the corpus is present). */
export function corpusRows(): CorpusRow[] {
  return readFileSync(path.join(CORPUS, 'INDEX.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [file, repo, commit, p] = line.split('\t');
      return { file: file!, repo: repo!, commit: commit!, path: p! };
    });
}

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
