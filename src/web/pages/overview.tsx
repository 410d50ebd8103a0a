/** `/`: the hub at a glance and the compliance matrix (projects by group × environments in promotion order × tenants). */
import { displayLocation, HubFacts, Layout } from '../components/layout.js';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { StatusBadge, StatusLegend, statusBadge } from '../components/status.js';
import type { PageContext } from '../context.js';
import type { Matrix, MatrixRow } from '../model.js';
import { STATUS_ORDER } from '../status.js';

export interface OverviewProps {
  ctx: PageContext;
  matrix: Matrix;
  tag?: string;
  templates: number;
  policies: { active: number };
  diagnostics: { errors: number; warnings: number; adjusted: number; suppressed?: number };
}

export function contextAnchor(environment: string, tenant?: string): string {
  return `context-${environment}${tenant !== undefined ? `--${tenant}` : ''}`;
}

export function OverviewPage(props: OverviewProps) {
  const { ctx, matrix } = props;
  const config = ctx.hub.config;
  const name = displayLocation(ctx.hub.location).replace(/\.git$/, '').split(/[\\/]/).filter(Boolean).pop() ?? 'hub';
  return (
    <Layout title="Overview" section="overview" ctx={ctx}>
      <h1>{`Hub ${name}`}</h1>
      <HubFacts ctx={ctx} />
      <h2 id="counts">Counts</h2>
      <ul class="counts" aria-labelledby="counts">
        <li>
          <span class="n">{config?.projects.length ?? 0}</span> projects
        </li>
        <li>
          <span class="n">{matrix.environments.length}</span> environments
        </li>
        <li>
          <span class="n">{config?.tenants.length ?? 0}</span> tenants
        </li>
        <li>
          <span class="n">{props.templates}</span> templates
        </li>
        <li>
          <span class="n">{props.policies.active}</span> active policies
        </li>
        <li>
          <span class="n">{matrix.contexts}</span> contexts evaluated
        </li>
        {STATUS_ORDER.map((status) => (
          <li>
            <span class="n">{matrix.counts[status]}</span>
            <StatusBadge status={status} />
          </li>
        ))}
        <li>
          <span class="n">{props.diagnostics.errors}</span> errors, <span>{props.diagnostics.warnings}</span> warnings in files
        </li>
        {props.diagnostics.adjusted > 0 || (props.diagnostics.suppressed ?? 0) > 0 ? (
          <li>
            <span class="n">{props.diagnostics.suppressed ?? 0}</span> findings suppressed, <span>{props.diagnostics.adjusted}</span> adjusted by rule settings
          </li>
        ) : null}
      </ul>

      <h2 id="matrix-heading">Compliance matrix</h2>
      <p>
        Each cell is a deployment of a project to an environment (and tenant) at this commit, with the number of findings. Open a cell for
        its decisions.
      </p>
      <div class="filters">
        <form method="get" action="/">
          {ctx.ref !== undefined ? <input type="hidden" name="ref" value={ctx.ref} /> : null}
          <label for="tag-filter">
            Project tag
            <select id="tag-filter" name="tag">
              <option value="">All projects</option>
              {matrix.tags.map((tag) => (
                <option value={tag} selected={tag === props.tag}>
                  {tag}
                </option>
              ))}
            </select>
          </label>{' '}
          <button type="submit">Filter</button>
        </form>
        <div id="matrix-filter-box" hidden>
          <label for="matrix-filter">
            Find a project
            <input id="matrix-filter" type="search" aria-controls="matrix" aria-describedby="matrix-filter-status" />
          </label>
          <span id="matrix-filter-status" role="status" aria-live="polite"></span>
        </div>
      </div>
      {matrix.groups.length === 0 ? (
        <p class="notice">{props.tag !== undefined ? `No project has the tag "${props.tag}".` : 'oclhub.ocl registers no project.'}</p>
      ) : (
        <table id="matrix" class="matrix" aria-labelledby="matrix-heading">
          <thead>
            <tr>
              <th scope="col">Project</th>
              {matrix.environments.map((e) => (
                <th scope="col">{e.name}</th>
              ))}
            </tr>
          </thead>
          {matrix.groups.map((group) => (
            <tbody>
              <tr class="group-row">
                <th scope="rowgroup" colspan={matrix.environments.length + 1} class="group">
                  {group.name}
                </th>
              </tr>
              {group.rows.map((row) => Row({ ctx, row, matrix }))}
            </tbody>
          ))}
        </table>
      )}
      <h2>Statuses</h2>
      <StatusLegend />
    </Layout>
  );
}

/**
 * One matrix row as a tagged template (values escaped by `html`): a large hub has thousands of cells,
 * and the JSX runtime's per-element work is what the overview's time would go to.
 */
function Row({ ctx, row, matrix }: { ctx: PageContext; row: MatrixRow; matrix: Matrix }): HtmlEscapedString {
  const projectHref = ctx.href(`/projects/${encodeURIComponent(row.project.slug)}`);
  const header = row.tenant
    ? html`<span><span class="visually-hidden">${row.project.name}, tenant </span>${row.tenant.name}</span>`
    : html`<a href="${projectHref}">${row.project.name}</a>`;
  const cells = matrix.environments.map((e) => {
    const cell = row.cells.get(e.slug);
    if (!cell) return NOT_DEPLOYED;
    return html`<td class="st-${cell.status}"><a href="${projectHref}#${contextAnchor(e.slug, cell.tenant)}">${statusBadge(cell.status, cell.findings)}</a></td>`;
  });
  return html`<tr${row.tenant ? TENANT_CLASS : ''} data-project="${row.project.slug}" data-search="${row.search}"><th scope="row">${header}</th>${cells}</tr>` as HtmlEscapedString;
}

const NOT_DEPLOYED = raw('<td class="na"><span>— <span class="visually-hidden">not deployed here</span></span></td>');
const TENANT_CLASS = raw(' class="tenant"');
