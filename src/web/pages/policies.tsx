/** `/policies` and `/policies/:slug`: what each policy says, which version is active, and where it passes and fails. */
import { Diagnostics, Listing } from '../components/code.js';
import { HubFacts, Layout } from '../components/layout.js';
import { TableHead } from '../components/table.js';
import { OutcomeBadge } from '../components/status.js';
import type { PageContext } from '../context.js';
import type { PolicyPageData, PolicyRow } from '../loaders.js';
import { promotionOrder } from '../model.js';
import { Exceptions } from './project.js';
import { contextAnchor } from './overview.js';

const seg = encodeURIComponent;

export function PoliciesPage({ ctx, rows }: { ctx: PageContext; rows: PolicyRow[] }) {
  return (
    <Layout title="Policies" section="policies" ctx={ctx}>
      <h1>Policies</h1>
      <HubFacts ctx={ctx} />
      {rows.length === 0 ? (
        <p>No policy is published, activated or present at this ref.</p>
      ) : (
        <table data-sortable>
          <caption>{`${rows.length} policies; findings count the contexts of the compliance matrix`}</caption>
          <TableHead columns={['Policy', 'Description', 'Active version', 'Latest published', 'Findings']} />
          <tbody>
            {rows.map((row) => (
              <tr>
                <th scope="row">
                  <a href={ctx.href(`/policies/${seg(row.slug)}`)}>{row.name ?? row.slug}</a>
                  <div>
                    <code>{row.slug}</code>
                  </div>
                </th>
                <td>{row.description ?? ''}</td>
                <td>{row.activeVersion ?? 'not active'}</td>
                <td>{row.latest ?? 'unpublished'}</td>
                <td data-sort={String(row.findings.blocked * 1000 + row.findings.error * 100 + row.findings.warned).padStart(9, '0')}>
                  {findingSummary(row.findings)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}

function findingSummary(f: PolicyRow['findings']): string {
  const parts = [
    [f.blocked, 'blocked'],
    [f.error, 'error'],
    [f.warned, 'warned'],
    [f.inconclusive, 'inconclusive'],
    [f.excepted, 'excepted'],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, label]) => `${n} ${label}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

export function PolicyPage({ ctx, data }: { ctx: PageContext; data: PolicyPageData }) {
  const doc = data.document;
  const title = doc?.name ?? data.slug;
  const environments = promotionOrder(ctx.hub);
  const envName = new Map(environments.map((e) => [e.slug, e.name]));
  const tenantName = new Map((ctx.hub.config?.tenants ?? []).map((t) => [t.slug, t.name]));
  const projectName = new Map((ctx.hub.config?.projects ?? []).map((p) => [p.slug, p.name]));
  const counts = new Map<string, number>();
  for (const cell of data.cells) counts.set(cell.outcome, (counts.get(cell.outcome) ?? 0) + 1);
  return (
    <Layout title={title} section="policies" ctx={ctx}>
      <h1>{`Policy ${title}`}</h1>
      <HubFacts ctx={ctx} />
      <dl class="facts">
        <dt>Slug (Rego package)</dt>
        <dd>
          <code>{data.slug}</code>
        </dd>
        <dt>Description</dt>
        <dd>{doc?.description ?? '—'}</dd>
        <dt>Active version</dt>
        <dd>{data.activeVersion ?? 'not active in oclhub.ocl at this ref: not evaluated'}</dd>
        <dt>Violation</dt>
        <dd>{doc ? `${doc.effectiveViolationAction === 'block' ? 'blocks' : 'warns'}: ${doc.violationReason ?? '(no violation_reason)'}` : '—'}</dd>
        <dt>Published versions</dt>
        <dd>{data.versions.length > 0 ? data.versions.map((v) => v.version).join(', ') : 'none'}</dd>
        <dt>Shown</dt>
        <dd>{data.source === 'active' ? `the active version ${data.activeVersion}, from its tag` : data.source === 'ref' ? 'the file at this ref (not active)' : 'no policy file could be read'}</dd>
      </dl>
      <Diagnostics diagnostics={data.diagnostics} {...(data.file !== undefined && data.text !== undefined ? { sources: new Map([[data.file, data.text]]) } : {})} />

      <h2>Scope</h2>
      {doc?.scope?.rego !== undefined ? (
        <Listing text={doc.scope.rego} {...(doc.scope.firstLine !== undefined ? { firstLine: doc.scope.firstLine } : {})} label={`Rego (rule evaluate); line numbers are ${data.file ?? 'the policy file'}'s`} />
      ) : (
        <p>No scope: the policy applies to every deployment.</p>
      )}
      <h2>Conditions</h2>
      {doc?.conditions?.rego !== undefined ? (
        <Listing text={doc.conditions.rego} {...(doc.conditions.firstLine !== undefined ? { firstLine: doc.conditions.firstLine } : {})} label={`Rego (rule result); line numbers are ${data.file ?? 'the policy file'}'s`} />
      ) : (
        <p class="notice error">No conditions: the policy cannot decide (it fails closed).</p>
      )}

      <h2>Across the matrix</h2>
      {data.cells.length === 0 ? (
        <p>{data.activeVersion === undefined ? 'Not evaluated: the policy is not active.' : 'No context evaluated this policy.'}</p>
      ) : (
        <>
          <p>{[...counts].map(([outcome, n]) => `${n} ${outcome === 'skipped' ? 'out of scope' : outcome === 'pass' ? 'passed' : outcome}`).join(', ')}</p>
          <table data-sortable>
            <caption>{`This policy's decision in each of ${data.cells.length} contexts`}</caption>
            <TableHead columns={['Project', 'Environment', 'Tenant', 'Decision', 'Reason']} />
            <tbody>
              {data.cells.map((cell) => (
                <tr>
                  <th scope="row">
                    <a href={`${ctx.href(`/projects/${seg(cell.project)}`)}#${contextAnchor(cell.environment, cell.tenant)}`}>{projectName.get(cell.project) ?? cell.project}</a>
                  </th>
                  <td>{envName.get(cell.environment) ?? cell.environment}</td>
                  <td>{cell.tenant !== undefined ? (tenantName.get(cell.tenant) ?? cell.tenant) : '—'}</td>
                  <td>
                    <OutcomeBadge decision={{ outcome: cell.outcome, action: cell.action ?? 'block' }} />
                  </td>
                  <td>{cell.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      <h2>Exceptions</h2>
      <Exceptions exceptions={data.exceptions} ctx={ctx} by="project" />

      <h2>Unit tests</h2>
      <p>
        Cases in <code>{`policy-tests/${data.slug}/`}</code> at this ref, run against {data.tests.file ? <code>{data.tests.file}</code> : 'the policy file'} at this ref (as{' '}
        <code>oclhub test</code> does).
      </p>
      <Diagnostics diagnostics={data.tests.diagnostics} />
      {data.tests.cases.length === 0 ? (
        <p>No unit tests.</p>
      ) : (
        <table>
          <caption>{`${data.tests.summary.total} tests: ${data.tests.summary.passed} passed, ${data.tests.summary.failed} failed`}</caption>
          <TableHead columns={['Case', 'Result', 'What differed']} />
          <tbody>
            {data.tests.cases.map((c) => (
              <tr>
                <th scope="row">
                  <span class="mono">{c.file}</span>
                  {c.description !== undefined ? <div>{c.description}</div> : null}
                </th>
                <td>
                  {c.passed ? (
                    <span class="status st-allowed">
                      <span aria-hidden="true">✓</span> Passed
                    </span>
                  ) : (
                    <span class="status st-blocked">
                      <span aria-hidden="true">✕</span> Failed
                    </span>
                  )}
                </td>
                <td>{c.failures.join('; ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
