/**
 * Process-template and project-template checks: parameter defaults, control types, worker pools and
 * references to template parameters.
 */
import type { Diagnostic, LineIndex, Range } from '../../diagnostics.js';
import type { OclBlock, OclDocument, OclElement, OclValue } from '../../ocl/ast.js';
import { modelDiagnostic } from '../codes.js';
import { deleteFix, oclString, replaceFix } from '../fixes.js';
import { mapKeyText } from '../../ocl/printer.js';
import { suggest } from '../suggest.js';
import type { ActionModel, ProcessTemplateDocument, TemplateParameterModel } from '../types.js';
import { findReferences, isLocal, isSystemVariable } from './references.js';
import { subPropertyReference, TYPED_VARIABLE_PROPERTIES } from './typed-variables.js';

/** `Octopus.ControlType` values (platform-hub.md §2.2; the last group is the step-template convention, unverified for templates). */
export const CONTROL_TYPES = [
  'SingleLineText',
  'MultiLineText',
  'Select',
  'Checkbox',
  'Sensitive',
  'WorkerPool',
  'Package',
  'Feed',
  'Environments',
  'TargetTags',
  'Teams',
  'TenantTags',
  'Channels',
  'Project',
  'StepName',
  'Certificate',
  'UsernamePasswordAccount',
  'GenericOidcAccount',
  'AmazonWebServicesAccount',
  'AzureAccount',
  'GoogleCloudAccount',
  'Custom',
] as const;

/** UI names (and common near-misses) of parameter kinds → the `Octopus.ControlType` Octopus writes. */
export const CONTROL_TYPE_ALIASES: Readonly<Record<string, string>> = {
  Dropdown: 'Select',
  SingleLine: 'SingleLineText',
  Text: 'SingleLineText',
  MultiLine: 'MultiLineText',
  Password: 'Sensitive',
  ContainerFeed: 'Feed',
  Environment: 'Environments',
  TargetTag: 'TargetTags',
  TargetRoles: 'TargetTags',
  Team: 'Teams',
  TenantTag: 'TenantTags',
  Channel: 'Channels',
};

/** The control type a misspelt or UI-named control type most likely means. */
export function suggestControlType(value: string): string | undefined {
  const direct = suggest(value, CONTROL_TYPES);
  if (direct) return direct;
  const alias = Object.keys(CONTROL_TYPE_ALIASES).find((k) => k.toLowerCase() === value.toLowerCase()) ?? suggest(value, Object.keys(CONTROL_TYPE_ALIASES));
  return alias ? CONTROL_TYPE_ALIASES[alias] : undefined;
}

/**
 * Parameter types that may not have a default value (platform-hub.md §2.2 table, "default value allowed? no"):
 * verified for WorkerPool, Package, Feed (Container Feed), Environments, TargetTags and Teams; the table also
 * says "no" for Tenant Tags, Channels, Project and "A previous step name", whose control-type strings are unverified.
 */
export const NO_DEFAULT_CONTROL_TYPES: ReadonlySet<string> = new Set([
  'WorkerPool',
  'Package',
  'Feed',
  'Environments',
  'TargetTags',
  'Teams',
  'TenantTags',
  'Channels',
  'Project',
  'StepName',
]);

/**
 * Action types that never run a script on a worker or target, whatever their properties say
 * (manual intervention, email, deploy-a-release and process-template usage run inside Octopus Server).
 */
export const SERVER_ONLY_ACTION_TYPES: ReadonlySet<string> = new Set(['Octopus.Manual', 'Octopus.Email', 'Octopus.DeployRelease', 'Octopus.ProcessTemplate']);

/**
 * Whether an action is *worker-executed*: its `Octopus.Action.RunOnServer` property is "true" (any case),
 * which is how Octopus stores "Run once on a worker" for script-capable steps (target-executed steps store
 * "false" or omit it and bind `Octopus.Action.TargetRoles`), and its action type is not server-only.
 * Octopus rejects such a template step unless its worker pool comes from a WorkerPool parameter
 * ("A step must specify a worker pool parameter", platform-hub.md §2.3).
 */
