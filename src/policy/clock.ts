/**
 * Policies whose decisions can change while nothing they are given changes: they read the clock
 * (`time.now_ns`: a deploy freeze) or chance (`rand.intn`, `uuid.rfc4122`), or the world outside
 * (`http.send`, `net.lookup_ip_addr`, `opa.runtime`). Every cache of decisions is keyed by content
 * (hub commit, tags, files, request); such a policy's decisions have no content key, so they are never
 * cached: a freeze that starts at 17:00 must block at 17:01 whatever was answered at 16:59.
 *
 * The check is textual on the Rego (comments and strings included): a false match only costs a cache,
 * while parsing here could miss a call the compiler sees.
 */
import type { PolicyDocument } from '../model/types.js';

const VOLATILE_BUILTINS = /\b(?:time\s*\.\s*now_ns|rand\s*\.\s*intn|uuid\s*\.\s*rfc4122|http\s*\.\s*send|net\s*\.\s*lookup_ip_addr|opa\s*\.\s*runtime)\b/;

/** Whether a Rego module may evaluate differently for the same input at another time (see the file comment). */
export function regoIsVolatile(rego: string): boolean {
  return VOLATILE_BUILTINS.test(rego);
}

/** Whether a policy may decide differently for the same input at another time (see the file comment). */
export function policyIsVolatile(policy: { document: Pick<PolicyDocument, 'scope' | 'conditions'> }): boolean {
  return [policy.document.scope?.rego, policy.document.conditions?.rego].some((rego) => rego !== undefined && regoIsVolatile(rego));
}

/** Whether any of these policies is volatile: their decisions together cannot be cached. */
export function anyPolicyVolatile(policies: readonly { document: Pick<PolicyDocument, 'scope' | 'conditions'> }[]): boolean {
  return policies.some(policyIsVolatile);
}
