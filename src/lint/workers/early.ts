/**
 * Whether the CLI starts lint worker threads before it opens the hub (see `StartedWorkers` in
 * pool.ts): a worker's start takes about as long as the CLI's own set-up before the projects are
 * scheduled (keying the report, opening the hub, reading the policies), so started then, it is ready
 * when the projects are. Decided before anything is parsed, from the hub's oclhub.ocl as text; the
 * engine decides again from the projects it has to evaluate and ends the threads it does not need.
 */
import { workerCount } from './jobs.js';

/**
 * Decisions a whole-hub lint of the hub whose oclhub.ocl is `configText` would make, estimated from
 * its top-level blocks without parsing it: projects × environments × policies (a project restricted to
 * fewer environments, or run for tenants, makes it an estimate). `environments`: the run's
 * `--environment` filter, when it has one.
 */
export function estimatedDecisions(configText: string, environments?: number): number {
  const blocks = (kind: string) => configText.match(new RegExp(`^${kind}[ \\t]+"`, 'gm'))?.length ?? 0;
  return blocks('project') * Math.max(1, environments ?? blocks('environment')) * blocks('policy');
}

/**
 * Worker threads to start early for a run of `jobs` threads over the hub whose oclhub.ocl is
 * `configText`, linting 1/`shards` of its projects (in `environments` of them when the run names
 * some): none unless the estimate reaches a worker's worth.
 */
export function earlyWorkerCount(jobs: number, configText: string, run: { shards?: number; environments?: number } = {}): number {
  return workerCount(jobs, estimatedDecisions(configText, run.environments) / (run.shards ?? 1));
}
