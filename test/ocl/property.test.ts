/**
 * Property tests (fast-check):
 * - mutated real files (corpus, or the project's fixtures when ../shared is absent) never make the
 *   parser throw, always terminate, and every range it returns lies within the text with line and
 *   column consistent with the offset;
 * - randomly generated valid OCL text parses with no diagnostics to exactly the values generated.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineIndex, type Range } from '../../src/diagnostics.js';
import type { OclElement, OclLiteral, OclValue } from '../../src/ocl/ast.js';
import { parseOcl } from '../../src/ocl/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const corpusDir = join(resolve(repoRoot, '../shared'), 'corpus/ocl/valid');
const fixtureDir = join(here, 'fixtures');

function loadSeeds(): { name: string; text: string }[] {
  const seeds = readdirSync(fixtureDir).map((f) => ({ name: f, text: readFileSync(join(fixtureDir, f), 'utf8') }));
  if (existsSync(corpusDir)) {
    // Small and medium files keep the runs fast; they cover every construct the large ones have.
    for (const f of readdirSync(corpusDir).sort()) {
      const text = readFileSync(join(corpusDir, f), 'utf8');
      if (text.length < 20_000) seeds.push({ name: f, text });
    }
  } else {
    console.warn(`OCL property tests use project fixtures only: ${corpusDir} not found`);
  }
  return seeds;
}

const seeds = loadSeeds();

type Mutation =
  | { op: 'delete'; at: number; length: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'duplicate'; at: number; length: number }
  | { op: 'truncate'; at: number };

const interesting = fc.constantFrom('{', '}', '[', ']', '"', '=', ',', '\n', '\r\n', '<<EOT\n', '<<-EOT', 'EOT\n', '\\', '#', '-', ' ', '\t', '\uFEFF', '\u2028', '1e5', 'true', '{\n', '}\n');
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(interesting, fc.string({ maxLength: 5 })) }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);

function applyMutations(text: string, mutations: Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    if (m.op === 'delete') out = out.slice(0, at) + out.slice(at + m.length);
    else if (m.op === 'insert') out = out.slice(0, at) + m.text + out.slice(at);
    else if (m.op === 'duplicate') out = out.slice(0, at) + out.slice(at, at + m.length) + out.slice(at);
    else out = out.slice(0, at);
  }
  return out;
}

/** Checks a range against the text (with the BOM stripped, as the parser reports positions). */
function checkRange(range: Range | undefined, index: LineIndex, length: number): void {
  expect(range).toBeDefined();
  const { start, end } = range!;
  expect(start.offset).toBeGreaterThanOrEqual(0);
  expect(start.offset).toBeLessThanOrEqual(end.offset);
  expect(end.offset).toBeLessThanOrEqual(length);
  expect(start).toEqual(index.position(start.offset));
  expect(end).toEqual(index.position(end.offset));
}

function* valueRanges(value: OclValue): Generator<Range> {
  yield value.range;
  if (value.type === 'array') for (const item of value.items) yield item.range;
  if (value.type === 'map') {
    for (const entry of value.entries) {
      yield entry.range;
      yield entry.keyRange;
      yield* valueRanges(entry.value);
    }
  }
}

function* elementRanges(elements: OclElement[]): Generator<Range> {
  for (const element of elements) {
    yield element.range;
    yield element.nameRange;
    if (element.type === 'block') {
      for (const label of element.labels) yield label.range;
      yield* elementRanges(element.body);
    } else {
      yield* valueRanges(element.value);
    }
  }
}

