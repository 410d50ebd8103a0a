/**
 * The API's JSON Schemas (schemas/api/*.schema.json, draft 2020-12): the server validates request
 * bodies with them and the OpenAPI document embeds the very same objects, so the two cannot drift.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ajv2020 from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';

type Ajv2020Class = typeof ajv2020.default;
const Ajv2020: Ajv2020Class = (ajv2020 as unknown as { default?: Ajv2020Class }).default ?? (ajv2020 as unknown as Ajv2020Class);
type AddFormats = (ajv: InstanceType<Ajv2020Class>) => unknown;
const addFormats: AddFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

/** schemas/api, two levels above this module in src/api and in dist/api alike. */
export const API_SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/api/', import.meta.url));
export const API_SCHEMA_BASE = 'https://oclhub.dev/schemas/api/';

export interface ApiSchemas {
  /** Schema objects by name (file name without `.schema.json`). */
  readonly byName: ReadonlyMap<string, Record<string, unknown>>;
  /** The compiled validator of a schema. */
  validator(name: string): ValidateFunction;
  /** The OpenAPI component name of a schema: its title. */
  componentName(name: string): string;
}

let loaded: ApiSchemas | undefined;

export function apiSchemas(): ApiSchemas {
  if (loaded) return loaded;
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  const byName = new Map<string, Record<string, unknown>>();
  for (const file of readdirSync(API_SCHEMAS_DIR).filter((f) => f.endsWith('.schema.json')).sort()) {
    const schema = JSON.parse(readFileSync(API_SCHEMAS_DIR + file, 'utf8')) as Record<string, unknown>;
    byName.set(file.slice(0, -'.schema.json'.length), schema);
    ajv.addSchema(schema);
  }
  const compiled = new Map<string, ValidateFunction>();
  loaded = {
    byName,
    validator(name) {
      let validate = compiled.get(name);
      if (!validate) {
        validate = ajv.getSchema(`${API_SCHEMA_BASE}${name}.schema.json`);
        if (!validate) throw new Error(`No API schema named ${name}`);
        compiled.set(name, validate);
      }
      return validate;
    },
    componentName(name) {
      const title = byName.get(name)?.title;
      return typeof title === 'string' ? title : name;
    },
  };
  return loaded;
}

/** ajv's errors as they go into a problem's `errors` list (no schema internals beyond the keyword). */
export function schemaErrors(errors: readonly ErrorObject[] | null | undefined): { instancePath: string; keyword: string; message: string; params: Record<string, unknown> }[] {
  return (errors ?? []).map((e) => ({ instancePath: e.instancePath, keyword: e.keyword, message: e.message ?? 'is invalid', params: e.params as Record<string, unknown> }));
}
