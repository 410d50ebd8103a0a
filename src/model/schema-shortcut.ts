/**
 * A shortcut past the JSON projection and ajv for documents that certainly fit their schema.
 *
 * Most files a lint reads are valid: for them, building the JSON projection (projection.ts) and running
 * the compiled ajv validator (schema.ts) finds nothing, yet costs about as much as parsing the file, and
 * more CPU still while V8 compiles the validator's code. `fitsSchema` reads the same JSON Schema files
 * and answers, straight from the OCL syntax tree, whether the document's projection certainly validates
 * with no error and projects with no diagnostic. It is conservative by construction:
 *
 * - it answers true only when every keyword on the way is one it evaluates exactly as ajv does (type,
 *   enum of plain values, properties, required, additionalProperties, items, min/maxItems,
 *   min/maxLength, pattern, minimum/maximum, if/then/else, $ref) and every value fits;
 * - anything else — an unknown keyword, a duplicate attribute or an attribute/block clash (which the
 *   projection reports), a duplicate map key, a `__proto__` or `$labels` name — is "not sure", and the
 *   caller then projects and validates as before, so every diagnostic stays what it was.
 *
 * The schemas are the ones the build compiles into the validators (schemas/), so a schema change
 * reaches both; a keyword the shortcut does not know sends every document that reaches it the long way.
 * Each schema node is read once into a `Rule` (its keywords as fields), and the syntax tree is checked
 * against the rules without building anything: a generic walk over schema keywords per value cost more
 * than the projection and ajv together.
 */
import { readFileSync } from 'node:fs';
import type { OclBlock, OclElement, OclLabel, OclMap, OclValue } from '../ocl/ast.js';
import type { DocumentKind } from './kinds.js';
import { SCHEMA_FILES, SCHEMAS_DIR, schemaId } from './schema.js';

/** true: valid; false: invalid; undefined: cannot tell (the caller takes the long way). */
type Verdict = boolean | undefined;

type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

/** One schema node's keywords, read once. */
interface Rule {
  /** A boolean schema, or a keyword the shortcut does not evaluate (undefined). */
  fixed: Verdict | null;
  types: readonly JsonType[] | null;
  enumValues: readonly (string | number | boolean | null)[] | null;
  refs: Rule[];
  properties: Map<string, Rule> | null;
  additional: Rule | null;
  required: readonly string[] | null;
  items: Rule | null;
  minItems: number;
  maxItems: number;
  minLength: number;
  maxLength: number;
  pattern: RegExp | null;
  minimum: number;
  maximum: number;
  condition: Rule | null;
  then: Rule | null;
  otherwise: Rule | null;
}

const ANNOTATIONS = new Set(['description', 'x-unknown', 'x-why', '$comment', 'title', '$schema', '$id', '$defs', 'examples', 'default', 'then', 'else']);
const TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);
const LABELS_KEY = '$labels';

const schemasById = new Map<string, unknown>();
const rules = new Map<unknown, Rule>();
const UNSURE: Rule = blankRule(undefined);

function blankRule(fixed: Verdict | null): Rule {
  return {
    fixed,
    types: null,
    enumValues: null,
    refs: [],
    properties: null,
    additional: null,
    required: null,
    items: null,
    minItems: -1,
    maxItems: -1,
    minLength: -1,
    maxLength: -1,
    pattern: null,
    minimum: NaN,
    maximum: NaN,
    condition: null,
    then: null,
    otherwise: null,
  };
}

let loaded = false;

function loadSchemas(): void {
  if (loaded) return;
  loaded = true;
  // The shared definitions and every document schema, as createSchemaAjv loads them. A schema that
  // cannot be read leaves the shortcut out for what refers to it (the validators still hold it).
  for (const file of ['ocl-common.schema.json', ...Object.values(SCHEMA_FILES)]) {
    try {
      const schema = JSON.parse(readFileSync(SCHEMAS_DIR + file, 'utf8')) as { $id?: string };
      if (typeof schema.$id === 'string') schemasById.set(schema.$id, schema);
    } catch {
      // the long way
    }
  }
}

