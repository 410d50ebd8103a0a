/**
 * GitStore reads at a ref, cold (a new store: no object cache; the page cache is warm, the repository
 * having just been written), against `git cat-file --batch` reading the same blobs in one process in
 * the same run. Issue 16's goal: ≤ 2× cat-file. Two repositories, both packed as a clone is
 * (`git repack -adf`, `git pack-refs --all`):
 * - 1,000 projects × 4 small OCL files (4,000 blobs): pinned snapshot cold and warm (object cache),
 *   and cold with the ref name resolved on every read;
 * - lint's read pattern: 1,000 project folders of 2 files of ~9 KB (2,000 blobs), each folder listed
 *   (a tree walk) and then read, 8 projects in flight, as src/lint/engine.ts does.
 * Wall times are medians of --runs rounds; the CPU column (this process, and for cat-file the child's
 * CPU from /proc/self/stat) is steadier when the machine is shared.
 *
 * The baseline of each row (its ratio and verdict) is cat-file given the blob ids only: stricter than
 * the reads compared, since GitStore also reads the commit and every tree on the way to the files
 * (cat-file is handed ids `git ls-tree` found outside the timing). Two more cat-file runs per round are
 * printed beside it, not judged: the same objects GitStore reads (commit, trees, blobs, in its order),
 * and cat-file with no input (its process start, which the GitStore side does not pay).
 *   npx tsx bench/git.ts [projects=1000] [--runs 5]
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openRepository } from '../src/git/index.js';
// Lint's own bounded-concurrency reader, so the bench reads projects as lint does.
import { mapConcurrently } from '../src/lint/engine.js';
import { countOption, machineLine, median, positionals, reportRow, times } from './_report.js';

const argv = process.argv.slice(2);
const PROJECTS = Number(positionals(argv, ['runs'])[0] ?? 1000);
const ROUNDS = countOption(argv, 'runs', 5);
/** How many projects src/lint/engine.ts reads at once (READ_CONCURRENCY). */
const LINT_CONCURRENCY = 8;
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

function projectFiles(name: string, i: number): Record<string, string> {
  return {
    'deployment_process.ocl': `step "deploy-${name}" {
    name = "Deploy ${name}"
    properties = {
        Octopus.Action.TargetRoles = "${name}-web"
    }

    action {
        action_type = "Octopus.KubernetesDeployRawYaml"
        worker_pool = "hosted-ubuntu"
        properties = {
            Octopus.Action.KubernetesContainers.Namespace = "${name}"
            Octopus.Action.Script.ScriptSource = "Inline"
        }
        environments = ["development", "staging", "production"]
    }
}

process_template "security-scan" {
    version_mask = "2.X"
    parameters = {
        Severity = "high"
    }
}
`,
    'variables.ocl': `variable "ConnectionString" {
    value "Server=db-${i};Database=${name}" {
        environment = ["production"]
    }

    value "Server=localhost;Database=${name}" {}
}

variable "Replicas" {
    value "${(i % 5) + 1}" {}
}
`,
    'deployment_settings.ocl': `connectivity_policy {
    allow_deployments_to_no_targets = true
}

versioning_strategy {
    template = "#{Octopus.Version.LastMajor}.#{Octopus.Version.LastMinor}.#{Octopus.Version.NextPatch}"
}
`,
    'schema_version.ocl': 'version = 9\n',
  };
}

/** About 9 KB of deployment process and 9 KB of variables for project i: lint's files, at a realistic size. */
function lintPatternFiles(name: string, i: number): Record<string, string> {
  const steps: string[] = [];
  for (let s = 0; s < 11; s++) {
    steps.push(`step "${name}-step-${s}" {
    name = "${name} step ${s}"
    condition = "Success"
    start_trigger = "StartAfterPrevious"
    properties = {
        Octopus.Action.TargetRoles = "${name}-role-${s % 3}"
    }

    action {
        action_type = "Octopus.Script"
        environments = ["development", "staging", "production"]
        worker_pool = "hosted-ubuntu"
        properties = {
            Octopus.Action.RunOnServer = "true"
            Octopus.Action.Script.ScriptBody = <<-EOT
                echo "Deploying ${name} step ${s} (${i})"
                ./deploy.sh --project "${name}" --step ${s} --replicas ${(i + s) % 7}
                EOT
            Octopus.Action.Script.ScriptSource = "Inline"
            Octopus.Action.Script.Syntax = "Bash"
        }
    }
}
`);
  }
  const variables: string[] = [];
  for (let v = 0; v < 60; v++) {
    variables.push(`variable "${name}.Setting${v}" {
    value "Server=db-${i}-${v};Database=${name}" {
        environment = ["production"]
    }

    value "local-${v}" {}
}
`);
  }
  return { 'deployment_process.ocl': steps.join('\n'), 'variables.ocl': variables.join('\n') };
}

