/** User input never throws: validateFile returns diagnostics for any mutation of real-looking documents. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateFile } from '../../src/model/index.js';
import { FIXTURES, REPO_ROOT } from './helpers.js';

function oclFiles(root: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ocl')) out.push({ path: path.relative(root, full).split(path.sep).join('/'), text: readFileSync(full, 'utf8') });
    }
  };
  walk(root);
  return out;
}

const seeds = [...oclFiles(FIXTURES), ...oclFiles(path.join(REPO_ROOT, 'templates/demo'))];

type Mutation =
  | { op: 'delete'; at: number }
  | { op: 'duplicate'; at: number }
  | { op: 'swap'; at: number; with: number }
  | { op: 'insert'; at: number; line: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    line: fc.constantFrom('}', '{', 'x = 1', 'step "a" {', 'name = ["a"]', 'value "v" {}', 'rego = "package x"', 'properties = {', '    k = "v"', 'violation_action = 3', '$labels = 1'),
  }),
);

function mutate(text: string, ops: Mutation[]): string {
  const lines = text.split('\n');
  for (const m of ops) {
    const i = lines.length === 0 ? 0 : m.at % lines.length;
    if (m.op === 'delete') lines.splice(i, 1);
    else if (m.op === 'duplicate') lines.splice(i, 0, lines[i] ?? '');
    else if (m.op === 'swap') {
      const j = lines.length === 0 ? 0 : m.with % lines.length;
      [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
    } else lines.splice(i, 0, m.line);
  }
  return lines.join('\n');
}

describe('robustness', () => {
  it('never throws, and every diagnostic is coded and positioned inside the text', () => {
    expect(seeds.length).toBeGreaterThan(10);
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, ops) => {
        const text = mutate(seed.text, ops);
        const result = validateFile({ path: seed.path, text, context: { now: new Date('2026-06-01T00:00:00Z') } });
        const lineCount = text.split('\n').length;
        for (const d of result.diagnostics) {
          expect(d.code).toMatch(/^[A-Z]+\d+$/);
          if (d.range) expect(d.range.start.line).toBeLessThanOrEqual(lineCount);
        }
      }),
      { numRuns: 300, seed: 20261122 },
    );
  });
});
