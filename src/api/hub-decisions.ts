/**
 * The decision endpoints over the façade: policy input, the pre-deployment gate, the compliance
 * matrix and the decision diff, plus policy activation (src/hub-activation.ts).
 *
 * Results are cached by what they depend on, never by time alone:
 * - the hub commit (oclhub.ocl, in-hub project files),
 * - the tag listing (published templates and policies: tags are immutable, but new ones appear when
 *   anyone publishes; the listing is re-read at most every `tagTtlMs`, and at once after a publish or
 *   activation through this server),
 * - which exceptions of oclhub.ocl are in force now (what the clock changes in oclhub.ocl),
 * - and the request itself.
 * Decisions of a hub state with a volatile active policy (one that reads the clock or chance:
 * src/policy/clock.ts, e.g. a deploy freeze on `time.now_ns`) depend on when they are asked: they
 * are computed on every request.
 * A project in another repository is read at its own ref, which moves independently of the hub:
 * its evaluations and inputs are computed on every request, and hub-wide answers (compliance, diff)
 * of a hub with such projects are reused for EXTERNAL_TTL_MS only.
 * Entries are promises in a map: concurrent requests for one key share one evaluation, and a request
 * for a new commit never waits for anything but its own evaluation (there is no lock).
 */
import type { Diagnostic } from '../diagnostics.js';
import type { Hub } from '../hub/index.js';
import type { HubProjectModel } from '../model/types.js';
import { activatePolicy } from '../hub/index.js';
import { LruMap } from '../git/lru.js';
import { registeredTargets, withFiles, type EvaluateTargetOptions, type LintProjectTarget, type TargetEvaluation } from '../lint/engine.js';
import type { DecisionChange, HubDiff } from '../lint/diff.js';
import { parseExpiry } from '../model/checks/hub-config.js';
import { CONTEXT_STATUSES, contextStatus, type ContextStatus, type PolicyDecision } from '../report/lint-report.js';
import { loadActivePolicies, type ActivePolicies } from '../policy/active.js';
import { anyPolicyVolatile } from '../policy/clock.js';
import { releaseVersionProblem } from '../policy/release-version.js';
import { mergeReleaseAnswer, releaseDependent } from './release-gate.js';
import type { ActivationRequest, EvaluationRequest, HubPort, Identity, PolicyInputAnswer, PolicyInputRequest } from './ports.js';
import { KeyedMutex } from './mutex.js';
import type { DecisionObserver } from './metrics.js';
import { ProblemError } from './problem.js';

const MAX_CACHED = 4096;
/** Gate answers kept by request bytes (see `cachedEvaluation`). */
const MAX_REQUEST_ANSWERS = 4096;
/** Hub states (commit × tag listing) whose active policies are kept loaded and compiled. */
const MAX_POLICY_SETS = 16;
/** Projects (hub commit × slug) kept read, their files in memory (a file map is also the resolution's cache key). */
const MAX_TARGETS = 2048;
/** How long hub-wide answers are reused when some project lives in another repository. */
const EXTERNAL_TTL_MS = 5000;

/**
 * The gate's verdict (`ContextStatus`): `error` (not decided: the process does not resolve),
 * `blocked` (a blocking violation, or a policy that cannot be evaluated: fail closed), `inconclusive`
 * (a decision needs input the request lacks, e.g. a release version; it blocks nothing), `warned` or
 * `allowed`. `allowed` (the boolean) is what a pipeline branches on: false for error and blocked.
 */
export type GateDecision = ContextStatus;

export interface EvaluationResponse {
  decision: GateDecision;
  allowed: boolean;
  project: string;
  environment: string;
  tenant?: string;
  runbook?: string;
  /** The hub commit the decision was made at. */
  commit: string | null;
  hubRef: string | null;
  policies: PolicyDecision[];
  diagnostics: Diagnostic[];
  /** Diagnostics a rule setting of oclhub.ocl turned off. */
  suppressed: Diagnostic[];
  /** Why the context could not be decided (decision `error`). */
  errors?: Diagnostic[];
}

