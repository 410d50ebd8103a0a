/** What the workspace holds, by slug: process templates, policies and their files (working tree). */
import { hubBaseFolder } from '../model/folder-path.js';
import { classifyPath } from '../model/kinds.js';
import type { ProcessTemplateDocument, TemplateParameterModel } from '../model/types.js';
import type { FileAnalysis } from './analysis.js';
import type { LspContext } from './server.js';

/**
 * Slug → file of every process template (or policy) in the working tree under the base path (the one
 * folder every spelling of `base_path` names: `hubBaseFolder`). None when `base_path` names no folder:
 * oclhub.ocl shows SEM037, and nothing is guessed.
 */
export async function hubFiles(context: LspContext, kind: 'process_template' | 'policy'): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const base = hubBaseFolder(await context.config());
  if (base === undefined) return out;
  const folder = `${base === '' ? '' : `${base}/`}${kind === 'policy' ? 'policies' : 'process-templates'}`;
  for (const file of context.workspace.files()) {
    const info = classifyPath(file);
    if (info?.kind !== kind || info.slug === undefined || !file.startsWith(`${folder}/`)) continue;
    if (!out.has(info.slug)) out.set(info.slug, file);
  }
  return out;
}

export async function templateDocument(context: LspContext, slug: string): Promise<{ analysis: FileAnalysis; document: ProcessTemplateDocument } | undefined> {
  const file = (await hubFiles(context, 'process_template')).get(slug);
  if (file === undefined) return undefined;
  const analysis = await context.analysis(file);
  const document = analysis?.result.document;
  return analysis && document?.kind === 'process_template' ? { analysis, document } : undefined;
}

/** The template parameters visible from a file: its own (process template) or its project template's parameters.ocl. */
export async function parametersFor(context: LspContext, analysis: FileAnalysis): Promise<{ file: string; parameters: TemplateParameterModel[] } | undefined> {
  const document = analysis.result.document;
  if (document?.kind === 'process_template') return { file: analysis.file, parameters: document.parameters };
  const info = classifyPath(analysis.file);
  if (info?.projectTemplate === undefined) return undefined;
  const folder = analysis.file.slice(0, analysis.file.lastIndexOf('/'));
  const file = `${folder}/parameters.ocl`;
  const parameters = (await context.analysis(file))?.result.document;
  return parameters?.kind === 'project_template_parameters' ? { file, parameters: parameters.parameters } : undefined;
}
