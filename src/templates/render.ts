/**
 * The resolved process as data for other programs: JSON (provenance kept, model source ranges
 * dropped) and OCL (the project file with each usage replaced by its expanded steps, as Octopus
 * would snapshot it).
 */
import type { OclBlock, OclDocument, OclElement } from '../ocl/ast.js';
import { printOcl } from '../ocl/printer.js';
import type { ProjectResolution } from './project.js';
import type { ResolvedProcess } from './resolve.js';

const SOURCE_KEYS = new Set(['range', 'headerRange', 'labelRange', 'attributeRanges', 'ranges']);

/** A copy of a model value without its source-location fields. */
export function withoutRanges(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutRanges);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (SOURCE_KEYS.has(key)) continue;
    out[key] = withoutRanges(inner);
  }
  return out;
}

export function processToJson(process: ResolvedProcess): Record<string, unknown> {
  const out: Record<string, unknown> = { file: process.file, kind: process.kind };
  if (process.runbook !== undefined) out['runbook'] = process.runbook;
  out['usages'] = process.usages.map((u) => ({
    ...u,
    parameters: u.parameters.map((p) => ({ ...p })),
  }));
  out['steps'] = process.steps.map((s) => ({ slug: s.slug, name: s.name, provenance: s.provenance, step: withoutRanges(s.step) }));
  out['diagnostics'] = process.diagnostics;
  return out;
}

export function resolutionToJson(resolution: ProjectResolution): Record<string, unknown> {
  return { processes: resolution.processes.map(processToJson), diagnostics: resolution.diagnostics };
}

/** The expanded process as an OCL document (undefined when the process has no source document). */
export function processToOcl(process: ResolvedProcess): string | undefined {
  const source = process.source;
  if (!source) return undefined;
  const expanded = new Map<string, OclBlock[]>();
  for (const step of process.steps) {
    const owner = step.provenance.type === 'process_template' ? `u:${step.provenance.usage}` : `s:${step.slug}`;
    expanded.set(owner, [...(expanded.get(owner) ?? []), step.block]);
  }
  const replace = (body: readonly OclElement[]): OclElement[] =>
    body.flatMap((element): OclElement[] => {
      if (element.type !== 'block') return [element];
      const label = element.labels[0]?.value ?? '';
      if (element.name === 'process_template') return expanded.get(`u:${label}`) ?? [];
      return [element];
    });
  let body: OclElement[];
  if (process.kind === 'runbook') {
    body = source.body.map((element) => (element.type === 'block' && element.name === 'process' ? { ...element, body: replace(element.body) } : element));
  } else {
    body = replace(source.body);
  }
  const document: OclDocument = { ...source, body };
  return printOcl(document);
}
