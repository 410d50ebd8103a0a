/**
 * `oclhub` from the source (src/cli/main.ts through tsx), so a bench measures the code in this
 * working copy without building it first. Same contract as bin/oclhub.js.
 *   node --import tsx bench/_cli.ts <oclhub arguments>
 */
import { main } from '../src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`oclhub: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 2;
  },
);
