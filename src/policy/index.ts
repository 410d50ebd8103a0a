/** The policy layer: load policy files, evaluate them on Octopus inputs, apply exceptions, check Octopus compatibility, run unit tests. */
export { POLICY_CODES, policyDiagnostic, type PolicyCode } from './codes.js';
export { loadPolicyText, slugFromPath, type PolicySource, type LoadPolicyResult } from './load.js';
export {
  evaluatePolicy,
  evaluatePolicies,
  compilePolicy,
  policyContentHash,
  decisionBlocks,
  defaultViolationReason,
  clearCompiledPolicyCache,
  compiledPolicyCacheSize,
  type EvaluablePolicy,
  type EvaluatePolicyOptions,
  type PolicyEvaluation,
  type CompiledPolicyModules,
  type PolicyDecision,
  type PolicyAction,
  type DecisionOutcome,
} from './evaluate.js';
export { applyExceptions, exceptionInForce, type AppliedException, type ExceptionContext, type ExceptionOptions } from './exceptions.js';
export { checkPolicyCompiles, type CompileCheckOptions } from './compile-check.js';
export { checkPolicyCompat, CONDITIONAL_FIELDS, type ConditionalField, type CompatOptions } from './compat.js';
export { OCTOPUS_BUILTINS, isOctopusDocumentedBuiltin, type OctopusBuiltin } from './octopus-builtins.js';
export { loadActivePolicies, type ActivePolicies, type LoadActivePoliciesOptions } from './active.js';
export { runPolicyTests, checkExpectation, type PolicyTestRun, type PolicyTestCaseResult, type PolicyTestExpectation, type RunPolicyTestsOptions } from './unit-tests.js';
export { policyIsVolatile, anyPolicyVolatile, regoIsVolatile } from './clock.js';
export { decide, type DecideOptions, type ContextDecisions } from './decide.js';