function resolve(ref: string, base: string): { node: unknown; base: string } | undefined {
  const hash = ref.indexOf('#');
  const file = hash < 0 ? ref : ref.slice(0, hash);
  const pointer = hash < 0 ? '' : ref.slice(hash + 1);
  const id = file === '' ? base : new URL(file, base).href;
  let node: unknown = schemasById.get(id);
  if (node === undefined || (pointer !== '' && !pointer.startsWith('/'))) return undefined;
  for (const segment of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const name = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node !== null && typeof node === 'object' && Object.prototype.hasOwnProperty.call(node, name) ? (node as Record<string, unknown>)[name] : undefined;
  }
  return node === undefined ? undefined : { node, base: id };
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;
const isPlain = (v: unknown) => v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** The rule of a schema node (compiled once; a node that refers to itself gets the rule being filled in). */
function ruleOf(node: unknown, base: string): Rule {
  if (typeof node === 'boolean') return node ? TRUE_RULE : FALSE_RULE;
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return UNSURE;
  const known = rules.get(node);
  if (known) return known;
  const n = node as Record<string, unknown>;
  // A node that only refers to another (with annotations beside) is that node's rule: one call less per value.
  if (typeof n.$ref === 'string' && Object.keys(n).every((keyword) => keyword === '$ref' || ANNOTATIONS.has(keyword))) {
    const target = resolve(n.$ref, base);
    if (target !== undefined) {
      rules.set(node, UNSURE); // a loop of plain references decides nothing
      const alias = ruleOf(target.node, target.base);
      rules.set(node, alias);
      return alias;
    }
  }
  const rule = blankRule(null);
  rules.set(node, rule);
  const unsure = () => {
    rule.fixed = undefined;
    return rule;
  };
  for (const keyword of Object.keys(n)) {
    const value = n[keyword];
    switch (keyword) {
      case 'type': {
        const list = typeof value === 'string' ? [value] : value;
        if (!Array.isArray(list) || !list.every((t) => TYPES.has(t as string))) return unsure();
        rule.types = list as JsonType[];
        break;
      }
      case 'enum':
        if (!Array.isArray(value) || !value.every(isPlain)) return unsure();
        rule.enumValues = value as (string | number | boolean | null)[];
        break;
      case '$ref': {
        const target = typeof value === 'string' ? resolve(value, base) : undefined;
        if (!target) return unsure();
        rule.refs.push(ruleOf(target.node, target.base));
        break;
      }
      case 'properties': {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) return unsure();
        rule.properties = new Map(Object.entries(value).map(([name, sub]) => [name, ruleOf(sub, base)]));
        break;
      }
      case 'additionalProperties':
        rule.additional = ruleOf(value, base);
        break;
      case 'required':
        if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) return unsure();
        rule.required = value as string[];
        break;
      case 'items':
        if (Array.isArray(value)) return unsure();
        rule.items = ruleOf(value, base);
        break;
      case 'minItems':
      case 'maxItems':
      case 'minLength':
      case 'maxLength':
        if (!isCount(value)) return unsure();
        rule[keyword] = value;
        break;
      case 'minimum':
      case 'maximum':
        if (typeof value !== 'number' || !Number.isFinite(value)) return unsure();
        rule[keyword] = value;
        break;
      case 'pattern':
        if (typeof value !== 'string') return unsure();
        rule.pattern = new RegExp(value, 'u');
        break;
      case 'if':
        rule.condition = ruleOf(value, base);
        rule.then = n.then === undefined ? null : ruleOf(n.then, base);
        rule.otherwise = n.else === undefined ? null : ruleOf(n.else, base);
        break;
      default:
        if (!ANNOTATIONS.has(keyword)) return unsure();
    }
  }
  return rule;
}

const TRUE_RULE = blankRule(true);
const FALSE_RULE = blankRule(false);

/**
 * Whether the JSON projection of `body` (a document of this kind) certainly validates against the
 * kind's schema and projects without a diagnostic. False means "not sure": validate the long way.
 */
