/**
 * Publishing one version of a process template, project template or policy: the template as it is at
 * a ref is validated (honouring the hub's rule settings), compared with the previous stable version
 * (the bump check), numbered, and tagged with an annotated tag `<kind>/<slug>/v<version>` whose message
 * records the notes, the publisher and the content hash.
 *
 * Numbering and tagging are one atomic step across processes: they run under a repository lock per
 * template (GitStore.withLock), so the version computed from the tag listing is the version created,
 * and a caller's expected `version` is checked against the listing under that same lock. Git's atomic
 * tag creation stays the last line of defence (TPL203). Never throws on user input; a corrupt
 * repository throws GitStoreError(ObjectUnreadable), which the surfaces turn into exit 2 / HTTP 503.
 */
import { hasErrors, type Diagnostic } from '../diagnostics.js';
import { GitErrorCode, isGitStoreError, type GitStore } from '../git/index.js';
import type { OclDocument } from '../ocl/ast.js';
import { decodeOclBytes, parseOcl } from '../ocl/index.js';
import { validateFile } from '../model/validate.js';
import { applyRuleSettings, type RuleSetting } from '../model/rule-settings.js';
import { suggest } from '../model/suggest.js';
import { compareBump, computeRequiredBump, type BumpReason } from './bump.js';
import { kindFolder, notReadWithoutBase, parseTemplate, templateFileCandidates, type LoadedTemplate, type TemplateCatalog } from './catalog.js';
import { hashFileContent, hashFolderContent } from './content-hash.js';
import { explicitVersion, nextVersion, type StableBump } from './next-version.js';
import { tplDiagnostic } from './resolve-codes.js';
import { formatTagMessage, type Publisher, type RequestedBump, type RequiredBump } from './tag-message.js';
import type { TemplateFile } from './template-shape.js';
import { checkTagParts, isValidSlug, tagName, type TemplateKind } from './version-tags.js';
import { isPrereleaseVersion } from './versions.js';

export interface PublishRequest {
  kind: TemplateKind;
  slug: string;
  /** The bump from the latest version. Without it, `version` is published as given (explicit numbering). */
  bump?: RequestedBump | string;
  /**
   * With `bump`: the version the caller expects the bump to give — refused (TPL203) unless it is the
   * version created. Without `bump`: publish exactly this version; it must be higher than every
   * published one, and the jump from the previous stable version is bump-checked like a requested bump.
   */
  version?: string;
  notes?: string;
  /** Branch, tag or commit to publish; default: the current branch's HEAD commit (then the working tree must be clean for the template). */
  ref?: string;
  dryRun?: boolean;
  /** Publish even when the bump is smaller than the changes require (recorded in the tag message). */
  force?: boolean;
  publisher: Publisher;
  /** Tag time; default now. */
  now?: Date;
  /** Rule settings for the validation findings; default: the `rule` blocks of `oclhub.ocl` at the published commit. */
  ruleSettings?: readonly RuleSetting[];
  /** How long to wait for another publish of the same template (default 30 s), then TPL210. */
  lockTimeoutMs?: number;
}

export interface PublishResult {
  /** False when something refused the publish (see the error diagnostics). */
  ok: boolean;
  /** True when the tag was created (never on a dry run). */
  published: boolean;
  dryRun: boolean;
  kind: TemplateKind;
  slug: string;
  ref: string;
  commit?: string;
  version?: string;
  /** The latest stable version before this one (the bump check compared against it). */
  previous?: string;
  tag?: string;
  contentHash?: string;
  message?: string;
  /** Template files published, repository paths. */
  files: string[];
  bump?: {
    requested: RequestedBump;
    required: RequiredBump;
    sufficient: boolean;
    forced: boolean;
    message: string;
    reasons: BumpReason[];
  };
  /** For process templates: the candidate as it would be published (input of the impact preview). */
  candidate?: LoadedTemplate;
  diagnostics: Diagnostic[];
  /** Validation findings a rule setting turned off (with the setting in `adjusted`): reported, never dropped. */
  suppressed?: Diagnostic[];
  /** Seconds after which a publish refused for a held lock (TPL210) may succeed. */
  retryAfterSeconds?: number;
}

export interface TemplateFiles {
  /** Repository paths and texts; `encoding` (OCL031) when the bytes are not UTF-8 (`text` then shows them with U+FFFD). */
  files: { path: string; relative: string; text: string; encoding?: Diagnostic }[];
}

const CONFIG_FILE = 'oclhub.ocl';

