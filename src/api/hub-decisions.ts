/**
 * The decision endpoints over the façade: policy input, the pre-deployment gate, the compliance
 * matrix and the decision diff, plus policy activation (src/hub-activation.ts).
 *
 * Results are cached by what they depend on, never by time alone:
 * - the hub commit (oclhub.ocl, in-hub project files),
 * - the tag listing (published templates and policies: tags are immutable, but new ones appear when
 *   anyone publishes; the listing is re-read at most every `tagTtlMs`, and at once after a publish or
 *   activation through this server),
 * - which exceptions of oclhub.ocl are in force now (the only thing the clock changes),
 * - and the request itself.
 * A project in another repository is read at its own ref, which moves independently of the hub:
 * its evaluations and inputs are computed on every request, and hub-wide answers (compliance, diff)
 * of a hub with such projects are reused for EXTERNAL_TTL_MS only.
 * Entries are promises in a map: concurrent requests for one key share one evaluation, and a request
 * for a new commit never waits for anything but its own evaluation (there is no lock).
 */
import type { Diagnostic } from '../diagnostics.js';
import type { Hub } from '../hub/index.js';
import { activatePolicy } from '../hub/index.js';
import { registeredTargets, type LintProjectTarget, type TargetEvaluation } from '../lint/engine.js';
import type { DecisionChange, HubDiff } from '../lint/diff.js';
import { parseExpiry } from '../model/checks/hub-config.js';
import { CONTEXT_STATUSES, contextStatus, type ContextStatus, type PolicyDecision } from '../report/lint-report.js';
import { releaseVersionProblem } from '../policy/release-version.js';
import type { ActivationRequest, EvaluationRequest, HubPort, Identity, PolicyInputRequest } from './ports.js';
import { KeyedMutex } from './mutex.js';
import type { DecisionObserver } from './metrics.js';
import { ProblemError } from './problem.js';

const MAX_CACHED = 4096;
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
  /** Called after this server changed the repository (a commit or a tag). */
  changed(): void;
  /** The identity used when a caller's token carries none. */
  defaultAuthor?: Identity;
  /** Told about cache hits and computed evaluations (metrics). */
  observer?: DecisionObserver;
}

type DecisionMethods = Required<Pick<HubPort, 'policyInput' | 'evaluate' | 'compliance' | 'diff' | 'activatePolicy'>>;

/**
 * The verdict of one context (see `GateDecision`); a context that may not deploy for a reason its
 * decisions do not show (an error diagnostic of the project) is blocked.
 */
export function gateDecision(result: Pick<TargetEvaluation, 'allowed'>, decisions: readonly PolicyDecision[], errors?: readonly unknown[]): GateDecision {
  const status = contextStatus({ decisions: [...decisions], ...(errors && errors.length > 0 ? { errors: errors as Diagnostic[] } : {}) });
  if (!result.allowed && (status === 'allowed' || status === 'warned' || status === 'inconclusive')) return 'blocked';
  return status;
}

export function decisionMethods(deps: DecisionDeps): DecisionMethods {
  const cache = new Map<string, { value: Promise<unknown>; until: number }>();
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

  /**
   * `ttlMs`: how long an answer that depends on more than the hub commit may be reused (projects in
   * other repositories, whose branches move on their own); 0 computes every time.
   */
  async function cached<T>(h: Hub, parts: readonly string[], compute: () => Promise<T>, ttlMs = Infinity): Promise<T> {
    const tags = await deps.tagState();
    // No commit (a working tree): nothing identifies the content, so nothing is cached.
    if (h.commit === null || ttlMs <= 0) {
      deps.freshTags(h);
      return compute();
    }
    const key = [h.commit, tags, exceptionsInForce(h), ...parts].join('\u0000');
    const hit = cache.get(key) as { value: Promise<T>; until: number } | undefined;
    deps.observer?.cache(parts[0]!, hit !== undefined && (hit.until === Infinity || hit.until > Date.now()));
    if (hit && (hit.until === Infinity || hit.until > Date.now())) {
      // Keep hot entries from being evicted by a stream of one-off ones.
      cache.delete(key);
      cache.set(key, hit);
      return hit.value;
    }
    deps.freshTags(h);
    const value = compute();
    const entry = { value, until: ttlMs === Infinity ? Infinity : Date.now() + ttlMs };
    cache.set(key, entry);
    value.catch(() => {
      if (cache.get(key) === entry) cache.delete(key);
    });
    if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
    return value;
  }

  /** Projects in other repositories are read at their own (moving) ref: their answers are not cached. */
  function external(h: Hub, slug: string): boolean {
    return h.config?.projects.some((p) => p.slug === slug && p.repository !== undefined) ?? false;
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

  return {
    async policyInput(request: PolicyInputRequest): Promise<unknown | undefined> {
      const h = readable(await deps.at(request.ref));
      return cached(h, ['input', request.project, request.environment, request.tenant ?? ''], async () => {
        const found = await target(h, request.project);
        if (!found) return undefined;
        checkContext(h, request.environment, request.tenant);
        const result = await h.policyInput(found, { environment: request.environment, ...(request.tenant !== undefined ? { tenant: request.tenant } : {}) });
        if (!result.input) throw evaluationProblem(result.diagnostics);
        return result.input;
      }, external(h, request.project) ? 0 : Infinity);
    },

    async evaluate(request: EvaluationRequest): Promise<EvaluationResponse> {
      const h = readable(await deps.at(request.ref));
      const canonical = JSON.stringify([request.project, request.environment, request.tenant ?? null, request.release ?? null, request.runbook ?? null, request.skippedSteps ?? null]);
      return cached(h, ['evaluate', canonical], async () => {
        const found = await target(h, request.project);
        if (!found) throw projectNotFound(request.project, request.ref);
        checkContext(h, request.environment, request.tenant);
        const badVersion = request.release ? releaseVersionProblem(request.release.version) : undefined;
        if (badVersion !== undefined) throw new ProblemError('invalid-parameter', `release.version: ${badVersion}`);
        const result = await h.evaluate(found, {
          environment: request.environment,
          ...(request.tenant !== undefined ? { tenant: request.tenant } : {}),
          ...(request.release ? { release: { version: request.release.version, ...(request.release.gitRef !== undefined ? { gitRef: request.release.gitRef } : {}) } } : {}),
          ...(request.runbook !== undefined ? { runbook: request.runbook } : {}),
          ...(request.skippedSteps ? { skippedSteps: request.skippedSteps } : {}),
        });
        if (!result.evaluation) throw evaluationProblem(result.diagnostics);
        const policies = result.evaluation.decisions;
        deps.observer?.evaluated({ decision: gateDecision(result, policies), policies });
        return {
          decision: gateDecision(result, policies, result.evaluation.errors),
          allowed: result.allowed,
          project: request.project,
          environment: request.environment,
          ...(request.tenant !== undefined ? { tenant: request.tenant } : {}),
          ...(request.runbook !== undefined ? { runbook: request.runbook } : {}),
          commit: h.commit,
          hubRef: h.commit,
          policies,
          diagnostics: result.diagnostics,
          suppressed: result.suppressed,
          ...(result.evaluation.errors ? { errors: result.evaluation.errors } : {}),
        };
      }, external(h, request.project) ? 0 : Infinity);
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
