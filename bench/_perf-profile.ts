/**
 * Where a cold `oclhub lint` spends its CPU, from `perf record -e task-clock` (on-CPU samples only, so
 * the machine's load does not charge waiting to whatever ran, as `--cpu-prof` does) of the CLI bundle
 * users run, with Node's `--perf-basic-prof` naming JavaScript functions and the bundle's source maps
 * (bench/_build.ts `bundleForBench` with `sourcemap`) naming their source files:
 *
 * - the main thread by phase (CPU until the first sample of the CLI's `main`, of `lintHub`, of the
 *   first `lintProject`, of the report's `lintJsonParts` or `emitChunks`), by layer (the source file of the innermost frame
 *   of ours on the stack: what V8, Node or a dependency does for it counts as its; a helper every layer
 *   calls, such as src/diagnostics.ts, counts for its caller; with none of ours, Node's start-up before
 *   the CLI's `main`, and after it promise jobs, malloc and the kernel apart), and by the kind of
 *   code running (optimised, baseline or interpreted JavaScript, inline-cache stubs, builtins, JSON,
 *   parsing and compiling, GC, C++ and libc, the kernel);
 * - V8's background threads (TurboFan, the optimising compiler; concurrent GC).
 *
 * Used by bench/lint.ts --perf; needs `perf` and permission to profile one's own processes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';

export const PERF_NODE_ARGS = ['--perf-basic-prof', '--interpreted-frames-native-stack'];
const HZ = 2000;
const SAMPLE_MS = 1000 / HZ;

/** Whether `perf record` works here (installed, and allowed to sample this user's processes). */
export function perfAvailable(): boolean {
  const probe = spawnSync('perf', ['record', '-e', 'task-clock', '-o', '/dev/null', '--', 'true'], { encoding: 'utf8' });
  return probe.status === 0;
}