export async function publishTemplate(store: GitStore, catalog: TemplateCatalog, request: PublishRequest): Promise<PublishResult> {
  const { kind, slug } = request;
  const ref = request.ref ?? 'HEAD';
  const result: PublishResult = { ok: false, published: false, dryRun: request.dryRun === true, kind, slug, ref, files: [], diagnostics: [], suppressed: [] };
  const fail = (d: Diagnostic): PublishResult => {
    result.diagnostics.push(d);
    return result;
  };
  if (!isValidSlug(slug)) {
    const problem = checkTagParts(kind, slug, '1.0.0');
    return fail(tplDiagnostic('TPL205', problem?.message ?? `"${slug}" is not a valid slug`));
  }
  if (request.bump === undefined && request.version === undefined) {
    return fail(tplDiagnostic('TPL206', 'Name the version to publish: a bump (major, minor, patch, prerelease) or an explicit version'));
  }

  let commit: string;
  try {
    const resolved = await store.resolveRef(ref);
    if (resolved.oid === null) return fail(tplDiagnostic('TPL205', 'Publish a commit, not the working tree: commit the template first'));
    commit = resolved.oid;
  } catch (error) {
    if (isGitStoreError(error, GitErrorCode.ObjectUnreadable)) throw error;
    return fail(tplDiagnostic('TPL205', `Cannot resolve ${ref}: ${messageOf(error)}`));
  }
  result.commit = commit;

  const base = catalog.basePath;
  if (typeof base !== 'string') return fail(notReadWithoutBase('TPL205', `${describeKind(kind)} "${slug}"`, base));
  const current = await readTemplateFiles(store, commit, base, kind, slug);
  if (!current) {
    const available = await listSlugsAt(store, commit, base, kind);
    const hint = suggest(slug, available);
    return fail(
      tplDiagnostic('TPL205', `No ${describeKind(kind)} "${slug}" at ${ref} (${commit.slice(0, 12)})`, {
        detail: `${hint ? `Did you mean "${hint}"? ` : ''}Looked for ${kind === 'project-templates' ? `${kindFolder(base, kind)}/${slug}/` : templateFileCandidates(base, kind, slug).join(' or ')}.`,
      }),
    );
  }
  result.files = current.files.map((f) => f.path);

  if (request.ref === undefined && !store.bare) {
    const dirty = await dirtyFiles(store, current, base, kind, slug);
    if (dirty.length > 0) {
      return fail(
        tplDiagnostic('TPL204', `Uncommitted changes to ${dirty.join(', ')}: commit them, or name a commit with --ref`, {
          file: dirty[0],
          detail: 'A published version is the template as committed; publishing from a dirty working tree would tag content nobody can see.',
        }),
      );
    }
  }

  const settings = request.ruleSettings ?? (await ruleSettingsAt(store, commit));
  const findings: Diagnostic[] = [];
  for (const file of current.files) findings.push(...(file.encoding ? [file.encoding] : validateFile({ path: file.path, text: file.text }).diagnostics));
  const applied = applyRuleSettings(findings, settings);
  result.suppressed = applied.suppressed;
  // Errors refuse the publish; a finding a setting lowered to a warning is reported without refusing it.
  result.diagnostics.push(...applied.diagnostics.filter((d) => d.severity === 'error' || d.adjusted !== undefined));
  if (hasErrors(result.diagnostics)) {
    result.diagnostics.unshift(tplDiagnostic('TPL201', `${describeKind(kind)} "${slug}" has validation errors at ${ref}: not published`));
    return result;
  }

  if (request.dryRun) return numberAndTag(store, catalog, base, request, result, current);
  // Fast refusal of a version that is already taken, without queueing for the lock.
  if (request.version !== undefined && (await catalog.versions(kind, slug).catch(() => [] as string[])).includes(request.version)) {
    return fail(tplDiagnostic('TPL203', `Version ${request.version} of ${describeKind(kind)} "${slug}" is already published: versions are never reused`));
  }
  try {
    return await store.withLock(`publish/${kind}/${slug}`, () => numberAndTag(store, catalog, base, request, result, current), {
      ...(request.lockTimeoutMs !== undefined ? { timeoutMs: request.lockTimeoutMs } : {}),
    });
  } catch (error) {
    if (!isGitStoreError(error, GitErrorCode.RefLocked)) throw error;
    result.retryAfterSeconds = error.details.retryAfterSeconds ?? 1;
    return fail(tplDiagnostic('TPL210', `Another publish of ${describeKind(kind)} "${slug}" is in progress: retry in ${result.retryAfterSeconds} s`, { detail: error.message }));
  }
}

/**
 * Numbers the version from the current tag listing, checks the bump and creates the tag (not on a dry
 * run). Runs under the template's repository lock, so the listing cannot change in between.
 */
