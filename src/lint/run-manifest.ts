/**
 * What the last lint of a hub commit keyed each project by, so that the next run, at another commit,
 * reuses the keys of the projects a Git tree diff shows untouched — without listing, classifying or
 * keying them one by one (a thousand projects' worth of work after a commit that changed one).
 *
 * The manifest (`lint-manifest.json` in the lint cache folder; cache.ts's record format: checksummed,
 * replaced atomically) holds the commit linted, the run's shared key (engine.ts: engine and tool
 * version, hub location, oclhub.ocl's model, the process-template tags, the active policies' texts,
 * the options) and each in-hub project's slug, folder and key. A project's key is reused only when
 * - the shared key is the same (so are oclhub.ocl's model, templates, policies and options);
 * - the project has the same slug and folder;
 * - nothing at, under or above its folder differs between the two commits' trees.
 * Anything else — no manifest, another shared key, a commit or tree that cannot be read (a shallow
 * clone, a missing object) — and the project is listed and keyed as before. Only projects read at the
 * hub commit are in a manifest (a working tree with changes is never read this way).
 */
import type { GitStore } from '../git/index.js';
import { readCommit, readTree, type TreeNode } from '../git/repo.js';
import { LintCache } from './cache.js';
import { ENGINE_VERSION } from './fast-rerun.js';

const RECORD = `run-manifest/1:${ENGINE_VERSION}`;

/** A project as a manifest holds it: [slug, folder, key]. */
export type ManifestProject = [slug: string, folder: string, key: string];

interface StoredManifest {
  commit: string;
  shared: string;
  projects: ManifestProject[];
}

function isManifest(value: unknown): value is StoredManifest {
  if (value === null || typeof value !== 'object') return false;
  const { commit, shared, projects } = value as Partial<StoredManifest>;
  return typeof commit === 'string' && typeof shared === 'string' && Array.isArray(projects) && projects.every((p) => Array.isArray(p) && p.length === 3 && p.every((part) => typeof part === 'string'));
}

/**
 * The paths that differ between two commits' trees: a file or sub-tree added, removed or changed is
 * named by its own path, and a folder is only walked when its tree id differs. Undefined when either
 * commit or any tree on the way cannot be read.
 */
export async function changedPaths(store: GitStore, from: string, to: string): Promise<string[] | undefined> {
  const repo = store.context;
  try {
    const [before, after] = await Promise.all([readCommit(repo, from), readCommit(repo, to)]);
    const changed: string[] = [];
    const walk = async (oldId: string, newId: string, prefix: string): Promise<void> => {
      if (oldId === newId) return;
      const [old, now]: TreeNode[] = await Promise.all([readTree(repo, oldId), readTree(repo, newId)]);
      const folders: Promise<void>[] = [];
      for (const entry of now.entries) {
        const path = prefix === '' ? entry.path : `${prefix}/${entry.path}`;
        const was = old.byName.get(entry.path);
        if (was !== undefined && was.oid === entry.oid && was.mode === entry.mode) continue;
        if (was !== undefined && was.type === 'tree' && entry.type === 'tree') folders.push(walk(was.oid, entry.oid, path));
        else changed.push(path);
      }
      for (const entry of old.entries) if (!now.byName.has(entry.path)) changed.push(prefix === '' ? entry.path : `${prefix}/${entry.path}`);
      await Promise.all(folders);
    };
    await walk(before.tree, after.tree, '');
    return changed;
  } catch {
    return undefined;
  }
}

/** Whether a folder ('' for the root) is untouched by `changed` (see `changedPaths`): nothing at, under or above it. */
export function untouchedBy(changed: readonly string[]): (folder: string) => boolean {
  const touched = new Set<string>(['']);
  const replaced = new Set(changed);
  for (const path of changed) for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) touched.add(path.slice(0, slash));
  for (const path of changed) touched.add(path);
  return (folder) => {
    if (changed.length === 0) return true;
    if (touched.has(folder)) return false;
    for (let slash = folder.indexOf('/'); slash >= 0; slash = folder.indexOf('/', slash + 1)) if (replaced.has(folder.slice(0, slash))) return false;
    return !replaced.has(folder);
  };
}

export class RunManifest {
  private constructor(
    private readonly cache: LintCache,
    private readonly stored: StoredManifest | undefined,
  ) {}

  /** The manifest of the lint cache folder `dir` (none yet: every project is keyed). */
  static async open(dir: string): Promise<RunManifest> {
    const cache = await LintCache.open(dir, 'lint-manifest', { small: true });
    const stored = cache.get<unknown>(RECORD);
    return new RunManifest(cache, isManifest(stored) ? stored : undefined);
  }

  /**
   * For a run of `commit` under `shared`: the key the last run gave each project (by slug) whose
   * folder is untouched since, or undefined when none can be reused (see the file comment).
   */
  async reusable(store: GitStore, commit: string, shared: string): Promise<((slug: string, folder: string) => string | undefined) | undefined> {
    const stored = this.stored;
    if (stored === undefined || stored.shared !== shared) return undefined;
    const changed = stored.commit === commit ? [] : await changedPaths(store, stored.commit, commit);
    if (changed === undefined) return undefined;
    const untouched = untouchedBy(changed);
    const bySlug = new Map<string, ManifestProject | null>();
    // A slug given twice is nobody's.
    for (const project of stored.projects) bySlug.set(project[0], bySlug.has(project[0]) ? null : project);
    return (slug, folder) => {
      const project = bySlug.get(slug);
      return project && project[1] === folder && untouched(folder) ? project[2] : undefined;
    };
  }

  /** Records this run's projects (written only when there are some, and the commit, shared key or projects differ from the stored ones). */
  async save(commit: string, shared: string, projects: ManifestProject[]): Promise<void> {
    const stored = this.stored;
    if (projects.length === 0) return;
    if (stored && stored.commit === commit && stored.shared === shared && JSON.stringify(stored.projects) === JSON.stringify(projects)) return;
    this.cache.set(RECORD, { commit, shared, projects } satisfies StoredManifest);
    await this.cache.save();
  }
}
