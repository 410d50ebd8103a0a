/**
 * A project folder's files at a commit, remembered between runs by the folder's tree id. A Git tree
 * id names everything under the folder (names, modes, blob ids, sub-trees), so what a folder holds at
 * a tree id never changes: a run after a commit that changed one project of a thousand lists that one
 * project's folder from Git, and takes every other project's files from here after looking up its
 * folder's tree id in the (already read) parent trees — instead of reading two or more tree objects
 * per project from the pack, classifying every path and hashing the blob ids again. Nothing here
 * depends on the commit, oclhub.ocl, tags, policies or options: a project's result is keyed as
 * before (engine.ts), from the same file list and the same digest of it.
 *
 * Stored in the lint cache folder as a record file of its own (`lint-listings.json`, the format of
 * cache.ts: each entry checksummed, the file replaced atomically; a run keeps only the listings it
 * used). An entry that is missing, damaged, of another engine version or of another folder path is a
 * miss: the folder is listed from Git.
 */
import type { GitStore } from '../git/index.js';
import { pathSegments } from '../git/paths.js';
import { cachedObject, readCommit, readingPath, readTree } from '../git/repo.js';
import { LintCache } from './cache.js';
import { ENGINE_VERSION, sha } from './fast-rerun.js';
import { isProjectFile, ownsProjectFile } from './project-files.js';

/** Bumped when a listing's layout or the rule choosing a project's files changes (ENGINE_VERSION is in the key too). */
const LISTING_FORMAT = 'project-listing/2';
/** The one record of the listings file. */
const RECORD = `${LISTING_FORMAT}:${ENGINE_VERSION}`;

/** A project folder's own OCL files at a commit (see `projectFilesAt`). */
export interface ProjectListing {
  /** Each file's repository path and blob id, in path order. */
  fileIds: Map<string, string>;
  /** How many of them are files Octopus writes into project folders (none: not a project folder). */
  projectFiles: number;
  /** `fileIdsDigest(fileIds)`. */
  digest: string;
}

/** The digest of a project's file list the result keys are made of (engine.ts): each path, sorted, with its id. */
export function fileIdsDigest(names: readonly string[], idOf: (name: string) => string): string {
  const parts: string[] = [];
  for (const name of [...names].sort()) parts.push(name, idOf(name));
  return sha(parts);
}

/**
 * The OCL files a project folder owns at `commit` (a commit id), from its recursive listing: the files
 * directly in it and under `runbooks/` (ownsProjectFile). Unless `listings` knows the folder, lists it
 * from Git and remembers the answer. An absent folder lists as empty; read errors are thrown, as
 * `listFiles` throws them; undefined when a file has no blob id.
 *
 * A stored listing is found by the tree id of the folder or of any of its ancestors below the root:
 * the tree of `projects/app-1` names everything under it, `.octopus` included, so a project registered
 * as `projects/app-1/.octopus` is found from its parent's entry in `projects` (read once for all
 * projects) without reading its own parent tree — a thousand tree reads fewer after a commit.
 */
export async function projectFilesAt(store: GitStore, commit: string, folder: string, listings: TreeListings | undefined): Promise<ProjectListing | undefined> {
  const chain = listings ? await listings.find(store, commit, folder) : undefined;
  if (chain !== undefined && !Array.isArray(chain)) return chain;
  const fileIds = new Map<string, string>();
  let projectFiles = 0;
  for (const entry of await store.listFiles(commit, folder, { recursive: true })) {
    if (!entry.path.toLowerCase().endsWith('.ocl')) continue;
    const relative = folder === '' ? entry.path : entry.path.slice(folder.length + 1);
    // A sub-folder with project files of its own is another project.
    if (!ownsProjectFile(relative)) continue;
    if (entry.oid === null) return undefined; // not a committed file
    if (isProjectFile(relative)) projectFiles++;
    fileIds.set(entry.path, entry.oid);
  }
  const listing: ProjectListing = { fileIds, projectFiles, digest: fileIdsDigest([...fileIds.keys()], (name) => fileIds.get(name)!) };
  if (chain !== undefined) listings!.set(chain, folder, listing);
  return listing;
}

/**
 * A listing as stored: [folder, projectFiles, digest, chain, path, blob id, path, blob id, ...], where
 * chain is the tree ids of the folder's ancestors below the root and of the folder itself, joined by
 * spaces (`projects/app-1/.octopus`: the trees of `projects`, `projects/app-1` and the folder).
 */
type StoredListing = (string | number)[];

/**
 * The listings of a lint cache folder: one record (cache.ts's format: checksummed, replaced
 * atomically) holding every listing, read and decoded at once — a thousand small records would each
 * cost a checksum and a JSON parse. Rewritten only when a listing was added, with the listings this
 * run used (so it does not grow without bound).
 *
 * Read on the first lookup, not when opened: a run that keys most projects from the run manifest
 * (run-manifest.ts) looks up only the few its commit changed, whose new trees the file cannot hold
 * unless a run saw them before. Such a run (`lookUpFromGitFirst`) lists its first few folders from Git
 * without reading the file, and leaves the file as it is when it read no more than those: a thousand
 * listings parsed and written again (a few milliseconds and megabytes) for one that a Git read gives
 * as cheaply. The file then lacks those few folders' new trees, which a later run lists from Git.
 */
export class TreeListings {
  private readonly used = new Map<string, StoredListing>();
  /** Folders whose stored listings are kept though not looked up (their projects were keyed without them, run-manifest.ts). */
  private readonly retained = new Set<string>();
  /** Each stored listing under each tree id of its chain (a tree id may be an ancestor of several). */
  private readonly byTree = new Map<string, StoredListing[]>();
  private added = false;
  /** The stored listings' file, once read (see `load`). */
  private cache: LintCache | undefined;
  private loading: Promise<void> | undefined;
  /** Lookups made without reading the file so far, and how many may be (see `lookUpFromGitFirst`). */
  private unread = 0;
  private unreadAllowed = 0;