async function numberAndTag(store: GitStore, catalog: TemplateCatalog, base: string, request: PublishRequest, result: PublishResult, current: TemplateFiles): Promise<PublishResult> {
  const { kind, slug } = request;
  const commit = result.commit!;
  const fail = (d: Diagnostic): PublishResult => {
    result.diagnostics.push(d);
    return result;
  };
  catalog.refresh();
  const existing = await catalog.versions(kind, slug);
  const stable = existing.filter((v) => !isPrereleaseVersion(v));
  const previousStable = stable[stable.length - 1];
  let required: RequiredBump = 'none';
  let reasons: BumpReason[] = [];
  if (previousStable !== undefined) {
    const previousFiles = await readPublished(store, catalog, base, kind, slug, previousStable);
    if (previousFiles) {
      const bump = computeRequiredBump(toSnapshot(kind, previousFiles), toSnapshot(kind, current));
      required = bump.required;
      reasons = bump.reasons;
    }
  }
  const allowPrerelease = kind !== 'policies';
  let version: string;
  let requested: RequestedBump;
  if (request.bump !== undefined) {
    const prereleaseOf: StableBump = required === 'none' ? 'patch' : required;
    const next = nextVersion(existing, request.bump, { allowPrerelease, prereleaseOf });
    if ('error' in next) return fail(tplDiagnostic(next.error.code === 'TPL_VERSION_EXISTS' ? 'TPL203' : 'TPL206', next.error.message));
    if (request.version !== undefined && next.version !== request.version) {
      return fail(
        tplDiagnostic('TPL203', `Version ${request.version} is not the next version of "${slug}": the next ${request.bump} is ${next.version}`, {
          detail: 'Someone published since you looked: list the versions again and retry.',
        }),
      );
    }
    version = next.version;
    requested = request.bump as RequestedBump;
  } else {
    const chosen = explicitVersion(existing, request.version!, { allowPrerelease });
    if ('error' in chosen) return fail(tplDiagnostic(chosen.error.code === 'TPL_VERSION_EXISTS' ? 'TPL203' : 'TPL206', chosen.error.message));
    version = chosen.version;
    requested = chosen.requested;
  }
  result.version = version;
  if (previousStable !== undefined) result.previous = previousStable;
  result.tag = tagName(kind, slug, version);

  if (kind === 'process-templates') {
    result.candidate = parseTemplate({ kind, slug, version, tag: result.tag, commit, file: current.files[0]!.path, text: current.files[0]!.text });
  }
  const verdict = compareBump(requested, required);
  const forced = !verdict.sufficient && request.force === true;
  result.bump = { requested, required, sufficient: verdict.sufficient, forced, message: verdict.message, reasons };
  const reasonList = reasons.map((r) => `- ${r.message}`).join('\n');
  if (!verdict.sufficient && !forced) {
    const asked = request.bump !== undefined ? `--bump ${requested} was requested` : `${version} is only a ${requested} step from v${previousStable}`;
    return fail(
      tplDiagnostic('TPL202', `The changes since v${previousStable} require a ${required} version, but ${asked}`, {
        file: current.files[0]?.path,
        detail: `${reasonList}\nPublish a ${required} version, or with --force to override (recorded in the tag).`,
      }),
    );
  }
  if (forced) {
    result.diagnostics.push(
      tplDiagnostic('TPL208', `Publishing a ${requested} although the changes require a ${required} version (--force)`, { detail: reasonList }),
    );
  }
  if (required === 'none' && previousStable !== undefined) {
    result.diagnostics.push(tplDiagnostic('TPL209', `No changes since v${previousStable}`));
  }

  if (kind === 'project-templates') {
    const hashed = hashFolderContent(current.files.map((f) => ({ path: f.relative, content: f.text })));
    if ('error' in hashed) return fail(tplDiagnostic('TPL206', hashed.error.message));
    result.contentHash = hashed.hash;
  } else {
    result.contentHash = hashFileContent(current.files[0]!.text);
  }
  const message = formatTagMessage({
    notes: request.notes ?? '',
    publisher: request.publisher,
    contentHash: result.contentHash,
    ...(previousStable !== undefined ? { previousVersion: previousStable } : {}),
    requestedBump: requested,
    requiredBump: required,
    forced,
    reasons: reasons.map((r) => r.message),
  });
  result.message = message;
  if (request.dryRun) {
    result.ok = true;
    return result;
  }

  try {
    const timestamp = Math.floor((request.now ?? new Date()).getTime() / 1000);
    await store.createTag({ name: result.tag, target: commit, message, tagger: { ...request.publisher, timestamp } });
  } catch (error) {
    if (isGitStoreError(error, GitErrorCode.TagExists)) {
      return fail(tplDiagnostic('TPL203', `Version ${version} of ${describeKind(kind)} "${slug}" is already published: versions are never reused`, { detail: messageOf(error) }));
    }
    if (isGitStoreError(error, GitErrorCode.RefLocked) || isGitStoreError(error, GitErrorCode.ObjectUnreadable)) throw error;
    return fail(tplDiagnostic('TPL207', `Cannot create tag ${result.tag}: ${messageOf(error)}`));
  }
  catalog.refresh();
  result.ok = true;
  result.published = true;
  return result;
}

