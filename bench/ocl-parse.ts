/**
 * OCL parse throughput.
 * (a) All valid corpus files (../shared/corpus/ocl/valid), parsed repeatedly for ~1 s, against
 *     JSON.parse of a JSON form of the same documents measured in the same run (target: OCL parse at
 *     least 1/8 of JSON.parse's MB/s). Falls back to a generated document when the corpus is absent.
 * (b) Generated documents of 1, 2, 5 and 10 MB: parse time and ms/MB, which stays flat when parsing is
 *     linear.
 * Run: npx tsx bench/ocl-parse.ts
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseOcl } from '../src/ocl/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpusDir = join(resolve(repoRoot, '../shared'), 'corpus/ocl/valid');

/** AST -> plain data (no ranges), so the JSON baseline holds the same information as the OCL. */
function plain(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(plain);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'range' || key === 'nameRange' || key === 'keyRange') continue;
    out[key] = plain(value);
  }
  return out;
}

// Collect garbage between timed runs so one run's garbage is not billed to the next.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function megabytes(texts: string[]): number {
  return texts.reduce((sum, t) => sum + Buffer.byteLength(t, 'utf8'), 0) / (1024 * 1024);
}

/** Runs `fn` over all texts repeatedly for about `budgetMs`; returns MB/s. */
function throughput(texts: string[], fn: (text: string) => unknown, budgetMs = 1000): { mbPerSecond: number; rounds: number } {
  const size = megabytes(texts);
  for (let i = 0; i < 3; i++) for (const t of texts) fn(t); // warm-up
  let rounds = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < budgetMs) {
    for (const t of texts) fn(t);
    rounds++;
    elapsed = performance.now() - start;
  }
  return { mbPerSecond: (size * rounds) / (elapsed / 1000), rounds };
}

/** A realistic deployment-process-like document of about `bytes` bytes. */
function generate(bytes: number): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const step = `step "step-${i}" {
    name = "Step ${i}"
    condition = "Success"
    package_requirement = "LetOctopusDecide"
    start_trigger = "StartAfterPrevious"
    properties = {
        Octopus.Action.TargetRoles = "web-server"
    }

    action {
        action_type = "Octopus.Script"
        environments = ["production", "staging", "test"]
        is_required = true
        worker_pool_variable = ""
        retries = ${i % 10}
        ratio = 1.${i % 100}
        properties = {
            Octopus.Action.RunOnServer = "true"
            Octopus.Action.Script.ScriptBody = <<-EOT
                echo "Deploying #{Octopus.Project.Name} step ${i}"
                if [ -f ./deploy.sh ]; then
                    ./deploy.sh --verbose "\\$HOME"
                fi
                EOT
            Octopus.Action.Script.ScriptSource = "Inline"
            Octopus.Action.Script.Syntax = "Bash"
        }
        worker_pool = "hosted-ubuntu"
    }
}

`;
    parts.push(step);
    size += step.length;
  }
  return parts.join('');
}

function main(): void {
  let texts: string[];
  let source: string;
  if (existsSync(corpusDir)) {
    texts = readdirSync(corpusDir).map((f) => readFileSync(join(corpusDir, f), 'utf8'));
    source = `${texts.length} corpus files`;
  } else {
    console.warn(`corpus not found at ${corpusDir}; using a generated 400 KB document`);
    texts = [generate(400 * 1024)];
    source = 'generated document';
  }
  const jsonTexts = texts.map((t) => JSON.stringify(plain(parseOcl(t).document)));
  const errors = texts.reduce((n, t) => n + parseOcl(t).diagnostics.length, 0);

  const ocl = throughput(texts, (t) => parseOcl(t));
  const json = throughput(jsonTexts, (t) => JSON.parse(t));
  console.log(`(a) ${source}: OCL ${megabytes(texts).toFixed(2)} MB, JSON form ${megabytes(jsonTexts).toFixed(2)} MB, diagnostics ${errors}`);
  console.log(`    parseOcl   ${ocl.mbPerSecond.toFixed(1).padStart(7)} MB/s  (${ocl.rounds} rounds)`);
  console.log(`    JSON.parse ${json.mbPerSecond.toFixed(1).padStart(7)} MB/s  (${json.rounds} rounds)`);
  const ratio = json.mbPerSecond / ocl.mbPerSecond;
  console.log(`    JSON.parse / parseOcl = ${ratio.toFixed(2)}x  (target <= 8x: ${ratio <= 8 ? 'met' : 'NOT met'})`);

  console.log('(b) generated documents (best of 5 runs each):');
  const perMb: number[] = [];
  for (const mb of [1, 2, 5, 10]) {
    const text = generate(mb * 1024 * 1024);
    parseOcl(text); // warm-up at this size
    collectGarbage();
    let best = Infinity;
    let diagnostics = 0;
    for (let i = 0; i < 5; i++) {
      collectGarbage();
      const start = performance.now();
      const result = parseOcl(text);
      best = Math.min(best, performance.now() - start);
      diagnostics = result.diagnostics.length;
    }
    const actualMb = text.length / (1024 * 1024);
    perMb.push(best / actualMb);
    console.log(`    ${String(mb).padStart(2)} MB: ${best.toFixed(1).padStart(8)} ms  ${(best / actualMb).toFixed(1).padStart(6)} ms/MB  diagnostics ${diagnostics}`);
  }
  console.log(`    ms/MB at 10 MB / ms/MB at 1 MB = ${(perMb[3]! / perMb[0]!).toFixed(2)} (about 1 when linear)`);
  const big = generate(10 * 1024 * 1024);
  const bigJson = JSON.stringify(plain(parseOcl(big).document));
  let jsonBest = Infinity;
  for (let i = 0; i < 3; i++) {
    collectGarbage();
    const start = performance.now();
    JSON.parse(bigJson);
    jsonBest = Math.min(jsonBest, performance.now() - start);
  }
  const jsonMb = bigJson.length / (1024 * 1024);
  console.log(
    `    baseline: JSON.parse of its JSON form (${jsonMb.toFixed(1)} MB): ${jsonBest.toFixed(1)} ms, ${(jsonBest / jsonMb).toFixed(1)} ms/MB;` +
      ` parseOcl/JSON.parse per MB = ${(perMb[3]! / (jsonBest / jsonMb)).toFixed(2)}x`,
  );
}

main();
