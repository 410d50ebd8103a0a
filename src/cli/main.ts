/**
 * `oclhub` entry point: builds the commander program from one module per command.
 * Commands are thin shells over the library; they return an exit code instead of exiting.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_USAGE, processIo, type CliIo } from './io.js';
import { COMMANDS } from './commands/index.js';
import { addHelpExamples, markRequiredOptions } from './help.js';

export interface CommandContext {
  io: CliIo;
  /** Set by a command's action to report its exit code. */
  setExitCode(code: number): void;
}

export type RegisterCommand = (program: Command, ctx: CommandContext) => void;

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = 0;
  const ctx: CommandContext = { io, setExitCode: (code) => void (exitCode = code) };
  if (argv.length === 1 && VERSION_ARGS.has(argv[0]!)) {
    io.stdout(`${await packageVersion()}\n`);
    return 0;
  }
  const program = new Command('oclhub')
    .description('Git-backed config-as-code hub for Octopus OCL: format, validate, version and police deployment processes.')
    .version(await packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.stdout(t), writeErr: (t) => io.stderr(t) })
    .showHelpAfterError('(run `oclhub --help` for usage)');
  markRequiredOptions(program);
  // Only the command being run is loaded; help, a mistyped name or no command at all load every one.
  const name = argv.find((arg) => !arg.startsWith('-'));
  const wanted = COMMANDS.filter((entry) => entry.name === name);
  for (const entry of wanted.length > 0 ? wanted : COMMANDS) (await entry.load())(program, ctx);
  addHelpExamples(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; everything else commander reports is a usage error.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    throw error;
  }
  return exitCode;
}

/** `--version`, `-V`, `-v` and `version` alone print the version without loading any command. */
const VERSION_ARGS = new Set(['--version', '-V', '-v', 'version']);

async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const url = new URL('../../package.json', import.meta.url);
  try {
    return (JSON.parse(await readFile(url, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
