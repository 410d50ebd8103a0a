/**
 * bench/lint.ts --perf splits a cold lint's main-thread samples into phases by the first sample of
 * marker functions. A marker that the code no longer has leaves its phases blank ("—"), as happened
 * when the report writer's `writeAll` went away; this test feeds `perf script` text shaped like a
 * real recording and checks every phase is measured.
 */
import { describe, expect, it } from 'vitest';
import { formatPerfSummary, summariseRecording } from '../../bench/_perf-profile.js';

/** `count` samples of the main thread (tid 100), each with `frames` as its call chain (innermost first). */
function samples(count: number, frames: string[]): string[] {
  const block = ['100 1.000000: 500000 task-clock:', ...frames.map((f, i) => `\t${(0x1000 + i).toString(16)} ${f} (/tmp/perf-100.map)`)].join('\n');
  return Array.from({ length: count }, () => block);
}

const js = (name: string, file: string) => `JS:*${name} file:///work/oclhub/${file}:1:1`;

function phases(report: 'lintJsonParts' | 'emitChunks'): string {
  const text = [
    ...samples(200, ['node::Start']),
    ...samples(100, [js('main', 'src/cli/main.ts')]),
    ...samples(100, [js('lintHub', 'src/lint/engine.ts'), js('main', 'src/cli/main.ts')]),
    ...samples(400, [js('lintProject', 'src/lint/engine.ts'), js('lintHub', 'src/lint/engine.ts')]),
    ...samples(100, [js(report, report === 'emitChunks' ? 'src/cli/commands/lint.ts' : 'src/report/lint-json-stream.ts'), js('main', 'src/cli/main.ts')]),
  ].join('\n\n');
  return formatPerfSummary([summariseRecording(text)]);
}

describe('bench/lint.ts --perf phases', () => {
  for (const marker of ['lintJsonParts', 'emitChunks'] as const) {
    it(`measures every phase when the report starts in ${marker}`, () => {
      const out = phases(marker);
      // 2 kHz: half a millisecond a sample.
      expect(out).toMatch(/main thread on CPU 450 ms/);
      expect(out).toMatch(/^\s+101 ms {2}Node start-up/m);
      expect(out).toMatch(/^\s+50 ms {2}main\(\) until lintHub/m);
      expect(out).toMatch(/^\s+50 ms {2}lintHub until the first project/m);
      expect(out).toMatch(/^\s+200 ms {2}the projects/m);
      expect(out).toMatch(/^\s+50 ms {2}writing the report/m);
      expect(out).not.toContain('—');
    });
  }
});

describe('bench/lint.ts --perf layers', () => {
  it('names the layer of every sample: shared helpers count for their caller, and no sample is "other"', () => {
    const text = [
      ...samples(10, ['node::Start']),
      ...samples(10, [js('main', 'src/cli/main.ts')]),
      // A helper every layer calls (diagnostics.ts) counts for the report writer that called it.
      ...samples(20, [js('compareDiagnostics', 'src/diagnostics.ts'), js('lintJsonParts', 'src/report/lint-json-stream.ts'), js('main', 'src/cli/main.ts')]),
      ...samples(30, [js('det', 'src/rego/codegen.ts'), js('evaluatePolicy', 'src/policy/evaluate.ts'), js('main', 'src/cli/main.ts')]),
      ...samples(40, [js('knownRuleValue', 'src/policy/evaluate.ts'), js('main', 'src/cli/main.ts')]),
      ...samples(50, [js('projectFilesAt', 'src/lint/tree-listings.ts'), js('main', 'src/cli/main.ts')]),
      ...samples(60, [js('setEncoded', 'src/lint/cache.ts'), js('main', 'src/cli/main.ts')]),
      ...samples(70, [js('projectDependencies', 'src/deps/index.ts'), js('main', 'src/cli/main.ts')]),
      // No code of ours after main(): not Node's start-up.
      ...samples(80, ['malloc']),
      // The bin script of a package laid out anywhere (the bench's private build is under the temporary folder).
      ...samples(90, ['JS:^compileForInternalLoader node:internal/bootstrap/realm:383:27', 'JS:~ /tmp/oclhub-bench-build-x1/bin/oclhub.js:1:1']),
    ].join('\n\n');
    const out = formatPerfSummary([summariseRecording(text)]);
    const layer = (ms: number, name: string) => expect(out).toMatch(new RegExp(`^\\s+${ms} ms\\s+[\\d.]+%\\s+${name.replace(/[()]/g, '\\$&')}`, 'm'));
    layer(5, "Node start-up (before the CLI's main)");
    layer(10, 'report bytes (render pieces, write)');
    layer(15, 'Rego evaluation (the engine)');
    layer(20, 'policy layer (around the engine)');
    layer(25, 'Git reads (and project listing)');
    layer(30, 'lint cache (encode entries, write)');
    layer(35, 'best-practice checks (and the dependencies they read)');
    layer(40, 'no code of ours on the stack (promise jobs, malloc, the kernel, I/O callbacks)');
    layer(45, 'bin/oclhub.js (Node loading its modules and the bundles)');
    expect(out).not.toContain('other:');
  });
});
