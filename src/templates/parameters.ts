/**
 * Binding a usage's `parameter` / `package_parameter` blocks to the parameters a published process
 * template declares (platform-hub.md §2.2, §2.5): required parameters must be set, values are checked
 * against the control type, defaults apply, unknown names are errors with a suggestion, and account
 * parameters follow Octopus's scoping precedence:
 *
 *   project-supplied values win for overlapping scopes, including an unscoped project value; the
 *   template's scoped value applies only to environments the project does not cover; an environment
 *   covered by neither fails when the account is needed.
 *
 * Values holding an Octosprache expression (`#{…}`) are only known at deployment time, so they are not
 * checked against Select options or Checkbox values.
 */
import type { Diagnostic, Range, RelatedInformation } from '../diagnostics.js';
import type { OclBlock } from '../ocl/ast.js';
import { suggest } from '../model/suggest.js';
import type { ProcessTemplateUsageModel, TemplateParameterModel, ProcessTemplateDocument } from '../model/types.js';
import { tplDiagnostic } from './resolve-codes.js';

export interface ScopedValue {
  value: string;
  /** Environment slugs or names; empty = unscoped. */
  environments: string[];
  source: 'project' | 'template';
}

export interface ParameterBinding {
  name: string;
  label?: string;
  controlType?: string;
  /** Where the effective value comes from. */
  source: 'usage' | 'default' | 'unset';
  value?: string;
  /** Package parameters. */
  feed?: string;
  packageId?: string;
  /** Account parameters: every candidate value, highest precedence first. */
  scopedValues?: ScopedValue[];
  /** Account parameters with known environments: the value each environment gets (absent = none). */
  byEnvironment?: Record<string, { value: string; source: 'project' | 'template' }>;
  /** Where the parameter is declared in the template file. */
  templateRange: Range;
  /** Where the usage binds it, when it does. */
  usageRange?: Range;
}

export interface BindContext {
  usage: ProcessTemplateUsageModel;
  /** The usage's OCL block, to read scoped account values (`value "<v>" { environment = [...] }`). */
  usageBlock?: OclBlock;
  template: ProcessTemplateDocument;
  templateSlug: string;
  version: string;
  projectFile: string;
  templateFile: string;
  /** The usage sits in a project template's process: package parameters may name a project-template parameter. */
  inProjectTemplate?: boolean;
  /** Environments the project deploys to, when known (account coverage is checked for these). */
  environments?: readonly string[];
}

const EXPRESSION = /#\{/;

export function isAccountControlType(controlType: string | undefined): boolean {
  return controlType !== undefined && /Account$/.test(controlType);
}

