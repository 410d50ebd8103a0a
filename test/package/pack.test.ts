/**
 * The package as users get it: `npm pack` (which builds, through `prepare`), the tarball installed
 * into an empty project, `npx oclhub` run from there, and the example of docs/api.md — importing
 * `oclhub` by name — type-checked with the project's TypeScript and run inside a hub repository.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface PackEntry {
  filename: string;
  files: { path: string }[];
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true', NO_COLOR: '1', ...env }, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The ```ts block under "## Example" in docs/api.md. */
function apiExample(): string {
  const doc = readFileSync(path.join(ROOT, 'docs/api.md'), 'utf8');
  const match = /## Example[\s\S]*?```ts\n([\s\S]*?)```/.exec(doc);
  if (!match) throw new Error('docs/api.md has no ```ts example under "## Example"');
  return match[1]!;
}

describe('npm pack, install and use', () => {
  let work: string;
  let pack: PackEntry;
  let project: string;

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'oclhub-pack-'));
    const packed = run(NPM, ['pack', '--json', '--pack-destination', work], ROOT);
    if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
    // `prepare` prints the build's output before the JSON.
    pack = (JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[\n'))) as PackEntry[])[0]!;
    project = path.join(work, 'consumer');
    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
    // From the local tarball; dependencies from the npm cache when they are there.
    const installed = run(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(work, pack.filename)], project);
    if (installed.status !== 0) throw new Error(`npm install failed:\n${installed.stderr}`);
  }, 900_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships the built library and CLI, the docs and the licence, and no source maps or sources', () => {
    const files = pack.files.map((f) => f.path);
    for (const required of ['LICENSE', 'README.md', 'package.json', 'bin/oclhub.js', 'bin/package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/bundle/oclhub.js', 'dist/bundle/oclhub.cjs', 'dist/bundle/fast-rerun.cjs', 'dist/bundle/code-cache.cjs', 'docs/api.md', 'docs/ci.md', 'schemas/oclhub.schema.json']) {
      expect(files, required).toContain(required);
    }
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    // The web page's static assets are served from src/web/assets; no TypeScript source ships.
    expect(files.filter((f) => f.startsWith('src/web/assets/'))).not.toEqual([]);
    expect(files.filter((f) => (/^(src|test|bench|scripts)\//.test(f) && !f.startsWith('src/web/assets/')) || f.startsWith('dist/rego/conformance/'))).toEqual([]);
    // No compiled file points at a source map (or at sources the package does not hold).
    const installed = path.join(project, 'node_modules/oclhub');
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      expect(readFileSync(path.join(installed, file), 'utf8'), file).not.toMatch(/sourceMappingURL/);
    }
  });

  it('installs without test-only dependencies', () => {
    const manifest = JSON.parse(readFileSync(path.join(project, 'node_modules/oclhub/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).not.toContain('memfs');
    expect(existsSync(path.join(project, 'node_modules/memfs'))).toBe(false);
  });

  it('runs `npx oclhub` commands', () => {
    for (const flag of ['--version', '-v', 'version']) {
      const version = run(NPM, ['exec', '--no', '--', 'oclhub', flag], project);
      expect(version.stdout.trim(), flag).toBe(VERSION);
    }
    writeFileSync(path.join(project, 'ugly.ocl'), 'name   =  "Ugly"\n');
    const check = run(NPM, ['exec', '--no', '--', 'oclhub', 'fmt', '--check', 'ugly.ocl'], project);
    expect(check).toMatchObject({ status: 1, stdout: 'ugly.ocl\n' });
    const fmt = run(NPM, ['exec', '--no', '--', 'oclhub', 'fmt', 'ugly.ocl'], project);
    expect(fmt.status).toBe(0);
    expect(readFileSync(path.join(project, 'ugly.ocl'), 'utf8')).toBe('name = "Ugly"\n');
    // validate loads the schemas shipped next to the bundle.
    mkdirSync(path.join(project, '.octopus'));
    writeFileSync(path.join(project, '.octopus/deployment_process.ocl'), 'step "a" {\n    name = "A"\n    nonsense = 1\n}\n');
    const validate = run(NPM, ['exec', '--no', '--', 'oclhub', 'validate', '.octopus'], project);
    expect(validate.status).toBe(1);
    expect(validate.stdout).toContain('.octopus/deployment_process.ocl:3:5');
    // init copies the starter files shipped in templates/.
    const init = run(NPM, ['exec', '--no', '--', 'oclhub', 'init', 'hub'], project);
    expect(init.status, init.stderr).toBe(0);
    expect(existsSync(path.join(project, 'hub/oclhub.ocl'))).toBe(true);
  });

  it('imports oclhub by name from TypeScript that type-checks, and runs the docs/api.md example', () => {
    writeFileSync(path.join(project, 'example.ts'), apiExample());
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: false,
          outDir: 'out',
          types: ['node'],
          typeRoots: [path.join(ROOT, 'node_modules/@types')],
        },
        files: ['example.ts'],
      }),
    );
    const tsc = run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], project);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);

    // The example runs inside a hub repository: the demo hub shipped in templates/demo.
    const hub = path.join(work, 'hub');
    cpSync(path.join(project, 'node_modules/oclhub/templates/demo'), hub, { recursive: true });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: hub, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'hub');
    const example = run(process.execPath, [path.join(project, 'out/example.js')], hub);
    expect(example.stderr).toBe('');
    expect(example.status).toBe(0);
    expect(example.stdout).toContain('step "deploy" {\n    name = "Deploy"\n');
    expect(example.stdout).toContain('validate: 0 diagnostic(s)');
    expect(example.stdout).toContain('gate for Staging: true\ngate for Production: false');
    expect(example.stdout).toMatch(/policies: no_disabled_steps .*require_manual_approval_in_production/);
    expect(example.stdout).toMatch(/lint: \d+ evaluation\(s\)/);
    expect(example.stdout).toContain('GET /api/health: 200');
  });
});
