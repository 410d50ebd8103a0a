/**
 * What a SARIF log lists before its results (report/sarif.ts: the run's rules and logical locations),
 * for one project's evaluations, stored beside its piece with the tally (lint-pieces.ts `SegmentTally`):
 * the renderer's first pass reads it instead of decoding the piece, which it then decodes only for the
 * results, and only when the project has findings (a cold 1,000-project SARIF lint decoded every piece
 * twice: ~120 ms of JSON.parse on its main thread).
 *
 * It is the renderer's first pass replayed in short: a policy's rule is made from its first finding and
 * made `error` by any later blocking one, and a logical location is added when first met, so what the
 * renderer does with every finding it does with these, in the same order, to the same effect:
 * - `rules`: each policy with a finding, in first-seen order, with that first finding's action, name and
 *   version, and whether any of its findings blocks (`action` block, outcome not inconclusive);
 * - `places`: each run of findings in one context (project, environment, tenant), in order, with the
 *   distinct steps they name in first-seen order (0: no step).
 * An absent name, version, tenant or step is 0 (JSON has no `undefined`). A finding with a field of
 * another type than an `Evaluation` gives it (not a string where one is due) has no outline (0): the
 * renderer then decodes the piece, as it did before.
 */
import type { Evaluation, PolicyDecision } from './lint-report.js';

export type OutlineRule = [policy: string, action: string, policyName: string | 0, version: string | 0, blocks: 0 | 1];
export type OutlinePlace = [project: string, environment: string, tenant: string | 0, ...steps: (string | 0)[]];
export type FindingsOutline = [rules: OutlineRule[], places: OutlinePlace[]];

/** Whether a decision is a result (passes and out-of-scope policies are only counted). */
export function isFinding(decision: PolicyDecision): boolean {
  return decision.outcome !== 'pass' && decision.outcome !== 'skipped';
}

/** Whether a finding makes its policy's rule `error` (see sarif.ts `RuleTable`). */
export function findingBlocks(decision: Pick<PolicyDecision, 'action' | 'outcome'>): boolean {
  return decision.action === 'block' && decision.outcome !== 'inconclusive';
}

const stringOrAbsent = (value: unknown): value is string | undefined => value === undefined || typeof value === 'string';
const stringOr0 = (value: unknown): value is string | 0 => value === 0 || typeof value === 'string';
/** An optional string field as the outline holds it: a string, 0 when absent, null when neither (no outline then). */
const absentAs0 = (value: unknown): string | 0 | null => (value === undefined ? 0 : typeof value === 'string' ? value : null);

/** Builds an outline (see the file comment) from a project's findings, handed over in order. */
export class FindingsOutliner {
  private readonly rules: OutlineRule[] = [];
  private readonly places: OutlinePlace[] = [];
  private place: OutlinePlace | undefined;
  /** A finding had a field the outline cannot hold. */
  private unfit = false;

  /**
   * A policy, action, name, version, project and environment is checked only where it is stored: one
   * not stored is compared with stored ones (strings, which nothing else equals) or not read. A tenant
   * and a step are checked each time: a 0 or null among them would pass for an absent one.
   */
  add(evaluation: Evaluation, decision: PolicyDecision): void {
    if (this.unfit) return;
    const { policy, action } = decision;
    const blocks = findingBlocks(decision) ? 1 : 0;
    // A project's findings name a few policies: a scan, not a map.
    let rule: OutlineRule | undefined;
    for (const r of this.rules) {
      if (r[0] !== policy) continue;
      rule = r;
      break;
    }
    if (rule !== undefined) {
      if (blocks) rule[4] = 1;
    } else {
      const { policyName, version } = decision;
      if (typeof policy !== 'string' || typeof action !== 'string' || !stringOrAbsent(policyName) || !stringOrAbsent(version)) return this.giveUp();
      this.rules.push([policy, action, policyName ?? 0, version ?? 0, blocks]);
    }
    const { project, environment } = evaluation;
    const tenant = absentAs0(evaluation.tenant);
    const step = absentAs0(decision.location?.step);
    if (tenant === null || step === null) return this.giveUp();
    let place = this.place;
    if (place === undefined || place[0] !== project || place[1] !== environment || place[2] !== tenant) {
      if (typeof project !== 'string' || typeof environment !== 'string') return this.giveUp();
      this.places.push((place = this.place = [project, environment, tenant]));
    }
    if (!place.includes(step, 3)) place.push(step);
  }

  private giveUp(): void {
    this.unfit = true;
  }

  /** The outline of the findings added, or 0 when one had a field it cannot hold. */
  outline(): FindingsOutline | 0 {
    return this.unfit ? 0 : [this.rules, this.places];
  }
}

/**
 * `value` as an outline when it is one in every part (as stored: anything else, and the renderer
 * decodes the piece instead). Plain loops: it runs once per project of a SARIF report.
 */
export function readOutline(value: unknown): FindingsOutline | undefined {
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [rules, places] = value as unknown[];
  if (!Array.isArray(rules) || !Array.isArray(places)) return undefined;
  for (const rule of rules) {
    if (!Array.isArray(rule) || rule.length !== 5) return undefined;
    if (typeof rule[0] !== 'string' || typeof rule[1] !== 'string' || !stringOr0(rule[2]) || !stringOr0(rule[3]) || (rule[4] !== 0 && rule[4] !== 1)) return undefined;
  }
  for (const place of places) {
    if (!Array.isArray(place) || place.length < 4 || typeof place[0] !== 'string' || typeof place[1] !== 'string') return undefined;
    for (let i = 2; i < place.length; i++) if (!stringOr0(place[i])) return undefined;
  }
  // Both empty, or both not: every finding has a rule and a place.
  if ((rules.length === 0) !== (places.length === 0)) return undefined;
  return value as FindingsOutline;
}
