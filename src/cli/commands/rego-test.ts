/**
 * `oclhub rego test <path>...`: Rego unit tests as `opa test` runs them (rules named `test_*`), over
 * `.rego` modules, `.json`/`.yaml` data mounted at their folder's path, and — what OPA cannot read — the
 * policy `.ocl` files of a hub, whose `scope` and `conditions` Rego are loaded as the modules Octopus
 * compiles. A hub keeping OPA tests beside its policies (e.g. `tests/<slug>_test.rego` importing
 * `data.<slug>`) runs them without extracting the Rego first.
 * Output: OPA's pretty report (failures, `--verbose` every test) or `--format json` (OPA's JSON
 * reporter's fields). Exit 0 when every test passes, 1 when one fails, errors or is skipped (skipped
 * ones pass with `--exit-zero-on-skipped`), 2 when the files cannot be read or do not compile.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { LineIndex } from '../../diagnostics.js';
import { regoToOclRange } from '../../model/checks/policy.js';
import type { RegoSourceModel } from '../../model/types.js';
import { validateFile } from '../../model/validate.js';
import { formatRegoError, type RegoError } from '../../rego/errors.js';
import { renderDiagnostics } from '../../report/text.js';
import type { RegoLimits } from '../../rego/index.js';
import { runRegoTests, TEST_TIMEOUT_MS, type RegoTestResult } from '../../rego/tester.js';
import { emptyObject, isPlainObject, type PlainObject } from '../../rego/value.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';
import { budgetLimits, budgetOptions, expandDirectories, isRegoFile, mergeMounted, unreadableReason, type BudgetOptions } from './rego-inputs.js';

export interface RegoTestOptions {
  paths: string[];
  verbose?: boolean;
  run?: string;
  format?: 'pretty' | 'json';
  exitZeroOnSkipped?: boolean;
  failOnEmpty?: boolean;
  limits?: RegoLimits;
}

/** A Rego module read from a policy's `.ocl` file: where its lines sit in that file. */
interface OclModule {
  source: RegoSourceModel;
  lines: LineIndex;
}

/** Registers `test` under the `rego` command given. */
export const registerRegoTest: RegisterCommand = (rego, ctx) => {
  const command = rego
    .command('test')
    .description('run Rego unit tests (rules named test_*) as `opa test` does, over .rego, .json/.yaml data and policy .ocl files')
    .argument('<paths...>', 'files or folders (searched for .rego, .json, .yaml and policy .ocl files)')
    .option('-v, --verbose', 'list every test, and what failing and verbose tests printed')
    .option('-r, --run <regex>', 'run only the tests whose data.<package>.<name> matches')
    .addOption(new Option('--format <format>', 'output format').choices(['pretty', 'json']).default('pretty'))
    .option('-z, --exit-zero-on-skipped', 'skipped (todo_test_) tests do not fail the run')
    .option('--fail-on-empty', 'exit 2 when no test ran')
    .addHelpText('after', '\nExamples:\n  $ oclhub rego test .octopus/policies tests\n  $ oclhub rego test -v --run prod_has_sign_off policies/ tests/\n');
  // OPA's --timeout: 5 s a test.
  budgetOptions(command, ' per test', TEST_TIMEOUT_MS).action(
    async (paths: string[], options: BudgetOptions & { verbose?: boolean; run?: string; format: 'pretty' | 'json'; exitZeroOnSkipped?: boolean; failOnEmpty?: boolean }) => {
      ctx.setExitCode(await runRegoTestCommand({ paths, ...options, limits: budgetLimits(options) }, ctx.io));
    },
  );
};

export async function runRegoTestCommand(options: RegoTestOptions, io: CliIo): Promise<number> {
  let filter: RegExp | undefined;
  if (options.run !== undefined) {
    try {
      filter = new RegExp(options.run);
    } catch (error) {
      io.stderr(`oclhub rego test: --run: ${(error as Error).message}\n`);
      return EXIT_USAGE;
    }
  }
  const loaded = await loadTestFiles(options.paths, io);
  if (!loaded) return EXIT_USAGE;
  const run = runRegoTests({ modules: loaded.modules, data: loaded.data, ...(filter ? { filter } : {}), ...(options.limits ? { limits: options.limits } : {}) });
  const relocate = (error: RegoError): RegoError => relocated(error, loaded.ocl);
  if (run.errors.length > 0) {
    for (const error of run.errors) io.stderr(formatRegoError(relocate(error)) + '\n');
    return EXIT_USAGE;
  }
  const results = run.results.map((r) => (r.error ? { ...r, error: relocate(r.error) } : r));
  io.stdout(options.format === 'json' ? jsonReport(results) : prettyReport(results, options.verbose ?? false));
  if (results.length === 0 && options.failOnEmpty) {
    io.stderr('no tests were run\n');
    return EXIT_USAGE;
  }
  const failed = results.some((r) => r.outcome === 'fail' || r.outcome === 'error' || (r.outcome === 'skip' && !options.exitZeroOnSkipped));
  return failed ? EXIT_FINDINGS : EXIT_OK;
}

