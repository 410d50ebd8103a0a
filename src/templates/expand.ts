/**
 * Expansion of a process-template usage, as Octopus does when it snapshots a release or runbook
 * (platform-hub.md §2.5): the usage step is replaced by the template's steps; each child gets
 * `Id = <usage-step-id>-<child-id>` and `Name = <usage-name>-<child-name>`, e.g. the step
 * `deploy-manifests` of the usage `deploy-workload` becomes `deploy-workload-deploy-manifests`.
 * Labelled actions are renamed the same way; an unlabelled action keeps following its step.
 * Package references keep their names (they name template parameters).
 */
import type { Range } from '../diagnostics.js';
import type { OclAttribute, OclBlock, OclElement } from '../ocl/ast.js';
import type { ProcessTemplateUsageModel, StepModel } from '../model/types.js';

export interface StepProvenanceOwn {
  type: 'step';
  file: string;
  range: Range;
}

export interface StepProvenanceTemplate {
  type: 'process_template';
  templateSlug: string;
  version: string;
  tag: string;
  commit: string;
  contentHash: string;
  /** The usage step's slug and name in the project. */
  usage: string;
  usageName: string;
  /** The child step's slug in the template. */
  templateStep: string;
  /** The template file at the tag, and the child step's range in it. */
  templateFile: string;
  templateRange: Range;
  /** The project file and the usage block's range in it. */
  usageFile: string;
  usageRange: Range;
}

export type StepProvenance = StepProvenanceOwn | StepProvenanceTemplate;

export interface ResolvedStep {
  slug: string;
  name: string;
  step: StepModel;
  /** The step as OCL (renamed for template children), for printing the expanded process. */
  block: OclBlock;
  provenance: StepProvenance;
}

export function expandedSlug(usageSlug: string, childSlug: string): string {
  return `${usageSlug}-${childSlug}`;
}

export function expandedName(usageName: string, childName: string): string {
  return `${usageName}-${childName}`;
}

/** The renamed model and OCL block of one template child step. */
export function expandStep(usage: ProcessTemplateUsageModel, child: StepModel, childBlock: OclBlock): { step: StepModel; block: OclBlock } {
  const slug = expandedSlug(usage.slug, child.slug);
  const name = expandedName(usage.name, child.name);
  // Only the names change: the step and its actions are copied, everything below them (ranges,
  // properties, packages) is shared with the template's model, which nothing changes once built
  // (a structuredClone of each child for every usage was the costliest step of template resolution).
  const step: StepModel = { ...child, actions: child.actions.map((action) => ({ ...action })) };
  step.slug = slug;
  step.name = name;
  step.hasExplicitName = true;
  for (const action of step.actions) {
    if (action.label !== undefined) {
      action.label = expandedSlug(usage.slug, action.label);
      action.slug = action.label;
    } else {
      action.slug = slug;
    }
    if (action.name !== undefined) action.name = expandedName(usage.name, action.name);
  }
  return { step, block: renameBlock(childBlock, slug, name, usage) };
}

function renameBlock(block: OclBlock, slug: string, name: string, usage: ProcessTemplateUsageModel): OclBlock {
  const body: OclElement[] = [];
  let named = false;
  for (const element of block.body) {
    if (element.type === 'attribute' && element.name === 'name') {
      body.push(withString(element, name));
      named = true;
    } else if (element.type === 'block' && element.name === 'action') {
      body.push(renameAction(element, usage));
    } else {
      body.push(element);
    }
  }
  if (!named) body.unshift(stringAttribute('name', name, block.range));
  const labels = block.labels.length > 0 ? [{ ...block.labels[0]!, value: slug }, ...block.labels.slice(1)] : [{ value: slug, range: block.nameRange }];
  return { ...block, labels, body };
}

function renameAction(block: OclBlock, usage: ProcessTemplateUsageModel): OclBlock {
  const labels = block.labels.map((label, i) => (i === 0 ? { ...label, value: expandedSlug(usage.slug, label.value) } : label));
  const body = block.body.map((element) => {
    if (element.type !== 'attribute' || element.name !== 'name') return element;
    const value = element.value;
    return value.type === 'string' || value.type === 'heredoc' ? withString(element, expandedName(usage.name, value.value)) : element;
  });
  return { ...block, labels, body };
}

function withString(attribute: OclAttribute, value: string): OclAttribute {
  return { ...attribute, value: { type: 'string', value, range: attribute.value.range } };
}

function stringAttribute(name: string, value: string, range: Range): OclAttribute {
  return { type: 'attribute', name, nameRange: range, value: { type: 'string', value, range }, range };
}
