/**
 * `oclhub lint` as users run it (bin/oclhub.js over a build: the CLI's one-file bundle with the V8 code
 * cache, src/startup/code-cache.ts): the report is the same byte for byte with no code cache, on the
 * run that writes it, on the run that uses it, and after the cache file was damaged; a re-run on an
 * unchanged hub is answered by the fast path's own one-module bundle with the same bytes. The build is a
 * private one of this working copy (bench/_build.ts, bundled by scripts/bundle-cli.mjs), laid out as
 * the package is: bin/ beside dist/.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binForBench, buildForBench, bundleForBench, type BenchBuild } from '../../bench/_build.js';
import { generateHub } from '../../bench/generate-hub.js';

describe('oclhub lint with the code cache', () => {
  let work: string;
  let hub: string;
  let build: BenchBuild;
  let bin: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'oclhub-code-cache-cli-'));
    hub = path.join(work, 'hub');
    build = buildForBench();
    await bundleForBench(build);
    // The package's layout: bin/oclhub.js loads ../dist/bundle/oclhub.cjs with ../dist/bundle/code-cache.cjs.
    bin = binForBench(build);
    await generateHub(hub, 20, 2, 6, { packed: true });
  }, 300_000);

  afterAll(() => {
    build?.remove();
    rmSync(work, { recursive: true, force: true });
  });

  let runs = 0;
  /** `oclhub lint --format json` of the hub with no lint cache; the report. */
  function lint(env: NodeJS.ProcessEnv): string {
    const report = path.join(work, `report-${++runs}.json`);
    const run = spawnSync(process.execPath, [bin, 'lint', '--no-cache', '--format', 'json', '--jobs', '1', '--output', report], {
      cwd: hub,
      encoding: 'utf8',
      env: { ...process.env, CI: '1', OCLHUB_HUB: '', OCLHUB_JOBS: '', OCLHUB_UNBUNDLED: '', OCLHUB_CACHE_DIR: path.join(work, 'caches'), ...env },
    });
    expect(run.stderr).toBe('');
    expect([0, 1]).toContain(run.status); // 1: blocking findings
    return readFileSync(report, 'utf8');
  }

  it('runs the one-file bundle in strict mode, as the ES-module bundle runs', () => {
    // A directive only counts first: were the bundle's own "use strict" after the banner's statement, the script would run sloppy
    // (writes to frozen objects ignored instead of throwing).
    const script = readFileSync(path.join(build.root, 'src', 'bundle', 'oclhub.cjs'), 'utf8');
    expect(script.startsWith("'use strict';")).toBe(true);
    // The directive covers the whole script: V8 compiles it as strict code (a sloppy script would accept `with`).
    expect(() => new Script(`${script.slice(0, script.indexOf(';') + 1)}\nwith ({}) {}`)).toThrow(SyntaxError);
  });

  it('writes the one-file bundle in ASCII alone, which V8 holds as a one-byte string (half the bytes to decode at every start)', () => {
    // scripts/bundle-cli.mjs dependencyPatches: esbuild copies regular expressions verbatim, and isomorphic-git has one with a raw U+FFFF.
    const bytes = readFileSync(path.join(build.root, 'src', 'bundle', 'oclhub.cjs'));
    const first = bytes.findIndex((byte) => byte > 0x7f);
    expect(first < 0 ? '' : bytes.subarray(Math.max(0, first - 60), first + 20).toString('utf8')).toBe('');
    // The escaped class still says "a surrogate or a code unit above them" (isomorphic-git sorts tree entries by code point with it).
    expect(bytes.toString('latin1')).toMatch(/NEEDS_CODE_POINT_ORDER\d*=\/\[\\ud800-\\uffff\]\//);
  });

  it('lints a local hub on one thread without loading Node\'s process, network, TLS or worker modules (~8 ms of start-up)', () => {
    // src/git/transport.ts and replica.ts load them where they are used; commander's spawn requires node:child_process when called
    // (scripts/bundle-cli.mjs dependencyPatches); the worker pool loads node:worker_threads for its first worker.
    const spy = path.join(work, 'builtin-spy.cjs');
    writeFileSync(spy, "const M = require('node:module'); const load = M._load; M._load = function (request) { if (/^(node:)?(child_process|net|tls|worker_threads)$/.test(request)) require('node:fs').writeSync(2, `loaded ${request}\\n`); return load.apply(this, arguments); };\n");
    const env = { ...process.env, CI: '1', OCLHUB_HUB: '', OCLHUB_JOBS: '', OCLHUB_UNBUNDLED: '', NODE_OPTIONS: `--require ${spy}`, OCLHUB_CODE_CACHE_DIR: path.join(work, 'code-spy'), OCLHUB_CACHE_DIR: path.join(work, 'spy-caches') };
    const report = path.join(work, 'spy.json');
    const run = spawnSync(process.execPath, [bin, 'lint', '--no-cache', '--format', 'json', '--jobs', '1', '--output', report], { cwd: hub, encoding: 'utf8', env });
    expect(run.stderr).toBe('');
    expect([0, 1]).toContain(run.status);
    expect(readFileSync(report, 'utf8')).toContain('"evaluations"');
  });

  it('ends the process as soon as the event loop first runs empty (no heap teardown), with the whole report on a pipe and the lint\'s exit code', () => {
    // A listener that gets in first and asks for one more turn of the loop: the process ends before that turn.
    const late = path.join(work, 'late-turn.cjs');
    writeFileSync(late, "process.once('beforeExit', () => setTimeout(() => require('node:fs').writeSync(2, 'one more turn\\n'), 0));\n");
    const env = { ...process.env, CI: '1', OCLHUB_HUB: '', OCLHUB_JOBS: '', OCLHUB_UNBUNDLED: '', OCLHUB_CACHE_DIR: path.join(work, 'exit-caches') };
    const report = path.join(work, 'exit.json');
    const toFile = spawnSync(process.execPath, ['--require', late, bin, 'lint', '--no-cache', '--format', 'json', '--jobs', '1', '--output', report], { cwd: hub, encoding: 'utf8', env });
    expect(toFile.stderr).toBe('');
    expect(toFile.status).toBe(1); // the generated hub has blocking findings
    const piped = spawnSync(process.execPath, ['--require', late, bin, 'lint', '--no-cache', '--format', 'json', '--jobs', '1'], { cwd: hub, encoding: 'utf8', env, maxBuffer: 1 << 28 });
    expect(piped.stderr).toBe('');
    expect(piped.status).toBe(1);
    expect(piped.stdout).toBe(readFileSync(report, 'utf8'));
  });

  it('answers a re-run on an unchanged hub from the fast path\'s one-module bundle, byte for byte', () => {
    const env = { ...process.env, CI: '1', OCLHUB_HUB: '', OCLHUB_JOBS: '', OCLHUB_UNBUNDLED: '', OCLHUB_CODE_CACHE: 'off', OCLHUB_CACHE_DIR: path.join(work, 'rerun-caches') };
    // Says on stderr when the process creates its stdout stream, which a re-run writing to --output on a pipe does not need
    // (Node's stream modules, 2-4 ms: bin/oclhub.js `stdoutIsTTY`); the full path's run prints it, and may.
    const spy = path.join(work, 'stdout-spy.cjs');
    writeFileSync(spy, "const d = Object.getOwnPropertyDescriptor(process, 'stdout'); Object.defineProperty(process, 'stdout', { ...d, get() { require('node:fs').writeSync(2, 'stdout created\\n'); Object.defineProperty(process, 'stdout', d); return process.stdout; } });\n");
    const run = (report: string) => spawnSync(process.execPath, ['--require', spy, bin, 'lint', '--format', 'json', '--output', report], { cwd: hub, encoding: 'utf8', env });
    const [first, second] = [path.join(work, 'rerun-1.json'), path.join(work, 'rerun-2.json')];
    const full = run(first);
    expect(full.stderr.replaceAll('stdout created\n', '')).toBe('');
    expect([0, 1]).toContain(full.status);
    // Only the bundle can answer: the modules it is made of and the CLI (which a declining re-run would load) are out of the way.
    const aside = ['lint/fast-rerun.js', 'lint/worktree.js', 'cli/main.js', 'bundle/oclhub.cjs', 'bundle/oclhub.js'].map((file) => path.join(build.root, 'src', file));
    for (const file of aside) renameSync(file, `${file}.aside`);
    try {
      const again = run(second);
      expect(again.stderr).toBe('');
      expect(again.status).toBe(full.status);
    } finally {
      for (const file of aside) renameSync(`${file}.aside`, file);
    }
    expect(readFileSync(second).equals(readFileSync(first))).toBe(true);
  }, 120_000);

  it('runs a re-run after a commit with a code cache of its own, printing what a lint without caches prints', () => {
    const codeCache = path.join(work, 'code-rerun');
    const env = { ...process.env, CI: '1', OCLHUB_HUB: '', OCLHUB_JOBS: '', OCLHUB_UNBUNDLED: '', OCLHUB_CODE_CACHE_DIR: codeCache, OCLHUB_CACHE_DIR: path.join(work, 'rerun-code-caches') };
    const cacheFiles = () => readdirSync(codeCache).filter((name) => name.endsWith('.v8cache')).sort();
    const run = () => {
      const report = path.join(work, `report-${++runs}.json`);
      const done = spawnSync(process.execPath, [bin, 'lint', '--format', 'json', '--jobs', '1', '--output', report], { cwd: hub, encoding: 'utf8', env });
      expect(done.stderr).toBe('');
      expect([0, 1]).toContain(done.status);
      return readFileSync(report, 'utf8');
    };
    const git = (...args: string[]) => expect(spawnSync('git', args, { cwd: hub, encoding: 'utf8' }).status).toBe(0);
    const changed = path.join(hub, 'projects', 'app-0001', '.octopus', 'deployment_process.ocl');
    const original = readFileSync(changed, 'utf8');
    try {
      run();
      const cold = cacheFiles();
      expect(cold).toHaveLength(1);
      const edit = (round: number) => {
        writeFileSync(changed, original.replace(/echo prepare[^"]*"/, `echo prepare ${round}"`));
        git('commit', '-qam', `change ${round}`);
      };
      edit(1);
      const rerun = run();
      const both = cacheFiles();
      expect(both).toHaveLength(2);
      expect(rerun).toBe(lint({ OCLHUB_CODE_CACHE: 'off' }));
      // The next re-run uses that file, written no more.
      const written = both.map((name) => statSync(path.join(codeCache, name)).mtimeMs);
      edit(2);
      expect(run()).toBe(lint({ OCLHUB_CODE_CACHE: 'off' }));
      expect(cacheFiles()).toEqual(both);
      expect(both.map((name) => statSync(path.join(codeCache, name)).mtimeMs)).toEqual(written);
    } finally {
      writeFileSync(changed, original);
      git('commit', '-qam', 'back');
    }
  }, 300_000);

  it('prints the same report without a code cache, writing one, using it, and over a damaged one', () => {
    const codeCache = path.join(work, 'code');
    const without = lint({ OCLHUB_CODE_CACHE: 'off' });
    expect((JSON.parse(without) as { evaluations: unknown[] }).evaluations).toHaveLength(40);
    expect(readdirSync(work)).not.toContain('code');
    // The default folder is code/ in $OCLHUB_CACHE_DIR.
    expect(lint({})).toBe(without);
    expect(readdirSync(path.join(work, 'caches', 'code')).filter((name) => name.endsWith('.v8cache'))).toHaveLength(1);

    expect(lint({ OCLHUB_CODE_CACHE_DIR: codeCache })).toBe(without);
    const [name] = readdirSync(codeCache);
    const file = path.join(codeCache, name!);
    const written = statSync(file);
    // A used cache is not written again (a cache that is not used is always replaced).
    expect(lint({ OCLHUB_CODE_CACHE_DIR: codeCache })).toBe(without);
    expect(statSync(file).mtimeMs).toBe(written.mtimeMs);
    // bin/oclhub.js runs the loader's CommonJS bundle (dist/bundle/code-cache.cjs), not its ES modules, which would start Node's ES-module loader.
    const loaderModules = ['startup/code-cache.js', 'git/durable.js'].map((file) => path.join(build.root, 'src', file));
    for (const module of loaderModules) renameSync(module, `${module}.aside`);
    try {
      expect(lint({ OCLHUB_CODE_CACHE_DIR: codeCache })).toBe(without);
    } finally {
      for (const module of loaderModules) renameSync(`${module}.aside`, module);
    }

    const bytes = readFileSync(file);
    bytes[bytes.length - 1000]! ^= 0xff;
    writeFileSync(file, bytes);
    expect(lint({ OCLHUB_CODE_CACHE_DIR: codeCache })).toBe(without);
    expect(readFileSync(file).equals(bytes)).toBe(false);
    expect(lint({ OCLHUB_CODE_CACHE_DIR: codeCache })).toBe(without);
    // Other commands run the ES-module bundle: compiling the whole script would cost a short command more than it saves.
    const other = spawnSync(process.execPath, [bin, 'validate', '.'], { cwd: hub, encoding: 'utf8', env: { ...process.env, CI: '1', OCLHUB_CODE_CACHE_DIR: path.join(work, 'code-validate') } });
    expect(other.status, other.stderr).toBe(0);
    expect(readdirSync(work)).not.toContain('code-validate');
    // The ES-module bundle (bin/oclhub.js's fallback when the one-file bundle is absent) agrees too.
    rmSync(path.join(build.root, 'src', 'bundle', 'oclhub.cjs'));
    expect(lint({ OCLHUB_CODE_CACHE_DIR: codeCache })).toBe(without);
  }, 300_000);
});
