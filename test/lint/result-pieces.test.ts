/**
 * Project results stored as pieces of the JSON report (lint/result-entry.ts, report/lint-pieces.ts), on
 * the demo hub (a real Git repository: templates, tenants, an exception, findings): every report a
 * run writes from the cache — cold, all projects cached, one project changed, a damaged cache — is
 * byte for byte the report of a run without the cache, in JSON, SARIF and JUnit, with the same exit
 * code; and a JSON run that takes its projects from the cache writes their pieces without decoding.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { deferredReadsHeld } from '../../src/lint/cache.js';
import { lintHub } from '../../src/lint/engine.js';
import { evaluationSegments } from '../../src/report/lint-pieces.js';
import { renderLintJson } from '../../src/report/lint-json.js';
import { lintJsonChunks } from '../../src/report/lint-json-stream.js';
import { summarize } from '../../src/report/lint-report.js';
import { removeDir } from '../git/helpers.js';
import { commitAll, demoHub, openAt } from '../e2e/demo-hub.js';

const PROCESS = 'projects/payments-api/.octopus/deployment_process.ocl';
const FORMATS = ['json', 'sarif', 'junit'] as const;

let hub: string;
beforeAll(async () => {
  hub = await demoHub();
}, 120_000);
afterAll(() => {
  if (hub) removeDir(hub);
});

const cacheDir = () => path.join(hub, '.oclhub-cache');
/** The project results' files (one per shard used, see lint/cache.ts). */
const resultsFiles = () => fs.readdirSync(cacheDir()).filter((name) => /^lint-results\.[0-9a-f]\.json$/.test(name)).sort().map((name) => path.join(cacheDir(), name));

beforeEach(() => {
  fs.rmSync(cacheDir(), { recursive: true, force: true });
});

