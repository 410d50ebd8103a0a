/**
 * The OpenAPI 3.1 document, generated from the route table and the schemas in schemas/api. It is
 * self-contained: every schema sits under `components/schemas` (by its title) without its `$id`, and
 * every `$ref` is a pointer into the document (`#/components/schemas/Diagnostic`, and a schema's own
 * `#/$defs/x` becomes `#/components/schemas/<Title>/$defs/x`), so standard OpenAPI tools resolve it
 * without knowing the schemas' URLs. The server validates with the very same schema files.
 */
import { PROBLEM_CONTENT_TYPE } from './problem.js';
import { pathParameters, type RouteSpec } from './router.js';
import { apiSchemas } from './schemas.js';

const STANDARD_ERRORS: Record<number, string> = {
  400: 'Invalid path, parameter, ref or body (problem+json; schema errors in `errors`)',
  401: 'A bearer token is required or is not valid',
  403: 'The token lacks the required scope',
  404: 'Unknown route, ref, template, version or project',
  500: 'Unexpected server error (no details are disclosed)',
};

/** `/api/policies/:slug` → `/api/policies/{slug}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

export function buildOpenApi(routes: readonly RouteSpec[], options: { version: string }): Record<string, unknown> {
  const schemas = apiSchemas();
  const ref = (name: string) => ({ $ref: `#/components/schemas/${schemas.componentName(name)}` });
  const problemContent = { [PROBLEM_CONTENT_TYPE]: { schema: ref('problem') } };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      // HTTP forbids a body with these (RFC 9110 §15.3.5, §15.4.5): declaring a media type would promise one.
      if (status === '204' || status === '304') {
        responses[status] = { description: response.description };
        continue;
      }
      const isError = Number(status) >= 400;
      const type = response.contentType ?? (isError ? PROBLEM_CONTENT_TYPE : 'application/json');
      const headers = response.headers && Object.fromEntries(Object.entries(response.headers).map(([name, h]) => [name, { description: h.description, schema: { type: 'string' } }]));
      responses[status] = { description: response.description, ...(headers ? { headers } : {}), content: { [type]: response.schema ? { schema: ref(response.schema) } : {} } };
    }
    const extra: Record<number, string> = { ...STANDARD_ERRORS };
    if (route.body) {
      extra[413] = 'The body is larger than the server accepts';
      extra[415] = 'The body is not application/json';
    }
    if (route.implemented === false) extra[501] = 'Not provided by this hub yet';
    for (const [status, description] of Object.entries(extra)) {
      responses[status] ??= { description, content: problemContent };
    }
    const operation: Record<string, unknown> = {
      operationId: operationId(route),
      summary: route.summary,
      tags: [route.tag],
      parameters: [
        ...pathParameters(route.path).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
        ...(route.query ?? []).map((q) => ({ name: q.name, in: 'query', required: q.required === true, description: q.description, schema: { type: 'string' } })),
      ],
      responses,
      // Reads are open unless the server runs with --auth-reads; writes always need a publish token.
      security: route.scope === 'publish' ? [{ bearer: ['publish'] }] : [{}, { bearer: ['read'] }],
    };
    if (route.description) operation.description = route.description;
    if (route.body) operation.requestBody = { required: true, content: { 'application/json': { schema: ref(route.body) } } };
    const path = openApiPath(route.path);
    (paths[path] ??= {})[route.method] = operation;
  }
  const components: Record<string, unknown> = {};
  for (const [name, schema] of schemas.byName) {
    const { $id: _id, $schema: _schema, ...body } = schema;
    components[schemas.componentName(name)] = rewriteRefs(body, `#/components/schemas/${schemas.componentName(name)}`, (file) => schemas.componentName(file));
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'oclhub API',
      version: options.version,
      description: 'Git-backed platform hub for Octopus OCL: templates, versions, policies and pre-deployment decisions. Errors are RFC 9457 problem details.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: { schemas: components, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A token from the server\'s token file, with the read or publish scope' } } },
  };
}

const SCHEMA_FILE = /^(?:https:\/\/oclhub\.dev\/schemas\/api\/)?([a-z0-9-]+)\.schema\.json(#.*)?$/;

/** A copy of `value` with every `$ref` pointing into the OpenAPI document. */
function rewriteRefs(value: unknown, self: string, componentName: (file: string) => string): any {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, self, componentName));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === '$ref' && typeof inner === 'string') {
      const file = SCHEMA_FILE.exec(inner);
      if (inner.startsWith('#')) out[key] = `${self}${inner.slice(1)}`;
      else if (file) out[key] = `#/components/schemas/${componentName(file[1]!)}${(file[2] ?? '#').slice(1)}`;
      else throw new Error(`Schema reference ${inner} cannot be made local to the OpenAPI document`);
    } else {
      out[key] = rewriteRefs(inner, self, componentName);
    }
  }
  return out;
}

function operationId(route: RouteSpec): string {
  const words = route.path
    .replace(/^\/api\//, '')
    .replace(/^\//, '')
    .split(/[/.-]/)
    .filter((w) => w !== '')
    .map((w) => (w.startsWith(':') ? `by-${w.slice(1)}` : w));
  return [route.method, ...words].map((w, i) => (i === 0 ? w : w.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join(''))).join('');
}
