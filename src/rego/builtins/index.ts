/**
 * The builtin table: every family's builtins, keyed by their Rego name.
 *
 * Every other OPA v1 builtin (network, cloud and runtime access, JWT, X.509, GraphQL,
 * the parser and METADATA annotations, ...) is refused at compile time by name through
 * registry.ts FORBIDDEN_BUILTINS; test/rego/builtins/table.test.ts holds OPA's full list.
 */
import type { Builtin } from './registry.js';
import { AGGREGATES } from './aggregates.js';
import { OPERATORS } from './operators.js';
import { STRINGS } from './strings.js';
import { REGEX } from './regex.js';
import { GLOB } from './glob.js';
import { OBJECTS } from './objects.js';
import { ARRAYS } from './arrays.js';
import { SETS } from './sets.js';
import { TYPES } from './types.js';
import { JSON_BUILTINS } from './json.js';
import { JSON_SCHEMA } from './jsonschema.js';
import { SEMVER } from './semver.js';
import { NUMBERS } from './numbers.js';
import { ENCODING } from './encoding.js';
import { WALK } from './walk.js';
import { UNITS } from './units.js';
import { TIME } from './time.js';
import { UUID } from './uuid.js';
import { GRAPH } from './graph.js';
import { NET } from './net.js';
import { DEPRECATED } from './deprecated.js';
import { URI } from './uri.js';
import { CRYPTO } from './crypto.js';
import { def, str } from './util.js';

const FAMILIES: Builtin[][] = [
  OPERATORS,
  AGGREGATES,
  STRINGS,
  REGEX,
  GLOB,
  OBJECTS,
  ARRAYS,
  SETS,
  TYPES,
  JSON_BUILTINS,
  JSON_SCHEMA,
  SEMVER,
  NUMBERS,
  ENCODING,
  WALK,
  UNITS,
  TIME,
  UUID,
  GRAPH,
  NET,
  URI,
  CRYPTO,
  DEPRECATED,
  // trace(note) adds a note to OPA's query explanation; oclhub keeps no explanation, so it only succeeds.
  [def('trace', 1, (args) => (str('trace', args, 0), true))],
];

function buildTable(): Map<string, Builtin> {
  const table = new Map<string, Builtin>();
  for (const family of FAMILIES) {
    for (const b of family) {
      if (table.has(b.name)) throw new Error(`builtin ${b.name} registered twice`);
      table.set(b.name, b);
    }
  }
  return table;
}

export const BUILTINS: ReadonlyMap<string, Builtin> = buildTable();
