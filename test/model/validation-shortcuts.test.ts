import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OclBlock, OclDocument, OclElement, OclValue } from '../../src/ocl/ast.js';
import { parseOcl } from '../../src/ocl/index.js';
import { BlockCache } from '../../src/model/block-cache.js';
import { legacyPass } from '../../src/model/checks/legacy.js';
import { DOCUMENT_KINDS, type DocumentKind } from '../../src/model/kinds.js';
import { projectDocument } from '../../src/model/projection.js';
import { createSchemaAjv, schemaId } from '../../src/model/schema.js';
import { fitsSchema } from '../../src/model/schema-shortcut.js';
import { validateFile } from '../../src/model/validate.js';
import { CORPUS, FIXTURES, REPO_ROOT } from './helpers.js';

const ajv = createSchemaAjv();

/** What the long way finds: the projection's diagnostics and ajv's raw errors. */
function longWay(kind: DocumentKind, document: OclDocument): { projection: number; ajv: number } {
  const projection = projectDocument(document);
  const validate = ajv.getSchema(schemaId(kind))!;
  validate(projection.json);
  return { projection: projection.diagnostics.length, ajv: validate.errors?.length ?? 0 };
}

function oclFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...oclFiles(full));
    else if (name.endsWith('.ocl')) out.push(full);
  }
  return out.sort();
}

function parsed(file: string): OclDocument | undefined {
  const result = parseOcl(readFileSync(file, 'utf8'));
  return result.diagnostics.some((d) => d.severity === 'error') ? undefined : result.document;
}

/** A small deterministic generator (mulberry32), so a failing mutant can be found again. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RANGE = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
const NAMES = ['name', 'action_type', 'condition', 'properties', 'start_trigger', 'package_requirement', 'feed', 'package_id', 'version', 'value', 'environments', 'is_required', 'is_disabled', 'process_template_slug', 'version_mask', 'acquisition_location', 'worker_pool', 'slug', 'unknown_thing', '__proto__', '$labels', 'Octopus.Action.Template.Id'];
const BLOCKS = ['step', 'action', 'packages', 'process_template', 'parameter', 'package_parameter', 'container', 'inputs', 'git_dependencies', 'environment', 'project', 'policy', 'scope', 'conditions', 'nonsense'];
const STRINGS = ['', 'Success', 'Failure', 'Always', 'Variable', 'StartWithPrevious', 'Server', 'x', 'Octopus.Script', 'a-b', '😀'];

function someValue(next: () => number): OclValue {
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  switch (Math.floor(next() * 8)) {
    case 0:
      return { type: 'int', value: pick([0, 1, -1, 7]), raw: '1', range: RANGE };
    case 1:
      return { type: 'decimal', value: pick(['1.5', '2.0', '1e999', '-0.0']), range: RANGE };
    case 2:
      return { type: 'bool', value: next() < 0.5, range: RANGE };
    case 3:
      return { type: 'null', range: RANGE };
    case 4:
      return { type: 'array', elementType: 'string', items: [{ type: 'string', value: pick(STRINGS), range: RANGE }], range: RANGE };
    case 5:
      return {
        type: 'map',
        entries: [pick(NAMES), pick(NAMES)].map((key) => ({ key, quoted: true, keyRange: RANGE, value: next() < 0.7 ? { type: 'string' as const, value: pick(STRINGS), range: RANGE } : { type: 'array' as const, elementType: 'int' as const, items: [], range: RANGE }, range: RANGE })),
        range: RANGE,
      };
    case 6:
      return { type: 'heredoc', value: pick(STRINGS), indented: false, tag: 'EOT', range: RANGE };
    default:
      return { type: 'string', value: pick(STRINGS), range: RANGE };
  }
}

/** A copy of `body` with one random edit somewhere in it. */
function mutate(body: readonly OclElement[], next: () => number): OclElement[] {
  const copy = structuredClone(body) as OclElement[];
  const bodies: OclElement[][] = [];
  const collect = (b: OclElement[]) => {
    bodies.push(b);
    for (const e of b) if (e.type === 'block') collect(e.body);
  };
  collect(copy);
  const target = bodies[Math.floor(next() * bodies.length)]!;
  const at = Math.floor(next() * (target.length + 1));
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  const element = target[Math.min(at, target.length - 1)];
  switch (Math.floor(next() * 7)) {
    case 0:
      target.splice(at, 0, { type: 'attribute', name: pick(NAMES), nameRange: RANGE, value: someValue(next), range: RANGE });
      break;
    case 1:
      if (element) target.splice(target.indexOf(element), 1);
      break;
    case 2:
      if (element?.type === 'attribute') element.value = someValue(next);
      break;
    case 3:
      if (element) element.name = pick([...NAMES, ...BLOCKS]);
      break;
    case 4:
      target.splice(at, 0, { type: 'block', name: pick(BLOCKS), nameRange: RANGE, labels: next() < 0.5 ? [] : [{ value: pick(STRINGS), range: RANGE }], body: [], range: RANGE } as OclBlock);
      break;
    case 5:
      if (element?.type === 'block') element.labels = next() < 0.4 ? [] : [...element.labels, { value: pick(STRINGS), range: RANGE }];
      break;
    default:
      if (element) target.splice(at, 0, structuredClone(element));
  }
  return copy;
}

const sources = [...oclFiles(CORPUS), ...oclFiles(FIXTURES), ...oclFiles(path.join(REPO_ROOT, 'templates'))];

