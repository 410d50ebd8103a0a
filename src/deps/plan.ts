/**
 * A project's dependency plan — deploy groups in order, each dependency with its pattern and action —
 * and, given the versions deployed per project and environment, what the Verify Dependencies template
 * would decide for each dependency (its `Get-VersionCompareResult`, case by case):
 *
 * | matching version in the target environment | matching version in the previous one | action              | outcome  |
 * |---|---|---|---|
 * | yes | none, or not newer                 | any                                 | none (satisfied) |
 * | yes | newer                              | Stop, Continue, DeployNoMatchingInTarget | none (satisfied) |
 * | yes | newer                              | DeployNewerMatching                 | deploy the newer version |
 * | no  | any                                | Stop                                | fail |
 * | no  | none                               | DeployNoMatchingInTarget, DeployNewerMatching | fail (nothing to deploy) |
 * | no  | yes                                | DeployNoMatchingInTarget, DeployNewerMatching | deploy it |
 * | no  | any                                | Continue                            | continue |
 *
 * Deploy groups are ordered as the template orders them: numbered groups ascending, then every
 * dependency without a group on its own, in declaration order.
 */
import type { HubEnvironmentModel, HubTenantModel } from '../model/types.js';
import { effectiveAction, type DependencyAction, type DependencyDeclaration } from './declarations.js';
import { deployedVersion, type DeployedVersions } from './deployed.js';
import type { DependencyGraph } from './graph.js';
import type { HubIndex } from './hub-index.js';
import { isNewer, isSyntaxError, matchesPattern, parseVersion, type ParsedVersion } from './version-pattern.js';

export type CheckStatus = 'satisfied' | 'unsatisfied' | 'unknown';
export type CheckOutcome = 'none' | 'deploy' | 'continue' | 'fail';

export interface DependencyCheck {
  status: CheckStatus;
  /** What the template's step would do: nothing, deploy a version, continue anyway, or fail the deployment. */
  outcome: CheckOutcome;
  /** The version deployed in the target environment (whether it matches or not). */
  deployedVersion?: string;
  /** The environments the template looks in for a version to deploy (the previous ones in promotion order). */
  sourceEnvironments: string[];
  /** The newest version matching the pattern in those environments. */
  sourceVersion?: string;
  /** The version a Deploy action would deploy. */
  deployVersion?: string;
  /** The usage asks for a manual intervention before continuing or deploying. */
  approvalRequired: boolean;
  reason: string;
}

export interface PlanEntry {
  /** The project depended on (its slug, or the name as written when oclhub does not know it). */
  project: string;
  /** Its Octopus name, when known. */
  name?: string;
  versionPattern: string;
  action: DependencyAction;
  /** The tenant checked (slug when known, else as written). */
  tenant?: string;
  group: number | null;
  source: { kind: 'oclhub' | 'template'; file: string; line: number; column: number; usage?: string };
  /** Present when deployed versions were given. */
  check?: DependencyCheck;
  declaration: DependencyDeclaration;
}

export interface PlanGroup {
  /** The deploy group number, or null for a dependency without one (deployed on its own, after the numbered groups). */
  group: number | null;
  dependencies: PlanEntry[];
}

export interface DependencyPlan {
  project: string;
  environment?: string;
  tenant?: string;
  groups: PlanGroup[];
  /** With deployed versions: some dependency would fail the deployment (or cannot be decided and is not Continue). */
  blocked?: boolean;
}

export interface PlanOptions {
  /** The environment being deployed to (slug or name). */
  environment?: HubEnvironmentModel;
  /** The tenant being deployed (the template's default `Template.Tenant.Name` is the deployment's tenant). */
  tenant?: HubTenantModel;
  deployed?: DeployedVersions;
}

