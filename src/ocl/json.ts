/**
 * OCL <-> JSON: a lossless JSON form of an OCL document for tools (documented in docs/ocl-json.md).
 *
 * `oclToJson` keeps everything the printer and the AST distinguish (element order, labels, int vs
 * decimal text, heredoc flavour and tag, map key order and quoting, line endings, final newline,
 * BOM); `jsonToOcl` validates untrusted JSON and never throws: every problem becomes a diagnostic
 * whose summary starts with the JSON path of the offending value (`$.body[2].value.map[0].key`).
 * Map entries are an ordered list of `{key, value}` objects, so keys such as `__proto__` or
 * `constructor` are plain data and never touch an object prototype.
 */
import { LineIndex, type Diagnostic, type Range } from '../diagnostics.js';
import type {
  OclArray,
  OclArrayItem,
  OclAttribute,
  OclBlock,
  OclDocument,
  OclElement,
  OclLiteral,
  OclMap,
  OclMapEntry,
  OclValue,
} from './ast.js';
import { mustQuoteMapKey } from './printer.js';

export const OCL_JSON_VERSION = 1;

/** Stable diagnostic codes of the JSON -> OCL conversion (the parser owns OCL001–OCL0xx). */
export const OclJsonCodes = {
  /** A value of the wrong JSON type or shape. */
  shape: 'OCL201',
  /** `ocl` is missing or not a version this converter reads. */
  version: 'OCL202',
  /** A property this format does not define (often a typo such as `lables`). */
  unknownProperty: 'OCL203',
  /** A block or attribute name OCL cannot express (only letters, digits and `_`). */
  invalidName: 'OCL204',
  /** A number outside OCL's int (32-bit) or .NET decimal range, or in exponent notation. */
  numberRange: 'OCL205',
  /** A `{"decimal": ...}` whose text is not `-?digits.digits`. */
  decimalText: 'OCL206',
  /** An array mixing element types. */
  mixedArray: 'OCL207',
  /** A map inside a map. */
  nestedMap: 'OCL208',
  /** The same key twice in one map. */
  duplicateKey: 'OCL209',
  /** A heredoc tag containing whitespace. */
  heredocTag: 'OCL210',
  /** Text that is not JSON at all. */
  jsonSyntax: 'OCL211',
} as const;

export interface OclJsonDocument {
  ocl: typeof OCL_JSON_VERSION;
  lineEnding: '\n' | '\r\n';
  finalNewline: boolean;
  /** Present (and true) only when the source started with a byte-order mark. */
  bom?: true;
  body: OclJsonElement[];
}

export type OclJsonElement = OclJsonBlock | OclJsonAttribute;

export interface OclJsonBlock {
  block: string;
  labels: string[];
  body: OclJsonElement[];
}

export interface OclJsonAttribute {
  attribute: string;
  value: OclJsonValue;
}

export type OclJsonDecimal = { decimal: string };
export type OclJsonArrayItem = string | number | OclJsonDecimal;
export type OclJsonLiteral =
  | null
  | boolean
  | number
  | string
  | OclJsonDecimal
  | { heredoc: string; tag: string; indented: boolean }
  | OclJsonArrayItem[]
  | { array: 'string' | 'int' | 'decimal'; items: OclJsonArrayItem[] };
export type OclJsonValue = OclJsonLiteral | { map: OclJsonMapEntry[] };

export interface OclJsonMapEntry {
  key: string;
  quoted: boolean;
  value: OclJsonLiteral;
}

// ---------------------------------------------------------------------------------------------
// OCL -> JSON

export function oclToJson(doc: OclDocument): OclJsonDocument {
  const json: OclJsonDocument = {
    ocl: OCL_JSON_VERSION,
    lineEnding: doc.lineEnding,
    finalNewline: doc.finalNewline,
    body: doc.body.map(elementToJson),
  };
  if (doc.bom) return { ...json, bom: true, body: json.body };
  return json;
}

function elementToJson(element: OclElement): OclJsonElement {
  if (element.type === 'block') {
    return { block: element.name, labels: element.labels.map((l) => l.value), body: element.body.map(elementToJson) };
  }
  return { attribute: element.name, value: valueToJson(element.value) };
}

function valueToJson(value: OclValue): OclJsonValue {
  if (value.type === 'map') {
    return { map: value.entries.map((e) => ({ key: e.key, quoted: e.quoted, value: literalToJson(e.value) })) };
  }
  return literalToJson(value);
}

