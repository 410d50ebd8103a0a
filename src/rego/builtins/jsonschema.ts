/**
 * json.verify_schema and json.match_schema (OPA v1/topdown/jsonschema.go, which runs
 * gojsonschema). oclhub validates with ajv (draft-07 vocabulary, which also reads draft-04/06
 * schemas without draft-04's boolean exclusiveMinimum/Maximum) and reports each error in
 * gojsonschema's form: `{"error": "<field>: <desc>", "type": "<gojsonschema type>", "field":
 * "(root)" or "a.0.b", "desc": "<gojsonschema text>"}`. The validity answer is the one that
 * matters to policies; the error list may differ from OPA's in order and in what a failing
 * anyOf/oneOf reports beneath it.
 * Remote `$ref`s are never fetched (offline, and OPA denies them without allow_net).
 * ajv is loaded on the first call, so importing the engine does not pay for it.
 */
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type AjvClass from 'ajv';
import { type Value, isObject, makeObject, stringifyJSON } from '../value.js';
import { BuiltinError, type Builtin, type BuiltinContext } from './registry.js';
import { compileRE2 } from './re2.js';
import { def } from './util.js';

type AjvInstance = InstanceType<typeof AjvClass.default>;

let ajvInstance: AjvInstance | undefined;

function ajv(): AjvInstance {
  if (ajvInstance) return ajvInstance;
  const require = createRequire(import.meta.url);
  const loaded = require('ajv') as { default?: typeof AjvClass.default } & typeof AjvClass.default;
  const Ajv = loaded.default ?? loaded;
  const formats = require('ajv-formats') as { default?: (a: AjvInstance) => void } & ((a: AjvInstance) => void);
  // gojsonschema collects every error, ignores unknown keywords and checks formats. Patterns are
  // Go regexps (RE2, linear time): a hostile schema cannot make a backtracking engine run away.
  // ajv shares compiled patterns by their toString(), so each must name its own pattern.
  const compilePattern = (pattern: string) => {
    const re = compileRE2(pattern);
    return { test: (s: string) => re.test(s), toString: () => `re2:${pattern}` };
  };
  const regExp = Object.assign(compilePattern, { code: 'compileRE2' });
  // logger: false, as a policy's schema (an unknown format, say) must not write to the console.
  ajvInstance = new Ajv({ allErrors: true, verbose: true, strict: false, validateSchema: true, logger: false, code: { regExp } });
  (formats.default ?? formats)(ajvInstance);
  return ajvInstance;
}

/** Compiled schemas by their JSON text; a policy validates many documents against few schemas. */
const compiled = new Map<string, ValidateFunction>();
const MAX_COMPILED = 64;

class SchemaInputError extends Error {}

/**
 * OPA astValueToJSONSchemaLoader: a JSON string (checked), or an object or array as JSON. The
 * validation work is proportional to the JSON text, so that is what the step budget is charged.
 */
function toJSONDocument(v: Value, ctx: BuiltinContext): unknown {
  if (typeof v !== 'string' && !isObject(v) && !Array.isArray(v)) throw new SchemaInputError('wrong type, expected string or object');
  const text = typeof v === 'string' ? v : stringifyJSON(v);
  ctx.tick(text.length + 1);
  try {
    return JSON.parse(text);
  } catch {
    throw new SchemaInputError('invalid JSON string');
  }
}

/**
 * Stands in for an empty enum, which gojsonschema accepts (no value matches it) and ajv refuses to
 * compile: a value no document holds, left out of error texts.
 */
const EMPTY_ENUM_MEMBER = { 'oclhub: empty enum': true };

/**
 * The schema as ajv takes it: the root $schema only selects a draft in gojsonschema (ajv would look
 * it up as a reference), and every empty enum gets the stand-in member.
 */
function forAjv(schema: unknown, root = true): unknown {
  if (Array.isArray(schema)) return schema.map((x) => forAjv(x, false));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema as Record<string, unknown>)) {
    if (root && k === '$schema') continue;
    out[k] = k === 'enum' && Array.isArray(v) && v.length === 0 ? [EMPTY_ENUM_MEMBER] : forAjv(v, false);
  }
  return out;
}

const PRIMITIVE_TYPES = new Set(['array', 'boolean', 'integer', 'number', 'null', 'object', 'string']);

/**
 * Why the meta-schema rejects a schema, in gojsonschema's words where oclhub knows them: an
 * unknown `type` (the usual mistake) is "has a primitive type that is NOT VALID -- given: /x/
 * Expected valid values are:[array boolean integer number null object string]".
 */
function schemaProblem(schema: unknown, fallback: string): string {
  for (const e of ajv().errors ?? []) {
    if (!/(^|\/)type$/.test(e.instancePath)) continue;
    let v: unknown = schema;
    for (const seg of e.instancePath.split('/').slice(1)) {
      const key = seg.replace(/~1/g, '/').replace(/~0/g, '~');
      v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
    }
    const given = (Array.isArray(v) ? v : [v]).find((t) => typeof t === 'string' && !PRIMITIVE_TYPES.has(t));
    if (given !== undefined) return `has a primitive type that is NOT VALID -- given: /${String(given)}/ Expected valid values are:[array boolean integer number null object string]`;
  }
  return fallback;
}