export function fitsSchema(kind: DocumentKind, body: readonly OclElement[]): boolean {
  const root = rootRule(kind);
  return root !== undefined && projectsWithoutFindings(body) && checkBody(root, body, undefined) === true;
}

/** The rule of each kind's schema, found once (undefined: the schema could not be read). */
const rootRules = new Map<DocumentKind, Rule | undefined>();

function rootRule(kind: DocumentKind): Rule | undefined {
  if (rootRules.has(kind)) return rootRules.get(kind);
  loadSchemas();
  const id = schemaId(kind);
  const root = schemasById.get(id);
  const rule = root === undefined ? undefined : ruleOf(root, id);
  rootRules.set(kind, rule);
  return rule;
}

/**
 * Whether the projection of `body` and of every block in it reports nothing: no attribute twice in one
 * body (SCH009), no name used for an attribute and a block (SCH010). The projection looks at every body,
 * whether the schema constrains it or not. Names JSON would not hold as plain keys count as findings.
 * The checks below rely on it: a body's names are then unique, except for blocks of one name.
 */
function projectsWithoutFindings(body: readonly OclElement[]): boolean {
  if (body.length > SMALL) return projectsWithoutFindingsLarge(body);
  for (let i = 0; i < body.length; i++) {
    const element = body[i]!;
    const name = element.name;
    if (name === LABELS_KEY || name === '__proto__') return false;
    for (let j = 0; j < i; j++) {
      const earlier = body[j]!;
      if (earlier.name === name && (earlier.type === 'attribute' || element.type === 'attribute')) return false;
    }
    if (element.type === 'block' && !projectsWithoutFindings(element.body)) return false;
  }
  return true;
}

/** Bodies and maps up to this many elements are searched by scanning; larger ones through a set. */
const SMALL = 16;

function projectsWithoutFindingsLarge(body: readonly OclElement[]): boolean {
  const attributes = new Set<string>();
  const blocks = new Set<string>();
  for (const element of body) {
    const name = element.name;
    if (name === LABELS_KEY || name === '__proto__' || attributes.has(name)) return false;
    if (element.type === 'attribute') {
      if (blocks.has(name)) return false;
      attributes.add(name);
    } else {
      blocks.add(name);
      if (!projectsWithoutFindings(element.body)) return false;
    }
  }
  return true;
}

/** What a checked instance is (for checking it again against a `$ref`'s or `if`'s rule). */
const enum Shape {
  Body,
  Blocks,
  Labels,
  Text,
  Number,
  Value,
  Map,
}

function recheck(rule: Rule, shape: Shape, instance: unknown, labels: readonly OclLabel[] | undefined): Verdict {
  switch (shape) {
    case Shape.Body:
      return checkBody(rule, instance as readonly OclElement[], labels);
    case Shape.Blocks:
      return checkBlocks(rule, instance as readonly OclBlock[]);
    case Shape.Labels:
      return checkLabels(rule, instance as readonly OclLabel[]);
    case Shape.Text:
      return checkString(rule, instance as string);
    case Shape.Number:
      return checkNumber(rule, instance as number);
    case Shape.Value:
      return checkValue(rule, instance as OclValue);
    case Shape.Map:
      return checkMap(rule, instance as OclMap);
  }
}

/** The keywords every kind of value shares: a fixed verdict, type, enum, $ref, if/then/else. */
function common(
  rule: Rule,
  type: JsonType | 'non-finite',
  plain: string | number | boolean | null | undefined,
  shape: Shape,
  instance: unknown,
  labels?: readonly OclLabel[],
): Verdict {
  if (rule.fixed !== null) return rule.fixed;
  let verdict: Verdict = true;
  const types = rule.types;
  if (types !== null) {
    let fits = false;
    for (let i = 0; i < types.length; i++) if (types[i] === type || (types[i] === 'number' && type === 'integer')) fits = true;
    if (!fits) return false;
  }
  if (rule.enumValues !== null && (plain === undefined || !rule.enumValues.includes(plain))) return false;
  const refs = rule.refs;
  for (let i = 0; i < refs.length; i++) {
    const v = recheck(refs[i]!, shape, instance, labels);
    if (v === false) return false;
    if (v === undefined) verdict = undefined;
  }
  if (rule.condition !== null) {
    const condition = recheck(rule.condition, shape, instance, labels);
    if (condition === undefined) return undefined;
    const branch = condition ? rule.then : rule.otherwise;
    const v = branch === null ? true : recheck(branch, shape, instance, labels);
    if (v === false) return false;
    if (v === undefined) verdict = undefined;
  }
  return verdict;
}

