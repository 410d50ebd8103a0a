/**
 * Policy exceptions from `oclhub.ocl`: a reviewed, owned, expiring waiver of one policy for one project.
 *
 * Matching (deliberately exact, so every waiver is visible in review):
 * - `policy` and `project` must equal the decision's policy slug and the context's project slug.
 *   There are no wildcards: oclhub.ocl's schema requires both and only accepts slugs, and a waiver for
 *   "every project" is a policy change, not an exception.
 * - `environment` and `tenant` are optional: when omitted the exception covers every environment / tenant
 *   of the project; when set they must equal the context's.
 * - Only violations are waived. Passes and skipped policies need no waiver, and an `error` decision
 *   (the policy could not be evaluated) is never waived: the exception was granted for a known finding.
 * - An exception applies through its `expires` value (`YYYY-MM-DD` = through that day, UTC). An expired
 *   exception that would have matched no longer applies and yields a POL110 warning on its `expires`
 *   attribute (the model layer's SEM033 says it expired; this says which violation is no longer waived).
 *   An exception whose `expires` is not a date never applies (the model reports SEM034).
 * - When several exceptions match, the first in file order wins.
 */
import type { Diagnostic } from '../diagnostics.js';
import { parseExpiry } from '../model/checks/hub-config.js';
import type { HubPolicyExceptionModel } from '../model/types.js';
import type { PolicyDecision, PolicyException } from '../report/lint-report.js';
import { policyDiagnostic } from './codes.js';

export interface ExceptionContext {
  project: string;
  environment: string;
  tenant?: string | undefined;
}

export interface ExceptionOptions {
  /** "Now" for expiry (default: the current time). */
  now?: Date;
  /** The file the exceptions come from, for diagnostics (default `oclhub.ocl`). */
  file?: string;
}

/** The exception recorded on an `excepted` decision: whose waiver, why, until when, and its id. */
export interface AppliedException extends PolicyException {
  id: string;
}

export interface ApplyExceptionsResult<D extends PolicyDecision> {
  decisions: D[];
  diagnostics: Diagnostic[];
}

function covers(exception: HubPolicyExceptionModel, decision: PolicyDecision, context: ExceptionContext): boolean {
  if (exception.policy === undefined || exception.project === undefined) return false;
  if (exception.policy !== decision.policy || exception.project !== context.project) return false;
  if (exception.environment !== undefined && exception.environment !== context.environment) return false;
  if (exception.tenant !== undefined && exception.tenant !== context.tenant) return false;
  return true;
}

/** Whether the exception is in force at `now`; undefined expiry (schema error) counts as not in force. */
export function exceptionInForce(exception: Pick<HubPolicyExceptionModel, 'expires'>, now: Date): boolean {
  if (exception.expires === undefined) return false;
  const end = parseExpiry(exception.expires);
  return end !== undefined && now.getTime() < end.getTime();
}

function contextLabel(context: ExceptionContext): string {
  return [context.project, context.environment, context.tenant].filter((x) => x !== undefined).join('/');
}

/**
 * Marks the violations covered by an exception in force as `excepted` (with owner, reason, expiry).
 * Returns new decision objects; the inputs are not modified.
 */
export function applyExceptions<D extends PolicyDecision>(
  decisions: readonly D[],
  exceptions: readonly HubPolicyExceptionModel[],
  context: ExceptionContext,
  options: ExceptionOptions = {},
): ApplyExceptionsResult<D> {
  const now = options.now ?? new Date();
  const file = options.file ?? 'oclhub.ocl';
  const diagnostics: Diagnostic[] = [];
  const out = decisions.map((decision) => {
    if (decision.outcome !== 'violation') return decision;
    const matching = exceptions.filter((e) => covers(e, decision, context));
    const active = matching.find((e) => exceptionInForce(e, now));
    if (active) {
      const exception: AppliedException = {
        id: active.id,
        owner: active.owner ?? '',
        reason: active.reason ?? '',
        expires: active.expires ?? '',
      };
      return { ...decision, outcome: 'excepted' as const, exception };
    }
    for (const expired of matching) {
      if (expired.expires === undefined || parseExpiry(expired.expires) === undefined) continue;
      diagnostics.push(
        policyDiagnostic('POL110', `Exception "${expired.id}" expired on ${expired.expires}: policy "${decision.policy}" is enforced again for ${contextLabel(context)}`, {
          file,
          range: expired.attributeRanges['expires'] ?? expired.labelRange ?? expired.headerRange,
          detail: `The violation ("${decision.reason ?? decision.policy}") now ${decision.action === 'block' ? 'blocks' : 'warns'}. Renew the exception with a new date (owner: ${expired.owner ?? 'unknown'}) or fix the finding.`,
        }),
      );
    }
    return decision;
  });
  return { decisions: out, diagnostics };
}
