/**
 * Bundles the CLI (src/cli/main.ts and everything it imports, dependencies included) into
 * dist/bundle/ with esbuild, so that start-up reads a handful of files instead of ~900 modules.
 * Commands stay lazily loaded: each dynamic import becomes its own chunk.
 *
 * Modules that find files next to themselves (`new URL('../../schemas/', import.meta.url)`) keep
 * working: each module's `import.meta.url` is rewritten to the URL its compiled twin has in dist/.
 */
import { build } from 'esbuild';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const source = path.join(root, 'src');

/**
 * Bundles into `outdir`, each module's `import.meta.url` naming its compiled twin under `dist`
 * (test/lint/workers-build.test.ts bundles a private build elsewhere the same way).
 */
export async function bundleCli({ dist = path.join(root, 'dist'), outdir = path.join(dist, 'bundle') } = {}) {
  const moduleUrls = {
    name: 'module-urls',
    setup(b) {
      b.onLoad({ filter: /\.tsx?$/ }, async (args) => {
        let contents = await readFile(args.path, 'utf8');
        const relative = path.relative(source, args.path);
        if (!relative.startsWith('..') && contents.includes('import.meta.url')) {
          const twin = path.join(dist, relative.replace(/\.tsx?$/, '.js'));
          const fromBundle = path.relative(outdir, twin).split(path.sep).join('/');
          contents = contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`);
        }
        return { contents, loader: args.path.endsWith('.tsx') ? 'tsx' : 'ts' };
      });
    },
  };

  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    // The lint worker thread's entry is bundled too (sharing chunks with the CLI), and src/hub/hub.ts is
    // told where it is relative to hub.ts's twin in dist/ (what `import.meta.url` names in the bundle).
    entryPoints: { oclhub: path.join(source, 'cli', 'main.ts'), 'lint-worker': path.join(source, 'hub', 'lint-worker.ts') },
    define: { OCLHUB_BUNDLED_LINT_WORKER: JSON.stringify(path.relative(path.join(dist, 'hub'), path.join(outdir, 'lint-worker.js')).split(path.sep).join('/')) },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    jsx: 'automatic',
    jsxImportSource: 'hono/jsx',
    // CommonJS dependencies (ajv, simple-get…) call require(); ESM output has none of its own.
    banner: { js: "import { createRequire as __oclhubCreateRequire } from 'node:module'; const require = __oclhubCreateRequire(import.meta.url);" },
    legalComments: 'eof',
    // Less to parse at start-up; names stay, so stack traces of internal errors remain readable.
    minifyWhitespace: true,
    minifySyntax: true,
    plugins: [moduleUrls],
    // jsonc-parser's `main` is a UMD build whose require('./impl/…') calls a bundle cannot follow; its ES build bundles.
    alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
    logLevel: 'warning',
    metafile: Boolean(process.env.OCLHUB_BUNDLE_METAFILE),
  });
  if (result.metafile) await writeFile(process.env.OCLHUB_BUNDLE_METAFILE, JSON.stringify(result.metafile));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleCli();
