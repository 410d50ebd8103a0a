/** Semantic checks on a process (deployment process, runbook process, process template steps). */
import type { Diagnostic, Range } from '../../diagnostics.js';
import { modelDiagnostic } from '../codes.js';
import type { ProcessModel, ProcessTemplateUsageModel, UsagePackageParameterModel, UsageParameterModel } from '../types.js';

/**
 * Masks Octopus accepts for a usage step: `<major>.X` (minor updates), `<major>.<minor>.X` (patch updates),
 * either with a lower-case `x`, and `prerelease`. An exact version is rejected by Octopus.
 */
export const VERSION_MASK = /^(?:\d+\.[Xx]|\d+\.\d+\.[Xx]|prerelease)$/;

export function checkProcess(process: ProcessModel, file: string | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  const stepSlugs = new Map<string, ProcessModel['items'][number]>();
  const stepNames = new Map<string, ProcessModel['items'][number]>();
  for (const item of process.items) {
    const kindWord = item.type === 'step' ? 'step' : 'process template usage';
    const earlier = stepSlugs.get(item.slug);
    if (earlier) {
      out.push(
        modelDiagnostic('SEM001', `Duplicate step slug "${item.slug}"`, {
          file,
          range: item.labelRange ?? item.headerRange,
          detail: 'Step and process template usage labels (slugs) must be unique within a process.',
          related: [{ file, range: earlier.labelRange ?? earlier.headerRange, message: `first ${kindWord === 'step' && earlier.type === 'step' ? 'step' : 'item'} with this slug` }],
        }),
      );
    } else stepSlugs.set(item.slug, item);
    const earlierName = stepNames.get(item.name);
    if (earlierName && earlierName.slug !== item.slug) {
      out.push(
        modelDiagnostic('SEM003', `Duplicate step name "${item.name}"`, {
          file,
          range: item.attributeRanges['name'] ?? item.labelRange ?? item.headerRange,
          detail: 'Octopus requires step names to be unique within a process (process template usages default to "Run a Process Template" and must be renamed).',
          related: [{ file, range: earlierName.attributeRanges['name'] ?? earlierName.headerRange, message: 'first step with this name' }],
        }),
      );
    } else if (!earlierName) stepNames.set(item.name, item);
    if (item.type === 'process_template') out.push(...checkUsage(item, file));
  }

  // Where each action slug and name was first seen (ranges, not objects made for every action of every project).
  const actionSlugs = new Map<string, Range>();
  const actionNames = new Map<string, Range>();
  for (const step of process.steps) {
    for (const action of step.actions) {
      // Octopus names a solitary action after its step; `Octopus.Action[<name>]` output variables rely on unique action names.
      const name = action.name ?? (step.actions.length === 1 ? step.name : undefined);
      if (name !== undefined && step.actions.length > 1) {
        const nameRange = action.attributeRanges['name'] ?? action.labelRange ?? action.headerRange;
        const earlierName = actionNames.get(name);
        if (earlierName) {
          out.push(
            modelDiagnostic('SEM003', `Duplicate action name "${name}"`, {
              file,
              range: nameRange,
              detail: 'Action names must be unique within a process: output variables are addressed as `Octopus.Action[<name>]`.',
              related: [{ file, range: earlierName, message: 'first action with this name' }],
            }),
          );
        } else actionNames.set(name, nameRange);
      } else if (name !== undefined && !actionNames.has(name)) {
        actionNames.set(name, action.attributeRanges['name'] ?? step.attributeRanges['name'] ?? step.headerRange);
      }
      const range = action.labelRange ?? action.headerRange;
      const earlier = actionSlugs.get(action.slug);
      if (earlier) {
        out.push(
          modelDiagnostic('SEM002', `Duplicate action slug "${action.slug}"`, {
            file,
            range,
            detail:
              action.label === undefined
                ? `An unlabelled action takes its step's slug ("${step.slug}"); label it with a slug that is unique in the process.`
                : 'Action slugs must be unique within a process.',
            related: [{ file, range: earlier, message: 'first action with this slug' }],
          }),
        );
      } else actionSlugs.set(action.slug, range);
    }
  }
  return out;
}

function checkUsage(usage: ProcessTemplateUsageModel, file: string | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (usage.versionMask !== undefined && !VERSION_MASK.test(usage.versionMask)) {
    const exact = /^\d+\.\d+\.\d+/.test(usage.versionMask);
    out.push(
      modelDiagnostic('SEM004', `Invalid version mask "${usage.versionMask}"`, {
        file,
        range: usage.attributeRanges['version_mask'],
        detail: exact
          ? 'Octopus cannot pin an exact template version: use "<major>.<minor>.X" to take patches only, or "<major>.X" to take minor updates.'
          : 'Use "<major>.X" (minor updates), "<major>.<minor>.X" (patch updates) or "prerelease".',
      }),
    );
  }
  out.push(...checkParameterValues([...usage.parameters, ...usage.packageParameters], file));
  return out;
}

/** SEM005: a parameter given a value twice (in a usage, or in templated_project_values.ocl). */
export function checkParameterValues(parameters: ReadonlyArray<UsageParameterModel | UsagePackageParameterModel>, file: string | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, UsageParameterModel | UsagePackageParameterModel>();
  for (const parameter of parameters) {
    const earlier = seen.get(parameter.name);
    if (earlier) {
      out.push(
        modelDiagnostic('SEM005', `Parameter "${parameter.name}" is set more than once`, {
          file,
          range: parameter.labelRange ?? parameter.headerRange,
          related: [{ file, range: earlier.labelRange ?? earlier.headerRange, message: 'first set here' }],
        }),
      );
    } else seen.set(parameter.name, parameter);
  }
  return out;
}
