/**
 * `oclhub diff REF_A REF_B` at the façade: opens the hub at both refs, lints each, and compares the
 * decisions with lint/diff.ts. Opening hubs is the façade's job, so this lives here, not in lint/.
 */
import type { Diagnostic } from '../diagnostics.js';
import { diffEvaluations, type HubDiff } from '../lint/diff.js';
import { lintHub, type LintOptions } from '../lint/engine.js';
import { contextName } from '../report/lint-report.js';
import type { LintHub } from '../lint/hub-view.js';

/** Opens the hub at one ref; the façade passes `openHub` so this file does not import it back. */
export type OpenHubAt = (ref: string) => Promise<{ hub?: LintHub; diagnostics: Diagnostic[] }>;

/** Lints the hub folder at both refs and lists the decisions that changed. Never throws on repository content. */
export async function diffHubRefs(openAt: OpenHubAt, refA: string, refB: string, options: Omit<LintOptions, 'projects'> = {}): Promise<HubDiff> {
  const diagnostics: Diagnostic[] = [];
  const runs = [];
  const commits: (string | undefined)[] = [];
  for (const ref of [refA, refB]) {
    const opened = await openAt(ref);
    const hub = opened.hub;
    if (!hub || hub.commit === null) {
      diagnostics.push(...opened.diagnostics, ...(hub && hub.commit === null ? [{ severity: 'error' as const, code: 'HUB001', summary: `Cannot read hub ref ${ref}` }] : []));
      return { refA, refB, changes: [], contexts: 0, diagnostics };
    }
    commits.push(hub.commit);
    const run = await lintHub(hub, { ...options, cacheDir: options.cacheDir ?? false });
    diagnostics.push(...run.report.diagnostics.filter((d) => d.severity === 'error').map((d) => ({ ...d, summary: `${ref}: ${d.summary}` })));
    runs.push(run.report.evaluations);
  }
  const contexts = new Set([...runs[0]!, ...runs[1]!].map((e) => contextName(e))).size;
  const out: HubDiff = { refA, refB, changes: diffEvaluations(runs[0]!, runs[1]!), contexts, diagnostics };
  if (commits[0]) out.commitA = commits[0];
  if (commits[1]) out.commitB = commits[1];
  return out;
}
