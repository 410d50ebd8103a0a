/**
 * Rego parse throughput: µs per module over the Octopus example policies (../shared, split into one
 * module per file) and the conformance-suite modules, or the grammar examples when ../shared is
 * absent.
 *
 * Baselines measured in the same run: tokenizing only, and JSON.parse of each module's AST
 * serialised as JSON (the cost of rebuilding the same tree from the most trivial format).
 *
 * Run: npx tsx bench/rego-parse.ts
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { tokenize } from '../src/rego/lexer.js';
import { parseModule } from '../src/rego/parser.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(root, '../shared');

function walk(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir).sort()) {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

function corpora(): Array<{ name: string; modules: string[] }> {
  if (!existsSync(shared)) {
    console.warn(`${shared} is absent: using the grammar examples`);
    const g = readFileSync(path.join(root, 'grammar/rego.ebnf'), 'utf8');
    const mods = [...g.matchAll(/\(\* example: valid module\n([\s\S]*?)\n\*\)/g)].map((m) => m[1]! + '\n');
    return [{ name: 'grammar examples', modules: mods }];
  }
  const policies = walk(path.join(shared, 'policy-examples/split'))
    .filter((f) => f.endsWith('.rego'))
    .map((f) => readFileSync(f, 'utf8'));
  const conformance: string[] = [];
  for (const f of walk(path.join(shared, 'conformance/rego')).filter((x) => x.endsWith('.yaml'))) {
    const doc = parseYaml(readFileSync(f, 'utf8')) as { cases?: Array<{ modules?: string[] }> };
    for (const c of doc.cases ?? []) for (const m of c.modules ?? []) if (parseModule(m).module) conformance.push(m);
  }
  return [
    { name: 'Octopus example policies', modules: policies },
    { name: 'conformance modules', modules: conformance },
  ];
}

/**
 * Runs `fn` over all modules repeatedly for about `ms` milliseconds, three times; returns the best
 * µs per module (the machine is shared, so the minimum is the least noisy figure).
 */
function measure(modules: string[], fn: (src: string, i: number) => unknown, ms = 700): number {
  for (let w = 0; w < 20; w++) modules.forEach(fn);
  let best = Infinity;
  for (let trial = 0; trial < 3; trial++) {
    let rounds = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      modules.forEach(fn);
      rounds++;
      elapsed = performance.now() - start;
    } while (elapsed < ms);
    best = Math.min(best, (elapsed * 1000) / (rounds * modules.length));
  }
  return best;
}

for (const { name, modules } of corpora()) {
  const bytes = modules.reduce((n, m) => n + m.length, 0);
  const asts = modules.map((m) => JSON.stringify(parseModule(m).module));
  const json = measure(asts, (s) => JSON.parse(s));
  const lex = measure(modules, (s) => tokenize(s));
  const parse = measure(modules, (s) => parseModule(s));
  const fmt = (x: number): string => x.toFixed(2).padStart(8);
  console.log(`\n${name}: ${modules.length} modules, ${(bytes / modules.length).toFixed(0)} chars on average`);
  console.log(`  JSON.parse of the AST (baseline) ${fmt(json)} µs/module`);
  console.log(`  tokenize only                    ${fmt(lex)} µs/module  (${(lex / json).toFixed(2)}× baseline)`);
  console.log(`  parseModule                      ${fmt(parse)} µs/module  (${(parse / json).toFixed(2)}× baseline)`);
  console.log(`  parse throughput                 ${(bytes / (parse * modules.length)).toFixed(1)} MB/s`);
}
