/** `/templates` and `/templates/:kind/:slug`: versions, a side-by-side diff between two of them, and consumers. */
import { Diagnostics, Listing } from '../components/code.js';
import { HubFacts, Layout } from '../components/layout.js';
import { TableHead } from '../components/table.js';
import type { PageContext } from '../context.js';
import { KIND_LABEL, type FileDiff, type TemplatePageData, type TemplatesPageData } from '../loaders.js';
import { sideBySide } from '../side-by-side.js';

const seg = encodeURIComponent;

export function TemplatesPage({ ctx, data }: { ctx: PageContext; data: TemplatesPageData }) {
  return (
    <Layout title="Templates" section="templates" ctx={ctx}>
      <h1>Templates</h1>
      <HubFacts ctx={ctx} />
      {data.kinds.map(({ kind, templates }) => (
        <section aria-labelledby={`kind-${kind}`}>
          <h2 id={`kind-${kind}`}>{KIND_LABEL[kind]}</h2>
          {templates.length === 0 ? (
            <p>None published or present at this ref.</p>
          ) : (
            <table data-sortable>
              <caption>{`${templates.length} ${KIND_LABEL[kind].toLowerCase()}`}</caption>
              <TableHead columns={['Slug', 'Versions', 'Latest', 'Latest stable', 'At this ref']} />
              <tbody>
                {templates.map((t) => (
                  <tr>
                    <th scope="row">
                      <a href={ctx.href(kind === 'policies' ? `/policies/${seg(t.slug)}` : `/templates/${kind}/${seg(t.slug)}`)}>{t.slug}</a>
                    </th>
                    <td data-sort={String(t.versions.length).padStart(6, '0')}>{t.versions.length}</td>
                    <td>{t.latest ?? 'unpublished'}</td>
                    <td>{t.latestStable ?? '—'}</td>
                    <td>{t.inRef ? 'present' : 'deleted (published only)'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ))}
    </Layout>
  );
}

export function TemplatePage({ ctx, data }: { ctx: PageContext; data: TemplatePageData }) {
  const kindName = KIND_LABEL[data.kind].replace(/s$/, '').toLowerCase();
  const versions = data.versions.map((v) => v.version);
  return (
    <Layout title={`${data.slug} (${kindName})`} section="templates" ctx={ctx}>
      <h1>{`${KIND_LABEL[data.kind].replace(/s$/, '')} ${data.slug}`}</h1>
      <HubFacts ctx={ctx} />
      <nav aria-label="On this page">
        <ul>
          <li>
            <a href="#versions">Published versions</a>
          </li>
          <li>
            <a href="#compare">Compare versions</a>
          </li>
          {data.consumers ? (
            <li>
              <a href="#consumers">Consumers</a>
            </li>
          ) : null}
          <li>
            <a href="#source">Source at this ref</a>
          </li>
        </ul>
      </nav>
      <Diagnostics diagnostics={data.diagnostics} />

      <h2 id="versions">Published versions</h2>
      {data.versions.length === 0 ? (
        <p>Not published yet.</p>
      ) : (
        <table data-sortable>
          <caption>{`${data.versions.length} versions, newest last`}</caption>
          <TableHead columns={['Version', 'Date', 'Publisher', 'Notes', 'Bump', 'Tag']} />
          <tbody>
            {data.versions.map((v) => (
              <tr>
                <th scope="row" data-sort={v.version}>
                  {v.version}
                  {v.prerelease ? <span class="badge">pre-release</span> : null}
                </th>
                <td>{v.date !== undefined ? <time datetime={v.date}>{v.date.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}</time> : 'unknown'}</td>
                <td>{v.publisher ? `${v.publisher.name} <${v.publisher.email}>` : 'unknown'}</td>
                <td>{v.messageError !== undefined ? `(not an oclhub tag: ${v.messageError})` : v.notes}</td>
                <td>
                  {v.requestedBump !== undefined ? `${v.requestedBump} (required: ${v.requiredBump ?? '?'})` : '—'}
                  {v.forced ? <span class="badge">forced</span> : null}
                  {v.reasons.length > 0 ? (
                    <ul>
                      {v.reasons.map((r) => (
                        <li>{r}</li>
                      ))}
                    </ul>
                  ) : null}
                </td>
                <td>
                  <code>{v.tag}</code>
                  <br />
                  <code title={v.commit}>{v.commit.slice(0, 12)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2 id="compare">Compare versions</h2>
      {versions.length < 2 ? (
        <p>Two published versions are needed for a comparison.</p>
      ) : (
        <form method="get" action={ctx.path} class="filters">
          {ctx.ref !== undefined ? <input type="hidden" name="ref" value={ctx.ref} /> : null}
          <label for="compare-from">
            From
            <select id="compare-from" name="from">
              {versions.map((v) => (
                <option value={v} selected={v === data.compare?.from}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          <label for="compare-to">
            To
            <select id="compare-to" name="to">
              {versions.map((v) => (
                <option value={v} selected={v === data.compare?.to}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Compare</button>
        </form>
      )}
      {data.compare ? (
        <>
          <Diagnostics diagnostics={data.compare.diagnostics} />
          {data.compare.files.map((file) => (
            <FileComparison file={file} from={data.compare!.from} to={data.compare!.to} />
          ))}
        </>
      ) : null}

      {data.consumers ? <Consumers ctx={ctx} data={data} /> : null}

      <h2 id="source">Source at this ref</h2>
      {data.files ? (
        data.files.map((f) => (
          <details>
            <summary>{`${f.path} (${f.ocl.split('\n').length} lines)`}</summary>
            <Listing text={f.ocl} label={f.path} />
            <Diagnostics diagnostics={f.diagnostics} />
          </details>
        ))
      ) : (
        <p>This ref does not hold the template (it was deleted after publishing, or added later).</p>
      )}
    </Layout>
  );
}

function FileComparison({ file, from, to }: { file: FileDiff; from: string; to: string }) {
  const { rows, changed } = sideBySide(file.before ?? '', file.after ?? '');
  const caption = `${file.path}: ${from} → ${to}${file.before === undefined ? ' (added)' : file.after === undefined ? ' (removed)' : changed ? '' : ' (unchanged)'}`;
  return (
    <table class="diff">
      <caption>{caption}</caption>
      <TableHead columns={['Line', from, 'Line', to]} />
      <tbody>
        {rows.map((row) =>
          row.kind === 'skip' ? (
            <tr>
              <td colspan={4} class="na">{`… ${row.count} unchanged lines …`}</td>
            </tr>
          ) : (
            <tr>
              <td class={`line-no${row.kind === 'change' && row.left ? ' del' : ''}`}>{row.left ? `${row.kind === 'change' ? '−' : ''}${row.left.line}` : ''}</td>
              <td class={row.kind === 'change' && row.left ? 'del' : undefined}>{row.left?.text ?? ''}</td>
              <td class={`line-no${row.kind === 'change' && row.right ? ' add' : ''}`}>{row.right ? `${row.kind === 'change' ? '+' : ''}${row.right.line}` : ''}</td>
              <td class={row.kind === 'change' && row.right ? 'add' : undefined}>{row.right?.text ?? ''}</td>
            </tr>
          ),
        )}
      </tbody>
    </table>
  );
}

function Consumers({ ctx, data }: { ctx: PageContext; data: TemplatePageData }) {
  const consumers = data.consumers!;
  const usages = consumers.consumers.flatMap((c) => c.usages.map((u) => ({ consumer: c, usage: u })));
  const unreadable = consumers.consumers.filter((c) => c.error !== undefined);
  return (
    <section aria-labelledby="consumers">
      <h2 id="consumers">Consumers</h2>
      <p>Every project registered in oclhub.ocl that uses this template, as it resolves at this ref.</p>
      <Diagnostics diagnostics={consumers.diagnostics} />
      {usages.length === 0 ? (
        <p>No registered project uses this template.</p>
      ) : (
        <table id="consumers-table" data-sortable>
          <caption>{`${usages.length} usages in ${consumers.consumers.length - unreadable.length} projects`}</caption>
          <TableHead columns={['Project', 'Usage', 'Mask', 'Resolves to', 'Mask\'s newest', 'Behind', 'Newer majors (manual acceptance)']} />
          <tbody>
            {usages.map(({ consumer, usage }) => (
              <tr>
                <th scope="row">
                  <a href={ctx.href(`/projects/${seg(consumer.project)}`)}>{consumer.name}</a>
                </th>
                <td>
                  {usage.usageName} <code>{usage.usage}</code>
                  <div class="mono">{usage.file}</div>
                </td>
                <td>
                  <code>{usage.mask ?? 'none'}</code>
                </td>
                <td>
                  {usage.resolved ?? <strong>does not resolve</strong>}
                  {usage.resolvedBy === 'lock' ? ' (locked)' : ''}
                </td>
                <td>{usage.newestAllowed ?? '—'}</td>
                <td>{usage.behind ? <strong>Yes: behind</strong> : 'No'}</td>
                <td>{usage.newerMajors.length > 0 ? usage.newerMajors.join(', ') : 'none'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {unreadable.length > 0 ? (
        <div class="notice error">
          <p>These projects could not be read, so whether they use the template is unknown:</p>
          <ul>
            {unreadable.map((c) => (
              <li>
                <a href={ctx.href(`/projects/${seg(c.project)}`)}>{c.name}</a>: {c.error}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {usages.some((u) => u.usage.diagnostics.length > 0) ? <Diagnostics diagnostics={usages.flatMap((u) => u.usage.diagnostics)} label="Resolution problems of the usages" /> : null}
    </section>
  );
}
