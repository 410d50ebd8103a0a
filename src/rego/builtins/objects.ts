/** object.* builtins. */
import {
  type PlainObject,
  type Value,
  ObjectBuilder,
  RegoObject,
  RegoSet,
  compare,
  equals,
  isObject,
  objectEntries,
  objectGet,
  objectKeys,
} from '../value.js';
import { type Builtin, BuiltinTypeError } from './registry.js';
import { arr, def, elementError, obj, typeError } from './util.js';

type Obj = PlainObject | RegoObject;

/** Looks a path up through objects, arrays (integer indexes) and sets (membership), as OPA's Value.Find. */
export function findPath(v: Value, path: Value[]): Value | undefined {
  let cur: Value = v;
  for (const key of path) {
    if (Array.isArray(cur)) {
      if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key >= cur.length) return undefined;
      cur = cur[key]!;
    } else if (cur instanceof RegoSet) {
      if (!cur.has(key)) return undefined;
      cur = key;
    } else if (isObject(cur)) {
      const next = objectGet(cur, key);
      if (next === undefined) return undefined;
      cur = next;
    } else return undefined;
  }
  return cur;
}

/** Recursive merge: b's values win, objects on both sides are merged. */
export function mergeObjects(a: Obj, b: Obj): Obj {
  const out = new ObjectBuilder();
  for (const [k, v] of objectEntries(a)) out.set(k, v);
  for (const [k, v] of objectEntries(b)) {
    const prev = out.get(k);
    out.set(k, prev !== undefined && isObject(prev) && isObject(v) ? mergeObjects(prev, v) : v);
  }
  return out.build();
}

function keysParam(name: string, v: Value): RegoSet {
  if (Array.isArray(v)) return new RegoSet(v);
  if (v instanceof RegoSet) return v;
  if (isObject(v)) return new RegoSet(objectKeys(v));
  throw typeError(name, 2, v, 'object', 'set', 'array');
}

function setSubset(sup: RegoSet, sub: RegoSet): boolean {
  for (const x of sub.values()) if (!sup.has(x)) return false;
  return true;
}

function arraySubset(sup: Value[], sub: Value[]): boolean {
  if (sub.length > sup.length) return false;
  outer: for (let s = 0; s + sub.length <= sup.length; s++) {
    for (let j = 0; j < sub.length; j++) if (compare(sup[s + j]!, sub[j]!) !== 0) continue outer;
    return true;
  }
  return false;
}

/** OPA arraySetSubset, including its counting of repeated array members. */
function arraySetSubset(sup: Value[], sub: RegoSet): boolean {
  let unmatched = sub.size;
  for (const x of sup) {
    if (sub.has(x)) unmatched--;
    if (unmatched === 0) return true;
  }
  return false;
}

function objectSubset(sup: Obj, sub: Obj): boolean {
  for (const [k, subV] of objectEntries(sub)) {
    const supV = objectGet(sup, k);
    if (supV === undefined) return false;
    if (equals(subV, supV)) continue;
    if (isObject(supV) && isObject(subV)) {
      if (!objectSubset(supV, subV)) return false;
    } else if (supV instanceof RegoSet && subV instanceof RegoSet) {
      if (!setSubset(supV, subV)) return false;
    } else if (Array.isArray(supV) && Array.isArray(subV)) {
      if (!arraySubset(supV, subV)) return false;
    } else return false;
  }
  return true;
}

export const OBJECTS: Builtin[] = [
  def('object.get', 3, (args) => {
    const o = obj('object.get', args, 0);
    const key = args[1]!;
    if (!Array.isArray(key)) return objectGet(o, key) ?? args[2]!;
    if (key.length === 0) return o;
    return findPath(o, key) ?? args[2]!;
  }),
  def('object.keys', 1, (args) => new RegoSet(objectKeys(obj('object.keys', args, 0)))),
  def('object.union', 2, (args) => mergeObjects(obj('object.union', args, 0), obj('object.union', args, 1))),
  def('object.union_n', 1, (args) => {
    const list = arr('object.union_n', args, 0);
    let acc: Obj = new ObjectBuilder().build();
    for (const o of list) {
      if (!isObject(o)) throw elementError('object.union_n', 1, list, o, 'object');
      acc = mergeObjects(acc, o);
    }
    return acc;
  }),
  def('object.remove', 2, (args) => {
    const o = obj('object.remove', args, 0);
    const keys = keysParam('object.remove', args[1]!);
    const out = new ObjectBuilder();
    for (const [k, v] of objectEntries(o)) if (!keys.has(k)) out.set(k, v);
    return out.build();
  }),
  def('object.filter', 2, (args) => {
    const o = obj('object.filter', args, 0);
    const keys = keysParam('object.filter', args[1]!);
    const out = new ObjectBuilder();
    for (const [k, v] of objectEntries(o)) if (keys.has(k)) out.set(k, v);
    return out.build();
  }),
  def('object.subset', 2, ([sup, sub]) => {
    if (isObject(sup) && isObject(sub)) return objectSubset(sup, sub);
    if (sup instanceof RegoSet && sub instanceof RegoSet) return setSubset(sup, sub);
    if (Array.isArray(sup) && Array.isArray(sub)) return arraySubset(sup, sub);
    if (Array.isArray(sup) && sub instanceof RegoSet) return arraySetSubset(sup, sub);
    throw new BuiltinTypeError('object.subset', 'both arguments object.subset must be of the same type or array and set');
  }),
];
