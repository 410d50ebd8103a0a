#!/usr/bin/env node
// The CLI is written in TypeScript; `npm ci` (the `prepare` script) compiles it to dist/ and bundles
// it into dist/bundle/, which starts several times faster than the ~900 modules it is made of.
import { existsSync, readFileSync } from 'node:fs';

const argv = process.argv.slice(2);

if (argv.length === 1 && ['--version', '-V', '-v', 'version'].includes(argv[0])) {
  // Asked in every CI log: answered without loading any command.
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  const { main } = await loadCli();
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`oclhub: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}

/** The bundle when it was built; the plain compiled modules otherwise (`tsc` alone, or a debugger). */
async function loadCli() {
  const bundle = new URL('../dist/bundle/oclhub.js', import.meta.url);
  return import(existsSync(bundle) && !process.env.OCLHUB_UNBUNDLED ? bundle.href : '../dist/cli/main.js');
}
