/**
 * Command-line habits: `-` for standard input, `fmt` with no path, `fmt --diff`, quoted patterns,
 * FORCE_COLOR / NO_COLOR, the version flags, help with examples, required marks and every
 * environment variable, and `oclhub test` from a subfolder.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { colorWanted, memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { ENVIRONMENT } from '../../src/cli/help.js';
import { policyOcl } from '../policy/helpers.js';
import { tempTree } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

async function cli(cwd: string, argv: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = memoryIo(cwd, stdin);
  const code = await main(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

/** The CLI from source in a child process, with real standard input and environment. */
function child(cwd: string, argv: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(process.execPath, ['--import', TSX, path.join(ROOT, 'test/api/serve-main.ts'), ...argv], {
    cwd,
    input: options.input ?? '',
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_OPTIONS: process.env.NODE_OPTIONS, ...options.env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const UGLY = 'step "a" {\n  name =   "A"\n    action {\n    action_type = "Octopus.Script"\n    }\n}\n';
const PRETTY = 'step "a" {\n    name = "A"\n\n    action {\n        action_type = "Octopus.Script"\n    }\n}\n';

describe('standard input (-)', () => {
  it('fmt - prints the formatted text and writes nothing', async () => {
    const dir = await tempTree({});
    const r = await cli(dir, ['fmt', '-'], UGLY);
    expect(r).toEqual({ code: 0, stdout: PRETTY, stderr: '' });
    expect(readdirSync(dir)).toEqual([]);
    expect((await cli(dir, ['fmt', '-', '--check'], UGLY)).code).toBe(1);
    expect((await cli(dir, ['fmt', '-', '--check'], PRETTY)).code).toBe(0);
  });

  it('fmt - reports syntax errors against <stdin> or the --stdin-filename, exit 1', async () => {
    const dir = await tempTree({});
    const bad = await cli(dir, ['fmt', '-'], 'name = \n');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^<stdin>:1:/);
    const named = await cli(dir, ['fmt', '-', '--stdin-filename', 'x/y.ocl'], 'name = \n');
    expect(named.stderr).toMatch(/^x\/y\.ocl:1:/);
  });

  it('validate - checks the kind --stdin-filename names, and only syntax without it', async () => {
    const dir = await tempTree({});
    const text = 'step "a" {\n    name = "A"\n    nonsense = 1\n}\n';
    const named = await cli(dir, ['validate', '-', '--stdin-filename', '.octopus/deployment_process.ocl'], text);
    expect(named.code).toBe(1);
    expect(named.stdout).toContain('.octopus/deployment_process.ocl:3:5: warning SCH001');
    expect(named.stdout).toContain('SCH003');
    const unnamed = await cli(dir, ['validate', '-'], text);
    expect(unnamed.code).toBe(0);
    expect(unnamed.stdout).toContain('<stdin>:1:1: info SCH020');
  });

  it('- cannot be mixed with paths, and --stdin-filename needs -', async () => {
    const dir = await tempTree({ 'a.ocl': 'name = "A"\n' });
    const mixed = await cli(dir, ['validate', '-', 'a.ocl'], '');
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('cannot be combined');
    const alone = await cli(dir, ['fmt', 'a.ocl', '--stdin-filename', 'x.ocl']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--stdin-filename needs -');
  });

  it('convert - turns OCL into JSON, and JSON into OCL when --stdin-filename ends in .json', async () => {
    const dir = await tempTree({});
    const json = await cli(dir, ['convert', '-'], 'name = "A"\n');
    expect(json.code).toBe(0);
    const document = JSON.parse(json.stdout) as unknown;
    const back = await cli(dir, ['convert', '-', '--stdin-filename', 'doc.json'], JSON.stringify(document));
    expect(back).toEqual({ code: 0, stdout: 'name = "A"\n', stderr: '' });
  });

  it('rego eval -i - reads the input document from standard input', async () => {
    const dir = await tempTree({ 'p.rego': 'package p\n\nallow if input.x > 1\n' });
    const r = await cli(dir, ['rego', 'eval', '-d', 'p.rego', '-i', '-', 'data.p.allow'], '{"x": 2}');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ result: [{ expressions: [{ value: true, text: 'data.p.allow' }] }] });
  });

  it('reads a real pipe in a child process', async () => {
    const dir = await tempTree({});
    const r = child(dir, ['fmt', '-'], { input: UGLY });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(PRETTY);
  });
});

describe('fmt without paths, --diff, and quoted patterns', () => {
  it('fmt with no path formats every *.ocl below the current folder', async () => {
    const dir = await tempTree({ 'a.ocl': UGLY, 'sub/b.ocl': UGLY, 'node_modules/c.ocl': UGLY });
    const r = await cli(dir, ['fmt']);
    expect(r).toEqual({ code: 0, stdout: 'a.ocl\nsub/b.ocl\n', stderr: '' });
    expect(readFileSync(path.join(dir, 'sub/b.ocl'), 'utf8')).toBe(PRETTY);
    expect(readFileSync(path.join(dir, 'node_modules/c.ocl'), 'utf8')).toBe(UGLY);
  });

  it('fmt --diff prints a unified diff, writes nothing and exits 1', async () => {
    const dir = await tempTree({ 'a.ocl': UGLY, 'ok.ocl': PRETTY });
    const r = await cli(dir, ['fmt', '--diff']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^--- a\/a\.ocl\n\+\+\+ b\/a\.ocl\n@@ -1,6 \+1,7 @@\n step "a" \{\n-  name =   "A"\n\+    name = "A"\n/);
    expect(r.stdout).not.toContain('ok.ocl');
    expect(readFileSync(path.join(dir, 'a.ocl'), 'utf8')).toBe(UGLY);
    // The diff applies with patch(1) and gives the formatted file.
    if (spawnSync('patch', ['--version']).status === 0) {
      execFileSync('patch', ['-p1', '--quiet'], { cwd: dir, input: r.stdout });
      expect(readFileSync(path.join(dir, 'a.ocl'), 'utf8')).toBe(PRETTY);
      expect(await cli(dir, ['fmt', '--diff'])).toEqual({ code: 0, stdout: '', stderr: '' });
    }
  });

  it('expands quoted patterns the shell left alone, and reports a pattern matching nothing', async () => {
    const dir = await tempTree({ 'x/a.ocl': UGLY, 'x/deep/b.ocl': UGLY, 'y/c.ocl': PRETTY, 'x/notes.txt': 'hi' });
    const check = await cli(dir, ['fmt', '--check', '**/*.ocl']);
    expect(check).toEqual({ code: 1, stdout: 'x/a.ocl\nx/deep/b.ocl\n', stderr: '' });
    const one = await cli(dir, ['validate', 'x/*.ocl']);
    expect(one.stdout).toContain('1 file checked');
    const none = await cli(dir, ['validate', 'z/**/*.ocl']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no such file or directory: z/**/*.ocl');
  });
});

describe('colour, version and help', () => {
  it('FORCE_COLOR turns colour on off a terminal, NO_COLOR off on one; FORCE_COLOR=0 off', () => {
    expect(colorWanted({}, true)).toBe(true);
    expect(colorWanted({}, false)).toBe(false);
    expect(colorWanted({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colorWanted({ FORCE_COLOR: '' }, false)).toBe(true);
    expect(colorWanted({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(colorWanted({ FORCE_COLOR: 'false' }, true)).toBe(false);
    expect(colorWanted({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorWanted({ NO_COLOR: '1', FORCE_COLOR: '1' }, false)).toBe(true);
  });

  it('FORCE_COLOR colours a piped run (and CI alone does not)', async () => {
    const dir = await tempTree({ '.octopus/deployment_process.ocl': 'step "a" {\n    name = "A"\n}\n' });
    const forced = child(dir, ['validate', '.octopus'], { env: { FORCE_COLOR: '1', CI: 'true' } });
    expect(forced.stdout).toContain('\u001b[');
    const plain = child(dir, ['validate', '.octopus'], { env: { CI: 'true' } });
    expect(plain.stdout).toContain('SCH003');
    expect(plain.stdout).not.toContain('\u001b[');
  });

  it('-v, -V, --version and version print the version', async () => {
    for (const flag of ['-v', '-V', '--version', 'version']) expect(await cli(ROOT, [flag]), flag).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('help lists every environment variable oclhub reads, with examples', async () => {
    const help = (await cli(ROOT, ['--help'])).stdout;
    expect(help).toContain('Examples:\n  $ oclhub init');
    for (const [names] of ENVIRONMENT) expect(help).toContain(names);
    // Every variable read anywhere in src/ is in the help.
    const read = new Set<string>();
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (name.endsWith('.ts')) for (const m of readFileSync(full, 'utf8').matchAll(/\benv\??\.([A-Z][A-Z0-9_]+)|\benv\[['"]([A-Z][A-Z0-9_]+)['"]\]/g)) read.add(m[1] ?? m[2]!);
      }
    };
    walk(path.join(ROOT, 'src'));
    for (const m of readFileSync(path.join(ROOT, 'bin/oclhub.js'), 'utf8').matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)) read.add(m[1]!);
    expect(read.size).toBeGreaterThan(5);
    for (const variable of read) expect(help, variable).toContain(variable);
  });

  it('command help has examples and marks required options', async () => {
    const evaluate = (await cli(ROOT, ['evaluate', '--help'])).stdout;
    expect(evaluate).toMatch(/--environment <slug>\s+the environment deployed to \(required\)/);
    expect(evaluate).toContain('$ oclhub evaluate --environment production');
    const publish = (await cli(ROOT, ['publish', '--help'])).stdout;
    expect(publish).toContain('$ oclhub publish process-template deploy-web-app --bump minor');
    expect((await cli(ROOT, ['rego', 'eval', '--help'])).stdout).toContain('$ oclhub rego eval -d policy.rego');
    expect((await cli(ROOT, ['versions', '--help'])).stdout).toContain('$OCLHUB_HUB');
  });
});

describe('oclhub test from a subfolder', () => {
  it('finds the hub at the repository root, as the other commands do', async () => {
    const gate = policyOcl({ slug: 'gate', name: 'Gate', violationReason: 'No', scope: 'default evaluate := true', conditions: 'default result := {"allowed": true}' });
    const dir = await tempTree({
      '.octopus/policies/gate.ocl': gate,
      'policy-tests/gate/ok.json': JSON.stringify({ input: { Environment: { Id: 'E', Name: 'p', Slug: 'p', Tags: [] } }, expect: { allowed: true } }),
      'docs/notes/readme.txt': 'x',
    });
    execFileSync('git', ['init', '-q'], { cwd: dir });
    mkdirSync(path.join(dir, 'docs/notes'), { recursive: true });
    const r = await cli(path.join(dir, 'docs/notes'), ['test']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 test, 1 passed, 0 failed (1 policy)');
  });
});
