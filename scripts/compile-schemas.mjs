/**
 * Compiles the validator of every document kind to standalone code at build time
 * (dist/model/validators/<kind>.cjs), with the ajv instance validation itself uses
 * (`createSchemaAjv` in src/model/schema.ts), so that a run of `oclhub validate` neither loads ajv
 * nor compiles schemas. dist/model/schema.js falls back to compiling at run time without them.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const standaloneCode = require('ajv/dist/standalone/index.js').default;

export async function compileSchemas(schemaModule, outdir) {
  const { createSchemaAjv, schemaId, SCHEMA_FILES } = schemaModule;
  const ajv = createSchemaAjv({ source: true });
  await mkdir(outdir, { recursive: true });
  for (const kind of Object.keys(SCHEMA_FILES)) {
    const validate = ajv.getSchema(schemaId(kind));
    if (!validate) throw new Error(`schema ${schemaId(kind)} is not loaded`);
    await writeFile(path.join(outdir, `${kind}.cjs`), standaloneCode(ajv, validate));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = path.join(root, 'dist', 'model');
  const schemaModule = await import(path.join(dist, 'schema.js'));
  await compileSchemas(schemaModule, path.join(dist, schemaModule.COMPILED_VALIDATORS_DIR));
}