export function isWorkerExecuted(action: ActionModel): boolean {
  if (action.actionType !== undefined && SERVER_ONLY_ACTION_TYPES.has(action.actionType)) return false;
  return (action.properties.values['Octopus.Action.RunOnServer'] ?? '').trim().toLowerCase() === 'true';
}

/** The variable name a `worker_pool_variable` holds: `#{Name}` or a bare `Name`. */
export function workerPoolParameterName(value: string): string {
  const m = /^#\{\s*([^}|]+?)\s*\}$/.exec(value.trim());
  return m ? m[1]! : value.trim();
}

export interface ParameterCheckOptions {
  file?: string | undefined;
  /** Project-template parameters may not have sensitive defaults. */
  projectTemplate?: boolean;
  /** The checked text, so that fixes remove whole lines. */
  lines?: LineIndex | undefined;
}

/** Removes every default value block of a parameter. */
function removeDefaultsFix(parameter: TemplateParameterModel, lines: LineIndex | undefined) {
  const edits = parameter.defaults.flatMap((d) => deleteFix('', d.range, lines).edits);
  return { title: `Remove the default value${edits.length === 1 ? '' : 's'} of "${parameter.name}"`, edits };
}

export function checkParameters(parameters: readonly TemplateParameterModel[], options: ParameterCheckOptions): Diagnostic[] {
  const file = options.file;
  const out: Diagnostic[] = [];
  const seen = new Map<string, TemplateParameterModel>();
  for (const parameter of parameters) {
    const earlier = seen.get(parameter.name);
    if (earlier) {
      out.push(
        modelDiagnostic('TPL006', `Parameter "${parameter.name}" is declared more than once`, {
          file,
          range: parameter.labelRange ?? parameter.headerRange,
          related: [{ file, range: earlier.labelRange ?? earlier.headerRange, message: 'first declared here' }],
        }),
      );
    } else seen.set(parameter.name, parameter);

    const controlType = parameter.controlType;
    if (controlType === undefined) {
      out.push(
        modelDiagnostic('TPL012', `Parameter "${parameter.name}" has no \`Octopus.ControlType\` in display_settings`, {
          file,
          range: parameter.attributeRanges['display_settings'] ?? parameter.headerRange,
          detail: 'Without a control type Octopus shows a single-line text box.',
        }),
      );
    } else if (!(CONTROL_TYPES as readonly string[]).includes(controlType)) {
      const hint = suggestControlType(controlType);
      out.push(
        modelDiagnostic('TPL007', `Unknown control type "${controlType}" for parameter "${parameter.name}"`, {
          file,
          range: parameter.displaySettings.ranges['Octopus.ControlType'] ?? parameter.headerRange,
          detail: hint ? `Did you mean "${hint}"?` : `Known control types: ${CONTROL_TYPES.join(', ')}.`,
          fix:
            hint !== undefined && parameter.displaySettings.ranges['Octopus.ControlType']
              ? replaceFix(`Change to "${hint}"`, parameter.displaySettings.ranges['Octopus.ControlType'], `${mapKeyText('Octopus.ControlType')} = ${oclString(hint)}`)
              : undefined,
        }),
      );
    }

    const firstDefault = parameter.defaults[0];
    if (firstDefault && controlType !== undefined && NO_DEFAULT_CONTROL_TYPES.has(controlType)) {
      out.push(
        modelDiagnostic('TPL001', `Parameter "${parameter.name}" of type ${controlType} may not have a default value`, {
          file,
          range: firstDefault.headerRange,
          detail: `Octopus does not allow defaults for ${[...NO_DEFAULT_CONTROL_TYPES].slice(0, 6).join(', ')} parameters (they name space resources, chosen by each consuming project). Remove the \`value\` block.`,
          fix: removeDefaultsFix(parameter, options.lines),
        }),
      );
    }
    if (firstDefault && controlType === 'Sensitive' && options.projectTemplate) {
      out.push(
        modelDiagnostic('TPL011', `Project template parameter "${parameter.name}" has a sensitive default value`, {
          file,
          range: firstDefault.headerRange,
          detail: 'Project templates do not support sensitive default values yet; remove the `value` block.',
          fix: removeDefaultsFix(parameter, options.lines),
        }),
      );
    }
    if (firstDefault?.value !== undefined && controlType === 'Select' && parameter.selectOptions && parameter.selectOptions.length > 0) {
      const values = parameter.selectOptions.map((o) => o.value);
      if (!values.includes(firstDefault.value)) {
        out.push(
          modelDiagnostic('TPL010', `Default "${firstDefault.value}" of parameter "${parameter.name}" is not one of its options`, {
            file,
            range: firstDefault.labelRange ?? firstDefault.headerRange,
            detail: `Options: ${values.map((v) => `"${v}"`).join(', ')}.`,
          }),
        );
      }
    }
  }
  return out;
}

