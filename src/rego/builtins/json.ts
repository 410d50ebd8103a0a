/** json.* and yaml.* builtins. */
import { createRequire } from 'node:module';
import {
  type PlainObject,
  type Value,
  ObjectBuilder,
  RegoObject,
  RegoSet,
  equals,
  isObject,
  normalizeBigInt,
  objectEntries,
  objectGet,
  stringifyJSON,
  toJSON,
  ValueMap,
} from '../value.js';
import { BuiltinError, type Builtin } from './registry.js';
import { JSONSyntaxError, parseJSONText } from './jsontext.js';
import { arr, def, fail, obj, operandError, str, typeError } from './util.js';

type Obj = PlainObject | RegoObject;

// ---------------------------------------------------------------------------------------------
// Marshalling (Go encoding/json: sorted keys, HTML-safe escapes)

function goEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

export function marshal(v: Value): string {
  return goEscape(stringifyJSON(v));
}

/** Go json.MarshalIndent: the prefix starts every line but the first. */
function marshalIndent(v: Value, prefix: string, indent: string): string {
  const write = (x: Value, depth: number): string => {
    const nl = '\n' + prefix + indent.repeat(depth + 1);
    const close = '\n' + prefix + indent.repeat(depth);
    if (Array.isArray(x) || x instanceof RegoSet) {
      const items = Array.isArray(x) ? x : x.values();
      if (items.length === 0) return '[]';
      return '[' + items.map((e) => nl + write(e, depth + 1)).join(',') + close + ']';
    }
    if (isObject(x)) {
      const entries = objectEntries(x);
      if (entries.length === 0) return '{}';
      const keyed = entries.map(([k, e]) => [typeof k === 'string' ? k : stringifyJSON(k), e] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      return '{' + keyed.map(([k, e]) => nl + goEscape(JSON.stringify(k)) + ': ' + write(e, depth + 1)).join(',') + close + '}';
    }
    return marshal(x);
  };
  return write(v, 0);
}

function marshalWithOptions(args: Value[]): string {
  const name = 'json.marshal_with_options';
  const opts = obj(name, args, 1);
  let indent = '\t';
  let prefix = '';
  let implicitPretty = false;
  let explicitPretty: boolean | undefined;
  for (const [k, v] of objectEntries(opts)) {
    if (typeof k !== 'string') throw operandError(name, 2, `failed to stringify key ${String(k)}`);
    switch (k) {
      case 'prefix':
        if (typeof v !== 'string') throw operandError(name, 2, `key ${k} failed cast to string`);
        prefix = v;
        implicitPretty = true;
        break;
      case 'indent':
        if (typeof v !== 'string') throw operandError(name, 2, `key ${k} failed cast to string`);
        indent = v;
        implicitPretty = true;
        break;
      case 'pretty':
        if (typeof v !== 'boolean') throw operandError(name, 2, `key ${k} failed cast to bool`);
        explicitPretty = v;
        break;
      default:
        throw operandError(name, 2, `object contained unknown key ${k}`);
    }
  }
  const pretty = explicitPretty ?? implicitPretty;
  return pretty ? prefix + marshalIndent(args[0]!, prefix, indent) : marshal(args[0]!);
}

function unmarshal(name: string, text: string): Value {
  try {
    return parseJSONText(text);
  } catch (e) {
    if (e instanceof JSONSyntaxError) throw fail(name, e.message);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// json.filter / json.remove

/** OPA parsePath: "/a/b" (JSON pointer escapes ~0 ~1) or an array of segments. */
function parsePath(name: string, p: Value): Value[] {
  if (typeof p === 'string') {
    if (p === '') return [];
    return p
      .replace(/^\/+/, '')
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  if (Array.isArray(p)) return p;
  throw operandError(name, 2, `must be one of {set, array} containing string paths or array of path segments but got ${typeName(p)}`);
}

function typeName(v: Value): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : v instanceof RegoSet ? 'set' : isObject(v) ? 'object' : typeof v === 'bigint' ? 'number' : typeof v;
}

function jsonPaths(name: string, v: Value): Value[][] {
  if (Array.isArray(v)) return v.map((p) => parsePath(name, p));
  if (v instanceof RegoSet) return v.values().map((p) => parsePath(name, p));
  throw typeError(name, 2, v, 'set', 'array');
}

/** A tree of path segments; a `null` child marks the end of a path (everything below is selected). */
class PathNode {
  readonly children = new ValueMap<PathNode | null>();
}

function pathsToTree(paths: Value[][]): PathNode {
  const root = new PathNode();
  for (const path of paths) {
    if (path.length === 0) continue;
    let node: PathNode | null = root;
    for (let i = 0; i < path.length - 1 && node; i++) {
      const child: PathNode | null | undefined = node.children.get(path[i]!);
      if (child === undefined) {
        const next = new PathNode();
        node.children.set(path[i]!, next);
        node = next;
      } else node = child;
    }
    if (node) node.children.set(path[path.length - 1]!, null);
  }
  return root;
}

/**
 * Array positions are addressed by their decimal string only, as in OPA (ast filterObject and
 * jsonRemove look up `"0"`): a numeric segment in an array path (`["a", 0]`) selects no element.
 */
function childOf(tree: PathNode, key: Value, index?: number): PathNode | null | undefined {
  return tree.children.get(index !== undefined ? String(index) : key);
}

function filterValue(v: Value, filter: PathNode | null): Value {
  if (filter === null) return v;
  if (Array.isArray(v)) {
    const out: Value[] = [];
    v.forEach((x, i) => {
      const sub = childOf(filter, i, i);
      if (sub !== undefined) out.push(filterValue(x, sub));
    });
    return out;
  }
  if (v instanceof RegoSet) {
    const out = new RegoSet();
    for (const x of v.values()) {
      const sub = childOf(filter, x);
      if (sub !== undefined) out.add(filterValue(x, sub));
    }
    return out;
  }
  if (isObject(v)) {
    const out = new ObjectBuilder();
    for (const [k, x] of objectEntries(v)) {
      const sub = childOf(filter, k);
      if (sub !== undefined) out.set(k, filterValue(x, sub));
    }
    return out.build();
  }
  return v;
}

function removeValue(v: Value, filter: PathNode | null | undefined): Value | undefined {
  if (filter === undefined) return v;
  if (filter === null) return undefined;
  if (Array.isArray(v)) {
    const out: Value[] = [];
    v.forEach((x, i) => {
      const r = removeValue(x, childOf(filter, i, i));
      if (r !== undefined) out.push(r);
    });
    return out;
  }
  if (v instanceof RegoSet) {
    const out = new RegoSet();
    for (const x of v.values()) {
      const r = removeValue(x, childOf(filter, x));
      if (r !== undefined) out.add(r);
    }
    return out;
  }
  if (isObject(v)) {
    const out = new ObjectBuilder();
    for (const [k, x] of objectEntries(v)) {
      const r = removeValue(x, childOf(filter, k));
      if (r !== undefined) out.set(k, r);
    }
    return out.build();
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// json.patch (RFC 6902)

class PatchError extends Error {}

function arrayIndex(seg: Value, len: number, forInsert: boolean): number {
  if (forInsert && seg === '-') return len;
  const n = typeof seg === 'number' ? seg : typeof seg === 'string' && /^(0|[1-9]\d*)$/.test(seg) ? Number(seg) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > (forInsert ? len : len - 1)) throw new PatchError(`invalid array index ${String(seg)}`);
  return n;
}

function getAt(doc: Value, path: Value[]): Value {
  let cur = doc;
  for (const seg of path) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(seg, cur.length, false)]!;
    else if (cur instanceof RegoSet) {
      if (!cur.has(seg)) throw new PatchError('path not found');
      cur = seg;
    } else if (isObject(cur)) {
      const next = objectGet(cur, seg);
      if (next === undefined) throw new PatchError(`path not found`);
      cur = next;
    } else throw new PatchError('path not found');
  }
  return cur;
}

/** Rebuilds `doc` with `fn` applied to the container at path[:-1] and the last segment. */
function updateAt(doc: Value, path: Value[], fn: (parent: Value, last: Value) => Value): Value {
  if (path.length === 1) return fn(doc, path[0]!);
  const [head, ...rest] = path as [Value, ...Value[]];
  if (Array.isArray(doc)) {
    const i = arrayIndex(head, doc.length, false);
    const copy = doc.slice();
    copy[i] = updateAt(doc[i]!, rest, fn);
    return copy;
  }
  if (isObject(doc)) {
    const child = objectGet(doc, head);
    if (child === undefined) throw new PatchError('path not found');
    return withKey(doc, head, updateAt(child, rest, fn));
  }
  throw new PatchError('path not found');
}

function withKey(o: Obj, key: Value, value: Value | undefined): Obj {
  const b = new ObjectBuilder();
  for (const [k, v] of objectEntries(o)) if (!equals(k, key)) b.set(k, v);
  if (value !== undefined) b.set(key, value);
  return b.build();
}

function addAt(doc: Value, path: Value[], value: Value): Value {
  if (path.length === 0) return value;
  return updateAt(doc, path, (parent, last) => {
    if (Array.isArray(parent)) {
      const i = arrayIndex(last, parent.length, true);
      return [...parent.slice(0, i), value, ...parent.slice(i)];
    }
    if (parent instanceof RegoSet) return new RegoSet([...parent.values(), value]);
    if (isObject(parent)) return withKey(parent, last, value);
    throw new PatchError('path not found');
  });
}

function removeAt(doc: Value, path: Value[]): Value {
  if (path.length === 0) throw new PatchError('cannot remove the whole document');
  return updateAt(doc, path, (parent, last) => {
    if (Array.isArray(parent)) {
      const i = arrayIndex(last, parent.length, false);
      return [...parent.slice(0, i), ...parent.slice(i + 1)];
    }
    if (parent instanceof RegoSet) {
      if (!parent.has(last)) throw new PatchError('path not found');
      return new RegoSet(parent.values().filter((x) => !equals(x, last)));
    }
    if (isObject(parent)) {
      if (objectGet(parent, last) === undefined) throw new PatchError('path not found');
      return withKey(parent, last, undefined);
    }
    throw new PatchError('path not found');
  });
}

function applyPatches(doc: Value, operations: Value[]): Value {
  const name = 'json.patch';
  let cur = doc;
  for (const op of operations) {
    if (!isObject(op)) throw new PatchError('must be an array of JSON-Patch objects, but at least one element is not an object');
    const pathV = objectGet(op, 'path');
    if (pathV === undefined) throw new PatchError("missing required attribute 'path'");
    const opV = objectGet(op, 'op');
    if (opV === undefined) throw new PatchError("missing required attribute 'op'");
    if (typeof opV !== 'string') throw new PatchError(`attribute 'op' must be a string but found: ${typeName(opV)}`);
    const path = parsePath(name, pathV);
    const value = (): Value => {
      const v = objectGet(op, 'value');
      if (v === undefined) throw new PatchError("missing required attribute 'value'");
      return v;
    };
    const from = (): Value[] => {
      const f = objectGet(op, 'from');
      if (f === undefined) throw new PatchError("missing required attribute 'from'");
      return parsePath(name, f);
    };
    switch (opV) {
      case 'add':
        cur = addAt(cur, path, value());
        break;
      case 'remove':
        cur = removeAt(cur, path);
        break;
      case 'replace':
        getAt(cur, path);
        cur = path.length === 0 ? value() : addAt(removeAt(cur, path), path, value());
        break;
      case 'move': {
        const f = from();
        const moved = getAt(cur, f);
        cur = addAt(removeAt(cur, f), path, moved);
        break;
      }
      case 'copy':
        cur = addAt(cur, path, getAt(cur, from()));
        break;
      case 'test':
        if (!equals(getAt(cur, path), value())) throw new PatchError('value from EditTree != patch value');
        break;
      default:
        throw new PatchError(`unrecognized op: '${opV}'`);
    }
  }
  return cur;
}

// ---------------------------------------------------------------------------------------------
// YAML

type YAMLModule = typeof import('yaml');
let yamlModule: YAMLModule | undefined;
/** The YAML library, loaded on the first yaml.* call so importing the engine does not pay for it. */
function yaml(): YAMLModule {
  return (yamlModule ??= createRequire(import.meta.url)('yaml') as YAMLModule);
}

/** YAML as Go's sigs.k8s.io/yaml reads it (YAML 1.1 scalars), converted to JSON-compatible values. */
function fromYAML(name: string, x: unknown): Value {
  if (x === null || x === undefined) return null;
  switch (typeof x) {
    case 'boolean':
    case 'string':
      return x;
    case 'number':
      if (!Number.isFinite(x)) throw fail(name, 'json: unsupported value: ' + String(x));
      return x === 0 ? 0 : x;
    case 'bigint':
      return normalizeBigInt(x);
  }
  if (x instanceof Date) return x.toISOString();
  if (Array.isArray(x)) return x.map((e) => fromYAML(name, e));
  if (x instanceof Map) {
    const b = new ObjectBuilder();
    for (const [k, v] of x) b.set(typeof k === 'string' ? k : String(k), fromYAML(name, v));
    return b.build();
  }
  if (x instanceof Set) return [...x].map((e) => fromYAML(name, e));
  if (typeof x === 'object') {
    const b = new ObjectBuilder();
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) b.set(k, fromYAML(name, v));
    return b.build();
  }
  throw fail(name, 'unsupported YAML value');
}

/**
 * A stream of several documents (`---`) reads as its first document, as sigs.k8s.io/yaml does for
 * OPA; a syntax error in any of them makes the text invalid.
 */
function parseYAML(name: string, text: string): Value {
  const docs = yaml().parseAllDocuments(text, { version: '1.1', intAsBigInt: true, uniqueKeys: false });
  if (!Array.isArray(docs) || docs.length === 0) return null;
  for (const d of docs) if (d.errors.length > 0) throw fail(name, d.errors[0]!.message.split('\n')[0]!);
  const doc = docs[0]!;
  let js: unknown;
  try {
    js = doc.toJS({ mapAsMap: true, maxAliasCount: 100 });
  } catch (e) {
    throw fail(name, (e as Error).message.split('\n')[0]!);
  }
  return fromYAML(name, js);
}

function marshalYAML(v: Value): string {
  const json = toJSON(v);
  return yaml().stringify(json, { indentSeq: false, sortMapEntries: true, lineWidth: 0 });
}

// ---------------------------------------------------------------------------------------------

export const JSON_BUILTINS: Builtin[] = [
  def('json.marshal', 1, ([v]) => marshal(v!)),
  def('json.marshal_with_options', 2, marshalWithOptions),
  def('json.unmarshal', 1, (args) => unmarshal('json.unmarshal', str('json.unmarshal', args, 0))),
  def('json.is_valid', 1, ([v]) => {
    if (typeof v !== 'string') return false;
    try {
      parseJSONText(v);
      return true;
    } catch {
      return false;
    }
  }),
  def('json.filter', 2, (args) => {
    const o = obj('json.filter', args, 0);
    return filterValue(o, pathsToTree(jsonPaths('json.filter', args[1]!)));
  }),
  def('json.remove', 2, (args) => {
    const o = obj('json.remove', args, 0);
    return removeValue(o, pathsToTree(jsonPaths('json.remove', args[1]!)));
  }),
  def('json.patch', 2, (args) => {
    const ops = arr('json.patch', args, 1);
    try {
      return applyPatches(args[0]!, ops);
    } catch (e) {
      // OPA's builtinJSONPatch answers undefined, not an error, when a patch cannot be applied
      // (also in strict mode): only a second operand that is not an array is an error.
      if (e instanceof PatchError || e instanceof BuiltinError) return undefined;
      throw e;
    }
  }),
  def('yaml.marshal', 1, ([v]) => marshalYAML(v!)),
  def('yaml.unmarshal', 1, (args) => parseYAML('yaml.unmarshal', str('yaml.unmarshal', args, 0))),
  def('yaml.is_valid', 1, ([v]) => {
    if (typeof v !== 'string') return false;
    try {
      parseYAML('yaml.is_valid', v);
      return true;
    } catch {
      return false;
    }
  }),
];
