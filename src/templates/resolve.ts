/**
 * Resolution of a project's process (deployment process or runbook `process {}`) against the hub's
 * published versions: every `process_template` usage takes the highest published version its
 * `version_mask` matches (pre-releases only on opt-in), the template file at that version's tag is
 * read, the usage's parameters are bound, and the usage is replaced by the template's steps with
 * provenance. Never throws on user input: every problem is a TPL diagnostic, and a usage that cannot be
 * resolved simply contributes no steps.
 */
import type { Diagnostic, Range, RelatedInformation } from '../diagnostics.js';
import type { OclBlock, OclDocument, OclElement } from '../ocl/ast.js';
import { suggest } from '../model/suggest.js';
import type { ProcessModel, ProcessTemplateUsageModel } from '../model/types.js';
import { templateFileCandidates, type LoadedTemplate, type TemplateCatalog } from './catalog.js';
import type { HubBase } from '../model/folder-path.js';
import { expandStep, type ResolvedStep } from './expand.js';
import { bindParameters, type ParameterBinding } from './parameters.js';
import { tplDiagnostic } from './resolve-codes.js';
import { describeNoMatch, maskMatches, parseVersionMask, resolvedMaskOf } from './version-mask.js';

export interface ResolvedUsage {
  /** The usage step's slug (label) and display name. */
  slug: string;
  name: string;
  templateSlug?: string;
  mask?: string;
  /** The version the mask resolved to; absent when resolution failed. */
  version?: string;
  tag?: string;
  commit?: string;
  contentHash?: string;
  /** The template file at the tag. */
  templateFile?: string;
  /** Every published version of the template, ascending. */
  available: string[];
  parameters: ParameterBinding[];
  /** Slugs of the steps the usage expanded to. */
  steps: string[];
  file: string;
  range: Range;
}

export interface ResolvedProcess {
  /** The project file holding the process. */
  file: string;
  kind: 'deployment_process' | 'runbook';
  /** The runbook slug, for runbooks. */
  runbook?: string;
  /** Steps in execution order, template usages expanded. */
  steps: ResolvedStep[];
  usages: ResolvedUsage[];
  diagnostics: Diagnostic[];
  /** The project file's OCL, for printing the expanded process (left out of JSON). */
  source?: OclDocument;
}

export interface ResolveProcessOptions {
  catalog: TemplateCatalog;
  file: string;
  kind: 'deployment_process' | 'runbook';
  runbook?: string;
  process: ProcessModel;
  /** The OCL body holding the process's blocks (the document body, or the runbook's `process` block body). */
  body: readonly OclElement[];
  inProjectTemplate?: boolean;
  /** Environments the project deploys to, when known (account parameter coverage). */
  environments?: readonly string[];
  /** Resolve this usage to this version instead of floating (e.g. from a lock file): usage slug → version. */
  pinned?: ReadonlyMap<string, string>;
}

export async function resolveProcess(options: ResolveProcessOptions): Promise<ResolvedProcess> {
  const { file } = options;
  const blocks = new Map<number, OclBlock>();
  for (const element of options.body) if (element.type === 'block') blocks.set(element.range.start.offset, element);
  const result: ResolvedProcess = { file, kind: options.kind, steps: [], usages: [], diagnostics: [] };
  if (options.runbook !== undefined) result.runbook = options.runbook;

  for (const item of options.process.items) {
    const block = blocks.get(item.range.start.offset);
    if (item.type === 'step') {
      if (block) result.steps.push({ slug: item.slug, name: item.name, step: item, block, provenance: { type: 'step', file, range: item.range } });
      continue;
    }
    const { usage, steps, diagnostics } = await resolveUsage(item, block, options);
    result.usages.push(usage);
    result.steps.push(...steps);
    result.diagnostics.push(...diagnostics);
  }
  result.diagnostics.push(...collisions(result.steps, file));
  return result;
}

