/**
 * `oclhub convert [--to json|ocl] <file>`: prints an OCL file as JSON (docs/ocl-json.md) or a JSON
 * file as OCL. Without `--to`, a `.json` file becomes OCL and anything else becomes JSON.
 * `oclhub convert -` reads standard input (named by `--stdin-filename`, else `<stdin>`, taken as OCL).
 * Errors are reported as diagnostics on stderr with exit code 1 (a file that is not UTF-8 too); a file
 * that cannot be read is one line and exit code 2.
 */
import path from 'node:path';
import { Option } from 'commander';
import { compareDiagnostics, hasErrors, type Diagnostic } from '../../diagnostics.js';
import { printVerified } from '../../ocl/format.js';
import { jsonToOcl, oclToJson, parseJsonText } from '../../ocl/json.js';
import { renderDiagnostics } from '../../report/text.js';
import { heredocModeForFile, unsettledHeredocsForFile } from '../../hub/validate.js';
import { parseOcl } from '../../ocl/index.js';
import { displayPath, readOclFile } from '../files.js';
import { readStdinInput, STDIN_ARG } from '../inputs.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';

export interface ConvertCommandOptions {
  file: string;
  to?: 'json' | 'ocl';
  stdinFilename?: string;
}

export const registerConvert: RegisterCommand = (program, ctx) => {
  program
    .command('convert')
    .description('print an OCL file as JSON, or a JSON file as OCL')
    .argument('<file>', 'the file to convert; - reads standard input')
    .addOption(new Option('--to <format>', 'target format (default: from the file extension)').choices(['json', 'ocl']))
    .option('--stdin-filename <path>', 'with -: the path standard input stands for (its extension picks the default --to)')
    .action(async (file: string, options: { to?: 'json' | 'ocl'; stdinFilename?: string }) => {
      ctx.setExitCode(await runConvert({ file, ...options }, ctx.io));
    });
};

export async function runConvert(options: ConvertCommandOptions, io: CliIo): Promise<number> {
  const stdin = options.file === STDIN_ARG ? await readStdinInput(io, options.stdinFilename) : undefined;
  if (stdin && 'error' in stdin) {
    io.stderr(`oclhub convert: ${stdin.error}\n`);
    return EXIT_USAGE;
  }
  const absolute = stdin ? stdin.path : path.resolve(io.cwd, options.file);
  const display = stdin ? stdin.display : displayPath(absolute, io.cwd);
  const read = stdin ? { text: stdin.text } : await readOclFile(absolute, display);
  if ('error' in read) {
    io.stderr(`oclhub convert: ${read.error}\n`);
    return EXIT_USAGE;
  }
  if ('diagnostic' in read) {
    // Bytes that are not UTF-8 are refused: converting them would print replacement characters.
    io.stderr(renderDiagnostics([read.diagnostic], { colors: io.colors }));
    return EXIT_FINDINGS;
  }
  const text = read.text;
  const to = options.to ?? (absolute.toLowerCase().endsWith('.json') ? 'ocl' : 'json');
  const report = (diagnostics: Diagnostic[]) => {
    if (diagnostics.length === 0) return;
    const sources = new Map([[display, text.replace(/^\uFEFF/, '')]]);
    io.stderr(renderDiagnostics([...diagnostics].sort(compareDiagnostics), { sources, colors: io.colors }));
  };

  if (to === 'json') {
    const heredocMode = await heredocModeForFile(absolute);
    const parsed = parseOcl(text, { file: display, heredocMode });
    const { document } = parsed;
    // The JSON holds heredoc values read with today's rule; say so when the file may be older than that.
    const unsettled = await unsettledHeredocsForFile(absolute, display, text);
    const diagnostics = unsettled ? [...parsed.diagnostics, unsettled] : parsed.diagnostics;
    report(diagnostics);
    if (hasErrors(diagnostics)) return EXIT_FINDINGS;
    io.stdout(JSON.stringify(oclToJson(document), null, 2) + '\n');
    return EXIT_OK;
  }

  const json = parseJsonText(text, display);
  if (hasErrors(json.diagnostics)) {
    report(json.diagnostics);
    return EXIT_FINDINGS;
  }
  const converted = jsonToOcl(json.value, { file: display });
  const printed = hasErrors(converted.diagnostics) ? undefined : printVerified(converted.document, { file: display });
  const diagnostics = [...converted.diagnostics, ...(printed?.diagnostics ?? [])];
  report(diagnostics);
  if (hasErrors(diagnostics) || printed?.text === undefined) return EXIT_FINDINGS;
  io.stdout(printed.text);
  return EXIT_OK;
}
