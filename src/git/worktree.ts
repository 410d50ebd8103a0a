import { errnoCode, fsReason, GitErrorCode, GitStoreError } from './errors.js';
import { isIgnored, parseIgnoreFile } from './ignore.js';
import { joinPath } from './paths.js';
import type { RepoContext } from './repo.js';
import type { FileEntry } from './types.js';

/** Never listed from the working directory, whatever .gitignore says. */
const ALWAYS_SKIPPED = new Set(['.git', 'node_modules']);

function worktreeRoot(repo: RepoContext): string {
  if (repo.dir === null || repo.bare) {
    throw new GitStoreError(GitErrorCode.InvalidRequest, 'WORKTREE cannot be read from a bare repository');
  }
  return repo.dir;
}

async function readIgnoreRules(repo: RepoContext, root: string, folder: string) {
  try {
    const text = String(await repo.fs.promises.readFile(`${root}/${joinPath(folder, '.gitignore')}`, 'utf8'));
    return parseIgnoreFile(text, folder);
  } catch {
    return [];
  }
}

/**
 * Whether every folder on the way to `segments` is a real folder, not a symlink. Git stores a symlink as a
 * file, so nothing lies "under" one; following it could also leave the working directory.
 */
async function throughRealFolders(repo: RepoContext, root: string, segments: string[]): Promise<boolean> {
  for (let i = 1; i < segments.length; i++) {
    const stat = await repo.fs.promises.lstat(`${root}/${segments.slice(0, i).join('/')}`).catch(() => null);
    if (stat === null || !stat.isDirectory()) return false;
  }
  return true;
}

/**
 * Lists the files under `under` in the working directory (recursively, sorted by path), skipping `.git`,
 * `node_modules` and what `.gitignore` files ignore. Entries have `oid: null`: the content is not in Git.
 */
export async function listWorktreeFiles(repo: RepoContext, under: string[]): Promise<FileEntry[]> {
  const root = worktreeRoot(repo);
  // Rules of every .gitignore above `under` apply as well.
  let rules = await readIgnoreRules(repo, root, '');
  for (let i = 1; i <= under.length; i++) {
    const folder = under.slice(0, i).join('/');
    if (isIgnored(rules, folder, true)) return [];
    rules = rules.concat(await readIgnoreRules(repo, root, folder));
  }
  const start = under.join('/');
  if (!(await throughRealFolders(repo, root, under))) return [];
  const stat = await repo.fs.promises.lstat(start === '' ? root : `${root}/${start}`).catch(() => null);
  if (stat === null || stat.isSymbolicLink()) return [];
  if (!stat.isDirectory()) {
    throw new GitStoreError(GitErrorCode.NotAFile, `${start} is a file, not a folder (in WORKTREE)`);
  }
  const files: FileEntry[] = [];
  await walk(repo, root, start, rules, files);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return files;
}

async function walk(
  repo: RepoContext,
  root: string,
  folder: string,
  inherited: ReturnType<typeof parseIgnoreFile>,
  into: FileEntry[],
): Promise<void> {
  const rules = folder === '' ? inherited : inherited.concat(await readIgnoreRules(repo, root, folder));
  const names: string[] = (await repo.fs.promises.readdir(folder === '' ? root : `${root}/${folder}`)).map(String);
  for (const name of names) {
    if (ALWAYS_SKIPPED.has(name)) continue;
    const path = joinPath(folder, name);
    const stat = await repo.fs.promises.lstat(`${root}/${path}`).catch(() => null);
    if (stat === null) continue;
    if (stat.isDirectory()) {
      if (!isIgnored(rules, path, true)) await walk(repo, root, path, rules, into);
    } else if ((stat.isFile() || stat.isSymbolicLink()) && !isIgnored(rules, path, false)) {
      const mode = stat.isSymbolicLink() ? '120000' : (Number(stat.mode) & 0o111) !== 0 ? '100755' : '100644';
      into.push({ path, oid: null, mode });
    }
  }
}

/** Reads one working-directory file. A symlink reads as its target path, as Git stores it (never followed). */
export async function readWorktreeFile(repo: RepoContext, path: string): Promise<Uint8Array> {
  const root = worktreeRoot(repo);
  const full = `${root}/${path}`;
  if (!(await throughRealFolders(repo, root, path.split('/')))) {
    throw new GitStoreError(GitErrorCode.FileNotFound, `${path} does not exist in WORKTREE`);
  }
  let stat;
  try {
    stat = await repo.fs.promises.lstat(full);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new GitStoreError(GitErrorCode.FileNotFound, `${path} does not exist in WORKTREE`);
    }
    throw new GitStoreError(GitErrorCode.FileUnreadable, `Cannot read ${path} in WORKTREE: ${fsReason(error)}`);
  }
  if (stat.isDirectory()) throw new GitStoreError(GitErrorCode.NotAFile, `${path} is a folder, not a file (in WORKTREE)`);
  if (stat.isSymbolicLink()) return new TextEncoder().encode(String(await repo.fs.promises.readlink(full)));
  // A FIFO or device would block or never end: Git does not store them either.
  if (!stat.isFile()) throw new GitStoreError(GitErrorCode.NotAFile, `${path} is not a regular file (in WORKTREE)`);
  let data;
  try {
    data = await repo.fs.promises.readFile(full);
  } catch (error) {
    throw new GitStoreError(GitErrorCode.FileUnreadable, `Cannot read ${path} in WORKTREE: ${fsReason(error)}`, { cause: error });
  }
  return data instanceof Uint8Array ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new TextEncoder().encode(String(data));
}
