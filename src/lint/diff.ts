/**
 * `oclhub diff REF_A REF_B`: what a hub change does to policy decisions. Every registered project ×
 * environment (× tenant) is linted at both refs — oclhub.ocl (projects, environments, activation,
 * exceptions) and in-hub project folders as of each ref, each active policy from its published tag —
 * and the decisions that differ are listed.
 *
 * A decision that needs input neither run has (a release version, unless `release` is given) is
 * `inconclusive` on both sides and so unchanged; one that becomes inconclusive is its own kind of
 * change (`inconclusive`): it was decided before and no longer is.
 *
 * Process templates resolve against the versions published at or before each ref (tags on the ref's
 * commit or its ancestors), so a template version published after REF_A does not change REF_A's side.
 */
import type { Diagnostic } from '../diagnostics.js';
import { contextName, describeNeeds, type Evaluation, type PolicyDecision } from '../report/lint-report.js';

export type DecisionState = 'blocked' | 'warned' | 'excepted' | 'inconclusive' | 'allowed';

export type DecisionChangeKind = 'newly-blocked' | 'newly-allowed' | 'inconclusive' | 'changed' | 'reason-changed';

export interface DecisionChange {
  kind: DecisionChangeKind;
  /** `project/environment[/tenant]`. */
  context: string;
  project: string;
  environment: string;
  tenant?: string;
  policy: string;
  before: { state: DecisionState; version?: string; reason?: string };
  after: { state: DecisionState; version?: string; reason?: string };
}

export interface HubDiff {
  refA: string;
  refB: string;
  commitA?: string;
  commitB?: string;
  changes: DecisionChange[];
  /** Contexts evaluated at both refs. */
  contexts: number;
  diagnostics: Diagnostic[];
}

export function decisionState(decision: PolicyDecision | undefined): DecisionState {
  if (!decision) return 'allowed';
  if (decision.outcome === 'excepted') return 'excepted';
  if (decision.outcome === 'inconclusive') return 'inconclusive';
  if (decision.outcome === 'violation' || decision.outcome === 'error') return decision.action === 'block' ? 'blocked' : 'warned';
  return 'allowed';
}

function reasonOf(decision: PolicyDecision | undefined): string | undefined {
  if (!decision || decisionState(decision) === 'allowed') return undefined;
  if (decision.outcome === 'inconclusive') return describeNeeds(decision.needs ?? []);
  return decision.outcome === 'error' ? decision.error : decision.reason;
}

function side(decision: PolicyDecision | undefined): DecisionChange['before'] {
  const out: DecisionChange['before'] = { state: decisionState(decision) };
  if (decision?.version !== undefined) out.version = decision.version;
  const reason = reasonOf(decision);
  if (reason !== undefined) out.reason = reason;
  return out;
}

function index(evaluations: readonly Evaluation[]): Map<string, { evaluation: Evaluation; decisions: Map<string, PolicyDecision> }> {
  const out = new Map<string, { evaluation: Evaluation; decisions: Map<string, PolicyDecision> }>();
  for (const evaluation of evaluations) out.set(contextName(evaluation), { evaluation, decisions: new Map(evaluation.decisions.map((d) => [d.policy, d])) });
  return out;
}

/** The decision changes between two sets of evaluations (contexts present on one side only count as all-allowed on the other). */
export function diffEvaluations(before: readonly Evaluation[], after: readonly Evaluation[]): DecisionChange[] {
  const a = index(before);
  const b = index(after);
  const changes: DecisionChange[] = [];
  const contexts = [...new Set([...a.keys(), ...b.keys()])].sort();
  for (const context of contexts) {
    const left = a.get(context);
    const right = b.get(context);
    const evaluation = (right ?? left)!.evaluation;
    const policies = [...new Set([...(left?.decisions.keys() ?? []), ...(right?.decisions.keys() ?? [])])].sort();
    for (const policy of policies) {
      const was = side(left?.decisions.get(policy));
      const now = side(right?.decisions.get(policy));
      let kind: DecisionChangeKind | undefined;
      if (now.state === 'inconclusive' && was.state !== 'inconclusive') kind = 'inconclusive';
      else if (now.state === 'blocked' && was.state !== 'blocked') kind = 'newly-blocked';
      else if (was.state === 'blocked' && now.state !== 'blocked') kind = 'newly-allowed';
      else if (was.state !== now.state) kind = 'changed';
      else if (was.reason !== now.reason) kind = 'reason-changed';
      if (!kind) continue;
      changes.push({
        kind,
        context,
        project: evaluation.project,
        environment: evaluation.environment,
        ...(evaluation.tenant !== undefined ? { tenant: evaluation.tenant } : {}),
        policy,
        before: was,
        after: now,
      });
    }
  }
  return changes;
}
