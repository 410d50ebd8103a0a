/**
 * Every valid real-world OCL file (../shared/corpus/ocl/valid) validates with zero errors under its
 * original path; files in legacy formats get warnings (SCH1xx) only.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSchemaVersion, validateFile, validateHub } from '../../src/model/index.js';
import { CORPUS, corpusRows } from './helpers.js';

const present = existsSync(path.join(CORPUS, 'INDEX.tsv'));
if (!present) console.warn(`skipping corpus tests: ${CORPUS} is absent`);

/** The project folder of a path (runbooks sit one or two levels below it). */
function folderOf(p: string): string {
  return p.replace(/[^/]+$/, '').replace(/runbooks\/(migrated-drafts\/)?$/, '');
}

describe.skipIf(!present)('corpus: valid real files', () => {
  const all = present ? corpusRows() : [];
  // schema_version.ocl of the same repository, commit and project folder, when the corpus has it.
  const versions = new Map<string, number>();
  for (const row of all) {
    if (/schema[-_]version\.ocl$/.test(row.path)) {
      const v = readSchemaVersion(readFileSync(path.join(CORPUS, 'valid', row.file), 'utf8'));
      if (v !== undefined) versions.set(`${row.repo}@${row.commit}:${folderOf(row.path)}`, v);
    }
  }

  it('has the 58 files the README promises', () => expect(all.length).toBe(58));

  for (const row of all) {
    it(`${row.file} has no errors, and warnings only for legacy forms`, () => {
      const text = readFileSync(path.join(CORPUS, 'valid', row.file), 'utf8');
      const schemaVersion = versions.get(`${row.repo}@${row.commit}:${folderOf(row.path)}`);
      const result = validateFile({ path: row.path, text, context: schemaVersion === undefined ? {} : { schemaVersion } });
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      expect(errors.map((d) => `${d.code} ${d.range?.start.line}: ${d.summary}`)).toEqual([]);
      const warnings = result.diagnostics.filter((d) => d.severity === 'warning');
      for (const w of warnings) expect(w.code, w.summary).toMatch(/^SCH1\d\d$/);
      if (result.kind !== undefined) expect(result.document?.kind).toBe(result.kind);
    });
  }

  it('detects a kind for every file that sits in an Octopus layout', () => {
    const undetected = all
      .map((row) => ({ row, r: validateFile({ path: row.path, text: readFileSync(path.join(CORPUS, 'valid', row.file), 'utf8') }) }))
      .filter(({ r }) => r.kind === undefined)
      .map(({ row }) => row.path);
    // Two files sit outside any Octopus layout: the ocl.ts parser test file (a bare top-level `action`) and
    // a CI fixture. Their kind is never guessed from the content: each gets one info and a syntax check.
    expect(undetected.sort()).toEqual(['__tests__/test.ocl', 'pr_ocl_check/test_deployment_processes/correct_name.ocl']);
    for (const row of all.filter((r) => undetected.includes(r.path))) {
      const r = validateFile({ path: row.path, text: readFileSync(path.join(CORPUS, 'valid', row.file), 'utf8') });
      expect(r.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(['info SCH020']);
    }
  });

  it('the demo-platform-hub files validate together as a hub without errors', async () => {
    const files = new Map(
      all.filter((r) => r.repo === 'OctopusSolutionsEngineering/demo-platform-hub').map((r) => [r.path, readFileSync(path.join(CORPUS, 'valid', r.file), 'utf8')] as [string, string]),
    );
    expect(files.size).toBeGreaterThan(5);
    const result = await validateHub({ files });
    expect(result.files.length).toBe(files.size);
    expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.range?.start.line} ${d.code} ${d.summary}`)).toEqual([]);
  });

  it('legacy files are recognised as legacy', () => {
    const legacy = all.filter((r) => /deployment-process\.ocl$|channels\.ocl$/.test(r.path));
    expect(legacy.length).toBeGreaterThan(0);
    for (const row of legacy) {
      const r = validateFile({ path: row.path, text: readFileSync(path.join(CORPUS, 'valid', row.file), 'utf8') });
      expect(r.diagnostics.some((d) => d.code === 'SCH101' || d.code === 'SCH102'), row.file).toBe(true);
    }
  });
});
