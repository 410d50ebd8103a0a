/**
 * `/projects/:slug`: the resolved process step by step with each step's provenance and the template
 * parameters bound; then, per environment (and tenant), every active policy's decision with its reason,
 * the OCL code frame at the step, and the exceptions that apply.
 */
import type { Diagnostic, RelatedInformation } from '../../diagnostics.js';
import type { ResolvedProcess } from '../../hub/index.js';
import type { PolicyDecision } from '../../report/lint-report.js';
import { CodeFrame, Diagnostics } from '../components/code.js';
import { HubFacts, Layout } from '../components/layout.js';
import { TableHead } from '../components/table.js';
import { OutcomeBadge, StatusBadge } from '../components/status.js';
import type { PageContext } from '../context.js';
import type { ExceptionView, ProjectContextView, ProjectPageData } from '../loaders.js';
import { contextAnchor } from './overview.js';

export function ProjectPage({ ctx, data }: { ctx: PageContext; data: ProjectPageData }) {
  const { project } = data;
  return (
    <Layout title={project.name} section="overview" ctx={ctx}>
      <h1>{`Project ${project.name}`}</h1>
      <HubFacts ctx={ctx} />
      <dl class="facts">
        <dt>Slug</dt>
        <dd>
          <code>{project.slug}</code>
        </dd>
        <dt>Project group</dt>
        <dd>{data.groupName ?? project.group ?? 'none'}</dd>
        <dt>Tags</dt>
        <dd>{project.tags.length > 0 ? project.tags.join(', ') : 'none'}</dd>
        <dt>Files</dt>
        <dd class="mono">{project.repository !== undefined ? `${project.repository}${project.ref ? `@${project.ref}` : ''} ${project.path ?? '.octopus'}` : project.path}</dd>
        <dt>Tenanted</dt>
        <dd>{project.tenanted ?? 'Untenanted'}</dd>
      </dl>
      <nav aria-label="Contexts">
        <ul>
          {data.contexts.map((context) => (
            <li>
              <a href={`#${contextAnchor(context.environment, context.tenant?.slug)}`}>{contextTitle(context)}</a> <StatusBadge status={context.status} />
            </li>
          ))}
        </ul>
      </nav>
      {data.readError ? <p class="notice error">{`The project cannot be read: ${data.readError}`}</p> : null}
      <Diagnostics diagnostics={data.diagnostics} sources={data.sources} label="Problems in this project's files" />

      <h2>Resolved process</h2>
      {data.resolution && data.resolution.processes.length > 0 ? (
        data.resolution.processes.map((process) => <Process process={process} ctx={ctx} />)
      ) : (
        <p class="notice error">No deployment process or runbook was resolved: nothing can be evaluated.</p>
      )}

      <h2>Decisions</h2>
      {data.contexts.length === 0 ? <p class="notice error">No context of this project was evaluated: its cells show as errors.</p> : null}
      {data.contexts.map((context) => (
        <ContextSection ctx={ctx} context={context} sources={data.sources} />
      ))}

      <h2>Exceptions</h2>
      <Exceptions exceptions={data.exceptions} ctx={ctx} by="policy" />
    </Layout>
  );
}

function contextTitle(context: Pick<ProjectContextView, 'environmentName' | 'tenant'>): string {
  return context.tenant ? `${context.environmentName} · ${context.tenant.name}` : context.environmentName;
}