/** A packed repository (as a clone is) of one commit holding `folder(i)/<file>` for every project. */
function generate(dir: string, files: (name: string, i: number) => Record<string, string>, folder: (name: string) => string): void {
  execFileSync('git', ['init', '-q', '-b', 'main', dir], { env });
  const chunks: string[] = [];
  let mark = 0;
  const paths: Array<[string, number]> = [];
  for (let i = 0; i < PROJECTS; i++) {
    const name = `project-${String(i).padStart(4, '0')}`;
    for (const [file, content] of Object.entries(files(name, i))) {
      mark++;
      chunks.push(`blob\nmark :${mark}\ndata ${Buffer.byteLength(content)}\n${content}\n`);
      paths.push([`${folder(name)}/${file}`, mark]);
    }
  }
  const message = 'generated hub\n';
  chunks.push(`commit refs/heads/main\ncommitter Bench <bench@example.com> 1700000000 +0000\ndata ${message.length}\n${message}`);
  for (const [p, m] of paths) chunks.push(`M 100644 :${m} ${p}\n`);
  chunks.push('\n');
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, env, input: chunks.join(''), maxBuffer: 1 << 28 });
  execFileSync('git', ['repack', '-adfq'], { cwd: dir, env });
  execFileSync('git', ['pack-refs', '--all'], { cwd: dir, env });
}

const wall: Record<string, number[]> = {};

function catFileBatch(dir: string, oids: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd: dir, env });
    let bytes = 0;
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(bytes) : reject(new Error(`git cat-file exited ${code}`))));
    child.stdin.end(oids.length === 0 ? '' : `${oids.join('\n')}\n`);
  });
}

const cpu: Record<string, number[]> = {};
let currentLabel = '';

/**
 * CPU time of this process's finished children (ms), from /proc/self/stat (cutime + cstime, in clock
 * ticks of 10 ms); undefined where there is no /proc.
 */
function childrenCpuMs(): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command name start at field 3 (state): cutime is field 16, cstime field 17.
    return (Number(fields[16 - 3]) + Number(fields[17 - 3])) * 10;
  } catch {
    return undefined;
  }
}

/** Wall time of `fn`; its CPU time (this process, plus children that finished meanwhile) goes under currentLabel. */
async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const startCpu = process.cpuUsage();
  const startChildren = childrenCpuMs();
  const result = await fn();
  const used = process.cpuUsage(startCpu);
  const children = startChildren === undefined ? 0 : childrenCpuMs()! - startChildren;
  const ms = performance.now() - start;
  if (currentLabel) {
    (cpu[currentLabel] ??= []).push((used.user + used.system) / 1000 + children);
    (wall[currentLabel] ??= []).push(ms);
  }
  return [ms, result];
}

