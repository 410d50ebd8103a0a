/**
 * Policy activation as a commit: `policy "<slug>" { active_version = "x.y.z" }` in `oclhub.ocl` is set,
 * replaced or removed on the hub's branch with the caller as the author, so that activation is
 * reviewed, audited and reverted like any other hub change (Octopus: only published *and active*
 * versions are evaluated).
 *
 * The edit goes through the OCL AST: the policy block is located by its parsed range and only that
 * block is re-printed with the OCL printer (Octopus's layout); every other byte of the file — other
 * blocks, their authors' own layout, line endings, a byte-order mark — is kept. The commit is a compare-and-swap on the
 * branch tip; when someone else moved the branch in between, the edit is re-applied to the new tip
 * (it is idempotent), with randomised backoff, until a time bound (`retryForMs`, 10 s) — a bound of
 * time, not of attempts, so a busy branch delays an activation rather than refusing it.
 *
 * When the branch is checked out in the hub's working copy, oclhub.ocl and its index entry there are
 * updated with the commit (GitStore `worktree: 'follow'`): otherwise the working copy would keep the old
 * file staged, and the next `git commit -a` would silently revert the activation. If oclhub.ocl has
 * uncommitted changes there (or a Git command holds the index lock), nothing is committed: refusal
 * `worktree-dirty`, with the reason.
 *
 * User input never throws out of here: refusals come back with a reason and diagnostics.
 */
import type { Diagnostic } from '../diagnostics.js';
import { GitErrorCode, isGitStoreError, type Identity } from '../git/index.js';
import type { Hub } from './hub.js';
import { parseOcl } from '../ocl/index.js';
import type { OclAttribute, OclBlock, OclDocument, OclElement } from '../ocl/ast.js';
import { printVerified } from '../ocl/format.js';
import { validateFile } from '../model/validate.js';
import { tagName, tagPrefix } from '../templates/version-tags.js';

const CONFIG_FILE = 'oclhub.ocl';
/** How long an activation keeps re-applying its edit to a branch that other writers keep moving. */
export const ACTIVATION_RETRY_MS = 10_000;

export type ActivationRefusal = 'unknown-policy' | 'not-published' | 'no-branch' | 'invalid-config' | 'worktree-dirty' | 'branch-busy';

export interface ActivatePolicyOptions {
  slug: string;
  /** The version to activate, or null to deactivate the policy. */
  version: string | null;
  author: Identity;
  /** Branch to commit to (default: the hub's ref when it is a branch, else the checked-out branch). */
  branch?: string;
  /** How long to keep retrying when the branch moves under us (default ACTIVATION_RETRY_MS). */
  retryForMs?: number;
}

export interface ActivationResult {
  ok: boolean;
  refusal?: ActivationRefusal;
  policy: string;
  version: string | null;
  previousVersion: string | null;
  /** False when the file already said so (no commit is made). */
  changed: boolean;
  branch?: string;
  /** The new commit, or the branch tip when nothing changed. */
  commit?: string;
  author?: { name: string; email: string };
  /** The branch is checked out in the hub's working copy, and oclhub.ocl and its index entry there were updated. */
  worktreeUpdated?: boolean;
  /**
   * The branch is checked out in a working copy that could not be updated after the commit (its files
   * and index are as before): `git status` there shows the activation reverted until `worktreeAction`
   * is run.
   */
  worktreeBehind?: boolean;
  worktreeAction?: string;
  diagnostics: Diagnostic[];
}

function refused(options: ActivatePolicyOptions, refusal: ActivationRefusal, summary: string, previousVersion: string | null = null): ActivationResult {
  return {
    ok: false,
    refusal,
    policy: options.slug,
    version: options.version,
    previousVersion,
    changed: false,
    diagnostics: [{ severity: 'error', code: 'HUB010', summary, file: CONFIG_FILE }],
  };
}

/** The branch a hub's writes go to. */
async function targetBranch(hub: Hub, given: string | undefined): Promise<string | undefined> {
  if (given !== undefined) return given;
  try {
    const resolved = await hub.store.resolveRef(hub.ref);
    if (resolved.fullRef?.startsWith('refs/heads/')) return resolved.fullRef.slice('refs/heads/'.length);
  } catch {
    // Fall through to the checked-out branch.
  }
  return (await hub.store.currentBranch().catch(() => null)) ?? undefined;
}

function isPolicyBlock(element: OclElement, slug: string): element is OclBlock {
  return element.type === 'block' && element.name === 'policy' && element.labels.length === 1 && element.labels[0]!.value === slug;
}

