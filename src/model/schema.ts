/**
 * JSON Schema validation (ajv, draft 2020-12) of the JSON projection of an OCL document, with every
 * ajv error mapped back to the OCL attribute, block, label or value that caused it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic, Fix, LineIndex, Range, Severity } from '../diagnostics.js';
import { insertIntoBlockFix, oclString, placeholderFor, renameAllFix, replaceFix } from './fixes.js';
import type { DocumentKind } from './kinds.js';
import { LABELS_KEY, escapePointer, type PointerTarget, type Projection } from './projection.js';
import { didYouMean, suggest } from './suggest.js';

type Ajv2020Class = typeof ajv2020.default;
type Ajv2020 = InstanceType<Ajv2020Class>;

/** Loads CommonJS files next to this module (ajv itself, and the validators compiled at build time). */
const requireHere = createRequire(import.meta.url);

/** The schemas/ folder: two levels above this module both in src/model and in dist/model. */
export const SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

export const SCHEMA_FILES: Record<DocumentKind, string> = {
  deployment_process: 'deployment-process.schema.json',
  deployment_settings: 'deployment-settings.schema.json',
  variables: 'variables.schema.json',
  schema_version: 'schema-version.schema.json',
  runbook: 'runbook.schema.json',
  templated_project_values: 'templated-project-values.schema.json',
  channels: 'channels.schema.json',
  process_template: 'process-template.schema.json',
  project_template: 'project-template.schema.json',
  project_template_parameters: 'project-template-parameters.schema.json',
  project_template_channel: 'project-template-channel.schema.json',
  project_template_lifecycle: 'project-template-lifecycle.schema.json',
  policy: 'policy.schema.json',
  oclhub: 'oclhub.schema.json',
};

/** What each block's labels mean, for "needs a label" messages. */
const LABEL_MEANING: Record<string, string> = {
  step: 'the step slug',
  action: 'the action slug',
  packages: 'the package reference name',
  process_template: 'the usage step slug',
  parameter: 'the parameter name',
  package_parameter: "the template's Package parameter name",
  variable: 'the variable name',
  value: 'the value',
  space: 'the space slug',
  environment: 'the environment slug',
  tenant: 'the tenant slug',
  project_group: 'the project group slug',
  project: 'the project slug',
  policy: 'the policy slug',
  exception: 'the exception id',
};

/** The schema `$id` of a document kind. */
export function schemaId(kind: DocumentKind): string {
  return `https://oclhub.dev/schemas/${SCHEMA_FILES[kind]}`;
}

/**
 * ajv holding every document schema, configured as validation needs it. The build compiles the same
 * instance's validators to standalone code (scripts/compile-schemas.mjs) so that the CLI does not
 * load ajv or compile schemas at start-up; `source` keeps the generated code for that.
 */
