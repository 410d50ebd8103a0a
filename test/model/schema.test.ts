import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOcl } from '../../src/ocl/index.js';
import { CODES, DOCUMENT_KINDS, editDistance, projectDocument, suggest, validateFile, validateProjection } from '../../src/model/index.js';
import { REPO_ROOT, fixture, lineOf, only } from './helpers.js';

describe('ajv errors map back to OCL lines', () => {
  const f = fixture('schema/.octopus/deployment_process.ocl');
  const r = validateFile({ path: f.path, text: f.text });
  const at = (code: string, needle: string, occurrence = 1) =>
    only(r.diagnostics, code).filter((d) => d.range?.start.line === lineOf(f.text, needle, occurrence));

  it('enum (SCH005) points at the value and suggests the closest allowed value', () => {
    const [d] = at('SCH005', 'condition = "Sucess"');
    expect(d?.range?.start.column).toBe(f.text.split('\n')[lineOf(f.text, 'Sucess') - 1]!.indexOf('"Sucess"') + 1);
    expect(d?.detail).toContain('"Success"');
  });
  it('unknown attribute (SCH001) is a warning in Octopus documents, with "did you mean"', () => {
    const [typo] = at('SCH001', 'nmae = "typo"');
    expect(typo?.severity).toBe('warning');
    expect(typo?.detail).toContain('Did you mean `name`?');
    const [nested] = at('SCH001', 'acton_type');
    expect(nested?.detail).toContain('`action_type`');
  });
  it('unknown block (SCH002) suggests the block name', () => {
    const [d] = at('SCH002', 'acton "x"');
    expect(d?.summary).toContain('block `acton`');
    expect(d?.detail).toContain('`action`');
  });
  it('wrong types (SCH004) point at the value', () => {
    expect(at('SCH004', 'is_disabled = "yes"')[0]?.summary).toContain('`true` or `false`');
    expect(at('SCH004', 'environments = "production"')[0]?.summary).toContain('a list');
  });
  it('a repeated single block (SCH007) points at the second block', () => {
    expect(at('SCH007', 'container {', 2)).toHaveLength(1);
  });
  it('a missing label (SCH008) and a missing required attribute (SCH003) point at the block header', () => {
    expect(at('SCH008', 'step {')[0]?.summary).toContain('the step slug');
    expect(at('SCH003', 'process_template "usage"')[0]?.summary).toContain('process_template_slug');
  });
  it('attribute/block confusion (SCH010) explains which form to use', () => {
    expect(at('SCH010', 'name {')[0]?.summary).toContain('must be an attribute');
    expect(at('SCH010', 'git_dependencies = "main"')[0]?.summary).toContain('must be written as a block');
  });
  it('policies: missing scope/conditions blocks and a block written as an attribute', () => {
    const text = 'name = "p"\nscope = "package p"\n';
    const p = validateFile({ path: '.octopus/policies/p.ocl', text });
    expect(p.diagnostics.map((d) => `${d.code}@${d.range?.start.line}`).sort()).toEqual(['SCH003@1', 'SCH010@2']);
    expect(only(p.diagnostics, 'SCH003')[0]?.summary).toContain('`conditions` block');
  });
  it('no diagnostic is left without a position', () => {
    for (const d of r.diagnostics) expect(d.range, d.summary).toBeDefined();
  });
});

describe('projection', () => {
  it('groups blocks by name, keeps labels and maps pointers to ranges', () => {
    const text = 'step "a" {\n    action {\n        properties = {\n            X = "1"\n        }\n    }\n}\nstep "b" {\n    action {\n    }\n}\n';
    const { document } = parseOcl(text);
    const p = projectDocument(document);
    expect(p.json).toEqual({ step: [{ $labels: ['a'], action: [{ $labels: [], properties: { X: '1' } }] }, { $labels: ['b'], action: [{ $labels: [] }] }] });
    expect(p.pointers.get('/step/1')?.range.start.line).toBe(8);
    expect(p.pointers.get('/step/0/action/0/properties/X')?.range.start.line).toBe(4);
  });
  it('reports duplicate attributes (SCH009) at the second occurrence', () => {
    const text = 'name = "a"\nname = "b"\n';
    const { document } = parseOcl(text);
    const p = projectDocument(document, { file: 'x.ocl' });
    expect(p.diagnostics.map((d) => `${d.code}@${d.range?.start.line}`)).toEqual(['SCH009@2']);
  });
  it('oclhub.ocl treats unknown attributes as errors', () => {
    const { document } = parseOcl('base_pth = ".octopus"\n');
    const ds = validateProjection('oclhub', projectDocument(document));
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ code: 'SCH001', severity: 'error' });
    expect(ds[0]!.detail).toContain('`base_path`');
  });
});

describe('did you mean', () => {
  it('uses Damerau distance: a transposition costs one edit', () => {
    expect(editDistance('nmae', 'name')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
  it('suggests only plausible candidates', () => {
    expect(suggest('violaton_action', ['violation_action', 'violation_reason'])).toBe('violation_action');
    expect(suggest('Name', ['name', 'notes'])).toBe('name');
    expect(suggest('zzz', ['name', 'notes'])).toBeUndefined();
    expect(suggest('prod', ['production', 'staging'])).toBe('production');
    expect(suggest('st', ['staging', 'stable'])).toBeUndefined();
  });
});

describe('schemas and codes', () => {
  it('every document kind has a schema that compiles and accepts an empty document where nothing is required', () => {
    const empty = projectDocument(parseOcl('').document);
    const requiresSomething = new Set(['schema_version', 'process_template', 'policy']);
    for (const kind of DOCUMENT_KINDS) {
      const ds = validateProjection(kind, empty);
      if (requiresSomething.has(kind)) expect(ds.map((d) => d.code), kind).toContain('SCH003');
      else expect(ds, kind).toEqual([]);
    }
  });

  it('every code the model emits is in the code table', () => {
    const used = new Set<string>();
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else for (const m of readFileSync(full, 'utf8').matchAll(/'((?:SCH|SEM|TPL|POL)\d{3})'/g)) used.add(m[1]!);
      }
    };
    walk(path.join(REPO_ROOT, 'src/model'));
    expect(used.size).toBeGreaterThan(40);
    for (const code of used) expect(Object.keys(CODES), code).toContain(code);
  });
});