/** `perf record` of `node <args>` (its own `--perf-basic-prof`) in `cwd`; the samples as `perf script` prints them. */
export function recordNode(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, dataFile: string): string {
  const record = spawnSync('perf', ['record', '-q', '-e', 'task-clock', '-F', String(HZ), '-g', '-o', dataFile, '--', process.execPath, ...PERF_NODE_ARGS, ...args], {
    cwd,
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (record.status !== 0 && record.status !== 1) throw new Error(`perf record failed (${record.status}): ${record.stderr}`);
  const script = spawnSync('perf', ['script', '-i', dataFile, '-F', 'tid,time,ip,sym'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (script.status !== 0) throw new Error(`perf script failed (${script.status}): ${script.stderr}`);
  return script.stdout;
}

const maps = new Map<string, SourceMap | undefined>();
function sourceOf(location: string, line: number, column: number): string {
  const file = location.replace(/^file:\/\//, '');
  // The package's bin script, wherever the package is laid out (the bench's private build is under the temporary folder).
  if (/(^|\/)bin\/oclhub\.js$/.test(file)) return 'bin/oclhub.js';
  if (!file.includes('/bundle/')) return file.replace(/^.*?(src\/|node_modules\/|bench\/)/, '$1');
  if (!maps.has(file)) maps.set(file, existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))) : undefined);
  const entry = maps.get(file)?.findEntry(line - 1, column - 1) as { originalSource?: string } | undefined;
  return entry?.originalSource ? entry.originalSource.replace(/^.*?(src\/|node_modules\/)/, '$1') : 'bundle (no source map)';
}

const COMPILING = /^(compile|compilePolicy|compileModules|compileRule|parseModule|loadActivePolicies|lintPolicies|translate|generate)/;
const PLACING = /^(locateDecision|findingLocation|placeDiagnostics|errorLocation)$/;

/**
 * Helpers every layer calls (diagnostic records and codes, a project's folder): a sample in one of them
 * counts for the caller's layer, the next frame of ours out, instead of a layer of their own.
 */
const SHARED_HELPERS = /^src\/(diagnostics\.ts|lint\/codes\.ts|model\/folder-path\.ts|model\/code-registry\.ts|deps\/codes\.ts)$/;

function layerOf(source: string, names: readonly string[]): string {
  // The bin script's own frames are few; under them, Node's loader compiles its internal modules and the bundles it requires.
  if (source === 'bin/oclhub.js') return 'bin/oclhub.js (Node loading its modules and the bundles)';
  if (source.startsWith('node_modules/commander') || source.startsWith('src/cli/')) return 'CLI set-up (commander, the command)';
  if (source.startsWith('bench/')) return "the bench's own code (the floor's input and checks)";
  if (source.startsWith('node_modules/')) return 'dependencies';
  if (source.startsWith('src/startup/')) return 'loading the bundle (code cache)';
  if (/^src\/lint\/(worktree|fast-rerun|report-key)\.ts$/.test(source)) return 'working-tree check, re-run key';
  if (source.startsWith('src/git/') || /^src\/lint\/(tree-listings|project-files|hub-view|run-manifest)\.ts$/.test(source)) return 'Git reads (and project listing)';
  if (source.startsWith('src/lint/workers/')) return 'worker pool';
  if (source.startsWith('src/ocl/')) return 'OCL lexing and parsing';
  if (source.startsWith('src/model/')) return 'validation (model: build, projection, schema, checks)';
  if (source.startsWith('src/templates/')) return 'template resolution';
  if (source === 'src/policy/input.ts') return 'policy input build';
  if (source.startsWith('src/policy/') || source.startsWith('src/rego/')) {
    if (names.some((n) => COMPILING.test(n))) return 'policy loading, Rego compilation';
    return source.startsWith('src/rego/') ? 'Rego evaluation (the engine)' : 'policy layer (around the engine)';
  }
  // The practices read each project's dependencies (src/deps) for the hub-wide dependency rules.
  if (source.startsWith('src/practices/') || source.startsWith('src/deps/')) return 'best-practice checks (and the dependencies they read)';
  // A project's evaluations are rendered once as the report's bytes (a piece), which the cache stores as they are.
  if (source.startsWith('src/report/')) return 'report bytes (render pieces, write)';
  if (source === 'src/lint/result-entry.ts' || source === 'src/lint/cache.ts') return 'lint cache (encode entries, write)';
  if (source === 'src/lint/engine.ts') return names.some((n) => PLACING.test(n)) ? 'finding placement' : 'lint engine (orchestration)';
  if (source === 'src/lint/shard.ts' || source === 'src/lint/diff.ts') return 'lint engine (orchestration)';
  if (source.startsWith('src/hub/')) return 'hub façade';
  return `other: ${source.split('/').slice(0, 2).join('/')}`;
}

function kindOf(symbol: string, ip: string): string {
  if (ip.startsWith('ffffffff')) return 'kernel';
  if (symbol.startsWith('JS:*')) return 'optimised JavaScript (TurboFan)';
  if (symbol.startsWith('JS:^')) return 'baseline JavaScript (Sparkplug)';
  if (symbol.startsWith('JS:')) return 'interpreted JavaScript';
  if (/Builtins_.*Handler|InterpreterEntryTrampoline/.test(symbol)) return 'interpreter';
  if (/^Builtins_.*(IC|Baseline)/.test(symbol)) return 'inline-cache and baseline stubs';
  if (symbol.startsWith('Builtins_')) return 'V8 builtins';
  if (/compiler::|turboshaft/i.test(symbol)) return 'TurboFan';
  if (/Scaveng|MarkCompact|Mark(ing|er)|Sweep|Heap::|Evacuat|MemoryAllocator|RememberedSet|SlotSet|Safepoint|GCTracer/.test(symbol)) return 'GC';
  if (/Parser|PreParser|Scanner|BytecodeGenerator|Compiler::|Ast[A-Z]|Scope::|AstValueFactory|FeedbackMetadata|interpreter::|Deserializ|CodeSerializer/.test(symbol)) return 'parsing, compiling, deserialising';
  if (/Json/.test(symbol)) return 'JSON';
  return 'C++ runtime, libc';
}

interface Recording {
  mainMs: number;
  marks: Map<string, number>;
  layers: Map<string, number>;
  kinds: Map<string, number>;
  background: Map<string, number>;
  backgroundMs: number;
}

const MARKED = /^JS:\S?(main|lintHub|lintUncached|lintProject|lintJsonParts|emitChunks)\s/;

/** One `perf script -F tid,time,ip,sym` text (call chains included) of one process. */
export function summariseRecording(text: string): Recording {
  const recording: Recording = { mainMs: 0, marks: new Map(), layers: new Map(), kinds: new Map(), background: new Map(), backgroundMs: 0 };
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + SAMPLE_MS);
  let mainThread: string | undefined;
  for (const block of text.split('\n\n')) {
    const lines = block.trim().split('\n');
    if (lines.length === 0 || lines[0] === '') continue;
    const thread = lines[0]!.trim().split(/\s+/)[0]!;
    mainThread ??= thread; // the process's first sample is its main thread's
    const frames = lines.slice(1).map((line) => {
      const m = /^([0-9a-f]+)\s+(.*?)(\s+\([^()]*\))?$/.exec(line.trim());
      return m ? { ip: m[1]!, symbol: m[2]! } : { ip: '', symbol: '' };
    });
    const kind = kindOf(frames[0]?.symbol ?? '', frames[0]?.ip ?? '');
    if (thread !== mainThread) {
      add(recording.background, kind === 'TurboFan' || kind === 'GC' ? kind : 'other');
      recording.backgroundMs += SAMPLE_MS;
      continue;
    }
    recording.mainMs += SAMPLE_MS;
    let source: string | undefined;
    const names: string[] = [];
    for (const frame of frames) {
      const marked = MARKED.exec(frame.symbol);
      if (marked && !recording.marks.has(marked[1]!)) recording.marks.set(marked[1]!, recording.mainMs);
      const m = /^JS:\S?(\S*)\s+(file:\/\/\S+|\/\S+):(\d+):(\d+)$/.exec(frame.symbol);
      if (!m) continue;
      const file = sourceOf(m[2]!, Number(m[3]), Number(m[4]));
      if (file.startsWith('bundle (')) continue;
      names.push(m[1]!);
      if (source === undefined && !SHARED_HELPERS.test(file)) source = file;
    }
    const layer =
      kind === 'GC'
        ? 'GC on the main thread'
        : source !== undefined
          ? layerOf(source, names)
          : kind === 'parsing, compiling, deserialising'
            ? 'module loading (parsing, compiling)'
            : recording.marks.has('main')
              ? 'no code of ours on the stack (promise jobs, malloc, the kernel, I/O callbacks)'
              : "Node start-up (before the CLI's main)";
    add(recording.layers, layer);
    add(recording.kinds, kind);
  }
  return recording;
}

/** The recordings' mean breakdown, as lines of text. */
export function formatPerfSummary(recordings: readonly Recording[]): string {
  const mean = (f: (r: Recording) => number) => recordings.reduce((sum, r) => sum + f(r), 0) / recordings.length;
  // NaN: a phase's function was never sampled (a small hub's report is written between two samples).
  const ms = (v: number) => (Number.isNaN(v) ? '     — ms' : `${v.toFixed(0).padStart(6)} ms`);
  // A phase starts at the first sample of any of its functions (the report: rendering the JSON parts, or writing them out).
  const first = (r: Recording, names: string[]) => Math.min(...names.map((n) => r.marks.get(n) ?? Infinity));
  const mark = (r: Recording, name: string) => {
    const at = name === 'lintHub' ? first(r, ['lintHub', 'lintUncached']) : name === 'report' ? first(r, ['lintJsonParts', 'emitChunks']) : first(r, [name]);
    return at === Infinity ? NaN : at;
  };
  const main = mean((r) => r.mainMs);
  const out: string[] = [
    `  main thread on CPU ${ms(main).trim()}, V8's background threads ${ms(mean((r) => r.backgroundMs)).trim()} (mean of ${recordings.length} recording${recordings.length === 1 ? '' : 's'})`,
    '  main thread by phase:',
    `    ${ms(mean((r) => mark(r, 'main')))}  Node start-up, loading the bundle, until the CLI's main()`,
    `    ${ms(mean((r) => mark(r, 'lintHub') - mark(r, 'main')))}  main() until lintHub: command set-up, opening the hub, the working-tree check`,
    `    ${ms(mean((r) => mark(r, 'lintProject') - mark(r, 'lintHub')))}  lintHub until the first project: policies, the project list`,
    `    ${ms(mean((r) => mark(r, 'report') - mark(r, 'lintProject')))}  the projects (until the report is written)`,
    `    ${ms(mean((r) => r.mainMs - mark(r, 'report')))}  writing the report, the code cache, exit`,
  ];
  const table = (title: string, pick: (r: Recording) => Map<string, number>, total: number) => {
    out.push(title);
    const keys = [...new Set(recordings.flatMap((r) => [...pick(r).keys()]))];
    const value = (k: string) => mean((r) => pick(r).get(k) ?? 0);
    for (const k of keys.sort((a, b) => value(b) - value(a))) out.push(`    ${ms(value(k))} ${((100 * value(k)) / total).toFixed(1).padStart(5)}%  ${k}`);
  };
  table('  main thread by layer (the source file of the innermost frame of ours):', (r) => r.layers, main);
  table('  main thread by kind of code:', (r) => r.kinds, main);
  table("  V8's background threads:", (r) => r.background, mean((r) => r.backgroundMs));
  return out.join('\n');
}
