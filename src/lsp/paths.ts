/** File URIs to workspace paths: repository-relative with `/` (as every oclhub layer names files) and back. */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export function uriToFsPath(uri: unknown): string | undefined {
  // Parameters come from the client unchecked: anything but a file URI names no workspace file.
  if (typeof uri !== 'string' || !uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function fsPathToUri(fsPath: string): string {
  return pathToFileURL(fsPath).toString();
}

/** The path oclhub uses for a file: relative to the workspace root when inside it, else absolute. */
export function workspacePath(root: string | undefined, fsPath: string): string {
  if (root !== undefined) {
    const relative = path.relative(root, fsPath);
    if (relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)) return relative.split(path.sep).join('/');
  }
  return fsPath.split(path.sep).join('/');
}

export function absolutePath(root: string | undefined, file: string): string {
  if (path.isAbsolute(file) || root === undefined) return file;
  return path.join(root, ...file.split('/'));
}
