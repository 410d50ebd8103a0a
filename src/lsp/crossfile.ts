/**
 * The workspace pass: findings that need more than one file — activated policies and environments that
 * exist, usages against the hub's templates (published versions when the hub has tags, else the working
 * tree), project-template parameter references. It runs after edits settle (debounced) and stops at
 * the next file boundary when a newer edit arrives (cancellable); per-file results come from the cache.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { HubConfigDocument } from '../model/types.js';
import { crossFileDiagnostics } from '../model/validate.js';
import type { TemplateCatalog } from '../templates/catalog.js';
import { resolveValidatedFile } from '../templates/project.js';
import type { ResolvedUsage } from '../templates/resolve.js';
import type { FileAnalysis } from './analysis.js';

export interface CancelToken {
  readonly cancelled: boolean;
}

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

export interface WorkspacePassInput {
  analyses: readonly FileAnalysis[];
  config: HubConfigDocument | undefined;
  catalog: TemplateCatalog | undefined;
  token: CancelToken;
}

export interface WorkspacePassResult {
  /** Cross-file findings by file. */
  byFile: Map<string, Diagnostic[]>;
  /** Findings with no file. */
  unattached: Diagnostic[];
  /** Every usage's resolution against the published versions, by file (for hover). */
  usages: Map<string, ResolvedUsage[]>;
  /** Whether usages were resolved against published versions. */
  published: boolean;
}

export async function workspacePass(input: WorkspacePassInput): Promise<WorkspacePassResult> {
  const { analyses, config, catalog, token } = input;
  const check = () => {
    if (token.cancelled) throw new Cancelled();
  };
  const texts = new Map(analyses.map((a) => [a.file, a.text]));
  const published = catalog !== undefined && (await catalog.slugs('process-templates')).length > 0;
  check();
  const found = crossFileDiagnostics({ files: analyses.map((a) => a.result), texts, config, workingTreeUsageChecks: !published });
  const usages = new Map<string, ResolvedUsage[]>();
  if (published && catalog) {
    const environments = (config?.environments ?? []).map((e) => e.slug);
    for (const analysis of analyses) {
      const kind = analysis.result.document?.kind;
      if (kind !== 'deployment_process' && kind !== 'runbook') continue;
      check();
      const resolved = await resolveValidatedFile({ catalog, checked: analysis.result, ...(environments.length > 0 ? { environments } : {}) });
      if (!resolved) continue;
      found.push(...resolved.diagnostics);
      usages.set(analysis.file, resolved.usages);
    }
  }
  check();
  const byFile = new Map<string, Diagnostic[]>();
  const unattached: Diagnostic[] = [];
  for (const d of found) {
    if (d.file === undefined) {
      unattached.push(d);
      continue;
    }
    const list = byFile.get(d.file);
    if (list) list.push(d);
    else byFile.set(d.file, [d]);
  }
  return { byFile, unattached, usages, published };
}
