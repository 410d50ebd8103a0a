/**
 * A private JavaScript build of this working copy for the benches that time whole processes (the lint
 * CLI and its hand-written floor): every .ts file of src/ and bench/ transpiled on its own by esbuild
 * (types removed, nothing checked, one output file per input file as tsc would write) into a temporary
 * folder with the repository's layout, and node_modules, schemas/, templates/, grammar/ and
 * package.json linked in. Takes about a second; TypeScript's own transpiler takes 20–30 s here.
 *
 * Why not tsx: its loader hooks cost every module load (a process that only imports src/ocl takes about
 * 3× the CPU under tsx), which would add the same second or two to lint and to its floor and make their
 * ratio look better than it is. Why not `npm run build`: a bench must not rewrite the working copy's
 * dist/ as a side effect, nor measure a dist/ older than the source.
 *
 * Like `npm run build` (scripts/compile-schemas.mjs), the build holds each document kind's JSON Schema
 * validator as standalone code (src/model/validators/<kind>.cjs): the CLI users run loads them
 * instead of compiling the schemas with ajv at every start, and so does the benched one.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { transformSync, type TransformOptions } from 'esbuild';
import { COMPILED_VALIDATORS_DIR, createSchemaAjv, SCHEMA_FILES, schemaId } from '../src/model/schema.js';
import type { DocumentKind } from '../src/model/kinds.js';
import { REPO_ROOT } from './_report.js';

export interface BenchBuild {
  /** The build's root: `<root>/src/...`, `<root>/bench/...` as .js files. */
  root: string;
  /** How long the transpile took (ms). */
  ms: number;
  /** The built path of a source file given relative to the repository (`bench/_lint-floor.ts` → `<root>/bench/_lint-floor.js`). */
  file(relative: string): string;
  remove(): void;
}

const LINKED = ['node_modules', 'schemas', 'templates', 'grammar', 'package.json'];

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(full);
    else yield full;
  }
}

export function buildForBench(): BenchBuild {
  const start = performance.now();
  const root = mkdtempSync(path.join(tmpdir(), 'oclhub-bench-build-'));
  // tsconfig.json's settings that change the emitted JavaScript.
  const options: TransformOptions = {
    format: 'esm',
    target: 'es2022',
    tsconfigRaw: { compilerOptions: { jsx: 'react-jsx', jsxImportSource: 'hono/jsx', useDefineForClassFields: true } },
  };
  for (const folder of ['src', 'bench']) {
    for (const file of sourceFiles(path.join(REPO_ROOT, folder))) {
      const relative = path.relative(REPO_ROOT, file);
      const out = path.join(root, relative);
      mkdirSync(path.dirname(out), { recursive: true });
      if (/\.tsx?$/.test(file) && !file.endsWith('.d.ts')) {
        const output = transformSync(readFileSync(file, 'utf8'), { ...options, loader: file.endsWith('.tsx') ? 'tsx' : 'ts', sourcefile: file });
        writeFileSync(out.replace(/\.tsx?$/, '.js'), output.code);
      } else {
        copyFileSync(file, out);
      }
    }
  }
  for (const name of LINKED) symlinkSync(path.join(REPO_ROOT, name), path.join(root, name));
  writeValidators(path.join(root, 'src', 'model', COMPILED_VALIDATORS_DIR));
  return {
    root,
    ms: performance.now() - start,
    file: (relative) => path.join(root, relative.replace(/\.tsx?$/, '.js')),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * The CLI bundle `npm run build` makes (scripts/bundle-cli.mjs: dist/bundle/, what bin/oclhub.js loads
 * and users run), made over this build into `<root>/src/bundle/`; returns how long it took (ms). A
 * bench timing whole CLI processes runs this, or it would time the ~900 separate modules users never
 * load (100–170 ms more CPU per process here).
 */
export async function bundleForBench(build: BenchBuild, options: { sourcemap?: boolean } = {}): Promise<number> {
  const start = performance.now();
  const script = new URL('../scripts/bundle-cli.mjs', import.meta.url).href;
  const { bundleCli } = (await import(script)) as { bundleCli(options: { dist: string; outdir: string; sourcemap?: boolean }): Promise<void> };
  await bundleCli({ dist: path.join(build.root, 'src'), outdir: path.join(build.root, 'src', 'bundle'), sourcemap: options.sourcemap === true });
  return performance.now() - start;
}

/**
 * The package's layout over a bundled build (`bundleForBench`), as `npm pack` ships it: `<root>/bin/`
 * (bin/oclhub.js and the package.json that makes it CommonJS, copied) beside `<root>/dist` (the build's
 * src/, linked), so that what runs is bin/oclhub.js itself. Returns its path.
 */
export function binForBench(build: BenchBuild): string {
  symlinkSync(path.join(build.root, 'src'), path.join(build.root, 'dist'));
  mkdirSync(path.join(build.root, 'bin'));
  for (const name of ['oclhub.js', 'package.json']) copyFileSync(path.join(REPO_ROOT, 'bin', name), path.join(build.root, 'bin', name));
  return path.join(build.root, 'bin', 'oclhub.js');
}

/** What scripts/compile-schemas.mjs writes into dist/model/validators/, from the same ajv set-up. */
function writeValidators(dir: string): void {
  const standaloneCode = (createRequire(import.meta.url)('ajv/dist/standalone/index.js') as { default: (ajv: unknown, validate: unknown) => string }).default;
  const ajv = createSchemaAjv({ source: true });
  mkdirSync(dir, { recursive: true });
  for (const kind of Object.keys(SCHEMA_FILES) as DocumentKind[]) {
    const validate = ajv.getSchema(schemaId(kind));
    if (!validate) throw new Error(`schema ${schemaId(kind)} is not loaded`);
    writeFileSync(path.join(dir, `${kind}.cjs`), standaloneCode(ajv, validate));
  }
}