export interface DecisionDeps {
  /** The base hub (the one the server was opened with). */
  hub: Hub;
  /** The hub at a ref (cached by commit). */
  at(ref: string | undefined): Promise<Hub>;
  /** Refreshes a hub's tag-based catalog when the tag listing may have changed. */
  freshTags(hub: Hub): void;
  /** A token that changes whenever the tag listing changes (re-read at most every TTL). */
  tagState(): Promise<string>;
  /**
   * The hub at the default branch when known without loading anything (its ref files read after the
   * request was received, its commit loaded), and the tag token while it is trusted: with both, a
   * request already answered in this state is answered without parsing it again
   * (`cachedEvaluation`). Absent: never.
   */
  currentHub?(): Promise<Hub | undefined>;
  trustedTagState?(): string | undefined;
  /** Called after this server changed the repository (a commit or a tag). */
  changed(): void;
  /** The identity used when a caller's token carries none. */
  defaultAuthor?: Identity;
  /** Told about cache hits and computed evaluations (metrics). */
  observer?: DecisionObserver;
}

type DecisionMethods = Required<Pick<HubPort, 'policyInput' | 'evaluate' | 'cachedEvaluation' | 'compliance' | 'diff' | 'activatePolicy'>>;

/**
 * The verdict of one context (see `GateDecision`); a context that may not deploy for a reason its
 * decisions do not show (an error diagnostic of the project) is blocked.
 */
export function gateDecision(result: Pick<TargetEvaluation, 'allowed'>, decisions: readonly PolicyDecision[], errors?: readonly unknown[]): GateDecision {
  const status = contextStatus({ decisions: [...decisions], ...(errors && errors.length > 0 ? { errors: errors as Diagnostic[] } : {}) });
  if (!result.allowed && (status === 'allowed' || status === 'warned' || status === 'inconclusive')) return 'blocked';
  return status;
}

/** The part of every decision cache key that is the hub state: commit, tag listing token, exceptions in force. */
function stateKey(commit: string, tags: string, exceptions: string): string {
  return `${commit}\u0000${tags}\u0000${exceptions}`;
}