function compileSchema(schema: unknown): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    const body = forAjv(schema);
    try {
      if (!ajv().validateSchema(body as object)) throw new SchemaInputError(schemaProblem(body, `schema is invalid: ${ajv().errorsText()}`));
      validate = ajv().compile(body as object);
    } catch (e) {
      if (e instanceof SchemaInputError) throw e;
      throw new SchemaInputError((e as Error).message);
    }
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(key, validate);
  }
  return validate;
}

/** gojsonschema's field: the JSON context below the root, dot-separated, or "(root)". */
function fieldOf(instancePath: string): string {
  if (instancePath === '') return '(root)';
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

/** gojsonschema's name for a JSON value's type: whole numbers are "integer". */
function jsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** gojsonschema's type and description (its DefaultLocale texts) for one ajv error. */
function describe(e: ErrorObject, field: string): [string, string] {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return ['required', `${String(p['missingProperty'])} is required`];
    case 'type': {
      const expected = String(p['type']).split(',').join(', ');
      return ['invalid_type', `Invalid type. Expected: ${expected}, given: ${jsonTypeName(e.data)}`];
    }
    case 'enum':
      return ['enum', `${field} must be one of the following: ${(p['allowedValues'] as unknown[]).filter((x) => x !== EMPTY_ENUM_MEMBER).map((x) => JSON.stringify(x)).join(', ')}`];
    case 'const':
      return ['const', `${field} does not match: ${JSON.stringify(p['allowedValue'])}`];
    case 'minLength':
      return ['string_gte', `String length must be greater than or equal to ${String(p['limit'])}`];
    case 'maxLength':
      return ['string_lte', `String length must be less than or equal to ${String(p['limit'])}`];
    case 'minimum':
      return ['number_gte', `Must be greater than or equal to ${String(p['limit'])}`];
    case 'maximum':
      return ['number_lte', `Must be less than or equal to ${String(p['limit'])}`];
    case 'exclusiveMinimum':
      return ['number_gt', `Must be greater than ${String(p['limit'])}`];
    case 'exclusiveMaximum':
      return ['number_lt', `Must be less than ${String(p['limit'])}`];
    case 'multipleOf':
      return ['multiple_of', `Must be a multiple of ${String(p['multipleOf'])}`];
    case 'pattern':
      return ['pattern', `Does not match pattern '${String(p['pattern'])}'`];
    case 'format':
      return ['format', `Does not match format '${String(p['format'])}'`];
    case 'additionalProperties':
      return ['additional_property_not_allowed', `Additional property ${String(p['additionalProperty'])} is not allowed`];
    case 'minItems':
      return ['array_min_items', `Array must have at least ${String(p['limit'])} items`];
    case 'maxItems':
      return ['array_max_items', `Array must have at most ${String(p['limit'])} items`];
    case 'additionalItems':
      return ['array_no_additional_items', 'No additional items allowed on array'];
    case 'uniqueItems': {
      const [i, j] = [Number(p['j']), Number(p['i'])];
      return ['unique', `array items[${Math.min(i, j)},${Math.max(i, j)}] must be unique`];
    }
    case 'minProperties':
      return ['array_min_properties', `Must have at least ${String(p['limit'])} properties`];
    case 'maxProperties':
      return ['array_max_properties', `Must have at most ${String(p['limit'])} properties`];
    case 'anyOf':
      return ['number_any_of', 'Must validate at least one schema (anyOf)'];
    case 'oneOf':
      return ['number_one_of', 'Must validate one and only one schema (oneOf)'];
    case 'not':
      return ['number_not', 'Must not validate the schema (not)'];
    case 'if':
      return p['failingKeyword'] === 'then'
        ? ['condition_then', 'Must validate "then" as "if" was valid']
        : ['condition_else', 'Must validate "else" as "if" was not valid'];
    case 'dependencies':
    case 'dependentRequired':
      return ['missing_dependency', `Has a dependency on ${String(p['missingProperty'])}`];
    case 'contains':
      return ['contains', 'At least one of the items must match'];
    case 'false schema':
      return ['false', 'False always fails validation'];
    default:
      return [e.keyword, e.message ?? 'is invalid'];
  }
}

function errorObject(e: ErrorObject): Value {
  const field = fieldOf(e.instancePath);
  const [type, desc] = describe(e, field);
  return makeObject([
    ['error', `${field}: ${desc}`],
    ['type', type],
    ['field', field],
    ['desc', desc],
  ]);
}

export const JSON_SCHEMA: Builtin[] = [
  def('json.verify_schema', 1, (args, ctx) => {
    try {
      compileSchema(toJSONDocument(args[0]!, ctx));
      return [true, null];
    } catch (e) {
      if (e instanceof SchemaInputError) return [false, `jsonschema: ${e.message}`];
      throw e;
    }
  }),
  def('json.match_schema', 2, (args, ctx) => {
    try {
      const document = toJSONDocument(args[0]!, ctx);
      const validate = compileSchema(toJSONDocument(args[1]!, ctx));
      const valid = validate(document);
      return [valid, (validate.errors ?? []).map(errorObject)];
    } catch (e) {
      if (e instanceof SchemaInputError) throw new BuiltinError('json.match_schema', e.message);
      throw e;
    }
  }),
];
