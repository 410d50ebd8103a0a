/**
 * The build compiles each document kind's validator to standalone code (scripts/compile-schemas.mjs)
 * so the CLI starts without ajv; these tests hold that code to the validators compiled at run time:
 * the same errors, on every fixture, template and corpus file. Schemas are no longer checked against
 * the meta-schema at every start, so they are checked here.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ajv2020 from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schemaModule from '../../src/model/schema.js';
import { classifyPath, projectDocument, SCHEMA_FILES, SCHEMAS_DIR, type DocumentKind } from '../../src/model/index.js';
import { parseOcl } from '../../src/ocl/index.js';
import { compileSchemas } from '../../scripts/compile-schemas.mjs';
import { FIXTURES, REPO_ROOT, SHARED } from './helpers.js';

type Ajv2020Class = typeof ajv2020.default;
const Ajv2020: Ajv2020Class = (ajv2020 as unknown as { default?: Ajv2020Class }).default ?? (ajv2020 as unknown as Ajv2020Class);

function oclFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? oclFiles(full) : name.endsWith('.ocl') ? [full] : [];
  });
}

/** Every OCL file with a known kind: test fixtures, shipped templates, and the shared corpus (path = file name with `__` as `/`). */
function samples(): Array<{ name: string; kind: DocumentKind; text: string }> {
  const local = [...oclFiles(FIXTURES), ...oclFiles(path.join(REPO_ROOT, 'templates'))].map((file) => ({ file, logical: path.relative(REPO_ROOT, file) }));
  const corpus = oclFiles(path.join(SHARED, 'corpus/ocl')).map((file) => ({ file, logical: path.basename(file).replaceAll('__', '/') }));
  return [...local, ...corpus].flatMap(({ file, logical }) => {
    const kind = classifyPath(logical)?.kind;
    return kind ? [{ name: logical, kind, text: readFileSync(file, 'utf8') }] : [];
  });
}

describe('validators compiled at build time', () => {
  let outdir: string;
  const runtime = schemaModule.createSchemaAjv();
  const load = createRequire(import.meta.url);

  beforeAll(async () => {
    // Inside the repository, so the generated code finds ajv's run-time helpers as it does in dist/.
    mkdirSync(path.join(REPO_ROOT, 'node_modules/.cache'), { recursive: true });
    outdir = mkdtempSync(path.join(REPO_ROOT, 'node_modules/.cache/oclhub-validators-'));
    await compileSchemas(schemaModule, outdir);
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('report exactly the errors of the run-time validators', () => {
    const all = samples();
    if (!all.some((s) => !s.name.startsWith('test/') && !s.name.startsWith('templates/'))) console.log('compiled validators: ../shared corpus absent, fixtures and templates only');
    const kinds = new Set<DocumentKind>();
    let withErrors = 0;
    for (const sample of all) {
      const parsed = parseOcl(sample.text, { file: sample.name });
      if (parsed.diagnostics.some((d) => d.severity === 'error')) continue;
      const json = projectDocument(parsed.document, { file: sample.name }).json;
      const atRunTime = runtime.getSchema(schemaModule.schemaId(sample.kind))!;
      const atBuild = load(path.join(outdir, `${sample.kind}.cjs`)) as ValidateFunction;
      const valid = atRunTime(json);
      expect(atBuild(json), sample.name).toBe(valid);
      expect(atBuild.errors ?? null, sample.name).toEqual(atRunTime.errors ?? null);
      kinds.add(sample.kind);
      if (!valid) withErrors++;
    }
    // The comparison covered invalid documents too, and the common kinds.
    expect(withErrors).toBeGreaterThan(0);
    for (const kind of ['deployment_process', 'variables', 'policy', 'process_template', 'oclhub'] as const) expect(kinds, kind).toContain(kind);
  });

  it('exist for every document kind', () => {
    expect(readdirSync(outdir).sort()).toEqual(Object.keys(SCHEMA_FILES).map((k) => `${k}.cjs`).sort());
  });
});

describe('document schemas', () => {
  it('are valid draft 2020-12 schemas (checked here, not at every start)', () => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    ajv.addKeyword({ keyword: 'x-unknown', schemaType: 'string' });
    ajv.addKeyword({ keyword: 'x-why', schemaType: 'string' });
    for (const file of ['ocl-common.schema.json', ...Object.values(SCHEMA_FILES)]) {
      const schema = JSON.parse(readFileSync(path.join(SCHEMAS_DIR, file), 'utf8')) as object;
      expect(ajv.validateSchema(schema), `${file}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
    }
  });
});