export function decisionMethods(deps: DecisionDeps): DecisionMethods {
  const cache = new LruMap<string, { value: Promise<unknown>; until: number }>();
  const activePolicySets = new LruMap<string, Promise<ActivePolicies>>();
  /** Hub states (commit × tag listing) → whether an active policy is volatile (see the file comment). */
  const volatileStates = new LruMap<string, boolean>();
  const projectTargets = new LruMap<string, Promise<LintProjectTarget | undefined>>();
  const inForceByHub = new WeakMap<Hub, number[]>();
  /** Activations by this server edit one file: one at a time (other writers are met by compare-and-swap). */
  const activationLock = new KeyedMutex();

  /** Which exceptions are in force now, as a short string (part of every key). */
  function exceptionsInForce(h: Hub): string {
    let expiries = inForceByHub.get(h);
    if (!expiries) {
      expiries = (h.config?.exceptions ?? []).map((e) => (e.expires !== undefined ? (parseExpiry(e.expires)?.getTime() ?? -Infinity) : Infinity));
      inForceByHub.set(h, expiries);
    }
    const now = Date.now();
    let out = '';
    for (const expiry of expiries) out += expiry > now ? '1' : '0';
    return out;
  }

  /** Gate answers by the request's exact bytes (see `cachedEvaluation`), with the hub state they were decided in. */
  const requestAnswers = new LruMap<string, { state: string; answer: EvaluationResponse }>();
  /** The last state `currentState` built, reused while its parts are the same objects. */
  let lastState: { h: Hub; tags: string; exceptions: string; key: string | undefined } | undefined;
  // A corrupt object moves the tag token (hub-port.ts), so no state matches again; free the answers too.
  deps.hub.store.onCorruptObject(() => {
    requestAnswers.clear();
    lastState = undefined;
  });

  /**
   * The default branch's decision state now — commit (`h`, from `currentHub`), tag listing,
   * exceptions in force — as the key prefix `cached` uses, when all of it is known without waiting
   * and its decisions may be kept (no volatile policy, oclhub.ocl readable); undefined otherwise.
   */
  function currentState(h: Hub | undefined): string | undefined {
    if (h === undefined || h.commit === null) return undefined;
    const tags = deps.trustedTagState?.();
    if (tags === undefined) return undefined;
    const exceptions = exceptionsInForce(h);
    if (lastState === undefined || lastState.h !== h || lastState.tags !== tags || lastState.exceptions !== exceptions) {
      const volatile = volatileStates.peek(`${h.commit}\u0000${tags}`);
      // Volatility not known yet (the slow path learns it), or volatile: nothing to answer from.
      if (volatile !== false || h.configErrors.length > 0) return undefined;
      lastState = { h, tags, exceptions, key: stateKey(h.commit, tags, exceptions) };
    }
    return lastState.key;
  }

  /**
   * `ttlMs`: how long an answer that depends on more than the hub commit may be reused (projects in
   * other repositories, whose branches move on their own); 0 computes every time.
   */
  async function cached<T>(h: Hub, parts: readonly string[], compute: () => Promise<T>, ttlMs = Infinity, cachedIn?: (state: string) => void): Promise<T> {
    const tags = await deps.tagState();
    // No commit (a working tree): nothing identifies the content, so nothing is cached.
    if (h.commit === null || ttlMs <= 0) {
      deps.freshTags(h);
      return compute();
    }
    // Inputs are not decisions: the clock changes nothing in them.
    if (parts[0] !== 'input' && (volatileStates.get(`${h.commit}\u0000${tags}`) ?? (await volatileState(h, h.commit, tags)))) {
      deps.freshTags(h);
      return compute();
    }
    const state = stateKey(h.commit, tags, exceptionsInForce(h));
    const key = `${state}\u0000${parts.join('\u0000')}`;
    // Kept until nothing but time could change it: the caller may remember the answer by this state.
    if (ttlMs === Infinity) cachedIn?.(state);
    // A hit marks the entry recent, so a stream of one-off keys (a new release per deployment) does not evict it.
    const hit = cache.get(key) as { value: Promise<T>; until: number } | undefined;
    const fresh = hit !== undefined && (hit.until === Infinity || hit.until > Date.now());
    deps.observer?.cache(parts[0]!, fresh);
    if (fresh) return hit.value;
    deps.freshTags(h);
    const value = compute();
    const entry = { value, until: ttlMs === Infinity ? Infinity : Date.now() + ttlMs };
    cache.set(key, entry);
    value.catch(() => {
      if (cache.peek(key) === entry) cache.delete(key);
    });
    if (cache.size > MAX_CACHED) cache.delete(cache.oldest()![0]);
    return value;
  }

  /** Keeps `value` under `key` in a bounded map, forgetting it if it fails. */
  function remember<T>(map: LruMap<string, Promise<T>>, key: string, limit: number, load: () => Promise<T>): Promise<T> {
    const known = map.get(key);
    if (known) return known;
    const value = load();
    map.set(key, value);
    value.catch(() => {
      if (map.peek(key) === value) map.delete(key);
    });
    if (map.size > limit) map.delete(map.oldest()![0]);
    return value;
  }

  /**
   * The active policies at a hub commit and tag listing, loaded (read, validated, compiled) once. Only
   * a clean load is reused: one with errors (a missing tag, a policy file that does not parse) is left
   * to the evaluation, which reports them with the decision.
   */
  async function activePolicies(h: Hub, tags: string): Promise<ActivePolicies | undefined> {
    if (h.commit === null) return undefined;
    const active = await policySet(h, h.commit, tags);
    return active.diagnostics.some((d) => d.severity !== 'info') ? undefined : active;
  }

  /** The active policies of a hub state (commit × tag listing) as loaded, errors included: loaded once. */
  function policySet(h: Hub, commit: string, tags: string): Promise<ActivePolicies> {
    return remember(activePolicySets, `${commit}\u0000${tags}`, MAX_POLICY_SETS, () => loadActivePolicies({ store: h.store, ref: commit, ...(h.config ? { config: h.config } : {}) }));
  }

  /**
   * Whether the hub state's active policies include a volatile one. Policies that cannot be loaded
   * count as volatile: nothing is cached, and the evaluation reports why they did not load.
   */
  async function volatileState(h: Hub, commit: string, tags: string): Promise<boolean> {
    let volatile: boolean;
    try {
      volatile = anyPolicyVolatile((await policySet(h, commit, tags)).policies);
    } catch {
      return true;
    }
    volatileStates.set(`${commit}\u0000${tags}`, volatile);
    if (volatileStates.size > MAX_POLICY_SETS) volatileStates.delete(volatileStates.oldest()![0]);
    return volatile;
  }

  const projectsBySlug = new WeakMap<Hub, Map<string, HubProjectModel>>();

  /** Projects in other repositories are read at their own (moving) ref: their answers are not cached. */
  function external(h: Hub, slug: string): boolean {
    let bySlug = projectsBySlug.get(h);
    if (!bySlug) projectsBySlug.set(h, (bySlug = new Map((h.config?.projects ?? []).map((p) => [p.slug, p]))));
    return bySlug.get(slug)?.repository !== undefined;
  }

  function anyExternal(h: Hub): boolean {
    return h.config?.projects.some((p) => p.repository !== undefined) ?? false;
  }

  /** The registered project as a target (its files listed by blob id, read only when evaluated). */
  async function target(h: Hub, slug: string): Promise<LintProjectTarget | undefined> {
    if (!h.config?.projects.some((p) => p.slug === slug)) return undefined;
    const { targets, diagnostics } = await registeredTargets(h, { only: [slug], lazy: true });
    const found = targets[0];
    if (!found) throw new ProblemError('evaluation-failed', diagnostics[0]?.summary ?? `Project "${slug}" cannot be read`, { errors: diagnostics, code: diagnostics[0]?.code ?? 'HUB002' });
    return found;
  }

  /**
   * A project in the hub, read once per hub commit with its files: every environment, tenant and
   * release of it shares one file map, and so one template resolution (Hub.reuseResolutions).
   * Projects in other repositories are read afresh (their refs move on their own). The tag state is
   * part of the key only so that a corrupt object, which moves it, makes every project read again.
   */
  function projectTarget(h: Hub, slug: string, tags: string): Promise<LintProjectTarget | undefined> {
    if (h.commit === null || external(h, slug)) return target(h, slug);
    return remember(projectTargets, `${h.commit}\u0000${tags}\u0000${slug}`, MAX_TARGETS, async () => {
      const found = await target(h, slug);
      return found && withFiles(found);
    });
  }

  /** 404 for an environment or tenant oclhub.ocl does not declare. */
  function checkContext(h: Hub, environment: string, tenant: string | undefined): void {
    const where = h.commit ?? 'the working tree';
    if (!h.config?.environments.some((e) => e.slug === environment)) {
      const known = (h.config?.environments ?? []).map((e) => e.slug);
      throw new ProblemError('not-found', `No environment "${environment}" in oclhub.ocl at ${where}${known.length ? ` (environments: ${known.join(', ')})` : ''}`);
    }
    if (tenant !== undefined && !h.config.tenants.some((t) => t.slug === tenant)) {
      const known = h.config.tenants.map((t) => t.slug);
      throw new ProblemError('not-found', `No tenant "${tenant}" in oclhub.ocl at ${where}${known.length ? ` (tenants: ${known.join(', ')})` : ''}`);
    }
  }

  /** A hub whose oclhub.ocl does not parse answers nothing: the syntax error is the answer (422). */
  function readable(h: Hub): Hub {
    const errors = h.configErrors;
    if (errors.length > 0) throw new ProblemError('evaluation-failed', `oclhub.ocl at ${h.commit ?? 'the working tree'} cannot be read: ${errors[0]!.summary}`, { errors, code: errors[0]!.code });
    return h;
  }

  function projectNotFound(slug: string, ref: string | undefined): ProblemError {
    return new ProblemError('not-found', `No project "${slug}" in oclhub.ocl at ${ref ?? 'the default branch'}`);
  }

  /** Diagnostics that stopped an evaluation → a problem (an unknown runbook is a 404). */
  function evaluationProblem(diagnostics: readonly Diagnostic[]): ProblemError {
    const first = diagnostics.find((d) => d.severity === 'error');
    const name = first?.code === 'HUB005' && /runbook/.test(first.summary) ? 'not-found' : 'evaluation-failed';
    return new ProblemError(name, first?.summary ?? 'The project cannot be evaluated', { errors: [...diagnostics], ...(first ? { code: first.code } : {}) });
  }

  /**
   * The gate computed: the project at the hub commit (read once per commit), the active policies
   * (loaded once per commit and tag listing) or, with `only`, those of them it selects.
   */
  async function evaluateNow(h: Hub, request: EvaluationRequest, only?: (policy: string) => boolean): Promise<EvaluationResponse> {
    const tags = await deps.tagState();
    const found = await projectTarget(h, request.project, tags);
    if (!found) throw projectNotFound(request.project, request.ref);
    checkContext(h, request.environment, request.tenant);
    const active = await activePolicies(h, tags);
    if (only && !active) throw new Error('a subset of the active policies was asked for, but they did not load cleanly');
    const policies = active && (only ? active.policies.filter((p) => only(p.slug)) : active.policies);
    const options: EvaluateTargetOptions = {
      environment: request.environment,
      ...(request.tenant !== undefined ? { tenant: request.tenant } : {}),
      ...(request.release ? { release: { version: request.release.version, ...(request.release.gitRef !== undefined ? { gitRef: request.release.gitRef } : {}) } } : {}),
      ...(request.runbook !== undefined ? { runbook: request.runbook } : {}),
      ...(request.skippedSteps ? { skippedSteps: request.skippedSteps } : {}),
      ...(policies ? { policies } : {}),
    };
    const result = await h.evaluate(found, options);
    if (!result.evaluation) throw evaluationProblem(result.diagnostics);
    const decisions = result.evaluation.decisions;
    deps.observer?.evaluated({ decision: gateDecision(result, decisions), policies: decisions });
    return {
      decision: gateDecision(result, decisions, result.evaluation.errors),
      allowed: result.allowed,
      project: request.project,
      environment: request.environment,
      ...(request.tenant !== undefined ? { tenant: request.tenant } : {}),
      ...(request.runbook !== undefined ? { runbook: request.runbook } : {}),
      commit: h.commit,
      hubRef: h.commit,
      policies: decisions,
      diagnostics: result.diagnostics,
      suppressed: result.suppressed,
      ...(result.evaluation.errors ? { errors: result.evaluation.errors } : {}),
    };
  }

  return {
    async policyInput(request: PolicyInputRequest): Promise<PolicyInputAnswer | undefined> {
      const h = readable(await deps.at(request.ref));
      return cached(h, ['input', request.project, request.environment, request.tenant ?? ''], async () => {
        const found = await target(h, request.project);
        if (!found) return undefined;
        checkContext(h, request.environment, request.tenant);
        const result = await h.policyInput(found, { environment: request.environment, ...(request.tenant !== undefined ? { tenant: request.tenant } : {}) });
        if (!result.input) throw evaluationProblem(result.diagnostics);
        // As `oclhub input` prints it: a step whose ActionType the input leaves out reads as '' to a policy.
        return { input: result.input, warnings: result.diagnostics.filter((d) => d.code === 'SEM043') };
      }, external(h, request.project) ? 0 : Infinity);
    },

    async cachedEvaluation(requestKey: string): Promise<EvaluationResponse | undefined> {
      const known = requestAnswers.get(requestKey);
      if (known === undefined || deps.currentHub === undefined) return undefined;
      if (known.state !== currentState(await deps.currentHub())) return undefined;
      deps.observer?.cache('evaluate', true);
      return known.answer;
    },

    async evaluate(request: EvaluationRequest, requestKey?: string): Promise<EvaluationResponse> {
      const h = readable(await deps.at(request.ref));
      const badVersion = request.release ? releaseVersionProblem(request.release.version) : undefined;
      if (badVersion !== undefined) throw new ProblemError('invalid-parameter', `release.version: ${badVersion}`);
      const isExternal = external(h, request.project);
      // The state the answer is kept under, when it is (the default branch only: that is what cachedEvaluation checks).
      let state: string | undefined;
      const keptIn = requestKey !== undefined && request.ref === undefined ? (s: string) => void (state = s) : undefined;
      const remembered = async (answer: Promise<EvaluationResponse>): Promise<EvaluationResponse> => {
        const value = await answer;
        if (state !== undefined) {
          requestAnswers.set(requestKey!, { state, answer: value });
          if (requestAnswers.size > MAX_REQUEST_ANSWERS) requestAnswers.delete(requestAnswers.oldest()![0]);
        }
        return value;
      };
      const answer = (release: EvaluationRequest['release'], cachedIn?: (state: string) => void): Promise<EvaluationResponse> => {
        const canonical = JSON.stringify([request.project, request.environment, request.tenant ?? null, release ?? null, request.runbook ?? null, request.skippedSteps ?? null]);
        return cached(h, ['evaluate', canonical], () => evaluateNow(h, { ...request, ...(release ? { release } : { release: undefined }) }), isExternal ? 0 : Infinity, cachedIn);
      };
      // A runbook run has no release; a project elsewhere is evaluated afresh anyway.
      if (!request.release || request.runbook !== undefined || isExternal || h.commit === null) return remembered(answer(request.release, keptIn));
      const release = request.release;
      return remembered(cached(h, ['evaluate', JSON.stringify([request.project, request.environment, request.tenant ?? null, release, null, request.skippedSteps ?? null])], async () => {
        const base = await answer(undefined);
        const dependent = releaseDependent(base);
        if (dependent.size === 0) return base;
        // Policies that did not load cleanly are reported by a full evaluation.
        if (!(await activePolicies(h, await deps.tagState()))) return evaluateNow(h, request);
        const withRelease = await evaluateNow(h, request, (policy) => dependent.has(policy));
        const merged = mergeReleaseAnswer(base, withRelease, dependent);
        return { ...base, ...merged, decision: gateDecision(merged, merged.policies, merged.errors) };
      }, Infinity, keptIn));
    },

    async compliance(ref?: string): Promise<unknown> {
      const h = readable(await deps.at(ref));
      return cached(h, ['compliance'], async () => {
        const matrix = await h.compliance({ cacheDir: false });
        const environments = (h.config?.environments ?? []).map((e) => e.slug);
        // Worse statuses first in CONTEXT_STATUSES: a lower index wins.
        const rank = (status: ContextStatus) => CONTEXT_STATUSES.length - CONTEXT_STATUSES.indexOf(status);
        const byProject = new Map<string, Record<string, ContextStatus>>();
        for (const project of h.config?.projects ?? []) byProject.set(project.slug, {});
        const summary: Record<ContextStatus, number> = { allowed: 0, warned: 0, inconclusive: 0, error: 0, blocked: 0 };
        for (const row of matrix.rows) {
          summary[row.status]++;
          const cells = byProject.get(row.project) ?? {};
          byProject.set(row.project, cells);
          // Tenanted rows fold into the project × environment cell: the worst status shows.
          const was = cells[row.environment];
          if (was === undefined || rank(row.status) > rank(was)) cells[row.environment] = row.status;
        }
        return {
          commit: h.commit,
          hubRef: h.commit,
          environments,
          matrix: [...byProject].map(([project, cells]) => ({ project, environments: cells })),
          summary,
          rows: matrix.rows,
          diagnostics: matrix.diagnostics,
          suppressed: matrix.suppressed,
        };
      }, anyExternal(h) ? EXTERNAL_TTL_MS : Infinity);
    },

    async diff(from: string, to: string): Promise<unknown> {
      if (/^https?:\/\//i.test(deps.hub.location)) throw new ProblemError('not-implemented', 'Decision diffs need a hub served from a folder');
      // Unknown refs are 404s (GitStoreError), before anything is evaluated.
      const [a, b] = await Promise.all([deps.hub.store.resolveRef(from), deps.hub.store.resolveRef(to)]);
      if (a.oid === null || b.oid === null) throw new ProblemError('invalid-parameter', 'Decision diffs compare commits: name branches, tags or commits');
      const h = await deps.at(to);
      return cached(h, ['diff', a.oid], async () => {
        const result: HubDiff = await deps.hub.diff(a.oid!, b.oid!);
        const count = (kind: DecisionChange['kind']) => result.changes.filter((c) => c.kind === kind).length;
        return {
          from,
          to,
          commitFrom: result.commitA ?? a.oid,
          commitTo: result.commitB ?? b.oid,
          summary: { newlyBlocked: count('newly-blocked'), newlyAllowed: count('newly-allowed'), changed: count('changed'), reasonChanged: count('reason-changed'), inconclusive: count('inconclusive') },
          contexts: result.contexts,
          changes: result.changes,
          diagnostics: result.diagnostics,
        };
      }, anyExternal(h) ? EXTERNAL_TTL_MS : Infinity);
    },

    async activatePolicy(request: ActivationRequest): Promise<unknown> {
      // A remote hub is a local clone here: a commit to it would never reach the hub.
      if (/^https?:\/\//i.test(deps.hub.location)) throw new ProblemError('not-implemented', 'Policy activation commits to the hub: serve the hub from its folder to activate policies');
      const h = await deps.at(undefined);
      const author = request.author ?? deps.defaultAuthor ?? (await h.defaultPublisher(process.env)) ?? { name: 'oclhub', email: 'oclhub@localhost' };
      const result = await activationLock.run('oclhub.ocl', () => activatePolicy(h, { slug: request.slug, version: request.version, author }));
      if (!result.ok) {
        const name = result.refusal === 'unknown-policy' ? 'not-found' : result.refusal === 'not-published' ? 'version-not-published' : 'conflict';
        throw new ProblemError(name, result.diagnostics[0]?.summary, { errors: result.diagnostics, code: result.diagnostics[0]?.code ?? 'HUB010' });
      }
      if (result.changed) deps.changed();
      return result;
    },
  };
}
