/**
 * SEM043: step templates the hub's projects use whose action type oclhub.ocl does not declare. Octopus
 * writes no `action_type` for an action based on a step template (only `Octopus.Action.Template.Id`),
 * so oclhub knows its type only from `step_template "<Id>" { action_type = "…" }`; without one, every
 * decision of a policy that may read `ActionType` is an error (src/policy/evaluate.ts). One warning
 * per template Id, at its first use, naming every project that uses it.
 */
import type { Diagnostic, Range, SourceRepository } from '../../diagnostics.js';
import { modelDiagnostic } from '../codes.js';
import type { ActionModel, HubConfigDocument, ModelDocument, ProcessModel } from '../types.js';

const STEP_TEMPLATE_ID = 'Octopus.Action.Template.Id';

/** One action based on a step template, in a registered project's file. */
export interface StepTemplateUse {
  templateId: string;
  project: string;
  file: string;
  range: Range;
  /** The project's repository, when it is not the hub's. */
  repository?: SourceRepository;
}

/** `Octopus.Action.Template.Id` of an action based on a step template, else undefined. */
export function stepTemplateIdOf(action: ActionModel): string | undefined {
  const id = action.properties.values[STEP_TEMPLATE_ID];
  return id !== undefined && id !== '' ? id : undefined;
}

/** The template Id of an action that is based on a step template and does not write its own `action_type`. */
export function untypedStepTemplateId(action: ActionModel): string | undefined {
  return action.actionType !== undefined && action.actionType !== '' ? undefined : stepTemplateIdOf(action);
}

/** The step-template actions of one project file (its deployment process or a runbook's), in order. */
export function stepTemplateUses(project: string, file: string, document: ModelDocument | undefined, repository?: SourceRepository): StepTemplateUse[] {
  const process: ProcessModel | undefined = document?.kind === 'deployment_process' ? document : document?.kind === 'runbook' ? document.process : undefined;
  const out: StepTemplateUse[] = [];
  for (const step of process?.steps ?? []) {
    for (const action of step.actions) {
      const templateId = untypedStepTemplateId(action);
      if (templateId === undefined) continue;
      out.push({ templateId, project, file, range: action.label !== undefined ? action.headerRange : step.headerRange, ...(repository ? { repository } : {}) });
    }
  }
  return out;
}

/** SEM043 per template Id used in `uses` (in the order given) that `config` does not declare with an action type. */
export function undeclaredStepTemplates(uses: readonly StepTemplateUse[], config: HubConfigDocument): Diagnostic[] {
  const declared = new Set(config.stepTemplates.filter((t) => t.actionType !== undefined && t.actionType !== '').map((t) => t.id));
  const byId = new Map<string, StepTemplateUse[]>();
  for (const use of uses) {
    if (declared.has(use.templateId)) continue;
    const list = byId.get(use.templateId);
    if (list) list.push(use);
    else byId.set(use.templateId, [use]);
  }
  const out: Diagnostic[] = [];
  for (const [id, list] of byId) {
    const first = list[0]!;
    const projects = [...new Set(list.map((u) => u.project))];
    const d = modelDiagnostic('SEM043', `Step template "${id}" is not declared in oclhub.ocl: its action type is unknown (used by project${projects.length > 1 ? 's' : ''} ${projects.map((p) => `"${p}"`).join(', ')})`, {
      file: first.file,
      range: first.range,
      detail:
        'Octopus writes no action_type for a step based on a step template, so a policy that may read ActionType cannot be decided there: it decides error (blocks). ' +
        `Declare the template's type in oclhub.ocl:\nstep_template ${JSON.stringify(id)} {\n    action_type = "..."\n}`,
    });
    if (first.repository) d.repository = first.repository;
    d.project = first.project;
    out.push(d);
  }
  return out;
}
