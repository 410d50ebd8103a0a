/**
 * The lint worker entry as users run it: from the CLI bundle (dist/bundle: the one-file script
 * bin/oclhub.js runs for lint with the V8 code cache, whose workers run that script with the same cache
 * through src/startup/lint-worker.ts, and the ES-module bundle) and from the compiled modules (dist/,
 * $OCLHUB_UNBUNDLED). A private build of this working copy in a
 * temporary folder (bench/_build.ts: each module transpiled as tsc would emit it; the bundle made by
 * scripts/bundle-cli.mjs over it), a generated hub of 600 projects × 4 environments × 25 policies
 * (enough for a worker with --jobs 2), and `oclhub lint --jobs 2` in a Node process of its own under --cpu-prof, which writes one
 * profile per thread: the worker's must show it evaluating projects, and the report must be the
 * `--jobs 1` report byte for byte. (Under tsx and vitest: test/lint/workers.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildForBench, type BenchBuild } from '../../bench/_build.js';
import { generateHub } from '../../bench/generate-hub.js';

interface CpuProfile {
  nodes: { callFrame: { functionName: string } }[];
}

describe('lint worker threads from the bundle and from dist/', () => {
  let work: string;
  let hub: string;
  let build: BenchBuild;
  let runner: string;
  let cachedRunner: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'oclhub-workers-build-'));
    hub = path.join(work, 'hub');
    build = buildForBench();
    const script = new URL('../../scripts/bundle-cli.mjs', import.meta.url).href;
    const { bundleCli } = (await import(script)) as { bundleCli(options: { dist: string; outdir: string }): Promise<void> };
    await bundleCli({ dist: path.join(build.root, 'src'), outdir: path.join(build.root, 'bundle') });
    runner = path.join(build.root, 'run.mjs');
    writeFileSync(runner, 'const { main } = await import(process.argv[2]);\nprocess.exitCode = await main(process.argv.slice(3));\n');
    // As bin/oclhub.js runs lint: the one-file script with the code cache (written after the run).
    cachedRunner = path.join(build.root, 'run-cached.mjs');
    writeFileSync(
      cachedRunner,
      `const { loadCliBundle } = await import(${JSON.stringify(pathToFileURL(build.file('src/startup/code-cache.ts')).href)});\n` +
        'const { main, done } = loadCliBundle(process.argv[2], process.argv.slice(3));\nprocess.exitCode = await main(process.argv.slice(3));\ndone();\n',
    );
    // 60,000 decisions: a worker starts (from 20,000), and this thread is still busy when it is ready.
    await generateHub(hub, 600, 4, 25, { packed: true });
  }, 300_000);

  afterAll(() => {
    build?.remove();
    rmSync(work, { recursive: true, force: true });
  });

  /** `oclhub lint --format json` with `jobs` from `entry`; the report, and the functions each thread's profile sampled. */
  function lint(entry: string, jobs: number, name: string): { report: string; threads: Set<string>[] } {
    const profiles = path.join(work, `profiles-${name}`);
    const report = path.join(work, `${name}.json`);
    const run = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profiles, entry.endsWith('.cjs') ? cachedRunner : runner, entry, 'lint', '--no-cache', '--format', 'json', '--jobs', String(jobs), '--output', report], {
      cwd: hub,
      encoding: 'utf8',
      env: { ...process.env, CI: '1', OCLHUB_HUB: '', OCLHUB_JOBS: '', OCLHUB_CODE_CACHE_DIR: path.join(work, 'code-cache'), OCLHUB_CODE_CACHE: '' },
    });
    expect(run.stderr).toBe('');
    expect([0, 1]).toContain(run.status); // 1: blocking findings
    const threads = readdirSync(profiles).map((file) => new Set((JSON.parse(readFileSync(path.join(profiles, file), 'utf8')) as CpuProfile).nodes.map((n) => n.callFrame.functionName)));
    return { report: readFileSync(report, 'utf8'), threads };
  }

  let single: string;
  for (const [name, entry] of [
    ['the bundle', 'bundle/oclhub.js'],
    // Twice: the first run writes the code cache, the second one's worker runs with it.
    ['the code-cached script', 'bundle/oclhub.cjs'],
    ['the code-cached script, cache written', 'bundle/oclhub.cjs'],
    ['dist/', 'src/cli/main.js'],
  ] as const) {
    it(`evaluates projects on a worker thread started from ${name}, with the one-thread report`, () => {
      const file = path.join(build.root, entry);
      if (single === undefined) {
        const one = lint(file, 1, 'one');
        expect(one.threads.length).toBe(1);
        single = one.report;
      }
      const two = lint(file, 2, name.replace(/\W/g, ''));
      expect(two.threads.length).toBe(2);
      // Both threads evaluated projects (the worker through lintProjectEncoded, which only workers call).
      expect(two.threads.filter((functions) => functions.has('lintProject')).length).toBe(2);
      expect(two.threads.some((functions) => functions.has('lintProjectEncoded'))).toBe(true);
      expect(two.report).toBe(single);
      expect((JSON.parse(two.report) as { evaluations: unknown[] }).evaluations).toHaveLength(2400);
    }, 300_000);
  }
});
