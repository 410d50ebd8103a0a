/** /openapi.json describes exactly the registered routes, with the schemas the server validates with. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ajv2020 from 'ajv/dist/2020.js';
import { dereference, validate as validateOpenApi } from '@readme/openapi-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { openApiPath } from '../../src/api/openapi.js';
import { apiSchemas } from '../../src/api/schemas.js';
import { webRoutes } from '../../src/web/index.js';
import { gitPort } from './git-port.js';
import { buildHub, expectJson, expectProblem, PUBLISH_TOKEN, startApi, type Api } from './helpers.js';

const SCHEMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schemas/api');

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref: string } }> }; responses: Record<string, unknown>; parameters: { name: string; in: string }[] }>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

let api: Api;
let doc: OpenApi;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  const port = await gitPort(buildHub().dir);
  app = createApp(port);
  api = await startApi(port);
  doc = await expectJson<OpenApi>(await api.get('/openapi.json'), 200);
});

const component = (ref: string) => doc.components.schemas[ref.replace('#/components/schemas/', '')]!;

describe('GET /openapi.json', () => {
  it('is OpenAPI 3.1', () => {
    expect(doc.openapi).toBe('3.1.0');
  });

  it('lists every route Hono has registered, and nothing else', () => {
    // The web pages (src/web) answer HTML for people: they are not API operations.
    const pages = new Set(webRoutes({ port: {} as never, auth: { tokens: [], authReads: false }, openApi: () => ({}) }).routes.map((r) => `${r.method} ${r.path}`));
    const registered = new Set(app.routes.filter((r) => r.method !== 'ALL' && !pages.has(`${r.method} ${r.path}`)).map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`));
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)));
    expect([...documented].sort()).toEqual([...registered].sort());
    // The routes the issue asks for are among them.
    for (const expected of [
      'get /api/health',
      'get /openapi.json',
      'get /api/process-templates/{slug}/versions/{version}',
      'get /api/project-templates/{slug}/releases',
      'post /api/process-templates/{slug}/versions',
      'post /api/policies/{slug}/activation',
      'post /api/evaluations',
      'get /api/projects/{slug}/input',
      'get /api/compliance',
      'get /api/diff',
    ]) {
      expect(documented).toContain(expected);
    }
  });

  it('documents path parameters for every {name} in a path', () => {
    for (const [p, ops] of Object.entries(doc.paths)) {
      const names = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(ops)) expect(op.parameters.filter((x) => x.in === 'path').map((x) => x.name)).toEqual(names);
    }
  });

  it('embeds every schemas/api file as a component, with its references made local to the document', () => {
    const files = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json'));
    expect(Object.keys(doc.components.schemas)).toHaveLength(files.length);
    const titles = new Map(files.map((f) => [f, (JSON.parse(readFileSync(path.join(SCHEMA_DIR, f), 'utf8')) as { title: string }).title]));
    for (const file of files) {
      const text = readFileSync(path.join(SCHEMA_DIR, file), 'utf8');
      const { $id: _id, $schema: _schema, ...schema } = JSON.parse(text) as Record<string, unknown>;
      const title = titles.get(file)!;
      // The same schema, with `x.schema.json` → `#/components/schemas/X`, `x.schema.json#/$defs/y` and `#/$defs/y` → under their component.
      const expected = JSON.parse(
        JSON.stringify(schema).replace(/"\$ref":"([^"]*)"/g, (_m, ref: string) =>
          `"$ref":"${ref.startsWith('#') ? `#/components/schemas/${title}${ref.slice(1)}` : `#/components/schemas/${titles.get(ref.split('#')[0]!)}${ref.split('#')[1] ?? ''}`}"`,
        ),
      );
      expect(doc.components.schemas[title]).toEqual(expected);
    }
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]*)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(20);
    expect(refs.filter((r) => !r.startsWith('#/components/schemas/'))).toEqual([]);
    expect(JSON.stringify(doc.components)).not.toContain('"$id"');
  });

  it('is a valid, self-contained OpenAPI document for a standard validator (@readme/openapi-parser), offline', async () => {
    const result = await validateOpenApi(structuredClone(doc) as never);
    expect(result).toMatchObject({ valid: true, specification: 'OpenAPI' });
    // Every reference resolves inside the document: dereferencing needs no network.
    const resolved = (await dereference(structuredClone(doc) as never)) as unknown as OpenApi;
    const publishBody = resolved.paths['/api/process-templates/{slug}/versions']!.post!.requestBody!.content['application/json']!.schema as unknown as { properties: Record<string, unknown> };
    expect(Object.keys(publishBody.properties)).toEqual(expect.arrayContaining(['bump', 'version', 'notes']));
  });

  it('gives each request body the schema the server validates it with', async () => {
    const bodies = app.apiRoutes.filter((r) => r.body !== undefined);
    expect(bodies.length).toBeGreaterThanOrEqual(4);
    for (const route of bodies) {
      const op = doc.paths[openApiPath(route.path)]![route.method]!;
      const ref = op.requestBody!.content['application/json']!.schema.$ref;
      // The component of the very schema file the validator compiled...
      expect(ref).toBe(`#/components/schemas/${apiSchemas().componentName(route.body!)}`);
      expect(component(ref).title).toBe((apiSchemas().validator(route.body!).schema as { title: string }).title);
      // ...and the server refuses what that schema refuses: a body of the wrong type.
      const response = await api.post(route.path.replace(':slug', 'no_root').replace('process-templates/no_root', 'process-templates/deploy-web'), [], { token: PUBLISH_TOKEN });
      const problem = await expectProblem(response, 400, 'validation-failed');
      expect(problem.errors).toEqual([expect.objectContaining({ instancePath: '', keyword: 'type' })]);
    }
  });

  it('documents problem+json for errors and 501 for stubs', () => {
    const evaluations = doc.paths['/api/evaluations']!.post!;
    expect(Object.keys(evaluations.responses)).toEqual(expect.arrayContaining(['200', '400', '413', '415', '501']));
    expect(JSON.stringify(evaluations.responses['400'])).toContain('application/problem+json');
  });

  it('declares no body for 304 or 204 (the server sends none: release-gate.test.ts)', () => {
    const compliance = doc.paths['/api/compliance']!.get!;
    expect(compliance.responses['304']).toEqual({ description: expect.any(String) });
    for (const [route, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const status of ['204', '304']) expect(operation.responses[status] ?? {}, `${method} ${route} ${status}`).not.toHaveProperty('content');
      }
    }
  });

  it('validates real answers with the documented schemas, resolved through the document itself', async () => {
    const Ajv = (ajv2020 as unknown as { default: typeof ajv2020.default }).default ?? ajv2020;
    const ajv = new (Ajv as typeof ajv2020.default)({ strict: false });
    ajv.addSchema({ $id: 'https://example.test/openapi.json', components: doc.components }, undefined, undefined, false);
    const check = ajv.compile({ $ref: 'https://example.test/openapi.json#/components/schemas/VersionList' });
    const body = await expectJson(await api.get('/api/process-templates/deploy-web/versions'), 200);
    expect(check(body)).toBe(true);
    const problemCheck = ajv.compile({ $ref: 'https://example.test/openapi.json#/components/schemas/Problem' });
    expect(problemCheck(await (await api.get('/api/process-templates/nope/versions')).json())).toBe(true);
  });
});
