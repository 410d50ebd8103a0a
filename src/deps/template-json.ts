/**
 * Dependencies declared through Octopus's Verify Dependencies process template: a `process_template`
 * usage whose `Template.Dependency.Projects` parameter holds a JSON array of
 * `{ projectName, versionPattern, deployGroup?, spaceName?, tenantName?, promptedVariables?, dependencyAction? }`.
 *
 * The JSON is checked the way the template's script reads it (PowerShell 7's `ConvertFrom-Json`: trailing
 * commas and comments are accepted, duplicate keys are not; property names match case-insensitively; a
 * lone object counts as a one-element array) and every finding points into the OCL heredoc.
 */
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { Diagnostic, Range } from '../diagnostics.js';
import { suggest } from '../model/suggest.js';
import type { ModelDocument, ProcessTemplateUsageModel, UsageParameterModel } from '../model/types.js';
import { depDiagnostic, type DepCode } from './codes.js';
import { checkPattern, DEFAULT_ACTION, dependencyAction, DEPENDENCY_ACTIONS, type DeclarationsResult, type DependencyDeclaration } from './declarations.js';
import type { HubIndex } from './hub-index.js';
import { valueLocator, type ValueLocator } from './value-locator.js';

export const DEPENDENCIES_PARAMETER = 'Template.Dependency.Projects';
export const ACTION_PARAMETER = 'Template.Dependency.Action';
export const APPROVAL_PARAMETER = 'Template.Dependency.Approval';

/** The entry properties the template reads, as it documents them. */
const PROPERTIES = ['projectName', 'versionPattern', 'deployGroup', 'spaceName', 'tenantName', 'promptedVariables', 'dependencyAction'] as const;
type Property = (typeof PROPERTIES)[number];

const EXPRESSION = /#\{/;

export interface ProjectDocumentSource {
  file: string;
  /** The file's text, for positions inside the parameter value; without it findings point at the parameter. */
  text?: string;
  document: ModelDocument;
}

/** Whether a usage is a Verify Dependencies usage (it binds the template's dependencies parameter). */
export function isVerifyDependenciesUsage(usage: ProcessTemplateUsageModel): boolean {
  return usage.parameters.some((p) => p.name === DEPENDENCIES_PARAMETER);
}

/** Every dependency a project's deployment process declares through the template, checked against the hub. */
export function declarationsFromTemplate(project: string, source: ProjectDocumentSource, index: HubIndex): DeclarationsResult {
  const declarations: DependencyDeclaration[] = [];
  const diagnostics: Diagnostic[] = [];
  if (source.document.kind !== 'deployment_process') return { declarations, diagnostics };
  for (const usage of source.document.usages) {
    if (!isVerifyDependenciesUsage(usage)) continue;
    new UsageReader(project, source, usage, index, declarations, diagnostics).read();
  }
  return { declarations, diagnostics };
}

class UsageReader {
  private readonly file: string;

  constructor(
    private readonly project: string,
    private readonly source: ProjectDocumentSource,
    private readonly usage: ProcessTemplateUsageModel,
    private readonly index: HubIndex,
    private readonly declarations: DependencyDeclaration[],
    private readonly out: Diagnostic[],
  ) {
    this.file = source.file;
  }

  private report(code: DepCode, summary: string, range: Range, detail?: string, severity?: Diagnostic['severity']): void {
    this.out.push(depDiagnostic(code, summary, { file: this.file, range, project: this.project, detail, severity }));
  }

  private parameter(name: string): UsageParameterModel | undefined {
    return this.usage.parameters.find((p) => p.name === name);
  }

  private valueRange(parameter: UsageParameterModel): Range {
    return parameter.attributeRanges['value'] ?? parameter.labelRange ?? parameter.headerRange;
  }

