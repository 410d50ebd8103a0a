/**
 * `/docs`: the API documentation for people, rendered on the server from the OpenAPI document that
 * `/openapi.json` serves (no client-side viewer, no CDN): each operation with its parameters, request
 * body, responses and the scope it needs. Schemas are linked to their JSON in the document.
 */
import { Layout } from '../components/layout.js';
import { TableHead } from '../components/table.js';

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string }[];
  requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: { $ref?: string } }> }>;
  security?: Record<string, string[]>[];
}

interface OpenApiDocument {
  info?: { title?: string; version?: string; description?: string };
  paths?: Record<string, Record<string, Operation>>;
}

function schemaName(ref: string | undefined): string | undefined {
  return ref?.split('/').pop();
}

function access(op: Operation): string {
  const scopes = (op.security ?? []).flatMap((s) => Object.values(s).flat());
  if (scopes.includes('publish')) return 'a token with the publish scope';
  return 'open, or a read token under --auth-reads';
}

export function DocsPage({ document }: { document: OpenApiDocument }) {
  const byTag = new Map<string, { method: string; path: string; op: Operation }[]>();
  for (const [path, methods] of Object.entries(document.paths ?? {})) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags?.[0] ?? 'other';
      let list = byTag.get(tag);
      if (!list) byTag.set(tag, (list = []));
      list.push({ method, path, op });
    }
  }
  return (
    <Layout title="API docs" section="docs">
      <h1>{`${document.info?.title ?? 'API'} ${document.info?.version ?? ''}`}</h1>
      <p>{document.info?.description}</p>
      <p>
        Rendered from <a href="/openapi.json">/openapi.json</a>. Every <code>ref</code> parameter defaults to the hub's default branch; errors are{' '}
        <code>application/problem+json</code>.
      </p>
      <nav aria-label="Operations by tag">
        <ul>
          {[...byTag.keys()].map((tag) => (
            <li>
              <a href={`#tag-${tag}`}>{tag}</a>
            </li>
          ))}
        </ul>
      </nav>
      {[...byTag].map(([tag, operations]) => (
        <section aria-labelledby={`tag-${tag}`}>
          <h2 id={`tag-${tag}`}>{tag}</h2>
          {operations.map(({ method, path, op }) => (
            <article class="operation" aria-labelledby={`op-${op.operationId ?? `${method}-${path}`}`}>
              <h3 id={`op-${op.operationId ?? `${method}-${path}`}`}>
                <span class="method">{method}</span> <code>{path}</code>
              </h3>
              <p>{op.summary}</p>
              {op.description ? <p>{op.description}</p> : null}
              <p>Access: {access(op)}.</p>
              {op.parameters && op.parameters.length > 0 ? (
                <table>
                  <caption>Parameters</caption>
                  <TableHead columns={['Name', 'In', 'Required', 'Description']} />
                  <tbody>
                    {op.parameters.map((p) => (
                      <tr>
                        <th scope="row">
                          <code>{p.name}</code>
                        </th>
                        <td>{p.in}</td>
                        <td>{p.required ? 'yes' : 'no'}</td>
                        <td>{p.description ?? ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
              {op.requestBody ? (
                <p>
                  Request body:{' '}
                  {Object.entries(op.requestBody.content ?? {}).map(([type, c]) => (
                    <span>
                      <code>{type}</code> {schemaName(c.schema?.$ref) ? <code>{schemaName(c.schema?.$ref)}</code> : null}
                    </span>
                  ))}
                </p>
              ) : null}
              <table>
                <caption>Responses</caption>
                <TableHead columns={['Status', 'Description', 'Body']} />
                <tbody>
                  {Object.entries(op.responses ?? {}).map(([status, r]) => (
                    <tr>
                      <th scope="row">{status}</th>
                      <td>{r.description ?? ''}</td>
                      <td>
                        {Object.entries(r.content ?? {}).map(([type, c]) => (
                          <div>
                            <code>{type}</code> {schemaName(c.schema?.$ref) ? <code>{schemaName(c.schema?.$ref)}</code> : null}
                          </div>
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </article>
          ))}
        </section>
      ))}
    </Layout>
  );
}
