/**
 * Which policy versions are evaluated. Like Octopus since 2025.4.7963 (platform-hub.md §4.2): only
 * published *and active* versions — the `policy "<slug>" { active_version = "x.y.z" }` blocks of
 * `oclhub.ocl` — each read from its published tag `policies/<slug>/v<version>` (the file
 * `<base>/policies/<slug>.ocl`, or the library layout `<base>/policies/<slug>/<slug>.ocl`, at the commit
 * the tag names). A policy file that is not activated is not evaluated, however it looks in the tree.
 *
 * `drafts: true` is for authors: every policy file under `<base>/policies/` at the given ref (usually
 * the working directory) is evaluated as it is now, activated or not, with no version.
 */
import type { Diagnostic } from '../diagnostics.js';
import { isGitStoreError, type GitStore } from '../git/index.js';
import { classifyPath } from '../model/kinds.js';
import type { HubConfigDocument } from '../model/types.js';
import { validateFile } from '../model/validate.js';
import { hubBase, noBaseFolderSummary } from '../model/folder-path.js';
import { kindFolder, templateFileCandidates } from '../templates/catalog.js';
import { tagName } from '../templates/version-tags.js';
import { isValidVersion } from '../templates/versions.js';
import { policyDiagnostic } from './codes.js';
import { loadPolicyText, type PolicySource, type PolicyValidator } from './load.js';

export interface LoadActivePoliciesOptions {
  store: GitStore;
  /** The hub ref whose `oclhub.ocl` (and, with drafts, whose policy files) are read: a branch, commit or 'WORKTREE'. */
  ref: string;
  /** The parsed `oclhub.ocl`; read from `ref` when omitted. */
  config?: HubConfigDocument;
  /** Evaluate the policy files at `ref` instead of the active published versions. */
  drafts?: boolean;
  /** Validates the published policy files (default: `validatePolicyFile`; a cache gives the same, see load.ts). */
  validate?: PolicyValidator;
}

export interface ActivePolicies {
  policies: PolicySource[];
  /** Missing tags or files (errors), inactive policies (info), and error diagnostics of the policy files read. */
  diagnostics: Diagnostic[];
}

const CONFIG_FILE = 'oclhub.ocl';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function readConfig(store: GitStore, ref: string, diagnostics: Diagnostic[]): Promise<HubConfigDocument | undefined> {
  let text: string;
  try {
    text = await store.readTextFile(ref, CONFIG_FILE);
  } catch (error) {
    if (!isGitStoreError(error)) throw error;
    return undefined;
  }
  const r = validateFile({ path: CONFIG_FILE, text, context: { kind: 'oclhub' } });
  diagnostics.push(...r.diagnostics.filter((d) => d.severity === 'error'));
  return r.document?.kind === 'oclhub' ? r.document : undefined;
}

/** Keeps a loaded file's errors (its warnings are the working tree's validation's business). */
function keepErrors(diagnostics: readonly Diagnostic[], out: Diagnostic[]): void {
  for (const d of diagnostics) if (d.severity === 'error') out.push(d);
}

async function loadDrafts(store: GitStore, ref: string, basePath: string, diagnostics: Diagnostic[]): Promise<PolicySource[]> {
  const folder = kindFolder(basePath, 'policies');
  let paths: string[];
  try {
    if ((await store.pathType(ref, folder)) !== 'folder') return [];
    paths = (await store.listFiles(ref, folder, { recursive: true })).map((e) => e.path);
  } catch (error) {
    if (!isGitStoreError(error)) throw error;
    diagnostics.push(policyDiagnostic('POL122', `Cannot list ${folder}/ at ${ref}: ${messageOf(error)}`));
    return [];
  }
  const policies: PolicySource[] = [];
  for (const path of paths.sort()) {
    if (classifyPath(path)?.kind !== 'policy') continue;
    let text: string;
    try {
      text = await store.readTextFile(ref, path);
    } catch (error) {
      if (!isGitStoreError(error)) throw error;
      diagnostics.push(policyDiagnostic('POL122', `Cannot read ${path} at ${ref}: ${messageOf(error)}`, { file: path }));
      continue;
    }
    const loaded = loadPolicyText(path, text);
    keepErrors(loaded.diagnostics, diagnostics);
    if (loaded.policy) policies.push(loaded.policy);
    else diagnostics.push(policyDiagnostic('POL122', `Policy file ${path} does not parse: it is not evaluated`, { file: path }));
  }
  return policies;
}

/** Loads the policies to evaluate (see the file comment). Never throws on hub content; Git failures become diagnostics. */
export async function loadActivePolicies(options: LoadActivePoliciesOptions): Promise<ActivePolicies> {
  const { store, ref } = options;
  const diagnostics: Diagnostic[] = [];
  const config = options.config ?? (await readConfig(store, ref, diagnostics));
  // One folder for every spelling of base_path; one that names none reads nothing (fail closed, said once here).
  const basePath = hubBase(config, CONFIG_FILE);
  if (typeof basePath !== 'string') {
    diagnostics.push(policyDiagnostic('POL122', `No policy is evaluated: ${noBaseFolderSummary(basePath)}`, { file: basePath.file, range: basePath.range }));
    return { policies: [], diagnostics };
  }
  if (options.drafts) return { policies: await loadDrafts(store, ref, basePath, diagnostics), diagnostics };

  const policies: PolicySource[] = [];
  for (const activation of config?.policies ?? []) {
    const where = { file: CONFIG_FILE, range: activation.attributeRanges['active_version'] ?? activation.labelRange ?? activation.headerRange };
    const version = activation.activeVersion;
    if (version === undefined) {
      diagnostics.push(policyDiagnostic('POL123', `Policy "${activation.slug}" has no active_version: it is not evaluated`, where));
      continue;
    }
    if (!isValidVersion(version)) continue; // SEM035 from the model layer
    const tag = tagName('policies', activation.slug, version);
    let commit: string;
    try {
      commit = (await store.readTag(tag)).target;
    } catch (error) {
      if (!isGitStoreError(error)) throw error;
      diagnostics.push(
        policyDiagnostic('POL120', `Active version ${version} of policy "${activation.slug}" is not published: no tag ${tag}`, {
          ...where,
          detail: `Publish it (\`oclhub publish\`) or set active_version to a published version. The policy is not evaluated until then. (${messageOf(error)})`,
        }),
      );
      continue;
    }
    let loadedAny = false;
    for (const path of templateFileCandidates(basePath, 'policies', activation.slug)) {
      let text: string;
      try {
        if ((await store.pathType(commit, path)) !== 'file') continue;
        text = await store.readTextFile(commit, path);
      } catch (error) {
        if (!isGitStoreError(error)) throw error;
        continue;
      }
      const loaded = loadPolicyText(path, text, { version, tag, commit }, options.validate);
      keepErrors(loaded.diagnostics, diagnostics);
      if (loaded.policy) policies.push(loaded.policy);
      else diagnostics.push(policyDiagnostic('POL122', `Policy file ${path} at tag ${tag} does not parse: it is not evaluated`, { ...where, detail: `Fix the file and publish a new version.` }));
      loadedAny = true;
      break;
    }
    if (!loadedAny) {
      diagnostics.push(
        policyDiagnostic('POL121', `Tag ${tag} has no policy file ${templateFileCandidates(basePath, 'policies', activation.slug)[0]}`, {
          ...where,
          detail: `The tag names commit ${commit.slice(0, 12)}, which has no policies/${activation.slug}.ocl under base path "${basePath || '.'}".`,
        }),
      );
    }
  }
  return { policies, diagnostics };
}