  read(): void {
    const defaultAction = this.defaultAction();
    const approval = this.parameter(APPROVAL_PARAMETER)?.value;
    // The template's default is "Yes"; it compares with -eq, so only "No" (any case) turns approval off.
    const approvalRequested = approval === undefined || approval.trim().toLowerCase() !== 'no';
    const parameter = this.parameter(DEPENDENCIES_PARAMETER)!;
    const value = parameter.value;
    const whole = this.valueRange(parameter);
    // An unset value is a missing required parameter, which template resolution reports.
    if (value === undefined) return;
    if (value.trim() === '') {
      this.report('DEP001', `"${DEPENDENCIES_PARAMETER}" is empty: the template stops the deployment`, whole, 'Give a JSON array of { "projectName": …, "versionPattern": … } objects.');
      return;
    }
    if (/^\s*#\{[^}]*\}\s*$/.test(value)) {
      this.report('DEP009', `"${DEPENDENCIES_PARAMETER}" is bound to ${value.trim()}: its dependencies are known only when Octopus deploys`, whole);
      return;
    }
    const locate = this.source.text !== undefined ? valueLocator(this.source.text, whole, value) : { range: () => whole, whole };
    const errors: ParseError[] = [];
    const tree = parseTree(value, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
    if (errors.length > 0 || !tree) {
      for (const error of errors.slice(0, 5)) {
        this.report('DEP001', `The dependencies JSON does not parse: ${describeParseError(printParseErrorCode(error.error))}`, locate.range(error.offset, error.length), 'The template reads this value with ConvertFrom-Json and stops the deployment when it fails.');
      }
      if (errors.length === 0) this.report('DEP001', 'The dependencies JSON does not parse', whole);
      return;
    }
    // ConvertFrom-Json wrapped in @( … ): a lone object is a one-element array.
    const entries = tree.type === 'array' ? (tree.children ?? []) : [tree];
    if (entries.length === 0) {
      this.report('DEP002', 'The dependencies JSON is an empty array: the template stops the deployment', locate.range(tree.offset, tree.length), 'List at least one dependency, or remove the Verify Dependencies step.');
      return;
    }
    for (const entry of entries) this.readEntry(entry, locate, defaultAction, approvalRequested);
  }

  /** The usage's default action (`Template.Dependency.Action`, the template's default Stop when unset). */
  private defaultAction(): DependencyDeclaration['defaultAction'] {
    const parameter = this.parameter(ACTION_PARAMETER);
    if (parameter?.value === undefined || EXPRESSION.test(parameter.value)) return DEFAULT_ACTION;
    const action = dependencyAction(parameter.value);
    if (action) return action;
    const hint = suggest(parameter.value.trim(), DEPENDENCY_ACTIONS);
    this.report(
      'DEP005',
      `"${ACTION_PARAMETER}" is "${parameter.value}", which is not a dependency action`,
      this.valueRange(parameter),
      `${hint ? `Did you mean "${hint}"? ` : ''}One of ${DEPENDENCY_ACTIONS.join(', ')}; with any other value the template fails the deployment when a dependency needs an action.`,
    );
    return DEFAULT_ACTION;
  }

  private readEntry(entry: Node, locate: ValueLocator, defaultAction: DependencyDeclaration['defaultAction'], approvalRequested: boolean): void {
    const entryRange = locate.range(entry.offset, entry.length);
    if (entry.type !== 'object') {
      this.report('DEP002', `A dependency must be a JSON object, not ${describeNode(entry)}`, entryRange, 'Write { "projectName": "…", "versionPattern": "…" }.');
      return;
    }
    const fields = new Map<Property, Node>();
    const seen = new Map<string, Node>();
    for (const property of entry.children ?? []) {
      const [keyNode, valueNode] = property.children ?? [];
      if (!keyNode || !valueNode) continue;
      const name = String(keyNode.value);
      const keyRange = locate.range(keyNode.offset, keyNode.length);
      const earlier = seen.get(name.toLowerCase());
      if (earlier) {
        this.report('DEP002', `"${name}" appears twice in one dependency: ConvertFrom-Json refuses duplicate keys and the template stops the deployment`, keyRange);
        continue;
      }
      seen.set(name.toLowerCase(), keyNode);
      // PowerShell reads properties case-insensitively: "ProjectName" is projectName.
      const known = PROPERTIES.find((p) => p.toLowerCase() === name.toLowerCase());
      if (known) fields.set(known, valueNode);
      else {
        const hint = suggest(name, PROPERTIES);
        this.report('DEP002', `The template does not read "${name}"`, keyRange, hint ? `Did you mean "${hint}"?` : `It reads ${PROPERTIES.join(', ')}.`, 'warning');
      }
    }
    const text = (property: Property): { value: string; node: Node } | undefined => {
      const node = fields.get(property);
      if (!node || node.type === 'null') return undefined;
      if (node.type !== 'string') {
        this.report('DEP002', `"${property}" must be a string, not ${describeNode(node)}`, locate.range(node.offset, node.length));
        return undefined;
      }
      return { value: String(node.value), node };
    };
    const range = (node: Node) => locate.range(node.offset, node.length);

    const name = text('projectName');
    if (!name || name.value.trim() === '') {
      this.report('DEP002', 'A dependency has no "projectName": the template stops the deployment', name ? range(name.node) : entryRange);
      return;
    }
    const declaration: DependencyDeclaration = {
      project: this.project,
      written: name.value,
      versionPattern: '',
      dialect: 'template',
      defaultAction,
      approvalRequested,
      source: { kind: 'template', file: this.file, range: entryRange, usage: this.usage.slug },
    };
    const unchecked: string[] = [];

    const space = text('spaceName');
    let spaceSlug: string | undefined;
    if (space && space.value.trim() !== '') {
      if (EXPRESSION.test(space.value)) unchecked.push('spaceName');
      else if ((this.index.config?.spaces.length ?? 0) > 0) {
        const found = this.index.spaceNamed(space.value);
        if (found) spaceSlug = found.slug;
        else {
          const hint = suggest(space.value.trim(), (this.index.config?.spaces ?? []).map((s) => s.name));
          this.report('DEP003', `Space "${space.value}" is not declared in oclhub.ocl`, range(space.node), hint ? `Did you mean "${hint}"?` : 'The template looks spaces up by name.');
        }
      }
    }

    if (EXPRESSION.test(name.value)) unchecked.push('projectName');
    else if (!this.index.knowsProjects) unchecked.push('projectName');
    else this.resolveProject(declaration, name, spaceSlug, range(name.node));

    const pattern = text('versionPattern');
    if (!pattern || pattern.value.trim() === '') {
      this.report('DEP002', `The dependency on "${name.value}" has no "versionPattern": the template stops the deployment`, pattern ? range(pattern.node) : entryRange);
    } else {
      declaration.versionPattern = pattern.value;
      if (EXPRESSION.test(pattern.value)) unchecked.push('versionPattern');
      else {
        const parsed = checkPattern(pattern.value, 'template', { file: this.file, range: range(pattern.node), project: this.project }, this.out);
        if (parsed) declaration.pattern = parsed;
      }
    }

    this.readDeployGroup(declaration, fields.get('deployGroup'), locate);
    this.readTenant(declaration, text('tenantName'), unchecked, range);
    this.readPromptedVariables(declaration, fields.get('promptedVariables'), locate);

    const action = text('dependencyAction');
    if (action && action.value.trim() !== '') {
      if (EXPRESSION.test(action.value)) unchecked.push('dependencyAction');
      else {
        const known = dependencyAction(action.value);
        if (known) declaration.action = known;
        else {
          const hint = suggest(action.value.trim(), DEPENDENCY_ACTIONS);
          this.report(
            'DEP005',
            `"${action.value}" is not a dependency action: the template ignores it and uses the default (${defaultAction})`,
            range(action.node),
            `${hint ? `Did you mean "${hint}"? ` : ''}One of ${DEPENDENCY_ACTIONS.join(', ')}.`,
            'warning',
          );
        }
      }
    }
    if (unchecked.length > 0) {
      declaration.unchecked = unchecked;
      this.report('DEP009', `The dependency on "${name.value}" uses Octopus variables (${unchecked.join(', ')}): oclhub cannot check them`, entryRange, undefined);
    }
    this.declarations.push(declaration);
  }

  private resolveProject(declaration: DependencyDeclaration, name: { value: string }, space: string | undefined, at: Range): void {
    const matches = this.index.projectsNamed(name.value, space);
    if (matches.length > 0) {
      declaration.dependsOn = matches[0]!.slug;
      return;
    }
    const elsewhere = space !== undefined ? this.index.projectsNamed(name.value) : [];
    const bySlug = this.index.projects.get(name.value.trim());
    const hint = suggest(name.value.trim(), this.index.projectNames());
    const detail =
      elsewhere.length > 0
        ? `A project named "${elsewhere[0]!.name}" exists in space "${this.index.spaceOf(elsewhere[0]!) ?? '?'}", not in the space named by "spaceName".`
        : bySlug
          ? `"${name.value}" is a project slug; the template finds projects by name: write "${bySlug.name}".`
          : hint
            ? `Did you mean "${hint}"? The template finds projects by name (case-insensitive).`
            : 'The template finds projects by their Octopus name; declare the project in oclhub.ocl so oclhub can check it.';
    this.report('DEP003', `No project named "${name.value}" in oclhub.ocl`, at, detail);
  }

  private readDeployGroup(declaration: DependencyDeclaration, node: Node | undefined, locate: ValueLocator): void {
    if (!node || node.type === 'null') return;
    const at = locate.range(node.offset, node.length);
    // The script accepts anything `-as [int]` converts: numbers (rounded) and numeric strings.
    const numeric = node.type === 'number' ? Number(node.value) : node.type === 'string' && /^\s*[+-]?\d+(\.\d+)?\s*$/.test(String(node.value)) ? Number(node.value) : undefined;
    if (numeric === undefined) {
      this.report('DEP002', `"deployGroup" must be a whole number, not ${describeNode(node)}: the template stops the deployment`, at);
      return;
    }
    if (node.type !== 'number' || !Number.isInteger(numeric)) {
      this.report('DEP002', `"deployGroup" should be a whole number: the template converts ${JSON.stringify(node.value)} to ${Math.round(numeric)} but orders groups by the value as written`, at, undefined, 'warning');
    }
    declaration.deployGroup = Math.round(numeric);
  }

  private readTenant(declaration: DependencyDeclaration, tenant: { value: string; node: Node } | undefined, unchecked: string[], range: (node: Node) => Range): void {
    if (!tenant || tenant.value.trim() === '') return;
    declaration.tenantWritten = tenant.value;
    if (EXPRESSION.test(tenant.value)) {
      unchecked.push('tenantName');
      return;
    }
    const found = this.index.tenantNamed(tenant.value);
    if (!found) {
      const hint = suggest(tenant.value.trim(), this.index.tenantNames());
      this.report('DEP008', `No tenant named "${tenant.value}" in oclhub.ocl`, range(tenant.node), hint ? `Did you mean "${hint}"? The template finds tenants by name.` : 'The template finds tenants by name.');
      return;
    }
    declaration.tenant = found.slug;
    const target = declaration.dependsOn !== undefined ? this.index.projects.get(declaration.dependsOn) : undefined;
    if (target && !this.index.tenantConnected(found, target)) {
      this.report('DEP011', `Tenant "${found.name}" is not connected to project "${target.name}"`, range(tenant.node), `The template then checks deployments of "${target.name}" that are not for this tenant.`);
    }
  }

  private readPromptedVariables(declaration: DependencyDeclaration, node: Node | undefined, locate: ValueLocator): void {
    if (!node || node.type === 'null') return;
    if (node.type !== 'array') {
      this.report('DEP002', `"promptedVariables" must be an array of { "name", "value" } objects, not ${describeNode(node)}`, locate.range(node.offset, node.length));
      return;
    }
    const variables: { name: string; value: string }[] = [];
    for (const item of node.children ?? []) {
      const at = locate.range(item.offset, item.length);
      if (item.type !== 'object') {
        this.report('DEP002', `A prompted variable must be a { "name", "value" } object, not ${describeNode(item)}`, at);
        continue;
      }
      const get = (key: string) => (item.children ?? []).find((p) => String(p.children?.[0]?.value).toLowerCase() === key)?.children?.[1];
      const name = get('name');
      const value = get('value');
      const blank = (n: Node | undefined) => !n || n.type === 'null' || (n.type === 'string' && String(n.value).trim() === '');
      if (blank(name) || blank(value)) {
        this.report('DEP002', `A prompted variable of the dependency on "${declaration.written}" has no ${blank(name) ? '"name"' : '"value"'}: the template stops the deployment`, at);
        continue;
      }
      variables.push({ name: String(name!.value), value: String(value!.value) });
    }
    if (variables.length > 0) declaration.promptedVariables = variables;
  }
}

function describeNode(node: Node): string {
  switch (node.type) {
    case 'array':
      return 'an array';
    case 'object':
      return 'an object';
    case 'string':
      return `the string ${JSON.stringify(node.value)}`;
    case 'null':
      return 'null';
    default:
      return `${node.type} ${JSON.stringify(node.value)}`;
  }
}

const PARSE_ERRORS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'a property name (in double quotes) is expected',
  ValueExpected: 'a value is expected',
  ColonExpected: 'a colon is expected',
  CommaExpected: 'a comma is expected',
  CloseBraceExpected: 'a closing } is expected',
  CloseBracketExpected: 'a closing ] is expected',
  EndOfFileExpected: 'nothing may follow the array',
  InvalidCommentToken: 'invalid comment',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in a string',
};

function describeParseError(code: string): string {
  return PARSE_ERRORS[code] ?? code;
}
