/** Statuses as text and icon (never colour alone): matrix cells, contexts and single decisions. */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { STATUS_VIEW, decisionStatus, type CellStatus, type DecisionLike } from '../status.js';

/**
 * A status with its icon and label (and the number of findings). A tagged template rather than JSX:
 * the matrix holds one per cell, thousands on a large hub, and `html` escapes its values all the same.
 */
export function statusBadge(status: CellStatus, findings?: number): HtmlEscapedString {
  const view = STATUS_VIEW[status];
  const count = findings !== undefined && findings > 0 ? html`<span class="findings">(${findings} ${findings === 1 ? 'finding' : 'findings'})</span>` : '';
  return html`<span class="status st-${status}" title="${view.meaning}"><span class="status-icon" aria-hidden="true">${view.icon}</span><span class="status-label">${view.label}</span>${count}</span>` as HtmlEscapedString;
}

export function StatusBadge(props: { status: CellStatus; findings?: number }) {
  return statusBadge(props.status, props.findings);
}

/** What one policy decided: passes and out-of-scope policies are told apart (both are "allowed" cells). */
export function OutcomeBadge(props: { decision: DecisionLike }) {
  const { outcome, action } = props.decision;
  if (outcome === 'pass') return <span class="status st-allowed"><span class="status-icon" aria-hidden="true">✓</span> Passed</span>;
  if (outcome === 'skipped') return <span class="status st-skipped"><span class="status-icon" aria-hidden="true">–</span> Out of scope</span>;
  const status = decisionStatus(props.decision);
  const view = STATUS_VIEW[status];
  const label = outcome === 'violation' ? `Violation (${action === 'block' ? 'blocks' : 'warns'})` : outcome === 'error' ? `Error (${action === 'block' ? 'blocks' : 'warns'})` : view.label;
  return (
    <span class={`status st-${status}`} title={view.meaning}>
      <span class="status-icon" aria-hidden="true">
        {view.icon}
      </span>{' '}
      {label}
    </span>
  );
}

/** The legend under the matrix: every status, its icon and what it means. */
export function StatusLegend() {
  return (
    <dl class="facts" aria-label="Status legend">
      {(Object.keys(STATUS_VIEW) as CellStatus[]).map((status) => (
        <>
          <dt>
            <StatusBadge status={status} />
          </dt>
          <dd>{STATUS_VIEW[status].meaning}</dd>
        </>
      ))}
    </dl>
  );
}
