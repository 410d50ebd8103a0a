/**
 * Printer and JSON converter against the real parser: the corpus (acceptance) and random ASTs
 * (property). Printing then parsing must give the same values; printing is idempotent; the JSON
 * form is stable.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OclArrayItem, OclDocument, OclElement, OclLiteral, OclValue } from '../../src/ocl/ast.js';
import { compareMapKeys } from '../../src/ocl/collation.js';
import { parseOcl } from '../../src/ocl/index.js';
import { jsonToOcl, oclToJson } from '../../src/ocl/json.js';
import { printOcl, type HeredocMode } from '../../src/ocl/printer.js';
import { semanticForm } from '../../src/ocl/semantic.js';
import { validateOclJson } from './ocl-json-schema.js';
import { arr, attr, block, bool, dec, doc, heredoc, int, map, nul, str } from './builders.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(repoRoot, '../shared/corpus/ocl');
const hasCorpus = existsSync(path.join(corpus, 'valid'));
if (!hasCorpus) console.warn(`corpus round-trip tests skipped: ${corpus} is absent`);

function parseClean(text: string, heredocMode: HeredocMode = 'current'): OclDocument {
  const { document, diagnostics } = parseOcl(text, { heredocMode });
  expect(diagnostics, text).toEqual([]);
  return document;
}

/**
 * The values of a document in the order the printer writes them (maps sorted like Octopus), with
 * representation details dropped: string vs heredoc, int spelling, key quoting, empty array type.
 */
function printedValues(document: OclDocument, sortMaps: boolean): unknown {
  const literal = (v: OclLiteral | OclArrayItem): unknown => {
    switch (v.type) {
      case 'null':
        return null;
      case 'bool':
      case 'string':
      case 'heredoc':
        return v.value;
      case 'int':
        return { int: v.value };
      case 'decimal':
        return { decimal: v.value };
      case 'array':
        return v.items.map(literal);
    }
  };
  const value = (v: OclValue): unknown => {
    if (v.type !== 'map') return literal(v);
    const entries = sortMaps ? [...v.entries].sort((a, b) => compareMapKeys(a.key, b.key)) : v.entries;
    return { map: entries.map((e) => [e.key, literal(e.value)]) };
  };
  const element = (e: OclElement): unknown =>
    e.type === 'block' ? { block: e.name, labels: e.labels.map((l) => l.value), body: e.body.map(element) } : { attribute: e.name, value: value(e.value) };
  return document.body.map(element);
}