export function planDependencies(graph: DependencyGraph, index: HubIndex, project: string, options: PlanOptions = {}): DependencyPlan {
  const declarations = graph.outgoing.get(project) ?? [];
  const entries = declarations.map((declaration) => entryFor(declaration, index, options));
  const numbered = new Map<number, PlanEntry[]>();
  const alone: PlanEntry[] = [];
  for (const entry of entries) {
    if (entry.group === null) alone.push(entry);
    else (numbered.get(entry.group) ?? numbered.set(entry.group, []).get(entry.group)!).push(entry);
  }
  const groups: PlanGroup[] = [...numbered.keys()].sort((a, b) => a - b).map((group) => ({ group, dependencies: numbered.get(group)! }));
  for (const entry of alone) groups.push({ group: null, dependencies: [entry] });
  const plan: DependencyPlan = { project, groups };
  if (options.environment) plan.environment = options.environment.slug;
  if (options.tenant) plan.tenant = options.tenant.slug;
  if (options.deployed) plan.blocked = entries.some((e) => e.check?.outcome === 'fail');
  return plan;
}

function entryFor(declaration: DependencyDeclaration, index: HubIndex, options: PlanOptions): PlanEntry {
  const target = declaration.dependsOn !== undefined ? index.projects.get(declaration.dependsOn) : undefined;
  const tenant = declaration.tenant !== undefined ? index.tenants.get(declaration.tenant) : options.tenant;
  const entry: PlanEntry = {
    project: target?.slug ?? declaration.written,
    versionPattern: declaration.versionPattern,
    action: effectiveAction(declaration),
    group: declaration.deployGroup ?? null,
    source: {
      kind: declaration.source.kind,
      file: declaration.source.file,
      line: declaration.source.range.start.line,
      column: declaration.source.range.start.column,
      ...(declaration.source.usage !== undefined ? { usage: declaration.source.usage } : {}),
    },
    declaration,
  };
  if (target) entry.name = target.name;
  if (tenant) entry.tenant = tenant.slug;
  else if (declaration.tenantWritten !== undefined) entry.tenant = declaration.tenantWritten;
  if (options.deployed && options.environment) entry.check = check(declaration, entry.action, index, options.environment, tenant, options.deployed);
  return entry;
}