async function loadTestFiles(paths: readonly string[], io: CliIo): Promise<{ modules: Array<{ file: string; source: string }>; data: PlainObject; ocl: Map<string, OclModule> } | undefined> {
  const modules: Array<{ file: string; source: string }> = [];
  const ocl = new Map<string, OclModule>();
  let data = emptyObject();
  for (const { file, mount } of await expandDirectories(paths, io.cwd, /\.(rego|json|ya?ml|ocl)$/i)) {
    let text: string;
    try {
      text = await readFile(path.resolve(io.cwd, file), 'utf8');
    } catch (error) {
      io.stderr(`oclhub rego test: cannot read ${file}: ${unreadableReason(error)}\n`);
      return undefined;
    }
    if (isRegoFile(file)) {
      modules.push({ file, source: text });
      continue;
    }
    if (/\.ocl$/i.test(file)) {
      // Only policies hold Rego; every other OCL file (a project's, a template) is not read.
      const checked = validateFile({ path: file, text });
      const doc = checked.document;
      if (checked.kind === 'policy' && !doc) {
        // A policy whose OCL does not parse would otherwise leave its package undefined and its tests failing for no visible reason.
        io.stderr(renderDiagnostics(checked.diagnostics.filter((d) => d.severity === 'error'), { sources: new Map([[file, text]]) }));
        return undefined;
      }
      if (doc?.kind !== 'policy') continue;
      const lines = new LineIndex(text);
      for (const which of ['scope', 'conditions'] as const) {
        const source = doc[which];
        if (source?.rego === undefined) continue;
        const name = `${file}#${which}`;
        modules.push({ file: name, source: source.rego });
        ocl.set(name, { source, lines });
      }
      continue;
    }
    let document: unknown;
    try {
      document = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
    } catch (error) {
      io.stderr(`oclhub rego test: ${file}: ${(error as Error).message}\n`);
      return undefined;
    }
    if (document === null || document === undefined) continue;
    if (!isPlainObject(document as never)) {
      io.stderr(`oclhub rego test: ${file}: data must be an object\n`);
      return undefined;
    }
    data = mergeMounted(data, document as PlainObject, mount);
  }
  return { modules, data, ocl };
}

/** An error in a policy's Rego, at its line in the `.ocl` file (as `validate` reports it). */
function relocated(error: RegoError, ocl: ReadonlyMap<string, OclModule>): RegoError {
  const at = error.location;
  const from = at?.file === undefined ? undefined : ocl.get(at.file);
  if (!at || !from) return error;
  const range = regoToOclRange(from.source, at.line, at.column, Math.max(1, at.endOffset - at.offset), from.lines);
  const file = at.file!.slice(0, at.file!.lastIndexOf('#'));
  return { ...error, location: range ? { ...at, file, line: range.start.line, column: range.start.column } : { ...at, file } };
}

const OUTCOME: Record<RegoTestResult['outcome'], string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIPPED', error: 'ERROR' };

/** OPA's duration text (Go's `time.Duration` rounded as its reporter prints it). */
function durationText(ns: number): string {
  if (ns < 1_000) return `${ns}ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(3).replace(/\.?0+$/, '')}µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(6).replace(/\.?0+$/, '')}ms`;
  return `${(ns / 1_000_000_000).toFixed(9).replace(/\.?0+$/, '')}s`;
}

/** OPA's PrettyReporter: the tests that did not pass (every test with --verbose) by file, then the counts. */
function prettyReport(results: readonly RegoTestResult[], verbose: boolean): string {
  const out: string[] = [];
  let lastFile: string | undefined;
  for (const r of results) {
    if (!verbose && r.outcome === 'pass') continue;
    if (lastFile !== undefined && lastFile !== r.location.file) out.push('');
    out.push(`${r.location.file}:${r.location.line}:`);
    lastFile = r.location.file;
    out.push(`${r.package}.${r.name}: ${OUTCOME[r.outcome]}${r.outcome === 'skip' ? '' : ` (${durationText(r.durationNs)})`}`);
    if (r.output.length > 0 && (verbose || r.outcome !== 'pass')) out.push('', ...r.output.map((line) => `  ${line}`), '');
    if (r.error) out.push(`  ${formatRegoError(r.error)}`);
  }
  if (out.length > 0) out.push('-'.repeat(80));
  const total = results.length;
  for (const [outcome, label] of [['pass', 'PASS'], ['fail', 'FAIL'], ['skip', 'SKIPPED'], ['error', 'ERROR']] as const) {
    const n = results.filter((r) => r.outcome === outcome).length;
    if (n > 0) out.push(`${label}: ${n}/${total}`);
  }
  return out.length > 0 ? out.join('\n') + '\n' : '';
}

/** OPA's JSONReporter fields: location, package, name, fail, skip, error, duration (ns), output. */
function jsonReport(results: readonly RegoTestResult[]): string {
  const rows = results.map((r) => ({
    location: { file: r.location.file, row: r.location.line, col: r.location.column },
    package: r.package,
    name: r.name,
    ...(r.outcome === 'fail' ? { fail: true } : {}),
    ...(r.outcome === 'skip' ? { skip: true } : {}),
    ...(r.error ? { error: { code: r.error.code, message: r.error.message, ...(r.error.location ? { location: { file: r.error.location.file, row: r.error.location.line, col: r.error.location.column } } : {}) } } : {}),
    duration: r.durationNs,
    ...(r.output.length > 0 ? { output: Buffer.from(r.output.map((line) => line + '\n').join('')).toString('base64') } : {}),
  }));
  return JSON.stringify(rows, null, 2) + '\n';
}
