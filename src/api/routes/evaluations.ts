/** The pre-deployment gate: may project P deploy to environment E? */
import { cachedJson } from '../cached-json.js';
import type { EvaluationRequest } from '../ports.js';
import type { RouterContext, RouteSpec } from '../router.js';
import { notImplemented } from './stubs.js';

export function evaluationRoutes(ctx: RouterContext): RouteSpec[] {
  const { port } = ctx;
  return [
    {
      method: 'post',
      path: '/api/evaluations',
      tag: 'evaluations',
      scope: 'read',
      summary: 'Evaluate the active policies for a deployment or runbook run: allowed, warned or blocked, with per-policy results',
      body: 'evaluation-request',
      implemented: port.evaluate !== undefined,
      description:
        'The pre-deployment gate a pipeline calls. A blocked deployment is HTTP 200 with `decision: "blocked"`: the status says whether the question could be answered, `decision` is the answer — `error` when the process does not resolve (`errors` says why), `inconclusive` when a policy read `input.Release` and the request has no `release` (it blocks nothing), `warned`, `allowed`; `allowed` is false exactly for blocked and error. A `release.version` Octopus would not accept is a 400. Without `ref` the hub\'s default branch is re-read, so a fix committed to the hub is seen by the next call. Results are cached by hub commit, tag listing, exceptions in force and request.',
      responses: {
        200: { description: 'The decision (allowed, warned, inconclusive, blocked or error) with every active policy\'s result', schema: 'evaluation-response' },
        400: { description: 'A release version Octopus would not accept', schema: 'problem' },
        404: { description: 'Unknown project, environment, tenant, runbook or ref', schema: 'problem' },
        422: { description: 'The project cannot be evaluated (it has no deployment process; its registered folder is missing or holds no project files)', schema: 'problem' },
      },
      // A request answered before in the hub's current state (same commit, tags, exceptions in force) is answered again from its bytes.
      ...(port.cachedEvaluation
        ? {
            answerFromBody: async (c, bodyKey) => {
              const known = await port.cachedEvaluation!(bodyKey);
              return known === undefined ? undefined : cachedJson(c, known as object);
            },
          }
        : {}),
      handler: async (c) => {
        if (!port.evaluate) return notImplemented(c, 'policy evaluation');
        return cachedJson(c, (await port.evaluate(c.get('body') as EvaluationRequest, c.get('bodyKey'))) as object);
      },
    },
  ];
}
