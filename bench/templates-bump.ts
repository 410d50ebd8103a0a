/**
 * The bump check on a large synthetic process template (parameters and steps, one edit of each
 * kind), against a baseline measured in the same run: parsing the two versions. The check runs
 * once per publish and once per `oclhub diff`, so it should cost no more than parsing.
 *   npx tsx bench/templates-bump.ts [parameters] [steps]
 */
import { performance } from 'node:perf_hooks';
import { parseOcl } from '../src/ocl/index.js';
import { computeRequiredBump, nextVersion, parseVersionMask, resolveMask } from '../src/templates/index.js';

const parameterCount = Number(process.argv[2] ?? 500);
const stepCount = Number(process.argv[3] ?? 500);

function templateText(variant: number): string {
  const parts = ['name = "Synthetic"', 'description = "A large template"'];
  for (let i = 0; i < parameterCount; i++) {
    if (variant === 1 && i === 7) continue; // removed parameter
    parts.push(
      `parameter "Template.P${i}" {\n    display_settings = {\n        Octopus.ControlType = "SingleLineText"\n    }\n    help_text = "Parameter ${i}${variant === 1 && i === 9 ? ' (edited)' : ''}"\n    label = "P${i}"\n\n    value "v${i}" {}\n}`,
    );
  }
  for (let i = 0; i < stepCount; i++) {
    if (variant === 1 && i === 3) continue; // removed step
    const script = variant === 1 && i === 11 ? `echo changed ${i}` : `echo ${i}`;
    parts.push(
      `step "step-${i}" {\n    name = "Step ${i}"\n\n    action {\n        action_type = "Octopus.Script"\n        properties = {\n            Octopus.Action.Script.ScriptBody = "${script}"\n            Octopus.Action.Script.Syntax = "Bash"\n        }\n        worker_pool_variable = "#{Template.P0}"\n    }\n}`,
    );
  }
  if (variant === 1) parts.push('step "new-step" {\n    name = "New"\n\n    action {\n        action_type = "Octopus.Script"\n    }\n}');
  return parts.join('\n\n');
}

/** Mean time of `run` over `repeat` runs, each on a fresh `setup()` result (untimed). */
function time<T>(label: string, repeat: number, setup: () => T, run: (input: T) => unknown): number {
  run(setup());
  let total = 0;
  for (let i = 0; i < repeat; i++) {
    const input = setup();
    const start = performance.now();
    run(input);
    total += performance.now() - start;
  }
  const ms = total / repeat;
  console.log(`${label.padEnd(42)} ${ms.toFixed(3)} ms`);
  return ms;
}

const before = templateText(0);
const after = templateText(1);
console.log(`template: ${parameterCount} parameters, ${stepCount} steps, ${(before.length / 1024).toFixed(0)} KiB per version`);
const parseMs = time('baseline: parse both versions', 10, () => undefined, () => [parseOcl(before), parseOcl(after)]);
// Fresh ASTs for every run: the check caches per AST node, and a publish sees each AST once.
const fresh = () => ({ a: parseOcl(before).document, b: parseOcl(after).document });
const bumpMs = time('computeRequiredBump', 10, fresh, ({ a, b }) => computeRequiredBump(a, b));
const identicalMs = time('computeRequiredBump (identical content)', 10, () => ({ a: parseOcl(before).document, b: parseOcl(before).document }), ({ a, b }) =>
  computeRequiredBump(a, b),
);
const { a, b } = fresh();
const result = computeRequiredBump(a, b);
console.log(`  → required ${result.required}, ${result.reasons.length} reasons`);
console.log(`ratio bump/parse: ${(bumpMs / parseMs).toFixed(2)}  identical/parse: ${(identicalMs / parseMs).toFixed(2)}`);

const versions = Array.from({ length: 5000 }, (_, i) => `${i % 7}.${Math.floor(i / 7) % 50}.${i % 13}${i % 5 === 0 ? `-prerelease.${i % 3}` : ''}`);
const mask = parseVersionMask('3.X');
if ('error' in mask) throw new Error(mask.error.message);
time('resolveMask over 5000 versions', 50, () => undefined, () => resolveMask(mask, versions));
time('nextVersion over 5000 versions', 50, () => undefined, () => nextVersion(versions, 'prerelease'));
