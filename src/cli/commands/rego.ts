/**
 * `oclhub rego eval [-d file]... [-i input.json] [-m module.rego]... [--strict] QUERY`: evaluates
 * a Rego query like `opa eval` and prints OPA-style JSON (`{"result": [...]}`, `{}` when
 * undefined). `-d` takes JSON data files or `.rego` modules (as `opa eval -d` does).
 * Parse, compile and evaluation errors go to stderr, positioned, with exit code 2.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatRegoError } from '../../rego/errors.js';
import { compile, DEFAULT_LIMITS, type RegoError, type RegoLimits } from '../../rego/index.js';
import { emptyObject, isPlainObject, toJSON, type PlainObject, type Value } from '../../rego/value.js';
import { budgetLimits, budgetOptions, expandDirectories, isRegoFile, mergeMounted, unreadableReason, type BudgetOptions } from './rego-inputs.js';
import { registerRegoTest } from './rego-test.js';
import { EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';

export interface RegoEvalOptions {
  query: string;
  data?: string[];
  input?: string;
  modules?: string[];
  strict?: boolean;
  /** The evaluation budget (docs/rego-limits.md); unset fields keep the engine defaults. */
  limits?: RegoLimits;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export const registerRego: RegisterCommand = (program, ctx) => {
  const rego = program.command('rego').description('Rego policy engine tools');
  const evalCommand = rego
    .command('eval')
    .description('evaluate a Rego query (OPA-compatible JSON output)')
    .argument('<query>', 'the query, e.g. data.pkg.result')
    .option('-d, --data <file>', 'JSON data file or .rego module (repeatable)', collect, [])
    .option('-i, --input <file>', 'JSON input document (- reads standard input)')
    .option('-m, --module <file>', 'Rego module (repeatable)', collect, [])
    .option('--strict', 'raise builtin errors instead of treating them as undefined');
  budgetOptions(evalCommand, '', DEFAULT_LIMITS.maxMillis).action(async (query: string, options: BudgetOptions & { data: string[]; input?: string; module: string[]; strict?: boolean }) => {
    ctx.setExitCode(await runRegoEval({ query, data: options.data, input: options.input, modules: options.module, strict: options.strict, limits: budgetLimits(options) }, ctx.io));
  });
  registerRegoTest(rego, ctx);
};

export async function runRegoEval(options: RegoEvalOptions, io: CliIo): Promise<number> {
  const modules: Array<{ file: string; source: string }> = [];
  let data: Value = emptyObject();
  let input: Value | undefined;
  const read = async (file: string): Promise<string | undefined> => {
    try {
      if (file === '-' && io.readStdin) return await io.readStdin();
      return await readFile(path.resolve(io.cwd, file), 'utf8');
    } catch (error) {
      io.stderr(`oclhub rego eval: cannot read ${file}: ${unreadableReason(error)}\n`);
      return undefined;
    }
  };
  const parseJson = (file: string, text: string): Value | undefined => {
    try {
      return JSON.parse(text) as Value;
    } catch (error) {
      io.stderr(`oclhub rego eval: ${file}: invalid JSON: ${(error as Error).message}\n`);
      return undefined;
    }
  };
  const expanded = await expandDirectories(options.data ?? [], io.cwd, /\.(rego|json)$/i);
  const dataFiles = expanded.map((e) => e.file);
  const mountOf = new Map(expanded.map((e) => [e.file, e.mount]));
  for (const file of [...(options.modules ?? []), ...dataFiles.filter(isRegoFile)]) {
    const source = await read(file);
    if (source === undefined) return EXIT_USAGE;
    modules.push({ file, source });
  }
  for (const file of dataFiles.filter((f) => !isRegoFile(f))) {
    const text = await read(file);
    if (text === undefined) return EXIT_USAGE;
    const doc = parseJson(file, text);
    if (doc === undefined) return EXIT_USAGE;
    if (!isPlainObject(doc)) {
      io.stderr(`oclhub rego eval: ${file}: data must be a JSON object\n`);
      return EXIT_USAGE;
    }
    // A JSON file found under a `-d` directory is mounted at its folder's path (OPA's loader).
    data = mergeMounted(data as PlainObject, doc, mountOf.get(file) ?? []);
  }
  if (options.input) {
    const text = await read(options.input);
    if (text === undefined) return EXIT_USAGE;
    input = parseJson(options.input, text);
    if (input === undefined) return EXIT_USAGE;
  }

  const compiled = compile(modules);
  if (!compiled.policy) return reportErrors(compiled.diagnostics, io);
  const result = compiled.policy.eval(options.query, { input, data, strict: options.strict, print: (m) => io.stderr(m + '\n'), ...(options.limits ? { limits: options.limits } : {}) });
  if (result.error) return reportErrors([result.error], io);
  if (result.results.length === 0) {
    io.stdout('{}\n');
    return EXIT_OK;
  }
  const rows = result.results.map((row) => {
    const out: Record<string, unknown> = { expressions: row.expressions.map((e) => ({ value: toJSON(e.value), text: e.text })) };
    if (Object.keys(row.bindings).length > 0) {
      out.bindings = Object.fromEntries(Object.entries(row.bindings).map(([k, v]) => [k, toJSON(v)]));
    }
    return out;
  });
  io.stdout(jsonText({ result: rows }) + '\n');
  return EXIT_OK;
}

function reportErrors(errors: RegoError[], io: CliIo): number {
  for (const e of errors) io.stderr(formatRegoError(e) + '\n');
  return EXIT_USAGE;
}

/** Indented JSON keeping big integers exact. */
function jsonText(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `\u0000big:${x.toString()}` : x), 2).replace(/"\\u0000big:(-?\d+)"/g, '$1');
}