describe('schema shortcut', () => {
  it('says "fits" only where the projection and ajv find nothing, for every file against every kind', () => {
    if (!existsSync(CORPUS)) console.log(`skipping the corpus: ${CORPUS} is absent (fixtures and templates only)`);
    let fits = 0;
    let checked = 0;
    for (const file of sources) {
      const document = parsed(file);
      if (!document) continue;
      for (const kind of DOCUMENT_KINDS) {
        checked++;
        if (!fitsSchema(kind, document.body)) continue;
        fits++;
        expect({ file: path.relative(REPO_ROOT, file), kind, ...longWay(kind, document) }).toEqual({ file: path.relative(REPO_ROOT, file), kind, projection: 0, ajv: 0 });
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(fits).toBeGreaterThan(10);
  });

  it('says "fits" only where the projection and ajv find nothing, for mutants of real files', () => {
    const next = random(16);
    let fits = 0;
    let mutants = 0;
    for (const file of sources) {
      const document = parsed(file);
      if (!document) continue;
      // SHORTCUT_ROUNDS=300 searches harder (386,400 mutants, 54,542 of them fitting, checked when this was written).
      for (let round = 0; round < Number(process.env.SHORTCUT_ROUNDS ?? 12); round++) {
        let body: OclElement[] = document.body;
        const edits = 1 + Math.floor(next() * 3);
        for (let i = 0; i < edits; i++) body = mutate(body, next);
        const mutant: OclDocument = { ...document, body };
        for (const kind of DOCUMENT_KINDS) {
          mutants++;
          if (!fitsSchema(kind, body)) continue;
          fits++;
          expect({ file: path.relative(REPO_ROOT, file), round, kind, ...longWay(kind, mutant) }).toEqual({ file: path.relative(REPO_ROOT, file), round, kind, projection: 0, ajv: 0 });
        }
      }
    }
    expect(mutants).toBeGreaterThan(1000);
    expect(fits).toBeGreaterThan(10);
  });

  it('takes the shortcut for a plain deployment process and a schema version, and validateFile finds the same', () => {
    const text = [
      'step "deploy" {',
      '    name = "Deploy"',
      '',
      '    action {',
      '        action_type = "Octopus.Script"',
      '        environments = ["production"]',
      '        properties = {',
      '            Octopus.Action.Script.ScriptBody = "echo hi"',
      '        }',
      '',
      '        packages {',
      '            acquisition_location = "Server"',
      '            feed = "octopus-server-built-in"',
      '            package_id = "App"',
      '        }',
      '    }',
      '}',
      '',
      'process_template "shared" {',
      '    process_template_slug = "shared"',
      '    version_mask = "1.X"',
      '',
      '    package_parameter "Package" {',
      '        package_id = "App"',
      '    }',
      '}',
      '',
    ].join('\n');
    const document = parseOcl(text).document;
    expect(fitsSchema('deployment_process', document.body)).toBe(true);
    expect(fitsSchema('schema_version', parseOcl('version = 9\n').document.body)).toBe(true);
    // Not an integer, below the minimum, a step without an action, an unknown attribute: the long way.
    expect(fitsSchema('schema_version', parseOcl('version = 1.5\n').document.body)).toBe(false);
    expect(fitsSchema('schema_version', parseOcl('version = 0\n').document.body)).toBe(false);
    expect(fitsSchema('deployment_process', parseOcl('step "a" {\n    name = "A"\n}\n').document.body)).toBe(false);
    expect(fitsSchema('deployment_process', parseOcl('colour = "red"\n').document.body)).toBe(false);
    expect(validateFile({ path: 'p/.octopus/deployment_process.ocl', text }).diagnostics).toEqual([]);
  });
});

describe('legacy pass of a file at schema_version 6 or later', () => {
  it('finds the same without a legacy name as the full scan, for every file, kind and mutant', () => {
    const next = random(6);
    let compared = 0;
    let found = 0;
    // The corpus holds real legacy files; without it, these written the 2021-2022 way keep the comparison
    // meeting findings (the fixtures and templates are all current).
    const legacyTexts = [
      'steps "say-hi" {\n    name = "Say hi"\n\n    actions "say-hi" {\n        action_type = "Octopus.Script"\n        feed_id_or_name = "octopus-server-built-in"\n    }\n}\n',
      'step "deploy" {\n    name = "Deploy"\n\n    action {\n        action_type = "Octopus.Script"\n\n        packages "web" {\n            feed_id_or_name = "nuget"\n        }\n    }\n}\n',
    ];
    const documents = [...sources.map(parsed), ...legacyTexts.map((text) => parseOcl(text).document)];
    for (const document of documents) {
      if (!document) continue;
      const bodies = [document.body, ...Array.from({ length: 4 }, () => mutate(mutate(document.body, next), next))];
      for (const body of bodies) {
        const mutant: OclDocument = { ...document, body };
        for (const kind of DOCUMENT_KINDS) {
          for (const schemaVersion of [6, 9, 10]) {
            const options = { kind, document: mutant, path: { kind }, file: 'f.ocl', schemaVersion };
            // A block cache makes legacyPass scan every element (a fresh one remembers nothing).
            const full = legacyPass({ ...options, cache: new BlockCache() });
            expect(legacyPass(options)).toEqual(full);
            compared++;
            if (full.diagnostics.length > 0) found++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
    expect(found).toBeGreaterThan(0);
  });
});
