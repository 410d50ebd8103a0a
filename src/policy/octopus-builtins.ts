/**
 * The Rego built-in functions known to work in Octopus policies (platform-hub.md §6 "Built-in functions").
 * Octopus's engine is unidentified and its docs list no built-ins, so this is the evidence we have:
 * what the docs examples call, and what policies that Octopus accepted and evaluated call.
 * Anything else may work — oclhub's engine implements OPA's full set — but it is a portability risk,
 * so compat.ts warns about it (POL102). Operators (`==`, `<`, `-`, `in`, …) are not built-in calls here.
 */

export type BuiltinEvidence = 'docs' | 'accepted';

export interface OctopusBuiltin {
  name: string;
  evidence: BuiltinEvidence;
  /** Where it was seen. */
  source: string;
}

/** | name | evidence | source | */
const TABLE: ReadonlyArray<[string, BuiltinEvidence, string]> = [
  ['count', 'docs', 'policy examples (required steps, ordering, tags)'],
  ['startswith', 'docs', 'policy examples (release/packages/runbook from main, production prefix)'],
  ['semver.compare', 'docs', 'policy examples (minimum release version, template versions)'],
  ['contains', 'accepted', 'Octopus-accepted third-party policies (clearmeasure platform hub)'],
  ['endswith', 'accepted', 'Octopus-accepted third-party policies'],
  ['concat', 'accepted', 'Octopus-accepted third-party policies; Octopus demo hub'],
  ['sprintf', 'accepted', 'Octopus-accepted third-party policies; Octopus demo hub'],
  ['min', 'accepted', 'Octopus-accepted third-party policies'],
  ['max', 'accepted', 'Octopus-accepted third-party policies'],
];

export const OCTOPUS_BUILTINS: ReadonlyMap<string, OctopusBuiltin> = new Map(
  TABLE.map(([name, evidence, source]) => [name, { name, evidence, source }]),
);

export function isOctopusDocumentedBuiltin(name: string): boolean {
  return OCTOPUS_BUILTINS.has(name);
}
