/**
 * Page data from the façade's answers: the compliance answer as the API gives it (same port, same
 * cache keys), and the grouping, ordering and status mapping the pages show. No decisions are made
 * here: statuses come from the decisions through src/web/status.ts.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { ComplianceRow, Hub } from '../hub/index.js';
import { ownsProjectFile } from '../lint/project-files.js';
import { pathInFolder, projectFolderOf } from '../model/folder-path.js';
import type { HubEnvironmentModel, HubProjectModel } from '../model/types.js';
import { contextStatus, isFinding, type CellStatus, type DecisionLike, STATUS_ORDER } from './status.js';

/** The compliance answer of the port (src/api/hub-decisions.ts), as far as the pages read it. */
export interface ComplianceAnswer {
  commit: string | null;
  rows: ComplianceRow[];
  diagnostics: Diagnostic[];
  /** Findings a rule setting turned off, when the façade reports them. */
  suppressed?: Diagnostic[];
}

export interface MatrixCell {
  status: CellStatus;
  findings: number;
  environment: string;
  tenant?: string;
}

export interface MatrixRow {
  project: HubProjectModel;
  tenant?: { slug: string; name: string };
  /** By environment slug; absent where the project (or tenant) does not deploy. */
  cells: Map<string, MatrixCell>;
  /** Text the client-side filter matches (project slug, name, tags, tenant). */
  search: string;
}

export interface MatrixGroup {
  slug?: string;
  name: string;
  rows: MatrixRow[];
}

export interface Matrix {
  environments: HubEnvironmentModel[];
  groups: MatrixGroup[];
  counts: Record<CellStatus, number>;
  contexts: number;
  tags: string[];
}

/** Environments in promotion order (`order`, then declaration order). */
export function promotionOrder(hub: Hub): HubEnvironmentModel[] {
  return (hub.config?.environments ?? []).map((e, i) => ({ e, i })).sort((a, b) => a.e.order - b.e.order || a.i - b.i).map(({ e }) => e);
}

/** The diagnostics that concern one project: its files, its block in oclhub.ocl, or marked with its slug. */
export function projectDiagnostics(project: HubProjectModel, diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const folder = project.repository === undefined && project.path !== undefined ? projectFolderOf(project) : undefined;
  const owns = (file: string) => {
    const inFolder = folder !== undefined ? pathInFolder(folder, file) : undefined;
    return inFolder !== undefined && ownsProjectFile(inFolder);
  };
  const mentions = `"${project.slug}"`;
  return diagnostics.filter(
    (d) =>
      d.project === project.slug ||
      (d.file !== undefined && owns(d.file)) ||
      (d.file === 'oclhub.ocl' && d.code.startsWith('HUB') && d.summary.includes(mentions)) ||
      (d.file === 'oclhub.ocl' && d.range !== undefined && d.range.start.offset >= project.range.start.offset && d.range.end.offset <= project.range.end.offset),
  );
}

/** The project cannot be evaluated as it stands: it has error diagnostics (unreadable, unresolved templates, no process). */
export function isBroken(project: HubProjectModel, diagnostics: readonly Diagnostic[]): boolean {
  return projectDiagnostics(project, diagnostics).some((d) => d.severity === 'error');
}

/**
 * Inconclusive decisions from the row's outcome map that its findings do not list (whether findings
 * will carry them is the façade's choice): they count, so the status cannot read "allowed" over them.
 */
function inconclusiveOutcomes(row: ComplianceRow): DecisionLike[] {
  const listed = new Set(row.findings.map((f) => f.policy));
  return Object.entries(row.outcomes ?? {})
    .filter(([policy, outcome]) => (outcome as string) === 'inconclusive' && !listed.has(policy))
    .map(() => ({ outcome: 'inconclusive', action: 'none' }));
}

export function rowStatus(row: ComplianceRow, broken: boolean): CellStatus {
  return contextStatus({ status: row.status, decisions: [...row.findings, ...inconclusiveOutcomes(row)], broken });
}

export function findingCount(row: ComplianceRow): number {
  return row.findings.filter(isFinding).length + inconclusiveOutcomes(row).length;
}

export function buildMatrix(hub: Hub, answer: ComplianceAnswer, filter: { tag?: string } = {}): Matrix {
  const config = hub.config;
  const environments = promotionOrder(hub);
  const counts = Object.fromEntries(STATUS_ORDER.map((s) => [s, 0])) as Record<CellStatus, number>;
  const rowsByProject = new Map<string, ComplianceRow[]>();
  for (const row of answer.rows) {
    let list = rowsByProject.get(row.project);
    if (!list) rowsByProject.set(row.project, (list = []));
    list.push(row);
  }
  const tenantName = new Map((config?.tenants ?? []).map((t) => [t.slug, t.name]));
  const groups = new Map<string, MatrixGroup>();
  for (const group of config?.projectGroups ?? []) groups.set(group.slug, { slug: group.slug, name: group.name, rows: [] });
  const ungrouped: MatrixGroup = { name: 'No project group', rows: [] };
  const tags = new Set<string>();
  let contexts = 0;
  for (const project of config?.projects ?? []) {
    for (const tag of project.tags) tags.add(tag);
    if (filter.tag !== undefined && !project.tags.includes(filter.tag)) continue;
    const broken = isBroken(project, answer.diagnostics);
    const rows = rowsByProject.get(project.slug) ?? [];
    const search = [project.slug, project.name, ...project.tags].join(' ').toLowerCase();
    const own: MatrixRow = { project, cells: new Map(), search };
    const byTenant = new Map<string, MatrixRow>();
    for (const row of rows) {
      const cell: MatrixCell = { status: rowStatus(row, broken), findings: findingCount(row), environment: row.environment, ...(row.tenant !== undefined ? { tenant: row.tenant } : {}) };
      counts[cell.status]++;
      contexts++;
      if (row.tenant === undefined) {
        own.cells.set(row.environment, cell);
        continue;
      }
      let tenantRow = byTenant.get(row.tenant);
      if (!tenantRow) {
        const name = tenantName.get(row.tenant) ?? row.tenant;
        tenantRow = { project, tenant: { slug: row.tenant, name }, cells: new Map(), search: `${search} ${row.tenant} ${name}`.toLowerCase() };
        byTenant.set(row.tenant, tenantRow);
      }
      tenantRow.cells.set(row.environment, cell);
    }
    if (rows.length === 0) {
      // Nothing was evaluated: the project's environments are error cells (fail closed), never blanks.
      for (const slug of hub.environments(project)) {
        own.cells.set(slug, { status: 'error', findings: 0, environment: slug });
        counts.error++;
        contexts++;
      }
    }
    // A project evaluated only per tenant gets a summary row: the worst status of each environment.
    if (own.cells.size === 0 && byTenant.size > 0) {
      for (const tenantRow of byTenant.values()) {
        for (const [environment, cell] of tenantRow.cells) {
          const known = own.cells.get(environment);
          const status = known === undefined ? cell.status : STATUS_ORDER.indexOf(cell.status) < STATUS_ORDER.indexOf(known.status) ? cell.status : known.status;
          own.cells.set(environment, { status, findings: (known?.findings ?? 0) + cell.findings, environment });
        }
      }
    }
    const group = (project.group !== undefined ? groups.get(project.group) : undefined) ?? ungrouped;
    group.rows.push(own, ...byTenant.values());
  }
  const list = [...groups.values(), ungrouped].filter((g) => g.rows.length > 0);
  return { environments, groups: list, counts, contexts, tags: [...tags].sort() };
}
