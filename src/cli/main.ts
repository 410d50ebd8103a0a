/**
 * `oclhub` entry point: builds the commander program from one module per command.
 * Commands are thin shells over the library; they return an exit code instead of exiting.
 *
 * Failures of the machine rather than of the input end here as one line and exit 2, never as an
 * "internal error" with a stack: file-system errors (EACCES, ENOSPC, EEXIST, ELOOP, a dangling link …)
 * and Git store errors. A command that ran into a corrupt repository object fails the same way even
 * when some layer took the failed read for "absent": its results are not printed from then on, since
 * they were computed over missing content (see git/corruption.ts).
 */
import { Command, CommanderError } from 'commander';
// The light modules of the Git layer, not its index: isomorphic-git loads only for commands that read a repository.
import { describeCorruption, watchCorruption, type CorruptObject } from '../git/corruption.js';
import { isGitStoreError } from '../git/errors.js';
import { EXIT_USAGE, processIo, type CliIo } from './io.js';
import { COMMANDS } from './commands/index.js';
import { addHelpExamples, markRequiredOptions } from './help.js';
import { fileErrorLine } from './files.js';

export interface CommandContext {
  io: CliIo;
  /** Set by a command's action to report its exit code. */
  setExitCode(code: number): void;
}

export type RegisterCommand = (program: Command, ctx: CommandContext) => void;

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = 0;
  if (argv.length === 1 && VERSION_ARGS.has(argv[0]!)) {
    io.stdout(`${await packageVersion()}\n`);
    return 0;
  }
  // Once a corrupt object is seen, results and findings are no longer printed: they would rest on
  // missing content ("has no oclhub.ocl"). The one line about the corruption says what matters.
  let corrupt: CorruptObject | undefined;
  const guarded: CliIo = {
    ...io,
    stdout: (text) => void (corrupt === undefined && io.stdout(text)),
    ...(io.stdoutBytes ? { stdoutBytes: (bytes: Uint8Array) => (corrupt === undefined ? io.stdoutBytes!(bytes) : Promise.resolve()) } : {}),
    stderr: (text) => void (corrupt === undefined && io.stderr(text)),
  };
  const ctx: CommandContext = { io: guarded, setExitCode: (code) => void (exitCode = code) };
  const program = new Command('oclhub')
    .description('Git-backed config-as-code hub for Octopus OCL: format, validate, version and police deployment processes.')
    .version(await packageVersion(), '-V, --version')
    // Program options only before the command: `publish --version 2.0.0` is publish's own option.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.stdout(t), writeErr: (t) => io.stderr(t) })
    .showHelpAfterError('(run `oclhub --help` for usage)');
  markRequiredOptions(program);
  // Only the command being run is loaded; help, a mistyped name or no command at all load every one.
  const name = argv.find((arg) => !arg.startsWith('-'));
  const wanted = COMMANDS.filter((entry) => entry.name === name);
  for (const entry of wanted.length > 0 ? wanted : COMMANDS) (await entry.load())(program, ctx);
  addHelpExamples(program);
  const label = `oclhub${wanted.length > 0 ? ` ${name}` : ''}`;
  const run = await watchCorruption(
    () => program.parseAsync(argv, { from: 'user' }),
    (found) => void (corrupt ??= found),
  );
  if (corrupt !== undefined || run.found.length > 0) {
    const first = corrupt ?? run.found[0]!;
    io.stderr(`${label}: the repository is corrupt: ${describeCorruption(first)}. Run \`git fsck --full\` and restore the object from a clone or backup.\n`);
    return EXIT_USAGE;
  }
  if ('error' in run) {
    const error = run.error;
    if (error instanceof CommanderError) {
      // --help and --version exit 0; everything else commander reports is a usage error.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    const line = toolErrorLine(error);
    if (line === undefined) throw error;
    if (line !== '') io.stderr(`${label}: ${line}\n`);
    return EXIT_USAGE;
  }
  return exitCode;
}

/** `--version`, `-V`, `-v` and `version` alone print the version without loading any command. */
const VERSION_ARGS = new Set(['--version', '-V', '-v', 'version']);

/**
 * One line for a failure of the machine (file system, Git store), '' for a closed output pipe (the
 * reader left: nothing to say), undefined for anything else (a bug: the caller reports it with its stack).
 */
export function toolErrorLine(error: unknown): string | undefined {
  if (isGitStoreError(error)) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EPIPE') return '';
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return fileErrorLine(error as NodeJS.ErrnoException);
  return undefined;
}

async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const url = new URL('../../package.json', import.meta.url);
  try {
    return (JSON.parse(await readFile(url, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/**
 * A lint worker thread's work (src/hub/lint-worker.ts, which serves on import), for
 * src/startup/lint-worker.ts: the CLI's one-file script runs again in the worker, with the code cache
 * its lint wrote, and this is what the worker then calls.
 */
export async function lintWorkerThread(): Promise<void> {
  await import('../hub/lint-worker.js');
}
