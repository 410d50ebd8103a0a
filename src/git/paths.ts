import { GitErrorCode, GitStoreError } from './errors.js';

/**
 * Checks a repository-relative file path and returns its segments. Paths come from users and API callers,
 * so anything that could escape the repository or alias another path is refused rather than normalised.
 * `allowRoot` accepts '' (and '.') as "the repository root", for folder arguments.
 */
export function pathSegments(path: string, options: { allowRoot?: boolean } = {}): string[] {
  if (typeof path !== 'string') {
    throw new GitStoreError(GitErrorCode.InvalidPath, `Path must be a string, got ${typeof path}`);
  }
  if (options.allowRoot && (path === '' || path === '.' || path === './')) return [];
  if (path === '') rejectPath(path, 'it is empty');
  if (path.includes('\0')) rejectPath(path, 'it contains a NUL character');
  if (path.includes('\\')) rejectPath(path, 'it contains a backslash (use forward slashes)');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) rejectPath(path, 'it is absolute (paths are relative to the repository root)');
  // A trailing slash is harmless on folder arguments; strip one so 'a/b/' means 'a/b'.
  const trimmed = options.allowRoot && path.endsWith('/') ? path.slice(0, -1) : path;
  const segments = trimmed.split('/');
  for (const segment of segments) {
    if (segment === '') rejectPath(path, 'it contains an empty segment');
    if (segment === '..') rejectPath(path, "it contains '..'");
    if (segment === '.') rejectPath(path, "it contains '.'");
    // Lower-cased only when it could be `.git` in any case (lint reads thousands of paths).
    if (segment.length === 4 && segment.toLowerCase() === '.git') rejectPath(path, "it reaches into '.git'");
  }
  return segments;
}

function rejectPath(path: string, why: string): never {
  throw new GitStoreError(GitErrorCode.InvalidPath, `Invalid path ${JSON.stringify(path)}: ${why}`);
}

/** Checks and returns a normalised repository-relative path ('' for the root when allowed). */
export function validatePath(path: string, options: { allowRoot?: boolean } = {}): string {
  return pathSegments(path, options).join('/');
}

/**
 * `git check-ref-format` rules for a short branch or tag name (without `refs/heads/` or `refs/tags/`).
 * Refusing these up front keeps the ref files we create inside refs/ and readable by the git CLI.
 */
export function validateRefName(name: string, what: 'branch' | 'tag' | 'ref'): string {
  const reject = (why: string): never => {
    throw new GitStoreError(GitErrorCode.InvalidRefName, `Invalid ${what} name ${JSON.stringify(name)}: ${why}`);
  };
  if (typeof name !== 'string' || name === '') reject('it is empty');
  // Stricter than check-ref-format where git's own commands are: `@` means HEAD, and `git tag`/`git branch`
  // refuse names starting with '-' (they would read as options).
  if (name === '@') reject("'@' is reserved");
  if (name.startsWith('-')) reject("it starts with '-'");
  if (name.startsWith('/') || name.endsWith('/')) reject('it starts or ends with a slash');
  if (name.endsWith('.')) reject('it ends with a dot');
  if (name.includes('..')) reject("it contains '..'");
  if (name.includes('@{')) reject("it contains '@{'");
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) {
    reject('it contains a space, control character or one of ~ ^ : ? * [ \\');
  }
  for (const component of name.split('/')) {
    if (component === '') reject('it contains an empty component');
    if (component.startsWith('.')) reject('a component starts with a dot');
    if (component.endsWith('.lock')) reject("a component ends with '.lock'");
  }
  if (what === 'branch' && name === 'HEAD') reject("'HEAD' is not a branch name");
  return name;
}

export function joinPath(base: string, name: string): string {
  return base === '' ? name : `${base}/${name}`;
}
