/**
 * One file's analysis, the same checks `oclhub validate` and `oclhub test` run: syntax (every error,
 * with recovery), schema and semantic checks (src/model), and for policies the Octopus compatibility
 * checks and the compilation of the scope/conditions Rego (src/policy), positioned on the OCL lines.
 * Results are cached per file by text and schema version, so a keystroke re-analyses one file only.
 */
import { LineIndex, type Diagnostic } from '../diagnostics.js';
import { CODES } from '../model/codes.js';
import type { DocumentKind } from '../model/kinds.js';
import { checkRuleSettings, type RuleSetting } from '../model/rule-settings.js';
import type { HubConfigDocument } from '../model/types.js';
import { readSchemaVersion, validateFile, type FileValidationResult } from '../model/validate.js';
import type { OclDocument } from '../ocl/ast.js';
import { OclCodes } from '../ocl/codes.js';
import { parseOcl } from '../ocl/index.js';
import type { HeredocMode } from '../ocl/printer.js';
import { POLICY_CODES } from '../policy/codes.js';
import { checkPolicyCompat } from '../policy/compat.js';
import { checkPolicyCompiles } from '../policy/compile-check.js';
import { RESOLVE_CODES } from '../templates/resolve-codes.js';

export interface FileAnalysis {
  file: string;
  text: string;
  /** The text without its byte-order mark, which every range refers to. */
  lines: LineIndex;
  schemaVersion?: number;
  heredocMode: HeredocMode;
  result: FileValidationResult;
  kind?: DocumentKind;
  /** The file's own findings, before rule settings. */
  diagnostics: Diagnostic[];
  /** The syntax tree, also for a file with syntax errors (what the parser recovered). */
  readonly ast: OclDocument;
  /** The offset (in `lines.text`) of an editor position (0-based line and UTF-16 character), clamped into the text. */
  offsetAt(line: number, character: number): number;
}

/** Every code oclhub reports, for checking `rule "<CODE>"` settings. */
export const KNOWN_CODES: ReadonlySet<string> = new Set([
  ...Object.values(OclCodes),
  'OCL290',
  ...Object.keys(CODES),
  ...Object.keys(POLICY_CODES),
  ...Object.keys(RESOLVE_CODES),
]);

/** The rule settings of an `oclhub.ocl`, in the form `applyRuleSettings` takes. */
export function ruleSettingsOf(config: HubConfigDocument | undefined): RuleSetting[] {
  return (config?.rules ?? []).map((rule) => {
    const setting: RuleSetting = { code: rule.code, paths: rule.paths };
    if (rule.severity !== undefined) setting.severity = rule.severity;
    if (rule.reason !== undefined) setting.reason = rule.reason;
    const range = rule.labelRange ?? rule.headerRange;
    if (range) setting.range = range;
    return setting;
  });
}

export function analyse(file: string, text: string, schemaVersion: number | undefined, now = new Date()): FileAnalysis {
  const heredocMode: HeredocMode = schemaVersion !== undefined && schemaVersion < 6 ? 'legacy' : 'current';
  const context: { schemaVersion?: number; now: Date } = { now };
  if (schemaVersion !== undefined) context.schemaVersion = schemaVersion;
  const result = validateFile({ path: file, text, context });
  const lines = new LineIndex(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const diagnostics = [...result.diagnostics];
  const document = result.document;
  if (document?.kind === 'policy') {
    diagnostics.push(...checkPolicyCompat(document, { file, lines }), ...checkPolicyCompiles(document, { file, lines }));
  }
  if (document?.kind === 'oclhub') diagnostics.push(...checkRuleSettings(ruleSettingsOf(document), KNOWN_CODES, file));
  let ast = result.ast;
  let starts: number[] | undefined;
  const bom = text.length - lines.text.length;
  const analysis: FileAnalysis = {
    file,
    text,
    lines,
    heredocMode,
    result,
    diagnostics,
    get ast() {
      ast ??= parseOcl(text, { file, heredocMode }).document;
      return ast;
    },
    offsetAt(line, character) {
      starts ??= lineStarts(lines.text);
      const l = Math.max(0, Math.min(Number.isFinite(line) ? line : 0, starts.length - 1));
      const start = starts[l]!;
      const end = l + 1 < starts.length ? starts[l + 1]! - 1 : lines.text.length;
      const column = Math.max(0, (Number.isFinite(character) ? character : 0) - (l === 0 ? bom : 0));
      return Math.min(start + column, end);
    },
  };
  if (schemaVersion !== undefined) analysis.schemaVersion = schemaVersion;
  if (result.kind) analysis.kind = result.kind;
  return analysis;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** The project folder whose schema_version.ocl applies to a file (runbooks sit one or two levels below). */
export function projectFolderOf(file: string): string {
  const parts = file.split('/');
  parts.pop();
  if (parts[parts.length - 1] === 'migrated-drafts') parts.pop();
  if (parts[parts.length - 1] === 'runbooks') parts.pop();
  return parts.join('/');
}

export function schemaVersionFiles(file: string): string[] {
  const folder = projectFolderOf(file);
  const prefix = folder === '' ? '' : `${folder}/`;
  return [`${prefix}schema_version.ocl`, `${prefix}schema-version.ocl`];
}

/** Analyses by file, recomputed only when the text or the schema version changes. */
export class AnalysisCache {
  private readonly entries = new Map<string, FileAnalysis>();

  get(file: string, text: string, schemaVersionText: string | undefined): FileAnalysis {
    const schemaVersion = schemaVersionText === undefined ? undefined : readSchemaVersion(schemaVersionText);
    const cached = this.entries.get(file);
    if (cached && cached.text === text && cached.schemaVersion === schemaVersion) return cached;
    const fresh = analyse(file, text, schemaVersion);
    this.entries.set(file, fresh);
    return fresh;
  }

  peek(file: string): FileAnalysis | undefined {
    return this.entries.get(file);
  }

  forget(file: string): void {
    this.entries.delete(file);
  }
}