  private constructor(private readonly dir: string) {}

  /** Opens the listings stored in the lint cache folder `dir` (none yet: every folder is listed from Git); the file is read on the first lookup. */
  static async open(dir: string): Promise<TreeListings> {
    return new TreeListings(dir);
  }

  /**
   * Lets the first `lookups` lookups list their folders from Git without reading the stored listings
   * (see the class comment): for a run that expects to look up only the folders a commit changed.
   */
  lookUpFromGitFirst(lookups: number): void {
    this.unreadAllowed = lookups;
  }

  /** Reads and indexes the stored listings (once). */
  private load(): Promise<void> {
    this.loading ??= (async () => {
      const cache = await LintCache.open(this.dir, 'lint-listings', { small: true });
      this.index(cache.get<unknown>(RECORD));
      this.cache = cache;
    })();
    return this.loading;
  }

  private index(stored: unknown): void {
    if (!Array.isArray(stored)) return;
    for (const listing of stored as unknown[]) {
      if (!Array.isArray(listing) || listing.length < 4 || listing.length % 2 !== 0 || typeof listing[3] !== 'string') continue;
      for (const tree of listing[3].split(' ')) {
        const list = this.byTree.get(tree);
        if (list) list.push(listing as StoredListing);
        else this.byTree.set(tree, [listing as StoredListing]);
      }
    }
  }

  /**
   * The stored listing of `folder` at `commit`, found by walking down from the root tree: at each
   * folder on the way whose tree is not read yet (and at the folder itself) its tree id is looked up
   * first, and the tree read only when no listing is stored under it. When none is found: the chain of
   * tree ids to store the listing under (see `StoredListing`), or undefined when the folder is not
   * one (absent, a file: `listFiles` answers).
   */
  async find(store: GitStore, commit: string, folder: string): Promise<ProjectListing | string[] | undefined> {
    if (this.cache === undefined && ++this.unread > this.unreadAllowed) await this.load();
    const repo = store.context;
    const segments = pathSegments(folder, { allowRoot: true });
    if (segments.length === 0) return undefined;
    const at = commit.slice(0, 12);
    const commitObject = cachedObject(repo, commit);
    const rootId = commitObject?.type === 'commit' ? commitObject.commit.tree : (await readCommit(repo, commit)).tree;
    const cachedRoot = cachedObject(repo, rootId);
    let tree = cachedRoot?.type === 'tree' ? cachedRoot.tree : await readingPath(repo, '', at, () => readTree(repo, rootId));
    const chain: string[] = [];
    for (let depth = 0; depth < segments.length; depth++) {
      const entry = tree.byName.get(segments[depth]!);
      if (entry === undefined || entry.type !== 'tree') return undefined;
      chain.push(entry.oid);
      const cached = depth < segments.length - 1 ? cachedObject(repo, entry.oid) : undefined;
      if (cached?.type === 'tree') {
        tree = cached.tree;
        continue;
      }
      const found = this.cache !== undefined ? this.get(entry.oid, depth, folder) : undefined;
      if (found) return found;
      if (depth === segments.length - 1) break;
      tree = await readingPath(repo, segments.slice(0, depth + 1).join('/'), at, () => readTree(repo, entry.oid));
    }
    return chain;
  }

  /** The listing of `folder` stored with `treeId` at `depth` of its chain; undefined when none or damaged. */
  private get(treeId: string, depth: number, folder: string): ProjectListing | undefined {
    for (const stored of this.byTree.get(treeId) ?? []) {
      const [storedFolder, projectFiles, digest, chain] = stored;
      if (storedFolder !== folder || typeof chain !== 'string' || chain.split(' ')[depth] !== treeId) continue;
      if (typeof projectFiles !== 'number' || !Number.isInteger(projectFiles) || projectFiles < 0 || typeof digest !== 'string') return undefined;
      const fileIds = new Map<string, string>();
      for (let i = 4; i < stored.length; i += 2) {
        const [file, id] = [stored[i], stored[i + 1]];
        if (typeof file !== 'string' || typeof id !== 'string') return undefined;
        fileIds.set(file, id);
      }
      this.used.set(`${folder}\0${chain}`, stored);
      return { fileIds, projectFiles, digest };
    }
    return undefined;
  }

  set(chain: readonly string[], folder: string, listing: ProjectListing): void {
    const key = chain.join(' ');
    const stored: StoredListing = [folder, listing.projectFiles, listing.digest, key];
    for (const [file, id] of listing.fileIds) stored.push(file, id);
    this.used.set(`${folder}\0${key}`, stored);
    this.added = true;
  }

  /** Keeps the stored listings of `folder` when the file is written again, though this run did not look them up. */
  retain(folder: string): void {
    this.retained.add(folder);
  }

  /**
   * Writes the listings used by this run when one was added (a run that added none leaves the file as
   * it is), and the stored ones of each retained folder that has none of those.
   */
  async save(): Promise<void> {
    // Unread (only the few lookups `lookUpFromGitFirst` allows were made): left as it is.
    if (!this.added || this.cache === undefined) return;
    const listings = [...this.used.values()];
    const covered = new Set(listings.map((listing) => listing[0]));
    const kept = new Set<StoredListing>();
    for (const list of this.byTree.values()) for (const listing of list) if (typeof listing[0] === 'string' && this.retained.has(listing[0]) && !covered.has(listing[0])) kept.add(listing);
    this.cache.set(RECORD, [...listings, ...kept]);
    await this.cache.save();
  }
}
