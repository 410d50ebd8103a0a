/**
 * `oclhub test [--hub DIR] [--tests DIR] [--format text|json]`: runs the policy unit tests
 * (`policy-tests/<slug>/*.json`, outside the Octopus base path) against the hub's working policy files.
 * Exit 0 when every case passes and no policy file has errors, 1 otherwise, 2 on usage errors.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Option } from 'commander';
import { compareDiagnostics, countBySeverity, type Diagnostic } from '../../diagnostics.js';
import { DEFAULT_BASE_PATH } from '../../model/build.js';
import { hubBaseFolder } from '../../model/folder-path.js';
import { validateFile } from '../../model/validate.js';
import { runPolicyTests, type PolicyTestRun } from '../../policy/unit-tests.js';
import { renderDiagnostics } from '../../report/text.js';
import { localHubFolder } from '../hub-option.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';

export const DEFAULT_POLICY_TESTS_DIR = 'policy-tests';

export interface TestCommandOptions {
  hub?: string;
  tests?: string;
  format: 'text' | 'json';
}

export const registerTest: RegisterCommand = (program, ctx) => {
  program
    .command('test')
    .description(`run policy unit tests (${DEFAULT_POLICY_TESTS_DIR}/<slug>/*.json) against the hub's working policy files`)
    .option('--hub <dir>', 'hub repository folder (default: $OCLHUB_HUB, else the repository of the current folder)')
    .option('--tests <dir>', `folder of test cases (default: <hub>/${DEFAULT_POLICY_TESTS_DIR})`)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (options: { hub?: string; tests?: string; format: 'text' | 'json' }) => {
      ctx.setExitCode(await runTestCommand(options, ctx.io));
    });
};

async function isDirectory(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

/**
 * The hub's base path from its oclhub.ocl (default `.octopus`), read from the working tree. An
 * oclhub.ocl that does not parse is reported as itself: guessing the base path would test the wrong folder.
 */
async function basePathOf(hub: string): Promise<{ basePath: string } | { errors: Diagnostic[]; text: string }> {
  const text = await readFile(path.join(hub, 'oclhub.ocl'), 'utf8').catch(() => undefined);
  if (text === undefined) return { basePath: DEFAULT_BASE_PATH };
  const r = validateFile({ path: 'oclhub.ocl', text, context: { kind: 'oclhub' } });
  if (r.document?.kind === 'oclhub') {
    const folder = hubBaseFolder(r.document);
    return folder !== undefined ? { basePath: folder } : { errors: r.diagnostics.filter((d) => d.code === 'SEM037'), text };
  }
  return { errors: r.diagnostics.filter((d) => d.severity === 'error'), text };
}

export async function runTestCommand(options: TestCommandOptions, io: CliIo): Promise<number> {
  const hub = await localHubFolder(options.hub, io);
  if (!(await isDirectory(hub))) {
    io.stderr(`oclhub test: no such hub folder: ${options.hub ?? hub}\n`);
    return EXIT_USAGE;
  }
  const base = await basePathOf(hub);
  if ('errors' in base) {
    io.stderr(`oclhub test: oclhub.ocl of ${options.hub ?? hub} cannot be read\n`);
    io.stderr(renderDiagnostics(base.errors, { sources: new Map([['oclhub.ocl', base.text]]), colors: io.colors }));
    return EXIT_USAGE;
  }
  const policiesDir = path.join(hub, base.basePath, 'policies');
  if (!(await isDirectory(policiesDir))) {
    io.stderr(`oclhub test: no policies folder ${path.relative(io.cwd, policiesDir) || policiesDir} (is --hub the hub repository?)\n`);
    return EXIT_USAGE;
  }
  const testsDir = options.tests !== undefined ? path.resolve(io.cwd, options.tests) : path.join(hub, DEFAULT_POLICY_TESTS_DIR);
  if (options.tests !== undefined && !(await isDirectory(testsDir))) {
    io.stderr(`oclhub test: no such tests folder: ${options.tests}\n`);
    return EXIT_USAGE;
  }
  const run = await runPolicyTests({ policiesDir, testsDir, displayRoot: io.cwd });
  run.diagnostics.sort(compareDiagnostics);
  const failed = run.summary.failed > 0 || countBySeverity(run.diagnostics).error > 0;
  if (options.format === 'json') io.stdout(JSON.stringify(jsonReport(run), null, 2) + '\n');
  else renderText(run, io);
  return failed ? EXIT_FINDINGS : EXIT_OK;
}

function jsonReport(run: PolicyTestRun): unknown {
  return {
    cases: run.cases.map((c) => ({
      policy: c.policy,
      file: c.file,
      ...(c.description !== undefined ? { description: c.description } : {}),
      passed: c.passed,
      failures: c.failures,
      ...(c.decision ? { decision: c.decision } : {}),
    })),
    policies: run.policies,
    untested: run.untested,
    diagnostics: run.diagnostics,
    summary: run.summary,
  };
}

function renderText(run: PolicyTestRun, io: CliIo): void {
  const c = io.colors;
  if (run.diagnostics.length > 0) io.stderr(renderDiagnostics(run.diagnostics, { sources: run.sources, colors: c }));
  for (const result of run.cases) {
    const mark = result.passed ? c.green('PASS') : c.red('FAIL');
    const about = result.description !== undefined ? c.dim(` — ${result.description}`) : '';
    io.stdout(`${mark} ${result.file}${about}\n`);
    for (const failure of result.failures) io.stdout(`     ${failure}\n`);
  }
  const { total, passed, failed } = run.summary;
  const parts = [`${total} ${total === 1 ? 'test' : 'tests'}`, `${passed} passed`, `${failed} failed`];
  const untested = run.untested.length > 0 ? `; no tests for ${run.untested.join(', ')}` : '';
  const line = `${parts.join(', ')} (${run.policies.length} ${run.policies.length === 1 ? 'policy' : 'policies'}${untested})`;
  io.stdout(`${failed > 0 ? c.red(line) : total === 0 ? c.yellow(line) : c.green(line)}\n`);
}
