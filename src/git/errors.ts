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
  /** The ref is locked by another writer (or a stale `.lock` file was left behind by a crash). */
  RefLocked: 'GIT009',
  /** A request that cannot apply: WORKTREE on a bare repository, commit with no changes, bad change set. */
  InvalidRequest: 'GIT010',
  /** Cloning or fetching a remote hub failed (network, auth, unknown remote ref). */
  RemoteFailed: 'GIT011',
  /** An object is missing or unreadable (a corrupt or shallow repository). */
  ObjectUnreadable: 'GIT012',
  /**
   * The working copy of a checked-out branch cannot follow a commit: it has uncommitted changes to a
   * file the commit changes, or a Git command holds its index lock. Nothing was committed.
   */
  WorktreeConflict: 'GIT013',
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
