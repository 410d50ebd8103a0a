import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOclName, jsonToOcl, oclToJson, parseJsonText } from '../../src/ocl/json.js';
import { printOcl } from '../../src/ocl/printer.js';
import { validateOclJson } from './ocl-json-schema.js';
import { arr, attr, block, bool, dec, doc, heredoc, int, map, nul, str } from './builders.js';

const sample = doc(
  [
    attr('name', str('Deploy')),
    block('step', ['a "b"', 'second'], [
      attr('properties', map([['__proto__', heredoc('x\ny', 'END', false)], ['with space', dec('1.50'), true], ['constructor', nul()]])),
      block('action', []),
    ]),
    attr('ints', arr('int', [int(1), int(-2)] as never)),
    attr('decimals', arr('decimal', [dec('0.5')] as never)),
    attr('strings', arr('string', [])),
    attr('flag', bool(false)),
    attr('n', int(7, '007')),
  ],
  { lineEnding: '\r\n', finalNewline: true },
);

function codes(json: unknown): string[] {
  return jsonToOcl(json).diagnostics.map((d) => d.code);
}

function summaries(json: unknown): string[] {
  return jsonToOcl(json).diagnostics.map((d) => d.summary);
}

describe('oclToJson', () => {
  it('writes the documented shape', () => {
    expect(oclToJson(sample)).toEqual({
      ocl: 1,
      lineEnding: '\r\n',
      finalNewline: true,
      body: [
        { attribute: 'name', value: 'Deploy' },
        {
          block: 'step',
          labels: ['a "b"', 'second'],
          body: [
            {
              attribute: 'properties',
              value: {
                map: [
                  { key: '__proto__', quoted: false, value: { heredoc: 'x\ny', tag: 'END', indented: false } },
                  { key: 'with space', quoted: true, value: { decimal: '1.50' } },
                  { key: 'constructor', quoted: false, value: null },
                ],
              },
            },
            { block: 'action', labels: [], body: [] },
          ],
        },
        { attribute: 'ints', value: [1, -2] },
        { attribute: 'decimals', value: [{ decimal: '0.5' }] },
        { attribute: 'strings', value: [] },
        { attribute: 'flag', value: false },
        { attribute: 'n', value: 7 },
      ],
    });
  });

  it('marks a byte-order mark only when there is one', () => {
    expect(oclToJson(doc([], { bom: true })).bom).toBe(true);
    expect('bom' in oclToJson(doc([]))).toBe(false);
  });
});

