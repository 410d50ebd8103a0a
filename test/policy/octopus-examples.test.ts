/**
 * Acceptance: the 24 Octopus docs example policies (../shared/policy-examples/split), wrapped at test
 * time into OCL policy files and loaded through the policy model, give the expected decisions
 * (../shared/policy-examples/expected-results.json) on the example inputs through evaluatePolicy.
 *
 * Wrapping: an example with only a conditions module gets the scope `default evaluate := true` (the
 * policy applies everywhere); one with only a scope module gets `default result := {"allowed": true}`.
 * The file name is the module's package, as Octopus requires. `violation_action` is omitted, so the
 * default `block` applies when a result carries no `action`.
 *
 * The oracle gives `result` even where `evaluate` is false; those are checked with `ignoreScope`
 * (what Octopus's Evaluations tab would show), while the normal decision must be `skipped`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkPolicyCompat } from '../../src/policy/compat.js';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { loadPolicyText } from '../../src/policy/load.js';
import { policyOcl } from './helpers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const examplesDir = path.resolve(repoRoot, '../shared/policy-examples');
const available = existsSync(path.join(examplesDir, 'expected-results.json')) && existsSync(path.join(examplesDir, 'split'));
if (!available) console.warn(`skipping Octopus policy examples: ${examplesDir} is absent`);

interface Expected {
  evaluate?: boolean;
  result?: { allowed: boolean; reason?: string; action?: 'block' | 'warn' };
}

function readExamples(): Array<{ name: string; scope?: string; conditions?: string; expected: Record<string, Expected> }> {
  const expected = JSON.parse(readFileSync(path.join(examplesDir, 'expected-results.json'), 'utf8')) as Record<string, Record<string, Expected>>;
  const files = readdirSync(path.join(examplesDir, 'split'));
  return Object.keys(expected).map((name) => {
    const read = (which: string) => {
      const file = `${name}.${which}.rego`;
      return files.includes(file) ? readFileSync(path.join(examplesDir, 'split', file), 'utf8') : undefined;
    };
    const example: { name: string; scope?: string; conditions?: string; expected: Record<string, Expected> } = { name, expected: expected[name]! };
    const scope = read('scope');
    const conditions = read('conditions');
    if (scope !== undefined) example.scope = scope;
    if (conditions !== undefined) example.conditions = conditions;
    return example;
  });
}

function packageOf(rego: string): string {
  const m = /^package\s+([A-Za-z0-9_]+)/m.exec(rego);
  if (!m) throw new Error('example module without a package');
  return m[1]!;
}

describe.skipIf(!available)('Octopus docs example policies as OCL policy files', () => {
  const examples = available ? readExamples() : [];

  it('has the 24 examples, each with at least one module', () => {
    expect(examples).toHaveLength(24);
    for (const e of examples) expect(e.scope ?? e.conditions).toBeDefined();
  });

  const wrap = (example: (typeof examples)[number]) => {
    const slug = packageOf(example.scope ?? example.conditions!);
    const text = policyOcl({
      slug,
      name: example.name,
      withPackage: false,
      scope: example.scope ?? `package ${slug}\n\ndefault evaluate := true\n`,
      conditions: example.conditions ?? `package ${slug}\n\ndefault result := {"allowed": true}\n`,
    });
    return loadPolicyText(`.octopus/policies/${slug}.ocl`, text);
  };

  it('uses only builtins Octopus documents, and only example 19 reads input.Tenant without a guard', () => {
    // 19-required-tags reads `input.Tenant.Tags` with a scope of "everything": on an untenanted
    // deployment Octopus reports that as an evaluation error. Every other example guards its
    // conditional fields (e.g. 10 scopes to `not input.Runbook` before reading input.Release).
    const findings = examples.flatMap((example) => {
      const { policy } = wrap(example);
      return checkPolicyCompat(policy!.document, { file: policy!.file, lines: policy!.lines }).map((d) => `${example.name} ${d.code} ${d.summary.split(' ')[0]}`);
    });
    expect(findings).toEqual(['19-required-tags POL101 `input.Tenant.Tags`']);
  });

  for (const example of available ? examples : []) {
    it(example.name, () => {
      const { policy, diagnostics } = wrap(example);
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(policy).toBeDefined();
      // The heredoc round trip must hand the engine the docs' Rego unchanged.
      if (example.scope) expect(policy!.document.scope?.rego).toBe(example.scope.replace(/\n+$/, ''));
      if (example.conditions) expect(policy!.document.conditions?.rego).toBe(example.conditions.replace(/\n+$/, ''));

      for (const [inputFile, expected] of Object.entries(example.expected)) {
        const input: unknown = JSON.parse(readFileSync(path.join(examplesDir, 'inputs', inputFile), 'utf8'));
        const inScope = expected.evaluate ?? true;
        const decision = evaluatePolicy(policy!, input);
        const label = `${example.name} on ${inputFile}`;
        expect(decision.inScope, label).toBe(inScope);
        const evaluated = inScope ? decision : evaluatePolicy(policy!, input, { ignoreScope: true });
        if (!inScope) expect(decision.outcome, label).toBe('skipped');
        if (!expected.result) continue;
        expect(evaluated.result, label).toEqual(expected.result);
        expect(evaluated.allowed, label).toBe(expected.result.allowed);
        expect(evaluated.outcome, label).toBe(expected.result.allowed ? 'pass' : 'violation');
        if (!expected.result.allowed) {
          expect(evaluated.action, label).toBe(expected.result.action ?? 'block');
          expect(evaluated.reason, label).toBe(expected.result.reason ?? `Violates policy "${example.name}"`);
        }
      }
    });
  }
});
