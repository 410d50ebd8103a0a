/**
 * Bundles the CLI (src/cli/main.ts and everything it imports, dependencies included) into
 * dist/bundle/ with esbuild, so that start-up reads a handful of files instead of ~900 modules.
 * Commands stay lazily loaded: each dynamic import becomes its own chunk.
 *
 * The same CLI also goes into one CommonJS file, dist/bundle/oclhub.cjs, which bin/oclhub.js runs for `lint`
 * through src/startup/code-cache.ts with a V8 code cache (Node 20 caches compiled code only for
 * scripts, not for ES modules). It has no dynamic `import()` left (Node 20 cannot run one from a
 * script given cached code): Node's built-in modules are required instead, which this checks.
 * The ES-module bundle stays for the lint worker threads and for bin/oclhub.js without the file.
 *
 * The lint re-run fast path (src/lint/fast-rerun.ts), which bin/oclhub.js runs before loading any of
 * that, goes into its own CommonJS module, dist/bundle/fast-rerun.cjs: Node's modules are all it
 * requires, and bin/oclhub.js (CommonJS too) loads it without Node's ES-module loader.
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
 * (test/lint/workers-build.test.ts bundles a private build elsewhere the same way); with
 * `sourcemap`, source maps beside (bench/lint.ts --perf maps profiled code back to src/).
 */