async function resolveUsage(
  usage: ProcessTemplateUsageModel,
  block: OclBlock | undefined,
  options: ResolveProcessOptions,
): Promise<{ usage: ResolvedUsage; steps: ResolvedStep[]; diagnostics: Diagnostic[] }> {
  const { catalog, file } = options;
  const diagnostics: Diagnostic[] = [];
  const resolved: ResolvedUsage = { slug: usage.slug, name: usage.name, available: [], parameters: [], steps: [], file, range: usage.range };
  const done = (steps: ResolvedStep[] = []) => {
    resolved.steps = steps.map((s) => s.slug);
    return { usage: resolved, steps, diagnostics };
  };
  const at = (attribute: string): Range => usage.attributeRanges[attribute] ?? usage.labelRange ?? usage.headerRange;

  if (usage.processTemplateSlug === undefined || usage.processTemplateSlug === '') {
    diagnostics.push(tplDiagnostic('TPL106', `Usage "${usage.slug}" has no \`process_template_slug\``, { file, range: usage.labelRange ?? usage.headerRange }));
    return done();
  }
  const slug = usage.processTemplateSlug;
  resolved.templateSlug = slug;
  if (usage.versionMask === undefined) {
    diagnostics.push(
      tplDiagnostic('TPL107', `Usage "${usage.slug}" has no \`version_mask\``, {
        file,
        range: usage.labelRange ?? usage.headerRange,
        detail: 'Add `version_mask = "<major>.X"` (minor updates) or `"<major>.<minor>.X"` (patch updates).',
      }),
    );
    return done();
  }
  resolved.mask = usage.versionMask;
  const mask = parseVersionMask(usage.versionMask);
  if ('error' in mask) {
    diagnostics.push(tplDiagnostic('TPL101', mask.error.message, { file, range: at('version_mask') }));
    return done();
  }
  if (!mask.octopusCompatible) {
    diagnostics.push(
      tplDiagnostic('TPL108', `Octopus Server does not accept version_mask "${mask.text}"`, {
        file,
        range: at('version_mask'),
        detail: 'oclhub resolves it, but Octopus accepts only <major>.X, <major>.<minor>.X and prerelease.',
      }),
    );
  }

  const available = await catalog.sortedVersions('process-templates', slug);
  resolved.available = [...available];
  if (available.length === 0) {
    const hint = suggest(slug, await catalog.slugs('process-templates'));
    diagnostics.push(
      tplDiagnostic('TPL102', `Process template "${slug}" has no published versions`, {
        file,
        range: at('process_template_slug'),
        detail: hint ? `Did you mean "${hint}"?` : unpublishedDetail(slug, catalog.basePath),
      }),
    );
    return done();
  }
  const pinned = options.pinned?.get(usage.slug);
  // A pin (lock file) holds only while it is published and the mask still takes it.
  const version = pinned !== undefined && available.includes(pinned) && maskMatches(mask, pinned) ? pinned : resolvedMaskOf(mask, available);
  if (version === undefined) {
    diagnostics.push(
      tplDiagnostic('TPL103', `No published version of "${slug}" matches version_mask "${mask.text}"`, {
        file,
        range: at('version_mask'),
        detail: describeNoMatch(mask, available),
      }),
    );
    return done();
  }
  resolved.version = version;
  const template = await catalog.loadProcessTemplate(slug, version);
  resolved.tag = template.tag;
  // A template read at no commit (its tag, or the hub's base folder, unreadable) gives the usage no file or commit to cite.
  if (template.commit !== '') Object.assign(resolved, { commit: template.commit, contentHash: template.contentHash, templateFile: template.file });
  const usageRelated: RelatedInformation = { file, range: usage.headerRange, message: `used by "${usage.slug}"` };
  const errors = template.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !template.document || !template.ast) {
    const first = errors[0] ?? template.diagnostics[0];
    diagnostics.push(
      tplDiagnostic(first?.code === 'TPL104' ? 'TPL104' : 'TPL105', `Process template "${slug}" ${version} cannot be used: ${first?.summary ?? 'it does not parse'}`, {
        file,
        range: at('process_template_slug'),
        detail: errors.length > 1 ? `${errors.length} errors in ${template.file} at tag ${template.tag}.` : `In ${template.file} at tag ${template.tag}.`,
        related: errors.slice(0, 5).map((e) => ({ file: template.file, ...(e.range ? { range: e.range } : {}), message: `${e.code}: ${e.summary}` })),
      }),
    );
    return done();
  }
  const document = template.document;

  const bound = bindParameters({
    usage,
    ...(block ? { usageBlock: block } : {}),
    template: document,
    templateSlug: slug,
    version,
    projectFile: file,
    templateFile: template.file,
    inProjectTemplate: options.inProjectTemplate ?? false,
    ...(options.environments ? { environments: options.environments } : {}),
  });
  resolved.parameters = bound.bindings;
  diagnostics.push(...bound.diagnostics);

  for (const nested of document.usages) {
    diagnostics.push(
      tplDiagnostic('TPL119', `Process template "${slug}" ${version} uses process template "${nested.processTemplateSlug ?? nested.slug}": not expanded`, {
        file,
        range: usage.labelRange ?? usage.headerRange,
        detail: 'Octopus does not document process templates inside process templates; oclhub skips the nested usage.',
        related: [{ file: template.file, range: nested.headerRange, message: 'nested usage' }, usageRelated],
      }),
    );
  }
  return done(expandTemplate(usage, template, file));
}

