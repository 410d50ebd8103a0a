/** The model layer: OCL AST → typed documents with source ranges, JSON Schema validation, semantic checks. */
export * from './types.js';
export * from './kinds.js';
export { CODES, modelDiagnostic, type CodeInfo, type ModelCode, type DiagnosticOptions } from './codes.js';
export { buildDocument, DEFAULT_BASE_PATH, type BuildOptions } from './build.js';
export { buildProcess, buildStep, buildAction, buildUsage, buildTemplateParameter } from './process.js';
export { BodyReader, blockSource } from './body.js';
export {
  projectDocument,
  literalToJson,
  escapePointer,
  blockHeaderRange,
  LABELS_KEY,
  type Projection,
  type PointerTarget,
  type JsonValue,
  type JsonObject,
} from './projection.js';
export { validateProjection, schemaFor, SCHEMA_FILES, SCHEMAS_DIR } from './schema.js';
export { editDistance, suggest, didYouMean } from './suggest.js';
export { checkProcess, VERSION_MASK } from './checks/process.js';
export {
  checkParameters,
  checkProcessTemplate,
  checkParameterReferences,
  scanParameterReferences,
  isWorkerExecuted,
  workerPoolParameterName,
  CONTROL_TYPES,
  CONTROL_TYPE_ALIASES,
  suggestControlType,
  NO_DEFAULT_CONTROL_TYPES,
  SERVER_ONLY_ACTION_TYPES,
} from './checks/template.js';
export { findReferences, isSystemVariable, type VariableReference } from './checks/references.js';
export { TYPED_VARIABLE_PROPERTIES, hasSubProperties, subPropertyReference, type SubPropertyReference } from './checks/typed-variables.js';
export { DIAGNOSTIC_CODES, KNOWN_CODES, LAYERS as DIAGNOSTIC_CODE_LAYERS, type RegisteredCode } from './code-registry.js';
export {
  applyRuleSettings,
  ruleSettingsApplier,
  checkRuleSettings,
  ruleSettingsOf,
  isUnlowerable,
  RULE_SEVERITIES,
  type RuleSetting,
  type RuleSeverity,
  type RuleSettingsOptions,
  type RuleSettingsResult,
} from './rule-settings.js';
export { checkPolicy, regoToOclRange, VIOLATION_ACTIONS } from './checks/policy.js';
export { checkHubConfig, parseExpiry, isValidTag } from './checks/hub-config.js';
export { checkVariables, checkRunbook } from './checks/documents.js';
export { legacyPass, SLUG } from './checks/legacy.js';
export {
  validateFile,
  validateHub,
  readSchemaVersion,
  type ValidationContext,
  type ValidateFileOptions,
  type FileValidationResult,
  type HubFileReader,
  type ValidateHubOptions,
  type HubValidationResult,
} from './validate.js';
export { directoryReader } from './directory-reader.js';