/** The `rule` blocks of oclhub.ocl at a commit (none when it has no readable oclhub.ocl). */
async function ruleSettingsAt(store: GitStore, commit: string): Promise<readonly RuleSetting[]> {
  if ((await store.pathType(commit, CONFIG_FILE)) !== 'file') return [];
  const checked = validateFile({ path: CONFIG_FILE, text: await store.readTextFile(commit, CONFIG_FILE), context: { kind: 'oclhub' } });
  return checked.document?.kind === 'oclhub' ? checked.document.rules : [];
}

export function describeKind(kind: TemplateKind): string {
  return kind === 'process-templates' ? 'process template' : kind === 'project-templates' ? 'project template' : 'policy';
}

/** The template's files at a commit, or undefined when it has none there. */
export async function readTemplateFiles(store: GitStore, commit: string, basePath: string, kind: TemplateKind, slug: string): Promise<TemplateFiles | undefined> {
  try {
    if (kind === 'project-templates') {
      const folder = `${kindFolder(basePath, kind)}/${slug}`;
      if ((await store.pathType(commit, folder)) !== 'folder') return undefined;
      const entries = await store.listFiles(commit, folder, { recursive: true });
      const files: TemplateFiles['files'] = [];
      for (const entry of entries) {
        if (!entry.path.toLowerCase().endsWith('.ocl')) continue;
        files.push({ path: entry.path, relative: entry.path.slice(folder.length + 1), ...(await readText(store, commit, entry.path)) });
      }
      return files.length > 0 ? { files } : undefined;
    }
    for (const path of templateFileCandidates(basePath, kind, slug)) {
      if ((await store.pathType(commit, path)) === 'file') return { files: [{ path, relative: '', ...(await readText(store, commit, path)) }] };
    }
  } catch (error) {
    // Absent is "no template"; a corrupt repository is never mistaken for that.
    if (!isGitStoreError(error) || error.code === GitErrorCode.ObjectUnreadable) throw error;
  }
  return undefined;
}

/** A file's text, refusing bytes that are not UTF-8 with a positioned diagnostic instead of replacing them. */
async function readText(store: GitStore, commit: string, path: string): Promise<{ text: string; encoding?: Diagnostic }> {
  const bytes = await store.readFile(commit, path);
  const decoded = decodeOclBytes(bytes, path);
  return 'text' in decoded ? { text: decoded.text } : { text: new TextDecoder().decode(bytes), encoding: decoded.diagnostic };
}

async function readPublished(store: GitStore, catalog: TemplateCatalog, base: string, kind: TemplateKind, slug: string, version: string): Promise<TemplateFiles | undefined> {
  try {
    const info = await catalog.versionInfo(kind, slug, version);
    return await readTemplateFiles(store, info.commit, base, kind, slug);
  } catch {
    return undefined;
  }
}

async function listSlugsAt(store: GitStore, commit: string, basePath: string, kind: TemplateKind): Promise<string[]> {
  try {
    const entries = await store.listFiles(commit, kindFolder(basePath, kind));
    return entries.map((e) => e.path.split('/').pop()!.replace(/\.ocl$/i, ''));
  } catch {
    return [];
  }
}

async function dirtyFiles(store: GitStore, current: TemplateFiles, basePath: string, kind: TemplateKind, slug: string): Promise<string[]> {
  const worktree = await readTemplateFiles(store, 'WORKTREE', basePath, kind, slug);
  const committed = new Map(current.files.map((f) => [f.path, f.text]));
  const dirty: string[] = [];
  for (const file of worktree?.files ?? []) {
    if (committed.get(file.path) !== file.text) dirty.push(file.path);
    committed.delete(file.path);
  }
  dirty.push(...committed.keys());
  return dirty.sort();
}

function parse(text: string): OclDocument {
  return parseOcl(text).document;
}

function toSnapshot(kind: TemplateKind, files: TemplateFiles): OclDocument | TemplateFile[] {
  if (kind !== 'project-templates') return parse(files.files[0]!.text);
  return files.files.map((f) => ({ path: f.relative, document: parse(f.text), text: f.text }));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
