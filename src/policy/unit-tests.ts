/**
 * Policy unit tests (`oclhub test`): JSON cases kept outside the Octopus base path, so Octopus never
 * reads them — by default `policy-tests/<slug>/*.json` at the hub root. Each case is
 *
 *     { "description"?: "…", "input": { …Octopus input… },
 *       "expect": { "evaluate"?: bool, "allowed"?: bool, "action"?: "block"|"warn", "reason"?: "…", "error"?: bool } }
 *
 * - `evaluate`: the scope's answer (false ⇔ the policy would be skipped).
 * - `allowed`, `action`, `reason`: the conditions' decision (`action`/`reason` as Octopus applies them:
 *   the result's, else the policy's `violation_action` / `violation_reason`). When `evaluate` is false
 *   they are checked on the conditions anyway, like Octopus's Evaluations tab replay.
 * - `error: true`: the policy must fail to evaluate (e.g. fail closed on an undefined `result`).
 *   Without it, an evaluation error fails the case.
 * At least one expectation is required. Policies are the working files (drafts): tests are for authors.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { checkPolicyCompat } from './compat.js';
import { policyDiagnostic } from './codes.js';
import { evaluatePolicy, type EvaluatePolicyOptions, type PolicyEvaluation } from './evaluate.js';
import { loadPolicyText, type PolicySource } from './load.js';

export interface PolicyTestExpectation {
  evaluate?: boolean;
  allowed?: boolean;
  action?: 'block' | 'warn';
  reason?: string;
  error?: boolean;
}

export interface PolicyTestCaseResult {
  policy: string;
  /** The test file, relative to the tests folder's parent (e.g. `policy-tests/gate/allowed.json`). */
  file: string;
  description?: string;
  passed: boolean;
  /** What differed from the expectation (empty when passed). */
  failures: string[];
  decision?: PolicyEvaluation;
}

export interface PolicyTestRun {
  cases: PolicyTestCaseResult[];
  /** Policy slugs found, and those without any test case. */
  policies: string[];
  untested: string[];
  /** Policy file diagnostics (model errors and warnings, compatibility warnings) and test file problems (POL130). */
  diagnostics: Diagnostic[];
  /** Source texts of the policy files, for code frames. */
  sources: Map<string, string>;
  summary: { total: number; passed: number; failed: number };
}

export interface RunPolicyTestsOptions {
  /** Folder holding the policy files (`<hub>/<base>/policies`), searched one level deep for the library layout. */
  policiesDir: string;
  /** Folder holding `<slug>/*.json` cases. */
  testsDir: string;
  /** Paths in results and diagnostics are relative to this folder (default: the current directory). */
  displayRoot?: string;
  evaluation?: EvaluatePolicyOptions;
}

async function isDirectory(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

async function listPolicyFiles(dir: string): Promise<string[]> {
  if (!(await isDirectory(dir))) return [];
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name.toLowerCase().endsWith('.ocl')) out.push(full);
    else if (entry.isDirectory()) {
      const inner = path.join(full, `${entry.name}.ocl`);
      if ((await stat(inner).catch(() => undefined))?.isFile()) out.push(inner);
    }
  }
  return out.sort();
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads and checks one case file; a string says what is wrong with it (also used by the hub façade for tests read from Git). */
export function parseCase(text: string): { input: unknown; expect: PolicyTestExpectation; description?: string } | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return `not valid JSON: ${(error as Error).message}`;
  }
  if (!isRecord(json)) return 'a test case must be an object { "input": …, "expect": … }';
  if (!('input' in json)) return 'missing "input"';
  // Octopus always passes an object; a policy tested on anything else proves nothing.
  if (!isRecord(json['input'])) return `"input" must be an object (the Octopus policy input), got ${json['input'] === null ? 'null' : Array.isArray(json['input']) ? 'an array' : typeof json['input']}`;
  const expectation = json['expect'];
  if (!isRecord(expectation)) return 'missing "expect" object';
  const known = new Set(['evaluate', 'allowed', 'action', 'reason', 'error']);
  const unknown = Object.keys(expectation).filter((k) => !known.has(k));
  if (unknown.length > 0) return `unknown "expect" keys: ${unknown.join(', ')} (allowed: ${[...known].join(', ')})`;
  if (Object.keys(expectation).length === 0) return '"expect" is empty: give at least one of evaluate, allowed, action, reason, error';
  for (const key of ['evaluate', 'allowed', 'error'] as const) {
    if (key in expectation && typeof expectation[key] !== 'boolean') return `"expect.${key}" must be a boolean`;
  }
  if ('action' in expectation && expectation['action'] !== 'block' && expectation['action'] !== 'warn') return '"expect.action" must be "block" or "warn"';
  if ('reason' in expectation && typeof expectation['reason'] !== 'string') return '"expect.reason" must be a string';
  const description = json['description'];
  const out: { input: unknown; expect: PolicyTestExpectation; description?: string } = { input: json['input'], expect: expectation as PolicyTestExpectation };
  if (typeof description === 'string') out.description = description;
  return out;
}

