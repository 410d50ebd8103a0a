/**
 * GitStore read benchmark: a 1,000-project hub (4 OCL files each) generated with `git fast-import`, read
 * at a ref cold (new store) and warm (object cache), against `git cat-file --batch` reading the same blobs
 * in one process in the same run.   Run: npx tsx bench/git.ts [projects=1000] [rounds=5]
 * Wall times are medians; on a shared machine also compare the CPU column (this process only).
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openRepository } from '../src/git/index.js';

const PROJECTS = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 5);
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

function generate(dir: string): void {
  execFileSync('git', ['init', '-q', '-b', 'main', dir], { env });
  const chunks: string[] = [];
  let mark = 0;
  const paths: Array<[string, number]> = [];
  for (let i = 0; i < PROJECTS; i++) {
    const name = `project-${String(i).padStart(4, '0')}`;
    for (const [file, content] of Object.entries(projectFiles(name, i))) {
      mark++;
      chunks.push(`blob\nmark :${mark}\ndata ${Buffer.byteLength(content)}\n${content}\n`);
      paths.push([`.octopus/${name}/${file}`, mark]);
    }
  }
  const message = 'generated hub\n';
  chunks.push(`commit refs/heads/main\ncommitter Bench <bench@example.com> 1700000000 +0000\ndata ${message.length}\n${message}`);
  for (const [p, m] of paths) chunks.push(`M 100644 :${m} ${p}\n`);
  chunks.push('\n');
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, env, input: chunks.join(''), maxBuffer: 1 << 28 });
}

function catFileBatch(dir: string, oids: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd: dir, env });
    let bytes = 0;
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(bytes) : reject(new Error(`git cat-file exited ${code}`))));
    child.stdin.end(`${oids.join('\n')}\n`);
  });
}

const cpu: Record<string, number[]> = {};
let currentLabel = '';

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const startCpu = process.cpuUsage();
  const result = await fn();
  const used = process.cpuUsage(startCpu);
  if (currentLabel) (cpu[currentLabel] ??= []).push((used.user + used.system) / 1000);
  return [performance.now() - start, result];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oclhub-bench-git-'));
  try {
    const [genMs] = await time(async () => generate(dir));
    const lsTree = execFileSync('git', ['ls-tree', '-r', 'main', '.octopus'], { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 26 });
    const oids = lsTree.trim().split('\n').map((line) => line.split(/\s+/)[2]!);
    console.log(`repository: ${PROJECTS} projects, ${oids.length} .ocl files, generated with git fast-import in ${genMs.toFixed(0)} ms (packed)`);

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
    const row = (label: string, values: number[], key: string) => {
      const ms = median(values);
      const cpuMs = key === 'baseline' ? '   (child)' : `${median(cpu[key]!).toFixed(0).padStart(6)} ms cpu`;
      console.log(
        `${label.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms wall ${cpuMs}   ${(ms / cat).toFixed(2).padStart(6)}x cat-file   (rounds: ${values.map((v) => v.toFixed(0)).join(', ')})`,
      );
    };
    console.log(`read ${oids.length} files, ${chars} chars; median of ${ROUNDS} rounds`);
    row('git cat-file --batch (baseline, 1 process)', baseline, 'baseline');
    row('GitStore cold (new store, pinned snapshot)', cold, 'cold');
    row('GitStore warm (object cache)', warm, 'warm');
    row('GitStore cold, ref name resolved per read', coldByName, 'byName');
    console.log(`warm/cold: ${(median(warm) / median(cold)).toFixed(3)}   cache after warm round: ${stats}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
