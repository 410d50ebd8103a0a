/**
 * Keeps grammar/rego.ebnf true: every `(* example: valid|invalid module|query` snippet in it must
 * parse (valid) or give a rego_parse_error (invalid).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseModule, parseQuery } from '../../src/rego/parser.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const grammar = readFileSync(path.join(root, 'grammar/rego.ebnf'), 'utf8');

interface Example {
  valid: boolean;
  kind: 'module' | 'query';
  text: string;
  line: number;
}

function extractExamples(text: string): Example[] {
  const lines = text.split('\n');
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\(\* example: (valid|invalid) (module|query)\s*$/.exec(lines[i]!);
    if (!m) continue;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && lines[j] !== '*)') body.push(lines[j++]!);
    out.push({ valid: m[1] === 'valid', kind: m[2] as 'module' | 'query', text: body.join('\n') + '\n', line: i + 1 });
    i = j;
  }
  return out;
}

const examples = extractExamples(grammar);

describe('grammar/rego.ebnf examples', () => {
  it('has valid and invalid examples of both kinds', () => {
    expect(examples.filter((e) => e.valid && e.kind === 'module').length).toBeGreaterThanOrEqual(5);
    expect(examples.filter((e) => !e.valid && e.kind === 'module').length).toBeGreaterThanOrEqual(5);
    expect(examples.some((e) => e.valid && e.kind === 'query')).toBe(true);
    expect(examples.some((e) => !e.valid && e.kind === 'query')).toBe(true);
  });

  for (const ex of examples) {
    it(`${ex.valid ? 'accepts' : 'rejects'} the ${ex.kind} example at line ${ex.line}`, () => {
      const result = ex.kind === 'module' ? parseModule(ex.text, 'grammar-example.rego') : parseQuery(ex.text);
      if (ex.valid) {
        expect(result.errors).toEqual([]);
      } else {
        expect(result.errors.length).toBeGreaterThan(0);
        for (const e of result.errors) {
          expect(e.code).toBe('rego_parse_error');
          expect(e.location.line).toBeGreaterThanOrEqual(1);
        }
      }
    });
  }

  it('names every rule it uses (no undefined non-terminals)', () => {
    const defined = new Set([...grammar.matchAll(/^([a-zA-Z-]+)\s+=/gm)].map((m) => m[1]!));
    const stripped = grammar.replace(/\(\*[\s\S]*?\*\)/g, '').replace(/"[^"]*"|'[^']*'/g, '');
    const used = new Set([...stripped.matchAll(/\b([a-z][a-z-]*[a-z]|[A-Z][A-Z-]*[A-Z])\b/g)].map((m) => m[1]!));
    const builtinWords = new Set(['line', 'feed', 'hex', 'char']);
    const missing = [...used].filter((u) => !defined.has(u) && !builtinWords.has(u));
    expect(missing).toEqual([]);
  });
});
