/**
 * Validation entry points behind `oclhub validate`: one file (syntax → schema → semantic checks, from
 * src/model) and a whole hub repository at a Git ref (or its working directory).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { compareDiagnostics, type Diagnostic } from '../diagnostics.js';
import { openRepository, isGitStoreError, WORKTREE } from '../git/index.js';
import { directoryReader } from '../model/directory-reader.js';
import {
  readSchemaVersion,
  validateFile as validateModelFile,
  validateHub,
  type FileValidationResult,
  type HubFileReader,
  type HubValidationResult,
} from '../model/validate.js';
import type { HeredocMode } from '../ocl/printer.js';
import { checkBestPractices, practiceInputFromValidation, publishedFromTags } from '../practices/index.js';

export interface ValidateFileOptions {
  /** The project's schema version (from its schema_version.ocl): below 6 heredocs use the legacy unindent rule. */
  schemaVersion?: number;
  now?: Date;
}

export function validateFile(file: string, text: string, options: ValidateFileOptions = {}): FileValidationResult {
  const context: { schemaVersion?: number; now?: Date } = {};
  if (options.schemaVersion !== undefined) context.schemaVersion = options.schemaVersion;
  if (options.now) context.now = options.now;
  return validateModelFile({ path: file, text, context });
}

/** The first schema version whose files use today's heredoc rule (Octopus schema migration 6). */
export const CURRENT_HEREDOC_SCHEMA_VERSION = 6;

/**
 * The schema version of the project folder a file belongs to: the `version` in `schema_version.ocl`
 * (or the pre-2022 `schema-version.ocl`) of the file's folder, or of the project folder for files under
 * `runbooks/` and `runbooks/migrated-drafts/`. Undefined when there is none.
 */
export async function schemaVersionForFile(
  filePath: string,
  read: (file: string) => Promise<string> = (file) => readFile(file, 'utf8'),
  cache: Map<string, number | undefined> = new Map(),
): Promise<number | undefined> {
  let folder = path.dirname(filePath);
  if (path.basename(folder) === 'migrated-drafts') folder = path.dirname(folder);
  if (path.basename(folder) === 'runbooks') folder = path.dirname(folder);
  if (cache.has(folder)) return cache.get(folder);
  let version: number | undefined;
  for (const name of ['schema_version.ocl', 'schema-version.ocl']) {
    try {
      version = readSchemaVersion(await read(path.join(folder, name)));
      break;
    } catch {
      // no such file: try the older name, then give up
    }
  }
  cache.set(folder, version);
  return version;
}

/**
 * Octopus wrote heredoc end tags 4 spaces shallower than the content before schema version 6, and
 * read them with the old unindent rule (ocl-spec §2.2): such files are read with the `legacy` rule.
 */
export async function heredocModeForFile(
  filePath: string,
  read?: (file: string) => Promise<string>,
  cache: Map<string, number | undefined> = new Map(),
): Promise<HeredocMode> {
  const version = await schemaVersionForFile(filePath, read, cache);
  return version !== undefined && version < CURRENT_HEREDOC_SCHEMA_VERSION ? 'legacy' : 'current';
}

export interface ValidateHubAtOptions {
  /** The hub repository folder (a Git working copy, a bare repository, or a plain folder when `ref` is WORKTREE). */
  dir: string;
  /** A branch, tag or commit id; `WORKTREE` (default) reads the working directory, uncommitted edits included. */
  ref?: string;
  now?: Date;
}

export type ValidateHubAtResult = { result: HubValidationResult; sources: Map<string, string> } | { error: Diagnostic };

/** Validates every file of a hub repository at a ref, with cross-file checks. Git failures become one diagnostic. */
export async function validateHubAt(options: ValidateHubAtOptions): Promise<ValidateHubAtResult> {
  const ref = options.ref ?? WORKTREE;
  let reader: HubFileReader;
  let tags: string[] = [];
  try {
    const store = await openRepository({ dir: options.dir });
    const snapshot = await store.snapshot(ref);
    tags = await store.listTags().catch(() => []);
    reader = {
      list: async () => (await snapshot.listFiles()).map((f) => f.path),
      read: async (file) => {
        try {
          return await snapshot.readTextFile(file);
        } catch {
          return undefined;
        }
      },
    };
  } catch (error) {
    if (!isGitStoreError(error)) throw error;
    // A plain folder (not a repository) can still be validated as it is on disk.
    if (ref === WORKTREE && error.code === 'GIT008') reader = directoryReader(options.dir);
    else return { error: { severity: 'error', code: error.code, summary: error.message } };
  }
  const sources = new Map<string, string>();
  const recording: HubFileReader = {
    list: () => reader.list(),
    read: async (file) => {
      const text = await reader.read(file);
      if (text !== undefined) sources.set(file, text.replace(/^\uFEFF/, ''));
      return text;
    },
  };
  const result = await validateHub({ files: recording, ...(options.now ? { now: options.now } : {}) });
  // Best practices and dependency checks (BP…, DEP…) over the same parsed files.
  result.diagnostics.push(...checkBestPractices(practiceInputFromValidation(result, sources, { ...(options.now ? { now: options.now } : {}), ...publishedFromTags(tags) })));
  result.diagnostics.sort(compareDiagnostics);
  return { result, sources };
}
