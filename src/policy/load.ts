/**
 * A policy file's text → the policy model plus what the policy layer needs beside it (its line index,
 * to map Rego positions back to the OCL file, and the version it was read at).
 */
import { LineIndex, type Diagnostic } from '../diagnostics.js';
import { validateFile, type FileValidationResult } from '../model/validate.js';
import type { PolicyDocument } from '../model/types.js';

export interface PolicySource {
  /** The slug: the file name without `.ocl`, which Octopus also requires as the Rego package. */
  slug: string;
  /** The path used in diagnostics (repository-relative for hub files). */
  file: string;
  text: string;
  document: PolicyDocument;
  lines: LineIndex;
  /** The published version evaluated; undefined for a draft (working file). */
  version?: string;
  /** The version tag and the commit it names, for published versions. */
  tag?: string;
  commit?: string;
}

export interface LoadPolicyResult {
  /** Absent when the file does not parse as OCL. */
  policy?: PolicySource;
  /** Every OCL, schema and policy-model diagnostic of the file. */
  diagnostics: Diagnostic[];
}

export function slugFromPath(file: string): string {
  const name = file.replace(/\\/g, '/').split('/').pop() ?? file;
  return name.replace(/\.ocl$/i, '');
}

/** What loading a policy takes from validating its file: the model and the diagnostics. */
export type PolicyValidation = Pick<FileValidationResult, 'document' | 'diagnostics'>;

/**
 * Validates a policy file as `validatePolicyFile` does; a cache of validations (src/hub/policy-cache.ts)
 * is one, and must give what `validatePolicyFile` would.
 */
export type PolicyValidator = (file: string, text: string) => PolicyValidation;

/** A policy file's text validated (parsed, checked against its schema and model). */
export function validatePolicyFile(file: string, text: string): PolicyValidation {
  return validateFile({ path: file, text, context: { kind: 'policy' } });
}

/** Parses one policy file. Never throws: problems are diagnostics. */
export function loadPolicyText(file: string, text: string, extra: Pick<PolicySource, 'version' | 'tag' | 'commit'> = {}, validate: PolicyValidator = validatePolicyFile): LoadPolicyResult {
  const result = validate(file, text);
  const document = result.document;
  if (!document || document.kind !== 'policy') return { diagnostics: result.diagnostics };
  const slug = document.slug ?? slugFromPath(file);
  if (document.slug === undefined) document.slug = slug;
  const policy: PolicySource = {
    slug,
    file,
    text,
    document,
    lines: new LineIndex(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text),
  };
  if (extra.version !== undefined) policy.version = extra.version;
  if (extra.tag !== undefined) policy.tag = extra.tag;
  if (extra.commit !== undefined) policy.commit = extra.commit;
  return { policy, diagnostics: result.diagnostics };
}
