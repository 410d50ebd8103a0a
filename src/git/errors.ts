/**
 * Every failure the GitStore reports is a GitStoreError with a stable code, so callers can map it to a
 * Diagnostic (CLI) or an HTTP status (API) without parsing messages.
 */

export const GitErrorCode = {
  /** A path is absolute, contains `..`/`.`/empty segments, NUL, a backslash or a `.git` segment. */
  InvalidPath: 'GIT001',
  /** A branch, tag or commit id that does not exist in the repository. */
  RefNotFound: 'GIT002',
  /** The ref exists but the path does not exist at it. */
  FileNotFound: 'GIT003',
  /** A file was asked for but the path is a folder, or a folder was asked for but it is a file. */
  NotAFile: 'GIT004',
  /** Creating a tag that already exists (tags are immutable). */
  TagExists: 'GIT005',
  /** Compare-and-swap failed: the branch moved since the caller read it. */
  Conflict: 'GIT006',
  /** A ref name that git would reject (`git check-ref-format`). */
  InvalidRefName: 'GIT007',
  /** No repository at the given location, or it is unreadable. */
  RepositoryNotFound: 'GIT008',
  /** The ref (or the working copy's index) is locked by another writer; retry. Stale ref locks are removed. */
  RefLocked: 'GIT009',
  /** A request that cannot apply: WORKTREE on a bare repository, commit with no changes, bad change set. */
  InvalidRequest: 'GIT010',
  /** Cloning or fetching a remote hub failed (network, auth, unknown remote ref). */
  RemoteFailed: 'GIT011',
  /** An object is missing or unreadable (a corrupt or shallow repository). */
  ObjectUnreadable: 'GIT012',
  /**
   * The working copy of a checked-out branch cannot follow a commit: it has uncommitted changes to a
   * file the commit changes, or an index oclhub cannot update. Nothing was committed.
   */
  WorktreeConflict: 'GIT013',
  /** Writing objects or refs failed in the file system (disk full, permissions, read-only). Nothing was published. */
  WriteFailed: 'GIT014',
  /** A working-directory file exists but cannot be read (permissions, a folder or device in its place). */
  FileUnreadable: 'GIT015',
} as const;

export type GitErrorCodeValue = (typeof GitErrorCode)[keyof typeof GitErrorCode];

export interface GitErrorDetails {
  /** The object that could not be read (ObjectUnreadable), and why. */
  oid?: string;
  reason?: string;
  /** RefLocked: when a retry may succeed (a live writer finishes, or a crashed writer's lock turns stale). */
  retryAfterSeconds?: number;
  /** RefNotFound: the closest branch or tag name ("did you mean"). */
  suggestion?: string;
}

export class GitStoreError extends Error {
  readonly code: GitErrorCodeValue;
  readonly details: GitErrorDetails;

  constructor(code: GitErrorCodeValue, message: string, options?: { cause?: unknown } & GitErrorDetails) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GitStoreError';
    this.code = code;
    const { cause: _cause, ...details } = options ?? {};
    this.details = details;
  }
}

export function isGitStoreError(error: unknown, code?: GitErrorCodeValue): error is GitStoreError {
  return error instanceof GitStoreError && (code === undefined || error.code === code);
}

/** The HTTP status an API should answer with for a GitStoreError. */
export function httpStatusFor(code: GitErrorCodeValue): number {
  switch (code) {
    case GitErrorCode.RefNotFound:
    case GitErrorCode.FileNotFound:
    case GitErrorCode.RepositoryNotFound:
      return 404;
    case GitErrorCode.TagExists:
    case GitErrorCode.Conflict:
    case GitErrorCode.WorktreeConflict:
      return 409;
    case GitErrorCode.RemoteFailed:
      return 502;
    // Both are the repository's state, not the request's: a lock clears when its writer finishes (or
    // turns stale), corruption when an operator repairs the repository.
    case GitErrorCode.RefLocked:
    case GitErrorCode.ObjectUnreadable:
    case GitErrorCode.WriteFailed:
    case GitErrorCode.FileUnreadable:
      return 503;
    default:
      return 400;
  }
}

/** Node/memfs errno of an fs error, if any. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

const ERRNO_TEXT: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EEXIST: 'already exists',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a path component is not a folder',
  EISDIR: 'is a folder',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'name too long',
  EBUSY: 'resource busy',
};

/** What an errno code means, in a few words (`EACCES` → `permission denied`). */
export function errnoText(code: string): string {
  return ERRNO_TEXT[code] ?? 'file system error';
}

/**
 * A file-system failure in a few words, without the paths Node puts in its messages (an error may be
 * shown to API clients, who must not learn the server's folders).
 */
export function fsReason(error: unknown): string {
  const code = errnoCode(error);
  if (code !== undefined && /^E[A-Z]+$/.test(code)) return `${code} (${errnoText(code)})`;
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/(?:^|(?<=[\s'"(]))\/(?:[^\s'"()/]+\/)+[^\s'"()]*/g, '<path>');
}
