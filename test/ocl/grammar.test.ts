/**
 * Keeps grammar/ocl.ebnf true: every example in it is parsed. Valid examples must give no
 * diagnostics; invalid ones must give an error with the code the example names.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseOcl } from '../../src/ocl/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const grammar = readFileSync(resolve(repoRoot, 'grammar/ocl.ebnf'), 'utf8');

interface Example {
  line: number;
  valid: boolean;
  code?: string;
  text: string;
}

function extractExamples(source: string): Example[] {
  const lines = source.split('\n');
  const examples: Example[] = [];
  const oneLine = /^\(\* example (valid|invalid (OCL\d{3})):( .*)? \*\)$/;
  const blockStart = /^\(\* example (valid|invalid (OCL\d{3}))$/;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const single = oneLine.exec(line);
    if (single) {
      examples.push({ line: i + 1, valid: single[1] === 'valid', code: single[2], text: single[3] ? single[3].slice(1) : '' });
      continue;
    }
    const block = blockStart.exec(line);
    if (!block) continue;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && lines[j] !== '*)') body.push(lines[j++]!);
    if (j === lines.length) throw new Error(`example at grammar line ${i + 1} has no closing '*)' line`);
    examples.push({ line: i + 1, valid: block[1] === 'valid', code: block[2], text: body.join('\n') });
    i = j;
  }
  return examples;
}

const examples = extractExamples(grammar);

describe('grammar/ocl.ebnf examples', () => {
  it('has a healthy number of valid and invalid examples', () => {
    expect(examples.filter((e) => e.valid).length).toBeGreaterThan(30);
    expect(examples.filter((e) => !e.valid).length).toBeGreaterThan(30);
  });

  it('uses only codes that the parser defines', async () => {
    const { OCL_CODE_DESCRIPTIONS } = await import('../../src/ocl/codes.js');
    for (const example of examples.filter((e) => e.code)) {
      expect(Object.keys(OCL_CODE_DESCRIPTIONS), `grammar line ${example.line}`).toContain(example.code);
    }
  });

  for (const example of examples) {
    const label = `line ${example.line}: ${example.valid ? 'valid' : `invalid ${example.code}`}: ${JSON.stringify(example.text).slice(0, 60)}`;
    it(label, () => {
      const { diagnostics } = parseOcl(example.text);
      if (example.valid) {
        expect(diagnostics).toEqual([]);
      } else {
        const errors = diagnostics.filter((d) => d.severity === 'error');
        expect(errors.length).toBeGreaterThan(0);
        expect(errors.map((d) => d.code)).toContain(example.code);
        for (const d of errors) {
          expect(d.range!.start.offset).toBeGreaterThanOrEqual(0);
          expect(d.range!.end.offset).toBeLessThanOrEqual(example.text.length);
        }
      }
    });
  }
});