/** Compares a decision with an expectation; returns the differences. */
export function checkExpectation(policy: PolicySource, input: unknown, expectation: PolicyTestExpectation, options: EvaluatePolicyOptions = {}): { failures: string[]; decision: PolicyEvaluation } {
  const failures: string[] = [];
  const decision = evaluatePolicy(policy, input, options);
  if (decision.outcome === 'error' && !expectation.error) {
    return { failures: [`evaluation failed: ${decision.error}`], decision };
  }
  if (expectation.error !== undefined && (decision.outcome === 'error') !== expectation.error) {
    failures.push(expectation.error ? `expected an evaluation error, got ${decision.outcome}` : `unexpected evaluation error: ${decision.error}`);
  }
  if (expectation.evaluate !== undefined && decision.inScope !== expectation.evaluate && decision.outcome !== 'error') {
    failures.push(`expected evaluate ${expectation.evaluate}, got ${decision.inScope}`);
  }
  const wantsConditions = expectation.allowed !== undefined || expectation.action !== undefined || expectation.reason !== undefined;
  if (wantsConditions && decision.outcome !== 'error') {
    const conditions = decision.inScope ? decision : evaluatePolicy(policy, input, { ...options, ignoreScope: true });
    if (conditions.outcome === 'error') failures.push(`conditions failed: ${conditions.error}`);
    else {
      if (expectation.allowed !== undefined && conditions.allowed !== expectation.allowed) failures.push(`expected allowed ${expectation.allowed}, got ${conditions.allowed}`);
      if (expectation.action !== undefined && conditions.action !== expectation.action) failures.push(`expected action ${expectation.action}, got ${conditions.action}`);
      if (expectation.reason !== undefined && conditions.reason !== expectation.reason) {
        failures.push(`expected reason ${JSON.stringify(expectation.reason)}, got ${conditions.reason === undefined ? 'none' : JSON.stringify(conditions.reason)}`);
      }
    }
  }
  return { failures, decision };
}

/** Runs every case under `testsDir` against the policy files under `policiesDir`. Never throws on content. */
export async function runPolicyTests(options: RunPolicyTestsOptions): Promise<PolicyTestRun> {
  const root = options.displayRoot ?? process.cwd();
  const display = (p: string) => path.relative(root, p).split(path.sep).join('/') || '.';
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const policies = new Map<string, PolicySource>();

  for (const file of await listPolicyFiles(options.policiesDir)) {
    const shown = display(file);
    const text = await readFile(file, 'utf8');
    sources.set(shown, text.replace(/^\uFEFF/, ''));
    const loaded = loadPolicyText(shown, text);
    diagnostics.push(...loaded.diagnostics.filter((d) => d.severity !== 'info'));
    if (!loaded.policy) continue;
    diagnostics.push(...checkPolicyCompat(loaded.policy.document, { file: shown, lines: loaded.policy.lines }));
    policies.set(loaded.policy.slug, loaded.policy);
  }

  const cases: PolicyTestCaseResult[] = [];
  const tested = new Set<string>();
  if (await isDirectory(options.testsDir)) {
    for (const entry of (await readdir(options.testsDir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (!entry.isDirectory()) continue;
      const slug = entry.name;
      const dir = path.join(options.testsDir, slug);
      const files = (await readdir(dir)).filter((f) => f.toLowerCase().endsWith('.json')).sort();
      for (const name of files) {
        const full = path.join(dir, name);
        const shown = display(full);
        tested.add(slug);
        const policy = policies.get(slug);
        const parsed = parseCase(await readFile(full, 'utf8'));
        if (typeof parsed === 'string') {
          diagnostics.push(policyDiagnostic('POL130', `Invalid policy test: ${parsed}`, { file: shown }));
          cases.push({ policy: slug, file: shown, passed: false, failures: [`invalid test file: ${parsed}`] });
          continue;
        }
        const base = { policy: slug, file: shown, ...(parsed.description !== undefined ? { description: parsed.description } : {}) };
        if (!policy) {
          cases.push({ ...base, passed: false, failures: [`no policy "${slug}" in ${display(options.policiesDir)}`] });
          continue;
        }
        const { failures, decision } = checkExpectation(policy, parsed.input, parsed.expect, options.evaluation);
        cases.push({ ...base, passed: failures.length === 0, failures, decision });
      }
    }
  }
  const passed = cases.filter((c) => c.passed).length;
  return {
    cases,
    policies: [...policies.keys()].sort(),
    untested: [...policies.keys()].filter((s) => !tested.has(s)).sort(),
    diagnostics,
    sources,
    summary: { total: cases.length, passed, failed: cases.length - passed },
  };
}
