/** Types of scripts/compile-schemas.mjs for the tests that run it. */
export function compileSchemas(schemaModule: typeof import('../src/model/schema.js'), outdir: string): Promise<void>;
