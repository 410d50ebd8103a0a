/**
 * The compliance statuses the pages show, and the one function that maps a context's decisions to
 * one. Six statuses, each with a label and an icon so that no status is told by colour alone:
 * allowed, warned, blocked, error (a policy could not be evaluated, or the project cannot be), excepted
 * (only findings an exception waives), inconclusive (a decision read input the run does not have).
 *
 * Precedence (worst first): blocked > error > warned > inconclusive > excepted > allowed. A blocking
 * violation is a definite answer, so it outranks an evaluation error; an error still outranks warnings
 * because it fails closed.
 */

export type CellStatus = 'allowed' | 'warned' | 'blocked' | 'error' | 'excepted' | 'inconclusive';

export interface StatusView {
  label: string;
  /** A symbol beside the label (hidden from screen readers, which read the label). */
  icon: string;
  /** What the status means, for legends and titles. */
  meaning: string;
}

export const STATUS_VIEW: Record<CellStatus, StatusView> = {
  blocked: { label: 'Blocked', icon: '✕', meaning: 'a blocking policy violation: the deployment may not go ahead' },
  error: { label: 'Error', icon: '‼', meaning: 'a policy or the project could not be evaluated: fails closed' },
  warned: { label: 'Warned', icon: '▲', meaning: 'only warning violations: the deployment may go ahead' },
  inconclusive: { label: 'Inconclusive', icon: '?', meaning: 'a policy read input this evaluation does not have (e.g. the release): not decided' },
  excepted: { label: 'Excepted', icon: '⊘', meaning: 'violations waived by an exception in oclhub.ocl' },
  allowed: { label: 'Allowed', icon: '✓', meaning: 'every active policy passes or is out of scope' },
};

/** Worst first. */
export const STATUS_ORDER: readonly CellStatus[] = ['blocked', 'error', 'warned', 'inconclusive', 'excepted', 'allowed'];

const RANK = new Map(STATUS_ORDER.map((s, i) => [s, STATUS_ORDER.length - i]));

export function isCellStatus(value: unknown): value is CellStatus {
  return typeof value === 'string' && RANK.has(value as CellStatus);
}

export function worse(a: CellStatus, b: CellStatus): CellStatus {
  return RANK.get(a)! >= RANK.get(b)! ? a : b;
}

/** The decision fields the mapping reads. Outcomes are strings: newer outcomes (inconclusive) map too. */
export interface DecisionLike {
  outcome: string;
  action: string;
}

export interface ContextFacts {
  /** The façade's status for the context, when it has one (any of the six counts). */
  status?: string;
  decisions: readonly DecisionLike[];
  /** The project cannot be evaluated (unreadable, no deployment process, unresolved templates). */
  broken?: boolean;
}

/** The one mapping from a context's decisions to its status (see the file comment). */
export function contextStatus(facts: ContextFacts): CellStatus {
  let status: CellStatus = facts.broken ? 'error' : 'allowed';
  for (const d of facts.decisions) status = worse(status, decisionStatus(d));
  return isCellStatus(facts.status) ? worse(status, facts.status) : status;
}

/** One decision's status: the cell of a single policy (policy pages, the project page's tables). */
export function decisionStatus(d: DecisionLike): CellStatus {
  switch (d.outcome) {
    case 'violation':
      return d.action === 'block' ? 'blocked' : 'warned';
    case 'error':
      return 'error';
    case 'excepted':
      return 'excepted';
    case 'inconclusive':
      return 'inconclusive';
    default:
      return 'allowed';
  }
}

/** Findings are the decisions worth a look: everything but passes and out-of-scope policies. */
export function isFinding(d: Pick<DecisionLike, 'outcome'>): boolean {
  return d.outcome !== 'pass' && d.outcome !== 'skipped';
}