export interface TemplateCheckOptions {
  file?: string | undefined;
  /** The OCL text, to position references inside heredocs exactly. */
  lines?: LineIndex | undefined;
}

export function checkProcessTemplate(doc: ProcessTemplateDocument, ast: OclDocument, options: TemplateCheckOptions): Diagnostic[] {
  const file = options.file;
  const out: Diagnostic[] = [...checkParameters(doc.parameters, { file, lines: options.lines })];
  const byName = new Map(doc.parameters.map((p) => [p.name, p]));
  const workerPoolParameters = doc.parameters.filter((p) => p.controlType === 'WorkerPool').map((p) => p.name);

  for (const step of doc.steps) {
    for (const action of step.actions) {
      const where = `action "${action.slug}"`;
      if (action.workerPool !== undefined && action.workerPool !== '') {
        out.push(
          modelDiagnostic('TPL009', `Template ${where} hard-codes worker pool "${action.workerPool}"`, {
            file,
            range: action.attributeRanges['worker_pool'],
            detail: 'Worker pools are space resources: bind the pool to a WorkerPool parameter with `worker_pool_variable = "#{<parameter>}"`.',
          }),
        );
      }
      const poolVariable = action.workerPoolVariable?.trim() ?? '';
      if (poolVariable !== '') {
        const name = workerPoolParameterName(poolVariable);
        const parameter = byName.get(name);
        if (!parameter) {
          const hint = suggest(name, workerPoolParameters.length > 0 ? workerPoolParameters : byName.keys());
          out.push(
            modelDiagnostic('TPL003', `worker_pool_variable "${poolVariable}" names no parameter of this template`, {
              file,
              range: action.attributeRanges['worker_pool_variable'],
              detail: hint ? `Did you mean "${hint}"?` : 'Declare a parameter with `Octopus.ControlType = "WorkerPool"` and reference it here.',
            }),
          );
        } else if (parameter.controlType !== 'WorkerPool') {
          out.push(
            modelDiagnostic('TPL003', `worker_pool_variable names parameter "${name}", whose type is ${parameter.controlType ?? 'unset'}, not WorkerPool`, {
              file,
              range: action.attributeRanges['worker_pool_variable'],
              related: [{ file, range: parameter.headerRange, message: 'parameter declared here' }],
            }),
          );
        }
      } else if (isWorkerExecuted(action) && (action.workerPool === undefined || action.workerPool === '')) {
        out.push(
          modelDiagnostic('TPL002', `Template ${where} runs on a worker but no WorkerPool parameter chooses the pool`, {
            file,
            range: action.attributeRanges['worker_pool_variable'] ?? action.properties.ranges['Octopus.Action.RunOnServer'] ?? action.headerRange,
            detail:
              (workerPoolParameters.length > 0
                ? `Set \`worker_pool_variable = "#{${workerPoolParameters[0]}}"\`.`
                : 'Declare a parameter with `Octopus.ControlType = "WorkerPool"` and set `worker_pool_variable = "#{<parameter>}"`.') +
              ' Octopus rejects the template: "A step must specify a worker pool parameter".',
          }),
        );
      }
      if (action.environments.length > 0) {
        out.push(
          modelDiagnostic('TPL008', `Template ${where} hard-codes environments`, {
            file,
            range: action.attributeRanges['environments'],
            detail: 'Environments are space resources: use an Environments parameter with `environments_variable = "#{<parameter>}"`.',
          }),
        );
      }
    }
  }

  out.push(...checkParameterReferences(doc, ast, options));
  return out;
}

