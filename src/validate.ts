/**
 * Validation of one OCL file, the library behind `oclhub validate`. Today: syntax (the parser's
 * diagnostics). Later layers (document-kind schemas, references) add their diagnostics here, so
 * every surface that validates a file gets them at once.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from './diagnostics.js';
import type { OclDocument } from './ocl/ast.js';
import { parseOcl } from './ocl/index.js';
import type { HeredocMode } from './ocl/printer.js';

export interface ValidateFileOptions {
  /** The heredoc unindent rule; see `heredocModeForFile`. Default `current`. */
  heredocMode?: HeredocMode;
}

export interface ValidateFileResult {
  document: OclDocument;
  diagnostics: Diagnostic[];
}

export function validateFile(file: string, text: string, options: ValidateFileOptions = {}): ValidateFileResult {
  const { document, diagnostics } = parseOcl(text, { file, heredocMode: options.heredocMode ?? 'current' });
  return { document, diagnostics };
}

/** The first schema version whose files use today's heredoc rule (Octopus schema migration 6). */
export const CURRENT_HEREDOC_SCHEMA_VERSION = 6;

/**
 * Octopus wrote heredoc end tags 4 spaces shallower than the content before schema version 6, and
 * read them with the old unindent rule (ocl-spec §2.2). A file is read with that `legacy` rule when
 * its project folder has a `schema_version.ocl` with `version` below 6. The project folder is the
 * file's own folder, or its parent for files under `runbooks/`.
 */
export async function heredocModeForFile(
  filePath: string,
  read: (file: string) => Promise<string> = (file) => readFile(file, 'utf8'),
  cache: Map<string, HeredocMode> = new Map(),
): Promise<HeredocMode> {
  let folder = path.dirname(filePath);
  if (path.basename(folder) === 'runbooks') folder = path.dirname(folder);
  const cached = cache.get(folder);
  if (cached) return cached;
  const mode = await heredocModeForFolder(folder, read);
  cache.set(folder, mode);
  return mode;
}

async function heredocModeForFolder(folder: string, read: (file: string) => Promise<string>): Promise<HeredocMode> {
  let text: string;
  try {
    text = await read(path.join(folder, 'schema_version.ocl'));
  } catch {
    return 'current';
  }
  const version = schemaVersionOf(parseOcl(text).document);
  return version !== undefined && version < CURRENT_HEREDOC_SCHEMA_VERSION ? 'legacy' : 'current';
}

/** The top-level `version = <int>` of a `schema_version.ocl` document. */
export function schemaVersionOf(document: OclDocument): number | undefined {
  for (const element of document.body) {
    if (element.type === 'attribute' && element.name === 'version' && element.value.type === 'int') return element.value.value;
  }
  return undefined;
}
