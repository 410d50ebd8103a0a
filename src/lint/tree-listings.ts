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
import { lookupPath } from '../git/commands/readFile.js';
import type { GitStore } from '../git/index.js';
import { pathSegments } from '../git/paths.js';
import { LintCache } from './cache.js';
import { ENGINE_VERSION, sha } from './fast-rerun.js';
import { isProjectFile, ownsProjectFile } from './project-files.js';

/** Bumped when a listing's layout or the rule choosing a project's files changes (ENGINE_VERSION is in the key too). */
const LISTING_FORMAT = 'project-listing/1';
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
 * directly in it and under `runbooks/` (ownsProjectFile). Lists the folder from Git (and remembers
 * the answer under its tree id) unless `listings` has its tree id. An absent folder lists as empty;
 * read errors are thrown, as `listFiles` throws them; undefined when a file has no blob id.
 */
export async function projectFilesAt(store: GitStore, commit: string, folder: string, listings: TreeListings | undefined): Promise<ProjectListing | undefined> {
  // The folder's tree id, walked to through the trees already read (no ref to resolve: `commit` is an id).
  const found = listings ? await lookupPath(store.context, commit, pathSegments(folder, { allowRoot: true })) : null;
  const treeId = found?.type === 'tree' ? found.oid : undefined;
  const stored = treeId !== undefined ? listings!.get(treeId, folder) : undefined;
  if (stored) return stored;
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
  if (treeId !== undefined) listings!.set(treeId, folder, listing);
  return listing;
}

/** A listing as stored: [folder, projectFiles, digest, path, blob id, path, blob id, ...]. */
type StoredListing = (string | number)[];

/**
 * The listings of a lint cache folder: one record (cache.ts's format: checksummed, replaced
 * atomically) holding every listing by tree id, read and decoded at once — a thousand small records
 * would each cost a checksum and a JSON parse. Rewritten only when a listing was added, with the
 * listings this run used (so it does not grow without bound).
 */
export class TreeListings {
  private readonly used = new Map<string, StoredListing>();
  private added = false;

  private constructor(
    private readonly cache: LintCache,
    private readonly stored: Readonly<Record<string, unknown>>,
  ) {}

  /** Opens the listings stored in the lint cache folder `dir` (none yet: every folder is listed from Git). */
  static async open(dir: string): Promise<TreeListings> {
    const cache = await LintCache.open(dir, 'lint-listings');
    const stored = cache.get<unknown>(RECORD);
    return new TreeListings(cache, stored !== null && typeof stored === 'object' && !Array.isArray(stored) ? (stored as Record<string, unknown>) : {});
  }

  /** The listing of tree `treeId` as `folder`; undefined when absent, damaged or listed as another folder. */
  get(treeId: string, folder: string): ProjectListing | undefined {
    const stored = Object.hasOwn(this.stored, treeId) ? this.stored[treeId] : undefined;
    if (!Array.isArray(stored) || stored.length < 3 || stored.length % 2 === 0) return undefined;
    const [storedFolder, projectFiles, digest] = stored as unknown[];
    if (storedFolder !== folder || typeof projectFiles !== 'number' || !Number.isInteger(projectFiles) || projectFiles < 0 || typeof digest !== 'string') return undefined;
    const fileIds = new Map<string, string>();
    for (let i = 3; i < stored.length; i += 2) {
      const [file, id] = [stored[i] as unknown, stored[i + 1] as unknown];
      if (typeof file !== 'string' || typeof id !== 'string') return undefined;
      fileIds.set(file, id);
    }
    this.used.set(treeId, stored as StoredListing);
    return { fileIds, projectFiles, digest };
  }

  set(treeId: string, folder: string, listing: ProjectListing): void {
    const stored: StoredListing = [folder, listing.projectFiles, listing.digest];
    for (const [file, id] of listing.fileIds) stored.push(file, id);
    this.used.set(treeId, stored);
    this.added = true;
  }

  /** Writes the listings used by this run when one was added (a run that added none leaves the file as it is). */
  async save(): Promise<void> {
    if (!this.added) return;
    this.cache.set(RECORD, Object.fromEntries(this.used));
    await this.cache.save();
  }
}