function check(declaration: DependencyDeclaration, action: DependencyAction, index: HubIndex, environment: HubEnvironmentModel, tenant: HubTenantModel | undefined, deployed: DeployedVersions): DependencyCheck {
  const approval = (outcome: CheckOutcome) => declaration.approvalRequested && (outcome === 'continue' || outcome === 'deploy');
  // Undecidable: Continue goes ahead whatever the versions; any other action would need the answer.
  const unknown = (reason: string): DependencyCheck => {
    const outcome: CheckOutcome = action === 'Continue' ? 'continue' : 'fail';
    return { status: 'unknown', outcome, sourceEnvironments: [], approvalRequired: approval(outcome), reason };
  };
  const target = declaration.dependsOn !== undefined ? index.projects.get(declaration.dependsOn) : undefined;
  if (!target) return unknown(declaration.unchecked?.includes('projectName') ? `"${declaration.written}" is an Octopus variable expression` : `"${declaration.written}" is not a project oclhub.ocl declares`);
  if (declaration.unchecked?.includes('versionPattern')) return unknown(`the version pattern "${declaration.versionPattern}" is an Octopus variable expression`);
  const environments = index.environmentsOf(target);
  if (!environments.some((e) => e.slug === environment.slug)) {
    return { status: 'unsatisfied', outcome: 'fail', sourceEnvironments: [], approvalRequired: false, reason: `${target.slug} does not deploy to ${environment.slug}: the template finds no channel for it and fails the deployment` };
  }
  const previousOrder = Math.max(-Infinity, ...environments.filter((e) => e.order < environment.order).map((e) => e.order));
  const sources = environments.filter((e) => e.order === previousOrder);
  // A tenant not connected to the project: the template then looks at its untenanted deployments.
  const lookupTenant = tenant && index.tenantConnected(tenant, target) && (target.tenanted ?? 'Untenanted') !== 'Untenanted' ? tenant : undefined;

  const current = deployedVersion(deployed, target, environment, lookupTenant);
  if (current.kind === 'project-missing') return unknown(`${target.slug} is not in ${deployed.file}`);
  if (current.kind === 'tenant-needed') return unknown(`${deployed.file} lists ${target.slug}'s versions in ${environment.slug} per tenant, and no tenant is deployed (--tenant)`);
  const pattern = declaration.pattern;
  const parse = (version: string) => parseVersion(version, declaration.dialect);
  let deployedVersionText: string | undefined;
  let matching: ParsedVersion | undefined;
  if (current.kind === 'version') {
    deployedVersionText = current.version;
    const parsed = parse(current.version);
    if (isSyntaxError(parsed)) {
      return { status: 'unknown', outcome: 'fail', deployedVersion: current.version, sourceEnvironments: sources.map((e) => e.slug), approvalRequired: false, reason: `the template cannot compare ${target.slug}'s version in ${environment.slug}: ${parsed.error}; the step fails` };
    }
    if (pattern && matchesPattern(pattern, parsed)) matching = parsed;
  }
  let source: ParsedVersion | undefined;
  for (const environmentFrom of sources) {
    const found = deployedVersion(deployed, target, environmentFrom, lookupTenant);
    if (found.kind !== 'version') continue;
    const parsed = parse(found.version);
    if (isSyntaxError(parsed) || !pattern || !matchesPattern(pattern, parsed)) continue;
    if (!source || isNewer(parsed, source)) source = parsed;
  }
  const base = {
    ...(deployedVersionText !== undefined ? { deployedVersion: deployedVersionText } : {}),
    sourceEnvironments: sources.map((e) => e.slug),
    ...(source ? { sourceVersion: source.text } : {}),
  };
  const who = `${target.slug}${lookupTenant ? ` (${lookupTenant.slug})` : ''}`;
  const patternText = pattern ? `"${declaration.versionPattern}"` : `"${declaration.versionPattern}" (which the template never matches)`;
  const decide = (status: CheckStatus, outcome: CheckOutcome, reason: string, deployVersion?: string): DependencyCheck => ({
    status,
    outcome,
    ...base,
    ...(deployVersion !== undefined ? { deployVersion } : {}),
    approvalRequired: approval(outcome),
    reason,
  });
  if (matching) {
    const has = `${who} has ${matching.text} in ${environment.slug}, which matches ${patternText}`;
    if (!source || !isNewer(source, matching)) return decide('satisfied', 'none', `${has}${source ? ' and is the newest matching version' : ''}`);
    if (action === 'DeployNewerMatching') return decide('satisfied', 'deploy', `${has}; ${source.text} in ${sources.map((e) => e.slug).join(', ')} is newer and the action is DeployNewerMatching, so it is deployed`, source.text);
    return decide('satisfied', 'none', `${has}; ${source.text} is newer, but the action is ${action}, so nothing is deployed`);
  }
  const lacks = `${who} has ${deployedVersionText !== undefined ? `${deployedVersionText} in ${environment.slug}, which does not match ${patternText}` : `no version in ${environment.slug}`}`;
  const found = source ? `; ${source.text} in ${sources.map((e) => e.slug).join(', ')} matches` : sources.length > 0 ? `, and no version in ${sources.map((e) => e.slug).join(', ')} matches` : ', and there is no earlier environment to deploy from';
  switch (action) {
    case 'Stop':
      return decide('unsatisfied', 'fail', `${lacks}${found}. The action is Stop: the deployment fails`);
    case 'Continue':
      return decide('unsatisfied', 'continue', `${lacks}${found}. The action is Continue: the deployment goes ahead without it`);
    default:
      return source
        ? decide('unsatisfied', 'deploy', `${lacks}${found}. The action is ${action}: ${source.text} is deployed first`, source.text)
        : decide('unsatisfied', 'fail', `${lacks}${found}. The action is ${action} but there is nothing to deploy: the deployment fails`);
  }
}
