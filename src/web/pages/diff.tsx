/** `/diff?from=&to=`: the decisions that change between two refs of the hub, as `oclhub diff` lists them. */
import { Diagnostics } from '../components/code.js';
import { HubFacts, Layout } from '../components/layout.js';
import { TableHead } from '../components/table.js';
import { StatusBadge } from '../components/status.js';
import type { PageContext } from '../context.js';
import type { DiffAnswer } from '../loaders.js';
import type { CellStatus } from '../status.js';

const KIND_LABEL: Record<string, string> = { 'newly-blocked': 'Newly blocked', 'newly-allowed': 'Newly allowed', changed: 'Changed', 'reason-changed': 'Reason changed' };

export function DiffPage(props: { ctx: PageContext; from?: string; to?: string; answer?: DiffAnswer; error?: string }) {
  const { ctx, answer } = props;
  const seg = encodeURIComponent;
  return (
    <Layout title="Decision diff" section="diff" ctx={ctx}>
      <h1>Decision diff</h1>
      <HubFacts ctx={ctx} />
      <p>Lints every registered project × environment (× tenant) at both refs and lists the policy decisions that differ.</p>
      <form method="get" action="/diff" class="filters">
        {ctx.ref !== undefined ? <input type="hidden" name="ref" value={ctx.ref} /> : null}
        <label for="diff-from">
          From (base)
          <input id="diff-from" name="from" list="ref-list" value={props.from ?? ''} required autocomplete="off" />
        </label>
        <label for="diff-to">
          To (changed)
          <input id="diff-to" name="to" list="ref-list" value={props.to ?? ctx.ref ?? ctx.refs.head ?? ''} required autocomplete="off" />
        </label>
        <button type="submit">Compare</button>
      </form>
      {props.error ? <p class="notice error">{props.error}</p> : null}
      {answer ? (
        <section aria-labelledby="diff-result">
          <h2 id="diff-result">{`${props.from} → ${props.to}`}</h2>
          <p>
            <span class="mono" title={answer.commitFrom}>{answer.commitFrom?.slice(0, 12)}</span> → <span class="mono" title={answer.commitTo}>{answer.commitTo?.slice(0, 12)}</span>
            {`: ${answer.changes.length} changes over ${answer.contexts} contexts — ${answer.summary.newlyBlocked} newly blocked, ${answer.summary.newlyAllowed} newly allowed, ${answer.summary.changed} changed, ${answer.summary.reasonChanged} reason changed`}
          </p>
          {answer.changes.length === 0 ? (
            <p>No decision changes.</p>
          ) : (
            <table data-sortable>
              <caption>Changed decisions</caption>
              <TableHead columns={['Change', 'Context', 'Policy', 'Before', 'After']} />
              <tbody>
                {answer.changes.map((change) => (
                  <tr>
                    <th scope="row">{KIND_LABEL[change.kind] ?? change.kind}</th>
                    <td>
                      <a href={ctx.href(`/projects/${seg(change.project)}`)}>{change.context}</a>
                    </td>
                    <td>
                      <a href={ctx.href(`/policies/${seg(change.policy)}`)}>{change.policy}</a>
                    </td>
                    <td>
                      <StatusBadge status={change.before.state as CellStatus} /> {change.before.version ? `v${change.before.version}` : ''}
                      {change.before.reason ? <div>{change.before.reason}</div> : null}
                    </td>
                    <td>
                      <StatusBadge status={change.after.state as CellStatus} /> {change.after.version ? `v${change.after.version}` : ''}
                      {change.after.reason ? <div>{change.after.reason}</div> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Diagnostics diagnostics={answer.diagnostics} />
        </section>
      ) : null}
    </Layout>
  );
}
