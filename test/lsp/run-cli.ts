/** The CLI from source, for tests that start `oclhub lsp` as a child process: `node --import tsx test/lsp/run-cli.ts lsp --stdio`. */
import { main } from '../../src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`oclhub: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 2;
  },
);
