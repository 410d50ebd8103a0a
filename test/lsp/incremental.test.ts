/**
 * The language server re-validates each version of a file incrementally (incremental parse, per-block
 * projections and models kept between versions). Property: after every edit of a random editing session
 * on real-shaped files, what it holds is exactly what a full validation of that text gives — the
 * diagnostics (`validateFile` without any reuse, then the server's own checks on top), the typed
 * document and the syntax tree, key order included.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnalysisCache, analyse, type FileAnalysis } from '../../src/lsp/analysis.js';
import { validateFile } from '../../src/model/validate.js';
import { FIXTURES, SHARED } from '../model/helpers.js';
import { applyEdit, edits } from '../ocl/edit-sessions.js';

const CORPUS = path.join(SHARED, 'corpus/ocl');
const NOW = new Date('2026-01-15T00:00:00Z');

interface Seed {
  path: string;
  text: string;
}

function indexed(folder: 'valid' | 'invalid', index: string): Seed[] {
  const rows = readFileSync(path.join(CORPUS, index), 'utf8').trim().split('\n').slice(1);
  return rows.map((row) => {
    const [file, , , p] = row.split('\t');
    return { path: p!, text: readFileSync(path.join(CORPUS, folder, file!), 'utf8') };
  });
}

function fixtures(dir: string, relative = ''): Seed[] {
  const out: Seed[] = [];
  for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
    const rel = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...fixtures(dir, rel));
    else if (entry.name.endsWith('.ocl')) out.push({ path: rel.split('/').slice(1).join('/'), text: readFileSync(path.join(dir, rel), 'utf8') });
  }
  return out;
}

/** A long process with what the checks look at across blocks: duplicate slugs and names, usages, legacy forms. */
function generatedProcess(): Seed {
  const step = (i: number) =>
    `step "step-${i % 17 === 0 ? 1 : i}" {\n    name = "Step ${i % 13 === 0 ? 2 : i}"\n\n    action${i % 5 === 0 ? ` "a-${i % 3}"` : ''} {\n        action_type = "Octopus.Script"\n        environments = ["production"]\n        properties = {\n            Octopus.Action.Script.ScriptBody = <<-EOT\n                echo ${i}\n                EOT\n        }\n        worker_pool = "hosted-ubuntu"\n    }\n}\n`;
  const usage = (i: number) =>
    `process_template "use-${i}" {\n    name = "Use ${i}"\n    process_template_slug = "deploy-web"\n    version_mask = "${i % 2 ? '1.X' : '1.2.3'}"\n\n    parameter "Template.Site" {\n        value = "x"\n    }\n}\n`;
  const blocks = Array.from({ length: 40 }, (_, i) => (i % 9 === 4 ? usage(i) : step(i)));
  return { path: '.octopus/deployment_process.ocl', text: blocks.join('\n') };
}

/** Variables with scoped values and prompts, some names repeated. */
function generatedVariables(): Seed {
  const variable = (i: number) =>
    `variable "Var${i % 11 === 0 ? 1 : i}" {\n    value "v${i}" {\n        environment = ["production"]\n${i % 4 === 0 ? '\n        prompt {\n            label = "L"\n            required = true\n        }\n' : ''}    }\n\n    value "w${i}" {\n        environment = ["staging"]\n        description = "d"\n    }\n}\n`;
  return { path: '.octopus/variables.ocl', text: Array.from({ length: 40 }, (_, i) => variable(i)).join('\n') };
}

const present = existsSync(path.join(CORPUS, 'INDEX.tsv'));
if (!present) console.warn(`incremental analysis tests use project fixtures only: ${CORPUS} not found`);
const seeds: Seed[] = [
  generatedProcess(),
  generatedVariables(),
  ...fixtures(FIXTURES),
  ...(present ? [...indexed('valid', 'INDEX.tsv'), ...indexed('invalid', 'INVALID_INDEX.tsv')] : []),
].filter((s) => s.text.length < 40_000);

const typed = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('a', '1', ' ', '"', '\n', '}', '{', '=', '-', '_') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '}\n',
      '{\n',
      'step "step-3" {\n    name = "Step 3"\n}\n',
      'step "Step Three" {\n}\n',
      'steps "old" {\n    actions {\n        action_type = "Octopus.Script"\n    }\n}\n',
      'process_template "u" {\n    process_template_slug = "deploy-web"\n    version_mask = "1.2.3"\n}\n',
      'parameter "Template.Site" {\n    value = "y"\n}\n',
      '    name = "Step 2"\n',
      '    action_type = "Octopus.Scrpt"\n',
      '    feed_id_or_name = "x"\n',
      'variable "V" {\n    value "1" {\n        environment = ["dev"]\n    }\n}\n',
      'name = "x"\n',
      '<<-EOT\n',
      'EOT\n',
      '#',
      'true',
      '[',
      ']',
      '\r\n',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 5 }) },
);

const edit = edits(typed);


/** Compares before anything else runs: the next version's analysis moves the blocks this one shares with it. */
function expectSameAsFull(analysis: FileAnalysis, schemaVersion: number | undefined): void {
  const { file, text } = analysis;
  const full = validateFile({ path: file, text, context: { now: NOW, ...(schemaVersion !== undefined ? { schemaVersion } : {}) } });
  expect(analysis.result.diagnostics).toStrictEqual(full.diagnostics);
  expect(JSON.stringify(analysis.result)).toBe(JSON.stringify(full));
  expect(analysis.ast).toStrictEqual(analyse(file, text, schemaVersion, NOW).ast);
  const fresh = analyse(file, text, schemaVersion, NOW);
  expect(JSON.stringify(analysis.diagnostics)).toBe(JSON.stringify(fresh.diagnostics));
}

describe('incremental analysis', () => {
  it(`equals a full validation after every edit of a session (${seeds.length} files)`, () => {
    fc.assert(
      // The long generated files (the first two seeds) half the time: they have the most blocks to keep.
      fc.property(fc.oneof(fc.constantFrom(0, 1), fc.nat({ max: seeds.length - 1 })), fc.array(edit, { minLength: 1, maxLength: 10 }), fc.constantFrom(undefined, 5, 8), (index, edits, schemaVersion) => {
        const seed = seeds[index]!;
        let text = seed.text;
        let analysis = analyse(seed.path, text, schemaVersion, NOW);
        expectSameAsFull(analysis, schemaVersion);
        for (const e of edits) {
          text = applyEdit(text, e);
          analysis = analyse(seed.path, text, schemaVersion, NOW, analysis);
          expectSameAsFull(analysis, schemaVersion);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('reuses the unchanged blocks of a long process: a keystroke rebuilds one step', () => {
    const seed = generatedProcess();
    const cache = new AnalysisCache();
    const first = cache.get(seed.path, seed.text, undefined);
    const firstSteps = first.result.document?.kind === 'deployment_process' ? [...first.result.document.items] : [];
    const at = seed.text.indexOf('name = "Step 20"') + 'name = "Step 2'.length;
    const typed = `${seed.text.slice(0, at)}x${seed.text.slice(at)}`;
    const second = cache.get(seed.path, typed, undefined);
    const items = second.result.document?.kind === 'deployment_process' ? second.result.document.items : [];
    expect(items).toHaveLength(firstSteps.length);
    const rebuilt = items.filter((item, i) => item !== firstSteps[i]);
    expect(rebuilt.map((item) => item.slug)).toEqual(['step-20']);
    expect(second.result.diagnostics).toStrictEqual(validateFile({ path: seed.path, text: typed }).diagnostics);
  });
});
