/** Runs the CLI from source in a child process (for the signal-handling test). */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
