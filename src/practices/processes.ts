/** The processes of a project's documents: its deployment process and every runbook's process. */
import type { ActionModel, ProcessModel, StepModel } from '../model/types.js';
import type { PracticeDocument, PracticeProject } from './types.js';

export interface ProjectProcess {
  document: PracticeDocument;
  kind: 'deployment_process' | 'runbook';
  process: ProcessModel;
}

/**
 * While `withProjectLists` runs for a project: its processes and actions, listed on first use. Most
 * project rules walk the same lists; the rules are synchronous and read their input only, so the
 * lists cannot change while they run.
 */
let lists: { project: PracticeProject; processes?: ProjectProcess[]; actions?: ProjectAction[] } | undefined;

/** Runs `run` (the project rules for `project`) with the project's processes and actions listed once. */
export function withProjectLists<T>(project: PracticeProject, run: () => T): T {
  const before = lists;
  lists = { project };
  try {
    return run();
  } finally {
    lists = before;
  }
}

export function processesOf(project: PracticeProject): readonly ProjectProcess[] {
  if (lists?.project === project) return (lists.processes ??= listProcesses(project));
  return listProcesses(project);
}

function listProcesses(project: PracticeProject): ProjectProcess[] {
  const out: ProjectProcess[] = [];
  for (const document of project.documents) {
    const doc = document.document;
    if (doc.kind === 'deployment_process') out.push({ document, kind: 'deployment_process', process: doc });
    // A migrated draft is ignored by Octopus until it is moved (SEM007): no practice applies to it.
    else if (doc.kind === 'runbook' && doc.process && !doc.migratedDraft) out.push({ document, kind: 'runbook', process: doc.process });
  }
  return out;
}

export interface ProjectAction {
  document: PracticeDocument;
  step: StepModel;
  action: ActionModel;
  /** The name Octopus shows for the action: its own, else its step's. */
  name: string;
}

/** Every action of every process of a project, with its step and file. */
export function actionsOf(project: PracticeProject): readonly ProjectAction[] {
  if (lists?.project === project) return (lists.actions ??= listActions(project));
  return listActions(project);
}

function listActions(project: PracticeProject): ProjectAction[] {
  return processesOf(project).flatMap(({ document, process }) => process.steps.flatMap((step) => step.actions.map((action) => ({ document, step, action, name: action.name ?? step.name }))));
}

/** Appends `value` to the list under `key`, creating it. */
export function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
