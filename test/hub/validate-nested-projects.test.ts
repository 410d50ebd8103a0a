/**
 * `validate --hub` reads a project registered from another repository as lint does: the files directly
 * in its folder and under its `runbooks/`. A project folder holding another registered project's folder
 * (`.octopus` and `.octopus/telemetry`) does not take that project's files: each file is validated
 * once, and its findings name the project that owns it. Real Git repositories (the git CLI).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic, SourceRepository } from '../../src/diagnostics.js';
import { run } from '../cli/helpers.js';
import { initRepo } from '../git/helpers.js';
import { tracked } from './helpers.js';

/** A variable scoped to an environment oclhub.ocl does not declare: SEM039, one per file that has it. */
const variables = (environment: string) => `variable "Url" {\n    value "https://example.com" {\n        environment = ["${environment}"]\n    }\n}\n`;
const PROCESS = 'step "deploy" {\n    name = "Deploy"\n\n    action {\n        action_type = "Octopus.Script"\n        properties = {\n            Octopus.Action.Script.ScriptBody = "./deploy.sh"\n        }\n    }\n}\n';
const RUNBOOK = 'name = "Restart"\n\nprocess {\n    step "restart" {\n        name = "Restart"\n\n        action {\n            action_type = "Octopus.Script"\n            properties = {\n                Octopus.Action.Script.ScriptBody = "./restart.sh"\n            }\n            environments = ["qa"]\n        }\n    }\n}\n';

interface JsonRun {
  files: Array<{ file: string; repository?: SourceRepository; diagnostics: Diagnostic[] }>;
}

function hubWith(projects: string): string {
  return tracked(initRepo({ 'oclhub.ocl': `environment "production" {\n    name = "Production"\n}\n${projects}` }));
}

describe('validate --hub: a registered project folder inside another', () => {
  it('validates each file once, as the project that owns it', async () => {
    const app = tracked(
      initRepo({
        '.octopus/deployment_process.ocl': PROCESS,
        '.octopus/variables.ocl': variables('staging'),
        '.octopus/runbooks/restart.ocl': RUNBOOK,
        '.octopus/telemetry/deployment_process.ocl': PROCESS,
        '.octopus/telemetry/variables.ocl': variables('canary'),
      }),
    );
    const hub = hubWith(
      `\nproject "app" {\n    name = "App"\n    repository = "${app}"\n    path = ".octopus"\n}\n` +
        `\nproject "telemetry" {\n    name = "Telemetry"\n    repository = "${app}"\n    path = ".octopus/telemetry"\n}\n`,
    );
    const r = await run(hub, 'validate', '--hub', '.', '--format', 'json');
    const report = JSON.parse(r.stdout) as JsonRun;
    const theirs = report.files.filter((f) => f.repository !== undefined);
    const found = theirs.flatMap((f) => f.diagnostics.map((d) => [f.file, f.repository!.id, d.code, d.project, d.summary]));
    expect(found).toEqual([
      ['.octopus/runbooks/restart.ocl', 'app', 'SEM039', 'app', 'Environment "qa" is not declared in oclhub.ocl'],
      // One repository, one id (the first project registered from it, as lint names it); the finding's project is its owner.
      ['.octopus/telemetry/variables.ocl', 'app', 'SEM039', 'telemetry', 'Environment "canary" is not declared in oclhub.ocl'],
      ['.octopus/variables.ocl', 'app', 'SEM039', 'app', 'Environment "staging" is not declared in oclhub.ocl'],
    ]);
    // No file is listed twice, under two projects.
    const files = theirs.map((f) => f.file);
    expect(new Set(files).size).toBe(files.length);
    expect(r.code).toBe(0);
  });

  it('a folder holding only a nested project is still "no project files", with the nested folder as the hint', async () => {
    const app = tracked(initRepo({ 'deploy/.octopus/telemetry/deployment_process.ocl': PROCESS, 'deploy/.octopus/telemetry/variables.ocl': variables('canary') }));
    const hub = hubWith(`\nproject "app" {\n    name = "App"\n    repository = "${app}"\n    path = "deploy/.octopus"\n}\n`);
    const r = await run(hub, 'validate', '--hub', '.', '--format', 'json');
    const all = (JSON.parse(r.stdout) as JsonRun).files.flatMap((f) => f.diagnostics);
    // The nested project's files are not app's: nothing of them is reported as app's.
    expect(all.filter((d) => d.code === 'SEM039')).toEqual([]);
    const missing = all.filter((d) => d.code === 'SEM041');
    expect(missing.map((d) => [d.severity, d.file, d.project, d.summary])).toEqual([['error', 'oclhub.ocl', 'app', 'Project "app": `deploy/.octopus` holds no Octopus project files']]);
    expect(missing[0]!.detail).toContain('Did you mean "deploy/.octopus/telemetry"?');
    expect(r.code).toBe(1);
    expect(path.isAbsolute(app)).toBe(true);
  });
});
