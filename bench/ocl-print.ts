/**
 * OCL printing throughput: every valid corpus file (../shared/corpus/ocl/valid; a generated document
 * when absent) printed repeatedly for ~1 s, against JSON.stringify of the same ASTs and against parsing
 * the same text, both measured in the same run. Also map-key sorting with the Octopus comparator
 * (src/ocl/collation.ts) against Intl.Collator('und') and ordinal sort.
 * Run: npx tsx bench/ocl-print.ts
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { compareMapKeys, sortMapKeys } from '../src/ocl/collation.js';
import { parseOcl } from '../src/ocl/index.js';
import { printOcl } from '../src/ocl/printer.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = resolve(repoRoot, '../shared/corpus/ocl/valid');

function generated(): string[] {
  const steps = Array.from({ length: 200 }, (_, i) =>
    `step "s${i}" {\n    name = "Step ${i}"\n    properties = {\n        Octopus.Action.TargetRoles = "web"\n    }\n\n    action {\n        action_type = "Octopus.Script"\n        properties = {\n            Octopus.Action.Script.ScriptBody = <<-EOT\n                echo ${i}\n                exit 0\n                EOT\n        }\n    }\n}`,
  );
  return [steps.join('\n\n')];
}

const texts = existsSync(corpus) ? readdirSync(corpus).sort().map((f) => readFileSync(join(corpus, f), 'utf8')) : generated();
if (!existsSync(corpus)) console.log(`(corpus absent at ${corpus}: using a generated document)`);
const documents = texts.map((t) => parseOcl(t).document);
const megabytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0) / 1e6;

function rate(label: string, work: () => void): number {
  for (let i = 0; i < 5; i++) work();
  let rounds = 0;
  const start = performance.now();
  while (performance.now() - start < 1000) {
    work();
    rounds++;
  }
  const seconds = (performance.now() - start) / 1000;
  const mbPerSecond = (megabytes * rounds) / seconds;
  console.log(`${label.padEnd(34)} ${mbPerSecond.toFixed(1).padStart(7)} MB/s of OCL text`);
  return mbPerSecond;
}

console.log(`${texts.length} documents, ${megabytes.toFixed(3)} MB`);
const print = rate('printOcl', () => documents.forEach((d) => printOcl(d)));
const json = rate('JSON.stringify(AST) (baseline)', () => documents.forEach((d) => JSON.stringify(d)));
const parse = rate('parseOcl (same text)', () => texts.forEach((t) => parseOcl(t)));
console.log(`printOcl / JSON.stringify: ${(print / json).toFixed(2)}x   printOcl / parseOcl: ${(print / parse).toFixed(2)}x`);

const keys = Array.from({ length: 20000 }, (_, i) => `${i % 3 ? 'Octopus.Action' : 'custom'}.${(i * 7919) % 20000}.${i % 2 ? 'Name' : 'value'}`);
function sortRate(label: string, compare: (a: string, b: string) => number): number {
  const start = performance.now();
  let rounds = 0;
  while (performance.now() - start < 500) {
    [...keys].sort(compare);
    rounds++;
  }
  const perSecond = (keys.length * rounds) / ((performance.now() - start) / 1000);
  console.log(`${label.padEnd(34)} ${(perSecond / 1e6).toFixed(2).padStart(7)} M keys/s sorted (20,000-key map)`);
  return perSecond;
}
const ours = sortRate('compareMapKeys (cached comparator)', compareMapKeys);
{
  const start = performance.now();
  let rounds = 0;
  while (performance.now() - start < 500) {
    sortMapKeys(keys, (k) => k);
    rounds++;
  }
  const perSecond = (keys.length * rounds) / ((performance.now() - start) / 1000);
  console.log(`${'sortMapKeys (sort keys, no cache)'.padEnd(34)} ${(perSecond / 1e6).toFixed(2).padStart(7)} M keys/s sorted (20,000-key map)`);
}
const icu = new Intl.Collator('und');
const intl = sortRate('Intl.Collator("und") (baseline)', (a, b) => icu.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0));
const ordinal = sortRate('ordinal (baseline)', (a, b) => (a < b ? -1 : a > b ? 1 : 0));
console.log(`compareMapKeys / Intl.Collator: ${(ours / intl).toFixed(2)}x   / ordinal: ${(ours / ordinal).toFixed(2)}x`);