describe('mutated files', () => {
  it(`never throw and report ranges within the text (${seeds.length} seed files)`, () => {
    fc.assert(
      fc.property(fc.nat({ max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seedIndex, mutations) => {
        const text = applyMutations(seeds[seedIndex]!.text, mutations);
        const { document, diagnostics } = parseOcl(text);
        const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
        const index = new LineIndex(source);
        for (const d of diagnostics) {
          expect(d.code).toMatch(/^OCL\d{3}$/);
          // Every mode has a catch-all token, so the lexer itself never gives up on a character.
          expect(d.code).not.toBe('OCL030');
          expect(d.summary.length).toBeGreaterThan(0);
          checkRange(d.range, index, source.length);
        }
        for (const range of elementRanges(document.body)) checkRange(range, index, source.length);
        checkRange(document.range, index, source.length);
      }),
      { numRuns: 400 },
    );
  });

  it('diagnostics come in source order per construct and are never duplicated', () => {
    fc.assert(
      fc.property(fc.nat({ max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (seedIndex, mutations) => {
        const { diagnostics } = parseOcl(applyMutations(seeds[seedIndex]!.text, mutations));
        const keys = diagnostics.map((d) => `${d.code}@${d.range!.start.offset}-${d.range!.end.offset}`);
        expect(new Set(keys).size).toBe(keys.length);
      }),
      { numRuns: 200 },
    );
  });
});

// ---- generated valid documents ------------------------------------------------------------------

type Expected =
  | { type: 'attribute'; name: string; value: ExpectedValue }
  | { type: 'block'; name: string; labels: string[]; body: Expected[] };
type ExpectedValue =
  | { type: 'null' }
  | { type: 'bool'; value: boolean }
  | { type: 'int'; value: number }
  | { type: 'decimal'; value: string }
  | { type: 'string'; value: string }
  | { type: 'heredoc'; value: string }
  | { type: 'array'; elementType: string; items: unknown[] }
  | { type: 'map'; entries: [string, ExpectedValue][] };

interface Generated {
  text: string;
  expected: ExpectedValue | Expected;
}

const NET_WHITESPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
}

const nameArb = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/);
const textArb = fc.string({ unit: 'binary', maxLength: 20 });

const scalarArb: fc.Arbitrary<Generated> = fc.oneof(
  fc.constant({ text: 'null', expected: { type: 'null' } } as Generated),
  fc.boolean().map((b): Generated => ({ text: String(b), expected: { type: 'bool', value: b } })),
  fc.integer({ min: -2147483647, max: 2147483647 }).map((n): Generated => ({ text: String(n), expected: { type: 'int', value: n } })),
  fc
    .tuple(fc.integer({ min: -99999, max: 99999 }), fc.stringMatching(/^[0-9]{1,6}$/))
    .map(([whole, fraction]): Generated => {
      const text = `${whole}.${fraction}`;
      return { text, expected: { type: 'decimal', value: text } };
    }),
  textArb.map((s): Generated => ({ text: quote(s), expected: { type: 'string', value: s } })),
);

/** A heredoc written with `<<-` at `indent` columns; the lines must come back unchanged. */
const heredocArb = (indent: number): fc.Arbitrary<Generated> =>
  fc
    .array(fc.stringMatching(/^[ \tA-Za-z0-9#{}"=<>$-]{0,20}$/), { minLength: 0, maxLength: 5 })
    .filter((lines) => lines.every((l) => l.trim() !== 'EOT'))
    .map((lines): Generated => {
      const pad = ' '.repeat(indent);
      // Whitespace-only lines shorter than the indent would lose their spaces; write those as "".
      const normal = lines.map((l) => (l.trim() === '' ? '' : l));
      const body = normal.map((l) => (l === '' ? '\n' : `${pad}${l}\n`)).join('');
      return { text: `<<-EOT\n${body}${pad}EOT\n`, expected: { type: 'heredoc', value: normal.join('\n') } };
    });

const arrayArb: fc.Arbitrary<Generated> = fc.oneof(
  fc.array(textArb, { maxLength: 4 }).map((items): Generated => ({
    text: `[${items.map(quote).join(', ')}]`,
    expected: { type: 'array', elementType: 'string', items },
  })),
  fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 4 }).map((items): Generated => ({
    text: `[\n${items.join(',\n')}\n]`,
    expected: { type: 'array', elementType: 'int', items },
  })),
);

const keyArb = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !NET_WHITESPACE.test(k) && !k.includes('"')).map((k) => ({ key: k, text: k })),
  textArb.map((k) => ({ key: k, text: quote(k) })),
);

