/** The processes of a project's documents: its deployment process and every runbook's process. */
import type { ActionModel, ProcessModel, StepModel } from '../model/types.js';
import type { PracticeDocument, PracticeProject } from './types.js';

export interface ProjectProcess {
  document: PracticeDocument;
  kind: 'deployment_process' | 'runbook';
  process: ProcessModel;
}

export function processesOf(project: PracticeProject): ProjectProcess[] {
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
export function actionsOf(project: PracticeProject): ProjectAction[] {
  return processesOf(project).flatMap(({ document, process }) => process.steps.flatMap((step) => step.actions.map((action) => ({ document, step, action, name: action.name ?? step.name }))));
}

/** Appends `value` to the list under `key`, creating it. */
export function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
