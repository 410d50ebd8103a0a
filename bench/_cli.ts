/**
 * `oclhub` from the source (src/cli/main.ts through tsx), so a bench measures the code in this
 * working copy without building it first; in a private build with its bundle (bench/_build.ts
 * `bundleForBench`), the bundle, as bin/oclhub.js loads dist/bundle/. Same contract as bin/oclhub.js: a `lint` re-run on an
 * unchanged hub is answered by lint/fast-rerun.ts before the CLI loads.
 *   node --import tsx bench/_cli.ts <oclhub arguments>
 */
import { rerunFromCache } from '../src/lint/fast-rerun.js';

// As bin/oclhub.js: Node's fs as it is, not through the ES-module facade an `import` builds.
const { existsSync, readFileSync }: typeof import('node:fs') = process.getBuiltinModule?.('node:fs') ?? (await import('node:fs'));

const argv = process.argv.slice(2);
const served =
  argv[0] === 'lint'
    ? await rerunFromCache({
        args: argv.slice(1),
        cwd: process.cwd(),
        env: process.env,
        stdoutIsTTY: Boolean(process.stdout.isTTY),
        toolVersion: (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version,
        stdout: (bytes) => void process.stdout.write(bytes),
        stderr: (text) => void process.stderr.write(text),
      })
    : undefined;
if (served !== undefined) {
  process.exitCode = served;
} else {
  const bundle = new URL('../src/bundle/oclhub.js', import.meta.url);
  const { main } = (await import(existsSync(bundle) && !process.env.OCLHUB_UNBUNDLED ? bundle.href : '../src/cli/main.js')) as typeof import('../src/cli/main.js');
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`oclhub: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
