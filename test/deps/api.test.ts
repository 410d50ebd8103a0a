/**
 * GET /api/projects/:slug/dependencies over the real façade, a real Git hub and a real HTTP server:
 * the report validates against schemas/api/dependency-report.schema.json, follows the hub's commits,
 * and unknown names are 404 problems.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubPort } from '../../src/api/hub-port.js';
import { openHub } from '../../src/hub/index.js';
import { commitAll, initRepo, removeDir } from '../git/helpers.js';
import { expectJson, expectProblem, startApi, type Api } from '../api/helpers.js';
import { verifyDependenciesProcess } from './helpers.js';

const CONFIG = `environment "test" {
    name = "Test"
    order = 1
}

environment "production" {
    name = "Production"
    order = 2
}

project "web" {
    name = "Web"
    path = "projects/web/.octopus"

    dependency "api" {
        version = "^2.0.0"
        deploy_group = 1
    }
}

project "api" {
    name = "API"
    path = "projects/api/.octopus"
}

project "db" {
    name = "Database"
    path = "projects/db/.octopus"
}
`;

const STEP = `step "hello" {
    name = "Say hello"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.Script.ScriptBody = "echo hello"
        }
    }
}
`;

let dir: string;
let api: Api;

beforeAll(async () => {
  dir = initRepo({
    'oclhub.ocl': CONFIG,
    'projects/web/.octopus/deployment_process.ocl': STEP,
    'projects/api/.octopus/deployment_process.ocl': `${STEP}\n${verifyDependenciesProcess('[ { "projectName": "Database", "versionPattern": "~5.1.0", "deployGroup": 2 } ]')}`,
    'projects/db/.octopus/deployment_process.ocl': STEP,
  });
  const opened = await openHub({ dir });
  api = await startApi(hubPort(opened.hub!));
});

afterAll(() => removeDir(dir));

describe('GET /api/projects/:slug/dependencies', () => {
  it("serves the project's plan, dependents and reachable graph", async () => {
    const report = await expectJson<{
      commit: string;
      groups: { group: number | null; dependencies: { project: string; versionPattern: string; meaning: string; source: { kind: string; file: string } }[] }[];
      dependents: { project: string }[];
      graph: { nodes: string[]; edges: { from: string; to: string }[] };
      diagnostics: unknown[];
    }>(await api.get('/api/projects/api/dependencies'), 200, 'dependency-report');
    expect(report.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(report.groups).toEqual([
      {
        group: 2,
        dependencies: [
          expect.objectContaining({ project: 'db', versionPattern: '~5.1.0', meaning: '5.1.0.0 or greater within the same major and minor version', source: expect.objectContaining({ kind: 'template', file: 'projects/api/.octopus/deployment_process.ocl' }) }),
        ],
      },
    ]);
    expect(report.dependents.map((d) => d.project)).toEqual(['web']);
    const web = await expectJson<{ graph: { nodes: string[]; edges: { from: string; to: string }[] } }>(await api.get('/api/projects/web/dependencies?environment=production'), 200, 'dependency-report');
    expect(web.graph.nodes).toEqual(['web', 'api', 'db']);
    expect(web.graph.edges.map((e) => `${e.from}->${e.to}`)).toEqual(['web->api', 'api->db']);
  });

  it('follows the default branch: a cycle committed later is reported on each project in it', async () => {
    commitAll(dir, { 'oclhub.ocl': CONFIG.replace('    path = "projects/db/.octopus"\n', '    path = "projects/db/.octopus"\n\n    dependency "web" {\n        version = ">1.0.0"\n    }\n') }, 'db depends on web');
    for (const project of ['web', 'api', 'db']) {
      const report = await expectJson<{ cycles: string[][]; diagnostics: { code: string; project: string }[] }>(await api.get(`/api/projects/${project}/dependencies`), 200, 'dependency-report');
      expect(report.cycles.map((c) => [...c].sort()), project).toEqual([['api', 'db', 'web']]);
      expect(report.diagnostics.filter((d) => d.code === 'DEP006').map((d) => d.project), project).toEqual([project]);
    }
  });

  it('answers 404 problems for an unknown project or environment', async () => {
    await expectProblem(await api.get('/api/projects/nope/dependencies'), 404, 'not-found');
    const problem = await expectProblem(await api.get('/api/projects/web/dependencies?environment=prod'), 404, 'not-found');
    expect(problem.detail).toMatch(/No environment "prod"/);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await expectJson<{ paths: Record<string, { get?: { responses: Record<string, unknown> } }> }>(await api.get('/openapi.json'), 200);
    expect(doc.paths['/api/projects/{slug}/dependencies']?.get?.responses).toHaveProperty('200');
  });
});
