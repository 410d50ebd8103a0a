/** Shared result and input types of the GitStore commands. */

export interface FileEntry {
  /** Repository-relative path with forward slashes. */
  path: string;
  /** The blob id, or null for a WORKTREE file (its content is not in Git). */
  oid: string | null;
  /** Git file mode: '100644' regular, '100755' executable, '120000' symlink. */
  mode: string;
}

export interface Identity {
  name: string;
  email: string;
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
  /** Minutes, with Date#getTimezoneOffset's sign (UTC+2 is -120); defaults to the local zone. */
  timezoneOffset?: number;
}

export type FileChange =
  | { path: string; content: string | Uint8Array; executable?: boolean }
  | { path: string; delete: true };