const mapArb = (indent: number): fc.Arbitrary<Generated> =>
  fc.uniqueArray(fc.tuple(keyArb, fc.oneof(scalarArb, arrayArb, heredocArb(indent + 8))), { maxLength: 4, selector: ([k]) => k.key }).map((entries): Generated => {
    const pad = ' '.repeat(indent + 4);
    const lines = entries.map(([k, v]) => `${pad}${k.text} = ${v.text.replace(/\n$/, '')}\n`);
    return {
      text: `{\n${lines.join('')}${' '.repeat(indent)}}`,
      expected: { type: 'map', entries: entries.map(([k, v]) => [k.key, v.expected as ExpectedValue] as [string, ExpectedValue]) },
    };
  });

const attributeArb = (indent: number): fc.Arbitrary<Generated> =>
  fc.tuple(nameArb, fc.oneof(scalarArb, arrayArb, heredocArb(indent + 8), mapArb(indent))).map(([name, v]): Generated => ({
    text: `${' '.repeat(indent)}${name} = ${v.text.replace(/\n$/, '')}\n`,
    expected: { type: 'attribute', name, value: v.expected as ExpectedValue },
  }));

const elementArb: fc.Memo<Generated> = fc.memo((depth) => {
  const indent = (3 - Math.min(depth, 3)) * 4;
  if (depth <= 1) return attributeArb(indent);
  return fc.oneof(
    attributeArb(indent),
    fc.tuple(nameArb, fc.array(textArb, { maxLength: 2 }), fc.array(elementArb(depth - 1), { maxLength: 3 })).map(([name, labels, children]): Generated => {
      const pad = ' '.repeat(indent);
      const header = `${pad}${name}${labels.map((l) => ` ${quote(l)}`).join('')} {`;
      const text = children.length === 0 ? `${header}}\n` : `${header}\n${children.map((c) => c.text).join('')}${pad}}\n`;
      return { text, expected: { type: 'block', name, labels, body: children.map((c) => c.expected as Expected) } };
    }),
  );
});

function simplifyValue(value: OclValue | OclLiteral): ExpectedValue {
  switch (value.type) {
    case 'null':
      return { type: 'null' };
    case 'bool':
      return { type: 'bool', value: value.value };
    case 'int':
      return { type: 'int', value: value.value };
    case 'decimal':
    case 'string':
    case 'heredoc':
      return { type: value.type, value: value.value } as ExpectedValue;
    case 'array':
      return { type: 'array', elementType: value.elementType, items: value.items.map((i) => i.value) };
    case 'map':
      return { type: 'map', entries: value.entries.map((e) => [e.key, simplifyValue(e.value)] as [string, ExpectedValue]) };
  }
}

function simplify(element: OclElement): Expected {
  return element.type === 'attribute'
    ? { type: 'attribute', name: element.name, value: simplifyValue(element.value) }
    : { type: 'block', name: element.name, labels: element.labels.map((l) => l.value), body: element.body.map(simplify) };
}

describe('generated valid documents', () => {
  it('the generator covers every construct', () => {
    const text = fc.sample(fc.array(elementArb(3), { maxLength: 4 }), { numRuns: 200, seed: 42 })
      .flat()
      .map((e) => e.text)
      .join('\n');
    for (const construct of ['<<-EOT', ' = {', ' = [', '" {', ' = null', ' = true', '.']) {
      expect(text).toContain(construct);
    }
  });

  it('parse with no diagnostics to the generated values', () => {
    fc.assert(
      fc.property(fc.array(elementArb(3), { maxLength: 4 }), fc.boolean(), (elements, crlf) => {
        let text = elements.map((e) => e.text).join('\n');
        if (crlf) text = text.replace(/\n/g, '\r\n');
        const { document, diagnostics } = parseOcl(text);
        expect(diagnostics).toEqual([]);
        let expected = elements.map((e) => e.expected);
        if (crlf) {
          // Octopus joins a CRLF heredoc's lines with CRLF.
          expected = JSON.parse(JSON.stringify(expected), (key, v) =>
            v && typeof v === 'object' && v.type === 'heredoc' ? { ...v, value: v.value.replace(/\n/g, '\r\n') } : v,
          );
        }
        expect(document.body.map(simplify)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