function literalToJson(value: OclLiteral): OclJsonLiteral {
  switch (value.type) {
    case 'null':
      return null;
    case 'bool':
    case 'int':
    case 'string':
      return value.value;
    case 'decimal':
      return { decimal: value.value };
    case 'heredoc':
      return { heredoc: value.value, tag: value.tag, indented: value.indented };
    case 'array':
      // Plain arrays are unambiguous: strings, numbers or {decimal}; `[]` is a string array in OCL too.
      return value.items.map((item) => (item.type === 'decimal' ? { decimal: item.value } : item.value));
  }
}

// ---------------------------------------------------------------------------------------------
// JSON -> OCL

export interface JsonToOclOptions {
  /** Set as `file` on every diagnostic. */
  file?: string;
}

export interface JsonToOclResult {
  /** The converted document; parts that had errors are left out. */
  document: OclDocument;
  diagnostics: Diagnostic[];
}

/** Octopus parses the digits with int.Parse and then negates, so -2147483648 overflows too. */
const INT_MIN = -2147483647;
const INT_MAX = 2147483647;
/** The largest .NET `decimal` integer part (2^96 - 1). */
const DECIMAL_MAX_INTEGER = 79228162514264337593543950335n;
const DECIMAL_TEXT = /^-?[0-9]+\.[0-9]+$/;

/** Whether `name` is an OCL block or attribute name: .NET `char.IsLetterOrDigit` or `_` per UTF-16 unit. */
export function isOclName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    if (!/^[\p{L}\p{Nd}_]$/u.test(name[i]!)) return false;
  }
  return true;
}

export function jsonToOcl(json: unknown, options: JsonToOclOptions = {}): JsonToOclResult {
  const converter = new JsonConverter(options.file);
  const document = converter.document(json);
  return { document, diagnostics: converter.diagnostics };
}

