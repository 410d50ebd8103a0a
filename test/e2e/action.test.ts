/**
 * The GitHub Action (action.yml + action/entry.sh) run the way the runner runs a composite step: the
 * step's `env` (INPUT_* from the inputs, with their defaults), GITHUB_ACTION_PATH, GITHUB_WORKSPACE,
 * GITHUB_STEP_SUMMARY and GITHUB_OUTPUT pointing at temporary files, `bash` in the working directory,
 * stdout scanned for workflow commands. On the demo hub, a real Git repository.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ajvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { removeDir, tempDir } from '../git/helpers.js';
import { REPO_ROOT, demoHub } from './demo-hub.js';

type AjvClass = typeof ajvModule.default;
const Ajv: AjvClass = (ajvModule as unknown as { default?: AjvClass }).default ?? (ajvModule as unknown as AjvClass);
type AddFormats = typeof addFormatsModule.default;
const addFormats: AddFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validateSarif = ajv.compile(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/sarif-2.1.0.schema.json'), 'utf8')) as object);

interface ActionYaml {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: { id?: string; shell: string; run: string; 'working-directory'?: string; env: Record<string, string> }[] };
}
const action = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as ActionYaml;
const step = action.runs.steps[0]!;

/** What the runner puts in the step's environment for these inputs (the rest take their defaults). */
function stepEnv(inputs: Record<string, string>): Record<string, string> {
  for (const name of Object.keys(inputs)) expect(action.inputs, name).toHaveProperty(name);
  const env: Record<string, string> = {};
  for (const [name, expression] of Object.entries(step.env)) {
    const input = /^\$\{\{ inputs\.([a-z-]+) \}\}$/.exec(expression)![1]!;
    env[name] = inputs[input] ?? action.inputs[input]!.default ?? '';
  }
  return env;
}

let hub: string;
let runner: string;
beforeAll(async () => {
  hub = await demoHub();
  runner = tempDir('oclhub-action-runner-');
  // The repository's own oclhub, as `npm ci` installs a devDependency (entry.sh prefers it to
  // downloading one): here the CLI from this checkout's sources, so the test runs the code under test.
  const bin = path.join(hub, 'node_modules/.bin/oclhub');
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  const tsx = pathToFileURL(path.join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" --import "${tsx}" "${path.join(REPO_ROOT, 'test/api/serve-main.ts')}" "$@"\n`, { mode: 0o755 });
}, 120_000);
afterAll(() => {
  if (hub) removeDir(hub);
  if (runner) removeDir(runner);
});

function runAction(inputs: Record<string, string>) {
  const summary = path.join(runner, `summary-${Math.random().toString(36).slice(2)}.md`);
  const output = path.join(runner, `output-${Math.random().toString(36).slice(2)}.txt`);
  fs.writeFileSync(summary, '');
  fs.writeFileSync(output, '');
  const env = stepEnv(inputs);
  const cwd = path.resolve(hub, env.INPUT_WORKING_DIRECTORY!);
  const result = spawnSync('bash', ['-c', step.run], {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH!,
      HOME: runner,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION_PATH: REPO_ROOT,
      GITHUB_WORKSPACE: hub,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: output,
      ...env,
    },
  });
  const outputs = Object.fromEntries(
    fs
      .readFileSync(output, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return { ...result, summary: fs.readFileSync(summary, 'utf8'), outputs };
}

describe('action.yml', () => {
  it('is a composite action whose step passes every input to action/entry.sh', () => {
    expect(action.runs.using).toBe('composite');
    expect(step.run).toContain('$GITHUB_ACTION_PATH/action/entry.sh');
    expect(fs.statSync(path.join(REPO_ROOT, 'action/entry.sh')).mode & 0o111).not.toBe(0);
    for (const name of ['hub', 'project', 'environments', 'release-version', 'fail-level', 'sarif-file', 'junit-file', 'working-directory', 'version']) expect(action.inputs, name).toHaveProperty(name);
    expect(Object.keys(step.env).sort()).toEqual(Object.keys(action.inputs).map((name) => `INPUT_${name.toUpperCase().replace(/-/g, '_')}`).sort());
    expect(action.outputs['sarif-file']!.value).toBe('${{ steps.lint.outputs.sarif-file }}');
  });

  it('annotates, writes the job summary and a SARIF file for upload-sarif, and fails the step on blocking findings', () => {
    const r = runAction({ 'junit-file': 'reports/junit.xml', environments: 'development, production' });
    expect(r.status, r.stderr).toBe(1);
    // Annotations: workflow commands on stdout, on files of the repository, relative to its root.
    const annotations = r.stdout.split('\n').filter((line) => /^::(error|warning|notice) /.test(line));
    expect(annotations.length).toBeGreaterThan(0);
    expect(annotations.find((a) => a.startsWith('::error ') && a.includes('Production deployments need'))).toMatch(/^::error file=projects\/[^,]+\.ocl,line=\d+/);
    // The job summary: Markdown with the findings.
    expect(r.summary).toMatch(/^#+ /m);
    expect(r.summary).toMatch(/\n\|.*\|\n\|\s*-+/);
    expect(r.summary).toContain('require\\_manual\\_approval\\_in\\_production');
    // SARIF: valid 2.1.0, repository-relative URIs (what code scanning resolves), at the output path.
    const sarifFile = r.outputs['sarif-file'];
    expect(sarifFile).toBe(path.join(fs.realpathSync(hub), 'oclhub.sarif'));
    const sarif = JSON.parse(fs.readFileSync(sarifFile!, 'utf8')) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[]; properties: { environment?: string } }[] }[] };
    expect(validateSarif(sarif) ? [] : validateSarif.errors).toEqual([]);
    const results = sarif.runs[0]!.results;
    expect(results.map((x) => x.ruleId)).toContain('require_manual_approval_in_production');
    for (const result of results) expect(result.locations[0]!.physicalLocation.artifactLocation.uri).not.toMatch(/^(\/|file:)/);
    // Only the environments asked for.
    expect(results.some((x) => x.properties.environment === 'production')).toBe(true);
    expect(results.filter((x) => x.properties.environment !== undefined && !['development', 'production'].includes(x.properties.environment))).toEqual([]);
    expect(fs.readFileSync(path.join(hub, 'reports/junit.xml'), 'utf8')).toMatch(/<testsuites/);
    expect(r.outputs['exit-code']).toBe('1');
  });

  it('reports a usage error (exit 2) and writes no SARIF when an input is wrong', () => {
    fs.rmSync(path.join(hub, 'oclhub.sarif'), { force: true });
    const r = runAction({ 'fail-level': 'sometimes' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/sometimes/);
    expect(r.outputs).toEqual({ 'exit-code': '2' });
    expect(fs.existsSync(path.join(hub, 'oclhub.sarif'))).toBe(false);
  });
});
