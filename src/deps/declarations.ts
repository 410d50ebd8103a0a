/**
 * Dependency declarations: what a project says it depends on, from either place oclhub reads them —
 * `dependency "<project>" { … }` blocks in oclhub.ocl (here) and the JSON bound to the Verify
 * Dependencies template's parameter (template-json.ts) — in one shape, each with its source location.
 */
import type { Diagnostic, Range } from '../diagnostics.js';
import { suggest } from '../model/suggest.js';
import type { HubConfigDocument, HubProjectDependencyModel, HubProjectModel } from '../model/types.js';
import { depDiagnostic } from './codes.js';
import type { HubIndex } from './hub-index.js';
import { describePattern, isSyntaxError, parseVersionPattern, type PatternDialect, type VersionPattern } from './version-pattern.js';

/** The template's dependency actions (its `Template.Dependency.Action` options). */
export const DEPENDENCY_ACTIONS = ['Stop', 'Continue', 'DeployNoMatchingInTarget', 'DeployNewerMatching'] as const;
export type DependencyAction = (typeof DEPENDENCY_ACTIONS)[number];

/** The action a dependency gets when neither it nor the template usage names one (the template's default). */
export const DEFAULT_ACTION: DependencyAction = 'Stop';

/** The action written, matched case-insensitively and trimmed as the template's `Get-DependencyAction` does. */
export function dependencyAction(text: string): DependencyAction | undefined {
  const lower = text.trim().toLowerCase();
  return DEPENDENCY_ACTIONS.find((a) => a.toLowerCase() === lower);
}

export interface DeclarationSource {
  kind: 'oclhub' | 'template';
  file: string;
  /** The declaration: the `dependency` block, or the JSON object in the parameter value. */
  range: Range;
  /** The `process_template` usage holding the JSON. */
  usage?: string;
}

export interface DependencyDeclaration {
  /** The declaring project's slug. */
  project: string;
  /** The slug of the project depended on; absent when it is unknown (reported) or a variable expression. */
  dependsOn?: string;
  /** As written: a slug in oclhub.ocl, an Octopus project name in the template's JSON. */
  written: string;
  versionPattern: string;
  /** Absent when the pattern is invalid (reported) or a variable expression. */
  pattern?: VersionPattern;
  dialect: PatternDialect;
  deployGroup?: number;
  /** The action written on this dependency. */
  action?: DependencyAction;
  /** What applies when `action` is absent: the template usage's default action, else Stop. */
  defaultAction: DependencyAction;
  /** The template usage asks for a manual intervention before continuing or deploying. */
  approvalRequested: boolean;
  /** The tenant slug, when one is named and known. */
  tenant?: string;
  /** The tenant as written (a variable expression such as the template's default is kept here). */
  tenantWritten?: string;
  promptedVariables?: { name: string; value: string }[];
  source: DeclarationSource;
  /** Fields holding `#{…}` expressions that only Octopus can evaluate, so oclhub did not check them. */
  unchecked?: string[];
}

export function effectiveAction(declaration: DependencyDeclaration): DependencyAction {
  return declaration.action ?? declaration.defaultAction;
}

export interface DeclarationsResult {
  declarations: DependencyDeclaration[];
  diagnostics: Diagnostic[];
}

/** Checks a pattern and reports it (DEP004 invalid, DEP010 suffix ignored); the parsed pattern when valid. */
export function checkPattern(text: string, dialect: PatternDialect, at: { file: string; range: Range; project: string }, out: Diagnostic[]): VersionPattern | undefined {
  const parsed = parseVersionPattern(text, dialect);
  if (isSyntaxError(parsed)) {
    out.push(depDiagnostic('DEP004', `Invalid version pattern: ${parsed.error}`, { ...at, detail: parsed.hint !== undefined ? `Fix: ${parsed.hint}.` : 'Patterns: 1.2.3[.4] exact, >1.2.3 that or later, ^1.2.3 same major, ~1.2.3 same major and minor, 2.x any 2.*.' }));
    return undefined;
  }
  if (parsed.ignoredSuffix !== undefined) {
    const { ignoredSuffix, ...meaning } = parsed;
    out.push(
      depDiagnostic('DEP010', `The template ignores "${ignoredSuffix}" in "${text}": it means ${describePattern(meaning)}`, {
        ...at,
        detail: 'Pre-release tags and build metadata are cut off the pattern and every version before comparing, so 2.0.0-rc.1 and 2.0.0 are the same version to it.',
      }),
    );
  }
  return parsed;
}

/** The `dependency` blocks of every project in oclhub.ocl, checked against the hub (projects, tenants, patterns). */
export function declarationsFromConfig(config: HubConfigDocument | undefined, index: HubIndex, file = 'oclhub.ocl'): DeclarationsResult {
  const declarations: DependencyDeclaration[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const project of config?.projects ?? []) {
    for (const block of project.dependencies) {
      const declaration = fromBlock(project, block, index, file, diagnostics);
      if (declaration) declarations.push(declaration);
    }
  }
  return { declarations, diagnostics };
}

function fromBlock(project: HubProjectModel, block: HubProjectDependencyModel, index: HubIndex, file: string, out: Diagnostic[]): DependencyDeclaration | undefined {
  const at = (name: string) => ({ file, range: block.attributeRanges[name] ?? block.labelRange ?? block.headerRange, project: project.slug });
  const declaration: DependencyDeclaration = {
    project: project.slug,
    written: block.project,
    versionPattern: block.version ?? '',
    dialect: 'oclhub',
    defaultAction: DEFAULT_ACTION,
    approvalRequested: false,
    source: { kind: 'oclhub', file, range: block.range },
  };
  const target = index.projects.get(block.project);
  if (target) declaration.dependsOn = target.slug;
  else {
    const hint = suggest(block.project, index.projects.keys());
    out.push(
      depDiagnostic('DEP003', `Project "${project.slug}" depends on "${block.project}", which oclhub.ocl does not declare`, {
        file,
        range: block.labelRange ?? block.headerRange,
        project: project.slug,
        detail: hint ? `Did you mean "${hint}"?` : 'The label is the slug of a project block in oclhub.ocl.',
      }),
    );
  }
  // A missing `version` is the schema's error (SCH003); there is nothing to check then.
  if (block.version !== undefined) {
    const pattern = checkPattern(block.version, 'oclhub', at('version'), out);
    if (pattern) declaration.pattern = pattern;
  }
  if (block.deployGroup !== undefined) declaration.deployGroup = block.deployGroup;
  // An action outside the enum is the schema's error (SCH005).
  const action = block.action !== undefined ? DEPENDENCY_ACTIONS.find((a) => a === block.action) : undefined;
  if (action) declaration.action = action;
  if (block.tenant !== undefined) {
    declaration.tenantWritten = block.tenant;
    const tenant = index.tenants.get(block.tenant);
    if (!tenant) {
      const hint = suggest(block.tenant, index.tenants.keys());
      out.push(depDiagnostic('DEP008', `Unknown tenant "${block.tenant}"`, { ...at('tenant'), detail: hint ? `Did you mean "${hint}"?` : 'Name a tenant declared with `tenant "<slug>" { … }`.' }));
    } else {
      declaration.tenant = tenant.slug;
      if (target && !index.tenantConnected(tenant, target)) {
        out.push(
          depDiagnostic('DEP011', `Tenant "${tenant.slug}" is not connected to project "${target.slug}"`, {
            ...at('tenant'),
            detail: `The tenant's \`projects\` list does not include "${target.slug}", so "${target.slug}" is never deployed for it.`,
          }),
        );
      }
    }
  }
  return declaration;
}
