/**
 * `oclhub lint --shard I/N` and `oclhub report merge`, on a generated hub (bench/generate-hub.ts:
 * template users, manual steps, external feeds; blocking and warning violations, inconclusive and
 * out-of-scope decisions), through the CLI as a CI matrix runs them: the shards' contexts are the
 * unsharded run's, each once, and the merged report (JSON, SARIF, JUnit) is the unsharded report
 * with the unsharded exit code. Also `--hub DIR` from outside the hub.
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ajvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHub } from '../../bench/generate-hub.js';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { shardOf } from '../../src/lint/shard.js';
import type { LintJson } from '../../src/report/lint-json.js';
import type { SarifLog, SarifResult } from '../../src/report/sarif.js';
import { parseXml, type XmlElement } from '../report/xml.js';

type AjvClass = typeof ajvModule.default;
const Ajv: AjvClass = (ajvModule as unknown as { default?: AjvClass }).default ?? (ajvModule as unknown as AjvClass);
type AddFormats = typeof addFormatsModule.default;
const addFormats: AddFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);
const schema = JSON.parse(fs.readFileSync(fileURLToPath(new URL('../fixtures/sarif-2.1.0.schema.json', import.meta.url)), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validateSarif = ajv.compile(schema);

async function cli(cwd: string, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = { ...memoryIo(cwd), env: {} };
  const code = await main(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

const SHARDS = 3;
const PROJECTS = 14;
const ENVIRONMENTS = 3;

describe('oclhub lint --shard and oclhub report merge', () => {
  let work: string;
  let hub: string;
  const read = (file: string) => fs.readFileSync(path.join(work, file), 'utf8');

  /** The unsharded report and each shard's, written to files in `work`. */
  async function lintShards(format: string, extra: string[] = []): Promise<{ whole: { code: number; text: string }; shards: { code: number; file: string }[] }> {
    const whole = await cli(hub, ['lint', '--no-cache', '--format', format, ...extra]);
    expect(whole.stderr).toBe('');
    const shards = [];
    for (let i = 1; i <= SHARDS; i++) {
      const file = path.join(work, `shard-${i}.${format}${extra.join('')}`);
      const run = await cli(hub, ['lint', '--no-cache', '--format', format, '--shard', `${i}/${SHARDS}`, '--output', file, ...extra]);
      expect(run.stderr).toBe('');
      shards.push({ code: run.code, file });
    }
    return { whole: { code: whole.code, text: whole.stdout }, shards };
  }

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(tmpdir(), 'oclhub-shard-'));
    hub = path.join(work, 'hub');
    await generateHub(hub, PROJECTS, ENVIRONMENTS, 8);
  });

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('splits the contexts by project: every context of the unsharded run in exactly one shard', async () => {
    const { whole, shards } = await lintShards('json');
    const all = JSON.parse(whole.text) as LintJson;
    expect(all.evaluations).toHaveLength(PROJECTS * ENVIRONMENTS);
    const seen = new Map<string, number>();
    const union: string[] = [];
    for (const [at, shard] of shards.entries()) {
      const report = JSON.parse(fs.readFileSync(shard.file, 'utf8')) as LintJson;
      expect(report.shard).toMatchObject({ index: at + 1, count: SHARDS });
      for (const e of report.evaluations) {
        const name = `${e.project}/${e.environment}`;
        expect(seen.has(name), `${name} in shards ${seen.get(name)} and ${at + 1}`).toBe(false);
        seen.set(name, at + 1);
        // The shard a project lands in depends on its slug alone.
        expect(shardOf(e.project, SHARDS)).toBe(at + 1);
        union.push(JSON.stringify(e));
      }
      // Hub findings are in every shard; the union of the shards' findings is the unsharded run's.
      for (const d of report.diagnostics) expect(all.diagnostics.map((x) => JSON.stringify(x))).toContain(JSON.stringify(d));
    }
    expect(union.sort()).toEqual(all.evaluations.map((e) => JSON.stringify(e)).sort());
    // Every shard has work on this hub (14 projects over 3 shards).
    expect(new Set(seen.values()).size).toBe(SHARDS);
  });

  /** Puts shard 1's hub-wide finding (BP020, about oclhub.ocl) into the other shards too, as findings about the hub itself are. */
  function everyShardReportsTheHub(files: readonly string[], format: 'json' | 'sarif'): void {
    if (format === 'json') {
      const first = JSON.parse(fs.readFileSync(files[0]!, 'utf8')) as LintJson;
      const hubFinding = first.diagnostics.find((d) => d.project === undefined);
      expect(hubFinding).toBeDefined();
      for (const file of files.slice(1)) {
        const report = JSON.parse(fs.readFileSync(file, 'utf8')) as LintJson;
        report.diagnostics.push(hubFinding!);
        fs.writeFileSync(file, JSON.stringify(report, null, 2));
      }
      return;
    }
    const first = JSON.parse(fs.readFileSync(files[0]!, 'utf8')) as SarifLog;
    const result = first.runs[0].results.find((r) => (r.properties as { project?: string }).project === undefined && r.properties.severity !== undefined);
    expect(result).toBeDefined();
    const rule = first.runs[0].tool.driver.rules[result!.ruleIndex]!;
    for (const file of files.slice(1)) {
      const log = JSON.parse(fs.readFileSync(file, 'utf8')) as SarifLog;
      // First in this shard's rule table, so its index differs from shard 1's.
      log.runs[0].tool.driver.rules.unshift(rule);
      for (const r of log.runs[0].results) r.ruleIndex++;
      log.runs[0].results.push({ ...result!, ruleIndex: 0 });
      fs.writeFileSync(file, JSON.stringify(log, null, 2));
    }
  }

  it('merges JSON shards into the unsharded report, with its exit code', async () => {
    const { whole, shards } = await lintShards('json');
    everyShardReportsTheHub(shards.map((s) => s.file), 'json');
    const merged = await cli(work, ['report', 'merge', ...shards.map((s) => s.file)]);
    expect(merged.stderr).toBe('');
    expect(whole.code).toBe(1); // the generated hub has blocking violations
    expect(merged.code).toBe(whole.code);
    const all = JSON.parse(whole.text) as LintJson;
    const got = JSON.parse(merged.stdout) as LintJson;
    const byContext = (r: LintJson) => [...r.evaluations].sort((a, b) => `${a.project}/${a.environment}`.localeCompare(`${b.project}/${b.environment}`));
    expect({ ...got, evaluations: byContext(got) }).toEqual({ ...all, evaluations: byContext(all) });
  });

  it('merges SARIF shards into a log that validates against SARIF 2.1.0, with the unsharded results and exit code', async () => {
    const { whole, shards } = await lintShards('sarif');
    everyShardReportsTheHub(shards.map((s) => s.file), 'sarif');
    const out = path.join(work, 'merged.sarif');
    const merged = await cli(work, ['report', 'merge', '--output', out, ...shards.map((s) => s.file)]);
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(whole.code);
    const log = JSON.parse(fs.readFileSync(out, 'utf8')) as SarifLog;
    const valid = validateSarif(log);
    expect(valid ? [] : validateSarif.errors).toEqual([]);
    const all = JSON.parse(whole.text) as SarifLog;
    const run = log.runs[0];
    expect(run.invocations[0].exitCode).toBe(all.runs[0].invocations[0].exitCode);
    expect(run.invocations[0].exitCodeDescription).toBe(all.runs[0].invocations[0].exitCodeDescription);
    expect(run.properties.summary).toEqual(all.runs[0].properties.summary);
    // The same results, each pointing at the same rule and logical location by index.
    const resolved = (l: SarifLog) =>
      l.runs[0].results
        .map((r: SarifResult) => {
          const { ruleIndex, locations, ...rest } = r;
          const logical = locations[0].logicalLocations?.[0];
          return JSON.stringify({
            ...rest,
            rule: l.runs[0].tool.driver.rules[ruleIndex]!.id,
            physical: locations[0].physicalLocation,
            logical: logical && l.runs[0].logicalLocations[logical.index!]!.fullyQualifiedName,
          });
        })
        .sort();
    expect(resolved(log)).toEqual(resolved(all));
    expect(run.tool.driver.rules.map((r) => r.id).sort()).toEqual(all.runs[0].tool.driver.rules.map((r) => r.id).sort());
    for (const location of run.logicalLocations) {
      if (location.parentIndex !== undefined) expect(location.fullyQualifiedName.startsWith(`${run.logicalLocations[location.parentIndex]!.fullyQualifiedName}/`)).toBe(true);
    }
  });

  it('merges JUnit shards into the unsharded suites and counts, with its exit code', async () => {
    const { whole, shards } = await lintShards('junit');
    const merged = await cli(work, ['report', 'merge', ...shards.map((s) => s.file)]);
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(whole.code);
    const got = parseXml(merged.stdout);
    const all = parseXml(whole.text);
    expect(got.attributes).toEqual(all.attributes);
    const suites = (root: XmlElement) => root.children.map((s) => JSON.stringify(s)).sort();
    expect(suites(got)).toEqual(suites(all));
  });

  it('gives the unsharded exit code when the run passes (--fail-on error)', async () => {
    for (const format of ['json', 'sarif', 'junit']) {
      const { whole, shards } = await lintShards(format, ['--fail-on', 'error']);
      expect(whole.code).toBe(0);
      const merged = await cli(work, ['report', 'merge', ...shards.map((s) => s.file)]);
      expect(merged.stderr).toBe('');
      expect(merged.code).toBe(0);
    }
  });

  it('refuses to merge a missing shard, a shard twice, other runs and mixed formats (exit 2)', async () => {
    const { shards } = await lintShards('json');
    const missing = await cli(work, ['report', 'merge', shards[0]!.file, shards[1]!.file]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`shard 3/${SHARDS} is missing`);
    expect(missing.stdout).toBe('');
    const twice = await cli(work, ['report', 'merge', shards[0]!.file, shards[0]!.file, shards[1]!.file, shards[2]!.file]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('given twice');
    const whole = path.join(work, 'whole.json');
    await cli(hub, ['lint', '--no-cache', '--format', 'json', '--output', whole]);
    const unsharded = await cli(work, ['report', 'merge', whole, shards[1]!.file, shards[2]!.file]);
    expect(unsharded.code).toBe(2);
    expect(unsharded.stderr).toContain('not a shard report');
    const sarif = path.join(work, 'one.sarif');
    await cli(hub, ['lint', '--no-cache', '--format', 'sarif', '--shard', `1/${SHARDS}`, '--output', sarif]);
    const mixed = await cli(work, ['report', 'merge', sarif, shards[1]!.file, shards[2]!.file]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('different formats');
    const bad = await cli(hub, ['lint', '--shard', '4/3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--shard');
  });

  it('shares the project-result cache between shards and the unsharded run', async () => {
    const cacheDir = path.join(work, 'shared-cache');
    const env = { OCLHUB_CACHE_DIR: cacheDir };
    const run = async (argv: string[]) => {
      const io = { ...memoryIo(hub), env };
      const code = await main(argv, io);
      return { code, stdout: io.out.join('') };
    };
    const whole = await run(['lint', '--format', 'json']);
    const shards = [];
    for (let i = 1; i <= SHARDS; i++) shards.push(JSON.parse((await run(['lint', '--format', 'json', '--shard', `${i}/${SHARDS}`])).stdout) as LintJson);
    const all = JSON.parse(whole.stdout) as LintJson;
    expect(shards.flatMap((s) => s.evaluations).map((e) => JSON.stringify(e)).sort()).toEqual(all.evaluations.map((e) => JSON.stringify(e)).sort());
  });
});

describe('oclhub lint --hub DIR from outside the hub', () => {
  let work: string;
  let hub: string;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(tmpdir(), 'oclhub-hub-outside-'));
    hub = path.join(work, 'hub');
    await generateHub(hub, 4, 2, 5);
  });

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('lints the hub, not the current folder, and keeps the cache under the hub', async () => {
    const outside = path.join(work, 'elsewhere');
    fs.mkdirSync(outside);
    const inside = await cli(hub, ['lint', '--format', 'json', '--no-cache']);
    for (const given of [hub, path.relative(outside, hub)]) {
      const r = await cli(outside, ['lint', '--hub', given, '--format', 'json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(inside.code);
      const report = JSON.parse(r.stdout) as LintJson;
      expect(report.evaluations).toHaveLength(4 * 2);
      expect(report.evaluations).toEqual((JSON.parse(inside.stdout) as LintJson).evaluations);
      expect(report.home).toBe('hub');
    }
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(fs.existsSync(path.join(hub, '.oclhub-cache', 'lint-output.txt'))).toBe(true);
    // From the parent folder that contains the hub (a CI workspace) it is the hub that is linted too.
    const parent = await cli(work, ['lint', '--hub', 'hub', '--format', 'json']);
    expect((JSON.parse(parent.stdout) as LintJson).evaluations).toHaveLength(4 * 2);
    expect(fs.existsSync(path.join(work, '.oclhub-cache'))).toBe(false);
  });
});
