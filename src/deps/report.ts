/**
 * One project's dependencies as `oclhub deps --format json` prints them and the API serves them: the
 * plan (deploy groups in order, each dependency with its pattern, action and, given deployed versions,
 * the template's decision), who depends on the project, the graph reachable from it, the cycles it is
 * in, and the findings about its declarations.
 */
import type { Diagnostic } from '../diagnostics.js';
import { applyRuleSettings } from '../model/rule-settings.js';
import { suggest } from '../model/suggest.js';
import type { HubProjectModel } from '../model/types.js';
import { effectiveAction, type DependencyDeclaration } from './declarations.js';
import { transitiveDependencies } from './graph.js';
import type { DependencySet } from './index.js';
import type { DeployedVersions } from './deployed.js';
import { planDependencies, type DependencyCheck, type DependencyPlan } from './plan.js';
import { describePattern } from './version-pattern.js';

export interface ReportSource {
  kind: 'oclhub' | 'template';
  file: string;
  line: number;
  column: number;
  usage?: string;
}

export interface ReportDependency {
  project: string;
  name?: string;
  versionPattern: string;
  /** The pattern read back ("1.2.0.0 or greater"), absent when it is invalid or a variable expression. */
  meaning?: string;
  action: string;
  tenant?: string;
  source: ReportSource;
  check?: DependencyCheck;
}

export interface DependencyReport {
  project: string;
  name: string;
  environment?: string;
  tenant?: string;
  groups: { group: number | null; dependencies: ReportDependency[] }[];
  /** Projects that depend on this one. */
  dependents: { project: string; versionPattern: string; action: string; source: ReportSource }[];
  /** Every project reachable from this one, and the edges between them. */
  graph: { nodes: string[]; edges: { from: string; to: string; versionPattern: string; action: string; group: number | null }[] };
  /** The cycles this project is in (each a list of projects). */
  cycles: string[][];
  /** With deployed versions: the deployment would fail on a dependency (or cannot be decided). */
  blocked?: boolean;
  diagnostics: Diagnostic[];
  /** Findings a rule setting of oclhub.ocl turned off (each with the setting in `adjusted`). */
  suppressed: Diagnostic[];
}

function sourceOf(d: DependencyDeclaration): ReportSource {
  return {
    kind: d.source.kind,
    file: d.source.file,
    line: d.source.range.start.line,
    column: d.source.range.start.column,
    ...(d.source.usage !== undefined ? { usage: d.source.usage } : {}),
  };
}

export function dependencyReport(set: DependencySet, project: HubProjectModel, plan: DependencyPlan, diagnostics: readonly Diagnostic[], suppressed: readonly Diagnostic[] = []): DependencyReport {
  const nodes = [project.slug, ...transitiveDependencies(set.graph, project.slug)];
  const within = new Set(nodes);
  const edges = nodes.flatMap((from) =>
    (set.graph.outgoing.get(from) ?? [])
      .filter((d) => d.dependsOn !== undefined && within.has(d.dependsOn))
      .map((d) => ({ from, to: d.dependsOn!, versionPattern: d.versionPattern, action: effectiveAction(d), group: d.deployGroup ?? null })),
  );
  const report: DependencyReport = {
    project: project.slug,
    name: project.name,
    groups: plan.groups.map((g) => ({
      group: g.group,
      dependencies: g.dependencies.map((e) => ({
        project: e.project,
        ...(e.name !== undefined ? { name: e.name } : {}),
        versionPattern: e.versionPattern,
        ...(e.declaration.pattern ? { meaning: describePattern(e.declaration.pattern) } : {}),
        action: e.action,
        ...(e.tenant !== undefined ? { tenant: e.tenant } : {}),
        source: sourceOf(e.declaration),
        ...(e.check ? { check: e.check } : {}),
      })),
    })),
    dependents: (set.graph.incoming.get(project.slug) ?? []).map((d) => ({ project: d.project, versionPattern: d.versionPattern, action: effectiveAction(d), source: sourceOf(d) })),
    graph: { nodes, edges },
    cycles: set.graph.cycles.filter((c) => c.includes(project.slug)).map((c) => [...c]),
    diagnostics: [...diagnostics],
    suppressed: [...suppressed],
  };
  if (plan.environment !== undefined) report.environment = plan.environment;
  if (plan.tenant !== undefined) report.tenant = plan.tenant;
  if (plan.blocked !== undefined) report.blocked = plan.blocked;
  return report;
}

/** The findings about one project's dependencies: its declarations, and cycles it is in. */
export function projectDiagnostics(set: DependencySet, project: string): Diagnostic[] {
  return set.diagnostics.filter((d) => d.project === project);
}

export interface DependencyReportRequest {
  /** A project slug or Octopus name. */
  project: string;
  /** The environment deployed to (slug or name): needed to check deployed versions. */
  environment?: string;
  /** The tenant deployed (slug or name). */
  tenant?: string;
  deployed?: DeployedVersions;
}

/**
 * The report for one project, with oclhub.ocl's rule settings applied to its findings. An unknown
 * project, environment or tenant is a request error (with did-you-mean), not a finding.
 */
export function buildDependencyReport(set: DependencySet, request: DependencyReportRequest): { report: DependencyReport } | { error: string } {
  const { index } = set;
  const unknown = (what: string, value: string, known: string[]) => {
    const hint = suggest(value, known);
    return { error: `No ${what} "${value}" in oclhub.ocl${hint ? ` (did you mean "${hint}"?)` : known.length > 0 ? ` (${what}s: ${known.join(', ')})` : ''}` };
  };
  const project = index.project(request.project);
  if (!project) return unknown('project', request.project, [...index.projects.keys()]);
  const environment = request.environment !== undefined ? index.environment(request.environment) : undefined;
  if (request.environment !== undefined && !environment) return unknown('environment', request.environment, (index.config?.environments ?? []).map((e) => e.slug));
  const tenant = request.tenant !== undefined ? (index.tenants.get(request.tenant) ?? index.tenantNamed(request.tenant)) : undefined;
  if (request.tenant !== undefined && !tenant) return unknown('tenant', request.tenant, [...index.tenants.keys()]);
  if (request.deployed && !environment) return { error: 'Checking deployed versions needs the environment deployed to' };
  const plan = planDependencies(set.graph, index, project.slug, { ...(environment ? { environment } : {}), ...(tenant ? { tenant } : {}), ...(request.deployed ? { deployed: request.deployed } : {}) });
  const settled = applyRuleSettings(projectDiagnostics(set, project.slug), index.config?.rules ?? []);
  return { report: dependencyReport(set, project, plan, settled.diagnostics, settled.suppressed) };
}