async function lint(argv: string[]) {
  const io = memoryIo(hub);
  const code = await main(['lint', ...argv], io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

/** Drops every stored report, keeping the project results: the next run assembles its report from them. */
function keepOnlyResults(): void {
  for (const name of fs.existsSync(cacheDir()) ? fs.readdirSync(cacheDir()) : []) {
    if (!/^lint-results\.[0-9a-f]\.json$/.test(name) && name !== '.gitignore') fs.rmSync(path.join(cacheDir(), name), { recursive: true, force: true });
  }
}

/** Each format's report and exit code: with the cache as it is now (stored reports dropped first), and without it. */
async function compareWithUncached(what: string): Promise<void> {
  for (const format of FORMATS) {
    keepOnlyResults();
    const cached = await lint(['--format', format]);
    const uncached = await lint(['--format', format, '--no-cache']);
    expect(cached.code, `${what}, ${format}: ${cached.stderr}`).toBe(uncached.code);
    expect(cached.code).toBeLessThan(2);
    expect(cached.stdout, `${what}, ${format}`).toBe(uncached.stdout);
  }
}

describe('project results stored as report pieces', () => {
  it('give the uncached report byte for byte: cold, all cached, after one project changed, and from a damaged cache', async () => {
    await compareWithUncached('cold');
    // Stored as pieces: the hub commit stood in where findings name the hub.
    expect(resultsFiles().map((file) => fs.readFileSync(file, 'utf8')).join('')).toContain(`"commit": "${'#'.repeat(40)}"`);
    await compareWithUncached('every project cached');

    const text = fs.readFileSync(path.join(hub, PROCESS), 'utf8');
    commitAll(hub, { [PROCESS]: text.replace('name = "Approve"', 'name = "Approve it"') }, 'change one project');
    await compareWithUncached('one project changed');
    // The report with --output too (written as pieces, not through stdout).
    keepOnlyResults();
    const output = path.join(hub, '.oclhub-cache', 'out', 'report.json');
    const written = await lint(['--format', 'json', '--output', output]);
    expect(fs.readFileSync(output, 'utf8')).toBe((await lint(['--format', 'json', '--no-cache'])).stdout);
    expect(written.stdout).toBe('');

    // Every byte of the stored results changed in turn (a sample of them): a miss, never another report.
    keepOnlyResults();
    await lint(['--format', 'json']);
    const files = resultsFiles();
    expect(files.length).toBeGreaterThan(0);
    const good = files.map((file) => fs.readFileSync(file));
    const expected = (await lint(['--format', 'json', '--no-cache'])).stdout;
    const total = good.reduce((sum, bytes) => sum + bytes.length, 0);
    for (const [index, bytes] of good.entries()) {
      for (let at = 20; at < bytes.length; at += Math.max(1, Math.floor(total / 40))) {
        const damaged = Buffer.from(bytes);
        damaged[at] = damaged[at] === 0x41 ? 0x42 : 0x41;
        keepOnlyResults();
        good.forEach((original, i) => fs.writeFileSync(files[i]!, i === index ? damaged : original));
        expect((await lint(['--format', 'json'])).stdout, `byte ${at} of ${path.basename(files[index]!)} changed`).toBe(expected);
      }
    }
  }, 300_000);

  it('give the uncached report from shards vouched for by their stat, and when some of them changed, tore or went since', async () => {
    const statsFile = path.join(cacheDir(), 'lint-results.stat.json');
    /** As keepOnlyResults, keeping what is known of the shards' stats too. */
    const keepResultsAndStats = () => {
      for (const name of fs.readdirSync(cacheDir())) {
        if (!/^lint-results\.([0-9a-f]|stat)\.json$/.test(name) && name !== '.gitignore') fs.rmSync(path.join(cacheDir(), name), { recursive: true, force: true });
      }
    };
    const expected = (await lint(['--format', 'json', '--no-cache'])).stdout;
    await lint(['--format', 'json']);
    // The shards' times must be older than a verification by the file system clock's slack (cache.ts
    // RACY_MS) before a stat can vouch for them: the run after this one verifies them by their checksums.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    keepResultsAndStats();
    expect((await lint(['--format', 'json'])).stdout).toBe(expected);
    const stats = JSON.parse(fs.readFileSync(statsFile, 'utf8')) as { shards: (number[] | null)[] };
    expect(stats.shards.filter((stat) => stat !== null)).toHaveLength(resultsFiles().length);
    // Every shard taken on its stat: the same report, and nothing new to record.
    const recorded = fs.statSync(statsFile);
    keepResultsAndStats();
    expect((await lint(['--format', 'json'])).stdout).toBe(expected);
    expect(fs.statSync(statsFile).ino).toBe(recorded.ino);

    // Then, at once (any rewrite of a shard gives it a new stat, so every other shard stays vouched for):
    // one shard with a byte changed in place (same size), one torn, one removed. Each a miss, never another report.
    const files = resultsFiles();
    const damages = [
      (file: string) => {
        const bytes = fs.readFileSync(file);
        bytes[bytes.length - 40] ^= 1;
        fs.writeFileSync(file, bytes);
      },
      (file: string) => fs.writeFileSync(file, fs.readFileSync(file).subarray(0, Math.floor(fs.statSync(file).size / 2))),
      (file: string) => fs.rmSync(file),
    ];
    files.slice(0, damages.length).forEach((file, i) => damages[i]!(file));
    keepResultsAndStats();
    expect((await lint(['--format', 'json'])).stdout).toBe(expected);
    // The damaged shards were checksummed, found wanting, and written again; a later run gives the same report.
    keepResultsAndStats();
    expect((await lint(['--format', 'json'])).stdout).toBe(expected);
  }, 300_000);

  it('written to --output straight from the shards that hold them give the uncached report, and again when a shard changes or tears meanwhile', async () => {
    const out = path.join(hub, '..', `pieces-${process.pid}.json`);
    const expected = (await lint(['--format', 'json', '--no-cache'])).stdout;
    /** `lint --format json --output` with the cache (the stored report dropped first); `during` runs as the first project is linted. */
    const lintToFile = async (during?: () => void, afterLast = false) => {
      for (const name of fs.readdirSync(cacheDir())) if (name.startsWith('lint-output') || name === 'lint-run.json') fs.rmSync(path.join(cacheDir(), name), { force: true });
      const io = memoryIo(hub);
      let held = -1;
      // The progress line is written as each project is linted: after the shards were opened.
      const tty = {
        ...io,
        isTTY: true,
        stderr: (text: string) => {
          // `afterLast`: at the last project's progress line, when every project is linted and the
          // exceptions are still to be applied.
          const last = /linting (\d+)\/(\1) /.test(text);
          if (held < 0 && (!afterLast || last)) {
            held = deferredReadsHeld();
            during?.();
          }
          io.stderr(text);
        },
      };
      const code = await main(['lint', '--format', 'json', '--output', out], tty);
      expect(deferredReadsHeld()).toBe(0); // released when the command is done
      return { code, report: fs.readFileSync(out, 'utf8'), held };
    };
    await lint(['--format', 'json']);
    // Shards are vouched for by their stat only once a run verified them, long enough after they were written (cache.ts RACY_MS).
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect((await lintToFile()).report).toBe(expected);
    const deferred = await lintToFile();
    expect(deferred.report).toBe(expected);
    expect(deferred.held).toBe(resultsFiles().length);

    // A byte of a piece changed in place (same size), then a shard cut short, while the report is written:
    // nothing of what was read is published, and the run done again gives the uncached report.
    const biggest = () => resultsFiles().sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0]!;
    const changed = await lintToFile(() => {
      const file = biggest();
      const bytes = fs.readFileSync(file);
      const at = bytes.indexOf('"outcome"', Math.floor(bytes.length / 2));
      bytes[at + 2] ^= 1;
      fs.writeFileSync(file, bytes);
    });
    expect(changed.held).toBeGreaterThan(0);
    expect(changed.report).toBe(expected);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect((await lintToFile()).report).toBe(expected);
    const torn = await lintToFile(() => {
      const file = biggest();
      fs.writeFileSync(file, fs.readFileSync(file).subarray(0, Math.floor(fs.statSync(file).size / 2)));
    });
    expect(torn.held).toBeGreaterThan(0);
    expect(torn.report).toBe(expected);
    expect(torn.code).toBe(changed.code);

    // Every shard emptied once every project is linted: the lint itself then reads the stored piece of the
    // project an exception names (to apply it) from a file cut short, and runs again reading the cache
    // whole instead of failing.
    // (The run after a torn shard stores it again: vouched for only once old enough, as above.)
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect((await lintToFile()).report).toBe(expected);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const rewritten = await lintToFile(() => {
      for (const file of resultsFiles()) fs.truncateSync(file, 0);
    }, true);
    expect(rewritten.held).toBeGreaterThan(0);
    expect(rewritten.report).toBe(expected);
    expect(rewritten.code).toBe(changed.code);
    fs.rmSync(out, { force: true });
  }, 300_000);

  it('stored by a cold run written to --output are read back from the shards it wrote, the uncached report', async () => {
    const out = path.join(hub, '..', `pieces-cold-${process.pid}.json`);
    const expected = await lint(['--format', 'json', '--no-cache']);
    fs.rmSync(cacheDir(), { recursive: true, force: true });
    const io = memoryIo(hub);
    let held = -1;
    // At the last project's progress line, every piece was handed to the shards' new files and is read back from them.
    const tty = { ...io, isTTY: true, stderr: (text: string) => void (/linting (\d+)\/(\1) /.test(text) && (held = deferredReadsHeld())) };
    const code = await main(['lint', '--format', 'json', '--output', out], tty);
    expect(code).toBe(expected.code);
    expect(fs.readFileSync(out, 'utf8')).toBe(expected.stdout);
    expect(held).toBe(resultsFiles().length);
    expect(held).toBeGreaterThan(0);
    expect(deferredReadsHeld()).toBe(0);
    expect(fs.readdirSync(cacheDir()).filter((name) => name.includes('.tmp-'))).toEqual([]);
    // The next run takes those shards as written.
    keepOnlyResults();
    const again = await lint(['--format', 'json']);
    expect(again.stdout).toBe(expected.stdout);
    fs.rmSync(out, { force: true });
  }, 120_000);

  it('are written into a JSON report without being decoded, and decoded for any other reader', async () => {
    const open = async () => openAt(hub);
    const options = { cacheDir: cacheDir(), wholeRunCache: false, keepSources: false, jsonPieces: true, now: new Date('2026-12-01T00:00:00Z') };
    const cold = await lintHub(await open(), options);
    const coldJson = [...lintJsonChunks(cold.report)].join('');
    const again = await lintHub(await open(), options);
    expect(again.cached).toBe(3);
    const segments = evaluationSegments(again.report)!;
    // The exception names one project: its evaluations are decoded to apply it; the others stay pieces.
    expect(segments.filter((s) => 'piece' in s).map((s) => s.project).sort()).toEqual(['payments-api', 'storefront']);
    expect(summarize(again.report)).toEqual(summarize(cold.report));
    expect([...lintJsonChunks(again.report)].join('')).toBe(coldJson);
    expect(evaluationSegments(again.report)).toBeDefined(); // still not decoded
    // Any other reader decodes them: the same report.
    expect(renderLintJson(again.report)).toBe(coldJson);
    expect(evaluationSegments(again.report)).toBeUndefined();
    const uncached = await lintHub(await open(), { ...options, cacheDir: false });
    expect(renderLintJson(uncached.report)).toBe(coldJson);
  }, 120_000);

  // Last: it changes the hub's projects.
  it('written to --output give the uncached report after projects are removed, added and renamed, and after one of them changes again (its neighbours keyed by the run manifest)', async () => {
    const out = path.join(hub, '..', `changed-projects-${process.pid}.json`);
    /** `lint --format json --output`: the pieces read from the shards as the report is written; the stored report (and re-run record) dropped first. */
    const lintToFile = async () => {
      for (const name of fs.readdirSync(cacheDir())) if (name.startsWith('lint-output') || name === 'lint-run.json' || name === 'lint-rerun.json') fs.rmSync(path.join(cacheDir(), name), { force: true });
      const io = memoryIo(hub);
      const code = await main(['lint', '--format', 'json', '--output', out], io);
      expect(code, io.err.join('')).toBeLessThan(2);
      return fs.readFileSync(out, 'utf8');
    };
    const settle = () => new Promise((resolve) => setTimeout(resolve, 2_100)); // cache.ts RACY_MS
    await lint(['--format', 'json']);
    await settle();
    expect(await lintToFile()).toBe((await lint(['--format', 'json', '--no-cache'])).stdout);

    // One commit: storefront removed, a project added (payments-api's files in a folder of its own), reporting
    // renamed. oclhub.ocl changes, so the run manifest's keys are not reused (run-manifest.ts): every project is keyed.
    const config = fs.readFileSync(path.join(hub, 'oclhub.ocl'), 'utf8');
    const added: Record<string, string> = {};
    for (const name of fs.readdirSync(path.join(hub, 'projects/payments-api/.octopus'))) {
      const file = path.join(hub, 'projects/payments-api/.octopus', name);
      if (fs.statSync(file).isFile()) added[`projects/ledger/.octopus/${name}`] = fs.readFileSync(file, 'utf8');
    }
    fs.rmSync(path.join(hub, 'projects/storefront'), { recursive: true, force: true });
    const changed = config
      .replace(/project "storefront" \{[\s\S]*?\n\}\n/, '')
      .replace('project "reporting" {', 'project "reports" {')
      .concat('\nproject "ledger" {\n    name = "Ledger"\n    group = "finance"\n    path = "projects/ledger/.octopus"\n}\n');
    expect(changed).not.toContain('project "storefront"');
    commitAll(hub, { 'oclhub.ocl': changed, ...added }, 'remove, add and rename projects');
    const expected = (await lint(['--format', 'json', '--no-cache'])).stdout;
    expect(expected).toContain('"project": "ledger"');
    expect(expected).toContain('"project": "reports"');
    expect(expected).not.toContain('"project": "storefront"');
    expect(await lintToFile()).toBe(expected);
    // Again once the shards that run wrote are verified, then taken on their stat.
    await settle();
    expect(await lintToFile()).toBe(expected);
    expect(await lintToFile()).toBe(expected);
    await compareWithUncached('projects removed, added and renamed');

    // Then only the added project's files: the renamed and untouched projects keep the keys the manifest holds.
    await lintToFile();
    const ledger = 'projects/ledger/.octopus/deployment_process.ocl';
    commitAll(hub, { [ledger]: added[ledger]!.replace(/name = "Approve[^"]*"/, 'name = "Approve the ledger"') }, 'change the added project');
    const again = (await lint(['--format', 'json', '--no-cache'])).stdout;
    expect(again).toContain('"project": "ledger"');
    expect(await lintToFile()).toBe(again);
    await compareWithUncached('the added project changed');
    fs.rmSync(out, { force: true });
  }, 120_000);
});
