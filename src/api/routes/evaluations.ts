/** The pre-deployment gate: may project P deploy to environment E? */
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
      responses: { 200: { description: 'The decision' }, 501: { description: 'Not provided by this hub yet', schema: 'problem' } },
      handler: async (c) => {
        if (!port.evaluate) return notImplemented(c, 'policy evaluation');
        return c.json((await port.evaluate(c.get('body') as EvaluationRequest)) as object);
      },
    },
  ];
}
