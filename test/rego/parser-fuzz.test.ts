/**
 * Random mutations of real policies never make the lexer or parser throw or hang, and every result
 * is either a module or a non-empty list of positioned errors.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/rego/lexer.js';
import { parseModule, parseQuery } from '../../src/rego/parser.js';
import { checkLocation, sharedLocations, walkModule } from './ast-walk.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shared = path.resolve(root, '../shared');

/** Project-owned seeds: the examples embedded in the grammar. */
function grammarExamples(): string[] {
  const text = readFileSync(path.join(root, 'grammar/rego.ebnf'), 'utf8');
  return [...text.matchAll(/\(\* example: \w+ module\n([\s\S]*?)\n\*\)/g)].map((m) => m[1]! + '\n');
}

function sharedPolicies(): string[] {
  const dir = path.join(shared, 'policy-examples/split');
  if (!existsSync(dir)) {
    console.warn(`[rego parser fuzz] ${dir} is absent: fuzzing grammar examples only`);
    return [];
  }
  return readdirSync(dir)
    .filter((f) => f.endsWith('.rego'))
    .sort()
    .map((f) => readFileSync(path.join(dir, f), 'utf8'));
}

const seeds = [...grammarExamples(), ...sharedPolicies()];

const FRAGMENTS = [
  '{', '}', '[', ']', '(', ')', '"', '`', '$"', '{x}', '|', ',', ';', ':', ':=', '=', '==', '.', '-', '\n', ' ',
  'if', 'else', 'not', 'some', 'every', 'in', 'with', 'as', 'contains', 'default', 'import', 'package',
  'x', '_', '1', '0.5', '1e', '"\\u', '#', '\\', '!', 'set()', 'input.a', '[x | x := 1]', '\0', 'é', '😀',
];

type Mutation =
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'duplicate'; at: number; len: number }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 4, unit: 'binary' })),
  }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function apply(src: string, m: Mutation): string {
  const at = src.length === 0 ? 0 : m.at % (src.length + 1);
  switch (m.kind) {
    case 'delete':
      return src.slice(0, at) + src.slice(at + m.len);
    case 'insert':
      return src.slice(0, at) + m.text + src.slice(at);
    case 'duplicate':
      return src.slice(0, at) + src.slice(at, at + m.len) + src.slice(at);
    case 'truncate':
      return src.slice(0, at);
  }
}

describe('parser: robustness under random mutation', () => {
  it('has seeds', () => {
    expect(seeds.length).toBeGreaterThan(5);
  });

  it('never throws and always returns a module or positioned errors', () => {
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.array(mutation, { minLength: 1, maxLength: 6 }), (seed, muts) => {
        const src = muts.reduce(apply, seeds[seed]!);
        const toks = tokenize(src);
        expect(toks.at(-1)!.kind).toBe('eof');
        const r = parseModule(src);
        if (r.module) {
          expect(r.errors).toEqual([]);
          const problems: string[] = [];
          walkModule(r.module, (l, what) => {
            const p = checkLocation(src, l, what);
            if (p) problems.push(p);
          });
          expect(problems).toEqual([]);
          expect(sharedLocations((v) => walkModule(r.module!, v))).toBe(0);
        } else {
          expect(r.errors.length).toBeGreaterThan(0);
          for (const e of r.errors) {
            expect(e.code).toBe('rego_parse_error');
            expect(e.message.length).toBeGreaterThan(0);
            expect(checkLocation(src, e.location, e.message)).toBe('');
          }
        }
        const q = parseQuery(src);
        expect(q.query !== undefined || q.errors.length > 0).toBe(true);
      }),
      { numRuns: 400, seed: 20261122 },
    );
  });
});
