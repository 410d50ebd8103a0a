/**
 * A folder linted with `--project` is matched to the registration whose files it holds. A project that
 * lives in a remote repository (an https URL) has its `path` inside that repository, not inside the hub:
 * a hub folder that happens to have the same path is not that project and must not take its slug,
 * environments or rule settings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LintJson } from '../../src/report/lint-json.js';
import { run } from '../cli/helpers.js';
import { repoSet, scriptStep, type RepoSet } from './repos.js';

const FOLDER = 'services/api/.octopus';

let set: RepoSet;

beforeAll(async () => {
  set = await repoSet({
    projects: [],
    config:
      'environment "staging" {\n    name = "Staging"\n    order = 2\n}\n\n' +
      `project "remote-api" {\n    name = "remote-api"\n    repository = "https://example.invalid/remote-api.git"\n    path = "${FOLDER}"\n    environments = ["production"]\n}\n`,
    hubFiles: { [`${FOLDER}/deployment_process.ocl`]: scriptStep('local-off', { disabled: true }), [`${FOLDER}/schema_version.ocl`]: 'version = 14\n' },
  });
}, 60_000);

afterAll(() => set?.remove());

describe('lint --project of a hub folder sharing a remote project path', () => {
  it('lints the folder as unregistered, not as the remote project', async () => {
    const r = await run(set.hub, 'lint', '--format', 'json', '--no-cache', '--project', FOLDER);
    const report = JSON.parse(r.stdout) as LintJson;
    const projects = new Set(report.evaluations.map((e) => e.project));
    expect(projects.size).toBeGreaterThan(0);
    expect(projects.has('remote-api')).toBe(false);
    // Unregistered: evaluated for every environment, not only the remote project's "production".
    expect(new Set(report.evaluations.map((e) => e.environment))).toEqual(new Set(['production', 'staging']));
  }, 60_000);
});