function activeVersionOf(block: OclBlock | undefined): string | null {
  const attribute = block?.body.find((e): e is OclAttribute => e.type === 'attribute' && e.name === 'active_version');
  return attribute?.value.type === 'string' ? attribute.value.value : null;
}

const NO_RANGE = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };

function versionAttribute(version: string): OclAttribute {
  return { type: 'attribute', name: 'active_version', nameRange: NO_RANGE, value: { type: 'string', value: version, range: NO_RANGE }, range: NO_RANGE };
}

/** The block printed alone, at the top level, in Octopus's layout (undefined if it cannot be printed faithfully). */
function printBlock(block: OclBlock, lineEnding: '\n' | '\r\n'): string | undefined {
  const document: OclDocument = { type: 'document', body: [block], lineEnding, finalNewline: false, bom: false, range: NO_RANGE };
  return printVerified(document).text;
}

/**
 * The new text of oclhub.ocl with the activation applied, or a reason it cannot be edited.
 * `previous` is the active version the file had.
 */
export function editActivation(text: string, slug: string, version: string | null): { text: string; previous: string | null } | { error: string } {
  const parsed = parseOcl(text);
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return { error: `${CONFIG_FILE} does not parse: ${parsed.diagnostics.find((d) => d.severity === 'error')!.summary}` };
  const document = parsed.document;
  const body = document.body;
  // Ranges are offsets into the text after a byte-order mark, which the parser strips.
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const source = text.slice(bom);
  const nl = document.lineEnding;
  const index = body.findIndex((e) => isPolicyBlock(e, slug));
  const block = index >= 0 ? (body[index] as OclBlock) : undefined;
  const previous = activeVersionOf(block);
  if (previous === version) return { text, previous };
  let next: string;
  if (block) {
    const others = block.body.filter((e) => !(e.type === 'attribute' && e.name === 'active_version'));
    if (version === null && others.length === 0) {
      // Remove the whole block with the separator before it (or after it, for the first element).
      const before = index > 0 ? body[index - 1]!.range.end.offset : block.range.start.offset;
      const after = index > 0 ? block.range.end.offset : index + 1 < body.length ? body[index + 1]!.range.start.offset : source.length;
      next = source.slice(0, before) + source.slice(after);
    } else {
      const at = block.body.findIndex((e) => e.type === 'attribute' && e.name === 'active_version');
      const edited: OclBlock = { ...block, body: [...block.body] };
      if (version === null) edited.body.splice(at, 1);
      else if (at >= 0) edited.body[at] = versionAttribute(version);
      else edited.body.unshift(versionAttribute(version));
      const printed = printBlock(edited, nl);
      if (printed === undefined) return { error: `the policy block of "${slug}" cannot be re-printed faithfully` };
      next = source.slice(0, block.range.start.offset) + printed + source.slice(block.range.end.offset);
    }
  } else {
    if (version === null) return { text, previous };
    const created: OclBlock = { type: 'block', name: 'policy', nameRange: NO_RANGE, labels: [{ value: slug, range: NO_RANGE }], body: [versionAttribute(version)], range: NO_RANGE };
    const printed = printBlock(created, nl);
    if (printed === undefined) return { error: `the policy block of "${slug}" cannot be printed` };
    // After the last policy block (activations stay together), else at the end of the file.
    let anchor = -1;
    body.forEach((e, i) => {
      if (e.type === 'block' && e.name === 'policy') anchor = i;
    });
    if (anchor < 0) anchor = body.length - 1;
    if (anchor < 0) next = printed + nl;
    else {
      const at = body[anchor]!.range.end.offset;
      next = source.slice(0, at) + nl + nl + printed + source.slice(at);
    }
  }
  return { text: (bom ? '\uFEFF' : '') + next, previous };
}