export function bindParameters(ctx: BindContext): { bindings: ParameterBinding[]; diagnostics: Diagnostic[] } {
  const { usage, template, templateSlug, version, projectFile, templateFile } = ctx;
  const diagnostics: Diagnostic[] = [];
  const declared = new Map<string, TemplateParameterModel>(template.parameters.map((p) => [p.name, p]));
  const declaredAt = (p: TemplateParameterModel): RelatedInformation => ({
    file: templateFile,
    range: p.headerRange,
    message: `parameter "${p.name}" declared in process template "${templateSlug}" ${version}`,
  });

  const plain = new Map(usage.parameters.map((p) => [p.name, p]));
  const packages = new Map(usage.packageParameters.map((p) => [p.name, p]));

  for (const bound of [...usage.parameters, ...usage.packageParameters]) {
    if (declared.has(bound.name)) continue;
    const hint = suggest(bound.name, declared.keys());
    diagnostics.push(
      tplDiagnostic('TPL110', `Process template "${templateSlug}" ${version} has no parameter "${bound.name}"`, {
        file: projectFile,
        range: bound.labelRange ?? bound.headerRange,
        detail: hint ? `Did you mean "${hint}"?` : `Its parameters: ${[...declared.keys()].join(', ') || 'none'}.`,
      }),
    );
  }

  const bindings: ParameterBinding[] = [];
  for (const parameter of template.parameters) {
    const binding: ParameterBinding = { name: parameter.name, source: 'unset', templateRange: parameter.headerRange };
    if (parameter.label !== undefined) binding.label = parameter.label;
    if (parameter.controlType !== undefined) binding.controlType = parameter.controlType;
    const related = [declaredAt(parameter)];
    const asPlain = plain.get(parameter.name);
    const asPackage = packages.get(parameter.name);
    const isPackage = parameter.controlType === 'Package';

    if (isPackage) {
      if (asPackage) {
        binding.source = 'usage';
        binding.usageRange = asPackage.range;
        if (asPackage.feed !== undefined) binding.feed = asPackage.feed;
        if (asPackage.packageId !== undefined) binding.packageId = asPackage.packageId;
        const missing = [asPackage.feed ? undefined : 'feed', asPackage.packageId ? undefined : 'package_id'].filter((m) => m !== undefined);
        if (missing.length > 0) {
          diagnostics.push(
            tplDiagnostic('TPL114', `Package parameter "${parameter.name}" needs ${missing.map((m) => `\`${m}\``).join(' and ')}`, {
              file: projectFile,
              range: asPackage.labelRange ?? asPackage.headerRange,
              detail: 'Bind a Package parameter with `package_parameter "<name>" { feed = "<feed slug>" package_id = "<package id>" }`.',
              related,
            }),
          );
        }
      } else if (asPlain) {
        binding.source = 'usage';
        binding.usageRange = asPlain.range;
        if (asPlain.value !== undefined) binding.value = asPlain.value;
        if (!ctx.inProjectTemplate) {
          diagnostics.push(
            tplDiagnostic('TPL115', `Package parameter "${parameter.name}" must be bound with \`package_parameter\`, not \`parameter\``, {
              file: projectFile,
              range: asPlain.labelRange ?? asPlain.headerRange,
              detail: `Write \`package_parameter "${parameter.name}" { feed = "…" package_id = "…" }\` (only a project template's process may pass the name of one of its own parameters).`,
              related,
            }),
          );
        }
      }
    } else {
      if (asPackage) {
        diagnostics.push(
          tplDiagnostic('TPL116', `Parameter "${parameter.name}" is a ${parameter.controlType ?? 'text'} parameter, not a Package: bind it with \`parameter\``, {
            file: projectFile,
            range: asPackage.labelRange ?? asPackage.headerRange,
            detail: `Write \`parameter "${parameter.name}" { value = "…" }\`.`,
            related,
          }),
        );
      }
      if (asPlain) {
        binding.source = 'usage';
        binding.usageRange = asPlain.range;
        if (asPlain.value !== undefined) binding.value = asPlain.value;
      } else {
        const unscoped = parameter.defaults.find((d) => d.environments.length === 0 && d.value !== undefined);
        if (unscoped?.value !== undefined) {
          binding.source = 'default';
          binding.value = unscoped.value;
        }
      }
      if (isAccountControlType(parameter.controlType)) applyAccountPrecedence(binding, parameter, ctx, diagnostics);
      if (binding.source === 'usage' && binding.value !== undefined && !EXPRESSION.test(binding.value)) {
        checkValue(binding, parameter, { file: projectFile, range: asPlain?.attributeRanges['value'] ?? asPlain?.headerRange, related }, diagnostics);
      }
    }

    const hasAnyDefault = parameter.defaults.length > 0;
    if (binding.source === 'unset' && !hasAnyDefault && !parameter.isOptional && !(binding.scopedValues?.length)) {
      diagnostics.push(
        tplDiagnostic('TPL111', `Usage "${usage.slug}" does not set required parameter "${parameter.name}" of process template "${templateSlug}" ${version}`, {
          file: projectFile,
          range: usage.labelRange ?? usage.headerRange,
          detail: isPackage
            ? `Add \`package_parameter "${parameter.name}" { feed = "…" package_id = "…" }\` to the usage.`
            : `Add \`parameter "${parameter.name}" { value = "…" }\` to the usage; the parameter has no default (Octopus refuses to save the process without it).`,
          related,
        }),
      );
    }
    bindings.push(binding);
  }
  return { bindings, diagnostics };
}