interface StringSite {
  value: string;
  /** The OCL value node (or label range) the text came from. */
  range: Range;
  heredoc: boolean;
  /** Names defined in the surrounding action (its property keys, e.g. step-template parameters). */
  locals: ReadonlySet<string>;
}

function collectStrings(body: readonly OclElement[], locals: ReadonlySet<string>, out: StringSite[]): void {
  for (const element of body) {
    if (element.type === 'attribute') collectValue(element.value, locals, out);
    else collectBlock(element, locals, out);
  }
}

function collectValue(value: OclValue, locals: ReadonlySet<string>, out: StringSite[]): void {
  if (value.type === 'string' || value.type === 'heredoc') out.push({ value: value.value, range: value.range, heredoc: value.type === 'heredoc', locals });
  else if (value.type === 'array') {
    for (const item of value.items) if (item.type === 'string') out.push({ value: item.value, range: item.range, heredoc: false, locals });
  } else if (value.type === 'map') for (const entry of value.entries) collectValue(entry.value, locals, out);
}

function collectBlock(block: OclBlock, locals: ReadonlySet<string>, out: StringSite[]): void {
  let inner = locals;
  if (block.name === 'action') {
    const keys = new Set(locals);
    for (const element of block.body) {
      if (element.type === 'attribute' && element.name === 'properties' && element.value.type === 'map') {
        for (const entry of element.value.entries) keys.add(entry.key);
      }
    }
    inner = keys;
  }
  collectStrings(block.body, inner, out);
}

function referenceRange(site: StringSite, offsetInValue: number, raw: string, lines: LineIndex | undefined): Range {
  if (!lines) return site.range;
  const text = lines.text;
  let searchFrom = site.range.start.offset;
  if (site.heredoc) {
    // Skip to the heredoc's content line holding the reference (dedent removes only leading whitespace).
    const lineDelta = site.value.slice(0, offsetInValue).split('\n').length - 1;
    const contentLine = site.range.start.line + 1 + lineDelta;
    let offset = site.range.start.offset;
    for (let line = site.range.start.line; line < contentLine; line++) {
      const next = text.indexOf('\n', offset);
      if (next < 0) break;
      offset = next + 1;
    }
    searchFrom = offset;
  }
  const found = text.indexOf(raw, searchFrom);
  if (found < 0 || found >= site.range.end.offset) return site.range;
  return lines.range(found, found + raw.length);
}

/**
 * TPL004: `#{Template.X}` (or `$OctopusParameters["Template.X"]`) where no parameter `Template.X` exists.
 * TPL005: any other reference that is not a parameter, not an Octopus system variable (`Octopus.*`), not
 * an `each` loop variable and not a property of the same action — projects' variables are not visible
 * inside a process template (platform-hub.md §2.2: "must be converted to parameters").
 * TPL016: `Template.Account.X` where `Template.Account` is an account or certificate parameter and `X`
 * is not one of the sub-properties Octopus documents for its type (typed-variables.ts).
 * Names are compared case-insensitively, as Octopus looks variables up. A key assembled at run time
 * (`$OctopusParameters["$($name).Audience"]`, `#{…}` inside the key) cannot be checked: no finding.
 */
export function checkParameterReferences(doc: ProcessTemplateDocument, ast: OclDocument, options: TemplateCheckOptions): Diagnostic[] {
  return scanParameterReferences(ast, {
    ...options,
    parameters: doc.parameters,
    blocks: ['step'],
    includeParameterDefaults: true,
    reportNonParameters: true,
  });
}

