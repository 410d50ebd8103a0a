/**
 * isomorphic-git, loaded when a command first needs it. Reading a repository (most of what lint and
 * the API do) goes through oclhub's own object reader (repo.ts, object-database.ts); isomorphic-git
 * writes objects, refs and tags, fetches, and answers a few rarer questions (status, short object
 * ids). Loading it and its dependencies costs a process tens of milliseconds, which a cold
 * `oclhub lint` paid without ever calling it.
 */
import type IsomorphicGit from 'isomorphic-git';
import type { FileSystem as FileSystemClass } from 'isomorphic-git/models';

export type Git = typeof IsomorphicGit;

let loading: Promise<Git> | undefined;
let fileSystem: typeof FileSystemClass | undefined;

/** isomorphic-git's commands (loaded once, on the first call). */
export function isomorphicGit(): Promise<Git> {
  loading ??= Promise.all([import('isomorphic-git'), import('isomorphic-git/models')]).then(([git, models]) => {
    fileSystem = models.FileSystem;
    return (git as unknown as { default?: Git }).default ?? (git as unknown as Git);
  });
  return loading;
}

/**
 * isomorphic-git's FileSystem class, once `isomorphicGit()` has loaded it: every command that hands
 * isomorphic-git a file system awaits `isomorphicGit()` first.
 */
export function loadedFileSystem(): typeof FileSystemClass {
  if (!fileSystem) throw new Error('isomorphic-git is not loaded yet: await isomorphicGit() before handing it a file system');
  return fileSystem;
}