export function createSchemaAjv(options: { source?: boolean } = {}): Ajv2020 {
  const loaded = requireHere('ajv/dist/2020.js') as { default?: Ajv2020Class } & Ajv2020Class;
  const Ajv = loaded.default ?? loaded;
  // The schemas are checked against the draft 2020-12 meta-schema by the tests, not at every start.
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true, validateSchema: false, ...(options.source ? { code: { source: true } } : {}) });
  // Annotations read by the error mapper (not validation keywords).
  ajv.addKeyword({ keyword: 'x-unknown', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-why', schemaType: 'string' });
  // Only the document schemas and their shared definitions: other schemas in the folder belong to other layers.
  for (const file of ['ocl-common.schema.json', ...Object.values(SCHEMA_FILES)]) {
    const schema = JSON.parse(readFileSync(SCHEMAS_DIR + file, 'utf8')) as { $id?: string };
    if (!ajv.getSchema(schema.$id ?? file)) ajv.addSchema(schema);
  }
  return ajv;
}

/** Where the build puts the standalone validator of each kind (`dist/model/validators/<kind>.cjs`). */
export const COMPILED_VALIDATORS_DIR = 'validators';

let ajvInstance: Ajv2020 | undefined;
const validators = new Map<DocumentKind, ValidateFunction>();

function compiledAtBuild(kind: DocumentKind): ValidateFunction | undefined {
  try {
    return requireHere(`./${COMPILED_VALIDATORS_DIR}/${kind}.cjs`) as ValidateFunction;
  } catch (error) {
    // Running from the sources (tests, tsx): no build output next to this module.
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

export function schemaFor(kind: DocumentKind): object {
  const file = SCHEMA_FILES[kind];
  return JSON.parse(readFileSync(SCHEMAS_DIR + file, 'utf8')) as object;
}

function validatorFor(kind: DocumentKind): ValidateFunction {
  let validate = validators.get(kind);
  if (!validate) {
    validate = compiledAtBuild(kind);
    if (!validate) {
      ajvInstance ??= createSchemaAjv();
      validate = ajvInstance.getSchema(schemaId(kind));
      if (!validate) throw new Error(`schema ${schemaId(kind)} is not loaded`);
    }
    validators.set(kind, validate);
  }
  return validate;
}

export interface SchemaValidationOptions {
  file?: string;
  /** Attribute/block names already reported (by the legacy pass): no "unknown" diagnostic for them. */
  suppressUnknown?: ReadonlySet<string>;
  /** The checked text, so that fixes (e.g. a missing attribute) fit the file's layout. */
  lines?: LineIndex;
}

/** Validates a projection against the schema of `kind`; returns positioned diagnostics. */
export function validateProjection(kind: DocumentKind, projection: Projection, options: SchemaValidationOptions = {}): Diagnostic[] {
  const validate = validatorFor(kind);
  validate(projection.json);
  const errors = validate.errors ?? [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const d = mapError(error, projection, options);
    if (!d) continue;
    const key = `${d.code}|${d.range?.start.offset}|${d.summary}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

function describeContainer(target: PointerTarget | undefined): string {
  if (!target || target.kind === 'document') return 'at the top level';
  if (target.kind === 'block') {
    const label = target.block.labels[0]?.value;
    return label === undefined ? `in the \`${target.name}\` block` : `in \`${target.name} "${label}"\``;
  }
  return '';
}

function parentPointer(pointer: string): string {
  const i = pointer.lastIndexOf('/');
  return i < 0 ? '' : pointer.slice(0, i);
}

function lastSegment(pointer: string): string {
  const i = pointer.lastIndexOf('/');
  return pointer.slice(i + 1).replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The element name an instance path designates (for `/step/0/action/0/name` → `name`; for `/step/0` → `step`). */
function elementName(pointer: string): string {
  const last = lastSegment(pointer);
  if (/^\d+$/.test(last)) return lastSegment(parentPointer(pointer));
  return last;
}

/** A property schema describing blocks: an array whose items are objects (inline, or through a `$ref` sibling). */
function isBlockSchema(schema: unknown): boolean {
  if (!schema || typeof schema !== 'object') return false;
  const s = schema as { type?: unknown; items?: unknown; $ref?: unknown };
  if (s.type !== 'array') return false;
  if (typeof s.$ref === 'string') return true;
  if (!s.items || typeof s.items !== 'object') return false;
  const itemType = (s.items as { type?: unknown }).type;
  return itemType === undefined || itemType === 'object';
}

function typeDescription(expected: string | string[]): string {
  const list = Array.isArray(expected) ? expected : [expected];
  const words = list.map((t) =>
    t === 'string' ? 'a string' : t === 'integer' ? 'an integer' : t === 'number' ? 'a number' : t === 'boolean' ? '`true` or `false`' : t === 'array' ? 'a list' : t === 'object' ? 'a map' : t,
  );
  return words.join(' or ');
}

function documentStart(projection: Projection): Range {
  const doc = projection.pointers.get('');
  const start = doc ? doc.range.start : { line: 1, column: 1, offset: 0 };
  return { start, end: start };
}

function headerRange(target: PointerTarget | undefined, projection: Projection): Range {
  if (!target || target.kind === 'document') return documentStart(projection);
  if ('nameRange' in target) return target.nameRange;
  return target.range;
}

/**
 * For a missing required name, the name actually written in the same block that is most likely a
 * misspelling of it (`acton_type` for `action_type`), as a detail; the misspelt name gets its own
 * "unknown attribute" warning with the same suggestion.
 */
function misspeltAs(missing: string, data: unknown, options: SchemaValidationOptions): string | undefined {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const written = Object.keys(data).filter((k) => k !== LABELS_KEY && !options.suppressUnknown?.has(k));
  const near = written.find((name) => suggest(name, [missing]) === missing);
  return near !== undefined ? `Did you mean \`${missing}\`? The block sets \`${near}\`, which Octopus does not read.` : undefined;
}

function mapError(error: ErrorObject, projection: Projection, options: SchemaValidationOptions): Diagnostic | undefined {
  const file = options.file;
  const pointer = error.instancePath;
  const target = projection.pointers.get(pointer);
  const parentSchema = (error.parentSchema ?? {}) as Record<string, unknown>;
  const make = (severity: Severity, code: string, summary: string, range: Range, detail?: string, fix?: Fix): Diagnostic => {
    const d: Diagnostic = { severity, code, summary, file, range };
    if (detail) d.detail = detail;
    if (fix) d.fix = fix;
    return d;
  };

  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String((error.params as { additionalProperty: string }).additionalProperty);
      const childPointer = `${pointer}/${escapePointer(name)}`;
      if (options.suppressUnknown?.has(name)) return undefined;
      const child = projection.pointers.get(childPointer);
      const severity = (parentSchema['x-unknown'] as Severity | undefined) ?? 'error';
      const known = Object.keys((parentSchema.properties as Record<string, unknown> | undefined) ?? {}).filter((k) => k !== LABELS_KEY);
      const isBlock = child?.kind === 'blocks';
      const range = child && 'nameRange' in child ? child.nameRange : headerRange(target, projection);
      const what = isBlock ? 'block' : 'attribute';
      const hint = didYouMean(name, known);
      const meant = suggest(name, known);
      const renamed = child?.kind === 'blocks' ? child.blocks.map((b) => b.nameRange) : child && 'nameRange' in child ? [child.nameRange] : [];
      const fix = meant !== undefined && renamed.length > 0 ? renameAllFix(`Rename to \`${meant}\``, renamed, meant) : undefined;
      const detail =
        (hint ? hint.trim() + ' ' : '') +
        (severity === 'error' ? '' : 'Octopus may not use it; check the spelling against the documentation.') +
        (known.length > 0 && !hint ? ` Known here: ${known.map((k) => `\`${k}\``).join(', ')}.` : '');
      return make(severity, isBlock ? 'SCH002' : 'SCH001', `Unknown ${what} \`${name}\` ${describeContainer(target)}`.trim(), range, detail.trim() || undefined, fix);
    }
    case 'if':
      // The branch that failed (`then`/`else`) reports what is wrong itself.
      return undefined;
    case 'required': {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      const propSchema = (parentSchema.properties as Record<string, unknown> | undefined)?.[missing];
      const asBlock = isBlockSchema(propSchema);
      const summary = asBlock
        ? `Missing \`${missing}\` block ${describeContainer(target)}`
        : `Missing required attribute \`${missing}\` ${describeContainer(target)}`;
      const where = target?.kind === 'block' ? target.block.range : undefined;
      const fix =
        asBlock || (target?.kind !== 'block' && target?.kind !== 'document')
          ? undefined
          : insertIntoBlockFix(`Add \`${missing}\``, where, [`${missing} = ${placeholderFor(propSchema)}`], options.lines, target.range.start);
      return make('error', 'SCH003', summary.trim(), headerRange(target, projection), misspeltAs(missing, error.data, options), fix);
    }
    case 'type': {
      const expected = (error.params as { type: string | string[] }).type;
      const name = elementName(pointer);
      if (target?.kind === 'attribute' && expected === 'array' && isBlockSchema(parentSchema)) {
        return make('error', 'SCH010', `\`${name}\` must be written as a block (\`${name} { … }\`), not as an attribute`, target.nameRange);
      }
      if (target?.kind === 'blocks') {
        return make('error', 'SCH010', `\`${name}\` must be an attribute (\`${name} = …\`), not a block`, target.nameRange);
      }
      const range = target ? ('valueRange' in target ? target.valueRange : target.range) : documentStart(projection);
      const where = target?.kind === 'map-entry' ? `Map entry \`${name}\`` : target?.kind === 'array-item' ? `Each item of \`${elementName(parentPointer(pointer))}\`` : `\`${name}\``;
      return make('error', 'SCH004', `${where} must be ${typeDescription(expected)}`, range);
    }
    case 'enum': {
      const allowed = ((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      const name = elementName(pointer);
      const range = target && 'valueRange' in target ? target.valueRange : headerRange(target, projection);
      const value = typeof error.data === 'string' ? error.data : JSON.stringify(error.data);
      const hint = typeof error.data === 'string' ? suggest(error.data, allowed) : undefined;
      const why = typeof parentSchema['x-why'] === 'string' ? ` ${parentSchema['x-why'] as string}` : '';
      return make(
        'error',
        'SCH005',
        `\`${name}\` is "${value}", which is not one of: ${allowed.map((a) => `"${a}"`).join(', ')}`,
        range,
        ((hint ? `Did you mean "${hint}"?` : '') + why).trim() || undefined,
        hint !== undefined && target && 'valueRange' in target ? replaceFix(`Change to "${hint}"`, target.valueRange, oclString(hint)) : undefined,
      );
    }
    case 'minItems':
    case 'maxItems': {
      const limit = (error.params as { limit: number }).limit;
      if (target?.kind === 'labels') {
        const blockName = target.block.name;
        const meaning = LABEL_MEANING[blockName];
        const maxOnly = error.keyword === 'maxItems';
        const summary =
          limit === 0
            ? `The \`${blockName}\` block takes no label`
            : maxOnly
              ? `The \`${blockName}\` block takes at most ${limit} label${limit === 1 ? '' : 's'}${meaning ? ` (${meaning})` : ''}`
              : `The \`${blockName}\` block needs ${limit === 1 ? 'a label' : `${limit} labels`}${meaning ? ` (${meaning})` : ''}`;
        const range = maxOnly && target.block.labels[limit] ? target.block.labels[limit]!.range : target.range;
        return make('error', 'SCH008', summary, range);
      }
      if (target?.kind === 'blocks' && error.keyword === 'maxItems') {
        const extra = target.blocks[limit] ?? target.blocks[0]!;
        const range = { start: extra.nameRange.start, end: extra.nameRange.end };
        return make('error', 'SCH007', `Only ${limit === 1 ? 'one' : limit} \`${target.name}\` block${limit === 1 ? ' is' : 's are'} allowed ${describeContainer(projection.pointers.get(parentPointer(pointer)))}`.trim(), range);
      }
      const range = target && 'valueRange' in target ? target.valueRange : headerRange(target, projection);
      return make('error', 'SCH011', `\`${elementName(pointer)}\` ${error.message ?? 'is invalid'}`, range);
    }
    case 'pattern':
    case 'minLength':
    case 'maxLength':
    case 'minimum':
    case 'maximum':
    case 'format': {
      const name = elementName(pointer);
      const range = target ? ('valueRange' in target ? target.valueRange : target.range) : documentStart(projection);
      const summary =
        error.keyword === 'minLength' && (error.params as { limit: number }).limit === 1
          ? `\`${name}\` must not be empty`
          : `\`${name}\` ${error.message ?? 'is invalid'}`;
      return make('error', 'SCH006', summary, range);
    }
    default: {
      const range = target ? ('valueRange' in target ? target.valueRange : headerRange(target, projection)) : documentStart(projection);
      return make('error', 'SCH011', `\`${elementName(pointer) || 'document'}\` ${error.message ?? 'is invalid'}`, range);
    }
  }
}