describe('jsonToOcl', () => {
  it('reads back what oclToJson writes, through JSON text (json -> ocl -> json is stable)', () => {
    const json = JSON.parse(JSON.stringify(oclToJson(sample))) as unknown;
    const { document, diagnostics } = jsonToOcl(json);
    expect(diagnostics).toEqual([]);
    expect(oclToJson(document)).toEqual(json);
    expect(printOcl(document)).toBe(printOcl(sample));
  });

  it('keeps __proto__ and constructor keys as data in both map forms', () => {
    const text = '{"ocl":1,"body":[{"attribute":"p","value":{"map":{"__proto__":"a","constructor":1,"x y":true}}}]}';
    const { document, diagnostics } = jsonToOcl(JSON.parse(text));
    expect(diagnostics).toEqual([]);
    const value = document.body[0]!.type === 'attribute' ? document.body[0]!.value : undefined;
    expect(value?.type === 'map' && value.entries.map((e) => [e.key, e.quoted])).toEqual([
      ['__proto__', false],
      ['constructor', false],
      ['x y', true],
    ]);
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });

  it('accepts typed arrays, fractional numbers as decimals, and defaults', () => {
    const { document, diagnostics } = jsonToOcl({
      ocl: 1,
      body: [
        { attribute: 'a', value: { array: 'decimal', items: ['1.5', 2, { decimal: '3.25' }] } },
        { attribute: 'b', value: 2.5 },
        { attribute: 'c', value: { heredoc: 'x\ny' } },
        { block: 'd' },
      ],
    });
    expect(diagnostics).toEqual([]);
    expect(printOcl(document)).toBe('a = [1.5, 2.0, 3.25]\nb = 2.5\nc = <<-EOT\n        x\n        y\n        EOT\n\nd {}');
  });

  it('reports wrong shapes with their JSON path and a stable code, never throwing', () => {
    expect(summaries(42)).toEqual(['$: expected an OCL JSON document ({"ocl": 1, "body": [...]}), found a number']);
    expect(codes({ ocl: 2, body: [] })).toEqual(['OCL202']);
    expect(summaries({ ocl: 1, body: [{ block: 'step', lables: ['x'] }] })).toEqual(['$.body[0].lables: unknown property "lables"']);
    expect(summaries({ ocl: 1, body: [{ attribute: 'a' }] })).toEqual(['$.body[0].value: an attribute needs a "value" (use null for null)']);
    expect(summaries({ ocl: 1, body: [{ block: 's', body: [{ attribute: 'a', value: { map: [{ key: 'k', value: { bad: 1 } }] } }] }] })[0]).toMatch(
      /^\$\.body\[0\]\.body\[0\]\.value\.map\[0\]\.value: expected a value/,
    );
    expect(summaries({ ocl: 1, body: [{ block: 's', labels: [1] }] })).toEqual(['$.body[0].labels[0]: expected a label string, found a number']);
  });

  it('rejects names OCL cannot express', () => {
    for (const name of ['my-block', 'a.b', 'has space', '', '\ud835\udc9c']) {
      expect(codes({ ocl: 1, body: [{ attribute: name, value: 1 }] })).toEqual(['OCL204']);
    }
    expect(isOclName('Größe_1')).toBe(true);
    expect(isOclName('٣abc')).toBe(true);
  });

  it('rejects values OCL cannot hold', () => {
    const valueCodes = (value: unknown) => codes({ ocl: 1, body: [{ attribute: 'a', value }] });
    expect(valueCodes(2147483648)).toEqual(['OCL205']);
    expect(valueCodes(1e21)).toEqual(['OCL205']);
    expect(valueCodes({ decimal: '1e5' })).toEqual(['OCL206']);
    expect(valueCodes({ decimal: '99999999999999999999999999999.5' })).toEqual(['OCL205']);
    expect(valueCodes(['a', 1])).toEqual(['OCL207']);
    expect(valueCodes([true])).toEqual(['OCL201']);
    expect(valueCodes({ map: [{ key: 'a', value: { map: [] } }] })).toEqual(['OCL208']);
    expect(valueCodes({ map: [{ key: 'a', value: 1 }, { key: 'a', value: 2 }] })).toEqual(['OCL209']);
    expect(valueCodes({ heredoc: 'x', tag: 'E OT' })).toEqual(['OCL210']);
  });

  it('never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (body, value) => {
        jsonToOcl(body);
        jsonToOcl({ ocl: 1, body: [{ attribute: 'a', value }, { block: 'b', body }] });
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseJsonText', () => {
  it('positions syntax errors', () => {
    const { value, diagnostics } = parseJsonText('{\n  "ocl": 1,\n  "body": [x]\n}', 'doc.json');
    expect(value).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'OCL211', file: 'doc.json', range: { start: { line: 3, column: 12 } } });
  });

  it('accepts a byte-order mark', () => {
    expect(parseJsonText('\uFEFF{"ocl":1}').value).toEqual({ ocl: 1 });
  });
});

describe('schemas/ocl-json.schema.json', () => {
  it('accepts what oclToJson writes and rejects names and values jsonToOcl rejects', () => {
    const validate = validateOclJson;
    const written = JSON.parse(JSON.stringify(oclToJson(sample)));
    expect(validate(written), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...written, body: [{ attribute: 'my-attr', value: 1 }] })).toBe(false);
    expect(validate({ ...written, body: [{ attribute: 'a', value: ['a', 1] }] })).toBe(false);
    expect(validate({ ...written, body: [{ attribute: 'a', value: { map: [{ key: 'k', quoted: false, value: { map: [] } }] } }] })).toBe(false);
  });
});
