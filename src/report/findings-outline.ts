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
 *
 * It is made only by a run that writes SARIF (lint/engine.ts `findingsOutlines`): made in every run, it
 * cost a cold JSON lint, which never reads it, ~2.5% CPU. It is stored as one string (`StoredOutline`),
 * not as arrays (~470 B a project on the bench hub, a dozen strings and arrays each, kept as objects
 * once read: peak RSS +1.8% against +0.7% as a string, 20 pairs each). The fields are
 * joined by DEL (U+007F: JSON does not escape it, and names rarely hold it), the project once (every
 * finding of a piece is of one project), a count before each list:
 * `project DEL ruleCount (DEL policy DEL action DEL name DEL version DEL blocks)* (DEL environment DEL tenant DEL stepCount (DEL step)*)*`,
 * an absent name, version, tenant or step an empty field, blocks `1` or `0`; '' when there is no finding.
 * A field holding DEL, or a present name, version, tenant or step that is empty, gives no outline (0).
 */
import type { Evaluation, PolicyDecision } from './lint-report.js';

export type OutlineRule = [policy: string, action: string, policyName: string | 0, version: string | 0, blocks: 0 | 1];
export type OutlinePlace = [project: string, environment: string, tenant: string | 0, ...steps: (string | 0)[]];
export type FindingsOutline = [rules: OutlineRule[], places: OutlinePlace[]];
/** An outline as stored (see the file comment); 0: none could be made. */
export type StoredOutline = string | 0;

/** Whether a finding makes its policy's rule `error` (see sarif.ts `RuleTable`). */
export function findingBlocks(decision: Pick<PolicyDecision, 'action' | 'outcome'>): boolean {
  return decision.action === 'block' && decision.outcome !== 'inconclusive';
}

const SEP = '\u007f';
/** A string the stored form can hold as a field (present: not empty). */
const fits = (value: string): boolean => value.indexOf(SEP) === -1;
const fitsPresent = (value: string): boolean => value !== '' && value.indexOf(SEP) === -1;
/** An optional string field as stored: itself, '' when absent, null when it cannot be held (no outline then). */
const storedOptional = (value: unknown): string | null => (value === undefined ? '' : typeof value === 'string' && fitsPresent(value) ? value : null);

/** A rule being built: policy, action, name and version as stored, and whether one of its findings blocks. */
type BuiltRule = [policy: string, action: string, policyName: string, version: string, blocks: boolean];

/** Builds an outline (see the file comment) from a project's findings, handed over in order. */
export class FindingsOutliner {
  private readonly rules: BuiltRule[] = [];
  /** The fields of the places closed, as stored. */
  private readonly places: string[] = [];
  private project: string | undefined;
  private environment: string | undefined;
  private tenant: string | undefined;
  private steps: string[] = [];
  /** A finding had a field the outline cannot hold. */
  private unfit = false;

  /**
   * A policy, action, name, version, project and environment is checked only where it is stored: one
   * not stored is compared with stored ones (strings, which nothing else equals) or not read. A tenant
   * and a step are checked each time: an empty one would pass for an absent one.
   */
  add(evaluation: Evaluation, decision: PolicyDecision): void {
    if (this.unfit) return;
    const { policy, action } = decision;
    const blocks = findingBlocks(decision);
    // A project's findings name a few policies: a scan, not a map.
    let rule: BuiltRule | undefined;
    for (const r of this.rules) {
      if (r[0] !== policy) continue;
      rule = r;
      break;
    }
    if (rule !== undefined) {
      if (blocks) rule[4] = true;
    } else {
      const policyName = storedOptional(decision.policyName);
      const version = storedOptional(decision.version);
      if (typeof policy !== 'string' || typeof action !== 'string' || !fits(policy) || !fits(action) || policyName === null || version === null) return this.giveUp();
      this.rules.push([policy, action, policyName, version, blocks]);
    }
    const { project, environment } = evaluation;
    const tenant = storedOptional(evaluation.tenant);
    const step = storedOptional(decision.location?.step);
    if (tenant === null || step === null) return this.giveUp();
    if (this.project === undefined) {
      if (typeof project !== 'string' || !fits(project)) return this.giveUp();
      this.project = project;
    } else if (project !== this.project) {
      return this.giveUp();
    }
    if (this.environment !== environment || this.tenant !== tenant) {
      if (typeof environment !== 'string' || !fits(environment)) return this.giveUp();
      this.closePlace();
      this.environment = environment;
      this.tenant = tenant;
    }
    if (!this.steps.includes(step)) this.steps.push(step);
  }

  private closePlace(): void {
    if (this.environment === undefined) return;
    this.places.push(this.environment, this.tenant!, String(this.steps.length), ...this.steps);
    this.steps = [];
  }

  private giveUp(): void {
    this.unfit = true;
  }

  /** The outline of the findings added as stored, or 0 when one had a field it cannot hold. */
  outline(): StoredOutline {
    if (this.unfit) return 0;
    if (this.project === undefined) return '';
    this.closePlace();
    this.environment = undefined;
    let text = `${this.project}${SEP}${this.rules.length}`;
    for (const [policy, action, policyName, version, blocks] of this.rules) text += `${SEP}${policy}${SEP}${action}${SEP}${policyName}${SEP}${version}${SEP}${blocks ? 1 : 0}`;
    for (const field of this.places) text += SEP + field;
    return text;
  }
}

/** A stored count: decimal digits, no sign or leading zero. */
function countAt(fields: readonly string[], at: number): number {
  const field = fields[at];
  return field !== undefined && /^(0|[1-9][0-9]{0,5})$/.test(field) ? Number(field) : -1;
}

/**
 * The stored outline `value` read (see the file comment), or undefined when it is not one in every part
 * (then the renderer decodes the piece). Plain loops: it runs once per project of a SARIF report.
 */
export function readOutline(value: unknown): FindingsOutline | undefined {
  if (value === '') return [[], []];
  if (typeof value !== 'string') return undefined;
  const fields = value.split(SEP);
  const project = fields[0]!;
  const ruleCount = countAt(fields, 1);
  if (ruleCount < 1 || fields.length < 2 + ruleCount * 5 + 3) return undefined;
  const optional = (field: string): string | 0 => (field === '' ? 0 : field);
  const rules: OutlineRule[] = [];
  let at = 2;
  for (let i = 0; i < ruleCount; i++, at += 5) {
    const blocks = fields[at + 4];
    if (blocks !== '0' && blocks !== '1') return undefined;
    rules.push([fields[at]!, fields[at + 1]!, optional(fields[at + 2]!), optional(fields[at + 3]!), blocks === '1' ? 1 : 0]);
  }
  const places: OutlinePlace[] = [];
  while (at < fields.length) {
    const stepCount = countAt(fields, at + 2);
    if (stepCount < 1 || at + 3 + stepCount > fields.length) return undefined;
    const place: OutlinePlace = [project, fields[at]!, optional(fields[at + 1]!)];
    for (let i = 0; i < stepCount; i++) place.push(optional(fields[at + 3 + i]!));
    places.push(place);
    at += 3 + stepCount;
  }
  // Every finding has a place.
  if (places.length === 0) return undefined;
  return [rules, places];
}
