/**
 * `oclhub report merge [--output FILE] <reports...>`: combines the reports of the shards of one lint
 * (`oclhub lint --shard I/N --format json|sarif|junit`, e.g. the jobs of a CI matrix) into the report
 * one unsharded run prints, in the same format, and exits as that run would: 0 clean, 1 when a
 * finding reaches the fail level. 2 when the reports cannot be merged: a shard missing or given
 * twice, shards of different runs or formats, a file that is not a shard report (see
 * report/merge.ts) — never a passing report over projects no shard checked.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { mergeReports } from '../../report/merge.js';
import { fileErrorReason } from '../files.js';
import { writeOutputText } from '../output-file.js';
import { EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';

export interface ReportMergeOptions {
  reports: string[];
  output?: string;
}

export const registerReport: RegisterCommand = (program, ctx) => {
  const report = program.command('report').description('work with lint reports');
  report
    .command('merge')
    .description('combine the JSON, SARIF or JUnit reports of `oclhub lint --shard I/N` into one report, exiting as the unsharded run would')
    .argument('<reports...>', 'the shard reports (one per shard, all of one format)')
    .option('--output <file>', 'write the merged report to a file instead of stdout')
    .action(async (reports: string[], options: { output?: string }) => {
      ctx.setExitCode(await runReportMerge({ reports, ...options }, ctx.io));
    });
};

export async function runReportMerge(options: ReportMergeOptions, io: CliIo): Promise<number> {
  const inputs: { file: string; text: string }[] = [];
  for (const file of options.reports) {
    try {
      inputs.push({ file, text: await readFile(path.resolve(io.cwd, file), 'utf8') });
    } catch (error) {
      io.stderr(`oclhub report merge: cannot read ${file}: ${fileErrorReason(error)}\n`);
      return EXIT_USAGE;
    }
  }
  const merged = mergeReports(inputs);
  if ('errors' in merged) {
    for (const error of merged.errors) io.stderr(`oclhub report merge: ${error}\n`);
    return EXIT_USAGE;
  }
  if (options.output === undefined) {
    io.stdout(merged.output);
    return merged.exitCode;
  }
  const file = path.resolve(io.cwd, options.output);
  try {
    await writeOutputText(file, merged.output);
  } catch (error) {
    io.stderr(`oclhub report merge: cannot write ${options.output}: ${fileErrorReason(error)}\n`);
    return EXIT_USAGE;
  }
  return merged.exitCode;
}