export interface ReferenceScanOptions extends TemplateCheckOptions {
  /** Declared parameters (names and control types). */
  parameters: ReadonlyArray<{ name: string; controlType?: string | undefined }>;
  /** Top-level blocks whose strings are scanned (e.g. `step`, `process_template`). */
  blocks: readonly string[];
  /** Also scan the defaults of top-level `parameter` blocks. */
  includeParameterDefaults?: boolean;
  /** Report TPL005 for references that are neither parameters nor system variables (process templates only). */
  reportNonParameters?: boolean;
}

/** A lookup key built while the script runs: PowerShell `$(…)`/`$name`, or Octostache inside the key. */
const ASSEMBLED_AT_RUN_TIME = /[$#{}()+]/;

/** TPL004/TPL005/TPL016 over the strings of the chosen top-level blocks of a document. */
export function scanParameterReferences(ast: OclDocument, options: ReferenceScanOptions): Diagnostic[] {
  const file = options.file;
  const declared = new Map<string, { name: string; controlType?: string | undefined }>();
  for (const p of options.parameters) if (!declared.has(p.name.toLowerCase())) declared.set(p.name.toLowerCase(), p);
  const declaredNames = options.parameters.map((p) => p.name);
  const sites: StringSite[] = [];
  for (const element of ast.body) {
    if (element.type !== 'block') continue;
    if (options.blocks.includes(element.name)) collectBlock(element, new Set(), sites);
    if (options.includeParameterDefaults && element.name === 'parameter') {
      for (const child of element.body) {
        if (child.type === 'block' && child.name === 'value') {
          const label = child.labels[0];
          if (label) sites.push({ value: label.value, range: label.range, heredoc: false, locals: new Set() });
          collectStrings(child.body, new Set(), sites);
        }
      }
    }
  }
  const out: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const site of sites) {
    const { references, locals } = findReferences(site.value);
    for (const reference of references) {
      const name = reference.name;
      if (ASSEMBLED_AT_RUN_TIME.test(name)) continue;
      if (declared.has(name.toLowerCase()) || isSystemVariable(name) || isLocal(name, locals) || site.locals.has(name)) continue;
      // `#{Template.Param[0]}`-style suffixes: the parameter itself is what matters.
      const base = name.split('[')[0]!;
      if (declared.has(base.toLowerCase())) continue;
      const range = referenceRange(site, reference.offset, reference.raw, options.lines);
      const key = `${name}@${range.start.offset}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const sub = subPropertyReference(base, declared);
      if (sub) {
        if (!sub.known) {
          out.push(
            modelDiagnostic('TPL016', `\`${reference.raw}\`: "${sub.property}" is not a sub-property Octopus documents for ${sub.controlType} parameter "${sub.parameter}"`, {
              file,
              range,
              detail:
                (sub.suggestion ? `Did you mean "${sub.suggestion}"? ` : '') +
                `Octopus expands ${sub.controlType} values into: ${TYPED_VARIABLE_PROPERTIES[sub.controlType]!.join(', ')}.`,
            }),
          );
        }
        continue;
      }
      const isTemplateName = /^template\./i.test(base);
      if (!isTemplateName && !options.reportNonParameters) continue;
      const hint = suggest(base, declaredNames);
      if (isTemplateName) {
        out.push(
          modelDiagnostic('TPL004', `\`${reference.raw}\` refers to template parameter "${base}", which is not declared`, {
            file,
            range,
            detail: hint ? `Did you mean "${hint}"?` : `Declare \`parameter "${base}" { … }\` or correct the name.`,
            // Only a reference found at its exact place can be rewritten.
            fix: hint !== undefined && range !== site.range ? replaceFix(`Change to "${hint}"`, range, reference.raw.replace(base, hint)) : undefined,
          }),
        );
      } else {
        out.push(
          modelDiagnostic('TPL005', `\`${reference.raw}\` is neither a parameter of this template nor an Octopus system variable`, {
            file,
            range,
            detail:
              (hint ? `Did you mean "${hint}"? ` : '') +
              "A process template cannot see the consuming project's variables: pass the value in through a parameter.",
          }),
        );
      }
    }
  }
  return out;
}
