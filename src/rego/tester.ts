/**
 * Rego unit tests as `opa test` runs them: every rule whose name starts with `test_` (not a function) is
 * a test, evaluated as `data.<package>.<name>` over all the modules compiled together; it passes when it is
 * defined and `true`, fails otherwise, and is an error when the evaluation raises one. A `todo_test_`
 * rule is skipped. Each test runs under its own evaluation limits (OPA's `--timeout` is 5 s a test).
 */
import type { Location } from './ast.js';
import type { RegoError } from './errors.js';
import { compile, refQuery, type RegoLimits } from './index.js';
import { parseModule } from './parser.js';
import type { PlainObject } from './value.js';

export type RegoTestOutcome = 'pass' | 'fail' | 'skip' | 'error';

export interface RegoTestResult {
  /** `data.<package>` as OPA prints it. */
  package: string;
  name: string;
  location: Location;
  outcome: RegoTestOutcome;
  error?: RegoError;
  /** Wall time of the evaluation, nanoseconds. */
  durationNs: number;
  /** What the test's `print(...)` calls wrote, one line each. */
  output: string[];
}

export interface RegoTestRun {
  results: RegoTestResult[];
  /** Parse and compile errors: no test ran. */
  errors: RegoError[];
}

export interface RunRegoTestsOptions {
  modules: ReadonlyArray<{ file: string; source: string }>;
  data?: PlainObject;
  /** Runs only the tests whose `data.<package>.<name>` matches (OPA's `--run`). */
  filter?: RegExp;
  limits?: RegoLimits;
  /** Fixed clock for time builtins (nanoseconds since the epoch). */
  nowNs?: bigint;
}

/** OPA's default per-test timeout. */
export const TEST_TIMEOUT_MS = 5_000;

export function runRegoTests(options: RunRegoTestsOptions): RegoTestRun {
  const compiled = compile([...options.modules]);
  if (!compiled.policy) return { results: [], errors: compiled.diagnostics };
  const policy = compiled.policy;
  const results: RegoTestResult[] = [];
  for (const test of discoverTests(options.modules)) {
    const fullName = `${test.package}.${test.name}`;
    if (options.filter && !options.filter.test(fullName)) continue;
    const base = { package: test.package, name: test.name, location: test.location };
    if (test.todo) {
      results.push({ ...base, outcome: 'skip', durationNs: 0, output: [] });
      continue;
    }
    const output: string[] = [];
    const started = process.hrtime.bigint();
    const evaluated = policy.eval(test.query, {
      ...(options.data ? { data: options.data } : {}),
      limits: { maxMillis: TEST_TIMEOUT_MS, ...options.limits },
      ...(options.nowNs !== undefined ? { nowNs: options.nowNs } : {}),
      print: (message) => output.push(message),
    });
    const durationNs = Number(process.hrtime.bigint() - started);
    if (evaluated.error) {
      results.push({ ...base, outcome: 'error', error: evaluated.error, durationNs, output });
      continue;
    }
    const value = evaluated.results[0]?.expressions[0]?.value;
    results.push({ ...base, outcome: value === true ? 'pass' : 'fail', durationNs, output });
  }
  return { results, errors: [] };
}

interface DiscoveredTest {
  package: string;
  name: string;
  query: string;
  location: Location;
  todo: boolean;
}

/** The test rules of the modules, in file order and then source order; a name defined twice runs once. */
function discoverTests(modules: RunRegoTestsOptions['modules']): DiscoveredTest[] {
  const found = new Map<string, DiscoveredTest>();
  for (const m of modules) {
    const parsed = parseModule(m.source, m.file).module;
    if (!parsed) continue;
    const pkg = refQuery(parsed.package);
    for (const rule of parsed.rules) {
      const head = rule.head;
      const first = head.ref[0];
      if (head.args || head.ref.length !== 1 || first?.type !== 'string') continue;
      const name = first.value;
      const todo = name.startsWith('todo_test_');
      if (!todo && !name.startsWith('test_')) continue;
      const key = `${pkg}.${name}`;
      if (!found.has(key)) found.set(key, { package: pkg, name, query: refQuery([...parsed.package, name]), location: { ...rule.location, file: m.file }, todo });
    }
  }
  return [...found.values()];
}