function zeroRange(): Range {
  return { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function own(object: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

class JsonConverter {
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly file: string | undefined) {}

  private error(code: string, path: string, message: string, detail?: string): void {
    const diagnostic: Diagnostic = { severity: 'error', code, summary: `${path}: ${message}` };
    if (detail) diagnostic.detail = detail;
    if (this.file !== undefined) diagnostic.file = this.file;
    this.diagnostics.push(diagnostic);
  }

  private expectObject(value: unknown, path: string, what: string): value is Record<string, unknown> {
    if (isObject(value)) return true;
    this.error(OclJsonCodes.shape, path, `expected ${what}, found ${describe(value)}`);
    return false;
  }

  private checkKeys(object: Record<string, unknown>, path: string, allowed: readonly string[]): void {
    for (const key of Object.keys(object)) {
      if (!allowed.includes(key)) {
        this.error(OclJsonCodes.unknownProperty, member(path, key), `unknown property ${JSON.stringify(key)}`, `Allowed here: ${allowed.join(', ')}.`);
      }
    }
  }

  document(json: unknown): OclDocument {
    const doc: OclDocument = { type: 'document', body: [], lineEnding: '\n', finalNewline: false, bom: false, range: zeroRange() };
    if (!this.expectObject(json, '$', 'an OCL JSON document ({"ocl": 1, "body": [...]})')) return doc;
    this.checkKeys(json, '$', ['ocl', 'lineEnding', 'finalNewline', 'bom', 'body']);
    const version = own(json, 'ocl');
    if (version !== OCL_JSON_VERSION) {
      this.error(OclJsonCodes.version, '$.ocl', `expected ${OCL_JSON_VERSION}, found ${JSON.stringify(version) ?? 'nothing'}`, 'This is the version of the OCL JSON form.');
    }
    const lineEnding = own(json, 'lineEnding');
    if (lineEnding === '\n' || lineEnding === '\r\n') doc.lineEnding = lineEnding;
    else if (lineEnding !== undefined) this.error(OclJsonCodes.shape, '$.lineEnding', 'expected "\\n" or "\\r\\n"');
    doc.finalNewline = this.optionalBoolean(own(json, 'finalNewline'), '$.finalNewline');
    doc.bom = this.optionalBoolean(own(json, 'bom'), '$.bom');
    doc.body = this.body(own(json, 'body') ?? [], '$.body');
    return doc;
  }

  private optionalBoolean(value: unknown, path: string): boolean {
    if (value === undefined) return false;
    if (typeof value === 'boolean') return value;
    this.error(OclJsonCodes.shape, path, `expected a boolean, found ${describe(value)}`);
    return false;
  }

  private body(value: unknown, path: string): OclElement[] {
    if (!Array.isArray(value)) {
      this.error(OclJsonCodes.shape, path, `expected an array of elements, found ${describe(value)}`);
      return [];
    }
    const elements: OclElement[] = [];
    value.forEach((item, i) => {
      const element = this.element(item, `${path}[${i}]`);
      if (element) elements.push(element);
    });
    return elements;
  }

  private element(value: unknown, path: string): OclElement | undefined {
    if (!this.expectObject(value, path, 'an element ({"block": ...} or {"attribute": ...})')) return undefined;
    if (Object.prototype.hasOwnProperty.call(value, 'block')) return this.block(value, path);
    if (Object.prototype.hasOwnProperty.call(value, 'attribute')) return this.attribute(value, path);
    this.error(OclJsonCodes.shape, path, 'expected an element with a "block" or an "attribute" property');
    return undefined;
  }

  private name(value: unknown, path: string): string | undefined {
    if (typeof value !== 'string') {
      this.error(OclJsonCodes.shape, path, `expected a name string, found ${describe(value)}`);
      return undefined;
    }
    if (!isOclName(value)) {
      this.error(
        OclJsonCodes.invalidName,
        path,
        `"${value}" is not a valid OCL name`,
        'Block and attribute names consist of letters, digits and "_" only; Octopus cannot read "-", "." or spaces in names.',
      );
      return undefined;
    }
    return value;
  }

  private block(json: Record<string, unknown>, path: string): OclBlock | undefined {
    this.checkKeys(json, path, ['block', 'labels', 'body']);
    const name = this.name(own(json, 'block'), `${path}.block`);
    const labelsJson = own(json, 'labels') ?? [];
    const labels: OclBlock['labels'] = [];
    if (Array.isArray(labelsJson)) {
      labelsJson.forEach((label, i) => {
        if (typeof label === 'string') labels.push({ value: label, range: zeroRange() });
        else this.error(OclJsonCodes.shape, `${path}.labels[${i}]`, `expected a label string, found ${describe(label)}`);
      });
    } else {
      this.error(OclJsonCodes.shape, `${path}.labels`, `expected an array of strings, found ${describe(labelsJson)}`);
    }
    const body = this.body(own(json, 'body') ?? [], `${path}.body`);
    if (name === undefined) return undefined;
    return { type: 'block', name, nameRange: zeroRange(), labels, body, range: zeroRange() };
  }

  private attribute(json: Record<string, unknown>, path: string): OclAttribute | undefined {
    this.checkKeys(json, path, ['attribute', 'value']);
    const name = this.name(own(json, 'attribute'), `${path}.attribute`);
    if (!Object.prototype.hasOwnProperty.call(json, 'value')) {
      this.error(OclJsonCodes.shape, `${path}.value`, 'an attribute needs a "value" (use null for null)');
      return undefined;
    }
    const value = this.value(json.value, `${path}.value`, true);
    if (name === undefined || value === undefined) return undefined;
    return { type: 'attribute', name, nameRange: zeroRange(), value, range: zeroRange() };
  }

  private value(json: unknown, path: string, mapAllowed: boolean): OclValue | undefined {
    if (isObject(json) && Object.prototype.hasOwnProperty.call(json, 'map')) {
      if (!mapAllowed) {
        this.error(OclJsonCodes.nestedMap, path, 'a map cannot be nested in a map', 'OCL allows maps only as attribute values.');
        return undefined;
      }
      return this.map(json, path);
    }
    return this.literal(json, path);
  }

  private literal(json: unknown, path: string): OclLiteral | undefined {
    const range = zeroRange();
    if (json === null) return { type: 'null', range };
    if (typeof json === 'boolean') return { type: 'bool', value: json, range };
    if (typeof json === 'string') return { type: 'string', value: json, range };
    if (typeof json === 'number') return this.number(json, path);
    if (Array.isArray(json)) return this.array(undefined, json, path);
    if (!isObject(json)) {
      this.error(OclJsonCodes.shape, path, `expected a value, found ${describe(json)}`);
      return undefined;
    }
    if (Object.prototype.hasOwnProperty.call(json, 'decimal')) {
      this.checkKeys(json, path, ['decimal']);
      return this.decimal(json.decimal, `${path}.decimal`);
    }
    if (Object.prototype.hasOwnProperty.call(json, 'heredoc')) return this.heredoc(json, path);
    if (Object.prototype.hasOwnProperty.call(json, 'array')) {
      this.checkKeys(json, path, ['array', 'items']);
      const type = json.array;
      if (type !== 'string' && type !== 'int' && type !== 'decimal') {
        this.error(OclJsonCodes.shape, `${path}.array`, 'expected "string", "int" or "decimal"');
        return undefined;
      }
      const items = own(json, 'items') ?? [];
      if (!Array.isArray(items)) {
        this.error(OclJsonCodes.shape, `${path}.items`, `expected an array, found ${describe(items)}`);
        return undefined;
      }
      return this.array(type, items, `${path}.items`);
    }
    this.error(
      OclJsonCodes.shape,
      path,
      'expected a value: null, a boolean, a number, a string, an array, or an object with "decimal", "heredoc", "array" or "map"',
    );
    return undefined;
  }

  private number(json: number, path: string): OclLiteral | undefined {
    const range = zeroRange();
    if (Number.isInteger(json)) {
      if (json < INT_MIN || json > INT_MAX) {
        this.error(OclJsonCodes.numberRange, path, `${json} is outside the 32-bit integer range of OCL`, 'Octopus reads integers with int.Parse.');
        return undefined;
      }
      return { type: 'int', value: json === 0 ? 0 : json, raw: String(json), range };
    }
    const text = String(json);
    if (Number.isFinite(json) && DECIMAL_TEXT.test(text)) return { type: 'decimal', value: text, range };
    this.error(OclJsonCodes.numberRange, path, `${text} cannot be written in OCL`, 'Write decimals as {"decimal": "1.50"}: OCL has no exponent notation.');
    return undefined;
  }

  private decimal(json: unknown, path: string): OclLiteral | undefined {
    if (typeof json !== 'string' || !DECIMAL_TEXT.test(json)) {
      this.error(OclJsonCodes.decimalText, path, `expected decimal text such as "1.50", found ${JSON.stringify(json) ?? describe(json)}`);
      return undefined;
    }
    const integerPart = json.replace(/^-/, '').split('.')[0]!;
    if (BigInt(integerPart) > DECIMAL_MAX_INTEGER) {
      this.error(OclJsonCodes.numberRange, path, `${json} is outside the range of a .NET decimal`);
      return undefined;
    }
    return { type: 'decimal', value: json, range: zeroRange() };
  }

  private heredoc(json: Record<string, unknown>, path: string): OclLiteral | undefined {
    this.checkKeys(json, path, ['heredoc', 'tag', 'indented']);
    const value = json.heredoc;
    const tag = own(json, 'tag') ?? 'EOT';
    const indented = own(json, 'indented') ?? true;
    let ok = true;
    if (typeof value !== 'string') {
      this.error(OclJsonCodes.shape, `${path}.heredoc`, `expected a string, found ${describe(value)}`);
      ok = false;
    }
    if (typeof tag !== 'string' || /[\s\u0085]/u.test(tag)) {
      this.error(OclJsonCodes.heredocTag, `${path}.tag`, 'expected a heredoc tag: a string without whitespace');
      ok = false;
    }
    if (typeof indented !== 'boolean') {
      this.error(OclJsonCodes.shape, `${path}.indented`, `expected a boolean, found ${describe(indented)}`);
      ok = false;
    }
    if (!ok) return undefined;
    return { type: 'heredoc', value: value as string, tag: tag as string, indented: indented as boolean, range: zeroRange() };
  }

  private array(declared: OclArray['elementType'] | undefined, items: unknown[], path: string): OclArray | undefined {
    const converted: OclArrayItem[] = [];
    let elementType = declared;
    let ok = true;
    items.forEach((item, i) => {
      const itemPath = `${path}[${i}]`;
      const value = this.arrayItem(item, itemPath, elementType);
      if (!value) {
        ok = false;
        return;
      }
      if (elementType === undefined) elementType = value.type;
      else if (value.type !== elementType) {
        this.error(
          OclJsonCodes.mixedArray,
          itemPath,
          `expected a ${elementType} like the ${declared ? 'declared type' : 'first item'}, found a ${value.type}`,
          'OCL arrays are homogeneous: all strings, all integers or all decimals.',
        );
        ok = false;
        return;
      }
      converted.push(value);
    });
    if (!ok) return undefined;
    return { type: 'array', elementType: elementType ?? 'string', items: converted, range: zeroRange() };
  }

  private arrayItem(item: unknown, path: string, expected: OclArray['elementType'] | undefined): OclArrayItem | undefined {
    // A declared decimal array may list its items as decimal text.
    if (expected === 'decimal' && typeof item === 'string') return this.decimal(item, path) as OclArrayItem | undefined;
    if (typeof item === 'string') return { type: 'string', value: item, range: zeroRange() };
    if (typeof item === 'number') {
      const number = this.number(item, path);
      if (number && expected === 'decimal' && number.type === 'int') return { type: 'decimal', value: `${number.value}.0`, range: zeroRange() };
      return number as OclArrayItem | undefined;
    }
    if (isObject(item) && Object.prototype.hasOwnProperty.call(item, 'decimal')) {
      this.checkKeys(item, path, ['decimal']);
      return this.decimal(item.decimal, `${path}.decimal`) as OclArrayItem | undefined;
    }
    this.error(OclJsonCodes.shape, path, `expected an array item (a string, an integer or {"decimal": ...}), found ${describe(item)}`);
    return undefined;
  }

  private map(json: Record<string, unknown>, path: string): OclMap | undefined {
    this.checkKeys(json, path, ['map']);
    const entriesJson = json.map;
    const entries: OclMapEntry[] = [];
    const seen = new Set<string>();
    const add = (key: string, quoted: boolean, valueJson: unknown, entryPath: string, valuePath: string): void => {
      if (seen.has(key)) {
        this.error(OclJsonCodes.duplicateKey, entryPath, `duplicate map key "${key}"`, 'Octopus rejects maps with duplicate keys.');
        return;
      }
      seen.add(key);
      const value = this.value(valueJson, valuePath, false) as OclLiteral | undefined;
      if (value) entries.push({ key, quoted, keyRange: zeroRange(), value, range: zeroRange() });
    };
    if (Array.isArray(entriesJson)) {
      entriesJson.forEach((entry, i) => {
        const entryPath = `${path}.map[${i}]`;
        if (!this.expectObject(entry, entryPath, 'a map entry ({"key": ..., "value": ...})')) return;
        this.checkKeys(entry, entryPath, ['key', 'quoted', 'value']);
        const key = own(entry, 'key');
        const quoted = own(entry, 'quoted') ?? mustQuoteMapKey(typeof key === 'string' ? key : '');
        if (typeof key !== 'string') {
          this.error(OclJsonCodes.shape, `${entryPath}.key`, `expected a key string, found ${describe(key)}`);
          return;
        }
        if (typeof quoted !== 'boolean') {
          this.error(OclJsonCodes.shape, `${entryPath}.quoted`, `expected a boolean, found ${describe(quoted)}`);
          return;
        }
        if (!Object.prototype.hasOwnProperty.call(entry, 'value')) {
          this.error(OclJsonCodes.shape, `${entryPath}.value`, 'a map entry needs a "value" (use null for null)');
          return;
        }
        add(key, quoted, entry.value, entryPath, `${entryPath}.value`);
      });
    } else if (isObject(entriesJson)) {
      // Convenience form {"map": {"key": value}}: JSON.parse makes every key an own property,
      // `__proto__` included, so Object.keys sees them all in document order.
      for (const key of Object.keys(entriesJson)) {
        const keyPath = member(`${path}.map`, key);
        add(key, mustQuoteMapKey(key), entriesJson[key], keyPath, keyPath);
      }
    } else {
      this.error(OclJsonCodes.shape, `${path}.map`, `expected an array of map entries, found ${describe(entriesJson)}`);
      return undefined;
    }
    return { type: 'map', entries, range: zeroRange() };
  }
}

/** A JSON path member step: `.name` for identifier-like keys, `["any key"]` otherwise. */
function member(path: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}


/**
 * Parses JSON text into a value, reporting a syntax error as a positioned diagnostic
 * (`OCL211`) instead of throwing.
 */
export function parseJsonText(text: string, file?: string): { value: unknown; diagnostics: Diagnostic[] } {
  // Positions are relative to the text without a byte-order mark, as editors (and the OCL parser) count.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return { value: JSON.parse(body), diagnostics: [] };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const diagnostic: Diagnostic = { severity: 'error', code: OclJsonCodes.jsonSyntax, summary: `invalid JSON: ${message}` };
    if (file !== undefined) diagnostic.file = file;
    const offset = Math.min(jsonErrorOffset(body, 0), body.length);
    diagnostic.range = new LineIndex(body).range(offset, Math.min(offset + 1, body.length));
    return { value: undefined, diagnostics: [diagnostic] };
  }
}

/**
 * The offset of the first JSON syntax error, found by a small recursive-descent scan (Node's
 * `JSON.parse` messages do not always carry a position).
 */
function jsonErrorOffset(text: string, start: number): number {
  let i = start;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    for (const ch of word) if (text[i++] !== ch) (i--, fail());
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      const code = text.charCodeAt(i);
      if (code < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = () => {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
    if (!match || match[0] === '' || match[0] === '-') fail();
    i += match![0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    }
    if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return number();
    fail();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
  } catch (offset) {
    if (typeof offset === 'number') return offset;
    throw offset;
  }
  return i;
}
