/**
 * The dependency endpoint's port method over the façade: a hub's dependencies are read once per commit
 * (every project's deployment process, for the Verify Dependencies JSON) and each request builds its
 * project's report from them. A working-tree hub (no commit) is read afresh each time.
 */
import { buildDependencyReport, loadDependencies, type DependencySet } from '../deps/index.js';
import type { Hub } from '../hub/index.js';
import type { DependenciesRequest, HubPort } from './ports.js';
import { ProblemError } from './problem.js';

export function dependencyMethods(deps: { at(ref: string | undefined): Promise<Hub> }): Required<Pick<HubPort, 'dependencies'>> {
  const byHub = new WeakMap<Hub, Promise<DependencySet>>();
  const setOf = (h: Hub): Promise<DependencySet> => {
    if (h.commit === null) return loadDependencies(h);
    let set = byHub.get(h);
    if (!set) {
      set = loadDependencies(h);
      byHub.set(h, set);
      set.catch(() => byHub.delete(h));
    }
    return set;
  };
  return {
    async dependencies(request: DependenciesRequest): Promise<unknown | undefined> {
      const h = await deps.at(request.ref);
      const set = await setOf(h);
      if (!set.index.project(request.project)) return undefined;
      const built = buildDependencyReport(set, {
        project: request.project,
        ...(request.environment !== undefined ? { environment: request.environment } : {}),
        ...(request.tenant !== undefined ? { tenant: request.tenant } : {}),
      });
      if ('error' in built) throw new ProblemError('not-found', built.error);
      return { commit: h.commit, ...built.report };
    },
  };
}