function Process({ process, ctx }: { process: ResolvedProcess; ctx: PageContext }) {
  const title = process.kind === 'runbook' ? `Runbook ${process.runbook ?? ''}` : 'Deployment process';
  return (
    <section aria-label={title}>
      <h3>{title}</h3>
      <p class="mono">{process.file}</p>
      <table>
        <caption>{`${process.steps.length} steps in execution order`}</caption>
        <TableHead columns={['#', 'Step', 'Actions', 'Provenance']} />
        <tbody>
          {process.steps.map((s, i) => (
            <tr>
              <td>{i + 1}</td>
              <th scope="row">
                {s.name}
                <br />
                <code>{s.slug}</code>
              </th>
              <td>
                {s.step.actions.map((a) => (
                  <div>
                    <code>{a.actionType ?? 'no action type'}</code>
                    {a.isDisabled ? ' (disabled)' : ''}
                    {a.isRequired ? ' (required)' : ''}
                    {a.environments.length > 0 ? ` — only ${a.environments.join(', ')}` : ''}
                  </div>
                ))}
              </td>
              <td>
                {s.provenance.type === 'step' ? (
                  <span>
                    Own step, <span class="mono">{`${s.provenance.file}:${s.provenance.range.start.line}`}</span>
                  </span>
                ) : (
                  <span>
                    Template <a href={ctx.href(`/templates/process-templates/${s.provenance.templateSlug}`)}>{s.provenance.templateSlug}</a>{' '}
                    {s.provenance.version}, tag <code>{s.provenance.tag}</code>, commit <code title={s.provenance.commit}>{s.provenance.commit.slice(0, 12)}</code>
                    <br />
                    step <code>{s.provenance.templateStep}</code> of usage <code>{s.provenance.usage}</code>
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {process.usages.map((usage) => (
        <table>
          <caption>{`Template usage ${usage.name} (${usage.slug}): ${usage.templateSlug ?? '?'} ${usage.version ?? 'unresolved'} by mask ${usage.mask ?? 'none'}`}</caption>
          <TableHead columns={['Parameter', 'Value', 'From']} />
          <tbody>
            {usage.parameters.length === 0 ? (
              <tr>
                <td colspan={3}>No parameters</td>
              </tr>
            ) : (
              usage.parameters.map((p) => (
                <tr>
                  <th scope="row">
                    <code>{p.name}</code>
                    {p.label ? <div>{p.label}</div> : null}
                  </th>
                  <td class="mono">{parameterValue(p)}</td>
                  <td>{p.source === 'usage' ? 'the usage' : p.source === 'default' ? 'the template default' : 'not set'}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      ))}
      <Diagnostics diagnostics={process.diagnostics} label="Resolution problems" />
    </section>
  );
}

function parameterValue(p: ResolvedProcess['usages'][number]['parameters'][number]): string {
  if (p.feed !== undefined || p.packageId !== undefined) return `${p.feed ?? '?'} / ${p.packageId ?? '?'}`;
  if (p.controlType === 'Sensitive' && p.value !== undefined) return '(sensitive value)';
  if (p.byEnvironment) return Object.entries(p.byEnvironment).map(([env, v]) => `${env}: ${v.value}`).join('; ');
  return p.value ?? '';
}

function ContextSection({ ctx, context, sources }: { ctx: PageContext; context: ProjectContextView; sources: ReadonlyMap<string, string> }) {
  const id = contextAnchor(context.environment, context.tenant?.slug);
  const evaluation = context.evaluation;
  return (
    <section id={id} aria-labelledby={`${id}-title`} tabindex={-1}>
      <h3 id={`${id}-title`}>
        {contextTitle(context)} <StatusBadge status={context.status} />
      </h3>
      {context.error ? (
        <div class="notice error">
          <p>{`Not evaluated: ${context.error.detail}`}</p>
          <Diagnostics diagnostics={context.error.diagnostics} sources={sources} />
        </div>
      ) : null}
      {evaluation ? (
        <>
          <table>
            <caption>{`Policy decisions for ${contextTitle(context)}`}</caption>
            <TableHead columns={['Policy', 'Version', 'Decision', 'Reason', 'Exception']} />
            <tbody>
              {evaluation.policies.map((d) => (
                <tr>
                  <th scope="row">
                    <a href={ctx.href(`/policies/${d.policy}`)}>{d.policyName ?? d.policy}</a>
                  </th>
                  <td>{d.version ?? 'draft'}</td>
                  <td>
                    <OutcomeBadge decision={d} />
                  </td>
                  <td>{d.outcome === 'error' ? d.error : d.outcome === 'pass' || d.outcome === 'skipped' ? '' : d.reason}</td>
                  <td>{d.exception ? `${d.exception.owner}, until ${d.exception.expires}: ${d.exception.reason}` : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {evaluation.policies
            .filter((d) => d.location !== undefined && d.outcome !== 'pass' && d.outcome !== 'skipped')
            .map((d) => (
              <Finding decision={d} sources={sources} />
            ))}
          <Diagnostics diagnostics={evaluation.diagnostics.filter((x: Diagnostic) => x.severity !== 'info')} sources={sources} label="Diagnostics of this evaluation" />
        </>
      ) : null}
    </section>
  );
}

function Finding({ decision, sources }: { decision: PolicyDecision; sources: ReadonlyMap<string, string> }) {
  const location = decision.location!;
  const text = sources.get(location.file);
  const wholeFile = location.range !== undefined && location.range.start.offset === 0 && location.range.end.offset === 0;
  return (
    <div class="finding">
      <p>
        <OutcomeBadge decision={decision} /> <strong>{decision.policyName ?? decision.policy}</strong>: {decision.outcome === 'error' ? decision.error : decision.reason}
      </p>
      {text !== undefined ? (
        <CodeFrame file={location.file} text={text} {...(location.range ? { range: location.range } : {})} note={location.step !== undefined ? `step ${location.step}` : wholeFile ? 'the process as a whole' : undefined} />
      ) : (
        <p class="mono">{location.file}</p>
      )}
      {(location.related ?? []).map((r: RelatedInformation) => {
        const related = r.file !== undefined ? sources.get(r.file) : undefined;
        return related !== undefined && r.file !== undefined ? <CodeFrame file={r.file} text={related} {...(r.range ? { range: r.range } : {})} note={r.message} /> : <p>{r.message}</p>;
      })}
    </div>
  );
}

export function Exceptions({ exceptions, ctx, by }: { exceptions: readonly ExceptionView[]; ctx: PageContext; by: 'policy' | 'project' }) {
  if (exceptions.length === 0) return <p>No exceptions.</p>;
  return (
    <table>
      <caption>Exceptions in oclhub.ocl</caption>
      <TableHead columns={['Exception', by === 'policy' ? 'Policy' : 'Project', 'Environment / tenant', 'Owner', 'Expires', 'Reason']} />
      <tbody>
        {exceptions.map(({ exception: e, inForce }) => (
          <tr>
            <th scope="row">
              <code>{e.id}</code>
            </th>
            <td>{by === 'policy' ? <a href={ctx.href(`/policies/${e.policy ?? ''}`)}>{e.policy}</a> : <a href={ctx.href(`/projects/${e.project ?? ''}`)}>{e.project}</a>}</td>
            <td>{[e.environment ?? 'every environment', e.tenant].filter(Boolean).join(' / ')}</td>
            <td>{e.owner ?? 'unknown'}</td>
            <td>
              {e.expires ?? 'no date'} {inForce ? <span class="badge">in force</span> : <span class="badge">expired: no longer applies</span>}
            </td>
            <td>{e.reason ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
