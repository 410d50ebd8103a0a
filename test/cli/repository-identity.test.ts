/**
 * One repository, one identity: a hub registers two projects from one external repository (a project
 * folder inside the other's, `.octopus` and `.octopus/telemetry`). `validate --hub` and `lint` name that
 * repository alike (one id, its location and commit) for every finding in its files, in every output
 * that names repositories (validate's JSON; lint's JSON and SARIF), and no finding in its files is said
 * to be in the hub; a surface that reads one of the projects alone (the API, `evaluate`) names it so too.
 * Real Git repositories (the git CLI) on temp folders.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { SourceRepository } from '../../src/diagnostics.js';
import { openHub } from '../../src/hub/index.js';
import { initRepo, removeDir } from '../git/helpers.js';
import { run } from './helpers.js';

const created: string[] = [];
afterAll(() => created.splice(0).forEach(removeDir));

const PROCESS = 'step "deploy" {\n    name = "Deploy"\n\n    action {\n        action_type = "Octopus.Script"\n        properties = {\n            Octopus.Action.Script.ScriptBody = "./deploy.sh"\n        }\n    }\n}\n';
/** One value in both projects (BP011 in lint), scoped to an environment oclhub.ocl lacks (SEM039 in validate). */
const variables = (environment: string) => `variable "Url" {\n    value "https://example.com" {\n        environment = ["${environment}"]\n    }\n}\n`;

function hub(): { hub: string; app: string } {
  const app = initRepo({
    '.octopus/deployment_process.ocl': PROCESS,
    '.octopus/variables.ocl': variables('staging'),
    '.octopus/telemetry/deployment_process.ocl': PROCESS,
    '.octopus/telemetry/variables.ocl': variables('canary'),
  });
  const dir = initRepo({
    'oclhub.ocl':
      'environment "production" {\n    name = "Production"\n}\n' +
      `\nproject "app" {\n    name = "App"\n    repository = "${app}"\n    path = ".octopus"\n}\n` +
      `\nproject "telemetry" {\n    name = "Telemetry"\n    repository = "${app}"\n    path = ".octopus/telemetry"\n}\n`,
  });
  created.push(app, dir);
  return { hub: dir, app };
}

interface Located {
  file?: string;
  repository?: SourceRepository;
  related?: Located[];
}

/** Every place (finding and related) that names a file, with the repository it is said to be in. */
function places(items: readonly Located[]): Array<[string, SourceRepository | undefined]> {
  return items.flatMap((d) => [...(d.file !== undefined ? [[d.file, d.repository] as [string, SourceRepository | undefined]] : []), ...places(d.related ?? [])]);
}

describe('two projects registered from one repository', () => {
  it('carry one repository identity in validate and lint, in every output that names it', async () => {
    const { hub: dir, app } = hub();
    const validated = await run(dir, 'validate', '--hub', '.', '--format', 'json');
    const linted = await run(dir, 'lint', '--format', 'json', '--no-cache');
    const sarif = await run(dir, 'lint', '--format', 'sarif', '--no-cache');
    for (const r of [validated, linted, sarif]) expect(r.stderr).toBe('');

    const validateFiles = (JSON.parse(validated.stdout) as { files: Array<Located & { diagnostics: Located[] }> }).files;
    const validatePlaces = validateFiles.filter((f) => f.repository).flatMap((f) => [[f.file!, f.repository] as [string, SourceRepository | undefined], ...places(f.diagnostics)]);
    const lintReport = JSON.parse(linted.stdout) as { repositories: SourceRepository[]; diagnostics: Located[] };
    const lintPlaces = places(lintReport.diagnostics).filter(([file]) => file !== 'oclhub.ocl');

    // Both commands found something in each project's files.
    for (const found of [validatePlaces, lintPlaces]) {
      expect(new Set(found.map(([file]) => file))).toEqual(new Set(['.octopus/variables.ocl', '.octopus/telemetry/variables.ocl']));
    }
    const identities = new Set([...validatePlaces, ...lintPlaces].map(([, repository]) => JSON.stringify(repository)));
    expect([...identities].map((r) => JSON.parse(r) as SourceRepository)).toEqual([{ id: 'app', location: app, commit: expect.stringMatching(/^[0-9a-f]{40}$/) }]);
    // lint lists the repository once, beside the hub.
    expect(lintReport.repositories.map((r) => r.id)).toEqual(['hub', 'app']);

    // SARIF: each result in the repository's files is relative to the one base id lint and validate use.
    const log = JSON.parse(sarif.stdout) as {
      runs: Array<{ results: Array<{ locations?: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }>; properties?: { repository?: string } }>; versionControlProvenance?: Array<{ mappedTo: { uriBaseId: string } }> }>;
    };
    const results = log.runs[0]!.results.filter((r) => r.locations?.[0]?.physicalLocation.artifactLocation.uri.startsWith('.octopus/'));
    expect(results.length).toBeGreaterThanOrEqual(2);
    expect(new Set(results.map((r) => [r.locations![0]!.physicalLocation.artifactLocation.uriBaseId, r.properties?.repository].join(' ')))).toEqual(new Set(['app app']));
    expect(log.runs[0]!.versionControlProvenance!.map((v) => v.mappedTo.uriBaseId)).toEqual(['hub', 'app']);

    // Each shard of a sharded lint (a shard may hold only the nested project) names it alike too.
    for (const shard of ['1/2', '2/2']) {
      const part = await run(dir, 'lint', '--format', 'json', '--no-cache', '--shard', shard);
      const partPlaces = places((JSON.parse(part.stdout) as { diagnostics: Located[] }).diagnostics).filter(([file]) => file !== 'oclhub.ocl');
      expect(new Set(partPlaces.map(([, repository]) => repository?.id)), shard).toEqual(new Set(['app']));
    }

    // Read alone, the nested project names its repository as the whole-hub commands do.
    const { hub: opened } = await openHub({ dir });
    const alone = await opened!.readProject(opened!.config!.projects.find((p) => p.slug === 'telemetry')!);
    expect(alone.repository).toEqual([...identities].map((r) => JSON.parse(r) as SourceRepository)[0]);
  });
});
