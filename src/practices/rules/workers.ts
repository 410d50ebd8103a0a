/** Steps that run on a worker without saying which worker pool (BP006). */
import { isWorkerExecuted } from '../../model/checks/template.js';
import { actionsOf } from '../processes.js';
import type { ProjectRule } from '../rule.js';
import { practiceCode } from '../codes.js';

export const workerStepWithoutPool: ProjectRule = {
  ...practiceCode('BP006'),
  name: 'worker-step-without-pool',
  scope: 'project',
  check(project, ctx) {
    for (const { document, action, name } of actionsOf(project)) {
      if (!isWorkerExecuted(action)) continue;
      if ((action.workerPool ?? '').trim() !== '' || (action.workerPoolVariable ?? '').trim() !== '') continue;
      const range = action.properties.ranges['Octopus.Action.RunOnServer'] ?? action.labelRange ?? action.headerRange;
      ctx.report(`"${name}" runs on a worker but names no worker pool`, ctx.at(project, document.file, range), {
        detail:
          "It runs on the space's default worker pool, which can change under it (and on Octopus Cloud is the hosted pool). " +
          'Name the pool with `worker_pool`, or a WorkerPool variable with `worker_pool_variable`.',
      });
    }
  },
};