function and(a: Verdict, b: Verdict): Verdict {
  if (a === false || b === false) return false;
  return a === true && b === true ? true : undefined;
}

/** A document's or block's body as the object the projection makes (`labels` only for a block). */
function checkBody(rule: Rule, body: readonly OclElement[], labels: readonly OclLabel[] | undefined): Verdict {
  let verdict = common(rule, 'object', undefined, Shape.Body, body, labels);
  if (verdict === false || rule.fixed !== null) return verdict;
  const required = rule.required;
  if (required !== null) {
    for (let i = 0; i < required.length; i++) if (!(required[i] === LABELS_KEY ? labels !== undefined : hasElementNamed(body, required[i]!))) return false;
  }
  if (rule.properties === null && rule.additional === null) return verdict;
  if (labels !== undefined) {
    const sub = rule.properties?.get(LABELS_KEY) ?? rule.additional;
    if (sub !== null && sub !== undefined) verdict = and(verdict, checkLabels(sub, labels));
    if (verdict === false) return false;
  }
  let groups: Map<string, OclBlock[]> | undefined;
  for (let i = 0; i < body.length; i++) {
    const element = body[i]!;
    const sub = rule.properties?.get(element.name) ?? rule.additional;
    if (sub === null || sub === undefined) continue;
    if (element.type === 'attribute') {
      verdict = and(verdict, checkValue(sub, element.value));
    } else {
      // All blocks of a name are one array, checked at the first of them.
      const blocks = blockGroup(body, i, (groups ??= body.length > SMALL ? new Map() : undefined));
      if (blocks === undefined) continue;
      verdict = and(verdict, checkBlocks(sub, blocks));
    }
    if (verdict === false) return false;
  }
  return verdict;
}

function hasElementNamed(body: readonly OclElement[], name: string): boolean {
  for (let i = 0; i < body.length; i++) if (body[i]!.name === name) return true;
  return false;
}

/**
 * The blocks named as `body[at]` when it is the first of them, else undefined. `groups`: every group of
 * a large body, made on the first call (a small body is scanned instead).
 */
function blockGroup(body: readonly OclElement[], at: number, groups: Map<string, OclBlock[]> | undefined): OclBlock[] | undefined {
  const name = body[at]!.name;
  if (groups !== undefined) {
    if (groups.size === 0) {
      for (const element of body) {
        if (element.type !== 'block') continue;
        const group = groups.get(element.name);
        if (group) group.push(element);
        else groups.set(element.name, [element]);
      }
    }
    const group = groups.get(name)!;
    return group[0] === body[at] ? group : undefined;
  }
  for (let j = 0; j < at; j++) if (body[j]!.name === name) return undefined;
  const blocks: OclBlock[] = [];
  for (let j = at; j < body.length; j++) if (body[j]!.name === name) blocks.push(body[j] as OclBlock);
  return blocks;
}

/** An array's keywords but `items` (the caller checks each item against `rule.items` unless this decides). */
function arrayKeywords(rule: Rule, shape: Shape, instance: unknown, length: number): Verdict {
  const verdict = common(rule, 'array', undefined, shape, instance);
  if (verdict === false || rule.fixed !== null) return verdict;
  if ((rule.minItems >= 0 && length < rule.minItems) || (rule.maxItems >= 0 && length > rule.maxItems)) return false;
  return verdict;
}

function checkBlocks(rule: Rule, blocks: readonly OclBlock[]): Verdict {
  let verdict = arrayKeywords(rule, Shape.Blocks, blocks, blocks.length);
  if (verdict === false || rule.fixed !== null || rule.items === null) return verdict;
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    verdict = and(verdict, checkBody(rule.items, block.body, block.labels));
    if (verdict === false) return false;
  }
  return verdict;
}

