/**
 * Cold start of the Rego engine, each figure from a fresh Node process (issue 12: "importing the
 * engine costs 0.4–0.7 s and a first compile 26–66 ms ... cut what is avoidable"; "a 50,000-literal
 * body compiles in well under a second"): the `import` of the engine, then the first compile of one
 * program in that process, each timed apart (wall, CPU of all threads, CPU of the main thread where
 * Linux reports it). Programs: the 50,000-literal rule body and query of bench/rego-limits.ts, and
 * the small policy of bench/rego.ts.
 * The engine is compiled, as users run it: this working copy's private build (bench/_build.ts,
 * removed at exit), or the one in REGO_ENGINE_DIR (bench/_rego-engine.ts).
 * Each program's text is written to a file first and read by the child before it imports the engine,
 * as a server reads a policy file (`--text-in-child` builds it in the child instead, as this bench
 * did until December 2026: the 50,000 strings it joins are garbage the compile then collects).
 * Run: npx tsx bench/rego-cold.ts [rounds] [--text-in-child]
 *      REGO_BASELINE_DIR=<dir with index.js> ...   alternates each process with one of that build
 *      and prints the baseline's medians and the median of the per-pair ratios.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compiledEngine } from './_rego-engine.js';

const engineDir = process.env.REGO_ENGINE_DIR ? resolve(process.env.REGO_ENGINE_DIR) : compiledEngine();
const baselineDir = process.env.REGO_BASELINE_DIR ? resolve(process.env.REGO_BASELINE_DIR) : undefined;
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const rounds = Number(positional[0] ?? 7);
const textInChild = process.argv.includes('--text-in-child');
const textDir = mkdtempSync(join(tmpdir(), 'oclhub-rego-cold-'));
process.on('exit', () => rmSync(textDir, { recursive: true, force: true }));
const GOAL_MS = 500;

type Program = 'body' | 'query' | 'small';

/** The program's text (run in the child as well, with --text-in-child: it uses nothing from outside). */
function programText(what: Program): string {
  const n = 50000;
  if (what === 'body') return `package p\nallow if {\n${Array.from({ length: n }, (_, i) => `  x${i} := input.a${i % 10} + ${i}`).join('\n')}\n  x${n - 1} > 0\n}\n`;
  if (what === 'query') return Array.from({ length: n }, (_, i) => `x${i} := input.a${i % 10} + ${i}`).join('; ');
  return `package octopus.deploy
default allow := false
allow if { count(violations) == 0 }
violations contains msg if {
  some s in input.steps
  s.action == "Octopus.Script"
  not s.properties.reviewed
  msg := sprintf("step %s is not reviewed", [s.name])
}
violations contains msg if {
  input.environment == "Production"
  not startswith(input.release.version, "1.")
  msg := "production needs a 1.x release"
}`;
}

function programFile(what: Program): string {
  const file = join(textDir, `${what}.rego`);
  writeFileSync(file, programText(what));
  return file;
}

const script = (what: Program, dir: string, file: string) => `
import { readFileSync } from 'node:fs';
const mainThreadMs = () => {
  try {
    return Number(readFileSync('/proc/self/task/' + process.pid + '/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch { return NaN; }
};
const what = ${JSON.stringify(what)};
const text = ${textInChild ? `(${programText.toString()})(what)` : `readFileSync(${JSON.stringify(file)}, 'utf8')`};
let m = mainThreadMs(), c = process.cpuUsage(), w = performance.now();
const { compile } = await import(${JSON.stringify(pathToFileURL(resolve(dir, 'index.js')).href)});
const imp = { wall: performance.now() - w, cpu: cpuMs(process.cpuUsage(c)), main: mainThreadMs() - m };
function cpuMs(u) { return (u.user + u.system) / 1000; }
let ok;
m = mainThreadMs(); c = process.cpuUsage(); w = performance.now();
if (what === 'query') {
  const policy = compile([{ file: 'empty.rego', source: 'package p\\n' }]).policy;
  ok = 'body' in policy.prepare(text);
} else ok = compile([{ file: 'p.rego', source: text }]).policy !== undefined;
const comp = { wall: performance.now() - w, cpu: cpuMs(process.cpuUsage(c)), main: mainThreadMs() - m };
if (!ok) throw new Error('compile failed');
process.stdout.write(JSON.stringify({ imp, comp }));`;

interface Timing {
  wall: number;
  cpu: number;
  main: number;
}
interface Fresh {
  imp: Timing;
  comp: Timing;
}
const run = (s: string): Fresh => JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', s], { encoding: 'utf8' })) as Fresh;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const load = () => loadavg()[0]!.toFixed(1);
const fmt = (ts: Timing[]) =>
  `${median(ts.map((t) => t.wall)).toFixed(0).padStart(5)} ms wall, CPU ${median(ts.map((t) => t.cpu)).toFixed(0).padStart(5)}, main thread ${median(ts.map((t) => t.main)).toFixed(0).padStart(5)}`;
const ratio = (a: Timing[], b: Timing[], k: keyof Timing) => median(a.map((t, i) => t[k] / b[i]![k])).toFixed(2);

console.log(`fresh process per figure, ${rounds} rounds, median${baselineDir ? `; baseline ${baselineDir} alternating, ratio = median of pair ratios` : ''}`);
console.log(textInChild ? 'program text built in the child before the import (--text-in-child)' : 'program text read from a file before the import, as a server reads a policy');
for (const what of ['body', 'query', 'small'] as const) {
  const file = programFile(what);
  const s = script(what, engineDir, file);
  const b = baselineDir ? script(what, baselineDir, file) : undefined;
  const mine: Fresh[] = [];
  const base: Fresh[] = [];
  const load0 = load();
  for (let i = 0; i < rounds; i++) {
    mine.push(run(s));
    if (b) base.push(run(b));
  }
  const label = what === 'small' ? 'small policy' : `${what} 50,000 literals`;
  const compWall = median(mine.map((f) => f.comp.wall));
  const goal = what === 'small' ? '' : `  goal ≤ ${GOAL_MS} ms: ${compWall <= GOAL_MS ? '(met)' : '(not met)'}`;
  console.log(`${label} (load ${load0}–${load()}; compile walls ${mine.map((f) => f.comp.wall.toFixed(0)).join(', ')})`);
  console.log(`  import   ${fmt(mine.map((f) => f.imp))}`);
  console.log(`  compile  ${fmt(mine.map((f) => f.comp))}${goal}`);
  if (b) {
    console.log(`  baseline import  ${fmt(base.map((f) => f.imp))}; ratio wall ${ratio(mine.map((f) => f.imp), base.map((f) => f.imp), 'wall')}, main ${ratio(mine.map((f) => f.imp), base.map((f) => f.imp), 'main')}`);
    console.log(`  baseline compile ${fmt(base.map((f) => f.comp))}; ratio wall ${ratio(mine.map((f) => f.comp), base.map((f) => f.comp), 'wall')}, CPU ${ratio(mine.map((f) => f.comp), base.map((f) => f.comp), 'cpu')}, main ${ratio(mine.map((f) => f.comp), base.map((f) => f.comp), 'main')}`);
  }
}
