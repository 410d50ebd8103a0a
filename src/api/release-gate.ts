/**
 * The gate for a new release version without evaluating every policy again. Every deployment has a
 * release version of its own, so the gate's cache never hits on the whole request; but a release
 * changes one thing in the policy input, `input.Release`, and most policies never read it.
 *
 * The same request without a release (cached like any other) tells which policies do: evaluated with
 * `Release` unknown, a decision that read it — or read `input` as a whole, above it — is
 * `inconclusive` (the Rego engine records the input paths a decision reads; see policy/evaluate.ts).
 * A decision that is neither inconclusive nor an error read nothing under `Release`, so it is the
 * same for every release version. Only the others (inconclusive, and errors: a Rego runtime error may
 * hide a read) are evaluated with the release, and the two sets are merged in policy order.
 */
import { compareDiagnostics, diagnosticIdentity, type Diagnostic } from '../diagnostics.js';
import type { PolicyDecision } from '../report/lint-report.js';

/** What the merge needs of a gate answer (EvaluationResponse, hub-decisions.ts). */
export interface GateAnswer {
  allowed: boolean;
  policies: PolicyDecision[];
  diagnostics: Diagnostic[];
  suppressed: Diagnostic[];
  errors?: Diagnostic[];
}

/** The policies (by slug) whose decision may change with the release version. */
export function releaseDependent(base: Pick<GateAnswer, 'policies'>): Set<string> {
  const out = new Set<string>();
  for (const decision of base.policies) if (decision.outcome === 'inconclusive' || decision.outcome === 'error') out.add(decision.policy);
  return out;
}

function blocks(decision: PolicyDecision): boolean {
  return (decision.outcome === 'violation' || decision.outcome === 'error') && decision.action === 'block';
}

function union(a: readonly Diagnostic[], b: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of [...a, ...b]) {
    const key = diagnosticIdentity(d);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out.sort(compareDiagnostics);
}

/**
 * The answer for the request with the release: `base` (without it) for the policies that do not
 * depend on it, `withRelease` (those that do, evaluated with it) for the rest. Diagnostics are the
 * union: both runs report the project's and the hub's alike, and each its own decisions' exceptions.
 */
export function mergeReleaseAnswer(base: GateAnswer, withRelease: GateAnswer, dependent: ReadonlySet<string>): GateAnswer {
  const fresh = new Map(withRelease.policies.map((d) => [d.policy, d]));
  const policies = base.policies.map((d) => (dependent.has(d.policy) ? (fresh.get(d.policy) ?? d) : d));
  // withRelease.allowed covers its own decisions and the project's errors; the others only block by their decisions.
  const allowed = withRelease.allowed && !base.policies.some((d) => !dependent.has(d.policy) && blocks(d));
  return {
    allowed,
    policies,
    diagnostics: union(base.diagnostics, withRelease.diagnostics),
    suppressed: union(base.suppressed, withRelease.suppressed),
    ...(withRelease.errors ? { errors: withRelease.errors } : {}),
  };
}
