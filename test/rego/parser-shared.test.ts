/**
 * Every Rego module and query in ../shared (Octopus example policies and the OPA / rego-cpp
 * conformance YAML) must parse, with locations that agree with the source text. Cases that must
 * not parse are listed with the reason.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseModule, parseQuery } from '../../src/rego/parser.js';
import { checkLocation, sharedLocations, walkBody, walkModule } from './ast-walk.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shared = path.resolve(root, '../shared');
const present = existsSync(shared);
if (!present) console.warn(`[rego parser] ${shared} is absent: shared-data parse tests skipped`);

/** Conformance notes whose modules must fail to parse, with the reason. */
const EXPECTED_MODULE_FAILURES: Record<string, string> = {
  // SOURCES.tsv: "v0-style body without if; deprecated re_match". OPA 1.x rejects it too.
  'regexmatch/re_match': '`if` keyword is required before rule body',
  // rego-cpp accepts unary minus on a non-number (`-c`); OPA's parser rejects it.
  'regocpp/expressions': 'unexpected ident token: expected number',
};

function walk(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir).sort()) {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

function locationProblems(source: string, visitAll: (v: (l: import('../../src/rego/ast.js').Location, w: string) => void) => void): string[] {
  const problems: string[] = [];
  visitAll((l, what) => {
    const p = checkLocation(source, l, what);
    if (p) problems.push(p);
  });
  return problems.slice(0, 5);
}

interface Case {
  note?: string;
  modules?: string[];
  query?: unknown;
  want_error_code?: string;
}

describe.skipIf(!present)('parser: shared Rego sources', () => {
  it('parses every single-package example policy', () => {
    const dirs = ['policy-examples/split', 'policy-examples/docs-other', 'policy-examples/legacy-2025-11'];
    const files = dirs.flatMap((d) => (existsSync(path.join(shared, d)) ? walk(path.join(shared, d)) : []));
    const regoFiles = files.filter((f) => f.endsWith('.rego'));
    expect(regoFiles.length).toBeGreaterThan(20);
    const failures: string[] = [];
    for (const f of regoFiles) {
      const text = readFileSync(f, 'utf8');
      const r = parseModule(text, f);
      if (!r.module) {
        failures.push(`${path.relative(shared, f)}: ${r.errors.map((e) => e.message).join('; ')}`);
        continue;
      }
      expect(r.module.package.length).toBeGreaterThan(0);
      expect(r.module.rules.length).toBeGreaterThan(0);
      expect(locationProblems(text, (v) => walkModule(r.module!, v))).toEqual([]);
      expect(sharedLocations((v) => walkModule(r.module!, v))).toBe(0);
    }
    expect(failures).toEqual([]);
  });

  it('parses every module and query of the conformance cases', () => {
    const yamlFiles = walk(path.join(shared, 'conformance/rego')).filter((f) => f.endsWith('.yaml'));
    expect(yamlFiles.length).toBeGreaterThan(50);
    let modules = 0;
    let queries = 0;
    const unexpected: string[] = [];
    const expectedFailures: string[] = [];
    for (const f of yamlFiles) {
      const doc = parseYaml(readFileSync(f, 'utf8')) as { cases?: Case[] };
      for (const c of doc.cases ?? []) {
        const note = c.note ?? '(no note)';
        const mustFail = c.want_error_code === 'rego_parse_error' || note in EXPECTED_MODULE_FAILURES;
        for (const m of c.modules ?? []) {
          modules++;
          const r = parseModule(m);
          if (mustFail) {
            if (r.module) unexpected.push(`${note}: parsed but must fail`);
            else expectedFailures.push(`${note}: ${r.errors[0]!.message}`);
            continue;
          }
          if (!r.module) {
            unexpected.push(`${note}: ${r.errors.map((e) => `${e.location.line}:${e.location.column} ${e.message}`).join('; ')}`);
            continue;
          }
          const problems = locationProblems(m, (v) => walkModule(r.module!, v));
          if (problems.length) unexpected.push(`${note}: ${problems.join('; ')}`);
          const shared = sharedLocations((v) => walkModule(r.module!, v));
          if (shared > 0) unexpected.push(`${note}: ${shared} AST nodes reachable twice`);
        }
        if (c.query !== undefined) {
          queries++;
          const text = String(c.query);
          const r = parseQuery(text);
          if (!r.query) {
            unexpected.push(`${note} (query): ${r.errors.map((e) => e.message).join('; ')}`);
            continue;
          }
          const problems = locationProblems(text, (v) => walkBody(r.query!, v));
          if (problems.length) unexpected.push(`${note} (query): ${problems.join('; ')}`);
        }
      }
    }
    console.info(
      `[rego parser] conformance: ${modules} modules and ${queries} queries; expected failures: ${expectedFailures.join(' | ') || 'none'}`,
    );
    expect(modules).toBeGreaterThan(300);
    expect(unexpected).toEqual([]);
    for (const [note, message] of Object.entries(EXPECTED_MODULE_FAILURES)) {
      expect(expectedFailures).toContain(`${note}: ${message}`);
    }
  });
});
