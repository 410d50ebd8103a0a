/**
 * Evaluates one policy on one Octopus input object, the way Octopus does (platform-hub.md §4.4, §4.7):
 * the scope module's `data.<slug>.evaluate` first, then — only when it is `true` — the conditions
 * module's `data.<slug>.result`. The two modules are compiled separately, as Octopus evaluates them
 * separately (helper rules of one module are invisible to the other).
 *
 * Decisions the docs leave open, and what oclhub does:
 * - `evaluate` undefined (no default, no rule fired) ⇒ not in scope. Octopus itself ships a policy
 *   written `evaluate if { input.Release }` with no default, which must mean "out of scope" on runbook runs.
 * - `evaluate` not a boolean ⇒ error decision (Octopus shows such a scope as `Invalid`).
 * - `result` undefined while in scope ⇒ error decision (fail closed; nothing says it is allowed).
 * - `result` malformed (`allowed` not a boolean, `reason` not a string, `action` not block|warn) ⇒ error.
 *   Other keys are ignored (keys are case-sensitive: a `"Reason"` key is not the reason).
 * - A Rego error (conflict, strict builtin error), a compile error or a limit hit ⇒ error decision.
 *   Error decisions block by default; `onError: 'warn'` makes them warn (the outcome stays `error`,
 *   `action` says what it does to the deployment — see `decisionBlocks`).
 *   For an error, `inScope` is true: a policy that cannot be evaluated is treated as applying.
 * - Builtin errors are undefined (OPA's default, non-strict), unless `strict` is set.
 * - Input the caller does not have (`unknownInput`, e.g. `Release` when no release version was given)
 *   is left out of the input, never invented. The evaluation then records which input paths it reads
 *   (the Rego engine's `recordInputReads`); a decision that read an unknown path, or a path under or
 *   above one, is `inconclusive` with `needs` naming the paths. That covers passes, violations,
 *   out-of-scope answers and the "result undefined / malformed" errors an absent field causes; Rego
 *   runtime errors (conflicts, limits) stay errors (fail closed).
 * - A step whose `ActionType` is unknown (`unknownActionTypes`: a step-template action whose template
 *   oclhub.ocl does not declare) is an error decision for a module that may read `ActionType`, judged
 *   from its text (`mayReadActionType`): the type decides what the step is, and guessing it would let a
 *   script through or block a manual intervention. A scope that cannot read it is evaluated as usual,
 *   so a policy whose scope leaves the context out is still `skipped`. What the text cannot see (a
 *   computed key, a step's keys enumerated, a step marshalled whole) the evaluation's input refuses
 *   (action-type-guard.ts): the same error, at the step looked at.
 */
import { createHash } from 'node:crypto';
import { compile, type CompiledPolicy, type RegoLimits } from '../rego/index.js';
import { RegoEvalError, type RegoError } from '../rego/errors.js';
import { LIMIT_CODE } from '../rego/limits.js';
import { fromJSON, isObject, objectGet, toJSON, type Value } from '../rego/value.js';
import { regoToOclRange } from '../model/checks/policy.js';
import type { PolicyDocument, RegoSourceModel } from '../model/types.js';
import type { LineIndex } from '../diagnostics.js';
import type { DecisionLocation, DecisionOutcome, PolicyAction, PolicyDecision } from '../report/lint-report.js';
import type { UnknownActionType } from './input.js';
import { regoIsVolatile } from './clock.js';
import { ACTION_TYPE_READ, guardUnknownActionTypes, takeReadStepId } from './action-type-guard.js';

export type { PolicyAction, PolicyDecision, DecisionOutcome } from '../report/lint-report.js';

/** What a policy needs to be evaluated: its model, and where it came from (for messages). */
export interface EvaluablePolicy {
  document: PolicyDocument;
  slug?: string;
  version?: string;
  file?: string;
  lines?: LineIndex;
}

export interface EvaluatePolicyOptions {
  /** What an error decision does to the deployment (default `block`: fail closed). */
  onError?: PolicyAction;
  /** Raise builtin errors instead of treating them as undefined (default false, like OPA). */
  strict?: boolean;
  limits?: RegoLimits;
  /** Fixed clock for time builtins (nanoseconds since the epoch). */
  nowNs?: bigint;
  /**
   * Evaluate the conditions even when the scope does not select the input (like Octopus's Evaluations
   * tab replaying a policy). The decision's `inScope` still tells the scope's answer.
   */
  ignoreScope?: boolean;
  /**
   * Input paths the caller does not know (dotted, `Release` or `Release.GitRef`), left out of the
   * input: a decision that reads one is `inconclusive` (see the file comment).
   */
  unknownInput?: readonly string[];
  /**
   * Return the decision alone, without the raw rule values (`evaluate`, `result`, `errorCode`): what
   * lint keeps. Saves converting every `result` to JSON only to throw it away.
   */
  decisionOnly?: boolean;
  /**
   * The caller never changes an input's parts once evaluated (lint builds each input from shared,
   * unchanging parts: Steps per project, Environment per environment): a module's value is then
   * reused for a later input whose fields the module reads are the very same objects (see
   * `knownRuleValue`). Only the caller knows its inputs are not changed in place: off by default.
   * With `decisionOnly`, a pass or skipped decision may also be the very object returned for an
   * earlier input that decided the same (`SharedDecision`): the caller must not change those.
   */
  reuseInputParts?: boolean;
  /**
   * Steps of the input whose `ActionType` is unknown (left out; `BuiltInput.unknownActionTypes`): a
   * policy that may read `ActionType` decides `error` (see the file comment), located at the first
   * step's `location` when the caller gives one.
   */
  unknownActionTypes?: readonly UnknownActionTypeStep[];
}

