/**
 * The decisions for one execution context (project × environment [× tenant], one input object):
 * every policy evaluated independently (Octopus: "each evaluated independently"), exceptions applied,
 * and the gate's answer — blocked when any decision blocks (a blocking violation, or an error that
 * blocks under `onError`). This is what `oclhub evaluate` answers and what `oclhub lint` records per context.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { HubPolicyExceptionModel } from '../model/types.js';
import { decisionBlocks, evaluatePolicy, type EvaluablePolicy, type EvaluatePolicyOptions, type PolicyEvaluation } from './evaluate.js';
import { applyExceptions, type ExceptionContext } from './exceptions.js';

export interface DecideOptions extends EvaluatePolicyOptions {
  policies: readonly EvaluablePolicy[];
  /** The Octopus input object for this context. */
  input: unknown;
  context: ExceptionContext;
  /** `oclhub.ocl` exceptions (none when omitted). */
  exceptions?: readonly HubPolicyExceptionModel[];
  /** "Now" for exception expiry (default: the current time). */
  now?: Date;
}

export interface ContextDecisions {
  decisions: PolicyEvaluation[];
  /** POL110 warnings: expired exceptions that would have waived a violation here. */
  diagnostics: Diagnostic[];
  /** Whether the execution may not proceed. */
  blocked: boolean;
}

export function decide(options: DecideOptions): ContextDecisions {
  const evaluated = options.policies.map((policy) => evaluatePolicy(policy, options.input, options));
  const exceptionOptions = options.now ? { now: options.now } : {};
  const { decisions, diagnostics } = applyExceptions(evaluated, options.exceptions ?? [], options.context, exceptionOptions);
  return { decisions, diagnostics, blocked: decisions.some(decisionBlocks) };
}
