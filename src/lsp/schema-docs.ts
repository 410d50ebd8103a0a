/**
 * The JSON Schemas of src/model read the other way round: given a document kind and the block path at
 * the cursor (`step` › `action`), which blocks and attributes may appear, their types, allowed values and
 * descriptions. The projection rules are the model's (projection.ts): blocks are arrays of objects,
 * attributes are properties, labels live under `$labels`.
 */
import { readFileSync } from 'node:fs';
import type { DocumentKind } from '../model/kinds.js';
import { LABELS_KEY } from '../model/projection.js';
import { SCHEMA_FILES, SCHEMAS_DIR } from '../model/schema.js';

type SchemaNode = Record<string, unknown>;

interface Located {
  node: SchemaNode;
  /** The schema file `$ref`s inside `node` are relative to. */
  file: string;
}

export interface PropertyInfo {
  name: string;
  /** Written as a block (`name { … }`) rather than an attribute. */
  block: boolean;
  required: boolean;
  description?: string;
  /** Allowed values, for enums. */
  values?: string[];
  /** JSON type of an attribute's value (`string`, `boolean`, `array`, `object` for maps …). */
  type?: string;
  /** How many labels a block takes: 0, 1, or optional. */
  labels?: 'none' | 'one' | 'optional' | 'any';
  /** The property's schema, resolved. */
  schema: SchemaNode;
  schemaFile: string;
}

const files = new Map<string, SchemaNode>();

function load(file: string): SchemaNode {
  let schema = files.get(file);
  if (!schema) {
    schema = JSON.parse(readFileSync(SCHEMAS_DIR + file, 'utf8')) as SchemaNode;
    files.set(file, schema);
  }
  return schema;
}

function resolve(located: Located, depth = 0): Located {
  const ref = located.node.$ref;
  if (typeof ref !== 'string' || depth > 10) return located;
  const [target, pointer = ''] = ref.split('#');
  const file = target === '' || target === undefined ? located.file : target;
  let node: unknown = load(file);
  for (const segment of pointer.split('/').filter((s) => s !== '')) node = (node as SchemaNode | undefined)?.[segment];
  if (!node || typeof node !== 'object') return located;
  // Sibling keywords (e.g. a description next to the $ref) stay visible.
  const { $ref: _ref, ...siblings } = located.node;
  return resolve({ node: { ...(node as SchemaNode), ...siblings }, file }, depth + 1);
}

/** The object schema of one block (an array property's items), or undefined for an attribute. */
function blockItems(property: Located): Located | undefined {
  const resolved = resolve(property);
  if (resolved.node.type !== 'array') return undefined;
  const items = resolved.node.items;
  if (!items || typeof items !== 'object') return undefined;
  const item = resolve({ node: items as SchemaNode, file: resolved.file });
  const t = item.node.type;
  return t === undefined || t === 'object' ? item : undefined;
}

function labelsOf(item: Located): PropertyInfo['labels'] {
  const labels = (item.node.properties as SchemaNode | undefined)?.[LABELS_KEY];
  if (!labels || typeof labels !== 'object') return undefined;
  const ref = String((labels as SchemaNode).$ref ?? '');
  if (ref.endsWith('noLabels')) return 'none';
  if (ref.endsWith('oneLabel') || ref.endsWith('slugLabel')) return 'one';
  if (ref.endsWith('optionalLabel')) return 'optional';
  return 'any';
}

/** The object schema of the body at a block path, or undefined when the path leaves the schema. */
function bodyAt(kind: DocumentKind, path: readonly string[]): Located | undefined {
  let current: Located = { node: load(SCHEMA_FILES[kind]), file: SCHEMA_FILES[kind] };
  for (const name of path) {
    const property = (current.node.properties as SchemaNode | undefined)?.[name];
    if (!property || typeof property !== 'object') return undefined;
    const items = blockItems({ node: property as SchemaNode, file: current.file });
    if (!items) return undefined;
    current = items;
  }
  return current;
}

function describe(name: string, property: Located, required: boolean): PropertyInfo {
  const resolved = resolve(property);
  const items = blockItems(property);
  const info: PropertyInfo = { name, block: items !== undefined, required, schema: resolved.node, schemaFile: resolved.file };
  const description = property.node.description ?? resolved.node.description ?? items?.node.description;
  if (typeof description === 'string') info.description = description;
  if (Array.isArray(resolved.node.enum)) info.values = resolved.node.enum.map(String);
  if (items) {
    const labels = labelsOf(items);
    if (labels) info.labels = labels;
  } else {
    const type = resolved.node.type;
    if (typeof type === 'string') info.type = type;
    else if (info.values) info.type = 'string';
  }
  return info;
}

/** The blocks and attributes allowed in the body at `path` of a document of `kind`. */
export function propertiesAt(kind: DocumentKind, path: readonly string[]): PropertyInfo[] {
  const body = bodyAt(kind, path);
  if (!body) return [];
  const properties = (body.node.properties ?? {}) as Record<string, unknown>;
  const required = new Set(Array.isArray(body.node.required) ? body.node.required.map(String) : []);
  const out: PropertyInfo[] = [];
  for (const [name, schema] of Object.entries(properties)) {
    if (name === LABELS_KEY || !schema || typeof schema !== 'object') continue;
    out.push(describe(name, { node: schema as SchemaNode, file: body.file }, required.has(name)));
  }
  return out;
}

export function propertyAt(kind: DocumentKind, path: readonly string[], name: string): PropertyInfo | undefined {
  return propertiesAt(kind, path).find((p) => p.name === name);
}

/** The description of the document kind itself (the schema's title and description). */
export function kindDescription(kind: DocumentKind): { title?: string; description?: string } {
  const schema = load(SCHEMA_FILES[kind]);
  const out: { title?: string; description?: string } = {};
  if (typeof schema.title === 'string') out.title = schema.title;
  if (typeof schema.description === 'string') out.description = schema.description;
  return out;
}
