/**
 * User input never throws: arbitrary JSON inputs and arbitrary `result` values give a well-formed
 * decision, and the decision follows the documented output schema (platform-hub.md §4.6).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { loadPolicyText } from '../../src/policy/load.js';
import { loadPolicy } from './helpers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const policiesDir = path.join(repoRoot, 'templates/policies');
const starters = readdirSync(policiesDir).map((f) => loadPolicyText(`.octopus/policies/${f}`, readFileSync(path.join(policiesDir, f), 'utf8')).policy!);

const OUTCOMES = ['pass', 'violation', 'error', 'skipped'];

describe('policy evaluation robustness', () => {
  it('gives a well-formed decision for any JSON input', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (input) => {
        for (const policy of starters) {
          const d = evaluatePolicy(policy, input);
          expect(OUTCOMES).toContain(d.outcome);
          expect(['block', 'warn']).toContain(d.action);
          expect(d.allowed).toBe(d.outcome === 'pass' || d.outcome === 'skipped');
          if (d.outcome === 'error') expect(typeof d.error).toBe('string');
        }
      }),
      { numRuns: 150 },
    );
  });

  it('accepts exactly the results the output schema allows', () => {
    const value = fc.oneof(fc.boolean(), fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null), fc.constantFrom('block', 'warn', 'Block'));
    const result = fc.dictionary(fc.constantFrom('allowed', 'reason', 'action', 'Reason', 'x'), value, { maxKeys: 4 });
    fc.assert(
      fc.property(result, (r) => {
        const policy = loadPolicy({ slug: 'any_result', scope: 'default evaluate := true', conditions: `result := ${JSON.stringify(r)}` });
        const d = evaluatePolicy(policy, {});
        const valid =
          typeof r['allowed'] === 'boolean' &&
          (r['reason'] === undefined || typeof r['reason'] === 'string') &&
          (r['action'] === undefined || r['action'] === 'block' || r['action'] === 'warn');
        expect(d.outcome).toBe(valid ? (r['allowed'] ? 'pass' : 'violation') : 'error');
        if (valid && r['allowed'] === false) {
          expect(d.action).toBe(r['action'] ?? 'block');
          expect(d.reason).toBe(r['reason'] ?? 'Violates policy "any_result"');
        }
      }),
      { numRuns: 200 },
    );
  });
});