export async function bundleCli({ dist = path.join(root, 'dist'), outdir = path.join(dist, 'bundle'), sourcemap = false } = {}) {
  /** A module's source with `import.meta.url` naming its compiled twin in dist/, as seen from outdir. */
  async function moduleSource(file) {
    let contents = await readFile(file, 'utf8');
    const relative = path.relative(source, file);
    if (!relative.startsWith('..') && contents.includes('import.meta.url')) {
      const twin = path.join(dist, relative.replace(/\.tsx?$/, '.js'));
      const fromBundle = path.relative(outdir, twin).split(path.sep).join('/');
      contents = contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`);
    }
    return contents;
  }
  const sources = (rewrite = (contents) => contents) => ({
    name: 'module-urls',
    setup(b) {
      b.onLoad({ filter: /\.tsx?$/ }, async (args) => ({ contents: rewrite(await moduleSource(args.path)), loader: args.path.endsWith('.tsx') ? 'tsx' : 'ts' }));
    },
  });
  /**
   * Exact rewrites of dependencies' source as esbuild loads it, each removing a start-up cost from the
   * bundles; a patch whose text is no longer there (a new version of the dependency) is reported at the
   * end of the build, and the tests say what it costs (test/startup/code-cache-cli.test.ts).
   */
  const dependencyPatches = [
    {
      // isomorphic-git writes U+FFFF raw in a regular expression (`NEEDS_CODE_POINT_ORDER`, in each of its
      // builds), and esbuild copies regular expressions verbatim: its `charset: 'ascii'` (the default)
      // escapes strings, templates and names only. That one character made Node decode the whole ~3 MB
      // one-file bundle as a two-byte string on every lint's start-up (~5 ms, and twice the memory). The
      // same class with `\uffff`, the same code unit, matches the same strings.
      package: 'isomorphic-git',
      from: '/[\\ud800-\uffff]/',
      to: '/[\\ud800-\\uffff]/',
    },
    {
      // commander requires node:child_process (with node:net, ~3 ms) when it loads, for the one thing it
      // spawns: executable subcommands, which oclhub does not have. Required when it spawns instead.
      package: 'commander',
      from: "const childProcess = require('node:child_process');",
      to: "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };",
    },
  ];
  const patchesApplied = new Set();
  const patchedDependencies = {
    name: 'dependency-patches',
    setup(b) {
      const packages = [...new Set(dependencyPatches.map((patch) => patch.package))].join('|');
      b.onLoad({ filter: new RegExp(`[\\\\/]node_modules[\\\\/](${packages})[\\\\/].*\\.c?js$`) }, async (args) => {
        let contents = await readFile(args.path, 'utf8');
        const before = contents;
        for (const patch of dependencyPatches) {
          if (!args.path.includes(`node_modules${path.sep}${patch.package}${path.sep}`) || !contents.includes(patch.from)) continue;
          contents = contents.replaceAll(patch.from, patch.to);
          patchesApplied.add(patch);
        }
        return contents === before ? undefined : { contents, loader: 'js' };
      });
    },
  };

  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    jsx: 'automatic',
    jsxImportSource: 'hono/jsx',
    // src/hub/hub.ts is told where the lint worker's entry is relative to hub.ts's twin in dist/ (what `import.meta.url` names in the bundle).
    define: { OCLHUB_BUNDLED_LINT_WORKER: JSON.stringify(path.relative(path.join(dist, 'hub'), path.join(outdir, 'lint-worker.js')).split(path.sep).join('/')) },
    legalComments: 'eof',
    // Less to parse at start-up; names stay, so stack traces of internal errors remain readable.
    minifyWhitespace: true,
    minifySyntax: true,
    // jsonc-parser's `main` is a UMD build whose require('./impl/…') calls a bundle cannot follow; its ES build bundles.
    alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
    logLevel: 'warning',
    // `sourcemap: true` (bench/lint.ts --perf): .map files beside the bundle, the bundle's bytes unchanged (no comment naming them).
    ...(sourcemap ? { sourcemap: 'external' } : {}),
  };

  /** `await import('node:…')` (modules that avoid the ES-module facades) as a require, for the CommonJS bundles (which have no top-level await). */
  const nodeModulesRequired = (contents) => contents.replace(/await import\((['"]node:[^'"]+['"])\)/g, 'require($1)');

  /**
   * For the re-run fast path's bundle: a module loaded with `import()` (only ever off that path, such
   * as the Git layer worktree.ts reads a commit's trees with) stays out of it, loaded from its compiled
   * twin in dist/ if it is ever called.
   */
  const laterModulesFromDist = {
    name: 'later-modules-from-dist',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        const twin = path.join(dist, path.relative(source, path.resolve(args.resolveDir, args.path)));
        return { path: `./${path.relative(outdir, twin).split(path.sep).join('/')}`, external: true };
      });
    },
  };

  /** A one-file CommonJS script of a module that needs Node's modules only (checked after the build). */
  const nodeOnlyScript = (entry, outfile, plugins = []) => ({
    ...common,
    entryPoints: [entry],
    outfile,
    format: 'cjs',
    plugins: [sources(nodeModulesRequired), ...plugins],
    metafile: true,
  });

  await rm(outdir, { recursive: true, force: true });
  const commonJsFile = path.join(outdir, 'oclhub.cjs');
  const fastRerunFile = path.join(outdir, 'fast-rerun.cjs');
  const codeCacheFile = path.join(outdir, 'code-cache.cjs');
  const lintWorkerFile = path.join(outdir, 'lint-worker.cjs');
  const [modules, script, fastRerun, codeCache, lintWorker] = await Promise.all([
    build({
      ...common,
      // The lint worker thread's entry is bundled too, sharing chunks with the CLI.
      entryPoints: { oclhub: path.join(source, 'cli', 'main.ts'), 'lint-worker': path.join(source, 'hub', 'lint-worker.ts') },
      outdir,
      splitting: true,
      format: 'esm',
      // CommonJS dependencies (ajv, simple-get…) call require(); ESM output has none of its own.
      banner: { js: "import { createRequire as __oclhubCreateRequire } from 'node:module'; const require = __oclhubCreateRequire(import.meta.url);" },
      plugins: [sources(), patchedDependencies],
      metafile: Boolean(process.env.OCLHUB_BUNDLE_METAFILE),
    }),
    build({
      ...common,
      entryPoints: [path.join(source, 'cli', 'main.ts')],
      outfile: commonJsFile,
      format: 'cjs',
      // CommonJS has no `import.meta.url`: the bundle's own URL stands in (the twins' URLs are relative to it).
      // Its lint worker threads run this same script with the same code cache, through lint-worker.cjs, src/startup/lint-worker.ts bundled below (see src/hub/hub.ts).
      define: {
        ...common.define,
        'import.meta.url': '__oclhubBundleUrl',
        OCLHUB_BUNDLED_LINT_WORKER: JSON.stringify(path.relative(path.join(dist, 'hub'), lintWorkerFile).split(path.sep).join('/')),
        OCLHUB_CODE_CACHED_BUNDLE: '__oclhubBundleUrl',
      },
      // Strict, as ES modules (and so the ES-module bundle, CommonJS dependencies included) always are:
      // a write to a frozen object throws in both, `this` in a plain call is undefined in both.
      banner: { js: "'use strict';var __oclhubBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
      plugins: [sources(nodeModulesRequired), patchedDependencies],
      metafile: true,
    }),
    // The re-run fast path (src/lint/fast-rerun.ts), which bin/oclhub.js runs before any of the above
    // loads: one module instead of the four it is made of (about a millisecond of a re-run's start-up),
    // and CommonJS, which Node loads without its ES-module loader (about 5 ms more).
    build(nodeOnlyScript(path.join(source, 'lint', 'fast-rerun.ts'), fastRerunFile, [laterModulesFromDist])),
    // The code-cache loader (src/startup/code-cache.ts) bin/oclhub.js runs oclhub.cjs with: CommonJS too,
    // so that a lint the fast path does not answer runs without Node's ES-module loader as well.
    build(nodeOnlyScript(path.join(source, 'startup', 'code-cache.ts'), codeCacheFile)),
    // The lint worker thread's entry for oclhub.cjs (src/startup/lint-worker.ts, with the loader): CommonJS,
    // so that a worker starts without Node's ES-module loader too.
    build(nodeOnlyScript(path.join(source, 'startup', 'lint-worker.ts'), lintWorkerFile)),
  ]);
  for (const [file, result] of [[fastRerunFile, fastRerun], [codeCacheFile, codeCache], [lintWorkerFile, lintWorker]]) {
    const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.filter((i) => !i.path.startsWith('node:') && i.kind !== 'dynamic-import').map((i) => i.path));
    if (imports.length > 0) throw new Error(`${file} would load ${imports.join(', ')} at start-up: it loads Node's modules only`);
    // esbuild empties `import.meta` in CommonJS output (with a warning): these modules must not need it.
    if ((await readFile(file, 'utf8')).includes('import_meta')) throw new Error(`${file} uses import.meta, which its CommonJS bundle does not have`);
  }
  const dynamic = Object.values(script.metafile.outputs).flatMap((output) => output.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));
  if (dynamic.length > 0) throw new Error(`${commonJsFile} would import ${dynamic.join(', ')} dynamically, which a script run with cached code cannot (src/startup/code-cache.ts)`);
  for (const patch of dependencyPatches) {
    if (!patchesApplied.has(patch)) process.stderr.write(`warning: ${patch.package} no longer has ${JSON.stringify(patch.from)}: scripts/bundle-cli.mjs dependencyPatches\n`);
  }
  // A non-ASCII character anywhere makes V8 hold the whole file as a two-byte string (see dependencyPatches).
  const nonAscii = (await readFile(commonJsFile)).findIndex((byte) => byte > 0x7f);
  if (nonAscii >= 0) process.stderr.write(`warning: ${commonJsFile} is not pure ASCII (byte ${nonAscii}): Node decodes it as a two-byte string at every lint's start-up\n`);
  if (modules.metafile) await writeFile(process.env.OCLHUB_BUNDLE_METAFILE, JSON.stringify(modules.metafile));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleCli();