function expandTemplate(usage: ProcessTemplateUsageModel, template: LoadedTemplate, file: string): ResolvedStep[] {
  const blocks = new Map<number, OclBlock>();
  for (const element of template.ast!.body) if (element.type === 'block') blocks.set(element.range.start.offset, element);
  const steps: ResolvedStep[] = [];
  for (const child of template.document!.steps) {
    const childBlock = blocks.get(child.range.start.offset);
    if (!childBlock) continue;
    const { step, block } = expandStep(usage, child, childBlock);
    steps.push({
      slug: step.slug,
      name: step.name,
      step,
      block,
      provenance: {
        type: 'process_template',
        templateSlug: template.slug,
        version: template.version,
        tag: template.tag,
        commit: template.commit,
        contentHash: template.contentHash,
        usage: usage.slug,
        usageName: usage.name,
        templateStep: child.slug,
        templateFile: template.file,
        templateRange: child.range,
        usageFile: file,
        usageRange: usage.range,
      },
    });
  }
  return steps;
}

function collisions(steps: readonly ResolvedStep[], file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, ResolvedStep>();
  for (const step of steps) {
    const first = seen.get(step.slug);
    if (!first) {
      seen.set(step.slug, step);
      continue;
    }
    if (first.provenance.type === 'step' && step.provenance.type === 'step') continue; // the model reports SEM001
    const where = (s: ResolvedStep): RelatedInformation =>
      s.provenance.type === 'step'
        ? { file: s.provenance.file, range: s.provenance.range, message: `step "${s.slug}"` }
        : { file: s.provenance.usageFile, range: s.provenance.usageRange, message: `expanded from usage "${s.provenance.usage}" (${s.provenance.templateSlug} ${s.provenance.version})` };
    const subject = step.provenance.type === 'step' ? step.provenance : { file: step.provenance.usageFile, range: step.provenance.usageRange };
    out.push(
      tplDiagnostic('TPL118', `Expanded step slug "${step.slug}" is used twice in the process`, {
        file: subject.file ?? file,
        range: subject.range,
        detail: 'Octopus names expanded steps <usage>-<child>; rename the usage or the step so that slugs stay unique.',
        related: [where(first), where(step)],
      }),
    );
  }
  return out;
}

/**
 * What to do about a template the hub has never published. The resolver does not look at the hub's files
 * (a project's cached result must not depend on them), so it names both cases: publishing a template the
 * hub does not have fails.
 */
function unpublishedDetail(slug: string, basePath: HubBase): string {
  const file = typeof basePath === 'string' ? templateFileCandidates(basePath, 'process-templates', slug)[0] : `process-templates/${slug}.ocl`;
  return `If the hub has it (${file}), publish it with \`oclhub publish process-template ${slug} --bump major\`; if not, add it to the hub or correct \`process_template_slug\`.`;
}
