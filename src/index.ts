/**
 * The `oclhub` package: what other programs import. Everything the CLI, the API and the web page
 * do goes through these functions; none of them exits the process, prints, or throws on bad input
 * (problems come back as diagnostics). `docs/api.md` walks through it with a runnable example.
 *
 * Sub-paths for narrower needs: `oclhub/ocl` (the OCL parser and printer alone), `oclhub/rego`
 * (the Rego engine alone, which imports nothing else from oclhub).
 */

// One diagnostic type everywhere.
export {
  compareDiagnostics,
  countBySeverity,
  hasErrors,
  type Diagnostic,
  type Position,
  type Range,
  type RelatedInformation,
  type Severity,
  type SourceRepository,
  type SuppressionRecord,
} from './diagnostics.js';

// OCL: parse, print, format, and the JSON form (docs/ocl-json.md).
export { parseOcl, type ParseOclOptions, type ParseOclResult, type HeredocMode } from './ocl/index.js';
export type * from './ocl/ast.js';
export { printOcl, type PrintOptions } from './ocl/printer.js';
export { formatOcl, printVerified, type FormatOptions, type FormatResult } from './ocl/format.js';
export { oclToJson, jsonToOcl, parseJsonText, OCL_JSON_VERSION, type OclJsonDocument, type JsonToOclOptions, type JsonToOclResult } from './ocl/json.js';

// Validation: one file's text, files on disk, or a whole hub at a ref.
export {
  validateFile,
  validatePaths,
  validateHubAt,
  type ValidateFileOptions,
  type ValidatePathsOptions,
  type ValidationRun,
  type ValidatedFile,
  type ValidateHubAtOptions,
  type ValidateHubAtResult,
} from './hub/validate.js';
export type { FileValidationResult, HubValidationResult } from './model/validate.js';

// The hub: open a repository (folder or URL) at a ref; resolve, lint, evaluate, publish, diff.
export {
  openHub,
  Hub,
  activatePolicy,
  LOCK_FILE_NAME,
  parseLock,
  formatLock,
  type OpenHubOptions,
  type OpenHubResult,
  type ActivatePolicyOptions,
  type ActivationResult,
  type ComplianceMatrix,
  type ComplianceRow,
  type HubPublishRequest,
  type HubPublishResult,
  type HubProjectResolution,
  type ResolveProjectOptions,
  type ImpactEntry,
  type TemplateSummary,
  type LockFile,
  type OutdatedEntry,
  type ProjectResolution,
  type ResolvedProcess,
  type ResolvedStep,
  type PublishedVersion,
  type LintOptions,
  type LintProjectTarget,
  type LintRun,
  type EvaluateTargetOptions,
  type TargetEvaluation,
  type HubDiff,
  type OctopusInput,
} from './hub/index.js';

// Rego: compile modules once, evaluate queries many times (OPA-compatible results).
export {
  compile as compileRego,
  CompiledPolicy,
  type CompileOptions as CompileRegoOptions,
  type CompileResult as CompileRegoResult,
  type EvalOptions as RegoEvalOptions,
  type EvalResult as RegoEvalResult,
  type RegoError,
  type RegoLimits,
  type Value as RegoValue,
} from './rego/index.js';
export { fromJSON as regoValueFromJson, toJSON as regoValueToJson } from './rego/value.js';
export { formatRegoError } from './rego/errors.js';

// The HTTP API: a Hono app over a hub, and a small server helper.
export { createApp, hubPort, startServer, type ApiOptions, type OclhubApp, type HubPortOptions, type RunningServer, type StartServerOptions } from './api/index.js';

// Plain-text rendering of diagnostics, as the CLI prints them.
export { renderDiagnostics, renderSummary, type RenderOptions } from './report/text.js';