function blobOids(dir: string, under: string): string[] {
  const lsTree = execFileSync('git', ['ls-tree', '-r', 'main', under], { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  return lsTree.trim().split('\n').map((line) => line.split(/\s+/)[2]!);
}

/** Every object GitStore reads to list and read the files under `under` at main, in its order: the commit, the trees, then the blobs. */
function sameObjects(dir: string, under: string): string[] {
  const commit = execFileSync('git', ['rev-parse', 'main', 'main^{tree}'], { cwd: dir, env, encoding: 'utf8' }).trim().split('\n');
  const lsTree = execFileSync('git', ['ls-tree', '-r', '-t', 'main', under], { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  const entries = lsTree.trim().split('\n').map((line) => line.split(/\s+/));
  return [...commit, ...entries.filter((e) => e[1] === 'tree').map((e) => e[2]!), ...entries.filter((e) => e[1] === 'blob').map((e) => e[2]!)];
}

/** cat-file on the same objects as GitStore reads, and with no input at all (its start), once per round; printed beside the rows. */
async function catFileContext(dir: string, objects: string[], suffix: string): Promise<void> {
  currentLabel = `same${suffix}`;
  await time(() => catFileBatch(dir, objects));
  currentLabel = `start${suffix}`;
  await time(() => catFileBatch(dir, []));
}

const row = (label: string, values: number[], key: string, cat: number, catKey: string) => {
  const ms = median(values);
  const cpuMs = median(cpu[key]!);
  console.log(
    `${label.padEnd(58)} ${ms.toFixed(1).padStart(8)} ms wall ${cpuMs.toFixed(0).padStart(6)} ms cpu   ${(ms / cat).toFixed(2).padStart(6)}x cat-file (cpu ${(cpuMs / median(cpu[catKey]!)).toFixed(2)}x)   (rounds: ${values.map((v) => v.toFixed(0)).join(', ')})`,
  );
};
const cpuRatio = (key: string, catKey: string) => median(cpu[key]!) / median(cpu[catKey]!);

/** The two cat-file runs beside a row: printed lines, and the row's note. */
function contextLines(objectCount: number, key: string, suffix: string): { lines: string; note: string } {
  const same = median(wall[`same${suffix}`]!);
  const start = median(wall[`start${suffix}`]!);
  const ours = median(wall[key]!);
  const lines = [
    `  beside it, not judged: cat-file on the same ${objectCount} objects GitStore reads (commit, trees, blobs): ${same.toFixed(1)} ms wall, ${median(cpu[`same${suffix}`]!).toFixed(0)} ms cpu -> GitStore ${(ours / same).toFixed(2)}x (cpu ${cpuRatio(key, `same${suffix}`).toFixed(2)}x)`,
    `  beside it, not judged: cat-file's process start (no input): ${start.toFixed(1)} ms wall, ${median(cpu[`start${suffix}`]!).toFixed(0)} ms cpu`,
  ].join('\n');
  return { lines, note: `against cat-file on the same ${objectCount} objects (commit and trees too): ${times(ours / same)}; cat-file's process start ${start.toFixed(1)} ms` };
}

/** 1,000 projects × 4 small files: pinned snapshot cold and warm, and cold by ref name. */
async function smallFiles(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oclhub-bench-git-'));
  try {
    const [genMs] = await time(async () => generate(dir, projectFiles, (name) => `.octopus/${name}`));
    const oids = blobOids(dir, '.octopus');
    const objects = sameObjects(dir, '.octopus');
    console.log(`repository 1: ${PROJECTS} projects, ${oids.length} small .ocl files, generated with git fast-import and packed in ${genMs.toFixed(0)} ms`);

    const cold: number[] = [];
    const coldByName: number[] = [];
    const warm: number[] = [];
    const baseline: number[] = [];
    let chars = 0;
    let stats = '';
    for (let round = 0; round < ROUNDS; round++) {
      currentLabel = 'baseline';
      const [catMs, catBytes] = await time(() => catFileBatch(dir, oids));
      baseline.push(catMs);
      await catFileContext(dir, objects, '');
      // Cold: a new store (empty caches), the ref pinned once, then every file listed and read.
      const store = await openRepository({ dir });
      currentLabel = 'cold';
      const [coldMs, coldChars] = await time(async () => {
        const snapshot = await store.snapshot('main');
        const files = (await snapshot.listFiles('.octopus')).filter((f) => f.path.endsWith('.ocl'));
        const texts = await Promise.all(files.map((f) => snapshot.readTextFile(f.path)));
        return texts.reduce((n, t) => n + t.length, 0);
      });
      cold.push(coldMs);
      chars = coldChars;
      if (catBytes < chars) throw new Error('cat-file read less than we did');
      // Warm: the same store again; every tree and blob comes from the object cache.
      currentLabel = 'warm';
      const [warmMs] = await time(async () => {
        const snapshot = await store.snapshot('main');
        const files = (await snapshot.listFiles('.octopus')).filter((f) => f.path.endsWith('.ocl'));
        await Promise.all(files.map((f) => snapshot.readTextFile(f.path)));
      });
      warm.push(warmMs);
      const s = store.cacheStats();
      stats = `hits ${s.hits}, misses ${s.misses}, entries ${s.entries}, ${(s.bytes / 1024 / 1024).toFixed(1)} MiB`;
      // Cold again, but resolving the branch name on every read instead of pinning it once.
      const fresh = await openRepository({ dir });
      currentLabel = 'byName';
      const [byNameMs] = await time(async () => {
        const files = await fresh.listFiles('main', '.octopus');
        await Promise.all(files.map((f) => fresh.readTextFile('main', f.path)));
      });
      coldByName.push(byNameMs);
    }
    const cat = median(baseline);
    console.log(`read ${oids.length} files, ${chars} chars; median of ${ROUNDS} rounds`);
    row('git cat-file --batch (baseline, 1 child process)', baseline, 'baseline', cat, 'baseline');
    row('GitStore cold (new store, pinned snapshot)', cold, 'cold', cat, 'baseline');
    row('GitStore warm (object cache)', warm, 'warm', cat, 'baseline');
    row('GitStore cold, ref name resolved per read', coldByName, 'byName', cat, 'baseline');
    const context = contextLines(objects.length, 'cold', '');
    console.log(context.lines);
    console.log(`warm/cold: ${(median(warm) / median(cold)).toFixed(3)}   cache after warm round: ${stats}`);
    const ratio = median(cold) / cat;
    reportRow({
      id: 'git-cold',
      figure: `${median(cold).toFixed(0)} ms (median of ${ROUNDS}), CPU ${median(cpu.cold!).toFixed(0)} ms; ${oids.length} files`,
      baseline: `git cat-file --batch ${cat.toFixed(0)} ms, CPU ${median(cpu.baseline!).toFixed(0)} ms`,
      ratio: `${times(ratio)} cat-file (CPU: ${times(cpuRatio('cold', 'baseline'))})`,
      met: ratio <= 2,
      note: context.note,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Lint's pattern: each project folder listed, then its files read, 8 projects at a time. */
async function lintPattern(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oclhub-bench-git-lint-'));
  try {
    const folder = (name: string) => `projects/${name}/.octopus`;
    const [genMs] = await time(async () => generate(dir, lintPatternFiles, folder));
    const oids = blobOids(dir, 'projects');
    const objects = sameObjects(dir, 'projects');
    const sizes = execFileSync('git', ['cat-file', '--batch-check=%(objectsize)'], { cwd: dir, env, input: `${oids.join('\n')}\n`, encoding: 'utf8' });
    const meanKb = sizes.trim().split('\n').reduce((n, s) => n + Number(s), 0) / oids.length / 1024;
    console.log(`\nrepository 2 (lint's read pattern): ${PROJECTS} project folders, ${oids.length} blobs of ${meanKb.toFixed(1)} KB on average, generated and packed in ${genMs.toFixed(0)} ms`);
    const folders = Array.from({ length: PROJECTS }, (_, i) => folder(`project-${String(i).padStart(4, '0')}`));
    const baseline: number[] = [];
    const cold: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      currentLabel = 'baseline-lint';
      const [catMs] = await time(() => catFileBatch(dir, oids));
      baseline.push(catMs);
      await catFileContext(dir, objects, '-lint');
      const store = await openRepository({ dir });
      currentLabel = 'lint-pattern';
      const [coldMs, read] = await time(async () => {
        const commit = (await store.resolveRef('main')).oid!;
        const listed = await mapConcurrently(folders, LINT_CONCURRENCY, (f) => store.listFiles(commit, f, { recursive: true }));
        const paths = listed.flat().map((entry) => entry.path);
        const texts = await mapConcurrently(paths, LINT_CONCURRENCY, (p) => store.readTextFile(commit, p));
        return texts.length;
      });
      if (read !== oids.length) throw new Error(`read ${read} files, expected ${oids.length}`);
      cold.push(coldMs);
    }
    const cat = median(baseline);
    row('git cat-file --batch (baseline, 1 child process)', baseline, 'baseline-lint', cat, 'baseline-lint');
    row(`GitStore cold, lint's pattern (list + read, ${LINT_CONCURRENCY} at a time)`, cold, 'lint-pattern', cat, 'baseline-lint');
    const context = contextLines(objects.length, 'lint-pattern', '-lint');
    console.log(context.lines);
    const ratio = median(cold) / cat;
    reportRow({
      id: 'git-cold-lint-pattern',
      figure: `${median(cold).toFixed(0)} ms (median of ${ROUNDS}), CPU ${median(cpu['lint-pattern']!).toFixed(0)} ms; ${oids.length} blobs of ${meanKb.toFixed(1)} KB`,
      baseline: `git cat-file --batch ${cat.toFixed(0)} ms, CPU ${median(cpu['baseline-lint']!).toFixed(0)} ms`,
      ratio: `${times(ratio)} cat-file (CPU: ${times(cpuRatio('lint-pattern', 'baseline-lint'))})`,
      met: ratio <= 2,
      note: context.note,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

console.log(machineLine());
await smallFiles();
await lintPattern();
