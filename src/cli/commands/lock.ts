/** `oclhub lock [--project DIR] [--hub DIR|URL#REF]`: writes oclhub.lock.json at the project repository root. */
import * as nodeFs from 'node:fs';
import path from 'node:path';
import { hasErrors } from '../../diagnostics.js';
import { writeFileAtomic } from '../../git/durable.js';
import type { FsLike } from '../../git/repo.js';
import { formatLock, LOCK_FILE_NAME } from '../../hub/index.js';
import { addHubOptions, openHubForCli, type HubCliOptions } from '../hub-option.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';
import { addProjectOption, printDiagnostics, resolveForCli } from '../project-option.js';

export const registerLock: RegisterCommand = (program, ctx) => {
  const command = program.command('lock').description('record the version every process-template usage resolves to in oclhub.lock.json');
  addHubOptions(addProjectOption(command)).action(async (options: HubCliOptions & { project?: string }) => {
    ctx.setExitCode(await runLock(options, ctx.io));
  });
};

export async function runLock(options: HubCliOptions & { project?: string }, io: CliIo): Promise<number> {
  const hub = await openHubForCli(options, io, 'lock', { workingTree: true });
  if (!hub) return EXIT_USAGE;
  const run = await resolveForCli(hub, { command: 'lock', ...(options.project ? { project: options.project } : {}) }, io);
  if (!run) return EXIT_USAGE;
  printDiagnostics(run.resolution.diagnostics, run, io);
  if (hasErrors(run.resolution.diagnostics)) {
    io.stderr(`oclhub lock: resolution has errors; ${LOCK_FILE_NAME} not written\n`);
    return EXIT_FINDINGS;
  }
  const lock = hub.lock(run.resolution);
  const target = path.join(run.root, LOCK_FILE_NAME);
  // Atomic: a lock cut short by a crash or a full disk would fail every --locked run that reads it.
  await writeFileAtomic(nodeFs as unknown as FsLike, target, formatLock(lock));
  const count = Object.keys(lock.usages).length;
  io.stdout(`Wrote ${path.relative(io.cwd, target) || LOCK_FILE_NAME} (${count} usage${count === 1 ? '' : 's'})\n`);
  return EXIT_OK;
}