function checkValue(
  binding: ParameterBinding,
  parameter: TemplateParameterModel,
  at: { file: string; range: Range | undefined; related: RelatedInformation[] },
  diagnostics: Diagnostic[],
): void {
  const value = binding.value!;
  if (parameter.controlType === 'Checkbox' && value !== 'True' && value !== 'False') {
    diagnostics.push(
      tplDiagnostic('TPL113', `Checkbox parameter "${parameter.name}" must be "True" or "False", not "${value}"`, {
        file: at.file,
        range: at.range,
        detail: value.toLowerCase() === 'true' || value.toLowerCase() === 'false' ? `Octopus compares checkbox values case-sensitively: write "${value.toLowerCase() === 'true' ? 'True' : 'False'}".` : undefined,
        related: at.related,
      }),
    );
  }
  if (parameter.controlType === 'Select' && parameter.selectOptions && parameter.selectOptions.length > 0) {
    const options = parameter.selectOptions.map((o) => o.value);
    if (!options.includes(value)) {
      const hint = suggest(value, options);
      diagnostics.push(
        tplDiagnostic('TPL112', `"${value}" is not an option of Select parameter "${parameter.name}"`, {
          file: at.file,
          range: at.range,
          detail: `${hint ? `Did you mean "${hint}"? ` : ''}Options: ${parameter.selectOptions.map((o) => (o.label && o.label !== o.value ? `${o.value} (${o.label})` : o.value)).join(', ')}.`,
          related: at.related,
        }),
      );
    }
  }
}

function applyAccountPrecedence(binding: ParameterBinding, parameter: TemplateParameterModel, ctx: BindContext, diagnostics: Diagnostic[]): void {
  const project: ScopedValue[] = [];
  const bound = ctx.usage.parameters.find((p) => p.name === parameter.name);
  if (bound?.value !== undefined) project.push({ value: bound.value, environments: [], source: 'project' });
  const block = bound && ctx.usageBlock ? findParameterBlock(ctx.usageBlock, parameter.name) : undefined;
  for (const element of block?.body ?? []) {
    if (element.type !== 'block' || element.name !== 'value') continue;
    const value = element.labels[0]?.value;
    if (value === undefined) continue;
    const envAttr = element.body.find((e) => e.type === 'attribute' && e.name === 'environment');
    const environments = envAttr?.type === 'attribute' && envAttr.value.type === 'array' ? envAttr.value.items.map((i) => String(i.value)) : [];
    project.push({ value, environments, source: 'project' });
  }
  const template: ScopedValue[] = parameter.defaults
    .filter((d) => d.value !== undefined)
    .map((d) => ({ value: d.value!, environments: d.environments, source: 'template' as const }));
  // Precedence: project unscoped, project scoped, template scoped, template unscoped.
  const ordered = [
    ...project.filter((v) => v.environments.length === 0),
    ...project.filter((v) => v.environments.length > 0),
    ...template.filter((v) => v.environments.length > 0),
    ...template.filter((v) => v.environments.length === 0),
  ];
  if (ordered.length === 0) return;
  binding.scopedValues = ordered;
  if (binding.source === 'unset') binding.source = ordered[0]!.source === 'project' ? 'usage' : 'default';
  if (!ctx.environments || ctx.environments.length === 0) return;
  const byEnvironment: NonNullable<ParameterBinding['byEnvironment']> = {};
  const uncovered: string[] = [];
  for (const environment of ctx.environments) {
    const hit = ordered.find((v) => v.environments.length === 0 || v.environments.includes(environment));
    if (hit) byEnvironment[environment] = { value: hit.value, source: hit.source };
    else uncovered.push(environment);
  }
  binding.byEnvironment = byEnvironment;
  if (uncovered.length > 0) {
    diagnostics.push(
      tplDiagnostic('TPL117', `Account parameter "${parameter.name}" has no value for ${uncovered.map((e) => `"${e}"`).join(', ')}`, {
        file: ctx.projectFile,
        range: bound?.headerRange ?? ctx.usage.labelRange ?? ctx.usage.headerRange,
        detail: 'Neither the project nor the template scopes a value to these environments: a deployment there fails when the account is needed.',
        related: [{ file: ctx.templateFile, range: parameter.headerRange, message: `parameter "${parameter.name}" declared here` }],
      }),
    );
  }
}

function findParameterBlock(usageBlock: OclBlock, name: string): OclBlock | undefined {
  for (const element of usageBlock.body) {
    if (element.type === 'block' && element.name === 'parameter' && element.labels[0]?.value === name) return element;
  }
  return undefined;
}
