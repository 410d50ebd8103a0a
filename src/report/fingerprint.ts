/**
 * Finding fingerprints shared by the reports CI systems track across runs (SARIF
 * `partialFingerprints`, GitLab Code Quality `fingerprint`): a finding is identified by what it is
 * about, never by its line, so that an edit above it does not make it "new" and its old self "fixed".
 *
 * - a decision: policy + context (project, environment, tenant) + the step (or file) it points at;
 * - a diagnostic: code + repository (when not the home one) + file + summary + its occurrence among
 *   identical ones, counted in report order.
 */
import * as crypto from 'node:crypto';
import type { Diagnostic } from '../diagnostics.js';
import { isHome, type Evaluation, type LintReport, type PolicyDecision } from './lint-report.js';

/**
 * Node's one-shot hash (Node 20.12 and later): the same digest as a Hash object's, at a third of the
 * cost for texts this short (a SARIF or GitLab report hashes one per finding, 19,000 at 1,000 projects).
 */
const hashOnce = (crypto as { hash?: (algorithm: string, data: string) => string }).hash;

export function fingerprint(parts: readonly string[]): string {
  const text = parts.join('\u0000');
  return (hashOnce ? hashOnce('sha256', text) : crypto.createHash('sha256').update(text).digest('hex')).slice(0, 32);
}

export function decisionFingerprint(evaluation: Evaluation, decision: PolicyDecision): string {
  const where = decision.location;
  return fingerprint([decision.policy, evaluation.project, evaluation.environment, evaluation.tenant ?? '', where?.step ?? where?.file ?? '']);
}

/** Counts identical diagnostics as they are met; one counter per report. */
export function diagnosticFingerprinter(report: Pick<LintReport, 'home'>): (d: Diagnostic) => string {
  const occurrences = new Map<string, number>();
  return (d) => {
    const key = [d.code, d.repository?.id ?? '', d.file ?? '', d.summary].join('\u0000');
    const occurrence = (occurrences.get(key) ?? 0) + 1;
    occurrences.set(key, occurrence);
    return fingerprint([d.code, d.repository && !isHome(report, d.repository) ? d.repository.id : '', d.file ?? '', d.summary, String(occurrence)]);
  };
}
