/**
 * `oclhub` from the source (src/cli/main.ts through tsx), so a bench measures the code in this
 * working copy without building it first; in a private build with its bundle (bench/_build.ts
 * `bundleForBench`), the bundles, as bin/oclhub.js loads dist/bundle/ (its one-file script with the V8
 * code cache in $OCLHUB_CODE_CACHE_DIR, else ~/.cache/oclhub/code: see src/startup/code-cache.ts). Same contract as bin/oclhub.js: a `lint` re-run on an
 * unchanged hub is answered by lint/fast-rerun.ts before the CLI loads. An ES module, unlike bin/oclhub.js
 * (which bench/lint.ts runs itself, bench/_build.ts `binForBench`): bench/_lint-memory.ts runs this one,
 * for which a few milliseconds of start-up do not count.
 *   node --import tsx bench/_cli.ts <oclhub arguments>
 */
// Node's fs as it is, not through the ES-module facade an `import` builds.
const { existsSync, fstatSync, readFileSync }: typeof import('node:fs') = process.getBuiltinModule?.('node:fs') ?? (await import('node:fs'));
const { createRequire }: typeof import('node:module') = process.getBuiltinModule?.('node:module') ?? (await import('node:module'));

// As bin/oclhub.js: the fast path's one-module CommonJS bundle when it was built, else its modules.
const fastRerunBundle = new URL('../src/bundle/fast-rerun.cjs', import.meta.url);
const { rerunFromCache } = (
  !process.env.OCLHUB_UNBUNDLED && existsSync(fastRerunBundle) ? createRequire(import.meta.url)('../src/bundle/fast-rerun.cjs') : await import('../src/lint/fast-rerun.js')
) as typeof import('../src/lint/fast-rerun.js');

const argv = process.argv.slice(2);
// As bin/oclhub.js: a re-run of an invocation whose report the lint cache holds loads the CLI with a code cache of its own.
let rerun = false;
const served =
  argv[0] === 'lint'
    ? await rerunFromCache({
        args: argv.slice(1),
        cwd: process.cwd(),
        env: process.env,
        stdoutIsTTY: stdoutIsTTY(),
        toolVersion: (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version,
        stdout: (bytes) => void process.stdout.write(bytes),
        stderr: (text) => void process.stderr.write(text),
        rerun: () => void (rerun = true),
      })
    : undefined;
if (served !== undefined) {
  process.exitCode = served;
} else {
  const { main, done } = await loadCli();
  main(argv).then(
    (code) => {
      process.exitCode = code;
      done?.();
    },
    (error: unknown) => {
      process.stderr.write(`oclhub: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}

/** As bin/oclhub.js: `process.stdout.isTTY` without creating `process.stdout` when fd 1 is not a character device. */
function stdoutIsTTY(): boolean {
  if (process.platform !== 'win32') {
    try {
      if (!fstatSync(1).isCharacterDevice()) return false;
    } catch {
      // fd 1 closed or unusual: Node's own answer
    }
  }
  return Boolean(process.stdout.isTTY);
}

/** As bin/oclhub.js: for lint, the bundle's one-file script with the V8 code cache; else its ES modules; else the separate modules. */
async function loadCli(): Promise<{ main: (argv: string[]) => Promise<number>; done?: () => void }> {
  const script = new URL('../src/bundle/oclhub.cjs', import.meta.url);
  if (!process.env.OCLHUB_UNBUNDLED && argv.find((arg) => !arg.startsWith('-')) === 'lint' && existsSync(script)) {
    const { loadCliBundle } = await import('../src/startup/code-cache.js');
    const { fileURLToPath }: typeof import('node:url') = process.getBuiltinModule?.('node:url') ?? (await import('node:url'));
    return loadCliBundle(fileURLToPath(script), argv, process.env, process.cwd(), rerun);
  }
  const bundle = new URL('../src/bundle/oclhub.js', import.meta.url);
  return (await import(existsSync(bundle) && !process.env.OCLHUB_UNBUNDLED ? bundle.href : '../src/cli/main.js')) as typeof import('../src/cli/main.js');
}
