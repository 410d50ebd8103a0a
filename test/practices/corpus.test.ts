/**
 * The real OCL corpus (../shared/corpus/ocl) through the best-practice and dependency checks: no error,
 * ever (real, working Octopus configurations are not "wrong"); the warning and info counts are printed.
 * Each repository is a hub of its own (files at their original paths, every project folder registered
 * in a generated oclhub.ocl), and all of them together form one hub so the cross-project rules run too.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { validateHub } from '../../src/model/validate.js';
import { checkBestPractices, practiceInputFromValidation } from '../../src/practices/index.js';
import { projectFolder } from '../../src/templates/project.js';
import { CORPUS, corpusRows, type CorpusRow } from '../model/helpers.js';

const present = existsSync(path.join(CORPUS, 'INDEX.tsv'));
if (!present) console.warn(`skipping best-practice corpus tests: ${CORPUS} is absent`);

const PROJECT_FILES = /(deployment[-_]process|deployment_settings|variables|schema[-_]version|channels)\.ocl$|\/runbooks\//;

/** An oclhub.ocl registering every project folder among `paths` (slugs from the folder names). */
function configFor(paths: readonly string[]): string {
  const folders = [...new Set(paths.filter((p) => PROJECT_FILES.test(p) && !p.includes('project-templates/')).map((p) => projectFolder(p)))].sort();
  return folders
    .map((folder, i) => `project "p${i + 1}" {\n    name = ${JSON.stringify(folder || 'root')}\n    path = ${JSON.stringify(folder || '.')}\n}\n`)
    .join('\n');
}

async function practices(files: Map<string, string>): Promise<Diagnostic[]> {
  const validated = await validateHub({ files, now: new Date('2026-01-15T00:00:00Z') });
  return checkBestPractices(practiceInputFromValidation(validated, files, { now: new Date('2026-01-15T00:00:00Z') }));
}

function counts(diagnostics: readonly Diagnostic[]): string {
  const by = new Map<string, number>();
  for (const d of diagnostics) by.set(`${d.code} ${d.severity}`, (by.get(`${d.code} ${d.severity}`) ?? 0) + 1);
  return [...by].sort().map(([k, n]) => `${k}: ${n}`).join(', ') || 'none';
}

describe.skipIf(!present)('corpus: best practices and dependencies', () => {
  const all = present ? corpusRows() : [];
  const text = (row: CorpusRow) => readFileSync(path.join(CORPUS, 'valid', row.file), 'utf8');

  it('no repository of the corpus raises a best-practice or dependency error', async () => {
    const repositories = new Map<string, CorpusRow[]>();
    for (const row of all) {
      const key = `${row.repo}@${row.commit}`;
      repositories.set(key, [...(repositories.get(key) ?? []), row]);
    }
    const found: Diagnostic[] = [];
    for (const [key, repoRows] of repositories) {
      const files = new Map(repoRows.map((r) => [r.path, text(r)] as [string, string]));
      files.set('oclhub.ocl', configFor([...files.keys()]));
      const diagnostics = await practices(files);
      expect(diagnostics.filter((d) => d.severity === 'error').map((d) => `${key} ${d.file}:${d.range?.start.line} ${d.code} ${d.summary}`)).toEqual([]);
      found.push(...diagnostics);
    }
    console.log(`best practices over ${repositories.size} corpus repositories: ${found.filter((d) => d.severity === 'warning').length} warnings, ${found.filter((d) => d.severity === 'info').length} infos (${counts(found)})`);
    expect(found.every((d) => /^(BP|DEP)\d{3}$/.test(d.code))).toBe(true);
  });

  it('the whole corpus as one hub (cross-project rules) raises no error either', async () => {
    const files = new Map(all.map((r) => [`${r.repo}/${r.commit.slice(0, 8)}/${r.path}`, text(r)] as [string, string]));
    files.set('oclhub.ocl', configFor([...files.keys()]));
    const diagnostics = await practices(files);
    expect(diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.range?.start.line} ${d.code} ${d.summary}`)).toEqual([]);
    console.log(`best practices over the corpus as one hub: ${diagnostics.filter((d) => d.severity === 'warning').length} warnings, ${diagnostics.filter((d) => d.severity === 'info').length} infos (${counts(diagnostics)})`);
    expect(diagnostics.length).toBeGreaterThan(0);
  });
});
