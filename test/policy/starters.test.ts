/**
 * The starter policies in templates/policies, run through their unit tests in templates/policy-tests
 * by the same code `oclhub test` uses. Each must be clean (no model or Octopus-compatibility findings),
 * tested, and have at least one allowed and one violating case.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ajvModule from 'ajv';
import { describe, expect, it } from 'vitest';
import { formatOcl } from '../../src/ocl/format.js';
import { runPolicyTests } from '../../src/policy/unit-tests.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const policiesDir = path.join(repoRoot, 'templates/policies');
const testsDir = path.join(repoRoot, 'templates/policy-tests');

type AjvClass = typeof ajvModule.default;
const Ajv: AjvClass = (ajvModule as unknown as { default?: AjvClass }).default ?? (ajvModule as unknown as AjvClass);
const schemaFile = path.resolve(repoRoot, '../shared/policy-examples/inputs/input-schema.docs-2026-06.json');
const haveSchema = existsSync(schemaFile);
if (!haveSchema) console.warn(`skipping input schema check of the starter policy tests: ${schemaFile} is absent`);

const STARTERS = [
  'manual_intervention_in_production',
  'no_disabled_required_steps',
  'no_skipped_required_steps',
  'packages_from_default_branch',
  'process_template_required',
  'no_prerelease_templates_in_production',
];

describe('starter policies', () => {
  it('are the six starters, each named after its package', () => {
    const files = readdirSync(policiesDir).filter((f) => f.endsWith('.ocl'));
    expect(files.map((f) => f.replace(/\.ocl$/, '')).sort()).toEqual([...STARTERS].sort());
    for (const f of files) {
      const text = readFileSync(path.join(policiesDir, f), 'utf8');
      const packages = [...text.matchAll(/^\s*package (\S+)$/gm)].map((m) => m[1]);
      expect(packages).toEqual([f.replace(/\.ocl$/, ''), f.replace(/\.ocl$/, '')]);
      // Written the way Octopus writes them, so `oclhub fmt --check` leaves them alone.
      const formatted = formatOcl(text, { file: f });
      expect(formatted.diagnostics, f).toEqual([]);
      expect(formatted.changed, f).toBe(false);
    }
  });

  it('pass their unit tests with no diagnostics', async () => {
    const run = await runPolicyTests({ policiesDir, testsDir, displayRoot: repoRoot });
    expect(run.diagnostics).toEqual([]);
    expect(run.untested).toEqual([]);
    expect(run.policies).toEqual([...STARTERS].sort());
    const failures = run.cases.filter((c) => !c.passed).map((c) => `${c.file}: ${c.failures.join('; ')}`);
    expect(failures).toEqual([]);
    expect(run.summary.failed).toBe(0);
    for (const slug of STARTERS) {
      const outcomes = run.cases.filter((c) => c.policy === slug).map((c) => c.decision?.outcome);
      expect(outcomes, slug).toContain('pass');
      expect(outcomes, slug).toContain('violation');
    }
  });

  it('would notice a wrong expectation (the runner is not vacuous)', async () => {
    const run = await runPolicyTests({ policiesDir, testsDir, displayRoot: repoRoot });
    const { checkExpectation } = await import('../../src/policy/unit-tests.js');
    const { loadPolicyText } = await import('../../src/policy/load.js');
    for (const c of run.cases) {
      const test = JSON.parse(readFileSync(path.join(repoRoot, c.file), 'utf8')) as { input: unknown; expect: { evaluate?: boolean; allowed?: boolean } };
      const file = `templates/policies/${c.policy}.ocl`;
      const policy = loadPolicyText(file, readFileSync(path.join(repoRoot, file), 'utf8')).policy!;
      const flipped = test.expect.allowed !== undefined ? { allowed: !test.expect.allowed } : { evaluate: !test.expect.evaluate };
      expect(checkExpectation(policy, test.input, flipped).failures.length, c.file).toBeGreaterThan(0);
    }
  });

  it.skipIf(!haveSchema)('use inputs valid against the Octopus input schema', () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);
    for (const slug of STARTERS) {
      for (const name of readdirSync(path.join(testsDir, slug))) {
        const test = JSON.parse(readFileSync(path.join(testsDir, slug, name), 'utf8')) as { input: unknown };
        expect(validate(test.input), `${slug}/${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
  });
});