function checkLabels(rule: Rule, labels: readonly OclLabel[]): Verdict {
  let verdict = arrayKeywords(rule, Shape.Labels, labels, labels.length);
  if (verdict === false || rule.fixed !== null || rule.items === null) return verdict;
  for (let i = 0; i < labels.length; i++) {
    verdict = and(verdict, checkString(rule.items, labels[i]!.value));
    if (verdict === false) return false;
  }
  return verdict;
}

/** The code points of a string, as ajv counts lengths. */
function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    n++;
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
  }
  return n;
}

function checkString(rule: Rule, text: string): Verdict {
  const verdict = common(rule, 'string', text, Shape.Text, text);
  if (verdict === false || rule.fixed !== null) return verdict;
  if (rule.minLength >= 0 && text.length < rule.minLength * 2 && codePoints(text) < rule.minLength) return false;
  if (rule.maxLength >= 0 && text.length > rule.maxLength && codePoints(text) > rule.maxLength) return false;
  if (rule.pattern !== null && !rule.pattern.test(text)) return false;
  return verdict;
}

function checkNumber(rule: Rule, n: number): Verdict {
  // Not a JSON Schema number (the projection's Infinity): no type takes it, and number keywords pass it by.
  const type = !Number.isFinite(n) ? 'non-finite' : n % 1 === 0 ? 'integer' : 'number';
  const verdict = common(rule, type, n, Shape.Number, n);
  if (verdict === false || rule.fixed !== null || type === 'non-finite') return verdict;
  if ((!Number.isNaN(rule.minimum) && n < rule.minimum) || (!Number.isNaN(rule.maximum) && n > rule.maximum)) return false;
  return verdict;
}

function checkValue(rule: Rule, value: OclValue): Verdict {
  switch (value.type) {
    case 'string':
    case 'heredoc':
      return checkString(rule, value.value);
    case 'int':
      return checkNumber(rule, value.value);
    case 'decimal':
      return checkNumber(rule, Number(value.value));
    case 'bool':
      return common(rule, 'boolean', value.value, Shape.Value, value);
    case 'null':
      return common(rule, 'null', null, Shape.Value, value);
    case 'array': {
      let verdict = arrayKeywords(rule, Shape.Value, value, value.items.length);
      if (verdict === false || rule.fixed !== null || rule.items === null) return verdict;
      const items = value.items;
      for (let i = 0; i < items.length; i++) {
        verdict = and(verdict, checkValue(rule.items, items[i]!));
        if (verdict === false) return false;
      }
      return verdict;
    }
    case 'map':
      return checkMap(rule, value);
  }
}

function checkMap(rule: Rule, map: OclMap): Verdict {
  let verdict = common(rule, 'object', undefined, Shape.Map, map);
  if (verdict === false || rule.fixed !== null) return verdict;
  const entries = map.entries;
  // A repeated key keeps one value in JSON; `__proto__` is no ordinary key there.
  const seen = entries.length > SMALL ? new Set<string>() : undefined;
  for (let i = 0; i < entries.length; i++) {
    const key = entries[i]!.key;
    if (key === '__proto__') return undefined;
    if (seen !== undefined) {
      if (seen.has(key)) return undefined;
      seen.add(key);
    } else {
      for (let j = 0; j < i; j++) if (entries[j]!.key === key) return undefined;
    }
  }
  const required = rule.required;
  if (required !== null) {
    for (let i = 0; i < required.length; i++) if (!hasKey(entries, required[i]!)) return false;
  }
  if (rule.properties === null && rule.additional === null) return verdict;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const sub = rule.properties?.get(entry.key) ?? rule.additional;
    if (sub === null || sub === undefined) continue;
    verdict = and(verdict, checkValue(sub, entry.value));
    if (verdict === false) return false;
  }
  return verdict;
}

function hasKey(entries: OclMap['entries'], key: string): boolean {
  for (let i = 0; i < entries.length; i++) if (entries[i]!.key === key) return true;
  return false;
}
