/** The validator of schemas/ocl-json.schema.json, for tests. */
import { readFileSync } from 'node:fs';
import ajv2020 from 'ajv/dist/2020.js';

type Ajv2020Class = typeof ajv2020.default;
const Ajv2020: Ajv2020Class = (ajv2020 as unknown as { default?: Ajv2020Class }).default ?? (ajv2020 as unknown as Ajv2020Class);

const schema = JSON.parse(readFileSync(new URL('../../schemas/ocl-json.schema.json', import.meta.url), 'utf8')) as object;
export const validateOclJson = new Ajv2020({ strict: false }).compile(schema);
