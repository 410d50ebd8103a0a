/**
 * A policy's unit tests as `oclhub test` runs them, read from the hub at its ref instead of the disk:
 * the cases in `policy-tests/<slug>/*.json` at the hub root, run against the policy file at the same
 * ref (tests are for the file as authored, activation aside).
 */
import type { Diagnostic } from '../diagnostics.js';
import { policyDiagnostic } from '../policy/codes.js';
import { loadPolicyText } from '../policy/load.js';
import { checkExpectation, parseCase, type PolicyTestCaseResult } from '../policy/unit-tests.js';
import { noBaseFolderSummary } from '../model/folder-path.js';
import { templateFileCandidates } from '../templates/catalog.js';
import type { Hub } from './hub.js';

export const POLICY_TESTS_FOLDER = 'policy-tests';

export interface HubPolicyTests {
  policy: string;
  /** The policy file the cases ran against (absent when the ref has none). */
  file?: string;
  cases: PolicyTestCaseResult[];
  diagnostics: Diagnostic[];
  summary: { total: number; passed: number; failed: number };
}

export async function hubPolicyTests(hub: Hub, slug: string): Promise<HubPolicyTests> {
  const ref = hub.commit ?? 'WORKTREE';
  const diagnostics: Diagnostic[] = [];
  const cases: PolicyTestCaseResult[] = [];
  const folder = `${POLICY_TESTS_FOLDER}/${slug}`;
  let file: string | undefined;
  let text: string | undefined;
  const base = hub.basePath;
  // With no base folder no policy file is looked for, and every case fails for want of one (fail closed).
  if (typeof base !== 'string') diagnostics.push(policyDiagnostic('POL122', `The tests of "${slug}" run against no policy: ${noBaseFolderSummary(base)}`, { file: base.file, range: base.range }));
  try {
    for (const candidate of typeof base === 'string' ? templateFileCandidates(base, 'policies', slug) : []) {
      if ((await hub.store.pathType(ref, candidate)) !== 'file') continue;
      file = candidate;
      text = await hub.store.readTextFile(ref, candidate);
      break;
    }
    const caseFiles = (await hub.store.pathType(ref, folder)) === 'folder' ? (await hub.store.listFiles(ref, folder)).map((e) => e.path).filter((p) => p.toLowerCase().endsWith('.json')).sort() : [];
    const loaded = text !== undefined && file !== undefined ? loadPolicyText(file, text) : undefined;
    diagnostics.push(...(loaded?.diagnostics ?? []).filter((d) => d.severity === 'error'));
    for (const caseFile of caseFiles) {
      const parsed = parseCase(await hub.store.readTextFile(ref, caseFile));
      if (typeof parsed === 'string') {
        diagnostics.push(policyDiagnostic('POL130', `Invalid policy test: ${parsed}`, { file: caseFile }));
        cases.push({ policy: slug, file: caseFile, passed: false, failures: [`invalid test file: ${parsed}`] });
        continue;
      }
      const about = { policy: slug, file: caseFile, ...(parsed.description !== undefined ? { description: parsed.description } : {}) };
      if (!loaded?.policy) {
        const why = file ? `${file} does not parse` : typeof base === 'string' ? `no policy file for "${slug}" at ${ref}` : 'no policy file is read: base_path names no folder';
        cases.push({ ...about, passed: false, failures: [why] });
        continue;
      }
      const { failures, decision } = checkExpectation(loaded.policy, parsed.input, parsed.expect);
      cases.push({ ...about, passed: failures.length === 0, failures, decision });
    }
  } catch (error) {
    diagnostics.push(policyDiagnostic('POL122', `Cannot read the tests of "${slug}" at ${ref}: ${error instanceof Error ? error.message : String(error)}`));
  }
  const passed = cases.filter((c) => c.passed).length;
  return { policy: slug, ...(file !== undefined ? { file } : {}), cases, diagnostics, summary: { total: cases.length, passed, failed: cases.length - passed } };
}