/** Sets, replaces or removes a policy's active version in oclhub.ocl by committing to the hub's branch. */
export async function activatePolicy(hub: Hub, options: ActivatePolicyOptions): Promise<ActivationResult> {
  const { slug, version } = options;
  const published = await hub.store.listTags(tagPrefix('policies', slug)).catch(() => [] as string[]);
  if (version !== null && !published.includes(tagName('policies', slug, version))) {
    const summary =
      published.length === 0
        ? `Policy "${slug}" has no published versions: publish one before activating it`
        : `Version ${version} of policy "${slug}" is not published (no tag ${tagName('policies', slug, version)})`;
    // Unknown altogether only when there is neither a version nor an activation to speak of.
    if (published.length === 0 && !(await mentionsPolicy(hub, slug))) return refused(options, 'unknown-policy', `No policy "${slug}": it is neither published nor activated`);
    return refused(options, 'not-published', summary);
  }
  if (version === null && published.length === 0 && !(await mentionsPolicy(hub, slug))) {
    return refused(options, 'unknown-policy', `No policy "${slug}": it is neither published nor activated`);
  }
  const branch = await targetBranch(hub, options.branch);
  if (branch === undefined) return refused(options, 'no-branch', 'The hub is not read from a branch (detached HEAD): name the branch to commit the activation to');
  const author = { name: options.author.name, email: options.author.email };
  const deadline = Date.now() + (options.retryForMs ?? ACTIVATION_RETRY_MS);
  for (let attempt = 1; ; attempt++) {
    let tip: string | null;
    let text = '';
    try {
      tip = (await hub.store.resolveRef(branch)).oid;
      if (tip === null) return refused(options, 'no-branch', `Branch ${branch} has no commits`);
      if ((await hub.store.pathType(tip, CONFIG_FILE)) === 'file') text = await hub.store.readTextFile(tip, CONFIG_FILE);
    } catch (error) {
      if (!isGitStoreError(error) || error.code === GitErrorCode.ObjectUnreadable) throw error;
      return refused(options, 'no-branch', `Cannot read branch ${branch}: ${error.message}`);
    }
    const edited = editActivation(text, slug, version);
    if ('error' in edited) return refused(options, 'invalid-config', edited.error);
    const base = { ok: true, policy: slug, version, previousVersion: edited.previous, branch, author, diagnostics: [] as Diagnostic[] };
    if (edited.text === text) return { ...base, changed: false, commit: tip };
    const checked = validateFile({ path: CONFIG_FILE, text: edited.text, context: { kind: 'oclhub' } });
    const errors = checked.diagnostics.filter((d) => d.severity === 'error');
    const before = validateFile({ path: CONFIG_FILE, text, context: { kind: 'oclhub' } }).diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > before.length) return { ...refused(options, 'invalid-config', `The edited ${CONFIG_FILE} would not be valid: ${errors[0]!.summary}`, edited.previous), diagnostics: errors };
    const message =
      version === null
        ? `Deactivate policy ${slug}${edited.previous ? ` (was ${edited.previous})` : ''}`
        : `Activate policy ${slug} ${version}${edited.previous ? ` (was ${edited.previous})` : ''}`;
    try {
      const commit = await hub.store.commitChanges({
        branch,
        expectedOid: tip,
        changes: [{ path: CONFIG_FILE, content: edited.text }],
        message: `${message}\n`,
        author,
        worktree: 'follow',
      });
      const worktree = commit.worktreeUpdated
        ? { worktreeUpdated: true }
        : commit.worktreeBehind
          ? { worktreeBehind: true, worktreeAction: `git restore --staged --worktree ${CONFIG_FILE}${commit.worktreeError ? ` (the update failed: ${commit.worktreeError})` : ''}` }
          : {};
      return { ...base, changed: true, commit: commit.oid, ...worktree };
    } catch (error) {
      if (!isGitStoreError(error)) throw error;
      if (error.code === GitErrorCode.WorktreeConflict) return refused(options, 'worktree-dirty', error.message, edited.previous);
      // Someone moved (or is moving) the branch between our read and our write: apply the edit to their commit.
      const retryable = error.code === GitErrorCode.Conflict || error.code === GitErrorCode.RefLocked;
      if (!retryable) throw error;
      if (Date.now() >= deadline) {
        return refused(options, 'branch-busy', `Branch ${branch} kept moving for ${Math.round((options.retryForMs ?? ACTIVATION_RETRY_MS) / 1000)} s (${attempt} attempts): ${error.message}`, edited.previous);
      }
      await backoff(attempt, deadline);
    }
  }
}

/** Randomised exponential backoff (5 ms doubling to 250 ms), never past the deadline. */
function backoff(attempt: number, deadline: number): Promise<void> {
  const ceiling = Math.min(250, 5 * 2 ** Math.min(attempt, 6));
  const wait = Math.min(Math.max(0, deadline - Date.now()), ceiling / 2 + Math.random() * (ceiling / 2));
  return new Promise((resolve) => setTimeout(resolve, wait));
}

async function mentionsPolicy(hub: Hub, slug: string): Promise<boolean> {
  if (hub.config?.policies.some((p) => p.slug === slug)) return true;
  const listing = await hub.listTemplates('policies').catch(() => []);
  return listing.some((t) => t.slug === slug);
}