/** An unknown `ActionType` with where the step is written (the caller's, e.g. lint's decision location). */
export interface UnknownActionTypeStep extends UnknownActionType {
  location?: DecisionLocation;
}

/** The error code of a decision that needs an unknown `ActionType`. */
export const ACTION_TYPE_UNKNOWN = 'POL_ACTION_TYPE_UNKNOWN';

/** A decision plus the raw rule values, for `oclhub test`, `--format json` and debugging. */
export interface PolicyEvaluation extends PolicyDecision {
  /** The value of `evaluate` (undefined when undefined). */
  evaluate?: unknown;
  /** The value of `result` as JSON, when the conditions were evaluated and it was defined. */
  result?: unknown;
  /** The Rego error code behind an `error` outcome (`REGO_LIMIT`, `eval_conflict_error`, `rego_parse_error`, ...). */
  errorCode?: string;
}

interface CompiledModule {
  policy?: CompiledPolicy;
  error?: RegoError;
}

export interface CompiledPolicyModules {
  /** The content hash the compiled modules are cached under. */
  key: string;
  scope: CompiledModule | undefined;
  conditions: CompiledModule | undefined;
}

const CACHE_LIMIT = 1024;
const compiledCache = new Map<string, CompiledPolicyModules>();
/** Per-document shortcut, so evaluating one loaded policy many times does not re-hash its text. */
const byDocument = new WeakMap<PolicyDocument, PolicyMemo>();

interface PolicyMemo {
  scope: string;
  conditions: string;
  slug: string;
  compiled: CompiledPolicyModules;
  /** `data.<slug>.evaluate` and `data.<slug>.result`, built once (the engine caches compiled queries by text). */
  scopeQuery: string;
  resultQuery: string;
  mayRead?: { key: string; answer: boolean };
  /** Whether each module may read `ActionType` (`mayReadActionType`), worked out on first need. */
  readsActionType?: { scope: boolean; conditions: boolean };
  /** The input fields each module reads (`inputFieldsRead`), and its values kept for `reuseInputParts`. */
  scopeFields: string[] | undefined;
  conditionsFields: string[] | undefined;
  /** Both modules' fields together (`policyInputFields`). */
  inputFields: readonly string[] | undefined;
  scopeKnown: KnownValue[];
  conditionsKnown: KnownValue[];
  /** The skipped decision, for `reuseInputParts` callers (see `SharedDecision`). */
  skipped: SharedDecision | undefined;
}