describe.skipIf(!hasCorpus)('corpus (acceptance)', () => {
  const valid = hasCorpus ? readdirSync(path.join(corpus, 'valid')).sort() : [];
  const byteStable = hasCorpus
    ? readFileSync(path.join(corpus, 'BYTE_STABLE.txt'), 'utf8').split(/\r?\n/).filter(Boolean)
    : [];

  it('reprints every byte-stable file exactly (line endings and final newline preserved)', () => {
    expect(byteStable.length).toBeGreaterThan(40);
    const different = byteStable.filter((file) => {
      const text = readFileSync(path.join(corpus, 'valid', file), 'utf8');
      return printOcl(parseClean(text)) !== text;
    });
    expect(different).toEqual([]);
  });

  for (const heredocMode of ['current', 'legacy'] as const) {
    it(`keeps values, is idempotent and has a stable JSON form on every valid file (${heredocMode} heredocs)`, () => {
      expect(valid.length).toBeGreaterThan(50);
      for (const file of valid) {
        const text = readFileSync(path.join(corpus, 'valid', file), 'utf8');
        const document = parseClean(text, heredocMode);
        const printed = printOcl(document, { heredocMode });
        const reparsed = parseClean(printed, heredocMode);
        expect(semanticForm(reparsed), file).toEqual(semanticForm(document));
        expect(printOcl(reparsed, { heredocMode }), file).toBe(printed);

        const json = JSON.stringify(oclToJson(document));
        expect(validateOclJson(JSON.parse(json)), file).toBe(true);
        const back = jsonToOcl(JSON.parse(json));
        expect(back.diagnostics, file).toEqual([]);
        expect(JSON.stringify(oclToJson(back.document)), file).toBe(json);
        expect(printOcl(back.document, { heredocMode }), file).toBe(printed);
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Random documents

const nameChars = [...'abcxyzABCXYZ_0123456789éЖ'];
const name = fc.string({ unit: fc.constantFrom(...nameChars), minLength: 1, maxLength: 8 });
const textUnit = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...'ab Z09_-.#{}[]=,$%') },
  { weight: 3, arbitrary: fc.constantFrom('"', '\\', '\t', '\n', '\r', ' ', '\u00a0', 'é', '\u{1F680}', 'Ж', '\u0001') },
  { weight: 1, arbitrary: fc.constantFrom('EOT', 'EOT1', '<<EOT', '  ') },
);
const text = fc.array(textUnit, { maxLength: 12 }).map((parts) => parts.join(''));
/** Multi-line values shaped like scripts: indented lines, blank lines, lines that are the tag. */
const script = fc
  .array(
    fc.oneof(
      text.map((t) => t.replace(/\n/g, '')),
      fc.constantFrom('', '    ', 'EOT', '  EOT  ', 'EOT1', '\tindented', 'cat <<EOT'),
    ),
    { minLength: 2, maxLength: 6 },
  )
  .chain((lines) => fc.constantFrom('\n', '\r\n').map((sep) => lines.join(sep)));
const stringValue = fc.oneof(text, script);

const decimalText = fc
  .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,6}$/), fc.stringMatching(/^[0-9]{1,4}$/))
  .map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}.${fraction}`);
const int32 = fc.integer({ min: -2147483647, max: 2147483647 });

const literal: fc.Arbitrary<OclLiteral> = fc.oneof(
  fc.constant(nul()),
  fc.boolean().map(bool),
  int32.map((n) => int(n)),
  decimalText.map(dec),
  stringValue.map(str),
  fc.tuple(stringValue, fc.constantFrom('EOT', 'END', '!!'), fc.boolean()).map(([v, tag, indented]) => heredoc(v, tag, indented)),
  fc.array(text.map(str), { maxLength: 3 }).map((items) => arr('string', items as OclArrayItem[])),
  fc.array(int32.map((n) => int(n)), { minLength: 1, maxLength: 3 }).map((items) => arr('int', items as OclArrayItem[])),
  fc.array(decimalText.map(dec), { minLength: 1, maxLength: 3 }).map((items) => arr('decimal', items as OclArrayItem[])),
);
const mapKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'a.b[c]', 'x y', 'Octopus.Action.Script.ScriptBody', '"', '', 'k=v', '}', '{', 'a,b', 'tab\tkey', 'Ünï', 'commitId', 'Octopus'),
  text,
);
const mapValue = fc
  .uniqueArray(fc.tuple(mapKey, literal, fc.boolean()), { selector: ([key]) => key, maxLength: 5 })
  .map((entries) => map(entries));
const value: fc.Arbitrary<OclValue> = fc.oneof({ weight: 4, arbitrary: literal }, { weight: 1, arbitrary: mapValue });

const element: fc.Arbitrary<OclElement> = fc.letrec<{ element: OclElement }>((tie) => ({
  element: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(name, value).map(([n, v]) => attr(n, v)),
    fc.tuple(name, fc.array(text, { maxLength: 2 }), fc.array(tie('element'), { maxLength: 4 })).map(([n, labels, body]) => block(n, labels, body)),
  ),
})).element;

const document = fc
  .tuple(fc.array(element, { maxLength: 5 }), fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n'), fc.boolean())
  .map(([body, lineEnding, finalNewline]) => doc(body, { lineEnding, finalNewline }));

describe('random documents (property)', () => {
  for (const heredocMode of ['current', 'legacy'] as const) {
    it(`print then parse gives the same values in printed order (${heredocMode} heredocs)`, () => {
      fc.assert(
        fc.property(document, (original) => {
          const printed = printOcl(original, { heredocMode });
          const reparsed = parseClean(printed, heredocMode);
          expect(printedValues(reparsed, false)).toEqual(printedValues(original, true));
          // A one-line document has no line ending to read the style from.
          if (/\r?\n./s.test(printed)) expect(reparsed.lineEnding).toBe(original.lineEnding);
          if (original.body.length > 0) expect(reparsed.finalNewline).toBe(original.finalNewline);
          expect(printOcl(reparsed, { heredocMode })).toBe(printed);
        }),
        { numRuns: 400 },
      );
    });
  }

  it('uses a heredoc exactly for representable values containing a newline, never ending early', () => {
    fc.assert(
      fc.property(script, (value) => {
        const printed = printOcl(doc([attr('a', str(value))]));
        const isHeredoc = printed.startsWith('a = <<');
        if (isHeredoc) {
          const tag = /^a = <<-?(\S+)/.exec(printed)![1]!;
          const bodyLines = printed.split('\n').slice(1, -1);
          expect(bodyLines.some((line) => line.trim() === tag)).toBe(false);
        }
        expect(parseClean(printed).body[0]).toMatchObject({ value: { value } });
      }),
      { numRuns: 500 },
    );
  });

  it('ocl -> json -> ocl -> json is stable', () => {
    fc.assert(
      fc.property(document, (original) => {
        const json = JSON.stringify(oclToJson(original));
        expect(validateOclJson(JSON.parse(json)), JSON.stringify(validateOclJson.errors)).toBe(true);
        const back = jsonToOcl(JSON.parse(json));
        expect(back.diagnostics).toEqual([]);
        expect(JSON.stringify(oclToJson(back.document))).toBe(json);
        const reparsed = parseClean(printOcl(back.document));
        expect(JSON.stringify(oclToJson(jsonToOcl(JSON.parse(JSON.stringify(oclToJson(reparsed)))).document))).toBe(
          JSON.stringify(oclToJson(reparsed)),
        );
      }),
      { numRuns: 200 },
    );
  });
});
