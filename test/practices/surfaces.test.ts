/**
 * Best-practice and dependency findings through the surfaces that report them: `oclhub validate --hub`
 * (text and JSON) and `oclhub lint` (JSON, SARIF, and again from its caches), on a real Git hub.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initRepo } from '../git/helpers.js';
import { run } from '../cli/helpers.js';
import { CONFIG, cleanHub, scriptStep, variables } from './helpers.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const WEB = 'projects/web/.octopus/deployment_process.ocl';

/** The clean hub with: web's step keeps its default name (BP003), api shares web's greeting (BP011), web depends on an unknown project (DEP003). */
function hubFiles(): Record<string, string> {
  return {
    ...cleanHub(),
    'oclhub.ocl': CONFIG.replace('    path = "projects/web/.octopus"\n', '    path = "projects/web/.octopus"\n\n    dependency "apii" {\n        version = "^1.0.0"\n    }\n'),
    [WEB]: scriptStep('greet', 'Run a Script', 'echo "#{Greeting}"'),
    'projects/api/.octopus/variables.ocl': variables('Greeting', 'hello web'),
  };
}

function repo(files: Record<string, string>): string {
  const dir = initRepo(files);
  dirs.push(dir);
  return dir;
}

describe('validate --hub', () => {
  it('prints best-practice and dependency findings at their lines, and fails on the dependency error', async () => {
    const files = hubFiles();
    const dir = repo(files);
    const r = await run(dir, 'validate', '--hub', '.', '--ref', 'main');
    const line = files[WEB]!.split('\n').findIndex((l) => l.includes('name = "Run a Script"')) + 1;
    expect(r.stdout).toContain(`${WEB}:${line}:5: info BP003: "Run a Script" is the default name of the step type`);
    expect(r.stdout).toMatch(/oclhub\.ocl:\d+:16: error DEP003: Project "web" depends on "apii", which oclhub\.ocl does not declare/);
    expect(r.stdout).toContain('Did you mean "api"?');
    expect(r.stdout).toMatch(/projects\/api\/\.octopus\/variables\.ocl:2:11: info BP011/);
    expect(r.code).toBe(1);
    const json = JSON.parse((await run(dir, 'validate', '--hub', '.', '--ref', 'main', '--format', 'json')).stdout) as { files: { file: string; diagnostics: { code: string }[] }[] };
    const codes = json.files.flatMap((f) => f.diagnostics.map((d) => d.code)).filter((c) => /^(BP|DEP)/.test(c)).sort();
    expect(codes).toEqual(['BP003', 'BP011', 'BP011', 'DEP003']);
  });
});

describe('lint', () => {
  it('reports them in JSON and SARIF, and again when every project comes from the cache', async () => {
    const dir = repo(hubFiles());
    const cache = mkdtempSync(path.join(tmpdir(), 'oclhub-bp-cache-'));
    dirs.push(cache);
    const first = await run(dir, 'lint', '--format', 'json', '--cache-dir', cache);
    const report = JSON.parse(first.stdout) as { diagnostics: { code: string; file?: string }[] };
    const practices = (r: typeof report) => r.diagnostics.filter((d) => /^(BP|DEP)/.test(d.code)).map((d) => `${d.code} ${d.file}`).sort();
    expect(practices(report)).toEqual([`BP003 ${WEB}`, 'BP011 projects/api/.octopus/variables.ocl', 'BP011 projects/web/.octopus/variables.ocl', 'DEP003 oclhub.ocl']);
    // Second run: the project results (and their facts) come from the cache; the hub-wide rules still see both projects.
    const second = JSON.parse((await run(dir, 'lint', '--format', 'json', '--cache-dir', cache, '--fail-on', 'error')).stdout) as typeof report;
    expect(practices(second)).toEqual(practices(report));
    const sarifFile = path.join(cache, 'lint.sarif');
    await run(dir, 'lint', '--format', 'sarif', '--output', sarifFile, '--no-cache');
    const sarif = JSON.parse(readFileSync(sarifFile, 'utf8')) as { runs: { results: { ruleId: string }[] }[] };
    expect(sarif.runs[0]!.results.map((r) => r.ruleId).filter((id) => /^(BP|DEP)/.test(id)).sort()).toEqual(['BP003', 'BP011', 'BP011', 'DEP003']);
  });
});


describe('lint of chosen projects (a project repository CI)', () => {
  it('reports the hub-wide findings about those projects only', async () => {
    const files = hubFiles();
    // An environment no project deploys to: a hub finding about no project (BP023).
    files['oclhub.ocl'] = files['oclhub.ocl']!.replace(/(path = "projects\/(web|api)\/\.octopus")/g, '$1\n    environments = ["dev", "prod"]') + '\nenvironment "sandbox" {\n    name = "Sandbox"\n    order = 9\n}\n';
    const dir = repo(files);
    const whole = JSON.parse((await run(dir, 'lint', '--format', 'json', '--no-cache')).stdout) as { diagnostics: { code: string; file?: string }[] };
    expect(whole.diagnostics.map((d) => d.code)).toContain('BP023');
    const one = JSON.parse((await run(dir, 'lint', '--hub', '.', '--project', 'projects/web', '--format', 'json', '--no-cache')).stdout) as typeof whole;
    expect(one.diagnostics.filter((d) => /^(BP|DEP)/.test(d.code)).map((d) => `${d.code} ${d.file}`).sort()).toEqual([`BP003 ${WEB}`, 'DEP003 oclhub.ocl']);
  });
});