/** The query text of a rule of a package, as the engine spells a ref (`data.a.b`, `data["a-b"]`). */
function ruleQuery(slug: string, rule: string): string {
  const segment = (s: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`);
  return `data${segment(slug)}${segment(rule)}`;
}

/** The content hash of a policy's Rego: equal hashes evaluate identically. */
export function policyContentHash(slug: string, scope: string | undefined, conditions: string | undefined): string {
  const h = createHash('sha256');
  for (const part of [slug, scope ?? '\u0000none', conditions ?? '\u0000none']) {
    h.update(String(part.length));
    h.update(':');
    h.update(part);
  }
  return h.digest('hex');
}

function compileModule(source: string | undefined, file: string): CompiledModule | undefined {
  if (source === undefined) return undefined;
  const r = compile([{ file, source }]);
  if (r.policy) return { policy: r.policy };
  return { error: r.diagnostics[0] ?? { code: 'rego_compile_error', message: 'the module does not compile' } };
}

/** Compiles both modules of a policy, reusing earlier compilations of the same content. */
export function compilePolicy(slug: string, scope: string | undefined, conditions: string | undefined): CompiledPolicyModules {
  const key = policyContentHash(slug, scope, conditions);
  const cached = compiledCache.get(key);
  if (cached) {
    // Refresh recency so a hot policy is not evicted by a stream of one-off ones.
    compiledCache.delete(key);
    compiledCache.set(key, cached);
    return cached;
  }
  const entry: CompiledPolicyModules = {
    key,
    scope: compileModule(scope, `${slug}.scope.rego`),
    conditions: compileModule(conditions, `${slug}.conditions.rego`),
  };
  if (compiledCache.size >= CACHE_LIMIT) compiledCache.delete(compiledCache.keys().next().value!);
  compiledCache.set(key, entry);
  return entry;
}

/** Number of compiled policies held (for tests and benches). */
export function compiledPolicyCacheSize(): number {
  return compiledCache.size;
}

export function clearCompiledPolicyCache(): void {
  compiledCache.clear();
}

/** Whether the decision stops the deployment: a blocking violation, or an error that blocks. */
export function decisionBlocks(decision: Pick<PolicyDecision, 'outcome' | 'action'>): boolean {
  return (decision.outcome === 'violation' || decision.outcome === 'error') && decision.action === 'block';
}

function slugOf(policy: EvaluablePolicy): string {
  return policy.slug ?? policy.document.slug ?? 'policy';
}

function where(policy: EvaluablePolicy, which: 'scope' | 'conditions', error: RegoError): string {
  const loc = error.location;
  const source: RegoSourceModel | undefined = policy.document[which];
  if (loc && source) {
    const range = regoToOclRange(source, loc.line, loc.column, 1, policy.lines);
    if (range && policy.file) return ` (${policy.file}:${range.start.line}:${range.start.column})`;
    return ` (${which} line ${loc.line}:${loc.column})`;
  }
  return '';
}

function describeError(policy: EvaluablePolicy, which: 'scope' | 'conditions', error: RegoError): string {
  const what = error.code === LIMIT_CODE ? 'hit an evaluation limit' : 'failed';
  return `${which} ${what}: ${error.message}${where(policy, which, error)}`;
}

function show(value: Value): string {
  const text = JSON.stringify(toJSON(value), (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function base(policy: EvaluablePolicy): Pick<PolicyDecision, 'policy' | 'policyName' | 'version'> {
  const out: Pick<PolicyDecision, 'policy' | 'policyName' | 'version'> = { policy: slugOf(policy) };
  if (policy.document.name !== undefined) out.policyName = policy.document.name;
  if (policy.version !== undefined) out.version = policy.version;
  return out;
}

/**
 * A decision without raw values (what lint keeps), its keys in one order (the policy's fields, the
 * outcome's, then what the decision or lint may add), every one of them in place from the start, an
 * absent one `undefined` (which JSON.stringify leaves out, as it does an absent key): 100,000
 * decisions of one object shape are read by the writers and the cache as one shape, instead of one
 * per combination of optional fields added later.
 */
function withBase(policy: EvaluablePolicy, fields: Pick<PolicyDecision, 'inScope' | 'allowed' | 'action' | 'outcome'>): PolicyEvaluation {
  return {
    policy: slugOf(policy),
    inScope: fields.inScope,
    allowed: fields.allowed,
    action: fields.action,
    outcome: fields.outcome,
    policyName: policy.document.name,
    version: policy.version,
    reason: undefined,
    needs: undefined,
    location: undefined,
  };
}

function errorDecision(policy: EvaluablePolicy, options: EvaluatePolicyOptions, message: string, code: string, extra: Partial<PolicyEvaluation> = {}): PolicyEvaluation {
  return {
    ...base(policy),
    inScope: true,
    allowed: false,
    action: options.onError ?? 'block',
    outcome: 'error',
    error: message,
    errorCode: code,
    ...extra,
  };
}

/** The message a violation shows when neither the result nor the policy gives one. */
export function defaultViolationReason(policy: Pick<PolicyDocument, 'name' | 'slug'>): string {
  return `Violates policy "${policy.name ?? policy.slug ?? 'policy'}"`;
}

interface ParsedResult {
  allowed: boolean;
  reason?: string;
  action?: PolicyAction;
}

/** Checks `result` against the documented output schema; a string says what is wrong. */
function parseResult(value: Value): ParsedResult | string {
  if (!isObject(value)) {
    return `result must be an object {"allowed": bool, "reason"?: string, "action"?: "block"|"warn"}, got ${show(value)}`;
  }
  // The three keys looked up directly (string keys only, as in the entries of the object).
  const allowed = objectGet(value, 'allowed');
  if (typeof allowed !== 'boolean') {
    return allowed === undefined ? `result has no "allowed" key: ${show(value)}` : `result.allowed must be a boolean, got ${show(allowed)}`;
  }
  const out: ParsedResult = { allowed };
  const reason = objectGet(value, 'reason');
  if (reason !== undefined) {
    if (typeof reason !== 'string') return `result.reason must be a string, got ${show(reason)}`;
    out.reason = reason;
  }
  const action = objectGet(value, 'action');
  if (action !== undefined) {
    if (action !== 'block' && action !== 'warn') return `result.action must be "block" or "warn", got ${show(action)}`;
    out.action = action;
  }
  return out;
}

/**
 * A module's value, and what `result` parses to (`parseResult`, worked out on first need): a value
 * reused for later inputs (`knownRuleValue`) is parsed once, not once per decision.
 */
interface DefinedRuleValue {
  value: Value | undefined;
  parsed: ParsedResult | string | undefined;
  /** The pass decision this `result` gave, for `reuseInputParts` callers (see `sharedDecision`). */
  passed: SharedDecision | undefined;
}

/**
 * A bare pass or skipped decision handed to every `reuseInputParts` caller whose input decides the
 * same (see that option): most of a lint's 100,000 decisions, each a new object before, and each then
 * compared field by field where the JSON report's writer looks for a repeat of the previous context.
 */
interface SharedDecision {
  policy: EvaluablePolicy;
  decision: PolicyEvaluation;
}

/** The kept decision when it was made for this very policy, with the fields it copied from it unchanged since; else undefined. */
function sharedDecision(kept: SharedDecision | undefined, policy: EvaluablePolicy, slug: string, action: PolicyAction): PolicyEvaluation | undefined {
  if (kept === undefined || kept.policy !== policy) return undefined;
  const d = kept.decision;
  return d.policy === slug && d.policyName === policy.document.name && d.version === policy.version && d.action === action ? d : undefined;
}

type RuleValue = DefinedRuleValue | { error: RegoError };

function ruleValue(policy: CompiledPolicy, query: string, input: Value, options: EvaluatePolicyOptions, reads?: string[][]): RuleValue {
  const evalOptions: Parameters<CompiledPolicy['eval']>[1] = { input, strict: options.strict ?? false };
  if (options.limits) evalOptions.limits = options.limits;
  if (options.nowNs !== undefined) evalOptions.nowNs = options.nowNs;
  if (reads) evalOptions.recordInputReads = true;
  const r = policy.evalFirst(query, evalOptions);
  if (reads && r.inputReads) reads.push(...r.inputReads);
  if (r.error) return { error: r.error };
  return { value: r.value, parsed: undefined, passed: undefined };
}

/** `result` as `parseResult` reads it, parsed once per rule value (values are never changed). */
function parsedResult(conditions: DefinedRuleValue): ParsedResult | string {
  return (conditions.parsed ??= parseResult(conditions.value!));
}

/**
 * The input fields a policy's decision depends on: those its scope and conditions modules read
 * (`inputFieldsRead`, judged from the text, conservative), sorted; undefined when either module may
 * read more or is volatile, or is missing. Two inputs whose values in these fields are the very same
 * get the same decision under the same options, as `reuseInputParts` relies on — except an error,
 * which may not happen again (a time limit). Kept with the policy's compiled modules (`policyMemo`).
 */
export function policyInputFields(policy: EvaluablePolicy): readonly string[] | undefined {
  const doc = policy.document;
  const scope = doc.scope?.rego;
  const conditions = doc.conditions?.rego;
  if (scope === undefined || conditions === undefined) return undefined;
  return policyMemo(policy, slugOf(policy), scope, conditions).inputFields;
}

/** An input field a module reads that the input does not have (distinct from a field set to `undefined`). */
const ABSENT = Symbol('absent');

/**
 * The input fields a module reads, judged from its text (conservative, like `mayReadUnknownInput`):
 * the names after every `input.`, sorted; undefined when it may read more — `input[...]`, `input` as
 * a value, `with input as`, `import input` — or when it is volatile (clock.ts: `time.now_ns` and the
 * other builtins whose answer can change between two evaluations of the same input).
 */
export function inputFieldsRead(source: string): string[] | undefined {
  return regoIsVolatile(source) ? undefined : inputFieldNames(source);
}

/** The names after every `input.` in a module's text, sorted; undefined where `input` stands without a field after it. */
function inputFieldNames(source: string): string[] | undefined {
  const fields = new Set<string>();
  for (const m of source.matchAll(/\binput\b(\s*\.\s*([A-Za-z_][A-Za-z0-9_]*))?/g)) {
    const name = m[2];
    if (name === undefined) return undefined;
    fields.add(name);
  }
  return [...fields].sort();
}

/** A module's value on inputs whose read fields are these very values. */
interface KnownValue {
  /** The input's value of each read field (`ABSENT` when it has none), compared by identity. */
  parts: unknown[];
  strict: boolean | undefined;
  limits: RegoLimits | undefined;
  nowNs: bigint | undefined;
  /** The module's value, returned as is to every input it is reused for (no object made per decision). */
  result: DefinedRuleValue;
  /** The input paths the evaluation read; undefined when they were not recorded. */
  reads: string[][] | undefined;
}

/** Values kept per module: lint's inputs share parts across environments (Steps) and projects (Environment). */
const KNOWN_PER_MODULE = 8;
const SCRATCH: unknown[] = [];

/**
 * A module's value, reused when an earlier input had the very same values (by identity) in every
 * field the module reads (`inputFieldsRead`) under the same options: only for callers that set
 * `reuseInputParts`, whose inputs' parts are never changed once evaluated. Errors are never kept (a
 * time limit may hit one evaluation and not the next).
 */
function knownRuleValue(
  policy: CompiledPolicy,
  query: string,
  fields: readonly string[],
  known: KnownValue[],
  input: Record<string, unknown>,
  options: EvaluatePolicyOptions,
  reads: string[][] | undefined,
): RuleValue {
  const n = fields.length;
  // The values are read into a scratch array (no allocation on a hit; evaluation never re-enters here).
  const parts = SCRATCH;
  for (let j = 0; j < n; j++) {
    const field = fields[j]!;
    const value = input[field];
    parts[j] = value === undefined && !Object.hasOwn(input, field) ? ABSENT : value;
  }
  for (let i = 0; i < known.length; i++) {
    const k = known[i]!;
    // The parts first: most entries differ there (a module reading Steps misses on each project's first
    // context, past every entry kept), while the options are the same throughout a lint.
    let j = 0;
    while (j < n && k.parts[j] === parts[j]) j++;
    if (j < n) continue;
    if (k.strict !== options.strict || k.limits !== options.limits || k.nowNs !== options.nowNs || (reads !== undefined && k.reads === undefined)) continue;
    if (reads && k.reads) reads.push(...k.reads);
    return k.result;
  }
  const kept = parts.slice(0, n);
  const own = reads ? ([] as string[][]) : undefined;
  const r = ruleValue(policy, query, input as Value, options, own);
  if (reads && own) reads.push(...own);
  if (!('error' in r)) {
    if (known.length >= KNOWN_PER_MODULE) known.pop();
    known.unshift({ parts: kept, strict: options.strict, limits: options.limits, nowNs: options.nowNs, result: r, reads: own });
  }
  return r;
}

/**
 * Whether Rego source may read one of the unknown input paths, judged from its text (conservative):
 * any `input` that is not followed by `.<name>` with a name outside the unknown roots — `input.Release`,
 * `input[...]`, `input` as a value, `with input as`, `import input…` — counts as a possible read.
 */
export function mayReadUnknownInput(source: string, unknown: readonly string[]): boolean {
  const roots = new Set(unknown.map((p) => p.split('.')[0]!));
  if (roots.has('')) return /\binput\b/.test(source);
  const fields = inputFieldNames(source);
  return fields === undefined || fields.some((name) => roots.has(name));
}

/**
 * Whether Rego source may read a step's `ActionType`, judged from its text (conservative, like
 * `mayReadUnknownInput`): the name `ActionType` anywhere (`s.ActionType`, `object.get(s, "ActionType", …)`),
 * `input` standing without a field after it (a whole value, a dynamic key, `with input as`), or `walk`.
 * Not seen here: a step's keys iterated by a variable (`some k; s[k]`) or a step object used whole;
 * the guarded input (action-type-guard.ts) refuses those while the policy runs.
 */
export function mayReadActionType(source: string): boolean {
  return /ActionType/.test(source) || /\bwalk\s*\(/.test(source) || inputFieldNames(source) === undefined;
}

/** The `fix` a decision on unknown action types names: one `step_template` block per template (three lines each, as OCL needs). */
export function declareStepTemplatesFix(steps: readonly UnknownActionType[]): string {
  const ids = [...new Set(steps.map((s) => s.templateId))];
  return ids.map((id) => `step_template ${JSON.stringify(id)} {\n    action_type = "..."\n}`).join('\n');
}

/** `step "approve" (step template "ActionTemplates-3")`, for the first few steps, and how many more. */
export function describeUnknownActionTypes(steps: readonly UnknownActionType[]): string {
  const listed = steps.slice(0, 3).map((s) => `step "${s.slug}" (step template "${s.templateId}")`);
  return `${listed.join(', ')}${steps.length > 3 ? ` and ${steps.length - 3} more` : ''}`;
}

function actionTypeUnknownDecision(policy: EvaluablePolicy, options: EvaluatePolicyOptions, steps: readonly UnknownActionTypeStep[], extra: Partial<PolicyEvaluation>): PolicyEvaluation {
  const message =
    `the policy may read ActionType, which is unknown for ${describeUnknownActionTypes(steps)}: Octopus writes no action_type for a step based on a step template, ` +
    `and oclhub.ocl does not declare the template's type, so oclhub fails closed. ` +
    `Declare it (Octopus.Manual, Octopus.Script, …) in oclhub.ocl:\n${declareStepTemplatesFix(steps)}`;
  const location = steps[0]?.location;
  return errorDecision(policy, options, message, ACTION_TYPE_UNKNOWN, { ...extra, ...(location ? { location } : {}) });
}

function readsActionType(memo: PolicyMemo): { scope: boolean; conditions: boolean } {
  return (memo.readsActionType ??= { scope: mayReadActionType(memo.scope), conditions: mayReadActionType(memo.conditions) });
}

function mayRead(memo: { scope: string; conditions: string; mayRead?: { key: string; answer: boolean } }, unknown: readonly string[]): boolean {
  // Callers pass the same few lists again and again: remember the last answer per policy.
  const key = unknown.length === 1 ? unknown[0]! : unknown.join('\u0000');
  if (memo.mayRead?.key !== key) memo.mayRead = { key, answer: mayReadUnknownInput(`${memo.scope}\n${memo.conditions}`, unknown) };
  return memo.mayRead.answer;
}

/** Error codes an absent input field can cause (an undefined or malformed result): inconclusive when it read unknown input. */
const ABSENCE_ERRORS = new Set(['POL_RESULT_UNDEFINED', 'POL_RESULT_SHAPE', 'POL_SCOPE_TYPE']);

/** Each list of unknown paths split into segments, once (lint passes the same list for every decision). */
const splitUnknown = new WeakMap<readonly string[], { paths: string[]; split: string[][] }>();

function unknownSegments(unknown: readonly string[]): string[][] {
  const known = splitUnknown.get(unknown);
  // The list is compared too: a caller may change its array in place.
  if (known && known.paths.length === unknown.length && known.paths.every((p, i) => p === unknown[i])) return known.split;
  const split = unknown.map((p) => (p === '' ? [] : p.split('.')));
  splitUnknown.set(unknown, { paths: [...unknown], split });
  return split;
}

/** The read paths that touch an unknown path (one is a prefix of the other), dotted. */
export function unknownReads(reads: readonly (readonly string[])[], unknown: readonly string[]): string[] {
  return touchingReads(reads, unknownSegments(unknown));
}

/**
 * `unknownReads` of an evaluation's reads, remembered for a single read path per path array: a reused
 * rule value (`knownRuleValue`) hands every decision the same arrays (the evaluator makes one per read
 * and nothing changes it), so a policy that reads `Release` without one (12,000 decisions on the
 * 1,000-project bench hub) had the same needs worked out each time. The list of unknown paths is
 * compared by identity and by its split (`unknownSegments` splits it again when changed in place).
 */
const singleReadNeeds = new WeakMap<readonly string[], { unknown: readonly string[]; split: string[][]; needs: readonly string[] }>();

function reusedValueNeeds(reads: readonly (readonly string[])[], unknown: readonly string[]): string[] {
  const paths = unknownSegments(unknown);
  if (reads.length !== 1) return touchingReads(reads, paths);
  const read = reads[0]!;
  const known = singleReadNeeds.get(read);
  if (known && known.unknown === unknown && known.split === paths) return known.needs.slice();
  const needs = touchingReads(reads, paths);
  singleReadNeeds.set(read, { unknown, split: paths, needs });
  return needs.slice();
}

function touchingReads(reads: readonly (readonly string[])[], paths: readonly string[][]): string[] {
  let out: Set<string> | undefined;
  for (const read of reads) {
    for (const path of paths) {
      // One is a prefix of the other: they agree up to the shorter one's length.
      const shorter = Math.min(read.length, path.length);
      let i = 0;
      while (i < shorter && read[i] === path[i]) i++;
      if (i === shorter) {
        (out ??= new Set()).add(read.join('.'));
        break;
      }
    }
  }
  return out ? [...out].sort() : [];
}

function settle(decision: PolicyEvaluation, reads: readonly string[][] | undefined, options: EvaluatePolicyOptions, policy: EvaluablePolicy): PolicyEvaluation {
  const doc = policy.document;
  if (!reads || !options.unknownInput || options.unknownInput.length === 0) return decision;
  if (decision.outcome === 'error' && !ABSENCE_ERRORS.has(decision.errorCode ?? '')) return decision;
  // Reads repeat only where rule values are reused: elsewhere every evaluation's path arrays are new.
  const needs = options.reuseInputParts ? reusedValueNeeds(reads, options.unknownInput) : unknownReads(reads, options.unknownInput);
  if (needs.length === 0) return decision;
  // Not a violation, so it blocks nothing: `allowed` stays true and the action is the policy's own.
  if (options.decisionOnly && decision.errorCode === undefined) {
    // A bare decision (`withBase`): the same keys in the same order as the general case below, without the copy.
    const bare = withBase(policy, { inScope: decision.inScope, allowed: true, action: doc.effectiveViolationAction, outcome: 'inconclusive' });
    bare.needs = needs;
    return bare;
  }
  const { reason: _reason, error: _error, errorCode: _code, ...rest } = decision;
  return { ...rest, allowed: true, action: doc.effectiveViolationAction, outcome: 'inconclusive', needs };
}

/** The policy's memo for these module texts and slug: made anew when they changed or the compiled modules left the cache. */
function policyMemo(policy: EvaluablePolicy, slug: string, scopeRego: string, conditionsRego: string): PolicyMemo {
  const doc = policy.document;
  let memo = byDocument.get(doc);
  if (!memo || memo.scope !== scopeRego || memo.conditions !== conditionsRego || memo.slug !== slug || !compiledCache.has(memo.compiled.key)) {
    const scopeFields = inputFieldsRead(scopeRego);
    const conditionsFields = inputFieldsRead(conditionsRego);
    memo = {
      scope: scopeRego,
      conditions: conditionsRego,
      slug,
      compiled: compilePolicy(slug, scopeRego, conditionsRego),
      scopeQuery: ruleQuery(slug, 'evaluate'),
      resultQuery: ruleQuery(slug, 'result'),
      scopeFields,
      conditionsFields,
      inputFields: scopeFields && conditionsFields ? Object.freeze([...new Set([...scopeFields, ...conditionsFields])].sort()) : undefined,
      scopeKnown: [],
      conditionsKnown: [],
      skipped: undefined,
    };
    byDocument.set(doc, memo);
  }
  return memo;
}

/**
 * Evaluates one policy on one input (a JSON value, as Octopus would build it). Never throws.
 * `options.onError` decides what error decisions do (default block).
 */
export function evaluatePolicy(policy: EvaluablePolicy, input: unknown, options: EvaluatePolicyOptions = {}): PolicyEvaluation {
  const slug = slugOf(policy);
  const doc = policy.document;
  const scopeRego = doc.scope?.rego;
  const conditionsRego = doc.conditions?.rego;
  if (scopeRego === undefined) return errorDecision(policy, options, 'the policy has no scope module (`scope { rego = … }`)', 'POL_NO_SCOPE');
  if (conditionsRego === undefined) {
    return errorDecision(policy, options, 'the policy has no conditions module (`conditions { rego = … }`)', 'POL_NO_CONDITIONS');
  }
  const memo = policyMemo(policy, slug, scopeRego, conditionsRego);
  const compiled = memo.compiled;
  // Checked before the loop over both modules: until V8 optimises this function (late in a lint, see
  // LINT_INTERRUPT_BUDGET), the loop made an array and an iterator on every decision.
  if (compiled.scope?.error !== undefined || compiled.conditions?.error !== undefined) {
    for (const which of ['scope', 'conditions'] as const) {
      const error = compiled[which]?.error;
      if (error) return errorDecision(policy, options, `${which} does not compile: ${error.message}${where(policy, which, error)}`, error.code);
    }
  }
  const unknownTypes = options.unknownActionTypes;
  const guarded = unknownTypes !== undefined && unknownTypes.length > 0;
  if (guarded && readsActionType(memo).scope) return withoutCode(actionTypeUnknownDecision(policy, options, unknownTypes, {}), options);
  // What the text check cannot see (a step's keys iterated, a step marshalled whole) the guard refuses.
  const evaluated = guarded ? guardUnknownActionTypes(input, unknownTypes) : input;
  const regoInput = fromJSON(evaluated);
  // Recording reads costs a little per read: only policies that may read unknown input pay it.
  const reads = options.unknownInput && options.unknownInput.length > 0 && mayRead(memo, options.unknownInput) ? ([] as string[][]) : undefined;
  const parts = options.reuseInputParts && evaluated !== null && typeof evaluated === 'object' && !Array.isArray(evaluated) ? (evaluated as Record<string, unknown>) : undefined;
  try {
    return withoutCode(settle(decideCompiled(policy, memo, regoInput, options, reads, parts), reads, options, policy), options);
  } catch (e) {
    // A rule value holding a guarded step, looked at whole after the evaluation (a result shown as JSON).
    if (guarded && e instanceof RegoEvalError && e.code === ACTION_TYPE_READ) return withoutCode(actionTypeReadDecision(policy, options, unknownTypes, {}), options);
    throw e;
  }
}

/** The error decision of an evaluation the guard refused, at the step it looked at when known. */
function actionTypeReadDecision(policy: EvaluablePolicy, options: EvaluatePolicyOptions, steps: readonly UnknownActionTypeStep[], extra: Partial<PolicyEvaluation>): PolicyEvaluation {
  const id = takeReadStepId();
  const read = steps.filter((s) => s.id === id);
  return actionTypeUnknownDecision(policy, options, read.length > 0 ? read : steps, extra);
}

/** The decision as returned: without the error code when only the decision is asked for. */
function withoutCode(decision: PolicyEvaluation, options: EvaluatePolicyOptions): PolicyEvaluation {
  if (options.decisionOnly && decision.errorCode !== undefined) delete decision.errorCode;
  return decision;
}

/** No field to add (only ever spread into a new object): one object instead of one per decision. */
const NO_FIELDS: Partial<PolicyEvaluation> = Object.freeze({});

function decideCompiled(
  policy: EvaluablePolicy,
  memo: PolicyMemo,
  regoInput: Value,
  options: EvaluatePolicyOptions,
  reads: string[][] | undefined,
  parts: Record<string, unknown> | undefined,
): PolicyEvaluation {
  const doc = policy.document;
  const { compiled, slug } = memo;
  const raw = !options.decisionOnly;
  const scope =
    parts && memo.scopeFields
      ? knownRuleValue(compiled.scope!.policy!, memo.scopeQuery, memo.scopeFields, memo.scopeKnown, parts, options, reads)
      : ruleValue(compiled.scope!.policy!, memo.scopeQuery, regoInput, options, reads);
  if ('error' in scope) {
    if (scope.error.code === ACTION_TYPE_READ && options.unknownActionTypes) return actionTypeReadDecision(policy, options, options.unknownActionTypes, {});
    return errorDecision(policy, options, describeError(policy, 'scope', scope.error), scope.error.code);
  }
  if (scope.value !== undefined && typeof scope.value !== 'boolean') {
    return errorDecision(policy, options, `scope: evaluate must be a boolean, got ${show(scope.value)}`, 'POL_SCOPE_TYPE', raw ? { evaluate: toJSON(scope.value) } : {});
  }
  const inScope = scope.value === true;
  const evaluateField: Partial<PolicyEvaluation> = scope.value === undefined || !raw ? NO_FIELDS : { evaluate: scope.value };
  if (!inScope && !options.ignoreScope) {
    if (!raw) {
      const action = doc.effectiveViolationAction;
      const kept = options.reuseInputParts ? sharedDecision(memo.skipped, policy, slug, action) : undefined;
      if (kept !== undefined) return kept;
      const skipped = withBase(policy, { inScope: false, allowed: true, action, outcome: 'skipped' });
      if (options.reuseInputParts) memo.skipped = { policy, decision: skipped };
      return skipped;
    }
    return { ...base(policy), inScope: false, allowed: true, action: doc.effectiveViolationAction, outcome: 'skipped', ...evaluateField };
  }
  const unknownTypes = options.unknownActionTypes;
  if (unknownTypes && unknownTypes.length > 0 && readsActionType(memo).conditions) return actionTypeUnknownDecision(policy, options, unknownTypes, { inScope, ...evaluateField });

  const conditions =
    parts && memo.conditionsFields
      ? knownRuleValue(compiled.conditions!.policy!, memo.resultQuery, memo.conditionsFields, memo.conditionsKnown, parts, options, reads)
      : ruleValue(compiled.conditions!.policy!, memo.resultQuery, regoInput, options, reads);
  if ('error' in conditions) {
    if (conditions.error.code === ACTION_TYPE_READ && unknownTypes) return actionTypeReadDecision(policy, options, unknownTypes, { inScope, ...evaluateField });
    return errorDecision(policy, options, describeError(policy, 'conditions', conditions.error), conditions.error.code, { inScope, ...evaluateField });
  }
  if (conditions.value === undefined) {
    return errorDecision(policy, options, 'conditions: result is undefined (no default and no rule matched); oclhub fails closed', 'POL_RESULT_UNDEFINED', {
      inScope,
      ...evaluateField,
    });
  }
  const parsed = parsedResult(conditions);
  if (typeof parsed === 'string') {
    return errorDecision(policy, options, `conditions: ${parsed}`, 'POL_RESULT_SHAPE', { inScope, ...(raw ? { result: toJSON(conditions.value) } : {}), ...evaluateField });
  }
  const action = parsed.action ?? doc.effectiveViolationAction;
  const share = !raw && options.reuseInputParts === true && parsed.allowed && inScope;
  if (share) {
    const kept = sharedDecision(conditions.passed, policy, slug, action);
    if (kept !== undefined && kept.reason === parsed.reason) return kept;
  }
  const outcome: DecisionOutcome = parsed.allowed ? 'pass' : 'violation';
  const decision: PolicyEvaluation = raw
    ? { ...base(policy), inScope, allowed: parsed.allowed, action, outcome, ...evaluateField, result: toJSON(conditions.value) }
    : withBase(policy, { inScope, allowed: parsed.allowed, action, outcome });
  if (parsed.allowed) {
    if (parsed.reason !== undefined) decision.reason = parsed.reason;
  } else {
    decision.reason = parsed.reason ?? doc.violationReason ?? defaultViolationReason({ name: doc.name, slug });
  }
  if (share) conditions.passed = { policy, decision };
  return decision;
}

/** Evaluates several policies on one input, in the given order. */
export function evaluatePolicies(policies: readonly EvaluablePolicy[], input: unknown, options: EvaluatePolicyOptions = {}): PolicyEvaluation[] {
  return policies.map((p) => evaluatePolicy(p, input, options));
}
